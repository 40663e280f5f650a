//! Receive-side forms of the vendor documentation (docs/luat-at.md, docs/quectel-simcom-at.md)
//! that no other test pins: result orders and prompt spellings the documents allow, and the
//! URCs whose engine reaction was not yet driven. Each test names the section it comes from.
//! Decoder and tokenizer forms are pinned in tests/{at,quectel,simcom}_decode.rs and
//! tests/*_tokenizer.rs; what is here completes them at the engine.

mod common;

use cellmqtt::{Notice, State, Status};
use common::simcom;
use common::{luat_online_with_dev_cmd, quectel_online_with, Ev, Harness};

// ---------------------------------------------------------------------------------------------
// SIMCom (docs/quectel-simcom-at.md §4)

/// Online with `s/#` (QoS 1) subscribed, events taken.
fn simcom_online() -> Harness {
    let mut h = Harness::new(simcom::config());
    h.engine.subscribe(b"s/#", 1).unwrap();
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    assert_eq!(h.engine.state(), State::Online);
    h
}

fn recoveries(n: &[Notice]) -> usize {
    n.iter()
        .filter(|e| matches!(e, Notice::Recovery { .. }))
        .count()
}

/// §4.2 (every order of `OK` and the service's URC is accepted) and §4.14 conflict 3 ([S08]
/// put a subscribe's result between two `OK`s): a successful one-step subscribe answered
/// `+CMQTTSUB: 0,0` then `OK`.
#[test]
fn simcom_subscribe_result_before_its_ok() {
    let mut h = simcom_online();
    let id = h.engine.subscribe(b"t/#", 1).unwrap();
    simcom::subscribe(&mut h, b"t/#", 1);
    // `simcom::subscribe` ended with the topic's `OK`; the result and the command's `OK`:
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n\r\nOK\r\n");
    h.tx_nothing();
    let n = h.notices();
    assert!(
        n.contains(&Notice::Subscribed {
            id,
            restored: false
        }),
        "{n:?}"
    );
    assert_eq!(recoveries(&n), 0, "{n:?}");
    assert_eq!(h.engine.state(), State::Online);
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.command_errors), (0, 0));
}

/// §4.2 (any order of `OK` and the URC) applied to the publish's result, and §4.14 conflict 3
/// ([S20]: `+CMQTTPUB: 0,<err>` before the final result): a publish answered `+CMQTTPUB: 0,0`
/// then `OK`, at QoS 1 and QoS 0; the next publish goes on in sync.
#[test]
fn simcom_publish_result_before_its_ok() {
    let mut h = simcom_online();
    for qos in [1u8, 0] {
        let id = h.engine.publish(b"s/up", b"v", qos, false).unwrap();
        simcom::publish(&mut h, b"s/up", b"v", qos, false);
        h.rx(b"\r\n+CMQTTPUB: 0,0\r\n\r\nOK\r\n");
        h.tx_nothing();
        let n = h.notices();
        assert_eq!(n, [Notice::Published { id }], "qos {qos}");
    }
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.command_errors), (0, 0));
    assert_eq!(h.engine.state(), State::Online);
}

/// §4.6 one-step unsubscribe with the result before the `OK`, as §4.14 conflict 3 shows for
/// the subscribe.
#[test]
fn simcom_unsubscribe_result_before_its_ok() {
    let mut h = simcom_online();
    let id = h.engine.unsubscribe(b"s/#").unwrap();
    h.tx(b"AT+CMQTTUNSUB=0,3,0\r");
    h.rx(b"\r\n>");
    h.tx(b"s/#");
    h.rx(b"\r\n+CMQTTUNSUB: 0,0\r\n\r\nOK\r\n");
    h.tx_nothing();
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id,
            status: Status::Ok
        }]
    );
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.command_errors), (0, 0));
}

