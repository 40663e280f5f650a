//! Byte-exact transcripts of the Quectel `AT+QMT*` dialect's normal flow
//! (docs/quectel-simcom-at.md §3): start with and without an APN, the bearer check, subscribe
//! with the granted QoS, publish at every QoS with message ids, incoming `+QMTRECV` in both
//! forms, the session-state query, the configuration the family refuses, and the stop.
//! Publish transcripts are in tests/engine_quectel_publish.rs, recovery transcripts in
//! tests/engine_quectel_recovery.rs.
mod common;

use cellmqtt::{ConfigField, Engine, LossKind, Notice, Options, RecoveryStep, State, Status};
use common::{
    quectel_boot, quectel_close_and_cfg, quectel_config, quectel_online_with, quectel_open_connect,
    recoveries, Ev, Harness,
};

fn states(n: &[Notice]) -> Vec<State> {
    n.iter()
        .filter_map(|e| match e {
            Notice::State(s) => Some(*s),
            _ => None,
        })
        .collect()
}

// ---- 1. Start to online ----

#[test]
fn full_start_reaches_online_and_restores_subscription() {
    let mut h = Harness::new(quectel_config());
    h.engine.subscribe(b"q/#", 2).unwrap();
    h.start();
    // The boot lines of an LTE Standard part come before the first answer (§2.1).
    h.rx(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n");
    quectel_boot(&mut h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nERROR\r\n");
    common::quectel_mqtt_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    assert_eq!(h.engine.state(), State::Restoring);
    h.tx(b"AT+QMTSUB=0,1,\"q/#\",2\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Restoring);
    h.rx(b"\r\n+QMTSUB: 0,1,0,2\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    // The boot notices only inform: passed on to the application, nothing else is.
    let urcs: Vec<&Ev> = ev
        .iter()
        .filter(|e| matches!(e, Ev::Urc(_) | Ev::AtLine(..)))
        .collect();
    assert_eq!(
        urcs,
        [
            &Ev::Urc(b"+QUSIM: 1".to_vec()),
            &Ev::Urc(b"+QIND: SMS DONE".to_vec())
        ]
    );
    let n: Vec<Notice> = ev
        .into_iter()
        .filter_map(|e| match e {
            Ev::N(n) => Some(n),
            _ => None,
        })
        .collect();
    assert!(
        n.contains(&Notice::Subscribed {
            id: 1,
            restored: false
        }),
        "{n:?}"
    );
    assert!(!n.iter().any(|e| matches!(e, Notice::Log { .. })), "{n:?}");
    assert_eq!(n.last(), Some(&Notice::State(State::Online)));
    assert_eq!(
        states(&n),
        [
            State::Probing,
            State::Preparing,
            State::Connecting,
            State::Restoring,
            State::Online
        ]
    );
    let f = h.engine.module_facts();
    assert_eq!(f.imei.get(), b"864394040000017");
    let s = h.engine.stats();
    assert_eq!((s.connects, s.command_errors, s.module_reboots), (1, 0, 0));
}

#[test]
fn apn_is_set_before_the_activation_on_every_connect() {
    let mut c = quectel_config();
    c.apn = b"cmnet";
    let mut h = Harness::new(c);
    h.start();
    quectel_boot(&mut h, false);
    h.tx(b"AT+QICSGP=1,1,\"cmnet\",\"\",\"\",1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    // A lost link: the re-connect sets the APN again first.
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1_000);
    h.tx(b"AT+QICSGP=1,1,\"cmnet\",\"\",\"\",1\r");
    h.rx(b"\r\nOK\r\n");
    common::quectel_bearer_already_active(&mut h);
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn granted_qos_lower_than_requested_still_subscribes() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.subscribe(b"a/+/c", 2).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"a/+/c\",2\r").as_bytes());
    h.rx(format!("\r\nOK\r\n\r\n+QMTSUB: 0,{id},0,1\r\n").as_bytes());
    assert_eq!(
        h.notices(),
        [Notice::Subscribed {
            id,
            restored: false
        }]
    );
    assert_eq!(h.engine.stats().unexpected_acks, 0);
    // The filter is kept: unsubscribing it goes to the broker.
    let u = h.engine.unsubscribe(b"a/+/c").unwrap();
    h.tx(format!("AT+QMTUNS=0,{u},\"a/+/c\"\r").as_bytes());
    h.rx(format!("\r\nOK\r\n\r\n+QMTUNS: 0,{u},0\r\n").as_bytes());
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id: u,
            status: Status::Ok
        }]
    );
}

