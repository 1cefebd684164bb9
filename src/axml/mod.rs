//! Android binary XML (AXML) and the resource table (`resources.arsc`), and the typed manifest
//! built from them.
