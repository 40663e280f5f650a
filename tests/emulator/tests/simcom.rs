//! The SIMCom profiles (`--profile a7670`, `--profile sim7600`) against a real mosquitto: boot
//! lines, service, acquire, will, connect, both subscribe and unsubscribe forms, publish at
//! every QoS with binary payloads, incoming messages read by length (chunked, empty,
//! retained), TLS, and the failures a real broker, a real network and the control socket
//! produce, in each of the result shapes the sources disagree on.

mod common;

use std::process::Command;
use std::time::Duration;

use common::certs::make_certs;
use common::*;

const OK: &[u8] = b"\r\nOK\r\n";

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

/// A SIMCom emulator, booted, attached, echo off.
fn simcom(profile: &str, extra: &[&str]) -> Emu {
    let mut args = vec!["--profile", profile];
    args.extend_from_slice(extra);
    let mut emu = Emu::start(&args);
    let boot: &[u8] = if profile == "sim7600" {
        b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    } else {
        b"\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    };
    emu.serial.expect(boot);
    emu.wait_attached();
    emu.serial.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    emu
}

/// A command answered by a prompt, then its data, then `OK`. The A76xx prompt is `>`.
fn prompt(s: &mut Serial, cmd: &str, data: &[u8]) {
    s.cmd(cmd, b"\r\n>");
    s.send(data);
    s.expect(OK);
}

/// START (A76xx order), ACCQ and CONNECT to the broker.
fn start_and_connect(s: &mut Serial, port: u16, id: &str) {
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    s.cmd(&format!("AT+CMQTTACCQ=0,\"{id}\""), OK);
    connect(s, port);
}

fn connect(s: &mut Serial, port: u16) {
    s.cmd(
        &format!("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:{port}\",60,1"),
        OK,
    );
    s.expect(b"\r\n+CMQTTCONNECT: 0,0\r\n");
}

/// Topic and payload at their prompts, then `AT+CMQTTPUB`; checks the `OK`.
fn publish_at(s: &mut Serial, topic: &str, data: &[u8], qos: u8) {
    prompt(
        s,
        &format!("AT+CMQTTTOPIC=0,{}", topic.len()),
        topic.as_bytes(),
    );
    prompt(s, &format!("AT+CMQTTPAYLOAD=0,{}", data.len()), data);
    s.cmd(&format!("AT+CMQTTPUB=0,{qos},60"), OK);
}

/// The `+CMQTTRX*` sequence the module prints for a message (chunks of 1500).
fn rx(topic: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut v = format!(
        "\r\n+CMQTTRXSTART: 0,{},{}\r\n\r\n+CMQTTRXTOPIC: 0,{}\r\n",
        topic.len(),
        payload.len(),
        topic.len()
    )
    .into_bytes();
    v.extend_from_slice(topic);
    for chunk in payload.chunks(1500) {
        v.extend_from_slice(format!("\r\n\r\n+CMQTTRXPAYLOAD: 0,{}\r\n", chunk.len()).as_bytes());
        v.extend_from_slice(chunk);
    }
    v.extend_from_slice(b"\r\n\r\n+CMQTTRXEND: 0\r\n");
    v
}

/// mosquitto_pub with extra flags (`-r` retained, `-n` empty message).
fn mosquitto_pub(port: u16, topic: &str, args: &[&str]) {
    let st = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-t", topic])
        .args(args)
        .status()
        .expect("mosquitto_pub");
    assert!(st.success(), "mosquitto_pub failed");
}

#[test]
fn full_session_against_mosquitto() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "s/#", 2);
    let will = Sub::start(broker.port, "dev/lwt", 1);
    let mut emu = simcom(
        "a7670",
        &["--cmqttsub-rx-first", "off", "--cmqttpub-fail", "async"],
    );
    let s = &mut emu.serial;
    s.cmd("AT+NETOPEN", b"\r\nOK\r\n\r\n+NETOPEN: 0\r\n");
    s.cmd("AT+CMQTTREL=0", OK);
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    s.cmd("AT+CMQTTSTART", b"\r\nERROR\r\n\r\n+CMQTTSTART: 23\r\n");
    s.cmd("AT+CMQTTACCQ=0,\"emu-simcom\",0,4", OK);
    prompt(s, "AT+CMQTTWILLTOPIC=0,7", b"dev/lwt");
    prompt(s, "AT+CMQTTWILLMSG=0,4,1", b"gone");
    connect(s, broker.port);
    s.cmd(
        "AT+CMQTTDISC?",
        b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n",
    );

    // One-step subscribe.
    prompt(s, "AT+CMQTTSUB=0,3,2", b"s/#");
    s.expect(b"\r\n+CMQTTSUB: 0,0\r\n");

    // QoS 0 with every byte value: the result at once, then the copy read by length.
    let binary: Vec<u8> = (0..=255u8).collect();
    publish_at(s, "s/0", &binary, 0);
    s.expect(b"\r\n+CMQTTPUB: 0,0\r\n");
    s.expect(&rx(b"s/0", &binary));
    // QoS 1 and 2: the result after the broker's acks, the copy in the broker's order.
    for (qos, topic, body) in [(1u8, "s/1", &b"o\"n\r\ne"[..]), (2, "s/2", b"two")] {
        publish_at(s, topic, body, qos);
        let got = wait_both(s, b"\r\n+CMQTTPUB: 0,0\r\n", b"+CMQTTRXEND: 0\r\n");
        assert!(
            contains(&got, &rx(topic.as_bytes(), body)),
            "{}",
            show(&got)
        );
    }
    // Topic and payload are gone after each PUB.
    s.cmd(
        "AT+CMQTTPUB=0,1,60",
        b"\r\n+CMQTTPUB: 0,18\r\n\r\nERROR\r\n",
    );
    for (topic, qos, body) in [
        ("s/0", 0, &binary[..]),
        ("s/1", 1, b"o\"n\r\ne"),
        ("s/2", 2, b"two"),
    ] {
        let m = sub.expect_msg();
        assert_eq!(
            (m.topic.as_str(), m.qos, m.payload.as_slice()),
            (topic, qos, body)
        );
    }

    // From another client: 3200 bytes in 1500-byte chunks, and an empty message.
    let big: Vec<u8> = (0..3200u32).map(|i| (i % 253) as u8).collect();
    publish(broker.port, "s/big", &big, 1);
    s.expect(&rx(b"s/big", &big));
    mosquitto_pub(broker.port, "s/empty", &["-n"]);
    s.expect(
        b"\r\n+CMQTTRXSTART: 0,7,0\r\n\r\n+CMQTTRXTOPIC: 0,7\r\ns/empty\r\n\r\n+CMQTTRXEND: 0\r\n",
    );
    assert_eq!(sub.expect_msg().payload.len(), 3200);
    assert!(sub.expect_msg().payload.is_empty());

    // Two-step unsubscribe: nothing arrives afterwards.
    prompt(s, "AT+CMQTTUNSUBTOPIC=0,3", b"s/#");
    s.cmd("AT+CMQTTUNSUB=0,0", OK);
    s.expect(b"\r\n+CMQTTUNSUB: 0,0\r\n");
    publish(broker.port, "s/x", b"late", 0);
    assert_eq!(sub.expect_msg().payload, b"late".to_vec());
    s.expect_silence(Duration::from_millis(200));

    // A clean stop: DISC, REL, STOP; no will.
    s.cmd("AT+CMQTTDISC=0,120", b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
    s.cmd("AT+CMQTTREL=0", OK);
    s.cmd("AT+CMQTTSTOP", b"\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");
    assert!(
        will.next(Duration::from_millis(300)).is_none(),
        "no will after DISC"
    );

    let st = emu.stats();
    assert_eq!(st["publishes_forwarded"], 3);
    assert_eq!(st["messages_delivered"], 5);
    assert_eq!(st["acks_by_kind"]["CMQTTPUB"], 3);
    assert_eq!(st["acks_by_kind"]["CMQTTSUB"], 1);
    assert_eq!(st["acks_by_kind"]["CMQTTUNSUB"], 1);
}

