// SPDX-License-Identifier: MIT OR Apache-2.0
//! The real engine (Rust API) with `Profile::A7670` through the emulator's SIMCom profiles
//! (`--profile a7670`, and `sim7600` whose `+CMQTTSTART: 0` comes before `OK`) to a real
//! mosquitto: bring-up (boot lines, `AT+CMQTTSTART`, `AT+CMQTTACCQ`, `AT+CMQTTCONNECT`),
//! subscribe, publish QoS 0/1/2 and binary data at the `AT+CMQTTTOPIC`/`AT+CMQTTPAYLOAD`
//! prompts, receive (`+CMQTTRX*` read by length: LF, quotes, every byte value, a payload over
//! 1500 B in two `+CMQTTRXPAYLOAD` chunks, an empty payload with none), and recover from a link
//! loss (`+CMQTTCONNLOST`), a failed keepalive (`+CMQTTPING`), a network loss (`+CMQTTNONET`:
//! the service must be started again), a spontaneous reboot and a hang cured by the RESET pin,
//! the subscription restored each time. A second test: a broker refusal (err 31) is
//! re-connected to without touching the pins. The emulator's failure shapes are left at their
//! default (`mixed`, seeded), so the engine meets each form the sources disagree on.
//! Waits are bounded reads on the serial socket, never fixed sleeps.
mod common;

use cellmqtt::{Notice, Pins, Profile, RecoveryStep, Status};
use common::device::{Device, Seen};
use common::{Mosquitto, Sub, T};
use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

fn published(id: u16) -> impl FnMut(&Seen) -> bool {
    move |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id)
}

fn restored(s: &Seen) -> bool {
    matches!(s, Seen::N(Notice::Subscribed { restored: true, .. }))
}

fn got_msg<'a>(topic: &'a str, payload: &'a [u8]) -> impl FnMut(&Seen) -> bool + 'a {
    move |s| matches!(s, Seen::Msg(t, p) if t == topic && p == payload)
}

/// The SIMCom profile. The emulated A7670/SIM7600 needs RESET held 300 ms (the emulator's
/// assumption, tests/emulator/README.md), longer than the shared device's 200 ms. Every
/// publish starts with a prompt (`AT+CMQTTTOPIC`), so a hung module is first noticed by the
/// prompt's deadline: shortened like the shared device's command deadline (2 s).
fn simcom(c: &mut cellmqtt::Config<'static>) {
    c.profile = Profile::A7670;
    c.timeouts.reset_pulse_ms = 400;
    c.timeouts.prompt_ms = 2_000;
}

/// How many times the module saw the command `name` (as the emulator counts it).
fn sent(dev: &mut Device, name: &str) -> u64 {
    dev.emu_stats()["commands_by_name"][name]
        .as_u64()
        .unwrap_or(0)
}

/// Every `Published` id the engine reported, with how often: each must be exactly once.
fn confirmations(dev: &Device) -> HashMap<u16, usize> {
    let mut n = HashMap::new();
    for s in &dev.seen {
        if let Seen::N(Notice::Published { id }) = s {
            *n.entry(*id).or_insert(0) += 1;
        }
    }
    n
}

/// An empty (zero-length) message from another client.
fn publish_empty(port: u16, topic: &str) {
    let st = Command::new("mosquitto_pub")
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-t", topic])
        .args(["-q", "1", "-n"])
        .status()
        .expect("mosquitto_pub");
    assert!(st.success(), "mosquitto_pub -n failed");
}

/// Publishes `payload` and checks the confirmation and what mosquitto_sub received.
fn round_trip(dev: &mut Device, sub: &Sub, payload: &[u8], qos: u8, ids: &mut Vec<u16>) {
    let id = dev.engine.publish(b"e2e/up", payload, qos, false).unwrap();
    dev.run_until(T, published(id));
    ids.push(id);
    let m = sub.expect_msg();
    assert_eq!(
        (m.topic.as_str(), m.qos, m.payload.as_slice()),
        ("e2e/up", qos, payload)
    );
}

