//! Byte-exact transcripts of the Quectel dialect's publish (docs/quectel-simcom-at.md §3.6):
//! every QoS with its message id, results before their `OK`, `AT+QMTPUB` on firmware without
//! `AT+QMTPUBEX`, the "not sent" results, raw payloads after the prompt, and the size limits.
//! The rest of the normal flow is in tests/engine_quectel.rs.
mod common;

use cellmqtt::{LogKind, LossKind, Notice, RecoveryStep, State, Status, Subject};
use common::{
    quectel_boot, quectel_bring_online, quectel_close_and_cfg, quectel_config, quectel_online_with,
    quectel_open_connect, Ev, Harness, Sizes,
};

#[test]
fn publish_qos0_completes_at_ok_and_its_report_is_settled() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/0", b"zero 0", 0, false).unwrap();
    h.prompted(b"AT+QMTPUBEX=0,0,0,0,\"q/0\",6\r", b"zero 0");
    assert!(h.notices().is_empty());
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.take_events(), [Ev::N(Notice::Published { id })]);
    assert_eq!(h.engine.queued(), 0);
    h.rx(b"\r\n+QMTPUBEX: 0,0,0\r\n");
    // The report of the QoS 0 publish: neither a URC for the application nor a stray ack.
    assert!(h.take_events().is_empty());
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.lines_unknown), (0, 0));
    h.tx_nothing();
}

