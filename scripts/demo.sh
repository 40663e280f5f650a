#!/usr/bin/env bash
# make demo: cellmqtt-cli drives an emulated module (cellmqtt-emu; Air724UG by default,
# PROFILE=air780e, PROFILE=ec200u for the Quectel EC200U and its AT+QMT* dialect, or
# PROFILE=a7670 / sim7600 for the SIMCom modules and their AT+CMQTT* dialect) that speaks
# real MQTT to a real broker: the emulator's embedded one, or BROKER=host:port. It connects, subscribes,
# publishes QoS 0, 1 and 2 (three rounds), receives its own messages back, and survives an
# injected CLOSED (after round 1) and a module hang (after round 2) that only a RESET pulse
# cures. Prints the steps and a summary; exit 0 only if every step passed.
#
# Needs build/cellmqtt-cli and build/cellmqtt-emu (make demo builds them). Everything it
# starts it stops, by PID. Logs: build/demo/ (cli.jsonl, at.trace, cli.stderr, emu.log).
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=${CLI:-build/cellmqtt-cli}
EMU=${EMU:-build/cellmqtt-emu}
OUT=${DEMO_OUT:-build/demo}
BROKER=${BROKER:-}
PROFILE=${PROFILE:-air724ug}

pids=()
closed_urc=CLOSED
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
die() { echo "demo: $*" >&2; exit 1; }

rm -rf "$OUT" && mkdir -p "$OUT"
[ -x "$CLI" ] && [ -x "$EMU" ] || die "build first: make cli emu-full (or make demo)"

# The module the profile emulates, and the pins its hang cure needs: the Air780E's RESET_N shuts
# it down, so it takes PWRKEY as well; the Air724UG, the EC200U and the SIMCom modules reboot on
# a RESET pulse (the CLI's 600 ms default is above the emulated SIMCom's 300 ms).
pins=reset
case $PROFILE in
  air724ug) module="Air724UG" ;;
  air780e) module="Air780E"; pins=reset,pwrkey ;;
  ec200u | ec600u | eg915u) module="Quectel ${PROFILE^^}, AT+QMT* dialect,"; closed_urc="+QMTSTAT: 0,1" ;;
  a7670 | a7672 | sim7600) module="SIMCom ${PROFILE^^}, AT+CMQTT* dialect,"; closed_urc="+CMQTTCONNLOST: 0,1" ;;
  *) die "unknown PROFILE=$PROFILE (air724ug, air780e, ec200u, ec600u, eg915u, a7670, a7672, sim7600)" ;;
esac

# A free loopback port for the embedded broker (the emulator needs a fixed number).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found"
}

emu_args=(--listen 127.0.0.1:0 --control 127.0.0.1:0 --profile "$PROFILE"
          --boot-ms 300 --sim-ms 100 --attach-ms 300 --log "$OUT/emu.log")
