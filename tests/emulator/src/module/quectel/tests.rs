//! Unit tests of the Quectel dialect on a fake clock (the Luat tests' harness): no sockets, no
//! sleeps. Every answer is compared byte for byte.

use std::time::{Duration, Instant};

use super::super::tests::Harness;
use super::super::{Action, Config, Module, NetEvent, Power};
use crate::control::{ControlCmd, Fault};
use crate::mqtt::Packet;
use crate::profile::Profile;

fn q() -> Harness {
    Harness::new(Profile::Ec200u)
}

fn qwith(tune: impl FnOnce(&mut Config)) -> Harness {
    Harness::with(Profile::Ec200u, tune)
}

fn ok() -> String {
    "\r\nOK\r\n".into()
}

/// Attached and booted (the harness waits 200 ms of fake time): context 1 up.
fn pdp_up(h: &mut Harness) {
    assert_eq!(h.at("AT+QICSGP=1,1,\"cmnet\",\"\",\"\",1"), ok());
    assert_eq!(h.at("AT+QIACT=1"), ok());
}

/// QMTOPEN with a fake broker: returns after `+QMTOPEN: 0,0`.
fn open(h: &mut Harness) {
    assert_eq!(h.at("AT+QMTOPEN=0,\"broker.test\",1883"), ok());
    match h.net.pop() {
        Some(Action::Connect {
            host, port, tls, ..
        }) => {
            assert_eq!((host.as_str(), port, tls), ("broker.test", 1883, None));
        }
        other => panic!("no connect: {other:?}"),
    }
    h.net(NetEvent::Connected);
    assert_eq!(h.take(), "\r\n+QMTOPEN: 0,0\r\n");
}

fn connack(h: &mut Harness, code: u8) {
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code,
    }));
}

/// PDP, open, connect.
fn connected() -> Harness {
    let mut h = q();
    pdp_up(&mut h);
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"dev1\""), ok());
    connack(&mut h, 0);
    assert_eq!(h.take(), "\r\n+QMTCONN: 0,0,0\r\n");
    h.net.clear();
    h
}

fn sent_bytes(h: &mut Harness) -> Vec<Vec<u8>> {
    std::mem::take(&mut h.net)
        .into_iter()
        .filter_map(|a| match a {
            Action::Send { bytes, .. } => Some(bytes),
            _ => None,
        })
        .collect()
}

fn closed(h: &Harness) -> bool {
    h.net.iter().any(|a| matches!(a, Action::Close { .. }))
}

#[test]
fn boot_lines_sim_busy_echo_and_identity() {
    let mut cfg = Config::new(Profile::Ec200u);
    cfg.boot_ms = 100;
    cfg.sim_ms = 50;
    cfg.attach_ms = 80;
    let t0 = Instant::now();
    let mut m = Module::new(cfg, t0);
    let mut out = Vec::new();
    let mut run = |m: &mut Module, ms: u64, input: &[u8]| {
        let t = t0 + Duration::from_millis(ms);
        m.on_timer(t);
        if !input.is_empty() {
            m.on_serial(t, input);
        }
        for a in m.take_actions() {
            if let Action::Serial(b) = a {
                out.extend(b);
            }
        }
        String::from_utf8_lossy(&std::mem::take(&mut out)).into_owned()
    };
    assert_eq!(run(&mut m, 99, b"AT\r"), "", "deaf while booting");
    assert_eq!(run(&mut m, 100, b""), "\r\nRDY\r\n");
    // Echo on after boot; the SIM is busy for --sim-ms.
    assert_eq!(
        run(&mut m, 110, b"AT+CPIN?\r"),
        "AT+CPIN?\r\r\n+CME ERROR: 14\r\n"
    );
    assert_eq!(
        run(&mut m, 150, b""),
        "\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n"
    );
    assert_eq!(run(&mut m, 151, b"AT\r"), "AT\r\r\nOK\r\n");
    assert_eq!(run(&mut m, 152, b"ATE0\r"), "ATE0\r\r\nOK\r\n");
    assert_eq!(run(&mut m, 153, b"AT\r"), "\r\nOK\r\n");
    assert_eq!(
        run(&mut m, 154, b"AT+CPIN?\r"),
        "\r\n+CPIN: READY\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 155, b"AT+CGSN\r"),
        "\r\n864394040000017\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 156, b"AT+CGMR\r"),
        "\r\nEC200UCNAAR03A03M08\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 157, b"AT+QCCID\r"),
        "\r\n+QCCID: 89860012345678901234\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 158, b"AT+CIMI\r"),
        "\r\n460081234567890\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 159, b"ATI\r"),
        "\r\nQuectel\r\n\r\nEC200U\r\n\r\nRevision: EC200UCNAAR03A03M08\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 160, b"AT+CGATT?\r"),
        "\r\n+CGATT: 0\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 180, b"AT+CGATT?\r"),
        "\r\n+CGATT: 1\r\n\r\nOK\r\n"
    );
    assert_eq!(
        run(&mut m, 181, b"AT+CSQ\r"),
        "\r\n+CSQ: 24,99\r\n\r\nOK\r\n"
    );
    let cclk = run(&mut m, 182, b"AT+CCLK?\r");
    assert!(cclk.starts_with("\r\n+CCLK: \"") && cclk.ends_with("+32\"\r\n\r\nOK\r\n"));
    // The Luat dialect is not there.
    assert_eq!(run(&mut m, 183, b"AT+MIPSTART=\"h\",1\r"), "\r\nERROR\r\n");
    assert_eq!(run(&mut m, 184, b"AT+MQTTSTATU\r"), "\r\nERROR\r\n");
}

