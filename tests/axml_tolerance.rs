//! One test per tolerance of the AXML reader: documents are built here chunk by chunk (or a
//! built one is mutated) to carry one known tampering trick each, and must still read the way
//! Android reads them, with the trick recorded as an anomaly.

use dossier::axml::{Manifest, parse_xml, to_xml_text};

const ANDROID: &str = "http://schemas.android.com/apk/res/android";
const VERSION_CODE: u32 = 0x0101_021b;
const VERSION_NAME: u32 = 0x0101_021c;
const NAME: u32 = 0x0101_0003;
const LABEL: u32 = 0x0101_0001;
const EXPORTED: u32 = 0x0101_0010;

/// A typed attribute value.
#[derive(Clone, Copy)]
enum V<'a> {
    Str(&'a str),
    Int(i32),
    Bool(bool),
}

/// Builds binary XML. Attribute names that carry resource ids are registered first so that
/// their string indexes line up with the resource map, as aapt lays them out.
struct Builder {
    strings: Vec<String>,
    ids: Vec<u32>,
    nodes: Vec<u8>,
    utf8: bool,
    /// Extra bytes appended to every node header (header size > 16 must be honoured).
    node_header_padding: usize,
    /// Attribute size and start used for start elements.
    attribute_size: u16,
    attribute_start: u16,
}

impl Builder {
    fn new(named_ids: &[(&str, u32)]) -> Builder {
        Builder {
            strings: named_ids.iter().map(|(n, _)| n.to_string()).collect(),
            ids: named_ids.iter().map(|(_, id)| *id).collect(),
            nodes: Vec::new(),
            utf8: false,
            node_header_padding: 0,
            attribute_size: 20,
            attribute_start: 20,
        }
    }

    fn s(&mut self, text: &str) -> u32 {
        if let Some(i) = self
            .strings
            .iter()
            .skip(self.ids.len())
            .position(|s| s == text)
        {
            return (i + self.ids.len()) as u32;
        }
        self.strings.push(text.to_owned());
        (self.strings.len() - 1) as u32
    }

    fn node(&mut self, chunk_type: u16, ext: &[u8]) {
        let header = 16 + self.node_header_padding;
        let size = header + ext.len();
        self.nodes.extend_from_slice(&chunk_type.to_le_bytes());
        self.nodes.extend_from_slice(&(header as u16).to_le_bytes());
        self.nodes.extend_from_slice(&(size as u32).to_le_bytes());
        self.nodes.extend_from_slice(&1u32.to_le_bytes());
        self.nodes.extend_from_slice(&u32::MAX.to_le_bytes());
        self.nodes
            .extend(std::iter::repeat_n(0u8, self.node_header_padding));
        self.nodes.extend_from_slice(ext);
    }

    fn start_ns(&mut self, prefix: &str, uri: &str) -> &mut Self {
        let ext = [self.s(prefix), self.s(uri)].map(u32::to_le_bytes).concat();
        self.node(0x0100, &ext);
        self
    }

    fn end_ns(&mut self, prefix: &str, uri: &str) -> &mut Self {
        let ext = [self.s(prefix), self.s(uri)].map(u32::to_le_bytes).concat();
        self.node(0x0101, &ext);
        self
    }

    /// `attrs`: (namespaced?, name string index, value).
    fn start_raw(&mut self, name: &str, attrs: &[(bool, u32, V)]) -> &mut Self {
        let name = self.s(name);
        let ns = self.s(ANDROID);
        let mut ext = Vec::new();
        ext.extend_from_slice(&u32::MAX.to_le_bytes());
        ext.extend_from_slice(&name.to_le_bytes());
        ext.extend_from_slice(&self.attribute_start.to_le_bytes());
        ext.extend_from_slice(&self.attribute_size.to_le_bytes());
        ext.extend_from_slice(&(attrs.len() as u16).to_le_bytes());
        ext.extend_from_slice(&[0u8; 6]);
        ext.resize(usize::from(self.attribute_start), 0);
        for (namespaced, attr_name, value) in attrs {
            let at = ext.len();
            ext.extend_from_slice(&(if *namespaced { ns } else { u32::MAX }).to_le_bytes());
            ext.extend_from_slice(&attr_name.to_le_bytes());
            let (raw, data_type, data) = match value {
                V::Str(text) => {
                    let index = self.s(text);
                    (index, 0x03u8, index)
                }
                V::Int(v) => (u32::MAX, 0x10, *v as u32),
                V::Bool(b) => (u32::MAX, 0x12, if *b { u32::MAX } else { 0 }),
            };
            ext.extend_from_slice(&raw.to_le_bytes());
            ext.extend_from_slice(&[8, 0, 0, data_type]);
            ext.extend_from_slice(&data.to_le_bytes());
            ext.resize(at + usize::from(self.attribute_size).max(20), 0);
        }
        self.node(0x0102, &ext);
        self
    }

