//! The engine, a scripted module of each family with a power model (supply, PWRKEY, RESET,
//! STATUS) and faults, and the model, stepped together and compared at every notice.
use super::common::family::{Fam, Held};
use super::common::script::lines;
use super::common::Harness;
use super::model::*;
use cellmqtt::config::Timeouts;
use cellmqtt::{Config, Event, Notice, Pin, Pins, RecoveryStep, State};
use std::collections::VecDeque;

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
}

/// A fault of the module: its cause and how many failures it still causes (`u32::MAX`: until
/// cleared; a silent fault with `until_pin` ends at a RESET or power step instead).
#[derive(Clone, Copy, Debug)]
pub struct Fault {
    pub cause: Cause,
    pub left: u32,
    pub until_pin: bool,
}

/// The scripted module: what it holds (tests/common/family.rs), its power and its fault.
pub struct Module {
    pub fam: Fam,
    pub pins: Pins,
    pub held: Held,
    pub supply: bool,
    pub on: bool,
    /// Hung: answers nothing until a RESET pulse or power step reboots it.
    pub hung: bool,
    pub fault: Option<Fault>,
    /// Output not yet given to the engine.
    pub out: Vec<u8>,
    pending: Vec<u8>,
    pub reset_cmds: usize,
    /// Answer the next eligible command with a reboot (`RDY`) instead.
    pub reboot_at_cmd: bool,
    pub rebooted_at_cmd: bool,
}

impl Module {
    fn new(fam: Fam, pins: Pins) -> Module {
        Module {
            fam,
            pins,
            held: Held::default(),
            supply: true,
            on: true,
            hung: false,
            fault: None,
            out: vec![],
            pending: vec![],
            reset_cmds: 0,
            reboot_at_cmd: false,
            rebooted_at_cmd: false,
        }
    }

    /// Answers nothing: off, hung, or a fault of silence (a UART gone quiet).
    pub fn silent(&self) -> bool {
        !self.on || self.hung || self.fault.is_some_and(|f| f.cause == Cause::Silent)
    }

    /// STATUS is wired and reports power.
    pub fn status_on(&self) -> bool {
        self.pins.contains(Pins::STATUS) && self.on
    }

    /// Boots afresh: everything held is gone, echo on, a hang cured.
    pub fn boot(&mut self) {
        self.on = true;
        self.hung = false;
        self.held = Held::default();
        if let Some(f) = self.fault.filter(|f| f.until_pin) {
            debug_assert_eq!(f.cause, Cause::Silent);
            self.fault = None;
        }
        if !self.silent() {
            self.out.extend_from_slice(b"\r\nRDY\r\n");
        }
    }

    /// A pin change: RESET reboots a module that is on, the supply switches it off and (with
    /// no PWRKEY wired) on, a PWRKEY pulse toggles it.
    pub fn pin(&mut self, pin: Pin, active: bool) {
        match (pin, active) {
            (Pin::Reset, true) if self.supply && self.on => self.boot(),
            (Pin::Power, false) => (self.supply, self.on) = (false, false),
            (Pin::Power, true) => {
                let was = self.supply;
                self.supply = true;
                if !was && !self.pins.contains(Pins::PWRKEY) {
                    self.boot();
                }
            }
            (Pin::Pwrkey, true) if self.supply => match self.on {
                true => self.on = false,
                false => self.boot(),
            },
            _ => {}
        }
    }

