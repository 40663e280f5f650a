//! Recovery transcripts (docs/luat-at.md §10): CLOSED with `+CME ERROR: 767` on MIPCLOSE, PDN/PDP
//! deactivation, `RDY` mid-session, a silent module, the re-connect → RESET → power ladder.
mod common;

use cellmqtt::{LogKind, Notice, Pin, Pins, Profile, RecoveryStep, State, Status, Subject};
use common::{bring_online, config, recoveries, Harness};

fn online() -> Harness {
    common::luat_online_with_dev_cmd()
}

/// From MCONFIG on, the re-connect of docs/luat-at.md §10.1 with the subscription restored.
fn reconnect_from_mconfig(h: &mut Harness) {
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    h.tx(b"AT+MSUB=\"dev/cmd\",1\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
}

#[test]
fn closed_recovers_with_767_on_mipclose_and_resends_unconfirmed_publish() {
    let mut h = online();
    let id = h.engine.publish(b"dev/up", b"m", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
    h.rx(b"\r\nOK\r\n");
    h.rx(b"\r\nCLOSED\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Recovery {
        step: RecoveryStep::Reconnect,
        reason: Status::LinkLost,
        failures: 1
    }));
    assert_eq!(h.engine.state(), State::Recovering);
    // Back-off: backoff_min (1 s) before anything is sent.
    h.advance(999);
    h.tx_nothing();
    h.advance(1);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    reconnect_from_mconfig(&mut h);
    let n = h.notices();
    assert!(
        n.contains(&Notice::Subscribed {
            id: 1,
            restored: true
        }),
        "{n:?}"
    );
    // The unconfirmed QoS 1 publish goes again, and completes once.
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    let s = h.engine.stats();
    assert_eq!(
        (s.links_lost, s.reconnects, s.publish_retries, s.connects),
        (1, 1, 1, 2)
    );
}

