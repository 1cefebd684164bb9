//! Writes the DEX of `tests/dex_support/shared_code.rs` (N methods sharing one code item that
//! calls sensitive APIs) to a file, for timing `dossier scan` against `dossier dex`:
//! `cargo run --release --example shared_code_dex -- 1000000 /tmp/shared.dex`.

#[path = "../tests/dex_support/shared_code.rs"]
mod shared_code;

fn main() {
    let mut args = std::env::args().skip(1);
    let methods: u32 = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: shared_code_dex METHODS OUT.dex");
    let out = args.next().expect("usage: shared_code_dex METHODS OUT.dex");
    std::fs::write(&out, shared_code::shared_code_dex(methods)).expect("write the DEX");
}
