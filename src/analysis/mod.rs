//! Analysis: turning the facts read from an app (manifest, bytecode, native libraries, resources)
//! into findings: data categories with evidence, collectors, trackers and endpoints.

pub mod endpoints;
