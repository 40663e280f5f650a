//! Byte-exact transcripts of set-up answers that come only with their result, late
//! (docs/quectel-simcom-at.md §3.3, §4.2, §4.5): the SIM7600 answers `AT+CMQTTSTART` with
//! `+CMQTTSTART: 0` then `OK` once the PDP context it activates is up (W4: up to 120 s), an
//! A76xx refuses `AT+CMQTTCONNECT` with `+CMQTTCONNECT: 0,<err>` then `ERROR` once the socket
//! connect failed (S12), a BG95 `AT+QMTOPEN` with `+QMTOPEN: 0,-1` then `ERROR` (Q09). Nothing
//! comes before that answer, so a wait of an ordinary command's (`command_ms`, 9 s) took each
//! for a silent module: a probe `AT`, a module-side failure on the ladder, and an unreachable
//! broker climbing to the module's reset. The open's wait (`connect_ms`) applies; a module
//! that answers nothing within it is still probed.
mod common;

use cellmqtt::{LogKind, Notice, RecoveryStep, State, Status, Subject};
use common::simcom::{self, config};
use common::{quectel_config, recoveries, Harness};

/// Later than an ordinary command's answer (9 s), well within the open's wait (60 s).
const LATE_MS: u32 = 30_000;

/// No pin moved, no reset sent, no timeout logged.
fn module_untouched(h: &Harness, n: &[Notice]) {
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    let timeout = |e: &Notice| {
        matches!(
            e,
            Notice::Log {
                kind: LogKind::CommandTimeout,
                ..
            }
        )
    };
    assert!(!n.iter().any(timeout), "{n:?}");
    let s = h.engine.stats();
    let resets = (s.reset_pulses, s.soft_resets, s.power_cycles);
    assert_eq!((resets, s.command_timeouts), ((0, 0, 0), 0), "{n:?}");
}

/// `command` goes out and is answered `answer` `LATE_MS` later, with nothing sent meanwhile:
/// a failure of the broker's, one re-connect, the module untouched. The notices, for more.
fn refused_late(h: &mut Harness, command: &[u8], answer: &[u8]) -> Vec<Notice> {
    h.take_events();
    h.tx(command);
    wait_silently(h, LATE_MS);
    h.rx(answer);
    let n = h.notices();
    module_untouched(h, &n);
    assert_eq!(
        recoveries(&n),
        [RecoveryStep::Reconnect],
        "the broker's failure, not a silent module: {n:?}"
    );
    n
}

/// SIMCom's connect of client 0 to the test broker.
const SIMCOM_CONNECT: &[u8] = b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r";

/// Waits `ms` in steps of a second, checking that nothing is sent meanwhile.
fn wait_silently(h: &mut Harness, ms: u32) {
    for _ in 0..ms / 1_000 {
        h.advance(1_000);
        h.tx_nothing();
    }
}

#[test]
fn a_service_start_answered_after_the_pdp_activation_goes_on() {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    h.tx(b"AT+CMQTTSTART\r");
    wait_silently(&mut h, LATE_MS);
    h.rx(b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    module_untouched(&h, &n);
    assert!(recoveries(&n).is_empty(), "{n:?}");
}

#[test]
fn a_synchronous_connect_refusal_after_the_socket_timeout_is_the_broker() {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    simcom::start_service(&mut h);
    simcom::acquire(&mut h);
    // Err 3, sock connect fail (§4.10, S12): the broker cannot be reached.
    let n = refused_late(
        &mut h,
        SIMCOM_CONNECT,
        b"\r\n+CMQTTCONNECT: 0,3\r\n\r\nERROR\r\n",
    );
    let failure = Notice::Log {
        kind: LogKind::BrokerFailure,
        what: Subject::MConnect,
        code: 3,
        reason: Status::BrokerUnreachable,
    };
    assert!(n.contains(&failure), "{n:?}");
    assert_eq!(h.engine.state(), State::Recovering);
    assert_eq!(h.engine.stats().broker_failures, 1);
}

#[test]
fn an_open_failure_before_its_error_after_a_long_wait_is_the_broker() {
    let mut h = Harness::new(quectel_config());
    common::quectel_prepare(&mut h);
    // Q09's shape (§3.3, §3.13 item 3): the result, then `ERROR`.
    let n = refused_late(
        &mut h,
        b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r",
        b"\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n",
    );
    let failure = Notice::Log {
        kind: LogKind::BrokerFailure,
        what: Subject::ConnectFail,
        code: 0xFFFF,
        reason: Status::BrokerUnreachable,
    };
    assert!(n.contains(&failure), "{n:?}");
    assert_eq!(h.engine.stats().broker_failures, 1);
}

/// The longer wait is the open's, not for ever: a module that answers nothing within it is
/// asked whether it is still there, as after any unanswered command.
#[test]
fn an_unanswered_start_or_open_is_probed_after_the_opens_wait() {
    let connect_ms = config().timeouts.connect_ms;
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    h.tx(b"AT+CMQTTSTART\r");
    wait_silently(&mut h, connect_ms - 1_000);
    h.advance(1_000);
    h.tx(b"AT\r");
    let mut h = Harness::new(quectel_config());
    common::quectel_prepare(&mut h);
    h.tx(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r");
    wait_silently(&mut h, connect_ms - 1_000);
    h.advance(1_000);
    h.tx(b"AT\r");
}

/// After a lost link the client is kept (§4.9), so the re-connect's `AT+CMQTTCONNECT` is the
/// connect's first and only part: it gets the open's wait too, and its synchronous refusal
/// 30 s late is the broker's, not a silent module's.
#[test]
fn a_reconnect_on_the_kept_client_waits_as_long_as_the_first_connect() {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    simcom::start_service(&mut h);
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    assert_eq!(h.engine.state(), State::Online);
    h.rx(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    h.advance(1_000);
    simcom::restart_service(&mut h);
    refused_late(
        &mut h,
        SIMCOM_CONNECT,
        b"\r\n+CMQTTCONNECT: 0,3\r\n\r\nERROR\r\n",
    );
}
