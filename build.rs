// SPDX-License-Identifier: MIT OR Apache-2.0
//! Generates the C header from the FFI module with cbindgen, only when asked (Cargo feature
//! `header`, which `make header` and `make test` turn on): a firmware build neither compiles
//! cbindgen nor runs it.
//!
//! The header is written to `$OUT_DIR/cellmqtt.h`; the committed copy in `include/cellmqtt.h`
//! is refreshed by `make header`, and a test (built with the feature) fails when the two
//! differ, so the committed header cannot drift from the code.

fn main() {
    #[cfg(feature = "header")]
    header::generate();
}

#[cfg(feature = "header")]
mod header {
    use std::{env, path::PathBuf};

    /// `cellmqtt_init` for C: the header's ABI version and struct sizes go with every call, so
    /// a library built for another header refuses instead of misreading the structs.
    const INIT_INLINE: &str = r#"/**
 * Initialises `h` (storage of `sizeof(cellmqtt_t)`, zeroed or never initialised) from `cfg`
 * and `cb`. Both structs are copied; the strings and buffers they point to are borrowed for
 * the life of the handle. Nothing is sent until `cellmqtt_start`.
 *
 * Returns `NULL_ARG`, `BUFFER_TOO_SMALL`, `INVALID_CONFIG`, `STRING_TOO_LONG`,
 * `INVALID_STRING`, `INVALID_TOPIC`, `TOPIC_TOO_LONG` (the will topic), `WILL_TOO_LONG`,
 * `INVALID_QOS`, `PAYLOAD_TOO_LONG`, `UNSUPPORTED` (a setting the profile or this build
 * cannot take: a `publish_window` above 1 where acknowledgements carry no id, `CACHE_MODE`
 * outside Luat, a part the build left out), `WRONG_STATE` (already initialised:
 * `cellmqtt_deinit` first), `BUSY` (from a callback) or `ABI_MISMATCH` (the library was built
 * for another version of this header). `cellmqtt_config_check` names the field a refusal is
 * about.
 */
static inline cellmqtt_status_t cellmqtt_init(cellmqtt_t *h,
                                              const cellmqtt_config_t *cfg,
                                              const cellmqtt_callbacks_t *cb) {
  return cellmqtt_init_abi(h, cfg, cb, CELLMQTT_ABI_VERSION, sizeof(cellmqtt_t),
                           sizeof(cellmqtt_config_t), sizeof(cellmqtt_callbacks_t));
}

"#;

    pub fn generate() {
        println!("cargo:rerun-if-changed=src");
        println!("cargo:rerun-if-changed=cbindgen.toml");
        let (Some(crate_dir), Some(out_dir)) = (
            env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
            env::var_os("OUT_DIR").map(PathBuf::from),
        ) else {
            fail("CARGO_MANIFEST_DIR or OUT_DIR not set");
        };
        let mut config = match cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")) {
            Ok(c) => c,
            Err(e) => fail(&format!("cbindgen.toml: {e}")),
        };
        let version =
            |part: &str| env::var(format!("CARGO_PKG_VERSION_{part}")).unwrap_or_default();
        let (major, minor, patch) = (version("MAJOR"), version("MINOR"), version("PATCH"));
        config.after_includes = Some(format!(
            "{}\n\n/** The version of the library this header belongs to. */\n\
             #define CELLMQTT_VERSION_MAJOR {major}\n#define CELLMQTT_VERSION_MINOR {minor}\n\
             #define CELLMQTT_VERSION_PATCH {patch}\n\
             /** As `cellmqtt_version()` returns it: major << 16 | minor << 8 | patch. */\n\
             #define CELLMQTT_VERSION ((CELLMQTT_VERSION_MAJOR << 16) | \
             (CELLMQTT_VERSION_MINOR << 8) | CELLMQTT_VERSION_PATCH)",
            config.after_includes.unwrap_or_default()
        ));
        let bindings = match cbindgen::Builder::new()
            .with_crate(&crate_dir)
            .with_config(config)
            .generate()
        {
            Ok(b) => b,
            Err(e) => fail(&format!("cbindgen failed: {e}")),
        };
        let mut text = Vec::new();
        bindings.write(&mut text);
        let text = finish(&strip_type_suffix(&String::from_utf8_lossy(&text)));
        if let Err(e) = std::fs::write(out_dir.join("cellmqtt.h"), text) {
            fail(&format!("writing cellmqtt.h: {e}"));
        }
    }

    fn fail(why: &str) -> ! {
        println!("cargo:warning={why}");
        std::process::exit(1);
    }

    /// Adds the inline `cellmqtt_init` inside the include guard, after every declaration, and
    /// turns the `//` comments cbindgen puts after `#endif` and `}` into C comments.
    fn finish(header: &str) -> String {
        let close = "#ifdef __cplusplus\n}  // extern \"C\"";
        let Some(at) = header.rfind(close) else {
            fail("no end of the extern \"C\" block in the generated header");
        };
        let with_init = format!("{}{INIT_INLINE}{}", &header[..at], &header[at..]);
        let mut out = String::with_capacity(with_init.len());
        for line in with_init.lines() {
            match line.split_once(" // ") {
                Some((code, note)) if code.starts_with("#endif") || code.trim_end() == "}" => {
                    out.push_str(code.trim_end());
                    out.push_str(" /* ");
                    out.push_str(note);
                    out.push_str(" */");
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        out
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
}
