//! Typed values (`Res_value`) as found in XML attributes and resource table entries, and their
//! text forms (the same spelling `aapt dump xmltree` uses for numbers, `@0x…` for references).

use std::fmt;
use std::sync::Arc;

use super::raw::{self, RawValue};

/// A decoded `Res_value`. Strings are looked up in the owning string pool when decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `TYPE_NULL` with `DATA_NULL_UNDEFINED`: no value.
    Null,
    /// `TYPE_NULL` with `DATA_NULL_EMPTY` (`@empty`).
    Empty,
    String(Arc<str>),
    /// `@0x7f040001`: a resource reference, to be resolved through `resources.arsc`.
    Reference(u32),
    /// `?0x7f010000`: a theme attribute reference.
    Attribute(u32),
    /// A reference into a shared library whose package id is assigned at run time.
    DynamicReference(u32),
    DynamicAttribute(u32),
    IntDec(i32),
    IntHex(u32),
    Bool(bool),
    Float(f32),
    /// Complex dimension, raw (`Res_value::COMPLEX_*` packing).
    Dimension(u32),
    /// Complex fraction, raw.
    Fraction(u32),
    /// A colour with the `Res_value` type it was stored as (`TYPE_INT_COLOR_*`).
    Color {
        data_type: u8,
        argb: u32,
    },
    /// A type this reader does not know, or a string whose index is unreadable.
    Raw {
        data_type: u8,
        data: u32,
    },
}

impl Value {
    /// Decodes a raw value; `string` looks up `TYPE_STRING` indexes.
    pub fn decode(raw: RawValue, string: impl Fn(u32) -> Option<Arc<str>>) -> Value {
        let data = raw.data;
        match raw.data_type {
            raw::TYPE_NULL if data == raw::DATA_NULL_EMPTY => Value::Empty,
            raw::TYPE_NULL => Value::Null,
            raw::TYPE_REFERENCE => Value::Reference(data),
            raw::TYPE_ATTRIBUTE => Value::Attribute(data),
            raw::TYPE_STRING => match string(data) {
                Some(text) => Value::String(text),
                None => Value::Raw {
                    data_type: raw.data_type,
                    data,
                },
            },
            raw::TYPE_FLOAT => Value::Float(f32::from_bits(data)),
            raw::TYPE_DIMENSION => Value::Dimension(data),
            raw::TYPE_FRACTION => Value::Fraction(data),
            raw::TYPE_DYNAMIC_REFERENCE => Value::DynamicReference(data),
            raw::TYPE_DYNAMIC_ATTRIBUTE => Value::DynamicAttribute(data),
            raw::TYPE_INT_DEC => Value::IntDec(data as i32),
            raw::TYPE_INT_HEX => Value::IntHex(data),
            raw::TYPE_INT_BOOLEAN => Value::Bool(data != 0),
            raw::TYPE_INT_COLOR_ARGB8
            | raw::TYPE_INT_COLOR_RGB8
            | raw::TYPE_INT_COLOR_ARGB4
            | raw::TYPE_INT_COLOR_RGB4 => Value::Color {
                data_type: raw.data_type,
                argb: data,
            },
            data_type => Value::Raw { data_type, data },
        }
    }

    /// The resource id this value points at, for references of either kind.
    pub fn reference(&self) -> Option<u32> {
        match self {
            Value::Reference(id) | Value::DynamicReference(id) => Some(*id),
            _ => None,
        }
    }

    /// The value as an integer, the way `TypedArray.getInt` reads int, hex and boolean data.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::IntDec(v) => Some(i64::from(*v)),
            Value::IntHex(v) => Some(i64::from(*v)),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::String(s) => parse_int_text(s),
            _ => None,
        }
    }

    /// The value as a boolean (`TypedArray.getBoolean`: any non-zero integer is true).
    /// `None` for kinds that cannot be booleans (references, floats, ...).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::IntDec(v) => Some(*v != 0),
            Value::IntHex(v) => Some(*v != 0),
            // XmlUtils.convertValueToBoolean: "1", "true" and "TRUE" are true, any other text false.
            Value::String(s) => Some(matches!(s.trim(), "1" | "true" | "TRUE")),
            _ => None,
        }
    }

    /// The value as a string when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses decimal or `0x` hexadecimal text, as `XmlUtils.convertValueToInt` does for string values.
