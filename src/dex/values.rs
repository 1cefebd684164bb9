//! Values that reach a call: a pass over one method's code units that follows constant strings
//! register by register and records which of them reach which argument of each `invoke-*`.
//!
//! Followed: `const-string` literals, `move-object` copies, `check-cast`, strings built with a
//! `StringBuilder` (or `StringBuffer`) from constants (`<init>(String)`, `append` of a string, of a
//! `char` or `int` literal, `toString`), `String.concat` and Kotlin's `Intrinsics.stringPlus` of
//! constants, `android.util.Base64.decode(String, int)` and `java.util.Base64$Decoder.decode(String)`
//! of a constant turned back into text by `new String(byte[] ...)`, and `Uri.parse`, whose `Uri`
//! stands for the string it parsed (so a content URI reaches `ContentResolver.query`).
//!
//! The pass is linear and flow-insensitive: instructions are read once, in code order, and a
//! register holds the value of the last instruction writing it in that order. Branch targets do
//! not clear the state, on purpose: compilers keep a value in its register across the joins of an
//! `if`, and clearing would lose the common `url = "..."; if (debug) log(); new URL(url)`. The
//! price is that a value written on one branch may be taken to reach a call on another; it is
//! always a value the method can produce. Every instruction that writes a register the pass does
//! not model makes it unknown; a builder passed to any call the pass does not model may have been
//! changed there and is no longer followed. Everything is capped (registers, texts, builders and
//! their length, values per method), and hostile code (registers out of range, truncated
//! instructions, huge register counts) only makes values unknown.

use super::walk::{step, unit};

/// Highest register a method may use plus one (`move/16` and `invoke-*/range` address 16-bit
/// registers; a range may run 255 past the last one).
const MAX_REGISTERS: usize = (1 << 16) + 256;
/// Longest text built or decoded; a builder growing past it is no longer followed (a cut URL
/// would name the wrong endpoint).
pub const MAX_VALUE_LEN: usize = 4096;
/// Most builders, built texts and decoded byte strings followed in one method.
const MAX_OBJECTS: usize = 256;
/// Most argument values recorded for one method.
pub const MAX_ARGUMENTS_PER_METHOD: usize = 256;

/// How an argument's string was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// A `const-string` literal.
    Literal,
    /// Assembled from constants by `StringBuilder`/`StringBuffer`, `String.concat` or
    /// Kotlin's `stringPlus`.
    Built,
    /// Decoded from a base64 constant by `Base64.decode` and `new String(byte[])`.
    Base64,
}

impl How {
    /// The JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            How::Literal => "literal",
            How::Built => "built",
            How::Base64 => "base64",
        }
    }
}

/// A value found reaching an argument, before strings are rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    /// A literal: the string id of its `const-string`.
    Pool(u32),
    /// A text the code builds or decodes.
    Text(String, How),
}

/// One argument of one call whose value is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawArgument {
    /// Offset in code units of the `invoke-*`.
    pub offset: u32,
    /// The invoked method (`method_ids` index).
    pub method: u32,
    /// Position of the register in the invoke's list (the receiver of an instance method is 0; a
    /// `long` or `double` takes two positions).
    pub argument: u8,
    pub value: RawValue,
}

/// What a called method does to the values the pass follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Anything else: its string arguments are recorded.
    Other,
    /// `StringBuilder.<init>()` or `<init>(int)`.
    BuilderInit,
    /// `StringBuilder.<init>(String)` or `<init>(CharSequence)`.
    BuilderInitText,
    /// `append(String)`, `append(CharSequence)`, `append(Object)`.
    AppendText,
    /// `append(char)`.
    AppendChar,
    /// `append(int)`.
    AppendInt,
    /// `StringBuilder.toString()`.
    BuilderToString,
    /// Any other method of a builder class.
    BuilderOther,
    /// `android.util.Base64.decode(String, int)`.
    Base64Decode,
    /// `java.util.Base64$Decoder.decode(String)`.
    DecoderDecode,
    /// `String.<init>(byte[] ...)`.
    StringFromBytes,
    /// `String.concat(String)`.
    Concat,
    /// `kotlin.jvm.internal.Intrinsics.stringPlus(String, Object)`.
    StringPlus,
    /// `android.net.Uri.parse(String)`.
    UriParse,
}

/// What `new-instance` creates, for the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Builder,
    String,
    Other,
}