    /// Android attributes by framework name (index of a pre-registered name) or plain ones.
    fn start(&mut self, name: &str, attrs: &[(&str, V)]) -> &mut Self {
        let resolved: Vec<(bool, u32, V)> = attrs
            .iter()
            .map(|(attr, v)| {
                match self
                    .strings
                    .iter()
                    .take(self.ids.len())
                    .position(|s| s == attr)
                {
                    Some(i) => (true, i as u32, *v),
                    None => (false, self.s(attr), *v),
                }
            })
            .collect();
        self.start_raw(name, &resolved)
    }

    fn end(&mut self, name: &str) -> &mut Self {
        let ext = [u32::MAX, self.s(name)].map(u32::to_le_bytes).concat();
        self.node(0x0103, &ext);
        self
    }

    fn cdata(&mut self, text: &str) -> &mut Self {
        let index = self.s(text);
        let mut ext = index.to_le_bytes().to_vec();
        ext.extend_from_slice(&[8, 0, 0, 0x03]);
        ext.extend_from_slice(&index.to_le_bytes());
        self.node(0x0104, &ext);
        self
    }

    fn pool(&self) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in &self.strings {
            offsets.push(data.len() as u32);
            if self.utf8 {
                data.push(s.encode_utf16().count() as u8);
                data.push(s.len() as u8);
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                data.extend_from_slice(&(units.len() as u16).to_le_bytes());
                units
                    .iter()
                    .for_each(|u| data.extend_from_slice(&u.to_le_bytes()));
                data.extend_from_slice(&[0, 0]);
            }
        }
        while data.len() % 4 != 0 {
            data.push(0);
        }
        let start = 28 + 4 * self.strings.len();
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&1u16.to_le_bytes());
        chunk.extend_from_slice(&28u16.to_le_bytes());
        chunk.extend_from_slice(&((start + data.len()) as u32).to_le_bytes());
        chunk.extend_from_slice(&(self.strings.len() as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes());
        chunk.extend_from_slice(&(if self.utf8 { 1u32 << 8 } else { 0 }).to_le_bytes());
        chunk.extend_from_slice(&(start as u32).to_le_bytes());
        chunk.extend_from_slice(&0u32.to_le_bytes());
        offsets
            .iter()
            .for_each(|o| chunk.extend_from_slice(&o.to_le_bytes()));
        chunk.extend_from_slice(&data);
        chunk
    }

    fn build(&self) -> Vec<u8> {
        let pool = self.pool();
        let mut map = Vec::new();
        map.extend_from_slice(&0x0180u16.to_le_bytes());
        map.extend_from_slice(&8u16.to_le_bytes());
        map.extend_from_slice(&((8 + 4 * self.ids.len()) as u32).to_le_bytes());
        self.ids
            .iter()
            .for_each(|id| map.extend_from_slice(&id.to_le_bytes()));
        let size = 8 + pool.len() + map.len() + self.nodes.len();
        let mut out = Vec::new();
        out.extend_from_slice(&3u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&(size as u32).to_le_bytes());
        out.extend_from_slice(&pool);
        out.extend_from_slice(&map);
        out.extend_from_slice(&self.nodes);
        out
    }

    /// Offset where the node chunks begin in `build()`'s output.
    fn nodes_offset(&self) -> usize {
        8 + self.pool().len() + 8 + 4 * self.ids.len()
    }
}

