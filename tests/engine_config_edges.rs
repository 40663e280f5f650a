//! Configuration and outbound-encoding edges on the three families (docs/luat-at.md §5,
//! docs/quectel-simcom-at.md §3, §4, §6, README "Known limits", the statuses of
//! `include/cellmqtt.h`): every string and number at its limit goes out whole, byte for byte,
//! to a scripted module of the family (tests/common/family.rs); one over is refused with its
//! status and the field `ConfigField` names; publish refusals are counted (`publishes_rejected`,
//! one `PUBLISH_REJECTED` loss). Bytes the quoted AT form cannot carry are refused, never sent;
//! the configuration of a `start` after `stop`, or of a new `init`, is the one on the wire.
#![allow(clippy::undocumented_unsafe_blocks)]
mod common;

use cellmqtt::config::WillConfig;
use cellmqtt::{Config, ConfigField as F, Engine, LogKind, LossKind, Notice, Options};
use cellmqtt::{RecoveryStep, State, Status as S, Subject};
use common::family::{fams, Fam, Held};
use common::{notices_of, Ev, Harness, Sizes};

/// `n` times `byte`, for the engine's lifetime.
fn rep(byte: u8, n: usize) -> &'static [u8] {
    Box::leak(vec![byte; n].into_boxed_slice())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn check(c: &Config<'static>) -> Result<(), (F, S)> {
    Engine::check_setup(c, 1024, 16384, 1024)
        .map(|_| ())
        .map_err(|e| (e.field, e.status))
}

fn will(topic: &'static [u8], m: &'static [u8], qos: u8, r: bool) -> Option<WillConfig<'static>> {
    #[rustfmt::skip]
    let w = WillConfig { topic, payload: m, qos, retain: r };
    Some(w)
}

/// A `PUBLISH_REJECTED` loss of `count` refusals.
fn rejected(count: u32) -> Notice {
    let kind = LossKind::PublishRejected;
    Notice::Loss { kind, count }
}

