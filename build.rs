//! Generates the C header from the FFI module with cbindgen.
//!
//! The header is written to `$OUT_DIR/cellmqtt.h` on every build; the committed copy in
//! `include/cellmqtt.h` is refreshed by `make header` and a test fails when the two differ, so
//! the committed header can never drift from the code.
use std::{env, path::PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let Some(crate_dir) = env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return;
    };
    let Some(out_dir) = env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => {
            println!("cargo:warning=cbindgen.toml: {e}");
            std::process::exit(1);
        }
    };
    match cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
    {
        Ok(bindings) => {
            let mut text = Vec::new();
            bindings.write(&mut text);
            let text = String::from_utf8_lossy(&text).into_owned();
            if let Err(e) = std::fs::write(out_dir.join("cellmqtt.h"), strip_type_suffix(&text)) {
                println!("cargo:warning=writing cellmqtt.h: {e}");
                std::process::exit(1);
            }
        }
        Err(e) => {
            println!("cargo:warning=cbindgen failed: {e}");
            std::process::exit(1);
        }
    }
}

/// cbindgen prefixes enum constants with the C type name, so `cellmqtt_status_t` gives
/// `CELLMQTT_STATUS_T_OK`; our constants drop the `_T` (`CELLMQTT_STATUS_OK`).
fn strip_type_suffix(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut rest = header;
    while let Some(pos) = rest.find("CELLMQTT_") {
        let (before, from) = rest.split_at(pos);
        out.push_str(before);
        let ident_len = from
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(from.len());
        let (ident, after) = from.split_at(ident_len);
        out.push_str(&ident.replacen("_T_", "_", 1));
        rest = after;
    }
    out.push_str(rest);
    out
}
