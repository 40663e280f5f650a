//! The field behaviours (issue 11) end to end: the real engine through the emulator to a real
//! mosquitto. A broker that refuses the credentials and a broker that is down each run for a
//! minute of real time without the module being touched; the Air780E's MPUB limit, a module
//! left in hex mode, a corrupt `+MSUB` header, echo that stays on and a slow `SHUT OK` each
//! cost nothing they should not.
mod common;

use cellmqtt::{LossKind, Notice, Pins, Profile, RecoveryStep, State, Status};
use common::device::{Device, Seen};
use common::{free_port, Mosquitto, Sub, T};
use std::time::Duration;

/// How long the two "never touch the module" runs last, in real time.
const SOAK: Duration = Duration::from_secs(60);

fn published(id: u16) -> impl FnMut(&Seen) -> bool {
    move |s| matches!(s, Seen::N(Notice::Published { id: i }) if *i == id)
}

/// Every rung wired; none may be used. Back-off as in the field (1 s doubling to 8 s here, so
/// a minute holds several attempts).
fn field_pins(c: &mut cellmqtt::Config<'static>) {
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c.timeouts.backoff_min_ms = 1_000;
    c.timeouts.backoff_max_ms = 8_000;
}

/// No pin moved, no `AT+RESET`, no reboot of the module; every recovery a re-connect for
/// `reason`. Returns how many re-connects there were.
fn assert_untouched(dev: &mut Device, reason: Status) -> usize {
    let mut reconnects = 0;
    for s in &dev.seen {
        match s {
            Seen::N(Notice::Pin { .. }) => panic!("a pin moved: {:?}", dev.seen),
            Seen::N(Notice::Recovery {
                step, reason: r, ..
            }) => {
                assert_eq!((*step, *r), (RecoveryStep::Reconnect, reason), "{s:?}");
                reconnects += 1;
            }
            _ => {}
        }
    }
    let stats = dev.emu_stats();
    assert_eq!(stats["reboots"], 0, "{stats}");
    assert!(
        stats["commands_by_name"].get("+RESET").is_none(),
        "AT+RESET was sent: {stats}"
    );
    let s = dev.engine.stats();
    assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
    reconnects
}

#[test]
fn refused_credentials_for_a_minute_never_touch_the_module() {
    let mosq = Mosquitto::start_with_users(&[("dev", "right")]);
    let mut dev = Device::start(mosq.port, &[], |c| {
        field_pins(c);
        c.username = b"dev";
        c.password = b"wrong";
    });
    dev.engine.start(dev.now()).unwrap();
    dev.run_for(SOAK);
    let reconnects = assert_untouched(&mut dev, Status::BrokerRefused);
    assert!(reconnects >= 5, "only {reconnects} re-connects in a minute");
    assert_ne!(dev.engine.state(), State::Online);
    assert_eq!(dev.engine.stats().broker_failures as usize, reconnects);

    // The same broker takes the right password: the refusal was the credentials'.
    let mut good = Device::start(mosq.port, &[], |c| {
        c.username = b"dev";
        c.password = b"right";
    });
    good.engine.start(good.now()).unwrap();
    good.online();
}

#[test]
fn a_broker_down_for_a_minute_never_touches_the_module() {
    let port = free_port(); // nothing listens there
    let mut dev = Device::start(port, &[], field_pins);
    dev.engine.start(dev.now()).unwrap();
    dev.run_for(SOAK);
    let reconnects = assert_untouched(&mut dev, Status::BrokerUnreachable);
    assert!(reconnects >= 5, "only {reconnects} re-connects in a minute");
}

#[test]
fn an_unresolvable_host_is_a_broker_failure() {
    let mut dev = Device::start(1883, &[], |c| {
        field_pins(c);
        c.host = b"nosuch.invalid";
    });
    dev.engine.start(dev.now()).unwrap();
    dev.run_for(Duration::from_secs(10));
    // The Luat firmware reports a failed lookup as CONNECT FAIL (docs/luat-at.md §5.2).
    assert!(assert_untouched(&mut dev, Status::BrokerUnreachable) >= 2);
}

#[test]
fn air780e_publishes_3000_bytes_of_text_whole() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "field/long", 1);
    let mut dev = Device::start(mosq.port, &["--profile", "air780e"], |c| {
        c.profile = Profile::Air780e;
    });
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    let text: Vec<u8> = (0..3000).map(|i| b'a' + (i % 26) as u8).collect();
    let id = dev.engine.publish(b"field/long", &text, 1, false).unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, text);
    // 2000 bytes fit the Air780E's MPUB and go that way.
    let text = vec![b'z'; 2000];
    let id = dev.engine.publish(b"field/long", &text, 1, false).unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, text);
    assert_eq!(dev.engine.stats().publishes_failed, 0);
}

