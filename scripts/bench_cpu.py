#!/usr/bin/env python3
"""CPU cost of the engine in instructions, counted by callgrind (deterministic).

Runs tests/bench/cpu_cost (built against the host release library) under callgrind once per
measured phase and divides by the work done. With --check, compares against bench/budgets.txt
and exits 1 when a figure is above its budget."""
import argparse, os, re, subprocess, sys, tempfile

def collected(binary, fn):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                            "--collect-atstart=no", f"--toggle-collect={fn}", binary],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{binary} failed under callgrind:\n{r.stdout}\n{r.stderr}")
        with open(out) as f:
            total = re.search(r"^summary:\s*(\d+)", f.read(), re.M)
        facts = dict(re.findall(r"^(\w+) (\d+)$", r.stdout, re.M))
        return int(total.group(1)), {k: int(v) for k, v in facts.items()}

def budgets(path):
    out = {}
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            key, value = line.split()
            out[key] = float(value)
    return out

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--check", metavar="BUDGETS")
    ap.add_argument("--suffix", default="",
                    help="appended to the figures' names (a build other than the default)")
    a = ap.parse_args()
    rx, facts = collected(a.binary, "measure_rx")
    idle, _ = collected(a.binary, "measure_idle")
    per_byte = rx / facts["stream_bytes"]
    per_poll = idle / facts["idle_polls"]
    rx_key, idle_key = "instructions_per_rx_byte" + a.suffix, "instructions_per_idle_poll" + a.suffix
    print(f"{rx_key} {per_byte:.2f}   ({rx} over {facts['stream_bytes']} bytes, "
          f"{facts['messages']} messages of 20 B-4 KB, 64-byte feeds, a poll after each)")
    print(f"{idle_key} {per_poll:.1f}   ({idle} over {facts['idle_polls']} polls)")
    if a.check:
        b = budgets(a.check)
        bad = [(k, v, b[k]) for k, v in ((rx_key, per_byte), (idle_key, per_poll))
               if k in b and v > b[k]]
        for k, v, limit in bad:
            print(f"BUDGET EXCEEDED: {k} = {v:.2f} > {limit}")
        sys.exit(1 if bad else 0)

main()
