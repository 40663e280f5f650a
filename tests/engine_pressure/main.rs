//! Publish and receive pressure: the queue arena at its limits and an application publishing
//! faster than the link drains (also from inside callbacks); acknowledgements lost, late,
//! duplicated or replaced by a retransmission notice; refusals up to the limit across a
//! re-connect; the Quectel window of every size with results in any order; inbound messages
//! back to back at the line buffer's limit while a publish waits for its prompt; the RX ring
//! overflowing; the Luat message cache.
//!
//! The promises checked (README): each publish id gets exactly one completion notice, the
//! counters add up, order is kept where one publish is in flight, and nothing is lost
//! silently.
#[path = "../common/mod.rs"]
mod common;

use cellmqtt::{Event, LossKind, Notice, Options, Status};
use common::family::Fam;
use common::{config, Ev, Harness, Sizes};
use std::collections::{HashMap, VecDeque};

fn published(n: &[Notice]) -> Vec<u16> {
    let ids = n.iter().filter_map(|e| match e {
        Notice::Published { id } => Some(*id),
        _ => None,
    });
    ids.collect()
}

fn failed(n: &[Notice]) -> Vec<(u16, Status)> {
    let ids = n.iter().filter_map(|e| match e {
        Notice::PublishFailed { id, reason } => Some((*id, *reason)),
        _ => None,
    });
    ids.collect()
}

/// The total `count` of the `Loss` notices of `kind` among `n`.
fn losses(n: &[Notice], kind: LossKind) -> u32 {
    let counts = n.iter().map(|e| match e {
        Notice::Loss { kind: k, count } if *k == kind => *count,
        _ => 0,
    });
    counts.sum()
}

/// xorshift32, so every run is the same.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}

/// Online through the family's standard bring-up (tests/common), nothing subscribed, events
/// taken.
fn online_as(fam: Fam, sizes: Sizes) -> Harness {
    let mut h = Harness::with_sizes(fam.config(), sizes);
    fam.bring_online(&mut h);
    h.tx_nothing();
    h.take_events();
    h
}

/// The default buffer sizes, changed by `f`.
fn sizes(f: impl FnOnce(&mut Sizes)) -> Sizes {
    let mut s = Sizes::default();
    f(&mut s);
    s
}

/// Quectel online with this window and acknowledgement wait.
fn quectel_online(window: u8, ack_ms: u32) -> Harness {
    let mut c = common::quectel_config();
    c.publish_window = window;
    c.timeouts.ack_ms = ack_ms;
    let mut h = Harness::new(c);
    common::quectel_bring_online(&mut h);
    h.tx_nothing();
    h.take_events();
    h
}

/// One inbound message as each family frames it (docs/luat-at.md §5.9 direct mode;
/// docs/quectel-simcom-at.md §3.7 length form, §4.8 in 64-byte chunks).
fn inbound(fam: Fam, topic: &[u8], payload: &[u8]) -> Vec<u8> {
    let (t, n) = (String::from_utf8_lossy(topic), payload.len());
    match fam {
        Fam::Luat => {
            let head = format!("\r\n+MSUB: \"{t}\",{n} byte,");
            [head.as_bytes(), payload, b"\r\n"].concat()
        }
        Fam::Quectel => {
            let head = format!("\r\n+QMTRECV: 0,0,\"{t}\",{n},\"");
            [head.as_bytes(), payload, b"\"\r\n"].concat()
        }
        Fam::Simcom => common::simcom::rx_message(topic, payload, 64),
    }
}

const OK: &str = "\r\nOK\r\n";

/// The Luat connect after the preparation (docs/luat-at.md §5.13, §5.1-5.3).
const LUAT_CONNECT: [(&str, &str); 4] = [
    ("AT+MIPCLOSE\r", "\r\n+CME ERROR: 767\r\n"),
    ("AT+MCONFIG=\"dev-1\",\"\",\"\"\r", OK),
    (
        "AT+MIPSTART=\"broker.example\",1883\r",
        "\r\nOK\r\n\r\nCONNECT OK\r\n",
    ),
    ("AT+MCONNECT=1,120\r", "\r\nOK\r\n\r\nCONNACK OK\r\n"),
];

