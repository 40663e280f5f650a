#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# The README's link lines, run as written: the commands between <!-- link-lines --> and
# <!-- /link-lines --> are extracted from README.md and executed in a scratch directory that
# sees the repository's include/, ports/ and target/ (after `make lib cross`), with app.c an
# example on the POSIX port and firmware.c the size firmware on the bare-metal port. The host
# program must run; the firmware must link the library's entry points.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for d in include ports target; do ln -s "$root/$d" "$work/$d"; done
cp "$root/examples-c/publish_sensor.c" "$work/app.c"
cp "$root/tests/firmware/size/main.c" "$work/firmware.c"
awk '/<!-- link-lines -->/{on=1; next} /<!-- \/link-lines -->/{on=0} on' "$root/README.md" \
  | sed '/^```/d' > "$work/link.sh"
lines=$(grep -c . "$work/link.sh" || true)
[ "$lines" -ge 2 ] || { echo "readme-link: no link lines found in README.md"; exit 1; }
(cd "$work" && bash -euo pipefail link.sh)
# The host program starts (its usage text, exit status 2 for missing arguments).
set +e
usage=$("$work/app" 2>&1)
status=$?
set -e
[ "$status" -eq 2 ] && grep -q '^usage:' <<<"$usage" \
  || { echo "readme-link: ./app did not run as expected (status $status): $usage"; exit 1; }
syms=$(arm-none-eabi-nm "$work/firmware.elf")
for s in cellmqtt_init_abi cellmqtt_poll cellmqtt_publish cellmqtt_baremetal_service; do
  grep -q " T $s\$" <<<"$syms" || { echo "readme-link: firmware.elf lacks $s"; exit 1; }
done
echo "readme-link: the README's host and firmware link lines build a running program and a" \
     "firmware image ($(arm-none-eabi-size "$work/firmware.elf" | awk 'NR==2{print $1}') B of text)"