#[test]
fn pdp_setup_already_active_and_query() {
    let mut cfg = Config::new(Profile::Ec200u);
    cfg.boot_ms = 10;
    cfg.sim_ms = 10;
    cfg.attach_ms = 500;
    let mut h = Harness::with(Profile::Ec200u, |c| *c = cfg);
    // Booted, not yet attached: activation fails.
    assert_eq!(h.at("AT+QIACT=1"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QIACT?"), ok());
    h.advance(400);
    h.take();
    assert_eq!(h.at("AT+QICSGP=1,1,\"cmnet\""), ok());
    assert_eq!(h.at("AT+QICSGP=1,1,\"iot\",\"u\",\"p\",1"), ok());
    assert_eq!(
        h.at("AT+QICSGP=1"),
        "\r\n+QICSGP: 1,\"iot\",\"u\",\"p\",1\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+QICSGP=2,1,\"x\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QIACT?"), ok(), "attached but not activated");
    assert_eq!(h.at("AT+QIACT=1"), ok());
    assert_eq!(h.at("AT+QIACT=1"), "\r\nERROR\r\n", "already active");
    assert_eq!(
        h.at("AT+QIACT?"),
        "\r\n+QIACT: 1,1,1,\"10.64.12.34\"\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+QIDEACT=1"), ok());
    assert_eq!(h.at("AT+QIACT?"), ok());
    assert_eq!(h.at("AT+QIACT=1"), ok());
}

#[test]
fn qmtcfg_items_queries_and_errors() {
    let mut h = q();
    for (set, query) in [
        ("\"version\",0,3", "+QMTCFG: \"version\",3"),
        ("\"pdpcid\",0,1", "+QMTCFG: \"pdpcid\",1"),
        ("\"keepalive\",0,60", "+QMTCFG: \"keepalive\",60"),
        ("\"session\",0,0", "+QMTCFG: \"session\",0"),
        ("\"timeout\",0,10,2,1", "+QMTCFG: \"timeout\",10,2,1"),
        (
            "\"will\",0,1,1,1,\"dev/lwt\",\"gone\"",
            "+QMTCFG: \"will\",1,1,1,\"dev/lwt\",\"gone\"",
        ),
        ("\"recv/mode\",0,0,1", "+QMTCFG: \"recv/mode\",0,1"),
        ("\"ssl\",0,1,2", "+QMTCFG: \"ssl\",1,2"),
    ] {
        assert_eq!(h.at(&format!("AT+QMTCFG={set}")), ok(), "{set}");
        let item = set.split(',').next().unwrap();
        assert_eq!(
            h.at(&format!("AT+QMTCFG={item},0")),
            format!("\r\n{query}\r\nOK\r\n").replace("\r\nOK", "\r\n\r\nOK"),
            "{item}"
        );
    }
    // Items are per client index.
    assert_eq!(
        h.at("AT+QMTCFG=\"keepalive\",5"),
        "\r\n+QMTCFG: \"keepalive\",120\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+QMTCFG=\"will\",0,0"), ok());
    assert_eq!(
        h.at("AT+QMTCFG=\"will\",0"),
        "\r\n+QMTCFG: \"will\",0\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+QMTCFG=\"recv/mode\",0,1"), ok());
    for bad in [
        "\"bogus\",0,1",
        "\"version\",0,5",
        "\"version\",6,4",
        "\"keepalive\",0,x",
        "\"session\",0,2",
        "\"timeout\",0,10",
        "\"will\",0,1",
        "\"will\",0,1,3,0,\"t\",\"m\"",
        "\"recv/mode\",0,2",
        "\"ssl\",0,1,9",
        "version,0,4",
        "\"aliauth\",0,\"a\",\"b\",\"c\"",
    ] {
        assert_eq!(h.at(&format!("AT+QMTCFG={bad}")), "\r\nERROR\r\n", "{bad}");
    }
}

