//! `stop` and `start` at arbitrary moments, and the C API's deinit then init on the same
//! storage. Promised (`Engine::stop`/`start`, README, the C API): `stop` leaves the broker and
//! ends `Stopped` in bounded time; queued publishes and subscriptions are kept for `start`;
//! every AT command gets one `AtDone`; a prompt that may have been printed gets its data.
//! The scripted modules answer as docs/luat-at.md §5 and docs/quectel-simcom-at.md §3, §4 say
//! (as in tests/engine_reboot.rs) and note every command-mode line that is no AT command.
mod c_api;
#[path = "../common/mod.rs"]
mod common;
mod module;

use cellmqtt::{Notice, Pin, Pins, RecoveryStep, State, Status};
use common::family::{fams, Fam};
use common::{Ev, Harness};
use module::{assert_back, assert_module_left_clean, assert_no_failure, Cut, Module, Side};

/// `stop` at every command of the bring-up, the subscribe, a QoS 1 and a QoS 0 publish and
/// (with a will) the online message: before its answer, between `OK` and its result, with the
/// command or the data after a prompt unwritten or half written, with the module dead, and with
/// `start` at once. The stop ends in bounded time, leaves the module sane, keeps what is
/// unconfirmed and counts no failure; `start` restores the subscription and confirms each
/// publish once (the QoS 0 one sent once). A dead module is left alone.
#[test]
#[cfg_attr(miri, ignore)]
fn stop_at_every_point_then_start_again() {
    use Cut::*;
    for (&fam, will) in fams().iter().flat_map(|f| [(f, false), (f, true)]) {
        let mut c = fam.config();
        if will {
            let (topic, payload) = (b"dev/status", b"offline");
            let w = cellmqtt::config::WillConfig {
                topic,
                payload,
                qos: 1,
                retain: true,
            };
            (c.will, c.online_payload) = (Some(w), Some(&b"online"[..]));
        }
        // Binary for Luat, so the QoS 1 publish goes by `AT+MPUBEX` and its prompt.
        let run = |cut: Option<(usize, Cut)>, cap: Option<usize>| {
            let mut m = Module::new(fam, c);
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            let p1 = m.h.engine.publish(b"t/up", b"b\x00n", 1, false).unwrap();
            let p0 = m.h.engine.publish(b"t/up", b"x", 0, false).unwrap();
            (m.s.cut, m.s.cap) = (cut, cap);
            m.h.start();
            (m, [p1, p0])
        };
        let mut reference = run(None, None).0;
        reference.settle_online(60_000);
        let qos0 = [
            "AT+MPUB=\"t/up\",0",
            "AT+QMTPUBEX=0,0,0",
            "AT+CMQTTPUB=0,0,",
        ][fam as usize];
        for cut in [Before, Mid, Dead, Uart(false), Uart(true), Restart] {
            let uart = matches!(cut, Uart(_));
            let points = if uart {
                reference.chunks.len()
            } else {
                reference.cmds.len()
            };
            for k in 0..points {
                let why = format!("{fam:?} will {will} {cut:?} at {k}");
                let (mut m, ids) = match cut {
                    Uart(half) => {
                        let (start, len) = reference.chunks[k];
                        run(Some((k, cut)), Some(start + if half { len / 2 } else { 0 }))
                    }
                    _ => run(Some((k + 1, cut)), None),
                };
                // SIMCom between the QoS 0 publish's `OK` and its result sends it twice:
                // `a_qos0_publish_whose_result_comes_after_stop_is_not_sent_again`.
                let twice = fam == Fam::Simcom
                    && cut == Mid
                    && reference.cmds[k].starts_with(qos0.as_bytes());
                let back = |m: &Module| {
                    ids.iter().for_each(|&id| assert_back(m, id, &why));
                    let sent = m.cmds.iter().filter(|c| c.starts_with(qos0.as_bytes()));
                    let once = sent.count() == 1;
                    assert!(once || twice, "{why}: the QoS 0 publish went twice");
                };
                if cut == Restart {
                    assert!(m.run_until(60_000, &|m| m.stopped_at.is_some()), "{why}");
                    if m.restart_refused {
                        m.settle_stopped(60_000);
                        m.h.start();
                    }
                    m.settle_online(60_000);
                    back(&m);
                    continue;
                }
                let took = m.settle_stopped(200_000);
                // The command in flight gets its wait (90 s for the bearer commands; the open's
                // 60 s for the Quectel and SIMCom commands answered only with their result,
                // docs/quectel-simcom-at.md §3.3, §4.2, §4.5; a lost prompt 9 s, then its data
                // 9 s), then the disconnect and the close 9 s each.
                let cmd = &m.cmds[m.cmds.len().min(k + 1) - 1];
                let long = [&b"AT+QIACT="[..], b"AT+CIPSHUT"];
                let open = [&b"AT+QMTOPEN="[..], b"AT+CMQTTSTART", b"AT+CMQTTCONNECT="];
                let prompt = [
                    &b"AT+MPUBEX="[..],
                    b"AT+QMTPUBEX=",
                    b"AT+CMQTTSUB=",
                    b"AT+CMQTTTOPIC=",
                ];
                let first = match () {
                    _ if long.iter().any(|l| cmd.starts_with(l)) => 90_000,
                    _ if open.iter().any(|l| cmd.starts_with(l)) => 60_000,
                    _ if prompt.iter().any(|l| cmd.starts_with(l)) => 18_000,
                    _ if cmd.starts_with(b"AT+CMQTTPAYLOAD=") => 18_000,
                    _ => 9_000,
                };
                assert!(took <= first + 18_000, "{why}: the stop took {took} ms");
                // Each publish kept, or confirmed (before the stop, or by a late `OK`).
                let done: usize = ids
                    .iter()
                    .map(|&id| m.count(Notice::Published { id }))
                    .sum();
                assert_eq!(m.h.engine.queued() + done, 2, "{why}: a publish was lost");
                let st = m.h.engine.stats();
                assert_eq!(st.publishes_done as usize, done, "{why}");
                assert_no_failure(&m, &why);
                if cut == Dead {
                    // Ten minutes later: nothing more sent, no probe of the dead module.
                    let sent = m.cmds.len();
                    m.run_until(600_000, &|_| false);
                    assert_eq!(m.cmds.len(), sent, "{why}: {:?}", &m.cmds[sent..]);
                    assert_no_failure(&m, &why);
                    continue;
                }
                assert_module_left_clean(&m, &why);
                let counted = (st.links_lost, st.connect_failures, st.command_timeouts);
                assert_eq!(counted, (0, 0, 0), "{why}");
                m.h.start();
                m.settle_online(60_000);
                let st = m.h.engine.stats();
                assert_eq!((st.publishes_done, st.publishes_failed), (2, 0), "{why}");
                back(&m);
            }
        }
    }
}

