//! Byte-exact transcripts of the normal flow (docs/luat-at.md §5, §7): start, subscribe, publish at
//! every QoS, receive in direct and cache mode.
mod common;

use cellmqtt::{Notice, Options, State, Status};
use common::{bring_online, config, Ev, Harness};

fn online_with_sub() -> Harness {
    let mut h = Harness::new(config());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    bring_online(&mut h);
    h.tx(b"AT+MSUB=\"dev/cmd\",1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nSUBACK\r\n");
    h
}

#[test]
fn full_start_reaches_online_and_restores_subscription() {
    let mut h = online_with_sub();
    let n = h.notices();
    assert!(
        n.contains(&Notice::Subscribed {
            id: 1,
            restored: false
        }),
        "{n:?}"
    );
    assert_eq!(n.last(), Some(&Notice::State(State::Online)));
    assert_eq!(h.engine.state(), State::Online);
    let states: Vec<_> = n
        .iter()
        .filter_map(|e| match e {
            Notice::State(s) => Some(*s),
            _ => None,
        })
        .collect();
    assert_eq!(
        states,
        [
            State::Probing,
            State::Preparing,
            State::Connecting,
            State::Restoring,
            State::Online
        ]
    );
}

#[test]
fn publish_qos0_completes_at_ok() {
    let mut h = online_with_sub();
    h.take_events();
    let id = h.engine.publish(b"dev/up", b"21.5", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"21.5\"\r");
    assert!(h.notices().is_empty());
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    assert_eq!(h.engine.queued(), 0);
}

