#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Every C, header and Rust source we ship (the library, its header, the ports, the examples)
# names its licence in its first lines, as the crate does (MIT OR Apache-2.0), so a legal
# review of any file taken alone finds it.
set -euo pipefail
cd "$(dirname "$0")/.."
want='SPDX-License-Identifier: MIT OR Apache-2.0'
missing=0
checked=0
while IFS= read -r f; do
  checked=$((checked + 1))
  if ! head -n 3 "$f" | grep -qF "$want"; then
    echo "no licence line in the first 3 lines: $f"
    missing=$((missing + 1))
  fi
done < <(git ls-files --cached --others --exclude-standard -- src include ports examples-c build.rs scripts/dist \
           | grep -E '\.(rs|c|h)$')
for f in LICENSE-MIT LICENSE-APACHE; do
  [ -s "$f" ] || { echo "missing $f"; missing=$((missing + 1)); }
done
grep -q '^license = "MIT OR Apache-2.0"$' Cargo.toml || { echo "Cargo.toml: licence changed"; missing=$((missing + 1)); }
if [ "$missing" -ne 0 ]; then
  echo "spdx-check: $missing problem(s) in $checked shipped sources"
  exit 1
fi
echo "spdx-check: $checked shipped sources carry the licence line; LICENSE-MIT and LICENSE-APACHE present"
