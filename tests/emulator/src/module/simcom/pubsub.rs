//! The SIMCom commands that take their text at a `>` prompt — will (§4.4), publish topic and
//! payload (§4.7), subscribe and unsubscribe in both forms (§4.6), certificate download
//! (§4.12) — and `AT+CMQTTPUB` (docs/quectel-simcom-at.md).
//!
//! Every prompt reads exactly `<len>` raw bytes, any value, and answers `OK`; a trailing CRLF
//! a host adds (LilyGO does, D13) is read as an empty command line and ignored.

use std::time::Instant;

use super::super::basic::set_args;
use super::super::{Final, Module, Phase};
use super::{client_of, int_in, Held, Op, PubFailForm};
use crate::at::{Command, Form};
use crate::mqtt;

/// Topic 1–1024 bytes (§6.2, S13, D13, D14); the same bound for will topic and message.
const MAX_TOPIC: i64 = 1024;
/// Topics per two-step subscribe (S10 flow chart).
const MAX_SUB_TOPICS: usize = 10;

/// What the bytes after a prompt are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Prompt {
    WillTopic(u8),
    WillMsg { c: u8, qos: u8 },
    Topic(u8),
    Payload(u8),
    SubTopic { c: u8, qos: u8 },
    Sub { c: u8, qos: u8 },
    UnsubTopic(u8),
    Unsub(u8),
    Cert(String),
}