/// Answers each command of `steps` (ASCII) with its answer, in turn.
fn script(h: &mut Harness, steps: &[(&str, &str)]) {
    for (cmd, answer) in steps {
        h.tx(cmd.as_bytes());
        h.rx(answer.as_bytes());
    }
}

/// Sends the Quectel publish `id` (QoS 1, `m` on `q/w`) up to its `OK`.
fn q_send(h: &mut Harness, id: u16) {
    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/w\",1\r").as_bytes());
    h.rx(b"\r\n> ");
    h.tx(b"m");
    h.rx(b"\r\nOK\r\n");
}

/// `cellmqtt_poll`'s loop (src/ffi/mod.rs): one clock reading, events until `None`. While each
/// callback runs, `during` runs with its notice, if it is one (the application's calls, the
/// UART interrupt's bytes). Returns the messages delivered and the loop's iterations (`max`:
/// it never returned).
type During<'a> = &'a mut dyn FnMut(&mut Harness, Option<Notice>);

fn c_poll(h: &mut Harness, max: usize, during: During) -> (usize, usize) {
    let mut msgs = 0;
    for i in 0..max {
        let (_, mut reader) = h.ring.split();
        let notice = match h.engine.poll(h.now, &mut reader, &mut h.uart) {
            None => return (msgs, i),
            Some(Event::Message { .. }) => (msgs += 1, None).1,
            Some(Event::Notice(n)) => Some(n),
            Some(_) => None,
        };
        h.events.extend(notice.map(Ev::N));
        during(h, notice);
    }
    (msgs, max)
}

// ---- The queue arena ----

/// `queue_room()` is the truth: a record the size of the whole arena (10 bytes of header,
/// topic, payload) fits, one byte more never does; then through thousands of wraps of records
/// of random sizes (and of exactly the room, and one byte more), a publish is accepted exactly
/// when topic + payload fit in the room; the queue drains in order; `queued()` and the
/// high-water mark follow a model.
#[test]
fn queue_room_is_truthful_through_wraps_of_many_sizes() {
    const ARENA: usize = 131;
    let mut h = online_as(Fam::Luat, sizes(|s| s.queue = ARENA));
    let e = &mut h.engine;
    assert_eq!(e.queue_room(), ARENA - 10);
    let over = e.publish(b"t", &[b'x'; ARENA - 10], 0, false);
    assert_eq!(over, Err(Status::BufferTooSmall));
    let whole = e.publish(b"t", &[b'x'; ARENA - 11], 0, false).unwrap();
    assert_eq!(e.queue_room(), 0);
    assert_eq!(e.stats().queue_high_water as usize, ARENA);
    assert_eq!(e.publish(b"t", b"", 0, false), Err(Status::QueueFull));
    h.poll();
    h.forget_tx();
    h.rx(b"\r\nOK\r\n");
    assert_eq!(published(&h.notices()), [whole]);
    let (mut rng, mut seen) = (Rng(0x1234_5678), h.uart.written.len());
    let mut queued: VecDeque<(u16, usize)> = VecDeque::new();
    let (mut done, mut used, mut peak, mut refused) = (vec![], 0, ARENA, 0);
    for _ in 0..if cfg!(miri) { 200 } else { 5_000 } {
        let r = rng.next();
        if r % 3 != 0 {
            let room = h.engine.queue_room();
            let want = match r % 7 {
                0 => room,
                1 => room + 1,
                _ => (r as usize >> 8) % (ARENA - 9),
            };
            let payload = vec![b'p'; want.saturating_sub(1)];
            let size = 1 + payload.len();
            match h.engine.publish(b"t", &payload, 0, false) {
                Ok(id) => {
                    assert!(size <= room, "{size} accepted with {room} free");
                    queued.push_back((id, size));
                    used += size + 10;
                    peak = peak.max(used);
                }
                Err(e) => {
                    assert!(size > room, "{size} refused ({e:?}) with {room} free");
                    let never = usize::from(size + 10 > ARENA);
                    let why = [Status::QueueFull, Status::BufferTooSmall][never];
                    assert_eq!(e, why);
                    refused += 1;
                }
            }
        } else if let Some((id, size)) = queued.pop_front() {
            h.poll();
            let w = h.uart.written[seen..].to_vec();
            (seen, _) = (h.uart.written.len(), h.forget_tx());
            assert_eq!(&w[..17], b"AT+MPUB=\"t\",0,0,\"");
            assert_eq!(w.len(), 18 + size);
            h.rx(b"\r\nOK\r\n");
            used -= size + 10;
            done.push(id);
        }
        assert_eq!(h.engine.stats().queue_high_water as usize, peak);
        assert_eq!(h.engine.queued(), queued.len());
    }
    assert_eq!(published(&h.notices()), done);
    let sent = done.len();
    assert!(sent > 50 && refused > 50, "{sent} sent, {refused} refused");
}