/// §4.5 / §4.14 conflict 2: the synchronous shape puts `+CMQTTCONNECT: <c>,<err>`
/// before the final result (`ERROR` when it fails); the success of that shape is the URC,
/// then `OK`.
#[test]
fn simcom_connect_result_before_its_ok() {
    let mut h = Harness::new(simcom::config());
    h.engine.subscribe(b"s/#", 1).unwrap();
    h.start();
    simcom::boot(&mut h);
    simcom::start_service(&mut h);
    simcom::acquire(&mut h);
    h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r");
    h.rx(b"\r\n+CMQTTCONNECT: 0,0\r\n\r\nOK\r\n");
    // Connected: the subscription is restored next.
    h.tx(b"AT+CMQTTSUB=0,3,1\r");
    let n = h.notices();
    assert_eq!(recoveries(&n), 0, "{n:?}");
    assert_eq!(h.engine.stats().command_errors, 0);
}

/// The same order for Luat's connect (docs/quectel-simcom-at.md §4.5 takes it for every
/// family): `CONNACK OK` before the `OK` of `AT+MCONNECT` is the session up, as the open's
/// `CONNECT OK` before its `OK` is the link up (tests/engine_review.rs); the subscription
/// goes once the `OK` has ended the command.
#[test]
fn luat_connack_before_its_ok() {
    let mut h = Harness::new(common::config());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nCONNECT OK\r\n\r\nOK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nCONNACK OK\r\n");
    // The connect is still in flight: nothing goes before its result.
    h.tx_nothing();
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MSUB=\"dev/cmd\",1\r");
    let n = h.notices();
    assert_eq!(recoveries(&n), 0, "{n:?}");
    assert_eq!(h.engine.stats().connects, 1);
}

/// §4.14 conflict 6 (prompt bytes): whether a space follows `>` is unknown, so `> ` must work
/// as `>` does, for the topic, the payload and the one-step subscribe.
#[test]
fn simcom_prompts_with_a_trailing_space() {
    let mut h = simcom_online();
    let id = h.engine.publish(b"s/up", b"v2", 1, false).unwrap();
    h.tx(b"AT+CMQTTTOPIC=0,4\r");
    h.rx(b"\r\n> ");
    h.tx(b"s/up");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPAYLOAD=0,2\r");
    h.rx(b"\r\n> ");
    h.tx(b"v2");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPUB=0,1,60\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);

    let sid = h.engine.subscribe(b"u/#", 0).unwrap();
    h.tx(b"AT+CMQTTSUB=0,3,0\r");
    h.rx(b"\r\n> ");
    h.tx(b"u/#");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Subscribed {
            id: sid,
            restored: false
        }]
    );
    let s = h.engine.stats();
    assert_eq!((s.lines_unknown, s.command_errors), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// Quectel (docs/quectel-simcom-at.md §2)

/// §3.5: "`<value>` after `<result>` 0 is the granted QoS ... so it must be checked".
/// A SUBACK return code 0x80 (128, MQTT 3.1.1 "failure") is no granted QoS: the
/// subscription is refused, not confirmed.
#[test]
fn quectel_suback_failure_code_is_a_refusal() {
    let mut h = quectel_online_with(b"q/#", 1);
    let id = h.engine.subscribe(b"deny/#", 1).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"deny/#\",1\r").as_bytes());
    h.rx(format!("\r\nOK\r\n\r\n+QMTSUB: 0,{id},0,128\r\n").as_bytes());
    let n = h.notices();
    assert!(
        !n.contains(&Notice::Subscribed {
            id,
            restored: false
        }),
        "{n:?}"
    );
    assert!(
        n.iter()
            .any(|e| matches!(e, Notice::SubscribeFailed { id: i, .. } if *i == id)),
        "{n:?}"
    );
}