    fn reset_cmd(&self) -> &'static [u8] {
        match self.fam {
            Fam::Luat => b"AT+RESET",
            _ => b"AT+CFUN=1,1",
        }
    }

    /// The engine wrote `bytes`.
    pub fn take(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        loop {
            if let Some((n, _)) = self.held.data {
                if self.pending.len() < n {
                    return;
                }
                let data: Vec<u8> = self.pending.drain(..n).collect();
                let ans = self.held.data_arrived(b"", data);
                if !self.silent() {
                    self.out.extend(ans);
                }
                continue;
            }
            let Some(p) = self.pending.iter().position(|&b| b == b'\r') else {
                return;
            };
            let line: Vec<u8> = self.pending.drain(..=p).collect();
            let cmd = &line[..p];
            if cmd == self.reset_cmd() {
                self.reset_cmds += 1;
            }
            if self.silent() {
                continue;
            }
            if !self.held.echo_off {
                self.out.extend_from_slice(&line);
            }
            let eligible = cmd != b"AT" && cmd != self.reset_cmd();
            if self.reboot_at_cmd && eligible {
                self.reboot_at_cmd = false;
                self.rebooted_at_cmd = true;
                self.boot();
                continue;
            }
            let ans = self.answer(cmd);
            self.out.extend(ans);
        }
    }

    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        if cmd == self.reset_cmd() {
            let mut a = lines("OK");
            self.out.append(&mut a);
            self.boot();
            return vec![];
        }
        let c = String::from_utf8_lossy(cmd).into_owned();
        let cause = self.fault.map(|f| f.cause);
        let fam = self.fam;
        use Cause::*;
        use Fam::*;
        let fault: Option<&str> = match (cause, fam) {
            (Some(Sim), _) if c == "AT+CPIN?" => Some("+CME ERROR: 10"),
            (Some(SimPin), _) if c == "AT+CPIN?" => Some("+CPIN: SIM PIN|OK"),
            (Some(Attach), _) if c == "AT+CGATT?" => Some("+CGATT: 0|OK"),
            (Some(Refused), Luat) if c.starts_with("AT+MCONNECT") => {
                self.held.bits = 0;
                Some("OK|ERROR|CLOSED")
            }
            (Some(Unreachable), Luat) if c.starts_with("AT+MIPSTART") => Some("OK|CONNECT FAIL"),
            (Some(NoName), Luat) if c.starts_with("AT+MIPSTART") => Some("+CME ERROR: 916"),
            (Some(Setup), Luat) if c.starts_with("AT+MCONFIG") => Some("ERROR"),
            (Some(Refused), Quectel) if c.starts_with("AT+QMTCONN=") => Some("OK|+QMTCONN: 0,0,5"),
            (Some(Unreachable), Quectel) if c.starts_with("AT+QMTOPEN=") => {
                Some("OK|+QMTOPEN: 0,5")
            }
            (Some(NoName), Quectel) if c.starts_with("AT+QMTOPEN=") => Some("OK|+QMTOPEN: 0,4"),
            (Some(Setup), Quectel) if c.starts_with("AT+QMTCFG=\"keepalive\"") => Some("ERROR"),
            (Some(Refused), Simcom) if c.starts_with("AT+CMQTTCONNECT=") => {
                Some("OK|+CMQTTCONNECT: 0,30")
            }
            (Some(Unreachable), Simcom) if c.starts_with("AT+CMQTTCONNECT=") => {
                Some("OK|+CMQTTCONNECT: 0,3")
            }
            (Some(NoName), Simcom) if c.starts_with("AT+CMQTTCONNECT=") => {
                Some("OK|+CMQTTCONNECT: 0,25")
            }
            (Some(Setup), Simcom) if c.starts_with("AT+CMQTTACCQ") => Some("ERROR"),
            _ => None,
        };
        match fault {
            Some(a) => lines(a),
            None => self.held.answer(fam, cmd),
        }
    }

    /// The fault caused a failure: one less to go.
    pub fn hit(&mut self) {
        if let Some(f) = self.fault.as_mut() {
            f.left = f.left.saturating_sub(1);
            if f.left == 0 {
                self.fault = None;
            }
        }
    }
}

/// A rung's action checked at the next notice: the pins it moves, the reset commands it
/// sends, and when it acts.
#[derive(Default)]
struct Interval {
    pins: Vec<(Pin, bool)>,
    want_pins: Vec<(Pin, bool)>,
    want_resets: usize,
    resets_at: usize,
    /// (recovery notice time, its round, the wait, the step).
    action: Option<(u32, u64, Wait, RecoveryStep)>,
    /// A stop or a reboot in the back-off: the action does not come.
    skip: bool,
}

/// What a run met, for the coverage assertions.
#[derive(Default, Debug)]
pub struct Seen {
    pub episodes: usize,
    pub steps: std::collections::BTreeMap<String, usize>,
    pub reasons: std::collections::BTreeMap<String, usize>,
    pub gave_up: usize,
    pub stops: usize,
    pub reboots: usize,
}

