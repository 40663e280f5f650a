//! `stop` and `start` at arbitrary moments, and the C API's deinit then init on the same
//! storage. Promised (`Engine::stop`/`start`, README, the C API): `stop` leaves the broker and
//! ends `Stopped` in bounded time; queued publishes and subscriptions are kept for `start`;
//! every AT command gets one `AtDone`; a prompt that may have been printed gets its data.
//! The scripted modules answer as docs/luat-at.md §5 and docs/quectel-simcom-at.md §3, §4 say
//! (as in tests/engine_reboot.rs) and note every command-mode line that is no AT command.
mod common;

use cellmqtt::{Config, Event, Notice, Pin, Pins, RecoveryStep, State, Status};
use common::script::{arg, healthy, lines};
use common::{Ev, Harness};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fam {
    Luat,
    Quectel,
    Simcom,
}

/// The families a test runs for (Luat alone under Miri, a thousand times slower).
fn fams() -> &'static [Fam] {
    let all = &[Fam::Luat, Fam::Quectel, Fam::Simcom];
    &all[..if cfg!(miri) { 1 } else { 3 }]
}

fn cfg(fam: Fam) -> Config<'static> {
    match fam {
        Fam::Luat => common::config(),
        Fam::Quectel => common::quectel_config(),
        Fam::Simcom => common::simcom::config(),
    }
}

/// What the module holds (bits of `Module::bits`).
const LINK: u8 = 1; // Luat TCP link, Quectel client opened, SIMCom service started
const CLIENT: u8 = 2; // SIMCom client acquired
const MQTT: u8 = 4; // the MQTT session is up