#[test]
fn granted_0x80_is_a_refusal_and_the_filter_is_dropped() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.subscribe(b"secret/#", 1).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"secret/#\",1\r").as_bytes());
    h.rx(b"\r\nOK\r\n");
    h.rx(format!("\r\n+QMTSUB: 0,{id},0,128\r\n").as_bytes());
    assert_eq!(
        h.notices(),
        [Notice::SubscribeFailed {
            id,
            reason: Status::BrokerRefused
        }]
    );
    assert_eq!(
        h.engine.unsubscribe(b"secret/#"),
        Err(Status::NotSubscribed)
    );
    // Nothing more goes out, the session stays online, and a re-connect restores only q/#.
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1_000);
    common::quectel_bearer_already_active(&mut h);
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    h.tx(b"AT+QMTSUB=0,1,\"q/#\",2\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn suback_before_the_ok_of_its_command_is_kept() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.subscribe(b"x/y", 0).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"x/y\",0\r").as_bytes());
    h.rx(format!("\r\n+QMTSUB: 0,{id},0,0\r\n\r\nOK\r\n").as_bytes());
    assert_eq!(
        h.notices(),
        [Notice::Subscribed {
            id,
            restored: false
        }]
    );
    // A SUBACK for another request is counted, not taken.
    h.rx(b"\r\n+QMTSUB: 0,999,0,0\r\n");
    assert_eq!(h.engine.stats().unexpected_acks, 1);
    assert!(h.notices().is_empty());
}

// ---- 2. The bearer: `AT+QIACT=1` answered `ERROR` ----

#[test]
fn qiact_error_with_an_active_context_goes_on() {
    let mut h = Harness::new(quectel_config());
    h.start();
    quectel_boot(&mut h, true);
    common::quectel_bearer_already_active(&mut h);
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    // Neither the expected ERROR of the activation nor that of the close is a logged error.
    assert!(!n.iter().any(|e| matches!(e, Notice::Log { .. })), "{n:?}");
    assert_eq!(h.engine.stats().command_errors, 0);
}

