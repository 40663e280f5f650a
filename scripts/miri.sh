#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# The engine's tests under Miri, MIRI_JOBS (default 2) test targets at a time: one interpreter
# uses one core, and the run is the longest step of `make test`. Cargo holds its build lock
# only while it compiles, so the workers share one target dir. Each target logs to
# $1/<target>.log; on stdout, the logs in order once all ended. Exits non-zero if any failed.
#
# Usage: scripts/miri.sh <log dir>
set -u
dir=${1:?usage: scripts/miri.sh <log dir>}
jobs=${MIRI_JOBS:-2}
cargo=${CARGO:-cargo}
mkdir -p "$dir"
rm -f "$dir"/*.log "$dir"/*.failed

# The targets as Cargo discovers them (tests/*.rs, tests/*/main.rs) and the unit tests. The
# longest go first (measured under Miri, 2026-12-04), so that no worker is left with a long
# one at the end while the other idles; the rest follow in name order.
longest="doc_classes engine_pins engine_quectel_recovery engine_subs_model lib quectel_tokenizer
engine_interleave engine_queue_model engine_review engine_reboot engine_simcom_recovery
engine_shared_model engine_field at_tokenizer_model"
all=$( (ls tests/*.rs; ls tests/*/main.rs) | sed -e 's#^tests/##' -e 's#/main\.rs$##' \
    -e 's#\.rs$##' | sort)
targets=$( (for t in $longest; do echo "$t"; done; echo lib; echo "$all") | awk '!seen[$0]++')
for t in $longest; do
    case " lib $(echo $all) " in
    *" $t "*) ;;
    *) echo "miri.sh: $t (in the longest-first list) is not a test target" >&2; exit 2 ;;
    esac
done

# Miri's sysroot is built once, before the workers start (on a fresh machine both would).
$cargo +nightly miri setup || exit 1
export MIRIFLAGS="-Zmiri-strict-provenance -Zmiri-ignore-leaks"
export dir cargo
echo "$targets" | xargs -P "$jobs" -I{} sh -c '
    t={}
    if [ "$t" = lib ]; then sel=--lib; else sel="--test $t"; fi
    $cargo +nightly miri test -p cellmqtt $sel > "$dir/$t.log" 2>&1 || touch "$dir/$t.failed"
'
for t in $targets; do
    cat "$dir/$t.log"
done
failed=$(ls "$dir" | sed -n 's#\.failed$##p')
if [ -n "$failed" ]; then
    # Their ends again, last, where a reader of the log's tail looks.
    for t in $failed; do
        echo "==== miri: $t failed ($dir/$t.log) ===="
        tail -n 40 "$dir/$t.log"
    done
    echo "miri.sh: failed:" $failed
    exit 1
fi
