//! Binary XML reader (AXML), modelled on Android's `ResXMLTree::setTo` and
//! `ResXMLParser::nextNode` (`frameworks/base/libs/androidfw/ResourceTypes.cpp`).
//!
//! The reader walks the chunks once, front to back, and builds a flat arena of elements (parents
//! and children are indexes, so neither building nor dropping a deep tree recurses). Wherever
//! Android tolerates something, so does this reader, and it records an anomaly; where Android
//! would refuse the file but a reading can still go on safely (a chunk size past the end of the
//! file, too many attributes for the chunk), the reader clamps and records that instead.

use std::sync::Arc;

use crate::anomaly::Anomaly;

use super::AxmlError;
use super::android_attrs::ANDROID_ATTRS;
use super::limits::{MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, Recorder};
use super::raw::{self, ChunkHeader, RawValue, read_u16, read_u32};
use super::string_pool::{DEFAULT_STRING_BUDGET, StringPool, string_budget_for};
use super::value::Value;

/// The `android:` namespace URI.
pub const ANDROID_NAMESPACE: &str = "http://schemas.android.com/apk/res/android";

/// The framework's name for an `android:attr` resource id, from the generated table.
pub fn android_attr_name(resource_id: u32) -> Option<&'static str> {
    ANDROID_ATTRS
        .binary_search_by_key(&resource_id, |(id, _)| *id)
        .ok()
        .map(|index| ANDROID_ATTRS[index].1)
}

/// A namespace declaration (`RES_XML_START_NAMESPACE_TYPE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub prefix: Option<Arc<str>>,
    pub uri: Option<Arc<str>>,
}

/// One attribute of a start element.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Namespace URI string, as referenced by the attribute (not checked against declarations).
    pub namespace: Option<Arc<str>>,
    /// The name string as stored; may be empty or renamed in tampered files.
    pub raw_name: Option<Arc<str>>,
    /// The resource id the resource map gives for this name, when it gives one.
    pub resource_id: Option<u32>,
    /// The name Android effectively sees: the framework name for a known `android:attr` id
    /// (Android matches manifest attributes by id), otherwise the stored name.
    pub name: Arc<str>,
    /// The raw value string (`rawValue`), kept by aapt for string attributes.
    pub raw_value: Option<Arc<str>>,
    /// The typed value.
    pub value: Value,
    /// The typed value as stored (`Res_value` type and data), for faithful dumps.
    pub typed: RawValue,
}

impl Attribute {
    /// Whether this is the framework attribute `android:<name>`: by resource id when it has a
    /// framework id, by stored name otherwise (the only way left to Android's name lookups).
    pub fn is_android(&self, name: &str) -> bool {
        match self.resource_id.and_then(android_attr_name) {
            Some(framework_name) => framework_name == name,
            None => self.raw_name.as_deref() == Some(name),
        }
    }

    /// The value, preferring the typed string, then the raw string.
    pub fn text(&self) -> Option<Arc<str>> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            _ => self.raw_value.clone(),
        }
    }
}

/// One element. Children and parent are indexes into [`XmlDocument::elements`].
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub namespace: Option<Arc<str>>,
    pub name: Arc<str>,
    pub line: u32,
    /// Byte offset of the start-element chunk, for anomaly locations.
    pub offset: usize,
    pub attributes: Vec<Attribute>,
    /// Namespaces declared immediately before this element.
    pub namespace_declarations: Vec<Namespace>,
    /// Character data directly inside this element.
    pub text: Vec<Arc<str>>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub depth: usize,
}

impl Element {
    /// The framework attribute `android:<name>` (see [`Attribute::is_android`]).
    pub fn android_attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.is_android(name))
    }

    /// An attribute without namespace matched by stored name (`package`, `split`,
    /// `platformBuildVersionCode`): `getAttributeValue(null, name)` in ResXMLParser's
    /// `indexOfAttribute` only matches attributes that have no namespace.
    pub fn plain_attr(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.raw_name.as_deref() == Some(name))
    }
}

/// A decoded binary XML document.
#[derive(Debug, Clone)]
pub struct XmlDocument {
    pub location: String,
    pub strings: StringPool,
    pub resource_map: Vec<u32>,
    /// All elements in document order; `elements[roots[0]]` is the root element.
    pub elements: Vec<Element>,
    /// Top-level elements (normally exactly one).
    pub roots: Vec<usize>,
    /// Every namespace declaration in document order.
    pub namespaces: Vec<Namespace>,
    /// What had to be tolerated, sorted.
    pub anomalies: Vec<Anomaly>,
}