/// `AT+QIACT?` lists every active context: one the application activated (context 2) is not
/// the session's, whose client opens on context 1. Its activation failed.
#[test]
fn qiact_error_with_only_another_context_active_is_not_attached() {
    let mut h = Harness::new(quectel_config());
    h.start();
    quectel_boot(&mut h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+QIACT?\r");
    h.rx(b"\r\n+QIACT: 2,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n");
    let n = h.notices();
    let failed = Notice::Recovery {
        step: RecoveryStep::Reconnect,
        reason: Status::NotAttached,
        failures: 1,
    };
    assert!(n.contains(&failed), "{n:?}");
    assert_eq!(h.engine.state(), State::Recovering);
    h.tx_nothing();
}

/// `AT+QIACT?` lists every active context (§3.1): the lines of contexts other than the
/// session's are part of the session's own query's answer, not URCs for the application
/// (as the state query's lines about other clients, README "Sharing the module"); the
/// application's own `AT+QIACT?` still gets every line.
#[test]
fn the_bearer_querys_lines_about_other_contexts_are_no_urcs() {
    for (listing, online) in [
        (
            &b"\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\n+QIACT: 2,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n"[..],
            true,
        ),
        (
            b"\r\n+QIACT: 2,1,1,\"10.0.0.2\"\r\n\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\nOK\r\n",
            true,
        ),
        (
            b"\r\n+QIACT: 2,1,1,\"10.0.0.2\"\r\n\r\n+QIACT: 3,1,1,\"10.0.0.3\"\r\n\r\nOK\r\n",
            false,
        ),
    ] {
        let mut h = Harness::new(quectel_config());
        h.start();
        quectel_boot(&mut h, true);
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nERROR\r\n");
        h.tx(b"AT+QIACT?\r");
        h.rx(listing);
        if online {
            quectel_close_and_cfg(&mut h, false);
            quectel_open_connect(&mut h);
            assert_eq!(h.engine.state(), State::Online);
        } else {
            assert_eq!(h.engine.state(), State::Recovering);
        }
        let ev = h.take_events();
        assert!(
            !ev.iter().any(|e| matches!(e, Ev::Urc(_))),
            "{}: {ev:?}",
            String::from_utf8_lossy(listing)
        );
    }
    // The application's own query gets its whole answer.
    let mut h = quectel_online_with(b"q/#", 2);
    let at = h.engine.at_command(b"AT+QIACT?", 5_000).unwrap();
    h.tx(b"AT+QIACT?\r");
    h.rx(b"\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\n+QIACT: 2,1,1,\"10.0.0.2\"\r\n\r\nOK\r\n");
    assert_eq!(
        h.take_events(),
        [
            Ev::AtLine(at, b"+QIACT: 1,1,1,\"10.0.0.1\"".to_vec()),
            Ev::AtLine(at, b"+QIACT: 2,1,1,\"10.0.0.2\"".to_vec()),
            Ev::N(Notice::AtDone {
                id: at,
                status: Status::Ok,
                code: 0
            }),
        ]
    );
}

#[test]
fn qiact_error_with_no_context_is_not_attached_and_climbs_the_ladder() {
    let mut h = Harness::new(quectel_config());
    h.start();
    quectel_boot(&mut h, true);
    let mut waits = vec![];
    for failures in 1..=4u16 {
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nERROR\r\n");
        h.tx(b"AT+QIACT?\r");
        h.rx(b"\r\nOK\r\n");
        let n = h.notices();
        let step = if failures <= 3 {
            RecoveryStep::Reconnect
        } else {
            RecoveryStep::SoftReset
        };
        assert!(
            n.contains(&Notice::Recovery {
                step,
                reason: Status::NotAttached,
                failures
            }),
            "{n:?}"
        );
        assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })));
        assert_eq!(h.engine.state(), State::Recovering);
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        waits.push(wait);
        h.quiet_for(wait);
    }
    // A module-side failure: the plain doubling back-off, no jitter.
    assert_eq!(waits, [1_000, 2_000, 4_000, 8_000]);
    // No pins wired: the reset rung is the module's own reboot.
    h.tx(b"AT+CFUN=1,1\r");
    h.rx(b"\r\nOK\r\n\r\nPOWERED DOWN\r\n\r\nRDY\r\n");
    assert_eq!(h.engine.stats().soft_resets, 1);
    quectel_boot(&mut h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    assert_eq!(h.engine.state(), State::Online);
}

// ---- 4. Incoming messages ----

#[test]
fn incoming_same_line_and_next_line_forms() {
    let mut h = quectel_online_with(b"q/#", 2);
    let forms: [&[u8]; 4] = [
        b"\r\n+QMTRECV: 0,0,\"q/0\",6,\"zero 0\"\r\n",
        // Next line, quoted and bare (D11, §3.13 item 5).
        b"\r\n+QMTRECV: 0,0,\"q/0\",6\r\n\"zero 0\"\r\n",
        b"\r\n+QMTRECV: 0,0,\"q/0\",6\r\nzero 0\r\n",
        // Blank lines around it, as BG96 prints them (§1).
        b"\r\n\r\n+QMTRECV: 0,7,\"q/0\",6,\"zero 0\"\r\n\r\n",
    ];
    for wire in forms {
        h.rx(wire);
        assert_eq!(
            h.take_events(),
            [Ev::Msg(b"q/0".to_vec(), b"zero 0".to_vec())],
            "{}",
            String::from_utf8_lossy(wire)
        );
    }
    let s = h.engine.stats();
    assert_eq!((s.messages_received, s.lines_unknown), (4, 0));
    h.tx_nothing();
}

