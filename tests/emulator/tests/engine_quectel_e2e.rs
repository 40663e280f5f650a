//! The real engine (Rust API) with `Profile::Ec200u` through the emulator's Quectel profile
//! (`--profile ec200u`, the `AT+QMT*` dialect) to a real mosquitto: bring-up (SIM, bearer by
//! `AT+QIACT`, `AT+QMTCFG`, `AT+QMTOPEN`, `AT+QMTCONN`), subscribe, publish QoS 0/1/2 and
//! binary data after the `>` prompt, receive (`+QMTRECV` with quotes, CR/LF and every byte
//! value in the payload), and recover from a link loss (`+QMTSTAT: 0,1`), a failed keepalive
//! (`+QMTSTAT: 0,2`: the bearer must be restored before `AT+QMTOPEN` works again), a
//! spontaneous reboot and a hang cured by the RESET pin. A second test: a broker that refuses
//! the password (`+QMTCONN: 0,0,5`) is re-connected to without touching the module.
//! Waits are bounded reads on the serial socket, never fixed sleeps.
mod common;

use cellmqtt::{Notice, Pins, Profile, RecoveryStep, Status};
use common::device::{Device, Seen};
use common::{Mosquitto, Sub, T};
use std::time::Duration;

fn published(id: u16) -> impl FnMut(&Seen) -> bool {
    move |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id)
}

fn restored(s: &Seen) -> bool {
    matches!(s, Seen::N(Notice::Subscribed { restored: true, .. }))
}

/// The Quectel profile. The shared device shortens the RESET pulse to 200 ms, enough for the
/// Air724UG (150 ms); the emulated EC200U needs RESET held 300 ms (the emulator's assumption,
/// tests/emulator/README.md), so the pulse is 400 ms here (the engine's default is 600).
fn quectel(c: &mut cellmqtt::Config<'static>) {
    c.profile = Profile::Ec200u;
    c.timeouts.reset_pulse_ms = 400;
}

/// How many times the module saw the command `name` (as the emulator counts it, e.g. `+QIDEACT`).
fn sent(dev: &mut Device, name: &str) -> u64 {
    dev.emu_stats()["commands_by_name"][name]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn quectel_engine_publishes_all_qos_receives_and_recovers() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "e2e/up", 2);
    let mut dev = Device::start(mosq.port, &["--profile", "ec200u"], quectel);
    dev.engine.subscribe(b"e2e/down/#", 2).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    assert_eq!(dev.emu_stats()["mqtt_connects"], 1);
    assert!(
        sent(&mut dev, "+QIACT") >= 1,
        "the bearer was not activated"
    );

    // Publish QoS 0, 1, 2: each confirmed once, each delivered as sent.
    for qos in 0..=2u8 {
        let payload = format!("q{qos} \"x\",\r\n");
        let id = dev
            .engine
            .publish(b"e2e/up", payload.as_bytes(), qos, false)
            .unwrap();
        dev.run_until(T, published(id));
        let m = sub.expect_msg();
        assert_eq!(
            (m.topic.as_str(), m.qos, m.payload),
            ("e2e/up", qos, payload.into_bytes())
        );
    }
    let binary: Vec<u8> = (0..=255u8).collect();
    let id = dev.engine.publish(b"e2e/up", &binary, 2, false).unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, binary);

    // Receive at every QoS, payloads that would break a quoted field without the length.
    for qos in 0..=2u8 {
        let payload = format!("to the device {qos},\r\n\"quoted\"\r\n");
        common::publish(
            mosq.port,
            &format!("e2e/down/{qos}"),
            payload.as_bytes(),
            qos,
        );
        let topic = format!("e2e/down/{qos}");
        dev.run_until(
            T,
            |s| matches!(s, Seen::Msg(t, p) if *t == topic && p == payload.as_bytes()),
        );
    }
    common::publish(mosq.port, "e2e/down/bin", &binary, 1);
    dev.run_until(
        T,
        |s| matches!(s, Seen::Msg(t, p) if t == "e2e/down/bin" && *p == binary),
    );

    // The broker link drops (+QMTSTAT: 0,1): re-connect, subscription restored by the engine.
    dev.control("close");
    dev.run_until(T, restored);
    dev.online();
    let id = dev
        .engine
        .publish(b"e2e/up", b"after close", 1, false)
        .unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, b"after close");
    common::publish(mosq.port, "e2e/down/x", b"after close, in", 1);
    dev.run_until(
        T,
        |s| matches!(s, Seen::Msg(t, p) if t == "e2e/down/x" && p == b"after close, in"),
    );

    // The keepalive fails (+QMTSTAT: 0,2): AT+QMTOPEN answers 3 until the bearer is
    // deactivated and activated again, which the engine must do by itself.
    let deact = sent(&mut dev, "+QIDEACT");
    dev.control("ping-fail");
    dev.run_until(T, restored);
    dev.online();
    assert!(
        sent(&mut dev, "+QIDEACT") > deact,
        "no AT+QIDEACT after +QMTSTAT: 0,2"
    );
    let id = dev
        .engine
        .publish(b"e2e/up", b"after ping-fail", 2, false)
        .unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, b"after ping-fail");

    // A spontaneous reboot (RDY mid-session): full bring-up, no pin.
    dev.control("reboot");
    dev.run_until(Duration::from_secs(15), |s| {
        matches!(
            s,
            Seen::N(Notice::Recovery {
                step: RecoveryStep::Reinit,
                ..
            })
        )
    });
    dev.run_until(Duration::from_secs(15), restored);
    dev.online();
    let id = dev
        .engine
        .publish(b"e2e/up", b"after reboot", 1, false)
        .unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, b"after reboot");

    // The module hangs: the next publish goes unanswered, the engine pulses RESET.
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
    dev.run_until(Duration::from_secs(20), published(id));
    assert_eq!(sub.expect_msg().payload, b"after hang");
    assert!(
        sub.next(Duration::from_millis(300)).is_none(),
        "a message was delivered twice"
    );

    let st = dev.engine.stats();
    assert_eq!(
        (st.reset_pulses, st.publishes_failed, st.messages_corrupt),
        (1, 0, 0),
        "{st:?}"
    );
    assert!(st.links_lost >= 4, "{st:?}");
    let emu = dev.emu_stats();
    assert_eq!(emu["reboots"], 2, "{emu}"); // the injected one and the RESET pulse
    assert_eq!(emu["mqtt_connects"], 5, "{emu}");
}

