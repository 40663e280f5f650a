#!/usr/bin/env bash
# Fixed RAM of one handle (the engine, its RX ring indices and callbacks) on thumbv7em, from
# rustc's own layout report (-Zprint-type-sizes on nightly): deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --toolchain nightly --installed 2>/dev/null | grep -q thumbv7em-none-eabihf ||
  rustup target add thumbv7em-none-eabihf --toolchain nightly >/dev/null
touch src/lib.rs
CARGO_TARGET_DIR=target/type-sizes cargo +nightly rustc -q --release --lib \
  --target thumbv7em-none-eabihf --features c-critical-section -- -Zprint-type-sizes 2>/dev/null |
  sed -n 's/^print-type-size type: `ffi::handle::Handle`: \([0-9]*\) bytes.*/\1/p' | head -1
