//! Inbound messages as a fleet sees them, on each family (docs/luat-at.md §5.9-5.10,
//! docs/quectel-simcom-at.md §3.7, §4.8): limits, empty and framing-like payloads, counts
//! that disagree with the bytes, splits, messages at every answer boundary, bursts, a delivery
//! handler that publishes, subscribes and stops, what the module reports. The promise (README;
//! the loss kinds of src/event.rs): a message is delivered whole or dropped and counted in its
//! kind, never truncated, never corrupting the next one.
mod common;

use cellmqtt::ffi::*;
use cellmqtt::{Event, LossKind, Notice, State, Status};
use common::family::{fams, Fam, Held};
use common::{messages, notices_of, Ev, Harness, Sizes};
use core::ffi::c_void;
use std::cell::RefCell;

/// One message as the family frames it: Luat direct mode (quoted topic), Quectel's length
/// form on one line, SIMCom in chunks of 64.
fn wire(fam: Fam, topic: &[u8], payload: &[u8]) -> Vec<u8> {
    let (t, n) = (String::from_utf8_lossy(topic), payload.len());
    let (head, tail) = match fam {
        Fam::Luat => (format!("\r\n+MSUB: \"{t}\",{n} byte,"), "\r\n"),
        Fam::Quectel => (format!("\r\n+QMTRECV: 0,0,\"{t}\",{n},\""), "\"\r\n"),
        Fam::Simcom => return common::simcom::rx_message(topic, payload, 64),
    };
    [head.as_bytes(), payload, tail.as_bytes()].concat()
}

fn loss(kind: LossKind) -> Ev {
    Ev::N(lost(kind, 1))
}

fn lost(kind: LossKind, count: u32) -> Notice {
    Notice::Loss { kind, count }
}

fn subscribed(id: u16, restored: bool) -> Notice {
    Notice::Subscribed { id, restored }
}

fn at_done(id: u16) -> Notice {
    Notice::AtDone {
        id,
        status: Status::Ok,
        code: 0,
    }
}

fn msg(t: &[u8], p: &[u8]) -> Ev {
    Ev::Msg(t.to_vec(), p.to_vec())
}

fn sizes(line: usize, rx: usize) -> Sizes {
    let mut s = Sizes::default();
    (s.line, s.rx) = (line, rx);
    s
}

fn count(n: &[Notice], want: Notice) -> usize {
    n.iter().filter(|e| **e == want).count()
}

/// Online with the standard bring-up of tests/common, nothing subscribed, events taken.
fn online(fam: Fam, s: Sizes) -> Harness {
    let mut h = Harness::with_sizes(fam.config(), s);
    match fam {
        Fam::Luat => common::bring_online(&mut h),
        Fam::Quectel => common::quectel_bring_online(&mut h),
        Fam::Simcom => common::simcom::bring_online(&mut h),
    }
    h.tx_nothing();
    h.take_events();
    h
}

/// (a command line or a prompt's data, the module's answer) → what the module sends.
type Hook<'a> = &'a mut dyn FnMut(&[u8], Vec<u8>) -> Vec<u8>;
/// What the application does with a message (topic, payload) before its next poll.
type Handler<'a> = &'a mut dyn FnMut(&mut Harness, &[u8], &[u8]);

/// The scripted module of tests/common/family.rs behind a harness: it answers every command
/// (echo until `ATE0`, data after its prompt); a hook may change each answer.
struct Rig {
    h: Harness,
    fam: Fam,
    held: Held,
    /// Written by the engine, not yet answered; the last command line.
    pending: (Vec<u8>, Vec<u8>),
}

fn same(_: &[u8], a: Vec<u8>) -> Vec<u8> {
    a
}

fn ignore(_: &mut Harness, _: &[u8], _: &[u8]) {}

impl Rig {
    fn new(fam: Fam, h: Harness) -> Rig {
        let (held, pending) = (Held::default(), Default::default());
        Rig {
            h,
            fam,
            held,
            pending,
        }
    }

    /// Started with `in/#` subscribed, online, events taken.
    fn online(fam: Fam) -> Rig {
        let mut r = Rig::new(fam, Harness::new(fam.config()));
        r.h.engine.subscribe(b"in/#", 1).unwrap();
        r.h.start();
        assert!(r.run(60_000, &mut same, &mut ignore, &Rig::idle));
        r.h.take_events();
        r
    }

    fn idle(&self) -> bool {
        let e = &self.h.engine;
        e.state() == State::Online && e.queued() == 0 && self.held.data.is_none()
    }

