//! What the broker link reports, as the Quectel firmware prints it: `+QMTOPEN` after the
//! connect, `+QMTCONN` after the CONNACK, `+QMTSUB` / `+QMTUNS` / `+QMTPUBEX` after the acks,
//! `+QMTRECV` for incoming publishes, `+QMTSTAT` when the link goes (docs/quectel-simcom-at.md
//! §3.3–§3.8).
//!
//! As for Luat, a result URC is printed only when the broker's packet has arrived, and only
//! for a packet id the module is waiting for.

use std::time::Instant;

use super::super::{Action, Final, Module, NetEvent, Phase};
use super::Op;
use crate::mqtt::Packet;

impl Module {
    pub(crate) fn q_net_event(&mut self, now: Instant, ev: NetEvent) {
        let c = self.q.client;
        match ev {
            NetEvent::Connected => {
                if let Some(l) = self.link.as_mut().filter(|l| l.phase == Phase::Connecting) {
                    l.phase = Phase::TcpUp;
                    l.last_tx = now;
                    crate::elog!("link {}: +QMTOPEN {c},0", l.gen);
                    self.q_open_done(now, c, 0);
                }
            }
            NetEvent::ConnectFailed(why) => {
                crate::elog!("QMTOPEN {c}: connect failed: {why}");
                self.link = None;
                // The link task names the failing step: a name that does not resolve is
                // result 4, everything else (refused, timeout, TLS) -1 (§3.3, §5.2).
                let result = if why.starts_with("dns:") { 4 } else { -1 };
                self.q_open_done(now, c, result);
            }
            NetEvent::Closed(why) => {
                crate::elog!("link closed by peer/network: {why}");
                if let Some(l) = self.link.take() {
                    self.q_lost_urc(now, l.phase, 1);
                }
            }
            NetEvent::Packet(p) => self.q_packet(now, p),
        }
    }

    /// The `AT+QMTOPEN` outcome: a URC after the `OK`, or with `--qmtopen-error-after` the
    /// held final result (`OK` + URC on success, URC + `ERROR` on failure).
    fn q_open_done(&mut self, now: Instant, c: u8, result: i8) {
        let t = format!("+QMTOPEN: {c},{result}");
        if std::mem::take(&mut self.q.open_pending) {
            if result == 0 {
                self.emit_final(now, Final::Ok);
                self.urc(now, t.as_bytes());
            } else {
                self.urc(now, t.as_bytes());
                self.emit_final(now, Final::Error);
            }
        } else {
            self.urc(now, t.as_bytes());
        }
    }

    /// Drops the link and reports it with `+QMTSTAT: <c>,<code>` (2 = keepalive failure,
    /// which also leaves the PDP context needing a cycle, §3.8).
    pub(crate) fn q_drop_link(&mut self, now: Instant, code: u8) {
        let Some(l) = self.link.take() else {
            return;
        };
        crate::elog!("link {}: dropped (+QMTSTAT code {code})", l.gen);
        self.act(Action::Close { gen: l.gen });
        if code == 2 {
            self.q.pdp_stale = true;
        }
        self.q_lost_urc(now, l.phase, code);
    }

    /// The URC for a link that went away in `phase`: before the open completed it is the
    /// `AT+QMTOPEN` result -1; afterwards `+QMTSTAT: <c>,<code>`.
    pub(crate) fn q_lost_urc(&mut self, now: Instant, phase: Phase, code: u8) {
        let c = self.q.client;
        self.q.ops.clear();
        if phase == Phase::Connecting {
            self.q_open_done(now, c, -1);
            return;
        }
        self.stats.closed_urcs += 1;
        let t = format!("+QMTSTAT: {c},{code}");
        self.urc(now, t.as_bytes());
    }

    /// A refused CONNACK: `+QMTCONN: <c>,0,<code>` (or `+QMTCONN: <c>,0` with
    /// `--qmtconn-two-fields`), then `+QMTSTAT: <c>,4` and the link closed (§3.4, Q10).
    /// `after_ok`: the refusal is decided while the QMTCONN command runs (the `refuse` fault),
    /// so its lines follow that command's `OK`.
    pub(crate) fn q_refused(&mut self, now: Instant, c: u8, code: u8, after_ok: bool) {
        let conn = if self.cfg.qmtconn_two_fields {
            format!("+QMTCONN: {c},0")
        } else {
            format!("+QMTCONN: {c},0,{code}")
        };
        let stat = format!("+QMTSTAT: {c},4");
        if let Some(l) = self.link.take() {
            self.act(Action::Close { gen: l.gen });
        }
        self.q.ops.clear();
        self.stats.closed_urcs += 1;
        if after_ok {
            self.after_final.push(conn.into_bytes());
            self.after_final.push(stat.into_bytes());
        } else {
            self.urc(now, conn.as_bytes());
            self.urc(now, stat.as_bytes());
        }
    }

