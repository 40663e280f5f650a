#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# The release bundle needs no Rust. It is unpacked into a scratch directory and used with no
# cargo, rustc or rustup on PATH to:
#  (a) build the bare-metal QEMU firmware against lib/thumbv7m-none-eabi and run its scenario
#      (connect, 50 QoS 1 publishes, an inbound message, CLOSED, a hang cured by RESET) against
#      the emulator and mosquitto;
#  (b) build a host project through find_package(cellmqtt) (the x86_64 library, the POSIX port
#      from the bundle's sources) and run it, and the same program through pkg-config;
#  (c) link lib/thumbv7em-none-eabihf into a minimal Cortex-M4F image with the C library's own
#      memcpy/memset taken first: no clash, and the image's memcpy is the C library's (a control
#      link without that order takes the archive's, so the check can tell).
# Usage: dist_test.sh TARBALL  (QEMU_MPS2 and FW_SCENARIO in the environment, from mk/dist.mk)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tarball=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"

tar -C "$work" -xzf "$tarball"
bundle=$(echo "$work"/cellmqtt-*)
(cd "$bundle" && sha256sum --quiet -c SHA256SUMS) || { echo "dist-test: SHA256SUMS do not match"; exit 1; }

# PATH without any directory that holds a Rust tool.
norust=""
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || [ -e "$d/rustup" ] || norust="$norust:$d"
done
export PATH="${norust#:}"
unset CARGO RUSTC RUSTUP_TOOLCHAIN CARGO_HOME RUSTUP_HOME
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
  echo "dist-test: a Rust tool is still on PATH"; exit 1
fi

# (a) the bare-metal firmware, Cortex-M3, on QEMU.
fw="$work/baremetal-cm3.elf"
arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -std=c11 -Wall -Wextra -Werror -Os -g \
  -ffunction-sections -fdata-sections -I"$bundle/include" -I"$bundle/ports/baremetal" \
  -Itests/firmware/mps2 -Itests/firmware/common -nostartfiles -T tests/firmware/mps2/mps2.ld \
  -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Wl,--no-warn-execstack \
  tests/firmware/baremetal/main.c tests/firmware/mps2/startup.c tests/firmware/common/scenario.c \
  tests/firmware/common/superloop.c \
  "$bundle/ports/baremetal/cellmqtt_baremetal.c" "$bundle/lib/thumbv7m-none-eabi/all/libcellmqtt.a" \
  -o "$fw"
read -r -a scenario <<<"$FW_SCENARIO"
read -r -a qemu <<<"$QEMU_MPS2"
"${scenario[@]}" --name baremetal --logs build/fw-test/dist-baremetal --max-poll-rate 2000 \
  -- "${qemu[@]}" -kernel "$fw" | tail -n 3

# (b) a host project through find_package, and through pkg-config.
cmake -S tests/packages/consumer -B "$work/consumer" -DCMAKE_PREFIX_PATH="$bundle" \
  -DCMAKE_BUILD_TYPE=Release >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; exit 1; }
cmake --build "$work/consumer" -j2 >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; exit 1; }
"$work/consumer/consumer"
set +e
usage=$("$work/consumer/publish_sensor" 2>&1); status=$?
set -e
[ "$status" -eq 2 ] && grep -q '^usage:' <<<"$usage" ||
  { echo "dist-test: publish_sensor (find_package, cellmqtt::posix) did not run: $usage"; exit 1; }
export PKG_CONFIG_PATH="$bundle/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config prints flags to be split
cc -std=c11 -Wall -Wextra -Werror tests/e2e/cmake/consumer.c $(pkg-config --cflags --libs cellmqtt) \
  -o "$work/consumer-pc"
"$work/consumer-pc" >/dev/null || { echo "dist-test: the pkg-config build does not run"; exit 1; }

# (c) Cortex-M4F image with the C library's memcpy and memset.
link_m4f() {  # OUT EXTRA...: the size firmware, linked against the bundle's M4F library
  local out=$1; shift
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -std=c11 -Wall \
    -Wextra -Werror -Os -ffunction-sections -fdata-sections -I"$bundle/include" \
    -I"$bundle/ports/baremetal" -Itests/firmware/mps2 -nostartfiles -T tests/firmware/mps2/mps2.ld \
    -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs -Wl,--no-warn-execstack \
    -Wl,-Map="$out.map" tests/firmware/size/main.c tests/firmware/mps2/startup.c \
    "$bundle/ports/baremetal/cellmqtt_baremetal.c" "$@" -o "$out"
}
# Which archive member the linker took for SYMBOL (the map's "Archive member included ...").
provider() {
  awk -v sym="($2)" '/^Archive member included/{on=1; next} /^(Discarded|Memory Configuration)/{on=0}
       on && /^[^ ]/ {member=$1} on && index($0, sym) {print member; exit}' "$1"
}
lib_m4f="$bundle/lib/thumbv7em-none-eabihf/all/libcellmqtt.a"
link_m4f "$work/libc-mem.elf" -Wl,-u,memcpy -Wl,-u,memset -lc "$lib_m4f"
link_m4f "$work/own-mem.elf" "$lib_m4f"
libc_memcpy=$(provider "$work/libc-mem.elf.map" memcpy)
own_memcpy=$(provider "$work/own-mem.elf.map" memcpy)
case "$libc_memcpy" in
  *libc*) ;;
  *) echo "dist-test: memcpy came from '$libc_memcpy', not the C library"; exit 1 ;;
esac
case "$own_memcpy" in
  *libcellmqtt.a*) ;;
  *) echo "dist-test: control: memcpy came from '$own_memcpy', expected the archive's"; exit 1 ;;
esac
# The PlatformIO and ESP-IDF manifests: parse, and name only what the bundle holds (neither
# tool is available here to build with them).
python3 - "$bundle" <<'PY'
import json, os, py_compile, re, sys
b = sys.argv[1]
lib = json.load(open(os.path.join(b, "library.json")))
assert lib["name"] == "cellmqtt" and lib["version"], lib
for path in lib["export"]["include"] + [lib["build"]["includeDir"], lib["build"]["extraScript"]]:
    assert os.path.exists(os.path.join(b, path)), f"library.json names a missing {path}"
py_compile.compile(os.path.join(b, "select_library.py"), doraise=True)
idf = open(os.path.join(b, "esp-idf", "cellmqtt", "CMakeLists.txt")).read()
for triple in re.findall(r"set\(cellmqtt_triple (\S+)\)", idf):
    assert os.path.exists(os.path.join(b, "lib", triple, "all", "libcellmqtt.a")), triple
yml = open(os.path.join(b, "esp-idf", "cellmqtt", "idf_component.yml")).read()
assert re.search(r'^version: "\d+\.\d+\.\d+"$', yml, re.M), "idf_component.yml version"
PY

echo "dist-test: no Rust on PATH; (a) bare-metal firmware on the thumbv7m library passed its" \
     "scenario; (b) find_package and pkg-config host builds ran; (c) M4F image linked with the" \
     "C library's memcpy ($(basename "${libc_memcpy%%(*}")), no clash" \
     "($(arm-none-eabi-size "$work/libc-mem.elf" | awk 'NR==2{print $1}') B text)"
