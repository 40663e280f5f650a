//! Recovery transcripts of the Quectel `AT+QMT*` dialect (docs/quectel-simcom-at.md §3.8,
//! §5.2): `+QMTSTAT` and `+QIURC: "pdpdeact"` with the vendor's bearer restore, broker-side
//! failures that never touch the module (with their jittered back-off), module-side ones that
//! climb the ladder, and reboots that redo the per-boot TLS settings.
mod common;

use cellmqtt::{LogKind, Notice, Options, Pin, Pins, RecoveryStep, State, Status, Subject};
use common::{
    quectel_boot, quectel_bring_online, quectel_close_and_cfg, quectel_config, quectel_mqtt_cfg,
    quectel_open_connect, recoveries, Ev, Harness,
};

const OPEN: &[u8] = b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r";
const CONN: &[u8] = b"AT+QMTCONN=0,\"q1\"\r";
const SUB: &[u8] = b"AT+QMTSUB=0,1,\"q/#\",1\r";

/// Online with `q/#` (QoS 1) subscribed as request 1, events taken.
fn online(c: cellmqtt::Config<'static>) -> Harness {
    let mut h = Harness::new(c);
    h.engine.subscribe(b"q/#", 1).unwrap();
    quectel_bring_online(&mut h);
    h.tx(SUB);
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
    h.take_events();
    h
}

/// Every pin wired, so a test can see none is used.
fn all_pins() -> cellmqtt::Config<'static> {
    let mut c = quectel_config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// The configuration with TLS: a CA file, server verification and SNI (`AT+QSSLCFG` items of
/// SSL context 1, once per boot).
fn tls_config() -> cellmqtt::Config<'static> {
    let mut c = quectel_config();
    c.options |= Options::TLS;
    c.tls.ca_file = b"UFS:ca.pem";
    c.tls.seclevel = Some(1);
    c.tls.sni = b"127.0.0.1";
    c
}

/// The per-boot TLS items of [`tls_config`], each answered `OK`.
fn ssl_items(h: &mut Harness) {
    for cmd in [
        &b"AT+QSSLCFG=\"cacert\",1,\"UFS:ca.pem\"\r"[..],
        b"AT+QSSLCFG=\"seclevel\",1,1\r",
        b"AT+QSSLCFG=\"sni\",1,1\r",
    ] {
        h.tx(cmd);
        h.rx(b"\r\nOK\r\n");
    }
}

/// The re-connect after a lost link, from the first command after the back-off: the bearer
/// is still active (`AT+QIACT=1` → `ERROR`, `AT+QIACT?` shows it), the client is closed, the
/// items re-sent, open, connect, and `q/#` restored.
fn reconnect_and_restore(h: &mut Harness, tls: bool) {
    common::quectel_bearer_already_active(h);
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTCLOSE: 0,0\r\n");
    quectel_mqtt_cfg(h, tls);
    quectel_open_connect(h);
    h.tx(SUB);
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
}

fn no_pins_no_cfun(h: &Harness, n: &[Notice]) {
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    let written = String::from_utf8_lossy(&h.uart.written);
    assert!(!written.contains("AT+CFUN"), "{written}");
}

// ---- 5. Link loss ----

#[test]
fn qmtstat_while_online_reconnects_without_touching_the_module() {
    // 1 closed by peer, 3/4 connect failed, 5 server closed, 6 send failures, 7 not alive,
    // 8 and unknown codes: a lost link; only 2 re-activates the bearer (below).
    // Under Miri, the ends of the list only (each case is a whole session).
    let codes: &[u16] = if cfg!(miri) {
        &[1, 9]
    } else {
        &[1, 3, 4, 5, 6, 7, 8, 9]
    };
    for &code in codes {
        let mut h = online(all_pins());
        let id = h.engine.publish(b"q/up", b"m", 1, false).unwrap();
        h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"m");
        h.rx(b"\r\nOK\r\n");
        h.rx(format!("\r\n+QMTSTAT: 0,{code}\r\n").as_bytes());
        let n = h.notices();
        assert_eq!(
            n,
            [
                Notice::Log {
                    kind: LogKind::LinkDown,
                    what: Subject::Closed,
                    code,
                    reason: Status::Ok
                },
                Notice::Recovery {
                    step: RecoveryStep::Reconnect,
                    reason: Status::LinkLost,
                    failures: 1
                },
                Notice::State(State::Recovering)
            ],
            "code {code}"
        );
        h.advance(999);
        h.tx_nothing();
        h.advance(1);
        reconnect_and_restore(&mut h, false);
        // The unconfirmed QoS 1 publish goes again with its id, and completes once.
        h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"m");
        h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
        let n = h.notices();
        assert!(
            n.contains(&Notice::Subscribed {
                id: 1,
                restored: true
            }),
            "{n:?}"
        );
        assert!(n.contains(&Notice::Published { id }), "{n:?}");
        no_pins_no_cfun(&h, &n);
        let s = h.engine.stats();
        assert_eq!(
            (s.links_lost, s.reconnects, s.publish_retries, s.connects),
            (1, 1, 1, 2)
        );
    }
}