pub struct Run {
    pub h: Harness,
    pub fam: Fam,
    pub m: Model,
    pub md: Module,
    pub rng: Rng,
    pub t: Timeouts,
    trail: VecDeque<String>,
    iv: Interval,
    round: u64,
    next_cause: Option<Cause>,
    start_expect: Option<Option<Expect>>,
    stopping: bool,
    stopped: bool,
    reached_online: bool,
    want_stop: bool,
    want_reboot: bool,
    pub seen: Seen,
    /// Random stops, reboots in back-offs, at commands.
    pub chaos: bool,
}

/// Short waits so that episodes are quick (fake time).
pub fn quick_timeouts(rng: &mut Rng) -> Timeouts {
    let mut t = Timeouts::DEFAULT;
    t.command_ms = 300;
    t.poll_interval_ms = 50;
    t.boot_ms = 600;
    t.silence_ms = 300;
    t.sim_ms = 200;
    t.attach_ms = 200;
    t.connect_ms = 300;
    t.connack_ms = 300;
    t.ack_ms = 300;
    t.prompt_ms = 300;
    t.backoff_min_ms = 40 + rng.below(160) as u32;
    t.backoff_max_ms = t.backoff_min_ms << rng.below(6);
    t.reset_pulse_ms = 60;
    t.power_off_ms = 80;
    t.pwrkey_ms = 70;
    t.health_ms = 400;
    t.shut_ms = 300;
    t
}

pub fn family_config(fam: Fam) -> Config<'static> {
    let mut c = fam.config();
    if fam == Fam::Luat {
        // With credentials a refused `AT+MCONFIG` is the module's (README, 765 paragraph).
        (c.username, c.password) = (b"u", b"p");
    }
    c
}

impl Run {
    pub fn new(fam: Fam, cfg: Config<'static>) -> Run {
        let t = cfg.timeouts;
        let m = Model::new(cfg.ladder, cfg.pins, t.backoff_min_ms, t.backoff_max_ms);
        let md = Module::new(fam, cfg.pins);
        let seed = u64::from(t.backoff_min_ms) * 7919 + fam as u64;
        let mut r = Run {
            h: Harness::new(cfg),
            fam,
            m,
            md,
            rng: Rng(seed | 1),
            t,
            trail: VecDeque::new(),
            iv: Interval::default(),
            round: 0,
            next_cause: None,
            start_expect: None,
            stopping: false,
            stopped: false,
            reached_online: false,
            want_stop: false,
            want_reboot: false,
            seen: Seen::default(),
            chaos: false,
        };
        r.start();
        r
    }

    /// A seeded random configuration of `fam`.
    pub fn random(fam: Fam, seed: u64) -> Run {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut c = family_config(fam);
        c.timeouts = quick_timeouts(&mut rng);
        c.ladder.reconnects_before_reset = rng.below(4) as u8;
        c.ladder.resets_before_power_cycle = rng.below(3) as u8;
        c.ladder.power_cycle_limit = rng.below(3) as u16;
        c.ladder.refusal_limit = rng.below(4) as u16;
        c.ladder.broker_reset_after_s = [0, 0, 1, 2][rng.below(4) as usize];
        c.pins = Pins::from_bits_truncate(rng.below(16) as u32);
        let mut r = Run::new(fam, c);
        r.rng = rng;
        r.chaos = true;
        r
    }

    pub fn note(&mut self, what: String) {
        if self.trail.len() == 120 {
            self.trail.pop_front();
        }
        self.trail.push_back(format!("{:>8} {what}", self.h.now));
    }

    pub fn why(&self) -> String {
        let l = self.m.ladder;
        let trail: Vec<&str> = self.trail.iter().map(|s| s.as_str()).collect();
        format!(
            "{:?} pins {:?} ladder {l:?} min {} max {} t={}\n{}",
            self.fam,
            self.m.pins,
            self.t.backoff_min_ms,
            self.t.backoff_max_ms,
            self.h.now,
            trail.join("\n")
        )
    }

    pub fn start(&mut self) {
        self.note("start".into());
        self.h.engine.start(self.h.now).unwrap();
        self.m.start();
        self.stopped = false;
        self.start_expect = Some(self.m.start_power_on(self.md.silent(), self.md.status_on()));
    }

