//! The 256-entry Dalvik opcode table: mnemonic, instruction format (hence width in 16-bit code
//! units), what kind of index the instruction carries and what the scanner records from it.
//! Facts from the Dalvik bytecode specification (source.android.com/docs/core/runtime/dalvik-bytecode)
//! and ART `libdexfile/dex/dex_instruction_list.h`. Opcodes the format leaves unused are one code
//! unit wide, as ART's table declares them (format 10x).

/// Instruction formats, named as in the specification (`22c` = two units, two registers, constant
/// pool index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    F10x,
    F12x,
    F11n,
    F11x,
    F10t,
    F20t,
    F22x,
    F21t,
    F21s,
    F21h,
    F21c,
    F23x,
    F22b,
    F22t,
    F22s,
    F22c,
    F30t,
    F32x,
    F31i,
    F31t,
    F31c,
    F35c,
    F3rc,
    F45cc,
    F4rcc,
    F51l,
}

impl Format {
    /// Width in 16-bit code units: the first digit of the format name.
    pub const fn width(self) -> usize {
        use Format::*;
        match self {
            F10x | F12x | F11n | F11x | F10t => 1,
            F20t | F22x | F21t | F21s | F21h | F21c | F23x | F22b | F22t | F22s | F22c => 2,
            F30t | F32x | F31i | F31t | F31c | F35c | F3rc => 3,
            F45cc | F4rcc => 4,
            F51l => 5,
        }
    }
}

/// The constant pool an instruction's index points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    None,
    String,
    Type,
    Field,
    Method,
    /// `invoke-polymorphic`: a method index and a proto index.
    MethodAndProto,
    CallSite,
    MethodHandle,
    Proto,
}

/// What the scanner records from an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Nothing,
    Invoke,
    FieldRead,
    FieldWrite,
    ConstString,
    ConstClass,
    /// `new-instance`: the class is instantiated here (what the call graph's dispatch needs).
    NewInstance,
}

#[derive(Debug, Clone, Copy)]
pub struct OpInfo {
    pub name: &'static str,
    pub format: Format,
    pub index: IndexKind,
    pub action: Action,
    /// Width in code units (cached from `format`).
    pub width: u8,
}

const fn op(name: &'static str, format: Format, index: IndexKind, action: Action) -> OpInfo {
    OpInfo {
        name,
        format,
        index,
        action,
        width: format.width() as u8,
    }
}

const fn plain(name: &'static str, format: Format) -> OpInfo {
    op(name, format, IndexKind::None, Action::Nothing)
}

const UNUSED: OpInfo = plain("unused", Format::F10x);

const UNOPS: [&str; 21] = [
    "neg-int",
    "not-int",
    "neg-long",
    "not-long",
    "neg-float",
    "neg-double",
    "int-to-long",
    "int-to-float",
    "int-to-double",
    "long-to-int",
    "long-to-float",
    "long-to-double",
    "float-to-int",
    "float-to-long",
    "float-to-double",
    "double-to-int",
    "double-to-long",
    "double-to-float",
    "int-to-byte",
    "int-to-char",
    "int-to-short",
];

const BINOPS: [&str; 32] = [
    "add-int",
    "sub-int",
    "mul-int",
    "div-int",
    "rem-int",
    "and-int",
    "or-int",
    "xor-int",
    "shl-int",
    "shr-int",
    "ushr-int",
    "add-long",
    "sub-long",
    "mul-long",
    "div-long",
    "rem-long",
    "and-long",
    "or-long",
    "xor-long",
    "shl-long",
    "shr-long",
    "ushr-long",
    "add-float",
    "sub-float",
    "mul-float",
    "div-float",
    "rem-float",
    "add-double",
    "sub-double",
    "mul-double",
    "div-double",
    "rem-double",
];

const BINOPS_2ADDR: [&str; 32] = [
    "add-int/2addr",
    "sub-int/2addr",
    "mul-int/2addr",
    "div-int/2addr",
    "rem-int/2addr",
    "and-int/2addr",
    "or-int/2addr",
    "xor-int/2addr",
    "shl-int/2addr",
    "shr-int/2addr",
    "ushr-int/2addr",
    "add-long/2addr",
    "sub-long/2addr",
    "mul-long/2addr",
    "div-long/2addr",
    "rem-long/2addr",
    "and-long/2addr",
    "or-long/2addr",
    "xor-long/2addr",
    "shl-long/2addr",
    "shr-long/2addr",
    "ushr-long/2addr",
    "add-float/2addr",
    "sub-float/2addr",
    "mul-float/2addr",
    "div-float/2addr",
    "rem-float/2addr",
    "add-double/2addr",
    "sub-double/2addr",
    "mul-double/2addr",
    "div-double/2addr",
    "rem-double/2addr",
];