/// After a recovery: online again, one publish out and one message in.
fn after(dev: &mut Device, mosq: u16, sub: &Sub, what: &str, qos: u8, ids: &mut Vec<u16>) {
    dev.online();
    round_trip(dev, sub, format!("after {what}").as_bytes(), qos, ids);
    let inbound = format!("after {what}, in");
    common::publish(mosq, "e2e/down/x", inbound.as_bytes(), 1);
    dev.run_until(T, got_msg("e2e/down/x", inbound.as_bytes()));
}

#[test]
fn simcom_engine_publishes_all_qos_receives_and_recovers() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "e2e/up", 2);
    let mut dev = Device::start(mosq.port, &["--profile", "a7670"], simcom);
    dev.engine.subscribe(b"e2e/down/#", 2).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    assert_eq!(dev.emu_stats()["mqtt_connects"], 1);
    assert!(
        sent(&mut dev, "+CMQTTSTART") >= 1,
        "the service never started"
    );
    assert!(sent(&mut dev, "+CMQTTACCQ") >= 1, "no client acquired");
    let mut ids = Vec::new();

    // Publish QoS 0, 1, 2: each confirmed once, each delivered as sent.
    for qos in 0..=2u8 {
        let payload = format!("q{qos} \"x\",\r\n\n");
        round_trip(&mut dev, &sub, payload.as_bytes(), qos, &mut ids);
    }
    let binary: Vec<u8> = (0..=255u8).collect();
    for qos in 0..=2u8 {
        round_trip(&mut dev, &sub, &binary, qos, &mut ids);
    }

    // Receive at every QoS, payloads that would break a quoted field or a line without the
    // length: LF, CR/LF, quotes, and every byte value.
    for qos in 0..=2u8 {
        let payload = format!("to the device {qos},\n\r\n\"quoted\"\r\n");
        let topic = format!("e2e/down/{qos}");
        common::publish(mosq.port, &topic, payload.as_bytes(), qos);
        dev.run_until(T, got_msg(&topic, payload.as_bytes()));
    }
    common::publish(mosq.port, "e2e/down/bin", &binary, 1);
    dev.run_until(T, got_msg("e2e/down/bin", &binary));
    // Over 1500 B: two +CMQTTRXPAYLOAD chunks (1500 + 100), within the device's 1664 B line.
    let big: Vec<u8> = (0..1600u32).map(|i| (i % 251) as u8).collect();
    common::publish(mosq.port, "e2e/down/big", &big, 1);
    dev.run_until(T, got_msg("e2e/down/big", &big));
    // Empty: no +CMQTTRXPAYLOAD at all.
    publish_empty(mosq.port, "e2e/down/empty");
    dev.run_until(T, got_msg("e2e/down/empty", b""));

    // The broker link drops (+CMQTTCONNLOST: 0,1): re-connect, subscription restored.
    dev.control("close");
    dev.run_until(T, restored);
    after(&mut dev, mosq.port, &sub, "close", 1, &mut ids);

    // The keepalive fails (+CMQTTPING: 0,17).
    dev.control("ping-fail");
    dev.run_until(T, restored);
    after(&mut dev, mosq.port, &sub, "ping-fail", 2, &mut ids);

    // The network drops (+CMQTTCONNLOST: 0,3, +CMQTTNONET): the service is down until the
    // engine starts it again by itself.
    let starts = sent(&mut dev, "+CMQTTSTART");
    dev.control("pdp-deact");
    dev.run_until(Duration::from_secs(10), restored);
    assert!(
        sent(&mut dev, "+CMQTTSTART") > starts,
        "no AT+CMQTTSTART after +CMQTTNONET"
    );
    after(&mut dev, mosq.port, &sub, "pdp-deact", 1, &mut ids);

    // A spontaneous reboot (*ATREADY: 1 mid-session): full bring-up, no pin.
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
    after(&mut dev, mosq.port, &sub, "reboot", 2, &mut ids);

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
    ids.push(id);
    assert_eq!(sub.expect_msg().payload, b"after hang");
    // The subscription was restored before that publish went (it is in what was seen).
    let pulse = dev
        .seen
        .iter()
        .rposition(|s| matches!(s, Seen::N(Notice::Pin { .. })))
        .unwrap();
    assert!(dev.seen[pulse..].iter().any(restored), "{:?}", dev.seen);
    common::publish(mosq.port, "e2e/down/x", b"after hang, in", 1);
    dev.run_until(T, got_msg("e2e/down/x", b"after hang, in"));
    assert!(
        sub.next(Duration::from_millis(300)).is_none(),
        "a message was delivered twice"
    );

    // One confirmation per id, and none for an id never sent.
    let conf = confirmations(&dev);
    assert_eq!(conf.len(), ids.len(), "{conf:?} vs {ids:?}");
    for id in &ids {
        assert_eq!(conf.get(id), Some(&1), "id {id}: {conf:?}");
    }
    let st = dev.engine.stats();
    assert_eq!(
        (st.reset_pulses, st.publishes_failed, st.messages_corrupt),
        (1, 0, 0),
        "{st:?}"
    );
    assert_eq!((st.messages_too_large, st.events_dropped), (0, 0), "{st:?}");
    assert!(st.links_lost >= 5, "{st:?}");
    let emu = dev.emu_stats();
    assert_eq!(emu["reboots"], 2, "{emu}"); // the injected one and the RESET pulse
    assert_eq!(emu["mqtt_connects"], 6, "{emu}");
}

