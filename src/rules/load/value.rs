//! The syntax of single values in rule files other than DEX descriptors: ids, permission names,
//! C symbols, Java names, hosts, URLs, country codes and meta-data keys. Each check returns why a
//! value is wrong, in words the rule author can act on.

use super::descriptor::is_name_char;

/// `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`.
pub fn is_snake_case(id: &str) -> bool {
    let mut chars = id.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let mut previous_underscore = false;
    for c in chars {
        match c {
            'a'..='z' | '0'..='9' => previous_underscore = false,
            '_' if !previous_underscore => previous_underscore = true,
            _ => return false,
        }
    }
    !previous_underscore
}

/// `android.permission.CAMERA`, `com.example.permission.X`.
pub fn check_permission_name(name: &str) -> Result<(), String> {
    if name.contains('.')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        Ok(())
    } else {
        Err("a permission name is dotted, like android.permission.CAMERA".to_owned())
    }
}

/// A C identifier, as imported by a native library.
pub fn check_symbol(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    if chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Ok(())
    } else {
        Err("a symbol is a C identifier (letters, digits, `_`)".to_owned())
    }
}

/// `com.example.` (package prefix), `com.example.Cls` (one class) or `com.example.sdk*` (a name
/// prefix: every class whose dotted name starts with `com.example.sdk`, as in
/// `com.example.sdkcore.X`). A name prefix needs a package and a non-empty last part, so it never
/// reaches past one vendor's namespace (`com.tune*` would also take `com.tunein`).
pub fn check_java_code(s: &str) -> Result<(), String> {
    if s.contains('/') || s.contains(';') {
        return Err("write Java names in dot form, like com.appsflyer.".to_owned());
    }
    let (trimmed, name_prefix) = match s.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (s.strip_suffix('.').unwrap_or(s), false),
    };
    if trimmed.is_empty()
        || trimmed
            .split('.')
            .any(|seg| seg.is_empty() || !seg.chars().all(is_name_char))
    {
        return Err(
            "expected a dotted package ending with `.`, a dotted class name or a name prefix ending with `*`"
                .to_owned(),
        );
    }
    if name_prefix && trimmed.split('.').count() < 3 {
        return Err(
            "a name prefix ending with `*` needs at least three parts (`com.vendor.sdk*`): a shorter one reaches into other vendors' names"
                .to_owned(),
        );
    }
    Ok(())
}

/// A host name suffix: lowercase labels, nothing else.
pub fn check_host(s: &str) -> Result<(), String> {
    if s.len() > 253 {
        return Err("a host name has at most 253 characters".to_owned());
    }
    let ok = s.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    });
    if ok {
        Ok(())
    } else {
        Err(
            "a host is lowercase labels separated by dots, without scheme, port, path or `*`"
                .to_owned(),
        )
    }
}

/// `https://...` or `http://...` (doc references, tracker websites).
pub fn is_http_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// A `[[not_endpoint]]` URL prefix: it names its scheme.
pub fn check_url_prefix(s: &str) -> Result<(), String> {
    if s.contains("://") {
        Ok(())
    } else {
        Err("a URL prefix starts with a scheme and `://`".to_owned())
    }
}

/// A `[[not_endpoint]]` page prefix: a lower-case host, then a path, without scheme.
pub fn check_page_prefix(s: &str) -> Result<(), String> {
    let (host, _) = s.split_once('/').unwrap_or((s, ""));
    if s.contains("://") || check_host(host).is_err() || s.chars().any(char::is_whitespace) {
        Err("a page prefix is a lower-case host and a path, without scheme (`play.google.com/store/`)".to_owned())
    } else {
        Ok(())
    }
}

/// A `[[not_endpoint]]` bare name: a host name, optionally ending in `.*` (any further labels).
pub fn check_bare_name(s: &str) -> Result<(), String> {
    check_host(s.strip_suffix(".*").unwrap_or(s)).map_err(|_| {
        "a bare name is lower-case labels separated by dots, optionally ending in `.*`".to_owned()
    })
}

/// A path word or first label: lower-case letters, digits, `-` and `_`.
pub fn check_word(s: &str) -> Result<(), String> {
    if s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    {
        Ok(())
    } else {
        Err("a word is lower-case letters, digits, `-` and `_`".to_owned())
    }
}

/// A manifest `<meta-data android:name>` key.
pub fn check_meta_data_key(s: &str) -> Result<(), String> {
    if s.chars().any(char::is_whitespace) {
        Err("a meta-data key has no whitespace".to_owned())
    } else {
        Ok(())
    }
}

/// ISO 3166-1 alpha-2: two capital letters (whether the code is assigned is not checked).
pub fn is_country_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_ids() {
        assert!(is_snake_case("location_manager_fix"));
        assert!(is_snake_case("a1_b2"));
        for bad in ["", "Abc", "a__b", "a_", "_a", "1a", "a-b", "aé"] {
            assert!(!is_snake_case(bad), "{bad}");
        }
    }

    #[test]
    fn hosts_and_java_code() {
        assert!(check_host("app-measurement.com").is_ok());
        assert!(check_host("127.0.0.1").is_ok());
        for bad in [
            "Example.com",
            "https://a.com",
            "a..com",
            ".a.com",
            "*.a.com",
            "a.com/x",
            "a.com:80",
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        assert!(check_java_code("com.appsflyer.").is_ok());
        assert!(check_java_code("com.example.Cls").is_ok());
        assert!(check_java_code("com.tencent.lbs*").is_ok());
        assert!(check_java_code("com.baidu.BaiduMap*").is_ok());
        for bad in [
            "Lcom/appsflyer/",
            "com..x.",
            ".",
            "com.x..",
            "com.tune*",
            "com.x.*",
            "com.x.y**",
            "com.*.y",
            "*",
        ] {
            assert!(check_java_code(bad).is_err(), "{bad}");
        }
    }
}
