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

/// `text` split at white space (`char::is_whitespace`) and at the ASCII characters of `extra`:
/// what `text.split(|c| c.is_whitespace() || extra has c)` yields, empty pieces included, found by
/// bytes rather than by decoding every character (a text asset is megabytes of CJK or code).
/// The pieces are cut before a separator's first byte and after its last, boundaries by
/// construction: only the lead byte of a separator matches, never a byte inside another character.
pub fn split_at_space_and<'t>(text: &'t str, extra: &[u8]) -> impl Iterator<Item = &'t str> {
    // By byte: 1 for an ASCII separator, 2 for a lead byte that may start a non-ASCII one.
    let mut kinds = [0u8; 256];
    for &b in b"\t\n\x0b\x0c\r "
        .iter()
        .chain(extra.iter().filter(|b| b.is_ascii()))
    {
        kinds[usize::from(b)] = 1;
    }
    for lead in [0xc2, 0xe1, 0xe2, 0xe3] {
        kinds[lead] = 2;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut at = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while let Some(skipped) = bytes[at..].iter().position(|&b| kinds[usize::from(b)] != 0) {
            let here = at + skipped;
            let len = match kinds[usize::from(bytes[here])] {
                1 => 1,
                _ => non_ascii_space_len(&bytes[here..]),
            };
            at = here + len.max(1);
            if len > 0 {
                let piece = &text[start..here];
                start = at;
                return Some(piece);
            }
        }
        done = true;
        Some(&text[start..])
    })
}

/// The length of the white-space character that `bytes` starts with, 0 for any other: the
/// non-ASCII characters of Unicode's `White_Space` are U+0085, U+00A0, U+1680, U+2000 to U+200A,
/// U+2028, U+2029, U+202F, U+205F and U+3000.
fn non_ascii_space_len(bytes: &[u8]) -> usize {
    match bytes {
        [0xc2, 0x85 | 0xa0, ..]
        | [0xe1, 0x9a, 0x80, ..]
        | [0xe2, 0x80, 0x80..=0x8a | 0xa8 | 0xa9 | 0xaf, ..]
        | [0xe2, 0x81, 0x9f, ..]
        | [0xe3, 0x80, 0x80, ..] => {
            if bytes[0] == 0xc2 {
                2
            } else {
                3
            }
        }
        _ => 0,
    }
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
    fn split_by_chars<'t>(text: &'t str, extra: &[u8]) -> Vec<&'t str> {
        text.split(|c: char| c.is_whitespace() || (c.is_ascii() && extra.contains(&(c as u8))))
            .collect()
    }

    #[test]
    fn split_at_space_agrees_with_char_is_whitespace_for_every_character() {
        let extra = b"\"'`<>";
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            // The character alone, between others, twice, and next to a separator.
            let text = format!("{c}a.{c}{c}\u{3000}b{c}");
            let got: Vec<&str> = split_at_space_and(&text, extra).collect();
            assert_eq!(got, split_by_chars(&text, extra), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn split_at_space_keeps_empty_pieces_as_str_split_does() {
        for text in [
            "",
            " ",
            "a",
            " a ",
            "a  b",
            "<a>'b'\"c\"",
            "x\u{85}y\u{a0}z\u{2029}",
            "上 海\u{3000}",
        ] {
            let got: Vec<&str> = split_at_space_and(text, b"<>'\"").collect();
            assert_eq!(got, split_by_chars(text, b"<>'\""), "{text:?}");
        }
    }
}
