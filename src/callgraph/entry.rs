//! Entry points: the classes Android itself instantiates or names, found in the manifests, the
//! resources, the native libraries and the strings of the code and assets.
//!
//! - Components of the manifest (activities and the targets of aliases, services, receivers,
//!   providers) and the `Application` class: the system instantiates them and calls their
//!   lifecycle methods.
//! - Any other class named by a string of a manifest (base and splits): meta-data that names an
//!   initialiser (androidx.startup), a backup agent, a component factory, an instrumentation.
//! - Classes named by resources: custom views and fragments of layouts, preferences, navigation
//!   graphs, all inflated by name.
//! - Native code: the classes of `Java_*` exports and class names among a library's strings
//!   (`FindClass`, `RegisterNatives` tables).
//! - Classes with a `public static main(String[])`: programs the shell starts with `app_process`
//!   (device agents, test tools), which no manifest names.
//! - Classes named by a string of the code or of a text asset: what reflection (`Class.forName`)
//!   and configuration-driven loading reach. Counting every such string, not only those near a
//!   reflection call, keeps code reachable when the name is computed from pieces or passed around.

use super::index::AppIndex;
use crate::axml::Manifest;
use crate::report::Via;
use crate::scanner::{AppFacts, TextKind};

/// A class Android (or code the analysis cannot follow) starts from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Root<'f> {
    pub class: &'f str,
    pub via: Via,
}

/// A manifest class name as a descriptor: `.Main` and `Main` are relative to the package.
fn component_class(name: &str, package: Option<&str>) -> String {
    let full = match (name.strip_prefix('.'), package) {
        (Some(rest), Some(package)) => format!("{package}.{rest}"),
        _ if !name.contains('.') => match package {
            Some(package) => format!("{package}.{name}"),
            None => name.to_owned(),
        },
        _ => name.to_owned(),
    };
    format!("L{};", full.replace('.', "/"))
}