/// What the application of `publishing_faster_than_the_link_drains` did, and its model of
/// the arena.
#[derive(Default)]
struct App {
    accepted: Vec<u16>,
    refused: u32,
    attempts: u32,
    sizes: VecDeque<usize>,
    used: usize,
    peak: usize,
}

impl App {
    fn publish(&mut self, h: &mut Harness, n: usize) {
        self.attempts += 1;
        let payload = vec![b'0' + (n % 10) as u8; 20 + n % 40];
        match h.engine.publish(b"dev/up", &payload, 1, false) {
            Ok(id) => {
                self.accepted.push(id);
                self.sizes.push_back(16 + payload.len());
                self.used += 16 + payload.len();
                self.peak = self.peak.max(self.used);
            }
            Err(e) => {
                assert_eq!(e, Status::QueueFull);
                self.refused += 1;
            }
        }
    }
}

/// Three messages every 100 ms, and one more from inside each `Published` callback, into a
/// 300-byte arena; the module takes 250 ms per QoS 1 round trip. Every message accepted
/// completes once, in order; every refusal is counted and reported; the high-water mark is
/// the arena's real peak.
#[test]
fn publishing_faster_than_the_link_drains() {
    let mut h = online_as(Fam::Luat, sizes(|s| s.queue = 300));
    let (mut app, mut seen) = (App::default(), h.uart.written.len());
    let mut owed: Option<u32> = None;
    for t in (0..if cfg!(miri) { 3_000 } else { 60_000 }).step_by(50) {
        if t % 100 == 0 {
            (0..3).for_each(|k| app.publish(&mut h, t as usize + k));
        }
        c_poll(&mut h, 1_000, &mut |h, n| {
            if let Some(Notice::Published { .. }) = n {
                app.used -= app.sizes.pop_front().unwrap();
                app.publish(h, t as usize + 7);
            }
        });
        if h.uart.written.len() > seen {
            let w = String::from_utf8_lossy(&h.uart.written[seen..]);
            assert!(w.starts_with("AT+MPUB=\"dev/up\",1,0,\""), "{w}");
            seen = h.uart.written.len();
            owed = Some(t + 250);
        }
        if owed.is_some_and(|at| at <= t) {
            owed = None;
            h.ring.push(b"\r\nOK\r\n\r\nPUBACK\r\n");
        }
        h.now += 50;
    }
    h.poll();
    let n = h.notices();
    let (done, loss) = (published(&n), losses(&n, LossKind::PublishRejected));
    let (refused, queued) = (app.refused, app.accepted.len() as u32);
    assert_eq!(done, app.accepted[..done.len()], "completed in order, once");
    let n = done.len() as u32;
    assert!(n >= 5 && refused >= 5, "{n} done, {refused} refused");
    let s = h.engine.stats();
    assert_eq!([s.publishes_queued, s.publishes_done], [queued, n]);
    let refusals = [s.publishes_rejected, s.publishes_queue_full, loss];
    assert_eq!(refusals, [refused; 3]);
    assert_eq!(queued + refused, app.attempts);
    assert_eq!(s.queue_high_water as usize, app.peak);
    assert_eq!(h.engine.queued(), app.accepted.len() - done.len());
}

/// README: from a callback the application may call `publish`. One that tries to flush its
/// backlog after every event, while the queue is full, must not keep `cellmqtt_poll` from
/// returning (or from the work: the `PUBACK` that frees the queue, the next `AT+MPUB`), and
/// no notice may be dropped.
#[test]
fn refusals_from_callbacks_do_not_starve_the_engine() {
    let mut h = online_as(Fam::Luat, sizes(|s| s.queue = 64));
    let first = h.engine.publish(b"t", &[b'x'; 50], 1, false).unwrap();
    h.tx(&[&b"AT+MPUB=\"t\",1,0,\""[..], &[b'x'; 50], b"\"\r"].concat());
    h.ring.push(b"\r\nOK\r\n\r\nPUBACK\r\n");
    let mut accepted = vec![];
    let (_, iterations) = c_poll(&mut h, 10_000, &mut |h, _| {
        while let Ok(id) = h.engine.publish(b"t", &[b'y'; 50], 1, false) {
            accepted.push(id);
        }
    });
    assert!(iterations < 10_000, "cellmqtt_poll never returned");
    assert_eq!(published(&h.notices()), [first]);
    assert_eq!(h.engine.stats().events_dropped, 0);
    h.tx(&[&b"AT+MPUB=\"t\",1,0,\""[..], &[b'y'; 50], b"\"\r"].concat());
}