#[test]
fn keepalive_failure_and_pdpdeact_reactivate_the_bearer_first() {
    let cases: [(&[u8], Subject, u16); 4] = [
        (b"\r\n+QMTSTAT: 0,2\r\n", Subject::Closed, 2),
        // The failed ping first (§3.8: the module then closes the link): the loss is already
        // being handled when the keepalive failure comes, which still restores the bearer.
        (
            b"\r\n+QMTPING: 0,1\r\n\r\n+QMTSTAT: 0,2\r\n",
            Subject::Closed,
            1,
        ),
        (b"\r\n+QIURC: \"pdpdeact\",1\r\n", Subject::PdpDeact, 1),
        // Both, as a module may print them: one failure, one restore.
        (
            b"\r\n+QIURC: \"pdpdeact\",1\r\n\r\n+QMTSTAT: 0,2\r\n",
            Subject::PdpDeact,
            1,
        ),
    ];
    for (urc, what, code) in cases {
        let mut h = online(all_pins());
        h.rx(urc);
        let n = h.notices();
        assert_eq!(
            n,
            [
                Notice::Log {
                    kind: LogKind::LinkDown,
                    what,
                    code,
                    reason: Status::Ok
                },
                Notice::Recovery {
                    step: RecoveryStep::Reconnect,
                    reason: Status::LinkLost,
                    failures: 1
                },
                Notice::State(State::Recovering)
            ],
            "{}",
            String::from_utf8_lossy(urc)
        );
        h.advance(1_000);
        h.tx(b"AT+QIDEACT=1\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+QMTCLOSE=0\r");
        h.rx(b"\r\nERROR\r\n");
        quectel_mqtt_cfg(&mut h, false);
        quectel_open_connect(&mut h);
        h.tx(SUB);
        h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
        h.tx_nothing();
        assert_eq!(h.engine.state(), State::Online);
        let n = h.notices();
        no_pins_no_cfun(&h, &n);
        assert_eq!(h.engine.stats().links_lost, 1);
        // The restore is done: the next lost link re-connects without it.
        h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
        h.advance(1_000);
        reconnect_and_restore(&mut h, false);
        h.tx_nothing();
        assert_eq!(h.engine.state(), State::Online);
    }
}

/// `+QIURC: "pdpdeact"` during a back-off fails nothing more, but the next open restores the
/// bearer first.
#[test]
fn pdpdeact_during_a_backoff_restores_the_bearer_at_the_next_open() {
    let mut h = online(all_pins());
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.take_events();
    h.rx(b"\r\n+QIURC: \"pdpdeact\",1\r\n");
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    h.advance(1_000);
    h.tx(b"AT+QIDEACT=1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    h.tx(SUB);
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().links_lost, 1);
}

/// `+QIURC: "pdpdeact",<cid>` for another context than 1, the one the session activates and
/// opens its client on (§3.1): the session's bearer is untouched, so the line only informs
/// (passed on); no re-connect, and no later open deactivates the healthy context 1.
#[test]
fn pdpdeact_of_another_context_leaves_the_session_alone() {
    let mut h = online(all_pins());
    h.rx(b"\r\n+QIURC: \"pdpdeact\",2\r\n");
    h.advance(1_000);
    h.tx_nothing();
    assert_eq!(
        h.take_events(),
        [Ev::Urc(b"+QIURC: \"pdpdeact\",2".to_vec())]
    );
    assert_eq!(h.engine.state(), State::Online);
    // The next loss re-connects without restoring a bearer that was never lost.
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1_000);
    reconnect_and_restore(&mut h, false);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().links_lost, 1);
}

