//! The engine, the scripted module of each family and the model, stepped together and
//! compared after every step.
use super::common::family::{Fam, Held, CLIENT, LINK, MQTT};
use super::common::script::{arg, lines, Unit};
use super::common::{Ev, Harness, Sizes};
use super::model::*;
use cellmqtt::{LossKind, Notice, RecoveryStep, State, Status};
use std::collections::BTreeMap;

impl Run {
    pub fn new(fam: Fam, seed: u64, cap: usize, sub_cap: usize, window: u8) -> Run {
        let mut c = fam.config();
        c.publish_window = window;
        let sizes = Sizes {
            queue: cap,
            subs: sub_cap,
            ..Sizes::default()
        };
        let h = Harness::with_sizes(c, sizes);
        let no_pubex = fam == Fam::Quectel && seed % 2 == 0;
        let s = Side {
            no_pubex,
            ..Side::default()
        };
        let rng = Rng::seeded(seed);
        let m = Model::default();
        Run {
            h,
            fam,
            window,
            cap,
            sub_cap,
            rng,
            s,
            m,
        }
    }

    pub fn note(&mut self, what: String) {
        self.m.trail.note(self.h.now, what);
    }

    pub fn why(&self) -> String {
        format!("{:?}/{} t={}", self.fam, self.window, self.h.now)
    }

    // ---- The module ----

    /// Takes what the engine wrote and feeds back the module's answers.
    pub fn exchange(&mut self) -> bool {
        self.s.output.pull(&mut self.h.uart.written);
        self.h.forget_tx();
        let mut out = vec![];
        let data_len = |s: &Side| match (&s.data, &s.held.data) {
            (Some((n, _)), _) | (None, Some((n, _))) => Some(*n),
            _ => None,
        };
        loop {
            let awaited = data_len(&self.s);
            let Some(unit) = self.s.output.next(awaited) else {
                break;
            };
            match unit {
                Unit::Data(bytes) => {
                    out.extend(match self.s.data.take() {
                        Some((_, what)) => self.data_arrived(what, bytes),
                        None => self.s.held.data_arrived(&self.s.last_cmd, bytes),
                    });
                }
                Unit::Line(line) => {
                    let cmd = &line[..line.len() - 1];
                    // Where the line started in the output: the tags written by then.
                    let start = self.s.output.taken - line.len() as u64;
                    while self.s.tags.front().is_some_and(|t| t.0 <= start) {
                        self.s.tags.pop_front();
                    }
                    self.s.cmd_seq = self.s.tags.front().map_or(self.s.api, |t| t.1);
                    self.s.last_cmd = cmd.to_vec();
                    self.note(format!("> {}", text(cmd)));
                    if !self.s.held.echo_off {
                        out.extend_from_slice(&line);
                    }
                    out.extend(self.command(cmd));
                }
            }
            self.sync_bits();
        }
        if out.is_empty() {
            return false;
        }
        self.note(format!("< {}", text(&out)));
        self.h.rx(&out);
        self.absorb();
        true
    }

    /// A session up is a new connection; a session gone takes its subscriptions and the
    /// acknowledgements kept back with it.
    pub fn sync_bits(&mut self) {
        let up = self.s.held.bits & MQTT != 0;
        if up && !self.s.up {
            self.s.conn += 1;
            for s in self.m.subs.iter_mut() {
                s.restore_due = s.st == SubSt::Active;
            }
        }
        if !up {
            (self.s.subs, self.s.held_acks) = Default::default();
        }
        self.s.up = up;
    }

    pub fn prompt(&mut self, len: usize, data: Option<Pub>, p: &str) -> Vec<u8> {
        self.s.data = Some((len, data));
        format!("\r\n{p}").into_bytes()
    }

