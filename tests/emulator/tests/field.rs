//! Behaviours seen on real boards and firmwares: refused credentials and unreachable brokers
//! against a real mosquitto, echo that will not turn off, a board that echoes TX, AT+MQTTMODE
//! hex mode, the Air780E MPUB limit, a slow CIPSHUT, the STATUS pin, a corrupt `+MSUB` header,
//! injected bytes, and the refuse / unreachable faults.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn json(reply: &str) -> serde_json::Value {
    serde_json::from_str(reply.trim_start_matches("ok ")).expect("json reply")
}

#[test]
fn refused_credentials_give_error_then_closed_and_the_right_password_connects() {
    let broker = Mosquitto::start_with_users(&[("dev", "s3cret")]);
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    let start = format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port);
    for creds in [r#""dev","wrong""#, r#""","""#] {
        let s = &mut emu.serial;
        s.cmd(&format!("AT+MCONFIG=\"emu-auth\",{creds}"), b"\r\nOK\r\n");
        s.cmd(&start, b"\r\nOK\r\n");
        s.expect(b"\r\nCONNECT OK\r\n");
        // mosquitto answers CONNACK 5 (not authorised) and closes the socket.
        s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
        s.expect(b"\r\nERROR\r\n\r\nCLOSED\r\n");
        s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    }
    let s = &mut emu.serial;
    s.cmd(r#"AT+MCONFIG="emu-auth","dev","s3cret""#, b"\r\nOK\r\n");
    s.cmd(&start, b"\r\nOK\r\n");
    s.expect(b"\r\nCONNECT OK\r\n");
    s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
    s.expect(b"\r\nCONNACK OK\r\n");
    s.cmd("AT+MPUB=\"auth/x\",1,0,\"in\"", b"\r\nOK\r\n\r\nPUBACK\r\n");
    let st = emu.stats();
    assert_eq!(st["mqtt_connects"], 1, "{st}");
    assert_eq!(st["closed_urcs"], 2, "{st}");
}

/// MIPSTART toward `host:port` that cannot work: `OK`, then `CONNECT FAIL` within `T`, and
/// the module keeps answering while the attempt runs (no blocking lookup on its loop).
fn mipstart_fails_promptly(emu: &mut Emu, host: &str, port: u16) -> Duration {
    let s = &mut emu.serial;
    let t0 = Instant::now();
    s.cmd(&format!("AT+MIPSTART=\"{host}\",{port}"), b"\r\nOK\r\n");
    s.send(b"AT\r");
    let got = s.wait_for(b"\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n", T);
    let took = t0.elapsed();
    if !contains(&got, b"\r\nOK\r\n") {
        s.expect(b"\r\nOK\r\n");
    }
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    took
}

#[test]
fn unresolvable_host_and_dead_port_give_connect_fail_promptly() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    let took = mipstart_fails_promptly(&mut emu, "nosuch.invalid", 1883);
    assert!(took < T, "DNS failure took {took:?}");
    assert!(emu.log_text().contains("dns:"), "{}", emu.log_text());
    let took = mipstart_fails_promptly(&mut emu, "127.0.0.1", free_port());
    assert!(took < Duration::from_secs(2), "refused port took {took:?}");
    // A broker that does exist still works afterwards.
    let broker = Mosquitto::start();
    emu.mqtt_connect(broker.port, "emu-dns");
}

#[test]
fn echo_stuck_then_tx_echo_including_mpubex_data() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "tx/#", 1);
    let mut emu = Emu::start(&["--echo-stuck"]);
    emu.serial.wait_for(b"RDY\r\n", T);
    emu.wait_attached();
    emu.serial.drain();
    emu.serial.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    emu.serial.cmd("AT", b"AT\r\r\nOK\r\n");
    assert_eq!(json(&emu.control_ok("state"))["echo_stuck"], true);
    emu.control_ok("echo-stuck off");
    emu.serial.cmd("AT", b"\r\nOK\r\n");
    emu.mqtt_connect(broker.port, "emu-tx");
    emu.control_ok("tx-echo on");
    let s = &mut emu.serial;
    s.cmd("AT", b"AT\r\r\nOK\r\n");
    s.cmd(
        "AT+MPUBEX=\"tx/a\",1,0,5",
        b"AT+MPUBEX=\"tx/a\",1,0,5\r\r\n> ",
    );
    s.send(b"ab\r\n\x1a");
    s.expect(b"ab\r\n\x1a\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(sub.expect_msg().payload, b"ab\r\n\x1a");
    emu.control_ok("tx-echo off");
    emu.serial.cmd("AT", b"\r\nOK\r\n");
    assert!(emu.stats()["tx_echo_bytes"].as_u64() > Some(20));
}