#[test]
fn sim7600_start_result_before_ok_round_trip() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "e2e/up", 2);
    let mut dev = Device::start(mosq.port, &["--profile", "sim7600"], simcom);
    dev.engine.subscribe(b"e2e/down/#", 1).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    let mut ids = Vec::new();
    round_trip(&mut dev, &sub, b"sim7600 \"up\"\r\n", 1, &mut ids);
    let binary: Vec<u8> = (0..=255u8).collect();
    round_trip(&mut dev, &sub, &binary, 2, &mut ids);
    common::publish(mosq.port, "e2e/down/7600", &binary, 1);
    dev.run_until(T, got_msg("e2e/down/7600", &binary));
    let conf = confirmations(&dev);
    assert_eq!(
        conf.values().copied().collect::<Vec<_>>(),
        [1, 1],
        "{conf:?}"
    );
    let st = dev.engine.stats();
    assert_eq!(
        (st.publishes_failed, st.messages_corrupt, st.links_lost),
        (0, 0, 0),
        "{st:?}"
    );
    assert_eq!(dev.emu_stats()["mqtt_connects"], 1);
}

#[test]
fn simcom_refused_broker_is_reconnected_without_touching_the_pins() {
    // Both shapes that carry the code (err 31): `OK` … `+CMQTTCONNECT: 0,31`, and the held
    // `+CMQTTCONNECT: 0,31` + `ERROR`. (A bare `ERROR` says nothing of the broker, so the
    // engine cannot class it as a refusal: connect_error, docs/quectel-simcom-at.md §5.3.)
    for form in ["async", "sync"] {
        refused(form);
    }
}

fn refused(form: &str) {
    let mosq = Mosquitto::start_with_users(&[("dev", "right")]);
    let args = ["--profile", "a7670", "--cmqttconnect-fail", form];
    let mut dev = Device::start(mosq.port, &args, |c| {
        simcom(c);
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
                (RecoveryStep::Reconnect, Status::BrokerRefused),
                "{form}"
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
    assert!(emu["commands_by_name"].get("+CRESET").is_none(), "{emu}");

    // The emulator's own refusal (err 31 without the broker) on a good password: the engine
    // re-connects, again without a pin.
    let mut good = Device::start(mosq.port, &args, |c| {
        simcom(c);
        c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
        c.username = b"dev";
        c.password = b"right";
    });
    good.control("refuse 2");
    good.engine.start(good.now()).unwrap();
    good.online();
    let refused = good
        .seen
        .iter()
        .filter(|s| {
            matches!(
                s,
                Seen::N(Notice::Recovery {
                    step: RecoveryStep::Reconnect,
                    reason: Status::BrokerRefused,
                    ..
                })
            )
        })
        .count();
    assert_eq!(refused, 2, "{form}: {:?}", good.seen);
    assert!(
        !good
            .seen
            .iter()
            .any(|s| matches!(s, Seen::N(Notice::Pin { .. }))),
        "a pin moved: {:?}",
        good.seen
    );
    assert_eq!(good.emu_stats()["reboots"], 0);
}
