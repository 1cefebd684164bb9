//! The APK reader: an Android-style zip reader (central directory first, anomalies recorded),
//! input kind detection (APK, split set, bare DEX, JAR), and bounded inflation.