    pub fn stop(&mut self) {
        self.note("stop".into());
        self.seen.stops += 1;
        self.h.engine.stop(self.h.now);
        self.m.online = false;
        self.iv.skip = true;
        self.iv.action = None;
        self.stopping = true;
        self.stopped = false;
        let end = self.h.now.wrapping_add(60_000);
        while !self.stopped {
            assert!(
                !cellmqtt::time::reached(self.h.now, end),
                "stop never ended: {}",
                self.why()
            );
            self.step();
        }
        self.stopping = false;
        self.check_interval();
    }

    // ---- Stepping ----

    /// One poll round, the module's answers, and the clock to the next wake-up.
    pub fn step(&mut self) {
        self.round += 1;
        self.poll();
        let written = std::mem::take(&mut self.h.uart.written);
        self.h.forget_tx();
        if !written.is_empty() {
            self.note(format!("> {}", text(&written)));
            self.acted();
            self.md.take(&written);
            if std::mem::take(&mut self.md.rebooted_at_cmd) {
                self.note("module reboots at a command".into());
                self.seen.reboots += 1;
                self.next_cause = Some(Cause::Reboot);
            }
        }
        if std::mem::take(&mut self.want_reboot) && !self.md.silent() && !self.m.failed {
            self.note("module reboots in the back-off".into());
            self.seen.reboots += 1;
            self.md.boot();
            self.m.rebooted_in_backoff();
            self.iv = Interval {
                pins: std::mem::take(&mut self.iv.pins),
                resets_at: self.md.reset_cmds,
                ..Interval::default()
            };
            self.iv.skip = true;
        }
        if std::mem::take(&mut self.want_stop) {
            self.stop();
            self.start();
            return;
        }
        if !self.md.out.is_empty() {
            let out = std::mem::take(&mut self.md.out);
            self.note(format!("< {}", text(&out)));
            assert_eq!(self.h.ring.push(&out), out.len(), "RX ring too small");
            return;
        }
        let d = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
        self.h.now = self.h.now.wrapping_add(d.clamp(1, 5_000));
    }

    fn poll(&mut self) {
        for _ in 0..100_000 {
            if self.h.engine.wants_module_status() {
                let on = self.md.pins.contains(Pins::STATUS).then_some(self.md.on);
                self.h.engine.set_module_status(on);
            }
            let (_, mut reader) = self.h.ring.split();
            let n = match self
                .h
                .engine
                .poll(self.h.now, &mut reader, &mut self.h.uart)
            {
                None => {
                    assert_eq!(self.h.engine.stats().events_dropped, 0, "a notice was lost");
                    return;
                }
                Some(Event::Notice(n)) => n,
                Some(_) => continue,
            };
            self.on_notice(n);
        }
        panic!("poll never became idle");
    }

    /// The engine acted (wrote, or moved a pin): the back-off of the last rung ended.
    fn acted(&mut self) {
        let Some((from, round, wait, step)) = self.iv.action else {
            return;
        };
        if round == self.round {
            return;
        }
        self.iv.action = None;
        let took = self.h.now.wrapping_sub(from);
        let ok = match wait {
            Wait::None => took == 0,
            Wait::Exact(w) => took == w,
            Wait::Range(lo, hi) => (lo..=hi).contains(&took),
        };
        assert!(
            ok,
            "{step:?}: acted {took} ms after the notice, expected {wait:?}\n{}",
            self.why()
        );
    }

    fn on_notice(&mut self, n: Notice) {
        match n {
            Notice::Log { .. } => return,
            Notice::Pin { pin, active } => {
                self.note(format!("pin {pin:?} {active}"));
                self.iv.pins.push((pin, active));
                self.acted();
                self.md.pin(pin, active);
                return;
            }
            _ => {}
        }
        self.note(format!("{n:?}"));
        match n {
            Notice::Recovery {
                step,
                reason,
                failures,
            } => self.on_recovery(step, reason, failures),
            Notice::State(State::Online) => {
                self.check_interval();
                self.start_expect = None;
                assert!(!self.stopping, "online during a stop\n{}", self.why());
                assert!(
                    self.next_cause.is_none(),
                    "online, no failure for {:?}\n{}",
                    self.next_cause,
                    self.why()
                );
                self.m.came_online();
                self.reached_online = true;
                self.check_counters();
            }
            Notice::State(State::Failed) => {
                assert!(self.m.failed, "FAILED unpredicted\n{}", self.why());
            }
            Notice::State(State::Stopped) => self.stopped = true,
            _ => {}
        }
    }