/// What the pass needs from the DEX: texts of string ids, what invoked methods do, what
/// instantiated types are. Implemented over a [`super::DexFile`] with caches, and by tests.
pub trait Constants {
    /// The text of string `index`, `None` when it is out of range.
    fn string(&mut self, index: u32) -> Option<String>;
    fn method(&mut self, index: u32) -> Known;
    fn created(&mut self, type_index: u32) -> Created;
}

/// Classifies a method by its class descriptor, name and prototype (`(Ljava/lang/String;)V`).
pub fn classify(class: &[u8], name: &[u8], proto: &str) -> Known {
    match class {
        b"Ljava/lang/StringBuilder;" | b"Ljava/lang/StringBuffer;" => match (name, proto) {
            (b"<init>", "()V" | "(I)V") => Known::BuilderInit,
            (b"<init>", "(Ljava/lang/String;)V" | "(Ljava/lang/CharSequence;)V") => {
                Known::BuilderInitText
            }
            (b"append", p)
                if p.starts_with("(Ljava/lang/String;)")
                    || p.starts_with("(Ljava/lang/CharSequence;)")
                    || p.starts_with("(Ljava/lang/Object;)") =>
            {
                Known::AppendText
            }
            (b"append", p) if p.starts_with("(C)") => Known::AppendChar,
            (b"append", p) if p.starts_with("(I)") => Known::AppendInt,
            (b"toString", "()Ljava/lang/String;") => Known::BuilderToString,
            _ => Known::BuilderOther,
        },
        b"Landroid/util/Base64;" if name == b"decode" && proto == "(Ljava/lang/String;I)[B" => {
            Known::Base64Decode
        }
        b"Ljava/util/Base64$Decoder;" if name == b"decode" && proto == "(Ljava/lang/String;)[B" => {
            Known::DecoderDecode
        }
        b"Ljava/lang/String;" => match name {
            b"<init>" if proto.starts_with("([B") => Known::StringFromBytes,
            b"concat" if proto == "(Ljava/lang/String;)Ljava/lang/String;" => Known::Concat,
            _ => Known::Other,
        },
        b"Lkotlin/jvm/internal/Intrinsics;"
            if name == b"stringPlus"
                && proto == "(Ljava/lang/String;Ljava/lang/Object;)Ljava/lang/String;" =>
        {
            Known::StringPlus
        }
        b"Landroid/net/Uri;" if name == b"parse" => Known::UriParse,
        _ => Known::Other,
    }
}

/// What `new-instance` of a type with this descriptor creates.
pub fn created(descriptor: &[u8]) -> Created {
    match descriptor {
        b"Ljava/lang/StringBuilder;" | b"Ljava/lang/StringBuffer;" => Created::Builder,
        b"Ljava/lang/String;" => Created::String,
        _ => Created::Other,
    }
}

/// A text the pass holds: a literal of the string table or one it made (index in `texts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Text {
    Pool(u32),
    Made(u16),
}

/// What a register holds, as far as the pass knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Unknown,
    Int(i32),
    Text(Text, How),
    /// A builder (index in `builders`).
    Builder(u16),
    /// A `String` allocated and not yet initialised.
    FreshString,
    /// Bytes decoded from base64 (index in `bytes`).
    Bytes(u16),
}

/// The state of the pass, reused from method to method.
#[derive(Default)]
pub struct ValuePass {
    registers: Vec<Value>,
    /// Texts made in the current method.
    texts: Vec<String>,
    /// Builders of the current method: their text, `None` once it is no longer followed.
    builders: Vec<Option<String>>,
    bytes: Vec<Vec<u8>>,
    /// What the last `invoke-*` returns, for the `move-result-object` after it.
    pending: Option<Value>,
    /// The registers of the invoke being read (at most 255), kept to reuse its allocation.
    args: Vec<u32>,
}

