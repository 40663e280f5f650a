//! The normal flow against a real mosquitto: boot, basic commands, connect, subscribe,
//! publish at every QoS, escapes, MPUBEX, incoming messages in both modes, the cache.

mod common;

use common::*;
use std::time::Duration;

#[test]
fn boot_lines_echo_and_basic_commands_air724ug() {
    let mut emu = Emu::start(&[]);
    let s = &mut emu.serial;
    s.expect(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS READY\r\n");
    // Echo is on until ATE0: the command line comes back as sent.
    s.cmd("AT", b"AT\r\r\nOK\r\n");
    s.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    s.cmd("AT", b"\r\nOK\r\n");
    s.cmd("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    emu.wait_attached();
    let s = &mut emu.serial;
    s.cmd("AT+CSQ", b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    s.cmd("AT+NOSUCHCMD", b"\r\nERROR\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\n+CME ERROR: 767\r\n");
    s.cmd("AT+MPUB=\"t\",0,0,\"x\"", b"\r\n+CME ERROR: 767\r\n");
    s.cmd(
        "AT+MPUB=?",
        b"\r\n+MPUB:<topic>,(0-2),(0-1),<message>\r\n\r\nOK\r\n",
    );
    s.cmd("AT+CMEE=2", b"\r\nOK\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\n+CME ERROR: Operation failed\r\n");
    s.cmd("AT+CMEE=0", b"\r\nOK\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\nERROR\r\n");
    // Compound line, CRLF ending, noise before AT, malformed lines: never a crash.
    s.send(b"AT+CMEE=1;+CSQ\r\n");
    s.expect(b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
    s.cmd("\u{1}\u{7f}xxAT", b"\r\nOK\r\n");
    s.cmd("AT+MPUB=\"unterminated,1", b"\r\nERROR\r\n");
    s.cmd("AT+CSQ=\"\"\"", b"\r\nERROR\r\n");
    s.send(&[0xff, 0xfe, b'\r']);
    s.cmd("AT", b"\r\nOK\r\n");
    let long = format!("AT+MPUB=\"t\",0,0,\"{}\"", "x".repeat(20_000));
    s.cmd(&long, b"\r\nERROR\r\n");
    s.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn boot_lines_and_sim_busy_air780e() {
    let mut emu = Emu::start(&[
        "--profile",
        "air780e",
        "--sim-ms",
        "1500",
        "--attach-ms",
        "1600",
    ]);
    let s = &mut emu.serial;
    s.expect(b"^boot.rom'v'!\n\r\nRDY\r\n");
    // Right after RDY the SIM is still busy.
    s.cmd("AT+CPIN?", b"AT+CPIN?\r\r\n+CME ERROR: 14\r\n");
    s.wait_for(
        b"\r\n^MODE: 17,17\r\n\r\n+E_UTRAN Service\r\n\r\n+CGEV: ME PDN ACT 1\r\n\r\n+NITZ: ",
        T,
    );
    let nitz = s.wait_for(b"\r\n", T);
    assert!(nitz.ends_with(b"+0,0\r\n"), "{}", show(&nitz));
    s.cmd("AT+CPIN?", b"AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n");
    s.cmd("AT+CGATT?", b"AT+CGATT?\r\r\n+CGATT: 1\r\n\r\nOK\r\n");
}

#[test]
fn qos_0_1_2_publishes_reach_a_subscriber() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "flow/#", 2);
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-qos");
    let s = &mut emu.serial;
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    s.cmd("AT+MPUB=\"flow/q0\",0,0,\"zero\"", b"\r\nOK\r\n");
    s.cmd("AT+MPUB=\"flow/q1\",1,0,\"one\"", b"\r\nOK\r\n");
    s.expect(b"\r\nPUBACK\r\n");
    s.cmd("AT+MPUB=\"flow/q2\",2,1,\"two\"", b"\r\nOK\r\n");
    s.expect(b"\r\nPUBREC\r\n\r\nPUBCOMP\r\n");
    let m = sub.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.payload.as_slice()),
        ("flow/q0", 0, &b"zero"[..])
    );
    let m = sub.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.payload.as_slice()),
        ("flow/q1", 1, &b"one"[..])
    );
    let m = sub.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.payload.as_slice()),
        ("flow/q2", 2, &b"two"[..])
    );
    // A second MCONNECT while connected fails like the real module.
    s.cmd("AT+MCONNECT=1,60", b"\r\n+CME ERROR: 767\r\n");
    s.cmd(
        "AT+MIPSTART=\"127.0.0.1\",1",
        b"\r\nOK\r\n\r\nALREADY CONNECT\r\n",
    );
    s.cmd("AT+MDISCONNECT", b"\r\nOK\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\nOK\r\n");
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    let st = emu.stats();
    assert_eq!(st["publishes_forwarded"], 3);
    assert_eq!(st["acks_by_kind"]["PUBACK"], 1);
    assert_eq!(st["acks_by_kind"]["PUBCOMP"], 1);
}