impl Module {
    /// `AT+CMQTTWILLTOPIC=<c>,<len>`, `AT+CMQTTWILLMSG=<c>,<len>,<qos>`, `AT+CMQTTTOPIC=<c>,
    /// <len>`, `AT+CMQTTPAYLOAD=<c>,<len>`, `AT+CMQTTSUBTOPIC=<c>,<len>,<qos>`,
    /// `AT+CMQTTUNSUBTOPIC=<c>,<len>`: a client that is not acquired gets err 20.
    pub(super) fn cmd_sc_prompt(&mut self, now: Instant, cmd: &Command) -> Final {
        let name = cmd.name.as_str();
        if cmd.form == Form::Test {
            if name == "+CMQTTPAYLOAD" {
                // D13's test response.
                self.info(now, "+CMQTTPAYLOAD: (0-1),(1-10240)");
            }
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let max_len = if name == "+CMQTTPAYLOAD" {
            self.profile.mpubex_max() as i64
        } else {
            MAX_TOPIC
        };
        let (c, len, qos) = match (name, args.as_slice()) {
            ("+CMQTTWILLMSG" | "+CMQTTSUBTOPIC", [c, l, q]) => (c, l, int_in(q, 0..=2)),
            ("+CMQTTWILLMSG" | "+CMQTTSUBTOPIC", _) => return Final::Error,
            (_, [c, l]) => (c, l, Some(0)),
            _ => return Final::Error,
        };
        let (Some(c), Some(len), Some(qos)) = (client_of(c), int_in(len, 1..=max_len), qos) else {
            return Final::Error;
        };
        let qos = qos as u8;
        if self.sc.clients[usize::from(c)].acquired.is_none() {
            return self.sc_fail(now, name, c, 20);
        }
        if name == "+CMQTTSUBTOPIC"
            && self.sc.clients[usize::from(c)].sub_topics.len() >= MAX_SUB_TOPICS
        {
            return self.sc_fail(now, name, c, 22);
        }
        let p = match name {
            "+CMQTTWILLTOPIC" => Prompt::WillTopic(c),
            "+CMQTTWILLMSG" => Prompt::WillMsg { c, qos },
            "+CMQTTTOPIC" => Prompt::Topic(c),
            "+CMQTTPAYLOAD" => Prompt::Payload(c),
            "+CMQTTSUBTOPIC" => Prompt::SubTopic { c, qos },
            _ => Prompt::UnsubTopic(c),
        };
        self.sc_prompt(now, p, len as usize)
    }

    /// The check before a subscribe, unsubscribe or publish reaches the broker: acquired (20),
    /// connected (11), nothing else in flight on the client (14, "client is busy", §6.3).
    fn sc_ready(&self, c: u8) -> Result<(), u8> {
        if self.sc.clients[usize::from(c)].acquired.is_none() {
            Err(20)
        } else if self.sc_phase(c) != Some(Phase::Connected) {
            Err(11)
        } else if !self.sc.ops.is_empty() {
            Err(14)
        } else {
            Ok(())
        }
    }

    /// `AT+CMQTTSUB=<c>` (two-step: the `AT+CMQTTSUBTOPIC` list) or `AT+CMQTTSUB=<c>,<len>,
    /// <qos>[,<dup>]` (one-step: `>` and the topic) → `OK`, `+CMQTTSUB: <c>,<err>` after SUBACK.
    pub(super) fn cmd_cmqttsub(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            // D13's test response (the one-step form).
            self.info(now, "+CMQTTSUB: (0-1),(1-1024),(0-2),(0-1)");
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        match args.as_slice() {
            [c] => {
                let Some(c) = client_of(c) else {
                    return Final::Error;
                };
                if let Err(e) = self.sc_ready(c) {
                    return self.sc_fail(now, "+CMQTTSUB", c, e);
                }
                let topics = std::mem::take(&mut self.sc.clients[usize::from(c)].sub_topics);
                if topics.is_empty() {
                    return self.sc_fail(now, "+CMQTTSUB", c, 18);
                }
                self.sc_send_sub(now, Op::Sub, &topics);
                Final::Ok
            }
            [c, len, qos, rest @ ..] if rest.len() <= 1 => {
                let dup_ok = rest.iter().all(|d| int_in(d, 0..=1).is_some());
                let (Some(c), Some(len), Some(qos)) =
                    (client_of(c), int_in(len, 1..=MAX_TOPIC), int_in(qos, 0..=2))
                else {
                    return Final::Error;
                };
                if !dup_ok {
                    return Final::Error;
                }
                if let Err(e) = self.sc_ready(c) {
                    return self.sc_fail(now, "+CMQTTSUB", c, e);
                }
                let qos = qos as u8;
                self.sc_prompt(now, super::Prompt::Sub { c, qos }, len as usize)
            }
            _ => Final::Error,
        }
    }

    /// `AT+CMQTTUNSUB=<c>,<dup>` (two-step) or `AT+CMQTTUNSUB=<c>,<len>,<dup>` (one-step) →
    /// `OK`, `+CMQTTUNSUB: <c>,<err>` after UNSUBACK (§4.6).
    pub(super) fn cmd_cmqttunsub(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        match args.as_slice() {
            [c, dup] if int_in(dup, 0..=1).is_some() => {
                let Some(c) = client_of(c) else {
                    return Final::Error;
                };
                if let Err(e) = self.sc_ready(c) {
                    return self.sc_fail(now, "+CMQTTUNSUB", c, e);
                }
                let topics = std::mem::take(&mut self.sc.clients[usize::from(c)].unsub_topics);
                if topics.is_empty() {
                    return self.sc_fail(now, "+CMQTTUNSUB", c, 18);
                }
                let filters: Vec<(Vec<u8>, u8)> = topics.into_iter().map(|t| (t, 0)).collect();
                self.sc_send_sub(now, Op::Unsub, &filters);
                Final::Ok
            }
            [c, len, dup] if int_in(dup, 0..=1).is_some() => {
                let (Some(c), Some(len)) = (client_of(c), int_in(len, 1..=MAX_TOPIC)) else {
                    return Final::Error;
                };
                if let Err(e) = self.sc_ready(c) {
                    return self.sc_fail(now, "+CMQTTUNSUB", c, e);
                }
                self.sc_prompt(now, super::Prompt::Unsub(c), len as usize)
            }
            _ => Final::Error,
        }
    }

    /// SUBSCRIBE (`Op::Sub`, filters with QoS) or UNSUBSCRIBE on the link.
    fn sc_send_sub(&mut self, now: Instant, op: Op, filters: &[(Vec<u8>, u8)]) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        let pid = Self::alloc_pid(link);
        let subscribe = op == Op::Sub;
        link.subs.insert(pid, subscribe);
        self.sc.ops.insert(pid, op);
        let pkt = if subscribe {
            mqtt::encode_subscribe_many(pid, filters)
        } else {
            let topics: Vec<Vec<u8>> = filters.iter().map(|(t, _)| t.clone()).collect();
            mqtt::encode_unsubscribe_many(pid, &topics)
        };
        self.send(now, pkt);
    }