#[test]
fn tx_echo_flag_echoes_even_without_power() {
    let mut emu = Emu::start(&["--tx-echo", "--power-off"]);
    emu.serial.cmd("AT", b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(200));
}

#[test]
fn mqttmode_hex_publish_and_hex_msub_air780e() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "hex/out", 1);
    let mut emu = Emu::start(&["--profile", "air780e"]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-hex");
    let s = &mut emu.serial;
    s.cmd("AT+MQTTMODE=?", b"\r\n+MQTTMODE: (0,1)\r\n\r\nOK\r\n");
    s.cmd("AT+MQTTMODE=1", b"\r\nOK\r\n");
    s.cmd("AT+MQTTMODE?", b"\r\n+MQTTMODE: 1\r\n\r\nOK\r\n");
    s.cmd("AT+MSUB=\"hex/in\",1", b"\r\nOK\r\n\r\nSUBACK\r\n");
    s.cmd(
        "AT+MPUB=\"hex/out\",1,0,\"00FF0d0A22\"",
        b"\r\nOK\r\n\r\nPUBACK\r\n",
    );
    assert_eq!(sub.expect_msg().payload, b"\x00\xff\r\n\"");
    publish(broker.port, "hex/in", b"\x00A\r\n", 1);
    emu.serial
        .expect(b"\r\n+MSUB: \"hex/in\",8 byte,00410D0A\r\n");
    emu.control_ok("mqttmode 0");
    publish(broker.port, "hex/in", b"ok", 0);
    let s = &mut emu.serial;
    s.expect(b"\r\n+MSUB: \"hex/in\",2 byte,ok\r\n");
    s.cmd("AT+MQTTMODE?", b"\r\n+MQTTMODE: 0\r\n\r\nOK\r\n");
}

#[test]
fn mqttmode_at_start_ends_with_the_first_reboot_and_no_mqttmode_firmware() {
    let mut emu = Emu::start(&["--profile", "air780e", "--mqttmode-at-start", "1"]);
    emu.boot_quiet();
    emu.serial
        .cmd("AT+MQTTMODE?", b"\r\n+MQTTMODE: 1\r\n\r\nOK\r\n");
    emu.control_ok("reset");
    emu.control_ok("pwrkey 1500");
    emu.boot_quiet();
    emu.serial
        .cmd("AT+MQTTMODE?", b"\r\n+MQTTMODE: 0\r\n\r\nOK\r\n");

    let mut emu = Emu::start(&["--profile", "air780e", "--no-mqttmode"]);
    emu.boot_quiet();
    for cmd in ["AT+MQTTMODE=1", "AT+MQTTMODE?", "AT+MQTTMODE=?"] {
        emu.serial.cmd(cmd, b"\r\nERROR\r\n");
    }
    assert!(emu.control("mqttmode 1").starts_with("error "));
}

#[test]
fn air780e_mpub_limit_is_2384_and_mpubex_takes_4100() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "big/#", 1);
    let mut emu = Emu::start(&["--profile", "air780e"]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-big");
    let s = &mut emu.serial;
    let max = "x".repeat(2384);
    s.cmd(
        &format!("AT+MPUB=\"big/mpub\",1,0,\"{max}\""),
        b"\r\nOK\r\n\r\nPUBACK\r\n",
    );
    s.cmd(
        &format!("AT+MPUB=\"big/mpub\",1,0,\"{max}y\""),
        b"\r\nERROR\r\n",
    );
    s.cmd("AT+MPUBEX=\"big/ex\",1,0,4100", b"\r\n> ");
    s.send(&[b'z'; 4100]);
    s.expect(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(sub.expect_msg().payload.len(), 2384);
    assert_eq!(sub.expect_msg().payload.len(), 4100);
}

#[test]
fn slow_cipshut_answers_after_the_delay() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&["--shut-ms", "600"]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-shut");
    let t0 = Instant::now();
    emu.serial.send(b"AT+CIPSHUT\r");
    emu.serial.send(b"AT\r"); // read by nobody: CIPSHUT is still running
    emu.serial.expect_silence(Duration::from_millis(400));
    emu.serial.wait_for(b"\r\nSHUT OK\r\n", T);
    assert!(t0.elapsed() >= Duration::from_millis(600));
    emu.serial.expect_silence(Duration::from_millis(100));
    emu.serial
        .cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    emu.control_ok("shut-delay 0");
    emu.serial.cmd("AT+CIPSHUT", b"\r\nSHUT OK\r\n");
    emu.control_ok("shut-delay 300");
    assert_eq!(json(&emu.control_ok("state"))["shut_ms"], 300);
    emu.mqtt_connect(broker.port, "emu-shut");
}