/// Asserts that `fam`'s standard configuration changed by `edit` is refused for `field`.
#[track_caller]
fn refused(fam: Fam, edit: impl FnOnce(&mut Config<'static>), field: F, status: S) {
    assert_eq!(check_with(fam, edit), Err((field, status)), "{fam:?}");
}

/// The check of `fam`'s standard configuration changed by `edit`.
fn check_with(fam: Fam, edit: impl FnOnce(&mut Config<'static>)) -> Result<(), (F, S)> {
    let mut c = fam.config();
    edit(&mut c);
    check(&c)
}

/// `line` with the text of every quoted argument replaced by `x`: the scripted module reads
/// arguments by position, and quoted text may hold commas.
fn unquoted(line: &[u8]) -> Vec<u8> {
    let parts = line.split(|&b| b == b'"').enumerate();
    parts
        .flat_map(|(i, p)| if i % 2 == 1 { &b"\"x\""[..] } else { p }.to_vec())
        .collect()
}

/// The engine against the family's scripted module: every command line (without its CR) and
/// every data block after a prompt, in order, in `wire`.
struct Sim {
    h: Harness,
    fam: Fam,
    held: Held,
    /// Answers that replace the module's, by command line.
    over: Vec<(&'static [u8], &'static [u8])>,
    pos: usize,
    pending: Vec<u8>,
    last: Vec<u8>,
    wire: Vec<Vec<u8>>,
}

impl Sim {
    #[rustfmt::skip]
    fn new(fam: Fam, cfg: Config<'static>) -> Sim {
        let mut sizes = Sizes::default();
        (sizes.line, sizes.queue) = (4400, 16384);
        let h = Harness::with_sizes(cfg, sizes);
        // The SSL context item, which the scripted module does not know.
        let over = vec![(&b"AT+CMQTTSSLCFG=0,0"[..], &b"\r\nOK\r\n"[..])];
        let (held, pos, pending, last, wire) = Default::default();
        Sim { h, fam, held, over, pos, pending, last, wire }
    }

    /// True when a line sent so far satisfies `f`.
    fn any(&self, f: impl Fn(&str) -> bool) -> bool {
        self.lines().iter().any(|l| f(l))
    }

    /// One poll, then the module answers every complete line or data block; false when the
    /// engine wrote nothing the module could answer.
    fn step(&mut self) -> bool {
        self.h.poll();
        let new = self.h.uart.written.get(self.pos..).unwrap_or_default();
        self.pending.extend_from_slice(new);
        self.pos += new.len();
        let mut answered = false;
        loop {
            let answer = match self.held.data.as_ref().map(|d| d.0) {
                Some(len) if self.pending.len() >= len => {
                    let data: Vec<u8> = self.pending.drain(..len).collect();
                    self.wire.push(data.clone());
                    self.held.data_arrived(&self.last, data)
                }
                Some(_) => break,
                None => {
                    let Some(end) = self.pending.iter().position(|&b| b == b'\r') else {
                        break;
                    };
                    let line: Vec<u8> = self.pending.drain(..=end).take(end).collect();
                    self.wire.push(line.clone());
                    self.last = line.clone();
                    match self.over.iter().find(|o| o.0 == &line[..]) {
                        Some(o) => o.1.to_vec(),
                        None => self.held.answer(self.fam, &unquoted(&line)),
                    }
                }
            };
            assert_eq!(self.h.ring.push(&answer), answer.len());
            answered = true;
        }
        answered
    }

    /// Runs (100 ms per quiet poll) until `done`, within ten fake minutes.
    fn until(&mut self, done: impl Fn(&Sim) -> bool) {
        for _ in 0..6000 {
            if done(self) {
                return;
            }
            if !self.step() {
                self.h.advance(100);
            }
        }
        panic!("not reached; wire {:?}", self.lines());
    }

    fn online(&mut self) {
        self.h.start();
        self.until(|s| s.h.engine.state() == State::Online && s.pending.is_empty());
    }

    fn published(&mut self, id: u16) {
        self.until(|s| s.h.events.contains(&Ev::N(Notice::Published { id })));
    }

    fn lines(&self) -> Vec<String> {
        self.wire.iter().map(|l| text(l)).collect()
    }

    /// Asserts that `lines` went out in this order (others may come between).
    #[track_caller]
    fn sent<L: AsRef<[u8]>>(&self, lines: &[L]) {
        let mut at = 0;
        for want in lines.iter().map(AsRef::as_ref) {
            let Some(i) = self.wire[at..].iter().position(|l| l == want) else {
                panic!("{:?} not after line {at}: {:?}", text(want), self.lines());
            };
            at += i + 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Length limits: at the limit whole on the wire, one over refused by field

/// Client id (256; SIMCom `<clientid>` 1-128, §4.3), user and password (256, luat-at.md §5.1),
/// will topic (256) and message (1360), host (255), APN (100): at their limits each goes out
/// whole in the family's form (quoted, or after a prompt with its exact length); one byte more
/// is refused with the status and field `cellmqtt_config_check` names.
#[test]
fn strings_at_their_limits_go_whole_and_one_more_is_refused() {
    for &fam in fams() {
        let id_max = if fam == Fam::Simcom { 128 } else { 256 };
        let (id, user, pass) = (rep(b'c', id_max), rep(b'u', 256), rep(b'p', 256));
        let (wt, wm) = (rep(b'w', 256), rep(b'm', 1360));
        let (host, apn) = (rep(b'h', 255), rep(b'a', 100));
        let mut c = fam.config();
        (c.client_id, c.username, c.password, c.host) = (id, user, pass, host);
        c.will = will(wt, wm, 1, false);
        if fam != Fam::Luat {
            c.apn = apn;
        }
        let mut sim = Sim::new(fam, c);
        sim.online();
        let [id, user, pass, wt, wm, host, apn] = [id, user, pass, wt, wm, host, apn].map(text);
        let lines = match fam {
            Fam::Luat => vec![
                format!(r#"AT+MCONFIG="{id}","{user}","{pass}",1,0,"{wt}","{wm}""#),
                format!(r#"AT+MIPSTART="{host}",1883"#),
            ],
            Fam::Quectel => vec![
                format!(r#"AT+QICSGP=1,1,"{apn}","","",1"#),
                format!(r#"AT+QMTCFG="will",0,1,1,0,"{wt}","{wm}""#),
                format!(r#"AT+QMTOPEN=0,"{host}",18830"#),
                format!(r#"AT+QMTCONN=0,"{id}","{user}","{pass}""#),
            ],
            Fam::Simcom => vec![
                format!(r#"AT+CGDCONT=1,"IP","{apn}""#),
                format!(r#"AT+CMQTTACCQ=0,"{id}",0,4"#),
                "AT+CMQTTWILLTOPIC=0,256".into(),
                wt,
                "AT+CMQTTWILLMSG=0,1360,1".into(),
                wm,
                format!(r#"AT+CMQTTCONNECT=0,"tcp://{host}:18830",120,1,"{user}","{pass}""#),
            ],
        };
        sim.sent(&lines);
        type Edit = fn(&mut Config<'static>);
        #[rustfmt::skip]
        let over: [(Edit, F, S); 10] = [
            (|c| c.username = rep(b'u', 257), F::Username, S::StringTooLong),
            (|c| c.password = rep(b'p', 257), F::Password, S::StringTooLong),
            (|c| c.host = rep(b'h', 256), F::Host, S::StringTooLong),
            (|c| c.apn = rep(b'a', 101), F::Apn, S::StringTooLong),
            (|c| c.will = will(rep(b'w', 257), b"m", 1, false), F::WillTopic, S::TopicTooLong),
            (|c| c.will = will(b"w", rep(b'm', 1361), 1, false), F::WillPayload, S::WillTooLong),
            (|c| c.tls.ca_file = rep(b'f', 65), F::TlsCaFile, S::StringTooLong),
            (|c| c.tls.sni = rep(b's', 256), F::TlsSni, S::StringTooLong),
            (|c| c.client_id = b"", F::ClientId, S::InvalidConfig),
            (|c| c.host = b"", F::Host, S::InvalidConfig),
        ];
        for (edit, field, status) in over {
            refused(fam, edit, field, status);
        }
        let id = rep(b'c', id_max + 1);
        refused(fam, |c| c.client_id = id, F::ClientId, S::StringTooLong);
    }
}

/// A publish topic of 256 bytes and the family's largest payload (Luat 4100 by `AT+MPUBEX`,
/// Quectel 4096 by `AT+QMTPUBEX`, SIMCom 4100 through `AT+CMQTTTOPIC`/`AT+CMQTTPAYLOAD`) go out
/// whole with their exact lengths; a byte more of either is refused before anything is sent
/// (Quectel: an empty payload too, README "Known limits"), each refusal counted in
/// `publishes_rejected` and reported once as a `PUBLISH_REJECTED` loss of that count; an
/// online message that could not go is refused at init (`ONLINE_PAYLOAD`).
#[test]
fn topic_and_payload_at_their_limits_and_one_more_refused_and_counted() {
    for &fam in fams() {
        let max = if fam == Fam::Quectel { 4096 } else { 4100 };
        let (topic, payload) = (rep(b't', 256), rep(b'x', max));
        let mut sim = Sim::new(fam, fam.config());
        sim.online();
        let id = sim.h.engine.publish(topic, payload, 1, false).unwrap();
        sim.published(id);
        let (t, p) = (text(topic), text(payload));
        let lines = match fam {
            Fam::Luat => vec![format!(r#"AT+MPUBEX="{t}",1,0,4100"#), p],
            Fam::Quectel => vec![format!(r#"AT+QMTPUBEX=0,{id},1,0,"{t}",4096"#), p],
            Fam::Simcom => {
                let [topic, payload] = ["AT+CMQTTTOPIC=0,256", "AT+CMQTTPAYLOAD=0,4100"];
                vec![
                    topic.into(),
                    t,
                    payload.into(),
                    p,
                    "AT+CMQTTPUB=0,1,60".into(),
                ]
            }
        };
        sim.sent(&lines);
        sim.h.take_events();
        let before = sim.wire.len();
        let e = &mut sim.h.engine;
        let mut results = vec![
            e.publish(rep(b't', 257), b"x", 1, false),
            e.publish(b"t", rep(b'x', max + 1), 1, false),
        ];
        if fam == Fam::Quectel {
            results.push(e.publish(b"t", b"", 0, false));
        }
        let (topic_long, payload_long) = (Err(S::TopicTooLong), Err(S::PayloadTooLong));
        let want = [topic_long, payload_long, payload_long];
        assert_eq!(results, want[..results.len()], "{fam:?}");
        let count = results.len() as u32;
        assert_eq!(sim.h.engine.stats().publishes_rejected, count, "{fam:?}");
        sim.step();
        let losses = notices_of(&sim.h.take_events());
        assert_eq!(losses, [rejected(count)], "{fam:?}");
        assert_eq!(sim.wire.len(), before, "{fam:?}: sent for a refusal");
        // The online message is published as any message: refused at init where it could not
        // be (`Engine::check_config`, which `cellmqtt_config_check` runs too).
        let online = |p: &'static [u8]| {
            move |c: &mut Config<'static>| {
                (c.will, c.online_payload) = (will(b"w", b"off", 1, true), Some(p));
            }
        };
        assert_eq!(check_with(fam, online(payload)), Ok(()), "{fam:?}");
        let mut over = vec![rep(b'x', max + 1)];
        if fam == Fam::Quectel {
            over.push(b""); // 1-4096 bytes (README "Known limits")
        }
        for p in over {
            refused(fam, online(p), F::OnlinePayload, S::PayloadTooLong);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Characters: carried verbatim where the form takes them, refused where it cannot

/// Commas, a backslash and UTF-8 (`é`) in the client id, user, password, will, topics and
/// filters are carried as they are: inside quotes (a comma does not split the argument, the
/// quotes being always written) or after a prompt with their byte count.
#[test]
fn commas_backslashes_and_utf8_go_verbatim() {
    let [id, user, pass] = ["id,\\é", "u\\,v", "p,w\\x"];
    let [wt, wm, topic, filter] = ["w/é,\\x", "m,\\x", "t/é,\\x", "f/é,\\/+"];
    let b = |s: &'static str| s.as_bytes();
    for &fam in fams() {
        let mut c = fam.config();
        (c.client_id, c.username, c.password) = (b(id), b(user), b(pass));
        c.will = will(b(wt), b(wm), 0, false);
        let mut sim = Sim::new(fam, c);
        sim.h.engine.subscribe(b(filter), 1).unwrap();
        sim.online();
        let id_pub = sim.h.engine.publish(b(topic), b"v", 0, false).unwrap();
        sim.published(id_pub);
        let lines = match fam {
            Fam::Luat => vec![
                format!(r#"AT+MCONFIG="{id}","{user}","{pass}",0,0,"{wt}","{wm}""#),
                format!(r#"AT+MSUB="{filter}",1"#),
                format!(r#"AT+MPUB="{topic}",0,0,"v""#),
            ],
            Fam::Quectel => vec![
                format!(r#"AT+QMTCFG="will",0,1,0,0,"{wt}","{wm}""#),
                format!(r#"AT+QMTCONN=0,"{id}","{user}","{pass}""#),
                format!(r#"AT+QMTSUB=0,1,"{filter}",1"#),
                format!(r#"AT+QMTPUBEX=0,0,0,0,"{topic}",1"#),
                "v".into(),
            ],
            Fam::Simcom => vec![
                format!(r#"AT+CMQTTACCQ=0,"{id}",0,4"#),
                "AT+CMQTTWILLTOPIC=0,7".into(),
                wt.into(),
                "AT+CMQTTWILLMSG=0,4,0".into(),
                wm.into(),
                format!(r#"AT+CMQTTCONNECT=0,"tcp://127.0.0.1:18830",120,1,"{user}","{pass}""#),
                "AT+CMQTTSUB=0,8,1".into(),
                filter.into(),
                "AT+CMQTTTOPIC=0,7".into(),
                topic.into(),
            ],
        };
        sim.sent(&lines);
    }
}

/// Empty credentials take each family's documented form: Luat always sends both, `""` when
/// empty (luat-at.md §5.1); Quectel (§3.4) and SIMCom (§4.5) send the user when either is set
/// and the password only when it is not empty.
#[test]
fn empty_user_or_password_take_the_documented_forms() {
    let sc = r#"AT+CMQTTCONNECT=0,"tcp://127.0.0.1:18830",120,1"#;
    #[rustfmt::skip]
    let cases: [(&[u8], &[u8], [String; 3]); 4] = [
        (b"", b"", [r#""dev-1","","""#.into(), r#""q1""#.into(), sc.into()]),
        (b"u", b"", [r#""dev-1","u","""#.into(), r#""q1","u""#.into(), format!(r#"{sc},"u""#)]),
        (b"", b"p", [r#""dev-1","","p""#.into(), r#""q1","","p""#.into(), format!(r#"{sc},"","p""#)]),
        (b"u", b"p", [r#""dev-1","u","p""#.into(), r#""q1","u","p""#.into(), format!(r#"{sc},"u","p""#)]),
    ];
    for (user, pass, [luat, quectel, simcom]) in cases {
        let lines = [
            format!("AT+MCONFIG={luat}"),
            format!("AT+QMTCONN=0,{quectel}"),
            simcom,
        ];
        for (fam, line) in fams().iter().copied().zip(lines) {
            let mut c = fam.config();
            (c.username, c.password) = (user, pass);
            let mut sim = Sim::new(fam, c);
            sim.online();
            sim.sent(&[line]);
        }
    }
}

/// `"`, CR, LF and NUL cannot be carried inside quotes (`INVALID_STRING`, `INVALID_TOPIC`):
/// refused in every string of the configuration, naming its field, and in topics and filters,
/// on every family (SIMCom too, which enters topics after prompts: one rule). An empty will
/// topic is `INVALID_TOPIC`.
#[test]
fn quote_cr_lf_nul_are_refused_by_field() {
    type Edit = fn(&mut Config<'static>, &'static [u8]);
    #[rustfmt::skip]
    let cases: [(Edit, F, S); 10] = [
        (|c, b| c.client_id = b, F::ClientId, S::InvalidString),
        (|c, b| c.username = b, F::Username, S::InvalidString),
        (|c, b| c.password = b, F::Password, S::InvalidString),
        (|c, b| c.host = b, F::Host, S::InvalidString),
        (|c, b| c.apn = b, F::Apn, S::InvalidString),
        (|c, b| c.will = will(b, b"m", 0, false), F::WillTopic, S::InvalidTopic),
        (|c, b| c.will = will(b"w", b, 0, false), F::WillPayload, S::InvalidString),
        (|c, b| c.tls.ca_file = b, F::TlsCaFile, S::InvalidString),
        (|c, b| c.tls.client_key_file = b, F::TlsClientKeyFile, S::InvalidString),
        (|c, b| c.tls.sni = b, F::TlsSni, S::InvalidString),
    ];
    for &fam in fams() {
        for bad in [b'"', b'\r', b'\n', 0] {
            let b: &'static [u8] = Box::leak(Box::new([b'a', bad, b'z']));
            for (edit, field, status) in cases {
                let r = check_with(fam, |c| edit(c, b));
                assert_eq!(r, Err((field, status)), "{fam:?} {bad:#04x}");
            }
            let mut h = Harness::new(fam.config());
            assert_eq!(h.engine.publish(b, b"v", 0, false), Err(S::InvalidTopic));
            assert_eq!(h.engine.subscribe(b, 0), Err(S::InvalidTopic));
        }
        let empty_will_topic = check_with(fam, |c| c.will = will(b"", b"m", 0, false));
        assert_eq!(empty_will_topic, Err((F::WillTopic, S::InvalidTopic)));
    }
}

/// V.250's command-line editing character S5 (backspace, 0x08) deletes the character before
/// it wherever it comes in a command line, and this library's own rule for `AT+MPUB`
/// (`needs_binary`: "NUL and 0x1A (which end or cut input) ... backspace, ESC") and for queued
/// commands (a control byte is `INVALID_ARG`) says the same of 0x1A and ESC: inside a quoted
/// argument they change the string the module receives. So every quoted configuration string,
/// and a topic or filter (quoted by Luat and Quectel), holding one must be refused.
#[test]
fn control_bytes_in_quoted_strings_are_refused() {
    for &fam in fams() {
        for bad in [0x08u8, 0x1a, 0x1b] {
            let b: &'static [u8] = Box::leak(Box::new([b'a', bad, b'z']));
            refused(fam, |c| c.password = b, F::Password, S::InvalidString);
            refused(fam, |c| c.client_id = b, F::ClientId, S::InvalidString);
            let w = will(b"w", b, 0, false);
            refused(fam, |c| c.will = w, F::WillPayload, S::InvalidString);
            if fam != Fam::Simcom {
                let mut h = Harness::new(fam.config());
                assert_eq!(h.engine.publish(b, b"v", 0, false), Err(S::InvalidTopic));
                assert_eq!(h.engine.subscribe(b, 0), Err(S::InvalidTopic));
            }
        }
    }
}

/// MQTT 3.1.1 §3.1.3.1, §3.1.3.4: the client id and the user name are UTF-8 strings, and a
/// broker closes the connection on ill-formed UTF-8 (§1.5.3); SIMCom reports err 2 "bad UTF-8
/// string" (quectel-simcom-at.md §4.10), a module-side class (§5.3). The same reasons make a
/// topic that is not UTF-8 `INVALID_TOPIC`, and §5.1 catches client-side argument errors before
/// sending: such a configuration never connects, so it must be refused by its field.
#[test]
fn client_id_and_username_must_be_utf8() {
    for &fam in fams() {
        let (id, user): (&[u8], &[u8]) = (b"dev-\xff", b"user-\xc3");
        refused(fam, |c| c.client_id = id, F::ClientId, S::InvalidString);
        refused(fam, |c| c.username = user, F::Username, S::InvalidString);
        let utf8 = check_with(fam, |c| c.username = "us\u{e9}r".as_bytes());
        assert_eq!(utf8, Ok(()));
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Numbers, switches and wildcards

/// Keepalive 1 and 65535 (luat-at.md §5.3: 1-65535), ports 1 and 65535 (§5.2), clean session
/// on and off, TLS on and off, will QoS 0 and 2 with retain off and on, in each family's
/// spelling (SIMCom sends no will retain: README "Known limits"). Keepalive 0, port 0, QoS 3
/// (publish, subscribe, will) and a window the family cannot take are refused before sending.
#[test]
fn numbers_and_switches_at_their_edges() {
    for &fam in fams() {
        for (n, wq, wr, tls, clean) in [(65535u16, 2u8, 1u8, 1u8, 0u8), (1, 0, 0, 0, 1)] {
            let mut c = fam.config();
            (c.keepalive_s, c.port) = (n, n);
            c.will = will(b"w", b"m", wq, wr == 1);
            c.options.set(Options::TLS, tls == 1);
            c.options.set(Options::CLEAN_SESSION, clean == 1);
            let mut sim = Sim::new(fam, c);
            sim.online();
            let ssl = ["", "SSL"][usize::from(tls)];
            let on = ["0", "1,1"][usize::from(tls)];
            let lines = match fam {
                Fam::Luat => vec![
                    format!(r#"AT+MCONFIG="dev-1","","",{wq},{wr},"w","m""#),
                    format!(r#"AT+{ssl}MIPSTART="broker.example",{n}"#),
                    format!("AT+MCONNECT={clean},{n}"),
                ],
                Fam::Quectel => vec![
                    format!(r#"AT+QMTCFG="keepalive",0,{n}"#),
                    format!(r#"AT+QMTCFG="session",0,{clean}"#),
                    format!(r#"AT+QMTCFG="will",0,1,{wq},{wr},"w","m""#),
                    format!(r#"AT+QMTCFG="ssl",0,{on}"#),
                    format!(r#"AT+QMTOPEN=0,"127.0.0.1",{n}"#),
                ],
                Fam::Simcom => vec![
                    format!(r#"AT+CMQTTACCQ=0,"s1",{tls},4"#),
                    format!("AT+CMQTTWILLMSG=0,1,{wq}"),
                    format!(r#"AT+CMQTTCONNECT=0,"tcp://127.0.0.1:{n}",{n},{clean}"#),
                ],
            };
            sim.sent(&lines);
            let ssl_ctx = sim.wire.iter().any(|l| l == b"AT+CMQTTSSLCFG=0,0");
            assert_eq!(ssl_ctx, fam == Fam::Simcom && tls == 1, "{fam:?}");
        }
        refused(fam, |c| c.keepalive_s = 0, F::Keepalive, S::InvalidConfig);
        refused(fam, |c| c.port = 0, F::Port, S::InvalidConfig);
        let w = will(b"w", b"m", 3, false);
        refused(fam, |c| c.will = w, F::WillQos, S::InvalidQos);
        let window = F::PublishWindow;
        refused(fam, |c| c.publish_window = 9, window, S::InvalidConfig);
        // Windows over 1 where acknowledgements carry ids (Quectel); the message cache is
        // Luat's (`AT+MQTTMSGSET=1`, luat-at.md §5.9; README "Quectel": refused).
        let takes = |ok: bool, field| [Err((field, S::Unsupported)), Ok(())][usize::from(ok)];
        let window = check_with(fam, |c| c.publish_window = 8);
        assert_eq!(window, takes(fam == Fam::Quectel, F::PublishWindow));
        let cache = check_with(fam, |c| c.options |= Options::CACHE_MODE);
        assert_eq!(cache, takes(fam == Fam::Luat, F::Options));
        let mut h = Harness::new(fam.config());
        assert_eq!(h.engine.publish(b"t", b"v", 3, false), Err(S::InvalidQos));
        assert_eq!(h.engine.subscribe(b"t", 3), Err(S::InvalidQos));
        assert_eq!(h.engine.stats().publishes_rejected, 1);
    }
}

/// Wildcards: never in a publish topic (refused, counted); in a filter only as whole levels
/// (`#` last), 1-256 bytes. Valid filters reach the wire in the family's form and are
/// confirmed; `a/#/b`, `a+`, `#/`, `a/b#`, the empty filter and 257 bytes are refused.
#[test]
fn wildcards_in_topics_and_filters() {
    for &fam in fams() {
        let mut sim = Sim::new(fam, fam.config());
        let e = &mut sim.h.engine;
        for t in [&b"a/+"[..], b"#", b"a/#", b"+", b"a+b"] {
            assert_eq!(e.publish(t, b"v", 0, false), Err(S::InvalidTopic));
        }
        assert_eq!(e.stats().publishes_rejected, 5);
        for f in [&b"a/#/b"[..], b"a+", b"#/", b"a/b#", b""] {
            assert_eq!(e.subscribe(f, 0), Err(S::InvalidTopic), "{fam:?} {f:?}");
        }
        assert_eq!(e.subscribe(rep(b'f', 257), 0), Err(S::TopicTooLong));
        let good = [&b"#"[..], b"+", b"a/+/b", b"+/#", b"/", rep(b'f', 256)];
        let ids: Vec<u16> = good.iter().map(|f| e.subscribe(f, 2).unwrap()).collect();
        sim.online();
        for (f, id) in good.iter().zip(ids) {
            let (f, len) = (text(f), f.len());
            match fam {
                Fam::Luat => sim.sent(&[format!(r#"AT+MSUB="{f}",2"#)]),
                Fam::Quectel => sim.sent(&[format!(r#"AT+QMTSUB=0,{id},"{f}",2"#)]),
                Fam::Simcom => sim.sent(&[format!("AT+CMQTTSUB=0,{len},2"), f]),
            }
            let restored = false;
            let ok = Ev::N(Notice::Subscribed { id, restored });
            assert!(sim.h.events.contains(&ok), "{fam:?} {id}");
        }
        let n = notices_of(&sim.h.events);
        let losses = n.iter().filter(|n| matches!(n, Notice::Loss { .. }));
        assert_eq!(losses.collect::<Vec<_>>(), [&rejected(5)], "{fam:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. The configuration of a new session

/// `start` after a `stop` sends the configuration again, the same values, for each family:
/// the per-connect items (Luat `AT+MCONFIG`; Quectel every `AT+QMTCFG`; SIMCom the acquire,
/// SSL context and will) and the open and connect; the per-boot TLS items and the identity
/// are not repeated, as the module kept them (the same boot).
#[test]
fn start_after_stop_sends_the_configuration_again() {
    let per_boot = "AT+CG AT+ICCID AT+QCCID AT+CICCID AT+CIMI AT+SSLCFG AT+QSSLCFG AT+CSSLCFG";
    for &fam in fams() {
        let mut c = fam.config();
        c.options |= Options::TLS;
        c.tls.ca_file = b"ca.pem";
        c.will = will(b"w/st", b"off", 1, true);
        c.keepalive_s = 77;
        let mut sim = Sim::new(fam, c);
        sim.online();
        let first = sim.wire.clone();
        sim.h.engine.stop(sim.h.now);
        sim.until(|s| s.h.engine.state() == State::Stopped && s.pending.is_empty());
        let stopped = sim.wire.len();
        sim.online();
        // `AT+CGATT?` is asked every session: it starts with `AT+CG` but is no identity.
        let again = |l: &&Vec<u8>| {
            l == &b"AT+CGATT?" || !per_boot.split(' ').any(|p| l.starts_with(p.as_bytes()))
        };
        let expected: Vec<Vec<u8>> = first.iter().filter(again).cloned().collect();
        assert_eq!(sim.wire[stopped..], expected[..], "{fam:?}");
        assert!(first.len() > expected.len() + 4, "{fam:?}: per-boot items");
    }
}

/// A new configuration on the same module (the C API's way between sessions: `stop`, poll to
/// `STOPPED`, `cellmqtt_deinit`, `cellmqtt_init` with the new one): the new engine sends the
/// new values, in each family's spelling, and none of the old.
#[test]
fn a_new_configuration_on_the_same_module_is_the_one_sent() {
    for &fam in fams() {
        let mut a = fam.config();
        (a.client_id, a.username) = (b"dev-a", b"ua");
        let mut sim = Sim::new(fam, a);
        sim.online();
        sim.h.engine.stop(sim.h.now);
        sim.until(|s| s.h.engine.state() == State::Stopped && s.pending.is_empty());
        let mut b = fam.config();
        (b.client_id, b.password, b.port, b.keepalive_s) = (b"dev-b", b"pb", 8883, 300);
        (b.will, b.options) = (will(b"w", b"off", 1, true), Options::TLS);
        let mut next = Sim::new(fam, b);
        next.held = std::mem::take(&mut sim.held);
        next.online();
        let lines: &[&str] = match fam {
            Fam::Luat => &[
                r#"AT+MCONFIG="dev-b","","pb",1,1,"w","off""#,
                r#"AT+SSLMIPSTART="broker.example",8883"#,
                "AT+MCONNECT=0,300",
            ],
            Fam::Quectel => &[
                r#"AT+QMTCFG="keepalive",0,300"#,
                r#"AT+QMTCFG="session",0,0"#,
                r#"AT+QMTCFG="will",0,1,1,1,"w","off""#,
                r#"AT+QMTCFG="ssl",0,1,1"#,
                r#"AT+QMTOPEN=0,"127.0.0.1",8883"#,
                r#"AT+QMTCONN=0,"dev-b","","pb""#,
            ],
            Fam::Simcom => &[
                r#"AT+CMQTTACCQ=0,"dev-b",1,4"#,
                "AT+CMQTTSSLCFG=0,0",
                "AT+CMQTTWILLTOPIC=0,1",
                "w",
                "AT+CMQTTWILLMSG=0,3,1",
                "off",
                r#"AT+CMQTTCONNECT=0,"tcp://127.0.0.1:8883",300,0,"","pb""#,
            ],
        };
        next.sent(lines);
        let old = next
            .lines()
            .into_iter()
            .filter(|l| l.contains("dev-a") || l.contains("ua"));
        assert_eq!(old.count(), 0, "{fam:?}: {:?}", next.lines());
    }
}

unsafe extern "C" fn uart_write(_: *mut core::ffi::c_void, _: *const u8, len: usize) -> i32 {
    len as i32
}

unsafe extern "C" fn tick(_: *mut core::ffi::c_void) -> u32 {
    0
}

/// A client id of 129 bytes: one over SIMCom's 128.
const ID_129: &core::ffi::CStr = c"ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

/// What the C conversion refuses before the engine sees it (`cellmqtt_config_check` names the
/// field): a will retain other than 0 or 1, a TLS version below -1, an online message without
/// a will, SIMCom's client id over 128 (read up to 256, then held to the family's limit); a
/// will QoS without a will topic is no will, so nothing to refuse.
#[test]
fn c_conversion_refuses_by_field() {
    use cellmqtt::ffi::*;
    let buf = |n: usize| Box::leak(vec![0u8; n].into_boxed_slice()).as_mut_ptr();
    let mut base = cellmqtt_config_default();
    (base.host, base.client_id) = (c"broker.example".as_ptr(), c"dev-1".as_ptr());
    (base.rx_buf, base.rx_buf_len) = (buf(CELLMQTT_RX_BUF_DEFAULT), CELLMQTT_RX_BUF_DEFAULT);
    (base.line_buf, base.line_buf_len) = (buf(2048), 2048);
    (base.queue_buf, base.queue_buf_len) = (buf(1024), 1024);
    (base.sub_buf, base.sub_buf_len) = (buf(256), 256);
    // Integers, pointers and optional function pointers: zero is NULL/None.
    let mut cb: cellmqtt_callbacks_t = unsafe { std::mem::zeroed() };
    cb.uart_write = Some(uart_write);
    cb.tick_ms = Some(tick);
    type Edit = fn(&mut cellmqtt_config_t);
    #[rustfmt::skip]
    let bad: [(Edit, F, S); 6] = [
        (|_| {}, F::None, S::Ok),
        (|c| (c.will_topic, c.will_retain) = (c"w".as_ptr(), 2), F::WillRetain, S::InvalidConfig),
        (|c| c.tls_version = -2, F::TlsVersion, S::InvalidConfig),
        (|c| (c.online_payload, c.online_payload_len) = (b"on".as_ptr(), 2), F::OnlinePayload, S::InvalidConfig),
        (|c| (c.profile, c.client_id) = (ProfileId::A7670 as u32, ID_129.as_ptr()), F::ClientId, S::StringTooLong),
        (|c| c.will_qos = 3, F::None, S::Ok),
    ];
    for (edit, field, status) in bad {
        let mut c = base;
        edit(&mut c);
        let mut got = F::Host;
        let r = unsafe { cellmqtt_config_check(&c, &cb, &mut got) };
        assert_eq!((r, got), (status, field));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The IMEI as the client id (CELLMQTT_OPT_CLIENT_ID_IMEI)

/// Asked to connect as its IMEI with no fallback (`client_id` empty), a module that gives no
/// IMEI must not get an empty client id (SIMCom `<clientid>` is 1-128 bytes, §4.3): the cycle
/// fails as a module error logged against the identity, as it does on Luat (no `AT+MCONFIG`
/// is sent), and no command carries `""` as the client id.
#[test]
fn a_missing_imei_never_becomes_an_empty_client_id() {
    let (kind, what, reason) = (LogKind::CommandError, Subject::Identity, S::Ok);
    #[rustfmt::skip]
    let log = Notice::Log { kind, what, code: 0, reason };
    let (step, reason) = (RecoveryStep::Reconnect, S::ModuleError);
    #[rustfmt::skip]
    let rec = Notice::Recovery { step, reason, failures: 1 };
    for &fam in fams() {
        let mut c = fam.config();
        c.client_id = b"";
        c.options |= Options::CLIENT_ID_IMEI;
        let mut sim = Sim::new(fam, c);
        sim.over.push((b"AT+CGSN", b"\r\nERROR\r\n"));
        sim.h.start();
        let failed = |s: &Sim| notices_of(&s.h.events).iter().any(|n| n == &rec);
        sim.until(|s| failed(s) || s.h.engine.state() == State::Online);
        let empty = ["MCONFIG=\"\"", "QMTCONN=0,\"\"", "CMQTTACCQ=0,\"\""];
        let sent_empty = sim.any(|l| empty.iter().any(|e| l.contains(e)));
        assert!(!sent_empty, "{fam:?}: {:?}", sim.lines());
        let (n, recovering) = (notices_of(&sim.h.events), Notice::State(State::Recovering));
        assert!(n.ends_with(&[log, rec, recovering]), "{fam:?}: {n:?}");
    }
}

/// An answer to `AT+CGSN` that is no IMEI (a quote inside: a garbled line) must not become the
/// client id: written between quotes it would end the argument early, and the module would
/// read the rest as further arguments. The configured `client_id` is the fallback.
#[test]
fn an_imei_answer_with_a_quote_is_not_the_client_id() {
    let lines = [
        r#"AT+MCONFIG="dev-1","","""#,
        r#"AT+QMTCONN=0,"q1""#,
        r#"AT+CMQTTACCQ=0,"s1",0,4"#,
    ];
    for (fam, line) in fams().iter().copied().zip(lines) {
        let mut c = fam.config();
        c.options |= Options::CLIENT_ID_IMEI;
        let mut sim = Sim::new(fam, c);
        let garbled = b"\r\n+CGSN: 8667\"14043075174\r\n\r\nOK\r\n";
        sim.over.push((b"AT+CGSN", garbled));
        sim.online();
        let garbled = sim.any(|l| l.contains("8667\""));
        assert!(!garbled, "{fam:?}: {:?}", sim.lines());
        sim.sent(&[line]);
    }
}