#[test]
fn retained_messages_around_the_subscribe_result() {
    let broker = Mosquitto::start();
    mosquitto_pub(broker.port, "r/a", &["-r", "-m", "kept"]);
    for (first, id) in [("on", "emu-r1"), ("off", "emu-r2")] {
        let mut emu = simcom("a7670", &["--cmqttsub-rx-first", first]);
        let s = &mut emu.serial;
        start_and_connect(s, broker.port, id);
        // Two-step subscribe.
        prompt(s, "AT+CMQTTSUBTOPIC=0,3,1", b"r/#");
        s.cmd("AT+CMQTTSUB=0", OK);
        let (a, b) = (rx(b"r/a", b"kept"), b"\r\n+CMQTTSUB: 0,0\r\n".to_vec());
        let mut want = if first == "on" { a.clone() } else { b.clone() };
        want.extend(if first == "on" { b } else { a });
        s.expect(&want);
    }
}

#[test]
fn connect_failures_from_a_real_network_and_broker() {
    let broker = Mosquitto::start_with_users(&[("user", "secret")]);
    let closed_port = free_port();
    let forms: [(&str, &[u8], &[u8]); 3] = [
        ("async", b"\r\nOK\r\n", b"\r\n+CMQTTCONNECT: 0,31\r\n"),
        ("sync", b"", b"\r\n+CMQTTCONNECT: 0,31\r\n\r\nERROR\r\n"),
        ("bare", b"", b"\r\nERROR\r\n"),
    ];
    for (form, first, then) in forms {
        let mut emu = simcom(
            "sim7600",
            &["--cmqttconnect-fail", form, "--connect-timeout-ms", "5000"],
        );
        let s = &mut emu.serial;
        // SIM7600: the URC before OK.
        s.cmd("AT+CMQTTSTART", b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
        s.cmd("AT+CMQTTACCQ=0,\"dev\"", OK);
        // Bad password: mosquitto answers CONNACK 5 (not authorised), err 31.
        s.cmd(
            &format!(
                "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:{}\",60,1,\"user\",\"x\"",
                broker.port
            ),
            first,
        );
        s.expect(then);
        if form != "async" {
            continue;
        }
        // Nothing listens: 3. A name that does not resolve: 25.
        s.cmd(
            &format!("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:{closed_port}\",60,1"),
            OK,
        );
        s.expect(b"\r\n+CMQTTCONNECT: 0,3\r\n");
        s.cmd(
            "AT+CMQTTCONNECT=0,\"tcp://no-such-host.invalid:1883\",60,1",
            OK,
        );
        s.wait_for(b"\r\n+CMQTTCONNECT: 0,25\r\n", T);
        // The right password works; the A76xx-style prompt is `> ` on SIM7600.
        s.cmd(
            &format!(
                "AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:{}\",60,1,\"user\",\"secret\"",
                broker.port
            ),
            OK,
        );
        s.expect(b"\r\n+CMQTTCONNECT: 0,0\r\n");
        s.cmd("AT+CMQTTTOPIC=0,1", b"\r\n> ");
        s.send(b"t");
        s.expect(OK);
    }
}

#[test]
fn faults_link_loss_network_loss_keepalive_refusal_reboot_hang() {
    let broker = Mosquitto::start();
    let will = Sub::start(broker.port, "f/lwt", 1);
    let mut emu = simcom(
        "a7670",
        &["--cmqttconnect-fail", "async", "--cmqttpub-fail", "async"],
    );
    let s = &mut emu.serial;
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    s.cmd("AT+CMQTTACCQ=0,\"emu-f\"", OK);
    prompt(s, "AT+CMQTTWILLTOPIC=0,5", b"f/lwt");
    prompt(s, "AT+CMQTTWILLMSG=0,4,1", b"lost");
    connect(s, broker.port);

    // The broker connection drops: CONNLOST 1, the broker publishes the will; the same
    // client connects again (§4.9).
    emu.control_ok("close");
    emu.serial.expect(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    assert_eq!(will.expect_msg().payload, b"lost".to_vec());
    connect(&mut emu.serial, broker.port);

    // A publish in flight when the link goes (broker frozen, so no PUBACK): S07's shape.
    broker.freeze(true);
    publish_at(&mut emu.serial, "f/p", b"x", 1);
    emu.control_ok("close");
    emu.serial
        .expect(b"\r\n+CMQTTPUB: 0,6\r\n\r\n+CMQTTCONNLOST: 0,1\r\n");
    broker.freeze(false);
    connect(&mut emu.serial, broker.port);

    // Keepalive failure.
    emu.control_ok("ping-fail");
    emu.serial.expect(b"\r\n+CMQTTPING: 0,17\r\n");
    connect(&mut emu.serial, broker.port);

    // The network drops: the service is down until START; the client stays acquired.
    emu.control_ok("pdn-deact");
    let s = &mut emu.serial;
    s.expect(b"\r\n+CMQTTNONET\r\n");
    s.cmd("AT+CMQTTSTOP", b"\r\nERROR\r\n\r\n+CMQTTSTOP: 9\r\n");
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    connect(s, broker.port);
    // `pdp-deact`: the connected client hears it first (cause 3, network closed).
    emu.control_ok("pdp-deact");
    let s = &mut emu.serial;
    s.expect(b"\r\n+CMQTTCONNLOST: 0,3\r\n\r\n+CMQTTNONET\r\n");
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    connect(s, broker.port);

    // Refused and unreachable without the broker.
    s.cmd("AT+CMQTTDISC=0,60", b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
    emu.control_ok("refuse");
    emu.control_ok("unreachable");
    let s = &mut emu.serial;
    let url = format!("AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:{}\",60,1", broker.port);
    s.cmd(&url, OK);
    let got = s
        .wait_any(&[b"0,3\r\n", b"0,26\r\n"], T)
        .expect("unreachable");
    assert!(contains(&got, b"\r\n+CMQTTCONNECT: 0,"), "{}", show(&got));
    s.cmd(&url, b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,31\r\n");
    connect(s, broker.port);

    // A spontaneous reboot: boot lines mid-session, everything gone.
    emu.control_ok("reboot");
    let s = &mut emu.serial;
    s.wait_for(b"\r\n*ATREADY: 1\r\n", T);
    s.wait_for(b"PB DONE\r\n", T);
    emu.wait_attached();
    let s = &mut emu.serial;
    s.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    s.cmd(
        "AT+CMQTTACCQ=0,\"emu-f\"",
        b"\r\n+CMQTTACCQ: 0,9\r\n\r\nERROR\r\n",
    );

    // Hang: silence until the reset pin.
    emu.control_ok("hang");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(300));
    emu.control_ok("reset");
    emu.serial.wait_for(b"\r\n*ATREADY: 1\r\n", T);
    let st = emu.stats();
    assert_eq!(st["faults_by_kind"]["close"], 2);
    assert_eq!(st["reboots"], 2);
}

#[test]
fn publish_failure_with_the_final_result_held() {
    let broker = Mosquitto::start();
    let mut emu = simcom("a7670", &["--cmqttpub-fail", "sync"]);
    let s = &mut emu.serial;
    start_and_connect(s, broker.port, "emu-held");
    // Success: OK once the PUBACK came, then the result.
    prompt(s, "AT+CMQTTTOPIC=0,1", b"h");
    prompt(s, "AT+CMQTTPAYLOAD=0,2", b"ok");
    s.cmd("AT+CMQTTPUB=0,1,60", b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    // The link goes while the final result is held: S20's shape.
    broker.freeze(true);
    prompt(s, "AT+CMQTTTOPIC=0,1", b"h");
    s.send(b"AT+CMQTTPUB=0,2,60\r");
    s.expect_silence(Duration::from_millis(200));
    emu.control_ok("close");
    emu.serial
        .expect(b"\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n");
    broker.freeze(false);
}

#[test]
fn tls_with_a_downloaded_ca_and_a_wrong_one() {
    let certs_dir = TempDir::new("certs");
    let files = make_certs(&certs_dir);
    let broker = Mosquitto::start_with(Some(&files));
    let tls_port = broker.tls_port.expect("tls port");
    let other = certs_dir.path("other.crt");
    let mut emu = simcom(
        "a7670",
        &[
            "--file",
            &format!("wrong.pem={}", other.display()),
            "--cmqttconnect-fail",
            "async",
        ],
    );
    let s = &mut emu.serial;
    let ca = std::fs::read(&files.ca).expect("ca");
    prompt(s, &format!("AT+CCERTDOWN=\"ca.pem\",{}", ca.len()), &ca);
    s.cmd("AT+CSSLCFG=\"sslversion\",0,4", OK);
    s.cmd("AT+CSSLCFG=\"authmode\",0,1", OK);
    s.cmd("AT+CSSLCFG=\"cacert\",0,\"ca.pem\"", OK);
    s.cmd("AT+CSSLCFG=\"enableSNI\",0,1", OK);
    s.cmd("AT+CMQTTSTART", b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    s.cmd("AT+CMQTTACCQ=0,\"emu-tls\",1", OK);
    s.cmd("AT+CMQTTSSLCFG=0,0", OK);
    let url = format!("AT+CMQTTCONNECT=0,\"tcp://localhost:{tls_port}\",60,1");
    s.cmd(&url, OK);
    s.expect(b"\r\n+CMQTTCONNECT: 0,0\r\n");
    s.cmd("AT+CMQTTDISC=0,60", b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
    // The wrong CA: the handshake fails, A76xx reports 34 (S11).
    s.cmd("AT+CSSLCFG=\"cacert\",0,\"wrong.pem\"", OK);
    s.cmd(&url, OK);
    s.expect(b"\r\n+CMQTTCONNECT: 0,34\r\n");
    // A file that is not there: certificate not set (33).
    s.cmd("AT+CSSLCFG=\"cacert\",0,\"nope.pem\"", OK);
    s.cmd(&url, b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,33\r\n");
}