/// (family, command prefix, bits it needs, answer lines split at `|` (`> #n`: the data prompt
/// for the length in argument `n`), bits set, bits cleared, the answer after the data (`{1}`:
/// argument 1)); first fit wins, else `healthy`. The stop's commands: docs/luat-at.md §5.12,
/// §5.13; docs/quectel-simcom-at.md §3.9, §4.2, §4.11.
type Rule = (Fam, &'static str, u8, &'static str, u8, u8, &'static str);

#[rustfmt::skip]
const RULES: &[Rule] = &[
    (Fam::Luat, "AT+MIPSTART", 0, "OK|CONNECT OK", LINK, 0, ""),
    (Fam::Luat, "AT+MCONNECT", LINK, "OK|CONNACK OK", MQTT, 0, ""),
    (Fam::Luat, "AT+MDISCONNECT", MQTT, "OK", 0, MQTT, ""),
    (Fam::Luat, "AT+MIPCLOSE", LINK, "OK", 0, LINK | MQTT, ""),
    (Fam::Luat, "AT+MQTTSTATU", MQTT, "+MQTTSTATU :1|OK", 0, 0, ""),
    (Fam::Luat, "AT+MQTTSTATU", 0, "+MQTTSTATU :0|OK", 0, 0, ""),
    (Fam::Luat, "AT+MSUB=", MQTT, "OK|SUBACK", 0, 0, ""),
    (Fam::Luat, "AT+MPUB=", MQTT, "OK|PUBACK", 0, 0, ""), // QoS 1 (QoS 0: `answer`)
    (Fam::Luat, "AT+MPUBEX=", MQTT, "> #3", 0, 0, "OK|PUBACK"),
    (Fam::Luat, "AT+MCONFIG", 0, "OK", 0, 0, ""),
    (Fam::Luat, "AT+MQTT", 0, "OK", 0, 0, ""),
    (Fam::Luat, "AT+M", 0, "+CME ERROR: 767", 0, 0, ""),
    (Fam::Quectel, "AT+QMTOPEN=", 0, "OK|+QMTOPEN: 0,0", LINK, 0, ""),
    (Fam::Quectel, "AT+QMTCONN=", LINK, "OK|+QMTCONN: 0,0,0", MQTT, 0, ""),
    (Fam::Quectel, "AT+QMTCONN?", MQTT, "+QMTCONN: 0,3|OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMTCONN?", 0, "OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMTDISC=", MQTT, "OK|+QMTDISC: 0,0", 0, LINK | MQTT, ""),
    (Fam::Quectel, "AT+QMTCLOSE", LINK, "OK|+QMTCLOSE: 0,0", 0, LINK | MQTT, ""),
    (Fam::Quectel, "AT+QMTPUBEX=", MQTT, "> #5", 0, 0, "OK|+QMTPUBEX: 0,{1},0"),
    (Fam::Quectel, "AT+QMTCFG", 0, "OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMT", 0, "ERROR", 0, 0, ""),
    (Fam::Quectel, "AT+QIACT?", 0, "+QIACT: 1,1,1,\"10.0.0.1\"|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSTART", LINK, "+CMQTTSTART: 23|ERROR", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSTART", 0, "+CMQTTSTART: 0|OK", LINK, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC=", MQTT, "OK|+CMQTTDISC: 0,0", 0, MQTT, ""),
    (Fam::Simcom, "AT+CMQTTREL", 0, "OK", 0, CLIENT | MQTT, ""),
    (Fam::Simcom, "AT+CMQTTSTOP", LINK, "OK|+CMQTTSTOP: 0", 0, LINK | CLIENT | MQTT, ""),
    (Fam::Simcom, "AT+CMQTTSTOP", 0, "ERROR|+CMQTTSTOP: 9", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTACCQ", LINK, "OK", CLIENT, 0, ""),
    (Fam::Simcom, "AT+CMQTTCONNECT=", CLIENT, "OK|+CMQTTCONNECT: 0,0", MQTT, 0, ""),
    (Fam::Simcom, "AT+CMQTTCONNECT=", 0, "+CMQTTCONNECT: 0,20|ERROR", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC?", MQTT, "+CMQTTDISC: 0,0|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC?", 0, "+CMQTTDISC: 0,1|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSUB=", MQTT, ">#1", 0, 0, "OK|+CMQTTSUB: 0,0"),
    (Fam::Simcom, "AT+CMQTTTOPIC=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTWILLTOPIC=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTWILLMSG=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTPAYLOAD=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTPUB=", MQTT, "OK|+CMQTTPUB: 0,0", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTT", 0, "ERROR", 0, 0, ""),
];

/// Acknowledgement lines (`Module::hold_acks` keeps them back).
const ACKS: [&str; 3] = ["PUBACK", "+QMTPUBEX:", "+CMQTTPUB:"];

/// A UART that takes up to `cap` bytes in all (`None`: everything), then nothing (`Ok(0)`).
struct Wire<'a>(&'a mut Vec<u8>, &'a mut Option<usize>);

impl embedded_io::ErrorType for Wire<'_> {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Wire<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.1.map_or(buf.len(), |c| c.min(buf.len()));
        if let Some(c) = self.1.as_mut() {
            *c -= n;
        }
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Where a sweep calls `stop`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cut {
    /// Once the command line arrived, before any of its answer.
    Before,
    /// After the first line of its answer, before the rest (`CONNECT OK`, `SUBACK`, ...).
    Mid,
    /// With the chunk (a command line or the data after a prompt) unwritten (`false`) or half
    /// written (`true`): the UART takes no more until the stop.
    Uart(bool),
    /// The module dies at this command: it answers nothing from then on.
    Dead,
    /// As `Before`, and `start` at once (again once stopped where it is refused meanwhile:
    /// `start_during_the_stops_disconnect_comes_back_online`).
    Restart,
}

/// The module's side of the script.
#[derive(Default)]
struct Side {
    bits: u8,
    echo_off: bool,
    /// The filters subscribed in the current MQTT session.
    subs: Vec<Vec<u8>>,
    /// A data prompt was given: this many bytes are awaited, then this answer.
    data: Option<(usize, String)>,
    pending: Vec<u8>,
    /// Bytes taken off the UART so far; where each command line or data block began.
    taken: usize,
    chunks: Vec<(usize, usize)>,
    cmds: Vec<Vec<u8>>,
    /// Command-mode lines that are no AT command.
    garbage: Vec<Vec<u8>>,
    ev: Vec<Ev>,
    dead: bool,
    /// The broker refuses the CONNECT (Luat: `CLOSED` before `CONNACK OK`, README).
    refuse: bool,
    hold_acks: bool,
    held_acks: Vec<u8>,
    cut: Option<(usize, Cut)>,
    /// The UART takes no more than this (`Cut::Uart`); reached, the run calls `stop`.
    cap: Option<usize>,
    stop_due: bool,
    stopped_at: Option<u32>,
    restart_refused: bool,
}

/// The engine against a scripted module of one family.
struct Module {
    h: Harness,
    fam: Fam,
    s: Side,
}

impl std::ops::Deref for Module {
    type Target = Side;
    fn deref(&self) -> &Side {
        &self.s
    }
}

impl std::ops::DerefMut for Module {
    fn deref_mut(&mut self) -> &mut Side {
        &mut self.s
    }
}

impl Module {
    fn new(fam: Fam, c: Config<'static>) -> Self {
        let (h, s) = (Harness::new(c), Side::default());
        Module { h, fam, s }
    }

    /// Started with `a/b` subscribed, brought online; events cleared.
    fn online(fam: Fam, c: Config<'static>) -> Self {
        let mut m = Module::new(fam, c);
        m.h.engine.subscribe(b"a/b", 1).unwrap();
        m.h.start();
        m.settle_online(60_000);
        m.ev.clear();
        m
    }

    /// `Harness::poll` through a UART that takes at most `cap` bytes.
    fn poll(&mut self) {
        for _ in 0..100_000 {
            let (_, mut rx) = self.h.ring.split();
            let mut w = Wire(&mut self.h.uart.written, &mut self.s.cap);
            let ev = match self.h.engine.poll(self.h.now, &mut rx, &mut w) {
                None => return assert_eq!(self.h.engine.stats().events_dropped, 0),
                Some(Event::Notice(n)) => Ev::N(n),
                Some(Event::Message { topic, payload }) => Ev::Msg(topic.into(), payload.into()),
                Some(Event::AtLine { id, line }) => Ev::AtLine(id, line.to_vec()),
                Some(Event::Urc { line }) => Ev::Urc(line.to_vec()),
            };
            self.s.ev.push(ev);
        }
        panic!("poll never became idle");
    }

    fn feed(&mut self, bytes: &[u8]) {
        assert_eq!(self.h.ring.push(bytes), bytes.len());
        self.poll();
    }

    fn stop(&mut self) {
        self.h.engine.stop(self.h.now);
        self.s.stopped_at.get_or_insert(self.h.now);
    }

    /// The answer to a command line, by what the module holds (`RULES`).
    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        let (c, fam, s) = (
            String::from_utf8_lossy(cmd).into_owned(),
            self.fam,
            &mut self.s,
        );
        if c == "ATE0" {
            s.echo_off = true;
        } else if c.starts_with("AT+MPUB=") && arg(&c, 1) == "0" && s.bits & MQTT != 0 {
            return lines("OK"); // QoS 0: no acknowledgement (docs/luat-at.md §5.6)
        } else if s.refuse && c.starts_with("AT+MCONNECT") {
            s.bits &= !LINK;
            return lines("OK|CLOSED");
        } else if s.bits & MQTT != 0 && (c.starts_with("AT+MSUB=") || c.starts_with("AT+QMTSUB=")) {
            s.subs
                .push(arg(&c, if fam == Fam::Luat { 0 } else { 2 }).into());
            if fam == Fam::Quectel {
                let urc = format!("+QMTSUB: 0,{},0,{}", arg(&c, 1), arg(&c, 3));
                return format!("\r\nOK\r\n\r\n{urc}\r\n").into_bytes();
            }
        }
        let bits = s.bits;
        let fits = |r: &&Rule| r.0 == fam && c.starts_with(r.1) && bits & r.2 == r.2;
        let Some(&(_, _, _, answer, set, clear, after_data)) = RULES.iter().find(fits) else {
            return healthy(cmd);
        };
        s.bits = (bits | set) & !clear;
        if clear & MQTT != 0 {
            s.subs.clear();
        }
        if let Some((prompt, n)) = answer.split_once('#') {
            let len = arg(&c, n.parse().unwrap()).parse().unwrap();
            s.data = Some((len, after_data.replace("{1}", &arg(&c, 1))));
            return format!("\r\n{prompt}").into_bytes();
        }
        lines(answer)
    }

    /// Answer lines, acknowledgements held back if asked.
    fn out(&mut self, answer: &[u8], out: &mut Vec<u8>) {
        let text = String::from_utf8_lossy(answer).into_owned();
        if text.contains('>') {
            return out.extend_from_slice(answer);
        }
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            match self.s.hold_acks && ACKS.iter().any(|a| l.starts_with(a)) {
                true => self.s.held_acks.extend(lines(l)),
                false => out.extend(lines(l)),
            }
        }
    }

    /// Takes what the engine wrote and returns the module's output; notes a due stop.
    fn exchange(&mut self) -> Vec<u8> {
        self.s.pending.append(&mut self.h.uart.written);
        self.h.forget_tx();
        let mut out = vec![];
        loop {
            let s = &mut self.s;
            if let Some((n, answer)) = s.data.clone() {
                if s.pending.len() < n {
                    return out;
                }
                let data: Vec<u8> = s.pending.drain(..n).collect();
                (s.data, s.taken) = (None, s.taken + n);
                s.chunks.push((s.taken - n, n));
                if s.dead {
                    continue;
                }
                if s.cmds.last().unwrap().starts_with(b"AT+CMQTTSUB=") {
                    s.subs.push(data);
                }
                self.out(&lines(&answer), &mut out);
                continue;
            }
            let Some(p) = s.pending.iter().position(|&b| b == b'\r') else {
                return out;
            };
            let line: Vec<u8> = s.pending.drain(..=p).collect();
            s.chunks.push((s.taken, p + 1));
            s.taken += p + 1;
            let cmd = line[..p].to_vec();
            s.cmds.push(cmd.clone());
            if let Some((k, cut)) = s.cut.filter(|c| !matches!(c.1, Cut::Uart(_))) {
                s.stop_due |= k == s.cmds.len();
                s.dead |= k == s.cmds.len() && cut == Cut::Dead;
            }
            if s.dead {
                continue;
            }
            if !cmd.get(..2).is_some_and(|a| a.eq_ignore_ascii_case(b"AT")) {
                s.garbage.push(cmd);
                out.extend_from_slice(b"\r\nERROR\r\n");
                continue;
            }
            if !s.echo_off {
                out.extend_from_slice(&line);
            }
            let answer = self.answer(&cmd);
            self.out(&answer, &mut out);
        }
    }

    /// Runs up to `ms` of fake time, the module answering, until `done` holds; calls `stop`
    /// where the cut says. Checks at each wait that the engine neither spins (0 ms after an
    /// idle poll) nor stalls (nothing scheduled unless stopped, failed, or online with no
    /// publish waiting).
    fn run_until(&mut self, ms: u32, done: &dyn Fn(&Module) -> bool) -> bool {
        let end = self.h.now.wrapping_add(ms);
        for _ in 0..200_000 {
            self.poll();
            if self.s.cap == Some(0) {
                self.s.cap = None;
                self.stop();
                continue;
            }
            if done(self) {
                return true;
            }
            if cellmqtt::time::reached(self.h.now, end) {
                return false;
            }
            let mut out = self.exchange();
            if std::mem::take(&mut self.s.stop_due) {
                if self.s.cut.is_some_and(|c| c.1 == Cut::Mid) {
                    // The first answer line goes before the stop, the rest after it.
                    let first = out.windows(2).skip(2).position(|w| w == b"\r\n");
                    let rest = out.split_off(first.map_or(out.len(), |i| i + 4).min(out.len()));
                    self.feed(&std::mem::replace(&mut out, rest));
                }
                self.stop();
                if self.s.cut.is_some_and(|c| c.1 == Cut::Restart) {
                    let r = self.h.engine.start(self.h.now);
                    assert!(matches!(r, Ok(()) | Err(Status::WrongState)), "{r:?}");
                    self.s.restart_refused = r.is_err();
                }
                self.feed(&out);
                continue;
            }
            if !out.is_empty() {
                self.feed(&out);
                continue;
            }
            let (e, now) = (&self.h.engine, self.h.now);
            let (wait, state, queued) = (e.poll_delay_ms(now, &self.h.ring), e.state(), e.queued());
            assert!(wait > 0, "spin in {state:?} at t={now}");
            let idle = matches!(state, State::Stopped | State::Failed)
                || state == State::Online && queued == 0;
            assert!(
                wait != u32::MAX || idle,
                "stall in {state:?}, {queued} queued"
            );
            let left = cellmqtt::time::until(now, end);
            self.h.now = now.wrapping_add(wait.min(left).max(1));
        }
        panic!("the run never ended");
    }

    #[track_caller]
    fn settle_online(&mut self, ms: u32) {
        let done = |m: &Module| {
            let e = &m.h.engine;
            e.state() == State::Online && e.queued() == 0 && m.h.uart.written.is_empty()
        };
        let online = self.run_until(ms, &done);
        assert!(online, "{:?} not online: {:?}", self.fam, self.notices());
    }

    /// Runs until the stop has ended (`Stopped`, nothing left to do); returns how long it
    /// took from the `stop` call.
    #[track_caller]
    fn settle_stopped(&mut self, ms: u32) -> u32 {
        let done = |m: &Module| {
            let e = &m.h.engine;
            let idle = e.poll_delay_ms(m.h.now, &m.h.ring) == u32::MAX;
            m.stopped_at.is_some() && e.state() == State::Stopped && idle
        };
        let stopped = self.run_until(ms, &done);
        assert!(stopped, "{:?} not stopped: {:?}", self.fam, self.notices());
        self.h.now.wrapping_sub(self.stopped_at.unwrap())
    }

    fn notices(&self) -> Vec<Notice> {
        let notice = |e: &Ev| match e {
            Ev::N(n) => Some(*n),
            _ => None,
        };
        self.ev.iter().filter_map(notice).collect()
    }

    fn count(&self, want: Notice) -> usize {
        self.notices().iter().filter(|n| **n == want).count()
    }

    fn has(&self, want: impl Fn(&Notice) -> bool) -> bool {
        self.notices().iter().any(want)
    }
}

/// Nothing failed, and no recovery step or pin was taken.
#[track_caller]
fn assert_no_failure(m: &Module, why: &str) {
    use Notice::*;
    let bad = |n: &Notice| {
        matches!(
            n,
            PublishFailed { .. } | SubscribeFailed { .. } | Recovery { .. } | Pin { .. }
        )
    };
    assert!(!m.has(bad), "{why}: {:?}", m.notices());
}

/// The stop left the module sane: no MQTT session, link, service or client held, no data
/// prompt waiting, no line that was no command reaching its parser.
#[track_caller]
fn assert_module_left_clean(m: &Module, why: &str) {
    assert_eq!(m.bits, 0, "{why}: the module still holds {:#x}", m.bits);
    assert!(m.data.is_none(), "{why}: the module still waits for data");
    assert!(m.garbage.is_empty(), "{why}: garbage lines {:?}", m.garbage);
}

/// Back online after a restart: `id` confirmed once in all, `a/b` subscribed, nothing failed.
#[track_caller]
fn assert_back(m: &Module, id: u16, why: &str) {
    let n = m.count(Notice::Published { id });
    assert_eq!(n, 1, "{why}: {:?}", m.notices());
    assert_eq!(m.subs, [b"a/b".to_vec()], "{why}");
    assert_no_failure(m, why);
    assert!(m.garbage.is_empty(), "{why}: {:?}", m.garbage);
}

/// `stop` at every command of the bring-up, the subscribe, a QoS 1 and a QoS 0 publish and
/// (with a will) the online message: before its answer, between `OK` and its result, with the
/// command or the data after a prompt unwritten or half written, with the module dead, and with
/// `start` at once. The stop ends in bounded time, leaves the module sane, keeps what is
/// unconfirmed and counts no failure; `start` restores the subscription and confirms each
/// publish once (the QoS 0 one sent once). A dead module is left alone.
#[test]
#[cfg_attr(miri, ignore)]
fn stop_at_every_point_then_start_again() {
    use Cut::*;
    for (&fam, will) in fams().iter().flat_map(|f| [(f, false), (f, true)]) {
        let mut c = cfg(fam);
        if will {
            let (topic, payload) = (b"dev/status", b"offline");
            let w = cellmqtt::config::WillConfig {
                topic,
                payload,
                qos: 1,
                retain: true,
            };
            (c.will, c.online_payload) = (Some(w), Some(&b"online"[..]));
        }
        // Binary for Luat, so the QoS 1 publish goes by `AT+MPUBEX` and its prompt.
        let run = |cut: Option<(usize, Cut)>, cap: Option<usize>| {
            let mut m = Module::new(fam, c);
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            let p1 = m.h.engine.publish(b"t/up", b"b\x00n", 1, false).unwrap();
            let p0 = m.h.engine.publish(b"t/up", b"x", 0, false).unwrap();
            (m.s.cut, m.s.cap) = (cut, cap);
            m.h.start();
            (m, [p1, p0])
        };
        let mut reference = run(None, None).0;
        reference.settle_online(60_000);
        let qos0 = [
            "AT+MPUB=\"t/up\",0",
            "AT+QMTPUBEX=0,0,0",
            "AT+CMQTTPUB=0,0,",
        ][fam as usize];
        for cut in [Before, Mid, Dead, Uart(false), Uart(true), Restart] {
            let uart = matches!(cut, Uart(_));
            let points = if uart {
                reference.chunks.len()
            } else {
                reference.cmds.len()
            };
            for k in 0..points {
                let why = format!("{fam:?} will {will} {cut:?} at {k}");
                let (mut m, ids) = match cut {
                    Uart(half) => {
                        let (start, len) = reference.chunks[k];
                        run(Some((k, cut)), Some(start + if half { len / 2 } else { 0 }))
                    }
                    _ => run(Some((k + 1, cut)), None),
                };
                // SIMCom between the QoS 0 publish's `OK` and its result sends it twice:
                // `a_qos0_publish_whose_result_comes_after_stop_is_not_sent_again`.
                let twice = fam == Fam::Simcom
                    && cut == Mid
                    && reference.cmds[k].starts_with(qos0.as_bytes());
                let back = |m: &Module| {
                    ids.iter().for_each(|&id| assert_back(m, id, &why));
                    let sent = m.cmds.iter().filter(|c| c.starts_with(qos0.as_bytes()));
                    let once = sent.count() == 1;
                    assert!(once || twice, "{why}: the QoS 0 publish went twice");
                };
                if cut == Restart {
                    assert!(m.run_until(60_000, &|m| m.stopped_at.is_some()), "{why}");
                    if m.restart_refused {
                        m.settle_stopped(60_000);
                        m.h.start();
                    }
                    m.settle_online(60_000);
                    back(&m);
                    continue;
                }
                let took = m.settle_stopped(200_000);
                // The command in flight gets its wait (90 s for the bearer commands; a lost
                // prompt 9 s, then its data 9 s), then the disconnect and the close 9 s each.
                let cmd = &m.cmds[m.cmds.len().min(k + 1) - 1];
                let long = [&b"AT+QIACT="[..], b"AT+CIPSHUT"];
                let prompt = [
                    &b"AT+MPUBEX="[..],
                    b"AT+QMTPUBEX=",
                    b"AT+CMQTTSUB=",
                    b"AT+CMQTTTOPIC=",
                ];
                let first = match () {
                    _ if long.iter().any(|l| cmd.starts_with(l)) => 90_000,
                    _ if prompt.iter().any(|l| cmd.starts_with(l)) => 18_000,
                    _ if cmd.starts_with(b"AT+CMQTTPAYLOAD=") => 18_000,
                    _ => 9_000,
                };
                assert!(took <= first + 18_000, "{why}: the stop took {took} ms");
                // Each publish kept, or confirmed (before the stop, or by a late `OK`).
                let done: usize = ids
                    .iter()
                    .map(|&id| m.count(Notice::Published { id }))
                    .sum();
                assert_eq!(m.h.engine.queued() + done, 2, "{why}: a publish was lost");
                let st = m.h.engine.stats();
                assert_eq!(st.publishes_done as usize, done, "{why}");
                assert_no_failure(&m, &why);
                if cut == Dead {
                    // Ten minutes later: nothing more sent, no probe of the dead module.
                    let sent = m.cmds.len();
                    m.run_until(600_000, &|_| false);
                    assert_eq!(m.cmds.len(), sent, "{why}: {:?}", &m.cmds[sent..]);
                    assert_no_failure(&m, &why);
                    continue;
                }
                assert_module_left_clean(&m, &why);
                let counted = (st.links_lost, st.connect_failures, st.command_timeouts);
                assert_eq!(counted, (0, 0, 0), "{why}");
                m.h.start();
                m.settle_online(60_000);
                let st = m.h.engine.stats();
                assert_eq!((st.publishes_done, st.publishes_failed), (2, 0), "{why}");
                back(&m);
            }
        }
    }
}

/// The acknowledgement lines the module holds back.
fn held_acks(m: &Module) -> usize {
    let text = String::from_utf8_lossy(&m.held_acks).into_owned();
    text.split("\r\n").filter(|l| !l.is_empty()).count()
}

/// `stop` between publishes' `OK` and their acknowledgements (Quectel with a window of three,
/// also with a later header in flight), the acknowledgements arriving during the stop: after
/// `start` each publish is confirmed exactly once, none fails.
#[test]
fn stop_between_ok_and_acknowledgement_confirms_each_publish_once() {
    let windowed = |f: Fam| if f == Fam::Quectel { 3 } else { 1 };
    for (fam, k) in fams()
        .iter()
        .flat_map(|&f| (0..windowed(f)).map(move |k| (f, k)))
    {
        let mut c = cfg(fam);
        c.publish_window = windowed(fam) as u8;
        let mut m = Module::online(fam, c);
        m.hold_acks = true;
        let ids: Vec<u16> = (0..3)
            .map(|_| m.h.engine.publish(b"t/up", b"x", 1, false).unwrap())
            .collect();
        if k > 0 {
            m.s.cut = Some((m.cmds.len() + k + 1, Cut::Before));
            assert!(
                m.run_until(30_000, &|m| m.stopped_at.is_some()),
                "{fam:?} {k}"
            );
        } else {
            // Luat and SIMCom: one publish awaits its acknowledgement at a time.
            assert!(
                m.run_until(30_000, &|m| held_acks(m) == windowed(m.fam)),
                "{fam:?}"
            );
            m.stop();
        }
        m.hold_acks = false;
        let late = std::mem::take(&mut m.s.held_acks);
        m.feed(&late);
        m.settle_stopped(60_000);
        let why = format!("{fam:?} {k}");
        assert_module_left_clean(&m, &why);
        m.h.start();
        m.settle_online(60_000);
        for id in ids {
            assert_back(&m, id, &why);
        }
    }
}

/// The last level the engine gave `pin` (`None`: never driven).
fn level(n: &[Notice], pin: Pin) -> Option<bool> {
    n.iter().rev().find_map(|e| match e {
        Notice::Pin { pin: p, active } if *p == pin => Some(*active),
        _ => None,
    })
}

fn pins(m: &Module) -> usize {
    m.notices()
        .iter()
        .filter(|e| matches!(e, Notice::Pin { .. }))
        .count()
}

/// `stop` while a pin sequence holds a line (RESET pulse, supply off in a power cycle, PWRKEY
/// pulse at start): every line is released and the session `Stopped` at once; the module
/// boots, and `start` brings the session back without another pin.
#[test]
fn stop_during_a_pin_sequence_releases_every_line() {
    let held = [(Pin::Reset, true), (Pin::Power, false), (Pin::Pwrkey, true)];
    for (case, (pin, active)) in held.into_iter().enumerate() {
        let mut c = cfg(Fam::Luat);
        c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
        c.ladder.resets_before_power_cycle = if case == 1 { 0 } else { 2 };
        let mut m = match case {
            2 => Module::new(Fam::Luat, c),
            _ => Module::online(Fam::Luat, c),
        };
        m.dead = true;
        if case == 2 {
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            m.h.start();
        }
        let held = Notice::Pin { pin, active };
        assert!(
            m.run_until(300_000, &|m| m.notices().contains(&held)),
            "{case}"
        );
        m.stop();
        m.poll();
        let n = m.notices();
        assert_eq!(m.h.engine.state(), State::Stopped, "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Reset), Some(false), "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Pwrkey), Some(false), "{case}: {n:?}");
        assert_eq!(level(&n, Pin::Power), Some(true), "{case}: {n:?}");
        // Released, the module boots (docs/luat-at.md §2.2) and the session comes back.
        m.s = Side {
            ev: std::mem::take(&mut m.s.ev),
            ..Side::default()
        };
        m.feed(b"\r\nRDY\r\n");
        let before = pins(&m);
        m.h.start();
        m.settle_online(120_000);
        assert_eq!(pins(&m), before, "{case}: {:?}", m.notices());
        assert_eq!(m.subs, [b"a/b".to_vec()], "{case}");
    }
}

/// `stop` in the back-off of a broker that keeps refusing, then `start`: the run of failures
/// begins anew (README: "a session started later begins a new one"), shortest back-off first.
#[test]
fn stop_during_a_backoff_then_start_begins_a_new_run() {
    let mut m = Module::new(Fam::Luat, cfg(Fam::Luat));
    m.refuse = true;
    m.h.start();
    let refused = |failures| Notice::Recovery {
        step: RecoveryStep::Reconnect,
        reason: Status::BrokerRefused,
        failures,
    };
    assert!(m.run_until(120_000, &|m| m.notices().contains(&refused(3))));
    assert_eq!(m.h.engine.state(), State::Recovering);
    let sent = m.cmds.len();
    m.stop();
    m.settle_stopped(1_000);
    // Nothing to leave: the broker closed the link itself.
    assert_eq!(m.cmds.len(), sent, "{:?}", &m.cmds[sent..]);
    m.ev.clear();
    m.h.start();
    let recovery = |n: &Notice| matches!(n, Notice::Recovery { .. });
    assert!(m.run_until(60_000, &|m| m.has(recovery)));
    assert_eq!(m.notices().into_iter().find(recovery), Some(refused(1)));
    // The first back-off again (1 s, jittered within its second half), not the doubled 8 s.
    let t = m.h.now;
    assert!(m.run_until(2_000, &|m| m.h.engine.state() != State::Recovering));
    assert!(m.h.now.wrapping_sub(t) <= 1_000);
    m.refuse = false;
    m.settle_online(60_000);
}

fn at_done(m: &Module, id: u16) -> Vec<Status> {
    let done = |n: Notice| match n {
        Notice::AtDone { id: i, status, .. } if i == id => Some(status),
        _ => None,
    };
    m.notices().into_iter().filter_map(done).collect()
}

/// A signal request in flight and an application command waiting at `stop`: each ends once,
/// `STOPPED`; the late answer ends nothing more; after `start` a new command is answered.
#[test]
fn queued_and_in_flight_commands_end_once_at_stop() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam));
        let a = m.h.engine.request_signal().unwrap();
        let b = m.h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
        m.poll();
        assert!(m.h.uart.written.ends_with(b"AT+CSQ\r"), "{fam:?}");
        m.stop();
        m.settle_stopped(30_000);
        assert_eq!(at_done(&m, a), [Status::Stopped], "{fam:?}");
        assert_eq!(at_done(&m, b), [Status::Stopped], "{fam:?}");
        assert!(!m.ev.iter().any(|e| matches!(e, Ev::AtLine(..))), "{fam:?}");
        m.h.start();
        let c = m.h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
        m.settle_online(60_000);
        m.run_until(1_000, &|m| !at_done(m, c).is_empty());
        assert_eq!(at_done(&m, c), [Status::Ok], "{fam:?}");
        let line = Ev::AtLine(c, b"866714043075174".to_vec());
        assert!(
            fam != Fam::Luat || m.ev.contains(&line),
            "{fam:?}: {:?}",
            m.ev
        );
    }
}

