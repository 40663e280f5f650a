//! The engine against a scripted module of one family on the module's own real clock (see
//! main.rs): the tick a function of it, the application's poll cadence, and the checks every
//! run shares.
use super::common;
use cellmqtt::time::{reached, until};
use cellmqtt::{Config, Event, LogKind, Notice, Pin, RecoveryStep, State};
use common::family::{Fam, Held};
use common::Ev;
pub const SEC: u32 = 1_000;
pub const MIN: u32 = 60 * SEC;
pub const HOUR: u32 = 60 * MIN;
pub const DAY: u32 = 24 * HOUR;
/// The longest wait the default configuration schedules (attach, 120 s), plus the few seconds
/// a tick that stepped back adds: no wait may read longer (a deadline wrapped into the future).
pub const LONGEST_WAIT: u32 = 120 * SEC + 10 * SEC;
/// The shortest RESET pulse a module takes for one (Air724UG: ≥150 ms, docs/luat-at.md §2.3).
pub const MODULE_RESET_MIN: u32 = 150;

pub type Clock = Box<dyn Fn(u32) -> u32>;

/// A tick `add` ms ahead of real time from real time `from` on (wrapping: a step back).
pub fn skewed(from: u32, add: u32) -> Clock {
    Box::new(move |r| r.wrapping_add(if reached(r, from) { add } else { 0 }))
}

/// When the application polls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cadence {
    /// README's loop: sleep for `poll_delay_ms` or until RX arrives, whichever comes first.
    Regular,
    /// Only when `poll_delay_ms` says; RX wakes it only when nothing is scheduled (`UINT32_MAX`).
    Tickless,
    /// Every this many ms whatever `poll_delay_ms` says (an application busy elsewhere).
    Every(u32),
}

/// The engine against a scripted module of one family, on the module's real clock.
pub struct Module {
    pub h: common::Harness,
    pub fam: Fam,
    pub held: Held,
    /// UART bytes not yet a whole line; what the module prints, at which real time.
    pub pending: Vec<u8>,
    pub outq: Vec<(u32, Vec<u8>)>,
    /// The module answers this long after a command line, and the lines after a first `OK`
    /// (open and connect results, acknowledgements) `urc_delay` later.
    pub latency: u32,
    pub urc_delay: u32,
    /// The module's time; the engine's tick is `clock(real)`.
    pub real: u32,
    pub clock: Clock,
    pub cadence: Cadence,
    /// `poll` calls at each wake-up, at the same `now` (each until it returns `None`).
    pub burst: u32,
    /// Answers nothing until a RESET pulse long enough reboots it; answers `+CGATT: 0` this
    /// many more times; the broker cannot be reached (the open, SIMCom the connect, fails).
    pub hung: bool,
    pub detached: u32,
    pub broker_down: bool,
    /// Goes out with the module's next answer (URCs, an inbound message).
    pub extra: Vec<u8>,
    /// Real time RESET was asserted; real widths of the pulses; (tick, level) of each change.
    pub reset_at: Option<u32>,
    pub pulses: Vec<u32>,
    pub resets: Vec<(u32, bool)>,
    /// Every command line (with the tick it was taken at), every event.
    pub cmds: Vec<(u32, Vec<u8>)>,
    pub ev: Vec<Ev>,
}

impl Module {
    pub fn new(fam: Fam, c: Config<'static>) -> Self {
        Module {
            h: common::Harness::new(c),
            fam,
            held: Held::default(),
            pending: vec![],
            outq: vec![],
            latency: 0,
            urc_delay: 0,
            real: 1_000,
            clock: Box::new(|r| r),
            cadence: Cadence::Regular,
            burst: 1,
            hung: false,
            detached: 0,
            broker_down: false,
            extra: vec![],
            reset_at: None,
            pulses: vec![],
            resets: vec![],
            cmds: vec![],
            ev: vec![],
        }
    }

    /// Started with `a/b` subscribed (QoS 1) at real time `at`, brought online on the regular
    /// cadence; commands and events cleared.
    pub fn online_at(fam: Fam, c: Config<'static>, at: u32) -> Self {
        let mut m = Module::new(fam, c);
        m.real = at;
        m.h.engine.subscribe(b"a/b", 1).unwrap();
        m.start();
        m.settle_online(5 * MIN);
        (m.cmds, m.ev) = (vec![], vec![]);
        m
    }

    pub fn tick(&self) -> u32 {
        (self.clock)(self.real)
    }

    pub fn start(&mut self) {
        self.h.engine.start(self.tick()).unwrap();
    }

    /// `burst` rounds of polls at the current tick; pins act on the module.
    pub fn poll(&mut self) {
        let now = self.tick();
        self.h.now = now;
        for _ in 0..self.burst {
            for _ in 0..100_000 {
                let (_, mut rx) = self.h.ring.split();
                let ev = match self.h.engine.poll(now, &mut rx, &mut self.h.uart) {
                    None => break,
                    Some(Event::Notice(n)) => Ev::N(n),
                    Some(Event::Message { topic, payload }) => {
                        Ev::Msg(topic.into(), payload.into())
                    }
                    Some(Event::AtLine { id, line }) => Ev::AtLine(id, line.to_vec()),
                    Some(Event::Urc { line }) => Ev::Urc(line.to_vec()),
                };
                if let Ev::N(Notice::Pin { pin, active }) = ev {
                    self.pin(now, pin, active);
                }
                self.ev.push(ev);
            }
        }
        assert_eq!(self.h.engine.stats().events_dropped, 0, "a notice was lost");
    }

