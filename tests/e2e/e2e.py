#!/usr/bin/env python3
"""End-to-end tests: build/cellmqtt-cli (and the C examples) -> cellmqtt-emu -> mosquitto.

Every scenario starts its own emulator; one mosquitto on a free loopback port serves them all.
Waits are bounded reads of the programs' output, never fixed sleeps. Every process started here
is stopped by its PID. Standard library only.

  tests/e2e/e2e.py [--emu build/cellmqtt-emu] [--cli build/cellmqtt-cli] [--only NAME]
"""
import argparse
import base64
import json
import os
import queue
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import e2e_simcom
import fault_rounds

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "build", "e2e")
T = 30  # seconds: generous bound for any single wait


class Fail(Exception):
    pass


class Proc:
    """A child process whose stdout lines are read by a thread into a queue."""

    def __init__(self, args, name, stdin=None, stderr_path=None, env=None):
        self.name = name
        err = open(stderr_path, "wb") if stderr_path else subprocess.DEVNULL
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, stdin=stdin,
                                  cwd=ROOT, env=env)
        self.lines = queue.Queue()
        self.all = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.p.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout=T):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise Fail(f"{self.name}: no output for {timeout} s")
        if line is None:
            raise Fail(f"{self.name}: exited ({self.p.wait()}) while a line was awaited")
        self.all.append(line)
        return line

    def wait(self, timeout=T):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Fail(f"{self.name}: still running after {timeout} s")

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class World:
    """Owns every process a scenario starts and stops them all, by PID."""

    def __init__(self):
        self.procs = []

    def start(self, *args, **kw):
        p = Proc(*args, **kw)
        self.procs.append(p)
        return p

    def close(self):
        for p in reversed(self.procs):
            p.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_mosquitto(world, workdir):
    """mosquitto on a free loopback port; retried if another process takes the port first."""
    for _ in range(5):
        port = free_port()
        conf = os.path.join(workdir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        p = world.start(["mosquitto", "-c", conf], "mosquitto",
                        stderr_path=os.path.join(OUT, "mosquitto.log"))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and p.p.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.02)  # mosquitto gives no ready signal; poll its port briefly
    raise Fail("mosquitto did not start")


def start_emu(world, emu, name, *extra):
    args = [emu, "--control", "127.0.0.1:0", "--boot-ms", "200", "--sim-ms", "50",
            "--attach-ms", "200", "--log", os.path.join(OUT, f"{name}.emu.log"), *extra]
    if "--pty" not in extra:
        args[1:1] = ["--listen", "127.0.0.1:0"]
    p = world.start(args, f"{name}: cellmqtt-emu")
    ready = json.loads(p.line())
    if ready.get("event") != "ready":
        raise Fail(f"emulator ready line: {ready}")
    return ready


def mosquitto_pub(port, topic, payload, qos=1):
    with tempfile.NamedTemporaryFile(dir=OUT, delete=False) as f:
        f.write(payload)
    try:
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", topic,
                        "-q", str(qos), "-f", f.name], check=True, timeout=T)
    finally:
        os.unlink(f.name)


def subscriber(world, port, topic, name, probe_topic=None):
    """A mosquitto_sub on `topic` (QoS 1, payloads one per line), known to be subscribed:
    READY is published to `probe_topic` (default: `topic`) until it comes back."""
    sub = world.start(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", topic,
                       "-q", "1", "-F", "%p"], name)
    # mosquitto_sub prints no "subscribed" line: publish probes until one comes back.
    for _ in range(100):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t",
                        probe_topic or topic,
                        "-q", "1", "-m", "READY"], check=True, timeout=T)
        try:
            if sub.lines.get(timeout=0.1) == "READY":
                return sub
        except queue.Empty:
            pass
    raise Fail(f"{name} never subscribed")


def read_until(sub, last, timeout=T):
    """Lines of `sub` up to and including the line `last`."""
    got = []
    deadline = time.monotonic() + timeout
    while True:
        line = sub.line(max(0.1, deadline - time.monotonic()))
        if line == "READY":
            continue
        if line == last:
            return got
        got.append(line)


CLI_BIN = os.path.join(ROOT, "build", "cellmqtt-cli")


def cli(world, name, args):
    return world.start([CLI_BIN, *args], f"{name}: cli",
                       stderr_path=os.path.join(OUT, f"{name}.cli.stderr"))


