//! The syntax of DEX descriptors in `[[api]]` rules: classes (`Lpkg/Cls;`), methods
//! (`Lpkg/Cls;->name` or `Lpkg/Cls;->name(args)Ret`) and fields (`Lpkg/Cls;->NAME` or
//! `Lpkg/Cls;->NAME:Type`), as the DEX format spells them. Each check returns why a value is
//! wrong; whether the class or member exists is not checked here.

/// A character of a class, package or member name (dex format "SimpleName", without the rarely
/// used Unicode ranges spelled out).
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || c == '-'
}

/// `Lpkg/Cls;` and nothing after it.
pub fn check_class(s: &str) -> Result<(), String> {
    match take_class(s)? {
        "" => Ok(()),
        rest => Err(format!("unexpected `{rest}` after the class descriptor")),
    }
}

/// `Lpkg/Cls;->name` or `Lpkg/Cls;->name(args)Ret`.
pub fn check_method_ref(s: &str) -> Result<(), String> {
    let member = take_member(s)?;
    // Offsets here come from `find` of ASCII characters, or skip one ASCII character matched
    // just before: boundaries of the rule text.
    let (name, proto) = match member.find('(') {
        Some(i) => (&member[..i], Some(&member[i..])),
        None => (member, None),
    };
    check_member_name(name)?;
    if let Some(proto) = proto {
        check_proto(proto)?;
    }
    Ok(())
}

/// `Lpkg/Cls;->NAME` or `Lpkg/Cls;->NAME:Type`.
pub fn check_field_ref(s: &str) -> Result<(), String> {
    let member = take_member(s)?;
    let (name, ty) = match member.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (member, None),
    };
    check_member_name(name)?;
    if let Some(ty) = ty {
        let after = take_type(ty, false)?;
        if !after.is_empty() {
            return Err(format!("unexpected `{after}` after the field type"));
        }
    }
    Ok(())
}

/// `(args)Ret`.
fn check_proto(proto: &str) -> Result<(), String> {
    let mut rest = proto
        .strip_prefix('(')
        .ok_or_else(|| "a method prototype starts with `(`".to_owned())?;
    loop {
        if let Some(r) = rest.strip_prefix(')') {
            rest = r;
            break;
        }
        if rest.is_empty() {
            return Err("unclosed `(` in the method prototype".to_owned());
        }
        rest = take_type(rest, false)?;
    }
    let after = take_type(rest, true)?;
    if after.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected `{after}` after the return type"))
    }
}

/// `Lpkg/Cls;` at the start of `s`; returns the rest after its `;`.
fn take_class(s: &str) -> Result<&str, String> {
    let body = s
        .strip_prefix('L')
        .ok_or_else(|| "a class descriptor starts with `L`, like Landroid/os/Build;".to_owned())?;
    let end = body
        .find(';')
        .ok_or_else(|| "a class descriptor ends with `;`".to_owned())?;
    let name = &body[..end];
    if name.is_empty()
        || name
            .split('/')
            .any(|seg| seg.is_empty() || !seg.chars().all(is_name_char))
    {
        return Err(format!(
            "`L{name};` is not a class descriptor (segments separated by `/`)"
        ));
    }
    Ok(&body[end + 1..])
}

/// `Lpkg/Cls;->` at the start of `s`; returns the member part after the arrow.
fn take_member(s: &str) -> Result<&str, String> {
    take_class(s)?
        .strip_prefix("->")
        .ok_or_else(|| "expected `->` after the class descriptor".to_owned())
}

/// One type descriptor at the start of `s`; returns the rest.
fn take_type(s: &str, allow_void: bool) -> Result<&str, String> {
    let mut rest = s;
    let mut dims = 0;
    while let Some(r) = rest.strip_prefix('[') {
        rest = r;
        dims += 1;
        if dims > 255 {
            return Err("more than 255 array dimensions".to_owned());
        }
    }
    match rest.chars().next() {
        Some('Z' | 'B' | 'S' | 'C' | 'I' | 'J' | 'F' | 'D') => Ok(&rest[1..]),
        Some('V') if allow_void && dims == 0 => Ok(&rest[1..]),
        Some('L') => take_class(rest),
        _ => Err(format!("`{s}` does not start with a type descriptor")),
    }
}

fn check_member_name(name: &str) -> Result<(), String> {
    if name == "<init>"
        || name == "<clinit>"
        || (!name.is_empty() && name.chars().all(is_name_char))
    {
        Ok(())
    } else {
        Err(format!("`{name}` is not a member name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_and_field_references() {
        assert!(
            check_method_ref("Landroid/location/LocationManager;->getLastKnownLocation").is_ok()
        );
        assert!(check_method_ref("Landroid/media/AudioRecord;-><init>").is_ok());
        assert!(check_method_ref("La/B;->f(I[JLjava/lang/String;)[[Z").is_ok());
        assert!(check_method_ref("La/B;->f()V").is_ok());
        for bad in [
            "La/B;f",
            "La/B;->",
            "La/B;->f(",
            "La/B;->f()",
            "La/B;->f(V)V",
            "La/B;->f(I)VX",
            "a.B->f",
            "La//B;->f",
            "La/B;->f(Lx)V",
        ] {
            assert!(check_method_ref(bad).is_err(), "{bad}");
        }
        assert!(check_field_ref("Landroid/os/Build;->MODEL").is_ok());
        assert!(check_field_ref("Landroid/os/Build;->MODEL:Ljava/lang/String;").is_ok());
        for bad in [
            "Landroid/os/Build;->MODEL:V",
            "Landroid/os/Build;->MODEL:II",
            "Landroid/os/Build;.MODEL",
        ] {
            assert!(check_field_ref(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn class_descriptors() {
        assert!(check_class("Landroid/os/Build;").is_ok());
        assert!(check_class("Landroid/os/Build$VERSION;").is_ok());
        for bad in [
            "android.os.Build",
            "Landroid/os/Build",
            "Landroid/os/Build;->X",
            "L;",
        ] {
            assert!(check_class(bad).is_err(), "{bad}");
        }
    }
}