/// §3.8 `+QMTSTAT` table, code 8 ("client closes the MQTT connection"; reserved in BC660K,
/// seen in the field, Q16) and conflict 4: the link is gone, so the session re-opens it.
#[test]
fn quectel_qmtstat_8_reopens_the_link() {
    let mut h = quectel_online_with(b"q/#", 1);
    h.rx(b"\r\n+QMTSTAT: 0,8\r\n");
    let n = h.notices();
    assert!(recoveries(&n) >= 1, "{n:?}");
    assert_ne!(h.engine.state(), State::Online);
    // The re-open comes (after any back-off): the stale close first.
    let mut sent = false;
    for _ in 0..120 {
        h.advance(1_000);
        if h.pending_tx() {
            sent = true;
            break;
        }
    }
    assert!(sent, "no re-open after +QMTSTAT: 0,8");
}

// ---------------------------------------------------------------------------------------------
// Luat (docs/luat-at.md)

/// §5.12 AT+MDISCONNECT: "Whether TCP also closes and `CLOSED` follows: UNKNOWN". A `CLOSED` between the disconnect's `OK` and the close is the stop going as
/// planned: no recovery, and the session ends stopped.
#[test]
fn luat_closed_after_the_own_disconnect_is_no_failure() {
    let mut h = Harness::new(common::config());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    common::bring_online(&mut h);
    h.tx(b"AT+MSUB=\"dev/cmd\",1\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
    h.take_events();
    h.engine.stop(h.now);
    h.tx(b"AT+MDISCONNECT\r");
    h.rx(b"\r\nOK\r\n\r\nCLOSED\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    // §5.13: nothing left to close after `CLOSED`.
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
    h.advance(60_000);
    h.tx_nothing();
    let ev = h.take_events();
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Ev::N(Notice::Recovery { .. }))),
        "{ev:?}"
    );
}

/// §5.11 AT+MQTTSTATU: state 2 = "TCP up, not authenticated (send MCONNECT)": the session is
/// not up, in each spacing of the line (§5.11: the space before the colon; §1 framing).
#[test]
fn luat_health_check_state_2_is_no_session() {
    for answer in [
        &b"\r\n+MQTTSTATU :2\r\n\r\nOK\r\n"[..],
        b"\r\n+MQTTSTATU: 2\r\n\r\nOK\r\n",
    ] {
        let mut h = luat_online_with_dev_cmd();
        h.advance(60_000);
        h.tx(b"AT+MQTTSTATU\r");
        h.rx(answer);
        let n = h.notices();
        assert!(
            n.iter().any(|e| matches!(
                e,
                Notice::Recovery {
                    reason: Status::LinkLost,
                    ..
                }
            )),
            "{:?} {n:?}",
            String::from_utf8_lossy(answer)
        );
        assert_ne!(h.engine.state(), State::Online);
    }
}

/// §7 URC catalogue / §8 `TCP ERROR:<n>` (TCP stack errors, both spacings): the link is gone.
#[test]
fn luat_tcp_error_loses_the_link() {
    for urc in [&b"\r\nTCP ERROR: 14\r\n"[..], b"\r\nTCP ERROR:13\r\n"] {
        let mut h = luat_online_with_dev_cmd();
        h.rx(urc);
        let n = h.notices();
        assert!(
            recoveries(&n) >= 1,
            "{:?} {n:?}",
            String::from_utf8_lossy(urc)
        );
        assert_ne!(h.engine.state(), State::Online);
    }
}

/// §7 `NORMAL POWER DOWN` (the module switches off, §3 AT+CPOWD=1) in mid-session: the
/// session cannot stay online and recovers.
#[test]
fn luat_normal_power_down_ends_the_session() {
    let mut h = luat_online_with_dev_cmd();
    h.rx(b"\r\nNORMAL POWER DOWN\r\n");
    h.advance(1_000);
    let n = h.notices();
    assert!(recoveries(&n) >= 1, "{n:?}");
    assert_ne!(h.engine.state(), State::Online);
}