def events(proc, name, until=None, timeout=T):
    """Reads JSON events until `until(ev)` holds or the CLI exits; checks each is valid JSON
    with an `event` and `t_ms`. Returns them."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = proc.line(max(0.1, deadline - time.monotonic()))
        except Fail:
            if proc.p.poll() is not None and until is None:
                break
            raise
        try:
            ev = json.loads(line)
        except json.JSONDecodeError as e:
            raise Fail(f"{name}: not JSON ({e}): {line!r}")
        if not isinstance(ev.get("event"), str) or not isinstance(ev.get("t_ms"), int):
            raise Fail(f"{name}: event without event/t_ms: {line}")
        out.append(ev)
        with open(os.path.join(OUT, f"{name}.cli.jsonl"), "a") as f:
            f.write(line + "\n")
        if until and until(ev):
            break
        if ev["event"] == "exit" and until is None:
            break
    return out


def expect(cond, what):
    if not cond:
        raise Fail(what)


# ---- scenarios ----

def scenario_load(world, emu, mport):
    """1,000 QoS 1 messages to a mosquitto_sub, none lost; a message from mosquitto_pub."""
    n = 1000
    ready = start_emu(world, emu, "load")
    sub = subscriber(world, mport, "e2e/load", "load: mosquitto_sub")
    inbound = b'from mosquitto_pub: "quoted", comma,\r\nCRLF and bytes \x00\x01\xfe\xff'
    t0 = time.monotonic()
    c = cli(world, "load", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port", str(mport),
                            "--client-id", "e2e-load", "--sub", "e2e/down:1",
                            "--pub", "e2e/load:1=load {n}", "--count", str(n),
                            "--exit-after-messages", "1", "--exit-after-ms", "120000", "--stats"])
    evs = events(c, "load", until=lambda e: e["event"] == "subscribed")
    mosquitto_pub(mport, "e2e/down", inbound)
    evs += events(c, "load", timeout=120)
    expect(c.wait() == 0, f"load: cli exit code {c.p.returncode}")
    elapsed = time.monotonic() - t0

    published = [e for e in evs if e["event"] == "published"]
    seqs = sorted(e["seq"] for e in published)
    expect(seqs == list(range(n)), f"load: published seqs {len(seqs)} not 0..{n - 1}")
    expect(not [e for e in evs if e["event"] in ("publish_failed", "error")],
           "load: publish_failed or error events")
    msgs = [e for e in evs if e["event"] == "message"]
    expect(len(msgs) == 1 and msgs[0]["topic"] == "e2e/down", f"load: messages {msgs}")
    expect(base64.b64decode(msgs[0]["payload_b64"]) == inbound, "load: inbound payload differs")
    expect(msgs[0]["len"] == len(inbound), "load: len field")
    expect("payload" not in msgs[0], "load: a binary payload got a payload string")

    # Everything was PUBACKed by mosquitto before the CLI exited; a sentinel published now
    # reaches the subscriber after all of them.
    mosquitto_pub(mport, "e2e/load", b"END")
    lines = read_until(sub, "END")
    got = [int(x.split()[1]) for x in lines if x.startswith("load ")]
    unique = set(got)
    lost = n - len(unique & set(range(n)))
    dups = len(got) - len(unique)
    stats = next(e for e in evs if e["event"] == "stats")
    # Waiting for queue room means nothing is ever refused, and the poll-loop RX never overflows.
    expect(stats["publishes_rejected"] == 0 and stats["rx_overflow_bytes"] == 0 and
           not [e for e in evs if e["event"] == "loss"], f"load: refusals or losses {stats}")
    print(f"  load: {n} QoS 1 messages cli -> emulator -> mosquitto -> mosquitto_sub: "
          f"{len(unique)} delivered, {lost} lost, {dups} duplicates, {elapsed:.2f} s "
          f"(queue waits {stats['cli_queue_full_waits']}, retries {stats['publish_retries']}); "
          f"1 message from mosquitto_pub received intact")
    expect(lost == 0, f"load: {lost} messages lost")


def scenario_serial(world, emu, mport):
    """The serial path: a pty at a non-standard rate (termios2/BOTHER), QoS 2, cache mode."""
    n = 30
    ready = start_emu(world, emu, "serial", "--pty")
    c = cli(world, "serial", ["--serial", ready["serial"], "--baud", "250000", "--host",
                              "127.0.0.1", "--port", str(mport), "--client-id", "e2e-serial",
                              "--cache-mode", "--sub", "e2e/ser/#:2",
                              "--pub", "e2e/ser/x:2=q2 {n} \"x\",\r\n",
                              "--count", str(n), "--exit-after-messages", str(n),
                              "--exit-after-ms", "60000"])
    evs = events(c, "serial", timeout=60)
    expect(c.wait() == 0, f"serial: cli exit code {c.p.returncode}")
    got = sorted(base64.b64decode(e["payload_b64"]) for e in evs if e["event"] == "message")
    want = sorted(f'q2 {i} "x",\r\n'.encode() for i in range(n))
    expect(got == want, f"serial: received {len(got)} messages, not the {n} sent")
    print(f"  serial: pty at 250000 baud, cache mode, {n} QoS 2 messages sent and received back")



def scenario_examples(world, emu, mport):
    """publish_sensor (poll loop) and subscribe_echo (reader thread) against the emulator."""
    ready = start_emu(world, emu, "examples")
    link = "tcp:" + ready["tcp"]
    sub = subscriber(world, mport, "sensors/#", "examples: mosquitto_sub", "sensors/probe")
    ex = os.path.join(ROOT, "build", "examples")
    p = world.start([os.path.join(ex, "publish_sensor"), link, "127.0.0.1", str(mport), "3",
                     "50"], "publish_sensor")
    expect(p.wait() == 0, f"publish_sensor exit code {p.p.returncode}")
    readings = [sub.line() for _ in range(3)]
    expect(all(r.startswith('{"n":') for r in readings), f"sensor readings {readings}")

    echo_sub = subscriber(world, mport, "echo/out", "examples: echo mosquitto_sub")
    e = world.start([os.path.join(ex, "subscribe_echo"), link, "127.0.0.1", str(mport), "2"],
                    "subscribe_echo")
    while e.line() != "subscribed":
        pass
    mosquitto_pub(mport, "echo/in", b"first")
    mosquitto_pub(mport, "echo/in", b'second, "quoted"')
    echoed = [echo_sub.line(), echo_sub.line()]
    expect(echoed == ["first", 'second, "quoted"'], f"echoes {echoed}")
    expect(e.wait() == 0, f"subscribe_echo exit code {e.p.returncode}")
    print("  examples: publish_sensor 3 readings delivered; subscribe_echo echoed 2 messages")


def scenario_air780e(world, emu, mport):
    """Air780E: RESET_N shuts the module down, so the hang is cured by RESET then PWRKEY."""
    ready = start_emu(world, emu, "air780e", "--profile", "air780e")
    hook_log = os.path.join(OUT, "air780e.gpio-cmd.log")
    c = cli(world, "air780e", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                               str(mport), "--client-id", "e2e-780e", "--profile", "air780e",
                               "--pins", "reset,pwrkey", "--emu-control", ready["control"],
                               "--gpio-cmd", f'echo "$1=$2" >> {hook_log}; echo to-stderr',
                               "--fast-recovery", "--sub", "e2e/780/#:1",
                               "--pub", "e2e/780/x:1=m{n}", "--count", "6", "--interval-ms",
                               "300", "--exit-after-messages", "6", "--exit-after-ms", "60000"])
    # Hang once m0 is back and confirmed (the echo may come before the PUBACK): quiet link.
    seen = set()
    evs = events(c, "air780e", until=lambda e: seen.add(e["event"]) or
                 {"message", "published"} <= seen)
    with socket.create_connection(tuple_addr(ready["control"]), timeout=T) as ctl:
        ctl.sendall(b"hang\n")
        expect(ctl.makefile().readline().startswith("ok"), "air780e: hang refused")
        evs += events(c, "air780e", timeout=60)
    expect(c.wait() == 0, f"air780e: cli exit code {c.p.returncode}")
    steps = [e["step"] for e in evs if e["event"] == "recovery"]
    gpio = [(e["pin"], e["level"]) for e in evs if e["event"] == "gpio"]
    expect("reset_pin" in steps, f"air780e: recovery steps {steps}")
    expect(gpio[:4] == [("reset", 1), ("reset", 0), ("pwrkey", 1), ("pwrkey", 0)],
           f"air780e: pin sequence {gpio}")
    expect({e["to"] for e in evs if e["event"] == "gpio"} == {"emulator+gpio-cmd"},
           "air780e: gpio events not routed to both the emulator and --gpio-cmd")
    with open(hook_log) as f:
        expect(f.read().split()[:4] == ["reset=1", "reset=0", "pwrkey=1", "pwrkey=0"],
               "air780e: --gpio-cmd did not see the pin sequence")
    got = {base64.b64decode(e["payload_b64"]) for e in evs if e["event"] == "message"}
    expect(got == {f"m{i}".encode() for i in range(6)}, f"air780e: messages {got}")
    print(f"  air780e: hang cured by RESET + PWRKEY ({', '.join(f'{p}={v}' for p, v in gpio)}); "
          "6/6 messages delivered")


def make_certs(d):
    """A CA and a broker certificate for broker.test / 127.0.0.1 (openssl CLI)."""
    def ossl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=T)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
         "-subj", "/CN=cellmqtt-e2e-ca")
    ossl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=broker.test")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=DNS:broker.test,IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "srv.crt", "-days", "2", "-extfile", "ext")
    for name in os.listdir(d):
        os.chmod(os.path.join(d, name), 0o644)  # mosquitto drops root privileges


def scenario_tls(world, emu, _mport):
    """--ssl with the CA in the module's file system: verified against mosquitto's TLS
    listener; a wrong server name must not connect."""
    # In the system temp dir, not under the checkout: mosquitto drops root privileges before it
    # reads the certificates, so every directory above them must be open to its user, and a
    # checkout may sit in a private (0700) directory such as one from `mktemp -d`.
    d = tempfile.mkdtemp(prefix="cellmqtt-e2e-tls-")
    try:
        tls_with_certs_in(world, emu, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def tls_with_certs_in(world, emu, d):
    os.chmod(d, 0o755)
    make_certs(d)
    port = free_port()
    conf = os.path.join(d, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                f"certfile {d}/srv.crt\nkeyfile {d}/srv.key\n")
    mq = world.start(["mosquitto", "-c", conf], "tls: mosquitto",
                     stderr_path=os.path.join(OUT, "tls.mosquitto.log"))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            expect(time.monotonic() < deadline and mq.p.poll() is None, "tls: no mosquitto")
            time.sleep(0.02)
    ready = start_emu(world, emu, "tls", "--file", f"ca.crt={d}/ca.crt")

    def run(name, sni, extra):
        c = cli(world, name, ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port", str(port),
                              "--client-id", name, "--ssl", "--ssl-ca", "ca.crt",
                              "--ssl-seclevel", "1", "--ssl-sni", sni, "--fast-recovery", *extra])
        evs = events(c, name, timeout=40)
        return c.wait(), evs

    code, evs = run("tls", "broker.test", ["--sub", "tls/#:1", "--pub", "tls/x:1=secret {n}",
                                           "--count", "3", "--exit-after-messages", "3",
                                           "--exit-after-ms", "30000"])
    got = sorted(base64.b64decode(e["payload_b64"]) for e in evs if e["event"] == "message")
    expect(code == 0 and got == [b"secret 0", b"secret 1", b"secret 2"],
           f"tls: exit {code}, messages {got}")
    code, evs = run("tls-wrong-name", "wrong.test", ["--pub", "tls/x:1=never",
                                                     "--exit-after-ms", "3000"])
    # Luat firmware reports a failed handshake as CONNECT FAIL, as it does an unreachable
    # broker: a broker-side failure, re-connected without touching the module.
    reasons = {e.get("reason") for e in evs if e["event"] == "recovery"}
    expect(code == 1 and reasons == {"BROKER_UNREACHABLE"} and
           not any(e["event"] == "gpio" for e in evs) and
           not any(e["event"] == "state" and e["state"] == "online" for e in evs),
           f"tls wrong name: exit {code}, recovery reasons {reasons}")
    print("  tls: verified TLS to mosquitto (CA in the module's file system, SNI), 3/3 "
          "messages; a wrong server name never connected")


def scenario_exit_codes(world, emu, mport):
    """The exit-code contract: 2 usage, 3 link failure, 1 work not done by --exit-after-ms."""
    def run(name, args):
        c = cli(world, name, args)
        c.wait()
        return c.p.returncode, events(c, name)

    code, evs = run("usage", ["--tcp", "127.0.0.1:1"])  # no --host
    expect(code == 2 and [e["event"] for e in evs] == ["error", "exit"] and
           evs[0]["status"] == "USAGE" and evs[1]["code"] == 2, f"usage: exit {code}, {evs}")
    # A bad spec is refused before anything connects (nothing listens on port 1).
    code, evs = run("bad-spec", ["--tcp", "127.0.0.1:1", "--host", "h", "--pub", "t/x:3=y"])
    expect(code == 2 and "QoS 3" in evs[0].get("detail", "") and evs[-1]["event"] == "exit",
           f"bad spec: exit {code}, {evs}")
    code, evs = run("nolink", ["--tcp", f"127.0.0.1:{free_port()}", "--host", "h"])
    expect(code == 3 and evs[0]["event"] == "error" and evs[0]["status"] == "LINK_FAILED",
           f"no link: exit {code}, {evs[:1]}")
    code, evs = run("noname", ["--tcp", "nosuch.invalid:5555", "--host", "h"])
    expect(code == 3 and evs[0]["status"] == "NAME_NOT_RESOLVED" and
           "cannot resolve nosuch.invalid" in evs[0]["detail"] and evs[-1]["code"] == 3,
           f"unresolvable name: exit {code}, {evs}")
    ready = start_emu(world, emu, "deadline")
    closed = free_port()  # nothing listens there: MIPSTART fails, the ladder keeps trying
    code, evs = run("deadline", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                                 str(closed), "--pub", "x:1=y", "--fast-recovery",
                                 "--exit-after-ms", "1500"])
    kinds = [e["event"] for e in evs]
    expect(code == 1 and "recovery" in kinds and any(
        e["event"] == "error" and e["status"] == "DEADLINE" for e in evs),
        f"deadline: exit {code}, events {kinds}")
    expect(evs[-1]["event"] == "exit" and evs[-1]["published"] == 0, "deadline: exit event")
    # SIGTERM while waiting for a broker that is not there: still an exit event.
    c = cli(world, "sigterm", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                               str(closed), "--sub", "x/#", "--fast-recovery"])
    events(c, "sigterm", until=lambda e: e["event"] == "recovery")
    c.p.terminate()
    evs = events(c, "sigterm")
    expect(c.wait() == 1 and evs[-1]["event"] == "exit" and evs[-1]["signal"] == "SIGTERM",
           f"sigterm: exit {c.p.returncode}, {evs[-1:]}")
    print("  exit codes: 2 usage and bad spec, 3 no link (LINK_FAILED) and an unresolvable name "
          "(NAME_NOT_RESOLVED), 1 broker unreachable by the deadline and SIGTERM; an exit "
          "event each time")


def scenario_field(world, emu, mport):
    """Field behaviours through the CLI: a broker that is down never moves a pin (only
    re-connects, each BROKER_UNREACHABLE); a refused configuration names its field; echo that
    stays on is worked with; STATUS read from the emulator decides the PWRKEY pulse."""
    def run(name, args, timeout=T):
        c = cli(world, name, args)
        evs = events(c, name, timeout=timeout)
        c.wait()
        return c.p.returncode, evs

    ready = start_emu(world, emu, "field-down")
    code, evs = run("field-down", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                                   str(free_port()), "--pins", "reset,power,pwrkey",
                                   "--emu-control", ready["control"], "--fast-recovery",
                                   "--pub", "x:1=y", "--exit-after-ms", "8000"], timeout=30)
    rec = [(e["step"], e["reason"]) for e in evs if e["event"] == "recovery"]
    expect(code == 1 and len(rec) >= 3 and set(rec) == {("reconnect", "BROKER_UNREACHABLE")},
           f"broker down: exit {code}, recoveries {rec}")
    expect(not [e for e in evs if e["event"] == "gpio"], "broker down: a pin moved")
    expect(any(e["event"] == "log" and e["kind"] == "broker_failure" and
               e.get("status") == "BROKER_UNREACHABLE" for e in evs),
           "broker down: no broker_failure log entry")

    code, evs = run("field-config", ["--tcp", "127.0.0.1:1", "--host", "h",
                                     "--client-id", 'a"b', "--pub", "x=y"])
    expect(code == 2 and evs[0]["event"] == "error" and evs[0]["status"] == "INVALID_STRING" and
           evs[0]["detail"] == "client_id", f"bad config: exit {code}, {evs}")

    ready = start_emu(world, emu, "field-echo", "--echo-stuck")
    code, evs = run("field-echo", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                                   str(mport), "--client-id", "e2e-echo", "--fast-recovery",
                                   "--pub", "e2e/echo:1=m{n}", "--count", "3", "--stats"])
    stats = [e for e in evs if e["event"] == "stats"]
    expect(code == 0 and stats and stats[0]["echo_lines"] > 0 and
           stats[0]["module_reboots"] == 0 and not [e for e in evs if e["event"] == "recovery"],
           f"echo stuck: exit {code}, stats {stats}")

    ready = start_emu(world, emu, "field-status", "--power-off")
    code, evs = run("field-status", ["--tcp", ready["tcp"], "--host", "127.0.0.1", "--port",
                                     str(mport), "--client-id", "e2e-status", "--fast-recovery",
                                     "--pins", "power,pwrkey,status",
                                     "--emu-control", ready["control"],
                                     "--trace", os.path.join(OUT, "field-status.trace"),
                                     "--pub", "e2e/status:1=on"], timeout=60)
    gpio = [(e["pin"], e["level"]) for e in evs if e["event"] == "gpio"]
    expect(code == 0 and gpio[:3] == [("power", 1), ("pwrkey", 1), ("pwrkey", 0)],
           f"status: exit {code}, pins {gpio}")
    with open(os.path.join(OUT, "field-status.trace")) as f:
        reads = [line.split()[-1] for line in f if line.startswith("# gpio status read")]
    # Off (0) before the pulse, on (1) once it booted: read live from the emulator.
    expect(reads and reads[0] == "0" and "1" in reads, f"status: STATUS reads {reads}")
    print(f"  field: broker down {len(rec)} re-connects and no pin; config refusal names "
          f"client_id; echo stuck worked with ({stats[0]['echo_lines']} echoed lines); a module "
          "that is off is switched on after STATUS read 0")


def scenario_replay(world, emu, mport):
    """--trace FILE records a real run (cli -> emulator -> mosquitto: connect, subscribe, a QoS 1
    publish, the message back); cellmqtt-emu --replay plays it to a fresh cli run with the same
    arguments, which must see the same events, while the emulator finds no mismatch."""
    trace = os.path.join(OUT, "replay.trace")
    args = ["--host", "127.0.0.1", "--port", str(mport), "--client-id", "e2e-replay",
            "--sub", "e2e/rp/#:1", "--pub", 'e2e/rp/x:1=replayed {n} "q" ü',
            "--exit-after-messages", "1", "--exit-after-ms", "30000"]

    def outcome(evs):
        return ([e["event"] for e in evs if e["event"] in ("subscribed", "published", "message")],
                [e.get("payload") for e in evs if e["event"] == "message"])

    ready = start_emu(world, emu, "replay-rec")
    c = cli(world, "replay-rec", ["--tcp", ready["tcp"], *args, "--trace", trace])
    recorded = events(c, "replay-rec")
    expect(c.wait() == 0, f"replay: recording run exit {c.p.returncode}")
    with open(trace) as f:
        text = f.read()
    expect(text.startswith("# cellmqtt-trace v1") and re.search(r"^\d+ > AT\\r$", text, re.M)
           and re.search(r"^\d+ < .*OK\\r\\n$", text, re.M), "replay: trace header or lines")
    want = outcome(recorded)
    expect(want == (["subscribed", "message", "published"], ['replayed 0 "q" ü']) or
           want == (["subscribed", "published", "message"], ['replayed 0 "q" ü']),
           f"replay: recorded run {want}")

    r = world.start([emu, "--replay", trace, "--listen", "127.0.0.1:0",
                     "--log", os.path.join(OUT, "replay.emu.log")], "replay: cellmqtt-emu")
    rready = json.loads(r.line())
    expect(rready.get("event") == "ready" and rready.get("replay") == trace,
           f"replay: ready line {rready}")
    c = cli(world, "replay-play", ["--tcp", rready["tcp"], *args,
                                   "--trace", os.path.join(OUT, "replay-play.trace")])
    played = events(c, "replay-play")
    expect(c.wait() == 0, f"replay: replayed run exit {c.p.returncode}")
    expect(outcome(played) == want, f"replay: replayed run {outcome(played)}, recorded {want}")
    done = json.loads(r.line())
    expect(r.wait() == 0 and done.get("event") == "replay_done" and done["mismatches"] == 0
           and done["chunks"] == done["chunks_total"] > 0, f"replay: {done}")
    print(f"  replay: recorded {text.count(chr(10))} trace lines; replayed to a fresh cli: same "
          f"events, {done['chunks']} module chunks, {done['mcu_lines']} MCU lines, 0 mismatches")


def scenario_demo(world, emu, mport):
    """scripts/demo.sh against mosquitto (BROKER=), as `make demo BROKER=...` runs it, for the
    Air724UG, the Quectel EC200U (PROFILE=ec200u) and the SIMCom A7670 (PROFILE=a7670); each
    demo's trace is replayed."""
    for profile, out in (("air724ug", "demo"), ("ec200u", "demo-ec200u"),
                         ("a7670", "demo-a7670")):
        env = dict(os.environ, EMU=emu, BROKER=f"127.0.0.1:{mport}", PROFILE=profile,
                   DEMO_OUT=os.path.join(OUT, out))
        d = world.start(["scripts/demo.sh"], out, env=env,
                        stderr_path=os.path.join(OUT, f"{out}.stderr"))
        code = d.wait(timeout=90)
        while not d.lines.empty():
            line = d.lines.get()
            if line is not None:
                d.all.append(line)
        expect(code == 0, f"demo {profile} failed:\n" + "\n".join(d.all))
        expect(d.all and profile in d.all[0].lower(), f"demo {profile}: description {d.all[:1]}")
        print(f"  demo {profile}: " + d.all[-1])
        replay_demo(world, emu, os.path.join(OUT, out), out)


