//! The broker link as the module sees it: opening and dropping it, packets from the broker,
//! keepalive, and delivering incoming publishes to the MCU (direct `+MSUB` or the cache).
//!
//! Rule kept throughout: an ack URC (`CONNACK OK`, `SUBACK`, `PUBACK`, ...) is printed only when
//! the broker's packet has arrived, and only for a packet id we are waiting for.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::{Action, CacheEntry, Final, Link, Module, NetEvent, Phase, TlsSettings};
use crate::mqtt::{self, Packet};
use crate::profile::ReadbackForm;

impl Module {
    pub(crate) fn open_link(
        &mut self,
        now: Instant,
        host: String,
        port: u16,
        tls: Option<TlsSettings>,
    ) {
        let gen = self.next_gen;
        self.next_gen += 1;
        self.link = Some(Link {
            gen,
            phase: Phase::Connecting,
            keepalive: Duration::ZERO,
            last_tx: now,
            ping_outstanding: false,
            next_pid: 1,
            out_flight: HashMap::new(),
            out_rel: HashSet::new(),
            subs: HashMap::new(),
            in_qos2: HashSet::new(),
        });
        crate::elog!(
            "link {gen}: connecting to {host}:{port}{}",
            if tls.is_some() { " (TLS)" } else { "" }
        );
        self.stats.tcp_connects += 1;
        self.act(Action::Connect {
            gen,
            host,
            port,
            tls,
        });
    }

    /// Drops the link at once (socket closed, no MQTT DISCONNECT, so the broker publishes the
    /// will). `closed_urc` prints `CLOSED` to the MCU.
    pub(crate) fn drop_link(&mut self, now: Instant, closed_urc: bool) {
        if let Some(l) = self.link.take() {
            crate::elog!(
                "link {}: dropped{}",
                l.gen,
                if closed_urc { " (CLOSED)" } else { "" }
            );
            self.act(Action::Close { gen: l.gen });
            if closed_urc && self.profile.is_quectel() {
                self.q_lost_urc(now, l.phase, 1);
            } else if closed_urc && self.profile.is_simcom() {
                self.sc_lost(now, l.phase, 1);
            } else if closed_urc {
                self.closed_urc(now);
            }
        }
    }

    fn closed_urc(&mut self, now: Instant) {
        self.stats.closed_urcs += 1;
        self.urc(now, b"CLOSED");
    }

    /// Sends bytes on the link; counts as activity for the keepalive.
    pub(crate) fn send(&mut self, now: Instant, bytes: Vec<u8>) {
        if let Some(l) = self.link.as_mut() {
            l.last_tx = now;
            let gen = l.gen;
            self.act(Action::Send { gen, bytes });
        }
    }

    pub(crate) fn connected_link(&mut self) -> Option<&mut Link> {
        self.link.as_mut().filter(|l| l.phase == Phase::Connected)
    }

    pub(crate) fn alloc_pid(link: &mut Link) -> u16 {
        loop {
            let pid = link.next_pid;
            link.next_pid = link.next_pid.wrapping_add(1).max(1);
            let busy = link.out_flight.contains_key(&pid)
                || link.out_rel.contains(&pid)
                || link.subs.contains_key(&pid);
            if !busy {
                return pid;
            }
        }
    }

    /// Sends a PUBLISH for AT+MPUB / AT+MPUBEX. `OK` means "handed to the TCP stack"; the
    /// QoS 1/2 acks follow when the broker sends them.
    pub(crate) fn publish(
        &mut self,
        now: Instant,
        topic: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
    ) -> Final {
        let Some(link) = self.connected_link() else {
            return Final::Cme(767);
        };
        let pid = if qos > 0 {
            let pid = Self::alloc_pid(link);
            link.out_flight.insert(pid, qos);
            pid
        } else {
            0
        };
        self.send(now, mqtt::encode_publish(topic, payload, qos, retain, pid));
        self.stats.publishes_forwarded += 1;
        Final::Ok
    }

