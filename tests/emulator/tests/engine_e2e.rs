//! The real engine (Rust API) through the emulator to a real mosquitto: connect, subscribe,
//! publish QoS 0/1/2, receive, survive `close` and a `hang` cured by the RESET pin.
//! Waits are bounded reads on the serial socket, never fixed sleeps.
mod common;

use cellmqtt::{Notice, RecoveryStep};
use common::device::{Device, Seen};
use common::{Mosquitto, Sub, T};
use std::time::Duration;

#[test]
fn engine_publishes_all_qos_receives_and_recovers_from_close_and_hang() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "e2e/up", 2);
    let mut dev = Device::start(mosq.port, &[], |_| {});
    dev.engine.subscribe(b"e2e/down", 1).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online();

    for qos in 0..=2u8 {
        let id = dev
            .engine
            .publish(
                b"e2e/up",
                format!("q{qos} \"x\"\r\n").as_bytes(),
                qos,
                false,
            )
            .unwrap();
        dev.run_until(
            T,
            |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id),
        );
        let m = sub.expect_msg();
        assert_eq!(
            (m.topic.as_str(), m.qos, m.payload),
            ("e2e/up", qos, format!("q{qos} \"x\"\r\n").into_bytes())
        );
    }
    let binary: Vec<u8> = (0..=255u8).collect();
    let id = dev.engine.publish(b"e2e/up", &binary, 1, false).unwrap();
    dev.run_until(
        T,
        |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id),
    );
    assert_eq!(sub.expect_msg().payload, binary);

    common::publish(mosq.port, "e2e/down", b"to the device,\r\n\"quoted\"", 1);
    dev.run_until(
        T,
        |s| matches!(s, Seen::Msg(t, p) if t == "e2e/down" && p == b"to the device,\r\n\"quoted\""),
    );

    // The link drops: the engine re-connects and restores its subscription by itself.
    dev.control("close");
    dev.run_until(T, |s| {
        matches!(s, Seen::N(Notice::Subscribed { restored: true, .. }))
    });
    dev.online();
    let id = dev
        .engine
        .publish(b"e2e/up", b"after close", 1, false)
        .unwrap();
    dev.run_until(
        T,
        |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id),
    );
    assert_eq!(sub.expect_msg().payload, b"after close");

    // The module hangs: the next publish goes unanswered, the engine probes, pulses RESET.
    dev.control("hang");
    let id = dev
        .engine
        .publish(b"e2e/up", b"after hang", 1, false)
        .unwrap();
    dev.run_until(Duration::from_secs(15), |s| {
        matches!(
            s,
            Seen::N(Notice::Recovery {
                step: RecoveryStep::ResetPin,
                ..
            })
        )
    });
    dev.run_until(
        Duration::from_secs(20),
        |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id),
    );
    assert_eq!(sub.expect_msg().payload, b"after hang");
    let st = dev.engine.stats();
    assert_eq!(
        (st.reset_pulses, st.links_lost, st.publishes_failed),
        (1, 2, 0),
        "{st:?}"
    );
}