#[test]
fn publish_qos1_waits_for_puback_and_keeps_order() {
    let mut h = online_with_sub();
    h.take_events();
    let a = h.engine.publish(b"dev/up", b"a", 1, false).unwrap();
    let b = h.engine.publish(b"dev/up", b"b", 1, true).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"a\"\r");
    h.rx(b"\r\nOK\r\n");
    // One QoS>0 publish in flight: nothing more until PUBACK.
    h.tx_nothing();
    assert!(h.notices().is_empty());
    h.rx(b"\r\nPUBACK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id: a }]);
    h.tx(b"AT+MPUB=\"dev/up\",1,1,\"b\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id: b }]);
}

#[test]
fn publish_qos2_completes_at_pubcomp_only() {
    let mut h = online_with_sub();
    h.take_events();
    let id = h.engine.publish(b"dev/up", b"x", 2, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",2,0,\"x\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBREC\r\n");
    assert!(h.notices().is_empty());
    h.rx(b"\r\nPUBCOMP\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
}

#[test]
fn payload_escaping_on_the_wire() {
    // Air780E documents `\5C` for a backslash (docs/luat-at.md §5.6).
    let mut c = config();
    c.profile = cellmqtt::Profile::Air780e;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.engine
        .publish(b"t", b"{\"a\":\"b\\c\"}\r\n", 0, false)
        .unwrap();
    h.tx(b"AT+MPUB=\"t\",0,0,\"{\\22a\\22:\\22b\\5Cc\\22}\\0D\\0A\"\r");
    h.rx(b"\r\nOK\r\n");
}

#[test]
fn binary_payload_goes_by_mpubex_with_prompt() {
    let mut h = online_with_sub();
    h.take_events();
    let payload = [0u8, 1, 2, 0x1a, 0xff, b'\r', b'\n', b'"'];
    let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,8\r");
    h.rx(b"\r\n> ");
    h.tx(&payload);
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nPUBACK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
}

#[test]
fn direct_message_with_crlf_quotes_and_commas_split_everywhere() {
    let mut h = online_with_sub();
    h.take_events();
    let wire = b"\r\n+MSUB: \"dev/cmd\",20 byte,{\r\n  \"msg\": \"a,b\"\r\n}\r\n\r\nPUBACK\r\n";
    for b in wire.iter() {
        h.rx(&[*b]);
    }
    let ev = h.take_events();
    assert_eq!(
        ev[0],
        Ev::Msg(
            b"dev/cmd".to_vec(),
            b"{\r\n  \"msg\": \"a,b\"\r\n}".to_vec()
        )
    );
    assert_eq!(h.engine.stats().messages_received, 1);
    // The stray PUBACK is counted, not taken for a publish.
    assert_eq!(h.engine.stats().unexpected_acks, 1);
}

#[test]
fn urc_between_command_and_ok_is_handled_and_ok_reaches_the_command() {
    let mut h = online_with_sub();
    h.take_events();
    let id = h.engine.publish(b"dev/up", b"v", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",0,0,\"v\"\r");
    h.rx(b"\r\n+MSUB: \"dev/cmd\",2 byte,hi\r\n\r\nOK\r\n");
    assert_eq!(
        h.take_events(),
        [
            Ev::Msg(b"dev/cmd".to_vec(), b"hi".to_vec()),
            Ev::N(Notice::Published { id })
        ]
    );
}

#[test]
fn cache_mode_reads_every_notice_and_counts_overwrites() {
    let mut c = config();
    c.options |= Options::CACHE_MODE;
    let mut h = Harness::new(c);
    h.start();
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    common::identify(&mut h);
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGSET=1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    h.take_events();
    // Two notices arrive while a publish is in flight; the read waits for the free slot.
    h.engine.publish(b"up", b"1", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"up\",0,0,\"1\"\r");
    h.rx(b"\r\n+MSUB: 0\r\n\r\n+MSUB: 1\r\n");
    h.tx_nothing();
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGGET\r");
    h.rx(b"\r\n+MSUB:a/b,3 byte,x,y\r\n+MSUB: \"a/c\",2 byte,\r\n\r\n\r\nOK\r\n");
    let ev = h.take_events();
    assert!(
        ev.contains(&Ev::Msg(b"a/b".to_vec(), b"x,y".to_vec())),
        "{ev:?}"
    );
    assert!(
        ev.contains(&Ev::Msg(b"a/c".to_vec(), b"\r\n".to_vec())),
        "{ev:?}"
    );
    // Five notices before a read: slot 0 is overwritten.
    h.engine.publish(b"up", b"2", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"up\",0,0,\"2\"\r");
    h.rx(b"\r\n+MSUB: 0\r\n\r\n+MSUB: 1\r\n\r\n+MSUB: 2\r\n\r\n+MSUB: 3\r\n\r\n+MSUB: 0\r\n");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.engine.stats().cache_overwritten, 1);
    assert!(h.notices().iter().any(|n| matches!(
        n,
        Notice::Loss {
            kind: cellmqtt::LossKind::CacheOverwritten,
            count: 1
        }
    )));
    h.tx(b"AT+MQTTMSGGET\r");
}

#[test]
fn subscribe_and_unsubscribe_at_run_time() {
    let mut h = online_with_sub();
    h.take_events();
    let s = h.engine.subscribe(b"a/+/c", 2).unwrap();
    h.tx(b"AT+MSUB=\"a/+/c\",2\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Subscribed {
            id: s,
            restored: false
        }]
    );
    let u = h.engine.unsubscribe(b"a/+/c").unwrap();
    h.tx(b"AT+MUNSUB=\"a/+/c\"\r");
    h.rx(b"\r\nOK\r\n\r\nUNSUBACK\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id: u,
            status: Status::Ok
        }]
    );
    assert_eq!(
        h.engine.unsubscribe(b"a/+/c"),
        Err(cellmqtt::Status::NotSubscribed)
    );
}

#[test]
fn uart_taking_few_bytes_at_a_time_still_sends_exact_commands() {
    let mut h = Harness::new(config());
    h.uart.chunk = Some(3);
    bring_online(&mut h);
    h.engine.publish(b"t", b"\"quoted\"", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",0,0,\"\\22quoted\\22\"\r");
}

#[test]
fn unsubscribing_a_filter_never_sent_needs_no_command() {
    let mut h = Harness::new(config());
    let s = h.engine.subscribe(b"x/#", 0).unwrap();
    // The subscribe had not gone out: the unsubscribe takes its request over, so the one
    // notice answers both calls.
    let u = h.engine.unsubscribe(b"x/#").unwrap();
    assert_eq!(s, u);
    h.poll();
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id: u,
            status: Status::Ok
        }]
    );
    bring_online(&mut h);
    // Nothing to restore: online without any MSUB/MUNSUB.
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn refused_publishes_are_counted_and_reported_once_per_poll() {
    let mut h = Harness::new(config());
    for _ in 0..20 {
        assert_eq!(
            h.engine.publish(b"bad/#", b"x", 0, false),
            Err(cellmqtt::Status::InvalidTopic)
        );
    }
    assert_eq!(h.engine.stats().publishes_rejected, 20);
    h.poll();
    assert_eq!(
        h.notices(),
        [Notice::Loss {
            kind: cellmqtt::LossKind::PublishRejected,
            count: 20
        }]
    );
    assert_eq!(h.engine.stats().events_dropped, 0);
}