    fn check_counters(&self) {
        let got = Counters::of(self.h.engine.stats());
        assert_eq!(got, self.m.c, "counters\n{}", self.why());
    }

    /// The pins and reset commands since the last notice are the last rung's.
    fn check_interval(&mut self) {
        let iv = std::mem::take(&mut self.iv);
        let resets = self.md.reset_cmds - iv.resets_at;
        if !iv.skip {
            assert_eq!(iv.pins, iv.want_pins, "pins\n{}", self.why());
            assert_eq!(resets, iv.want_resets, "reset commands\n{}", self.why());
        }
        self.iv.resets_at = self.md.reset_cmds;
    }

    fn on_recovery(&mut self, step: cellmqtt::RecoveryStep, reason: cellmqtt::Status, n: u16) {
        assert!(!self.stopping, "a recovery during a stop\n{}", self.why());
        self.check_interval();
        *self.seen.steps.entry(format!("{step:?}")).or_default() += 1;
        *self.seen.reasons.entry(format!("{reason:?}")).or_default() += 1;
        let status_on = self.md.status_on();
        let start = self.start_expect.take().flatten();
        let exp = match start {
            Some(e) => e,
            None => {
                let cause = match self.next_cause.take() {
                    Some(c) => c,
                    None if self.md.silent() => Cause::Silent,
                    None => match self.md.fault {
                        Some(f) => f.cause,
                        None => panic!("{step:?} {reason:?} with nothing wrong\n{}", self.why()),
                    },
                };
                let e = self.m.failure(cause, self.h.now, status_on);
                if self.md.fault.is_some_and(|f| f.cause == cause) {
                    self.md.hit();
                }
                e
            }
        };
        let got = (step, reason, n);
        assert_eq!(
            got,
            (exp.step, exp.reason, exp.failures),
            "recovery\n{}",
            self.why()
        );
        if start.is_none() {
            self.check_counters();
        }
        use RecoveryStep::*;
        let p = self.m.pins;
        let pulse = |pin: Pin, bit| match p.contains(bit) {
            true => vec![(pin, true), (pin, false)],
            false => vec![],
        };
        self.iv.want_pins = match step {
            ResetPin => pulse(Pin::Reset, Pins::RESET),
            PowerCycle => [vec![(Pin::Power, false), (Pin::Power, true)], {
                pulse(Pin::Pwrkey, Pins::PWRKEY)
            }]
            .concat(),
            PowerOn if start.is_some() => {
                let power = match p.contains(Pins::POWER) {
                    true => vec![(Pin::Power, true)],
                    false => vec![],
                };
                [power, pulse(Pin::Pwrkey, Pins::PWRKEY)].concat()
            }
            PowerOn => pulse(Pin::Pwrkey, Pins::PWRKEY),
            _ => vec![],
        };
        self.iv.want_resets = usize::from(step == SoftReset);
        if exp.wait != Wait::None || step == Reinit {
            self.iv.action = Some((self.h.now, self.round, exp.wait, step));
        }
        if step == Reinit {
            // No back-off: the probe goes at once, in this round.
            self.iv.action = None;
        }
        if step == GaveUp {
            self.seen.gave_up += 1;
        }
        if self.chaos && !self.m.failed && step != Reinit {
            if self.rng.chance(14) {
                self.want_stop = true;
            } else if step == Reconnect && self.rng.chance(10) {
                // Only a re-connect's back-off: after a reset or a power step the module's
                // boot lines are the ones the engine waits for, not a reboot of its own.
                self.want_reboot = true;
            }
        }
    }