#[test]
fn pdn_and_pdp_deactivation_reconnect_as_the_vendor_does() {
    for urc in [
        &b"+CGEV: NW PDN DEACT 1"[..],
        b"+PDP DEACT",
        b"+PDP:DEACT",
        b"+PDP: DEACT",
    ] {
        let mut h = online();
        h.rx(b"\r\n");
        h.rx(urc);
        h.rx(b"\r\n");
        assert_eq!(
            h.engine.state(),
            State::Recovering,
            "{}",
            String::from_utf8_lossy(urc)
        );
        h.advance(1000);
        h.tx(b"AT+MIPCLOSE\r");
        h.rx(b"\r\nERROR\r\n");
        if urc.starts_with(b"+PDP") {
            // The TCPIP layer's context is shut first (docs/luat-at.md §4, +PDP DEACT).
            h.tx(b"AT+CIPSHUT\r");
            h.rx(b"\r\nSHUT OK\r\n");
        }
        // No attach check (the 8910 answers +CGATT: 0 until MIPSTART revives the bearer): a
        // MIPSTART that fails because the bearer is still down is an ordinary failed cycle.
        h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
        h.rx(b"\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
        h.advance(2000); // back-off after the second failure
        h.tx(b"AT+MIPCLOSE\r");
        h.rx(b"\r\nOK\r\n");
        reconnect_from_mconfig(&mut h);
        assert_eq!(h.engine.state(), State::Online);
    }
}

/// A Luat stop while online: the disconnect and the close answered `OK`, then stopped.
fn stop_answered(h: &mut Harness) {
    h.engine.stop(h.now);
    h.tx(b"AT+MDISCONNECT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
}

/// `+PDP DEACT` (every spelling, docs/luat-at.md §4.8) while the session is stopped: the
/// vendor shuts the context before MQTT commands work again (S2), so the next start's
/// re-connect sends `AT+CIPSHUT` after the stale-link close, as it would had the session been
/// running.
#[test]
fn pdp_deactivation_while_stopped_is_restored_at_the_next_start() {
    for urc in ["+PDP DEACT", "+PDP:DEACT", "+PDP: DEACT"] {
        let mut h = online();
        stop_answered(&mut h);
        h.rx(format!("\r\n{urc}\r\n").as_bytes());
        h.advance(5_000);
        h.tx_nothing();
        h.start();
        h.tx(b"AT\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"ATE0\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+CPIN?\r");
        h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
        common::attach_to_stale_close(&mut h);
        h.tx(b"AT+CIPSHUT\r");
        h.rx(b"\r\nSHUT OK\r\n");
        reconnect_from_mconfig(&mut h);
        assert_eq!(h.engine.state(), State::Online, "{urc}");
    }
}

#[test]
fn rdy_mid_session_reinitialises_everything() {
    let mut h = online();
    h.rx(b"\r\nRDY\r\n");
    let n = h.notices();
    assert!(recoveries(&n).contains(&RecoveryStep::Reinit), "{n:?}");
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: 14\r\n");
    h.advance(1000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    common::identify(&mut h);
    common::attach_to_stale_close(&mut h);
    reconnect_from_mconfig(&mut h);
    assert_eq!(h.engine.stats().module_reboots, 1);
}

#[test]
fn a_lost_answer_is_verified_and_the_publish_sent_again() {
    let mut h = online();
    let id = h.engine.publish(b"dev/up", b"m", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r");
    // No answer within the 9 s command deadline: probe.
    h.advance(9_000);
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTSTATU\r");
    h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r");
    h.rx(b"\r\nOK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }));
    assert!(
        n.contains(&Notice::Log {
            kind: LogKind::CommandTimeout,
            what: Subject::MPub,
            code: 0,
            reason: cellmqtt::Status::Ok
        }),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().command_timeouts, 1);
}

/// Input that only extends a partial line leaves a settled engine settled (the poll skips the
/// timers), but never past a deadline: a trickle of bytes must not hide a lost answer.
#[test]
fn partial_input_never_postpones_a_command_deadline() {
    let mut h = online();
    h.engine.publish(b"dev/up", b"m", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r");
    h.take_events();
    // A line that never ends, one byte every 500 ms, up to just before the 9 s deadline.
    for _ in 0..17 {
        h.now += 500;
        h.rx(b"x");
        h.tx_nothing();
    }
    assert!(h.notices().is_empty());
    // The byte arriving at the deadline is taken together with the timeout.
    h.now += 500;
    h.rx(b"x");
    h.tx(b"AT\r");
    assert_eq!(h.engine.stats().command_timeouts, 1);
    // The partial line was the answer's garbage; the probe's OK still frames.
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTSTATU\r");
}

#[test]
fn silent_module_gets_a_reset_pulse() {
    let mut c = config();
    c.pins = Pins::RESET;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.take_events();
    h.engine.publish(b"dev/up", b"m", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
    h.advance(9_000);
    // Probing for silence_ms (10 s), one `AT` per second.
    for _ in 0..10 {
        h.tx(b"AT\r");
        h.advance(1_000);
    }
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::ResetPin,
            reason: Status::NoResponse,
            failures: 1
        }),
        "{n:?}"
    );
    h.advance(1_000); // back-off
    assert_eq!(
        h.notices(),
        [
            Notice::State(State::PowerCycle),
            Notice::Pin {
                pin: Pin::Reset,
                active: true
            }
        ]
    );
    h.advance(599);
    assert!(h.notices().is_empty());
    h.advance(1);
    assert_eq!(
        h.notices(),
        [Notice::Pin {
            pin: Pin::Reset,
            active: false
        }]
    );
    h.advance(100);
    h.tx(b"AT\r");
    h.rx(b"\r\nRDY\r\n\r\nOK\r\n");
    h.tx(b"ATE0\r");
    assert_eq!(h.engine.stats().reset_pulses, 1);
}

#[test]
fn air780e_reset_is_followed_by_pwrkey() {
    let mut c = config();
    c.profile = Profile::Air780e;
    c.pins = Pins::RESET | Pins::PWRKEY;
    c.ladder.reconnects_before_reset = 0;
    let mut h = Harness::new(c);
    h.start();
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::ResetPin,
            reason: Status::SimLocked,
            failures: 1
        }),
        "{n:?}"
    );
    h.advance(1_000);
    h.advance(600);
    h.advance(100);
    h.advance(2_000);
    let pins = common::pin_notices(&h.notices());
    assert_eq!(
        pins,
        [
            Notice::Pin {
                pin: Pin::Reset,
                active: true
            },
            Notice::Pin {
                pin: Pin::Reset,
                active: false
            },
            Notice::Pin {
                pin: Pin::Pwrkey,
                active: true
            },
            Notice::Pin {
                pin: Pin::Pwrkey,
                active: false
            },
        ]
    );
}

/// Fails the connect at CONNECT FAIL and returns the recovery notice.
fn fail_connect(h: &mut Harness) -> Vec<Notice> {
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    // The bearer is down (attach lost): a module-side failure, which climbs the ladder. A
    // broker that cannot be reached never does (tests/engine_field.rs).
    h.rx(b"\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    h.notices()
}

fn boot_to_mconfig(h: &mut Harness) {
    common::boot_to_msgset(h, false);
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
}

#[test]
fn ladder_escalates_reconnect_reset_power_and_gives_up_at_the_limit() {
    let mut c = config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c.ladder.power_cycle_limit = 1;
    let mut h = Harness::new(c);
    h.start();
    boot_to_mconfig(&mut h);
    let mut steps = vec![];
    let mut waits = vec![];
    loop {
        let n = fail_connect(&mut h);
        let Some(step) = n.iter().find_map(|e| match e {
            Notice::Recovery { step, .. } => Some(*step),
            _ => None,
        }) else {
            panic!("no recovery notice in {n:?}")
        };
        steps.push(step);
        if step == RecoveryStep::GaveUp {
            break;
        }
        // Measure the back-off: nothing is sent and no pin moves before it ends.
        let mut waited = 0;
        loop {
            h.advance(100);
            waited += 100;
            let pin_moved = h
                .events
                .iter()
                .any(|e| matches!(e, common::Ev::N(Notice::Pin { .. })));
            if pin_moved || h.pending_tx() {
                break;
            }
        }
        waits.push(waited);
        if step == RecoveryStep::Reconnect {
            h.tx(b"AT+MIPCLOSE\r");
            h.rx(b"\r\n+CME ERROR: 767\r\n");
        } else {
            // The pin sequence runs, then the module is probed from boot.
            while !h.pending_tx() {
                h.advance(100);
            }
            boot_to_mconfig(&mut h);
        }
    }
    use RecoveryStep::*;
    assert_eq!(
        steps,
        [
            Reconnect, Reconnect, Reconnect, ResetPin, ResetPin, PowerCycle, Reconnect, Reconnect,
            Reconnect, ResetPin, ResetPin, GaveUp
        ]
    );
    assert_eq!(&waits[..6], &[1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
    assert_eq!(h.engine.state(), State::Failed);
}

#[test]
fn mconnect_error_after_ok_is_a_broker_refusal() {
    let mut h = Harness::new(config());
    h.start();
    boot_to_mconfig(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nERROR\r\n");
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason: Status::BrokerRefused,
            failures: 1
        }),
        "{n:?}"
    );
}

#[test]
fn health_check_finds_a_dead_link() {
    let mut h = online();
    h.advance(59_999);
    h.tx_nothing();
    h.advance(1);
    h.tx(b"AT+MQTTSTATU\r");
    h.rx(b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    assert!(h.notices().contains(&Notice::Recovery {
        step: RecoveryStep::Reconnect,
        reason: Status::LinkLost,
        failures: 1
    }));
}

#[test]
fn stop_disconnects_and_keeps_the_queue() {
    let mut h = online();
    h.engine.publish(b"dev/up", b"m", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
    h.rx(b"\r\nOK\r\n");
    stop_answered(&mut h);
    assert_eq!(h.engine.queued(), 1);
    // A late PUBACK after stop is not taken as confirmation.
    h.rx(b"\r\nPUBACK\r\n");
    assert_eq!(h.engine.queued(), 1);
}

#[test]
fn silent_module_at_start_is_powered_on_with_pwrkey() {
    let mut c = config();
    c.pins = Pins::PWRKEY;
    let mut h = Harness::new(c);
    h.start();
    for _ in 0..10 {
        h.tx(b"AT\r");
        h.advance(1_000);
    }
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::PowerOn,
            reason: Status::NoResponse,
            failures: 0
        }),
        "{n:?}"
    );
    assert!(
        n.contains(&Notice::Pin {
            pin: Pin::Pwrkey,
            active: true
        }),
        "{n:?}"
    );
    h.advance(2_000);
    assert!(h.notices().contains(&Notice::Pin {
        pin: Pin::Pwrkey,
        active: false
    }));
    h.advance(100);
    h.tx(b"AT\r");
}

#[test]
fn refused_publish_fails_after_three_verified_rejections() {
    let mut h = online();
    let id = h.engine.publish(b"dev/up", b"m", 0, false).unwrap();
    for _ in 0..3 {
        h.tx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r");
        h.rx(b"\r\n+CME ERROR: 767\r\n");
        assert!(h.notices().contains(&Notice::Log {
            kind: LogKind::CommandError,
            what: Subject::MPub,
            code: 767,
            reason: cellmqtt::Status::Ok
        }));
        // A refused MPUB goes once more by MPUBEX before the refusal counts.
        h.tx(b"AT+MPUBEX=\"dev/up\",0,0,1\r");
        h.rx(b"\r\n+CME ERROR: 767\r\n");
        h.tx(b"AT+MQTTSTATU\r");
        h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    }
    assert!(h.notices().contains(&Notice::PublishFailed {
        id,
        reason: Status::ModuleError
    }));
    assert_eq!(h.engine.queued(), 0);
    h.tx_nothing();
}

#[test]
fn an_ack_deadline_while_probing_a_silent_module_does_not_leave_the_probe() {
    let mut c = config();
    c.pins = Pins::RESET;
    c.timeouts.command_ms = 2_000;
    c.timeouts.silence_ms = 2_000;
    c.timeouts.ack_ms = 3_000;
    c.timeouts.health_ms = 1_000;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.engine.publish(b"dev/up", b"m", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
    h.rx(b"\r\nOK\r\n");
    // The module goes silent; the health check is due before the PUBACK deadline.
    h.advance(1_000);
    h.tx(b"AT+MQTTSTATU\r");
    h.take_events();
    h.advance(2_000); // health check unanswered -> probe; the ack deadline passes too
    let after_probe: Vec<_> = h.notices();
    assert!(
        after_probe.contains(&Notice::State(State::Probing)),
        "{after_probe:?}"
    );
    assert!(
        !after_probe.contains(&Notice::State(State::Online)),
        "{after_probe:?}"
    );
    h.tx(b"AT\r");
    h.advance(1_000);
    h.tx(b"AT\r");
    h.advance(1_000);
    let n = h.notices();
    assert!(!n.contains(&Notice::State(State::Online)), "{n:?}");
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::ResetPin,
            reason: Status::NoResponse,
            failures: 1
        }),
        "{n:?}"
    );
}