#[test]
fn qsslcfg_items() {
    let mut h = q();
    for ok_cmd in [
        "\"sslversion\",2,4",
        "\"seclevel\",2,1",
        "\"ciphersuite\",2,0xFFFF",
        "\"ignorelocaltime\",2,1",
        "\"sni\",2,1",
        "\"cacert\",2,\"UFS:ca.pem\"",
        "\"clientcert\",2,\"RAM:c.pem\"",
        "\"clientkey\",2,\"k.pem\"",
    ] {
        assert_eq!(h.at(&format!("AT+QSSLCFG={ok_cmd}")), ok(), "{ok_cmd}");
    }
    assert_eq!(
        h.at("AT+QSSLCFG=\"cacert\",2"),
        "\r\n+QSSLCFG: \"cacert\",2,\"UFS:ca.pem\"\r\n\r\nOK\r\n"
    );
    assert_eq!(
        h.at("AT+QSSLCFG=\"ciphersuite\",2"),
        "\r\n+QSSLCFG: \"ciphersuite\",2,0xFFFF\r\n\r\nOK\r\n"
    );
    for bad in [
        "\"ciphersuite\",2,\"0xFFFF\"",
        "\"seclevel\",2,3",
        "\"cacert\",2,ca.pem",
        "\"nope\",2,1",
        "\"seclevel\",9,1",
    ] {
        assert_eq!(h.at(&format!("AT+QSSLCFG={bad}")), "\r\nERROR\r\n", "{bad}");
    }
}

#[test]
fn qmtopen_with_ssl_uses_the_context_and_its_files() {
    let mut h = qwith(|c| c.files.push(("ca.pem".into(), b"PEM".to_vec())));
    pdp_up(&mut h);
    assert_eq!(h.at("AT+QSSLCFG=\"seclevel\",1,1"), ok());
    assert_eq!(h.at("AT+QSSLCFG=\"sslversion\",1,3"), ok());
    assert_eq!(h.at("AT+QSSLCFG=\"cacert\",1,\"UFS:ca.pem\""), ok());
    assert_eq!(h.at("AT+QMTCFG=\"ssl\",0,1,1"), ok());
    assert_eq!(h.at("AT+QMTOPEN=0,\"localhost\",8883"), ok());
    match h.net.pop() {
        Some(Action::Connect { tls: Some(t), .. }) => {
            assert_eq!(t.seclevel, 1);
            assert_eq!(t.version, Some(3));
            assert_eq!(t.ca_pem.as_deref(), Some(&b"PEM"[..]));
            assert_eq!(t.server_name, "localhost");
            assert_eq!(t.problem, None);
        }
        other => panic!("{other:?}"),
    }
    // A TLS failure is result -1.
    h.net(NetEvent::ConnectFailed("tls: bad certificate".into()));
    assert_eq!(h.take(), "\r\n+QMTOPEN: 0,-1\r\n");
}