    fn q_packet(&mut self, now: Instant, p: Packet) {
        let Some(p) = self.client_flow(now, p, Self::q_deliver, Self::q_pub_done) else {
            return;
        };
        let c = self.q.client;
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let phase = link.phase;
        match p {
            Packet::ConnAck { code, .. } if phase == Phase::MqttWait => {
                if code == 0 {
                    link.phase = Phase::Connected;
                    self.stats.mqtt_connects += 1;
                    self.stats.count_ack("QMTCONN");
                    let t = if self.cfg.qmtconn_two_fields {
                        format!("+QMTCONN: {c},0")
                    } else {
                        format!("+QMTCONN: {c},0,0")
                    };
                    self.urc(now, t.as_bytes());
                } else {
                    crate::elog!("CONNACK refused, return code {code}");
                    self.q_refused(now, c, code, false);
                }
            }
            Packet::SubAck { pid, codes } if link.subs.get(&pid) == Some(&true) => {
                link.subs.remove(&pid);
                if let Some(Op::Sub { msgid }) = self.q.ops.remove(&pid) {
                    // One granted QoS per filter, as the broker returned them (128 = refused).
                    // The real form with several topics is UNKNOWN (§3.5).
                    let granted: Vec<String> = codes.iter().map(u8::to_string).collect();
                    let t = format!("+QMTSUB: {c},{msgid},0,{}", granted.join(","));
                    self.stats.count_ack("QMTSUB");
                    self.urc(now, t.as_bytes());
                }
            }
            Packet::UnsubAck(pid) if link.subs.get(&pid) == Some(&false) => {
                link.subs.remove(&pid);
                if let Some(Op::Uns { msgid }) = self.q.ops.remove(&pid) {
                    let t = format!("+QMTUNS: {c},{msgid},0");
                    self.stats.count_ack("QMTUNS");
                    self.urc(now, t.as_bytes());
                }
            }
            Packet::PingResp => link.ping_outstanding = false,
            Packet::PubAck(pid)
            | Packet::PubRec(pid)
            | Packet::PubComp(pid)
            | Packet::SubAck { pid, .. }
            | Packet::UnsubAck(pid) => {
                crate::elog!("ack for unknown packet id {pid} ignored");
            }
            other => {
                crate::elog!("broker protocol violation: {other:?} in phase {phase:?}; dropping");
                self.q_drop_link(now, 1);
            }
        }
    }

    /// A publish of ours completed (PUBACK for QoS 1, PUBCOMP for QoS 2).
    fn q_pub_done(&mut self, now: Instant, pid: u16) {
        if let Some(Op::Pub { msgid, urc }) = self.q.ops.remove(&pid) {
            self.stats.count_ack(if urc == "+QMTPUB" {
                "QMTPUB"
            } else {
                "QMTPUBEX"
            });
            let t = format!("{urc}: {},{msgid},0", self.q.client);
            self.urc(now, t.as_bytes());
        }
    }

    /// `+QMTRECV` (§3.7): payload raw between quotes, nothing escaped; with `recv/mode` length
    /// on `+QMTRECV: <c>,<msgid>,"<topic>",<len>,"<payload>"` (or, with
    /// `--qmtrecv-next-line`, the payload alone on the next line), else
    /// `+QMTRECV: <c>,<msgid>,"<topic>","<payload>"`. msgid is 0 for QoS 0.
    fn q_deliver(&mut self, now: Instant, msgid: u16, topic: &[u8], payload: &[u8]) {
        self.stats.messages_delivered += 1;
        let c = self.q.client;
        let cfg = &self.q.clients[usize::from(c)];
        let mut line = Vec::with_capacity(topic.len() + payload.len() + 40);
        line.extend_from_slice(format!("+QMTRECV: {c},{msgid},\"").as_bytes());
        line.extend_from_slice(topic);
        line.push(b'"');
        if cfg.recv_len {
            let len = if self.corrupt_left > 0 {
                // `corrupt-msub`: a length no payload matches; the host must bound its read.
                self.corrupt_left -= 1;
                self.stats.corrupted_headers += 1;
                90_000
            } else {
                payload.len()
            };
            line.extend_from_slice(format!(",{len}").as_bytes());
            if self.cfg.qmtrecv_next_line {
                line.extend_from_slice(b"\r\n");
                line.extend_from_slice(payload);
                self.urc(now, &line);
                return;
            }
        }
        line.extend_from_slice(b",\"");
        line.extend_from_slice(payload);
        line.push(b'"');
        self.urc(now, &line);
    }
}
