//! The rule data embedded in the binary and what is derived from it the same way at build time
//! (`build.rs` includes this file) and at run time: the rule files in load order, the platform
//! permission levels, loading the embedded layer, and the rules digest.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::load::{self, Layer, RuleError, RuleFile};
use super::model::*;

/// The embedded rule files, in load order, with the name errors show for them.
pub const BUILTIN_FILES: [(&str, &str); 9] = [
    (
        "rules/categories.toml",
        include_str!("../../rules/categories.toml"),
    ),
    (
        "rules/permissions.toml",
        include_str!("../../rules/permissions.toml"),
    ),
    ("rules/apis.toml", include_str!("../../rules/apis.toml")),
    ("rules/native.toml", include_str!("../../rules/native.toml")),
    (
        "rules/plumbing.toml",
        include_str!("../../rules/plumbing.toml"),
    ),
    (
        "rules/network.toml",
        include_str!("../../rules/network.toml"),
    ),
    (
        "rules/libraries.toml",
        include_str!("../../rules/libraries.toml"),
    ),
    (
        "rules/trackers.toml",
        include_str!("../../rules/trackers.toml"),
    ),
    (
        "rules/endpoints.toml",
        include_str!("../../rules/endpoints.toml"),
    ),
];

/// Protection levels of the platform permissions (generated, see `scripts/gen-permission-levels.py`).
pub const PERMISSION_LEVELS_TSV: &str = include_str!("../../rules/data/permission-levels.tsv");

/// Protection level and group of one platform permission.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PermissionLevel {
    /// `dangerous`, `normal`, `signature|privileged`, ...
    pub level: String,
    /// `android.permission-group.LOCATION`, or empty.
    pub group: String,
}

/// Loads and checks the embedded rule files from their text, merged onto nothing: every problem
/// with its file, line and column.
pub fn load_builtin_layer() -> Result<Layer, Vec<RuleError>> {
    let sources: Vec<RuleFile> = BUILTIN_FILES
        .iter()
        .map(|(name, text)| RuleFile {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    let layer = load::load_layer(&sources, None)?;
    let (layer, _) = load::merge(Layer::default(), layer)?;
    Ok(layer)
}

pub fn parse_levels(tsv: &str) -> HashMap<String, PermissionLevel> {
    tsv.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let name = parts.next()?;
            let level = parts.next().unwrap_or("");
            let group = parts.next().unwrap_or("");
            Some((
                name.to_owned(),
                PermissionLevel {
                    level: level.to_owned(),
                    group: group.to_owned(),
                },
            ))
        })
        .collect()
}

/// Lower-case hex SHA-256 over the effective rules (sorted) and the permission levels. Where rules
/// were defined does not enter it; their content does.
pub fn compute_digest(layer: &Layer, levels: &HashMap<String, PermissionLevel>) -> String {
    #[derive(serde::Serialize)]
    struct Effective<'a> {
        format: &'static str,
        categories: &'a [Category],
        permissions: &'a [PermissionRule],
        apis: &'a [ApiRule],
        natives: &'a [NativeRule],
        libraries: &'a [LibraryRule],
        trackers: &'a [TrackerRule],
        owners: &'a [Owner],
        not_endpoints: &'a [NotEndpoint],
        plumbing: &'a [PlumbingRule],
        sinks: &'a [SinkRule],
        split_permissions: &'a [SplitPermission],
        levels: BTreeMap<&'a str, &'a PermissionLevel>,
    }
    let effective = Effective {
        format: "dossier-rules-1",
        categories: &layer.categories,
        permissions: &layer.permissions,
        apis: &layer.apis,
        natives: &layer.natives,
        libraries: &layer.libraries,
        trackers: &layer.trackers,
        owners: &layer.owners,
        not_endpoints: &layer.not_endpoints,
        plumbing: &layer.plumbing,
        sinks: &layer.sinks,
        split_permissions: &layer.split_permissions,
        levels: levels.iter().map(|(k, v)| (k.as_str(), v)).collect(),
    };
    // Serializing plain structs, vectors and a BTreeMap cannot fail.
    let bytes = serde_json::to_vec(&effective).unwrap_or_default();
    let hash = Sha256::digest(&bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}