    /// `cellmqtt_poll`'s loop: every event collected, `handler` run on each message.
    fn poll(&mut self, handler: Handler) {
        for _ in 0..100_000 {
            let (_, mut rx) = self.h.ring.split();
            let ev = match self.h.engine.poll(self.h.now, &mut rx, &mut self.h.uart) {
                None => return assert_eq!(self.h.engine.stats().events_dropped, 0),
                Some(Event::Notice(n)) => Ev::N(n),
                Some(Event::Message { topic, payload }) => msg(topic, payload),
                Some(Event::AtLine { id, line }) => Ev::AtLine(id, line.to_vec()),
                Some(Event::Urc { line }) => Ev::Urc(line.to_vec()),
            };
            if let Ev::Msg(t, p) = &ev {
                handler(&mut self.h, t, p);
            }
            self.h.events.push(ev);
        }
        panic!("poll never became idle");
    }

    /// The module's output for what the engine wrote since the last call.
    fn answers(&mut self, hook: Hook) -> Vec<u8> {
        self.pending.0.append(&mut self.h.uart.written);
        self.h.forget_tx();
        let (mut out, (pending, last)) = (vec![], &mut self.pending);
        loop {
            if let Some(n) = self.held.data.as_ref().map(|d| d.0) {
                if pending.len() < n {
                    return out;
                }
                let data: Vec<u8> = pending.drain(..n).collect();
                let answer = self.held.data_arrived(last, data.clone());
                out.extend(hook(&data, answer));
                continue;
            }
            let Some(p) = pending.iter().position(|&b| b == b'\r') else {
                return out;
            };
            let line: Vec<u8> = pending.drain(..=p).collect();
            *last = line[..p].to_vec();
            let mut answer = if self.held.echo_off { vec![] } else { line };
            answer.extend(self.held.answer(self.fam, last));
            out.extend(hook(last, answer));
        }
    }

    fn feed(&mut self, bytes: &[u8], handler: Handler) {
        for part in bytes.chunks(self.h.ring.capacity()) {
            assert_eq!(self.h.ring.push(part), part.len());
            self.poll(handler);
        }
    }

    /// Runs up to `ms` of fake time until `done`; the engine must never spin.
    fn run(&mut self, ms: u32, hook: Hook, handler: Handler, done: &dyn Fn(&Rig) -> bool) -> bool {
        let end = self.h.now + ms;
        loop {
            self.poll(handler);
            if done(self) {
                return true;
            }
            let out = self.answers(hook);
            if !out.is_empty() {
                self.feed(&out, handler);
                continue;
            }
            if self.h.now >= end {
                return false;
            }
            let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
            assert!(wait > 0, "spin in {:?}", self.h.engine.state());
            self.h.now += wait.min(end - self.h.now).max(1);
        }
    }
}

// ---- 1. Limits ----

/// README (Porting guide, Memory; Size): kept when topic + payload fit the line buffer; one
/// byte more is one `message_too_large` loss, the next whole, also back to back in one read.
/// The header before the topic must fit with it (src/dialect/tokenizer.rs, `push`, Sizing).
#[test]
fn whole_at_the_line_buffer_and_counted_one_byte_over() {
    const LINE: usize = 256;
    for &fam in fams() {
        let mut h = online(fam, sizes(LINE, 16_384));
        let body = |n: usize| (0..n).map(|i| (i * 31 + 7) as u8).collect::<Vec<u8>>();
        // The header before the topic: `+MSUB: "`, `+QMTRECV: 0,0,"`; SIMCom stores none.
        let long = vec![b'L'; LINE - [8, 15, 1][fam as usize]];
        let over = vec![b'L'; long.len() + 1];
        let cases: Vec<(Vec<u8>, Vec<u8>, bool)> = vec![
            (b"lim/a".to_vec(), body(LINE - 5), true),
            (b"lim/a".to_vec(), body(LINE - 4), false),
            (long.clone(), body(LINE - long.len()), true),
            (long.clone(), body(LINE - long.len() + 1), false),
            // Topic + payload = the buffer, the header before the topic one byte over it.
            (over.clone(), body(LINE - over.len()), fam == Fam::Simcom),
            (b"lim/b".to_vec(), b"next".to_vec(), true),
        ];
        let (mut burst, mut want) = (vec![], vec![]);
        for (t, p, kept) in &cases {
            h.rx(&wire(fam, t, p));
            burst.extend(wire(fam, t, p));
            want.push(match kept {
                true => msg(t, p),
                false => loss(LossKind::MessageTooLarge),
            });
        }
        assert_eq!(h.take_events(), want, "{fam:?}");
        h.rx(&burst.repeat(3));
        assert_eq!(h.take_events(), vec![want.clone(); 3].concat(), "{fam:?}");
        let s = h.engine.stats();
        let dropped = want.iter().filter(|e| matches!(e, Ev::N(_))).count() as u32 * 4;
        assert_eq!(s.messages_too_large, dropped, "{fam:?}");
        assert_eq!(s.messages_received, cases.len() as u32 * 4 - dropped);
        assert_eq!([s.messages_corrupt, s.lines_too_long], [0, 0], "{fam:?}");
        assert_eq!(h.engine.state(), State::Online);
        h.tx_nothing();
    }
}