#[test]
fn mpub_escapes_are_decoded() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "esc", 1);
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-esc");
    emu.serial.cmd(
        r#"AT+MPUB="esc",1,0,"{\22id\22:\22123\22,\0D\0Aa\5Cb;c,d}""#,
        b"\r\nOK\r\n",
    );
    emu.serial.expect(b"\r\nPUBACK\r\n");
    assert_eq!(
        show(&sub.expect_msg().payload),
        show(b"{\"id\":\"123\",\r\na\\b;c,d}")
    );
    // The message must be quoted.
    emu.serial.cmd("AT+MPUB=\"esc\",1,0,bare", b"\r\nERROR\r\n");
}

#[test]
fn mpubex_with_length_and_with_ctrl_z() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "ex/#", 1);
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-ex");
    let s = &mut emu.serial;
    // With a length: exactly len raw bytes, any value (CR, LF, NUL, quotes, 0x1A).
    let data = b"a\r\n\x00\"\x1a,z";
    s.cmd(
        &format!("AT+MPUBEX=\"ex/len\",1,0,{}", data.len()),
        b"\r\n> ",
    );
    s.send(data);
    s.expect(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(sub.expect_msg().payload, data.to_vec());
    // Without a length: ends at 0x1A.
    s.cmd("AT+MPUBEX=\"ex/z\",0,0", b"\r\n> ");
    s.send(b"hello\x1a");
    s.expect(b"\r\nOK\r\n");
    assert_eq!(sub.expect_msg().payload, b"hello".to_vec());
    // With echo on, the data is echoed too (8910 behaviour).
    s.cmd("ATE1", b"\r\nOK\r\n");
    s.cmd(
        "AT+MPUBEX=\"ex/echo\",0,0,3",
        b"AT+MPUBEX=\"ex/echo\",0,0,3\r\r\n> ",
    );
    s.send(b"xyz");
    s.expect(b"xyz\r\nOK\r\n");
    assert_eq!(sub.expect_msg().payload, b"xyz".to_vec());
    s.cmd(
        "AT+MPUBEX=\"ex/bad\",0,0,5000",
        b"AT+MPUBEX=\"ex/bad\",0,0,5000\r\r\nERROR\r\n",
    );
}

#[test]
fn mpubex_without_length_ends_after_idle_time() {
    let broker = Mosquitto::start();
    let sub = Sub::start(broker.port, "idle", 0);
    let mut emu = Emu::start(&["--mpubex-idle-ms", "300"]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-idle");
    emu.serial.cmd("AT+MPUBEX=\"idle\",0,0", b"\r\n> ");
    emu.serial.send(b"partial");
    emu.serial.expect_silence(Duration::from_millis(150));
    emu.serial.expect(b"\r\nOK\r\n");
    assert_eq!(sub.expect_msg().payload, b"partial".to_vec());
}

#[test]
fn incoming_message_direct_mode() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-in");
    emu.serial.cmd("AT+MSUB=\"dev/in\",1", b"\r\nOK\r\n");
    emu.serial.expect(b"\r\nSUBACK\r\n");
    let payload = b"{\n  \"msg\": \"a,b\"\r\n}";
    publish(broker.port, "dev/in", payload, 1);
    let mut want = format!("\r\n+MSUB: \"dev/in\",{} byte,", payload.len()).into_bytes();
    want.extend_from_slice(payload);
    want.extend_from_slice(b"\r\n");
    emu.serial.expect(&want);
    emu.serial.cmd("AT+MUNSUB=\"dev/in\"", b"\r\nOK\r\n");
    emu.serial.expect(b"\r\nUNSUBACK\r\n");
    emu.serial.cmd("AT+MSUB=\"dev/other\",0", b"\r\nOK\r\n");
    emu.serial.expect(b"\r\nSUBACK\r\n");
    // After the unsubscribe only the second topic arrives (mosquitto keeps order per client).
    publish(broker.port, "dev/in", b"gone", 1);
    publish(broker.port, "dev/other", b"here", 0);
    emu.serial
        .expect(b"\r\n+MSUB: \"dev/other\",4 byte,here\r\n");
    assert!(emu.stats()["acks_to_broker"].as_u64() >= Some(1));
}

