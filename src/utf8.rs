//! Cutting text at character boundaries: the one place that turns a byte budget into a `&str`.
//!
//! Strings from an app (labels, URLs, class names, asset text, MUTF-8 decoded with U+FFFD) hold
//! any character: CJK, combining marks, four-byte emoji, bidi and zero-width controls. Slicing
//! such a string at a byte offset that is not a character boundary panics, and one panic ends the
//! whole scan. A byte offset may be used to slice app text only when it is a boundary by
//! construction — returned by `find` of an ASCII character or string, or by the helpers here —
//! and every such site says why in a comment. Everything else compares bytes (`as_bytes()`) or
//! goes through these helpers.

/// The largest character boundary of `text` at or before `index`, or `text.len()` when `index`
/// is past the end. What `str::floor_char_boundary` does; that one is not stable on the Rust
/// version this crate supports.
pub fn floor_char_boundary(text: &str, index: usize) -> usize {
    if index >= text.len() {
        return text.len();
    }
    // A UTF-8 character is at most four bytes long, so a boundary is at most three bytes back;
    // 0 is always one.
    (index.saturating_sub(3)..=index)
        .rev()
        .find(|&at| text.is_char_boundary(at))
        .unwrap_or(0)
}

/// The longest prefix of `text` that is at most `max_bytes` long and ends on a character
/// boundary: a byte budget applied without cutting a character in two.
pub fn prefix_within(text: &str, max_bytes: usize) -> &str {
    &text[..floor_char_boundary(text, max_bytes)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_are_found_backwards_for_every_width() {
        // 1, 2, 3 and 4 bytes: a, é, 上, 😀.
        let text = "aé上😀";
        let expected = [0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10, 10];
        for (index, &want) in expected.iter().enumerate() {
            assert_eq!(floor_char_boundary(text, index), want, "index {index}");
        }
        assert_eq!(prefix_within(text, 5), "aé");
        assert_eq!(prefix_within(text, 100), text);
        assert_eq!(prefix_within("", 3), "");
    }
}