/// The acknowledgement lines the module holds back.
fn held_acks(m: &Module) -> usize {
    let text = String::from_utf8_lossy(&m.held_acks).into_owned();
    text.split("\r\n").filter(|l| !l.is_empty()).count()
}

/// `stop` between publishes' `OK` and their acknowledgements (Quectel with a window of three,
/// also with a later header in flight), the acknowledgements arriving during the stop: after
/// `start` each publish is confirmed exactly once, none fails.
#[test]
fn stop_between_ok_and_acknowledgement_confirms_each_publish_once() {
    let windowed = |f: Fam| if f == Fam::Quectel { 3 } else { 1 };
    for (fam, k) in fams()
        .iter()
        .flat_map(|&f| (0..windowed(f)).map(move |k| (f, k)))
    {
        let mut c = fam.config();
        c.publish_window = windowed(fam) as u8;
        let mut m = Module::online(fam, c);
        m.hold_acks = true;
        let ids: Vec<u16> = (0..3)
            .map(|_| m.h.engine.publish(b"t/up", b"x", 1, false).unwrap())
            .collect();
        if k > 0 {
            m.s.cut = Some((m.cmds.len() + k + 1, Cut::Before));
            assert!(
                m.run_until(30_000, &|m| m.stopped_at.is_some()),
                "{fam:?} {k}"
            );
        } else {
            // Luat and SIMCom: one publish awaits its acknowledgement at a time.
            assert!(
                m.run_until(30_000, &|m| held_acks(m) == windowed(m.fam)),
                "{fam:?}"
            );
            m.stop();
        }
        m.hold_acks = false;
        let late = std::mem::take(&mut m.s.held_acks);
        m.feed(&late);
        m.settle_stopped(60_000);
        let why = format!("{fam:?} {k}");
        assert_module_left_clean(&m, &why);
        m.h.start();
        m.settle_online(60_000);
        for id in ids {
            assert_back(&m, id, &why);
        }
    }
}