/// The largest count each family's module announces is delivered (line buffer large enough);
/// one above it is a corrupt header (README: Luat above 4100; tokenizer: Quectel above 4096,
/// SIMCom totals above 10240): a `message_corrupt` loss, and the next message is whole.
#[test]
fn the_dialect_count_limit_and_one_above() {
    for (&fam, max) in fams().iter().zip([4100, 4096, 10240]) {
        let mut h = online(fam, sizes(max + 64, 16_384));
        let big: Vec<u8> = (0..max).map(|i| (i % 251) as u8).collect();
        common::simcom::feed(&mut h, &wire(fam, b"big", &big));
        assert_eq!(h.take_events(), [msg(b"big", &big)], "{fam:?}");
        let corrupt = match fam {
            Fam::Luat => format!("\r\n+MSUB: \"big\",{} byte,hello\r\n", max + 1),
            Fam::Quectel => format!("\r\n+QMTRECV: 0,0,\"big\",{},\"hello\"\r\n", max + 1),
            Fam::Simcom => format!("\r\n+CMQTTRXSTART: 0,3,{}\r\n", max + 1),
        };
        h.rx(&[corrupt.as_bytes(), &wire(fam, b"n", b"next")].concat());
        let want = [loss(LossKind::MessageCorrupt), msg(b"n", b"next")];
        assert_eq!(h.take_events(), want, "{fam:?}");
        assert_eq!(h.engine.stats().messages_corrupt, 1);
    }
}

// ---- 2. Contents ----

/// The empty payload in each documented form (Luat topic quoted or not, Quectel on the same
/// line or the next, SIMCom with no payload part) inside an application command's answer,
/// each followed at once by another message: all delivered, the command's lines its own.
#[test]
fn empty_payloads_in_every_form() {
    for &fam in fams() {
        let mut h = online(fam, Sizes::default());
        let id = h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
        h.tx(b"AT+CSQ\r");
        let forms: Vec<Vec<u8>> = match fam {
            Fam::Luat => vec![
                b"\r\n+MSUB: \"e\",0 byte,\r\n".to_vec(),
                b"\r\n+MSUB:e,0 byte,".to_vec(),
                b"+MSUB: e,0 byte,\r\n".to_vec(),
            ],
            Fam::Quectel => vec![
                b"\r\n+QMTRECV: 0,0,\"e\",0,\"\"\r\n".to_vec(),
                b"\r\n+QMTRECV: 0,0,\"e\",0\r\n\r\n".to_vec(),
                b"+QMTRECV: 0,3,\"e\",0,\r\n\"\"\r\n".to_vec(),
            ],
            Fam::Simcom => vec![wire(fam, b"e", b""), wire(fam, b"e", b"")],
        };
        let mut rx = b"\r\n+CSQ: 20,0\r\n".to_vec();
        let mut want = vec![Ev::AtLine(id, b"+CSQ: 20,0".to_vec())];
        for f in &forms {
            rx.extend([&f[..], &wire(fam, b"n", b"\"x\"")].concat());
            want.extend([msg(b"e", b""), msg(b"n", b"\"x\"")]);
        }
        h.rx(&[&rx[..], b"\r\nOK\r\n"].concat());
        want.push(Ev::N(at_done(id)));
        assert_eq!(h.take_events(), want, "{fam:?}");
        assert_eq!(h.engine.stats().lines_unknown, 0, "{fam:?}");
        h.tx_nothing();
    }
}

/// Payloads that look like framing or URCs the engine acts on (`OK`, `CLOSED`, `RDY`, message
/// prefixes, `>`, quotes, commas, NUL, every byte), on a topic with a quote and a comma, while
/// a QoS 0 publish awaits its `OK`: each delivered intact; none ends the publish or the link.
#[test]
fn payloads_that_look_like_framing_are_read_by_count() {
    let all: Vec<u8> = (0..=255).collect();
    let nasty: [&[u8]; 9] = [
        b"\r\n",
        b"\r\nOK\r\n",
        b"\r\nERROR\r\n\r\nCLOSED\r\n\r\nRDY\r\n",
        b"+MSUB: \"x\",1 byte,y\r\n+QMTRECV: 0,0,\"x\",1,\"y\"\r\n",
        b"\r\n+CMQTTRXEND: 0\r\n+CMQTTRXSTART: 0,1,1\r\n+CMQTTCONNLOST: 0,1\r\n",
        b"\r\n> \"\",,\",\"\0\0\"",
        b"\r\n+QMTSTAT: 0,1\r\n+PDP DEACT\r\n*ATREADY: 1\r\n",
        b"\0",
        &all,
    ];
    // No `",<digits>,` inside a Quectel topic (src/dialect/tokenizer.rs).
    let topic = b"in/\"q\",x";
    for &fam in fams() {
        let mut h = online(fam, Sizes::default());
        let id = h.engine.publish(b"p", b"x", 0, false).unwrap();
        match fam {
            Fam::Luat => h.tx(b"AT+MPUB=\"p\",0,0,\"x\"\r"),
            Fam::Quectel => {
                h.tx(b"AT+QMTPUBEX=0,0,0,0,\"p\",1\r");
                h.rx(b"\r\n> ");
                h.tx(b"x");
            }
            Fam::Simcom => common::simcom::publish(&mut h, b"p", b"x", 0, false),
        }
        for p in nasty {
            common::simcom::feed(&mut h, &wire(fam, topic, p));
        }
        h.tx_nothing();
        h.rx(match fam {
            Fam::Luat => b"\r\nOK\r\n",
            Fam::Quectel => b"\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n",
            Fam::Simcom => b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n",
        });
        let mut want: Vec<Ev> = nasty.iter().map(|p| msg(topic, p)).collect();
        want.push(Ev::N(Notice::Published { id }));
        assert_eq!(h.take_events(), want, "{fam:?}");
        let s = h.engine.stats();
        assert_eq!([s.links_lost, s.module_reboots, s.lines_unknown], [0, 0, 0]);
        assert_eq!(h.engine.state(), State::Online);
    }
}