#[test]
fn incoming_payload_with_quotes_and_crlf_split_at_every_byte() {
    let mut h = quectel_online_with(b"q/#", 2);
    let payload = b"{\r\n \"a\": \"x\",\"y\"\r\n}";
    let mut wire = format!("\r\n+QMTRECV: 0,5,\"q/cmd\",{},\"", payload.len()).into_bytes();
    wire.extend_from_slice(payload);
    wire.extend_from_slice(b"\"\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
    let want = [Ev::Msg(b"q/cmd".to_vec(), payload.to_vec())];
    // Byte by byte.
    for b in &wire {
        h.rx(&[*b]);
    }
    assert_eq!(h.take_events(), want);
    // Split in two at every boundary (every seventh one under Miri).
    let step = if cfg!(miri) { 7 } else { 1 };
    for k in (1..wire.len()).step_by(step) {
        h.rx(&wire[..k]);
        h.rx(&wire[k..]);
        assert_eq!(h.take_events(), want, "split at {k}");
    }
    let s = h.engine.stats();
    assert_eq!(
        (s.unexpected_acks, s.lines_unknown, s.messages_corrupt),
        (0, 0, 0)
    );
    h.tx_nothing();
}

#[test]
fn incoming_zero_length_payload_is_delivered() {
    let mut h = quectel_online_with(b"q/#", 2);
    h.rx(b"\r\n+QMTRECV: 0,0,\"q/e\",0,\"\"\r\n");
    assert_eq!(h.take_events(), [Ev::Msg(b"q/e".to_vec(), vec![])]);
    h.rx(b"\r\n+QMTRECV: 0,0,\"q/e\",0\r\n\r\n+QMTRECV: 0,0,\"q/f\",1,\"f\"\r\n");
    assert_eq!(
        h.take_events(),
        [
            Ev::Msg(b"q/e".to_vec(), vec![]),
            Ev::Msg(b"q/f".to_vec(), b"f".to_vec())
        ]
    );
    assert_eq!(h.engine.stats().messages_received, 3);
}

#[test]
fn a_message_without_its_length_is_counted_as_corrupt() {
    let mut h = quectel_online_with(b"q/#", 2);
    h.rx(b"\r\n+QMTRECV: 0,0,\"t\",\"p\"\r\n");
    assert_eq!(
        h.take_events(),
        [Ev::N(Notice::Loss {
            kind: LossKind::MessageCorrupt,
            count: 1
        })]
    );
    assert_eq!(h.engine.stats().messages_corrupt, 1);
    // The stream goes on.
    h.rx(b"\r\n+QMTRECV: 0,0,\"t\",1,\"p\"\r\n");
    assert_eq!(h.take_events(), [Ev::Msg(b"t".to_vec(), b"p".to_vec())]);
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn incoming_between_a_command_and_its_ok() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/0", b"v", 0, false).unwrap();
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/0\",1\r");
    h.rx(b"\r\n> ");
    h.tx(b"v");
    h.rx(b"\r\n+QMTRECV: 0,0,\"q/0\",2,\"OK\"\r\n\r\nOK\r\n");
    assert_eq!(
        h.take_events(),
        [
            Ev::Msg(b"q/0".to_vec(), b"OK".to_vec()),
            Ev::N(Notice::Published { id })
        ]
    );
}

// ---- 8. `+QMTCONN` forms ----