    /// Runs until the session is online (starting it again after it gave up), at most
    /// `cap_ms` of fake time.
    pub fn run_until_online(&mut self, cap_ms: u32) {
        self.reached_online = false;
        let end = self.h.now.wrapping_add(cap_ms);
        let mut gave_up = 0;
        while !self.reached_online {
            assert!(
                !cellmqtt::time::reached(self.h.now, end),
                "never online again\n{}",
                self.why()
            );
            if self.m.failed && self.h.engine.state() == State::Failed {
                gave_up += 1;
                self.check_interval();
                // Failed: nothing moves until the next start.
                let quiet = 200 + self.rng.below(2_000) as u32;
                self.run_for(quiet);
                assert!(
                    self.iv.pins.is_empty(),
                    "pins after GAVE_UP\n{}",
                    self.why()
                );
                if gave_up > 1 || self.rng.chance(2) {
                    self.md.fault = None;
                }
                self.start();
            }
            self.step();
        }
    }

    /// Runs `ms` of fake time.
    pub fn run_for(&mut self, ms: u32) {
        let end = self.h.now.wrapping_add(ms);
        while !cellmqtt::time::reached(self.h.now, end) {
            let before = self.h.now;
            self.step();
            if self.h.now == before {
                continue;
            }
            if cellmqtt::time::reached(self.h.now, end) {
                break;
            }
        }
    }

    /// Online: the link drops (the family's line).
    pub fn drop_link(&mut self) {
        self.note("link drops".into());
        let line = self.md.held.drop_link(self.fam);
        self.md.out.extend_from_slice(line);
        self.next_cause = Some(Cause::LinkLoss);
    }

    /// Online: the module reboots.
    pub fn reboot(&mut self) {
        self.note("module reboots".into());
        self.seen.reboots += 1;
        self.md.boot();
        self.next_cause = Some(Cause::Reboot);
    }

    /// One seeded episode from online: a fault for some failures, a link loss, a reboot, a
    /// stop, or nothing; then until online again.
    pub fn episode(&mut self) {
        self.seen.episodes += 1;
        let kind = self.rng.below(12);
        let l = self.m.ladder;
        let climb =
            2 + u32::from(l.reconnects_before_reset) + u32::from(l.resets_before_power_cycle);
        let n = match self.rng.below(3) {
            0 => 1 + self.rng.below(3) as u32,
            1 => 1 + self.rng.below(u64::from(2 * climb)) as u32,
            _ => 2 * climb + 4 + self.rng.below(6) as u32, // past the top rung
        };
        let cause = match kind {
            0 => Cause::Refused,
            1 => Cause::Unreachable,
            2 => Cause::NoName,
            3 => Cause::Setup,
            4 => Cause::Sim,
            5 => Cause::SimPin,
            6 => Cause::Attach,
            7 => Cause::Silent,
            8 => return self.single(Cause::LinkLoss),
            9 => return self.single(Cause::Reboot),
            10 => {
                self.stop();
                self.start();
                return self.run_until_online(600_000);
            }
            _ => {
                let idle = self.rng.below(1_000) as u32;
                self.run_for(idle);
                return;
            }
        };
        self.note(format!("fault {cause:?} x{n}"));
        let p = self.m.pins;
        let curable = p.intersects(Pins::RESET | Pins::POWER)
            || (p.contains(Pins::PWRKEY) && !p.contains(Pins::STATUS));
        let until_pin = cause == Cause::Silent && curable && self.rng.chance(2);
        if until_pin {
            self.md.hung = true;
        } else {
            self.md.fault = Some(Fault {
                cause,
                left: n,
                until_pin: false,
            });
        }
        if cause != Cause::Silent {
            // Something to make the session connect again.
            let full = matches!(cause, Cause::Sim | Cause::SimPin | Cause::Attach);
            match self.rng.below(3) {
                0 if !full => self.drop_link(),
                1 => {
                    self.stop();
                    self.start();
                }
                _ => self.reboot(),
            }
        }
        self.run_until_online(1_800_000);
        self.md.fault = None;
        self.md.hung = false;
    }

    fn single(&mut self, cause: Cause) {
        match cause {
            Cause::LinkLoss => self.drop_link(),
            _ => self.reboot(),
        }
        self.run_until_online(600_000);
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b)
        .replace('\r', "\\r")
        .replace('\n', "\\n")
}
