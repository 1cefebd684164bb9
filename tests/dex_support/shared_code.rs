//! A DEX made at test time: one class whose `methods` direct methods all point at one code item,
//! and that code item invokes three sensitive APIs and loads a URL. Every method id of the class
//! is the same `Lcom/example/shared/Holder;->run()V`, so a method costs 13 bytes of input (its id
//! and its class data entry): the shape of a file built to multiply call sites.

/// The APIs the shared code invokes, as rendered.
#[allow(dead_code)]
pub const INVOKED: [&str; 3] = [
    "Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;",
    "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
    "Landroid/telephony/TelephonyManager;->getLine1Number()Ljava/lang/String;",
];
/// The URL the shared code loads with `const-string`.
#[allow(dead_code)]
pub const URL: &str = "https://collect.example.com/upload";

const STRINGS: [&str; 12] = [
    "L",
    "Landroid/net/wifi/WifiInfo;",
    "Landroid/telephony/TelephonyManager;",
    "Lcom/example/shared/Holder;",
    "Ljava/lang/Object;",
    "Ljava/lang/String;",
    "V",
    "getDeviceId",
    "getLine1Number",
    "getMacAddress",
    URL,
    "run",
];
/// Type ids, as string indices: WifiInfo, TelephonyManager, Holder, Object, String, V.
const TYPES: [u32; 6] = [1, 2, 3, 4, 5, 6];
/// Proto ids (shorty, return type): `()Ljava/lang/String;` and `()V`.
const PROTOS: [(u32, u32); 2] = [(0, 4), (6, 5)];
/// The API method ids (class type, proto, name string), in id order.
const API_METHODS: [(u16, u16, u32); 3] = [(0, 0, 9), (1, 0, 7), (1, 0, 8)];
/// The shared code: three `invoke-static` of the API methods, a `const-string` of the URL,
/// `return-void`.
const CODE: [u16; 12] = [0x0071, 1, 0, 0x0071, 2, 0, 0x0071, 0, 0, 0x001a, 10, 0x000e];

fn uleb(mut v: u32, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_u32(out: &mut [u8], at: usize, v: u32) {
    out[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The DEX bytes (version 035, checksum and signature left zero).
pub fn shared_code_dex(methods: u32) -> Vec<u8> {
    let method_count = API_METHODS.len() as u32 + methods;
    let string_ids = 0x70usize;
    let type_ids = string_ids + 4 * STRINGS.len();
    let proto_ids = type_ids + 4 * TYPES.len();
    let method_ids = proto_ids + 12 * PROTOS.len();
    let class_defs = method_ids + 8 * method_count as usize;
    let mut out = vec![0u8; class_defs + 32];
    out[0..8].copy_from_slice(b"dex\n035\0");
    put_u32(&mut out, 0x24, 0x70);
    put_u32(&mut out, 0x28, 0x1234_5678);
    for (i, (count, off)) in [
        (STRINGS.len(), string_ids),
        (TYPES.len(), type_ids),
        (PROTOS.len(), proto_ids),
        (0, 0),
        (method_count as usize, method_ids),
        (1, class_defs),
    ]
    .into_iter()
    .enumerate()
    {
        put_u32(&mut out, 0x38 + 8 * i, count as u32);
        put_u32(
            &mut out,
            0x3c + 8 * i,
            if count == 0 { 0 } else { off as u32 },
        );
    }
    for (i, s) in STRINGS.iter().enumerate() {
        let at = out.len() as u32;
        put_u32(&mut out, string_ids + 4 * i, at);
        uleb(s.len() as u32, &mut out);
        out.extend_from_slice(s.as_bytes());
        out.push(0);
    }
    for (i, s) in TYPES.iter().enumerate() {
        put_u32(&mut out, type_ids + 4 * i, *s);
    }
    for (i, (shorty, ret)) in PROTOS.iter().enumerate() {
        put_u32(&mut out, proto_ids + 12 * i, *shorty);
        put_u32(&mut out, proto_ids + 12 * i + 4, *ret);
    }
    let holder = (2u16, 1u16, 11u32);
    for i in 0..method_count as usize {
        let (class, proto, name) = API_METHODS.get(i).copied().unwrap_or(holder);
        let at = method_ids + 8 * i;
        out[at..at + 2].copy_from_slice(&class.to_le_bytes());
        out[at + 2..at + 4].copy_from_slice(&proto.to_le_bytes());
        put_u32(&mut out, at + 4, name);
    }
    out.resize(out.len().next_multiple_of(4), 0);
    let code_off = out.len() as u32;
    // registers, ins, outs, tries; debug info offset; instruction count.
    out.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&(CODE.len() as u32).to_le_bytes());
    for unit in CODE {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    let class_data = out.len() as u32;
    for v in [0, 0, methods, 0] {
        uleb(v, &mut out);
    }
    for i in 0..methods {
        let delta = if i == 0 { API_METHODS.len() as u32 } else { 1 };
        uleb(delta, &mut out);
        uleb(0x9, &mut out); // public static
        uleb(code_off, &mut out);
    }
    // class, access, superclass, interfaces, source file, annotations, class data, static values.
    let def = [2, 1, 3, 0, u32::MAX, 0, class_data, 0];
    for (i, v) in def.into_iter().enumerate() {
        put_u32(&mut out, class_defs + 4 * i, v);
    }
    // The map list: what the header says, table by table.
    out.resize(out.len().next_multiple_of(4), 0);
    let map_off = out.len();
    put_u32(&mut out, 0x34, map_off as u32);
    let items: [(u16, usize, usize); 7] = [
        (0x0000, 1, 0),
        (0x0001, STRINGS.len(), string_ids),
        (0x0002, TYPES.len(), type_ids),
        (0x0003, PROTOS.len(), proto_ids),
        (0x0005, method_count as usize, method_ids),
        (0x0006, 1, class_defs),
        (0x1000, 1, map_off),
    ];
    out.extend_from_slice(&(items.len() as u32).to_le_bytes());
    for (kind, count, offset) in items {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&(count as u32).to_le_bytes());
        out.extend_from_slice(&(offset as u32).to_le_bytes());
    }
    let size = out.len() as u32;
    put_u32(&mut out, 0x20, size);
    out
}