impl ValuePass {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs over the code units `insns` (little-endian bytes) and appends to `out` every argument
    /// whose value is known, at most [`MAX_ARGUMENTS_PER_METHOD`]. Stops at a truncated
    /// instruction, keeping what it found before.
    pub fn run(&mut self, insns: &[u8], constants: &mut dyn Constants, out: &mut Vec<RawArgument>) {
        self.registers.clear();
        self.texts.clear();
        self.builders.clear();
        self.bytes.clear();
        self.pending = None;
        let start = out.len();
        let units = insns.len() / 2;
        let mut pc = 0usize;
        while pc < units {
            let (_, width) = match step(insns, pc) {
                Ok(s) => s,
                Err(_) => break,
            };
            let u = |i: usize| u32::from(unit(insns, pc + i));
            let first = u(0);
            let opcode = first & 0xff;
            let a4 = (first >> 8) & 0xf;
            let b4 = first >> 12;
            let aa = first >> 8;
            // The result of an invoke is only for the instruction right after it.
            let pending = self.pending.take();
            match opcode {
                // move, move-object (12x), /from16 (22x), /16 (32x): copies.
                0x01 | 0x07 => self.set(a4, self.get(b4)),
                0x02 | 0x08 => self.set(aa, self.get(u(1))),
                0x03 | 0x09 => self.set(u(1), self.get(u(2))),
                0x0c => self.set(aa, pending.unwrap_or(Value::Unknown)),
                0x12 => self.set(a4, Value::Int(((first as i32) << 16) >> 28)),
                0x13 => self.set(aa, Value::Int(i32::from(u(1) as u16 as i16))),
                0x14 => self.set(aa, Value::Int((u(1) | (u(2) << 16)) as i32)),
                0x15 => self.set(aa, Value::Int((u(1) << 16) as i32)),
                0x1a => self.set(aa, Value::Text(Text::Pool(u(1)), How::Literal)),
                0x1b => self.set(aa, Value::Text(Text::Pool(u(1) | (u(2) << 16)), How::Literal)),
                // check-cast keeps the object.
                0x1f => {}
                0x22 => {
                    let value = match constants.created(u(1)) {
                        Created::Builder => self.new_builder(),
                        Created::String => Value::FreshString,
                        Created::Other => Value::Unknown,
                    };
                    self.set(aa, value);
                }
                0x6e..=0x72 | 0x74..=0x78 => {
                    let mut args = std::mem::take(&mut self.args);
                    if arg_registers(opcode, first, u(2), &mut args) {
                        self.invoke(pc as u32, u(1), &args, constants, out, start);
                    }
                    self.args = args;
                }
                // Calls the pass does not model: what they return is unknown, and a builder they
                // are given may change.
                0x24 | 0x25 | 0xfa..=0xfd => {
                    let mut args = std::mem::take(&mut self.args);
                    if arg_registers(opcode, first, u(2), &mut args) {
                        self.escape(&args);
                    }
                    self.args = args;
                }
                _ => {
                    let (reg, wide) = match WRITES[opcode as usize] {
                        Writes::Nothing => (u32::MAX, false),
                        Writes::A4 { wide } => (a4, wide),
                        Writes::Aa { wide } => (aa, wide),
                    };
                    if reg != u32::MAX {
                        self.set(reg, Value::Unknown);
                        if wide {
                            self.set(reg + 1, Value::Unknown);
                        }
                    }
                }
            }
            pc += width;
        }
    }

    fn get(&self, reg: u32) -> Value {
        self.registers
            .get(reg as usize)
            .copied()
            .unwrap_or(Value::Unknown)
    }

    fn set(&mut self, reg: u32, value: Value) {
        let reg = reg as usize;
        if reg >= MAX_REGISTERS {
            return;
        }
        if reg >= self.registers.len() {
            if value == Value::Unknown {
                return;
            }
            self.registers.resize(reg + 1, Value::Unknown);
        }
        self.registers[reg] = value;
    }

    fn new_builder(&mut self) -> Value {
        if self.builders.len() >= MAX_OBJECTS {
            return Value::Unknown;
        }
        self.builders.push(Some(String::new()));
        Value::Builder((self.builders.len() - 1) as u16)
    }

    fn made(&mut self, text: String, how: How) -> Value {
        if text.len() > MAX_VALUE_LEN || self.texts.len() >= MAX_OBJECTS {
            return Value::Unknown;
        }
        self.texts.push(text);
        Value::Text(Text::Made((self.texts.len() - 1) as u16), how)
    }

    fn text(&self, text: Text, constants: &mut dyn Constants) -> Option<String> {
        match text {
            Text::Pool(i) => constants.string(i),
            Text::Made(i) => self.texts.get(i as usize).cloned(),
        }
    }

    /// The text in `reg`, if it holds one.
    fn text_in(&self, reg: u32, constants: &mut dyn Constants) -> Option<String> {
        match self.get(reg) {
            Value::Text(text, _) => self.text(text, constants),
            _ => None,
        }
    }

    /// Stops following the builders among `args`.
    fn escape(&mut self, args: &[u32]) {
        for &reg in args {
            if let Value::Builder(b) = self.get(reg) {
                self.builders[b as usize] = None;
            }
        }
    }