impl XmlDocument {
    /// The root element, when there is one.
    pub fn root(&self) -> Option<&Element> {
        self.roots.first().map(|&index| &self.elements[index])
    }

    /// The children of `element`.
    pub fn children<'a>(&'a self, element: &'a Element) -> impl Iterator<Item = &'a Element> + 'a {
        element
            .children
            .iter()
            .map(move |&index| &self.elements[index])
    }

    /// The prefix declared for a namespace URI, if any.
    pub fn prefix_of(&self, uri: &str) -> Option<&Arc<str>> {
        self.namespaces
            .iter()
            .find(|ns| ns.uri.as_deref() == Some(uri))
            .and_then(|ns| ns.prefix.as_ref())
    }
}

/// Parses binary XML. Fails only when no element at all can be read; everything else that is
/// odd becomes an anomaly inside the document.
pub fn parse_xml(bytes: &[u8], location: &str) -> Result<XmlDocument, AxmlError> {
    let mut budget = DEFAULT_STRING_BUDGET;
    parse_xml_within(bytes, location, &mut budget)
}

/// [`parse_xml`] with the bytes its string pools may decode taken from `string_budget` (at most
/// [`string_budget_for`] the file's size), so that a caller reading many files bounds the work
/// and memory of all of them together.
pub fn parse_xml_within(
    bytes: &[u8],
    location: &str,
    string_budget: &mut usize,
) -> Result<XmlDocument, AxmlError> {
    let budget = (*string_budget).min(string_budget_for(bytes.len()));
    let mut reader = Reader {
        location,
        rec: Recorder::default(),
        strings: StringPool::default(),
        resource_map: Vec::new(),
        elements: Vec::new(),
        roots: Vec::new(),
        namespaces: Vec::new(),
        pending_namespaces: Vec::new(),
        namespace_stack: Vec::new(),
        open: Vec::new(),
        skipped_deep: 0,
        attribute_total: 0,
        budget,
        android_stop: None,
    };
    let result = reader.run(bytes);
    *string_budget -= budget - reader.budget;
    result?;
    if reader.elements.is_empty() {
        return Err(AxmlError::NoElement);
    }
    Ok(XmlDocument {
        location: location.to_owned(),
        strings: reader.strings,
        resource_map: reader.resource_map,
        elements: reader.elements,
        roots: reader.roots,
        namespaces: reader.namespaces,
        anomalies: reader.rec.finish(location),
    })
}

struct Reader<'a> {
    location: &'a str,
    rec: Recorder,
    strings: StringPool,
    resource_map: Vec<u32>,
    elements: Vec<Element>,
    roots: Vec<usize>,
    namespaces: Vec<Namespace>,
    pending_namespaces: Vec<Namespace>,
    namespace_stack: Vec<Namespace>,
    /// Open elements; `None` marks one skipped for depth.
    open: Vec<Option<usize>>,
    skipped_deep: usize,
    attribute_total: usize,
    budget: usize,
    /// The first place where Android's reader would have refused the document or stopped
    /// reading it, and why; reported once as `axml.android_would_reject`.
    android_stop: Option<(usize, String)>,
}

/// Why the chunk walk stopped early.
enum Stop {
    Limit,
}