    pub fn command(&mut self, cmd: &[u8]) -> Vec<u8> {
        let (fam, bits) = (self.fam, self.s.held.bits);
        let (mqtt, client) = (bits & MQTT != 0, bits & CLIENT != 0);
        let is = |p: &str| cmd.starts_with(p.as_bytes());
        let num = |n: usize| arg(cmd, n).parse::<usize>().unwrap();
        let (q, s) = (|n: usize| num(n) as u8, |n: usize| arg(cmd, n).into_bytes());
        match fam {
            Fam::Luat if mqtt && is("AT+MPUB=") => {
                // AT+MPUB="<topic>",<qos>,<retain>,"<payload, \XX escaped>"
                let body = &cmd[9..cmd.len() - 1];
                let t = body.iter().position(|&b| b == b'"').unwrap();
                let mut p = wire(None, body[t + 2] - b'0', body[t + 4] == b'1', &body[..t]);
                p.payload = Some(unescape(&body[t + 7..]));
                self.publish_seen(p, true)
            }
            Fam::Luat if mqtt && is("AT+MPUBEX=") => {
                self.header(wire(None, q(1), num(2) == 1, &s(0)), num(3))
            }
            Fam::Luat if mqtt && is("AT+MSUB=") => self.sub_seen(&s(0), q(1), "OK|SUBACK"),
            Fam::Luat if mqtt && is("AT+MUNSUB=") => self.unsub_seen(&s(0), "OK|UNSUBACK"),
            Fam::Quectel if mqtt && self.s.no_pubex && is("AT+QMTPUBEX=") => lines("ERROR"),
            Fam::Quectel if mqtt && is("AT+QMTPUB") => {
                let id = Some(num(1) as u16);
                self.header(wire(id, q(2), num(3) == 1, &s(4)), num(5))
            }
            Fam::Quectel if mqtt && is("AT+QMTSUB=") => {
                let ack = format!("OK|+QMTSUB: 0,{},0,{}", num(1), num(3));
                self.sub_seen(&s(2), q(3), &ack)
            }
            Fam::Quectel if mqtt && is("AT+QMTUNS=") => {
                let ack = format!("OK|+QMTUNS: 0,{},0", num(1));
                self.unsub_seen(&s(2), &ack)
            }
            Fam::Simcom if client && (is("AT+CMQTTTOPIC=") || is("AT+CMQTTPAYLOAD=")) => {
                self.prompt(num(1), None, ">")
            }
            Fam::Simcom if mqtt && is("AT+CMQTTPUB=") => {
                // The module clears topic and payload after each publish (§4.7).
                let topic = self.s.sim_topic.take().unwrap_or_default();
                let mut p = wire(None, q(1), arg(cmd, 3) == "1", &topic);
                p.payload = Some(self.s.sim_payload.take().unwrap_or_default());
                self.publish_seen(p, true)
            }
            Fam::Simcom if mqtt && (is("AT+CMQTTSUB=") || is("AT+CMQTTUNSUB=")) => {
                self.prompt(num(1), None, ">")
            }
            _ => self.s.held.answer(fam, cmd),
        }
    }

    /// A publish header (Luat `AT+MPUBEX`, Quectel): refused, or the data prompt.
    pub fn header(&mut self, p: Pub, len: usize) -> Vec<u8> {
        let p = Pub { len, ..p };
        match self.refused(&p) {
            true => lines("ERROR"),
            false => self.prompt(len, Some(p), "> "),
        }
    }

    pub fn data_arrived(&mut self, p: Option<Pub>, bytes: Vec<u8>) -> Vec<u8> {
        if let Some(p) = p {
            return self.publish_seen(
                Pub {
                    payload: Some(bytes),
                    ..p
                },
                false,
            );
        }
        let c = self.s.last_cmd.clone();
        match &c[8..c.len().min(13)] {
            b"TOPIC" => self.s.sim_topic = Some(bytes),
            b"PAYLO" => self.s.sim_payload = Some(bytes),
            b"SUB=0" => {
                return self.sub_seen(&bytes, arg(&c, 2).parse().unwrap(), "OK|+CMQTTSUB: 0,0")
            }
            _ => return self.unsub_seen(&bytes, "OK|+CMQTTUNSUB: 0,0"),
        }
        lines("OK")
    }

