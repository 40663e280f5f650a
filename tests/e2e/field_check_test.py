#!/usr/bin/env python3
"""make field-check-test: scripts/field_check.py against cellmqtt-emu on a pty (the path from
its ready line) and a mosquitto on a free loopback port, both started here and stopped by PID.
The RESET scenario runs too: the GPIO command turns `sh -c CMD sh PIN LEVEL` into `pin PIN
LEVEL` on the emulator's control socket, as a GPIO would move the module's RESET line. The
reset scenario's trace is then replayed with cellmqtt-emu --replay (0 mismatches).

  tests/e2e/field_check_test.py [--emu target/emu/cellmqtt-emu]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e  # noqa: E402  (Proc, World, start_mosquitto)

ROOT = e2e.ROOT
OUT = os.path.join(ROOT, "build", "field-check-test")

PIN_HELPER = """import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
with socket.create_connection((host, int(port)), timeout=10) as s:
    s.sendall(("pin %s %s\\n" % (sys.argv[2], sys.argv[3])).encode())
    sys.exit(0 if s.makefile().readline().startswith("ok") else 1)
"""


def replay(world, emu, trace):
    """A field trace is what a bug report carries: it must replay to a new cli run (the same
    arguments from its `# argv` line, over TCP instead of the pty) with 0 mismatches."""
    r = world.start([emu, "--replay", trace, "--listen", "127.0.0.1:0", "--log",
                     os.path.join(OUT, "replay.emu.log")], "replay: cellmqtt-emu")
    ready = json.loads(r.line())
    args = shlex.split(next(l for l in open(trace) if l.startswith("# argv "))[len("# argv "):])
    # Flags with a value that change: the link, and the GPIO command (in this scenario the
    # script pulsed RESET, not the engine); --baud and --trace go.
    swap = {"--serial": ["--tcp", ready["tcp"]], "--gpio-cmd": ["--gpio-cmd", "true"],
            "--baud": [], "--trace": []}
    cli_args, i = [], 0
    while i < len(args):
        if args[i] in swap:
            cli_args += swap[args[i]]
            i += 2
        else:
            cli_args.append(args[i])
            i += 1
    c = subprocess.run([os.path.join(ROOT, "build", "cellmqtt-cli"), *cli_args], cwd=ROOT,
                       capture_output=True, timeout=120)
    done = json.loads(r.line(timeout=60))
    return c.returncode == 0 and r.wait() == 0 and done["mismatches"] == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--emu", default=os.path.join(ROOT, "target", "emu", "cellmqtt-emu"))
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    e2e.OUT = OUT  # start_mosquitto logs there: not in build/e2e, which e2e.py clears
    world = e2e.World()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.chmod(tmp, 0o755)  # mosquitto drops root and must read its config
            mport = e2e.start_mosquitto(world, tmp)
            emu = world.start([a.emu, "--pty", "--control", "127.0.0.1:0", "--boot-ms", "300",
                               "--sim-ms", "100", "--attach-ms", "300",
                               "--log", os.path.join(OUT, "emu.log")], "cellmqtt-emu")
            ready = json.loads(emu.line())
            helper = os.path.join(OUT, "emu_pin.py")
            with open(helper, "w") as f:
                f.write(PIN_HELPER)
            gpio_cmd = f'python3 {helper} {ready["control"]} "$1" "$2"'
            out = os.path.join(OUT, "field-check")
            p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "field_check.py"),
                                "--serial", ready["serial"], "--broker", f"127.0.0.1:{mport}",
                                "--pins", "reset", "--gpio-cmd", gpio_cmd, "--count", "5",
                                "--timeout-s", "60", "--cli-arg=--fast-recovery", "--out", out],
                               cwd=ROOT, timeout=600)
            with open(os.path.join(out, "report.txt")) as f:
                report = f.read()
            names = [line.split()[1] for line in report.splitlines()[1:-1]]
            traces = [n for n in names if os.path.getsize(os.path.join(out, f"{n}.trace")) > 0]
            ok = (p.returncode == 0 and names == ["connect", "qos0", "qos1", "qos2", "cache",
                                                  "closed", "reset"] and traces == names)
            replayed = ok and replay(world, a.emu, os.path.join(out, "reset.trace"))
            print(f"field-check-test: {'passed' if replayed else 'FAILED'} (field_check.py exit "
                  f"{p.returncode}, scenarios {names}, traces for {len(traces)}, the reset "
                  f"trace replayed {'with 0 mismatches' if replayed else 'NOT cleanly'})")
            ok = replayed
            sys.exit(0 if ok else 1)
    finally:
        world.close()


if __name__ == "__main__":
    main()