/// A timer that only permits the next command must not make `poll_delay_ms` 0 while a
/// command is in flight (the caller would spin until the command ends).
#[test]
fn no_busy_polling_while_a_command_is_in_flight() {
    // RDY arrives while the first `AT` is unanswered.
    let mut h = Harness::new(config());
    h.start();
    h.tx(b"AT\r");
    h.rx(b"\r\nRDY\r\n");
    let d = h.engine.poll_delay_ms(h.now, &h.ring);
    assert!(d > 0 && d <= 1_000, "delay {d}");
    // The health check falls due while an `AT+MPUB` waits for its answer.
    let mut c = config();
    c.timeouts.health_ms = 1_000;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.advance(900);
    h.engine.publish(b"t", b"x", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"x\"\r");
    h.advance(200);
    h.tx_nothing();
    let d = h.engine.poll_delay_ms(h.now, &h.ring);
    assert_eq!(d, 9_000 - 200, "the only wake-up is the command deadline");
}

/// Found by the engine fuzzer: a pending local unsubscribe that must wait for a subscription
/// command in flight made `poll_delay_ms` 0 (a spin) until that command ended.
#[test]
fn a_waiting_local_unsubscribe_does_not_spin() {
    let mut h = Harness::new(config());
    h.engine.subscribe(b"a", 0).unwrap();
    h.engine.subscribe(b"b", 0).unwrap();
    bring_online(&mut h);
    h.tx(b"AT+MSUB=\"a\",0\r");
    let u = h.engine.unsubscribe(b"b").unwrap();
    h.poll();
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), 9_000);
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), 20_000);
    h.rx(b"\r\nSUBACK\r\n");
    assert!(h.notices().contains(&Notice::Unsubscribed {
        id: u,
        status: Status::Ok
    }));
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
}