    /// A publish command the module refuses (`ERROR`) while `refuse` lasts.
    pub fn refused(&mut self, p: &Pub) -> bool {
        if self.fam != Fam::Quectel {
            self.s.held_acks.clear(); // a new publish: an acknowledgement kept back is lost
        }
        if self.s.refuse == 0 {
            return false;
        }
        self.s.refuse -= 1;
        let i = self.attribute(p);
        self.m.recs[i].trouble += 1;
        true
    }

    /// A publish the module took whole: confirmed now, or its acknowledgement kept back.
    pub fn publish_seen(&mut self, mut p: Pub, may_refuse: bool) -> Vec<u8> {
        p.len = p.payload.as_ref().map_or(0, Vec::len);
        if may_refuse && self.refused(&p) {
            return lines("ERROR");
        }
        let i = self.attribute(&p);
        let (id, qos) = (self.m.recs[i].id, p.qos);
        let ex = ["", "EX"][usize::from(self.s.last_cmd.starts_with(b"AT+QMTPUBEX"))];
        let ack = match self.fam {
            Fam::Luat if qos == 0 => String::new(),
            Fam::Luat if qos == 1 => "|PUBACK".into(),
            Fam::Luat => "|PUBREC|PUBCOMP".into(),
            Fam::Quectel => format!("|+QMTPUB{ex}: 0,{},0", p.msgid.unwrap()),
            Fam::Simcom => "|+CMQTTPUB: 0,0".into(),
        };
        self.s.wire.push(p);
        let r = &mut self.m.recs[i];
        if !self.s.hold || ack.is_empty() || self.fam == Fam::Quectel && qos == 0 {
            r.acked = true;
            return lines(&format!("OK{ack}"));
        }
        // A QoS 0 publish the module took (`OK`) is done if the link goes before its SIMCom
        // result: sent again it would be a duplicate (src/engine/session.rs, `settle_stale`).
        (r.acked, r.trouble) = (r.acked || qos == 0, r.trouble + 1);
        self.s.held_acks.push((lines(&ack[1..]), id));
        lines("OK")
    }

    /// The queued publish a wire publish is: the oldest pending one where one is in flight at
    /// a time; else the oldest never sent, or one sent before (a retry). Byte for byte.
    pub fn attribute(&mut self, w: &Pub) -> usize {
        let fits = |r: &MRec| {
            let msgid = Some(if r.p.qos == 0 { 0 } else { r.id });
            let head = (r.p.qos, r.p.retain, &r.p.topic, r.p.len);
            !r.done
                && head == (w.qos, w.retain, &w.topic, w.len)
                && w.payload
                    .as_ref()
                    .is_none_or(|p| Some(p) == r.p.payload.as_ref())
                && w.msgid.is_none_or(|_| w.msgid == msgid)
        };
        let recs = &self.m.recs;
        let mut pending = (0..recs.len()).filter(|&i| !recs[i].done);
        let unsent = pending.clone().find(|&i| !recs[i].sent);
        let pick = match self.window {
            0 | 1 => pending.next(),
            _ if unsent.is_some_and(|i| fits(&recs[i])) => unsent,
            _ => pending.find(|&i| recs[i].sent && fits(&recs[i])),
        };
        let Some(i) = pick.filter(|&i| fits(&recs[i])) else {
            let was = pick.map(|i| &recs[i]);
            panic!("{}: {w:?} is not {was:?}", self.why());
        };
        self.m.recs[i].sent = true;
        i
    }

