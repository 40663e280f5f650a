#!/usr/bin/env python3
"""Fault soak: build/cellmqtt-cli -> cellmqtt-emu --chaos -> mosquitto, with broker restarts.

Publishes QoS 1 then QoS 2 messages numbered by {n}; a persistent mosquitto_sub session counts
them by number. The emulator injects a seeded mix of every fault it has (CLOSED, PDN and PDP
deactivation, hang, spontaneous reboot, garbage, dropped bytes, slow answers) at RATE per AT
command, and this script restarts the broker every few seconds. Reports lost and duplicated
messages, faults injected and recovered, recovery times, queue high-water and the CLI's
resident memory over time. Exit 0 only when no QoS 1/2 message was lost.

  tests/soak/soak.py [--qos1 10000] [--qos2 1000] [--rate 0.01] [--seed 7]
                     [--restart-every-s 20] [--out build/soak] [--profile air724ug]
--profile goes to both the emulator and the CLI (ec200u: the Quectel dialect; a7670 or sim7600:
the SIMCom dialect; the default chaos mix of both adds ping-fail).
Standard library only; every process started here is stopped by PID.
"""
import argparse, json, os, queue, shutil, signal, socket, statistics, subprocess, sys
import tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, up=True, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            if up:
                return
        except OSError:
            if not up:
                return
        time.sleep(0.02)
    sys.exit(f"port {port} did not go {'up' if up else 'down'}")


class Broker:
    """mosquitto with persistence, so the subscriber's session survives restarts."""

    def __init__(self, work):
        self.dir = tempfile.mkdtemp(prefix="soak-mosq-", dir=work)
        os.chmod(self.dir, 0o777)  # mosquitto started as root runs as user mosquitto
        self.port = free_port()
        self.conf = os.path.join(self.dir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                    f"persistence true\npersistence_location {self.dir}/\n"
                    "max_queued_messages 100000\nmax_inflight_messages 100\n")
        os.chmod(self.conf, 0o644)
        self.p = None
        self.restarts = 0
        self.start()

    def start(self):
        self.p = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def restart(self):
        self.p.send_signal(signal.SIGTERM)  # saves the persistence db
        self.p.wait(10)
        wait_port(self.port, up=False)
        self.start()
        self.restarts += 1

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            self.p.wait(10)


