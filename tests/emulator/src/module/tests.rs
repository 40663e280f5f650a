//! Unit tests of the module state machine on a fake clock: no sockets, no sleeps.

use std::time::{Duration, Instant};

use super::*;
use crate::control::{ControlCmd, Fault};
use crate::mqtt::Packet;

struct Harness {
    m: Module,
    now: Instant,
    out: Vec<u8>,
    net: Vec<Action>,
}

impl Harness {
    fn new(profile: Profile) -> Harness {
        let mut cfg = Config::new(profile);
        cfg.boot_ms = 100;
        cfg.sim_ms = 10;
        cfg.attach_ms = 20;
        let now = Instant::now();
        let mut h = Harness {
            m: Module::new(cfg, now),
            now,
            out: Vec::new(),
            net: Vec::new(),
        };
        h.advance(200);
        h.take();
        h.m.on_serial(h.now, b"ATE0\r");
        h.collect();
        h.take();
        h
    }

    fn collect(&mut self) {
        for a in self.m.take_actions() {
            match a {
                Action::Serial(b) => self.out.extend(b),
                other => self.net.push(other),
            }
        }
    }

    fn advance(&mut self, ms: u64) {
        let end = self.now + Duration::from_millis(ms);
        // Step through every deadline on the way, as the runtime would.
        while let Some(d) = self.m.next_deadline().filter(|d| *d <= end) {
            self.now = self.now.max(d);
            self.m.on_timer(self.now);
            self.collect();
        }
        self.now = end;
        self.m.on_timer(self.now);
        self.collect();
    }

    fn take(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.out)).into_owned()
    }

    fn at(&mut self, cmd: &str) -> String {
        self.m.on_serial(self.now, format!("{cmd}\r").as_bytes());
        self.collect();
        self.take()
    }

    fn control(&mut self, cmd: ControlCmd) -> Result<String, String> {
        let r = self.m.on_control(self.now, cmd);
        self.collect();
        r
    }

    fn net(&mut self, ev: NetEvent) {
        let gen = self.m.link.as_ref().map_or(0, |l| l.gen);
        self.m.on_net(self.now, gen, ev);
        self.collect();
    }

    /// Drives MIPSTART + MCONNECT with a fake broker.
    fn connect(&mut self) {
        assert_eq!(self.at("AT+MIPSTART=\"b\",1883"), "\r\nOK\r\n");
        assert!(matches!(self.net.pop(), Some(Action::Connect { .. })));
        self.net(NetEvent::Connected);
        assert_eq!(self.take(), "\r\nCONNECT OK\r\n");
        assert_eq!(self.at("AT+MCONNECT=1,60"), "\r\nOK\r\n");
        self.net(NetEvent::Packet(Packet::ConnAck {
            session_present: false,
            code: 0,
        }));
        assert_eq!(self.take(), "\r\nCONNACK OK\r\n");
        self.net.clear();
    }

    fn sent_packets(&mut self) -> Vec<Packet> {
        // The codec's decoder reads PUBLISH packets in both directions.
        std::mem::take(&mut self.net)
            .into_iter()
            .filter_map(|a| match a {
                Action::Send { bytes, .. } => {
                    crate::mqtt::decode(&bytes).ok().flatten().map(|(p, _)| p)
                }
                _ => None,
            })
            .collect()
    }
}

#[test]
fn boot_timing_is_the_configured_delay() {
    let mut cfg = Config::new(Profile::Air724ug);
    cfg.boot_ms = 1500;
    let t0 = Instant::now();
    let mut m = Module::new(cfg, t0);
    m.on_serial(t0, b"AT\r");
    assert!(m.take_actions().is_empty(), "deaf while booting");
    m.on_timer(t0 + Duration::from_millis(1499));
    assert!(m.take_actions().is_empty());
    assert_eq!(m.next_deadline(), Some(t0 + Duration::from_millis(1500)));
    m.on_timer(t0 + Duration::from_millis(1500));
    assert_eq!(
        m.take_actions(),
        vec![Action::Serial(b"\r\nRDY\r\n".to_vec())]
    );
}

