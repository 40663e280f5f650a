//! Unit tests of the SIMCom dialect on a fake clock (the shared harness): no sockets, no
//! sleeps. Every answer is compared byte for byte.

use super::super::tests::Harness;
use super::super::{Action, Config, NetEvent};
use super::{ConnectFailForm, PubFailForm};
use crate::control::{ControlCmd, Fault};
use crate::mqtt::{self, Packet};
use crate::profile::Profile;

const OK: &str = "\r\nOK\r\n";

fn a7670() -> Harness {
    Harness::new(Profile::A7670)
}

/// Forms fixed: async connect failures, async publish failures, SUB result first.
fn fixed(profile: Profile, tune: impl FnOnce(&mut Config)) -> Harness {
    Harness::with(profile, |c| {
        c.simcom_forms.connect_fail = Some(ConnectFailForm::Async);
        c.simcom_forms.pub_fail = Some(PubFailForm::Async);
        c.simcom_forms.rx_before_sub = Some(false);
        tune(c);
    })
}

/// Types `cmd`, expects the prompt, sends `data`, returns what followed.
fn prompt(h: &mut Harness, cmd: &str, data: &[u8]) -> String {
    assert_eq!(h.at(cmd), "\r\n>", "{cmd}");
    h.m.on_serial(h.now, data);
    h.collect();
    h.take()
}

/// START, ACCQ (client id "dev"), then CONNECT to a fake broker with its CONNACK.
fn connected(h: &mut Harness) {
    assert_eq!(h.at("AT+CMQTTSTART"), "\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    assert_eq!(h.at("AT+CMQTTACCQ=0,\"dev\""), OK);
    assert_eq!(
        h.at("AT+CMQTTCONNECT=0,\"tcp://broker.test:1883\",60,1"),
        OK
    );
    h.net(NetEvent::Connected);
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code: 0,
    }));
    assert_eq!(h.take(), "\r\n+CMQTTCONNECT: 0,0\r\n");
    h.net.clear();
}

/// The raw packets the module sent (the codec decodes only what a broker sends).
fn sent_raw(h: &mut Harness) -> Vec<Vec<u8>> {
    std::mem::take(&mut h.net)
        .into_iter()
        .filter_map(|a| match a {
            Action::Send { bytes, .. } => Some(bytes),
            _ => None,
        })
        .collect()
}

fn connected_a7670() -> Harness {
    let mut h = fixed(Profile::A7670, |_| {});
    connected(&mut h);
    h
}