    pub fn sub_seen(&mut self, filter: &[u8], qos: u8, answer: &str) -> Vec<u8> {
        let (why, f) = (self.why(), text(filter));
        let known = self.m.subs.iter().any(|s| s.filter == filter);
        assert!(known, "{why}: {f} not in the table");
        let (conn, asked) = (self.s.conn, self.s.asked.get(filter));
        if let Some(&(c, written)) = self.s.sub_sent.get(filter) {
            let again = asked.is_some_and(|&k| k > written);
            assert!(c != conn || again, "{why}: {f} twice on one connection");
        }
        let sent = (conn, self.s.cmd_seq);
        self.s.sub_sent.insert(filter.to_vec(), sent);
        self.s.subs.insert(filter.to_vec(), qos);
        lines(answer)
    }

    pub fn unsub_seen(&mut self, filter: &[u8], answer: &str) -> Vec<u8> {
        let known = self.m.subs.iter().any(|s| s.filter == filter);
        assert!(known, "{}: {} not in the table", self.why(), text(filter));
        self.s.subs.remove(filter);
        lines(answer)
    }

    /// Kept acknowledgements come now (some, all, or those of publish `only`). Where results
    /// name no publish (Luat, SIMCom) they come once the module answered all it got: one that
    /// comes once the command that publishes is out, before its `OK`, cannot be told from
    /// that command's own (README, Known limits: one in flight); one that comes while an
    /// earlier part of the next publish is out:
    /// `a_late_result_of_a_given_up_publish_does_not_confirm_the_next`.
    pub fn release(&mut self, all: bool, only: Option<u16>) {
        if self.fam != Fam::Quectel && only.is_none() {
            while self.exchange() {}
        }
        let acks = &mut self.s.held_acks;
        acks.sort_by_key(|a| only.is_some_and(|id| a.1 != id));
        let n = match only {
            Some(id) => acks.iter().filter(|a| a.1 == id).count(),
            None if all => acks.len(),
            None => self.rng.below(acks.len() + 1),
        };
        for _ in 0..n {
            let k = match only {
                Some(_) => 0,
                None => self.rng.below(self.s.held_acks.len()),
            };
            let (bytes, id) = self.s.held_acks.remove(k);
            self.note(format!("< kept {}", text(&bytes)));
            let rec = self.m.recs.iter_mut().find(|r| r.id == id && !r.done);
            if let Some(r) = rec {
                r.acked = true;
            }
            self.h.rx(&bytes);
        }
        self.absorb();
    }

    /// The broker drops the link: the family's link-lost line.
    pub fn drop_link(&mut self) {
        let (urc, lost): (&[u8], u8) = match self.fam {
            Fam::Luat => (b"\r\nCLOSED\r\n", LINK | MQTT),
            Fam::Quectel => (b"\r\n+QMTSTAT: 0,1\r\n", LINK | MQTT),
            Fam::Simcom => (b"\r\n+CMQTTCONNLOST: 0,1\r\n", MQTT),
        };
        if self.s.held.bits & MQTT != 0 {
            self.note("link lost".into());
            self.s.held.bits &= !lost;
            (self.s.sim_topic, self.s.sim_payload) = (None, None);
            self.sync_bits();
            self.h.rx(urc);
            self.absorb();
        }
    }

    /// The module reboots between two exchanges: what the engine wrote is lost.
    pub fn reboot(&mut self) {
        self.note("reboot".into());
        self.s.held = Held::default();
        (self.s.data, self.s.sim_topic, self.s.sim_payload) = (None, None, None);
        self.s.output.lose_unread(&mut self.h.uart.written);
        self.h.forget_tx();
        self.sync_bits();
        self.h.rx(self.fam.boot_output());
        self.absorb();
    }

    // ---- The application and the model ----

    /// The id the engine must give next: after the last, never 0, none a record holds.
    pub fn took_id(&mut self, id: u16) {
        let m = &self.m;
        let held = |w| m.recs.iter().any(|r| r.id == w) || m.subs.iter().any(|s| s.id == w);
        let mut want = m.last_id.wrapping_add(1).max(1);
        while held(want) {
            want = want.wrapping_add(1).max(1);
        }
        assert_eq!(id, want, "{}: id", self.why());
        self.m.last_id = id;
    }