#[test]
fn acks_only_after_the_broker_sent_them() {
    let mut h = Harness::new(Profile::Air780e);
    h.connect();
    assert_eq!(h.at("AT+MPUB=\"t\",2,0,\"x\""), "\r\nOK\r\n");
    let pid = match h.sent_packets().as_slice() {
        [Packet::Publish { pid, qos: 2, .. }] => *pid,
        other => panic!("{other:?}"),
    };
    h.advance(10_000);
    assert_eq!(h.take(), "", "no PUBREC without the broker");
    h.net(NetEvent::Packet(Packet::PubComp(pid)));
    assert_eq!(h.take(), "", "PUBCOMP before PUBREC is not ours");
    h.net(NetEvent::Packet(Packet::PubRec(pid)));
    assert_eq!(h.take(), "\r\nPUBREC\r\n");
    assert!(matches!(h.net.as_slice(), [Action::Send { bytes, .. }] if bytes[0] == 0x62));
    h.net.clear();
    h.net(NetEvent::Packet(Packet::PubAck(pid)));
    assert_eq!(h.take(), "", "PUBACK for a QoS 2 id is ignored");
    h.net(NetEvent::Packet(Packet::PubComp(pid)));
    assert_eq!(h.take(), "\r\nPUBCOMP\r\n");
}

#[test]
fn incoming_qos2_delivered_once_and_released() {
    let mut h = Harness::new(Profile::Air724ug);
    h.connect();
    let p = Packet::Publish {
        dup: false,
        qos: 2,
        retain: false,
        topic: b"a".to_vec(),
        pid: 9,
        payload: b"\r\n".to_vec(),
    };
    h.net(NetEvent::Packet(p.clone()));
    assert_eq!(h.take(), "\r\n+MSUB: \"a\",2 byte,\r\n\r\n");
    h.net(NetEvent::Packet(p));
    assert_eq!(
        h.take(),
        "",
        "duplicate before PUBREL is not delivered again"
    );
    h.net(NetEvent::Packet(Packet::PubRel(9)));
    let kinds: Vec<u8> = h
        .net
        .iter()
        .filter_map(|a| {
            if let Action::Send { bytes, .. } = a {
                Some(bytes[0])
            } else {
                None
            }
        })
        .collect();
    assert_eq!(kinds, vec![0x50, 0x50, 0x70]);
}

#[test]
fn keepalive_pings_and_declares_a_silent_broker_dead() {
    let mut h = Harness::new(Profile::Air724ug);
    h.connect();
    h.advance(59_000);
    assert!(h.net.is_empty());
    h.advance(1_000);
    assert!(matches!(h.net.as_slice(), [Action::Send { bytes, .. }] if bytes == &[0xC0, 0]));
    h.net.clear();
    h.advance(60_000);
    assert!(h.net.iter().any(|a| matches!(a, Action::Close { .. })));
    assert_eq!(h.take(), "\r\nCLOSED\r\n");
}

#[test]
fn delay_fault_keeps_order_and_timing() {
    let mut h = Harness::new(Profile::Air724ug);
    h.control(ControlCmd::Fault(Fault::Delay(300))).unwrap();
    assert_eq!(h.at("AT"), "");
    h.advance(299);
    assert_eq!(h.take(), "");
    h.advance(1);
    assert_eq!(h.take(), "\r\nOK\r\n");
}

#[test]
fn mpubex_holds_urcs_until_data_is_done() {
    let mut h = Harness::new(Profile::Air724ug);
    h.connect();
    assert_eq!(h.at("AT+MPUBEX=\"t\",0,0,4"), "\r\n> ");
    h.net(NetEvent::Packet(Packet::Publish {
        dup: false,
        qos: 0,
        retain: false,
        topic: b"in".to_vec(),
        pid: 0,
        payload: b"x".to_vec(),
    }));
    assert_eq!(h.take(), "", "URC held during data");
    h.m.on_serial(h.now, b"ab");
    h.collect();
    h.m.on_serial(h.now, b"cdAT\r");
    h.collect();
    assert_eq!(
        h.take(),
        "\r\nOK\r\n\r\n+MSUB: \"in\",1 byte,x\r\n\r\nOK\r\n"
    );
}

#[test]
fn pins_measure_assertion_time() {
    let mut h = Harness::new(Profile::Air780e);
    h.control(ControlCmd::Pin(crate::control::Pin::Reset, true))
        .unwrap();
    h.advance(500);
    assert_eq!(h.m.power(), Power::Running, "500 ms is not > 500 ms");
    h.advance(1);
    assert_eq!(h.m.power(), Power::Off, "Air780E RESET_N shuts down");
    h.control(ControlCmd::Pin(crate::control::Pin::Reset, false))
        .unwrap();
    h.control(ControlCmd::Pin(crate::control::Pin::Pwrkey, true))
        .unwrap();
    h.advance(1000);
    assert_eq!(h.m.power(), Power::Off);
    h.advance(1);
    assert_eq!(h.m.power(), Power::Booting);
    h.control(ControlCmd::Pin(crate::control::Pin::Pwrkey, false))
        .unwrap();
    h.advance(100);
    assert_eq!(h.m.power(), Power::Running);
}