/// Counts that disagree with the bytes: Luat and Quectel read exactly the count (docs §5.9,
/// §3.7), the rest of a short one is a line, a long one takes what follows; in sync at the
/// next line. SIMCom checks chunks against the totals: a message whose parts disagree is lost
/// and counted (`message_too_large`, as tests/engine_simcom.rs counts it), never delivered.
#[test]
fn counts_that_disagree_with_the_bytes() {
    for fam in [Fam::Luat, Fam::Quectel] {
        let mut h = online(fam, Sizes::default());
        for (n, p) in [(3, "hello"), (7, "hello")] {
            h.rx(&match fam {
                Fam::Luat => format!("\r\n+MSUB: \"in/s\",{n} byte,{p}\r\n").into_bytes(),
                _ => format!("\r\n+QMTRECV: 0,0,\"in/s\",{n},\"{p}\"\r\n").into_bytes(),
            });
        }
        h.rx(&wire(fam, b"in/n", b"next"));
        let long = [&b"hello\r\n"[..], b"hello\"\r"][fam as usize];
        // `lo` (Quectel `lo"`) is an unknown line, text the engine does not consume: passed
        // on (README, URC pass-through); what is left of the second, a blank one.
        let rest = [&b"lo"[..], b"lo\""][fam as usize];
        let mut want = vec![
            msg(b"in/s", b"hel"),
            Ev::Urc(rest.to_vec()),
            msg(b"in/s", long),
        ];
        want.push(msg(b"in/n", b"next"));
        assert_eq!(h.take_events(), want, "{fam:?}");
        assert_eq!(h.engine.stats().lines_unknown, 1, "{fam:?}");
        h.tx_nothing();
    }
    let mut h = online(Fam::Simcom, Sizes::default());
    let start = "\r\n+CMQTTRXSTART: 0,1,";
    let topic = "\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXPAYLOAD: 0,";
    // (The text left of a message that was lost, when the stream is back at a line, is a
    // line the engine does not consume: passed on, README "URC pass-through".)
    for (bad, rest) in [
        ("5{T}3\r\nabc\r\n+CMQTTRXEND: 0\r\n", None),
        ("2{T}5\r\nab\r\n", Some(&b"ab"[..])),
        ("2{T}2\r\nabcd\r\n", Some(&b"cd"[..])),
    ] {
        let bad = [start, &bad.replace("{T}", topic)].concat();
        h.rx(&[bad.as_bytes(), &wire(Fam::Simcom, b"in/n", b"next")].concat());
        let ev = h.take_events();
        assert_eq!(ev.first(), Some(&loss(LossKind::MessageTooLarge)), "{ev:?}");
        let rest = rest.map(|r| Ev::Urc(r.to_vec()));
        let want: Vec<_> = rest.into_iter().chain([msg(b"in/n", b"next")]).collect();
        assert_eq!(&ev[1..], want, "{ev:?}");
    }
    assert_eq!(h.engine.stats().messages_too_large, 3);
    assert_eq!(h.engine.state(), State::Online);
}