impl Reader<'_> {
    fn at(&self, offset: usize) -> String {
        format!("{}@0x{offset:x}", self.location)
    }

    /// Notes that Android (ResXMLTree::setTo / validateNode / nextNode) would refuse or stop
    /// here, while this reader goes on; only the first such place is kept.
    fn android_stops(&mut self, offset: usize, reason: &str) {
        if self.android_stop.is_none() {
            self.android_stop = Some((offset, reason.to_owned()));
        }
    }

    fn string(&self, index: u32) -> Option<Arc<str>> {
        if index == raw::NO_STRING {
            return None;
        }
        self.strings.get(index).cloned()
    }

    fn run(&mut self, bytes: &[u8]) -> Result<(), AxmlError> {
        let Some(file) = ChunkHeader::read(bytes, 0) else {
            return Err(AxmlError::TooShort(bytes.len()));
        };
        // ResXMLTree::setTo does not look at the first chunk's type: a file whose magic is not
        // RES_XML_TYPE still installs, so only record it.
        if file.chunk_type != raw::RES_XML_TYPE {
            self.rec.record(
                "axml.wrong_file_type",
                self.at(0),
                format!("first chunk type is 0x{:04x}, not RES_XML_TYPE (0x0003); Android does not check it", file.chunk_type),
            );
        }
        let mut end = file.size as usize;
        if end > bytes.len() {
            self.rec.record(
                "axml.chunk_size_clamped",
                self.at(0),
                format!("document size {end} exceeds the {} bytes present (Android refuses this); clamped", bytes.len()),
            );
            self.android_stops(0, "the document size exceeds the data");
            end = bytes.len();
        } else if end < bytes.len() {
            self.rec.record(
                "axml.trailing_data",
                self.at(end),
                format!(
                    "{} bytes after the document's declared end are ignored, as Android does",
                    bytes.len() - end
                ),
            );
        }
        let mut pos = usize::from(file.header_size);
        if pos < raw::CHUNK_HEADER_SIZE || pos > end {
            self.rec.record(
                "axml.chunk_header_invalid",
                self.at(0),
                format!("document header size {pos} is impossible for size {end} (Android refuses this); using 8"),
            );
            self.android_stops(0, "the document header size is impossible");
            pos = raw::CHUNK_HEADER_SIZE;
            if end < pos {
                end = bytes.len();
            }
        }
        let data = &bytes[..end];
        let mut seen_node = false;
        while pos < end {
            let Some(header) = ChunkHeader::read(data, pos) else {
                self.rec.record(
                    "axml.trailing_data",
                    self.at(pos),
                    format!(
                        "{} bytes too short for a chunk header are ignored",
                        end - pos
                    ),
                );
                break;
            };
            let header_size = usize::from(header.header_size);
            let mut size = header.size as usize;
            // validate_chunk: a chunk needs a full header and a size covering it. Anything less
            // cannot be stepped over (a zero size would loop forever), so the walk ends here.
            if header_size < raw::CHUNK_HEADER_SIZE || size < header_size {
                self.rec.record(
                    "axml.chunk_header_invalid",
                    self.at(pos),
                    format!(
                        "chunk type 0x{:04x} has header size {header_size} and size {size}; reading stops (Android stops too)",
                        header.chunk_type
                    ),
                );
                self.android_stops(pos, "a chunk size is smaller than its header");
                break;
            }
            if size > end - pos {
                self.rec.record(
                    "axml.chunk_size_clamped",
                    self.at(pos),
                    format!(
                        "chunk type 0x{:04x} size {size} runs past the end ({} bytes left; Android stops here); clamped",
                        header.chunk_type,
                        end - pos
                    ),
                );
                self.android_stops(pos, "a chunk runs past the end of the document");
                size = end - pos;
            }
            if (header_size | size) & 3 != 0 {
                self.rec.record(
                    "axml.chunk_misaligned",
                    self.at(pos),
                    format!("chunk type 0x{:04x} header size {header_size} or size {size} is not a multiple of 4", header.chunk_type),
                );
                self.android_stops(pos, "a chunk size is not a multiple of 4 (validate_chunk)");
            }
            let chunk = &data[pos..pos + size];
            match header.chunk_type {
                raw::RES_STRING_POOL_TYPE if !seen_node => {
                    // ResXMLTree::setTo takes every pool before the first node; the last one wins.
                    if !self.strings.is_empty() {
                        self.rec.record(
                            "axml.duplicate_string_pool",
                            self.at(pos),
                            "a second string pool replaces the first, as in ResXMLTree::setTo",
                        );
                    }
                    let mut anomalies = Vec::new();
                    let location = self.at(pos);
                    self.strings = StringPool::parse(
                        chunk,
                        "axml",
                        &location,
                        &mut anomalies,
                        &mut self.budget,
                    );
                    self.rec.extend(anomalies);
                }
                raw::RES_XML_RESOURCE_MAP_TYPE if !seen_node => {
                    if !self.resource_map.is_empty() {
                        self.rec.record(
                            "axml.duplicate_resource_map",
                            self.at(pos),
                            "a second resource map replaces the first, as in ResXMLTree::setTo",
                        );
                    }
                    let body = &chunk[header_size.min(chunk.len())..];
                    self.resource_map = body
                        .chunks_exact(4)
                        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                        .collect();
                }
                raw::RES_XML_START_NAMESPACE_TYPE..=raw::RES_XML_LAST_CHUNK_TYPE => {
                    seen_node = true;
                    if let Err(Stop::Limit) = self.node(header, chunk, pos) {
                        break;
                    }
                }
                other => {
                    // ResXMLTree::setTo and ResXMLParser::nextNode skip chunks they do not know,
                    // including pools and resource maps after the first node; but after the
                    // first node, validateNode first demands a 16-byte node header.
                    if seen_node && header_size < raw::XML_NODE_HEADER_SIZE {
                        self.android_stops(
                            pos,
                            "a chunk after the first node has a header shorter than a node header",
                        );
                    }
                    self.rec.record(
                        "axml.unknown_chunk",
                        self.at(pos),
                        format!(
                            "chunk type 0x{other:04x} of {size} bytes skipped, as Android skips it"
                        ),
                    );
                }
            }
            pos += size;
        }
        if !self.open.is_empty() {
            self.rec.record(
                "axml.element_unclosed",
                self.at(end),
                format!(
                    "{} elements still open at the end of the document",
                    self.open.len()
                ),
            );
        }
        if self.skipped_deep > 0 {
            self.rec.record(
                "axml.depth_limit",
                self.location,
                format!(
                    "{} elements nested deeper than {MAX_DEPTH} were skipped",
                    self.skipped_deep
                ),
            );
        }
        if let Some((offset, reason)) = self.android_stop.take() {
            self.rec.record(
                "axml.android_would_reject",
                self.at(offset),
                format!("Android's ResXMLTree stops or refuses the document here ({reason}); dossier read on"),
            );
        }
        if self.roots.len() > 1 {
            self.rec.record(
                "axml.multiple_roots",
                self.location,
                format!(
                    "{} top-level elements; Android's parsers read only the first",
                    self.roots.len()
                ),
            );
        }
        Ok(())
    }

    /// Handles one node chunk (`RES_XML_FIRST_CHUNK_TYPE..=RES_XML_LAST_CHUNK_TYPE`).
    fn node(&mut self, header: ChunkHeader, chunk: &[u8], pos: usize) -> Result<(), Stop> {
        let header_size = usize::from(header.header_size);
        if header_size < raw::XML_NODE_HEADER_SIZE {
            self.rec.record(
                "axml.node_header_small",
                self.at(pos),
                format!("node header size {header_size} is below 16 (Android refuses this); line number unknown"),
            );
            self.android_stops(pos, "a node header is shorter than 16 bytes");
        }
        let line = if header_size >= raw::XML_NODE_HEADER_SIZE {
            read_u32(chunk, 8).unwrap_or(0)
        } else {
            0
        };
        let ext_min = match header.chunk_type {
            raw::RES_XML_START_NAMESPACE_TYPE | raw::RES_XML_END_NAMESPACE_TYPE => {
                raw::XML_NAMESPACE_EXT_SIZE
            }
            raw::RES_XML_START_ELEMENT_TYPE => raw::XML_ATTR_EXT_SIZE,
            raw::RES_XML_END_ELEMENT_TYPE => raw::XML_END_ELEMENT_EXT_SIZE,
            raw::RES_XML_CDATA_TYPE => raw::XML_CDATA_EXT_SIZE,
            other => {
                // ResXMLParser::nextNode: "Unknown XML block", skipped.
                self.rec.record(
                    "axml.unknown_chunk",
                    self.at(pos),
                    format!(
                        "node chunk type 0x{other:04x} skipped, as ResXMLParser::nextNode skips it"
                    ),
                );
                return Ok(());
            }
        };
        let ext = &chunk[header_size.min(chunk.len())..];
        if ext.len() < ext_min {
            self.rec.record(
                "axml.node_truncated",
                self.at(pos),
                format!(
                    "node type 0x{:04x} has {} bytes after its header, needs {ext_min} (Android ends the document); skipped",
                    header.chunk_type,
                    ext.len()
                ),
            );
            self.android_stops(pos, "a node is too small for its type");
            return Ok(());
        }
        let first = read_u32(ext, 0).unwrap_or(raw::NO_STRING);
        let second = read_u32(ext, 4).unwrap_or(raw::NO_STRING);
        match header.chunk_type {
            raw::RES_XML_START_NAMESPACE_TYPE => {
                let namespace = Namespace {
                    prefix: self.string(first),
                    uri: self.string(second),
                };
                self.namespaces.push(namespace.clone());
                self.pending_namespaces.push(namespace.clone());
                self.namespace_stack.push(namespace);
            }
            raw::RES_XML_END_NAMESPACE_TYPE => {
                let ending = Namespace {
                    prefix: self.string(first),
                    uri: self.string(second),
                };
                match self.namespace_stack.pop() {
                    Some(open) if open == ending => {}
                    Some(_) | None => self.rec.record(
                        "axml.namespace_mismatch",
                        self.at(pos),
                        format!(
                            "end of namespace {:?} does not match the innermost open declaration; Android ignores namespace nesting",
                            ending.prefix.as_deref().unwrap_or("")
                        ),
                    ),
                }
            }
            raw::RES_XML_START_ELEMENT_TYPE => {
                return self.start_element(ext, pos, line, first, second);
            }
            raw::RES_XML_END_ELEMENT_TYPE => self.end_element(pos, first, second),
            _ => {
                // CDATA: text attaches to the innermost open element.
                let text = self.string(first);
                match (self.open.last(), text) {
                    (Some(Some(index)), Some(text)) => self.elements[*index].text.push(text),
                    (None, _) => self.rec.record(
                        "axml.cdata_outside_element",
                        self.at(pos),
                        "character data outside any element ignored",
                    ),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn start_element(
        &mut self,
        ext: &[u8],
        pos: usize,
        line: u32,
        ns: u32,
        name: u32,
    ) -> Result<(), Stop> {
        if self.open.len() >= MAX_DEPTH {
            self.skipped_deep += 1;
            self.open.push(None);
            return Ok(());
        }
        if self.elements.len() >= MAX_ELEMENTS {
            self.rec.record(
                "axml.limit_reached",
                self.at(pos),
                format!("more than {MAX_ELEMENTS} elements; reading stops"),
            );
            return Err(Stop::Limit);
        }
        let attribute_start = usize::from(read_u16(ext, 8).unwrap_or(0));
        let attribute_size = usize::from(read_u16(ext, 10).unwrap_or(0));
        let declared = usize::from(read_u16(ext, 12).unwrap_or(0));
        // ResXMLTree::validateNode requires attributeStart + attributeSize * attributeCount to fit
        // the chunk; this reader keeps the attributes that fit and records the rest.
        let mut count = declared;
        let fits = |n: usize| {
            attribute_start + attribute_size * n.saturating_sub(1) + raw::XML_ATTRIBUTE_SIZE
                <= ext.len()
        };
        if count > 0 && !fits(count) {
            let mut kept = 0;
            if attribute_size == 0 {
                kept = if fits(1) { count } else { 0 };
            } else if attribute_start + raw::XML_ATTRIBUTE_SIZE <= ext.len() {
                kept = (ext.len() - attribute_start - raw::XML_ATTRIBUTE_SIZE) / attribute_size + 1;
            }
            self.rec.record(
                "axml.attributes_clamped",
                self.at(pos),
                format!("element declares {declared} attributes of {attribute_size} bytes from {attribute_start}; only {kept} fit the chunk (Android refuses this)"),
            );
            count = kept.min(declared);
            self.android_stops(
                pos,
                "an element's attributes run past its chunk (validateNode)",
            );
        }
        if attribute_size != raw::XML_ATTRIBUTE_SIZE && count > 0 {
            self.rec.record(
                "axml.attribute_size",
                self.at(pos),
                format!("attribute size is {attribute_size}, not 20; honoured as Android's ResXMLParser::getAttribute does"),
            );
        }
        if attribute_start != raw::XML_ATTR_EXT_SIZE && count > 0 {
            self.rec.record(
                "axml.attribute_start",
                self.at(pos),
                format!("attributes start at {attribute_start}, not 20; honoured as Android does"),
            );
        }
        if self.attribute_total + count > MAX_ATTRIBUTES {
            self.rec.record(
                "axml.limit_reached",
                self.at(pos),
                format!("more than {MAX_ATTRIBUTES} attributes; reading stops"),
            );
            return Err(Stop::Limit);
        }
        self.attribute_total += count;
        let mut attributes = Vec::with_capacity(count);
        for i in 0..count {
            let at = attribute_start + attribute_size * i;
            let (Some(a_ns), Some(a_name), Some(a_raw), Some(typed)) = (
                read_u32(ext, at),
                read_u32(ext, at + 4),
                read_u32(ext, at + 8),
                RawValue::read(ext, at + 12),
            ) else {
                break;
            };
            attributes.push(self.attribute(pos, a_ns, a_name, a_raw, typed));
        }
        let name_text = self.string(name).unwrap_or_else(|| {
            self.rec.record(
                "axml.element_name_missing",
                self.at(pos),
                format!("element name string #{name} is unreadable; read as empty"),
            );
            Arc::from("")
        });
        let parent = self.open.last().copied().flatten();
        let index = self.elements.len();
        self.elements.push(Element {
            namespace: self.string(ns),
            name: name_text,
            line,
            offset: pos,
            attributes,
            namespace_declarations: std::mem::take(&mut self.pending_namespaces),
            text: Vec::new(),
            parent,
            children: Vec::new(),
            depth: self.open.len(),
        });
        // Elements under a depth-skipped one are skipped too, so no parent means top level.
        match parent {
            Some(parent) => self.elements[parent].children.push(index),
            None => self.roots.push(index),
        }
        self.open.push(Some(index));
        Ok(())
    }

    fn attribute(
        &mut self,
        pos: usize,
        ns: u32,
        name: u32,
        raw_value: u32,
        typed: RawValue,
    ) -> Attribute {
        let raw_name = self.string(name);
        let resource_id = self
            .resource_map
            .get(name as usize)
            .copied()
            .filter(|&id| id != 0);
        let framework = resource_id.and_then(android_attr_name);
        let effective: Arc<str> = match (framework, &raw_name) {
            (Some(framework), Some(stored)) if &**stored == framework => stored.clone(),
            (Some(framework), stored) => {
                self.rec.record(
                    "axml.attribute_name_mismatch",
                    self.at(pos),
                    format!(
                        "attribute stored as {:?} has resource id 0x{:08x}, which is android:{framework}; Android matches by id, so it is {framework}",
                        stored.as_deref().unwrap_or(""),
                        resource_id.unwrap_or(0)
                    ),
                );
                Arc::from(framework)
            }
            (None, Some(stored)) => stored.clone(),
            (None, None) => {
                self.rec.record(
                    "axml.attribute_name_missing",
                    self.at(pos),
                    format!(
                        "attribute name string #{name} is unreadable and has no known resource id"
                    ),
                );
                Arc::from("")
            }
        };
        let namespace = self.string(ns);
        if resource_id.is_none() && namespace.as_deref() == Some(ANDROID_NAMESPACE) {
            self.rec.record(
                "axml.android_attribute_without_id",
                self.at(pos),
                format!(
                    "android:{effective} has no resource id; Android's TypedArray lookups (by id) will not see it, name lookups will"
                ),
            );
        }
        let strings = &self.strings;
        let value = Value::decode(typed, |index| strings.get(index).cloned());
        if let Value::Raw {
            data_type: raw::TYPE_STRING,
            data,
        } = value
        {
            self.rec.record(
                "axml.value_string_missing",
                self.at(pos),
                format!("attribute {effective} refers to unreadable string #{data}"),
            );
        }
        Attribute {
            namespace,
            raw_name,
            resource_id,
            name: effective,
            raw_value: self.string(raw_value),
            value,
            typed,
        }
    }

    fn end_element(&mut self, pos: usize, ns: u32, name: u32) {
        match self.open.pop() {
            None => self.rec.record(
                "axml.end_without_start",
                self.at(pos),
                "end of element with no element open; ignored",
            ),
            Some(None) => {}
            Some(Some(index)) => {
                let element = &self.elements[index];
                let name_text = self.string(name);
                if name_text.as_deref() != Some(&*element.name)
                    || self.string(ns) != element.namespace
                {
                    // Android's pull parser tracks depth only, so a wrong name still closes the
                    // innermost element.
                    let detail = format!(
                        "end of <{}> closes <{}>; Android pairs ends by depth, not by name",
                        name_text.as_deref().unwrap_or(""),
                        element.name
                    );
                    self.rec
                        .record("axml.end_element_mismatch", self.at(pos), detail);
                }
            }
        }
    }
}
