//! Pins and power per profile, AT+RESET / AT+CPOWD, and the pty endpoint.

mod common;

use common::*;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_state(emu: &mut Emu, power: &str) {
    let deadline = Instant::now() + T;
    loop {
        let r = emu.control_ok("state");
        let v: serde_json::Value = serde_json::from_str(r.trim_start_matches("ok ")).expect("json");
        if v["power"] == power {
            return;
        }
        assert!(Instant::now() < deadline, "power never became {power}: {v}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn air724ug_reset_pin_reboots_and_short_pulses_are_ignored() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    let r = emu.control_ok("reset 100");
    assert!(r.contains("\"none\""), "{r}");
    emu.serial.cmd("AT", b"\r\nOK\r\n");
    // Level mode: held >= 150 ms puts the module in reset; release boots it.
    emu.control_ok("pin reset 1");
    wait_state(&mut emu, "reset");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(200));
    emu.control_ok("pin reset 0");
    emu.serial
        .expect(b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS READY\r\n");
    emu.serial.cmd("AT", b"AT\r\r\nOK\r\n");
    assert_eq!(emu.stats()["reboots"], 1);
}

#[test]
fn air780e_reset_shuts_down_until_pwrkey() {
    let mut emu = Emu::start(&["--profile", "air780e"]);
    emu.boot_quiet();
    let r = emu.control_ok("reset");
    assert!(r.contains("shutdown"), "{r}");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(300));
    assert!(emu.control_ok("pwrkey 500").contains("\"none\""));
    assert!(emu.control_ok("pwrkey 1100").contains("boot"));
    emu.serial.expect(b"^boot.rom'v'!\n\r\nRDY\r\n");
    emu.serial.cmd("AT", b"AT\r\r\nOK\r\n");
}

#[test]
fn power_cycle_needs_pwrkey_held_long_enough() {
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.control_ok("power off");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(200));
    assert!(emu.control_ok("power on").contains("waiting for PWRKEY"));
    let t0 = Instant::now();
    emu.control_ok("pin pwrkey 1");
    emu.serial.wait_for(b"\r\nRDY\r\n", T);
    // 1.2 s hold + 50 ms boot
    assert!(
        t0.elapsed() >= Duration::from_millis(1200),
        "{:?}",
        t0.elapsed()
    );
    emu.control_ok("pin pwrkey 0");
    emu.serial.wait_for(b"SMS READY\r\n", T);
    emu.serial.cmd("AT", b"AT\r\r\nOK\r\n");
}

#[test]
fn pwrkey_grounded_boots_on_supply_and_power_off_start() {
    let mut emu = Emu::start(&["--pwrkey-grounded"]);
    emu.boot_quiet();
    emu.control_ok("power off");
    assert!(emu.control_ok("power on").contains("boot"));
    emu.serial.wait_for(b"\r\nRDY\r\n", T);

    let mut emu = Emu::start(&["--power-off"]);
    emu.serial.expect_silence(Duration::from_millis(300));
    emu.control_ok("power on");
    emu.serial.expect_silence(Duration::from_millis(100));
    emu.control_ok("pwrkey 1500");
    emu.serial.expect(b"\r\nRDY\r\n");
}

#[test]
fn at_reset_and_cpowd() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-atreset");
    emu.serial.cmd("AT+RESET", b"\r\nOK\r\n\r\nRDY\r\n");
    emu.serial.wait_for(b"SMS READY\r\n", T);
    emu.wait_attached();
    emu.serial.drain();
    emu.serial.cmd(
        "AT+MQTTSTATU",
        b"AT+MQTTSTATU\r\r\n+MQTTSTATU :0\r\n\r\nOK\r\n",
    );
    emu.serial
        .cmd("AT+CPOWD=1", b"AT+CPOWD=1\r\r\nNORMAL POWER DOWN\r\n");
    emu.serial.send(b"AT\r");
    emu.serial.expect_silence(Duration::from_millis(200));
    emu.control_ok("pwrkey 1300");
    emu.serial.wait_for(b"\r\nRDY\r\n", T);
}

#[test]
fn qos1_in_flight_is_lost_when_the_link_drops() {
    let broker = Mosquitto::start();
    let mut emu = Emu::start(&[]);
    emu.boot_quiet();
    emu.mqtt_connect(broker.port, "emu-inflight");
    broker.freeze(true);
    emu.serial.cmd("AT+MPUB=\"f\",1,0,\"lost\"", b"\r\nOK\r\n");
    emu.control_ok("pdn-deact");
    emu.serial.expect(b"\r\n+CGEV: NW PDN DEACT 1\r\n");
    broker.freeze(false);
    // The broker may still read the PUBLISH, but its PUBACK has no connection to come back on.
    emu.serial.wait_for(b"\r\n+CGEV: ME PDN ACT 1\r\n", T);
    emu.serial.expect_silence(Duration::from_millis(500));
    let st = emu.stats();
    assert!(st["acks_by_kind"]["PUBACK"].is_null(), "{st}");
}

#[test]
fn pty_endpoint() {
    let dir = TempDir::new("pty");
    let link = dir.path("ttyEMU");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellmqtt-emu"))
        .args(["--pty", "--pty-link"])
        .arg(&link)
        .args(["--boot-ms", "300", "--quiet"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let ready = read_ready_line(child.stdout.take().expect("stdout"));
    let path = ready["serial"].as_str().expect("serial path").to_string();
    assert!(path.starts_with("/dev/pts/"), "{ready}");
    assert_eq!(
        std::fs::read_link(&link)
            .expect("symlink")
            .to_string_lossy(),
        path
    );
    let mut port = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .expect("open pty");
    let mut reader = port.try_clone().expect("clone");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut b = [0u8; 256];
        while let Ok(n) = reader.read(&mut b) {
            if n == 0 || tx.send(b[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut got = Vec::new();
    let deadline = Instant::now() + T;
    let mut sent = false;
    while !contains(&got, b"AT\r\r\nOK\r\n") {
        assert!(Instant::now() < deadline, "pty got {}", show(&got));
        if contains(&got, b"RDY\r\n") && !sent {
            port.write_all(b"AT\r").expect("write pty");
            sent = true;
        }
        if let Ok(b) = rx.recv_timeout(Duration::from_millis(50)) {
            got.extend(b);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn connect_endpoint_reaches_a_listening_uart_and_reconnects() {
    // The test plays QEMU's `-chardev socket,server=on`: it listens, the emulator connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellmqtt-emu"))
        .args(["--connect", &addr, "--boot-ms", "50", "--quiet"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let ready = read_ready_line(child.stdout.take().expect("stdout"));
    assert_eq!(ready["mode"], "connect");
    assert_eq!(ready["tcp"], addr.as_str());
    for round in 0..2 {
        let (s, _) = listener.accept().expect("accept");
        s.set_read_timeout(Some(Duration::from_millis(20))).ok();
        let mut serial = Serial::from_stream(s);
        if round == 0 {
            serial.wait_for(b"RDY\r\n", T);
        }
        serial.drain();
        serial.cmd("AT", b"AT\r\r\nOK\r\n");
        // Dropping the stream: the emulator connects again, like to a restarted QEMU.
    }
    let _ = child.kill();
    let _ = child.wait();
}