fn standard_ids(version_code_name: &str) -> Vec<(String, u32)> {
    vec![
        (version_code_name.to_owned(), VERSION_CODE),
        ("versionName".to_owned(), VERSION_NAME),
        ("name".to_owned(), NAME),
        ("label".to_owned(), LABEL),
        ("exported".to_owned(), EXPORTED),
    ]
}

/// A small manifest; `version_code_name` is the stored name of the versionCode attribute.
fn manifest_builder(version_code_name: &str) -> Builder {
    let ids = standard_ids(version_code_name);
    let named: Vec<(&str, u32)> = ids.iter().map(|(n, id)| (n.as_str(), *id)).collect();
    let mut b = Builder::new(&named);
    b.start_ns("android", ANDROID);
    let mut root_attrs = vec![("versionName", V::Str("1.0")), ("package", V::Str("com.t"))];
    root_attrs.insert(0, (version_code_name, V::Int(7)));
    b.start("manifest", &root_attrs);
    b.start(
        "uses-permission",
        &[("name", V::Str("android.permission.CAMERA"))],
    )
    .end("uses-permission");
    b.start("application", &[("label", V::Str("T"))]);
    b.start(
        "activity",
        &[("name", V::Str(".A")), ("exported", V::Bool(true))],
    )
    .end("activity");
    b.end("application")
        .end("manifest")
        .end_ns("android", ANDROID);
    b
}

fn codes(anomalies: &[dossier::Anomaly]) -> Vec<&str> {
    anomalies.iter().map(|a| a.code.as_str()).collect()
}

fn assert_standard(bytes: &[u8]) -> Manifest {
    let doc = parse_xml(bytes, "AndroidManifest.xml").expect("parses");
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.package.as_deref(), Some("com.t"));
    assert_eq!(m.version_code, Some(7), "{:?}", m.anomalies);
    assert_eq!(m.version_name.as_deref(), Some("1.0"));
    assert_eq!(m.permission_names(), vec!["android.permission.CAMERA"]);
    assert_eq!(
        m.application.as_ref().and_then(|a| a.label.as_deref()),
        Some("T")
    );
    assert_eq!(m.components.len(), 1);
    assert_eq!(m.components[0].name, "com.t.A");
    assert!(m.components[0].exported);
    m
}

fn set_u32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

#[test]
fn baseline_document_reads_cleanly() {
    let bytes = manifest_builder("versionCode").build();
    let m = assert_standard(&bytes);
    assert!(m.anomalies.is_empty(), "{:?}", m.anomalies);
}

#[test]
fn utf8_string_pool_reads_the_same() {
    let mut b = manifest_builder("versionCode");
    b.utf8 = true;
    let m = assert_standard(&b.build());
    assert!(m.anomalies.is_empty(), "{:?}", m.anomalies);
}

#[test]
fn unknown_chunk_between_elements_is_skipped() {
    let b = manifest_builder("versionCode");
    let mut bytes = b.build();
    // Insert a 16-byte chunk of an unknown type after the first start-namespace node.
    let at = b.nodes_offset() + 24;
    let unknown: Vec<u8> = [0x0777u16.to_le_bytes(), 8u16.to_le_bytes()]
        .concat()
        .into_iter()
        .chain(16u32.to_le_bytes())
        .chain([0xaa; 8])
        .collect();
    bytes.splice(at..at, unknown);
    let size = bytes.len() as u32;
    set_u32(&mut bytes, 4, size);
    let m = assert_standard(&bytes);
    assert!(
        codes(&m.anomalies).contains(&"axml.unknown_chunk"),
        "{:?}",
        m.anomalies
    );
    // An unknown chunk type inside the node range is skipped too.
    let mut bytes = b.build();
    let node: Vec<u8> = [0x0150u16.to_le_bytes(), 16u16.to_le_bytes()]
        .concat()
        .into_iter()
        .chain(16u32.to_le_bytes())
        .chain([0; 8])
        .collect();
    bytes.splice(at..at, node);
    let size = bytes.len() as u32;
    set_u32(&mut bytes, 4, size);
    let m = assert_standard(&bytes);
    assert!(codes(&m.anomalies).contains(&"axml.unknown_chunk"));
    assert!(
        !codes(&m.anomalies).contains(&"axml.android_would_reject"),
        "{:?}",
        m.anomalies
    );
}

