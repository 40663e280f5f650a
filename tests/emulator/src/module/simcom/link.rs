//! What the broker link reports, as SIMCom firmware prints it (docs/quectel-simcom-at.md
//! §4.5–§4.10): the connect result after the CONNACK (refusals 1–5 as err 27–31), subscribe /
//! unsubscribe / publish results after the acks, `+CMQTTRXSTART` … `+CMQTTRXEND` for incoming
//! messages, `+CMQTTCONNLOST` when the link goes.
//!
//! As for the other families, a result is printed only once the broker's packet has arrived,
//! and only for a packet id the module is waiting for.

use std::time::{Duration, Instant};

use super::super::{Action, Final, Module, NetEvent, Phase, TimerKind};
use super::{Held, Op};
use crate::mqtt::{self, Packet};
use crate::profile::Profile;

/// `+CMQTTRXPAYLOAD` chunks of at most 1500 bytes (S18); topics are chunked the same way.
const RX_CHUNK: usize = 1500;
/// How long a `+CMQTTSUB` result waits for retained messages in the S17 form when none
/// arrives. A message that does arrive releases it at once (`sc_deliver`), so the order does
/// not depend on how quickly the broker's PUBLISH follows its SUBACK on a loaded machine.
const SUB_RESULT_HOLD: Duration = Duration::from_millis(250);

impl Module {
    pub(crate) fn sc_net_event(&mut self, now: Instant, ev: NetEvent) {
        match ev {
            NetEvent::Connected => {
                let Some(l) = self.link.as_mut().filter(|l| l.phase == Phase::Connecting) else {
                    return;
                };
                // TCP (and TLS) up: the module sends the MQTT CONNECT itself.
                l.phase = Phase::MqttWait;
                l.ping_outstanding = false;
                if let Some((connect, level)) = self.sc.connect.take() {
                    self.send(now, mqtt::encode_connect_level(&connect, level));
                }
            }
            NetEvent::ConnectFailed(why) => {
                crate::elog!("CMQTTCONNECT: connect failed: {why}");
                let tls = self.link.take().is_some() && why.starts_with("tls:");
                self.sc.connect = None;
                let err = if why.starts_with("dns:") {
                    25
                } else if tls || (!why.starts_with("tcp:") && why != "timeout") {
                    // Handshake failure: SIM7600 reported 32 (S04), A76xx 34 (S11).
                    if self.profile == Profile::Sim7600 {
                        32
                    } else {
                        34
                    }
                } else {
                    3
                };
                self.sc_connect_result(now, err);
            }
            NetEvent::Closed(why) => {
                crate::elog!("link closed by peer/network: {why}");
                // A reset is cause 2, any other close by the peer 1 (W6).
                let cause = if why.contains("reset") { 2 } else { 1 };
                if let Some(l) = self.link.take() {
                    self.sc_lost(now, l.phase, cause);
                }
            }
            NetEvent::Packet(p) => self.sc_packet(now, p),
        }
    }

    /// The link went away in `phase` (already taken out of `self.link`): before the CONNACK it
    /// is the connect's failure (26, socket closed by server, S05); afterwards the pending
    /// results fail with err 6 and `+CMQTTCONNLOST: <c>,<cause>` follows (S07, S20).
    pub(crate) fn sc_lost(&mut self, now: Instant, phase: Phase, cause: u8) {
        self.sc.connect = None;
        if phase != Phase::Connected {
            let err = if phase == Phase::Connecting { 3 } else { 26 };
            self.sc_connect_result(now, err);
            return;
        }
        self.sc_fail_ops(now, 6);
        self.stats.closed_urcs += 1;
        let c = self.sc.client;
        self.urc(now, format!("+CMQTTCONNLOST: {c},{cause}").as_bytes());
    }

    /// Every in-flight operation fails with `err`; a held `AT+CMQTTPUB` ends with `ERROR`.
    pub(crate) fn sc_fail_ops(&mut self, now: Instant, err: u8) {
        let c = self.sc.client;
        let mut ops: Vec<(u16, Op)> = self.sc.ops.drain().collect();
        ops.sort_by_key(|(pid, _)| *pid);
        self.sc_sub_result_due(now);
        for (_, op) in ops {
            let name = match op {
                Op::Sub => "+CMQTTSUB",
                Op::Unsub => "+CMQTTUNSUB",
                Op::Pub { .. } => "+CMQTTPUB",
            };
            self.urc(now, format!("{name}: {c},{err}").as_bytes());
            if op == (Op::Pub { held: true }) && self.sc.final_pending == Some(Held::Pub) {
                self.sc.final_pending = None;
                self.emit_final(now, Final::Error);
            }
        }
    }

    /// The keepalive failed (no PINGRESP, or the `ping-fail` fault): `+CMQTTPING: <c>,<err>`
    /// (W4; no capture, so the code — 17, timeout — is ours) and the link is closed.
    pub(crate) fn sc_ping_failed(&mut self, now: Instant) {
        let Some(l) = self.link.take() else {
            return;
        };
        self.act(Action::Close { gen: l.gen });
        if l.phase != Phase::Connected {
            self.sc_lost(now, l.phase, 1);
            return;
        }
        self.sc_fail_ops(now, 6);
        self.stats.closed_urcs += 1;
        let c = self.sc.client;
        self.urc(now, format!("+CMQTTPING: {c},17").as_bytes());
    }