    /// Where a record of `size` bytes goes in the model's FIFO arena.
    pub fn slot(&self, size: usize) -> Option<usize> {
        let (Some(first), Some(last)) = (self.m.recs.first(), self.m.recs.last()) else {
            return (size <= self.cap).then_some(0);
        };
        let (head, tail) = (first.off, last.off + last.size);
        match tail > head {
            true if self.cap - tail >= size => Some(tail),
            true => (head >= size).then_some(0),
            false => (head - tail >= size).then_some(tail),
        }
    }

    /// Topic + payload bytes the largest record that fits now may have.
    pub fn room(&self) -> usize {
        let ends = self.m.recs.first().zip(self.m.recs.last());
        let free = match ends.map(|(f, l)| (f.off, l.off + l.size)) {
            Some((head, tail)) if tail > head => (self.cap - tail).max(head),
            Some((head, tail)) => head - tail,
            None => self.cap,
        };
        free.saturating_sub(PUB_COST)
    }

    pub fn publish(&mut self, t: &[u8], p: &[u8], qos: u8, retain: bool) -> Result<u16, Status> {
        let size = PUB_COST + t.len() + p.len();
        let expect = match () {
            // README: Quectel payloads are 1-4096 bytes, an empty one is PAYLOAD_TOO_LONG.
            _ if self.fam == Fam::Quectel && p.is_empty() => Err(Status::PayloadTooLong),
            _ if size > self.cap => Err(Status::BufferTooSmall),
            _ => self.slot(size).ok_or(Status::QueueFull),
        };
        let e = &mut self.h.engine;
        let before = (e.queue_room(), e.queued());
        let got = e.publish(t, p, qos, retain);
        let after = (e.queue_room(), e.queued());
        self.note(format!("publish {} {}B q{qos}: {got:?}", text(t), p.len()));
        let (why, fits) = (self.why(), size - PUB_COST <= before.0);
        match (expect, got) {
            (Ok(off), Ok(id)) => {
                assert!(fits, "{why}: accepted beyond queue_room");
                self.took_id(id);
                self.m.accepted.push(id);
                let mut w = wire(None, qos, retain, t);
                (w.payload, w.len) = (Some(p.to_vec()), p.len());
                self.m.recs.push(MRec {
                    id,
                    p: w,
                    off,
                    size,
                    ..MRec::default()
                });
            }
            (Err(e), Err(g)) if e == g => {
                assert!(e != Status::QueueFull || !fits, "{why}: room was there");
                assert_eq!(after, before, "{why}: a refused publish left a trace");
                self.m.rejected += 1;
                self.m.queue_full += u32::from(e == Status::QueueFull);
            }
            (e, g) => panic!("{why}: publish of {size} bytes: expected {e:?}, got {g:?}"),
        }
        self.h.poll();
        self.absorb();
        got
    }

    /// A filter's request is replaced by `id` (`st`): the old one may still get the one
    /// notice it had not had (its command was out).
    pub fn replace(&mut self, i: usize, id: u16, st: SubSt) {
        let s = &mut self.m.subs[i];
        let had = s.st == SubSt::Active && !s.restore_due;
        let old = (s.st != SubSt::Unsubscribing, had);
        self.m.replaced.insert(s.id, old);
        (s.id, s.st, s.restore_due) = (id, st, false);
    }