// ---- Acknowledgements lost, late, duplicated ----

/// QoS 2 on Luat: `OK`, `PUBREC`, `PUBCOMP` (docs/luat-at.md §5.6). The `PUBREC` line is lost
/// (a UART glitch, an overflow): `PUBCOMP` still ends the exchange, as it does when it comes
/// before the `OK`; sending the message again would deliver a QoS 2 message twice.
#[test]
fn qos2_pubcomp_without_its_pubrec_completes_the_publish() {
    let mut h = online_as(Fam::Luat, Sizes::default());
    let id = h.engine.publish(b"t", b"x", 2, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",2,0,\"x\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBCOMP\r\n");
    assert_eq!(published(&h.notices()), [id]);
    assert_eq!(h.engine.stats().unexpected_acks, 0);
    h.advance(20_000);
    h.tx_nothing();
}

/// A QoS 1 acknowledgement comes just after its deadline, while the engine asks whether the
/// link is up (a congested broker; Quectel: a module retransmitting for pkt_timeout x
/// (retry + 1), docs/quectel-simcom-at.md §3.12), three times over, with the message id where
/// the family reports one. The broker took the message: it must not end `PublishFailed`.
#[test]
fn an_acknowledgement_during_the_link_check_completes_the_publish() {
    for fam in [Fam::Luat, Fam::Quectel, Fam::Simcom] {
        let mut h = online_as(fam, Sizes::default());
        let id = h.engine.publish(b"t", b"m", 1, false).unwrap();
        // The state query, its answer "connected", the acknowledgement.
        let q_ack = format!("+QMTPUBEX: 0,{id},0");
        let (check, up, ack) = match fam {
            Fam::Luat => ("AT+MQTTSTATU\r", "+MQTTSTATU :1", "PUBACK"),
            Fam::Quectel => ("AT+QMTCONN?\r", "+QMTCONN: 0,3", &q_ack[..]),
            Fam::Simcom => ("AT+CMQTTDISC?\r", "+CMQTTDISC: 0,0", "+CMQTTPUB: 0,0"),
        };
        let mut n = vec![];
        for _ in 0..3 {
            match fam {
                Fam::Luat => h.tx(b"AT+MPUB=\"t\",1,0,\"m\"\r"),
                Fam::Quectel => {
                    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"t\",1\r").as_bytes());
                    h.rx(b"\r\n> ");
                    h.tx(b"m");
                }
                Fam::Simcom => common::simcom::publish(&mut h, b"t", b"m", 1, false),
            }
            h.rx(b"\r\nOK\r\n");
            h.advance(20_000);
            h.tx(check.as_bytes());
            h.rx(format!("\r\n{ack}\r\n\r\n{up}\r\n\r\nOK\r\n").as_bytes());
            n.extend(h.notices());
            if h.engine.queued() == 0 {
                break;
            }
        }
        assert_eq!((published(&n), failed(&n)), (vec![id], vec![]), "{fam:?}");
    }
}