def replay_demo(world, emu, demo_out, name="demo"):
    """The demo's trace (CLOSED, a hang cured by the RESET pin) replayed to a new cli run with
    the arguments from its `# argv` line: the same recovery steps, pins and messages."""
    trace = os.path.join(demo_out, "at.trace")
    with open(trace) as f:
        argv_line = next(line for line in f if line.startswith("# argv "))
    args = shlex.split(argv_line[len("# argv "):])
    r = world.start([emu, "--replay", trace, "--listen", "127.0.0.1:0", "--control",
                     "127.0.0.1:0", "--log", os.path.join(OUT, f"{name}-replay.emu.log")],
                    f"{name} replay: cellmqtt-emu")
    ready = json.loads(r.line())
    swap = {"--tcp": ready["tcp"], "--emu-control": ready["control"]}
    new = []
    i = 0
    while i < len(args):
        if args[i] == "--trace":
            i += 2
            continue
        new.append(args[i])
        if args[i] in swap:
            new.append(swap[args[i]])
            i += 1
        i += 1
    c = cli(world, f"{name}-replay", new)
    evs = events(c, f"{name}-replay", timeout=60)
    expect(c.wait() == 0, f"{name} replay: cli exit {c.p.returncode}")
    with open(os.path.join(demo_out, "cli.jsonl")) as f:
        demo_evs = [json.loads(line) for line in f]

    def steps(es):
        return [e["step"] for e in es if e["event"] == "recovery"]
    expect(steps(evs) == steps(demo_evs) and "reset_pin" in steps(evs),
           f"{name} replay: recovery {steps(evs)}, demo {steps(demo_evs)}")
    expect(len([e for e in evs if e["event"] == "message"]) == 9, f"{name} replay: messages")
    done = json.loads(r.line())
    expect(r.wait() == 0 and done["mismatches"] == 0 and
           done["pins_seen"] == done["pins_expected"] == ["reset 1", "reset 0"],
           f"{name} replay: {done}")
    print(f"  {name} replay: recovery {', '.join(steps(evs))} and RESET pin as recorded, "
          f"9 messages, {done['mcu_lines']} MCU lines, 0 mismatches")