    pub fn subscribe(&mut self, filter: &[u8], qos: u8) -> Result<u16, Status> {
        let used: usize = self.m.subs.iter().map(|s| SUB_COST + s.filter.len()).sum();
        let fits = used + SUB_COST + filter.len() <= self.sub_cap;
        let at = self.m.subs.iter().position(|s| s.filter == filter);
        self.s.api += 1;
        let got = self.h.engine.subscribe(filter, qos);
        self.note(format!("subscribe {} q{qos}: {got:?}", text(filter)));
        match (at, got) {
            // A request not sent yet, taken over: the same id, one notice for both calls.
            (Some(i), Ok(id)) if id == self.m.subs[i].id => {
                let why = self.why();
                let s = &mut self.m.subs[i];
                assert_ne!(s.st, SubSt::Active, "{why}: {id} had its notice");
                (s.st, s.qos) = (SubSt::Subscribing, qos);
            }
            (Some(i), Ok(id)) => {
                self.took_id(id);
                self.replace(i, id, SubSt::Subscribing);
                self.m.subs[i].qos = qos;
            }
            (None, Ok(id)) if fits => {
                self.took_id(id);
                let filter = filter.to_vec();
                self.m.subs.push(MSub {
                    filter,
                    qos,
                    id,
                    ..MSub::default()
                });
            }
            (None, Err(Status::SubscriptionsFull)) if !fits => {}
            (_, g) => panic!("{}: subscribe {filter:?}: {g:?}", self.why()),
        }
        if got.is_ok() {
            self.s.asked.insert(filter.to_vec(), self.s.api);
        }
        self.h.poll();
        self.absorb();
        got
    }

    pub fn unsubscribe(&mut self, filter: &[u8]) -> Result<u16, Status> {
        let at = self.m.subs.iter().position(|s| s.filter == filter);
        let got = self.h.engine.unsubscribe(filter);
        self.note(format!("unsubscribe {}: {got:?}", text(filter)));
        match (at, got) {
            (Some(i), Ok(id)) if id == self.m.subs[i].id => {
                let why = self.why();
                let s = &mut self.m.subs[i];
                assert_ne!(s.st, SubSt::Active, "{why}: {id} had its notice");
                s.st = SubSt::Unsubscribing;
            }
            (Some(i), Ok(id)) => {
                self.took_id(id);
                self.replace(i, id, SubSt::Unsubscribing);
            }
            (None, Err(Status::NotSubscribed)) => {}
            (_, g) => panic!("{}: unsubscribe {filter:?}: {g:?}", self.why()),
        }
        self.h.poll();
        self.absorb();
        got
    }

    /// The engine's notices against the model, then the invariants.
    pub fn absorb(&mut self) {
        let total = self.s.output.mark(self.h.uart.written.len());
        if self.s.tags.back().map_or(self.s.output.taken, |t| t.0) < total {
            self.s.tags.push_back((total, self.s.api));
        }
        for ev in self.h.take_events() {
            let Ev::N(n) = ev else { continue };
            self.note(format!("  {n:?}"));
            self.m.notices.push(n);
            let (why, conn) = (self.why(), self.s.conn);
            match n {
                Notice::Published { id } => self.completed(id, true),
                Notice::PublishFailed { id, .. } => self.completed(id, false),
                Notice::Subscribed { id, restored } => {
                    let Some(s) = self.m.subs.iter_mut().find(|s| s.id == id) else {
                        self.replaced_notice(id, true);
                        continue;
                    };
                    // `restored` only for a filter confirmed before (strictly: on an earlier
                    // connection, a_new_qos_confirmed_online_is_not_a_restore).
                    let before = s.confirmed.is_some();
                    match s.st {
                        SubSt::Active => assert!(restored && s.restore_due, "{why}: {n:?}"),
                        SubSt::Subscribing => assert!(!restored || before, "{why}: {n:?}"),
                        SubSt::Unsubscribing => panic!("{why}: {n:?} for an unsubscribe"),
                    }
                    (s.st, s.confirmed, s.restore_due) = (SubSt::Active, Some(conn), false);
                }
                // This module refuses no unsubscribe: one still in the table was confirmed.
                Notice::Unsubscribed { id, status } => {
                    match self.m.subs.iter().position(|s| s.id == id) {
                        Some(i) => {
                            assert_eq!(status, Status::Ok, "{why}: {n:?}");
                            assert_eq!(self.m.subs.remove(i).st, SubSt::Unsubscribing)
                        }
                        None => self.replaced_notice(id, false),
                    }
                }
                // A request replaced while out, ended with the link (its result will not come).
                Notice::SubscribeFailed {
                    id,
                    reason: Status::LinkLost,
                } if !self.m.subs.iter().any(|s| s.id == id) => self.replaced_notice(id, true),
                Notice::SubscribeFailed { .. } => panic!("{why}: {n:?}"),
                Notice::Loss {
                    kind: LossKind::PublishRejected,
                    count,
                } => {
                    self.m.loss_rejected += count;
                }
                Notice::Recovery { step, .. } => {
                    let soft = matches!(step, RecoveryStep::Reconnect | RecoveryStep::Reinit);
                    assert!(soft, "{why}: hardware step {step:?}");
                }
                _ => {}
            }
        }
        self.check();
    }