#[test]
fn boot_lines_identity_and_dialect() {
    let mut h = Harness::with(Profile::A7670, |c| c.attach_ms = 500);
    // The boot lines went by in the harness; reboot to see them.
    assert_eq!(h.at("AT+CRESET"), OK);
    h.advance(100);
    assert_eq!(h.take(), "\r\n*ATREADY: 1\r\n");
    h.advance(10);
    assert_eq!(
        h.take(),
        "\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    );
    h.advance(500);
    assert_eq!(h.take(), "\r\n+CGEV: EPS PDN ACT 1\r\n");
    assert_eq!(h.at("ATE0"), "ATE0\r\r\nOK\r\n");
    assert_eq!(h.at("AT+CGSN"), "\r\n862205050000012\r\n\r\nOK\r\n");
    assert_eq!(
        h.at("AT+CICCID"),
        "\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n"
    );
    assert_eq!(
        h.at("ATI"),
        "\r\nManufacturer: SIMCOM INCORPORATED\r\n\r\nModel: A7670E-LASE\r\n\r\n\
         Revision: A011B07A7670M7\r\n\r\nIMEI: 862205050000012\r\n\r\nOK\r\n"
    );
    // Neither the Luat nor the Quectel dialect is there.
    assert_eq!(h.at("AT+QMTOPEN=0,\"h\",1"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+MIPSTART=\"h\",1"), "\r\nERROR\r\n");

    let mut s = Harness::with(Profile::Sim7600, |c| c.attach_ms = 500);
    assert_eq!(s.at("AT+CFUN=1,1"), OK);
    s.advance(600);
    assert_eq!(
        s.take(),
        "\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n"
    );
}

#[test]
fn bearer_service_start_stop_in_both_orders() {
    let mut h = a7670();
    assert_eq!(h.at("AT+CGDCONT=1,\"IP\",\"cmnet\""), OK);
    assert_eq!(h.at("AT+CGACT=1,1"), OK);
    assert_eq!(h.at("AT+NETOPEN"), "\r\nOK\r\n\r\n+NETOPEN: 0\r\n");
    assert_eq!(h.at("AT+NETOPEN?"), "\r\n+NETOPEN: 1\r\n\r\nOK\r\n");
    assert_eq!(h.at("AT+CMQTTSTOP"), "\r\nERROR\r\n\r\n+CMQTTSTOP: 9\r\n");
    // A76xx: OK before the URC (S10–S12); already started: 23 then ERROR (S16).
    assert_eq!(h.at("AT+CMQTTSTART"), "\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    assert_eq!(
        h.at("AT+CMQTTSTART"),
        "\r\nERROR\r\n\r\n+CMQTTSTART: 23\r\n"
    );
    assert_eq!(h.at("AT+CMQTTSTOP"), "\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");

    // SIM7600: the URC before OK (S01–S04).
    let mut s = Harness::new(Profile::Sim7600);
    assert_eq!(s.at("AT+CMQTTSTART"), "\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
    assert_eq!(s.at("AT+CMQTTSTOP"), "\r\n+CMQTTSTOP: 0\r\n\r\nOK\r\n");
    assert_eq!(s.at("AT+CMQTTSTOP"), "\r\n+CMQTTSTOP: 9\r\n\r\nERROR\r\n");
    s.at("AT+CMQTTSTART");
    assert_eq!(
        s.at("AT+CMQTTSTART"),
        "\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n",
        "S16's shape"
    );
    // Not attached: START fails.
    let mut n = Harness::with(Profile::A7670, |c| c.attach_ms = 10_000);
    assert_eq!(n.at("AT+CMQTTSTART"), "\r\nERROR\r\n\r\n+CMQTTSTART: 7\r\n");
}

#[test]
fn acquire_release_and_client_errors() {
    let mut h = a7670();
    assert_eq!(
        h.at("AT+CMQTTACCQ=0,\"dev\""),
        "\r\n+CMQTTACCQ: 0,9\r\n\r\nERROR\r\n"
    );
    h.at("AT+CMQTTSTART");
    assert_eq!(
        h.at("AT+CMQTTACCQ=?"),
        "\r\n+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)\r\n\r\nOK\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTREL=0"),
        OK,
        "REL of a client never acquired (S04)"
    );
    assert_eq!(h.at("AT+CMQTTACCQ=0,\"dev\",1,4"), OK);
    assert_eq!(
        h.at("AT+CMQTTACCQ=0,\"dev\""),
        "\r\n+CMQTTACCQ: 0,19\r\n\r\nERROR\r\n"
    );
    assert_eq!(h.at("AT+CMQTTACCQ=2,\"dev\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+CMQTTACCQ=1,\"\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+CMQTTACCQ=1,\"x\",2"), "\r\nERROR\r\n");
    assert_eq!(
        h.at("AT+CMQTTACCQ?"),
        "\r\n+CMQTTACCQ: 0,\"dev\",1\r\n\r\n+CMQTTACCQ: 1,\"\",0\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+CMQTTREL=0"), OK);
    assert_eq!(
        h.at("AT+CMQTTTOPIC=1,3"),
        "\r\n+CMQTTTOPIC: 1,20\r\n\r\nERROR\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTPUB=1,1,60"),
        "\r\n+CMQTTPUB: 1,20\r\n\r\nERROR\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTCONNECT=1,\"tcp://b:1883\",60,1"),
        "\r\nOK\r\n\r\n+CMQTTCONNECT: 1,20\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTCONNECT=1,\"mqtt://b:1883\",60,1"),
        "\r\nERROR\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTDISC=0,120"),
        "\r\n+CMQTTDISC: 0,11\r\n\r\nERROR\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTDISC?"),
        "\r\n+CMQTTDISC: 0,1\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n"
    );
}

