//! Transmit side and module limits against the dialect documents (docs/luat-at.md,
//! docs/quectel-simcom-at.md, README.md "Supported modules" and "Known limits"): the commands
//! and limits no other test pins. Each test names the section it comes from; where it is about
//! bytes on the wire it is byte-exact.
mod common;

use cellmqtt::config::WillConfig;
use cellmqtt::{Config, ConfigField, Engine, Options, Profile, Status};
use common::simcom;
use common::{
    prepare_after_boot, quectel_boot, quectel_bring_online, quectel_config, Harness, Sizes,
};

fn s(n: usize) -> &'static [u8] {
    Box::leak(vec![b'a'; n].into_boxed_slice())
}

fn check(c: &Config<'static>) -> Result<(), (ConfigField, Status)> {
    Engine::check_setup(c, 1024, 16384, 1024)
        .map(|_| ())
        .map_err(|e| (e.field, e.status))
}

fn luat_online(c: Config<'static>) -> Harness {
    let mut h = Harness::new(c);
    common::bring_online(&mut h);
    h.take_events();
    h
}

// ---------------------------------------------------------------------------------------------
// Luat (docs/luat-at.md §5)

/// §5.2: `<port>` is 1–65535; port 0 is refused by the configuration check, naming the field.
#[test]
fn luat_port_zero_is_refused() {
    let mut c = common::config();
    c.port = 0;
    assert_eq!(check(&c), Err((ConfigField::Port, Status::InvalidConfig)));
    c.port = 65535;
    assert_eq!(check(&c), Ok(()));
}

/// §6.1: `"sslversion"` takes 0–4 (4 = all); 5 is refused before anything is sent.
#[test]
fn tls_version_above_4_is_refused() {
    for profile in [Profile::Air780e, Profile::Ec200u, Profile::A7670] {
        let mut c = common::config();
        c.profile = profile;
        c.options |= Options::TLS;
        c.tls.version = Some(4);
        assert_eq!(check(&c), Ok(()), "{profile:?}");
        c.tls.version = Some(5);
        assert_eq!(
            check(&c),
            Err((ConfigField::TlsVersion, Status::InvalidConfig)),
            "{profile:?}"
        );
    }
}

/// §5.1, §5.3: `AT+MCONFIG=<clientid>,<username>,<password>` with credentials, and
/// `AT+MCONNECT=<clean_session>,<keepalive>` with clean session off and a keepalive other
/// than the default, on the engine's wire.
#[test]
fn luat_mconfig_credentials_and_mconnect_clean_off() {
    let mut c = common::config();
    c.options = Options::empty();
    c.username = b"root";
    c.password = b"luat,123456";
    c.keepalive_s = 300;
    let mut h = Harness::new(c);
    h.start();
    prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"root\",\"luat,123456\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n");
    h.rx(b"\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=0,300\r");
}

/// §5.6 and §12 ("MPUB escapes"): the Air724UG documents list only `\22`, `\0D`, `\0A`, so a
/// payload holding `\` goes by `AT+MPUBEX` with its length, raw; with MPUBEX switched off it
/// is refused before sending.
#[test]
fn air724ug_backslash_goes_by_mpubex_or_is_refused() {
    let mut c = common::config();
    assert_eq!(c.profile, Profile::Air724ug);
    let mut h = luat_online(c);
    h.engine.publish(b"t", b"a\\b", 0, false).unwrap();
    h.tx(b"AT+MPUBEX=\"t\",0,0,3\r");
    h.rx(b"\r\n> ");
    h.tx(b"a\\b");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();

    c.options |= Options::NO_MPUBEX;
    let mut h = Harness::new(c);
    assert_eq!(
        h.engine.publish(b"t", b"a\\b", 0, false),
        Err(Status::PayloadTooLong)
    );
    // The Air780E documents `\5C`: there the same payload is fine by MPUB.
    c.profile = Profile::Air780e;
    let mut h = Harness::new(c);
    assert!(h.engine.publish(b"t", b"a\\b", 0, false).is_ok());
}

/// §5.6: the MPUB limit (Air724UG 2348) is on the message field as sent, escapes included:
/// 2340 payload bytes with four `"` (escaped 2348) go by MPUB, 2341 (escaped 2349) by MPUBEX.
#[test]
fn mpub_limit_counts_the_escaped_field() {
    let mut c = common::config();
    // Only the limit decides, not the escape-cost threshold.
    c.mpubex_above_extra = 1000;
    let mut h = luat_online(c);
    let mut p = s(2336).to_vec();
    p.extend_from_slice(b"\"\"\"\"");
    h.engine.publish(b"t", &p, 0, false).unwrap();
    let mut wire = b"AT+MPUB=\"t\",0,0,\"".to_vec();
    wire.extend_from_slice(s(2336));
    wire.extend_from_slice(b"\\22\\22\\22\\22\"\r");
    h.tx(&wire);
    h.rx(b"\r\nOK\r\n");
    let mut p = s(2337).to_vec();
    p.extend_from_slice(b"\"\"\"\"");
    h.engine.publish(b"t", &p, 0, false).unwrap();
    h.tx(b"AT+MPUBEX=\"t\",0,0,2341\r");
    h.rx(b"\r\n> ");
    h.tx(&p);
    h.rx(b"\r\nOK\r\n");
}

/// §5.7: MPUBEX `len` is 1–4100, so an empty payload goes by `AT+MPUB` with `""`, and an
/// `ERROR` to it is not retried as `AT+MPUBEX=...,0` (§5.6's single retry needs a length).
#[test]
fn empty_payload_never_goes_by_mpubex() {
    let mut h = luat_online(common::config());
    h.engine.publish(b"t", b"", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"\"\r");
    h.rx(b"\r\nERROR\r\n");
    for _ in 0..30 {
        h.advance(1_000);
        if h.pending_tx() {
            // Whatever the engine checks next (the link state), answer it plainly.
            h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
        }
    }
    let all = String::from_utf8_lossy(&h.uart.written).into_owned();
    assert!(!all.contains("AT+MPUBEX"), "{all:?}");
}

