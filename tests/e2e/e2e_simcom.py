# SPDX-License-Identifier: MIT OR Apache-2.0
"""The SIMCom scenario of tests/e2e/e2e.py (kept apart so e2e.py does not grow further).

e2e.py passes itself as `h` (the running module, so a --cli given on its command line holds
here too) and registers the scenario as "a7670".
"""
import base64
import os
import socket
import time


def scenario_a7670(h, world, emu, mport):
    """The SIMCom dialect (AT+CMQTT*) end to end: cli --profile a7670 -> cellmqtt-emu --profile
    a7670 -> mosquitto. Subscribes, publishes QoS 0/1/2 (7 rounds, 21 messages) and receives
    them all back while five faults are injected between rounds through the control socket:
    close (+CMQTTCONNLOST: 0,1: the same client connects again, no new AT+CMQTTACCQ), ping-fail
    (+CMQTTPING: 0,17), pdp-deact (+CMQTTCONNLOST: 0,3 and +CMQTTNONET: the service is stopped
    and started again), a broker refusal (refuse + close: +CMQTTCONNECT: 0,31, BROKER_REFUSED,
    no pin), a spontaneous reboot (*ATREADY: 1 mid-session, full bring-up). Failed connects
    take the held-final form (--cmqttconnect-fail sync: the module reads nothing until the
    outcome); publish results and retained-message order stay seeded (`mixed`).
    0 lost, one confirmation per publish, no pin moved."""
    name, expect = "a7670", h.expect
    rounds, faults = 7, ["close", "ping-fail", "pdp-deact", "refuse", "reboot"]
    ready = h.start_emu(world, emu, name, "--profile", "a7670", "--pdn-back-ms", "300",
                        "--cmqttconnect-fail", "sync")
    expect(ready.get("profile") == "a7670", f"{name}: ready line {ready}")
    watch = h.subscriber(world, mport, "e2e/sc/#", f"{name}: mosquitto_sub", "e2e/sc/probe")
    trace = os.path.join(h.OUT, f"{name}.trace")
    t0 = time.monotonic()
    c = h.cli(world, name, ["--tcp", ready["tcp"], "--profile", "a7670", "--host",
                            "127.0.0.1", "--port", str(mport), "--client-id", "e2e-a7670",
                            "--pins", "reset", "--emu-control", ready["control"],
                            "--fast-recovery", "--sub", "e2e/sc/#:2",
                            "--pub", "e2e/sc/0:0=zero {n}", "--pub", "e2e/sc/1:1=one {n}",
                            "--pub", 'e2e/sc/2:2=two {n} "q",x',
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
            # may come before the result) and the session is online again after the last fault.
            k = len(marks)
            if k < len(faults) and published == received == 3 * (k + 1):
                fault = faults[k]
                if fault == "refuse":  # the next AT+CMQTTCONNECT is refused; a close makes one
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
    h.mosquitto_pub(mport, "e2e/sc/probe", b"END")
    seen = set(h.read_until(watch, "END"))
    expect(want <= seen, f"{name}: mosquitto_sub missed {sorted(want - seen)}")
    expect(not [e for e in evs if e["event"] == "gpio"], f"{name}: a pin moved")

    # Per fault: the recovery it caused, and the session online again before the next one.
    bounds = [i for _, i in marks] + [len(evs)]
    why = {}
    for n, (fault, start) in enumerate(marks):
        span = evs[start:bounds[n + 1]]
        rec = [(e["step"], e["reason"]) for e in span if e["event"] == "recovery"]
        expect(any(e["event"] == "state" and e["state"] == "online" for e in span),
               f"{name}: not online again after {fault}")
        expect(any(e["event"] == "subscribed" and e.get("restored") for e in span),
               f"{name}: subscription not restored after {fault}")
        why[fault] = rec
    expect(("reconnect", "BROKER_REFUSED") in why["refuse"],
           f"{name}: refusal recoveries {why['refuse']}")
    expect(any(s == "reinit" for s, _ in why["reboot"]), f"{name}: reboot {why['reboot']}")
    st = next(e for e in reversed(evs) if e["event"] == "stats")
    expect(st["reset_pulses"] == st["power_cycles"] == st["soft_resets"] == 0 and
           st["module_reboots"] >= 1 and st["broker_failures"] >= 1 and
           st["publishes_failed"] == 0, f"{name}: stats {st}")

    # The AT bytes: what each fault printed and what the engine answered with.
    tr = h.trace_lines(trace)
    mcu = [t for d, t in tr if d == ">"]
    mod = "".join(t for d, t in tr if d == "<")
    for urc in ("+CMQTTCONNLOST: 0,1", "+CMQTTPING: 0,17", "+CMQTTCONNLOST: 0,3",
                "+CMQTTNONET", "+CMQTTCONNECT: 0,31", "+CMQTTRXSTART: 0,", "+CMQTTRXEND: 0"):
        expect(urc in mod, f"{name}: trace has no {urc}")
    expect(mod.count("*ATREADY: 1") >= 2, f"{name}: no *ATREADY: 1 after the reboot")

    def mcu_after(urc):
        """What the MCU sent after the first `urc` up to its next AT+CMQTTCONNECT."""
        at = next(i for i, (d, t) in enumerate(tr) if d == "<" and urc in t)
        sent = []
        for d, t in tr[at:]:
            if d == ">":
                if t.startswith("AT+CMQTTCONNECT="):
                    break
                sent.append(t)
        return sent
    # A lost link: the same client connects again (§4.9), no release and no new acquire.
    lost = mcu_after("+CMQTTCONNLOST: 0,1")
    expect(not any(t.startswith(("AT+CMQTTACCQ=", "AT+CMQTTREL=")) for t in lost),
           f"{name}: after +CMQTTCONNLOST: 0,1 before CONNECT: {lost}")
    # A lost network: the service is stopped and started again before the connect.
    nonet = mcu_after("+CMQTTNONET")
    expect("AT+CMQTTSTOP\\r" in nonet and "AT+CMQTTSTART\\r" in nonet and
           nonet.index("AT+CMQTTSTOP\\r") < nonet.index("AT+CMQTTSTART\\r"),
           f"{name}: after +CMQTTNONET before CONNECT: {nonet}")
    # Full bring-up twice (power-on and the reboot): echo off, SIM, client acquired.
    for cmd in ("ATE0\\r", "AT+CPIN?\\r", 'AT+CMQTTACCQ=0,"e2e-a7670",0,4\\r'):
        expect(mcu.count(cmd) >= 2, f"{name}: {cmd} sent {mcu.count(cmd)} times")
    starts = mcu.count("AT+CMQTTSTART\\r")
    conns = sum(t.startswith("AT+CMQTTCONNECT=0,") for t in mcu)
    expect(starts >= 6 and conns >= 7, f"{name}: {starts} CMQTTSTART, {conns} CMQTTCONNECT")
    dups = len(got) - len(set(got))
    summary = "; ".join(f"{f}: {', '.join(f'{s}/{r}' for s, r in why[f]) or 'none'}"
                        for f in faults)
    print(f"  {name}: {3 * rounds} publishes QoS 0/1/2 confirmed once each, all received back "
          f"({dups} duplicates), 0 lost, no pin; recoveries {summary}; {starts} CMQTTSTART, "
          f"{conns} CMQTTCONNECT, {mcu.count('AT+CMQTTSTOP' + chr(92) + 'r')} CMQTTSTOP; "
          f"{elapsed:.1f} s")