// ---- Stops at the edges: lost prompts, a start during the stop, late answers ----

/// `stop` right after a publish header, its data prompt lost (or later than `prompt_ms`): the
/// module waits for the data, and README (Known limits) promises "followed by its data all the
/// same", after a stop too (else the disconnect would be written instead, as the payload).
#[test]
fn stop_then_a_lost_prompt_still_gets_the_data() {
    let payload = [0u8, 1, 2, 3, 4];
    for fam in [Fam::Luat, Fam::Quectel] {
        let mut h = Harness::new(cfg(fam));
        match fam {
            Fam::Luat => common::bring_online(&mut h),
            _ => common::quectel_bring_online(&mut h),
        }
        let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
        h.tx(&match fam {
            Fam::Luat => b"AT+MPUBEX=\"bin\",1,0,5\r".to_vec(),
            _ => format!("AT+QMTPUBEX=0,{id},1,0,\"bin\",5\r").into_bytes(),
        });
        h.engine.stop(h.now);
        h.tx_nothing();
        h.advance(9_000);
        h.tx(&payload);
    }
}

/// `start` right after `stop`, while the disconnect runs: accepted, and the session comes back
/// once the stop has left the broker (`Engine::start`: "Idempotent while running").
#[test]
fn start_during_the_stops_disconnect_comes_back_online() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam));
        m.stop();
        m.poll();
        assert_eq!(m.h.engine.state(), State::Stopping, "{fam:?}");
        assert_eq!(m.h.engine.start(m.h.now), Ok(()), "{fam:?}");
        m.settle_online(60_000);
        assert_eq!(m.subs, [b"a/b".to_vec()], "{fam:?}");
    }
}