/// §3 `AT+CPOWD=1` → `NORMAL POWER DOWN` (S4): the application's power-down (allowed with
/// `ALLOW_RESET_COMMANDS`) in flight when it stops the session. The module is off and the link
/// with it: the stop ends there, as at a reboot; no recovery may reset the module or switch it
/// on again, and nothing more is written. Both orders: the answer before the disconnect, and
/// during the stop's close after it.
#[test]
fn luat_power_down_during_the_stop_ends_the_stop() {
    for during_the_close in [false, true] {
        let mut c = common::config();
        c.options |= cellmqtt::Options::ALLOW_RESET_COMMANDS;
        let mut h = Harness::new(c);
        common::bring_online(&mut h);
        h.take_events();
        if during_the_close {
            h.engine.stop(h.now);
            h.tx(b"AT+MDISCONNECT\r");
            h.rx(b"\r\nOK\r\n");
            h.tx(b"AT+MIPCLOSE\r");
        } else {
            let id = h.engine.at_command(b"AT+CPOWD=1", 5_000).unwrap();
            h.tx(b"AT+CPOWD=1\r");
            h.engine.stop(h.now);
            h.poll();
            assert_eq!(common::at_done_of(&h.take_events(), id), [Status::Stopped]);
        }
        h.rx(b"\r\nNORMAL POWER DOWN\r\n");
        assert_eq!(h.engine.state(), State::Stopped, "{during_the_close}");
        h.advance(60_000);
        h.tx_nothing();
        let n = h.notices();
        assert_eq!(recoveries(&n), 0, "{during_the_close}: {n:?}");
        assert!(
            !n.iter().any(|e| matches!(e, Notice::AtDone { .. })),
            "{n:?}"
        );
    }
}

/// §4.1 ATE: 8910 V301846 echoed the `AT+MPUBEX` data despite `ATE0` (fixed in V301847); with
/// echo on, the data comes back (inferred there). The echoed bytes (here on
/// the prompt's line, as the module prints them) are no answer: the publish completes at
/// `OK` + `PUBACK`, once, and the next command goes out in sync.
#[test]
fn luat_mpubex_data_echoed_back() {
    let mut h = luat_online_with_dev_cmd();
    let payload = [0x01u8, b'a', 0x00, b'b', b'"'];
    let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,5\r");
    h.rx(b"\r\n> ");
    h.tx(&payload);
    h.rx(&payload);
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nPUBACK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    let id2 = h.engine.publish(b"up", b"x", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"up\",0,0,\"x\"\r");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id: id2 }]);
    assert_eq!(h.engine.stats().unexpected_acks, 0);
}

/// §5.1 AT+MCONFIG: one Air780E board answered the empty username and password with
/// `+CME ERROR: 765` and connected anonymously with the command skipped. Without credentials
/// the connect goes on to `AT+MIPSTART` (the refusal logged) and comes online with no recovery
/// step; with credentials the refusal is still a module error (a reconnect, no reset).
#[test]
fn luat_mconfig_refused_without_credentials_connects_anonymously() {
    let mut h = Harness::new(common::config());
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\n+CME ERROR: 765\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert_eq!(recoveries(&n), 0, "{n:?}");
    let refused = |e: &Notice| {
        matches!(
            e,
            Notice::Log {
                what: cellmqtt::Subject::MConfig,
                code: 765,
                ..
            }
        )
    };
    assert_eq!(n.iter().filter(|e| refused(e)).count(), 1, "{n:?}");

    let mut c = common::config();
    (c.username, c.password) = (b"u", b"p");
    let mut h = Harness::new(c);
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"u\",\"p\"\r");
    h.rx(b"\r\n+CME ERROR: 765\r\n");
    h.tx_nothing();
    let n = h.notices();
    let reconnect = |e: &Notice| {
        matches!(
            e,
            Notice::Recovery {
                step: cellmqtt::RecoveryStep::Reconnect,
                reason: Status::ModuleError,
                ..
            }
        )
    };
    assert!(n.iter().any(reconnect), "{n:?}");
}

