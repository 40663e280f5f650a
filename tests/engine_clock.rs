//! Time and poll cadence as real firmware gives them: an application that polls late (the
//! module's whole answer already waiting in the RX ring, past its deadline), a tick that jumps
//! forward (an MCU that slept in STOP mode and added the slept time at once), a tick that
//! stands still and resumes, one that steps back a little, a loop that only polls when
//! `poll_delay_ms` says, bursts of polls at one `now`, and the 49.7-day wrap of the tick.
//!
//! What README promises ("Porting guide", "Failure classes", src/time.rs): time is passed in
//! (`tick_ms`, read once per call, may wrap at 2^32); `poll` takes the RX bytes before it looks
//! at any deadline; "nothing ever blocks or spins" (0 from `poll_delay_ms` means work); the
//! hardware is touched only when the module is at fault; counters are honest; every publish
//! completes once. Every run checks, at each wait, that the engine neither spins nor stalls and
//! that no wait reads as further ahead than the longest configured one (a deadline wrapped into
//! the far future).
//!
//! The module is scripted per family by tests/common/family.rs (`Held::answer`) on its own
//! "real" clock; the engine's tick is a function of it, so stalls, jumps and steps back are
//! the tick's only, while the module's answers land in the RX ring when the module prints them.
mod common;

use cellmqtt::time::{reached, until};
use cellmqtt::{Config, Event, LogKind, Notice, Pin, Pins, RecoveryStep, State};
use common::family::{fams, Fam, Held};
use common::Ev;

const SEC: u32 = 1_000;
const MIN: u32 = 60 * SEC;
const HOUR: u32 = 60 * MIN;
const DAY: u32 = 24 * HOUR;
/// The longest wait the default configuration schedules (attach, 120 s), plus the few seconds
/// a tick that stepped back adds: no wait may read longer (a deadline wrapped into the future).
const LONGEST_WAIT: u32 = 120 * SEC + 10 * SEC;
/// The shortest RESET pulse a module takes for one (Air724UG: ≥150 ms, docs/luat-at.md §2.3).
const MODULE_RESET_MIN: u32 = 150;

type Clock = Box<dyn Fn(u32) -> u32>;

/// A tick `add` ms ahead of real time from real time `from` on (wrapping: a step back).
fn skewed(from: u32, add: u32) -> Clock {
    Box::new(move |r| r.wrapping_add(if reached(r, from) { add } else { 0 }))
}

/// When the application polls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cadence {
    /// README's loop: sleep for `poll_delay_ms` or until RX arrives, whichever comes first.
    Regular,
    /// Only when `poll_delay_ms` says; RX wakes it only when nothing is scheduled (`UINT32_MAX`).
    Tickless,
    /// Every this many ms whatever `poll_delay_ms` says (an application busy elsewhere).
    Every(u32),
}

/// The engine against a scripted module of one family, on the module's real clock.
struct Module {
    h: common::Harness,
    fam: Fam,
    held: Held,
    /// UART bytes not yet a whole line; what the module prints, at which real time.
    pending: Vec<u8>,
    outq: Vec<(u32, Vec<u8>)>,
    /// The module answers this long after a command line, and the lines after a first `OK`
    /// (open and connect results, acknowledgements) `urc_delay` later.
    latency: u32,
    urc_delay: u32,
    /// The module's time; the engine's tick is `clock(real)`.
    real: u32,
    clock: Clock,
    cadence: Cadence,
    /// `poll` calls at each wake-up, at the same `now` (each until it returns `None`).
    burst: u32,
    /// Answers nothing until a RESET pulse long enough reboots it; answers `+CGATT: 0` this
    /// many more times; the broker cannot be reached (the open, SIMCom the connect, fails).
    hung: bool,
    detached: u32,
    broker_down: bool,
    /// Goes out with the module's next answer (URCs, an inbound message).
    extra: Vec<u8>,
    /// Real time RESET was asserted; real widths of the pulses; (tick, level) of each change.
    reset_at: Option<u32>,
    pulses: Vec<u32>,
    resets: Vec<(u32, bool)>,
    /// Every command line (with the tick it was taken at), every event.
    cmds: Vec<(u32, Vec<u8>)>,
    ev: Vec<Ev>,
}