#[test]
fn quectel_refused_password_is_reconnected_without_touching_the_module() {
    let mosq = Mosquitto::start_with_users(&[("dev", "right")]);
    let mut dev = Device::start(mosq.port, &["--profile", "ec200u"], |c| {
        quectel(c);
        c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
        c.username = b"dev";
        c.password = b"wrong";
    });
    dev.engine.start(dev.now()).unwrap();
    let mut refusals = 0;
    dev.run_until(Duration::from_secs(20), |s| {
        if let Seen::N(Notice::Recovery { step, reason, .. }) = s {
            assert_eq!(
                (*step, *reason),
                (RecoveryStep::Reconnect, Status::BrokerRefused)
            );
            refusals += 1;
        }
        refusals == 3
    });
    assert!(
        !dev.seen
            .iter()
            .any(|s| matches!(s, Seen::N(Notice::Pin { .. }))),
        "a pin moved: {:?}",
        dev.seen
    );
    let s = dev.engine.stats();
    assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
    assert!(s.broker_failures >= 3, "{s:?}");
    let emu = dev.emu_stats();
    assert_eq!(emu["reboots"], 0, "{emu}");
    assert!(emu["commands_by_name"].get("+CFUN").is_none(), "{emu}");

    // The same broker takes the right password: the refusal was the credentials'.
    let mut good = Device::start(mosq.port, &["--profile", "ec200u"], |c| {
        quectel(c);
        c.username = b"dev";
        c.password = b"right";
    });
    good.engine.start(good.now()).unwrap();
    good.online();
}

/// Firmware without `AT+QMTPUBEX` (`--no-qmtpubex`, as the BG96 / BG770A spell it): the first
/// publish is refused by that command and goes by the six-argument `AT+QMTPUB`, every later
/// one goes so directly, and mosquitto gets each at its QoS.
#[test]
fn quectel_firmware_without_qmtpubex_publishes_by_qmtpub() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "e2e/up", 2);
    let mut dev = Device::start(
        mosq.port,
        &["--profile", "ec200u", "--no-qmtpubex"],
        quectel,
    );
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    for qos in 0..=2u8 {
        let payload = format!("plain {qos}");
        let id = dev
            .engine
            .publish(b"e2e/up", payload.as_bytes(), qos, false)
            .unwrap();
        dev.run_until(T, published(id));
        let m = sub.expect_msg();
        assert_eq!((m.qos, m.payload), (qos, payload.into_bytes()));
    }
    assert_eq!(sent(&mut dev, "+QMTPUBEX"), 1);
    assert_eq!(sent(&mut dev, "+QMTPUB"), 3);
    let s = dev.engine.stats();
    assert_eq!((s.mpub_fallbacks, s.publishes_done), (1, 3), "{s:?}");
}