#[test]
fn connect_carries_will_credentials_keepalive_and_level() {
    let mut h = fixed(Profile::A7670, |_| {});
    h.at("AT+CMQTTSTART");
    assert_eq!(h.at("AT+CMQTTACCQ=0,\"dev1\",0,3"), OK);
    assert_eq!(prompt(&mut h, "AT+CMQTTWILLTOPIC=0,7", b"dev/lwt"), OK);
    assert_eq!(prompt(&mut h, "AT+CMQTTWILLMSG=0,4,1", b"go\r\n"), OK);
    assert_eq!(
        h.at("AT+CMQTTCONNECT=0,\"tcp://b.test:8883\",90,0,\"u\",\"p\""),
        OK
    );
    match h.net.pop() {
        Some(Action::Connect {
            host, port, tls, ..
        }) => assert_eq!((host.as_str(), port, tls), ("b.test", 8883, None)),
        other => panic!("no connect: {other:?}"),
    }
    assert_eq!(
        h.at("AT+CMQTTDISC?"),
        "\r\n+CMQTTDISC: 0,1\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n"
    );
    h.net(NetEvent::Connected);
    let sent = sent_raw(&mut h);
    let c = crate::mqtt::Connect {
        client_id: b"dev1".to_vec(),
        username: Some(b"u".to_vec()),
        password: Some(b"p".to_vec()),
        will: Some(crate::mqtt::Will {
            topic: b"dev/lwt".to_vec(),
            message: b"go\r\n".to_vec(),
            qos: 1,
            retain: false,
        }),
        clean_session: false,
        keepalive: 90,
    };
    assert_eq!(sent, vec![crate::mqtt::encode_connect_level(&c, 3)]);
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code: 0,
    }));
    assert_eq!(h.take(), "\r\n+CMQTTCONNECT: 0,0\r\n");
    assert_eq!(
        h.at("AT+CMQTTDISC?"),
        "\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTCONNECT=0,\"tcp://b.test:8883\",90,0"),
        "\r\nOK\r\n\r\n+CMQTTCONNECT: 0,19\r\n"
    );
    assert_eq!(
        h.at("AT+CMQTTDISC=0,120"),
        "\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n"
    );
    assert_eq!(sent_raw(&mut h), vec![mqtt::encode_disconnect()]);
}

/// One failing connect per form: CONNACK 4 (bad user name or password) is err 30.
fn refused_connect(form: ConnectFailForm) -> String {
    let mut h = fixed(Profile::A7670, |c| c.simcom_forms.connect_fail = Some(form));
    h.at("AT+CMQTTSTART");
    h.at("AT+CMQTTACCQ=0,\"dev\"");
    let mut out = h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1");
    h.net(NetEvent::Connected);
    out += "|";
    // The sync and bare forms read no command until the result.
    out += &h.at("AT");
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code: 4,
    }));
    assert!(h.net.iter().any(|a| matches!(a, Action::Close { .. })));
    out + "|" + &h.take()
}