fn cache_mode(profile: &str, line: fn(&str, &str) -> String) {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&["--profile", profile]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, &format!("emu-cache-{profile}"));
    let s = &mut emu.serial;
    s.cmd("AT+MQTTMSGSET=1", b"\r\nOK\r\n");
    s.cmd("AT+MQTTMSGSET?", b"\r\n+MQTTMSGSET:1\r\n\r\nOK\r\n");
    s.cmd("AT+MQTTMSGGET", b"\r\nOK\r\n");
    s.cmd("AT+MSUB=\"c/#\",2", b"\r\nOK\r\n");
    s.expect(b"\r\nSUBACK\r\n");
    for i in 1..=5 {
        publish(
            broker.port,
            &format!("c/{i}"),
            format!("m{i},\r\n").as_bytes(),
            2,
        );
        // Slots 0..3 fill up, the fifth overwrites the oldest (slot 0).
        let slot = if i == 5 { 0 } else { i - 1 };
        s.expect(format!("\r\n+MSUB: {slot}\r\n").as_bytes());
    }
    s.cmd(
        "AT+MQTTMSGGET?",
        b"\r\n+MQTTMSGGET: 0,VALID\r\n\r\n+MQTTMSGGET: 1,VALID\r\n\r\n+MQTTMSGGET: 2,VALID\r\n\r\n+MQTTMSGGET: 3,VALID\r\n\r\nOK\r\n",
    );
    let mut want = Vec::new();
    for i in 2..=5 {
        want.extend_from_slice(
            format!("\r\n{}\r\n", line(&format!("c/{i}"), &format!("m{i},\r\n"))).as_bytes(),
        );
    }
    want.extend_from_slice(b"\r\nOK\r\n");
    s.cmd("AT+MQTTMSGGET", &want);
    s.cmd("AT+MQTTMSGGET", b"\r\nOK\r\n");
    s.cmd(
        "AT+MQTTMSGGET?",
        b"\r\n+MQTTMSGGET: 0,INVALID\r\n\r\n+MQTTMSGGET: 1,INVALID\r\n\r\n+MQTTMSGGET: 2,INVALID\r\n\r\n+MQTTMSGGET: 3,INVALID\r\n\r\nOK\r\n",
    );
    assert_eq!(emu.stats()["cache_overwrites"], 1);
}

#[test]
fn cache_mode_keeps_newest_four_air724ug() {
    cache_mode("air724ug", |t, p| format!("+MSUB:{t},{} byte,{p}", p.len()));
}

#[test]
fn cache_mode_keeps_newest_four_air780e() {
    cache_mode("air780e", |t, p| {
        format!("+MSUB: \"{t}\",{} byte,{p}", p.len())
    });
}

#[test]
fn mipstart_failures() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    let dead = free_port();
    emu.serial
        .cmd(&format!("AT+MIPSTART=\"127.0.0.1\",{dead}"), b"\r\nOK\r\n");
    emu.serial
        .expect(b"\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    emu.serial
        .cmd("AT+MIPSTART=\"127.0.0.1\",0", b"\r\nERROR\r\n");
    emu.serial
        .cmd("AT+MIPSTART=\"127.0.0.1\"", b"\r\nERROR\r\n");
    emu.serial
        .cmd("AT+MCONNECT=1,60", b"\r\n+CME ERROR: 767\r\n");
}

#[test]
fn keepalive_keeps_the_session_up() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.serial.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    emu.serial.expect(b"\r\nCONNECT OK\r\n");
    emu.serial.cmd("AT+MCONNECT=1,1", b"\r\nOK\r\n");
    emu.serial.expect(b"\r\nCONNACK OK\r\n");
    // mosquitto drops a client silent for 1.5 x keepalive; PINGREQs must keep it up.
    emu.serial.expect_silence(Duration::from_millis(3500));
    emu.serial
        .cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
}

#[test]
fn net_latency_delays_network_urcs_not_answers() {
    // A latency long enough that a loaded machine's scheduling delays (tens of ms) cannot be
    // mistaken for it: the answer comes well inside it, the URC only after it.
    const LATENCY: Duration = Duration::from_millis(1000);
    let broker = Mosquitto::start();
    let latency_ms = LATENCY.as_millis().to_string();
    let mut emu = Emu::start(&["--net-latency-ms", &latency_ms]);
    emu.boot_quiet();
    let s = &mut emu.serial;
    let t0 = std::time::Instant::now();
    s.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    assert!(t0.elapsed() < LATENCY / 2, "OK is immediate");
    // Silent until most of the latency has passed, counted from the command.
    s.expect_silence((LATENCY * 4 / 5).saturating_sub(t0.elapsed()));
    s.expect(b"\r\nCONNECT OK\r\n");
    assert!(t0.elapsed() >= LATENCY, "{:?}", t0.elapsed());
    s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
    s.expect(b"\r\nCONNACK OK\r\n");
    let t1 = std::time::Instant::now();
    s.cmd("AT+MPUB=\"lat\",1,0,\"x\"", b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert!(t1.elapsed() >= LATENCY, "{:?}", t1.elapsed());
}