/// `stop` while `AT+CIPSHUT` (up to 90 s) is in flight, then `start`: the probe window must not
/// run out while the old command holds the line, or when `SHUT OK` came the engine would pulse
/// PWRKEY without having sent one `AT`, switching off a module that just answered.
#[test]
fn start_after_stop_during_a_slow_command_probes_before_any_pin() {
    let mut c = cfg(Fam::Luat);
    c.pins = Pins::PWRKEY;
    let mut h = Harness::new(c);
    common::bring_online(&mut h);
    h.rx(b"\r\n+PDP DEACT\r\n");
    h.advance(1_000);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CIPSHUT\r");
    h.take_events();
    h.engine.stop(h.now);
    h.engine.start(h.now).unwrap();
    h.advance(20_000);
    h.tx_nothing();
    h.rx(b"\r\nSHUT OK\r\n");
    let n = h.notices();
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    h.tx(b"AT\r");
}

/// A command in flight at `stop` ends `STOPPED`; the application queues another. The first
/// one's late answer is no line of the ended command (README: "an `AT_DONE` event with the id
/// ends it"), nor of the new one.
#[test]
fn a_stopped_commands_late_answer_is_nobodys() {
    let mut h = Harness::new(cfg(Fam::Luat));
    common::bring_online(&mut h);
    let a = h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
    h.tx(b"AT+CGSN\r");
    h.engine.stop(h.now);
    let b = h.engine.at_command(b"AT+CIMI", 5_000).unwrap();
    h.rx(b"\r\n866714043075174\r\n\r\nOK\r\n");
    let ev = h.take_events();
    let done = Ev::N(Notice::AtDone {
        id: a,
        status: Status::Stopped,
        code: 0,
    });
    assert_eq!(ev.iter().filter(|e| **e == done).count(), 1, "{ev:?}");
    let stray = |e: &&Ev| matches!(e, Ev::AtLine(id, _) if *id == a || *id == b);
    assert_eq!(ev.iter().find(stray), None);
}