#[test]
fn connect_failure_in_each_form() {
    assert_eq!(
        refused_connect(ConnectFailForm::Async),
        "\r\nOK\r\n|\r\nOK\r\n|\r\n+CMQTTCONNECT: 0,30\r\n"
    );
    assert_eq!(
        refused_connect(ConnectFailForm::Sync),
        "||\r\n+CMQTTCONNECT: 0,30\r\n\r\nERROR\r\n"
    );
    assert_eq!(refused_connect(ConnectFailForm::Bare), "||\r\nERROR\r\n");
    // Sync success is still OK, then the URC.
    let mut h = fixed(Profile::A7670, |c| {
        c.simcom_forms.connect_fail = Some(ConnectFailForm::Sync)
    });
    h.at("AT+CMQTTSTART");
    h.at("AT+CMQTTACCQ=0,\"dev\"");
    assert_eq!(h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1"), "");
    h.net(NetEvent::Connected);
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code: 0,
    }));
    assert_eq!(h.take(), "\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n");
    // Without a flag the form is a seeded choice: all three show up over a few connects.
    let mut m = Harness::new(Profile::A7670);
    m.at("AT+CMQTTSTART");
    m.at("AT+CMQTTACCQ=0,\"dev\"");
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..30 {
        m.control(ControlCmd::Fault(Fault::Refuse(1))).unwrap();
        seen.insert(m.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1"));
    }
    let want: std::collections::BTreeSet<String> = [
        "\r\nOK\r\n\r\n+CMQTTCONNECT: 0,31\r\n",
        "\r\n+CMQTTCONNECT: 0,31\r\n\r\nERROR\r\n",
        "\r\nERROR\r\n",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(seen, want);
}

#[test]
fn connect_failures_from_the_network() {
    for (why, profile, err) in [
        ("dns: failed to lookup", Profile::A7670, 25),
        ("tcp: Connection refused", Profile::A7670, 3),
        ("timeout", Profile::A7670, 3),
        ("tls: invalid peer certificate", Profile::A7670, 34),
        ("tls: invalid peer certificate", Profile::Sim7600, 32),
    ] {
        let mut h = fixed(profile, |_| {});
        h.at("AT+CMQTTSTART");
        h.at("AT+CMQTTACCQ=0,\"dev\",1");
        h.take();
        h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1");
        h.net(NetEvent::ConnectFailed(why.into()));
        assert_eq!(h.take(), format!("\r\n+CMQTTCONNECT: 0,{err}\r\n"), "{why}");
    }
    // The server closes the socket before the CONNACK: 26 (S05).
    let mut h = fixed(Profile::A7670, |_| {});
    h.at("AT+CMQTTSTART");
    h.at("AT+CMQTTACCQ=0,\"dev\"");
    h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1");
    h.net(NetEvent::Connected);
    h.net(NetEvent::Closed("connection closed by broker".into()));
    assert_eq!(h.take(), "\r\n+CMQTTCONNECT: 0,26\r\n");
    // TLS with a certificate file that is not there: 33, no connect attempt.
    h.at("AT+CMQTTREL=0");
    h.at("AT+CMQTTACCQ=0,\"dev\",1");
    assert_eq!(h.at("AT+CSSLCFG=\"authmode\",0,1"), OK);
    assert_eq!(h.at("AT+CSSLCFG=\"cacert\",0,\"ca.pem\""), OK);
    assert_eq!(h.at("AT+CMQTTSSLCFG=0,0"), OK);
    h.net.clear();
    assert_eq!(
        h.at("AT+CMQTTCONNECT=0,\"tcp://b:8883\",60,1"),
        "\r\nOK\r\n\r\n+CMQTTCONNECT: 0,33\r\n"
    );
    assert!(h.net.is_empty());
    // Once downloaded, the connect goes out with TLS, verifying the server.
    assert_eq!(prompt(&mut h, "AT+CCERTDOWN=\"ca.pem\",5", b"-----"), OK);
    assert_eq!(
        h.at("AT+CCERTLIST"),
        "\r\n+CCERTLIST: \"ca.pem\"\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+CMQTTCONNECT=0,\"tcp://b:8883\",60,1"), OK);
    match h.net.pop() {
        Some(Action::Connect { tls: Some(t), .. }) => {
            assert_eq!((t.seclevel, t.ca_pem.as_deref()), (1, Some(&b"-----"[..])));
            assert_eq!(t.server_name, "b");
        }
        other => panic!("no TLS connect: {other:?}"),
    }
}

#[test]
fn subscribe_and_unsubscribe_in_both_forms() {
    let mut h = connected_a7670();
    // One-step: prompt, topic, OK, then the result after the SUBACK.
    assert_eq!(prompt(&mut h, "AT+CMQTTSUB=0,5,1", b"a/b/c"), OK);
    // Packet ids count from 1 on each link.
    let pid = 1;
    assert_eq!(
        sent_raw(&mut h),
        vec![mqtt::encode_subscribe_many(pid, &[(b"a/b/c".to_vec(), 1)])]
    );
    // A second operation while the first is in flight: busy (14).
    assert_eq!(
        h.at("AT+CMQTTSUB=0,1,0"),
        "\r\n+CMQTTSUB: 0,14\r\n\r\nERROR\r\n"
    );
    h.net(NetEvent::Packet(Packet::SubAck {
        pid,
        codes: vec![1],
    }));
    assert_eq!(h.take(), "\r\n+CMQTTSUB: 0,0\r\n");
    // Two-step: the topic list, then the command.
    assert_eq!(prompt(&mut h, "AT+CMQTTSUBTOPIC=0,3,0", b"x/#"), OK);
    assert_eq!(prompt(&mut h, "AT+CMQTTSUBTOPIC=0,1,2", b"y"), OK);
    assert_eq!(h.at("AT+CMQTTSUB=0"), OK);
    let pid = 2;
    let filters = [(b"x/#".to_vec(), 0), (b"y".to_vec(), 2)];
    assert_eq!(
        sent_raw(&mut h),
        vec![mqtt::encode_subscribe_many(pid, &filters)]
    );
    h.net(NetEvent::Packet(Packet::SubAck {
        pid,
        codes: vec![0, 0x80],
    }));
    assert_eq!(h.take(), "\r\n+CMQTTSUB: 0,1\r\n", "a refused filter");
    assert_eq!(
        h.at("AT+CMQTTSUB=0"),
        "\r\n+CMQTTSUB: 0,18\r\n\r\nERROR\r\n"
    );
    // Unsubscribe: two-step, then one-step.
    assert_eq!(h.at("AT+CMQTTUNSUBTOPIC=0,3,"), "\r\nERROR\r\n");
    assert_eq!(prompt(&mut h, "AT+CMQTTUNSUBTOPIC=0,3", b"x/#"), OK);
    assert_eq!(h.at("AT+CMQTTUNSUB=0,0"), OK);
    let pid = 3;
    assert_eq!(
        sent_raw(&mut h),
        vec![mqtt::encode_unsubscribe_many(pid, &[b"x/#".to_vec()])]
    );
    h.net(NetEvent::Packet(Packet::UnsubAck(pid)));
    assert_eq!(h.take(), "\r\n+CMQTTUNSUB: 0,0\r\n");
    assert_eq!(prompt(&mut h, "AT+CMQTTUNSUB=0,1,0", b"y"), OK);
    let pid = 4;
    assert_eq!(
        sent_raw(&mut h),
        vec![mqtt::encode_unsubscribe_many(pid, &[b"y".to_vec()])]
    );
    h.net(NetEvent::Packet(Packet::UnsubAck(pid)));
    assert_eq!(h.take(), "\r\n+CMQTTUNSUB: 0,0\r\n");
}

