//! The app as the later stages see it: the loaded input with its base APK settled and its manifest
//! decoded (binary XML plus the resource table that resolves its references).
//!
//! This is where the container and the manifest decoder meet. A split set names its base by
//! convention only (`base.apk`, `base-master.apk`, `<package>.apk` in an XAPK), so the base is
//! confirmed here the way Android does it: the member whose manifest has no `split` attribute.

use std::path::Path;

use serde::Serialize;

use crate::anomaly::{self, Anomaly};
use crate::axml::{self, Manifest, ResourceTable, XmlDocument};
use crate::container::{ContainerError, InputKind, Limits, LoadedInput};

const MANIFEST: &str = "AndroidManifest.xml";
const RESOURCES: &str = "resources.arsc";

/// Why an input could not be read far enough to be worth reporting on.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error("{label}: no AndroidManifest.xml ({kind})")]
    NoManifest { label: String, kind: &'static str },
    #[error("{label}: AndroidManifest.xml is not readable binary XML: {source}")]
    Manifest {
        label: String,
        #[source]
        source: axml::AxmlError,
    },
}

/// A decoded manifest with what it was decoded from.
#[derive(Debug)]
pub struct DecodedManifest {
    /// The member it came from: `""` for a lone APK, `splits/base-master.apk` in a split set.
    pub member: String,
    pub document: XmlDocument,
    pub resources: Option<ResourceTable>,
    pub manifest: Manifest,
    /// Anomalies of the resource table (the manifest's own are inside `manifest`).
    pub resource_anomalies: Vec<Anomaly>,
}

/// One member of a split set as the manifest tells it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SplitInfo {
    pub member: String,
    /// The manifest's `split` attribute; None for the base.
    pub split: Option<String>,
}

/// Reads an input file with the container's caps.
pub fn open(path: &Path, limits: &Limits) -> Result<LoadedInput, AppError> {
    Ok(LoadedInput::open(path, limits)?)
}

fn kind_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Apk => "an APK",
        InputKind::SplitSet => "a split set",
        InputKind::Dex => "a bare DEX file",
        InputKind::Jar => "a JAR/ZIP of DEX files",
    }
}

/// The `split` attribute of each member's manifest, for split sets; empty for other inputs.
/// Settles `input.base` on the member without a `split` attribute (the container's guess goes by
/// file names only, and XAPKs name the base after the package).
pub fn settle_base(input: &mut LoadedInput) -> Vec<SplitInfo> {
    if input.kind != InputKind::SplitSet {
        return Vec::new();
    }
    let mut splits = Vec::new();
    for member in &input.archives {
        let Some(entry) = member.archive.find(MANIFEST) else {
            continue;
        };
        let Ok(bytes) = member.archive.read(entry) else {
            continue;
        };
        let Ok(document) = axml::parse_xml(&bytes, &format!("{}!{MANIFEST}", member.name)) else {
            continue;
        };
        let split = document
            .root()
            .and_then(|root| root.plain_attr("split"))
            .and_then(|attr| attr.text())
            .map(|text| text.to_string())
            .filter(|text| !text.is_empty());
        splits.push(SplitInfo {
            member: member.name.clone(),
            split,
        });
    }
    let bases: Vec<usize> = splits
        .iter()
        .filter(|info| info.split.is_none())
        .filter_map(|info| input.archives.iter().position(|m| m.name == info.member))
        .collect();
    let guessed = input.base;
    match bases.as_slice() {
        [] => input.anomalies.push(Anomaly::new(
            "split.no_base",
            &input.label,
            "every member's manifest has a split attribute: there is no base APK; dossier uses the member named like one",
        )),
        [only] => input.base = Some(*only),
        several => {
            if !guessed.is_some_and(|g| several.contains(&g)) {
                input.base = Some(several[0]);
            }
            input.anomalies.push(Anomaly::new(
                "split.several_bases",
                &input.label,
                format!("{} members have no split attribute; Android installs one base per package", several.len()),
            ));
        }
    }
    anomaly::normalize(&mut input.anomalies);
    splits.sort_by(|a, b| (a.split.is_some(), &a.member).cmp(&(b.split.is_some(), &b.member)));
    splits
}

/// Decodes the base manifest and the resource table that resolves its references.
pub fn decode_manifest(input: &LoadedInput) -> Result<DecodedManifest, AppError> {
    let Some(bytes) = input.base_entry(MANIFEST)? else {
        return Err(AppError::NoManifest {
            label: input.label.clone(),
            kind: kind_name(input.kind),
        });
    };
    let member = input
        .base
        .map(|b| input.archives[b].name.clone())
        .unwrap_or_default();
    let location = if member.is_empty() {
        MANIFEST.to_owned()
    } else {
        format!("{member}!{MANIFEST}")
    };
    let document = axml::parse_xml(&bytes, &location).map_err(|source| AppError::Manifest {
        label: input.label.clone(),
        source,
    })?;
    let mut resource_anomalies = Vec::new();
    let resources = match input.base_entry(RESOURCES) {
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

/// Everything noticed about an input and its manifest, sorted: container, resource table, manifest.
pub fn manifest_anomalies(input: &LoadedInput, decoded: &DecodedManifest) -> Vec<Anomaly> {
    let mut all = input.all_anomalies();
    all.extend(decoded.resource_anomalies.iter().cloned());
    all.extend(decoded.manifest.anomalies.iter().cloned());
    anomaly::normalize(&mut all);
    all
}
