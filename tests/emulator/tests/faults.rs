//! Every control-socket fault, scheduled faults, chaos, stats and a broker restart.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn connected(client: &str, extra: &[&str]) -> (Mosquitto, Emu) {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(extra);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, client);
    (broker, emu)
}

#[test]
fn close_fault_drops_the_broker_connection_and_fires_the_will() {
    let broker = Mosquitto::start();
    let will = Sub::start(broker.port, "will/emu", 1);
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.serial.cmd(
        r#"AT+MCONFIG="emu-will","","",1,0,"will/emu","gone\22""#,
        b"\r\nOK\r\n",
    );
    emu.serial.cmd(
        &format!("AT+MIPSTART={},{}", "127.0.0.1", broker.port),
        b"\r\nOK\r\n",
    );
    emu.serial.expect(b"\r\nCONNECT OK\r\n");
    emu.serial.cmd("AT+MCONNECT=0,60", b"\r\nOK\r\n");
    emu.serial.expect(b"\r\nCONNACK OK\r\n");
    emu.control_ok("close");
    emu.serial.expect(b"\r\nCLOSED\r\n");
    // The socket really went away without DISCONNECT: the broker published the will.
    let m = will.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.payload.as_slice()),
        ("will/emu", &b"gone\""[..])
    );
    let s = &mut emu.serial;
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\n+CME ERROR: 767\r\n");
    // Vendor recovery: MIPSTART + MCONNECT again.
    emu.mqtt_connect(broker.port, "emu-will");
    assert_eq!(emu.stats()["faults_by_kind"]["close"], 1);
}

#[test]
fn pdn_deact_then_bearer_returns() {
    let (broker, mut emu) = connected("emu-pdn", &["--pdn-back-ms", "400"]);
    emu.control_ok("pdn-deact");
    let s = &mut emu.serial;
    s.expect(b"\r\n+CGEV: NW PDN DEACT 1\r\n");
    s.cmd("AT+MQTTSTATU", b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    s.cmd("AT+MIPCLOSE", b"\r\n+CME ERROR: 767\r\n");
    s.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    s.expect(b"\r\n+CGEV: ME PDN ACT 1\r\n");
    emu.mqtt_connect(broker.port, "emu-pdn");
}

#[test]
fn pdp_deact_needs_cipshut() {
    let (broker, mut emu) = connected("emu-pdp", &[]);
    emu.control_ok("pdp-deact");
    let s = &mut emu.serial;
    s.expect(b"\r\n+PDP DEACT\r\n");
    s.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    s.cmd("AT+CIPSHUT", b"\r\nSHUT OK\r\n");
    emu.mqtt_connect(broker.port, "emu-pdp");
}

#[test]
fn hang_until_reset() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.control_ok("hang");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(300));
    let r = emu.control_ok("reset");
    assert!(r.contains("reboot"), "{r}");
    emu.serial.wait_for(b"\r\nRDY\r\n", T);
    emu.serial.cmd("AT", b"AT\r\r\nOK\r\n");
}

#[test]
fn spontaneous_reboot_mid_session_loses_everything() {
    let (_broker, mut emu) = connected("emu-reboot", &[]);
    emu.serial.cmd("AT+MQTTMSGSET=1", b"\r\nOK\r\n");
    emu.control_ok("reboot");
    // No CLOSED: the firmware that would print it is rebooting.
    emu.serial
        .expect(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS READY\r\n");
    emu.wait_attached();
    let s = &mut emu.serial;
    s.drain();
    // Echo is back on, MQTT is offline, settings are defaults.
    s.cmd(
        "AT+MQTTSTATU",
        b"AT+MQTTSTATU\r\r\n+MQTTSTATU :0\r\n\r\nOK\r\n",
    );
    s.cmd(
        "AT+MQTTMSGSET?",
        b"AT+MQTTMSGSET?\r\r\n+MQTTMSGSET:0\r\n\r\nOK\r\n",
    );
    assert_eq!(emu.stats()["reboots"], 1);
}

#[test]
fn garbage_drop_and_delay() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.control_ok("garbage 10");
    let g = emu.serial.read_n(10);
    emu.serial.cmd("AT", b"\r\nOK\r\n");
    assert_eq!(emu.stats()["garbage_bytes"], 10, "garbage {}", show(&g));

    emu.control_ok("drop 4");
    emu.serial.cmd("AT+CSQ", b"SQ: 24,99\r\n\r\nOK\r\n");
    emu.serial.cmd("AT", b"\r\nOK\r\n");
    assert_eq!(emu.stats()["bytes_dropped"], 4);

    emu.control_ok("delay 400");
    let t0 = Instant::now();
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(250));
    emu.serial.expect(b"\r\nOK\r\n");
    assert!(t0.elapsed() >= Duration::from_millis(400));
    emu.control_ok("delay 0");
    emu.serial.cmd("AT", b"\r\nOK\r\n");
}

