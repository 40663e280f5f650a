//! Byte-exact transcripts of the SIMCom `AT+CMQTT*` dialect's normal flow
//! (docs/quectel-simcom-at.md §4): the service start in every documented shape, acquire and
//! connect with TLS and a will, the one-step subscribe with a retained message before its
//! result, publish at every QoS through the topic and payload prompts, incoming messages in
//! chunks, the session-state query, the configuration the family refuses, and the stop.
//! Failures and recovery are in tests/engine_simcom_recovery.rs.
mod common;

use cellmqtt::{ConfigField, Engine, LossKind, Notice, Options, State, Status};
use common::simcom::{self, config};
use common::{Ev, Harness, Sizes};

/// Online with `s/#` (QoS 1) subscribed as request 1, events taken.
fn online_with_sub() -> Harness {
    let mut h = Harness::new(config());
    assert_eq!(h.engine.subscribe(b"s/#", 1), Ok(1));
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    h
}

fn states(n: &[Notice]) -> Vec<State> {
    n.iter()
        .filter_map(|e| match e {
            Notice::State(s) => Some(*s),
            _ => None,
        })
        .collect()
}

fn no_logs(n: &[Notice]) -> bool {
    !n.iter().any(|e| matches!(e, Notice::Log { .. }))
}

// ---- 1. Start to online ----

#[test]
fn full_start_reaches_online_and_restores_subscription() {
    let mut h = Harness::new(config());
    h.engine.subscribe(b"s/#", 1).unwrap();
    h.start();
    // The A76xx boot lines come before the first answer (§2.2).
    h.rx(b"\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n");
    simcom::boot(&mut h);
    simcom::start_connect(&mut h);
    assert_eq!(h.engine.state(), State::Restoring);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Restoring);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    let urcs: Vec<&Ev> = ev.iter().filter(|e| matches!(e, Ev::Urc(_))).collect();
    assert_eq!(urcs, [&Ev::Urc(b"SMS DONE".to_vec())]);
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
    assert!(no_logs(&n), "{n:?}");
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
    assert_eq!(f.imei.get(), b"862205050000017");
    assert_eq!(f.iccid.get(), b"89860012345678901234");
    let s = h.engine.stats();
    assert_eq!((s.connects, s.command_errors, s.module_reboots), (1, 0, 0));
}

#[test]
fn start_result_after_ok_and_the_apn_before_it() {
    let mut c = config();
    c.apn = b"cmnet";
    let mut h = Harness::new(c);
    h.start();
    simcom::boot(&mut h);
    h.tx(b"AT+CGDCONT=1,\"IP\",\"cmnet\"\r");
    h.rx(b"\r\nOK\r\n");
    // A76xx: `OK` first, the result after it (§4.2); nothing goes before the result.
    h.tx(b"AT+CMQTTSTART\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSTART: 0\r\n");
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    assert!(no_logs(&h.notices()));
}

#[test]
fn start_of_a_running_service_is_success() {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    // `+CMQTTSTART: 23` (network is opened) with `ERROR`: the service already runs (§4.2).
    simcom::restart_service(&mut h);
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(no_logs(&n), "{n:?}");
    assert_eq!(h.engine.stats().command_errors, 0);
}

