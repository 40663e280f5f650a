//! Unit tests of the module state machine on a fake clock: no sockets, no sleeps.

use std::time::{Duration, Instant};

use super::*;
use crate::control::{ControlCmd, Fault};
use crate::mqtt::Packet;

pub(crate) struct Harness {
    pub(crate) m: Module,
    pub(crate) now: Instant,
    pub(crate) out: Vec<u8>,
    pub(crate) net: Vec<Action>,
}

impl Harness {
    pub(crate) fn new(profile: Profile) -> Harness {
        Self::with(profile, |_| {})
    }

    /// Like `new`, with the configuration adjusted by `tune` (after the test defaults).
    pub(crate) fn with(profile: Profile, tune: impl FnOnce(&mut Config)) -> Harness {
        let mut cfg = Config::new(profile);
        cfg.boot_ms = 100;
        cfg.sim_ms = 10;
        cfg.attach_ms = 20;
        tune(&mut cfg);
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

    pub(crate) fn collect(&mut self) {
        for a in self.m.take_actions() {
            match a {
                Action::Serial(b) => self.out.extend(b),
                other => self.net.push(other),
            }
        }
    }

    pub(crate) fn advance(&mut self, ms: u64) {
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

    pub(crate) fn take(&mut self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut self.out)).into_owned()
    }

    pub(crate) fn at(&mut self, cmd: &str) -> String {
        self.m.on_serial(self.now, format!("{cmd}\r").as_bytes());
        self.collect();
        self.take()
    }

    pub(crate) fn control(&mut self, cmd: ControlCmd) -> Result<String, String> {
        let r = self.m.on_control(self.now, cmd);
        self.collect();
        r
    }

