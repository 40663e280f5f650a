#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# `make dist`: the release bundle a C team uses without Rust.
#
#   build/dist/cellmqtt-<version>/      the bundle (also packed as build/dist/cellmqtt-<version>.tar.gz)
#     include/cellmqtt.h                the header
#     lib/<triple>/<dialects>/libcellmqtt.a   LTO static libraries: every dialect ("all") and
#                                       each alone, for every target below
#     lib/cmake/cellmqtt/               CMake package: find_package(cellmqtt)
#     lib/pkgconfig/cellmqtt.pc         pkg-config, for the host library
#     ports/ examples/                  the port sources and the C examples
#     esp-idf/cellmqtt/ library.json    an ESP-IDF component and a PlatformIO manifest
#     README.md LICENSE-* SHA256SUMS    what is where, the targets, sizes and C flags
#
# Microcontroller libraries carry the `c-critical-section` feature (the firmware provides the
# critical section); the host library uses the C library's lock. A target whose rust-std
# cannot be installed is built from source with the nightly toolchain (`-Zbuild-std`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
name="cellmqtt-$version"
out=build/dist
stage="$out/$name"
target_dir="$root/target/dist"
# The dialects are the default features of the crate, less "full" (every optional part).
dialects=$(sed -n 's/^default = \[\(.*\)\]$/\1/p' Cargo.toml | tr -d '" ' | tr ',' '\n' | grep -vx full | tr '\n' ' ')
[ -n "$dialects" ] || { echo "dist: no dialects in Cargo.toml's default features"; exit 1; }

# triple | CPUs | C flags the library is compatible with
MCU_TARGETS=(
  "thumbv6m-none-eabi|Cortex-M0, M0+, M1|-mcpu=cortex-m0 (m0plus, m1) -mthumb -mfloat-abi=soft"
  "thumbv7m-none-eabi|Cortex-M3|-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
  "thumbv7em-none-eabi|Cortex-M4, M7 (soft float)|-mcpu=cortex-m4 (m7) -mthumb -mfloat-abi=soft or softfp"
  "thumbv7em-none-eabihf|Cortex-M4F, M7F (hard float)|-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 (M7: fpv5-sp-d16 or fpv5-d16)"
  "thumbv8m.base-none-eabi|Cortex-M23|-mcpu=cortex-m23 -mthumb"
  "thumbv8m.main-none-eabi|Cortex-M33, M35P, M55, M85 (soft float)|-mcpu=cortex-m33 (m55, m85) -mthumb -mfloat-abi=soft or softfp"
  "thumbv8m.main-none-eabihf|Cortex-M33, M35P, M55, M85 (hard float)|-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"
  "riscv32imc-unknown-none-elf|RV32IMC (ESP32-C3)|-march=rv32imc (or rv32imc_zicsr_zifencei) -mabi=ilp32"
  "riscv32imac-unknown-none-elf|RV32IMAC (ESP32-C6, GD32VF103)|-march=rv32imac (or rv32imac_zicsr_zifencei) -mabi=ilp32"
)
HOST_TARGET="x86_64-unknown-linux-gnu|x86-64 Linux (host tools, tests)|any x86-64 Linux C compiler; link -lpthread -ldl -lm"

installed=$(rustup target list --installed 2>/dev/null || true)

# build TRIPLE FEATURES DEST: one LTO static library (`--crate-type staticlib` alone: beside
# the rlib type cargo drops LTO).
build() {
  local triple=$1 features=$2 dest=$3
  local args=(rustc -q --release --target "$triple" --target-dir "$target_dir" --lib
              --crate-type staticlib --no-default-features --features "$features")
  if grep -qx "$triple" <<<"$installed"; then
    cargo "${args[@]}"
  else
    cargo +nightly "${args[@]}" -Zbuild-std=core,compiler_builtins \
      -Zbuild-std-features=compiler-builtins-mem
  fi
  mkdir -p "$dest"
  cp "$target_dir/$triple/release/libcellmqtt.a" "$dest/libcellmqtt.a"
  # Debug sections come from the precompiled core and compiler-builtins (the crate itself is
  # built without): dropped where a strip for the architecture is at hand, about half the size.
  case "$triple" in
    thumb*) arm-none-eabi-strip -g "$dest/libcellmqtt.a" 2>/dev/null ;;
    x86_64-unknown-linux-gnu) strip -g "$dest/libcellmqtt.a" ;;
  esac
}

rm -rf "$stage" "$out/$name.tar.gz"
mkdir -p "$stage/lib"
all_features=$(tr ' ' ',' <<<"$dialects")full
for entry in "${MCU_TARGETS[@]}"; do
  triple=${entry%%|*}
  build "$triple" "c-critical-section,$all_features" "$stage/lib/$triple/all"
  for d in $dialects; do
    build "$triple" "c-critical-section,$d,full" "$stage/lib/$triple/$d"
  done
done
host=${HOST_TARGET%%|*}
build "$host" "$all_features" "$stage/lib/$host/all"

# Sources the bundle ships.
mkdir -p "$stage/include" "$stage/ports" "$stage/examples"
cp include/cellmqtt.h "$stage/include/"
cp LICENSE-MIT LICENSE-APACHE "$stage/"
for p in baremetal common freertos posix zephyr; do
  git ls-files "ports/$p" | while read -r f; do
    mkdir -p "$stage/$(dirname "$f")"; cp "$f" "$stage/$f"
  done
done
git ls-files examples-c | while read -r f; do
  rel=${f#examples-c/}; mkdir -p "$stage/examples/$(dirname "$rel")"; cp "$f" "$stage/examples/$rel"
done

# Packages: CMake, pkg-config, ESP-IDF, PlatformIO.
mkdir -p "$stage/lib/cmake/cellmqtt" "$stage/lib/pkgconfig" "$stage/esp-idf/cellmqtt"
sed "s/@VERSION@/$version/g; s/@DIALECTS@/$dialects/g" scripts/dist/cellmqttConfig.cmake \
  > "$stage/lib/cmake/cellmqtt/cellmqttConfig.cmake"
sed "s/@VERSION@/$version/g" scripts/dist/cellmqttConfigVersion.cmake \
  > "$stage/lib/cmake/cellmqtt/cellmqttConfigVersion.cmake"
sed "s/@VERSION@/$version/g; s/@HOST@/$host/g" scripts/dist/cellmqtt.pc > "$stage/lib/pkgconfig/cellmqtt.pc"
cp scripts/dist/esp-idf/CMakeLists.txt scripts/dist/esp-idf/idf_component.yml "$stage/esp-idf/cellmqtt/"
sed -i "s/@VERSION@/$version/g" "$stage/esp-idf/cellmqtt/idf_component.yml"
sed "s/@VERSION@/$version/g" scripts/dist/platformio/library.json > "$stage/library.json"
cp scripts/dist/platformio/select_library.py "$stage/"

# The bundle's README: targets, sizes (the library's own code: text + rodata + data of its
# object, every entry point, before a firmware's --gc-sections drops what it does not call),
# and the C flags each library is compatible with.
python3 scripts/dist/bundle_readme.py "$stage" "$version" "$dialects" \
  "${MCU_TARGETS[@]}" "$HOST_TARGET" > "$stage/README.md"

(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
tar -C "$out" --owner=0 --group=0 --numeric-owner --sort=name -czf "$out/$name.tar.gz" "$name"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "dist: $out/$name.tar.gz ($(du -k "$out/$name.tar.gz" | cut -f1) KiB): $(( ${#MCU_TARGETS[@]} + 1 )) targets, dialects: all, $dialects"
