//! LEB128 decoding as DEX uses it: 32-bit values in one to five bytes, every read bounds-checked.

/// Reads an unsigned LEB128 value at `*pos`, advancing `*pos` past it.
///
/// Like ART's `DecodeUnsignedLeb128` (libartbase `leb128.h`), at most five bytes are consumed and the
/// unused high bits of the fifth byte are ignored. Returns `None` when the buffer ends first.
#[inline]
pub fn read_uleb128(data: &[u8], pos: &mut usize) -> Option<u32> {
    let mut result: u32 = 0;
    let mut shift = 0u32;
    let mut at = *pos;
    loop {
        let byte = *data.get(at)?;
        at += 1;
        result |= u32::from(byte & 0x7f).wrapping_shl(shift);
        if byte & 0x80 == 0 || shift == 28 {
            *pos = at;
            return Some(result);
        }
        shift += 7;
    }
}

/// Reads a `uleb128p1` value (the stored value minus one, so that -1 takes one byte).
#[inline]
pub fn read_uleb128p1(data: &[u8], pos: &mut usize) -> Option<i64> {
    read_uleb128(data, pos).map(|v| i64::from(v) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_spec_examples() {
        for (bytes, want) in [
            (&[0x00u8][..], 0u32),
            (&[0x01], 1),
            (&[0x7f], 127),
            (&[0x80, 0x7f], 16256),
            (&[0xff, 0xff, 0xff, 0xff, 0x0f], u32::MAX),
        ] {
            let mut pos = 0;
            assert_eq!(read_uleb128(bytes, &mut pos), Some(want));
            assert_eq!(pos, bytes.len());
        }
    }

    #[test]
    fn fifth_byte_ends_the_value_even_with_continuation_bit() {
        let mut pos = 0;
        let bytes = [0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_uleb128(&bytes, &mut pos), Some(u32::MAX));
        assert_eq!(pos, 5);
    }

    #[test]
    fn truncated_value_is_none() {
        let mut pos = 0;
        assert_eq!(read_uleb128(&[0x80, 0x80], &mut pos), None);
        assert_eq!(pos, 0);
        assert_eq!(read_uleb128(&[], &mut pos), None);
    }

    #[test]
    fn p1_variant() {
        let mut pos = 0;
        assert_eq!(read_uleb128p1(&[0x00], &mut pos), Some(-1));
    }
}
