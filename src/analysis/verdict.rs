//! Verdicts: how each evidence item counts toward its category ([`Standing`]) and what a
//! category's evidence supports ([`Verdict`]), with a reason a reader can repeat.
//!
//! "The code contains a call" is not "the app collects". An item *collects* only when it is an
//! instruction (a call, a field read, a loaded string, an overridden data callback) of code that
//! holds the permission the API needs, that no `[[plumbing]]` rule explains as a library's own
//! business, that is not the SDK implementing the very API, and that is not a generic `context`
//! API read where it is context. A category is `collected` when one item collects; `possible`
//! when something weaker points at it (declared, referenced, reflective, native, a bundled SDK,
//! plumbing, context); `blocked` when the only calls need a permission the app does not hold.

use std::collections::{BTreeMap, BTreeSet};

use super::grants::Grants;
use crate::callgraph::CallGraph;
use crate::report::{Collector, CollectorKind, Evidence, EvidenceKind, Standing, Strength, Verdict};
use crate::rules::RuleSet;

/// Details listed in a reason before "and N more".
const REASON_ITEMS: usize = 3;

/// A category's verdict with its reason and the collectors that make it `collected`.
pub(super) struct Judgement {
    pub verdict: Verdict,
    pub reason: String,
    pub collected_by: Vec<String>,
}

/// Judges evidence against the rules, the app's grants and who each collector is.
pub(super) struct Judge<'a> {
    rules: &'a RuleSet,
    grants: &'a Grants,
    kinds: BTreeMap<&'a str, CollectorKind>,
    names: BTreeMap<&'a str, &'a str>,
    graph: &'a CallGraph<'a>,
}

