//! The Quectel profile (`--profile ec200u`) against a real mosquitto: boot lines, PDP set-up,
//! open, connect, subscribe, publish at every QoS to its own subscription, messages with the
//! length field, link loss through the control socket and re-open; and the failure results
//! of QMTOPEN / QMTCONN that a real broker and a real network produce.

mod common;

use common::*;

/// Waits until both patterns have arrived (their order between themselves is the broker's);
/// returns everything read up to the later one.
fn wait_both(s: &mut Serial, a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut got = s.wait_any(&[a, b], T).expect("neither pattern arrived");
    let other = if contains(&got, a) { b } else { a };
    if !contains(&got, other) {
        got.extend(s.wait_for(other, T));
    }
    got
}

/// An ec200u emulator, booted, attached, echo off, PDP context 1 active.
fn quectel(extra: &[&str]) -> Emu {
    let mut args = vec!["--profile", "ec200u"];
    args.extend_from_slice(extra);
    let mut emu = Emu::start(&args);
    emu.serial.expect(
        b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n",
    );
    emu.wait_attached();
    let s = &mut emu.serial;
    s.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    s.cmd("AT+QICSGP=1,1,\"cmnet\",\"\",\"\",1", b"\r\nOK\r\n");
    s.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    s.cmd("AT+QIACT=1", b"\r\nERROR\r\n");
    s.cmd(
        "AT+QIACT?",
        b"\r\n+QIACT: 1,1,1,\"10.64.12.34\"\r\n\r\nOK\r\n",
    );
    emu
}

