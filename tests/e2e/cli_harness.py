#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""What tests/e2e/cli_contract.py runs its checks with: the processes it starts and stops by
PID (mosquitto, cellmqtt-emu, build/cellmqtt-cli), the CLI's JSON lines parsed strictly, and the
AT trace's lines. Standard library only."""
import base64
import json
import os
import queue
import re
import socket
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "build", "cli-contract")
CLI_BIN = os.path.join(ROOT, "build", "cellmqtt-cli")
T = 30  # seconds: bound for any single wait
FAMILIES = ("air724ug", "ec200u", "a7670")

class Fail(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


def out_file(name, data=None):
    """A path in OUT, written with `data` when given."""
    path = os.path.join(OUT, name)
    if data is not None:
        with open(path, "wb") as f:
            f.write(data)
    return path


# ---- processes ----

class Proc:
    """A child whose stdout lines (bytes) are read by a thread into a queue."""

    def __init__(self, args, name, stderr_path=None):
        self.name = name
        err = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL
        self.p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        if stderr_path:
            err.close()  # the child has its own copy
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.p.stdout:
            self.lines.put(raw)
        self.lines.put(None)

    def raw_line(self, timeout=T):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise Fail(f"{self.name}: no output for {timeout:.1f} s")
        if line is None:
            self.lines.put(None)  # stays at the end for later readers
            raise Fail(f"{self.name}: exited ({self.p.wait()}) while a line was awaited")
        return line

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class World(list):
    """Every process a check starts; close() stops them all, by PID."""

    def start(self, *args, **kw):
        self.append(Proc(*args, **kw))
        return self[-1]

    def close(self):
        for p in reversed(self):
            p.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """mosquitto on a free loopback port with a password file (user cc / password pw-cc;
    anonymous clients allowed too); everything logged, so the test can read what it saw."""

    def __init__(self, world, workdir):
        self.log = out_file("mosquitto.log")
        pw = os.path.join(workdir, "passwd")
        open(pw, "w").close()
        subprocess.run(["mosquitto_passwd", "-b", pw, "cc", "pw-cc"], check=True, timeout=T,
                       capture_output=True)
        os.chmod(pw, 0o644)  # mosquitto drops root and must read it
        for _ in range(5):
            self.port = free_port()
            conf = os.path.join(workdir, "mosquitto.conf")
            with open(conf, "w") as f:
                f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                        f"persistence false\npassword_file {pw}\nlog_dest stderr\n"
                        "log_type all\n")
            p = world.start(["mosquitto", "-c", conf], "mosquitto", stderr_path=self.log)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and p.p.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.02)  # mosquitto gives no ready signal; poll its port briefly
        raise Fail("mosquitto did not start")

    def log_text(self):
        with open(self.log, errors="replace") as f:
            return f.read()

    def pub(self, topic, payload, qos=1, retain=False):
        subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(self.port), "-t", topic,
                        "-q", str(qos), "-m", payload] + (["-r"] if retain else []),
                       check=True, timeout=T)

    def subscriber(self, world, topic, name):
        """mosquitto_sub on `topic` at QoS 2 printing `topic|qos|retain|hexpayload`, known to
        be subscribed: READY is published to <topic's first level>/probe until it comes back."""
        probe = topic.split("/")[0] + "/probe/" + name.replace(" ", "_")
        sub = world.start(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.port),
                           "-t", topic, "-t", probe, "-q", "2", "-F", "%t|%q|%r|%x"], name)
        sub.probe = probe
        for _ in range(100):
            self.pub(probe, "READY")
            try:
                line = sub.lines.get(timeout=0.1)
                if line is not None and line.decode().startswith(probe + "|"):
                    return sub
            except queue.Empty:
                pass
        raise Fail(f"{name} never subscribed")

    def collect(self, sub, topic_prefix, n=None, timeout=T):
        """The next `n` messages `sub` gets on `topic_prefix`; with n None, all up to an END
        sentinel published on its probe topic now (earlier publishes were acknowledged by
        mosquitto, so they arrive before it). As (topic, qos, retain flag, payload)."""
        if n is None:
            self.pub(sub.probe, "END")
        got, deadline = [], time.monotonic() + timeout
        while n is None or len(got) < n:
            line = sub.raw_line(max(0.1, deadline - time.monotonic())).decode()
            t, q, r, x = line.rstrip("\n").split("|")
            if n is None and t == sub.probe and x == b"END".hex():
                return got
            if t.startswith(topic_prefix):
                got.append((t, int(q), int(r), bytes.fromhex(x)))
        return got

    def retained(self, topic):
        """The message mosquitto keeps retained on `topic`, as (retain flag, payload)."""
        r = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.port), "-t",
                            topic, "-C", "1", "-W", "3", "-F", "%r|%x"], capture_output=True,
                           timeout=T)
        out = r.stdout.decode().strip()
        if not out:
            return None
        flag, x = out.split("|")
        return int(flag), bytes.fromhex(x)


