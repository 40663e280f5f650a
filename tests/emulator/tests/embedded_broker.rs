//! `--embedded-broker`: QoS 0/1/2 end to end through rumqttd (only with
//! `--features embedded-broker`; `make emu-broker-test` runs it).
#![cfg(feature = "embedded-broker")]

mod common;

use common::*;

#[test]
fn qos2_round_trip_through_the_embedded_broker() {
    let port = free_port();
    let mut emu = Emu::start(&["--embedded-broker", &port.to_string()]);
    assert_eq!(emu.ready["broker"], format!("127.0.0.1:{port}"));
    let sub = Sub::start(port, "emb/#", 2);
    emu.boot_quiet();
    emu.mqtt_connect(port, "emu-embedded");
    let s = &mut emu.serial;
    s.cmd("AT+MPUB=\"emb/q2\",2,0,\"two\"", b"\r\nOK\r\n");
    s.expect(b"\r\nPUBREC\r\n\r\nPUBCOMP\r\n");
    let m = sub.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.payload.as_slice()),
        ("emb/q2", 2, &b"two"[..])
    );
    s.cmd(
        "AT+MPUB=\"emb/q1\",1,0,\"one\"",
        b"\r\nOK\r\n\r\nPUBACK\r\n",
    );
    assert_eq!(sub.expect_msg().payload, b"one".to_vec());
    // And the other way: a QoS 2 publish from another client arrives as +MSUB.
    s.cmd("AT+MSUB=\"emb/in\",2", b"\r\nOK\r\n");
    s.expect(b"\r\nSUBACK\r\n");
    publish(port, "emb/in", b"hi,\r\n", 2);
    s.expect(b"\r\n+MSUB: \"emb/in\",5 byte,hi,\r\n\r\n");
}
