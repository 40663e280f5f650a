//! Every limit of docs/luat-at.md §5 is enforced with a specific status before anything is sent,
//! and payloads take the form the profile can carry (MPUB up to its limit, else MPUBEX).
mod common;

use cellmqtt::config::WillConfig;
use cellmqtt::{Buffers, Config, Engine, Options, Profile, Status};
use common::{bring_online, config, Harness, Sizes};

fn engine_with(cfg: Config<'static>) -> Result<Engine<'static>, Status> {
    let leak = |n: usize| -> &'static mut [u8] { Box::leak(vec![0u8; n].into_boxed_slice()) };
    Engine::new(
        cfg,
        Buffers {
            line: leak(512),
            queue: leak(8192),
            subs: leak(512),
        },
    )
}

fn s(n: usize) -> &'static [u8] {
    Box::leak(vec![b'a'; n].into_boxed_slice())
}

#[test]
fn configuration_limits() {
    let ok = |mut f: Box<dyn FnMut(&mut Config<'static>)>| {
        let mut c = config();
        f(&mut c);
        engine_with(c).err()
    };
    assert_eq!(ok(Box::new(|c| c.client_id = s(256))), None);
    assert_eq!(
        ok(Box::new(|c| c.client_id = s(257))),
        Some(Status::StringTooLong)
    );
    assert_eq!(
        ok(Box::new(|c| c.client_id = b"")),
        Some(Status::InvalidConfig)
    );
    assert_eq!(
        ok(Box::new(|c| c.username = s(257))),
        Some(Status::StringTooLong)
    );
    assert_eq!(
        ok(Box::new(|c| c.password = b"a\"b")),
        Some(Status::InvalidString)
    );
    assert_eq!(
        ok(Box::new(|c| c.host = s(256))),
        Some(Status::StringTooLong)
    );
    let will = |topic: &'static [u8], payload: &'static [u8], qos| {
        Some(WillConfig {
            topic,
            payload,
            qos,
            retain: false,
        })
    };
    assert_eq!(ok(Box::new(move |c| c.will = will(b"w", s(1360), 1))), None);
    assert_eq!(
        ok(Box::new(move |c| c.will = will(b"w", s(1361), 1))),
        Some(Status::WillTooLong)
    );
    assert_eq!(
        ok(Box::new(move |c| c.will = will(s(257), b"x", 1))),
        Some(Status::TopicTooLong)
    );
    assert_eq!(
        ok(Box::new(move |c| c.will = will(b"w/+", b"x", 1))),
        Some(Status::InvalidTopic)
    );
    assert_eq!(
        ok(Box::new(move |c| c.will = will(b"w", b"a\nb", 1))),
        Some(Status::InvalidString)
    );
    assert_eq!(
        ok(Box::new(move |c| c.will = will(b"w", b"x", 3))),
        Some(Status::InvalidQos)
    );
    assert_eq!(
        ok(Box::new(|c| c.online_payload = Some(b"on"))),
        Some(Status::InvalidConfig)
    );
    assert_eq!(
        ok(Box::new(|c| c.tls.ca_file = s(65))),
        Some(Status::StringTooLong)
    );
    assert_eq!(
        ok(Box::new(|c| c.tls.seclevel = Some(3))),
        Some(Status::InvalidConfig)
    );
    assert_eq!(
        ok(Box::new(|c| c.keepalive_s = 0)),
        Some(Status::InvalidConfig)
    );
    assert_eq!(
        ok(Box::new(|c| c.timeouts.prompt_ms = 0)),
        Some(Status::InvalidConfig)
    );
    assert_eq!(ok(Box::new(|c| c.timeouts.health_ms = 0)), None);
    let leak = |n: usize| -> &'static mut [u8] { Box::leak(vec![0u8; n].into_boxed_slice()) };
    let small = Engine::new(
        config(),
        Buffers {
            line: leak(127),
            queue: leak(8192),
            subs: leak(512),
        },
    );
    assert_eq!(small.err(), Some(Status::BufferTooSmall));
}

