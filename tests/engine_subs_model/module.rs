//! The scripted module of each family: it answers the bring-up by `Held` (tests/common/
//! family.rs) and every (un)subscribe itself, in the family's shapes: acknowledged at once,
//! before its `OK` (Quectel, SIMCom), kept back and given late, or refused. Each command is
//! checked against the application's calls as it is read.
use super::common::family::{Fam, LINK, MQTT};
use super::common::script::{arg, lines, Unit};
use super::model::*;
use cellmqtt::Status;

impl Run {
    /// Bytes the engine has written so far, read by the module or not.
    pub fn out_mark(&self) -> u64 {
        self.s.output.mark(self.h.uart.written.len())
    }

    pub fn note(&mut self, what: String) {
        self.m.trail.note(self.h.now, what);
    }

    pub fn why(&self) -> String {
        format!("{:?} conn {} t={}", self.fam, self.s.conn, self.h.now)
    }

    /// Reads what the engine wrote and feeds back the module's answers.
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
                    self.note(format!("> {}", text(&bytes)));
                    out.extend(match self.s.data.take() {
                        Some((_, header_end)) => self.filter_arrived(bytes, header_end),
                        None => self.s.held.data_arrived(&self.s.last_cmd, bytes),
                    });
                }
                Unit::Line(line) => {
                    let cmd = &line[..line.len() - 1];
                    self.s.last_cmd = cmd.to_vec();
                    self.note(format!("> {}", text(cmd)));
                    if !self.s.held.echo_off {
                        out.extend_from_slice(&line);
                    }
                    let end = self.s.output.taken;
                    out.extend(self.command(cmd, end));
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

    /// A session up is a new connection; a session gone takes its subscriptions, a result
    /// kept back, and the answers the engine reports only while the link lasts (all but a
    /// SIMCom result code: README, "Failure classes").
    pub fn sync_bits(&mut self) {
        let up = self.s.held.bits & MQTT != 0;
        if up && !self.s.up {
            self.s.conn += 1;
        }
        if !up && self.s.up {
            self.s.subs.clear();
            self.s.strays.clear();
            self.s.late = None;
            self.s.answers.retain(|a| a.survives_loss());
        }
        self.s.up = up;
    }

    /// The module's answer to a command line that ended at `end` in the engine's output.
    pub fn command(&mut self, cmd: &[u8], end: u64) -> Vec<u8> {
        let (fam, up) = (self.fam, self.s.held.bits & MQTT != 0);
        let is = |p: &str| cmd.starts_with(p.as_bytes());
        let s = |n: usize| arg(cmd, n).into_bytes();
        let num = |n: usize| arg(cmd, n).parse::<u16>().unwrap();
        self.written(cmd);
        match fam {
            Fam::Luat if up && is("AT+MSUB=") => self.request(&s(0), None, num(1) as u8, end),
            Fam::Luat if up && is("AT+MUNSUB=") => self.request(&s(0), None, 9, end),
            Fam::Quectel if up && is("AT+QMTSUB=") => {
                self.request(&s(2), Some(num(1)), num(3) as u8, end)
            }
            Fam::Quectel if up && is("AT+QMTUNS=") => self.request(&s(2), Some(num(1)), 9, end),
            Fam::Simcom if up && (is("AT+CMQTTSUB=") || is("AT+CMQTTUNSUB=")) => {
                self.s.data = Some((usize::from(num(1)), end));
                b"\r\n>".to_vec()
            }
            _ => self.s.held.answer(fam, cmd),
        }
    }

    /// The engine wrote `line`, whatever the module makes of it (or if it never reads it): a
    /// subscribe's record counts as sent. SIMCom's filter follows the prompt, if one comes:
    /// any filter of its length may be the one.
    fn written(&mut self, line: &[u8]) {
        let is = |p: &str| line.starts_with(p.as_bytes());
        // The filter, or (SIMCom) its length.
        let (filter, len) = match self.fam {
            Fam::Luat if is("AT+MSUB=") => (arg(line, 0), None),
            Fam::Quectel if is("AT+QMTSUB=") => (arg(line, 2), None),
            Fam::Simcom if is("AT+CMQTTSUB=") => (String::new(), Some(arg(line, 1))),
            _ => return,
        };
        for r in self.m.recs.iter_mut() {
            let sent = match &len {
                Some(len) => r.filter.len().to_string() == *len,
                None => r.filter == filter.as_bytes(),
            };
            r.sent |= sent;
        }
    }

    /// SIMCom: the filter after the prompt of the command in `last_cmd`.
    fn filter_arrived(&mut self, filter: Vec<u8>, header_end: u64) -> Vec<u8> {
        if self.s.held.bits & MQTT == 0 {
            return lines("ERROR");
        }
        let c = self.s.last_cmd.clone();
        let qos = match c.starts_with(b"AT+CMQTTSUB=") {
            true => arg(&c, 2).parse().unwrap(),
            false => 9,
        };
        self.request(&filter, None, qos, header_end)
    }

    /// A subscribe (`qos` 0-2) or unsubscribe (`qos` 9) of `filter`, carrying `msgid`
    /// (Quectel), whose command ended at `end`: checked against the calls, then answered.
    fn request(&mut self, filter: &[u8], msgid: Option<u16>, qos: u8, end: u64) -> Vec<u8> {
        let unsub = qos == 9;
        self.check_command(filter, msgid, unsub, qos, end);
        let conn = self.s.conn;
        let mut answer = Answer {
            filter: filter.to_vec(),
            unsub,
            qos: qos.min(2),
            msgid,
            conn,
            fail: None,
            at: end,
            stale: false,
        };
        let id = msgid.unwrap_or(0);
        if unsub {
            if self.s.refuse_unsub {
                answer.fail = Some(Status::ModuleError);
                self.give(answer); // the module keeps the filter
                return lines("ERROR");
            }
            let urc = match self.fam {
                Fam::Luat => "UNSUBACK".to_string(),
                Fam::Quectel => format!("+QMTUNS: 0,{id},0"),
                Fam::Simcom => "+CMQTTUNSUB: 0,0".to_string(),
            };
            return self.result(answer, &urc);
        }
        let refusal = self.s.refuse.take();
        answer.fail = refusal.map(Refusal::reason);
        let urc = match (self.fam, refusal) {
            (_, Some(Refusal::Error)) => {
                self.give(answer);
                return lines("ERROR");
            }
            (Fam::Luat, _) => "SUBACK".to_string(),
            (Fam::Quectel, None) => format!("+QMTSUB: 0,{id},0,{qos}"),
            (Fam::Quectel, Some(Refusal::Suback80)) => format!("+QMTSUB: 0,{id},0,128"),
            (Fam::Quectel, _) => format!("+QMTSUB: 0,{id},2"),
            (Fam::Simcom, None) => "+CMQTTSUB: 0,0".to_string(),
            (Fam::Simcom, Some(Refusal::ResultAndClose)) => {
                // The broker closes the connection right after its refusal.
                self.give(answer);
                self.s.held.bits &= !MQTT;
                let lost = ["|+CMQTTCONNLOST: 0,1", ""][usize::from(self.s.quiet)];
                return match self.s.early {
                    true => lines(&format!("+CMQTTSUB: 0,6|OK{lost}")),
                    false => lines(&format!("OK|+CMQTTSUB: 0,6{lost}")),
                };
            }
            (Fam::Simcom, _) => "+CMQTTSUB: 0,6".to_string(),
        };
        self.result(answer, &urc)
    }

    /// `OK` and the result line `urc`: after it, before it (`early`), or kept back.
    fn result(&mut self, answer: Answer, urc: &str) -> Vec<u8> {
        if self.s.hold {
            assert!(self.s.late.is_none(), "{}: two results kept", self.why());
            let deadline = self.h.now + self.ack_ms;
            let bytes = lines(urc);
            self.s.late = Some(Late {
                bytes,
                answer,
                deadline,
            });
            return lines("OK");
        }
        self.give(answer);
        match self.s.early && self.fam != Fam::Luat {
            true => lines(&format!("{urc}|OK")),
            false => lines(&format!("OK|{urc}")),
        }
    }

    /// The module does what it answers: holds a filter it acknowledged, not one it refused
    /// or unsubscribed; the engine must report the answer once.
    pub fn give(&mut self, mut a: Answer) {
        a.stale = a.at <= self.s.stopped_at;
        match (a.unsub, a.fail) {
            (false, None) => {
                self.s.strays.remove(&a.filter);
                self.s.subs.insert(a.filter.clone(), a.qos);
            }
            // Refused: the module keeps the filter.
            (true, Some(Status::ModuleError)) => _ = self.s.strays.insert(a.filter.clone()),
            _ => _ = self.s.subs.remove(&a.filter),
        }
        self.s.answers.push(a);
    }

    /// The command is for the filter's latest request when it was written (its kind, QoS and
    /// Quectel message id), one that was not ended meanwhile; a filter goes to a connection
    /// once per request; an unsubscribe goes only for a filter the module may hold.
    fn check_command(&mut self, filter: &[u8], msgid: Option<u16>, unsub: bool, qos: u8, end: u64) {
        let (why, f, conn) = (self.why(), text(filter), self.s.conn);
        self.s.commands += 1;
        let call = self.m.call_before(filter, end);
        let call = call.unwrap_or_else(|| panic!("{why}: {f} sent, never asked"));
        let kind = ["subscribe", "unsubscribe"][usize::from(unsub)];
        assert_eq!(
            call.unsub, unsub,
            "{why}: {kind} of {f}, not the latest call"
        );
        assert!(
            unsub || call.qos == qos,
            "{why}: {f} q{qos}, asked {call:?}"
        );
        assert!(
            msgid.is_none_or(|m| m == call.id),
            "{why}: {f} id {msgid:?}"
        );
        if let Some(&gone) = self.m.removed_at.get(filter) {
            let ended = call.at < gone && gone < end;
            assert!(!ended, "{why}: {f} sent after its request ended");
        }
        if let Some(&(c, prev)) = self.s.last_sent.get(filter) {
            assert!(
                c != conn || call.at >= prev,
                "{why}: {f} twice on one connection"
            );
        }
        self.s.last_sent.insert(filter.to_vec(), (conn, end));
        let i = self.m.rec(filter);
        let i = i.unwrap_or_else(|| panic!("{why}: {f} sent, not in the table"));
        let rec = &mut self.m.recs[i];
        if unsub {
            // README (the UNSUBSCRIBED event): "confirmed or the filter was never sent"; on a
            // clean session a new connection holds nothing the old ones were sent. (The
            // engine's rule: a subscribe of it was written since it was added.)
            let here = rec.sent_conn == Some(conn);
            assert!(here, "{why}: unsubscribe of {f}, not subscribed here");
        } else {
            rec.sent_conn = Some(conn);
        }
    }

    /// The result kept back comes now, if the engine still waits for it.
    pub fn release_late(&mut self) {
        let Some(late) = self.s.late.take_if(|l| self.h.now < l.deadline) else {
            return;
        };
        self.note(format!("< late {}", text(&late.bytes)));
        self.give(late.answer);
        self.h.rx(&late.bytes);
        self.absorb();
    }

    /// A result kept back past the engine's wait is lost: the subscribe never reached the
    /// broker (reported as timed out), the unsubscribe did (its `UNSUBACK` was lost).
    pub fn discard_overdue(&mut self) {
        let Some(late) = self.s.late.take_if(|l| self.h.now >= l.deadline) else {
            return;
        };
        self.note(format!("  lost {}", text(&late.bytes)));
        let mut a = late.answer;
        a.fail = Some(Status::Timeout);
        self.give(a);
    }

    /// The broker drops the link: the family's link-lost line, or (`quiet`) none.
    pub fn drop_link(&mut self) {
        let (urc, lost): (&[u8], u8) = match self.fam {
            Fam::Luat => (b"\r\nCLOSED\r\n", LINK | MQTT),
            Fam::Quectel => (b"\r\n+QMTSTAT: 0,1\r\n", LINK | MQTT),
            Fam::Simcom => (b"\r\n+CMQTTCONNLOST: 0,1\r\n", MQTT),
        };
        if self.s.held.bits & MQTT != 0 {
            self.note("link lost".into());
            self.s.held.bits &= !lost;
            self.sync_bits();
            if !self.s.quiet {
                self.h.rx(urc);
            }
            self.absorb();
        }
    }

    /// The module reboots between two exchanges: what the engine wrote is lost.
    pub fn reboot(&mut self) {
        self.note("reboot".into());
        self.s.held = Default::default();
        self.s.data = None;
        let unread = self.s.output.lose_unread(&mut self.h.uart.written);
        for line in unread.split(|&b| b == b'\r') {
            self.written(line);
        }
        self.h.forget_tx();
        self.sync_bits();
        self.h.rx(self.fam.boot_output());
        self.absorb();
    }
}

impl Answer {
    /// A SIMCom result code refuses the filter for good: the engine reports it even when the
    /// link drops before it asked whether the link is up (README, "Failure classes"). Every
    /// other answer is reported after that question, or not at all if the link went first
    /// (the request is then sent again); so is one to a command from before a `stop`.
    pub fn survives_loss(&self) -> bool {
        self.fail == Some(Status::LinkLost) && self.msgid.is_none() && !self.stale
    }
}
