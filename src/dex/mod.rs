//! The DEX parser (versions 035 to 041, containers included) and the instruction walk that extracts
//! invoked methods, field accesses, loaded strings and classes with their call sites.