/// A count 8 bytes too long eats the `OK` of a QoS 1 publish (Luat `AT+MPUB`, Quectel the
/// data after the prompt) but not its acknowledgement (`PUBACK`; `+QMTPUBEX: 0,<id>,0`, which
/// names it), which comes before the command's deadline. The broker has the message: after
/// the command's timeout and the link check the publish completes once, not sent again
/// (README: sent again after a lost link or when unanswered; this one was acknowledged).
#[test]
fn a_count_that_eats_a_publishs_ok_does_not_send_it_twice() {
    for fam in [Fam::Luat, Fam::Quectel] {
        let mut r = Rig::online(fam);
        let id = r.h.engine.publish(b"out", b"1", 1, false).unwrap();
        let mut sent = 0;
        let mut hook = |c: &[u8], a: Vec<u8>| {
            sent += usize::from(c.starts_with(b"AT+MPUB") || c.starts_with(b"AT+QMTPUB"));
            if sent != 1 || !(c.starts_with(b"AT+MPUB") || c == b"1") {
                return a;
            }
            let m: &[u8] = match fam {
                Fam::Luat => b"\r\n+MSUB: \"in/s\",13 byte,hello",
                _ => b"\r\n+QMTRECV: 0,0,\"in/s\",13,\"hello",
            };
            [m, &a].concat()
        };
        let done = |r: &Rig| notices_of(&r.h.events).contains(&Notice::Published { id });
        assert!(r.run(120_000, &mut hook, &mut ignore, &done), "{fam:?}");
        let ev = r.h.take_events();
        let hello = b"hello\r\nOK\r\n\r\n".to_vec();
        assert_eq!(messages(&ev), [(b"in/s".to_vec(), hello)]);
        let n = notices_of(&ev);
        assert_eq!(count(&n, Notice::Published { id }), 1, "{n:?}");
        assert_eq!(sent, 1, "{fam:?}: the publish went again {n:?}");
        assert_eq!(r.h.engine.stats().publish_retries, 0, "{fam:?}");
        r.h.rx(&wire(fam, b"in/n", b"next"));
        assert_eq!(r.h.take_events(), [msg(b"in/n", b"next")], "{fam:?}");
    }
}

// ---- 3. Where a message arrives ----

/// A message split in two at every byte, and byte by byte, a poll after each piece, filling
/// the smallest line buffer (128) exactly: intact each time, no spin; one byte more is one
/// `message_too_large` loss each time.
#[test]
fn a_message_split_at_every_byte() {
    const LINE: usize = 128;
    let topic = b"in/split";
    let nasty = b"a\"b,\r\nOK\r\n\0> \xff+MSUB: \"t\",1 byte,x\r\n";
    let fits = nasty.repeat(4)[..LINE - topic.len()].to_vec();
    let over = [&fits[..], b"!"].concat();
    let cases = [
        (&fits, msg(topic, &fits)),
        (&over, loss(LossKind::MessageTooLarge)),
    ];
    for &fam in fams() {
        let mut h = online(fam, sizes(LINE, 1024));
        for (p, want) in &cases {
            let w = wire(fam, topic, p);
            // Under Miri (a thousand times slower) every 13th split.
            for k in (1..w.len()).step_by(if cfg!(miri) { 13 } else { 1 }) {
                h.rx(&w[..k]);
                assert!(h.engine.poll_delay_ms(h.now, &h.ring) > 0, "{fam:?} {k}");
                h.rx(&w[k..]);
                let one = std::slice::from_ref(want);
                assert_eq!(h.take_events(), one, "{fam:?} split at {k}");
            }
            w.iter().for_each(|b| h.rx(&[*b]));
            assert_eq!(h.take_events(), std::slice::from_ref(want), "{fam:?}");
        }
        let s = h.engine.stats();
        assert_eq!([s.lines_unknown, s.lines_too_long], [0, 0], "{fam:?}");
        assert_eq!(s.messages_corrupt, 0, "{fam:?}");
        h.tx_nothing();
    }
}

/// A message (its payload holding `\r\nOK\r\n`) at every line boundary of every answer, from
/// the first `AT` (a module still connected from before the MCU restarted) through a
/// subscribe, QoS 1 publishes (around the data prompt), an application command and the health
/// check, the UART taking 7 bytes a write: each delivered once, in order; online without a
/// recovery step; each request completes once.
#[test]
fn a_message_at_every_answer_boundary_from_bring_up_on() {
    for &fam in fams() {
        let mut r = Rig::new(fam, Harness::new(fam.config()));
        r.h.engine.subscribe(b"in/#", 1).unwrap();
        let mut sent = vec![];
        let mut hook = |_: &[u8], a: Vec<u8>| {
            let ends = (2..a.len()).filter(|&i| &a[i - 2..i] == b"\r\n");
            let mut cuts: Vec<usize> = [0, a.len()].into_iter().chain(ends).collect();
            cuts.sort();
            cuts.dedup();
            let (mut out, mut from) = (vec![], 0);
            for c in cuts {
                let p = format!("m{}\r\nOK\r\n", sent.len()).into_bytes();
                out.extend([&a[from..c], &wire(fam, b"in/m", &p)].concat());
                sent.push(p);
                from = c;
            }
            out
        };
        r.h.start();
        assert!(r.run(60_000, &mut hook, &mut ignore, &Rig::idle), "{fam:?}");
        r.h.uart.chunk = Some(7);
        let sub = r.h.engine.subscribe(b"cmd/x", 2).unwrap();
        let ids = [&b"\"q\r\n"[..], b"ok"].map(|p| r.h.engine.publish(b"out", p, 1, false));
        let at = r.h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
        assert!(r.run(60_000, &mut hook, &mut ignore, &Rig::idle), "{fam:?}");
        // A minute idle: the health check's answer gets its messages too.
        assert!(!r.run(61_000, &mut hook, &mut ignore, &|_| false));
        let ev = r.h.take_events();
        let got: Vec<Vec<u8>> = messages(&ev).into_iter().map(|m| m.1).collect();
        assert_eq!(got, sent, "{fam:?}");
        let csq = Ev::AtLine(at, b"+CSQ: 21,0".to_vec());
        assert!(ev.contains(&csq), "{fam:?}");
        let n = notices_of(&ev);
        for id in ids {
            assert_eq!(count(&n, Notice::Published { id: id.unwrap() }), 1, "{n:?}");
        }
        assert_eq!(count(&n, subscribed(sub, false)), 1, "{fam:?}");
        assert_eq!(count(&n, at_done(at)), 1, "{fam:?}");
        let failed = |e: &&Notice| matches!(e, Notice::Recovery { .. } | Notice::Loss { .. });
        assert_eq!(n.iter().filter(failed).count(), 0, "{fam:?} {n:?}");
        assert!(sent.len() > 80, "{fam:?}: {} messages", sent.len());
    }
}