fn open_and_connect(s: &mut Serial, port: u16, id: &str) {
    s.cmd(&format!("AT+QMTOPEN=0,\"127.0.0.1\",{port}"), b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTOPEN: 0,0\r\n");
    s.cmd(&format!("AT+QMTCONN=0,\"{id}\""), b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTCONN: 0,0,0\r\n");
}

/// `AT+QMTPUBEX` with its data; the command's own answer (prompt, OK) is checked here.
fn pubex(s: &mut Serial, msgid: u16, qos: u8, topic: &str, data: &[u8]) {
    s.cmd(
        &format!("AT+QMTPUBEX=0,{msgid},{qos},0,\"{topic}\",{}", data.len()),
        b"\r\n> ",
    );
    s.send(data);
    s.expect(b"\r\nOK\r\n");
}

#[test]
fn full_session_against_mosquitto() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "q/#", 2);
    let mut emu = quectel(&[]);
    let s = &mut emu.serial;
    s.cmd("AT+CGSN", b"\r\n864394040000017\r\n\r\nOK\r\n");
    s.cmd("AT+QMTCFG=\"recv/mode\",0,0,1", b"\r\nOK\r\n");
    s.cmd("AT+QMTCFG=\"keepalive\",0,60", b"\r\nOK\r\n");
    s.cmd("AT+QMTCFG=\"session\",0,1", b"\r\nOK\r\n");
    s.cmd("AT+QMTCONN?", b"\r\nOK\r\n");
    open_and_connect(s, broker.port, "emu-quectel");
    s.cmd("AT+QMTCONN?", b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    s.cmd(
        "AT+QMTOPEN?",
        format!(
            "\r\n+QMTOPEN: 0,\"127.0.0.1\",{}\r\n\r\nOK\r\n",
            broker.port
        )
        .as_bytes(),
    );
    s.cmd("AT+QMTSUB=0,1,\"q/#\",2", b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTSUB: 0,1,0,2\r\n");

    // QoS 0 to itself: result at once, then the message comes back with its length.
    let raw: &[u8] = b"a\"b\r\nc,\x1a";
    pubex(s, 0, 0, "q/0", raw);
    s.expect(b"\r\n+QMTPUBEX: 0,0,0\r\n");
    let mut want = format!("\r\n+QMTRECV: 0,0,\"q/0\",{},\"", raw.len()).into_bytes();
    want.extend_from_slice(raw);
    want.extend_from_slice(b"\"\r\n");
    s.expect(&want);

    // QoS 1 and 2: the result after the broker's acks; the copy comes back with the broker's
    // packet id (not known here) as msgid.
    for (msgid, qos, topic, body) in [(2u16, 1u8, "q/1", "one"), (3, 2, "q/2", "two")] {
        pubex(s, msgid, qos, topic, body.as_bytes());
        let result = format!("+QMTPUBEX: 0,{msgid},0\r\n");
        let recv_tail = format!(",\"{topic}\",3,\"{body}\"\r\n");
        let got = wait_both(s, result.as_bytes(), recv_tail.as_bytes());
        assert!(contains(&got, b"\r\n+QMTRECV: 0,"), "{}", show(&got));
        assert!(!contains(&got, b"+QMTRECV: 0,0,"), "QoS>0 has a msgid");
    }
    for (topic, qos, body) in [
        ("q/0", 0, raw),
        ("q/1", 1, &b"one"[..]),
        ("q/2", 2, &b"two"[..]),
    ] {
        let m = sub.expect_msg();
        assert_eq!(
            (m.topic.as_str(), m.qos, m.payload.as_slice()),
            (topic, qos, body)
        );
    }

    // A message from another client, with quotes and a line break, read by length.
    publish(broker.port, "q/ext", b"{\"k\":\"v\"}\r\nend", 0);
    s.expect(b"\r\n+QMTRECV: 0,0,\"q/ext\",14,\"{\"k\":\"v\"}\r\nend\"\r\n");

    s.cmd("AT+QMTUNS=0,4,\"q/#\"", b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTUNS: 0,4,0\r\n");

    // The broker connection drops: +QMTSTAT 1; re-open and connect again.
    emu.control_ok("close");
    let s = &mut emu.serial;
    s.expect(b"\r\n+QMTSTAT: 0,1\r\n");
    s.cmd("AT+QMTCONN?", b"\r\nOK\r\n");
    open_and_connect(s, broker.port, "emu-quectel");

    // Keepalive failure: +QMTSTAT 2; the context must be cycled before the next open.
    emu.control_ok("ping-fail");
    let s = &mut emu.serial;
    s.expect(b"\r\n+QMTSTAT: 0,2\r\n");
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n",
    );
    s.cmd("AT+QIDEACT=1", b"\r\nOK\r\n");
    s.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    open_and_connect(s, broker.port, "emu-quectel");

    // The network drops the context.
    emu.control_ok("pdn-deact");
    let s = &mut emu.serial;
    s.expect(b"\r\n+QIURC: \"pdpdeact\",1\r\n");
    s.cmd("AT+QIACT=1", b"\r\nOK\r\n");
    open_and_connect(s, broker.port, "emu-quectel");

    s.cmd("AT+QMTDISC=0", b"\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    s.cmd("AT+QMTCLOSE=0", b"\r\nERROR\r\n");
    s.expect_silence(std::time::Duration::from_millis(200));

    let st = emu.stats();
    assert_eq!(st["publishes_forwarded"], 3);
    assert_eq!(st["mqtt_connects"], 4);
    assert_eq!(st["acks_by_kind"]["QMTPUBEX"], 3);
    assert_eq!(st["acks_by_kind"]["QMTSUB"], 1);
}

#[test]
fn open_and_connect_failures_from_a_real_network_and_broker() {
    let broker = Mosquitto::start_with_users(&[("user", "secret")]);
    let mut emu = quectel(&["--connect-timeout-ms", "5000"]);
    let s = &mut emu.serial;
    // Nothing listens: -1.
    let closed_port = free_port();
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{closed_port}"),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\n+QMTOPEN: 0,-1\r\n");
    // A name that does not resolve: 4.
    s.cmd("AT+QMTOPEN=0,\"no-such-host.invalid\",1883", b"\r\nOK\r\n");
    s.wait_for(b"\r\n+QMTOPEN: 0,4\r\n", T);
    // Bad password: the broker's refusal, then +QMTSTAT 4.
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\n+QMTOPEN: 0,0\r\n");
    s.cmd("AT+QMTCONN=0,\"dev\",\"user\",\"wrong\"", b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTCONN: 0,0,5\r\n\r\n+QMTSTAT: 0,4\r\n");
    // The right password works on a new open.
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\n+QMTOPEN: 0,0\r\n");
    s.cmd("AT+QMTCONN=0,\"dev\",\"user\",\"secret\"", b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTCONN: 0,0,0\r\n");
    // CFUN reset: OK, then the boot lines again; everything is gone.
    s.cmd("AT+CFUN=1,1", b"\r\nOK\r\n");
    s.wait_for(b"\r\nRDY\r\n", T);
    s.wait_for(b"+QIND: PB DONE\r\n", T);
    s.cmd("AT+QMTCONN?", b"AT+QMTCONN?\r\r\nOK\r\n");
}

#[test]
fn qmtopen_error_after_two_field_conn_and_mqtt_3_1() {
    let broker = Mosquitto::start_with_users(&[("user", "secret")]);
    let mut emu = quectel(&["--qmtopen-error-after", "--qmtconn-two-fields"]);
    let s = &mut emu.serial;
    // MQTT 3.1 (MQIsdp, level 3): mosquitto still speaks it.
    s.cmd("AT+QMTCFG=\"version\",0,3", b"\r\nOK\r\n");
    let closed_port = free_port();
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{closed_port}"),
        b"\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n",
    );
    s.cmd(
        &format!("AT+QMTOPEN=0,\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n",
    );
    s.cmd("AT+QMTCONN=0,\"dev\",\"user\",\"secret\"", b"\r\nOK\r\n");
    s.expect(b"\r\n+QMTCONN: 0,0\r\n");
}
