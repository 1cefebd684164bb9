//! Step 2 of the pipeline: the base manifest, decoded with the resource table that resolves its
//! references.

use serde::Serialize;

use super::ScanError;
use super::open::{MANIFEST, OpenedInput};
use crate::anomaly::{self, Anomaly};
use crate::axml::{self, Manifest, ResourceTable, XmlDocument};
use crate::container::InputKind;

const RESOURCES: &str = "resources.arsc";

/// A decoded manifest with what it was decoded from.
#[derive(Debug)]
pub struct DecodedManifest {
    /// The member it came from: `None` for a lone APK, `splits/base-master.apk` in a split set.
    pub member: Option<String>,
    pub document: XmlDocument,
    pub resources: Option<ResourceTable>,
    pub manifest: Manifest,
    /// Anomalies of the resource table (the manifest's own are inside `manifest`).
    pub resource_anomalies: Vec<Anomaly>,
}

/// The typed manifest with what the container noticed: the JSON of `dossier manifest --format
/// json` and of the Python `manifest()`.
#[derive(Debug, Serialize)]
pub struct ManifestView {
    #[serde(flatten)]
    pub manifest: Manifest,
    pub input_kind: InputKind,
    /// For split sets: each member and its `split` name (the base has none).
    pub splits: Vec<super::SplitInfo>,
    /// APK files found inside the APK (listed, not analysed).
    pub nested_apks: Vec<String>,
}

impl DecodedManifest {
    /// The typed manifest, its anomalies completed with those of the input and resource table.
    pub fn into_view(self, input: &OpenedInput) -> ManifestView {
        let anomalies = self.anomalies(input);
        let mut manifest = self.manifest;
        manifest.anomalies = anomalies;
        ManifestView {
            manifest,
            input_kind: input.kind(),
            splits: input.splits().to_vec(),
            nested_apks: input.nested_apks().to_vec(),
        }
    }

    /// The decoded XML as readable text, references resolved where the table allows.
    pub fn to_xml(&self) -> String {
        axml::to_xml_text(&self.document, self.resources.as_ref())
    }

    /// Everything noticed about the input and its manifest, sorted: container, resource table,
    /// manifest.
    pub fn anomalies(&self, input: &OpenedInput) -> Vec<Anomaly> {
        let mut all = input.anomalies();
        all.extend(self.resource_anomalies.iter().cloned());
        all.extend(self.manifest.anomalies.iter().cloned());
        anomaly::normalize(&mut all);
        all
    }
}

fn kind_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Apk => "an APK",
        InputKind::SplitSet => "a split set",
        InputKind::Dex => "a bare DEX file",
        InputKind::Jar => "a JAR/ZIP of DEX files",
    }
}

pub(super) fn decode(input: &OpenedInput) -> Result<DecodedManifest, ScanError> {
    let loaded = &input.loaded;
    let Some(bytes) = loaded.base_entry(MANIFEST)? else {
        return Err(ScanError::NoManifest {
            label: loaded.label.clone(),
            kind: kind_name(loaded.kind),
        });
    };
    let member = input.member_name(loaded.base).map(str::to_owned);
    let location = match &member {
        Some(member) => format!("{member}!{MANIFEST}"),
        None => MANIFEST.to_owned(),
    };
    let document = axml::parse_xml(&bytes, &location).map_err(|source| ScanError::Manifest {
        label: loaded.label.clone(),
        source,
    })?;
    let mut resource_anomalies = Vec::new();
    let resources = match loaded.base_entry(RESOURCES) {
        Ok(Some(table)) => match ResourceTable::parse(&table, RESOURCES) {
            Ok(table) => {
                resource_anomalies.extend(table.anomalies.iter().cloned());
                Some(table)
            }
            Err(err) => {
                resource_anomalies.push(Anomaly::new(
                    "arsc.unreadable",
                    RESOURCES,
                    err.to_string(),
                ));
                None
            }
        },
        Ok(None) => None,
        Err(err) => {
            // The manifest is still worth reading when its resource table is a zip bomb or damaged.
            resource_anomalies.push(Anomaly::new("arsc.unreadable", RESOURCES, err.to_string()));
            None
        }
    };
    let manifest = Manifest::from_document(&document, resources.as_ref());
    Ok(DecodedManifest {
        member,
        document,
        resources,
        manifest,
        resource_anomalies,
    })
}
