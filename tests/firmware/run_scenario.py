#!/usr/bin/env python3
"""Runs one test firmware through the end-to-end scenario (tests/firmware/common/scenario.h).

Starts, on loopback: mosquitto on a free port, a mosquitto_sub that records what the device
publishes, cellmqtt-emu (serial on --listen, control socket), then the device command
(QEMU, or the FreeRTOS POSIX build) under `timeout`. It answers the device's '@' lines:
  @ready       publish "hello" to fw/<name>/down
  @fault X     send X (`close`, `hang`) on the emulator's control socket
  @ready2      publish "bye"
and finally checks the device's exit code, its @pass line, that the subscriber got every
sequence number, and the emulator's own counters. Placeholders in the device command:
{uart_port} {control_port} {broker_port} {logs}. Prints 'N passed, M failed'; exit 0 only if all pass.

With --max-poll-rate N, the device's @pass line must show polls/elapsed_ms (the bare-metal
firmware counts its cellmqtt_poll calls) at or under N per second: a firmware that trusts
cellmqtt_poll_delay_ms sleeps between deadlines instead of spinning.

With --expect PREFIX (repeatable), some device line must start with PREFIX: the FreeRTOS
firmware prints "share ok ..." once its checks of the port's blocking helpers passed.

With --down-size N, the device (built with SCENARIO_BIG_MESSAGE) says "@big N" after "hello":
the harness checks the N is this one, publishes N + 1 bytes and then N bytes of the pattern
(scenario_big_byte in scenario.h), and requires the device's "message big intact" line. The
2 KiB-RAM firmware's N is the largest message its line buffer holds.

With --pin-lines, device lines "@pin NAME 0|1" go to the emulator's control socket as
"pin NAME 0|1": a board with one UART (the micro:bit) carries its RESET line on the log.

Usage: run_scenario.py --name NAME --emu PATH --logs DIR [--timeout S] [--max-poll-rate N]
                       [--expect PREFIX]... [--down-size N] [--pin-lines] -- COMMAND...
"""

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