impl Module {
    fn new(fam: Fam, c: Config<'static>) -> Self {
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
    fn online_at(fam: Fam, c: Config<'static>, at: u32) -> Self {
        let mut m = Module::new(fam, c);
        m.real = at;
        m.h.engine.subscribe(b"a/b", 1).unwrap();
        m.start();
        m.settle_online(5 * MIN);
        (m.cmds, m.ev) = (vec![], vec![]);
        m
    }

    fn tick(&self) -> u32 {
        (self.clock)(self.real)
    }

    fn start(&mut self) {
        self.h.engine.start(self.tick()).unwrap();
    }

    /// `burst` rounds of polls at the current tick; pins act on the module.
    fn poll(&mut self) {
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
    fn pin(&mut self, now: u32, pin: Pin, active: bool) {
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
    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
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
    fn print(&mut self, mut bytes: Vec<u8>) {
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
    fn exchange(&mut self) {
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
    fn deliver(&mut self) {
        while let Some(i) = self.outq.iter().position(|o| reached(self.real, o.0)) {
            let (_, bytes) = self.outq.remove(i);
            assert_eq!(self.h.ring.push(&bytes), bytes.len(), "RX ring too small");
        }
    }

    /// Runs up to `ms` of real time on the cadence until `done` holds. At each wait: no spin
    /// (0 after a poll that found no more work), no stall (nothing scheduled unless stopped,
    /// failed or online with nothing queued), no wait beyond the longest configured one.
    fn run_until(&mut self, ms: u32, done: &dyn Fn(&Module) -> bool) -> bool {
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
    fn settle_online(&mut self, ms: u32) {
        let done = |m: &Module| {
            let e = &m.h.engine;
            e.state() == State::Online && e.queued() == 0 && m.quiet()
        };
        let online = self.run_until(ms, &done);
        assert!(online, "{:?} not online: {:?}", self.fam, self.notices());
    }

    /// Nothing written the module has not taken, nothing printed not yet read.
    fn quiet(&self) -> bool {
        let idle = self.h.uart.written.is_empty() && self.held.data.is_none();
        idle && self.outq.is_empty() && self.h.ring.is_empty()
    }

    fn notices(&self) -> Vec<Notice> {
        common::notices_of(&self.ev)
    }

    fn count(&self, want: Notice) -> usize {
        self.notices().iter().filter(|n| **n == want).count()
    }

    fn has_recovery(&self) -> bool {
        let step = |n: &Notice| matches!(n, Notice::Recovery { .. });
        self.notices().iter().any(step)
    }

    fn sent(&self, cmd: &[u8]) -> usize {
        self.cmds.iter().filter(|c| c.1.starts_with(cmd)).count()
    }
}

/// The broker drops the link: the family's link-lost line (the module keeps no session).
fn drop_link(m: &mut Module) {
    let urc = m.held.drop_link(m.fam);
    m.print(urc.to_vec());
}

/// A message in on `a/b` as the family frames it, and a URC the engine passes on.
fn inbound(fam: Fam) -> Vec<u8> {
    let mut b = match fam {
        Fam::Luat => b"\r\n+MSUB: \"a/b\",5 byte,hello\r\n".to_vec(),
        Fam::Quectel => b"\r\n+QMTRECV: 0,0,\"a/b\",5,\"hello\"\r\n".to_vec(),
        Fam::Simcom => common::simcom::rx_message(b"a/b", b"hello", 1500),
    };
    b.extend_from_slice(b"\r\n+CMTI: \"SM\",3\r\n");
    b
}

/// Pins moved, and ladder steps that touch the hardware or give up.
fn hardware(m: &Module) -> Vec<Notice> {
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
fn assert_clean(m: &Module, ids: &[u16], why: &str) {
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
fn run_to(m: &mut Module, cmd: &'static [u8], then: fn(&Module) -> bool) {
    let done = move |m: &Module| m.sent(cmd) > 0 && then(m);
    assert!(m.run_until(5 * MIN, &done), "{:?}", m.notices());
}

/// The jumps of the tick: seconds, hours, and 24 days (under the 2^31 ms every deadline
/// compares within, src/time.rs).
fn jumps() -> &'static [u32] {
    let all = &[10 * SEC, 3 * HOUR, 24 * DAY];
    &all[if cfg!(miri) { 2 } else { 0 }..]
}

// ---- The application polls late ----

/// Each command's whole answer is in the RX ring when the poll comes 5 s, 60 s or 10 min
/// after the command went out (past its deadline: 1 s for a probe, 9 s for a command, 20 s
/// for an acknowledgement): the bring-up reaches online, and two QoS 1 publishes (Quectel with
/// a window of 3), a QoS 0 one and an application command complete, with a URC and a message
/// in the same ring, with no timeout, probe, ladder step or failure.
#[test]
fn late_polls_take_the_answers_waiting_in_the_ring() {
    for &fam in fams() {
        for late in [5 * SEC, MIN, 10 * MIN]
            .into_iter()
            .filter(|&l| !cfg!(miri) || l == MIN)
        {
            let why = format!("polled every {late} ms");
            let mut c = fam.config();
            c.publish_window = if fam == Fam::Quectel { 3 } else { 1 };
            let mut m = Module::new(fam, c);
            m.cadence = Cadence::Every(late);
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            m.start();
            m.settle_online(100 * late);
            assert_clean(&m, &[], &why);
            assert_eq!(m.h.engine.stats().connects, 1, "{why}");
            assert_eq!(m.held.subs, [b"a/b".to_vec()], "{fam:?} {why}");
            (m.cmds, m.ev) = (vec![], vec![]);
            let mut ids = vec![];
            for qos in [1, 1, 0] {
                ids.push(m.h.engine.publish(b"t/up", b"reading", qos, false).unwrap());
            }
            let at = m.h.engine.at_command(b"AT+CSQ", 2_000).unwrap();
            m.extra = inbound(fam);
            m.settle_online(100 * late);
            assert_clean(&m, &ids, &why);
            let ev = &m.ev;
            let msgs = common::messages(ev);
            assert_eq!(
                msgs,
                [(b"a/b".to_vec(), b"hello".to_vec())],
                "{fam:?} {why}"
            );
            let urc = Ev::Urc(b"+CMTI: \"SM\",3".to_vec());
            assert_eq!(ev.iter().filter(|e| **e == urc).count(), 1, "{fam:?} {why}");
            assert_eq!(
                common::at_done_of(ev, at),
                [cellmqtt::Status::Ok],
                "{fam:?} {why}"
            );
            assert!(
                ev.contains(&Ev::AtLine(at, b"+CSQ: 21,0".to_vec())),
                "{fam:?} {why}"
            );
            assert!(m.cmds.iter().all(|c| c.1 != b"AT"), "{fam:?} {why}: probed");
        }
    }
}

// ---- The tick jumps forward ----

/// Where the tick jumps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// Bring-up: `AT+CPIN?` answered (in the ring), the attach check next.
    BringUp,
    /// The open (Quectel, Luat) or connect (SIMCom) answered `OK`, its result in the ring.
    ConnectWait,
    OnlineIdle,
    /// A QoS 1 publish written, its answer and acknowledgement in the ring.
    Publishing,
    /// The link was lost; the back-off runs.
    Backoff,
    /// The module hung; RESET is asserted.
    Pulse,
}

/// Brings a module of `fam` (RESET wired) to `at` and returns it with the publish ids it
/// owes; the module's output up to then is printed but not read.
fn reach(fam: Fam, at: At) -> (Module, Vec<u16>) {
    let mut c = fam.config();
    c.pins = Pins::RESET;
    let mut m = match at {
        At::BringUp | At::ConnectWait => Module::new(fam, c),
        _ => Module::online_at(fam, c, 1_000),
    };
    m.urc_delay = 500;
    let open: &[u8] = [&b"AT+MIPSTART"[..], b"AT+QMTOPEN=", b"AT+CMQTTCONNECT="][fam as usize];
    let publish: &[u8] = [&b"AT+MPUB="[..], b"AT+QMTPUBEX=", b"AT+CMQTTTOPIC="][fam as usize];
    let mut ids = vec![];
    match at {
        At::BringUp => {
            m.start();
            run_to(&mut m, b"AT+CPIN?", |m| !m.outq.is_empty());
        }
        At::ConnectWait => {
            // Its `OK` read, its result printed 500 ms later.
            m.start();
            run_to(&mut m, open, |m| m.outq.len() == 1 && m.h.ring.is_empty());
        }
        At::OnlineIdle => {}
        At::Publishing => {
            ids.push(m.h.engine.publish(b"t/up", b"x", 1, false).unwrap());
            run_to(&mut m, publish, |m| !m.outq.is_empty());
        }
        At::Backoff => {
            drop_link(&mut m);
            let backoff = |m: &Module| m.h.engine.state() == State::Recovering;
            assert!(m.run_until(MIN, &backoff));
        }
        At::Pulse => {
            m.hung = true;
            let asserted = |m: &Module| m.reset_at.is_some();
            assert!(m.run_until(5 * MIN, &asserted), "{:?}", m.notices());
        }
    }
    (m, ids)
}

/// In every state, the tick jumps forward by seconds, hours or 24 days (the MCU slept and
/// the module's output is waiting in the ring): the session goes on from where it was, with
/// no ladder step or pin beyond what the time implies. Online idle, the health check runs
/// once (README: "an idle session notices at its next health check"); a back-off ends at the
/// first poll; a RESET asserted is released at the first poll, never shorter than its width;
/// each publish completes once; no wait ever reads further than the longest configured one.
#[test]
fn the_tick_jumps_forward_in_every_state() {
    use At::*;
    for &fam in fams() {
        let all = [BringUp, ConnectWait, OnlineIdle, Publishing, Backoff, Pulse];
        for at in all.into_iter().skip(if cfg!(miri) { 3 } else { 0 }) {
            for &jump in jumps() {
                let why = format!("{at:?}, jump {jump} ms");
                let (mut m, ids) = reach(fam, at);
                let (before, cmds) = (m.notices().len(), m.cmds.len());
                let timeouts = m.h.engine.stats().command_timeouts;
                m.real = m.real.wrapping_add(jump);
                m.settle_online(5 * MIN);
                for &id in &ids {
                    assert_eq!(m.count(Notice::Published { id }), 1, "{fam:?} {why}");
                }
                let after: Vec<Notice> = m.notices()[before..].to_vec();
                let s = m.h.engine.stats();
                let why = format!("{fam:?} {why}: {after:?}");
                let query: &[u8] =
                    [&b"AT+MQTTSTATU"[..], b"AT+QMTCONN?", b"AT+CMQTTDISC?"][fam as usize];
                let checks = m.cmds[cmds..].iter().filter(|c| c.1 == query);
                match at {
                    Pulse => {
                        let ticks = m.resets.clone();
                        assert_eq!(ticks.len(), 2, "{why}");
                        assert!(ticks[1].0.wrapping_sub(ticks[0].0) >= 600, "{why}");
                        assert_eq!(m.pulses, [jump], "{why}");
                        assert_eq!(s.reset_pulses, 1, "{why}");
                    }
                    _ => assert_eq!(hardware(&m), [], "{why}"),
                }
                let step = |n: &Notice| matches!(n, Notice::Recovery { .. });
                assert!(!after.iter().any(step), "{why}");
                assert_eq!(s.command_timeouts, timeouts, "{why}");
                if at == OnlineIdle {
                    let due = usize::from(jump >= MIN);
                    assert_eq!(checks.count(), due, "{why}");
                    assert_eq!(m.cmds.len() - cmds, due, "{why}");
                }
            }
        }
    }
}

/// The first poll comes a minute after `start` (a slow init, or the tick jumped): the probe's
/// deadline has passed, but the module was never asked. A PWRKEY pulse then "switches off a
/// module that is on" (README, STATUS line): the engine must ask with `AT` before it
/// concludes the module is off.
#[test]
fn a_late_first_poll_after_start_asks_before_pulsing_pwrkey() {
    for &fam in fams() {
        let mut c = fam.config();
        c.pins = Pins::PWRKEY;
        let mut m = Module::new(fam, c);
        m.start();
        m.real += MIN;
        m.settle_online(5 * MIN);
        assert_eq!(hardware(&m), [], "{fam:?}: {:?}", m.notices());
        assert!(!m.has_recovery(), "{fam:?}: {:?}", m.notices());
    }
}

/// The attach check answered "not yet" once, then the MCU slept past the attach deadline
/// (120 s): the module, asked again, is attached, so `NOT_ATTACHED` (a ladder step) would
/// rest on an answer older than the deadline. The same cause as the test above.
#[test]
fn an_attach_check_past_its_deadline_after_a_jump_asks_again() {
    for &fam in fams() {
        for &jump in jumps() {
            let mut m = Module::new(fam, fam.config());
            m.detached = 1;
            m.start();
            run_to(&mut m, b"AT+CGATT?", |m| !m.outq.is_empty());
            m.real = m.real.wrapping_add(jump);
            m.settle_online(5 * MIN);
            let why = format!("{fam:?} jump {jump}: {:?}", m.notices());
            assert_eq!(m.h.engine.stats().connect_failures, 0, "{why}");
            assert!(!m.has_recovery(), "{why}");
            assert_eq!(m.sent(b"AT+CGATT?"), 2, "{why}");
        }
    }
}

/// The tick runs ahead of real time while RESET is asserted (a tick that catches up on time
/// it lost, an RTC re-synchronised forward): the engine times the pulse by the tick, so the
/// real pulse is only as long as the time to the next poll, too short for the module. This
/// is the documented behaviour, not a bug: the engine cannot see real time. What follows must
/// stay bounded: the boot probe finds the module still silent, the ladder pulses RESET again,
/// correctly timed, and the session comes back.
#[test]
fn a_tick_that_runs_ahead_during_a_pulse_costs_one_more_pulse() {
    for &fam in fams() {
        let (mut m, _) = reach(fam, At::Pulse);
        m.clock = skewed(m.real, 10 * SEC);
        m.settle_online(10 * MIN);
        let why = format!("{fam:?}: {:?}", m.notices());
        assert!(m.pulses[0] < MODULE_RESET_MIN, "{why}");
        assert!(m.pulses[1] >= 600, "{why}");
        assert_eq!(m.pulses.len(), 2, "{why}");
        assert_eq!(m.h.engine.stats().reset_pulses, 2, "{why}");
    }
}

// ---- The tick stands still, resumes, steps back ----

/// The session every clock below runs: online with `a/b`, two QoS 1 publishes, the link lost
/// and re-connected, one more publish. Returns the publish ids.
fn session(m: &mut Module) -> Vec<u16> {
    // Each phase 12 s after the last, so the clocks' stalls and steps fall in different ones.
    let pause = |m: &mut Module, ms: u32| {
        let end = m.real.wrapping_add(ms);
        m.run_until(ms, &|m| reached(m.real, end));
    };
    m.h.engine.subscribe(b"a/b", 1).unwrap();
    m.start();
    m.settle_online(30 * MIN);
    pause(m, 12 * SEC);
    let mut ids = vec![];
    for _ in 0..2 {
        ids.push(m.h.engine.publish(b"t/up", b"x", 1, false).unwrap());
    }
    m.extra = inbound(m.fam);
    m.settle_online(30 * MIN);
    pause(m, 12 * SEC);
    drop_link(m);
    m.settle_online(30 * MIN);
    pause(m, 12 * SEC);
    ids.push(m.h.engine.publish(b"t/up", b"y", 1, false).unwrap());
    m.settle_online(30 * MIN);
    // An hour online (Miri: five minutes): health checks only.
    pause(m, if cfg!(miri) { 5 * MIN } else { HOUR });
    ids
}

/// What `session` must show on any clock: each publish once, the message and URC once, the
/// subscription restored, one re-connect (the lost link's) and nothing else failed.
#[track_caller]
fn assert_session(m: &Module, ids: &[u16], why: &str) {
    let why = format!("{:?} {why}: {:?}", m.fam, m.notices());
    for &id in ids {
        assert_eq!(m.count(Notice::Published { id }), 1, "{why}");
    }
    assert_eq!(m.h.engine.state(), State::Online, "{why}");
    assert_eq!(m.held.subs, [b"a/b".to_vec()], "{why}");
    assert_eq!(hardware(m), [], "{why}");
    let s = m.h.engine.stats();
    assert_eq!((s.reconnects, s.links_lost, s.connects), (1, 1, 2), "{why}");
    assert_eq!((s.command_timeouts, s.messages_received), (0, 1), "{why}");
    assert_eq!(s.unexpected_acks, 0, "{why}");
    let failed = |n: &Notice| matches!(n, Notice::PublishFailed { .. });
    assert!(!m.notices().iter().any(failed), "{why}");
}

/// Clocks that misbehave: a tick that stalls 4 s in every 15 s then catches up; one that
/// stalls and resumes from where it stood (lagging for good); one that stands still for two
/// minutes; one that steps back 1 ms, 200 ms or 2 s every 7 s (and forward again). None
/// panics, spins or stalls (checked at every wait), and the session is the same.
#[test]
fn a_tick_that_stalls_or_steps_back_runs_the_same_session() {
    type Tick = fn(u32) -> u32;
    let clocks: [(&str, Tick); 6] = [
        ("catch-up stalls", |r| {
            r - if r % 15_000 < 4_000 { r % 15_000 } else { 0 }
        }),
        ("lagging stalls", |r| {
            r - (r / 15_000) * 4_000 - (r % 15_000).min(4_000)
        }),
        ("two minutes still", |r| {
            if (20_000..140_000).contains(&r) {
                20_000
            } else {
                r
            }
        }),
        ("back 1 ms", |r| r - ((r / 7_000) % 2) * 2),
        ("back 200 ms", |r| r - ((r / 7_000) % 2) * 201),
        ("back 2 s", |r| r - ((r / 7_000) % 2) * 2_001),
    ];
    for &fam in fams() {
        for &(name, clock) in &clocks {
            if cfg!(miri) && name != "back 200 ms" {
                continue;
            }
            let mut m = Module::new(fam, fam.config());
            (m.clock, m.urc_delay) = (Box::new(clock), 300);
            let ids = session(&mut m);
            assert_session(&m, &ids, name);
        }
    }
}

/// The tick steps back 2 s during a broker outage (while a re-connect waits for its result),
/// with the last-resort reset configured after ten minutes of outage
/// (`ladder.broker_reset_after_s`). Two minutes of it must reset nothing: broker failures
/// touch the module only once the configured time has passed.
#[test]
fn a_tick_that_steps_back_in_a_broker_outage_resets_nothing_early() {
    let open: [&'static [u8]; 3] = [b"AT+MIPSTART", b"AT+QMTOPEN=", b"AT+CMQTTCONNECT="];
    for &fam in fams() {
        let mut c = fam.config();
        c.pins = Pins::RESET;
        c.ladder.broker_reset_after_s = 600;
        let mut m = Module::new(fam, c);
        (m.broker_down, m.urc_delay) = (true, 500);
        m.start();
        let cmd = open[fam as usize];
        let second = move |m: &Module| m.sent(cmd) == 2 && m.outq.len() == 1;
        assert!(m.run_until(MIN, &second), "{:?}", m.notices());
        m.clock = skewed(m.real, 2_000u32.wrapping_neg());
        let end = m.real.wrapping_add(2 * MIN);
        m.run_until(2 * MIN, &|m| reached(m.real, end));
        let why = format!("{fam:?}: {:?}", m.notices());
        assert!(m.h.engine.stats().broker_failures > 3, "{why}");
        assert_eq!(hardware(&m), [], "{why}");
    }
}

// ---- Poll cadences ----

/// A loop that polls only when `poll_delay_ms` says (the module's answers, 50 ms after each
/// command and acknowledgements 300 ms later, wait in the ring until then), and one that
/// polls 1000 times at each `now`: the same session, and bursts change nothing at all (the
/// same commands at the same ticks, the same events).
#[test]
fn tickless_and_burst_polling_run_the_same_session() {
    let burst = if cfg!(miri) { 10 } else { 1000 };
    for &fam in fams() {
        let run = |cadence: Cadence, burst: u32| {
            let mut m = Module::new(fam, fam.config());
            (m.cadence, m.burst, m.latency, m.urc_delay) = (cadence, burst, 50, 300);
            let ids = session(&mut m);
            assert_session(&m, &ids, &format!("{cadence:?} x{burst}"));
            m
        };
        let (one, many) = (run(Cadence::Regular, 1), run(Cadence::Regular, burst));
        assert_eq!(one.cmds, many.cmds, "{fam:?}");
        assert_eq!(one.ev, many.ev, "{fam:?}");
        if !cfg!(miri) {
            run(Cadence::Tickless, 1);
        }
    }
}

// ---- The 49.7-day wrap ----

/// The u32 millisecond tick wraps (2^32 ms, 49.7 days) in the middle of a publish (between
/// its command and its acknowledgement), of a back-off, and of a RESET pulse: the publish
/// completes once, the back-off lasts what it lasts (a second, not 49 days), the pulse holds
/// `reset_pulse_ms` across the wrap.
#[test]
fn the_tick_wraps_inside_a_publish_a_backoff_and_a_pulse() {
    for &fam in fams() {
        // A publish whose acknowledgement comes 500 ms after its `OK`, across the wrap.
        let mut m = Module::online_at(fam, fam.config(), u32::MAX - 30 * SEC);
        m.urc_delay = 500;
        m.real = u32::MAX - 200;
        let id = m.h.engine.publish(b"t/up", b"x", 1, false).unwrap();
        m.settle_online(MIN);
        assert_clean(&m, &[id], "publish across the wrap");
        assert!(m.real < 10 * SEC, "{fam:?}: ended at {}", m.real);

        // A back-off that starts 300 ms before the wrap.
        let mut m = Module::online_at(fam, fam.config(), u32::MAX - 30 * SEC);
        m.real = u32::MAX - 300;
        drop_link(&mut m);
        m.settle_online(MIN);
        let s = m.h.engine.stats();
        let counts = (s.reconnects, s.connects, s.command_timeouts);
        assert_eq!(counts, (1, 2, 0), "{fam:?}");
        assert!(m.real < 10 * SEC, "{fam:?}: back online at {}", m.real);

        // A RESET asserted 300 ms before the wrap: where the reference run asserted it
        // (the ladder's times do not depend on the tick's value), shifted.
        let (reference, _) = reach(fam, At::Pulse);
        let asserted = reference.resets[0].0;
        let start = (u32::MAX - 300).wrapping_sub(asserted.wrapping_sub(1_000));
        let mut c = fam.config();
        c.pins = Pins::RESET;
        // The family's documented reset width where the configured one is shorter.
        let width = u32::max(c.profile.reset_pulse_min_ms(), c.timeouts.reset_pulse_ms);
        let mut m = Module::online_at(fam, c, start);
        m.hung = true;
        assert!(m.run_until(5 * MIN, &|m| m.pulses.len() == 1));
        m.settle_online(10 * MIN);
        let ticks = m.resets.clone();
        let why = format!("{fam:?}: {ticks:?} {:?}", m.notices());
        assert_eq!(ticks[0], (u32::MAX - 300, true), "{why}");
        let released = (u32::MAX - 300).wrapping_add(width);
        assert_eq!(ticks[1], (released, false), "{why}");
        let pulses = m.h.engine.stats().reset_pulses;
        assert_eq!((ticks.len(), pulses), (2, 1), "{why}");
    }
}