/// §7 URC catalogue: `CLOSED` and `TCP ERROR: <n>` (§8: 6 host unreachable, 11 connection
/// rejected, 12 timeout) are listed with no stage, and §10.5 puts a dropped link on the
/// network/broker side. Coming after `AT+MIPSTART`'s (or `AT+SSLMIPSTART`'s) `OK` and before
/// `CONNECT OK` (the TCP connection or the TLS handshake broken off), the link the open was
/// building is lost: a re-connect after the back-off at once, never the wait for `CONNECT OK`
/// running out into a module fault. With the ladder set to reset at the first module fault,
/// three such opens in a row reset nothing.
#[test]
fn luat_link_closed_while_opening_is_a_lost_link() {
    use cellmqtt::Subject::{Closed, TcpError};
    for (urc, what, code) in [
        (&b"\r\nCLOSED\r\n"[..], Closed, 0),
        (b"\r\n7,CLOSED\r\n", Closed, 0),
        (b"\r\nTCP ERROR: 11\r\n", TcpError, 11),
        (b"\r\nTCP ERROR:12\r\n", TcpError, 12),
    ] {
        let mut c = common::config();
        c.ladder.reconnects_before_reset = 0;
        let mut h = Harness::new(c);
        h.start();
        common::prepare_after_boot(&mut h);
        let mut seen = vec![];
        for attempt in 1..=3u16 {
            if attempt > 1 {
                let mut waited = 0;
                while !h.pending_tx() && waited < 10_000 {
                    h.advance(100);
                    waited += 100;
                }
                h.tx(b"AT+MIPCLOSE\r");
                h.rx(b"\r\n+CME ERROR: 767\r\n");
            }
            h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
            h.rx(b"\r\nOK\r\n");
            h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
            h.rx(b"\r\nOK\r\n");
            h.rx(urc);
            let n = h.notices();
            let line = String::from_utf8_lossy(urc);
            assert!(
                n.contains(&Notice::Recovery {
                    step: cellmqtt::RecoveryStep::Reconnect,
                    reason: Status::LinkLost,
                    failures: attempt,
                }),
                "{line:?} attempt {attempt}: {n:?}"
            );
            assert!(
                n.contains(&Notice::Log {
                    kind: cellmqtt::LogKind::LinkDown,
                    what,
                    code,
                    reason: Status::Ok,
                }),
                "{line:?}: {n:?}"
            );
            assert_eq!(h.engine.state(), State::Recovering, "{line:?}");
            seen.extend(n);
        }
        assert!(
            !seen.iter().any(|e| matches!(
                e,
                Notice::Recovery {
                    step: cellmqtt::RecoveryStep::SoftReset
                        | cellmqtt::RecoveryStep::ResetPin
                        | cellmqtt::RecoveryStep::PowerCycle,
                    ..
                }
            )),
            "{seen:?}"
        );
        assert_eq!(h.engine.stats().connect_failures, 3);
    }
}

/// docs/luat-at.md §4 (`+CPIN` codes; 3GPP TS 27.007 §8.3): `SIM PIN2` and `SIM PUK2` follow a
/// command that failed for PIN2 and lock only what PIN2 guards, and the standard asks the MT
/// not to block its operation for them. The session goes on as with `READY`; `SIM PIN` and
/// `SIM PUK` still stop it (`SIM_LOCKED`, tests/engine_recovery.rs).
#[test]
fn luat_sim_pin2_and_puk2_do_not_block_the_session() {
    for code in [&b"SIM PIN2"[..], b"SIM PUK2"] {
        let mut h = Harness::new(common::config());
        h.start();
        h.tx(b"AT\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"ATE0\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+CPIN?\r");
        h.rx(&[&b"\r\n+CPIN: "[..], code, b"\r\n\r\nOK\r\n"].concat());
        common::identify(&mut h);
        h.tx(b"AT+CGATT?\r");
        h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
        h.tx(b"AT+MQTTMSGSET=0\r");
        assert_eq!(
            recoveries(&h.notices()),
            0,
            "{}",
            String::from_utf8_lossy(code)
        );
        assert_eq!(h.engine.state(), State::Preparing);
    }
}