/// The last level the engine gave `pin` (`None`: never driven).
fn level(n: &[Notice], pin: Pin) -> Option<bool> {
    n.iter().rev().find_map(|e| match e {
        Notice::Pin { pin: p, active } if *p == pin => Some(*active),
        _ => None,
    })
}

fn pins(m: &Module) -> usize {
    m.notices()
        .iter()
        .filter(|e| matches!(e, Notice::Pin { .. }))
        .count()
}

/// `stop` while a pin sequence holds a line (RESET pulse, supply off in a power cycle, PWRKEY
/// pulse at start): every line is released and the session `Stopped` at once; the module
/// boots, and `start` brings the session back without another pin.
#[test]
fn stop_during_a_pin_sequence_releases_every_line() {
    let held = [(Pin::Reset, true), (Pin::Power, false), (Pin::Pwrkey, true)];
    for (case, (pin, active)) in held.into_iter().enumerate() {
        let mut c = Fam::Luat.config();
        c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
        c.ladder.resets_before_power_cycle = if case == 1 { 0 } else { 2 };
        let mut m = match case {
            2 => Module::new(Fam::Luat, c),
            _ => Module::online(Fam::Luat, c),
        };
        m.dead = true;
        if case == 2 {
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            m.h.start();
        }
        let held = Notice::Pin { pin, active };
        assert!(
            m.run_until(300_000, &|m| m.notices().contains(&held)),
            "{case}"
        );
        m.stop();
        m.poll();
        let n = m.notices();
        assert_eq!(m.h.engine.state(), State::Stopped, "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Reset), Some(false), "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Pwrkey), Some(false), "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Power), Some(true), "{case}: {n:?}");
        // Released, the module boots (docs/luat-at.md §2.2) and the session comes back.
        m.s = Side {
            ev: std::mem::take(&mut m.s.ev),
            ..Side::default()
        };
        m.feed(b"\r\nRDY\r\n");
        let before = pins(&m);
        m.h.start();
        m.settle_online(120_000);
        assert_eq!(pins(&m), before, "{case}: {:?}", m.notices());
        assert_eq!(m.held.subs, [b"a/b".to_vec()], "{case}");
    }
}

/// `stop` in the back-off of a broker that keeps refusing, then `start`: the run of failures
/// begins anew (README: "a session started later begins a new one"), shortest back-off first.
#[test]
fn stop_during_a_backoff_then_start_begins_a_new_run() {
    let mut m = Module::new(Fam::Luat, Fam::Luat.config());
    m.refuse = true;
    m.h.start();
    let refused = |failures| Notice::Recovery {
        step: RecoveryStep::Reconnect,
        reason: Status::BrokerRefused,
        failures,
    };
    assert!(m.run_until(120_000, &|m| m.notices().contains(&refused(3))));
    assert_eq!(m.h.engine.state(), State::Recovering);
    let sent = m.cmds.len();
    m.stop();
    m.settle_stopped(1_000);
    // Nothing to leave: the broker closed the link itself.
    assert_eq!(m.cmds.len(), sent, "{:?}", &m.cmds[sent..]);
    m.ev.clear();
    m.h.start();
    let recovery = |n: &Notice| matches!(n, Notice::Recovery { .. });
    assert!(m.run_until(60_000, &|m| m.has(recovery)));
    assert_eq!(m.notices().into_iter().find(recovery), Some(refused(1)));
    // The first back-off again (1 s, jittered within its second half), not the doubled 8 s.
    let t = m.h.now;
    assert!(m.run_until(2_000, &|m| m.h.engine.state() != State::Recovering));
    assert!(m.h.now.wrapping_sub(t) <= 1_000);
    m.refuse = false;
    m.settle_online(60_000);
}