def start_emu(world, emu, name, profile, *extra):
    args = [emu, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--boot-ms", "200",
            "--sim-ms", "50", "--attach-ms", "200", "--profile", profile,
            "--log", out_file(f"{name}.emu.log"), *extra]
    p = world.start(args, f"{name}: cellmqtt-emu")
    ready = json.loads(p.raw_line())
    expect(ready.get("event") == "ready", f"emulator ready line: {ready}")
    ready["proc"] = p
    return ready


def emu_ctl(ready, *cmds):
    """Sends `cmds` on the emulator's control socket; each must be answered `ok`."""
    host, port = ready["control"].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=T) as s, s.makefile() as f:
        for cmd in cmds:
            s.sendall(cmd.encode() + b"\n")
            reply = f.readline()
            expect(reply.startswith("ok"), f"control {cmd!r} -> {reply!r}")


# ---- the CLI's output ----

INT_KEYS = {"t_ms", "id", "qos", "seq", "len", "code", "count", "failures", "port", "subs",
            "publishes", "published", "publish_failed", "planned", "received", "rssi", "ber",
            "utc_s_since_2000", "zone_quarter_hours"}
STR_KEYS = {"event", "topic", "payload_b64", "payload", "status", "state", "step", "reason",
            "pin", "to", "what", "detail", "kind", "signal", "line", "command", "imei", "iccid",
            "imsi", "revision", "version", "link", "host", "client_id"}


def parse_event(raw, name):
    """One stdout line: strict UTF-8, one JSON object, the field types of the contract."""
    expect(raw.endswith(b"\n"), f"{name}: line without newline: {raw!r}")
    try:
        text = raw.decode("utf-8")  # strict: the contract promises valid UTF-8
    except UnicodeDecodeError as e:
        raise Fail(f"{name}: stdout line is not UTF-8 ({e}): {raw!r}")

    def no_constants(c):
        raise Fail(f"{name}: {c} in JSON: {text!r}")
    try:
        ev = json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as e:
        raise Fail(f"{name}: not one JSON object ({e}): {text!r}")
    expect(isinstance(ev, dict), f"{name}: not an object: {text!r}")
    e = ev.get("event")
    expect(isinstance(e, str) and e, f"{name}: no event: {text!r}")
    for k, v in ev.items():
        if k in INT_KEYS or (k == "level" and e == "gpio"):
            expect(type(v) is int, f"{name}: {k} is not a JSON integer: {text!r}")
        elif k in STR_KEYS:
            expect(isinstance(v, str), f"{name}: {k} is not a string: {text!r}")
    required = {"published": "id", "publish_failed": "id status", "subscribe_failed": "status",
                "error": "status", "message": "topic payload_b64", "recovery": "step",
                "gpio": "pin"}
    for k in ["t_ms"] + required.get(e, "").split():
        expect(k in ev and (ev[k] != "" or k == "payload_b64"), f"{name}: {e} without {k}: "
               f"{text!r}")
    if e == "message":
        data = base64.b64decode(ev["payload_b64"], validate=True)
        expect(ev.get("len") == len(data), f"{name}: len vs payload_b64: {text!r}")
        if "payload" in ev:
            expect(ev["payload"].encode() == data, f"{name}: payload vs payload_b64: {text!r}")
    if e == "gpio":
        expect(ev.get("level") in (0, 1), f"{name}: gpio level: {text!r}")
    return ev