    pub(crate) fn net_event(&mut self, now: Instant, gen: u64, ev: NetEvent) {
        let current = self.link.as_ref().is_some_and(|l| l.gen == gen);
        if !current {
            // A link we already dropped: make sure its socket goes away too.
            if ev == NetEvent::Connected {
                self.act(Action::Close { gen });
            }
            return;
        }
        if self.hung {
            // Frozen firmware processes nothing; the socket just sits there until the broker
            // gives up on the missing keepalive.
            if let NetEvent::Closed(_) = ev {
                self.link = None;
            }
            return;
        }
        if self.profile.is_quectel() {
            self.q_net_event(now, ev);
            return;
        }
        if self.profile.is_simcom() {
            self.sc_net_event(now, ev);
            return;
        }
        match ev {
            NetEvent::Connected => {
                if let Some(l) = self.link.as_mut().filter(|l| l.phase == Phase::Connecting) {
                    l.phase = Phase::TcpUp;
                    l.last_tx = now;
                    crate::elog!("link {gen}: CONNECT OK");
                    self.urc(now, b"CONNECT OK");
                }
            }
            NetEvent::ConnectFailed(why) => {
                crate::elog!("link {gen}: connect failed: {why}");
                self.link = None;
                self.urc(now, b"STATE: TCP CLOSED");
                self.urc(now, b"CONNECT FAIL");
            }
            NetEvent::Closed(why) => {
                crate::elog!("link {gen}: closed by peer/network: {why}");
                self.link = None;
                self.closed_urc(now);
            }
            NetEvent::Packet(p) => self.packet(now, p),
        }
    }

    fn violation(&mut self, now: Instant, what: &str) {
        crate::elog!("broker protocol violation: {what}; dropping link");
        self.drop_link(now, true);
    }