fn at_done(m: &Module, id: u16) -> Vec<Status> {
    common::at_done_of(&m.ev, id)
}

/// A signal request in flight and an application command waiting at `stop`: each ends once,
/// `STOPPED`; the late answer ends nothing more; after `start` a new command is answered.
#[test]
fn queued_and_in_flight_commands_end_once_at_stop() {
    for &fam in fams() {
        let mut m = Module::online(fam, fam.config());
        let a = m.h.engine.request_signal().unwrap();
        let b = m.h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
        m.poll();
        assert!(m.h.uart.written.ends_with(b"AT+CSQ\r"), "{fam:?}");
        m.stop();
        m.settle_stopped(30_000);
        assert_eq!(at_done(&m, a), [Status::Stopped], "{fam:?}");
        assert_eq!(at_done(&m, b), [Status::Stopped], "{fam:?}");
        assert!(!m.ev.iter().any(|e| matches!(e, Ev::AtLine(..))), "{fam:?}");
        m.h.start();
        let c = m.h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
        m.settle_online(60_000);
        m.run_until(1_000, &|m| !at_done(m, c).is_empty());
        assert_eq!(at_done(&m, c), [Status::Ok], "{fam:?}");
        let line = Ev::AtLine(c, b"866714043075174".to_vec());
        assert!(
            fam != Fam::Luat || m.ev.contains(&line),
            "{fam:?}: {:?}",
            m.ev
        );
    }
}

// ---- Stops at the edges: lost prompts, a start during the stop, late answers ----

/// `stop` right after a publish header, its data prompt lost (or later than `prompt_ms`): the
/// module waits for the data, and README (Known limits) promises "followed by its data all the
/// same", after a stop too (else the disconnect would be written instead, as the payload).
#[test]
fn stop_then_a_lost_prompt_still_gets_the_data() {
    let payload = [0u8, 1, 2, 3, 4];
    for fam in [Fam::Luat, Fam::Quectel] {
        let mut h = Harness::new(fam.config());
        match fam {
            Fam::Luat => common::bring_online(&mut h),
            _ => common::quectel_bring_online(&mut h),
        }
        let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
        h.tx(&match fam {
            Fam::Luat => b"AT+MPUBEX=\"bin\",1,0,5\r".to_vec(),
            _ => format!("AT+QMTPUBEX=0,{id},1,0,\"bin\",5\r").into_bytes(),
        });
        h.engine.stop(h.now);
        h.tx_nothing();
        h.advance(9_000);
        h.tx(&payload);
    }
}

/// `start` right after `stop`, while the disconnect runs: accepted, and the session comes back
/// once the stop has left the broker (`Engine::start`: "Idempotent while running").
#[test]
fn start_during_the_stops_disconnect_comes_back_online() {
    for &fam in fams() {
        let mut m = Module::online(fam, fam.config());
        m.stop();
        m.poll();
        assert_eq!(m.h.engine.state(), State::Stopping, "{fam:?}");
        assert_eq!(m.h.engine.start(m.h.now), Ok(()), "{fam:?}");
        m.settle_online(60_000);
        assert_eq!(m.held.subs, [b"a/b".to_vec()], "{fam:?}");
    }
}