#[test]
fn sim_absent_and_back() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.control_ok("sim absent");
    emu.serial.expect(b"\r\n+CPIN: SIM REMOVED\r\n");
    emu.serial.cmd("AT+CPIN?", b"\r\n+CME ERROR: 10\r\n");
    emu.serial.cmd("AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n");
    emu.control_ok("sim ready");
    emu.serial.expect(b"\r\n+CPIN: READY\r\n\r\nSMS READY\r\n");
    emu.serial
        .cmd("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    emu.wait_attached();
}

#[test]
fn detach_closes_the_link() {
    let (broker, mut emu) = connected("emu-attach", &[]);
    emu.serial.cmd("AT+CEREG=1", b"\r\nOK\r\n");
    emu.control_ok("attach 0");
    emu.serial.expect(b"\r\nCLOSED\r\n\r\n+CEREG: 2\r\n");
    emu.serial.cmd("AT+CGATT?", b"\r\n+CGATT: 0\r\n\r\nOK\r\n");
    emu.serial.cmd(
        &format!("AT+MIPSTART=\"127.0.0.1\",{}", broker.port),
        b"\r\nOK\r\n",
    );
    emu.serial
        .expect(b"\r\nSTATE: IP INITIAL\r\n\r\nCONNECT FAIL\r\n");
    emu.control_ok("attach 1");
    emu.serial.expect(b"\r\n+CEREG: 1\r\n");
    emu.mqtt_connect(broker.port, "emu-attach");
}