    /// Appends `piece` to builder `b` (`None`: something unknown, the builder is lost).
    fn append(&mut self, b: u16, piece: Option<String>) {
        let slot = &mut self.builders[b as usize];
        *slot = match (slot.take(), piece) {
            (Some(mut text), Some(piece)) if text.len() + piece.len() <= MAX_VALUE_LEN => {
                text.push_str(&piece);
                Some(text)
            }
            _ => None,
        };
    }

    fn invoke(
        &mut self,
        offset: u32,
        method: u32,
        args: &[u32],
        constants: &mut dyn Constants,
        out: &mut Vec<RawArgument>,
        start: usize,
    ) {
        let known = constants.method(method);
        let receiver = args.first().map(|&r| self.get(r));
        let builder = match receiver {
            Some(Value::Builder(b)) => Some(b),
            _ => None,
        };
        let second = args.get(1).copied();
        let mut result = Value::Unknown;
        match known {
            Known::Other | Known::UriParse => {
                self.record(offset, method, args, out, start);
                self.escape(args);
                if known == Known::UriParse
                    && let Some(&reg) = args.first()
                    && let Value::Text(..) = self.get(reg)
                {
                    result = self.get(reg);
                }
            }
            Known::BuilderInit => {}
            Known::BuilderInitText => {
                if let Some(b) = builder {
                    let piece = second.and_then(|r| self.text_in(r, constants));
                    self.builders[b as usize] = Some(String::new());
                    self.append(b, piece);
                }
            }
            Known::AppendText | Known::AppendChar | Known::AppendInt => {
                if let Some(b) = builder {
                    let value = second.map_or(Value::Unknown, |r| self.get(r));
                    let piece = match (known, value) {
                        (Known::AppendText, Value::Text(text, _)) => self.text(text, constants),
                        (Known::AppendChar, Value::Int(c)) => {
                            char::from_u32(c as u32 & 0xffff).map(String::from)
                        }
                        (Known::AppendInt, Value::Int(i)) => Some(i.to_string()),
                        _ => None,
                    };
                    self.append(b, piece);
                    result = Value::Builder(b);
                }
                // A builder appended to another is read there: it is no longer followed.
                self.escape(args.get(1..).unwrap_or(&[]));
            }
            Known::BuilderToString => {
                if let Some(b) = builder
                    && let Some(text) = self.builders[b as usize].clone()
                {
                    result = self.made(text, How::Built);
                }
            }
            Known::BuilderOther => self.escape(args),
            Known::Base64Decode | Known::DecoderDecode => {
                let input = if known == Known::Base64Decode {
                    args.first()
                } else {
                    args.get(1)
                };
                if let Some(text) = input.and_then(|&r| self.text_in(r, constants))
                    && text.len() <= 2 * MAX_VALUE_LEN
                    && self.bytes.len() < MAX_OBJECTS
                {
                    let compact: String = text.split_ascii_whitespace().collect();
                    if let Some(bytes) = decode_base64(&compact) {
                        self.bytes.push(bytes);
                        result = Value::Bytes((self.bytes.len() - 1) as u16);
                    }
                }
            }
            Known::StringFromBytes => {
                if let (Some(&target), Some(Value::FreshString)) = (args.first(), receiver) {
                    let decoded = match second.map(|r| self.get(r)) {
                        Some(Value::Bytes(k)) => {
                            String::from_utf8(self.bytes[k as usize].clone()).ok()
                        }
                        _ => None,
                    };
                    let value = match decoded {
                        Some(text) => self.made(text, How::Base64),
                        None => Value::Unknown,
                    };
                    self.set(target, value);
                }
            }
            Known::Concat | Known::StringPlus => {
                let joined = match (args.first(), second) {
                    (Some(&a), Some(b)) => self
                        .text_in(a, constants)
                        .zip(self.text_in(b, constants))
                        .map(|(a, b)| a + &b),
                    _ => None,
                };
                if let Some(text) = joined {
                    result = self.made(text, How::Built);
                }
                self.escape(args);
            }
        }
        self.pending = Some(result);
    }

    /// Records the arguments of a call whose value is a known text.
    fn record(
        &self,
        offset: u32,
        method: u32,
        args: &[u32],
        out: &mut Vec<RawArgument>,
        start: usize,
    ) {
        for (position, &reg) in args.iter().enumerate() {
            if out.len() - start >= MAX_ARGUMENTS_PER_METHOD {
                return;
            }
            let Value::Text(text, how) = self.get(reg) else {
                continue;
            };
            let value = match text {
                Text::Pool(i) => RawValue::Pool(i),
                Text::Made(i) => RawValue::Text(self.texts[i as usize].clone(), how),
            };
            out.push(RawArgument {
                offset,
                method,
                // At most 255 registers: the position fits.
                argument: position as u8,
                value,
            });
        }
    }
}