// ---- 4. The RX ring ----

/// A burst larger than the RX ring (README, Porting guide: the bytes that do not fit are
/// dropped and reported as an `rx_overflow` loss), the ring ending inside the third message's
/// payload: that message must not be delivered with the bytes after the gap (the next
/// message's header) as its payload. It is lost and counted once (`message_corrupt`); every
/// message delivered was sent, and every one after the gap is whole.
#[test]
fn a_burst_larger_than_the_rx_ring() {
    for &fam in fams() {
        let sent: Vec<Vec<u8>> = (0..9u8).map(|i| vec![b'0' + i; 60]).collect();
        let one = wire(fam, b"in/r", &sent[0]).len();
        let after = [2, 3, 18][fam as usize]; // the bytes of a message after its payload
        let mut h = online(fam, sizes(1664, 3 * one - after - 30));
        let burst: Vec<u8> = sent[..6]
            .iter()
            .flat_map(|p| wire(fam, b"in/r", p))
            .collect();
        let took = h.ring.push(&burst);
        h.poll();
        sent[6..].iter().for_each(|p| h.rx(&wire(fam, b"in/r", p)));
        let ev = h.take_events();
        let overflow = (burst.len() - took) as u32;
        let cut = lost(LossKind::MessageCorrupt, 1);
        assert_eq!(notices_of(&ev), [lost(LossKind::RxOverflow, overflow), cut]);
        let got: Vec<Vec<u8>> = messages(&ev).into_iter().map(|m| m.1).collect();
        assert_eq!(got, [&sent[..2], &sent[6..]].concat(), "{fam:?}");
        let s = h.engine.stats();
        assert_eq!(
            [s.messages_corrupt, s.messages_too_large],
            [1, 0],
            "{fam:?}"
        );
        assert_eq!(s.rx_overflow_bytes, overflow, "{fam:?}");
    }
}

// ---- 5. The delivery handler ----

/// A handler that, from inside the delivery (before the next poll, as a C callback inside
/// `cellmqtt_poll` may: README, Porting guide, Rules), publishes the payload back, subscribes
/// and stops: the messages already received after the stop are delivered all the same; the
/// publishes and the subscription wait for the next start and then complete once.
#[test]
fn a_handler_that_publishes_subscribes_and_stops() {
    for &fam in fams() {
        let mut r = Rig::online(fam);
        let (mut pubs, mut subs) = (vec![], vec![]);
        let mut handler = |h: &mut Harness, _: &[u8], p: &[u8]| match p {
            b"sub" => subs.push(h.engine.subscribe(b"new/#", 1).unwrap()),
            b"stop" => h.engine.stop(h.now),
            _ => pubs.push(h.engine.publish(b"out", p, 1, false).unwrap()),
        };
        let sent = [&b"echo\r\n"[..], b"sub", b"stop", b"late\0"];
        let burst: Vec<u8> = sent.iter().flat_map(|p| wire(fam, b"in/h", p)).collect();
        r.feed(&burst, &mut handler);
        let stopped = |r: &Rig| r.h.engine.state() == State::Stopped;
        assert!(r.run(60_000, &mut same, &mut handler, &stopped), "{fam:?}");
        let ev = r.h.take_events();
        let got: Vec<Vec<u8>> = messages(&ev).into_iter().map(|m| m.1).collect();
        assert_eq!(got, sent, "{fam:?}");
        assert_eq!(r.h.engine.queued(), 2, "{fam:?}");
        r.h.start();
        assert!(r.run(60_000, &mut same, &mut handler, &Rig::idle));
        let n = notices_of(&r.h.take_events());
        let done = pubs
            .iter()
            .map(|id| count(&n, Notice::Published { id: *id }));
        assert_eq!(done.collect::<Vec<_>>(), [1, 1], "{fam:?} {n:?}");
        let sub = |restored| count(&n, subscribed(subs[0], restored));
        assert_eq!(sub(false) + sub(true), 1, "{fam:?} {n:?}");
        assert!(r.held.subs.iter().any(|s| s == b"new/#"), "{fam:?}");
    }
}