#[test]
fn two_field_connect_result_of_older_firmware_connects() {
    let mut h = Harness::new(quectel_config());
    common::quectel_prepare(&mut h);
    // The result before the OK of the open, too.
    h.tx(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r");
    h.rx(b"\r\n+QMTOPEN: 0,0\r\n\r\nOK\r\n");
    h.tx(b"AT+QMTCONN=0,\"q1\"\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTCONN: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn session_state_query_reads_three_as_connected() {
    let mut h = quectel_online_with(b"q/#", 2);
    // The health check after 60 s idle.
    h.advance(59_999);
    h.tx_nothing();
    h.advance(1);
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    h.tx_nothing();
    let n = h.notices();
    assert!(n.is_empty(), "{n:?}");
    assert_eq!(h.engine.state(), State::Online);
    // The next check, answered with a state that is not connected.
    h.advance(60_000);
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,2\r\n\r\nOK\r\n");
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason: Status::LinkLost,
            failures: 1
        }),
        "{n:?}"
    );
}

// ---- 9. Configuration ----

#[test]
fn cache_mode_and_bad_apns_are_refused() {
    let check = |c: cellmqtt::Config<'static>| {
        Engine::check_setup(&c, 1024, 1024, 1024).map_err(|e| (e.field, e.status))
    };
    let mut c = quectel_config();
    c.options |= Options::CACHE_MODE;
    assert_eq!(check(c), Err((ConfigField::Options, Status::Unsupported)));
    let long: &'static [u8] = Box::leak(vec![b'a'; 101].into_boxed_slice());
    let max: &'static [u8] = Box::leak(vec![b'a'; 100].into_boxed_slice());
    for (apn, want) in [
        (long, Err((ConfigField::Apn, Status::StringTooLong))),
        (
            &b"cm\"net"[..],
            Err((ConfigField::Apn, Status::InvalidString)),
        ),
        (b"cm\rnet", Err((ConfigField::Apn, Status::InvalidString))),
        (max, Ok(cellmqtt::dialect::Dialect::Quectel)),
        (b"", Ok(cellmqtt::dialect::Dialect::Quectel)),
    ] {
        let mut c = quectel_config();
        c.apn = apn;
        assert_eq!(check(c), want, "{}", String::from_utf8_lossy(apn));
    }
    let mut c = quectel_config();
    c.options |= Options::CACHE_MODE;
    assert!(c.validate().is_err());
}

// ---- 10. Stop ----

#[test]
fn stop_while_online_sends_only_the_disconnect() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/1", b"m", 1, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/1\",1\r").as_bytes());
    h.rx(b"\r\n> ");
    h.tx(b"m");
    h.rx(b"\r\nOK\r\n");
    h.engine.stop(h.now);
    h.tx(b"AT+QMTDISC=0\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
    // The unconfirmed publish is kept for the next start.
    assert_eq!(h.engine.queued(), 1);
    // A `+QMTSTAT: 0,5` after the own disconnect is no failure.
    h.rx(b"\r\n+QMTSTAT: 0,5\r\n");
    h.advance(60_000);
    h.tx_nothing();
    let ev = h.take_events();
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Ev::N(Notice::Recovery { .. }) | Ev::Urc(_))),
        "{ev:?}"
    );
    assert_eq!(h.engine.state(), State::Stopped);
}

/// The stop's `AT+QMTCLOSE=0` goes and is answered: stopped, and no line of it passed on.
fn closed_and_stopped(h: &mut Harness) {
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTCLOSE: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
    let ev = h.take_events();
    assert!(!ev.iter().any(|e| matches!(e, Ev::Urc(_))), "{ev:?}");
}

/// Online with one filter, then stopped: the disconnect has gone out.
fn stop_sent() -> Harness {
    let mut h = quectel_online_with(b"q/#", 2);
    h.engine.stop(h.now);
    h.tx(b"AT+QMTDISC=0\r");
    h
}

