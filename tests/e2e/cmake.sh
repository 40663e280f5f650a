#!/usr/bin/env bash
# The CMake integration as an integrator uses it:
#  1. host: a consumer project add_subdirectory()s cellmqtt, links cellmqtt::cellmqtt, runs;
#  2. cross: -DCELLMQTT_RUST_TARGET=thumbv7em-none-eabihf -DCELLMQTT_DIALECTS=luat builds the
#     LTO'd staticlib with the c-critical-section feature and the Luat dialect only (linking
#     firmware is the firmware tests' job); no Quectel code may be in it.
# Both build trees share one cargo target dir under build/cmake-test.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/cmake-test
cargo_dir="$PWD/$out/cargo"
start=$(date +%s)

cmake -S tests/e2e/cmake -B "$out/host" -DCMAKE_BUILD_TYPE=Release \
      -DCELLMQTT_CARGO_TARGET_DIR="$cargo_dir" >"$out.host.log" 2>&1 ||
  { cat "$out.host.log"; exit 1; }
cmake --build "$out/host" -j2 >>"$out.host.log" 2>&1 || { cat "$out.host.log"; exit 1; }
"$out/host/consumer"

target=thumbv7em-none-eabihf
cmake -S . -B "$out/cross" -DCELLMQTT_RUST_TARGET=$target -DCELLMQTT_BUILD_EXAMPLES=OFF \
      -DCELLMQTT_DIALECTS=luat \
      -DCELLMQTT_CARGO_TARGET_DIR="$cargo_dir" >"$out.cross.log" 2>&1 ||
  { cat "$out.cross.log"; exit 1; }
cmake --build "$out/cross" >>"$out.cross.log" 2>&1 || { cat "$out.cross.log"; exit 1; }
lib="$cargo_dir/$target/release/libcellmqtt.a"
[ -s "$lib" ] || { echo "cmake cross: $lib missing"; exit 1; }
if command -v arm-none-eabi-nm >/dev/null; then
  # The LLVM plugin of binutils complains about Rust objects on stderr; harmless.
  syms=$(arm-none-eabi-nm "$lib" 2>/dev/null)
  grep -q ' T cellmqtt_init_abi$' <<<"$syms" || { echo "cmake cross: cellmqtt_init_abi not in $lib"; exit 1; }
  grep -q ' U cellmqtt_port_critical_enter$' <<<"$syms" ||
    { echo "cmake cross: the c-critical-section hook is not used by $lib"; exit 1; }
  demangled=$(arm-none-eabi-nm -C "$lib" 2>/dev/null)
  grep -q 'dialect::luat' <<<"$demangled" || { echo "cmake cross: no Luat dialect in $lib"; exit 1; }
  ! grep -q 'dialect::quectel' <<<"$demangled" ||
    { echo "cmake cross: CELLMQTT_DIALECTS=luat still links the Quectel dialect"; exit 1; }
fi
echo "cmake: host consumer ran, cross $target staticlib built ($(($(date +%s) - start)) s)"