const LIT16: [&str; 8] = [
    "add-int/lit16",
    "rsub-int",
    "mul-int/lit16",
    "div-int/lit16",
    "rem-int/lit16",
    "and-int/lit16",
    "or-int/lit16",
    "xor-int/lit16",
];

const LIT8: [&str; 11] = [
    "add-int/lit8",
    "rsub-int/lit8",
    "mul-int/lit8",
    "div-int/lit8",
    "rem-int/lit8",
    "and-int/lit8",
    "or-int/lit8",
    "xor-int/lit8",
    "shl-int/lit8",
    "shr-int/lit8",
    "ushr-int/lit8",
];

const CMPS: [&str; 5] = [
    "cmpl-float",
    "cmpg-float",
    "cmpl-double",
    "cmpg-double",
    "cmp-long",
];
const IFS: [&str; 6] = ["if-eq", "if-ne", "if-lt", "if-ge", "if-gt", "if-le"];
const IFZS: [&str; 6] = ["if-eqz", "if-nez", "if-ltz", "if-gez", "if-gtz", "if-lez"];
const AGETS: [&str; 7] = [
    "aget",
    "aget-wide",
    "aget-object",
    "aget-boolean",
    "aget-byte",
    "aget-char",
    "aget-short",
];
const APUTS: [&str; 7] = [
    "aput",
    "aput-wide",
    "aput-object",
    "aput-boolean",
    "aput-byte",
    "aput-char",
    "aput-short",
];
const IGETS: [&str; 7] = [
    "iget",
    "iget-wide",
    "iget-object",
    "iget-boolean",
    "iget-byte",
    "iget-char",
    "iget-short",
];
const IPUTS: [&str; 7] = [
    "iput",
    "iput-wide",
    "iput-object",
    "iput-boolean",
    "iput-byte",
    "iput-char",
    "iput-short",
];
const SGETS: [&str; 7] = [
    "sget",
    "sget-wide",
    "sget-object",
    "sget-boolean",
    "sget-byte",
    "sget-char",
    "sget-short",
];
const SPUTS: [&str; 7] = [
    "sput",
    "sput-wide",
    "sput-object",
    "sput-boolean",
    "sput-byte",
    "sput-char",
    "sput-short",
];
const INVOKES: [&str; 5] = [
    "invoke-virtual",
    "invoke-super",
    "invoke-direct",
    "invoke-static",
    "invoke-interface",
];
const INVOKES_RANGE: [&str; 5] = [
    "invoke-virtual/range",
    "invoke-super/range",
    "invoke-direct/range",
    "invoke-static/range",
    "invoke-interface/range",
];

