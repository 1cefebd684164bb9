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
    let kinds = separator_kinds(extra);
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match next_separator(bytes, start, &kinds) {
            Some((here, len)) => {
                let piece = &text[start..here];
                start = here + len;
                Some(piece)
            }
            None => {
                done = true;
                Some(&text[start..])
            }
        }
    })
}

/// The pieces of `bytes` that hold `needle` (an ASCII byte that is not a separator), cut as
/// [`split_at_space_and`] cuts `String::from_utf8_lossy(bytes)`, each to be decoded on its own
/// (`String::from_utf8_lossy` of a piece is the piece of the decoded whole). They are found from
/// each `needle` outwards, so the bytes between the pieces that hold one are never looked at: a text
/// asset is megabytes of dictionary or prose in which a dot is rare, and none of it needs
/// decoding first.
///
/// Cutting the bytes before decoding them cuts in the same places: a separator is an ASCII byte
/// or a white-space character whose first byte (0xc2, 0xe1, 0xe2 or 0xe3) is never a continuation
/// byte, so the decoder of the whole starts a character at each of them (an invalid sequence before
/// one ends there too), and decodes it as white space because it is valid.
pub fn pieces_holding<'b>(
    bytes: &'b [u8],
    extra: &[u8],
    needle: u8,
) -> impl Iterator<Item = &'b [u8]> {
    let kinds = separator_kinds(extra);
    // Where the next piece starts: 0, or just past a separator.
    let mut from = 0;
    std::iter::from_fn(move || {
        let rest = bytes.get(from..)?;
        let found = from + memchr::memchr(needle, rest)?;
        // Back to the separator before it, no further than the piece's earliest start.
        let mut start = found;
        while start > from && space_ending_at(&bytes[from..start], &kinds) == 0 {
            start -= 1;
        }
        let end = match next_separator(bytes, found, &kinds) {
            Some((here, len)) => {
                from = here + len;
                here
            }
            None => {
                from = bytes.len();
                bytes.len()
            }
        };
        Some(&bytes[start..end])
    })
}

/// By byte: 1 for an ASCII separator (white space and the ASCII bytes of `extra`), 2 for a lead
/// byte that may start a non-ASCII white-space character, 0 for any other.
fn separator_kinds(extra: &[u8]) -> [u8; 256] {
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
    kinds
}

/// The first separator of `bytes` at or after `at`: where it starts and how long it is. Only the
/// lead byte of a separator matches, never a byte inside another character, so both ends are
/// character boundaries in valid UTF-8.
fn next_separator(bytes: &[u8], mut at: usize, kinds: &[u8; 256]) -> Option<(usize, usize)> {
    while let Some(skipped) = bytes
        .get(at..)?
        .iter()
        .position(|&b| kinds[usize::from(b)] != 0)
    {
        let here = at + skipped;
        let len = match kinds[usize::from(bytes[here])] {
            1 => 1,
            _ => non_ascii_space_len(&bytes[here..]),
        };
        if len > 0 {
            return Some((here, len));
        }
        at = here + 1;
    }
    None
}

/// The length of the separator that `before` ends with, 0 for none: what [`next_separator`]
/// would have found ending there, looked at from its end (the last byte of a non-ASCII white
/// space is a continuation byte, and its lead byte can only be a lead byte).
fn space_ending_at(before: &[u8], kinds: &[u8; 256]) -> usize {
    let Some(&last) = before.last() else {
        return 0;
    };
    if kinds[usize::from(last)] == 1 {
        return 1;
    }
    if last & 0xc0 != 0x80 {
        return 0;
    }
    let ends_with = |len: usize| {
        before.len() >= len && non_ascii_space_len(&before[before.len() - len..]) == len
    };
    [2, 3].into_iter().find(|&len| ends_with(len)).unwrap_or(0)
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

    /// What [`pieces_holding`] stands for: the whole decoded, cut, and the pieces with a dot kept.
    fn decoded_then_cut(bytes: &[u8], extra: &[u8]) -> Vec<String> {
        let text = String::from_utf8_lossy(bytes);
        split_at_space_and(&text, extra)
            .filter(|piece| piece.contains('.'))
            .map(str::to_owned)
            .collect()
    }

    fn cut_then_decoded(bytes: &[u8], extra: &[u8]) -> Vec<String> {
        pieces_holding(bytes, extra, b'.')
            .map(|piece| String::from_utf8_lossy(piece).into_owned())
            .collect()
    }

    #[test]
    fn pieces_holding_agree_with_cutting_the_decoded_text_for_every_character() {
        let extra = b"\"'`<>";
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("{c}a.{c}{c}\u{3000}b{c}.{c} .{c}x");
            let bytes = text.as_bytes();
            assert_eq!(
                cut_then_decoded(bytes, extra),
                decoded_then_cut(bytes, extra),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn pieces_holding_agree_with_cutting_the_decoded_text_on_invalid_bytes() {
        // Separators whole and cut, lead bytes without their continuation, stray continuation
        // bytes, bytes never valid, CJK, dots and quotes, in random orders and at both ends.
        let parts: [&[u8]; 16] = [
            b".",
            b"a",
            b" ",
            b"\"",
            b"<",
            b"\xc2\xa0",
            b"\xc2",
            b"\xa0",
            b"\xe2\x80\x80",
            b"\xe2\x80",
            b"\xe3\x80\x80",
            b"\xe1\x9a\x80",
            b"\xff",
            b"\xf0\x9f\x98",
            "上".as_bytes(),
            b"\x80",
        ];
        // A linear congruential generator's high bits (Knuth's MMIX constants).
        let mut state = 1u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for round in 0..20_000 {
            let len = (next() % 12) as usize;
            let bytes: Vec<u8> = (0..len)
                .flat_map(|_| {
                    parts[(next() % parts.len() as u64) as usize]
                        .iter()
                        .copied()
                })
                .collect();
            assert_eq!(
                cut_then_decoded(&bytes, b"\"<"),
                decoded_then_cut(&bytes, b"\"<"),
                "round {round}: {bytes:x?}"
            );
        }
    }

    #[test]
    fn pieces_holding_finds_each_piece_once() {
        let got: Vec<&[u8]> = pieces_holding(b"a.b c..d\xe3\x80\x80e.f g ..", b"", b'.').collect();
        assert_eq!(got, [&b"a.b"[..], b"c..d", b"e.f", b".."]);
        assert_eq!(pieces_holding(b"", b"", b'.').count(), 0);
        assert_eq!(pieces_holding(b"no dot here", b"", b'.').count(), 0);
    }
}