#[test]
fn qmtopen_results() {
    let mut h = q();
    // 3: PDP context not active.
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n"
    );
    pdp_up(&mut h);
    // 1: wrong parameter; ERROR for what cannot be parsed or a bad index.
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",0"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,1\r\n"
    );
    assert_eq!(h.at("AT+QMTOPEN=6,\"b\",1883"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTOPEN=0,\"b\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTOPEN?"), ok());
    // 4: the name does not resolve.
    assert_eq!(h.at("AT+QMTOPEN=0,\"no.such.host\",1883"), ok());
    h.net(NetEvent::ConnectFailed(
        "dns: no address for no.such.host".into(),
    ));
    assert_eq!(h.take(), "\r\n+QMTOPEN: 0,4\r\n");
    // -1: refused / timed out.
    assert_eq!(h.at("AT+QMTOPEN=0,\"b\",1"), ok());
    h.net(NetEvent::ConnectFailed("tcp: connection refused".into()));
    assert_eq!(h.take(), "\r\n+QMTOPEN: 0,-1\r\n");
    // -1: the `unreachable` fault, without a connect attempt.
    h.control(ControlCmd::Fault(Fault::Unreachable(1))).unwrap();
    h.net.clear();
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,-1\r\n"
    );
    assert!(h.net.is_empty());
    // 0, then the query; 2: the index is busy; another index: -1 (one link in the emulator).
    open(&mut h);
    assert_eq!(
        h.at("AT+QMTOPEN?"),
        "\r\n+QMTOPEN: 0,\"broker.test\",1883\r\n\r\nOK\r\n"
    );
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,2\r\n"
    );
    assert_eq!(
        h.at("AT+QMTOPEN=1,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 1,-1\r\n"
    );
    assert_eq!(h.at("AT+QMTCONN?"), "\r\n+QMTCONN: 0,1\r\n\r\nOK\r\n");
}

#[test]
fn qmtopen_error_after_holds_the_final_result() {
    let mut h = qwith(|c| c.qmtopen_error_after = true);
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\n+QMTOPEN: 0,3\r\n\r\nERROR\r\n"
    );
    pdp_up(&mut h);
    assert_eq!(h.at("AT+QMTOPEN=0,\"b\",1"), "");
    // While the open runs, no command is read.
    assert_eq!(h.at("AT"), "");
    h.net(NetEvent::ConnectFailed("tcp: refused".into()));
    assert_eq!(h.take(), "\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTOPEN=0,\"b\",1883"), "");
    h.net(NetEvent::Connected);
    assert_eq!(h.take(), "\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n");
    assert_eq!(h.at("AT"), ok());
}

#[test]
fn qmtconn_packet_states_and_refusals() {
    let mut h = q();
    pdp_up(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\""), "\r\nERROR\r\n", "not open");
    for cfg in [
        "\"version\",0,3",
        "\"keepalive\",0,30",
        "\"session\",0,0",
        "\"will\",0,1,1,0,\"w/t\",\"bye\"",
    ] {
        assert_eq!(h.at(&format!("AT+QMTCFG={cfg}")), ok());
    }
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\",\"user\",\"pw\""), ok());
    let sent = sent_bytes(&mut h);
    let expected: Vec<u8> = [
        &[0x10, 37, 0, 6][..],
        b"MQIsdp",
        &[3, 0x04 | 0x08 | 0x80 | 0x40, 0, 30, 0, 3],
        b"dev",
        &[0, 3],
        b"w/t",
        &[0, 3],
        b"bye",
        &[0, 4],
        b"user",
        &[0, 2],
        b"pw",
    ]
    .concat();
    assert_eq!(sent, vec![expected]);
    assert_eq!(h.at("AT+QMTCONN?"), "\r\n+QMTCONN: 0,2\r\n\r\nOK\r\n");
    // Refused CONNACK: result, then +QMTSTAT 4, and the link is closed.
    connack(&mut h, 4);
    assert_eq!(h.take(), "\r\n+QMTCONN: 0,0,4\r\n\r\n+QMTSTAT: 0,4\r\n");
    assert!(closed(&h));
    assert_eq!(h.at("AT+QMTCONN?"), ok());
    // The `refuse` fault: the broker's code 5 without asking it.
    h.net.clear();
    open(&mut h);
    h.control(ControlCmd::Fault(Fault::Refuse(1))).unwrap();
    assert_eq!(
        h.at("AT+QMTCONN=0,\"dev\""),
        "\r\nOK\r\n\r\n+QMTCONN: 0,0,5\r\n\r\n+QMTSTAT: 0,4\r\n"
    );
    assert!(sent_bytes(&mut h).is_empty());
    // Accepted: state 3; a second QMTCONN is refused by the module.
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\""), ok());
    connack(&mut h, 0);
    assert_eq!(h.take(), "\r\n+QMTCONN: 0,0,0\r\n");
    assert_eq!(h.at("AT+QMTCONN?"), "\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\""), "\r\nERROR\r\n");
}

#[test]
fn qmtconn_two_fields() {
    let mut h = qwith(|c| c.qmtconn_two_fields = true);
    pdp_up(&mut h);
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\""), ok());
    connack(&mut h, 5);
    assert_eq!(h.take(), "\r\n+QMTCONN: 0,0\r\n\r\n+QMTSTAT: 0,4\r\n");
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"dev\""), ok());
    connack(&mut h, 0);
    assert_eq!(h.take(), "\r\n+QMTCONN: 0,0\r\n");
}