    /// A pin moved: RESET released after a long enough pulse reboots the module (echo on,
    /// nothing held, deaf to what was written meanwhile).
    pub fn pin(&mut self, now: u32, pin: Pin, active: bool) {
        if pin != Pin::Reset {
            return;
        }
        self.resets.push((now, active));
        if active {
            self.reset_at = Some(self.real);
            return;
        }
        let width = self.real.wrapping_sub(self.reset_at.take().unwrap());
        self.pulses.push(width);
        if width >= MODULE_RESET_MIN {
            (self.held, self.hung) = (Held::default(), false);
            (self.pending, self.outq) = (vec![], vec![]);
            self.h.uart.written.clear();
        }
    }

    /// The module's answer to a command line.
    pub fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        if cmd == b"AT+CGATT?" && self.detached > 0 {
            self.detached -= 1;
            return b"\r\n+CGATT: 0\r\n\r\nOK\r\n".to_vec();
        }
        let unreachable = match self.fam {
            Fam::Luat if cmd.starts_with(b"AT+MIPSTART") => "OK|CONNECT FAIL",
            Fam::Quectel if cmd.starts_with(b"AT+QMTOPEN=") => "OK|+QMTOPEN: 0,5",
            Fam::Simcom if cmd.starts_with(b"AT+CMQTTCONNECT=") => "OK|+CMQTTCONNECT: 0,11",
            _ => "",
        };
        if self.broker_down && !unreachable.is_empty() {
            return common::script::lines(unreachable);
        }
        self.held.answer(self.fam, cmd)
    }

    /// The module prints `bytes` now (what follows a first `OK` `urc_delay` later).
    pub fn print(&mut self, mut bytes: Vec<u8>) {
        bytes.append(&mut self.extra);
        let at = self.real.wrapping_add(self.latency);
        let split = bytes
            .windows(6)
            .position(|w| w == b"\r\nOK\r\n")
            .map(|i| i + 6);
        if let Some(i) = split.filter(|&i| i < bytes.len() && self.urc_delay > 0) {
            let rest = bytes.split_off(i);
            self.outq.push((at.wrapping_add(self.urc_delay), rest));
        }
        self.outq.push((at, bytes));
        self.outq.sort_by_key(|o| until(self.real, o.0));
    }

    /// Takes what the engine wrote and lets the module answer it.
    pub fn exchange(&mut self) {
        self.pending.append(&mut self.h.uart.written);
        self.h.forget_tx();
        while !self.hung {
            if let Some(n) = self.held.data.as_ref().map(|d| d.0) {
                if self.pending.len() < n {
                    return;
                }
                let data: Vec<u8> = self.pending.drain(..n).collect();
                let cmd = self.cmds.last().unwrap().1.clone();
                let answer = self.held.data_arrived(&cmd, data);
                self.print(answer);
                continue;
            }
            let Some(p) = self.pending.iter().position(|&b| b == b'\r') else {
                return;
            };
            let line: Vec<u8> = self.pending.drain(..=p).collect();
            let cmd = line[..p].to_vec();
            self.cmds.push((self.tick(), cmd.clone()));
            let mut out = if self.held.echo_off { vec![] } else { line };
            out.extend(self.answer(&cmd));
            self.print(out);
        }
        self.pending.clear();
    }

    /// Puts what the module printed by now into the RX ring.
    pub fn deliver(&mut self) {
        while let Some(i) = self.outq.iter().position(|o| reached(self.real, o.0)) {
            let (_, bytes) = self.outq.remove(i);
            assert_eq!(self.h.ring.push(&bytes), bytes.len(), "RX ring too small");
        }
    }

    /// Runs up to `ms` of real time on the cadence until `done` holds. At each wait: no spin
    /// (0 after a poll that found no more work), no stall (nothing scheduled unless stopped,
    /// failed or online with nothing queued), no wait beyond the longest configured one.
    pub fn run_until(&mut self, ms: u32, done: &dyn Fn(&Module) -> bool) -> bool {
        let end = self.real.wrapping_add(ms);
        for _ in 0..1_000_000 {
            self.deliver();
            self.poll();
            if done(self) {
                return true;
            }
            if reached(self.real, end) {
                return false;
            }
            self.exchange();
            if done(self) {
                return true;
            }
            let (e, now, f) = (&self.h.engine, self.tick(), self.fam);
            let wait = e.poll_delay_ms(now, &self.h.ring);
            let (state, queued) = (e.state(), e.queued());
            assert!(wait > 0, "{f:?}: spin in {state:?} at tick {now}");
            let idle = matches!(state, State::Stopped | State::Failed)
                || state == State::Online && queued == 0;
            assert!(wait != u32::MAX || idle, "{f:?}: stall in {state:?}");
            let far = wait != u32::MAX && wait > LONGEST_WAIT;
            assert!(
                !far,
                "{f:?}: a wait of {wait} ms in {state:?} at tick {now}"
            );
            let rx = self
                .outq
                .first()
                .map_or(u32::MAX, |o| until(self.real, o.0));
            let delta = match self.cadence {
                Cadence::Regular => wait.min(rx),
                Cadence::Tickless if wait == u32::MAX => rx,
                Cadence::Tickless => wait,
                Cadence::Every(p) => p,
            };
            self.real = self.real.wrapping_add(delta.min(until(self.real, end)));
        }
        panic!("the run never ended");
    }

    /// Runs until online with nothing queued, written or printed (at most `ms`).
    #[track_caller]
    pub fn settle_online(&mut self, ms: u32) {
        let done = |m: &Module| {
            let e = &m.h.engine;
            e.state() == State::Online && e.queued() == 0 && m.quiet()
        };
        let online = self.run_until(ms, &done);
        assert!(online, "{:?} not online: {:?}", self.fam, self.notices());
    }

    /// Nothing written the module has not taken, nothing printed not yet read.
    pub fn quiet(&self) -> bool {
        let idle = self.h.uart.written.is_empty() && self.held.data.is_none();
        idle && self.outq.is_empty() && self.h.ring.is_empty()
    }

    pub fn notices(&self) -> Vec<Notice> {
        common::notices_of(&self.ev)
    }

    pub fn count(&self, want: Notice) -> usize {
        self.notices().iter().filter(|n| **n == want).count()
    }

    pub fn has_recovery(&self) -> bool {
        let step = |n: &Notice| matches!(n, Notice::Recovery { .. });
        self.notices().iter().any(step)
    }

    pub fn sent(&self, cmd: &[u8]) -> usize {
        self.cmds.iter().filter(|c| c.1.starts_with(cmd)).count()
    }
}