const fn info(opcode: u8) -> OpInfo {
    use Action::*;
    use Format::*;
    use IndexKind as I;
    let o = opcode as usize;
    match opcode {
        0x00 => plain("nop", F10x),
        0x01 => plain("move", F12x),
        0x02 => plain("move/from16", F22x),
        0x03 => plain("move/16", F32x),
        0x04 => plain("move-wide", F12x),
        0x05 => plain("move-wide/from16", F22x),
        0x06 => plain("move-wide/16", F32x),
        0x07 => plain("move-object", F12x),
        0x08 => plain("move-object/from16", F22x),
        0x09 => plain("move-object/16", F32x),
        0x0a => plain("move-result", F11x),
        0x0b => plain("move-result-wide", F11x),
        0x0c => plain("move-result-object", F11x),
        0x0d => plain("move-exception", F11x),
        0x0e => plain("return-void", F10x),
        0x0f => plain("return", F11x),
        0x10 => plain("return-wide", F11x),
        0x11 => plain("return-object", F11x),
        0x12 => plain("const/4", F11n),
        0x13 => plain("const/16", F21s),
        0x14 => plain("const", F31i),
        0x15 => plain("const/high16", F21h),
        0x16 => plain("const-wide/16", F21s),
        0x17 => plain("const-wide/32", F31i),
        0x18 => plain("const-wide", F51l),
        0x19 => plain("const-wide/high16", F21h),
        0x1a => op("const-string", F21c, I::String, ConstString),
        0x1b => op("const-string/jumbo", F31c, I::String, ConstString),
        0x1c => op("const-class", F21c, I::Type, ConstClass),
        0x1d => plain("monitor-enter", F11x),
        0x1e => plain("monitor-exit", F11x),
        0x1f => op("check-cast", F21c, I::Type, Nothing),
        0x20 => op("instance-of", F22c, I::Type, Nothing),
        0x21 => plain("array-length", F12x),
        0x22 => op("new-instance", F21c, I::Type, NewInstance),
        0x23 => op("new-array", F22c, I::Type, Nothing),
        0x24 => op("filled-new-array", F35c, I::Type, Nothing),
        0x25 => op("filled-new-array/range", F3rc, I::Type, Nothing),
        0x26 => plain("fill-array-data", F31t),
        0x27 => plain("throw", F11x),
        0x28 => plain("goto", F10t),
        0x29 => plain("goto/16", F20t),
        0x2a => plain("goto/32", F30t),
        0x2b => plain("packed-switch", F31t),
        0x2c => plain("sparse-switch", F31t),
        0x2d..=0x31 => plain(CMPS[o - 0x2d], F23x),
        0x32..=0x37 => plain(IFS[o - 0x32], F22t),
        0x38..=0x3d => plain(IFZS[o - 0x38], F21t),
        0x3e..=0x43 => UNUSED,
        0x44..=0x4a => plain(AGETS[o - 0x44], F23x),
        0x4b..=0x51 => plain(APUTS[o - 0x4b], F23x),
        0x52..=0x58 => op(IGETS[o - 0x52], F22c, I::Field, FieldRead),
        0x59..=0x5f => op(IPUTS[o - 0x59], F22c, I::Field, FieldWrite),
        0x60..=0x66 => op(SGETS[o - 0x60], F21c, I::Field, FieldRead),
        0x67..=0x6d => op(SPUTS[o - 0x67], F21c, I::Field, FieldWrite),
        0x6e..=0x72 => op(INVOKES[o - 0x6e], F35c, I::Method, Invoke),
        0x73 => UNUSED,
        0x74..=0x78 => op(INVOKES_RANGE[o - 0x74], F3rc, I::Method, Invoke),
        0x79..=0x7a => UNUSED,
        0x7b..=0x8f => plain(UNOPS[o - 0x7b], F12x),
        0x90..=0xaf => plain(BINOPS[o - 0x90], F23x),
        0xb0..=0xcf => plain(BINOPS_2ADDR[o - 0xb0], F12x),
        0xd0..=0xd7 => plain(LIT16[o - 0xd0], F22s),
        0xd8..=0xe2 => plain(LIT8[o - 0xd8], F22b),
        0xe3..=0xf9 => UNUSED,
        0xfa => op("invoke-polymorphic", F45cc, I::MethodAndProto, Invoke),
        0xfb => op("invoke-polymorphic/range", F4rcc, I::MethodAndProto, Invoke),
        // The call site's bootstrap method is not an invoked method of the caller: dexdump shows
        // `call_site@N`, and so do we (not recorded).
        0xfc => op("invoke-custom", F35c, I::CallSite, Nothing),
        0xfd => op("invoke-custom/range", F3rc, I::CallSite, Nothing),
        0xfe => op("const-method-handle", F21c, I::MethodHandle, Nothing),
        0xff => op("const-method-type", F21c, I::Proto, Nothing),
    }
}

const fn build() -> [OpInfo; 256] {
    let mut table = [UNUSED; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = info(i as u8);
        i += 1;
    }
    table
}

/// The opcode table, indexed by the low byte of an instruction's first code unit.
pub static OPCODES: [OpInfo; 256] = build();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_of_reference_carrying_formats() {
        assert_eq!(OPCODES[0x1a].width, 2);
        assert_eq!(OPCODES[0x1b].width, 3);
        assert_eq!(OPCODES[0x6e].width, 3);
        assert_eq!(OPCODES[0x74].width, 3);
        assert_eq!(OPCODES[0xfa].width, 4);
        assert_eq!(OPCODES[0xfb].width, 4);
        assert_eq!(OPCODES[0x18].width, 5);
        assert_eq!(OPCODES[0xfe].width, 2);
    }

    #[test]
    fn names_are_in_their_slots() {
        assert_eq!(OPCODES[0x8f].name, "int-to-short");
        assert_eq!(OPCODES[0xaf].name, "rem-double");
        assert_eq!(OPCODES[0xcf].name, "rem-double/2addr");
        assert_eq!(OPCODES[0xe2].name, "ushr-int/lit8");
        assert_eq!(OPCODES[0x58].name, "iget-short");
        assert_eq!(OPCODES[0x6d].name, "sput-short");
        assert_eq!(OPCODES[0x78].name, "invoke-interface/range");
        assert_eq!(OPCODES[0xff].name, "const-method-type");
    }

    #[test]
    fn every_unused_opcode_is_one_unit() {
        for (i, info) in OPCODES.iter().enumerate() {
            if info.name == "unused" {
                assert_eq!(info.width, 1, "opcode {i:#x}");
            }
        }
        let unused = OPCODES.iter().filter(|i| i.name == "unused").count();
        // 3e..43, 73, 79..7a, e3..f9
        assert_eq!(unused, 6 + 1 + 2 + 23);
    }
}