/// The C side: the clock, what was written, the payloads delivered, the statuses of the calls
/// made inside `on_message` (the callbacks' `user` is the handle).
type CSide = (u32, Vec<u8>, Vec<Vec<u8>>, Vec<[Status; 3]>);

thread_local! {
    static C: RefCell<CSide> = RefCell::default();
}

unsafe fn bytes<'a>(p: *const u8, n: usize) -> &'a [u8] {
    unsafe { std::slice::from_raw_parts(p, n) }
}

unsafe extern "C" fn c_write(_: *mut c_void, d: *const u8, n: usize) -> i32 {
    C.with_borrow_mut(|c| c.1.extend_from_slice(unsafe { bytes(d, n) }));
    n as i32
}

unsafe extern "C" fn c_tick(_: *mut c_void) -> u32 {
    C.with_borrow(|c| c.0)
}

/// Publishes the payload back, then subscribes (or stops, for `stop`) and polls, inside the
/// call; then reads the topic and payload again through the pointers it was given.
unsafe extern "C" fn c_message(h: *mut c_void, t: *const u8, tl: usize, p: *const u8, pl: usize) {
    let read = || unsafe { [bytes(t, tl), bytes(p, pl)] };
    let before = read().map(<[u8]>::to_vec);
    let (h, mut id) = (h.cast::<cellmqtt_t>(), 0);
    let (out, new) = (c"out".as_ptr(), c"new/#".as_ptr());
    let st = unsafe {
        let publish = cellmqtt_publish(h, out, before[1].as_ptr(), pl, 1, false, &mut id);
        let second = match &before[1][..] {
            b"stop" => cellmqtt_stop(h),
            _ => cellmqtt_subscribe(h, new, 1, &mut id),
        };
        [publish, second, cellmqtt_poll(h)]
    };
    let after = read();
    assert_eq!(
        after,
        [&before[0][..], &before[1][..]],
        "changed inside the call"
    );
    C.with_borrow_mut(|c| (c.2.push(before[1].clone()), c.3.push(st)));
}

fn c_feed(h: *mut cellmqtt_t, bytes: &[u8]) {
    let fed = unsafe { cellmqtt_feed(h, bytes.as_ptr(), bytes.len()) };
    assert_eq!(fed, Status::Ok);
    assert_eq!(unsafe { cellmqtt_poll(h) }, Status::Ok);
}

/// Answers what was written as a healthy Luat module (docs/luat-at.md §5), a second later.
fn c_answer(h: *mut cellmqtt_t) {
    let tx = C.with_borrow_mut(|c| (c.0 += 1_000, std::mem::take(&mut c.1)).1);
    let mut out = vec![];
    for cmd in tx.split(|b| *b == b'\r').filter(|c| !c.is_empty()) {
        out.extend(match cmd {
            b"AT+MIPCLOSE" => common::script::lines("+CME ERROR: 767"),
            _ if cmd.starts_with(b"AT+MIPSTART") => common::script::lines("OK|CONNECT OK"),
            _ if cmd.starts_with(b"AT+MCONNECT") => common::script::lines("OK|CONNACK OK"),
            _ => common::script::healthy(cmd),
        });
    }
    c_feed(h, &out);
}

/// The C API: `on_message` publishes, subscribes and stops inside the call, a nested poll is
/// `BUSY`, and its topic and payload still hold the message after those calls (README,
/// Porting guide: both buffers are valid during the call).
#[test]
fn the_c_callback_publishes_subscribes_and_stops_inside_the_delivery() {
    let buf = |n: usize| Box::leak(vec![0u8; n].into_boxed_slice()).as_mut_ptr();
    let mut cfg = cellmqtt_config_default();
    (cfg.host, cfg.client_id) = (c"broker.example".as_ptr(), c"dev-1".as_ptr());
    (cfg.rx_buf, cfg.rx_buf_len, cfg.line_buf, cfg.line_buf_len) = (buf(512), 512, buf(256), 256);
    (
        cfg.queue_buf,
        cfg.queue_buf_len,
        cfg.sub_buf,
        cfg.sub_buf_len,
    ) = (buf(512), 512, buf(64), 64);
    // SAFETY: integers and optional function pointers: zero is None.
    let mut cb: cellmqtt_callbacks_t = unsafe { std::mem::zeroed() };
    (cb.uart_write, cb.tick_ms) = (Some(c_write as _), Some(c_tick as _));
    cb.on_message = Some(c_message as _);
    let h = Box::into_raw(Box::new(unsafe { std::mem::zeroed::<cellmqtt_t>() }));
    cb.user = h.cast();
    C.with_borrow_mut(|c| c.0 = 1);
    assert_eq!(unsafe { cellmqtt_init(h, &cfg, &cb) }, Status::Ok);
    assert_eq!(unsafe { cellmqtt_start(h) }, Status::Ok);
    for _ in 0..30 {
        c_answer(h);
    }
    assert_eq!(unsafe { cellmqtt_state(h) }, State::Online);
    let sent = [&b"one\r\nOK\r\n"[..], b"stop", b"after"];
    let burst: Vec<u8> = sent
        .iter()
        .flat_map(|p| wire(Fam::Luat, b"in/c", p))
        .collect();
    c_feed(h, &burst);
    let (got, statuses) = C.with_borrow(|c| (c.2.clone(), c.3.clone()));
    assert_eq!(got, sent);
    assert_eq!(statuses, [[Status::Ok, Status::Ok, Status::Busy]; 3]);
    (0..5).for_each(|_| c_answer(h));
    assert_eq!(unsafe { cellmqtt_state(h) }, State::Stopped);
    assert_eq!(unsafe { cellmqtt_queued(h) }, 3);
}

