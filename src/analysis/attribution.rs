//! Who collects: every class is attributed to a collector — a tracker SDK, a well-known library,
//! the app's own code, an unidentified third-party package, or obfuscated code — from its package.
//!
//! The app's own packages are the manifest package and the packages of the classes the manifest
//! names (application, components) that no SDK rule claims: many apps keep their code outside the
//! package they are published under (TikTok's `com.zhiliaoapp.musically` runs `com.ss.android`
//! code), and those classes are the app's all the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::axml::Manifest;
use crate::report::{Collector, CollectorKind};
use crate::rules::RuleSet;

/// The collector id of the app's own code.
pub const APP: &str = "app";
/// The collector id of classes in single-letter or default packages, which no name can attribute.
pub const OBFUSCATED: &str = "obfuscated";

pub struct Attributor<'r> {
    rules: &'r RuleSet,
    /// Package prefixes of the app's own code, in descriptor form (`Lcom/example/`).
    app_prefixes: Vec<String>,
    cache: HashMap<String, String>,
    collectors: BTreeMap<String, Collector>,
}

/// `com.example.app.Main` or `Lcom/example/app/Main;` → the first two package segments as a
/// descriptor prefix, `Lcom/example/`; None without two package segments.
fn two_segment_prefix(class: &str) -> Option<String> {
    let body = class
        .strip_prefix('L')
        .unwrap_or(class)
        .trim_end_matches(';')
        .replace('.', "/");
    let mut parts = body.split('/');
    let first = parts.next()?;
    let second = parts.next()?;
    // A class directly in a one-segment package has no second package segment.
    parts.next()?;
    Some(format!("L{first}/{second}/"))
}

fn is_obfuscated(class: &str) -> bool {
    let body = class.strip_prefix('L').unwrap_or(class);
    match body.split_once('/') {
        None => true,
        Some((first, _)) => {
            // Characters, not bytes: `L上/b/C;` is as obfuscated as `La/b/C;`.
            first.chars().count() <= 2
                && !matches!(
                    first,
                    "io" | "me"
                        | "tv"
                        | "ai"
                        | "de"
                        | "jp"
                        | "uk"
                        | "fr"
                        | "ru"
                        | "cn"
                        | "kr"
                        | "co"
                )
        }
    }
}

impl<'r> Attributor<'r> {
    pub fn new(rules: &'r RuleSet, manifest: Option<&Manifest>) -> Self {
        let mut attributor = Attributor {
            rules,
            app_prefixes: Vec::new(),
            cache: HashMap::new(),
            collectors: BTreeMap::new(),
        };
        let mut prefixes = BTreeSet::new();
        if let Some(manifest) = manifest {
            if let Some(package) = &manifest.package {
                prefixes.insert(format!("L{}/", package.replace('.', "/")));
            }
            let named = manifest
                .application
                .iter()
                .filter_map(|a| a.name.clone())
                .chain(manifest.components.iter().map(|c| c.name.clone()));
            for class in named {
                let descriptor = format!("L{};", class.replace('.', "/"));
                if rules.tracker_for_class(&descriptor).is_some()
                    || rules.library_for_class(&descriptor).is_some()
                {
                    continue;
                }
                if let Some(prefix) = two_segment_prefix(&class) {
                    prefixes.insert(prefix);
                }
            }
        }
        attributor.app_prefixes = prefixes.into_iter().collect();
        attributor
    }

    /// The collector id of a class descriptor (`Lpkg/Cls;`), remembered for later.
    pub fn collector_of(&mut self, class: &str) -> String {
        if let Some(id) = self.cache.get(class) {
            return id.clone();
        }
        let (id, name, kind) = self.classify(class);
        self.collectors
            .entry(id.clone())
            .or_insert_with(|| Collector {
                id: id.clone(),
                name,
                kind,
            });
        self.cache.insert(class.to_owned(), id.clone());
        id
    }