#[test]
fn chaos_hang_swallows_the_command() {
    let mut cfg = Config::new(Profile::Air724ug);
    cfg.boot_ms = 0;
    let mut chaos = ChaosConfig::parse("1:1.0").unwrap();
    chaos.set_kinds("hang").unwrap();
    cfg.chaos = Some(chaos);
    let now = Instant::now();
    let mut m = Module::new(cfg, now);
    m.on_timer(now);
    m.take_actions();
    m.on_serial(now, b"AT\r");
    assert!(m.take_actions().is_empty());
    assert_eq!(m.stats.chaos_faults, 1);
    assert!(m
        .on_control(now, ControlCmd::Reset(None))
        .unwrap()
        .contains("reboot"));
}

#[test]
fn random_lines_never_panic() {
    let mut h = Harness::new(Profile::Air780e);
    h.connect();
    let mut rng = crate::rng::Rng::new(99);
    let alphabet = b"AT+MPUBEXSCONFIGQTL=?,\"\\0123456789\r\n\x1a\x08 ;&^";
    for _ in 0..20_000 {
        let n = rng.range(0, 40) as usize;
        let line: Vec<u8> = (0..n)
            .map(|_| alphabet[rng.range(0, alphabet.len() as u64 - 1) as usize])
            .collect();
        h.m.on_serial(h.now, &line);
        h.advance(rng.range(0, 50));
        h.take();
        h.net.clear();
    }
}

#[test]
fn refused_connack_is_error_then_closed() {
    let mut h = Harness::new(Profile::Air724ug);
    assert_eq!(h.at("AT+MIPSTART=\"b\",1883"), "\r\nOK\r\n");
    h.net(NetEvent::Connected);
    h.take();
    assert_eq!(h.at("AT+MCONNECT=1,60"), "\r\nOK\r\n");
    h.net(NetEvent::Packet(Packet::ConnAck {
        session_present: false,
        code: 5,
    }));
    assert_eq!(h.take(), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+MQTTSTATU"), "\r\n+MQTTSTATU :2\r\n\r\nOK\r\n");
    h.net(NetEvent::Closed("eof".into()));
    assert_eq!(h.take(), "\r\nCLOSED\r\n");
    assert_eq!(h.at("AT+MQTTSTATU"), "\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
}

#[test]
fn fail_at_itself() {
    let mut h = Harness::new(Profile::Air724ug);
    h.control(ControlCmd::Fault(Fault::Fail {
        cmd: "AT".into(),
        reply: crate::control::FailReply::Cme(4),
    }))
    .unwrap();
    assert_eq!(h.at("AT"), "\r\n+CME ERROR: 4\r\n");
    assert_eq!(h.at("AT"), "\r\nOK\r\n");
}

#[test]
fn mpub_limit_differs_per_profile() {
    for (profile, max) in [(Profile::Air724ug, 2384usize), (Profile::Air780e, 4100)] {
        let mut h = Harness::new(profile);
        h.connect();
        let ok = format!("AT+MPUB=\"t\",0,0,\"{}\"", "x".repeat(max));
        assert_eq!(h.at(&ok), "\r\nOK\r\n", "{profile:?}");
        let too_long = format!("AT+MPUB=\"t\",0,0,\"{}\"", "x".repeat(max + 1));
        assert_eq!(h.at(&too_long), "\r\nERROR\r\n", "{profile:?}");
        // Escapes count after decoding: 3 characters, one byte.
        let escaped = format!("AT+MPUB=\"t\",0,0,\"{}\"", "\\22".repeat(max));
        assert_eq!(h.at(&escaped), "\r\nOK\r\n", "{profile:?}");
    }
}

#[test]
fn settings_are_lost_on_reboot_but_files_are_not() {
    let mut h = Harness::new(Profile::Air780e);
    h.at("AT+MQTTMSGSET=1");
    h.at("AT+SSLCFG=\"seclevel\",88,1");
    h.at("AT+FSCREATE=\"ca.crt\"");
    h.at("AT+RESET");
    h.advance(200);
    h.take();
    assert_eq!(
        h.at("AT+MQTTMSGSET?"),
        "AT+MQTTMSGSET?\r\r\n+MQTTMSGSET:0\r\n\r\nOK\r\n"
    );
    h.at("ATE0");
    assert_eq!(
        h.at("AT+SSLCFG=\"seclevel\",88"),
        "\r\n+SSLCFG: \"seclevel\",88,\r\n\r\nOK\r\n"
    );
    assert_eq!(h.at("AT+FSLS"), "\r\nca.crt\r\n\r\nOK\r\n");
}