#[test]
fn connect_with_credentials_tls_and_will() {
    let mut c = config();
    c.options |= Options::TLS;
    c.tls.version = Some(4);
    c.tls.ca_file = b"ca.pem";
    c.tls.client_cert_file = b"cert.pem";
    c.tls.client_key_file = b"key.pem";
    c.tls.seclevel = Some(2);
    c.tls.sni = b"broker.example";
    c.username = b"user";
    c.password = b"pa,ss";
    c.will = Some(cellmqtt::config::WillConfig {
        topic: b"s/status",
        payload: b"off,line",
        qos: 1,
        retain: false,
    });
    let mut h = Harness::new(c);
    h.start();
    simcom::boot(&mut h);
    for cmd in [
        &b"AT+CSSLCFG=\"sslversion\",0,4\r"[..],
        b"AT+CSSLCFG=\"cacert\",0,\"ca.pem\"\r",
        b"AT+CSSLCFG=\"clientcert\",0,\"cert.pem\"\r",
        b"AT+CSSLCFG=\"clientkey\",0,\"key.pem\"\r",
        b"AT+CSSLCFG=\"authmode\",0,2\r",
        b"AT+CSSLCFG=\"enableSNI\",0,1\r",
    ] {
        h.tx(cmd);
        h.rx(b"\r\nOK\r\n");
    }
    simcom::start_service(&mut h);
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    // Server type 1 (SSL) selects TLS; the URL stays `tcp://` (§4.3, §4.12).
    h.tx(b"AT+CMQTTACCQ=0,\"s1\",1,4\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSSLCFG=0,0\r");
    h.rx(b"\r\nOK\r\n");
    // The will goes after prompts (§4.4).
    h.tx(b"AT+CMQTTWILLTOPIC=0,8\r");
    h.rx(b"\r\n>");
    h.tx(b"s/status");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTWILLMSG=0,8,1\r");
    h.rx(b"\r\n> ");
    h.tx(b"off,line");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1,\"user\",\"pa,ss\"\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    assert!(no_logs(&h.notices()));
}

// ---- 2. Subscribe ----

#[test]
fn a_retained_message_before_the_subscribe_result_is_delivered() {
    let mut h = online_with_sub();
    let id = h.engine.subscribe(b"r/+", 0).unwrap();
    simcom::subscribe(&mut h, b"r/+", 0);
    // The broker's retained message comes between `OK` and `+CMQTTSUB` (§4.6, S17).
    h.rx(&simcom::rx_message(b"r/1", b"kept", 1500));
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(
        h.take_events(),
        [
            Ev::Msg(b"r/1".to_vec(), b"kept".to_vec()),
            Ev::N(Notice::Subscribed {
                id,
                restored: false
            })
        ]
    );
}

#[test]
fn unsubscribe_is_one_step() {
    let mut h = online_with_sub();
    let id = h.engine.unsubscribe(b"s/#").unwrap();
    h.tx(b"AT+CMQTTUNSUB=0,3,0\r");
    h.rx(b"\r\n>");
    h.tx(b"s/#");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTUNSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id,
            status: Status::Ok
        }]
    );
}

#[test]
fn a_subscribe_failure_between_two_oks_removes_the_filter() {
    let mut h = online_with_sub();
    let id = h.engine.subscribe(b"deny/#", 1).unwrap();
    simcom::subscribe(&mut h, b"deny/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,6\r\n\r\nOK\r\n");
    // The link is in doubt: the session asks, and the module says it is still connected.
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    h.tx_nothing();
    let n = h.notices();
    assert!(
        n.contains(&Notice::SubscribeFailed {
            id,
            reason: Status::LinkLost
        }),
        "{n:?}"
    );
    assert_eq!(h.engine.state(), State::Online);
}

// ---- 3. Publish ----

#[test]
fn publish_at_every_qos_with_a_binary_payload() {
    let mut h = online_with_sub();
    let payload: &[u8] = b"\x00\r\n\"OK\"\r\n\xff>\x1a";
    for qos in 0..=2u8 {
        let id = h.engine.publish(b"s/bin", payload, qos, qos == 1).unwrap();
        simcom::publish(&mut h, b"s/bin", payload, qos, qos == 1);
        h.rx(b"\r\nOK\r\n");
        // The result after `OK` decides, at QoS 0 too (§4.7).
        h.tx_nothing();
        assert!(h.notices().is_empty());
        h.rx(b"\r\n+CMQTTPUB: 0,0\r\n");
        h.tx_nothing();
        assert_eq!(h.notices(), [Notice::Published { id }], "qos {qos}");
    }
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.command_errors), (0, 0));
}