/// `+QMTSUB: 0,<id>,2` (packet not sent): `AT+QMTCONN?` decides.
#[test]
fn subscribe_not_sent_is_verified() {
    let mut h = online(all_pins());
    let id = h.engine.subscribe(b"a/b", 0).unwrap();
    h.tx(format!("AT+QMTSUB=0,{id},\"a/b\",0\r").as_bytes());
    h.rx(b"\r\nOK\r\n");
    h.rx(format!("\r\n+QMTSUB: 0,{id},2\r\n").as_bytes());
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,4\r\n\r\nOK\r\n");
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

/// A "not sent" report (result 2) before the `OK` of its command (a URC before the final
/// result, §1) casts the same doubt as one after it: `AT+QMTCONN?` at once, no stray ack.
#[test]
fn not_sent_before_the_ok_of_its_command_is_verified_at_once() {
    for publish in [true, false] {
        let mut h = online(all_pins());
        if publish {
            let id = h.engine.publish(b"q/up", b"m", 1, false).unwrap();
            h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
            h.rx(b"\r\n> ");
            h.tx(b"m");
            h.rx(format!("\r\n+QMTPUBEX: 0,{id},2\r\n\r\nOK\r\n").as_bytes());
        } else {
            let id = h.engine.subscribe(b"a/b", 0).unwrap();
            h.tx(format!("AT+QMTSUB=0,{id},\"a/b\",0\r").as_bytes());
            h.rx(format!("\r\n+QMTSUB: 0,{id},2\r\n\r\nOK\r\n").as_bytes());
        }
        assert_eq!(h.engine.stats().unexpected_acks, 0);
        h.tx(b"AT+QMTCONN?\r");
    }
}

// ---- 6. Broker-side failures ----

/// Runs `cycles` failed connect attempts. Each starts with `AT+QMTOPEN` checked as sent and
/// is failed by `fail`; the back-off that follows must lie in the second half of its doubling
/// base (`jittered`) or be exactly the base; then the plain re-connect (`AT+QIACT=1`, the
/// close, the items) up to the next `AT+QMTOPEN`. Returns every notice.
fn fail_cycles(
    h: &mut Harness,
    cycles: usize,
    tls: bool,
    jittered: bool,
    fail: impl Fn(&mut Harness),
) -> (Vec<Notice>, Vec<u32>) {
    let mut all = vec![];
    let mut waits = vec![];
    let mut base = 1_000u32;
    for _ in 0..cycles {
        h.tx(OPEN);
        fail(h);
        let n = h.notices();
        assert_eq!(h.engine.state(), State::Recovering, "{n:?}");
        all.extend(n);
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        if jittered {
            assert!(
                (base / 2..=base).contains(&wait),
                "{wait} not in the second half of {base}"
            );
        } else {
            assert_eq!(wait, base);
        }
        waits.push(wait);
        base = (base * 2).min(60_000);
        h.quiet_for(wait);
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nOK\r\n");
        quectel_close_and_cfg(h, tls);
    }
    (all, waits)
}

/// Only re-connects, each for `reason`, each with its log entry; no pin, no `AT+CFUN`.
fn assert_broker_side(h: &Harness, n: &[Notice], reason: Status, what: Subject, code: u16) {
    no_pins_no_cfun(h, n);
    let steps = recoveries(n);
    assert_eq!(steps.len(), 3, "{n:?}");
    assert!(steps.iter().all(|s| *s == RecoveryStep::Reconnect), "{n:?}");
    let mut failures = 0;
    for e in n {
        match e {
            Notice::Recovery {
                reason: r,
                failures: f,
                ..
            } => {
                failures += 1;
                assert_eq!((*r, *f), (reason, failures));
            }
            Notice::Log {
                kind,
                what: w,
                code: c,
                reason: r,
            } => assert_eq!(
                (*kind, *w, *c, *r),
                (LogKind::BrokerFailure, what, code, reason),
                "{n:?}"
            ),
            Notice::State(s) => {
                assert!(matches!(s, State::Recovering | State::Connecting), "{n:?}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let s = h.engine.stats();
    assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
    assert_eq!(s.broker_failures, 3);
    assert_eq!(s.connect_failures, 3);
    assert_ne!(h.engine.state(), State::Failed);
}

fn prepared(c: cellmqtt::Config<'static>, tls: bool) -> Harness {
    let mut h = Harness::new(c);
    h.start();
    quectel_boot(&mut h, false);
    if tls {
        ssl_items(&mut h);
    }
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, tls);
    h.take_events();
    h
}

const NETWORK_FAILED: u16 = 0xFFFF;

#[test]
fn open_failed_ok_then_urc_is_unreachable() {
    let mut h = prepared(all_pins(), false);
    let (n, _) = fail_cycles(&mut h, 3, false, true, |h| {
        h.rx(b"\r\nOK\r\n");
        h.tx_nothing();
        h.rx(b"\r\n+QMTOPEN: 0,-1\r\n");
    });
    assert_broker_side(
        &h,
        &n,
        Status::BrokerUnreachable,
        Subject::ConnectFail,
        NETWORK_FAILED,
    );
    assert_eq!(h.engine.stats().command_errors, 0);
}

/// The other failure shape (§3.3, §3.13 item 3): the URC decides.
#[test]
fn open_failed_urc_then_error_is_unreachable() {
    let mut h = prepared(all_pins(), false);
    let (n, _) = fail_cycles(&mut h, 3, false, true, |h| {
        h.rx(b"\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n");
    });
    // The `ERROR` after the URC adds nothing (no command error: see the test below).
    assert!(!n.iter().any(|e| matches!(
        e,
        Notice::Log {
            kind: LogKind::CommandError,
            ..
        }
    )));
    assert_broker_side(
        &h,
        &n,
        Status::BrokerUnreachable,
        Subject::ConnectFail,
        NETWORK_FAILED,
    );
}

/// "The URC decides the outcome, the `ERROR` after it adds nothing" (§3.3, §5.1): no module
/// error is logged or counted for it.
#[test]
fn the_error_after_a_failed_open_adds_nothing() {
    for wire in [
        &b"\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n"[..],
        b"\r\n+QMTOPEN: 0,4\r\n\r\nERROR\r\n",
    ] {
        let mut h = prepared(all_pins(), false);
        h.tx(OPEN);
        h.rx(wire);
        let n = h.notices();
        assert!(
            !n.iter().any(|e| matches!(
                e,
                Notice::Log {
                    kind: LogKind::CommandError,
                    ..
                }
            )),
            "{n:?}"
        );
        assert_eq!(h.engine.stats().command_errors, 0);
    }
}

#[test]
fn open_failed_with_tls_on_is_a_tls_failure() {
    for result in [&b"-1"[..], b"5"] {
        let mut h = prepared(tls_config(), true);
        let wire = [&b"\r\nOK\r\n\r\n+QMTOPEN: 0,"[..], result, b"\r\n"].concat();
        let (n, _) = fail_cycles(&mut h, 3, true, true, |h| h.rx(&wire));
        let code = if result == b"5" { 5 } else { NETWORK_FAILED };
        assert_broker_side(&h, &n, Status::TlsFailed, Subject::ConnectFail, code);
    }
    // Without TLS, 5 (network connection error) is an unreachable broker.
    let mut h = prepared(quectel_config(), false);
    let (n, _) = fail_cycles(&mut h, 3, false, true, |h| {
        h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,5\r\n")
    });
    assert_broker_side(&h, &n, Status::BrokerUnreachable, Subject::ConnectFail, 5);
}

#[test]
fn open_failed_to_resolve_is_name_not_resolved() {
    for wire in [
        &b"\r\nOK\r\n\r\n+QMTOPEN: 0,4\r\n"[..],
        b"\r\n+QMTOPEN: 0,4\r\n\r\nERROR\r\n",
    ] {
        let mut h = prepared(all_pins(), false);
        let (n, _) = fail_cycles(&mut h, 3, false, true, |h| h.rx(wire));
        assert_broker_side(&h, &n, Status::NameNotResolved, Subject::ConnectFail, 4);
    }
}

#[test]
fn connack_refused_then_qmtstat_4_counts_once() {
    let mut h = prepared(all_pins(), false);
    let (n, _) = fail_cycles(&mut h, 3, false, true, |h| {
        h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        h.tx(CONN);
        h.rx(b"\r\nOK\r\n");
        h.tx_nothing();
        h.rx(b"\r\n+QMTCONN: 0,0,5\r\n\r\n+QMTSTAT: 0,4\r\n");
    });
    assert_broker_side(&h, &n, Status::BrokerRefused, Subject::MConnect, 5);
    let s = h.engine.stats();
    assert_eq!((s.links_lost, s.command_errors), (0, 0));
}

#[test]
fn connect_packet_not_sent_is_unreachable() {
    let mut h = prepared(all_pins(), false);
    let (n, _) = fail_cycles(&mut h, 3, false, true, |h| {
        h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
        h.tx(CONN);
        h.rx(b"\r\nOK\r\n\r\n+QMTCONN: 0,2\r\n");
    });
    assert_broker_side(&h, &n, Status::BrokerUnreachable, Subject::MConnect, 2);
}

/// Devices with other client ids pick other points of the back-off.
#[test]
fn broker_backoff_jitter_differs_per_device() {
    let waits = |id: &'static [u8]| {
        let mut c = quectel_config();
        c.client_id = id;
        let mut h = prepared(c, false);
        fail_cycles(&mut h, 4, false, true, |h| {
            h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n")
        })
        .1
    };
    let a = waits(b"q1");
    let b = waits(b"q2");
    assert_ne!(a, b);
}

#[test]
fn open_failed_on_the_module_side_climbs_the_ladder() {
    // 3: PDP activation failed (attach side); 1 wrong parameter, 2 client index busy: module.
    for (result, reason, kind) in [
        (3u16, Status::NotAttached, LogKind::LinkDown),
        (1, Status::ModuleError, LogKind::CommandError),
        (2, Status::ModuleError, LogKind::CommandError),
    ] {
        let mut h = prepared(quectel_config(), false);
        let wire = format!("\r\nOK\r\n\r\n+QMTOPEN: 0,{result}\r\n");
        let (n, waits) = fail_cycles(&mut h, 3, false, false, |h| h.rx(wire.as_bytes()));
        assert_eq!(waits, [1_000, 2_000, 4_000]);
        assert_eq!(recoveries(&n), [RecoveryStep::Reconnect; 3]);
        assert!(n.contains(&Notice::Log {
            kind,
            what: Subject::ConnectFail,
            code: result,
            reason: Status::Ok
        }));
        assert!(n.contains(&Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason,
            failures: 3
        }));
        // The fourth failure: no RESET pin, so the module's own reboot.
        h.tx(OPEN);
        h.rx(wire.as_bytes());
        let n = h.notices();
        assert!(
            n.contains(&Notice::Recovery {
                step: RecoveryStep::SoftReset,
                reason,
                failures: 4
            }),
            "{n:?}"
        );
        h.advance(8_000);
        h.tx(b"AT+CFUN=1,1\r");
        h.rx(b"\r\nOK\r\n");
        // The module reboots: probed from boot, everything again, identity included.
        h.tx(b"AT\r");
        h.rx(b"\r\nPOWERED DOWN\r\n\r\nRDY\r\n\r\nOK\r\n");
        h.tx(b"ATE0\r");
        h.rx(b"ATE0\r\r\nOK\r\n");
        h.tx(b"AT+CPIN?\r");
        h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
        for (cmd, answer) in common::QUECTEL_IDENTITY {
            h.tx(cmd);
            h.rx(answer);
        }
        h.tx(b"AT+CGATT?\r");
        h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nOK\r\n");
        quectel_close_and_cfg(&mut h, false);
        quectel_open_connect(&mut h);
        assert_eq!(h.engine.state(), State::Online);
        let s = h.engine.stats();
        assert_eq!((s.soft_resets, s.broker_failures), (1, 0));
    }
}

#[test]
fn open_failed_on_the_module_side_pulses_reset_where_wired() {
    let mut h = prepared(all_pins(), false);
    let wire = b"\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n";
    fail_cycles(&mut h, 3, false, false, |h| h.rx(wire));
    h.tx(OPEN);
    h.rx(wire);
    let n = h.notices();
    assert_eq!(recoveries(&n), [RecoveryStep::ResetPin]);
    h.advance(8_000);
    let n = h.notices();
    assert_eq!(
        common::pin_notices(&n),
        [Notice::Pin {
            pin: Pin::Reset,
            active: true
        }]
    );
    h.tx_nothing();
}

// ---- 7. Reboots and the per-boot TLS items ----

/// Online with TLS (the per-boot `AT+QSSLCFG` items after the attach).
fn online_tls() -> Harness {
    let mut h = Harness::new(tls_config());
    h.engine.subscribe(b"q/#", 1).unwrap();
    h.start();
    quectel_boot(&mut h, true);
    ssl_items(&mut h);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, true);
    quectel_open_connect(&mut h);
    h.tx(SUB);
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
    assert_eq!(h.engine.state(), State::Online);
    h.take_events();
    h
}

#[test]
fn a_plain_reconnect_does_not_resend_the_tls_items() {
    let mut h = online_tls();
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1_000);
    reconnect_and_restore(&mut h, true);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn a_reboot_mid_session_redoes_everything_with_identity_and_tls() {
    for boot in [&b"\r\nRDY\r\n"[..], b"\r\nPOWERED DOWN\r\n"] {
        let mut h = online_tls();
        let id = h.engine.publish(b"q/up", b"m", 1, false).unwrap();
        h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"m");
        h.rx(b"\r\nOK\r\n");
        h.rx(boot);
        let n = h.notices();
        assert_eq!(
            n,
            [
                Notice::Log {
                    kind: LogKind::ModuleRebooted,
                    what: Subject::Rdy,
                    code: 0,
                    reason: Status::Ok
                },
                Notice::Recovery {
                    step: RecoveryStep::Reinit,
                    reason: Status::LinkLost,
                    failures: 1
                },
                Notice::State(State::Probing)
            ],
            "{}",
            String::from_utf8_lossy(boot)
        );
        // The fresh module: echo on again, identity, the TLS items, no bearer deactivation.
        assert!(!h.engine.module_facts().read);
        quectel_boot(&mut h, true);
        ssl_items(&mut h);
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nOK\r\n");
        quectel_close_and_cfg(&mut h, true);
        quectel_open_connect(&mut h);
        h.tx(SUB);
        h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n");
        h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"m");
        h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
        let n = h.notices();
        assert!(n.contains(&Notice::Published { id }), "{n:?}");
        no_pins_no_cfun(&h, &n);
        assert_eq!(h.engine.stats().module_reboots, 1);
        assert_eq!(h.engine.state(), State::Online);
    }
}

