# SPDX-License-Identifier: MIT OR Apache-2.0
"""The SIMCom scenario of tests/e2e/e2e.py (kept apart so e2e.py does not grow further).

e2e.py passes itself as `h` (the running module, so a --cli given on its command line holds
here too) and registers the scenario as "a7670".
"""
import fault_rounds


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
    r = fault_rounds.run(h, world, emu, mport, name, "sc", faults, rounds,
                         emu_args=("--cmqttconnect-fail", "sync"))
    trace, got, why, elapsed = r["trace"], r["got"], r["why"], r["elapsed"]
    expect(any(s == "reinit" for s, _ in why["reboot"]), f"{name}: reboot {why['reboot']}")

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
    summary = fault_rounds.summary(why, faults)
    print(f"  {name}: {3 * rounds} publishes QoS 0/1/2 confirmed once each, all received back "
          f"({dups} duplicates), 0 lost, no pin; recoveries {summary}; {starts} CMQTTSTART, "
          f"{conns} CMQTTCONNECT, {mcu.count('AT+CMQTTSTOP' + chr(92) + 'r')} CMQTTSTOP; "
          f"{elapsed:.1f} s")