#[test]
fn an_empty_payload_skips_the_payload_command() {
    let mut h = online_with_sub();
    let id = h.engine.publish(b"s/e", b"", 1, false).unwrap();
    simcom::publish(&mut h, b"s/e", b"", 1, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
}

#[test]
fn publishes_go_one_at_a_time() {
    let mut h = online_with_sub();
    let a = h.engine.publish(b"s/a", b"1", 1, false).unwrap();
    let b = h.engine.publish(b"s/b", b"2", 1, false).unwrap();
    simcom::publish(&mut h, b"s/a", b"1", 1, false);
    h.rx(b"\r\nOK\r\n");
    // No id in the result: the next waits for it (§6.3).
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTPUB: 0,0\r\n");
    simcom::publish(&mut h, b"s/b", b"2", 1, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Published { id: a }, Notice::Published { id: b }]
    );
}

#[test]
fn a_large_payload_is_sent_whole_after_its_prompt() {
    let mut h = Harness::with_sizes(
        config(),
        Sizes {
            queue: 16384,
            ..Sizes::default()
        },
    );
    simcom::bring_online(&mut h);
    let payload: Vec<u8> = (0..4100u32).map(|i| (i * 7) as u8).collect();
    let id = h.engine.publish(b"s/big", &payload, 1, false).unwrap();
    simcom::publish(&mut h, b"s/big", &payload, 1, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    assert!(h.notices().contains(&Notice::Published { id }));
}

// ---- 4. Incoming messages ----

#[test]
fn incoming_payload_with_lf_quotes_and_binary_split_at_every_byte() {
    let mut h = online_with_sub();
    let payload = b"{\n \"a\": \"x\",\r\n\x00\xff+CMQTTRXEND: 0\r\n}";
    let wire = simcom::rx_message(b"s/cmd", payload, 1500);
    let want = [Ev::Msg(b"s/cmd".to_vec(), payload.to_vec())];
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
fn incoming_chunks_a_long_topic_and_an_empty_payload() {
    let mut h = Harness::with_sizes(
        config(),
        Sizes {
            line: 8192,
            ..Sizes::default()
        },
    );
    simcom::bring_online(&mut h);
    h.take_events();
    // Payload chunks of 1500 (S18).
    let big: Vec<u8> = (0..4000u32).map(|i| (i % 251) as u8).collect();
    simcom::feed(&mut h, &simcom::rx_message(b"s/big", &big, 1500));
    let ev = h.take_events();
    assert!(
        ev == [Ev::Msg(b"s/big".to_vec(), big)],
        "{} events",
        ev.len()
    );
    // A topic in three chunks.
    let topic = b"s/a/very/long/topic";
    h.rx(&simcom::rx_message(topic, b"t", 7));
    assert_eq!(h.take_events(), [Ev::Msg(topic.to_vec(), b"t".to_vec())]);
    // No payload part at all for an empty payload (§4.8).
    h.rx(b"\r\n+CMQTTRXSTART: 0,3,0\r\n+CMQTTRXTOPIC: 0,3\r\ns/e\r\n+CMQTTRXEND: 0\r\n");
    assert_eq!(h.take_events(), [Ev::Msg(b"s/e".to_vec(), vec![])]);
    // The vendor's framing, without blank lines and with the bytes right after the count.
    h.rx(b"+CMQTTRXSTART: 0,3,2\r\n+CMQTTRXTOPIC: 0,3\r\ns/v+CMQTTRXPAYLOAD: 0,2\r\nhi+CMQTTRXEND: 0\r\n");
    assert_eq!(h.take_events(), [Ev::Msg(b"s/v".to_vec(), b"hi".to_vec())]);
    h.tx_nothing();
}

#[test]
fn a_message_larger_than_the_buffer_is_counted_and_the_stream_goes_on() {
    let mut h = online_with_sub();
    let big = vec![b'x'; 3000];
    let mut wire = simcom::rx_message(b"s/big", &big, 1500);
    wire.extend_from_slice(&simcom::rx_message(b"s/n", b"next", 1500));
    simcom::feed(&mut h, &wire);
    assert_eq!(
        h.take_events(),
        [
            Ev::N(Notice::Loss {
                kind: LossKind::MessageTooLarge,
                count: 1
            }),
            Ev::Msg(b"s/n".to_vec(), b"next".to_vec())
        ]
    );
    assert_eq!(h.engine.stats().messages_too_large, 1);
}

#[test]
fn a_broken_message_is_lost_and_counted_never_silently() {
    let mut h = online_with_sub();
    // A URC where the next part should be: the message is lost, the URC is handled.
    h.rx(b"\r\n+CMQTTRXSTART: 0,3,5\r\n+CMQTTRXTOPIC: 0,3\r\ns/x\r\n+CMQTTPING: 0,17\r\n");
    let n = h.notices();
    assert!(
        n.contains(&Notice::Loss {
            kind: LossKind::MessageTooLarge,
            count: 1
        }),
        "{n:?}"
    );
    assert_eq!(h.engine.state(), State::Recovering, "{n:?}");
    // A start line with totals out of range is reported corrupt.
    let mut h = online_with_sub();
    h.rx(b"\r\n+CMQTTRXSTART: 0,0,5\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Loss {
            kind: LossKind::MessageCorrupt,
            count: 1
        }]
    );
}