#[test]
fn sub_and_uns_report_msgid_and_granted_qos() {
    let mut h = connected();
    assert_eq!(h.at("AT+QMTSUB=0,0,\"a\",1"), "\r\nERROR\r\n", "msgid 0");
    assert_eq!(h.at("AT+QMTSUB=0,1,\"a\",3"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTSUB=0,1,\"a\""), "\r\nERROR\r\n");
    assert_eq!(
        h.at("AT+QMTSUB=1,1,\"a\",1"),
        "\r\nERROR\r\n",
        "index 1 not open"
    );
    assert_eq!(h.at("AT+QMTSUB=0,7,\"a/#\",2"), ok());
    // The host's msgid is the packet id while it is free.
    assert_eq!(
        sent_bytes(&mut h),
        vec![[&[0x82, 8, 0, 7, 0, 3][..], b"a/#", &[2]].concat()]
    );
    let pid = 7;
    assert_eq!(h.take(), "", "nothing before the SUBACK");
    h.net(NetEvent::Packet(Packet::SubAck {
        pid,
        codes: vec![1],
    }));
    assert_eq!(h.take(), "\r\n+QMTSUB: 0,7,0,1\r\n");
    // Several topics: one granted value per filter, 128 for a refused one.
    assert_eq!(h.at("AT+QMTSUB=0,8,\"b\",0,\"c\",2"), ok());
    let sent = sent_bytes(&mut h);
    assert_eq!(
        sent,
        vec![[&[0x82, 10, 0, 8, 0, 1][..], b"b", &[0, 0, 1], b"c", &[2]].concat()]
    );
    h.net(NetEvent::Packet(Packet::SubAck {
        pid: 8,
        codes: vec![0, 0x80],
    }));
    assert_eq!(h.take(), "\r\n+QMTSUB: 0,8,0,0,128\r\n");
    // An ack for an id nobody waits for prints nothing.
    h.net(NetEvent::Packet(Packet::SubAck {
        pid: 99,
        codes: vec![0],
    }));
    assert_eq!(h.take(), "");
    assert_eq!(h.at("AT+QMTUNS=0,0,\"a/#\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTUNS=0,9,\"a/#\""), ok());
    h.net(NetEvent::Packet(Packet::UnsubAck(9)));
    assert_eq!(h.take(), "\r\n+QMTUNS: 0,9,0\r\n");
    // Not connected: ERROR.
    assert_eq!(h.at("AT+QMTDISC=0"), "\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    assert_eq!(h.at("AT+QMTSUB=0,10,\"a\",0"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTUNS=0,10,\"a\""), "\r\nERROR\r\n");
}

#[test]
fn pubex_prompt_takes_exactly_len_raw_bytes_without_echo() {
    let mut h = connected();
    // Echo on: the command line is echoed, the data is not.
    assert_eq!(h.at("ATE1"), ok());
    let data: &[u8] = b"a\r\nb\"c,\x1Ad\x00\xff";
    let cmd = format!("AT+QMTPUBEX=0,0,0,0,\"t/raw\",{}\r", data.len());
    h.m.on_serial(h.now, cmd.as_bytes());
    h.collect();
    assert_eq!(h.take(), format!("{cmd}\r\n> "));
    // The data in two chunks, then the next command in the same chunk as the last bytes.
    h.m.on_serial(h.now, &data[..4]);
    h.collect();
    assert_eq!(h.take(), "");
    let mut rest = data[4..].to_vec();
    rest.extend_from_slice(b"AT\r");
    h.m.on_serial(h.now, &rest);
    h.collect();
    assert_eq!(h.take(), "\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\nAT\r\r\nOK\r\n");
    match h.sent_packets().as_slice() {
        [Packet::Publish {
            qos: 0,
            retain: false,
            topic,
            payload,
            ..
        }] => {
            assert_eq!(topic, b"t/raw");
            assert_eq!(payload, data);
        }
        other => panic!("{other:?}"),
    }
}

