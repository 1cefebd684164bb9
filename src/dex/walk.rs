//! The linear instruction walk over a method's code units: one table lookup per instruction,
//! payload pseudo-instructions (`packed-switch`, `sparse-switch`, `fill-array-data` data) skipped
//! by their own size, and a visit for every instruction that carries a constant pool index.

use super::opcodes::{IndexKind, OPCODES, OpInfo};
use super::raw;

/// One instruction that references the constant pool.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// Offset of the instruction in code units from the start of the method.
    pub pc: u32,
    pub op: &'static OpInfo,
    /// The index (string, type, field, method, call site, method handle or proto).
    pub index: u32,
    /// The proto index of `invoke-polymorphic`, 0 otherwise.
    pub proto: u32,
}

/// How a walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// Every code unit was visited.
    Complete,
    /// The instruction at `pc` is wider than what is left of the code.
    TruncatedInstruction { pc: u32, opcode: u8 },
    /// The payload at `pc` declares more data than what is left of the code.
    TruncatedPayload { pc: u32 },
}

#[inline]
pub(super) fn unit(insns: &[u8], index: usize) -> u16 {
    u16::from_le_bytes([insns[index * 2], insns[index * 2 + 1]])
}

/// Width in code units of the payload pseudo-instruction starting at `pc`, or `None` when the
/// unit is an ordinary `nop`. The sizes follow ART `Instruction::SizeInCodeUnitsComplexOpcode`
/// (libdexfile `dex_instruction.cc`). Computed in u64, so hostile sizes cannot overflow.
#[inline]
fn payload_width(insns: &[u8], units: usize, pc: usize, first: u16) -> Option<u64> {
    let at = |i: usize| -> u64 {
        if pc + i < units {
            u64::from(unit(insns, pc + i))
        } else {
            0
        }
    };
    match first {
        raw::PACKED_SWITCH_PAYLOAD => Some(4 + at(1) * 2),
        raw::SPARSE_SWITCH_PAYLOAD => Some(2 + at(1) * 4),
        raw::FILL_ARRAY_DATA_PAYLOAD => {
            let element_width = at(1);
            let size = at(2) | (at(3) << 16);
            Some(4 + (element_width * size).div_ceil(2))
        }
        _ => None,
    }
}

/// The instruction at `pc` (below the number of code units) and its width in code units, payloads
/// included (a payload is a `nop` of its own width), or how a walk ends there when it does not fit
/// in what is left of the code.
#[inline]
pub(super) fn step(insns: &[u8], pc: usize) -> Result<(&'static OpInfo, usize), WalkEnd> {
    let units = insns.len() / 2;
    let first = unit(insns, pc);
    let opcode = (first & 0xff) as u8;
    let op = &OPCODES[opcode as usize];
    let width = if opcode == 0 && first != 0 {
        match payload_width(insns, units, pc, first) {
            Some(w) => {
                if w > (units - pc) as u64 {
                    return Err(WalkEnd::TruncatedPayload { pc: pc as u32 });
                }
                w as usize
            }
            None => 1,
        }
    } else {
        op.width as usize
    };
    if pc + width > units {
        return Err(WalkEnd::TruncatedInstruction {
            pc: pc as u32,
            opcode,
        });
    }
    Ok((op, width))
}

/// Walks the code units in `insns` (little-endian bytes; a trailing odd byte is ignored) and calls
/// `visit` for each instruction that carries an index. Always advances by at least one unit.
pub fn walk(insns: &[u8], mut visit: impl FnMut(Reference)) -> WalkEnd {
    let units = insns.len() / 2;
    let mut pc = 0usize;
    while pc < units {
        let (op, width) = match step(insns, pc) {
            Ok(step) => step,
            Err(end) => return end,
        };
        if op.index != IndexKind::None {
            let index = match op.format.width() {
                // 31c (const-string/jumbo) holds a 32-bit index; every other indexed format a
                // 16-bit one in its second unit.
                3 if op.format == super::opcodes::Format::F31c => {
                    u32::from(unit(insns, pc + 1)) | (u32::from(unit(insns, pc + 2)) << 16)
                }
                _ => u32::from(unit(insns, pc + 1)),
            };
            let proto = if op.index == IndexKind::MethodAndProto {
                u32::from(unit(insns, pc + 3))
            } else {
                0
            };
            visit(Reference {
                pc: pc as u32,
                op,
                index,
                proto,
            });
        }
        pc += width;
    }
    WalkEnd::Complete
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(units: &[u16]) -> Vec<u8> {
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    fn names(units: &[u16]) -> (Vec<(&'static str, u32)>, WalkEnd) {
        let mut seen = Vec::new();
        let end = walk(&bytes(units), |r| seen.push((r.op.name, r.index)));
        (seen, end)
    }

    #[test]
    fn payload_in_the_middle_is_skipped() {
        let (seen, end) = names(&[
            0x001a, 0x0005, // const-string v0, string@5
            0x0100, 0x0002, 0x0000, 0x0000, 0x0003, 0x0000, 0x0004,
            0x0000, // packed-switch payload
            0x0300, 0x0001, 0x0003, 0x0000, 0x6e1a, 0x7777, // fill-array-data: 3 bytes
            0x1071, 0x0009, 0x0000, // invoke-static {v0}, method@9
            0x000e, // return-void
        ]);
        assert_eq!(seen, vec![("const-string", 5), ("invoke-static", 9)]);
        assert_eq!(end, WalkEnd::Complete);
    }

    #[test]
    fn jumbo_and_polymorphic_indices() {
        let (seen, _) = names(&[0x001b, 0x5678, 0x0001, 0x20fa, 0x0007, 0x0010, 0x0003]);
        assert_eq!(
            seen,
            vec![("const-string/jumbo", 0x15678), ("invoke-polymorphic", 7)]
        );
    }

    #[test]
    fn truncated_instruction_and_payload_stop_the_walk() {
        let (_, end) = names(&[0x000e, 0x0070]);
        assert_eq!(
            end,
            WalkEnd::TruncatedInstruction {
                pc: 1,
                opcode: 0x70
            }
        );
        let (_, end) = names(&[0x0200, 0xffff, 0x0000]);
        assert_eq!(end, WalkEnd::TruncatedPayload { pc: 0 });
        let (_, end) = names(&[0x0300, 0xffff, 0xffff, 0xffff]);
        assert_eq!(end, WalkEnd::TruncatedPayload { pc: 0 });
    }

    #[test]
    fn unknown_nop_signature_is_one_unit() {
        let (seen, end) = names(&[0x0500, 0x001c, 0x0002]);
        assert_eq!(seen, vec![("const-class", 2)]);
        assert_eq!(end, WalkEnd::Complete);
    }
}