pub fn parse_int_text(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `Res_value::COMPLEX_*` decoding: a 24-bit signed mantissa scaled by one of four radixes.
fn complex_value(data: u32) -> f64 {
    const RADIX_MULTIPLIERS: [f64; 4] = [
        1.0 / (1u64 << 8) as f64,
        1.0 / (1u64 << 15) as f64,
        1.0 / (1u64 << 23) as f64,
        1.0 / (1u64 << 31) as f64,
    ];
    let mantissa = (data & 0xffff_ff00) as i32;
    f64::from(mantissa) * RADIX_MULTIPLIERS[((data >> 4) & 0x3) as usize]
}

fn trim_float(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Empty => f.write_str("@empty"),
            Value::String(s) => f.write_str(s),
            Value::Reference(id) | Value::DynamicReference(id) => write!(f, "@0x{id:08x}"),
            Value::Attribute(id) | Value::DynamicAttribute(id) => write!(f, "?0x{id:08x}"),
            Value::IntDec(v) => write!(f, "{v}"),
            Value::IntHex(v) => write!(f, "0x{v:x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Float(v) => write!(f, "{}", trim_float(f64::from(*v))),
            Value::Dimension(data) => {
                const UNITS: [&str; 6] = ["px", "dp", "sp", "pt", "in", "mm"];
                let unit = UNITS.get((data & 0xf) as usize).copied().unwrap_or("");
                write!(f, "{}{unit}", trim_float(complex_value(*data)))
            }
            Value::Fraction(data) => {
                let unit = if data & 0xf == 1 { "%p" } else { "%" };
                write!(f, "{}{unit}", trim_float(complex_value(*data) * 100.0))
            }
            Value::Color { data_type, argb } => match *data_type {
                raw::TYPE_INT_COLOR_RGB8 => write!(f, "#{:06x}", argb & 0xff_ffff),
                raw::TYPE_INT_COLOR_ARGB4 => write!(
                    f,
                    "#{:x}{:x}{:x}{:x}",
                    (argb >> 28) & 0xf,
                    (argb >> 20) & 0xf,
                    (argb >> 12) & 0xf,
                    (argb >> 4) & 0xf
                ),
                raw::TYPE_INT_COLOR_RGB4 => {
                    write!(
                        f,
                        "#{:x}{:x}{:x}",
                        (argb >> 20) & 0xf,
                        (argb >> 12) & 0xf,
                        (argb >> 4) & 0xf
                    )
                }
                _ => write!(f, "#{argb:08x}"),
            },
            Value::Raw { data_type, data } => write!(f, "(type 0x{data_type:02x})0x{data:x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(data_type: u8, data: u32) -> Value {
        Value::decode(RawValue { data_type, data }, |_| Some(Arc::from("s")))
    }

    #[test]
    fn decodes_and_prints_each_type() {
        assert_eq!(decode(0x00, 0), Value::Null);
        assert_eq!(decode(0x00, 1).to_string(), "@empty");
        assert_eq!(decode(0x01, 0x7f04_0001).to_string(), "@0x7f040001");
        assert_eq!(decode(0x02, 0x0101_0000).to_string(), "?0x01010000");
        assert_eq!(decode(0x03, 9).to_string(), "s");
        assert_eq!(decode(0x04, 1.5f32.to_bits()).to_string(), "1.5");
        assert_eq!(decode(0x05, (16 << 8) | 1).to_string(), "16dp");
        assert_eq!(decode(0x06, 1 << 8).to_string(), "100%");
        assert_eq!(decode(0x10, (-3i32) as u32).to_string(), "-3");
        assert_eq!(decode(0x11, 0x20).to_string(), "0x20");
        assert_eq!(decode(0x12, 0xffff_ffff), Value::Bool(true));
        assert_eq!(decode(0x1c, 0xff00_ff00).to_string(), "#ff00ff00");
        assert_eq!(decode(0x1d, 0xff12_3456).to_string(), "#123456");
        assert_eq!(decode(0x77, 5).to_string(), "(type 0x77)0x5");
    }

    #[test]
    fn unreadable_string_index_is_raw() {
        let v = Value::decode(
            RawValue {
                data_type: 0x03,
                data: 7,
            },
            |_| None,
        );
        assert_eq!(
            v,
            Value::Raw {
                data_type: 3,
                data: 7
            }
        );
    }

    #[test]
    fn integer_text_forms() {
        assert_eq!(parse_int_text("0x10"), Some(16));
        assert_eq!(parse_int_text(" 42 "), Some(42));
        assert_eq!(parse_int_text("-7"), Some(-7));
        assert_eq!(parse_int_text("x"), None);
    }
}