    /// The app's own collector, registered (for evidence from the manifest).
    pub fn app(&mut self) -> String {
        self.register(APP, "the app's own code", CollectorKind::App)
    }

    /// Registers a tracker as a collector (for evidence that is not code, such as a host).
    pub fn tracker(&mut self, id: &str, name: &str) -> String {
        self.register(id, name, CollectorKind::Tracker)
    }

    fn register(&mut self, id: &str, name: &str, kind: CollectorKind) -> String {
        self.collectors
            .entry(id.to_owned())
            .or_insert_with(|| Collector {
                id: id.to_owned(),
                name: name.to_owned(),
                kind,
            });
        id.to_owned()
    }

    fn classify(&self, class: &str) -> (String, String, CollectorKind) {
        if let Some(tracker) = self.rules.tracker_for_class(class) {
            return (tracker.id.clone(), tracker.name.clone(), CollectorKind::Tracker);
        }
        if let Some(library) = self.rules.library_for_class(class) {
            return (library.id.clone(), library.name.clone(), CollectorKind::Library);
        }
        if self
            .app_prefixes
            .iter()
            .any(|p| class.starts_with(p.as_str()))
        {
            return (APP.to_owned(), "the app's own code".to_owned(), CollectorKind::App);
        }
        if is_obfuscated(class) {
            return (
                OBFUSCATED.to_owned(),
                "obfuscated code (package names removed)".to_owned(),
                CollectorKind::Unidentified,
            );
        }
        match two_segment_prefix(class) {
            Some(prefix) => {
                let package = prefix
                    .trim_start_matches('L')
                    .trim_end_matches('/')
                    .replace('/', ".");
                (
                    format!("other:{package}"),
                    format!("{package} (unidentified SDK)"),
                    CollectorKind::Unidentified,
                )
            }
            None => (APP.to_owned(), "the app's own code".to_owned(), CollectorKind::App),
        }
    }

    /// Every collector met so far, sorted by id.
    pub fn into_collectors(self) -> Vec<Collector> {
        self.collectors.into_values().collect()
    }
}

/// The Java class a JNI export binds to: `Java_com_example_Foo_bar` → `Lcom/example/Foo;`
/// (`_1` is an escaped underscore, `__` starts the overload signature).
pub fn jni_class(export: &str) -> Option<String> {
    let body = export.strip_prefix("Java_")?;
    let body = body.split("__").next()?;
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '_' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    current.push('_');
                }
                Some('2' | '3' | '0') => return None, // signatures and unicode escapes: not worth decoding
                _ => segments.push(std::mem::take(&mut current)),
            }
        } else {
            current.push(c);
        }
    }
    segments.push(current);
    if segments.len() < 2 || segments.iter().any(String::is_empty) {
        return None;
    }
    segments.pop(); // the method name
    Some(format!("L{};", segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jni_exports_name_their_class() {
        assert_eq!(
            jni_class("Java_com_example_vidshare_NativeBridge_collectUrl").as_deref(),
            Some("Lcom/example/vidshare/NativeBridge;")
        );
        assert_eq!(
            jni_class("Java_com_my_1app_Foo_bar__I").as_deref(),
            Some("Lcom/my_app/Foo;")
        );
        assert_eq!(jni_class("JNI_OnLoad"), None);
        assert_eq!(jni_class("Java_"), None);
        assert_eq!(jni_class("Java_x"), None);
    }

    #[test]
    fn package_prefixes_and_obfuscation() {
        assert_eq!(
            two_segment_prefix("com.ss.android.ugc.aweme.MainActivity").as_deref(),
            Some("Lcom/ss/")
        );
        assert_eq!(two_segment_prefix("Lcom/Foo;"), None);
        assert!(is_obfuscated("La/b/c;"));
        assert!(is_obfuscated("LFoo;"));
        assert!(!is_obfuscated("Lio/sentry/Sentry;"));
        assert!(!is_obfuscated("Lcom/example/A;"));
    }
}