#[test]
fn publish_and_subscribe_limits() {
    let mut h = Harness::with_sizes(
        config(),
        Sizes {
            queue: 16384,
            ..Sizes::default()
        },
    );
    let e = &mut h.engine;
    assert!(e.publish(s(256), b"x", 0, false).is_ok());
    assert_eq!(e.publish(s(257), b"x", 0, false), Err(Status::TopicTooLong));
    assert_eq!(e.publish(b"", b"x", 0, false), Err(Status::InvalidTopic));
    assert_eq!(e.publish(b"a/+", b"x", 0, false), Err(Status::InvalidTopic));
    assert_eq!(e.publish(b"a/#", b"x", 0, false), Err(Status::InvalidTopic));
    assert_eq!(e.publish(b"a\"", b"x", 0, false), Err(Status::InvalidTopic));
    assert_eq!(e.publish(b"a", b"x", 3, false), Err(Status::InvalidQos));
    assert!(e.publish(b"a", s(4100), 1, false).is_ok());
    assert_eq!(
        e.publish(b"a", s(4101), 1, false),
        Err(Status::PayloadTooLong)
    );
    assert!(e.subscribe(b"a/+/b/#", 2).is_ok());
    assert_eq!(e.subscribe(b"a/#/b", 0), Err(Status::InvalidTopic));
    assert_eq!(e.subscribe(b"a+", 0), Err(Status::InvalidTopic));
    assert_eq!(e.subscribe(s(257), 0), Err(Status::TopicTooLong));
    assert_eq!(e.subscribe(b"a", 3), Err(Status::InvalidQos));
}

/// The escaped message field MPUB carries is 2348 bytes on the 8910, 2384 on the Air780E
/// (vendor FAQ, firmware V1169) and 4100 on the Air780EP; beyond it the payload goes by MPUBEX
/// with its length.
#[test]
fn long_payloads_switch_to_mpubex_at_the_profile_limit() {
    for (profile, limit) in [
        (Profile::Air724ug, 2348usize),
        (Profile::Air780e, 2384),
        (Profile::Air780ep, 4100),
    ] {
        let mut c = config();
        c.profile = profile;
        let mut h = Harness::with_sizes(
            c,
            Sizes {
                queue: 16384,
                ..Sizes::default()
            },
        );
        bring_online(&mut h);
        h.engine.publish(b"t", s(limit), 0, false).unwrap();
        let mut wire = b"AT+MPUB=\"t\",0,0,\"".to_vec();
        wire.extend_from_slice(s(limit));
        wire.extend_from_slice(b"\"\r");
        h.tx(&wire);
        h.rx(b"\r\nOK\r\n");
        if limit < 4100 {
            h.engine.publish(b"t", s(limit + 1), 0, false).unwrap();
            h.tx(format!("AT+MPUBEX=\"t\",0,0,{}\r", limit + 1).as_bytes());
            h.rx(b"\r\n>");
            h.tx(s(limit + 1));
            h.rx(b"\r\nOK\r\n");
        }
    }
}

#[test]
fn without_mpubex_binary_payloads_are_refused_before_sending() {
    let mut c = config();
    c.options |= Options::NO_MPUBEX;
    let mut h = Harness::new(c);
    assert_eq!(
        h.engine.publish(b"t", &[0u8, 1, 2], 0, false),
        Err(Status::PayloadTooLong)
    );
    assert_eq!(
        h.engine.publish(b"t", s(2349), 0, false),
        Err(Status::PayloadTooLong)
    );
    assert!(h.engine.publish(b"t", s(2348), 0, false).is_ok());
    assert!(h.engine.publish(b"t", b"", 0, false).is_ok());
}

#[test]
fn an_online_message_that_cannot_be_sent_is_refused_at_init() {
    let mut c = config();
    c.options |= Options::NO_MPUBEX;
    c.will = Some(WillConfig {
        topic: b"w",
        payload: b"off",
        qos: 1,
        retain: true,
    });
    c.online_payload = Some(&[0u8, 1, 2]);
    assert_eq!(engine_with(c).err(), Some(Status::PayloadTooLong));
    c.online_payload = Some(b"on");
    assert!(engine_with(c).is_ok());
}

#[test]
fn escaping_that_costs_more_than_the_threshold_goes_by_mpubex() {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    // 16 quotes: 32 extra bytes escaped, at the threshold: MPUB.
    h.engine.publish(b"t", &[b'"'; 16], 0, false).unwrap();
    h.tx(format!("AT+MPUB=\"t\",0,0,\"{}\"\r", "\\22".repeat(16)).as_bytes());
    h.rx(b"\r\nOK\r\n");
    // 17 quotes: 34 extra bytes: one more round trip is cheaper.
    h.engine.publish(b"t", &[b'"'; 17], 0, false).unwrap();
    h.tx(b"AT+MPUBEX=\"t\",0,0,17\r");
}