#[test]
fn oversized_chunk_sizes_are_clamped() {
    let b = manifest_builder("versionCode");
    let mut bytes = b.build();
    // The file header claims more than there is.
    set_u32(&mut bytes, 4, 0x00ff_ffff);
    let m = assert_standard(&bytes);
    assert!(codes(&m.anomalies).contains(&"axml.chunk_size_clamped"));
    assert!(codes(&m.anomalies).contains(&"axml.android_would_reject"));
    // The last node (end namespace, 24 bytes) claims to run past the end.
    let mut bytes = b.build();
    let last = bytes.len() - 24;
    set_u32(&mut bytes, last + 4, 0x7fff_fff0);
    let m = assert_standard(&bytes);
    assert!(codes(&m.anomalies).contains(&"axml.chunk_size_clamped"));
}

#[test]
fn wrong_file_type_is_only_recorded() {
    for magic in [0x0000u16, 0x0002, 0x0108] {
        let mut bytes = manifest_builder("versionCode").build();
        bytes[0..2].copy_from_slice(&magic.to_le_bytes());
        let m = assert_standard(&bytes);
        assert_eq!(
            codes(&m.anomalies),
            vec!["axml.wrong_file_type"],
            "Android does not check the type"
        );
    }
}

#[test]
fn trailing_bytes_after_the_document_are_ignored() {
    let mut bytes = manifest_builder("versionCode").build();
    bytes.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    let m = assert_standard(&bytes);
    assert!(codes(&m.anomalies).contains(&"axml.trailing_data"));
}

#[test]
fn empty_attribute_name_is_named_by_resource_id() {
    let m = assert_standard(&manifest_builder("").build());
    assert!(codes(&m.anomalies).contains(&"axml.attribute_name_mismatch"));
}

#[test]
fn renamed_attribute_is_named_by_resource_id() {
    let m = assert_standard(&manifest_builder("vErSiOnCoDe_obf").build());
    assert!(codes(&m.anomalies).contains(&"axml.attribute_name_mismatch"));
    let doc = parse_xml(&manifest_builder("zz").build(), "m").unwrap();
    let root = doc.root().unwrap();
    let attr = root.android_attr("versionCode").unwrap();
    assert_eq!(attr.raw_name.as_deref(), Some("zz"));
    assert_eq!(&*attr.name, "versionCode");
}

#[test]
fn decoy_name_with_another_resource_id_is_not_that_attribute() {
    // "versionCode" stored as the name of android:label's id: Android sees a label, not a code.
    let mut b = Builder::new(&[("versionCode", LABEL), ("versionName", VERSION_NAME)]);
    b.start_ns("android", ANDROID);
    b.start(
        "manifest",
        &[("versionCode", V::Int(999)), ("package", V::Str("com.t"))],
    );
    b.end("manifest").end_ns("android", ANDROID);
    let doc = parse_xml(&b.build(), "m").unwrap();
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.version_code, None);
    assert!(codes(&m.anomalies).contains(&"axml.attribute_name_mismatch"));
}

#[test]
fn huge_string_count_is_clamped() {
    let mut bytes = manifest_builder("versionCode").build();
    set_u32(&mut bytes, 8 + 8, 0xffff_fff0);
    let doc = parse_xml(&bytes, "m").expect("parses");
    assert!(
        codes(&doc.anomalies).contains(&"axml.string_count_clamped"),
        "{:?}",
        doc.anomalies
    );
    assert_eq!(&*doc.root().unwrap().name, "manifest");
}