#[test]
fn rdy_while_stopped_makes_the_next_start_redo_the_tls_items() {
    let mut h = online_tls();
    h.engine.stop(h.now);
    h.tx(b"AT+QMTDISC=0\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
    h.rx(b"\r\nRDY\r\n");
    h.take_events();
    h.start();
    quectel_boot(&mut h, true);
    ssl_items(&mut h);
    h.tx(b"AT+QIACT=1\r");
}

/// Echo that comes back after `ATE0` (a reboot we did not see) sends `ATE0` once more and
/// redoes the per-boot items at the next re-connect: for this family those are only the TLS
/// items (`Engine::prepared`: "message mode, data mode, SSL").
#[test]
fn echo_back_on_redoes_the_tls_items_at_the_next_reconnect() {
    let mut h = online_tls();
    h.engine.publish(b"q/up", b"m", 0, false).unwrap();
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/up\",1\r");
    h.rx(b"AT+QMTPUBEX=0,0,0,0,\"q/up\",1\r\r\n> ");
    h.tx(b"m");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1_000);
    ssl_items(&mut h);
    reconnect_and_restore(&mut h, true);
    h.tx_nothing();
    let ev = h.take_events();
    assert!(!ev.iter().any(|e| matches!(e, Ev::Urc(_))), "{ev:?}");
}