/// A command queued while the stop's disconnect runs, and `stop` called again: the second stop
/// ends it (`AtDone` `STOPPED`), as the first ends every command queued before it.
#[test]
fn a_command_queued_while_stopping_ends_with_the_stop() {
    let mut m = Module::online(Fam::Luat, cfg(Fam::Luat));
    m.stop();
    m.poll();
    let id = m.h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
    m.stop();
    m.settle_stopped(30_000);
    m.run_until(600_000, &|_| false);
    assert_eq!(at_done(&m, id), [Status::Stopped], "{:?}", m.notices());
}

/// SIMCom: `stop` between a QoS 0 publish's `OK` and its `+CMQTTPUB: 0,0`, which comes during
/// the stop: the module took it (its `OK`), so it is not sent again after `start` (the rule of
/// `settle_stale`: "sending it again would duplicate it").
#[test]
fn a_qos0_publish_whose_result_comes_after_stop_is_not_sent_again() {
    let mut m = Module::online(Fam::Simcom, cfg(Fam::Simcom));
    m.s.cut = Some((m.cmds.len() + 3, Cut::Mid));
    let id = m.h.engine.publish(b"t/up", b"x", 0, false).unwrap();
    m.settle_stopped(30_000);
    m.h.start();
    m.settle_online(60_000);
    assert_back(&m, id, "SIMCom QoS 0");
    let sent = m.cmds.iter().filter(|c| c.starts_with(b"AT+CMQTTPUB=0,0,"));
    assert_eq!(sent.count(), 1, "{:?}", m.notices());
}