/// The registers an invoke-like instruction (35c, 3rc and their 45cc/4rcc forms) passes, into
/// `regs`; false for a 35c count above 5, which no valid code has.
fn arg_registers(opcode: u32, first: u32, third: u32, regs: &mut Vec<u32>) -> bool {
    regs.clear();
    let range = matches!(opcode, 0x74..=0x78 | 0x25 | 0xfb | 0xfd);
    if range {
        // At most 255 registers, from a 16-bit first one: no overflow.
        let count = first >> 8;
        regs.extend(third..third + count);
    } else {
        let count = (first >> 12) as usize;
        if count > 5 {
            return false;
        }
        let list = [
            third & 0xf,
            (third >> 4) & 0xf,
            (third >> 8) & 0xf,
            (third >> 12) & 0xf,
            (first >> 8) & 0xf,
        ];
        regs.extend_from_slice(&list[..count]);
    }
    true
}

/// Which register an instruction the pass does not model writes: none, `vA` (4 bits) or `vAA`
/// (8 bits), and whether it writes a pair (`long`, `double`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writes {
    Nothing,
    A4 { wide: bool },
    Aa { wide: bool },
}

/// [`Writes`] of every opcode, made once from the opcode table's names (a conversion or an
/// operation whose result type is `long` or `double` writes a pair).
static WRITES: std::sync::LazyLock<[Writes; 256]> = std::sync::LazyLock::new(|| {
    let mut table = [Writes::Nothing; 256];
    for (opcode, slot) in table.iter_mut().enumerate() {
        let name = super::opcodes::OPCODES[opcode].name;
        let base = name.trim_end_matches("/2addr");
        let wide_result = matches!(base.rsplit('-').next(), Some("long" | "double"));
        *slot = match opcode {
            0x04 => Writes::A4 { wide: true },
            0x05 | 0x06 | 0x0b | 0x16..=0x19 => Writes::Aa { wide: true },
            0x0a | 0x0d | 0x1c | 0xfe | 0xff | 0x2d..=0x31 | 0xd8..=0xe2 => {
                Writes::Aa { wide: false }
            }
            0x20 | 0x21 | 0x23 | 0xd0..=0xd7 => Writes::A4 { wide: false },
            0x44..=0x4a => Writes::Aa { wide: opcode == 0x45 },
            0x52..=0x58 => Writes::A4 { wide: opcode == 0x53 },
            0x60..=0x66 => Writes::Aa { wide: opcode == 0x61 },
            0x7b..=0x8f | 0xb0..=0xcf => Writes::A4 { wide: wide_result },
            0x90..=0xaf => Writes::Aa { wide: wide_result },
            _ => Writes::Nothing,
        };
    }
    table
});

