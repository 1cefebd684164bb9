//! The diff model: what changed between two reports of one app, as plain data with its own
//! versioned schema (`docs/diff-schema.md`). Every list is sorted by its key and every item is
//! keyed on what it is (a permission name, a category id, a tracker id, a host, an API), never on
//! a position, so two diffs of the same pair are equal byte for byte.

use serde::{Deserialize, Serialize};

use crate::report::{Strength, Verdict};

/// Bumped on any change to the diff JSON: major for removals and renames, minor for additions.
pub const DIFF_SCHEMA_VERSION: &str = "1.0";

/// What changed from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDiff {
    pub schema_version: String,
    pub old: DiffSide,
    pub new: DiffSide,
    /// Why the comparison may show more than the app's change: rule sets that differ, two
    /// packages compared on request, a side whose scan was partial. Sorted.
    pub warnings: Vec<String>,
    /// The target SDK, when it changed, with what that changes for permission rules.
    pub target_sdk: Option<TargetSdkChange>,
    pub permissions: Changes<PermissionItem>,
    pub categories: CategoryChanges,
    pub trackers: Changes<TrackerItem>,
    /// Endpoints grouped by host.
    pub endpoints: Changes<EndpointItem>,
    pub api_calls: Changes<ApiItem>,
    pub native_libs: Changes<NativeLibItem>,
    /// Exported components.
    pub components: Changes<ComponentItem>,
    /// Anomaly codes that appear or disappear.
    pub anomalies: Changes<AnomalyItem>,
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffSide {
    pub package: Option<String>,
    pub version_code: Option<u64>,
    pub version_name: Option<String>,
    pub sha256: String,
    pub target_sdk: Option<u32>,
    pub rules_digest: String,
}

/// Items added and removed, each sorted by its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> Default for Changes<T> {
    fn default() -> Self {
        Changes {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T> Changes<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSdkChange {
    pub old: Option<u32>,
    pub new: Option<u32>,
    /// Permission rules whose effect the change crosses (package visibility from API 30, ...),
    /// sorted.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PermissionItem {
    pub name: String,
    /// AOSP protection level, when the permission is a platform one.
    pub protection: Option<String>,
}

impl PermissionItem {
    /// Whether the protection level includes `dangerous` (a runtime permission).
    pub fn is_dangerous(&self) -> bool {
        self.protection
            .as_deref()
            .is_some_and(|p| p.split('|').any(|part| part == "dangerous"))
    }
}

/// Categories added, removed, and changed in verdict, strength or collectors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChanges {
    pub added: Vec<CategoryItem>,
    pub removed: Vec<CategoryItem>,
    pub changed: Vec<CategoryChange>,
}

impl CategoryChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryItem {
    pub id: String,
    pub verdict: Verdict,
    pub strength: Strength,
    /// Collector ids that collect it (for `collected`), sorted.
    pub collected_by: Vec<String>,
    /// Every collector whose code is evidence of it, sorted.
    pub collectors: Vec<String>,
}

/// A value before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step<T> {
    pub old: T,
    pub new: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryChange {
    pub id: String,
    /// Set when the verdict changed.
    pub verdict: Option<Step<Verdict>>,
    /// Set when the strength changed.
    pub strength: Option<Step<Strength>>,
    /// Collectors that now collect it / no longer do, sorted.
    pub collected_by_added: Vec<String>,
    pub collected_by_removed: Vec<String>,
    /// Collectors whose code is now / no longer evidence of it, sorted.
    pub collectors_added: Vec<String>,
    pub collectors_removed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackerItem {
    pub id: String,
    pub name: String,
    pub owner_name: Option<String>,
    pub country: Option<String>,
    /// Classes of the SDK are bundled (`false`: a hint).
    pub confirmed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointItem {
    pub host: String,
    pub owner_name: Option<String>,
    pub country: Option<String>,
    /// For an added host: its country appears in no endpoint of the old version. Always false
    /// for a removed host.
    pub new_country: bool,
    /// The URLs of this host on its side, sorted.
    pub urls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiItem {
    pub api: String,
    pub categories: Vec<String>,
    /// Collector ids of the calling code, sorted.
    pub collectors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NativeLibItem {
    pub abi: String,
    /// The file name (`libfoo.so`).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ComponentItem {
    pub kind: String,
    pub name: String,
    pub permission: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AnomalyItem {
    pub code: String,
    /// How many times the code occurs on the side where it is.
    pub count: usize,
}

/// Three or more versions of an app, ordered by version code: each step's diff, and which
/// version introduced and dropped each category, tracker and endpoint owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    pub schema_version: String,
    /// The versions, oldest first (by `version_code`, then as given).
    pub versions: Vec<DiffSide>,
    /// The inputs were given in another order than `versions`.
    pub reordered: bool,
    /// `steps[i]` compares `versions[i]` with `versions[i + 1]`.
    pub steps: Vec<ReportDiff>,
    /// One row per category id seen in any version, sorted by id; a cell per version holds the
    /// verdict there (`collected`, `possible`, `blocked`) or null when absent.
    pub categories: Vec<PresenceRow>,
    /// One row per tracker id; a cell holds `confirmed` or `hint`, or null.
    pub trackers: Vec<PresenceRow>,
    /// One row per endpoint owner (its name, or `unknown owner`); a cell holds the number of
    /// hosts it owns in that version, as text, or null.
    pub owners: Vec<PresenceRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceRow {
    pub id: String,
    /// What a reader sees: a tracker's name, an owner with its country.
    pub label: String,
    /// One cell per version, in `Timeline::versions` order.
    pub cells: Vec<Option<String>>,
}