    fn packet(&mut self, now: Instant, p: Packet) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let phase = link.phase;
        match p {
            Packet::ConnAck { code, .. } if phase == Phase::MqttWait => {
                if code == 0 {
                    link.phase = Phase::Connected;
                    self.stats.mqtt_connects += 1;
                    self.ack_urc(now, "CONNACK OK");
                } else {
                    // The module exposes no return code; the broker closes the socket next,
                    // which prints CLOSED.
                    crate::elog!("CONNACK refused, return code {code}");
                    link.phase = Phase::TcpUp;
                    self.urc(now, b"ERROR");
                }
            }
            Packet::Publish {
                qos,
                topic,
                pid,
                payload,
                ..
            } if phase == Phase::Connected => {
                match qos {
                    0 => self.deliver(now, topic, payload),
                    1 => {
                        self.deliver(now, topic, payload);
                        self.stats.acks_to_broker += 1;
                        self.send(now, mqtt::encode_puback(pid));
                    }
                    _ => {
                        // QoS 2, method B of the spec: deliver once, PUBREC every time.
                        if link.in_qos2.insert(pid) {
                            self.deliver(now, topic, payload);
                        }
                        self.stats.acks_to_broker += 1;
                        self.send(now, mqtt::encode_pubrec(pid));
                    }
                }
            }
            Packet::PubRel(pid) if phase == Phase::Connected => {
                link.in_qos2.remove(&pid);
                self.stats.acks_to_broker += 1;
                self.send(now, mqtt::encode_pubcomp(pid));
            }
            Packet::PubAck(pid) => {
                if link.out_flight.get(&pid) == Some(&1) {
                    link.out_flight.remove(&pid);
                    self.ack_urc(now, "PUBACK");
                } else {
                    crate::elog!("PUBACK for unknown packet id {pid} ignored");
                }
            }
            Packet::PubRec(pid) => {
                if link.out_flight.get(&pid) == Some(&2) {
                    link.out_flight.remove(&pid);
                    link.out_rel.insert(pid);
                    self.send(now, mqtt::encode_pubrel(pid));
                    self.ack_urc(now, "PUBREC");
                } else if link.out_rel.contains(&pid) {
                    self.send(now, mqtt::encode_pubrel(pid));
                } else {
                    crate::elog!("PUBREC for unknown packet id {pid} ignored");
                }
            }
            Packet::PubComp(pid) => {
                if link.out_rel.remove(&pid) {
                    self.ack_urc(now, "PUBCOMP");
                } else {
                    crate::elog!("PUBCOMP for unknown packet id {pid} ignored");
                }
            }
            Packet::SubAck { pid, codes } => {
                if link.subs.get(&pid) == Some(&true) {
                    link.subs.remove(&pid);
                    if codes.contains(&0x80) {
                        // The module has no way to report a refused subscription (unknown).
                        crate::elog!("SUBACK {pid}: broker refused the subscription (0x80)");
                    }
                    self.ack_urc(now, "SUBACK");
                }
            }
            Packet::UnsubAck(pid) => {
                if link.subs.get(&pid) == Some(&false) {
                    link.subs.remove(&pid);
                    self.ack_urc(now, "UNSUBACK");
                }
            }
            Packet::PingResp => link.ping_outstanding = false,
            other => self.violation(now, &format!("{other:?} in phase {phase:?}")),
        }
    }

    pub(crate) fn ack_urc(&mut self, now: Instant, name: &'static str) {
        self.stats.count_ack(name);
        self.urc(now, name.as_bytes());
    }

    /// Hands an incoming publish to the MCU.
    fn deliver(&mut self, now: Instant, topic: Vec<u8>, mut payload: Vec<u8>) {
        self.stats.messages_delivered += 1;
        if self.s.msgset == 1 {
            self.cache_store(now, topic, payload);
            return;
        }
        let max = self.profile.direct_max();
        if payload.len() > max {
            crate::elog!(
                "incoming payload of {} bytes truncated to {max}",
                payload.len()
            );
            self.stats.messages_truncated += 1;
            payload.truncate(max);
        }
        // `+MSUB: "topic",N byte,<N raw bytes>`: the payload is not escaped (docs/luat-at.md §5.9).
        let shown = self.shown_payload(&payload);
        let count = if self.corrupt_left > 0 {
            // `corrupt-msub`: a header whose count no payload can match (line noise on the
            // digits, or a firmware bug); the engine must bound what it reads.
            self.corrupt_left -= 1;
            self.stats.corrupted_headers += 1;
            90_000
        } else {
            shown.len()
        };
        let mut line = Vec::with_capacity(topic.len() + shown.len() + 32);
        line.extend_from_slice(b"+MSUB: \"");
        line.extend_from_slice(&topic);
        line.extend_from_slice(format!("\",{count} byte,").as_bytes());
        line.extend_from_slice(&shown);
        self.urc(now, &line);
    }

    /// A payload as `+MSUB` prints it: raw, or upper-case hex text with `AT+MQTTMODE=1`
    /// (whose count is then the number of characters printed). Which of the two the real
    /// firmware uses in hex mode is unknown (docs/luat-at.md §5.8); hex is the symmetric choice.
    fn shown_payload(&self, payload: &[u8]) -> Vec<u8> {
        if self.s.mqttmode != 1 {
            return payload.to_vec();
        }
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        payload
            .iter()
            .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
            .collect()
    }

    /// Cache mode: 4 slots; a new message takes the lowest free slot, or overwrites the
    /// oldest when all 4 are full (the newest 4 are kept).
    fn cache_store(&mut self, now: Instant, topic: Vec<u8>, mut payload: Vec<u8>) {
        let max = self.profile.cache_max();
        if payload.len() > max {
            self.stats.messages_truncated += 1;
            payload.truncate(max);
        }
        let slot = match self.cache.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                self.stats.cache_overwrites += 1;
                self.cache
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, c)| c.as_ref().map_or(0, |c| c.seq))
                    .map_or(0, |(i, _)| i)
            }
        };
        self.cache_seq += 1;
        self.cache[slot] = Some(CacheEntry {
            topic,
            payload,
            seq: self.cache_seq,
        });
        let notice = format!("+MSUB: {slot}");
        self.urc(now, notice.as_bytes());
    }

    /// One `AT+MQTTMSGGET` readback line, in the profile's form.
    pub(crate) fn readback_line(&self, e: &CacheEntry) -> Vec<u8> {
        let mut v = Vec::with_capacity(e.topic.len() + e.payload.len() + 32);
        match self.profile.readback() {
            ReadbackForm::UnquotedNoSpace => {
                v.extend_from_slice(b"+MSUB:");
                v.extend_from_slice(&e.topic);
            }
            ReadbackForm::QuotedSpace => {
                v.extend_from_slice(b"+MSUB: \"");
                v.extend_from_slice(&e.topic);
                v.push(b'"');
            }
        }
        let shown = self.shown_payload(&e.payload);
        v.extend_from_slice(format!(",{} byte,", shown.len()).as_bytes());
        v.extend_from_slice(&shown);
        v
    }

    pub(crate) fn keepalive_due(&self) -> Option<Instant> {
        let l = self.link.as_ref()?;
        let active = matches!(l.phase, Phase::MqttWait | Phase::Connected);
        (active && !l.keepalive.is_zero() && self.alive()).then(|| l.last_tx + l.keepalive)
    }

    /// The module keeps the MQTT heartbeat itself (8910 since V838): PINGREQ after
    /// `keepalive` seconds without sending; no PINGRESP by the next one means the link is dead.
    pub(crate) fn keepalive(&mut self, now: Instant) {
        let Some(l) = self.link.as_mut() else {
            return;
        };
        if l.ping_outstanding {
            crate::elog!("no PINGRESP within the keepalive; link dead");
            if self.profile.is_quectel() {
                self.q_drop_link(now, 2);
            } else if self.profile.is_simcom() {
                self.sc_ping_failed(now);
            } else {
                self.drop_link(now, true);
            }
            return;
        }
        l.ping_outstanding = true;
        self.send(now, mqtt::encode_pingreq());
    }
}