/// Base64 of either alphabet (not both in one string), with or without `=` padding; `None` when
/// the text is not base64.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    let url_safe = body.bytes().any(|b| matches!(b, b'-' | b'_'));
    let standard = body.bytes().any(|b| matches!(b, b'+' | b'/'));
    if padding > 2 || (padding > 0 && !text.len().is_multiple_of(4)) || body.len() % 4 == 1 {
        return None;
    }
    if url_safe && standard {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        }
        .into())
    };
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in body.bytes() {
        acc = (acc << 6) | value(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// [`Constants`] over a DEX file: what each invoked method and instantiated type is, classified
/// on first sight and remembered by id.
pub struct DexConstants<'d, 'a> {
    dex: &'d super::DexFile<'a>,
    /// By `method_ids` index: `None` until classified.
    methods: Vec<Option<Known>>,
    /// By `type_ids` index.
    types: Vec<Option<Created>>,
}

impl<'d, 'a> DexConstants<'d, 'a> {
    pub fn new(dex: &'d super::DexFile<'a>) -> Self {
        DexConstants {
            dex,
            methods: vec![None; dex.method_ids.count as usize],
            types: vec![None; dex.type_ids.count as usize],
        }
    }
}

impl Constants for DexConstants<'_, '_> {
    fn string(&mut self, index: u32) -> Option<String> {
        let bytes = self.dex.string_bytes(index)?;
        // Texts past the cap are never followed: spare the decoding.
        if bytes.len() > 2 * MAX_VALUE_LEN {
            return None;
        }
        Some(super::mutf8::decode(bytes).text)
    }

    fn method(&mut self, index: u32) -> Known {
        let Some(slot) = self.methods.get_mut(index as usize) else {
            return Known::Other;
        };
        *slot.get_or_insert_with(|| {
            let dex = self.dex;
            let Some(id) = dex.method_id(index) else {
                return Known::Other;
            };
            let class = dex
                .type_descriptor_bytes(u32::from(id.class_idx))
                .unwrap_or(b"");
            // Only the few classes the pass models need their prototype rendered.
            if created(class) == Created::Other
                && !matches!(
                    class,
                    b"Landroid/util/Base64;"
                        | b"Ljava/util/Base64$Decoder;"
                        | b"Lkotlin/jvm/internal/Intrinsics;"
                        | b"Landroid/net/Uri;"
                )
            {
                return Known::Other;
            }
            let name = dex.string_bytes(id.name_idx).unwrap_or(b"");
            let proto = dex.proto_signature(u32::from(id.proto_idx));
            classify(class, name, &proto)
        })
    }

    fn created(&mut self, type_index: u32) -> Created {
        let Some(slot) = self.types.get_mut(type_index as usize) else {
            return Created::Other;
        };
        *slot.get_or_insert_with(|| {
            created(self.dex.type_descriptor_bytes(type_index).unwrap_or(b""))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings, methods and types of a hand-made DEX: string `i` is `strings[i]`; methods and
    /// types by index.
    struct Fake {
        strings: Vec<&'static str>,
        methods: Vec<Known>,
        types: Vec<Created>,
    }

    impl Constants for Fake {
        fn string(&mut self, index: u32) -> Option<String> {
            self.strings.get(index as usize).map(|s| (*s).to_owned())
        }
        fn method(&mut self, index: u32) -> Known {
            self.methods
                .get(index as usize)
                .copied()
                .unwrap_or(Known::Other)
        }
        fn created(&mut self, type_index: u32) -> Created {
            self.types
                .get(type_index as usize)
                .copied()
                .unwrap_or(Created::Other)
        }
    }

    // Method ids of the fake.
    const SINK: u16 = 0;
    const SB_INIT: u16 = 1;
    const APPEND: u16 = 2;
    const TO_STRING: u16 = 3;
    const DECODE: u16 = 4;
    const STRING_INIT: u16 = 5;
    const APPEND_CHAR: u16 = 6;
    const APPEND_INT: u16 = 7;
    const URI_PARSE: u16 = 8;
    const OTHER_SB: u16 = 9;
    const SB_INIT_TEXT: u16 = 10;
    // Type ids.
    const BUILDER: u16 = 0;
    const STRING: u16 = 1;

    fn fake() -> Fake {
        Fake {
            strings: vec![
                "https://",
                "example.net",
                "/api",
                "aHR0cHM6Ly9jMi5leGFtcGxlLm9yZy9nYXRl",
                "content://sms/inbox",
                "android_id",
            ],
            methods: vec![
                Known::Other,
                Known::BuilderInit,
                Known::AppendText,
                Known::BuilderToString,
                Known::Base64Decode,
                Known::StringFromBytes,
                Known::AppendChar,
                Known::AppendInt,
                Known::UriParse,
                Known::BuilderOther,
                Known::BuilderInitText,
            ],
            types: vec![Created::Builder, Created::String],
        }
    }

    fn bytes(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    /// (offset, method, argument, text, how) of every known argument.
    fn run(units: &[u16]) -> Vec<(u32, u32, u8, String, How)> {
        let mut fake = fake();
        let mut out = Vec::new();
        ValuePass::new().run(&bytes(units), &mut fake, &mut out);
        out.into_iter()
            .map(|a| {
                let (text, how) = match a.value {
                    RawValue::Pool(i) => (
                        fake.strings.get(i as usize).map_or("?", |s| *s).to_owned(),
                        How::Literal,
                    ),
                    RawValue::Text(t, how) => (t, how),
                };
                (a.offset, a.method, a.argument, text, how)
            })
            .collect()
    }

    // Encoders of the few instructions the tests use.
    fn const_string(reg: u16, string: u16) -> [u16; 2] {
        [0x1a | (reg << 8), string]
    }
    /// invoke-{kind} {regs}, method (35c); `kind` 0x6e virtual .. 0x72 interface.
    fn invoke(kind: u16, method: u16, regs: &[u16]) -> [u16; 3] {
        let mut list = [0u16; 5];
        list[..regs.len()].copy_from_slice(regs);
        [
            kind | ((regs.len() as u16) << 12) | (list[4] << 8),
            method,
            list[0] | (list[1] << 4) | (list[2] << 8) | (list[3] << 12),
        ]
    }
    fn move_result_object(reg: u16) -> [u16; 1] {
        [0x0c | (reg << 8)]
    }
    fn new_instance(reg: u16, ty: u16) -> [u16; 2] {
        [0x22 | (reg << 8), ty]
    }

    #[test]
    fn literal_reaches_the_argument_it_is_passed_as() {
        let code = [
            &const_string(0, 5)[..],
            &const_string(1, 4),
            &[0x0207], // move-object v2, v0
            &invoke(0x71, SINK, &[3, 2])[..],
            &invoke(0x6e, SINK, &[1])[..],
        ]
        .concat();
        assert_eq!(
            run(&code),
            vec![
                (5, 0, 1, "android_id".to_owned(), How::Literal),
                (8, 0, 0, "content://sms/inbox".to_owned(), How::Literal),
            ]
        );
    }

    #[test]
    fn a_write_forgets_the_string() {
        let code = [
            &const_string(0, 0)[..],
            &[0x0012], // const/4 v0, 0
            &invoke(0x71, SINK, &[0])[..],
            &const_string(1, 0),
            &[0x0152, 0x0003], // iget v1, v0, field@3
            &invoke(0x71, SINK, &[1])[..],
        ]
        .concat();
        assert_eq!(run(&code), vec![]);
    }

    #[test]
    fn builder_of_constants_is_built() {
        let code = [
            &new_instance(0, BUILDER)[..],
            &invoke(0x70, SB_INIT, &[0]),
            &const_string(1, 0),
            &invoke(0x6e, APPEND, &[0, 1]),
            &move_result_object(0),
            &const_string(1, 1),
            &invoke(0x6e, APPEND, &[0, 1]),
            &[0x3212], // const/4 v2, 3
            &invoke(0x6e, APPEND_INT, &[0, 2]),
            &[0x0213, 0x002f], // const/16 v2, '/'
            &invoke(0x6e, APPEND_CHAR, &[0, 2]),
            &const_string(1, 2),
            &invoke(0x6e, APPEND, &[0, 1]),
            &invoke(0x6e, TO_STRING, &[0]),
            &move_result_object(3),
            &invoke(0x70, SINK, &[4, 3]),
        ]
        .concat();
        let got = run(&code);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].2, 1);
        assert_eq!(got[0].3, "https://example.net3//api");
        assert_eq!(got[0].4, How::Built);
    }

    #[test]
    fn builder_with_an_unknown_piece_or_escaping_is_not_followed() {
        let unknown_piece = [
            &new_instance(0, BUILDER)[..],
            &const_string(1, 0),
            &invoke(0x70, SB_INIT_TEXT, &[0, 1]),
            &[0x0260, 0x0001], // sget-object v2, field@1
            &invoke(0x6e, APPEND, &[0, 2]),
            &invoke(0x6e, TO_STRING, &[0]),
            &move_result_object(3),
            &invoke(0x71, SINK, &[3]),
        ]
        .concat();
        assert_eq!(run(&unknown_piece), vec![]);
        let escaping = [
            &new_instance(0, BUILDER)[..],
            &const_string(1, 0),
            &invoke(0x70, SB_INIT_TEXT, &[0, 1]),
            &invoke(0x71, SINK, &[0]),
            &invoke(0x6e, OTHER_SB, &[0]),
            &invoke(0x6e, TO_STRING, &[0]),
            &move_result_object(3),
            &invoke(0x71, SINK, &[3]),
        ]
        .concat();
        assert_eq!(run(&escaping), vec![]);
    }

    #[test]
    fn base64_decoded_into_a_string() {
        let code = [
            &const_string(0, 3)[..],
            &[0x0112], // const/4 v1, 0
            &invoke(0x71, DECODE, &[0, 1]),
            &move_result_object(0),
            &new_instance(1, STRING),
            &invoke(0x70, STRING_INIT, &[1, 0]),
            &invoke(0x6e, SINK, &[2, 1]),
        ]
        .concat();
        let got = run(&code);
        assert_eq!(
            got,
            vec![(12, 0, 1, "https://c2.example.org/gate".to_owned(), How::Base64)]
        );
    }

    #[test]
    fn uri_parse_carries_its_string_and_range_invokes_are_read() {
        let code = [
            &const_string(5, 4)[..],
            &invoke(0x71, URI_PARSE, &[5]),
            &move_result_object(6),
            // invoke-virtual/range {v4 .. v8}, method@0
            &[0x0574, SINK, 0x0004],
        ]
        .concat();
        let got = run(&code);
        assert_eq!(
            got,
            vec![
                (0x2, 8, 0, "content://sms/inbox".to_owned(), How::Literal),
                (0x6, 0, 1, "content://sms/inbox".to_owned(), How::Literal),
                (0x6, 0, 2, "content://sms/inbox".to_owned(), How::Literal),
            ]
        );
    }

    #[test]
    fn hostile_code_never_panics() {
        // Registers far out of range, huge range counts, truncated instructions, 35c counts
        // above five, payloads, unknown string ids.
        let cases: Vec<Vec<u16>> = vec![
            vec![0xff1a, 0xffff, 0xff74, 0x0000, 0xffff],
            vec![0xff74, 0x0000, 0xff00],
            vec![0x0309, 0xffff, 0xfff0, 0x0374, 0x0000, 0xfffe],
            vec![0xf06e, 0x0000, 0xffff],
            vec![0x001a],
            vec![0x0022, 0x0000, 0x106e, 0x0002],
            vec![0x0100, 0x0002, 0x0000, 0x0000, 0x0003, 0x0000],
            vec![0x001b, 0xffff, 0xffff, 0x1071, 0x0000, 0x0000],
            vec![0x000c, 0x010c, 0x0073, 0x00fa, 0xffff, 0xffff, 0xffff],
        ];
        for case in cases {
            let _ = run(&case);
        }
        // Every opcode with every register byte, followed by a call on the high registers.
        for opcode in 0..=0xffu16 {
            for reg in [0u16, 0x0f, 0xff] {
                let code = vec![opcode | (reg << 8), 0xffff, 0xffff, 0xffff, 0xffff, 0xff74, 0, 0xff00];
                let _ = run(&code);
            }
        }
    }

    #[test]
    fn arguments_per_method_are_capped() {
        let mut code = const_string(0, 0).to_vec();
        for _ in 0..2 * MAX_ARGUMENTS_PER_METHOD {
            code.extend(invoke(0x71, SINK, &[0, 0, 0]));
        }
        assert_eq!(run(&code).len(), MAX_ARGUMENTS_PER_METHOD);
    }

    #[test]
    fn long_builders_are_dropped() {
        let mut fake = fake();
        fake.strings[0] = Box::leak("x".repeat(1000).into_boxed_str());
        let mut code = [&new_instance(0, BUILDER)[..], &invoke(0x70, SB_INIT, &[0]), &const_string(1, 0)].concat();
        for _ in 0..5 {
            code.extend(invoke(0x6e, APPEND, &[0, 1]));
        }
        code.extend(invoke(0x6e, TO_STRING, &[0]));
        code.extend(move_result_object(2));
        code.extend(invoke(0x71, SINK, &[2]));
        let mut out = Vec::new();
        ValuePass::new().run(&bytes(&code), &mut fake, &mut out);
        assert!(out.iter().all(|a| a.method != SINK as u32 || matches!(a.value, RawValue::Pool(_))));
    }

    #[test]
    fn writes_of_unmodelled_instructions() {
        assert_eq!(WRITES[0x9b], Writes::Aa { wide: true }, "add-long");
        assert_eq!(WRITES[0x90], Writes::Aa { wide: false }, "add-int");
        assert_eq!(WRITES[0x81], Writes::A4 { wide: true }, "int-to-long");
        assert_eq!(WRITES[0x84], Writes::A4 { wide: false }, "long-to-int");
        assert_eq!(WRITES[0xcb], Writes::A4 { wide: true }, "add-double/2addr");
        assert_eq!(WRITES[0x59], Writes::Nothing, "iput");
        assert_eq!(WRITES[0x53], Writes::A4 { wide: true }, "iget-wide");
    }

    #[test]
    fn classification_by_signature() {
        assert_eq!(
            classify(b"Ljava/lang/StringBuilder;", b"append", "(Ljava/lang/String;)Ljava/lang/StringBuilder;"),
            Known::AppendText
        );
        assert_eq!(
            classify(b"Landroid/util/Base64;", b"decode", "(Ljava/lang/String;I)[B"),
            Known::Base64Decode
        );
        assert_eq!(classify(b"Landroid/util/Base64;", b"decode", "([BI)[B"), Known::Other);
        assert_eq!(classify(b"Ljava/lang/String;", b"<init>", "([BLjava/lang/String;)V"), Known::StringFromBytes);
        assert_eq!(classify(b"Ljava/net/URL;", b"<init>", "(Ljava/lang/String;)V"), Known::Other);
        assert_eq!(created(b"Ljava/lang/StringBuffer;"), Created::Builder);
    }
}