    pub fn replaced_notice(&mut self, id: u16, sub: bool) {
        let why = self.why();
        let e = self.m.replaced.get_mut(&id);
        let e = e.unwrap_or_else(|| panic!("{why}: notice for unknown request {id}"));
        assert!(e.0 == sub && !e.1, "{why}: second or wrong notice for {id}");
        e.1 = true;
    }

    pub fn completed(&mut self, id: u16, ok: bool) {
        let why = self.why();
        let oldest = self.m.recs.iter().find(|r| !r.done).map(|r| r.id);
        assert!(
            self.window > 1 || oldest == Some(id),
            "{why}: {id} out of order"
        );
        let r = self.m.recs.iter_mut().find(|r| r.id == id && !r.done);
        let r = r.unwrap_or_else(|| panic!("{why}: completion of {id}, not pending"));
        match ok {
            true => assert!(r.acked, "{why}: PUBLISHED {id} before the module took it"),
            false => assert!(r.trouble >= 3, "{why}: {id} failed, {} refusals", r.trouble),
        }
        r.done = true;
        self.m.done += u32::from(ok);
        self.m.failed += u32::from(!ok);
        while self.m.recs.first().is_some_and(|r| r.done) {
            self.m.recs.remove(0);
        }
        *self.m.completions.entry(id).or_default() += 1;
    }

    /// The invariants that hold after every step.
    pub fn check(&self) {
        let (why, e, m) = (self.why(), &self.h.engine, &self.m);
        let pending = m.recs.iter().filter(|r| !r.done).count();
        assert_eq!(e.queued(), pending, "{why}: queued()");
        assert_eq!(e.queue_room(), self.room(), "{why}: queue_room()");
        let s = e.stats();
        let counts = (s.publishes_queued, s.publishes_done, s.publishes_failed);
        assert_eq!(counts, (m.accepted.len() as u32, m.done, m.failed), "{why}");
        let refused = (s.publishes_rejected, s.publishes_queue_full);
        assert_eq!(refused, (m.rejected, m.queue_full), "{why}");
        if self.settled() {
            let table = m.subs.iter().map(|s| (s.filter.clone(), s.qos));
            let table: BTreeMap<_, _> = table.collect();
            assert_eq!(self.s.subs, table, "{why}: the module's subscriptions");
        }
    }

    /// Online, every request of the table settled, nothing written or awaited on the wire.
    pub fn settled(&self) -> bool {
        let s = &self.s;
        let done = |s: &MSub| s.st == SubSt::Active && !s.restore_due;
        let quiet =
            s.output.pending.is_empty() && s.data.is_none() && self.h.uart.written.is_empty();
        self.h.engine.state() == State::Online && self.m.subs.iter().all(done) && quiet
    }

    // ---- Driving ----

    pub fn random_payload(&mut self, topic: usize) -> Vec<u8> {
        let (room, whole) = (self.h.engine.queue_room(), self.cap - PUB_COST - topic);
        let len = match self.rng.below(20) {
            0..=2 => room.saturating_sub(topic),   // exactly what fits now
            3 => (room + 1).saturating_sub(topic), // one byte more
            4 => whole + self.rng.below(2),        // the whole arena, and one byte more
            5 => 0,
            _ => self.rng.below(self.cap / 4),
        };
        let binary = self.rng.chance(60);
        let byte = |r: u64| {
            if binary {
                r as u8
            } else {
                b" \"\r\nab,c\\"[r as usize % 9]
            }
        };
        (0..len).map(|_| byte(self.rng.next())).collect()
    }