// ---- 5. Session state, configuration, stop ----

#[test]
fn session_state_query_reads_zero_as_connected() {
    let mut h = online_with_sub();
    h.advance(60_000);
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    h.tx_nothing();
    assert!(h.notices().is_empty());
    assert_eq!(h.engine.state(), State::Online);
    h.advance(60_000);
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,1\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Recovering);
}

#[test]
fn a_window_and_cache_mode_are_refused() {
    let check = |c: cellmqtt::Config<'static>| {
        Engine::check_setup(&c, 1024, 1024, 1024).map_err(|e| (e.field, e.status))
    };
    let mut c = config();
    c.publish_window = 4;
    // Results carry no message id (§6.3): one publish at a time.
    assert_eq!(
        check(c),
        Err((ConfigField::PublishWindow, Status::Unsupported))
    );
    let mut c = config();
    c.options |= Options::CACHE_MODE;
    assert_eq!(check(c), Err((ConfigField::Options, Status::Unsupported)));
    assert_eq!(check(config()), Ok(cellmqtt::dialect::Dialect::Simcom));
}

/// A stop from online: `AT+CMQTTDISC` answered `disc`, `AT+CMQTTREL`, `AT+CMQTTSTOP` answered
/// `stop`; the session ends stopped and passes none of the answers on as URCs.
fn stop_answered(disc: &[u8], stop: &[u8]) {
    let mut h = online_with_sub();
    h.engine.stop(h.now);
    h.tx(b"AT+CMQTTDISC=0,60\r");
    h.rx(disc);
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
    h.rx(stop);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);
    let ev = h.take_events();
    assert!(!ev.iter().any(|e| matches!(e, Ev::Urc(_))), "{ev:?}");
}

#[test]
fn stop_disconnects_releases_and_stops_the_service() {
    stop_answered(
        b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n",
        b"\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n",
    );
}

/// The SIM7600 order of the stop's result (§4.2, S02): `+CMQTTSTOP: 0`, then `OK`.
#[test]
fn stop_with_the_result_before_its_ok() {
    stop_answered(
        b"\r\n+CMQTTDISC: 0,0\r\n\r\nOK\r\n",
        b"\r\n+CMQTTSTOP: 0\r\n\r\nOK\r\n",
    );
}

/// §4.11: `AT+CMQTTDISC` is answered `OK`, and its result `+CMQTTDISC: 0,<err>` follows, as
/// every SIMCom result does after its `OK` (§4.5, §4.7). The client is released once the
/// module reports the disconnect done, not while the DISCONNECT is still going out; without a
/// result, after a command's time (and the host is told to sleep no longer than that).
#[test]
fn stop_releases_the_client_after_the_disconnect_result() {
    let mut h = online_with_sub();
    h.engine.stop(h.now);
    h.tx(b"AT+CMQTTDISC=0,60\r");
    h.rx(b"\r\nOK\r\n");
    h.advance(100);
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n");
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Stopped);

    let mut h = online_with_sub();
    h.engine.stop(h.now);
    h.tx(b"AT+CMQTTDISC=0,60\r");
    h.rx(b"\r\nOK\r\n");
    let wait = config().timeouts.command_ms;
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), wait);
    h.quiet_for(wait);
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
    h.rx(b"\r\n+CMQTTSTOP: 0\r\n\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
}