class Cli:
    def __init__(self, world, name, args):
        self.name = name
        self.log = out_file(f"{name}.cli.jsonl")
        self.proc = world.start([CLI_BIN, *args], f"{name}: cli",
                                stderr_path=out_file(f"{name}.cli.stderr"))
        self.evs, self.done = [], False
        with open(self.log, "ab") as f:
            f.write(("# " + " ".join(args) + "\n").encode(errors="replace"))

    def next(self, timeout=T):
        raw = self.proc.raw_line(timeout)
        with open(self.log, "ab") as f:
            f.write(raw)
        ev = parse_event(raw, self.name)
        expect(not self.done, f"{self.name}: a line after the exit event: {raw!r}")
        self.evs.append(ev)
        self.done = ev["event"] == "exit"
        return ev

    def until(self, cond, timeout=T):
        """Reads events until cond(ev) holds; returns that event."""
        deadline = time.monotonic() + timeout
        while True:
            ev = self.next(max(0.1, deadline - time.monotonic()))
            if cond(ev):
                return ev
            expect(ev["event"] != "exit", f"{self.name}: exited before the awaited event: "
                   f"{[e['event'] for e in self.evs][-12:]}")

    def finish(self, timeout=T):
        """Reads to the exit event and the end of the stream; returns the exit code. The exit
        event must be the last line, and its code the process's."""
        deadline = time.monotonic() + timeout
        while not self.done:
            self.next(max(0.1, deadline - time.monotonic()))
        try:
            code = self.proc.p.wait(max(1, deadline - time.monotonic()))
            extra = self.proc.lines.get(timeout=2)
        except (subprocess.TimeoutExpired, queue.Empty):
            raise Fail(f"{self.name}: still running after its exit event")
        expect(extra is None, f"{self.name}: output after the exit event: {extra!r}")
        expect(self.evs[-1]["code"] == code, f"{self.name}: exit event code "
               f"{self.evs[-1]['code']} but the process exited {code}")
        return code

    def of(self, kind):
        return [e for e in self.evs if e["event"] == kind]

    @property
    def exit(self):
        return self.evs[-1]


# ---- family details ----

PUB_CMDS = {"air724ug": ("MPUB", "MPUBEX"), "ec200u": ("QMTPUBEX", "QMTPUB"),
            "a7670": ("CMQTTPUB",)}
SUB_CMD = {"air724ug": "MSUB", "ec200u": "QMTSUB", "a7670": "CMQTTSUB"}
# The AT line that hands one publish to the module, per family (trace `>` lines).
PUB_LINE = {"air724ug": re.compile(r"^AT\+MPUB(EX)?="), "ec200u": re.compile(r"^AT\+QMTPUBEX?="),
            "a7670": re.compile(r"^AT\+CMQTTPUB=")}


HANDED = re.compile(r"^# publish (\d+) handed at (\d+) ms$")


def trace_writes(path):
    """(t_ms, text) of every MCU write in a cellmqtt-trace v1 file."""
    with open(path) as f:
        parts = [line.rstrip("\n").split(" ", 2) for line in f if not line.startswith("#")]
    return [(int(p[0]), p[2]) for p in parts if len(p) == 3 and p[1] == ">"]


def link_args(ready, broker, fam, client_id):
    return ["--tcp", ready["tcp"], "--profile", fam, "--host", "127.0.0.1", "--port",
            str(broker.port), "--client-id", client_id, "--fast-recovery"]


def emu_cli(ctx, name, fam, args, emu_args=()):
    """An emulator of `fam`, and a CLI run through it to mosquitto as client cc-NAME."""
    ready = start_emu(ctx.world, ctx.emu, name, fam, *emu_args)
    return ready, Cli(ctx.world, name, link_args(ready, ctx.broker, fam, f"cc-{name}") + args)