def trace_lines(path):
    """A cellmqtt-trace v1 file as (direction, text) pairs, escapes kept as written."""
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and parts[1] in "<>":
                out.append((parts[1], parts[2]))
    return out


def scenario_ec200u(world, emu, mport):
    """The Quectel dialect (AT+QMT*) end to end: cli --profile ec200u -> cellmqtt-emu --profile
    ec200u -> mosquitto. Subscribes, publishes QoS 0/1/2 (7 rounds, 21 messages) and receives
    them all back while five faults are injected between rounds through the control socket:
    close (+QMTSTAT: 0,1), ping-fail (+QMTSTAT: 0,2, QMTOPEN refused until the bearer is
    restored by AT+QIDEACT/AT+QIACT), pdn-deact (+QIURC: "pdpdeact"), a broker refusal (refuse +
    close: +QMTCONN: 0,0,5, BROKER_REFUSED, no pin), a spontaneous reboot (RDY mid-session, full
    bring-up). 0 lost, one confirmation per publish."""
    rounds, faults = 7, ["close", "ping-fail", "pdn-deact", "refuse", "reboot"]
    r = fault_rounds.run(sys.modules[__name__], world, emu, mport, "ec200u", "qt", faults, rounds)
    trace, got, why, elapsed = r["trace"], r["got"], r["why"], r["elapsed"]

    # The AT bytes: what each fault printed and what the engine answered with.
    tr = trace_lines(trace)
    mcu = [t for d, t in tr if d == ">"]
    mod = "".join(t for d, t in tr if d == "<")
    for urc in ("+QMTSTAT: 0,1", "+QMTSTAT: 0,2", '+QIURC: "pdpdeact",1', "+QMTCONN: 0,0,5",
                "+QMTSTAT: 0,4"):
        expect(urc in mod, f"ec200u: trace has no {urc}")
    expect(mod.count("RDY") >= 2, "ec200u: no RDY after the reboot")
    # After +QMTSTAT: 0,2 (ping-fail) the bearer is restored before the next AT+QMTOPEN.
    stat2 = next(i for i, (d, t) in enumerate(tr) if d == "<" and "+QMTSTAT: 0,2" in t)
    before_open = []
    for d, t in tr[stat2:]:
        if d == ">":
            if t.startswith("AT+QMTOPEN="):
                break
            before_open.append(t)
    expect("AT+QIDEACT=1\\r" in before_open and "AT+QIACT=1\\r" in before_open and
           before_open.index("AT+QIDEACT=1\\r") < before_open.index("AT+QIACT=1\\r"),
           f"ec200u: after +QMTSTAT: 0,2 before QMTOPEN: {before_open}")
    # Full bring-up twice (power-on and the reboot): echo off, SIM, bearer, configuration.
    for cmd in ("ATE0\\r", 'AT+QMTCFG="version",0,4\\r', "AT+CPIN?\\r"):
        expect(mcu.count(cmd) >= 2, f"ec200u: {cmd} sent {mcu.count(cmd)} times")
    opens = sum(t.startswith("AT+QMTOPEN=0,") for t in mcu)
    conns = sum(t.startswith("AT+QMTCONN=0,") for t in mcu)
    expect(opens >= 6 and conns >= 7, f"ec200u: {opens} QMTOPEN, {conns} QMTCONN")
    dups = len(got) - len(set(got))
    summary = fault_rounds.summary(why, faults)
    print(f"  ec200u: {3 * rounds} publishes QoS 0/1/2 confirmed once each, all received back "
          f"({dups} duplicates), 0 lost, no pin; recoveries {summary}; {opens} QMTOPEN, "
          f"{conns} QMTCONN, {mcu.count('AT+QIDEACT=1' + chr(92) + 'r')} QIDEACT; "
          f"{elapsed:.1f} s")


