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
#[path = "../common/mod.rs"]
mod common;
mod module;

use cellmqtt::time::reached;
use cellmqtt::{Notice, Pins, State};
use common::family::{fams, Fam};
use common::Ev;
use module::*;

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
