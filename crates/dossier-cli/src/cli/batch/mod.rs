//! `dossier batch` (stub in this branch; the lead's branch owns this file).
#![allow(dead_code)]

pub mod csv;
pub mod record;
