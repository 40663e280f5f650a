#!/usr/bin/env bash
# Installs what `make test` needs when it is missing: Debian packages (lean, no recommends),
# rustup targets and nightly components. Idempotent and quiet when everything is present.
set -euo pipefail

need_pkgs=()
command -v arm-none-eabi-gcc >/dev/null || need_pkgs+=(gcc-arm-none-eabi libnewlib-arm-none-eabi)
command -v qemu-system-arm   >/dev/null || need_pkgs+=(qemu-system-arm)
command -v mosquitto         >/dev/null || need_pkgs+=(mosquitto)
command -v mosquitto_sub     >/dev/null || need_pkgs+=(mosquitto-clients)
command -v valgrind          >/dev/null || need_pkgs+=(valgrind)
command -v openssl           >/dev/null || need_pkgs+=(openssl)
command -v cmake             >/dev/null || need_pkgs+=(cmake)
# The Zephyr Kconfig check reads kconfiglib (pure Python) from the Debian package.
[ -f /usr/lib/python3/dist-packages/kconfiglib.py ] || python3 -c "import kconfiglib" 2>/dev/null ||
  need_pkgs+=(python3-kconfiglib)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "deps: installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

installed=$(rustup target list --installed)
for t in thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
# For `make dist` (prebuilt libraries for every Cortex-M and RV32 class). Where a target's
# rust-std cannot be downloaded (thumbv8m.base on this workplace's mirror), dist.sh builds it
# from source with the nightly toolchain instead, so a failure here is not fatal.
for t in thumbv7em-none-eabi thumbv8m.base-none-eabi thumbv8m.main-none-eabi \
         thumbv8m.main-none-eabihf riscv32imc-unknown-none-elf; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t" >/dev/null 2>&1 ||
    echo "deps: no rust-std for $t; make dist builds it with nightly -Zbuild-std"
done
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
if [ "${CELLMQTT_NEED_NIGHTLY:-0}" = 1 ]; then
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
  comps=$(rustup component list --toolchain nightly --installed)
  grep -q '^miri' <<<"$comps" && grep -q '^rust-src' <<<"$comps" ||
    rustup component add miri rust-src --toolchain nightly
fi