    pub fn step(&mut self) {
        let (topic, filter) = (self.rng.below(TOPICS.len()), self.rng.below(FILTERS.len()));
        let (topic, filter, qos) = (TOPICS[topic], FILTERS[filter], self.rng.below(3) as u8);
        match self.rng.below(100) {
            0..=39 => _ = self.exchange(),
            40..=57 => {
                let payload = self.random_payload(topic.len());
                let retain = self.rng.chance(30);
                _ = self.publish(topic, &payload, qos, retain);
            }
            58..=64 => _ = self.subscribe(filter, qos),
            65..=69 => _ = self.unsubscribe(filter),
            70..=73 => self.release(false, None),
            74 => self.drop_link(),
            75 if self.rng.chance(25) => self.reboot(),
            76..=78 => {
                let stop = self.rng.chance(30);
                self.note(["start", "stop"][usize::from(stop)].into());
                match stop {
                    true => self.h.engine.stop(self.h.now),
                    false => self.h.engine.start(self.h.now).unwrap(),
                }
                self.h.poll();
                self.absorb();
            }
            79..=81 => self.s.refuse = [0, 0, 1, 2, 4][self.rng.below(5)],
            82..=84 => self.s.hold = self.rng.chance([25, 60][usize::from(self.window > 1)]),
            _ => {
                // The module answers within milliseconds: what waits is a back-off, a boot
                // or an acknowledgement kept back.
                while self.exchange() {}
                let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
                let ms = [1 + self.rng.below(1_500) as u32, wait.clamp(1, 120_000)];
                self.h.advance(ms[self.rng.below(2)]);
                self.absorb();
            }
        }
    }

    /// Runs until `done` holds: the module answers, and time moves to the engine's next wait.
    pub fn run_until(&mut self, done: impl Fn(&Run) -> bool) {
        for _ in 0..50_000 {
            if done(self) {
                return;
            }
            if !self.exchange() {
                let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
                self.h.advance(wait.clamp(1, 60_000));
                self.absorb();
            }
        }
        panic!("{}: never reached", self.why());
    }

    /// Faults off, every kept acknowledgement given, started: runs until the queue is empty
    /// and the table settled, then checks each publish completed exactly once.
    pub fn drain(&mut self) {
        (self.s.refuse, self.s.hold) = (0, false);
        self.release(true, None);
        self.h.engine.start(self.h.now).unwrap();
        self.h.poll();
        self.absorb();
        self.run_until(|r| r.settled() && r.h.engine.queued() == 0);
        let (why, m) = (self.why(), &self.m);
        assert!(m.recs.is_empty(), "{why}: {:?}", m.recs);
        for id in &m.accepted {
            assert_eq!(m.completions.get(id), Some(&1), "{why}: publish {id}");
        }
        assert_eq!(m.completions.len(), m.accepted.len(), "{why}");
        assert_eq!(
            m.loss_rejected, m.rejected,
            "{why}: PUBLISH_REJECTED losses"
        );
        let room = self.h.engine.queue_room();
        assert_eq!(room, self.cap - PUB_COST, "{why}: arena not free");
    }
}

/// A random run (under Miri a short one: the interpreter is slow), then drained.
pub fn random_run(fam: Fam, seed: u64, queue: usize, subs: usize, window: u8) -> Run {
    let mut r = Run::new(fam, seed, queue, subs, window);
    r.h.engine.start(r.h.now).unwrap();
    for _ in 0..if cfg!(miri) { 120 } else { 2_500 } {
        r.step();
    }
    r.drain();
    r
}

pub fn online(fam: Fam, window: u8, seed: u64) -> Run {
    let mut r = Run::new(fam, seed, 512, 64, window);
    r.drain();
    r
}