#[test]
fn publish_qos1_and_qos2_complete_at_their_own_id() {
    let mut h = quectel_online_with(b"q/#", 2);
    for qos in [1u8, 2] {
        let id = h.engine.publish(b"q/1", b"one 1", qos, true).unwrap();
        h.prompted(
            format!("AT+QMTPUBEX=0,{id},{qos},1,\"q/1\",5\r").as_bytes(),
            b"one 1",
        );
        h.rx(b"\r\nOK\r\n");
        // One QoS>0 publish in flight: nothing more, no completion until its report.
        h.engine.publish(b"q/2", b"x", 0, false).unwrap();
        h.tx_nothing();
        assert!(h.notices().is_empty());
        // A report with another id does not complete it, and is counted.
        let before = h.engine.stats().unexpected_acks;
        h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", id + 100).as_bytes());
        assert!(h.take_events().is_empty());
        assert_eq!(h.engine.stats().unexpected_acks, before + 1);
        // A retransmission notice of the right id is not the outcome.
        h.rx(format!("\r\n+QMTPUBEX: 0,{id},1,1\r\n").as_bytes());
        assert!(h.take_events().is_empty());
        h.tx_nothing();
        h.rx(format!("\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
        assert_eq!(h.notices(), [Notice::Published { id }]);
        // The QoS 0 publish behind it goes now.
        h.prompted(b"AT+QMTPUBEX=0,0,0,0,\"q/2\",1\r", b"x");
        h.rx(b"\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
        assert_eq!(h.notices().len(), 1);
    }
    let s = h.engine.stats();
    assert_eq!((s.publishes_done, s.unexpected_acks), (4, 2));
}

#[test]
fn publish_report_before_ok_is_kept() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/1", b"early", 1, false).unwrap();
    h.prompted(
        format!("AT+QMTPUBEX=0,{id},1,0,\"q/1\",5\r").as_bytes(),
        b"early",
    );
    h.rx(format!("\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    assert!(h.notices().is_empty());
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    assert_eq!(h.engine.stats().unexpected_acks, 0);
    h.tx_nothing();
}

/// A module that knows only `AT+QMTPUB` (BG96, BG770A; §3.6, §3.13 item 6: which part takes
/// which spelling is not documented) answers `AT+QMTPUBEX` with `ERROR`: the same publish goes
/// again by the six-argument `AT+QMTPUB`, and every later one goes so until the module reboots.
#[test]
fn a_module_without_qmtpubex_publishes_by_qmtpub_until_it_reboots() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/1", b"m", 1, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/1\",1\r").as_bytes());
    h.rx(b"\r\nERROR\r\n");
    h.prompted(format!("AT+QMTPUB=0,{id},1,0,\"q/1\",1\r").as_bytes(), b"m");
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUB: 0,{id},0\r\n").as_bytes());
    // The refusal is logged (as any refused command), and that is all.
    assert_eq!(
        h.notices(),
        [
            Notice::Log {
                kind: LogKind::CommandError,
                what: Subject::MPubEx,
                code: 0,
                reason: Status::Ok
            },
            Notice::Published { id }
        ]
    );
    let id = h.engine.publish(b"q/2", b"xy", 0, false).unwrap();
    h.prompted(b"AT+QMTPUB=0,0,0,0,\"q/2\",2\r", b"xy");
    h.rx(b"\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    h.tx_nothing();
    let s = h.engine.stats();
    assert_eq!(
        (s.mpub_fallbacks, s.publishes_done, s.unexpected_acks),
        (1, 2, 0)
    );
    // A rebooted module is asked by `AT+QMTPUBEX` first again.
    h.rx(b"\r\nRDY\r\n");
    quectel_boot(&mut h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    h.tx(b"AT+QMTSUB=0,1,\"q/#\",2\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
    let id = h.engine.publish(b"q/3", b"z", 0, false).unwrap();
    h.prompted(b"AT+QMTPUBEX=0,0,0,0,\"q/3\",1\r", b"z");
    h.rx(b"\r\nOK\r\n");
    assert!(h.notices().contains(&Notice::Published { id }));
}

/// Both spellings refused: the spelling was not the fault. The refusal counts as any refused
/// publish does (the session state decides, `AT+QMTCONN?`), and the next publish is asked by
/// `AT+QMTPUBEX` first again.
#[test]
fn a_publish_refused_by_both_spellings_is_a_refused_publish() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/1", b"m", 1, false).unwrap();
    let ex = format!("AT+QMTPUBEX=0,{id},1,0,\"q/1\",1\r");
    h.tx(ex.as_bytes());
    h.rx(b"\r\nERROR\r\n");
    h.tx(format!("AT+QMTPUB=0,{id},1,0,\"q/1\",1\r").as_bytes());
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    // Still connected: the publish goes again, by `AT+QMTPUBEX`.
    h.prompted(ex.as_bytes(), b"m");
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    assert!(h.notices().contains(&Notice::Published { id }));
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().mpub_fallbacks, 1);
}

/// `+QMTPUBEX: 0,<id>,2` (packet not sent): the link is in doubt; `AT+QMTCONN?` decides.
#[test]
fn publish_not_sent_while_connected_is_retried() {
    let mut h = quectel_online_with(b"q/#", 2);
    let id = h.engine.publish(b"q/1", b"m", 1, false).unwrap();
    let header = format!("AT+QMTPUBEX=0,{id},1,0,\"q/1\",1\r");
    h.prompted(header.as_bytes(), b"m");
    h.rx(b"\r\nOK\r\n");
    h.rx(format!("\r\n+QMTPUBEX: 0,{id},2\r\n").as_bytes());
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    // Still connected: the same publish, same id, goes again.
    h.prompted(header.as_bytes(), b"m");
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    // The verdict goes back through Restoring (pending filters first), as for Luat.
    assert_eq!(
        h.notices(),
        [
            Notice::State(State::Restoring),
            Notice::State(State::Online),
            Notice::Published { id }
        ]
    );
    assert_eq!(h.engine.state(), State::Online);
    let s = h.engine.stats();
    assert_eq!(
        (s.publish_retries, s.links_lost, s.unexpected_acks),
        (1, 0, 0)
    );
}

#[test]
fn publish_not_sent_with_the_link_gone_reconnects() {
    for answer in [&b"\r\n+QMTCONN: 0,1\r\n\r\nOK\r\n"[..], b"\r\nOK\r\n"] {
        let mut h = quectel_online_with(b"q/#", 2);
        let id = h.engine.publish(b"q/1", b"m", 2, false).unwrap();
        let header = format!("AT+QMTPUBEX=0,{id},2,0,\"q/1\",1\r");
        h.prompted(header.as_bytes(), b"m");
        h.rx(b"\r\nOK\r\n");
        h.rx(format!("\r\n+QMTPUBEX: 0,{id},2\r\n").as_bytes());
        h.tx(b"AT+QMTCONN?\r");
        h.rx(answer);
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
        common::quectel_bearer_already_active(&mut h);
        quectel_close_and_cfg(&mut h, false);
        quectel_open_connect(&mut h);
        h.tx(b"AT+QMTSUB=0,1,\"q/#\",2\r");
        h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,1,0,2\r\n");
        h.prompted(header.as_bytes(), b"m");
        h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
        let n = h.notices();
        assert!(n.contains(&Notice::Published { id }), "{n:?}");
        assert!(
            n.contains(&Notice::Subscribed {
                id: 1,
                restored: true
            }),
            "{n:?}"
        );
        assert_eq!(h.engine.stats().links_lost, 1);
    }
}

#[test]
fn hostile_payload_goes_raw_after_the_prompt() {
    let mut h = quectel_online_with(b"q/#", 2);
    let payload = b"a\"b\r\nc\0d\x1a\x1b,\"";
    let id = h.engine.publish(b"q/bin", payload, 0, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,0,0,0,\"q/bin\",{}\r", payload.len()).as_bytes());
    // Nothing of the payload before the prompt.
    h.tx_nothing();
    h.rx(b"\r\n> ");
    h.tx(payload);
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
}

#[test]
fn a_4096_byte_payload_is_sent_and_larger_or_empty_ones_are_refused() {
    let mut h = Harness::with_sizes(
        quectel_config(),
        Sizes {
            queue: 8192,
            ..Sizes::default()
        },
    );
    quectel_bring_online(&mut h);
    h.take_events();
    let payload: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    let id = h.engine.publish(b"big", &payload, 1, false).unwrap();
    h.prompted(
        format!("AT+QMTPUBEX=0,{id},1,0,\"big\",4096\r").as_bytes(),
        &payload,
    );
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    assert_eq!(h.notices(), [Notice::Published { id }]);
    let big = vec![b'x'; 4097];
    assert_eq!(
        h.engine.publish(b"big", &big, 0, false),
        Err(Status::PayloadTooLong)
    );
    assert_eq!(
        h.engine.publish(b"big", b"", 0, false),
        Err(Status::PayloadTooLong)
    );
    h.tx_nothing();
    assert_eq!(
        h.notices(),
        [Notice::Loss {
            kind: LossKind::PublishRejected,
            count: 2
        }]
    );
    assert_eq!(h.engine.stats().publishes_rejected, 2);
}