/// An autobauding module that reboots prints no `RDY` until it hears `AT`; the first sign is
/// our command echoed again. That is a reboot: full re-initialisation, not a re-connect.
#[test]
fn an_echo_after_ate0_is_skipped_and_never_a_reboot() {
    let mut h = online();
    let id = h.engine.publish(b"dev/up", b"m", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r");
    // The echo is no answer: the OK after it completes the publish.
    h.rx(b"AT+MPUB=\"dev/up\",0,0,\"m\"\r\r\nOK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(recoveries(&n).is_empty(), "{n:?}");
    // ATE0 goes once more, between the session's commands.
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().module_reboots, 0);
}

/// `RDY` during a back-off: the module is fresh, so it is booted at once; that is no new
/// failure (no RESET for a module that just rebooted).
#[test]
fn rdy_during_a_backoff_boots_without_another_ladder_step() {
    let mut c = config();
    c.pins = Pins::RESET;
    c.ladder.reconnects_before_reset = 0;
    let mut h = Harness::new(c);
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    // A module error with reconnects_before_reset = 0: the ladder's next step is RESET.
    h.rx(b"\r\nERROR\r\n");
    assert!(h.notices().iter().any(|e| matches!(
        e,
        Notice::Recovery {
            step: RecoveryStep::ResetPin,
            ..
        }
    )));
    h.rx(b"\r\nRDY\r\n");
    h.tx(b"AT\r");
    h.advance(5_000);
    let n = h.notices();
    assert!(
        !n.iter()
            .any(|e| matches!(e, Notice::Recovery { .. } | Notice::Pin { .. })),
        "{n:?}"
    );
}

#[test]
fn a_second_stop_lets_the_first_finish() {
    let mut h = online();
    h.engine.stop(h.now);
    h.tx(b"AT+MDISCONNECT\r");
    h.engine.stop(h.now);
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
}