impl<'a> Judge<'a> {
    pub fn new(
        rules: &'a RuleSet,
        grants: &'a Grants,
        collectors: &'a [Collector],
        graph: &'a CallGraph<'a>,
    ) -> Judge<'a> {
        Judge {
            rules,
            grants,
            graph,
            kinds: collectors.iter().map(|c| (c.id.as_str(), c.kind)).collect(),
            names: collectors
                .iter()
                .map(|c| (c.id.as_str(), c.name.as_str()))
                .collect(),
        }
    }

    /// The item with its standing (and, for plumbing, the exempting rule) filled in.
    pub fn judged(&self, mut evidence: Evidence) -> Evidence {
        let (mut standing, exemption) = self.standing(&evidence);
        // What would collect but no entry point reaches is only possible. Judged last, so that
        // a call that is plumbing (or blocked) anyway keeps saying so.
        if standing == Standing::Collects && !self.reached(&evidence) {
            standing = Standing::Unreachable;
        }
        if standing == Standing::Collects {
            evidence.path = evidence
                .location
                .as_ref()
                .and_then(|l| self.graph.path_to_location(l));
        }
        evidence.standing = standing;
        evidence.exemption = exemption;
        evidence
    }

    /// Whether an entry point reaches the code of an item: its method, or for an override, an
    /// instance of its class the framework can call back.
    fn reached(&self, evidence: &Evidence) -> bool {
        let Some(location) = &evidence.location else {
            return true;
        };
        match (evidence.kind, &location.class, &location.method, &location.proto) {
            (EvidenceKind::Override, Some(class), Some(method), Some(proto)) => {
                self.graph.reaches_override(class, method, proto)
            }
            _ => self.graph.reaches_location(location),
        }
    }

    fn standing(&self, e: &Evidence) -> (Standing, Option<String>) {
        match e.kind {
            EvidenceKind::Permission | EvidenceKind::MetaData => return (Standing::Declared, None),
            // A component is declared, unless its class is in the code and receives the data
            // (a receiver for incoming SMS whose class the DEX defines): then it is judged as a
            // call would be.
            EvidenceKind::Component if e.strength < Strength::Called => {
                return (Standing::Declared, None);
            }
            EvidenceKind::Tracker | EvidenceKind::Host => return (Standing::Weak, None),
            _ => {}
        }
        let api = self.rules.api(&e.rule);
        // Missing permissions first: a call that cannot succeed is blocked whoever makes it.
        if api.is_some_and(|rule| !self.grants.missing(rule).is_empty()) {
            return (Standing::Blocked, None);
        }
        if e.strength < Strength::Called {
            return (Standing::Weak, None);
        }
        let caller = e.location.as_ref().and_then(|l| l.class.as_deref());
        if let (Some(rule), Some(caller)) = (api, caller)
            && let Some(plumbing) = self.rules.plumbing_for(&rule.id, caller)
        {
            return (Standing::Plumbing, Some(plumbing.id.clone()));
        }
        if matches!(e.kind, EvidenceKind::ApiCall | EvidenceKind::FieldRead)
            && let Some(caller) = caller
            && implements(&e.detail, caller)
        {
            return (Standing::Implementation, None);
        }
        if let Some(context) = api.and_then(|rule| rule.context.as_ref()) {
            let kind = e
                .collector
                .as_deref()
                .and_then(|c| self.kinds.get(c))
                .map_or("unidentified", |k| collector_kind_str(*k));
            if !context.counts_in.iter().any(|k| k == kind) {
                return (Standing::Context, None);
            }
        }
        (Standing::Collects, None)
    }

    /// The verdict of a category from its judged evidence.
    pub fn verdict(&self, evidence: &[Evidence]) -> Judgement {
        let with = |standing: Standing| evidence.iter().filter(move |e| e.standing == standing);
        let collected_by: BTreeSet<String> = with(Standing::Collects)
            .filter_map(|e| e.collector.clone())
            .collect();
        if with(Standing::Collects).next().is_some() {
            let names: Vec<&str> = collected_by.iter().map(|c| self.name(c)).collect();
            let items: BTreeSet<String> = with(Standing::Collects).map(short_detail).collect();
            let items: BTreeSet<&str> = items.iter().map(String::as_str).collect();
            let reason = format!("by {}: {}", listed(&names), listed_short(&items));
            return Judgement {
                verdict: Verdict::Collected,
                reason,
                collected_by: collected_by.into_iter().collect(),
            };
        }
        let mut parts = Vec::new();
        let declared: BTreeSet<&str> = with(Standing::Declared).map(|e| e.detail.as_str()).collect();
        if !declared.is_empty() {
            parts.push(format!("only declared in the manifest ({})", listed_short(&declared)));
        }
        if let Some(weak) = with(Standing::Weak).map(|e| (e.kind, e.strength)).max_by_key(|k| k.1)
        {
            parts.push(weak_reason(weak.0, weak.1).to_owned());
        }
        let plumbing: BTreeSet<&str> = with(Standing::Plumbing)
            .filter_map(|e| e.exemption.as_deref())
            .collect();
        if !plumbing.is_empty() {
            parts.push(format!(
                "calls are a library's own plumbing ({})",
                listed_short(&plumbing)
            ));
        }
        if with(Standing::Implementation).next().is_some() {
            parts.push("calls are inside the SDK that defines the API".to_owned());
        }
        let unreachable: BTreeSet<String> = with(Standing::Unreachable).map(short_detail).collect();
        if !unreachable.is_empty() {
            let items: BTreeSet<&str> = unreachable.iter().map(String::as_str).collect();
            parts.push(format!(
                "unreachable: no path from an entry point of the app reaches the calls ({}){}",
                listed_short(&items),
                if self.graph.loads_code_at_run_time() {
                    ", though code the app loads at run time could call them"
                } else {
                    ""
                }
            ));
        }
        let context: BTreeSet<&str> = with(Standing::Context).map(|e| e.rule.as_str()).collect();
        if !context.is_empty() {
            parts.push(format!(
                "generic APIs read where they are context ({})",
                listed_short(&context)
            ));
        }
        let blocked = self.blocked_permissions(evidence);
        let open_path = !declared.is_empty() || with(Standing::Weak).next().is_some();
        if !blocked.is_empty() && !open_path {
            let reason = format!(
                "needs {}, which the app does not hold at target SDK {}",
                blocked.iter().cloned().collect::<Vec<_>>().join(" or "),
                self.grants.target_sdk()
            );
            return Judgement {
                verdict: Verdict::Blocked,
                reason,
                collected_by: Vec::new(),
            };
        }
        if !blocked.is_empty() {
            parts.push(format!(
                "calls needing {} are blocked",
                blocked.iter().cloned().collect::<Vec<_>>().join(" or ")
            ));
        }
        Judgement {
            verdict: Verdict::Possible,
            reason: parts.join("; "),
            collected_by: Vec::new(),
        }
    }

    /// The permissions the blocked items need (any one of a rule's would do).
    fn blocked_permissions(&self, evidence: &[Evidence]) -> BTreeSet<String> {
        evidence
            .iter()
            .filter(|e| e.standing == Standing::Blocked)
            .filter_map(|e| self.rules.api(&e.rule))
            .flat_map(|rule| self.grants.missing(rule))
            .map(|p| short_permission(&p).to_owned())
            .collect()
    }

    fn name<'s>(&'s self, id: &'s str) -> &'s str {
        self.names.get(id).copied().unwrap_or(id)
    }
}

