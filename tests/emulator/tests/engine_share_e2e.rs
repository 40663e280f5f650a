//! Sharing the module end to end (issue 12): the real engine through the emulator to a real
//! mosquitto connects with the module's IMEI as its client id, and reads the ICCID with a
//! queued AT command while 200 QoS 1 publishes flow: every publish arrives, none twice.
mod common;

use cellmqtt::{Notice, Options, Status};
use common::device::{Device, Seen};
use common::{Mosquitto, Sub, T};
use std::time::Duration;

#[test]
fn imei_as_client_id_and_iccid_read_while_200_publishes_flow() {
    let mosq = Mosquitto::start();
    let sub = Sub::start(mosq.port, "share/up", 1);
    let mut dev = Device::start(mosq.port, &["--profile", "air780e"], |c| {
        c.client_id = b"";
        c.options |= Options::CLIENT_ID_IMEI;
    });
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    let imei = String::from_utf8(dev.engine.module_facts().imei.get().to_vec()).unwrap();
    assert_eq!(imei.len(), 15, "{imei}");
    assert!(
        mosq.log_text().contains(&format!(" as {imei} ")),
        "the broker saw another client id:\n{}",
        mosq.log_text()
    );

    let mut ids = vec![];
    for n in 0..200 {
        let payload = format!("m{n}");
        ids.push(
            dev.engine
                .publish(b"share/up", payload.as_bytes(), 1, false)
                .unwrap(),
        );
        if n == 20 {
            // Publishes are flowing; the ICCID is read between two of them.
            dev.run_until(T, |s| matches!(s, Seen::N(Notice::Published { .. })));
            let at = dev.engine.at_command(b"AT+ICCID", 5_000).unwrap();
            dev.run_until(T, |s| {
                matches!(s, Seen::N(Notice::AtDone { id, status: Status::Ok, .. }) if *id == at)
            });
            assert!(dev.seen.iter().any(
                |s| matches!(s, Seen::AtLine(id, l) if *id == at && l.starts_with(b"+ICCID: 8986"))
            ));
        }
    }
    let last = *ids.last().unwrap();
    dev.run_until(
        Duration::from_secs(60),
        |s| matches!(s, Seen::N(Notice::Published { id }) if *id == last),
    );
    let mut got = std::collections::BTreeSet::new();
    let mut dups = 0;
    while got.len() < 200 {
        let m = sub.next(T).expect("a publish never arrived");
        if !got.insert(m.payload) {
            dups += 1;
        }
    }
    let s = dev.engine.stats();
    assert_eq!(
        (s.publishes_done, s.publishes_failed, dups),
        (200, 0, 0),
        "{s:?}"
    );
    assert_eq!(s.at_commands, 1);
}

/// A non-MQTT URC from the module (an SMS notice) reaches the application; signal and
/// network time asked for on demand come back as events while the session stays up.
#[test]
fn urcs_signal_and_time_reach_the_application() {
    let mosq = Mosquitto::start();
    let mut dev = Device::start(mosq.port, &[], |_| {});
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    dev.control(r#"inject \r\n+CMTI: "SM",3\r\n"#);
    dev.run_until(T, |s| matches!(s, Seen::Urc(l) if l == b"+CMTI: \"SM\",3"));
    dev.engine.request_signal().unwrap();
    dev.engine.request_time().unwrap();
    dev.run_until(T, |s| matches!(s, Seen::N(Notice::Signal { .. })));
    dev.run_until(T, |s| matches!(s, Seen::N(Notice::Time { zone: 32, .. })));
    assert_eq!(dev.engine.state(), cellmqtt::State::Online);
}