#[test]
fn publish_every_qos_with_binary_payload_and_cleared_buffers() {
    let mut h = connected_a7670();
    let binary: Vec<u8> = (0..=255u8).collect();
    assert_eq!(prompt(&mut h, "AT+CMQTTTOPIC=0,3", b"t/0"), OK);
    assert_eq!(prompt(&mut h, "AT+CMQTTPAYLOAD=0,256", &binary), OK);
    assert_eq!(
        h.at("AT+CMQTTPUB=0,0,60"),
        "\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n"
    );
    match h.sent_packets().as_slice() {
        [Packet::Publish {
            topic,
            payload,
            qos: 0,
            ..
        }] => assert_eq!((topic.as_slice(), payload), (&b"t/0"[..], &binary)),
        other => panic!("{other:?}"),
    }
    // Topic and payload were cleared by that PUB (S20, D15).
    assert_eq!(
        h.at("AT+CMQTTPUB=0,1,60"),
        "\r\n+CMQTTPUB: 0,18\r\n\r\nERROR\r\n"
    );
    for qos in [1u8, 2] {
        assert_eq!(prompt(&mut h, "AT+CMQTTTOPIC=0,3", b"t/q"), OK);
        assert_eq!(prompt(&mut h, "AT+CMQTTPAYLOAD=0,2", b"hi"), OK);
        assert_eq!(h.at(&format!("AT+CMQTTPUB=0,{qos},60,1,0")), OK);
        let pid = match h.sent_packets().as_slice() {
            [Packet::Publish {
                pid, retain: true, ..
            }] => *pid,
            other => panic!("{other:?}"),
        };
        if qos == 1 {
            h.net(NetEvent::Packet(Packet::PubAck(pid)));
        } else {
            h.net(NetEvent::Packet(Packet::PubRec(pid)));
            assert_eq!(h.take(), "", "no result before PUBCOMP");
            assert_eq!(sent_raw(&mut h), vec![mqtt::encode_pubrel(pid)]);
            h.net(NetEvent::Packet(Packet::PubComp(pid)));
        }
        assert_eq!(h.take(), "\r\n+CMQTTPUB: 0,0\r\n");
    }
    // No payload set: an empty message (the emulator's choice, §4.7).
    assert_eq!(prompt(&mut h, "AT+CMQTTTOPIC=0,1", b"e"), OK);
    assert_eq!(
        h.at("AT+CMQTTPUB=0,0,60"),
        "\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n"
    );
    assert_eq!(h.at("AT+CMQTTPAYLOAD=0,10241"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+CMQTTPUB=0,1,181"), "\r\nERROR\r\n");
}

/// A QoS 1 publish in flight when the broker closes the link, in `form`.
fn lost_publish(form: PubFailForm) -> String {
    let mut h = fixed(Profile::A7670, |c| c.simcom_forms.pub_fail = Some(form));
    connected(&mut h);
    prompt(&mut h, "AT+CMQTTTOPIC=0,1", b"t");
    prompt(&mut h, "AT+CMQTTPAYLOAD=0,1", b"x");
    let mut out = h.at("AT+CMQTTPUB=0,1,60") + "|";
    h.net(NetEvent::Closed("connection closed by broker".into()));
    out += &h.take();
    out
}

#[test]
fn publish_failure_in_each_form() {
    assert_eq!(
        lost_publish(PubFailForm::Async),
        "\r\nOK\r\n|\r\n+CMQTTPUB: 0,6\r\n\r\n+CMQTTCONNLOST: 0,1\r\n"
    );
    assert_eq!(
        lost_publish(PubFailForm::Sync),
        "|\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n"
    );
    // Held success: OK when the PUBACK came, then the result.
    let mut h = fixed(Profile::A7670, |c| {
        c.simcom_forms.pub_fail = Some(PubFailForm::Sync)
    });
    connected(&mut h);
    prompt(&mut h, "AT+CMQTTTOPIC=0,1", b"t");
    assert_eq!(h.at("AT+CMQTTPUB=0,1,60"), "");
    let pid = match h.sent_packets().as_slice() {
        [Packet::Publish { pid, .. }] => *pid,
        other => panic!("{other:?}"),
    };
    h.net(NetEvent::Packet(Packet::PubAck(pid)));
    assert_eq!(h.take(), "\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    // Not connected any more: 11.
    h.control(ControlCmd::Fault(Fault::Close)).unwrap();
    assert_eq!(h.take(), "\r\n+CMQTTCONNLOST: 0,1\r\n");
    prompt(&mut h, "AT+CMQTTTOPIC=0,1", b"t");
    assert_eq!(
        h.at("AT+CMQTTPUB=0,1,60"),
        "\r\n+CMQTTPUB: 0,11\r\n\r\nERROR\r\n"
    );
}

fn incoming(h: &mut Harness, topic: &[u8], payload: &[u8]) {
    h.net(NetEvent::Packet(Packet::Publish {
        dup: false,
        qos: 0,
        retain: false,
        topic: topic.to_vec(),
        pid: 0,
        payload: payload.to_vec(),
    }));
}

#[test]
fn incoming_messages_read_by_length_chunked_and_empty() {
    let mut h = connected_a7670();
    incoming(&mut h, b"a/b", b"x\r\n\"y\0");
    assert_eq!(
        h.take().into_bytes(),
        b"\r\n+CMQTTRXSTART: 0,3,6\r\n\r\n+CMQTTRXTOPIC: 0,3\r\na/b\r\n\r\n\
          +CMQTTRXPAYLOAD: 0,6\r\nx\r\n\"y\0\r\n\r\n+CMQTTRXEND: 0\r\n"
            .to_vec()
    );
    // Empty payload: no RXPAYLOAD line at all.
    incoming(&mut h, b"e", b"");
    assert_eq!(
        h.take(),
        "\r\n+CMQTTRXSTART: 0,1,0\r\n\r\n+CMQTTRXTOPIC: 0,1\r\ne\r\n\r\n+CMQTTRXEND: 0\r\n"
    );
    // 3200 bytes: chunks of 1500, 1500, 200 (S18).
    let big: Vec<u8> = (0..3200u32).map(|i| (i % 251) as u8).collect();
    incoming(&mut h, b"big", &big);
    let mut want = b"\r\n+CMQTTRXSTART: 0,3,3200\r\n\r\n+CMQTTRXTOPIC: 0,3\r\nbig".to_vec();
    for chunk in big.chunks(1500) {
        want.extend_from_slice(
            format!("\r\n\r\n+CMQTTRXPAYLOAD: 0,{}\r\n", chunk.len()).as_bytes(),
        );
        want.extend_from_slice(chunk);
    }
    want.extend_from_slice(b"\r\n\r\n+CMQTTRXEND: 0\r\n");
    let got = std::mem::take(&mut h.out);
    assert_eq!(got, want);
    // `corrupt-msub`: the total lies.
    h.control(ControlCmd::Fault(Fault::CorruptMsub(1))).unwrap();
    incoming(&mut h, b"c", b"1");
    assert!(h.take().starts_with("\r\n+CMQTTRXSTART: 0,1,90000\r\n"));
    // A message that arrives while the host types data waits for the data's OK.
    assert_eq!(h.at("AT+CMQTTTOPIC=0,2"), "\r\n>");
    incoming(&mut h, b"w", b"");
    assert_eq!(h.take(), "");
    h.m.on_serial(h.now, b"ab");
    h.collect();
    assert!(h
        .take()
        .starts_with("\r\nOK\r\n\r\n+CMQTTRXSTART: 0,1,0\r\n"));
}

#[test]
fn retained_message_before_the_subscribe_result() {
    let mut h = fixed(Profile::A7670, |c| {
        c.simcom_forms.rx_before_sub = Some(true)
    });
    connected(&mut h);
    assert_eq!(prompt(&mut h, "AT+CMQTTSUB=0,1,0", b"r"), OK);
    h.net.clear();
    h.net(NetEvent::Packet(Packet::SubAck {
        pid: 1,
        codes: vec![0],
    }));
    incoming(&mut h, b"r", b"kept");
    h.advance(100);
    let got = h.take();
    let rx = got.find("+CMQTTRXSTART").expect("message");
    let sub = got.find("+CMQTTSUB: 0,0").expect("result");
    assert!(rx < sub, "{got:?}");
}

/// The broker's retained PUBLISH can follow its SUBACK late on a loaded machine: the held
/// result waits for it, and without one it comes out when the hold ends.
#[test]
fn held_subscribe_result_waits_for_a_late_retained_message() {
    let mut h = fixed(Profile::A7670, |c| {
        c.simcom_forms.rx_before_sub = Some(true)
    });
    connected(&mut h);
    for (pid, retained) in [(1, true), (2, false)] {
        assert_eq!(prompt(&mut h, "AT+CMQTTSUB=0,1,0", b"r"), OK);
        h.net.clear();
        h.net(NetEvent::Packet(Packet::SubAck {
            pid,
            codes: vec![0],
        }));
        h.advance(200);
        assert_eq!(h.take(), "", "result released before the hold ended");
        if retained {
            incoming(&mut h, b"r", b"kept");
            let got = h.take();
            assert!(got.starts_with("\r\n+CMQTTRXSTART: 0,1,4\r\n"), "{got:?}");
            assert!(got.ends_with("\r\n+CMQTTSUB: 0,0\r\n"), "{got:?}");
        } else {
            h.advance(100);
            assert_eq!(h.take(), "\r\n+CMQTTSUB: 0,0\r\n");
        }
    }
}

#[test]
fn link_loss_network_loss_keepalive_and_reboot() {
    let mut h = Harness::with(Profile::Sim7600, |c| {
        c.simcom_forms.connect_fail = Some(ConnectFailForm::Async);
    });
    assert_eq!(h.at("AT+CMQTTSTART"), "\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
    h.at("AT+CMQTTACCQ=0,\"dev\"");
    let reconnect = |h: &mut Harness| {
        assert_eq!(h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1"), OK);
        h.net(NetEvent::Connected);
        h.net(NetEvent::Packet(Packet::ConnAck {
            session_present: false,
            code: 0,
        }));
        assert_eq!(h.take(), "\r\n+CMQTTCONNECT: 0,0\r\n");
        h.net.clear();
    };
    reconnect(&mut h);
    // The broker resets the socket: cause 2; the same client connects again (§4.9).
    h.net(NetEvent::Closed("read: Connection reset by peer".into()));
    assert_eq!(h.take(), "\r\n+CMQTTCONNLOST: 0,2\r\n");
    reconnect(&mut h);
    // No PINGRESP within the keepalive: +CMQTTPING and the link is gone.
    h.advance(60_000);
    assert_eq!(sent_raw(&mut h), vec![mqtt::encode_pingreq()]);
    h.advance(60_000);
    assert_eq!(h.take(), "\r\n+CMQTTPING: 0,17\r\n");
    reconnect(&mut h);
    // The network drops: +CMQTTNONET, the service is down until START.
    h.control(ControlCmd::Fault(Fault::PdnDeact)).unwrap();
    assert_eq!(h.take(), "\r\n+CMQTTNONET\r\n");
    assert_eq!(
        h.at("AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1"),
        "\r\nOK\r\n\r\n+CMQTTCONNECT: 0,9\r\n"
    );
    assert_eq!(h.at("AT+CMQTTSTOP"), "\r\n+CMQTTSTOP: 9\r\n\r\nERROR\r\n");
    assert_eq!(h.at("AT+CMQTTSTART"), "\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
    assert_eq!(
        h.at("AT+CMQTTACCQ=0,\"dev\""),
        "\r\n+CMQTTACCQ: 0,19\r\n\r\nERROR\r\n"
    );
    reconnect(&mut h);
    // `pdp-deact` tells a connected client first: CONNLOST cause 3 (network closed).
    h.control(ControlCmd::Fault(Fault::PdpDeact)).unwrap();
    assert_eq!(h.take(), "\r\n+CMQTTCONNLOST: 0,3\r\n\r\n+CMQTTNONET\r\n");
    assert_eq!(h.at("AT+CMQTTSTART"), "\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
    reconnect(&mut h);
    // A spontaneous reboot: boot lines, everything gone.
    h.control(ControlCmd::Fault(Fault::Reboot)).unwrap();
    h.advance(300);
    assert!(h.take().starts_with("\r\nRDY\r\n"));
    assert!(h.net.iter().any(|a| matches!(a, Action::Close { .. })));
    assert_eq!(
        h.at("AT+CMQTTSTART"),
        "AT+CMQTTSTART\r\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n"
    );
    let st = h.m.state_json();
    assert_eq!(st["simcom"]["started"], true);
    assert_eq!(st["simcom"]["acquired"], serde_json::json!([false, false]));
}

/// Every chaos kind of the default SIMCom mix, over many seeds, through a session that keeps
/// connecting, subscribing and publishing: nothing panics, and a reset pulse always brings
/// back a module that answers (no held final result or prompt survives it).
#[test]
fn chaos_default_mix_never_wedges_the_module() {
    use crate::module::ChaosConfig;
    let script = [
        "AT+CMQTTSTOP",
        "AT+CMQTTREL=0",
        "AT+CMQTTSTART",
        "AT+CMQTTACCQ=0,\"dev\"",
        "AT+CMQTTCONNECT=0,\"tcp://b:1883\",60,1",
        "AT+CMQTTSUB=0,1,1",
        "t",
        "AT+CMQTTTOPIC=0,1",
        "t",
        "AT+CMQTTPAYLOAD=0,2",
        "hi",
        "AT+CMQTTPUB=0,1,60",
        "AT+CMQTTDISC?",
    ];
    let mut faults = 0;
    for seed in 1..=40u64 {
        let mut h = Harness::with(Profile::A7670, |c| {
            c.chaos = Some(ChaosConfig::parse(&format!("{seed}:0.3")).unwrap());
        });
        assert_eq!(
            h.m.chaos.as_ref().map(|c| c.kinds().len()),
            Some(11),
            "ping-fail in the mix"
        );
        for round in 0..6 {
            for line in script {
                if line.starts_with("AT") {
                    h.m.on_serial(h.now, format!("{line}\r").as_bytes());
                } else {
                    h.m.on_serial(h.now, line.as_bytes());
                }
                h.collect();
                // A fake broker that accepts every connect and acks every packet id 1..3.
                for a in std::mem::take(&mut h.net) {
                    if let Action::Connect { .. } = a {
                        h.net(NetEvent::Connected);
                        h.net(NetEvent::Packet(Packet::ConnAck {
                            session_present: false,
                            code: 0,
                        }));
                    }
                }
                for pid in 1..=3 {
                    h.net(NetEvent::Packet(Packet::SubAck {
                        pid,
                        codes: vec![1],
                    }));
                    h.net(NetEvent::Packet(Packet::PubAck(pid)));
                }
                h.advance(50 + round * 10);
                h.net.clear();
            }
        }
        faults += h.m.stats.chaos_faults;
        h.m.chaos = None;
        h.control(ControlCmd::Reset(None)).unwrap();
        // A delay burst ends within 5 s; a pending `drop` eats into the boot lines.
        h.advance(6000);
        h.take();
        let mut ask = |line: &str| {
            h.m.on_serial(h.now, format!("{line}\r").as_bytes());
            h.advance(10);
            h.take()
        };
        assert_eq!(ask("AT"), "AT\r\r\nOK\r\n", "seed {seed}");
        assert_eq!(
            ask("AT+CMQTTSTART"),
            "AT+CMQTTSTART\r\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n",
            "seed {seed}"
        );
    }
    assert!(faults > 200, "chaos injected {faults} faults");
}