/// Refused three times while the link is up (each: `AT+MPUB` `+CME ERROR`, the one `AT+MPUBEX`
/// retry `ERROR`, the state query says connected), with a lost link between the second and
/// third (no refusal): one `PublishFailed`, the next publish goes, and every counter matches
/// what went over the wire.
#[test]
fn refused_three_times_across_a_reconnect_fails_once_and_counts_add_up() {
    let mut h = online_as(Fam::Luat, Sizes::default());
    let a = h.engine.publish(b"t", b"a", 1, false).unwrap();
    let b = h.engine.publish(b"t", b"b", 2, false).unwrap();
    for round in 0..3 {
        h.tx(b"AT+MPUB=\"t\",1,0,\"a\"\r");
        h.rx(b"\r\n+CME ERROR: 3\r\n");
        h.tx(b"AT+MPUBEX=\"t\",1,0,1\r");
        h.rx(b"\r\nERROR\r\n");
        h.tx(b"AT+MQTTSTATU\r");
        h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
        if round == 1 {
            h.tx(b"AT+MPUB=\"t\",1,0,\"a\"\r");
            h.rx(b"\r\nCLOSED\r\n\r\nERROR\r\n");
            h.advance(1_000);
            script(&mut h, &LUAT_CONNECT);
        }
    }
    let n = h.notices();
    assert_eq!(failed(&n), [(a, Status::ModuleError)]);
    assert!(published(&n).is_empty());
    h.tx(b"AT+MPUB=\"t\",2,0,\"b\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBREC\r\n\r\nPUBCOMP\r\n\r\nPUBCOMP\r\n");
    assert_eq!(published(&h.notices()), [b]);
    let s = h.engine.stats();
    // a went 7 times: 3 x (MPUB, MPUBEX) and the MPUB the lost link cut; the duplicate
    // PUBCOMP completes nothing.
    let publishes = [s.publishes_queued, s.publishes_done, s.publishes_failed];
    assert_eq!(publishes, [2, 1, 1]);
    let resends = [s.publish_retries, s.mpub_fallbacks, s.command_errors];
    assert_eq!(resends, [6, 3, 7]);
    assert_eq!([s.unexpected_acks, s.links_lost, s.connects], [1, 1, 2]);
    assert_eq!(h.engine.queued(), 0);
}

// ---- The Quectel window: window.rs ----

mod window;

// ---- Receive pressure ----

/// What the engine writes next and what the module answers.
type Step<'a> = (&'a [u8], &'a str);

/// Inbound messages back to back in one UART read, while a publish waits for its data prompt:
/// the largest that fits the line buffer (topic + payload = its size), one byte larger (lost,
/// counted once), a small one and the largest again, payloads of every byte value. Each
/// family; nothing else is lost and the publish completes.
#[test]
fn messages_at_the_line_buffer_limit_while_a_publish_waits_for_its_prompt() {
    const LINE: usize = 200;
    let data = [0u8, b'>', 0xff];
    for fam in [Fam::Luat, Fam::Quectel, Fam::Simcom] {
        let mut h = online_as(fam, sizes(|s| (s.line, s.rx) = (LINE, 8192)));
        let id = h.engine.publish(b"p", &data, 1, false).unwrap();
        // The command that awaits the prompt, the prompt, then what goes after it (the
        // wire, the module's answer) up to the publish's result.
        let done = format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n");
        let (header, prompt, rest): (String, &[u8], Vec<Step>) = match fam {
            Fam::Luat => {
                let rest = vec![(&data[..], "\r\nOK\r\n\r\nPUBACK\r\n")];
                ("AT+MPUBEX=\"p\",1,0,3\r".into(), b"\r\n>", rest)
            }
            Fam::Quectel => {
                let rest = vec![(&data[..], &done[..])];
                (format!("AT+QMTPUBEX=0,{id},1,0,\"p\",3\r"), b"\r\n> ", rest)
            }
            Fam::Simcom => {
                let rest = vec![
                    (&b"p"[..], "\r\nOK\r\n"),
                    (b"AT+CMQTTPAYLOAD=0,3\r", "\r\n>"),
                    (&data, "\r\nOK\r\n"),
                    (b"AT+CMQTTPUB=0,1,60\r", "\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n"),
                ];
                ("AT+CMQTTTOPIC=0,1\r".into(), b"\r\n>", rest)
            }
        };
        h.tx(header.as_bytes());
        let body = |n: usize, salt: u8| (0..n).map(|i| (i * 7) as u8 ^ salt).collect::<Vec<_>>();
        let topic = b"r/x";
        let (fits, over, small) = (body(LINE - 3, 1), body(LINE - 2, 2), body(5, 3));
        let parts = [&fits, &over, &small, &fits].map(|p| inbound(fam, topic, p));
        h.rx(&[parts.concat(), prompt.to_vec()].concat());
        for (wire, answer) in rest {
            h.tx(wire);
            h.rx(answer.as_bytes());
        }
        let ev = h.take_events();
        let msgs: Vec<_> = ev.iter().filter(|e| matches!(e, Ev::Msg(..))).collect();
        let want = [&fits, &small, &fits].map(|p| Ev::Msg(topic.to_vec(), p.clone()));
        assert_eq!(msgs, want.iter().collect::<Vec<_>>(), "{fam:?}");
        let n: Vec<_> = ev.iter().filter(|e| matches!(e, Ev::N(_))).collect();
        let lost = Ev::N(Notice::Loss {
            kind: LossKind::MessageTooLarge,
            count: 1,
        });
        assert_eq!(n, [&lost, &Ev::N(Notice::Published { id })], "{fam:?}");
        let s = h.engine.stats();
        let counts = [s.messages_too_large, s.messages_received];
        assert_eq!(counts, [1, 3], "{fam:?}");
        assert_eq!([s.messages_corrupt, s.lines_too_long], [0, 0], "{fam:?}");
    }
}

