//! Binary XML back to readable, indented text XML (written with quick-xml).
//!
//! Choices, for a person reading a decoded manifest:
//! - attribute names are the names Android sees (resolved by resource id, see `xml.rs`), with the
//!   prefix declared for their namespace (`android:` for the Android namespace even when the file
//!   declared no prefix);
//! - every namespace declaration is written once, on the root element (one URI per prefix);
//! - a repeated attribute name (tampered files) gets a numbered suffix (`android:name_2`);
//! - references are written as in the source, `@string/app_name`, when `resources.arsc` names
//!   them, otherwise as `@0x7f0b0001`; the resolved values are in the typed manifest instead;
//! - names that are not valid XML names (tampered files) are repaired with `_`, and characters
//!   XML cannot carry are replaced by U+FFFD, so the output always parses.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use super::arsc::ResourceTable;
use super::value::Value;
use super::xml::{ANDROID_NAMESPACE, Attribute, XmlDocument};

/// Renders `doc` as indented XML text; `resources` names references when given.
pub fn to_xml_text(doc: &XmlDocument, resources: Option<&ResourceTable>) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; errors are ignored rather than unwrapped.
    let _ = writer.write_event(Event::Decl(quick_xml::events::BytesDecl::new(
        "1.0",
        Some("utf-8"),
        None,
    )));
    // One declaration per prefix (the first one wins), so that the root never repeats one.
    let mut declarations: BTreeMap<String, String> = BTreeMap::new();
    for namespace in &doc.namespaces {
        if let (Some(prefix), Some(uri)) = (&namespace.prefix, &namespace.uri) {
            declarations
                .entry(xml_name(prefix))
                .or_insert_with(|| xml_text(uri));
        }
    }
    for (root_number, &root) in doc.roots.iter().enumerate() {
        // (element index, index of the next child to visit)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (index, ref mut next_child)) = stack.last_mut() {
            let element = &doc.elements[index];
            if *next_child == 0 {
                let name = qualified(doc, element.namespace.as_deref(), &element.name);
                let mut start = BytesStart::new(name.clone());
                if root_number == 0 && index == root {
                    for (prefix, uri) in &declarations {
                        start.push_attribute((format!("xmlns:{prefix}").as_str(), uri.as_str()));
                    }
                }
                // Tampered files can repeat an attribute (or name two the same after repair);
                // XML forbids that, so repeats get a numbered suffix.
                // The next suffix to try is kept per name, so thousands of copies of one name
                // cost one try each, not one per copy before them.
                let mut seen = BTreeSet::new();
                let mut next_repeat: BTreeMap<String, usize> = BTreeMap::new();
                for attribute in &element.attributes {
                    let base = qualified(doc, attribute.namespace.as_deref(), &attribute.name);
                    let mut attr_name = base.clone();
                    let repeat = next_repeat.entry(base.clone()).or_insert(1);
                    while !seen.insert(attr_name.clone()) {
                        *repeat += 1;
                        attr_name = format!("{base}_{repeat}");
                    }
                    let value = attribute_text(attribute, resources);
                    start.push_attribute((attr_name.as_str(), value.as_str()));
                }
                if element.children.is_empty() && element.text.is_empty() {
                    let _ = writer.write_event(Event::Empty(start));
                    stack.pop();
                    continue;
                }
                let _ = writer.write_event(Event::Start(start));
                for text in &element.text {
                    let _ = writer.write_event(Event::Text(BytesText::new(&xml_text(text))));
                }
            }
            if let Some(&child) = element.children.get(*next_child) {
                *next_child += 1;
                stack.push((child, 0));
            } else {
                let name = qualified(doc, element.namespace.as_deref(), &element.name);
                let _ = writer.write_event(Event::End(BytesEnd::new(name)));
                stack.pop();
            }
        }
    }
    let mut text = String::from_utf8_lossy(&writer.into_inner()).into_owned();
    text.push('\n');
    text
}

fn attribute_text(attribute: &Attribute, resources: Option<&ResourceTable>) -> String {
    let text = match &attribute.value {
        Value::Reference(id) | Value::DynamicReference(id) => {
            match resources.and_then(|t| t.name_of(*id)) {
                Some(name) => format!("@{name}"),
                None => format!("@0x{id:08x}"),
            }
        }
        Value::String(s) => s.to_string(),
        Value::Null | Value::Raw { .. } => match &attribute.raw_value {
            Some(raw) => raw.to_string(),
            None => attribute.value.to_string(),
        },
        other => other.to_string(),
    };
    xml_text(&text)
}

/// `prefix:name`, with the prefix declared for the namespace URI.
fn qualified(doc: &XmlDocument, namespace: Option<&str>, name: &str) -> String {
    let local = xml_name(name);
    let Some(uri) = namespace else { return local };
    let prefix = match doc.prefix_of(uri) {
        Some(prefix) => xml_name(prefix),
        None if uri == ANDROID_NAMESPACE => "android".to_owned(),
        None => return local,
    };
    format!("{prefix}:{local}")
}

/// Repairs a name so that it is a valid XML name without a colon.
fn xml_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// Replaces characters XML 1.0 cannot carry.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                char::REPLACEMENT_CHARACTER
            }
            c => c,
        })
        .collect()
}
