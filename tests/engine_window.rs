//! The publish window (`Config::publish_window`): where the dialect's acknowledgements carry
//! message ids (Quectel, docs/quectel-simcom-at.md §6.3), QoS 1/2 publishes go out without
//! waiting for the ones before them, up to the window; each acknowledgement completes the
//! publish with its id, in whatever order they come, exactly once; a lost link or an overdue
//! acknowledgement sends every unconfirmed one again, in order.
mod common;

use cellmqtt::{ConfigField, Engine, Notice, Profile, Status};
use common::{quectel_bring_online, quectel_config, quectel_mqtt_cfg, quectel_open_connect};
use common::{Harness, Sizes};

/// Online with the window set to `window`, nothing subscribed, events taken.
fn online(window: u8) -> Harness {
    let mut c = quectel_config();
    c.publish_window = window;
    let mut h = Harness::new(c);
    quectel_bring_online(&mut h);
    h.tx_nothing();
    h.take_events();
    h
}

/// Sends the publish `id` of one byte `m` on `q/w` at `qos`, up to its `OK`.
fn send(h: &mut Harness, id: u16, qos: u8) {
    h.tx(format!(
        "AT+QMTPUBEX=0,{},{qos},0,\"q/w\",1\r",
        if qos == 0 { 0 } else { id }
    )
    .as_bytes());
    h.rx(b"\r\n> ");
    h.tx(b"m");
    h.rx(b"\r\nOK\r\n");
}

fn published(n: &[Notice]) -> Vec<u16> {
    n.iter()
        .filter_map(|e| match e {
            Notice::Published { id } => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn publishes_go_ahead_up_to_the_window_and_complete_in_any_order() {
    let mut h = online(3);
    let ids: Vec<u16> = (0..5)
        .map(|_| h.engine.publish(b"q/w", b"m", 1, false).unwrap())
        .collect();
    // Three go out back to back; the fourth waits for room in the window.
    for &id in &ids[..3] {
        send(&mut h, id, 1);
    }
    h.tx_nothing();
    assert!(published(&h.notices()).is_empty());
    // Out of order: the third, then the first. Each frees one place in the window.
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[2]).as_bytes());
    assert_eq!(published(&h.notices()), [ids[2]]);
    send(&mut h, ids[3], 1);
    h.tx_nothing();
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[0]).as_bytes());
    assert_eq!(published(&h.notices()), [ids[0]]);
    send(&mut h, ids[4], 1);
    // A second report for one already confirmed completes nothing and is counted.
    let before = h.engine.stats().unexpected_acks;
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[2]).as_bytes());
    assert!(published(&h.notices()).is_empty());
    assert_eq!(h.engine.stats().unexpected_acks, before + 1);
    for &i in &[4usize, 1, 3] {
        h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[i]).as_bytes());
        assert_eq!(published(&h.notices()), [ids[i]]);
    }
    assert_eq!(h.engine.queued(), 0);
    assert_eq!(h.engine.stats().publishes_done, 5);
    h.tx_nothing();
}

#[test]
fn qos0_completes_at_ok_while_others_await() {
    let mut h = online(2);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let b = h.engine.publish(b"q/w", b"m", 0, false).unwrap();
    let c = h.engine.publish(b"q/w", b"m", 2, false).unwrap();
    send(&mut h, a, 1);
    send(&mut h, b, 0);
    h.rx(b"\r\n+QMTPUBEX: 0,0,0\r\n");
    assert_eq!(published(&h.notices()), [b]);
    send(&mut h, c, 2);
    h.tx_nothing();
    h.rx(format!("\r\n+QMTPUBEX: 0,{c},0\r\n\r\n+QMTPUBEX: 0,{a},0\r\n").as_bytes());
    assert_eq!(published(&h.notices()), [c, a]);
    assert_eq!(h.engine.queued(), 0);
}

#[test]
fn a_lost_link_sends_the_unconfirmed_ones_again_in_order_and_each_completes_once() {
    let mut h = online(3);
    let ids: Vec<u16> = (0..3)
        .map(|_| h.engine.publish(b"q/w", b"m", 1, false).unwrap())
        .collect();
    for &id in &ids {
        send(&mut h, id, 1);
    }
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[1]).as_bytes());
    assert_eq!(published(&h.notices()), [ids[1]]);
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n");
    h.advance(1000);
    common::quectel_bearer_already_active(&mut h);
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nOK\r\n");
    quectel_mqtt_cfg(&mut h, false);
    quectel_open_connect(&mut h);
    // The first and the third again (the second was confirmed), in order, within the window.
    send(&mut h, ids[0], 1);
    send(&mut h, ids[2], 1);
    h.tx_nothing();
    // A late report from before the loss, then the new ones: each publish completes once.
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[2]).as_bytes());
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[2]).as_bytes());
    h.rx(format!("\r\n+QMTPUBEX: 0,{},0\r\n", ids[0]).as_bytes());
    assert_eq!(published(&h.notices()), [ids[2], ids[0]]);
    assert_eq!(h.engine.stats().publishes_done, 3);
    assert_eq!(h.engine.queued(), 0);
}

#[test]
fn an_overdue_acknowledgement_asks_the_module_and_sends_the_window_again() {
    let mut h = online(2);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let b = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    send(&mut h, a, 1);
    send(&mut h, b, 1);
    let ack_ms = cellmqtt::config::Timeouts::DEFAULT.ack_ms;
    h.advance(ack_ms - 1);
    h.tx_nothing();
    h.advance(1);
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    // Still connected: both go again, in order.
    send(&mut h, a, 1);
    send(&mut h, b, 1);
    h.rx(format!("\r\n+QMTPUBEX: 0,{b},0\r\n\r\n+QMTPUBEX: 0,{a},0\r\n").as_bytes());
    assert_eq!(published(&h.notices()), [b, a]);
    assert_eq!(h.engine.queued(), 0);
}

#[test]
fn a_not_sent_report_for_one_ahead_sends_the_window_again() {
    let mut h = online(2);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let b = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    send(&mut h, a, 1);
    send(&mut h, b, 1);
    h.rx(format!("\r\n+QMTPUBEX: 0,{a},2\r\n").as_bytes());
    h.tx(b"AT+QMTCONN?\r");
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    send(&mut h, a, 1);
    send(&mut h, b, 1);
    h.rx(format!("\r\n+QMTPUBEX: 0,{a},0\r\n\r\n+QMTPUBEX: 0,{b},0\r\n").as_bytes());
    assert_eq!(published(&h.notices()), [a, b]);
}

#[test]
fn the_window_is_refused_where_acknowledgements_carry_no_id_or_when_too_large() {
    let sizes = Sizes::default();
    let mut c = common::config();
    assert_eq!(c.profile, Profile::Air724ug);
    c.publish_window = 2;
    assert_eq!(
        Engine::check_setup(&c, sizes.line, sizes.queue, sizes.subs).map_err(|e| e.field),
        Err(ConfigField::PublishWindow)
    );
    assert_eq!(c.validate(), Err(Status::Unsupported));
    c.publish_window = 1;
    assert_eq!(c.validate(), Ok(()));
    let mut q = quectel_config();
    q.publish_window = 8;
    assert_eq!(q.validate(), Ok(()));
    q.publish_window = 9;
    assert_eq!(
        Engine::check_setup(&q, sizes.line, sizes.queue, sizes.subs)
            .map_err(|e| (e.field, e.status)),
        Err((ConfigField::PublishWindow, Status::InvalidConfig))
    );
}