    fn sc_packet(&mut self, now: Instant, p: Packet) {
        let Some(p) = self.client_flow(
            now,
            p,
            |m, now, _msgid, topic, payload| m.sc_deliver(now, topic, payload),
            Self::sc_pub_done,
        ) else {
            return;
        };
        let c = self.sc.client;
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let phase = link.phase;
        match p {
            Packet::ConnAck { code, .. } if phase == Phase::MqttWait => {
                if code == 0 {
                    link.phase = Phase::Connected;
                    self.stats.mqtt_connects += 1;
                    self.sc_connect_result(now, 0);
                } else {
                    // CONNACK return codes 1–5 are err 27–31 (§4.10); the link closes.
                    crate::elog!("CONNACK refused, return code {code}");
                    if let Some(l) = self.link.take() {
                        self.act(Action::Close { gen: l.gen });
                    }
                    self.sc_connect_result(now, 26 + code.min(5));
                }
            }
            Packet::SubAck { pid, codes } if link.subs.get(&pid) == Some(&true) => {
                link.subs.remove(&pid);
                if self.sc.ops.remove(&pid) == Some(Op::Sub) {
                    // A refused filter (0x80): which <err> the module gives is UNKNOWN (§4.6);
                    // the emulator says 1 (failed).
                    let err = u8::from(codes.contains(&0x80));
                    self.stats.count_ack("CMQTTSUB");
                    let t = format!("+CMQTTSUB: {c},{err}").into_bytes();
                    if self.sc_rx_before_sub() {
                        // S17: retained messages can print before the result.
                        self.sc.sub_result = Some(t);
                        self.add_timer(now + SUB_RESULT_HOLD, TimerKind::SimcomSubResult, false);
                    } else {
                        self.urc(now, &t);
                    }
                }
            }
            Packet::UnsubAck(pid) if link.subs.get(&pid) == Some(&false) => {
                link.subs.remove(&pid);
                if self.sc.ops.remove(&pid) == Some(Op::Unsub) {
                    self.stats.count_ack("CMQTTUNSUB");
                    self.urc(now, format!("+CMQTTUNSUB: {c},0").as_bytes());
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
                self.drop_link(now, true);
            }
        }
    }

    /// The held `+CMQTTSUB` result is due: its hold ended, a message arrived or the link
    /// failed. Whichever comes first prints it; the hold's timer then has nothing to do.
    pub(crate) fn sc_sub_result_due(&mut self, now: Instant) {
        if let Some(t) = self.sc.sub_result.take() {
            self.cancel_timers(TimerKind::SimcomSubResult);
            self.urc(now, &t);
        }
    }

    /// A publish of ours completed (PUBACK for QoS 1, PUBCOMP for QoS 2).
    fn sc_pub_done(&mut self, now: Instant, pid: u16) {
        let Some(Op::Pub { held }) = self.sc.ops.remove(&pid) else {
            return;
        };
        self.stats.count_ack("CMQTTPUB");
        if held && self.sc.final_pending == Some(Held::Pub) {
            self.sc.final_pending = None;
            self.emit_final(now, Final::Ok);
        }
        let t = format!("+CMQTTPUB: {},0", self.sc.client);
        self.urc(now, t.as_bytes());
    }

    /// An incoming message (§4.8): `+CMQTTRXSTART: <c>,<tlen>,<plen>`, the topic and payload
    /// as `+CMQTTRXTOPIC` / `+CMQTTRXPAYLOAD: <c>,<n>` each followed by CRLF and exactly n raw
    /// bytes (chunks of at most 1500; no payload line for an empty payload), `+CMQTTRXEND:
    /// <c>`. Every part is a V.250 line, so a blank line separates them (S09, S17). Printed
    /// as one unit so nothing lands between the parts.
    fn sc_deliver(&mut self, now: Instant, topic: &[u8], payload: &[u8]) {
        self.stats.messages_delivered += 1;
        let c = self.sc.client;
        let total = if self.corrupt_left > 0 {
            // `corrupt-msub`: a total no payload matches; the host must bound what it reads.
            self.corrupt_left -= 1;
            self.stats.corrupted_headers += 1;
            90_000
        } else {
            payload.len()
        };
        let mut v = Vec::with_capacity(topic.len() + payload.len() + 128);
        v.extend_from_slice(format!("+CMQTTRXSTART: {c},{},{total}", topic.len()).as_bytes());
        for (name, bytes) in [("+CMQTTRXTOPIC", topic), ("+CMQTTRXPAYLOAD", payload)] {
            for chunk in bytes.chunks(RX_CHUNK) {
                let head = format!("\r\n\r\n{name}: {c},{}\r\n", chunk.len());
                v.extend_from_slice(head.as_bytes());
                v.extend_from_slice(chunk);
            }
        }
        v.extend_from_slice(format!("\r\n\r\n+CMQTTRXEND: {c}").as_bytes());
        self.urc(now, &v);
        // S17: a held subscribe result follows the retained message it waited for.
        self.sc_sub_result_due(now);
    }
}