/// `--no-qmtpubex`: `AT+QMTPUBEX` is an unknown command; the same six arguments to
/// `AT+QMTPUB` publish, with the result under that command's prefix.
#[test]
fn without_qmtpubex_the_six_argument_qmtpub_publishes() {
    let mut h = connected();
    h.m.cfg.no_qmtpubex = true;
    assert_eq!(h.at("AT+QMTPUBEX=0,0,0,0,\"t\",3"), "\r\nERROR\r\n");
    assert!(h.sent_packets().is_empty());
    assert_eq!(
        publish(&mut h, "AT+QMTPUB=0,0,0,0,\"t\",3", b"abc"),
        "\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n"
    );
    assert!(matches!(
        h.sent_packets().as_slice(),
        [Packet::Publish { topic, payload, .. }] if topic == b"t" && payload == b"abc"
    ));
}

/// Sends a publish command and its data with echo off; returns the text printed.
fn publish(h: &mut Harness, cmd: &str, data: &[u8]) -> String {
    assert_eq!(h.at(cmd), "\r\n> ");
    h.m.on_serial(h.now, data);
    h.collect();
    h.take()
}

#[test]
fn pubex_qos_1_and_2_results_come_after_the_acks() {
    let mut h = connected();
    assert_eq!(h.at("AT+QMTPUBEX=0,0,1,0,\"t\",1"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTPUBEX=0,5,0,0,\"t\",1"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTPUBEX=0,5,1,0,\"t\",0"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTPUBEX=0,5,1,0,\"t\",4097"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTPUBEX=0,5,1,0,\"t/#\",1"), "\r\nERROR\r\n");
    assert_eq!(publish(&mut h, "AT+QMTPUBEX=0,5,1,1,\"t\",3", b"one"), ok());
    let pid = match h.sent_packets().as_slice() {
        [Packet::Publish {
            qos: 1,
            retain: true,
            pid,
            ..
        }] => *pid,
        other => panic!("{other:?}"),
    };
    assert_eq!(pid, 5);
    h.net(NetEvent::Packet(Packet::PubAck(pid)));
    assert_eq!(h.take(), "\r\n+QMTPUBEX: 0,5,0\r\n");
    h.net(NetEvent::Packet(Packet::PubAck(pid)));
    assert_eq!(h.take(), "", "a second PUBACK is not reported");
    // QoS 2: PUBREC is answered with PUBREL inside the module; one URC after PUBCOMP.
    assert_eq!(publish(&mut h, "AT+QMTPUBEX=0,6,2,0,\"t\",3", b"two"), ok());
    h.net.clear();
    h.net(NetEvent::Packet(Packet::PubRec(6)));
    assert_eq!(h.take(), "");
    assert_eq!(sent_bytes(&mut h), vec![vec![0x62, 2, 0, 6]]);
    h.net(NetEvent::Packet(Packet::PubComp(6)));
    assert_eq!(h.take(), "\r\n+QMTPUBEX: 0,6,0\r\n");
    // The QMTPUB spelling answers with its own prefix.
    assert_eq!(publish(&mut h, "AT+QMTPUB=0,9,1,0,\"t\",2", b"hi"), ok());
    h.net(NetEvent::Packet(Packet::PubAck(9)));
    assert_eq!(h.take(), "\r\n+QMTPUB: 0,9,0\r\n");
    assert_eq!(
        publish(&mut h, "AT+QMTPUB=0,0,0,0,\"t\",2", b"hi"),
        "\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n"
    );
    // The Ctrl+Z form of QMTPUB.
    assert_eq!(
        publish(&mut h, "AT+QMTPUB=0,0,0,0,\"t\"", b"xyz\x1a"),
        "\r\nOK\r\n\r\n+QMTPUB: 0,0,0\r\n"
    );
    // A msgid still in flight gets another packet id; the URC still carries the msgid.
    h.net.clear();
    assert_eq!(publish(&mut h, "AT+QMTPUBEX=0,11,1,0,\"t\",1", b"a"), ok());
    assert_eq!(publish(&mut h, "AT+QMTPUBEX=0,11,1,0,\"t\",1", b"b"), ok());
    let pids: Vec<u16> = h
        .sent_packets()
        .into_iter()
        .filter_map(|p| match p {
            Packet::Publish { pid, .. } => Some(pid),
            _ => None,
        })
        .collect();
    assert_eq!(pids.len(), 2);
    assert_ne!(pids[0], pids[1]);
    h.net(NetEvent::Packet(Packet::PubAck(pids[1])));
    assert_eq!(h.take(), "\r\n+QMTPUBEX: 0,11,0\r\n");
}