/// The class a `Java_*` export belongs to: `Java_com_x_Foo_bar` (or `..._bar__Args`) is method
/// `bar` of `com/x/Foo`, with `_1` for `_`, `_0XXXX` for a character, `_2`, `_3` in signatures.
fn jni_class(symbol: &str) -> Option<String> {
    let mangled = symbol.strip_prefix("Java_")?;
    // An overloaded method's arguments follow `__`.
    let mangled = mangled.split("__").next().unwrap_or(mangled);
    let mut out = String::new();
    let mut chars = mangled.chars();
    while let Some(c) = chars.next() {
        if c != '_' {
            out.push(c);
            continue;
        }
        match chars.clone().next() {
            Some('1') => {
                chars.next();
                out.push('_');
            }
            Some('0') => {
                chars.next();
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => out.push('/'),
        }
    }
    let (class, _method) = out.rsplit_once('/')?;
    Some(format!("L{class};"))
}

/// The descriptors of the manifest's `Application` and component classes (an alias stands for
/// its target), each with how it is started.
pub(super) fn component_classes(manifest: &Manifest) -> Vec<(Via, String)> {
    let package = manifest.package.as_deref();
    let application = manifest
        .application
        .as_ref()
        .and_then(|a| a.name.as_deref());
    let components = manifest.components.iter().map(|component| {
        let name = component
            .target_activity
            .as_deref()
            .filter(|_| component.kind == "activity-alias")
            .unwrap_or(&component.name);
        (Via::Component, name)
    });
    application
        .map(|name| (Via::Application, name))
        .into_iter()
        .chain(components)
        .map(|(via, name)| (via, component_class(name, package)))
        .collect()
}

/// Every root of the app, sorted and without duplicates (the strongest reason kept per class).
pub(super) fn roots<'f>(facts: &'f AppFacts, index: &AppIndex<'f>) -> Vec<Root<'f>> {
    let mut roots: Vec<Root<'f>> = Vec::new();
    let mut buffer = String::new();
    let push = |class: &str, via: Via, roots: &mut Vec<Root<'f>>| {
        if let Some((key, _)) = index.classes.get_key_value(class) {
            roots.push(Root { class: key, via });
        }
    };
    if let Some(manifest) = &facts.manifest {
        for (via, class) in component_classes(manifest) {
            push(&class, via, &mut roots);
        }
        for meta in &manifest.meta_data {
            for text in [Some(meta.name.as_str()), meta.value.as_deref()]
                .into_iter()
                .flatten()
            {
                if let Some(class) = index.class_named(text, &mut buffer) {
                    roots.push(Root {
                        class,
                        via: Via::Manifest,
                    });
                }
            }
        }
    }
    for name in &facts.manifest_names {
        let class = index.class_named(name, &mut buffer).or_else(|| {
            let package = facts.manifest.as_ref()?.package.as_deref()?;
            let relative = name.strip_prefix('.')?;
            index.class_named(&format!("{package}.{relative}"), &mut buffer)
        });
        if let Some(class) = class {
            roots.push(Root {
                class,
                via: Via::Manifest,
            });
        }
    }
    for text in &facts.texts {
        let via = match text.kind {
            TextKind::Manifest => Via::Manifest,
            TextKind::Resource => Via::Resource,
            TextKind::Asset => Via::String,
        };
        for s in &text.strings {
            if let Some(class) = index.class_named(s, &mut buffer) {
                roots.push(Root { class, via });
            }
        }
    }
    for lib in facts.native.iter().filter_map(|n| n.facts.as_ref()) {
        for export in &lib.jni_exports {
            if let Some(class) = jni_class(export) {
                push(&class, Via::Native, &mut roots);
            }
        }
        for s in &lib.strings {
            if let Some(class) = index.class_named(s, &mut buffer) {
                roots.push(Root {
                    class,
                    via: Via::Native,
                });
            }
        }
    }
    for scan in &facts.dex {
        for s in scan.facts.const_strings.iter() {
            if let Some(class) = index.class_named(s, &mut buffer) {
                roots.push(Root {
                    class,
                    via: Via::String,
                });
            }
        }
        for r in &scan.facts.reflective {
            if let Some(class) = r
                .class
                .as_deref()
                .and_then(|c| index.class_named(c, &mut buffer))
            {
                roots.push(Root {
                    class,
                    via: Via::String,
                });
            }
        }
    }
    // Programs `app_process` can start: the method is the entry, with its class.
    for (class, methods) in &index.class_nodes {
        if methods.iter().any(|&node| {
            let m = index.method(node);
            &*m.name == "main" && &*m.proto == "([Ljava/lang/String;)V"
        }) {
            roots.push(Root {
                class,
                via: Via::Main,
            });
        }
    }
    // One root per class, the first reason in `Via` order (components before strings).
    roots.sort_by(|a, b| a.class.cmp(b.class).then(a.via.cmp(&b.via)));
    roots.dedup_by(|later, kept| later.class == kept.class);
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_names_become_descriptors() {
        assert_eq!(component_class(".Main", Some("com.x")), "Lcom/x/Main;");
        assert_eq!(component_class("Main", Some("com.x")), "Lcom/x/Main;");
        assert_eq!(component_class("org.y.Z", Some("com.x")), "Lorg/y/Z;");
    }

    #[test]
    fn jni_exports_name_their_class() {
        assert_eq!(
            jni_class("Java_com_example_Foo_bar").as_deref(),
            Some("Lcom/example/Foo;")
        );
        assert_eq!(
            jni_class("Java_com_my_1app_Native_run__Ljava_lang_String_2").as_deref(),
            Some("Lcom/my_app/Native;")
        );
        assert_eq!(
            jni_class("Java_com_x_Caf_000e9_go").as_deref(),
            Some("Lcom/x/Café;")
        );
        assert_eq!(jni_class("JNI_OnLoad"), None);
        assert_eq!(jni_class("Java_x"), None);
        // A broken escape is no class, not a panic.
        assert_eq!(jni_class("Java_a_0zz_b"), None);
    }
}