// ---------------------------------------------------------------------------------------------
// Quectel (docs/quectel-simcom-at.md §3, §6.1, §6.3)

/// §3.2, §3.4: the `AT+QMTCFG` items carry the configured keepalive, clean session off and
/// the will (`"will",<c>,1,<qos>,<retain>,"<topic>","<msg>"`); `AT+QMTCONN` carries user and
/// password.
#[test]
fn quectel_items_will_keepalive_session_and_credentials() {
    let mut c = quectel_config();
    c.options = Options::empty();
    c.keepalive_s = 300;
    c.username = b"u";
    c.password = b"p,w";
    c.will = Some(WillConfig {
        topic: b"q/state",
        payload: b"off",
        qos: 1,
        retain: true,
    });
    let mut h = Harness::new(c);
    h.start();
    quectel_boot(&mut h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nERROR\r\n");
    for cmd in [
        &b"AT+QMTCFG=\"version\",0,4\r"[..],
        b"AT+QMTCFG=\"pdpcid\",0,1\r",
        b"AT+QMTCFG=\"keepalive\",0,300\r",
        b"AT+QMTCFG=\"session\",0,0\r",
        b"AT+QMTCFG=\"will\",0,1,1,1,\"q/state\",\"off\"\r",
        b"AT+QMTCFG=\"recv/mode\",0,0,1\r",
        b"AT+QMTCFG=\"ssl\",0,0\r",
    ] {
        h.tx(cmd);
        h.rx(b"\r\nOK\r\n");
    }
    h.tx(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    h.tx(b"AT+QMTCONN=0,\"q1\",\"u\",\"p,w\"\r");
}

/// §3.5, §3.6, §6.1, §6.3: SUB/UNS `<msgid>` 1–65535, PUB non-zero for QoS > 0: after the
/// 16-bit id space wraps, the next id is 1, never 0.
#[test]
#[cfg_attr(miri, ignore)] // 65,535 subscribes: minutes under Miri, and no unsafe code on the way
fn quectel_message_ids_wrap_past_zero() {
    let mut h = Harness::new(quectel_config());
    // A subscribe not sent yet takes the next one over (same id): each is unsubscribed
    // (locally, never sent) before the next takes a new id.
    for _ in 0..65534u32 {
        let id = h.engine.subscribe(b"q/a", 1).unwrap();
        assert_ne!(id, 0);
        assert_eq!(h.engine.unsubscribe(b"q/a"), Ok(id));
        h.poll();
        h.take_events();
    }
    let last = h.engine.subscribe(b"q/a", 1).unwrap();
    assert_eq!(last, 65535);
    let id = h.engine.publish(b"q/up", b"v", 1, false).unwrap();
    assert_eq!(id, 1);
    quectel_bring_online(&mut h);
    h.tx(b"AT+QMTSUB=0,65535,\"q/a\",1\r");
    h.rx(b"\r\nOK\r\n\r\n+QMTSUB: 0,65535,0,1\r\n");
    h.tx(b"AT+QMTPUBEX=0,1,1,0,\"q/up\",1\r");
}

// ---------------------------------------------------------------------------------------------
// SIMCom (docs/quectel-simcom-at.md §4, §6.2)

/// §4.3 and §6.2: `<clientid>` of `AT+CMQTTACCQ` is 1–128 bytes (test response
/// `+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)`); a longer one must be refused by the configuration
/// check, not sent to fail on the module (err 22, "length out of range", §4.10).
#[test]
fn simcom_client_id_is_at_most_128_bytes() {
    let mut c = simcom::config();
    c.client_id = s(128);
    assert_eq!(check(&c), Ok(()));
    c.client_id = s(129);
    assert_eq!(
        check(&c),
        Err((ConfigField::ClientId, Status::StringTooLong))
    );
}

/// §4.7, §6.2 (SIMCom: `AT+CMQTTPAYLOAD` takes 1-10240 bytes) and README "Known limits":
/// payloads are held to 4100 bytes as for every family (`CELLMQTT_PAYLOAD_MAX`). 4100 goes,
/// with its exact length after the prompt; 4101 is refused before anything is sent.
#[test]
fn simcom_payload_held_to_the_common_limit() {
    let mut h = Harness::with_sizes(
        simcom::config(),
        Sizes {
            queue: 8192,
            ..Sizes::default()
        },
    );
    let payload: Vec<u8> = (0..4100u32).map(|i| (i * 7) as u8).collect();
    let id = h.engine.publish(b"s/big", &payload, 1, false);
    assert!(id.is_ok(), "4100 bytes: {id:?}");
    assert_eq!(
        h.engine.publish(b"s/big", s(4101), 1, false),
        Err(Status::PayloadTooLong)
    );
    simcom::bring_online(&mut h);
    simcom::publish(&mut h, b"s/big", &payload, 1, false);
}

/// §4.10 err 2 "bad UTF-8 string" (classed a module error, §5.3) and §5.1 (client-side
/// argument errors are caught before sending): a topic that is not UTF-8 is refused with a
/// specific status, not sent to fail on the module.
#[test]
fn simcom_non_utf8_topic_is_refused_before_sending() {
    let mut h = Harness::new(simcom::config());
    assert_eq!(
        h.engine.publish(b"s/\xff", b"v", 0, false),
        Err(Status::InvalidTopic)
    );
    assert_eq!(h.engine.subscribe(b"s/\xc3", 0), Err(Status::InvalidTopic));
}