#[test]
fn pubex_after_the_link_went_away_reports_result_2() {
    let mut h = connected();
    assert_eq!(h.at("AT+QMTPUBEX=0,3,1,0,\"t\",4"), "\r\n> ");
    h.net(NetEvent::Closed("peer reset".into()));
    assert_eq!(h.take(), "", "URCs wait until the data is done");
    h.m.on_serial(h.now, b"data");
    h.collect();
    assert_eq!(
        h.take(),
        "\r\nOK\r\n\r\n+QMTPUBEX: 0,3,2\r\n\r\n+QMTSTAT: 0,1\r\n"
    );
    // Not connected before the prompt: ERROR.
    assert_eq!(h.at("AT+QMTPUBEX=0,4,1,0,\"t\",4"), "\r\nERROR\r\n");
}

fn incoming(h: &mut Harness, qos: u8, pid: u16, payload: &[u8]) {
    h.net(NetEvent::Packet(Packet::Publish {
        dup: false,
        qos,
        retain: false,
        topic: b"in/t".to_vec(),
        pid,
        payload: payload.to_vec(),
    }));
}

#[test]
fn qmtrecv_forms_are_byte_exact() {
    let mut h = connected();
    let payload: &[u8] = b"{\"a\":1}\r\n\",x";
    // Length off (default): payload raw between quotes.
    incoming(&mut h, 0, 0, payload);
    let mut want = b"\r\n+QMTRECV: 0,0,\"in/t\",\"".to_vec();
    want.extend_from_slice(payload);
    want.extend_from_slice(b"\"\r\n");
    assert_eq!(std::mem::take(&mut h.out), want);
    // Length on.
    assert_eq!(h.at("AT+QMTCFG=\"recv/mode\",0,0,1"), ok());
    incoming(&mut h, 1, 12, payload);
    let mut want = format!("\r\n+QMTRECV: 0,12,\"in/t\",{},\"", payload.len()).into_bytes();
    want.extend_from_slice(payload);
    want.extend_from_slice(b"\"\r\n");
    assert_eq!(std::mem::take(&mut h.out), want);
    assert_eq!(sent_bytes(&mut h), vec![vec![0x40, 2, 0, 12]], "PUBACK");
    // QoS 2: delivered once, PUBREC each time, PUBCOMP on PUBREL.
    incoming(&mut h, 2, 13, b"q2");
    incoming(&mut h, 2, 13, b"q2");
    assert_eq!(h.take(), "\r\n+QMTRECV: 0,13,\"in/t\",2,\"q2\"\r\n");
    assert_eq!(
        sent_bytes(&mut h),
        vec![vec![0x50, 2, 0, 13], vec![0x50, 2, 0, 13]]
    );
    h.net(NetEvent::Packet(Packet::PubRel(13)));
    assert_eq!(sent_bytes(&mut h), vec![vec![0x70, 2, 0, 13]]);
}

#[test]
fn qmtrecv_next_line_form() {
    let mut h = Harness::with(Profile::Ec200u, |c| c.qmtrecv_next_line = true);
    pdp_up(&mut h);
    open(&mut h);
    assert_eq!(h.at("AT+QMTCFG=\"recv/mode\",0,0,1"), ok());
    assert_eq!(h.at("AT+QMTCONN=0,\"d\""), ok());
    connack(&mut h, 0);
    h.take();
    incoming(&mut h, 0, 0, b"{\"v\":2}");
    assert_eq!(h.take(), "\r\n+QMTRECV: 0,0,\"in/t\",7\r\n{\"v\":2}\r\n");
}