/// The whole A76xx boot of §2.2 (S14, S15) while the session starts: SIM errors before
/// `+CPIN: READY`, the STK and PDN notices; the SIM is asked again until it is ready.
#[test]
fn the_a76xx_boot_with_sim_errors_and_pdn_notices() {
    let mut h = Harness::new(config());
    h.start();
    h.rx(b"\r\n*ATREADY: 1\r\n");
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: SIM busy\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: 14\r\n");
    h.rx(b"\r\n+CPIN: READY\r\n\r\n+MSTK: 3,\"D0\"\r\n\r\nSMS DONE\r\n");
    h.rx(b"\r\n+CGEV: EPS PDN ACT 1\r\n\r\n+CGEV: ME PDN ACT 8,4\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    for (cmd, answer) in simcom::IDENTITY {
        h.tx(cmd);
        h.rx(answer);
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    simcom::start_connect(&mut h);
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(
        !n.iter().any(|e| matches!(e, Notice::Recovery { .. })),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().module_reboots, 0);
}

/// The stop's other documented shapes (§4.2, W4): `ERROR` then the result, and a bare `ERROR`
/// (S02: error 9 when the service is not running): the session stops either way.
#[test]
fn stop_when_the_service_stop_fails() {
    for answer in [&b"\r\nERROR\r\n\r\n+CMQTTSTOP: 9\r\n"[..], b"\r\nERROR\r\n"] {
        stop_answered(b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n", answer);
    }
}

/// The application's own `AT+CMQTTDISC?` (sharing the module): its answer lines are the
/// application's (§4.5: a state per client, 0 connected), not a disconnect result of the
/// session's.
#[test]
fn the_applications_state_query_gets_its_answer() {
    let mut h = online_with_sub();
    let at = h.engine.at_command(b"AT+CMQTTDISC?", 5_000).unwrap();
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        ev,
        [
            Ev::AtLine(at, b"+CMQTTDISC: 0,0".to_vec()),
            Ev::AtLine(at, b"+CMQTTDISC: 1,1".to_vec()),
            Ev::N(Notice::AtDone {
                id: at,
                status: Status::Ok,
                code: 0
            }),
        ]
    );
    assert_eq!(h.engine.state(), State::Online);
}

/// A subscribe whose result did not come within `ack_ms` failed (the link was up). Its result
/// may still come (the module's own wait is longer), while the next subscribe's command is
/// out and its filter not yet: SIMCom results name no request, so it must not confirm that
/// subscribe, which the module does not have yet; its own result decides (here a refusal).
#[test]
fn a_late_result_of_a_given_up_subscribe_does_not_confirm_the_next() {
    let mut h = online_with_sub();
    let a = h.engine.subscribe(b"a/#", 1).unwrap();
    simcom::subscribe(&mut h, b"a/#", 1);
    h.tx_nothing();
    h.advance(config().timeouts.ack_ms);
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\nOK\r\n");
    let failed = Notice::SubscribeFailed {
        id: a,
        reason: Status::Timeout,
    };
    assert!(h.notices().contains(&failed));
    let b = h.engine.subscribe(b"b/#", 1).unwrap();
    h.tx(b"AT+CMQTTSUB=0,3,1\r");
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n"); // A's result, late
    h.rx(b"\r\n>");
    h.tx(b"b/#");
    h.rx(b"\r\nOK\r\n");
    let confirmed = Notice::Subscribed {
        id: b,
        restored: false,
    };
    assert!(
        !h.notices().contains(&confirmed),
        "B confirmed by A's result"
    );
    h.rx(b"\r\n+CMQTTSUB: 0,6\r\n"); // B's own: refused
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\nOK\r\n");
    let refused = Notice::SubscribeFailed {
        id: b,
        reason: Status::LinkLost,
    };
    assert!(h.notices().contains(&refused));
    assert_eq!(h.engine.stats().unexpected_acks, 1);
}