MESSAGES = 50


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_connectable(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def big_payload(size):
    """The large messages' bytes: scenario_big_byte() in tests/firmware/common/scenario.h."""
    return "".join(chr(33 + i % 94) for i in range(size))


def line_reader(stream, sink, tag):
    """Forwards each line of `stream` into queue `sink` as (tag, line); (tag, None) at EOF."""
    for raw in iter(stream.readline, b""):
        sink.put((tag, raw.decode("utf-8", "replace").rstrip("\r\n")))
    sink.put((tag, None))


class Run:
    def __init__(self, args):
        self.args = args
        self.logs = args.logs
        self.procs = []
        self.t0 = time.monotonic()
        os.makedirs(self.logs, exist_ok=True)
        # mosquitto drops to its own user when started as root: it must be able to read here.
        os.chmod(self.logs, 0o755)
        self.transcript = open(os.path.join(self.logs, "device.log"), "w")
        self.lines = queue.Queue()

    def log(self, text, echo=True):
        stamp = "%7.3f" % (time.monotonic() - self.t0)
        self.transcript.write("%s %s\n" % (stamp, text))
        self.transcript.flush()
        if echo:
            print("  [%s] %s %s" % (self.args.name, stamp, text), flush=True)

    def spawn(self, argv, **kw):
        p = subprocess.Popen(argv, **kw)
        self.procs.append(p)
        return p

    def start_broker(self):
        self.broker_port = free_port()
        conf = os.path.join(self.logs, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "log_dest stderr\n" % self.broker_port)
        os.chmod(conf, 0o644)
        err = open(os.path.join(self.logs, "mosquitto.log"), "w")
        self.spawn(["mosquitto", "-c", conf], stdout=err, stderr=err)
        if not wait_connectable(self.broker_port, 10):
            raise RuntimeError("mosquitto did not start")

    def publish(self, topic, payload):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.broker_port),
                        "-t", topic, "-m", payload, "-q", "1"], check=True, timeout=10)

    def start_subscriber(self):
        """mosquitto_sub on the device's up topic; returns once it provably receives."""
        self.up = "fw/%s/up" % self.args.name
        self.sub_lines = queue.Queue()
        sub = self.spawn(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.broker_port),
                          "-t", self.up, "-q", "1", "-i", "fw-test-sub-" + self.args.name],
                         stdout=subprocess.PIPE)
        threading.Thread(target=line_reader, args=(sub.stdout, self.sub_lines, "sub"),
                         daemon=True).start()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self.publish(self.up, "probe")
            try:
                if self.sub_lines.get(timeout=0.3)[1] == "probe":
                    return
            except queue.Empty:
                pass
        raise RuntimeError("mosquitto_sub did not receive the probe")

    def start_emulator(self):
        argv = [self.args.emu, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                "--boot-ms", "100", "--sim-ms", "50", "--attach-ms", "100",
                # Acks come 20 ms after the broker's, so publishes are still in flight when
                # the harness injects a fault (real modules: 200 ms and more).
                "--net-latency-ms", "20",
                "--log", os.path.join(self.logs, "emu.log")]
        emu = self.spawn(argv, stdout=subprocess.PIPE)
        ready = json.loads(emu.stdout.readline())
        self.uart_port = int(ready["tcp"].rsplit(":", 1)[1])
        self.control_port = int(ready["control"].rsplit(":", 1)[1])
        self.control = socket.create_connection(("127.0.0.1", self.control_port), timeout=5)
        self.control_in = self.control.makefile("r")

    def emulator(self, command):
        self.control.sendall((command + "\n").encode())
        reply = self.control_in.readline().strip()
        self.log("emulator <- %s: %s" % (command, reply))
        return reply

    def start_device(self):
        fields = {"uart_port": self.uart_port, "control_port": self.control_port,
                  "broker_port": self.broker_port, "logs": os.path.abspath(self.logs)}
        argv = [a.format(**fields) for a in self.args.command]
        self.log("device: " + " ".join(argv), echo=False)
        # stderr too: QEMU writes semihosting output there.
        self.device = self.spawn(["timeout", str(self.args.timeout)] + argv,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=line_reader, args=(self.device.stdout, self.lines, "dev"),
                         daemon=True).start()

    def converse(self):
        """Answers the device until its output ends; returns its @pass line (or None)."""
        down = "fw/%s/down" % self.args.name
        passed = None
        self.seen = []
        while True:
            _, line = self.lines.get()
            if line is None:
                return passed
            self.seen.append(line)
            quiet = line.startswith("published ")
            self.log(line, echo=not quiet)
            if line == "@ready":
                self.publish(down, "hello")
            elif line.startswith("@fault "):
                self.emulator(line.split(" ", 1)[1])
            elif line.startswith("@pin ") and self.args.pin_lines:
                self.emulator(line[1:])
            elif line.startswith("@big "):
                self.big_asked = int(line.split()[1])
                if self.args.down_size is not None:
                    size = self.args.down_size
                    # One byte over the largest first: the device must count it as a loss,
                    # then take the largest whole.
                    self.publish(down, big_payload(size + 1))
                    self.publish(down, big_payload(size))
            elif line == "@ready2":
                self.publish(down, "bye")
            elif line.startswith("@pass"):
                passed = line

    def received_sequence_numbers(self):
        seqs = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            try:
                _, payload = self.sub_lines.get(timeout=0.2)
            except queue.Empty:
                if len(set(seqs)) >= MESSAGES:
                    break
                continue
            if payload and payload.startswith("seq="):
                seqs.append(int(payload[4:]))
        return seqs

    def stop_all(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in reversed(self.procs):
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--emu", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--timeout", type=int, default=150)
    ap.add_argument("--max-poll-rate", type=float, default=None)
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--down-size", type=int, default=None)
    ap.add_argument("--pin-lines", action="store_true")
    ap.add_argument("command", nargs="+")
    args = ap.parse_args()
    for tool in ("mosquitto", "mosquitto_sub", "mosquitto_pub", "timeout"):
        if shutil.which(tool) is None:
            sys.exit("run_scenario: %s not found (make deps)" % tool)

    run = Run(args)
    checks = []
    try:
        run.start_broker()
        run.start_subscriber()
        run.start_emulator()
        run.start_device()
        passed_line = run.converse()
        code = run.device.wait()
        seqs = run.received_sequence_numbers()
        emu_stats = json.loads(run.emulator("stats").split(" ", 1)[1])
    except Exception as e:  # setup failure: report it as one failed check
        run.log("harness error: %r" % (e,))
        checks.append(("harness ran", False))
        code, passed_line, seqs, emu_stats = None, None, [], {}
    finally:
        run.stop_all()

    missing = sorted(set(range(MESSAGES)) - set(seqs))
    unexpected = sorted(set(seqs) - set(range(MESSAGES)))
    duplicates = len(seqs) - len(set(seqs))
    faults = emu_stats.get("faults_by_kind", {})
    checks += [
        ("device exit code 0 (got %s)" % code, code == 0),
        ("device printed @pass", passed_line is not None),
        ("subscriber got seq 0..%d (missing %s)" % (MESSAGES - 1, missing[:10]), not missing),
        ("no unexpected seq (%s)" % unexpected[:10], not unexpected),
        ("emulator injected close and hang (%s)" % faults,
         faults.get("close", 0) >= 1 and faults.get("hang", 0) >= 1),
        ("emulator: >= 3 MQTT connects (%s)" % emu_stats.get("mqtt_connects"),
         emu_stats.get("mqtt_connects", 0) >= 3),
    ]
    for prefix in args.expect:
        seen = getattr(run, "seen", [])
        checks.append(("device printed a line starting %r" % prefix,
                       any(line.startswith(prefix) for line in seen)))
    if args.down_size is not None:
        seen = getattr(run, "seen", [])
        asked = getattr(run, "big_asked", None)
        checks.append(("device asked for the largest message of %d bytes (asked %s)"
                       % (args.down_size, asked), asked == args.down_size))
        checks.append(("device received %d bytes intact after the %d-byte message was counted "
                       "lost" % (args.down_size, args.down_size + 1),
                       "message big intact bytes=%d" % args.down_size in seen))
    fields = dict(kv.split("=", 1) for kv in (passed_line or "").split()[1:] if "=" in kv)
    if "polls" in fields and int(fields.get("elapsed_ms", "0")) > 0:
        rate = int(fields["polls"]) * 1000.0 / int(fields["elapsed_ms"])
        run.log("device polled %s times in %s ms (%.0f/s), slept %s times"
                % (fields["polls"], fields["elapsed_ms"], rate, fields.get("sleeps", "?")))
        if args.max_poll_rate is not None:
            checks.append(("poll rate %.0f/s <= %.0f/s" % (rate, args.max_poll_rate),
                           rate <= args.max_poll_rate))
    failed = [name for name, ok in checks if not ok]
    for name, ok in checks:
        run.log("%s: %s" % ("ok  " if ok else "FAIL", name))
    run.log("subscriber duplicates (QoS 1 re-sends after link loss): %d" % duplicates)
    run.log("elapsed %.1f s; logs in %s" % (time.monotonic() - run.t0, args.logs))
    print("%s: %d passed, %d failed" % (args.name, len(checks) - len(failed), len(failed)),
          flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