#[test]
fn link_loss_urcs_and_recovery() {
    // Broker closes: +QMTSTAT 1; reopen works at once.
    let mut h = connected();
    h.net(NetEvent::Closed("eof".into()));
    assert_eq!(h.take(), "\r\n+QMTSTAT: 0,1\r\n");
    assert_eq!(h.at("AT+QMTCONN?"), ok());
    open(&mut h);
    // Control `close`: the same URC.
    assert_eq!(
        h.control(ControlCmd::Fault(Fault::Close)),
        Ok(String::new())
    );
    assert_eq!(h.take(), "\r\n+QMTSTAT: 0,1\r\n");
    // Keepalive failure: +QMTSTAT 2, then QMTOPEN answers 3 until the PDP is cycled.
    open(&mut h);
    h.control(ControlCmd::Fault(Fault::PingFail)).unwrap();
    assert_eq!(h.take(), "\r\n+QMTSTAT: 0,2\r\n");
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n"
    );
    assert_eq!(h.at("AT+QIACT=1"), "\r\nERROR\r\n", "still active");
    assert_eq!(h.at("AT+QIDEACT=1"), ok());
    assert_eq!(h.at("AT+QIACT=1"), ok());
    open(&mut h);
    // Network drops the context: +QIURC, no +QMTSTAT; QMTOPEN 3 until QIACT.
    h.control(ControlCmd::Fault(Fault::PdnDeact)).unwrap();
    assert_eq!(h.take(), "\r\n+QIURC: \"pdpdeact\",1\r\n");
    assert!(closed(&h));
    assert_eq!(
        h.at("AT+QMTOPEN=0,\"b\",1883"),
        "\r\nOK\r\n\r\n+QMTOPEN: 0,3\r\n"
    );
    assert_eq!(h.at("AT+QIACT=1"), ok());
    open(&mut h);
    // QIDEACT with a link open: OK, then +QMTSTAT 1.
    assert_eq!(h.at("AT+QIDEACT=1"), "\r\nOK\r\n\r\n+QMTSTAT: 0,1\r\n");
    assert!(closed(&h));
}

#[test]
fn real_keepalive_failure_is_qmtstat_2() {
    let mut h = q();
    pdp_up(&mut h);
    assert_eq!(h.at("AT+QMTCFG=\"keepalive\",0,10"), ok());
    open(&mut h);
    assert_eq!(h.at("AT+QMTCONN=0,\"d\""), ok());
    connack(&mut h, 0);
    h.take();
    h.net.clear();
    h.advance(10_000);
    assert_eq!(sent_bytes(&mut h), vec![vec![0xC0, 0]], "PINGREQ");
    h.advance(10_000);
    assert_eq!(h.take(), "\r\n+QMTSTAT: 0,2\r\n");
    assert_eq!(h.m.state_json()["quectel"]["pdp_stale"], true);
}

#[test]
fn disc_and_close() {
    let mut h = connected();
    assert_eq!(h.at("AT+QMTDISC=0"), "\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n");
    assert_eq!(sent_bytes(&mut h), vec![vec![0xE0, 0]]);
    assert_eq!(h.at("AT+QMTDISC=0"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTCLOSE=0"), "\r\nERROR\r\n");
    open(&mut h);
    assert_eq!(h.at("AT+QMTCLOSE=1"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+QMTCLOSE=0"), "\r\nOK\r\n\r\n+QMTCLOSE: 0,0\r\n");
    assert!(closed(&h));
    assert!(sent_bytes(&mut h).is_empty(), "no DISCONNECT on QMTCLOSE");
    assert_eq!(h.at("AT+QMTOPEN?"), ok());
}

#[test]
fn cfun_reset_qpowd_and_chaos_reboot() {
    let mut h = connected();
    assert_eq!(h.at("AT+CFUN=1,1"), ok());
    assert!(closed(&h));
    h.advance(99);
    assert_eq!(h.take(), "");
    h.advance(1);
    assert_eq!(h.take(), "\r\nRDY\r\n");
    h.advance(20);
    assert!(h
        .take()
        .starts_with("\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n"));
    // Everything in RAM is gone: echo on, context down, config back to defaults.
    assert_eq!(h.at("AT+QIACT?"), "AT+QIACT?\r\r\nOK\r\n");
    assert_eq!(
        h.at("AT+QMTCFG=\"keepalive\",0"),
        "AT+QMTCFG=\"keepalive\",0\r\r\n+QMTCFG: \"keepalive\",120\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+QPOWD"), "AT+QPOWD\r\r\nOK\r\n\r\nPOWERED DOWN\r\n");
    assert_eq!(h.m.power(), Power::Off);
    h.advance(1000);
    assert_eq!(h.at("AT"), "");
}

#[test]
fn chaos_default_mix_adds_ping_fail_for_quectel_only() {
    let chaos = crate::module::ChaosConfig::parse("5:1").unwrap();
    let mut luat = Config::new(Profile::Air724ug);
    luat.chaos = Some(chaos.clone());
    let mut quec = Config::new(Profile::Ec200u);
    quec.chaos = Some(chaos);
    let now = Instant::now();
    let l = Module::new(luat, now);
    let qm = Module::new(quec, now);
    let kinds = |m: &Module| m.chaos.as_ref().map(|c| c.kinds().len());
    assert_eq!(kinds(&l), Some(10));
    assert_eq!(kinds(&qm), Some(11));
}