class Counter:
    """A persistent-session mosquitto_sub; restarted whenever the broker went away."""

    def __init__(self, broker):
        self.broker = broker
        self.seen = {}  # topic -> {n: times}
        self.stop_flag = False
        self.ready = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()
        if not self.ready.wait(10):
            sys.exit("mosquitto_sub did not subscribe")

    def run(self):
        while not self.stop_flag:
            try:
                wait_port(self.broker.port, timeout=30)
            except SystemExit:
                continue
            self.p = subprocess.Popen(
                ["stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.broker.port),
                 "-q", "2", "-c", "-i", "soak-counter", "-t", "soak/#", "-d", "-F", "MSG %t %p"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in self.p.stdout:
                if "received SUBACK" in line or "CONNACK" in line:
                    self.ready.set()
                if line.startswith("MSG "):
                    _, topic, payload = line.rstrip("\n").split(" ", 2)
                    try:
                        n = int(payload.split("-", 1)[1])
                    except (IndexError, ValueError):
                        continue
                    per = self.seen.setdefault(topic, {})
                    per[n] = per.get(n, 0) + 1
            self.p.wait()

    def count(self, topic):
        return len(self.seen.get(topic, {}))

    def close(self):
        self.stop_flag = True
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait(5)


def read_json_line(stream, timeout=20):
    q = queue.Queue()
    threading.Thread(target=lambda: q.put(stream.readline()), daemon=True).start()
    return json.loads(q.get(timeout=timeout))


def emulator_stats(control):
    host, port = control.rsplit(":", 1)
    with socket.create_connection((host, int(port)), 5) as s:
        s.sendall(b"stats\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data.decode().split(" ", 1)[1])


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None


def run_phase(args, cli, emu_tcp, emu_ctl, broker, topic, qos, count, log_path, rss):
    cmd = [*args.cli_prefix.split(), cli, "--tcp", emu_tcp, "--profile", args.profile,
           "--host", "127.0.0.1", "--port", str(broker.port),
           "--client-id", f"soak-dev-q{qos}", "--pub", f"{topic}:{qos}=q{qos}-{{n}}",
           "--count", str(count), "--fast-recovery", "--pins", "reset", "--emu-control", emu_ctl,
           "--stats", "--exit-after-ms", str(args.phase_limit_s * 1000)]
    err_path = log_path.replace(".jsonl", ".stderr")
    with open(log_path, "w") as log, open(err_path, "w") as err:
        p = subprocess.Popen(cmd, stdout=log, stderr=err)
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                r = rss_kib(p.pid)
                if r:
                    rss.append(r)
                stop.wait(0.5)

        def restarter():
            while not stop.wait(args.restart_every_s):
                broker.restart()

        threads = [threading.Thread(target=sample, daemon=True),
                   threading.Thread(target=restarter, daemon=True)]
        for t in threads:
            t.start()
        code = p.wait()
        stop.set()
    events = [json.loads(l) for l in open(log_path) if l.startswith("{")]
    return code, events


def outages(events):
    """Seconds offline: from each time the session leaves `online` (a fault noticed: a
    missing answer, CLOSED, a reboot) until it is online again. Detection time included."""
    out, left, was_online = [], None, False
    for e in events:
        if e.get("event") != "state" or e.get("state") in ("stopping", "stopped"):
            continue
        if e["state"] == "online":
            if left is not None:
                out.append((e["t_ms"] - left) / 1000.0)
            left, was_online = None, True
        elif was_online and left is None and e["state"] != "restoring":
            left = e["t_ms"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qos1", type=int, default=10000)
    ap.add_argument("--qos2", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=0.01, help="fault probability per AT command")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--restart-every-s", type=float, default=20)
    ap.add_argument("--phase-limit-s", type=int, default=1800)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "soak"))
    ap.add_argument("--cli", default=os.path.join(ROOT, "build", "cellmqtt-cli"))
    ap.add_argument("--emu", default=os.path.join(ROOT, "build", "cellmqtt-emu"))
    ap.add_argument("--cli-prefix", default="", help="run the CLI under this, e.g. valgrind")
    ap.add_argument("--profile", default="air724ug",
                    help="module profile for the emulator and the CLI (air724ug, air780e, ec200u, "
                         "a7670, sim7600)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t0 = time.time()
    broker = Broker(args.out)
    counter = Counter(broker)
    emu = subprocess.Popen([args.emu, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                            "--profile", args.profile,
                            "--chaos", f"{args.seed}:{args.rate}", "--boot-ms", "200",
                            "--sim-ms", "50", "--attach-ms", "100", "--pdn-back-ms", "200",
                            "--net-latency-ms", "2", "--log", os.path.join(args.out, "emu.log")],
                           stdout=subprocess.PIPE, text=True)
    try:
        ready = read_json_line(emu.stdout)
        rss, results = {}, {}
        for topic, qos, count in (("soak/q1", 1, args.qos1), ("soak/q2", 2, args.qos2)):
            if count == 0:
                continue
            rss[qos] = []
            code, events = run_phase(args, args.cli, ready["tcp"], ready["control"], broker,
                                     topic, qos, count, os.path.join(args.out, f"cli-q{qos}.jsonl"),
                                     rss[qos])
            results[qos] = (topic, count, code, events)
        # Let the subscriber drain what the broker still queues for it.
        end = time.time() + 60
        while time.time() < end and any(counter.count(t) < c for t, c, _, _ in results.values()):
            time.sleep(0.2)
        emu_stats = emulator_stats(ready["control"])
    finally:
        emu.terminate()
        emu.wait(5)
        counter.close()
        broker.stop()

    ok = True
    print(f"soak: {sum(c for _, c, _, _ in results.values())} messages, profile {args.profile}, "
          f"seed {args.seed}, "
          f"fault rate {args.rate}/command, broker restart every {args.restart_every_s:g} s, "
          f"{time.time() - t0:.0f} s")
    all_rec, recovered, hw, steps = [], 0, 0, {}
    for qos, (topic, count, code, events) in sorted(results.items()):
        seen = counter.seen.get(topic, {})
        lost = count - len([n for n in seen if n < count])
        dups = sum(v - 1 for v in seen.values())
        failed = sum(1 for e in events if e.get("event") == "publish_failed")
        rec = outages(events)
        all_rec += rec
        recovered += len(rec)
        for e in events:
            if e.get("event") == "recovery":
                steps[e["step"]] = steps.get(e["step"], 0) + 1
        st = next((e for e in reversed(events) if e.get("event") == "stats"), {})
        hw = max(hw, st.get("queue_high_water", 0))
        print(f"  QoS {qos}: published {count}, lost {lost}, duplicates {dups}, publish_failed "
              f"{failed}, cli exit {code}")
        if code != 0:
            err = os.path.join(args.out, f"cli-q{qos}.stderr")
            print("  cli stderr (tail):\n" + "".join(open(err).readlines()[-15:]))
        ok &= lost == 0 and failed == 0 and code == 0
    faults = emu_stats.get("faults_by_kind", {})
    print(f"  faults injected: {sum(faults.values())} {json.dumps(faults, sort_keys=True)}, "
          f"broker restarts {broker.restarts}")
    if all_rec:
        print(f"  outages recovered: {recovered} (ladder steps {json.dumps(steps, sort_keys=True)}), "
              f"offline median {statistics.median(all_rec):.2f} s, worst {max(all_rec):.2f} s")
    print(f"  queue high-water: {hw} bytes")
    for qos, samples in sorted(rss.items()):
        warm = samples[len(samples) // 10:] or samples
        if warm:
            print(f"  cli resident memory, QoS {qos} run: {min(warm)}-{max(warm)} KiB after the "
                  f"first tenth, first {samples[0]} KiB, last {samples[-1]} KiB ({len(samples)} samples)")
    print("soak: PASS" if ok else "soak: FAIL")
    sys.exit(0 if ok else 1)


main()