#[test]
fn status_pin_reads_power() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    assert_eq!(emu.control("pin status"), r#"ok {"level":1}"#);
    emu.control_ok("hang");
    assert_eq!(emu.control("pin status"), r#"ok {"level":1}"#);
    emu.control_ok("power off");
    assert_eq!(emu.control("pin status"), r#"ok {"level":0}"#);
    assert_eq!(json(&emu.control_ok("state"))["status"], 0);
    emu.control_ok("power on");
    assert_eq!(emu.control("pin status"), r#"ok {"level":0}"#);
    emu.control_ok("pwrkey 1500");
    assert_eq!(emu.control("pin status"), r#"ok {"level":1}"#);
    assert_eq!(json(&emu.control_ok("state"))["status"], 1);
    assert!(emu.control("pin status 1").starts_with("error "));
}

#[test]
fn corrupt_msub_header_and_inject() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-corrupt");
    emu.serial
        .cmd("AT+MSUB=\"c\",0", b"\r\nOK\r\n\r\nSUBACK\r\n");
    emu.control_ok("corrupt-msub");
    publish(broker.port, "c", b"hello", 0);
    emu.serial.expect(b"\r\n+MSUB: \"c\",90000 byte,hello\r\n");
    publish(broker.port, "c", b"hello", 0);
    emu.serial.expect(b"\r\n+MSUB: \"c\",5 byte,hello\r\n");
    let st = emu.stats();
    assert_eq!(st["corrupted_headers"], 1, "{st}");
    assert_eq!(st["faults_by_kind"]["corrupt-msub"], 1, "{st}");
    assert_eq!(
        emu.control(r"inject \r\n+CPIN: NOT READY\r\n\xFF\\"),
        r#"ok {"bytes":22}"#
    );
    emu.serial.expect(b"\r\n+CPIN: NOT READY\r\n\xff\\");
    assert!(emu.control(r"inject \q").starts_with("error "));
    emu.serial.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn refuse_and_unreachable_control_commands() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    let start = format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port);
    emu.serial
        .cmd("AT+MCONFIG=\"emu-refuse\",\"\",\"\"", b"\r\nOK\r\n");
    emu.control_ok("unreachable");
    emu.serial.cmd(&start, b"\r\nOK\r\n");
    emu.serial
        .expect(b"\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    emu.control_ok("refuse 2");
    for _ in 0..2 {
        let s = &mut emu.serial;
        s.cmd(&start, b"\r\nOK\r\n");
        s.expect(b"\r\nCONNECT OK\r\n");
        s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n");
    }
    emu.mqtt_connect(broker.port, "emu-refuse");
    let st = emu.stats();
    assert_eq!(st["faults_by_kind"]["refuse"], 2, "{st}");
    assert_eq!(st["faults_by_kind"]["unreachable"], 1, "{st}");
    assert_eq!(st["tcp_connects"], 3, "{st}");
    assert_eq!(st["mqtt_connects"], 1, "{st}");
}

#[test]
fn chaos_refuse_refuses_mconnect() {
    let broker = Mosquitto::start();
    // Rate 1: every command line arms one more refusal.
    let mut emu = Emu::start(&["--chaos", "9:1.0", "--chaos-kinds", "refuse"]);
    emu.boot_quiet();
    let s = &mut emu.serial;
    s.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nCONNECT OK\r\n");
    s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n");
    let st = emu.stats();
    let refused = st["faults_by_kind"]["refuse"]
        .as_u64()
        .expect("refuse count");
    assert!(refused >= 3, "{st}");
    assert_eq!(st["chaos_faults"], refused, "{st}");
    assert_eq!(st["mqtt_connects"], 0, "{st}");
}
