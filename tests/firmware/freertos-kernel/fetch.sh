#!/usr/bin/env bash
# Prints the FreeRTOS-Kernel source directory (V11.2.0, MIT) shipped in the pinned registry
# crate freertos-next, downloading it into cargo's cache on first use. Nothing is built and
# nothing is copied into the repository.
set -euo pipefail
manifest="$(cd "$(dirname "$0")" && pwd)/Cargo.toml"
cargo fetch --locked --quiet --manifest-path "$manifest"
crate_manifest=$(cargo metadata --locked --offline --format-version 1 --manifest-path "$manifest" |
  python3 -c 'import json, sys
print(next(p["manifest_path"] for p in json.load(sys.stdin)["packages"] if p["name"] == "freertos-next"))')
kernel="$(dirname "$crate_manifest")/FreeRTOS-Kernel"
grep -q 'tskKERNEL_VERSION_NUMBER *"V11.2.0"' "$kernel/include/task.h" || {
  echo "fetch.sh: $kernel is not FreeRTOS-Kernel V11.2.0" >&2
  exit 1
}
echo "$kernel"