// ---- The C API: stop, deinit, init on the same storage ----

mod c_api {
    #![allow(clippy::undocumented_unsafe_blocks)]
    use cellmqtt::ffi::*;
    use cellmqtt::{Pin, State, Status};
    use core::ffi::c_void;
    use std::cell::RefCell;

    /// The clock, what was written, the pins driven.
    type World = (u32, Vec<u8>, Vec<(Pin, bool)>);

    thread_local! {
        /// The module's world (the callbacks ignore `user`).
        pub static WORLD: RefCell<World> = RefCell::default();
    }

    unsafe extern "C" fn uart_write(_: *mut c_void, data: *const u8, len: usize) -> i32 {
        let bytes = unsafe { std::slice::from_raw_parts(data, len) };
        WORLD.with_borrow_mut(|w| w.1.extend_from_slice(bytes));
        len as i32
    }

    unsafe extern "C" fn tick(_: *mut c_void) -> u32 {
        WORLD.with_borrow(|w| w.0)
    }

    unsafe extern "C" fn pin_set(_: *mut c_void, pin: Pin, active: bool) {
        WORLD.with_borrow_mut(|w| w.2.push((pin, active)));
    }

    /// A Luat module's answer to a command line (docs/luat-at.md §5).
    fn answer(cmd: &[u8]) -> &'static [u8] {
        match cmd {
            b"AT+CPIN?" => b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
            b"AT+CGATT?" => b"\r\n+CGATT: 1\r\n\r\nOK\r\n",
            b"AT+MIPCLOSE" => b"\r\n+CME ERROR: 767\r\n",
            _ if cmd.starts_with(b"AT+MIPSTART") => b"\r\nOK\r\n\r\nCONNECT OK\r\n",
            _ if cmd.starts_with(b"AT+MCONNECT") => b"\r\nOK\r\n\r\nCONNACK OK\r\n",
            _ => b"\r\nOK\r\n",
        }
    }

    pub struct Fixture {
        pub h: *mut cellmqtt_t,
        /// Everything written to the module.
        pub wire: Vec<u8>,
        cfg: cellmqtt_config_t,
        cb: cellmqtt_callbacks_t,
    }

    impl Fixture {
        pub fn new() -> Self {
            let buf = |n: usize| Box::leak(vec![0u8; n].into_boxed_slice());
            let mut cfg = cellmqtt_config_default();
            (cfg.host, cfg.client_id) = (c"broker.example".as_ptr(), c"dev-1".as_ptr());
            cfg.pins = CELLMQTT_PINS_RESET;
            (cfg.timeouts.silence_ms, cfg.timeouts.boot_ms) = (2_000, 2_000);
            let (rx, line) = (buf(CELLMQTT_RX_BUF_DEFAULT), buf(CELLMQTT_LINE_BUF_DEFAULT));
            let (queue, subs) = (buf(1024), buf(256));
            (cfg.rx_buf, cfg.rx_buf_len) = (rx.as_mut_ptr(), rx.len());
            (cfg.line_buf, cfg.line_buf_len) = (line.as_mut_ptr(), line.len());
            (cfg.queue_buf, cfg.queue_buf_len) = (queue.as_mut_ptr(), queue.len());
            (cfg.sub_buf, cfg.sub_buf_len) = (subs.as_mut_ptr(), subs.len());
            // SAFETY: integers, pointers and optional function pointers: zero is NULL/None.
            let mut cb: cellmqtt_callbacks_t = unsafe { std::mem::zeroed() };
            cb.uart_write = Some(uart_write);
            cb.tick_ms = Some(tick);
            cb.pin_set = Some(pin_set);
            // Zeroed storage, as C's static storage is: the documented initial state.
            let h = Box::into_raw(Box::new(unsafe { std::mem::zeroed::<cellmqtt_t>() }));
            Fixture {
                h,
                wire: vec![],
                cfg,
                cb,
            }
        }

        /// `cellmqtt_init` on the fixture's storage, then `cellmqtt_start`.
        pub fn init_and_start(&mut self) {
            assert_eq!(
                unsafe { cellmqtt_init(self.h, &self.cfg, &self.cb) },
                Status::Ok
            );
            assert_eq!(unsafe { cellmqtt_start(self.h) }, Status::Ok);
        }

        /// Polls, the module answering each command line unless `dead`; then `ms` pass.
        pub fn step(&mut self, dead: bool, ms: u32) {
            assert_eq!(unsafe { cellmqtt_poll(self.h) }, Status::Ok);
            let tx = WORLD.with_borrow_mut(|w| std::mem::take(&mut w.1));
            self.wire.extend_from_slice(&tx);
            for cmd in tx.split(|&b| b == b'\r').filter(|c| !c.is_empty() && !dead) {
                let a = answer(cmd);
                assert_eq!(
                    unsafe { cellmqtt_feed(self.h, a.as_ptr(), a.len()) },
                    Status::Ok
                );
            }
            WORLD.with_borrow_mut(|w| w.0 += ms);
        }

        /// Online (40 polls of a cooperative module), or asserting RESET for a silent one.
        pub fn reach(&mut self, online: bool) {
            let reset = |w: &World| w.2.last() == Some(&(Pin::Reset, true));
            for _ in 0..100 {
                if online && self.state() == State::Online || !online && WORLD.with_borrow(reset) {
                    return;
                }
                self.step(!online, if online { 100 } else { 500 });
            }
            panic!("not reached: online {online}");
        }

        pub fn state(&self) -> State {
            unsafe { cellmqtt_state(self.h) }
        }

        /// `cellmqtt_stop`, `polls` polls, then `cellmqtt_deinit` until it takes the handle
        /// (polling on while it refuses with `WRONG_STATE`); true if its first call took it.
        pub fn stop_deinit(&mut self, polls: usize) -> bool {
            assert_eq!(unsafe { cellmqtt_stop(self.h) }, Status::Ok);
            for _ in 0..polls {
                self.step(false, 100);
            }
            for first in [true, false].into_iter().chain([false; 20]) {
                match unsafe { cellmqtt_deinit(self.h) } {
                    Status::Ok => return first,
                    refused => assert_eq!(refused, Status::WrongState),
                }
                self.step(false, 100);
            }
            panic!("deinit never took the handle");
        }

        pub fn reset_level(&self) -> Option<bool> {
            let last = WORLD.with_borrow(|w| w.2.iter().rev().find(|p| p.0 == Pin::Reset).copied());
            last.map(|p| p.1)
        }
    }
}

/// The C API's order (`cellmqtt_deinit`: after the stop has ended, `cellmqtt_poll` until
/// `STOPPED`): the disconnect goes out, RESET is released, and each init on the same storage
/// brings a session up.
#[test]
fn stop_polled_to_its_end_then_deinit_and_init_again() {
    let mut f = c_api::Fixture::new();
    f.init_and_start();
    f.reach(true);
    f.wire.clear();
    assert!(f.stop_deinit(10));
    assert_eq!(f.wire, b"AT+MDISCONNECT\rAT+MIPCLOSE\r");
    f.init_and_start();
    f.reach(false);
    assert!(f.stop_deinit(1));
    assert_eq!(f.reset_level(), Some(false));
    f.init_and_start();
    f.reach(true);
}
