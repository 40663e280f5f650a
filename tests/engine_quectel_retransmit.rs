//! Retransmission notices of the Quectel `AT+QMT*` dialect (docs/quectel-simcom-at.md §3.4,
//! §3.5): `<result>` 1 (the module sent the packet again, with its count where the line has a
//! `<value>`) is no outcome, and the wait for the final result runs from the notice.
mod common;

use cellmqtt::{Notice, RecoveryStep, State, Status};
use common::{quectel_config, recoveries, Harness};

const OPEN: &[u8] = b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r";
const CONN: &[u8] = b"AT+QMTCONN=0,\"q1\"\r";
const SUB: &[u8] = b"AT+QMTSUB=0,1,\"q/#\",1\r";

/// Prepared and opened; the CONNECT has gone out and is answered `OK`, its result awaited.
fn connect_answered_ok() -> Harness {
    let mut h = Harness::new(quectel_config());
    common::quectel_prepare(&mut h);
    h.tx(OPEN);
    h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    h.tx(CONN);
    h.rx(b"\r\nOK\r\n");
    h
}

/// A subscribe the module retransmits (`+QMTSUB: <c>,<msgid>,1,<count>`, §3.5; BG96 defaults
/// 5 s × 3 retries, §3.2) is still under way: its wait for the final result runs from the
/// notice, as a publish's does, so a SUBACK after `ack_ms` from the `OK` (but within it from
/// the notice) subscribes, with no state query and no failure.
#[test]
fn a_retransmitted_subscribe_waits_from_the_notice() {
    let mut h = common::quectel_online_with(b"q/#", 1);
    let id = h.engine.subscribe(b"a/b", 1).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"a/b\",1\r").as_bytes());
    h.rx(b"\r\nOK\r\n");
    let ack_ms = quectel_config().timeouts.ack_ms;
    h.advance(ack_ms - 5_000);
    h.rx(format!("\r\n+QMTSUB: 0,{id},1,1\r\n").as_bytes());
    h.advance(ack_ms - 5_000);
    h.tx_nothing();
    h.rx(format!("\r\n+QMTSUB: 0,{id},0,1\r\n").as_bytes());
    h.tx_nothing();
    let n = h.notices();
    assert_eq!(
        n,
        [Notice::Subscribed {
            id,
            restored: false
        }]
    );
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().unexpected_acks, 0);
}

/// A CONNECT the module retransmits (`+QMTCONN: <c>,1[,<count>]`, §3.4) is still under way:
/// the wait for its result (`connack_ms`) runs from the notice, so a CONNACK after
/// `connack_ms` from the `OK` (but within it from the notice) connects, with no failure (a
/// failed CONNACK would climb the ladder towards a reset for a broker that was only slow).
#[test]
fn a_retransmitted_connect_waits_from_the_notice() {
    let mut h = connect_answered_ok();
    let connack_ms = quectel_config().timeouts.connack_ms;
    h.advance(connack_ms - 5_000);
    h.rx(b"\r\n+QMTCONN: 0,1,1\r\n");
    h.advance(connack_ms - 5_000);
    h.tx_nothing();
    h.rx(b"\r\n+QMTCONN: 0,0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert!(!n.iter().any(|e| matches!(e, Notice::Log { .. })), "{n:?}");
}

/// Result 1 (packet retransmitted, with its count where the line has a `<value>`, §3.4, §3.5)
/// is not the outcome: the connect and the subscribe wait for the final result.
#[test]
fn retransmission_notices_wait_for_the_final_result() {
    let mut h = Harness::new(quectel_config());
    h.engine.subscribe(b"q/#", 1).unwrap();
    common::quectel_prepare(&mut h);
    h.tx(OPEN);
    h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    h.tx(CONN);
    h.rx(b"\r\nOK\r\n\r\n+QMTCONN: 0,1,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Connecting);
    h.rx(b"\r\n+QMTCONN: 0,0,0\r\n");
    h.tx(SUB);
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,1,1\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Restoring);
    h.rx(b"\r\n+QMTSUB: 0,1,0,1\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(!n.iter().any(|e| matches!(e, Notice::Log { .. })), "{n:?}");
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.lines_unknown), (0, 0));
}

/// A broker that accepts the connection but never answers the CONNECT: the module sends it
/// again by itself (§3.2: a 5 s packet timeout and 3 retries by default on the BG96; with
/// `timeout_notice` off it says nothing meanwhile) and then reports `+QMTCONN: 0,2`, failed to
/// send (§5.2: the broker unreachable), about 20 s after the `OK`. The default `connack_ms`
/// outlasts that, so the module's verdict decides: the broker's side, re-connected after the
/// back-off, never the ladder. (With a 20 s wait the engine gave up first, as a CONNACK
/// failure, which climbs toward a reset.)
#[test]
fn a_silent_broker_is_the_modules_verdict_not_a_connack_failure() {
    let mut h = connect_answered_ok();
    h.advance(20_500);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Connecting);
    h.rx(b"\r\n+QMTCONN: 0,2\r\n");
    let n = h.notices();
    let failures: Vec<_> = n
        .iter()
        .filter_map(|e| match e {
            Notice::Recovery { step, reason, .. } => Some((*step, *reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        failures,
        [(RecoveryStep::Reconnect, Status::BrokerUnreachable)],
        "{n:?}"
    );
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
}