/// `stop` while `AT+CIPSHUT` (up to 90 s) is in flight, then `start`: the probe window must not
/// run out while the old command holds the line, or when `SHUT OK` came the engine would pulse
/// PWRKEY without having sent one `AT`, switching off a module that just answered.
#[test]
fn start_after_stop_during_a_slow_command_probes_before_any_pin() {
    let mut c = Fam::Luat.config();
    c.pins = Pins::PWRKEY;
    let mut h = Harness::new(c);
    common::bring_online(&mut h);
    h.rx(b"\r\n+PDP DEACT\r\n");
    h.advance(1_000);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CIPSHUT\r");
    h.take_events();
    h.engine.stop(h.now);
    h.engine.start(h.now).unwrap();
    h.advance(20_000);
    h.tx_nothing();
    h.rx(b"\r\nSHUT OK\r\n");
    let n = h.notices();
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    h.tx(b"AT\r");
}

/// A command in flight at `stop` ends `STOPPED`; the application queues another. The first
/// one's late answer is no line of the ended command (README: "an `AT_DONE` event with the id
/// ends it"), nor of the new one.
#[test]
fn a_stopped_commands_late_answer_is_nobodys() {
    let mut h = Harness::new(Fam::Luat.config());
    common::bring_online(&mut h);
    let a = h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
    h.tx(b"AT+CGSN\r");
    h.engine.stop(h.now);
    let b = h.engine.at_command(b"AT+CIMI", 5_000).unwrap();
    h.rx(b"\r\n866714043075174\r\n\r\nOK\r\n");
    let ev = h.take_events();
    let done = Ev::N(Notice::AtDone {
        id: a,
        status: Status::Stopped,
        code: 0,
    });
    assert_eq!(ev.iter().filter(|e| **e == done).count(), 1, "{ev:?}");
    let stray = |e: &&Ev| matches!(e, Ev::AtLine(id, _) if *id == a || *id == b);
    assert_eq!(ev.iter().find(stray), None);
}

/// A command queued while the stop's disconnect runs, and `stop` called again: the second stop
/// ends it (`AtDone` `STOPPED`), as the first ends every command queued before it.
#[test]
fn a_command_queued_while_stopping_ends_with_the_stop() {
    let mut m = Module::online(Fam::Luat, Fam::Luat.config());
    m.stop();
    m.poll();
    let id = m.h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
    m.stop();
    m.settle_stopped(30_000);
    m.run_until(600_000, &|_| false);
    assert_eq!(at_done(&m, id), [Status::Stopped], "{:?}", m.notices());
}

/// SIMCom: `stop` between a QoS 0 publish's `OK` and its `+CMQTTPUB: 0,0`, which comes during
/// the stop: the module took it (its `OK`), so it is not sent again after `start` (the rule of
/// `settle_stale`: "sending it again would duplicate it").
#[test]
fn a_qos0_publish_whose_result_comes_after_stop_is_not_sent_again() {
    let mut m = Module::online(Fam::Simcom, Fam::Simcom.config());
    m.s.cut = Some((m.cmds.len() + 3, Cut::Mid));
    let id = m.h.engine.publish(b"t/up", b"x", 0, false).unwrap();
    m.settle_stopped(30_000);
    m.h.start();
    m.settle_online(60_000);
    assert_back(&m, id, "SIMCom QoS 0");
    let sent = m.cmds.iter().filter(|c| c.starts_with(b"AT+CMQTTPUB=0,0,"));
    assert_eq!(sent.count(), 1, "{:?}", m.notices());
}

// ---- The C API: stop, deinit, init on the same storage ----

/// The C API's order (`cellmqtt_deinit`: after the stop has ended, `cellmqtt_poll` until
/// `STOPPED`): the disconnect goes out, RESET is released, and each init on the same storage
/// brings a session up.
#[test]
fn stop_polled_to_its_end_then_deinit_and_init_again() {
    let mut f = c_api::Fixture::new();
    f.init_and_start();
    f.reach(true);
    f.wire.clear();
    assert!(f.stop_deinit(10));
    assert_eq!(f.wire, b"AT+MDISCONNECT\rAT+MIPCLOSE\r");
    f.init_and_start();
    f.reach(false);
    assert!(f.stop_deinit(1));
    assert_eq!(f.reset_level(), Some(false));
    f.init_and_start();
    f.reach(true);
}
