//! The committed C header must be exactly what build.rs generates from the code.
//! `make header` (CELLMQTT_BLESS=1) rewrites it after an intended API change. Built only with
//! the `header` feature (build.rs generates the header only then); `make test` turns it on.
#![cfg(feature = "header")]

const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/cellmqtt.h"));

#[test]
#[cfg_attr(miri, ignore = "reads files; covered by the plain test run")]
fn committed_header_matches_generated() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/cellmqtt.h");
    if std::env::var_os("CELLMQTT_BLESS").is_some() {
        std::fs::write(path, GENERATED).expect("write include/cellmqtt.h");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    if committed != GENERATED {
        let line = committed
            .lines()
            .zip(GENERATED.lines())
            .position(|(a, b)| a != b)
            .map_or(
                committed.lines().count().min(GENERATED.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "include/cellmqtt.h differs from the header build.rs generates (first at line {line}); \
             run `make header` and commit it"
        );
    }
}

#[test]
fn every_macro_of_the_header_is_prefixed() {
    for line in GENERATED.lines() {
        if let Some(rest) = line.strip_prefix("#define ") {
            assert!(
                rest.starts_with("CELLMQTT_"),
                "unprefixed macro in the header: {line}"
            );
        }
    }
}

/// What a C reader gets: C comments only (strict C89 compilers and some vendor toolchains
/// reject `//`), and no pointer to a file the library's users do not have or to a Rust name
/// (`State::Failed`, `Option<...>`).
#[test]
fn the_header_speaks_c() {
    for (n, line) in GENERATED.lines().enumerate() {
        let at = n + 1;
        assert!(
            !line.trim_start().starts_with("//") && !line.contains(" // "),
            "line {at}: a // comment: {line}"
        );
        for rust_or_file in [
            "::", "docs/", ".md", ".rs", "Option<", "Option_", "`Stats`", "Self",
        ] {
            assert!(
                !line.contains(rust_or_file),
                "line {at}: `{rust_or_file}` means nothing to a C reader: {line}"
            );
        }
    }
}