/// The `> ` prompt is lost on the line while the module waits for the data: after the
/// prompt's deadline the data goes anyway, so the publish completes, and no probe `AT` is
/// taken for the payload (and published in its place).
#[test]
fn a_lost_prompt_still_sends_the_data_not_a_probe() {
    let mut h = online(all_pins());
    let id = h.engine.publish(b"g/x", b"h0", 1, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"g/x\",2\r").as_bytes());
    let prompt_ms = cellmqtt::config::Timeouts::DEFAULT.prompt_ms;
    h.advance(prompt_ms - 1);
    h.tx_nothing();
    h.advance(1);
    h.tx(b"h0");
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(
        !n.iter().any(|e| matches!(e, Notice::Recovery { .. })),
        "{n:?}"
    );
    h.tx_nothing();
}

/// `+QMTPING: <c>,<result>` (§3.8: the keepalive failed and the module closed the link):
/// a lost link, re-connected without touching the module.
#[test]
fn a_failed_ping_reconnects_without_touching_the_module() {
    let mut h = online(all_pins());
    h.rx(b"\r\n+QMTPING: 0,1\r\n");
    let n = h.notices();
    assert!(
        n.contains(&Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason: Status::LinkLost,
            failures: 1
        }),
        "{n:?}"
    );
    h.advance(1_000);
    reconnect_and_restore(&mut h, false);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    no_pins_no_cfun(&h, &n);
}