if [ -n "$BROKER" ]; then
  broker_host=${BROKER%:*} broker_port=${BROKER##*:}
  broker_desc="broker $BROKER"
else
  broker_host=127.0.0.1 broker_port=$(free_port)
  emu_args+=(--embedded-broker "$broker_port")
  broker_desc="embedded broker (rumqttd) on 127.0.0.1:$broker_port"
fi

# The emulator prints one JSON ready line; read it through a FIFO (no polling, no sleeps).
mkfifo "$OUT/emu.fifo" "$OUT/cli.fifo"
"$EMU" "${emu_args[@]}" >"$OUT/emu.fifo" &
pids+=($!)
exec {emu_fd}<"$OUT/emu.fifo"
read -r -t 20 -u "$emu_fd" ready || die "cellmqtt-emu did not start (see $OUT/emu.log)"
tcp=$(sed -n 's/.*"tcp":"\([^"]*\)".*/\1/p' <<<"$ready")
control=$(sed -n 's/.*"control":"\([^"]*\)".*/\1/p' <<<"$ready")
[ -n "$tcp" ] && [ -n "$control" ] || die "unexpected ready line: $ready"
exec {ctl_fd}<>"/dev/tcp/${control%:*}/${control##*:}"
inject() {
  local reply
  echo "$1" >&"$ctl_fd"
  read -r -t 5 -u "$ctl_fd" reply || die "no reply from the emulator to '$1'"
  [[ $reply == ok* ]] || die "emulator refused '$1': $reply"
}

echo "cellmqtt demo: cellmqtt-cli <-> cellmqtt-emu ($module on $tcp) <-> $broker_desc"
"$CLI" --tcp "$tcp" --profile "$PROFILE" --host "$broker_host" --port "$broker_port" --client-id demo-device \
  --sub 'demo/#:2' \
  --pub 'demo/qos0:0=reading {n} at QoS 0' \
  --pub 'demo/qos1:1=reading {n} at QoS 1' \
  --pub 'demo/qos2:2=reading {n} at QoS 2' \
  --count 3 --interval-ms 1000 --exit-after-messages 9 --exit-after-ms 60000 \
  --pins "$pins" --emu-control "$control" --fast-recovery --stats --trace "$OUT/at.trace" \
  >"$OUT/cli.fifo" 2>"$OUT/cli.stderr" &
cli_pid=$!
pids+=($cli_pid)
exec {cli_fd}<"$OUT/cli.fifo"

field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$line"; }
declare -A sent=() got=() seen=()
received=0 duplicates=0 published=0 closed_at=0 hung_at=0 code=""
online=0 subscribed="" restored=0 reconnect="" reset="" gpio_on="" gpio_off="" online_after_hang=""
while IFS= read -r -t 90 -u "$cli_fd" line; do
  printf '%s\n' "$line" >>"$OUT/cli.jsonl"
  t=$(field t_ms)
  stamp=$(printf '%3d.%02ds' $((t / 1000)) $((t % 1000 / 10)))
  case $(field event) in
    state)
      s=$(field state)
      if [ "$s" = online ]; then
        online=$((online + 1))
        echo "  $stamp  module online (MQTT connected)"
        [ "$reset" ] && online_after_hang=1
      fi ;;
    subscribed)
      if [ "$(field restored)" = true ]; then
        restored=$((restored + 1)); echo "  $stamp  subscription $(field topic) restored"
      else
        subscribed=$(field topic); echo "  $stamp  subscribed to $subscribed (QoS $(field qos))"
      fi ;;
    published)
      published=$((published + 1)); q=$(field qos); sent[$q]=$((${sent[$q]:-0} + 1)) ;;
    publish_failed) echo "  $stamp  publish FAILED: $line" ;;
    message)
      topic=$(field topic)
      payload=$(field payload_b64 | base64 -d)
      key="$topic|$payload"
      if [ "${seen[$key]:-}" ]; then duplicates=$((duplicates + 1)); else
        seen[$key]=1; q=${topic#demo/qos}; got[$q]=$((${got[$q]:-0} + 1)); fi
      received=$((received + 1))
      echo "  $stamp  received $topic \"$payload\"" ;;
    recovery)
      step=$(field step)
      echo "  $stamp  recovery: $step (after $(field reason))"
      [ "$step" = reconnect ] && [ "$closed_at" != 0 ] && [ "$hung_at" = 0 ] && reconnect=1
      [ "$step" = reset_pin ] && [ "$hung_at" != 0 ] && reset=1 ;;
    gpio)
      pin=$(field pin)
      echo "  $stamp  ${pin^^} pin $([ "$(field level)" = 1 ] && echo asserted || echo released) -> $(field to)"
      if [ "$pin" = reset ]; then [ "$(field level)" = 1 ] && gpio_on=1 || gpio_off=1; fi ;;
    log)  # why a recovery happened; command errors (e.g. 767 to a routine MIPCLOSE) are noise
      kind=$(field kind)
      if [ "$kind" != command_error ]; then echo "  $stamp  why: $(field what) ${kind//_/ }"; fi ;;
    error) echo "  $stamp  error: $line" ;;
    exit) code=$(field code); break ;;
  esac
  # Faults go in between rounds: once a round's messages are back AND confirmed (the echo can
  # arrive before the PUBACK), with the next publish a whole interval away.
  if [ "$received" -ge 3 ] && [ "$published" -ge 3 ] && [ "$closed_at" = 0 ]; then
    closed_at=$t; inject close
    echo "  $stamp  >>> injected: broker link dropped (module prints $closed_urc)"
  elif [ "$received" -ge 6 ] && [ "$published" -ge 6 ] && [ "$hung_at" = 0 ]; then
    hung_at=$t; inject hang
    echo "  $stamp  >>> injected: module firmware hangs (no answers at all)"
  fi
done
wait "$cli_pid" && cli_rc=0 || cli_rc=$?

pass=0 fail=0
check() {  # check 0|1 "what": 0 = passed, like an exit status
  if [ "$1" = 0 ]; then echo "  ✓ $2"; pass=$((pass + 1)); else echo "  ✗ $2"; fail=$((fail + 1)); fi
}
echo
echo "Summary"
c=0; [ "$online" -ge 1 ] && [ -n "$subscribed" ] || c=1
check $c "connected through the module, subscribed to ${subscribed:-nothing}"
for q in 0 1 2; do
  c=0; [ "${sent[$q]:-0}" = 3 ] && [ "${got[$q]:-0}" = 3 ] || c=1
  check $c "QoS $q: ${sent[$q]:-0}/3 publishes confirmed, ${got[$q]:-0}/3 received back"
done
c=0; [ -n "$reconnect" ] && [ "$restored" -ge 1 ] || c=1
check $c "survived $closed_urc: recovery 'reconnect', subscription restored"
c=0; [ -n "$reset" ] && [ -n "$gpio_on" ] && [ -n "$gpio_off" ] && [ -n "$online_after_hang" ] || c=1
check $c "survived a hang: recovery 'reset_pin', RESET pulsed, online again"
c=0; [ "$cli_rc" = 0 ] && [ "$code" = 0 ] || c=1
check $c "cellmqtt-cli exit code ${code:-none} (process $cli_rc)"
echo "  $received messages received ($duplicates duplicates), $published publishes confirmed"
echo "  logs: $OUT/cli.jsonl (JSON events), $OUT/at.trace (AT trace, cellmqtt-trace v1), $OUT/emu.log"
if [ "$fail" = 0 ]; then echo "demo: PASSED ($pass/$pass steps)"; else echo "demo: FAILED ($fail of $((pass + fail)) steps)"; exit 1; fi