    pub(crate) fn net(&mut self, ev: NetEvent) {
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

    pub(crate) fn sent_packets(&mut self) -> Vec<Packet> {
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
fn mpub_limit_is_2384_on_both_profiles_and_mpubex_takes_4100() {
    for (profile, max) in [(Profile::Air724ug, 2384usize), (Profile::Air780e, 2384)] {
        let mut h = Harness::new(profile);
        h.connect();
        let ok = format!("AT+MPUB=\"t\",0,0,\"{}\"", "x".repeat(max));
        assert_eq!(h.at(&ok), "\r\nOK\r\n", "{profile:?}");
        let too_long = format!("AT+MPUB=\"t\",0,0,\"{}\"", "x".repeat(max + 1));
        assert_eq!(h.at(&too_long), "\r\nERROR\r\n", "{profile:?}");
        // Escapes count after decoding: 3 characters, one byte.
        let escaped = format!("AT+MPUB=\"t\",0,0,\"{}\"", "\\22".repeat(max));
        assert_eq!(h.at(&escaped), "\r\nOK\r\n", "{profile:?}");
        assert_eq!(h.at("AT+MPUBEX=\"t\",0,0,4100"), "\r\n> ", "{profile:?}");
        h.m.on_serial(h.now, &[b'y'; 4100]);
        h.collect();
        assert_eq!(h.take(), "\r\nOK\r\n", "{profile:?}");
        assert_eq!(h.at("AT+MPUBEX=\"t\",0,0,4101"), "\r\nERROR\r\n");
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

fn publish_in(topic: &[u8], payload: &[u8]) -> NetEvent {
    NetEvent::Packet(Packet::Publish {
        dup: false,
        qos: 0,
        retain: false,
        topic: topic.to_vec(),
        pid: 0,
        payload: payload.to_vec(),
    })
}

#[test]
fn echo_stuck_keeps_echoing_after_ate0() {
    let mut h = Harness::with(Profile::Air724ug, |c| c.echo_stuck = true);
    // Harness::with already sent ATE0 (answered OK).
    assert_eq!(h.at("AT"), "AT\r\r\nOK\r\n");
    h.control(ControlCmd::EchoStuck(false)).unwrap();
    assert_eq!(h.at("AT"), "\r\nOK\r\n", "the ATE0 setting holds again");
    h.control(ControlCmd::EchoStuck(true)).unwrap();
    assert_eq!(h.at("ATE0"), "ATE0\r\r\nOK\r\n");
}

#[test]
fn tx_echo_loops_every_byte_back_whatever_the_firmware_does() {
    let mut h = Harness::new(Profile::Air780e);
    h.connect();
    h.control(ControlCmd::TxEcho(true)).unwrap();
    assert_eq!(h.at("AT"), "AT\r\r\nOK\r\n", "ATE0 does not stop wiring");
    assert_eq!(h.at("ATE1"), "ATE1\r\r\nOK\r\n");
    assert_eq!(
        h.at("AT"),
        "AT\rAT\r\r\nOK\r\n",
        "wiring plus firmware echo"
    );
    h.at("ATE0");
    assert_eq!(
        h.at("AT+MPUBEX=\"t\",0,0,3"),
        "AT+MPUBEX=\"t\",0,0,3\r\r\n> "
    );
    h.m.on_serial(h.now, b"a\x00c");
    h.collect();
    assert_eq!(h.take(), "a\u{0}c\r\nOK\r\n", "data bytes too");
    h.control(ControlCmd::Fault(Fault::Hang)).unwrap();
    assert_eq!(
        h.at("AT"),
        "AT\r",
        "a hung firmware does not stop the wiring"
    );
    h.control(ControlCmd::PowerOff).unwrap();
    assert_eq!(h.at("AT"), "AT\r", "nor does a module without power");
    assert!(h.m.stats.tx_echo_bytes >= 40);
    h.control(ControlCmd::TxEcho(false)).unwrap();
    assert_eq!(h.at("AT"), "");
}

#[test]
fn mqttmode_hex_publish_and_hex_msub() {
    let mut h = Harness::new(Profile::Air780e);
    assert_eq!(h.at("AT+MQTTMODE=?"), "\r\n+MQTTMODE: (0,1)\r\n\r\nOK\r\n");
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 0\r\n\r\nOK\r\n");
    assert_eq!(h.at("AT+MQTTMODE=2"), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+MQTTMODE=1"), "\r\nOK\r\n");
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 1\r\n\r\nOK\r\n");
    h.connect();
    assert_eq!(h.at("AT+MPUB=\"t\",0,0,\"31320d0A\""), "\r\nOK\r\n");
    assert!(matches!(h.sent_packets().as_slice(),
        [Packet::Publish { payload, .. }] if payload == b"12\r\n"));
    assert_eq!(h.at("AT+MPUB=\"t\",0,0,\"313\""), "\r\nERROR\r\n");
    assert_eq!(h.at("AT+MPUB=\"t\",0,0,\"zz\""), "\r\nERROR\r\n");
    // The limit counts bytes after decoding: 2384 bytes are 4768 hex characters.
    let max = format!("AT+MPUB=\"t\",0,0,\"{}\"", "AB".repeat(2384));
    assert_eq!(h.at(&max), "\r\nOK\r\n");
    let over = format!("AT+MPUB=\"t\",0,0,\"{}\"", "AB".repeat(2385));
    assert_eq!(h.at(&over), "\r\nERROR\r\n");
    h.net(publish_in(b"in", b"Hi\r\n\xff"));
    assert_eq!(h.take(), "\r\n+MSUB: \"in\",10 byte,48690D0AFF\r\n");
    assert_eq!(h.at("AT+MQTTMSGSET=1"), "\r\nOK\r\n");
    h.net(publish_in(b"in", b"\x01z"));
    assert_eq!(h.take(), "\r\n+MSUB: 0\r\n");
    assert_eq!(
        h.at("AT+MQTTMSGGET"),
        "\r\n+MSUB: \"in\",4 byte,017A\r\n\r\nOK\r\n"
    );
    // Mode 0 again: the cache prints what it holds raw.
    h.net(publish_in(b"in", b"ok"));
    h.take();
    h.at("AT+MQTTMODE=0");
    assert_eq!(
        h.at("AT+MQTTMSGGET"),
        "\r\n+MSUB: \"in\",2 byte,ok\r\n\r\nOK\r\n"
    );
    h.at("AT+MQTTMODE=1");
    h.at("AT+RESET");
    h.advance(200);
    h.at("ATE0");
    h.take();
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 0\r\n\r\nOK\r\n");
}

#[test]
fn mqttmode_at_start_lasts_until_the_first_reboot_and_control_sets_it() {
    let mut h = Harness::with(Profile::Air780e, |c| c.mqttmode_at_start = 1);
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 1\r\n\r\nOK\r\n");
    h.control(ControlCmd::Reset(None)).unwrap();
    h.control(ControlCmd::Pwrkey(2000)).unwrap();
    h.advance(200);
    h.at("ATE0");
    h.take();
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 0\r\n\r\nOK\r\n");
    h.control(ControlCmd::MqttMode(1)).unwrap();
    assert_eq!(h.at("AT+MQTTMODE?"), "\r\n+MQTTMODE: 1\r\n\r\nOK\r\n");
    assert_eq!(h.m.state_json()["mqttmode"], 1);
}

#[test]
fn no_mqttmode_firmware_answers_error() {
    let mut h = Harness::with(Profile::Air780e, |c| c.no_mqttmode = true);
    for cmd in ["AT+MQTTMODE=1", "AT+MQTTMODE?", "AT+MQTTMODE=?"] {
        assert_eq!(h.at(cmd), "\r\nERROR\r\n", "{cmd}");
    }
    assert!(h.control(ControlCmd::MqttMode(1)).is_err());
    let mut h = Harness::new(Profile::Air724ug);
    assert_eq!(h.at("AT+MQTTMODE=1"), "\r\nERROR\r\n");
}

#[test]
fn slow_cipshut_answers_late_and_reads_nothing_meanwhile() {
    let mut h = Harness::with(Profile::Air724ug, |c| c.shut_ms = 1000);
    h.connect();
    assert_eq!(h.at("AT+CIPSHUT"), "");
    assert!(h.net.iter().any(|a| matches!(a, Action::Close { .. })));
    assert_eq!(h.at("AT"), "", "busy: the line is ignored");
    h.advance(999);
    assert_eq!(h.take(), "");
    h.advance(1);
    assert_eq!(h.take(), "\r\nSHUT OK\r\n");
    assert_eq!(h.at("AT"), "\r\nOK\r\n");
    h.control(ControlCmd::ShutDelay(0)).unwrap();
    assert_eq!(h.at("AT+CIPSHUT"), "\r\nSHUT OK\r\n");
}

#[test]
fn status_pin_follows_power() {
    let mut h = Harness::new(Profile::Air780e);
    let level = |h: &mut Harness| h.control(ControlCmd::PinStatus).unwrap();
    assert_eq!(level(&mut h), r#"{"level":1}"#);
    h.control(ControlCmd::Fault(Fault::Hang)).unwrap();
    assert_eq!(level(&mut h), r#"{"level":1}"#, "hung is still powered");
    h.control(ControlCmd::Reset(None)).unwrap();
    assert_eq!(
        level(&mut h),
        r#"{"level":0}"#,
        "Air780E RESET_N shuts down"
    );
    assert_eq!(h.m.state_json()["status"], 0);
    h.control(ControlCmd::Pwrkey(1500)).unwrap();
    assert_eq!(level(&mut h), r#"{"level":1}"#, "booting");
    h.control(ControlCmd::PowerOff).unwrap();
    assert_eq!(level(&mut h), r#"{"level":0}"#);
}

#[test]
fn corrupt_msub_header_once_and_inject() {
    let mut h = Harness::new(Profile::Air724ug);
    h.connect();
    h.control(ControlCmd::Fault(Fault::CorruptMsub(1))).unwrap();
    h.net(publish_in(b"t", b"abc"));
    assert_eq!(h.take(), "\r\n+MSUB: \"t\",90000 byte,abc\r\n");
    h.net(publish_in(b"t", b"abc"));
    assert_eq!(h.take(), "\r\n+MSUB: \"t\",3 byte,abc\r\n");
    assert_eq!(h.m.stats.corrupted_headers, 1);
    assert_eq!(
        h.control(ControlCmd::Inject(b"\r\nRDY\r\n\xff".to_vec()))
            .unwrap(),
        r#"{"bytes":8}"#
    );
    assert_eq!(h.out, b"\r\nRDY\r\n\xff");
    h.out.clear();
    h.control(ControlCmd::PowerOff).unwrap();
    h.control(ControlCmd::Inject(b"x".to_vec())).unwrap();
    assert_eq!(h.take(), "x", "injected bytes need no firmware");
}

#[test]
fn refuse_and_unreachable_faults_skip_the_network() {
    let mut h = Harness::new(Profile::Air724ug);
    h.control(ControlCmd::Fault(Fault::Unreachable(1))).unwrap();
    assert_eq!(
        h.at("AT+MIPSTART=\"b\",1883"),
        "\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n"
    );
    assert!(h.net.is_empty(), "no connect attempt: {:?}", h.net);
    assert_eq!(h.m.stats.tcp_connects, 0);
    h.control(ControlCmd::Fault(Fault::Refuse(2))).unwrap();
    for _ in 0..2 {
        assert_eq!(h.at("AT+MIPSTART=\"b\",1883"), "\r\nOK\r\n");
        h.net(NetEvent::Connected);
        assert_eq!(h.take(), "\r\nCONNECT OK\r\n");
        h.net.clear();
        assert_eq!(
            h.at("AT+MCONNECT=1,60"),
            "\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n"
        );
        assert!(
            matches!(h.net.as_slice(), [Action::Close { .. }]),
            "no CONNECT sent, socket closed: {:?}",
            h.net
        );
        h.net.clear();
        assert_eq!(h.at("AT+MQTTSTATU"), "\r\n+MQTTSTATU :0\r\n\r\nOK\r\n");
    }
    h.connect();
    let by_kind = &h.m.stats.faults_injected;
    assert_eq!(
        (by_kind.get("refuse"), by_kind.get("unreachable")),
        (Some(&2), Some(&1))
    );
}

#[test]
fn chaos_can_pick_unreachable_and_refuse() {
    let mut cfg = Config::new(Profile::Air724ug);
    cfg.boot_ms = 0;
    cfg.sim_ms = 0;
    cfg.attach_ms = 0;
    let mut chaos = ChaosConfig::parse("5:1.0").unwrap();
    chaos.set_kinds("unreachable").unwrap();
    cfg.chaos = Some(chaos);
    let now = Instant::now();
    let mut m = Module::new(cfg, now);
    m.on_timer(now);
    m.take_actions();
    m.on_serial(now, b"ATE0\rAT+MIPSTART=\"b\",1883\r");
    let out: Vec<u8> = m
        .take_actions()
        .into_iter()
        .flat_map(|a| match a {
            Action::Serial(b) => b,
            other => panic!("no network action expected: {other:?}"),
        })
        .collect();
    assert!(
        String::from_utf8_lossy(&out)
            .ends_with("\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n"),
        "{}",
        String::from_utf8_lossy(&out)
    );
    assert_eq!(m.stats.faults_injected.get("unreachable"), Some(&2));
    assert_eq!(m.stats.chaos_faults, 2);
    assert!(super::faults::ChaosKind::parse("refuse").is_some());
}

#[test]
fn identity_and_clock_answer_in_the_modules_forms() {
    let mut h = Harness::new(Profile::Air780e);
    let imei = h.at("AT+CGSN");
    assert!(
        imei.starts_with("\r\n86") && imei.ends_with("\r\n\r\nOK\r\n"),
        "{imei:?}"
    );
    assert!(h.at("AT+ICCID").starts_with("\r\n+ICCID: 8986"));
    let clock = h.at("AT+CCLK?");
    // `+CCLK: "yy/MM/dd,hh:mm:ss+32"`
    let body = clock
        .strip_prefix("\r\n+CCLK: \"")
        .and_then(|c| c.strip_suffix("+32\"\r\n\r\nOK\r\n"))
        .unwrap_or_else(|| panic!("{clock:?}"));
    let b = body.as_bytes();
    assert_eq!(b.len(), 17, "{body}");
    assert_eq!(
        (b[2], b[5], b[8], b[11], b[14]),
        (b'/', b'/', b',', b':', b':')
    );
    assert_eq!(h.at("AT+CCLK=?"), "\r\nOK\r\n");
}