#[test]
fn zero_size_chunk_ends_the_walk_instead_of_looping() {
    let b = manifest_builder("versionCode");
    let mut bytes = b.build();
    // Zero the size of the node after <manifest>'s start (the first uses-permission start).
    let start = std::time::Instant::now();
    let first_node = b.nodes_offset();
    let ns_size = 24;
    let manifest_size = u32::from_le_bytes(
        bytes[first_node + ns_size + 4..first_node + ns_size + 8]
            .try_into()
            .unwrap(),
    ) as usize;
    set_u32(&mut bytes, first_node + ns_size + manifest_size + 4, 0);
    let doc = parse_xml(&bytes, "m").expect("the root before the bad chunk is kept");
    assert!(start.elapsed().as_secs() < 2);
    assert!(codes(&doc.anomalies).contains(&"axml.chunk_header_invalid"));
    assert_eq!(doc.elements.len(), 1);
    // A zero header size is refused the same way.
    let mut bytes = b.build();
    bytes[first_node + 2..first_node + 4].copy_from_slice(&0u16.to_le_bytes());
    assert!(
        parse_xml(&bytes, "m").is_err(),
        "nothing readable after a zero header size"
    );
}

#[test]
fn namespace_and_end_element_mismatches_are_recorded() {
    let ids = standard_ids("versionCode");
    let named: Vec<(&str, u32)> = ids.iter().map(|(n, id)| (n.as_str(), *id)).collect();
    let mut b = Builder::new(&named);
    b.start_ns("android", ANDROID);
    b.start("manifest", &[("package", V::Str("com.t"))]);
    b.start("application", &[]).end("activity"); // wrong name closes <application>
    b.start("uses-permission", &[("name", V::Str("p.X"))])
        .end("uses-permission");
    b.end("manifest").end("manifest"); // one end too many
    b.end_ns("other", "urn:x");
    let doc = parse_xml(&b.build(), "m").unwrap();
    let found = codes(&doc.anomalies);
    assert!(found.contains(&"axml.end_element_mismatch"), "{found:?}");
    assert!(found.contains(&"axml.end_without_start"), "{found:?}");
    assert!(found.contains(&"axml.namespace_mismatch"), "{found:?}");
    // Pairing by depth: uses-permission is still a child of <manifest>.
    let m = Manifest::from_document(&doc, None);
    assert_eq!(m.permission_names(), vec!["p.X"]);
}

#[test]
fn deep_nesting_is_capped_without_recursion() {
    let mut b = Builder::new(&[]);
    for _ in 0..100_000 {
        b.start("a", &[]);
    }
    for _ in 0..100_000 {
        b.end("a");
    }
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert_eq!(doc.elements.len(), 256);
    assert!(codes(&doc.anomalies).contains(&"axml.depth_limit"));
    let text = to_xml_text(&doc, None);
    assert_eq!(text.matches("<a").count(), 256);
    drop(doc);
}

#[test]
fn unclosed_elements_are_recorded() {
    let mut b = Builder::new(&[]);
    b.start("manifest", &[]).start("application", &[]);
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert!(codes(&doc.anomalies).contains(&"axml.element_unclosed"));
    assert_eq!(doc.elements.len(), 2);
}

#[test]
fn attribute_size_and_start_are_honoured() {
    let mut b = manifest_builder("versionCode");
    b.nodes.clear();
    b.attribute_size = 28;
    b.attribute_start = 24;
    b.node_header_padding = 8;
    b.start_ns("android", ANDROID);
    b.start(
        "manifest",
        &[
            ("versionCode", V::Int(7)),
            ("versionName", V::Str("1.0")),
            ("package", V::Str("com.t")),
        ],
    );
    b.start(
        "uses-permission",
        &[("name", V::Str("android.permission.CAMERA"))],
    )
    .end("uses-permission");
    b.start("application", &[("label", V::Str("T"))]);
    b.start(
        "activity",
        &[("name", V::Str(".A")), ("exported", V::Bool(true))],
    )
    .end("activity");
    b.end("application")
        .end("manifest")
        .end_ns("android", ANDROID);
    let m = assert_standard(&b.build());
    assert!(codes(&m.anomalies).contains(&"axml.attribute_size"));
    assert!(codes(&m.anomalies).contains(&"axml.attribute_start"));
}