#[test]
fn a_module_left_in_hex_mode_delivers_raw_bytes() {
    let mosq = Mosquitto::start();
    let mut dev = Device::start(
        mosq.port,
        &["--profile", "air780e", "--mqttmode-at-start", "1"],
        |c| c.profile = Profile::Air780e,
    );
    dev.engine.subscribe(b"field/down", 1).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online(); // subscriptions are confirmed before the session is online
    let payload = b"raw \x00\x01\xff \"bytes\"\r\n";
    common::publish(mosq.port, "field/down", payload, 1);
    dev.run_until(
        T,
        |s| matches!(s, Seen::Msg(t, p) if t == "field/down" && p == payload),
    );
}

#[test]
fn a_corrupt_msub_header_costs_only_its_own_message() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "field/up", 1);
    let mut dev = Device::start(mosq.port, &[], |_| {});
    dev.engine.subscribe(b"field/down", 1).unwrap();
    dev.engine.start(dev.now()).unwrap();
    dev.online(); // subscriptions are confirmed before the session is online
    dev.control("corrupt-msub");
    common::publish(mosq.port, "field/down", b"first", 1);
    dev.run_until(T, |s| {
        matches!(
            s,
            Seen::N(Notice::Loss {
                kind: LossKind::MessageCorrupt,
                count: 1
            })
        )
    });
    common::publish(mosq.port, "field/down", b"second", 1);
    dev.run_until(
        T,
        |s| matches!(s, Seen::Msg(t, p) if t == "field/down" && p == b"second"),
    );
    let id = dev
        .engine
        .publish(b"field/up", b"still fine", 1, false)
        .unwrap();
    dev.run_until(T, published(id));
    assert_eq!(sub.expect_msg().payload, b"still fine");
    let s = dev.engine.stats();
    assert_eq!((s.messages_corrupt, s.messages_received), (1, 1));
    assert_eq!(s.links_lost, 0);
}

/// Firmware that keeps echoing after `ATE0`, and wiring that loops TX back: the session runs
/// as usual, with no reboot assumed and no reset.
#[test]
fn echo_that_stays_on_or_loops_back_is_worked_with() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "field/echo", 1);
    for flag in ["--echo-stuck", "--tx-echo"] {
        let mut dev = Device::start(mosq.port, &[flag], |_| {});
        dev.engine.subscribe(b"field/echo-in", 1).unwrap();
        dev.engine.start(dev.now()).unwrap();
        dev.online();
        for n in 0..5 {
            let body = format!("{flag} {n} \"quoted\"");
            let id = dev
                .engine
                .publish(b"field/echo", body.as_bytes(), 1, false)
                .unwrap();
            dev.run_until(T, published(id));
            assert_eq!(sub.expect_msg().payload, body.as_bytes());
        }
        common::publish(mosq.port, "field/echo-in", b"inbound", 1);
        dev.run_until(T, |s| matches!(s, Seen::Msg(_, p) if p == b"inbound"));
        let s = dev.engine.stats();
        assert!(s.echo_lines > 0, "{flag}: {s:?}");
        assert_eq!(
            (s.module_reboots, s.reset_pulses, s.links_lost),
            (0, 0, 0),
            "{flag}"
        );
    }
}

/// `AT+CIPSHUT` answered after 20 s (the manual allows 90): waited for, not a silent module.
#[test]
fn a_slow_shut_ok_is_waited_for_end_to_end() {
    let mosq = Mosquitto::start();
    let mut dev = Device::start(mosq.port, &["--shut-ms", "20000"], |_| {});
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    // (The first `AT` may go unanswered while the module boots: counted before this point.)
    let timeouts_before = dev.engine.stats().command_timeouts;
    dev.control("pdp-deact");
    dev.run_until(T, |s| {
        matches!(s, Seen::N(Notice::State(State::Recovering)))
    });
    dev.run_until(Duration::from_secs(40), |s| {
        matches!(s, Seen::N(Notice::State(State::Online)))
    });
    let s = dev.engine.stats();
    let logs: Vec<_> = dev
        .seen
        .iter()
        .filter(|s| matches!(s, Seen::N(Notice::Log { .. })))
        .collect();
    assert_eq!(
        (s.command_timeouts, s.reset_pulses, s.links_lost),
        (timeouts_before, 0, 1),
        "{logs:?}"
    );
}