#[test]
fn fail_next_command_once() {
    let (_broker, mut emu) = connected("emu-fail", &[]);
    emu.control_ok("fail MPUB CME 767");
    emu.control_ok("fail CPIN ERROR");
    let s = &mut emu.serial;
    s.cmd("AT+CSQ", b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n");
    s.cmd("AT+MPUB=\"f\",1,0,\"x\"", b"\r\n+CME ERROR: 767\r\n");
    s.cmd("AT+MPUB=\"f\",1,0,\"x\"", b"\r\nOK\r\n\r\nPUBACK\r\n");
    s.cmd("AT+CPIN?", b"\r\nERROR\r\n");
    s.cmd("AT+CPIN?", b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
}

#[test]
fn scheduled_fault_and_control_errors() {
    let (_broker, mut emu) = connected("emu-after", &[]);
    let t0 = Instant::now();
    assert_eq!(
        emu.control("after 300 close"),
        r#"ok {"scheduled_in_ms":300}"#
    );
    emu.serial.wait_for(b"\r\nCLOSED\r\n", T);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    assert!(emu.control("bogus").starts_with("error "));
    assert!(emu.control("garbage x").starts_with("error "));
    assert!(emu.control("after 10 stats").starts_with("error "));
    let state: serde_json::Value =
        serde_json::from_str(emu.control_ok("state").trim_start_matches("ok ")).expect("json");
    assert_eq!(state["mqtt"], "none");
}

#[test]
fn broker_restart_gives_closed_and_reconnect_works() {
    let (mut broker, mut emu) = connected("emu-restart", &[]);
    broker.restart();
    emu.serial.expect(b"\r\nCLOSED\r\n");
    emu.serial.cmd("AT+MIPCLOSE", b"\r\n+CME ERROR: 767\r\n");
    emu.mqtt_connect(broker.port, "emu-restart");
    emu.serial
        .cmd("AT+MPUB=\"r\",1,0,\"back\"", b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert_eq!(emu.stats()["closed_urcs"], 1);
}

/// Runs `n` AT commands under chaos and returns everything the MCU saw.
fn chaos_run(seed: &str, n: usize) -> (Vec<u8>, serde_json::Value) {
    // Garbage only: it lands before the answer and leaves the answer whole, so the
    // exchange can be followed; the other kinds are covered one by one above.
    // No other commands before (each line rolls the dice), so both runs see the same rolls.
    let mut emu = Emu::start(&["--chaos", seed, "--chaos-kinds", "garbage"]);
    emu.serial.wait_for(b"SMS READY\r\n", T);
    let mut seen = Vec::new();
    for _ in 0..n {
        emu.serial.send(b"AT+CSQ\r");
        seen.extend(emu.serial.wait_for(b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n", T));
    }
    (seen, emu.stats())
}

#[test]
fn chaos_is_seeded_and_counted() {
    let (a, sa) = chaos_run("7:0.3", 20);
    let (b, sb) = chaos_run("7:0.3", 20);
    assert_eq!(show(&a), show(&b), "same seed, same faults");
    let n = sa["chaos_faults"].as_u64().expect("chaos_faults");
    assert!(n > 0, "rate 0.3 over 20 commands injected nothing");
    assert_eq!(sa["chaos_faults"], sb["chaos_faults"]);
    assert_eq!(sa["faults_injected"], n);
}

#[test]
fn chaos_soak_with_every_fault_kind_keeps_running() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&["--chaos", "3:0.15"]);
    emu.boot_quiet();
    let p = broker.port;
    let script = [
        format!("AT+MIPSTART=\"127.0.0.1\",{p}"),
        "AT+MCONNECT=1,30".to_string(),
        "AT+MSUB=\"soak\",1".to_string(),
        "AT+MPUB=\"soak\",1,0,\"x\\22y\"".to_string(),
        "AT+MQTTSTATU".to_string(),
        "AT+MIPCLOSE".to_string(),
        "AT+CIPSHUT".to_string(),
        "AT+CPIN?".to_string(),
    ];
    let mut answered = 0;
    for i in 0..120 {
        emu.serial
            .send(format!("{}\r", script[i % script.len()]).as_bytes());
        let finals: [&[u8]; 4] = [b"OK\r\n", b"ERROR\r\n", b"ERROR: 767\r\n", b"SHUT OK\r\n"];
        if emu
            .serial
            .wait_any(&finals, Duration::from_millis(400))
            .is_some()
        {
            answered += 1;
        } else {
            // Hung or rebooting: what an engine's recovery ladder would do.
            let st = emu.control_ok("state");
            if st.contains("\"hung\":true") {
                emu.control_ok("reset");
                emu.serial.wait_for(b"RDY\r\n", T);
            }
        }
    }
    let st = emu.stats();
    assert!(st["chaos_faults"].as_u64() > Some(0), "{st}");
    assert!(answered > 30, "only {answered} answers; {st}");
    // Still alive and still a module: a bounded recovery loop like an engine's.
    emu.control_ok("delay 0");
    let mut alive = false;
    for _ in 0..10 {
        if emu.control_ok("state").contains("\"hung\":true") {
            emu.control_ok("reset");
        }
        emu.serial.drain();
        emu.serial.send(b"AT\r");
        if emu
            .serial
            .wait_any(&[b"OK\r\n"], Duration::from_millis(1000))
            .is_some()
        {
            alive = true;
            break;
        }
    }
    assert!(alive, "module never answered again; {}", emu.stats());
}