/// Whether `caller` (a class descriptor) is part of the package that defines the API of
/// `signature` (`Lpkg/Cls;->name...`): an SDK calling its own public method is its
/// implementation at work, and what it gathers is judged by its own calls to the framework.
fn implements(signature: &str, caller: &str) -> bool {
    let Some((api_class, _)) = signature.split_once("->") else {
        return false;
    };
    let package = |desc: &str| -> Option<String> {
        let inner = desc.strip_prefix('L')?.strip_suffix(';')?;
        inner.rsplit_once('/').map(|(pkg, _)| pkg.to_owned())
    };
    let (Some(api_package), Some(caller_package)) = (package(api_class), package(caller)) else {
        return false;
    };
    // The platform's own packages never ship inside an APK; an app class there is a copy.
    if api_package.starts_with("android/") || api_package.starts_with("java/") {
        return false;
    }
    caller_package == api_package || caller_package.starts_with(&format!("{api_package}/"))
}

fn collector_kind_str(kind: CollectorKind) -> &'static str {
    match kind {
        CollectorKind::App => "app",
        CollectorKind::Tracker => "tracker",
        CollectorKind::Library => "library",
        _ => "unidentified",
    }
}

fn weak_reason(kind: EvidenceKind, strength: Strength) -> &'static str {
    match (kind, strength) {
        (EvidenceKind::Tracker | EvidenceKind::Host, _) => {
            "an SDK known to gather it is bundled, but no call of it was found"
        }
        (_, Strength::Native) => "a native library imports the function; whether it calls it is not known",
        (_, Strength::Reflective) => "named only in reflection strings; a call is not proven",
        _ => "the API is only referenced, never called",
    }
}

/// `android.permission.READ_CONTACTS` → `READ_CONTACTS`; other names unchanged.
fn short_permission(name: &str) -> &str {
    name.strip_prefix("android.permission.").unwrap_or(name)
}

/// What an item shows, briefly: `AccountManager.getAccounts`, `Build.MODEL`, or a loaded string
/// in quotes.
fn short_detail(e: &Evidence) -> String {
    match e.detail.split_once("->") {
        Some((class, member)) => {
            let class = class.trim_end_matches(';');
            let simple = class.rsplit(['/', '$']).next().unwrap_or(class);
            let member = member.split(['(', ':']).next().unwrap_or(member);
            format!("{simple}.{member}")
        }
        None if e.kind == EvidenceKind::String => format!("\"{}\"", e.detail),
        None => e.detail.clone(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most [`REASON_ITEMS`] items, then how many more.
fn listed_short(items: &BTreeSet<&str>) -> String {
    let shown: Vec<String> = items
        .iter()
        .take(REASON_ITEMS)
        .map(|i| short_permission(i).to_owned())
        .collect();
    let mut text = shown.join(", ");
    if items.len() > REASON_ITEMS {
        text.push_str(&format!(" and {} more", items.len() - REASON_ITEMS));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_sdk_calling_its_own_api_is_its_implementation() {
        let api = "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;->getId()Ljava/lang/String;";
        assert!(implements(
            api,
            "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;"
        ));
        assert!(implements(
            "Lcom/facebook/Profile;->getCurrentProfile()Lcom/facebook/Profile;",
            "Lcom/facebook/login/LoginManager;"
        ));
        // The app calling it is a use; so is a sibling package that only shares a prefix.
        assert!(!implements(api, "Lcom/example/app/Ads;"));
        assert!(!implements(api, "Lcom/google/android/gms/ads/identifierx/X;"));
        // Framework APIs are never implemented inside an APK.
        assert!(!implements(
            "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
            "Landroid/location/Fake;"
        ));
        assert!(!implements("not a signature", "Lcom/x/Y;"));
    }

    #[test]
    fn short_details_name_class_and_member() {
        let evidence = |kind, detail: &str| Evidence {
            kind,
            rule: String::new(),
            strength: Strength::Called,
            detail: detail.to_owned(),
            location: None,
            collector: None,
            standing: Standing::Collects,
            exemption: None,
            path: None,
        };
        assert_eq!(
            short_detail(&evidence(
                EvidenceKind::ApiCall,
                "Landroid/accounts/AccountManager;->getAccounts()[Landroid/accounts/Account;"
            )),
            "AccountManager.getAccounts"
        );
        assert_eq!(
            short_detail(&evidence(
                EvidenceKind::FieldRead,
                "Landroid/os/Build;->MODEL:Ljava/lang/String;"
            )),
            "Build.MODEL"
        );
        assert_eq!(
            short_detail(&evidence(EvidenceKind::String, "content://sms/inbox")),
            "\"content://sms/inbox\""
        );
        assert_eq!(listed(&["a", "b", "c"]), "a, b and c");
        let many: BTreeSet<&str> = ["a", "b", "c", "d", "e"].into_iter().collect();
        assert_eq!(listed_short(&many), "a, b, c and 2 more");
    }
}