def tuple_addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


SCENARIOS = {"load": scenario_load, "serial": scenario_serial, "examples": scenario_examples,
             "air780e": scenario_air780e, "tls": scenario_tls,
             "exit_codes": scenario_exit_codes, "field": scenario_field,
             "replay": scenario_replay, "ec200u": scenario_ec200u,
             "a7670": lambda w, e, m: e2e_simcom.scenario_a7670(sys.modules[__name__], w, e, m),
             "demo": scenario_demo}


def main():
    global CLI_BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", default=os.path.join(ROOT, "build", "cellmqtt-emu"))
    ap.add_argument("--only", choices=sorted(SCENARIOS))
    ap.add_argument("--cli", default=CLI_BIN, help="the cellmqtt-cli to test (e.g. a sanitizer build)")
    a = ap.parse_args()
    CLI_BIN = a.cli
    for tool in ("mosquitto", "mosquitto_sub", "mosquitto_pub", "openssl"):
        if not shutil.which(tool):
            sys.exit(f"e2e: {tool} missing (scripts/deps.sh installs it)")
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    broker = World()
    passed = failed = 0
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)  # mosquitto drops root and must read its config
            mport = start_mosquitto(broker, tmp)
            for name, fn in SCENARIOS.items():
                if a.only and name != a.only:
                    continue
                world = World()
                try:
                    fn(world, a.emu, mport)
                    passed += 1
                except Exception as e:  # noqa: BLE001 - every failure is reported, then the next
                    print(f"  FAIL {name}: {type(e).__name__}: {e}")
                    failed += 1
                finally:
                    world.close()
    finally:
        broker.close()
    print(f"e2e: {passed} passed, {failed} failed ({time.monotonic() - t0:.1f} s; "
          f"logs in {os.path.relpath(OUT, ROOT)})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