/// The RX ring (64 bytes) overflows once while the application is busy; then the module goes
/// on talking (30 messages back to back) at one byte per callback the application runs, far
/// slower than the engine reads. The overflow's report must not keep the engine from reading
/// the ring, or every byte after it is dropped: only the message the overflow cut is lost,
/// with the bytes that did not fit and those that came before the reader reached the gap
/// (the ring takes nothing until then; they are that message's rest).
#[test]
fn an_overflow_report_does_not_stop_the_ring_being_read() {
    let mut h = online_as(Fam::Luat, sizes(|s| s.rx = 64));
    let count = 30;
    let mut stream: VecDeque<u8> = inbound(Fam::Luat, b"a", b"hello").repeat(count).into();
    let first: Vec<u8> = stream.drain(..65).collect();
    assert_eq!(h.ring.push(&first), 64);
    let (mut msgs, mut longest) = (0, 0);
    // The main loop: `cellmqtt_poll` (a byte arrives during each callback), then one more
    // byte while it sleeps.
    while !stream.is_empty() || !h.ring.is_empty() {
        let feed = |s: &mut VecDeque<u8>, h: &mut Harness| s.pop_front().map(|b| h.ring.push(&[b]));
        let (m, iterations) = c_poll(&mut h, 10_000, &mut |h, _| _ = feed(&mut stream, h));
        (msgs, longest) = (msgs + m, longest.max(iterations));
        feed(&mut stream, &mut h);
    }
    assert!(longest < 100, "one cellmqtt_poll ran {longest} iterations");
    let dropped = h.engine.stats().rx_overflow_bytes as usize;
    let one = inbound(Fam::Luat, b"a", b"hello").len();
    assert!(dropped < one, "{dropped} bytes dropped");
    assert_eq!(msgs, count - 1, "{msgs} of {count} messages delivered");
    assert_eq!(h.engine.stats().messages_corrupt, 1);
}

/// Cache mode (docs/luat-at.md §5.9, §5.10): `+MSUB: <slot>` announces a message kept in the
/// module's RAM. Two are announced while a publish is in flight, then the module reboots
/// (`RDY`): they are gone, unread. README: nothing is lost silently; the loss is reported.
#[test]
fn cache_slots_announced_then_lost_by_a_reboot_are_counted() {
    let mut c = config();
    c.options |= Options::CACHE_MODE;
    let mut h = Harness::new(c);
    h.start();
    script(&mut h, &[("AT\r", OK), ("ATE0\r", OK)]);
    script(&mut h, &[("AT+CPIN?\r", "\r\n+CPIN: READY\r\n\r\nOK\r\n")]);
    common::identify(&mut h);
    script(&mut h, &[("AT+CGATT?\r", "\r\n+CGATT: 1\r\n\r\nOK\r\n")]);
    script(
        &mut h,
        &[("AT+MQTTMSGSET=1\r", OK), ("AT+MQTTMODE=0\r", OK)],
    );
    script(&mut h, &LUAT_CONNECT);
    h.take_events();
    h.engine.publish(b"up", b"1", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"up\",0,0,\"1\"\r");
    h.rx(b"\r\n+MSUB: 0\r\n\r\n+MSUB: 1\r\n");
    h.rx(b"\r\nRDY\r\n");
    let n = h.notices();
    assert_eq!(losses(&n, LossKind::CacheReadFailed), 2, "{n:?}");
}