// ---- 6. What the module reports ----

/// The engine does not filter: a topic never subscribed is delivered. A Quectel QoS 2 delivery
/// (ids 7, 65535) and a SIMCom retained message before its `+CMQTTSUB` result are delivered
/// with nothing written for them (the module runs the handshake). Of the Quectel forms not
/// used (README: URC mode with the length field), the buffer-mode notice goes to `on_urc`
/// (src/dialect/quectel/decode.rs) and the length-off form is counted as corrupt.
#[test]
fn unsubscribed_topics_qos2_retained_and_unused_forms() {
    for &fam in fams() {
        let mut h = online(fam, Sizes::default());
        h.rx(&wire(fam, b"never/subscribed", b"x"));
        assert_eq!(h.take_events(), [msg(b"never/subscribed", b"x")], "{fam:?}");
        h.tx_nothing();
    }
    let mut h = online(Fam::Quectel, Sizes::default());
    h.rx(b"\r\n+QMTRECV: 0,7,\"q/2\",3,\"a,b\"\r\n\r\n+QMTRECV: 0,65535,\"q/2\",1,\"c\"\r\n");
    assert_eq!(h.take_events(), [msg(b"q/2", b"a,b"), msg(b"q/2", b"c")]);
    h.tx_nothing();
    h.rx(b"\r\n+QMTRECV: 0,1\r\n\r\n+QMTRECV: 0,0,\"q/2\",\"old\"\r\n");
    let notice = Ev::Urc(b"+QMTRECV: 0,1".to_vec());
    assert_eq!(h.take_events(), [notice, loss(LossKind::MessageCorrupt)]);
    let mut h = online(Fam::Simcom, Sizes::default());
    let id = h.engine.subscribe(b"r/#", 1).unwrap();
    common::simcom::subscribe(&mut h, b"r/#", 1);
    h.rx(&wire(Fam::Simcom, b"r/kept", b"retained"));
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    let want = [msg(b"r/kept", b"retained"), Ev::N(subscribed(id, false))];
    assert_eq!(h.take_events(), want);
}

/// Luat's cache mode (docs/luat-at.md §5.9, §5.10): the read-back `+MSUB` lines in each
/// documented topic form, payloads holding `\r\nOK\r\n`, are messages, and only the real
/// `OK` after them ends `AT+MQTTMSGGET`.
#[test]
fn luat_cache_read_back_in_every_form() {
    let mut c = common::config();
    c.options |= cellmqtt::Options::CACHE_MODE;
    let mut r = Rig::new(Fam::Luat, Harness::new(c));
    r.h.start();
    assert!(r.run(60_000, &mut same, &mut ignore, &Rig::idle));
    r.h.take_events();
    r.h.rx(b"\r\n+MSUB: 0\r\n\r\n+MSUB: 2\r\n");
    r.h.tx(b"AT+MQTTMSGGET\r");
    r.h.rx(b"\r\n+MSUB: a/1,10 byte,x\r\nOK\r\ny\r\n+MSUB:a/2,2 byte,OK\r\n");
    r.h.rx(b"+MSUB: \"a/3\",6 byte,\r\nOK\r\n\r\n");
    r.h.tx_nothing();
    r.h.rx(b"\r\nOK\r\n");
    let want = [
        msg(b"a/1", b"x\r\nOK\r\ny\r\n"),
        msg(b"a/2", b"OK"),
        msg(b"a/3", b"\r\nOK\r\n"),
    ];
    assert_eq!(r.h.take_events(), want);
    r.h.engine.publish(b"up", b"1", 0, false).unwrap();
    r.h.tx(b"AT+MPUB=\"up\",0,0,\"1\"\r");
}