/// The broker drops the link: the family's link-lost line (the module keeps no session).
pub fn drop_link(m: &mut Module) {
    let urc = m.held.drop_link(m.fam);
    m.print(urc.to_vec());
}

/// A message in on `a/b` as the family frames it, and a URC the engine passes on.
pub fn inbound(fam: Fam) -> Vec<u8> {
    let mut b = match fam {
        Fam::Luat => b"\r\n+MSUB: \"a/b\",5 byte,hello\r\n".to_vec(),
        Fam::Quectel => b"\r\n+QMTRECV: 0,0,\"a/b\",5,\"hello\"\r\n".to_vec(),
        Fam::Simcom => common::simcom::rx_message(b"a/b", b"hello", 1500),
    };
    b.extend_from_slice(b"\r\n+CMTI: \"SM\",3\r\n");
    b
}

/// Pins moved, and ladder steps that touch the hardware or give up.
pub fn hardware(m: &Module) -> Vec<Notice> {
    use RecoveryStep::*;
    let touch = |n: &Notice| match n {
        Notice::Pin { .. } => true,
        Notice::Recovery { step, .. } => {
            matches!(step, ResetPin | SoftReset | PowerCycle | PowerOn | GaveUp)
        }
        _ => false,
    };
    m.notices().into_iter().filter(touch).collect()
}

/// Nothing failed or timed out, no ladder step, no pin, no probe of a silent module, and
/// each of `ids` published exactly once.
#[track_caller]
pub fn assert_clean(m: &Module, ids: &[u16], why: &str) {
    let why = format!("{:?} {why}: {:?}", m.fam, m.notices());
    for &id in ids {
        assert_eq!(m.count(Notice::Published { id }), 1, "{why}");
    }
    let bad = |n: &Notice| match n {
        Notice::PublishFailed { .. } | Notice::SubscribeFailed { .. } => true,
        Notice::Recovery { .. } | Notice::Pin { .. } => true,
        Notice::Log { kind, .. } => matches!(kind, LogKind::CommandTimeout | LogKind::AckTimeout),
        _ => false,
    };
    assert!(!m.notices().iter().any(bad), "{why}");
    let s = m.h.engine.stats();
    assert_eq!((s.command_timeouts, s.connect_failures), (0, 0), "{why}");
    let hw = (s.reset_pulses, s.soft_resets, s.power_cycles);
    assert_eq!((hw, s.unexpected_acks), ((0, 0, 0), 0), "{why}");
}

/// Runs until `cmd` went out and `then` holds (checked after each poll and each answer).
pub fn run_to(m: &mut Module, cmd: &'static [u8], then: fn(&Module) -> bool) {
    let done = move |m: &Module| m.sent(cmd) > 0 && then(m);
    assert!(m.run_until(5 * MIN, &done), "{:?}", m.notices());
}

/// The jumps of the tick: seconds, hours, and 24 days (under the 2^31 ms every deadline
/// compares within, src/time.rs).
pub fn jumps() -> &'static [u32] {
    let all = &[10 * SEC, 3 * HOUR, 24 * DAY];
    &all[if cfg!(miri) { 2 } else { 0 }..]
}