#[test]
fn attribute_count_past_the_chunk_is_clamped() {
    let b = manifest_builder("versionCode");
    let mut bytes = b.build();
    // attributeCount of the <manifest> start element: node at nodes_offset + 24, ext at +16.
    let count_at = b.nodes_offset() + 24 + 16 + 12;
    bytes[count_at..count_at + 2].copy_from_slice(&0xffffu16.to_le_bytes());
    let doc = parse_xml(&bytes, "m").unwrap();
    assert!(codes(&doc.anomalies).contains(&"axml.attributes_clamped"));
    assert_eq!(doc.root().unwrap().attributes.len(), 3);
}

#[test]
fn zero_attribute_size_with_huge_counts_hits_the_limit() {
    let mut b = Builder::new(&[("name", NAME)]);
    b.attribute_size = 0;
    let attrs: Vec<(bool, u32, V)> = vec![(true, 0, V::Int(1))];
    let started = std::time::Instant::now();
    for _ in 0..200 {
        b.start_raw("x", &attrs);
        // Patch the count of the element just written to 65535.
        let at = b.nodes.len() - 20 - 20 + 12;
        b.nodes[at..at + 2].copy_from_slice(&0xffffu16.to_le_bytes());
        b.end("x");
    }
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert!(started.elapsed().as_secs() < 10);
    assert!(
        codes(&doc.anomalies).contains(&"axml.limit_reached"),
        "{:?}",
        doc.anomalies
    );
}

#[test]
fn cdata_is_attached_to_its_element() {
    let mut b = Builder::new(&[]);
    b.start("root", &[]).cdata("hello").end("root");
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert_eq!(
        doc.root()
            .unwrap()
            .text
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>(),
        vec!["hello"]
    );
    assert!(
        to_xml_text(&doc, None).contains(">hello<") || to_xml_text(&doc, None).contains("hello")
    );
}

#[test]
fn string_pool_after_the_first_node_is_ignored() {
    let b = manifest_builder("versionCode");
    let mut bytes = b.build();
    let mut decoy = Builder::new(&[]);
    decoy.s("evil");
    let pool = decoy.pool();
    let at = b.nodes_offset() + 24;
    bytes.splice(at..at, pool);
    let size = bytes.len() as u32;
    set_u32(&mut bytes, 4, size);
    let m = assert_standard(&bytes);
    assert!(codes(&m.anomalies).contains(&"axml.unknown_chunk"));
}

#[test]
fn too_short_or_elementless_input_is_an_error() {
    assert!(parse_xml(&[], "m").is_err());
    assert!(parse_xml(&[3, 0, 8, 0], "m").is_err());
    assert!(parse_xml(&[3, 0, 8, 0, 8, 0, 0, 0], "m").is_err());
}

#[test]
fn android_attribute_without_resource_id_is_recorded() {
    // "name" is not pre-registered, so it gets no resource id but is still namespaced.
    let mut b = Builder::new(&[]);
    b.start_ns("android", ANDROID);
    b.start("manifest", &[("package", V::Str("com.t"))]);
    let name = b.s("name");
    b.start_raw("uses-permission", &[(true, name, V::Str("p.NoId"))])
        .end("uses-permission");
    b.end("manifest").end_ns("android", ANDROID);
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert!(codes(&doc.anomalies).contains(&"axml.android_attribute_without_id"));
    // Still read by name, as name-based lookups would.
    assert_eq!(
        Manifest::from_document(&doc, None).permission_names(),
        vec!["p.NoId"]
    );
}

#[test]
fn namespaced_package_decoy_is_not_the_package() {
    let mut b = Builder::new(&[]);
    b.start_ns("android", ANDROID);
    let package = b.s("package");
    b.start_raw(
        "manifest",
        &[
            (true, package, V::Str("com.decoy")),
            (false, package, V::Str("com.real")),
        ],
    );
    b.end("manifest").end_ns("android", ANDROID);
    let doc = parse_xml(&b.build(), "m").unwrap();
    assert_eq!(
        Manifest::from_document(&doc, None).package.as_deref(),
        Some("com.real")
    );
}
