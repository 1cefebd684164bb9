//! Modified UTF-8 (the JVM/DEX string encoding) decoded into Rust strings, without trusting the input.
//!
//! MUTF-8 differs from UTF-8 in two ways: U+0000 is written as the two bytes `c0 80`, and characters
//! beyond the BMP are written as two three-byte surrogates. Invalid sequences become U+FFFD and are
//! reported, so that a hostile string never stops the scan.

/// The decoded text and what had to be replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// Malformed bytes were replaced by U+FFFD: the string is not valid MUTF-8.
    pub lossy: bool,
    /// Unpaired surrogates were replaced by U+FFFD. Java strings may hold them (regular
    /// expressions over surrogate ranges do), so this is valid input that Rust strings cannot
    /// represent, not an anomaly.
    pub unpaired_surrogates: bool,
}

/// Returns the bytes of a NUL-terminated MUTF-8 string starting at `start`: up to (not including)
/// the first zero byte, or up to the end of `data` when there is none.
pub fn terminated(data: &[u8], start: usize) -> &[u8] {
    let rest = data.get(start..).unwrap_or(&[]);
    // Eight bytes at a time: a word has a zero byte iff (w - 0x01..01) & !w & 0x80..80 != 0.
    let mut at = 0;
    while at + 8 <= rest.len() {
        let w = u64::from_le_bytes(rest[at..at + 8].try_into().unwrap_or([0; 8]));
        if w.wrapping_sub(0x0101_0101_0101_0101) & !w & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        at += 8;
    }
    match rest[at..].iter().position(|&b| b == 0) {
        Some(end) => &rest[..at + end],
        None => rest,
    }
}

/// Decodes MUTF-8 bytes (without the terminating NUL).
pub fn decode(bytes: &[u8]) -> Decoded {
    // Fast path: plain ASCII without NUL is the overwhelming majority of DEX strings.
    if bytes.is_ascii() && !bytes.contains(&0) {
        return Decoded {
            // ASCII is valid UTF-8, checked just above.
            text: String::from_utf8(bytes.to_vec()).unwrap_or_default(),
            lossy: false,
            unpaired_surrogates: false,
        };
    }
    let mut text = String::with_capacity(bytes.len());
    let mut lossy = false;
    let mut unpaired_surrogates = false;
    let mut i = 0;
    while i < bytes.len() {
        let (unit, used) = match next_unit(&bytes[i..]) {
            Some(found) => found,
            None => {
                lossy = true;
                text.push(char::REPLACEMENT_CHARACTER);
                i += 1;
                continue;
            }
        };
        i += used;
        if (0xd800..0xdc00).contains(&unit) {
            // A high surrogate must be followed by a low surrogate to form one character.
            if let Some((low, used_low)) = bytes.get(i..).and_then(next_unit)
                && (0xdc00..0xe000).contains(&low)
            {
                let code = 0x10000 + ((u32::from(unit) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                if let Some(c) = char::from_u32(code) {
                    text.push(c);
                    i += used_low;
                    continue;
                }
            }
            unpaired_surrogates = true;
            text.push(char::REPLACEMENT_CHARACTER);
        } else if let Some(c) = char::from_u32(u32::from(unit)) {
            text.push(c);
        } else {
            // A lone low surrogate.
            unpaired_surrogates = true;
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    Decoded {
        text,
        lossy,
        unpaired_surrogates,
    }
}

/// Decodes one UTF-16 unit from the start of `bytes`; `None` for an invalid lead or continuation.
#[inline]
fn next_unit(bytes: &[u8]) -> Option<(u16, usize)> {
    let b0 = *bytes.first()?;
    match b0 {
        // A raw zero byte is not valid MUTF-8 (NUL is written `c0 80`), but decoding it as U+0000
        // keeps the rest of the string; the caller only passes bytes before the terminator.
        0x00..=0x7f => Some((u16::from(b0), 1)),
        0xc0..=0xdf => {
            let b1 = continuation(bytes.get(1))?;
            Some(((u16::from(b0 & 0x1f) << 6) | b1, 2))
        }
        0xe0..=0xef => {
            let b1 = continuation(bytes.get(1))?;
            let b2 = continuation(bytes.get(2))?;
            Some(((u16::from(b0 & 0x0f) << 12) | (b1 << 6) | b2, 3))
        }
        _ => None,
    }
}

#[inline]
fn continuation(byte: Option<&u8>) -> Option<u16> {
    let b = *byte?;
    (b & 0xc0 == 0x80).then_some(u16::from(b & 0x3f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_two_byte_nul() {
        assert_eq!(decode(b"abc").text, "abc");
        let d = decode(&[b'a', 0xc0, 0x80, b'b']);
        assert_eq!(d.text, "a\u{0}b");
        assert!(!d.lossy);
    }

    #[test]
    fn bmp_and_surrogate_pairs() {
        assert_eq!(decode("é€".as_bytes()).text, "é€");
        // U+1F600 as two MUTF-8 surrogates: ed a0 bd ed b8 80
        let d = decode(&[0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]);
        assert_eq!(d.text, "\u{1F600}");
        assert!(!d.lossy);
    }

    #[test]
    fn invalid_sequences_are_replaced() {
        let d = decode(&[0xff, b'x', 0xc3]);
        assert_eq!(d.text, "\u{FFFD}x\u{FFFD}");
        assert!(d.lossy);
        let lone = decode(&[0xed, 0xa0, 0xbd, b'z']);
        assert_eq!(lone.text, "\u{FFFD}z");
        assert!(lone.unpaired_surrogates);
        assert!(!lone.lossy, "a lone surrogate is valid MUTF-8");
    }

    #[test]
    fn terminated_stops_at_nul_or_end() {
        assert_eq!(terminated(b"ab\0cd", 0), b"ab");
        assert_eq!(terminated(b"ab", 1), b"b");
        assert_eq!(terminated(b"ab", 9), b"");
    }
}