/// `AT+QMTDISC=0` answers `OK`, then `+QMTDISC: 0,<result>` (§3.9): the stop ends at that
/// result (before or after the `OK`), not at the `OK` while the DISCONNECT may still be going
/// out (an application that powers the module off at `STOPPED` would have the broker publish
/// the will). A start meanwhile begins once it came. Without it, after a command's time, the
/// client is closed.
#[test]
fn stop_ends_at_the_disconnects_result() {
    let mut h = stop_sent();
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    assert_eq!(h.notices(), [Notice::State(State::Stopping)]);
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), 9_000);
    h.engine.start(h.now).unwrap();
    h.advance(300);
    h.tx_nothing();
    h.rx(b"\r\n+QMTDISC: 0,0\r\n");
    let n = h.notices();
    assert_eq!(
        n,
        [Notice::State(State::Stopped), Notice::State(State::Probing)]
    );
    h.tx(b"AT\r");
    // The result before the `OK`.
    let mut h = stop_sent();
    h.rx(b"\r\n+QMTDISC: 0,0\r\n\r\nOK\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
    // No result.
    let mut h = stop_sent();
    h.rx(b"\r\nOK\r\n");
    h.advance(8_999);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopping);
    h.advance(1);
    closed_and_stopped(&mut h);
}

#[test]
fn stop_when_the_disconnect_fails_closes_the_client() {
    let mut h = stop_sent();
    h.rx(b"\r\nERROR\r\n");
    closed_and_stopped(&mut h);
}

#[test]
fn stop_while_opening_closes_the_client() {
    let mut h = Harness::new(quectel_config());
    common::quectel_prepare(&mut h);
    h.tx(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r");
    h.rx(b"\r\nOK\r\n");
    h.engine.stop(h.now);
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
}

/// The boot notices in the other order (PB first, §2.1), as they come late, while the session
/// is up, and a BG77/BG770's `APP RDY`: passed on to the application, nothing more (only `RDY`
/// and `POWERED DOWN` mean a reboot).
#[test]
fn late_boot_notices_in_either_order_only_inform() {
    let mut h = quectel_online_with(b"q/#", 2);
    h.rx(b"\r\n+QIND: PB DONE\r\n\r\n+QIND: SMS DONE\r\n\r\nAPP RDY\r\n\r\n+QUSIM: 1\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let ev = h.take_events();
    assert_eq!(
        ev,
        [
            Ev::Urc(b"+QIND: PB DONE".to_vec()),
            Ev::Urc(b"+QIND: SMS DONE".to_vec()),
            Ev::Urc(b"APP RDY".to_vec()),
            Ev::Urc(b"+QUSIM: 1".to_vec()),
        ]
    );
    let s = h.engine.stats();
    assert_eq!((s.module_reboots, s.lines_unknown), (0, 0));
}

/// The application's own `AT+QMTCONN?` (sharing the module): its answer lines are the
/// application's, in every state the query reports (§3.4: 1 initializing, 2 connecting,
/// 3 connected, 4 disconnecting), and the session does not read them as a connect result.
#[test]
fn the_applications_state_query_gets_its_answer_and_leaves_the_session_alone() {
    for state in 1..=4u8 {
        let mut h = quectel_online_with(b"q/#", 2);
        let at = h.engine.at_command(b"AT+QMTCONN?", 5_000).unwrap();
        h.tx(b"AT+QMTCONN?\r");
        let line = format!("+QMTCONN: 0,{state}");
        h.rx(format!("\r\n{line}\r\n\r\nOK\r\n").as_bytes());
        h.tx_nothing();
        let ev = h.take_events();
        assert_eq!(
            ev,
            [
                Ev::AtLine(at, line.into_bytes()),
                Ev::N(Notice::AtDone {
                    id: at,
                    status: Status::Ok,
                    code: 0
                }),
            ],
            "state {state}"
        );
        assert_eq!(h.engine.state(), State::Online);
    }
}
