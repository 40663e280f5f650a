# SPDX-License-Identifier: MIT OR Apache-2.0
"""The rounds-with-faults scenario every module family of tests/e2e/e2e.py runs: cli --profile P
-> cellmqtt-emu --profile P -> mosquitto. Subscribes, publishes QoS 0/1/2 for `rounds` rounds
and receives them all back while `faults` are injected between rounds through the emulator's
control socket (one per round, each once everything so far is back and confirmed). Checks what
holds for every family: the faults went in, exactly one confirmation per publish id and every
(QoS, seq) confirmed, nothing failed or lost (mosquitto_sub saw it all too), no pin moved, the
session online again with its subscription restored after each fault, a refusal answered by a
re-connect as BROKER_REFUSED, and no reset, soft reset or power cycle. The family's scenario
checks its own AT bytes with what this returns.

`h` is the running e2e module (its helpers, and a --cli given on its command line).
"""
import base64
import os
import socket
import time


def run(h, world, emu, mport, name, tag, faults, rounds, emu_args=()):
    """Runs the scenario for profile `name` on topics e2e/<tag>/...; returns a dict: `evs` (the
    CLI's events), `why` (fault -> [(step, reason)] of the recoveries it caused), `got` (the
    payloads received, duplicates included), `trace` (the AT trace's path), `elapsed` (s)."""
    expect = h.expect
    ready = h.start_emu(world, emu, name, "--profile", name, "--pdn-back-ms", "300", *emu_args)
    expect(ready.get("profile") == name, f"{name}: ready line {ready}")
    watch = h.subscriber(world, mport, f"e2e/{tag}/#", f"{name}: mosquitto_sub",
                         f"e2e/{tag}/probe")
    trace = os.path.join(h.OUT, f"{name}.trace")
    t0 = time.monotonic()
    c = h.cli(world, name, ["--tcp", ready["tcp"], "--profile", name, "--host", "127.0.0.1",
                            "--port", str(mport), "--client-id", f"e2e-{name}",
                            "--pins", "reset", "--emu-control", ready["control"],
                            "--fast-recovery", "--sub", f"e2e/{tag}/#:2",
                            "--pub", f"e2e/{tag}/0:0=zero {{n}}",
                            "--pub", f"e2e/{tag}/1:1=one {{n}}",
                            "--pub", f'e2e/{tag}/2:2=two {{n}} "q",x',
                            "--count", str(rounds), "--interval-ms", "250",
                            "--exit-after-messages", str(3 * rounds),
                            "--exit-after-ms", "90000", "--stats", "--trace", trace])
    ctl = socket.create_connection(h.tuple_addr(ready["control"]), timeout=h.T)
    ctl_in = ctl.makefile()

    def inject(cmd):
        ctl.sendall(cmd.encode() + b"\n")
        reply = ctl_in.readline()
        expect(reply.startswith("ok"), f"{name}: {cmd} -> {reply!r}")

    evs, marks = [], []  # marks: (fault, index in evs when injected)
    published = received = 0
    try:
        while True:
            ev = h.events(c, name, until=lambda e: True, timeout=60)[0]
            evs.append(ev)
            published += ev["event"] == "published"
            received += ev["event"] == "message"
            if ev["event"] == "exit":
                break
            # A fault between rounds: once every message so far is back AND confirmed (the echo
            # may come before the acknowledgement) and the session is online again after the
            # last fault.
            k = len(marks)
            if k < len(faults) and published == received == 3 * (k + 1):
                fault = faults[k]
                if fault == "refuse":  # the next connect is refused; a close makes one
                    inject("refuse")
                    inject("close")
                else:
                    inject(fault)
                marks.append((fault, len(evs)))
    finally:
        ctl.close()
    code = c.wait()
    elapsed = time.monotonic() - t0
    expect(code == 0, f"{name}: cli exit code {code} after {[m[0] for m in marks]}")
    expect([m[0] for m in marks] == faults, f"{name}: faults injected {marks}")

    # Exactly one confirmation per publish id, every (spec, seq) once, none failed.
    pubs = [e for e in evs if e["event"] == "published"]
    ids = [e["id"] for e in pubs]
    expect(len(ids) == len(set(ids)) == 3 * rounds, f"{name}: confirmations by id {ids}")
    per = sorted((e["qos"], e["seq"]) for e in pubs)
    expect(per == sorted((q, n) for q in range(3) for n in range(rounds)),
           f"{name}: confirmed (qos, seq) {per}")
    expect(not [e for e in evs if e["event"] in ("publish_failed", "error", "loss")],
           f"{name}: publish_failed, error or loss events")
    # Everything received back, nothing lost; duplicates counted.
    want = {f"zero {n}" for n in range(rounds)} | {f"one {n}" for n in range(rounds)} | \
        {f'two {n} "q",x' for n in range(rounds)}
    got = [base64.b64decode(e["payload_b64"]).decode() for e in evs if e["event"] == "message"]
    expect(set(got) == want, f"{name}: lost {sorted(want - set(got))}")
    h.mosquitto_pub(mport, f"e2e/{tag}/probe", b"END")
    seen = set(h.read_until(watch, "END"))
    expect(want <= seen, f"{name}: mosquitto_sub missed {sorted(want - seen)}")
    expect(not [e for e in evs if e["event"] == "gpio"], f"{name}: a pin moved")

    # Per fault: the recovery it caused, and the session online again, its subscription
    # restored, before the next one.
    bounds = [i for _, i in marks] + [len(evs)]
    why = {}
    for n, (fault, start) in enumerate(marks):
        span = evs[start:bounds[n + 1]]
        expect(any(e["event"] == "state" and e["state"] == "online" for e in span),
               f"{name}: not online again after {fault}")
        expect(any(e["event"] == "subscribed" and e.get("restored") for e in span),
               f"{name}: subscription not restored after {fault}")
        why[fault] = [(e["step"], e["reason"]) for e in span if e["event"] == "recovery"]
    if "refuse" in why:
        expect(("reconnect", "BROKER_REFUSED") in why["refuse"],
               f"{name}: refusal recoveries {why['refuse']}")
    st = next(e for e in reversed(evs) if e["event"] == "stats")
    expect(st["reset_pulses"] == st["power_cycles"] == st["soft_resets"] == 0 and
           st["module_reboots"] >= 1 and st["broker_failures"] >= 1 and
           st["publishes_failed"] == 0, f"{name}: stats {st}")
    return {"evs": evs, "why": why, "got": got, "trace": trace, "elapsed": elapsed}


def summary(why, faults):
    """`fault: step/reason, ...; ...` for the scenario's closing line."""
    return "; ".join(f"{f}: {', '.join(f'{s}/{r}' for s, r in why[f]) or 'none'}"
                     for f in faults)