    /// The bytes of a prompt are complete.
    pub(crate) fn sc_prompt_done(&mut self, now: Instant, p: Prompt, data: Vec<u8>) -> Final {
        let (op, c, filter) = match p {
            Prompt::Sub { c, qos } => (Op::Sub, c, (data, qos)),
            Prompt::Unsub(c) => (Op::Unsub, c, (data, 0)),
            Prompt::Cert(name) => {
                self.files.insert(name, data);
                return Final::Ok;
            }
            other => {
                self.sc_store(other, data);
                return Final::Ok;
            }
        };
        match self.sc_ready(c) {
            Ok(()) => self.sc_send_sub(now, op, &[filter]),
            Err(e) => {
                // The link went while the topic was typed: OK, then the failure.
                let name = if op == Op::Sub {
                    "+CMQTTSUB"
                } else {
                    "+CMQTTUNSUB"
                };
                self.after_final
                    .push(format!("{name}: {c},{e}").into_bytes());
            }
        }
        Final::Ok
    }

    /// A prompt's bytes that are only kept until a later command uses them.
    fn sc_store(&mut self, p: Prompt, data: Vec<u8>) {
        let cl = &mut self.sc.clients;
        match p {
            Prompt::WillTopic(c) => cl[usize::from(c)].will_topic = Some(data),
            Prompt::WillMsg { c, qos } => cl[usize::from(c)].will_msg = Some((data, qos)),
            Prompt::Topic(c) => cl[usize::from(c)].topic = Some(data),
            Prompt::Payload(c) => cl[usize::from(c)].payload = Some(data),
            Prompt::SubTopic { c, qos } => cl[usize::from(c)].sub_topics.push((data, qos)),
            Prompt::UnsubTopic(c) => cl[usize::from(c)].unsub_topics.push(data),
            Prompt::Sub { .. } | Prompt::Unsub(_) | Prompt::Cert(_) => {}
        }
    }

    /// `AT+CMQTTPUB=<c>,<qos>,<pub_timeout>[,<retained>[,<dup>]]` (§4.7) → `OK`, then
    /// `+CMQTTPUB: <c>,0` at once for QoS 0 and after PUBACK / PUBCOMP otherwise. Topic and
    /// payload are cleared by every PUB (S20, D15). No topic: err 18; no payload: an empty
    /// message (UNKNOWN on the module, §4.7). `<pub_timeout>` 1–180 (both ranges, §4.14
    /// item 4). With the sync form the final result waits for the outcome (forms.rs).
    pub(super) fn cmd_cmqttpub(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (c, qos, timeout, rest) = match args.as_slice() {
            [c, q, t, rest @ ..] if rest.len() <= 2 => (c, q, t, rest),
            _ => return Final::Error,
        };
        let retain = match rest.first() {
            None => Some(0),
            Some(r) => int_in(r, 0..=1),
        };
        let dup_ok = rest.get(1).is_none_or(|d| int_in(d, 0..=1).is_some());
        let (Some(c), Some(qos), Some(_), Some(retain)) = (
            client_of(c),
            int_in(qos, 0..=2),
            int_in(timeout, 1..=180),
            retain,
        ) else {
            return Final::Error;
        };
        if !dup_ok {
            return Final::Error;
        }
        let slot = &mut self.sc.clients[usize::from(c)];
        let topic = slot.topic.take();
        let payload = slot.payload.take().unwrap_or_default();
        if let Err(e) = self.sc_ready(c) {
            return self.sc_fail(now, "+CMQTTPUB", c, e);
        }
        let Some(topic) = topic else {
            return self.sc_fail(now, "+CMQTTPUB", c, 18);
        };
        let qos = qos as u8;
        let held = qos > 0 && self.sc_pub_form() == PubFailForm::Sync;
        let pid = match self.link.as_mut() {
            Some(link) if qos > 0 => {
                let pid = Self::alloc_pid(link);
                link.out_flight.insert(pid, qos);
                self.sc.ops.insert(pid, Op::Pub { held });
                pid
            }
            _ => 0,
        };
        self.send(
            now,
            mqtt::encode_publish(&topic, &payload, qos, retain == 1, pid),
        );
        self.stats.publishes_forwarded += 1;
        if qos == 0 {
            self.stats.count_ack("CMQTTPUB");
            self.after_final
                .push(format!("+CMQTTPUB: {c},0").into_bytes());
            return Final::Ok;
        }
        if held {
            self.sc.final_pending = Some(Held::Pub);
            return Final::Pending;
        }
        Final::Ok
    }
}
