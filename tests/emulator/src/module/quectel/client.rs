//! The Quectel MQTT commands: `AT+QMTOPEN`, `AT+QMTCONN`, `AT+QMTSUB`/`AT+QMTUNS`,
//! `AT+QMTPUBEX`/`AT+QMTPUB`, `AT+QMTDISC`/`AT+QMTCLOSE` (docs/quectel-simcom-at.md §3.3–§3.9).
//!
//! Shape kept throughout: the command answers `OK` (or `ERROR` for bad arguments or a client
//! in the wrong state), and the result comes as a URC once the broker really answered. The
//! `ERROR` cases where the doc says UNKNOWN are the emulator's choice and listed in README.md.

use std::time::{Duration, Instant};

use super::super::basic::set_args;
use super::super::{DataKind, DataMode, Final, Module, Pdp, Phase};
use super::cfg::{client_of, MAX_FIELD};
use super::Op;
use crate::at::{Arg, Command, Form};
use crate::mqtt;

/// A publish the host asked for, as it reaches the broker once its data is complete.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PubReq {
    pub client: u8,
    pub msgid: u16,
    pub qos: u8,
    pub retain: bool,
    /// `+QMTPUBEX` or `+QMTPUB`: the result URC takes the command's own prefix (§3.6).
    pub urc: &'static str,
}

fn topic_ok(t: &Arg, wildcards: bool) -> bool {
    !t.value.is_empty()
        && t.value.len() <= MAX_FIELD
        && !t.value.contains(&0)
        && (wildcards || !t.value.iter().any(|b| *b == b'+' || *b == b'#'))
}

fn msgid_of(a: &Arg) -> Option<u16> {
    a.as_int()
        .filter(|v| (0..=65535).contains(v))
        .map(|v| v as u16)
}

/// Test-command answers. Their exact text is not captured for EC200U (the client range 0-5 is,
/// Q02 via §3); these are the emulator's rendering.
fn test_line(name: &str) -> &'static str {
    match name {
        "+QMTOPEN" => "+QMTOPEN: (0-5),\"<host_name>\",(1-65535)",
        "+QMTCONN" => "+QMTCONN: (0-5),\"<clientid>\",\"<username>\",\"<password>\"",
        "+QMTSUB" => "+QMTSUB: (0-5),(1-65535),\"<topic>\",(0-2)",
        "+QMTUNS" => "+QMTUNS: (0-5),(1-65535),\"<topic>\"",
        "+QMTPUBEX" => "+QMTPUBEX: (0-5),(0-65535),(0-2),(0,1),\"<topic>\",(1-4096)",
        "+QMTPUB" => "+QMTPUB: (0-5),(0-65535),(0-2),(0,1),\"<topic>\",(1-4096)",
        "+QMTDISC" => "+QMTDISC: (0-5)",
        _ => "+QMTCLOSE: (0-5)",
    }
}

impl Module {
    /// The link, if it is the one of client `c`.
    fn q_link_of(&self, c: u8) -> Option<Phase> {
        self.link
            .as_ref()
            .filter(|_| self.q.client == c)
            .map(|l| l.phase)
    }

    fn q_test(&mut self, now: Instant, cmd: &Command) -> Final {
        self.info(now, test_line(&cmd.name));
        Final::Ok
    }

    /// `AT+QMTOPEN=<c>,"<host>",<port>` → `OK`, then `+QMTOPEN: <c>,<result>` (§3.3).
    pub(super) fn cmd_qmtopen(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Test => return self.q_test(now, cmd),
            Form::Read => {
                if self.link.is_some() {
                    let t = format!(
                        "+QMTOPEN: {},\"{}\",{}",
                        self.q.client, self.q.host, self.q.port
                    );
                    self.info(now, &t);
                }
                return Final::Ok;
            }
            _ => {}
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [c, host, port] = args.as_slice() else {
            return Final::Error;
        };
        let Some(c) = client_of(c) else {
            return Final::Error;
        };
        let host_s = host.as_str();
        let port = port.as_int().filter(|p| (1..=65535).contains(p));
        let result: i8 = if port.is_none()
            || host_s.is_empty()
            || host_s.len() > MAX_FIELD
            || host_s.contains(char::is_whitespace)
        {
            1 // wrong parameter
        } else if self.q_link_of(c).is_some() {
            2 // this client index is already open
        } else if self.link.is_some() {
            // Emulator limitation: one broker link at a time (see mod.rs).
            crate::elog!("QMTOPEN {c}: another client index holds the emulator's only link");
            -1
        } else if !self.attached
            || self.pdp != Pdp::Active
            || self.q.pdp_stale
            || self.q.clients[usize::from(c)].pdpcid != 1
        {
            3 // PDP context not active (only context 1 is emulated)
        } else if self.unreachable_left > 0 {
            // `unreachable`: fails as a refused / timed-out connect does, without trying.
            self.unreachable_left -= 1;
            crate::elog!("QMTOPEN: broker unreachable (fault)");
            -1
        } else {
            0
        };
        if result != 0 {
            return self.q_open_result_now(now, c, result);
        }
        let cfg = &self.q.clients[usize::from(c)];
        let tls = cfg.ssl.then(|| self.q_tls_settings(cfg.ssl_ctx, &host_s));
        self.q.client = c;
        self.q.host = host_s.clone();
        self.q.port = port.unwrap_or(0) as u16;
        self.q.ops.clear();
        self.open_link(now, host_s, self.q.port, tls);
        if self.cfg.qmtopen_error_after {
            // The final result waits for the connect (link.rs prints it with the URC).
            self.q.open_pending = true;
            return Final::Pending;
        }
        Final::Ok
    }

    /// A `AT+QMTOPEN` decided without a connect attempt: `OK` + URC, or with
    /// `--qmtopen-error-after` the URC + `ERROR` (Q09's shape).
    fn q_open_result_now(&mut self, now: Instant, c: u8, result: i8) -> Final {
        let t = format!("+QMTOPEN: {c},{result}").into_bytes();
        if self.cfg.qmtopen_error_after {
            self.urc(now, &t);
            return Final::Error;
        }
        self.after_final.push(t);
        Final::Ok
    }

    /// `AT+QMTCONN=<c>,"<clientid>"[,"<user>"[,"<pass>"]]` → `OK`, then `+QMTCONN: ...` after the
    /// CONNACK (§3.4). `AT+QMTCONN?` → `+QMTCONN: <c>,<state>`.
    pub(super) fn cmd_qmtconn(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Test => return self.q_test(now, cmd),
            Form::Read => {
                // 1 initialising, 2 connecting, 3 connected, 4 disconnecting (§3.4; driver
                // constants). The emulator closes at once on QMTDISC, so 4 is never shown.
                if let Some(l) = self.link.as_ref() {
                    let state = match l.phase {
                        Phase::Connecting | Phase::TcpUp => 1,
                        Phase::MqttWait => 2,
                        Phase::Connected => 3,
                    };
                    let t = format!("+QMTCONN: {},{state}", self.q.client);
                    self.info(now, &t);
                }
                return Final::Ok;
            }
            _ => {}
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (c, id, user, pass) = match args.as_slice() {
            [c, id] => (c, id, None, None),
            [c, id, u] => (c, id, Some(u), None),
            [c, id, u, p] => (c, id, Some(u), Some(p)),
            _ => return Final::Error,
        };
        let Some(c) = client_of(c) else {
            return Final::Error;
        };
        let field = |a: &Arg| a.value.len() <= MAX_FIELD;
        if id.value.is_empty() || !field(id) || !user.is_none_or(field) || !pass.is_none_or(field) {
            return Final::Error;
        }
        // Only a client whose network link is open and not yet connected can connect.
        if self.q_link_of(c) != Some(Phase::TcpUp) {
            return Final::Error;
        }
        if self.refuse_left > 0 {
            // `refuse`: the broker's refusal (CONNACK 5, not authorised) without asking it.
            self.refuse_left -= 1;
            crate::elog!("QMTCONN refused (fault)");
            self.q_refused(now, c, 5, true);
            return Final::Ok;
        }
        let cfg = self.q.clients[usize::from(c)].clone();
        let connect = mqtt::Connect {
            client_id: id.value.clone(),
            username: user
                .filter(|u| !u.value.is_empty())
                .map(|u| u.value.clone()),
            password: pass
                .filter(|p| !p.value.is_empty())
                .map(|p| p.value.clone()),
            will: cfg.will.clone(),
            clean_session: cfg.clean,
            keepalive: cfg.keepalive,
        };
        if let Some(l) = self.link.as_mut() {
            l.phase = Phase::MqttWait;
            l.keepalive = Duration::from_secs(u64::from(cfg.keepalive));
            l.ping_outstanding = false;
        }
        self.send(now, mqtt::encode_connect_level(&connect, cfg.version));
        Final::Ok
    }

    /// `AT+QMTSUB=<c>,<msgid>,"<topic>",<qos>[,"<topic>",<qos>...]` / `AT+QMTUNS=<c>,<msgid>,
    /// "<topic>"[,...]` → `OK`, then the result URC after SUBACK / UNSUBACK (§3.5).
    pub(super) fn cmd_qmtsub(&mut self, now: Instant, cmd: &Command, subscribe: bool) -> Final {
        if cmd.form == Form::Test {
            return self.q_test(now, cmd);
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [c, msgid, rest @ ..] = args.as_slice() else {
            return Final::Error;
        };
        let (Some(c), Some(msgid)) = (client_of(c), msgid_of(msgid).filter(|m| *m != 0)) else {
            return Final::Error;
        };
        let mut filters: Vec<(Vec<u8>, u8)> = Vec::new();
        if subscribe {
            if rest.is_empty() || rest.len() % 2 != 0 {
                return Final::Error;
            }
            for pair in rest.chunks(2) {
                let qos = pair[1].as_int().filter(|q| (0..=2).contains(q));
                match qos {
                    Some(q) if topic_ok(&pair[0], true) => {
                        filters.push((pair[0].value.clone(), q as u8))
                    }
                    _ => return Final::Error,
                }
            }
        } else {
            if rest.is_empty() || !rest.iter().all(|t| topic_ok(t, true)) {
                return Final::Error;
            }
            filters = rest.iter().map(|t| (t.value.clone(), 0)).collect();
        }
        if self.q_link_of(c) != Some(Phase::Connected) {
            return Final::Error;
        }
        let Some(link) = self.link.as_mut() else {
            return Final::Error;
        };
        let pid = Self::q_pid(link, msgid);
        link.subs.insert(pid, subscribe);
        let (pkt, op) = if subscribe {
            (
                mqtt::encode_subscribe_many(pid, &filters),
                Op::Sub { msgid },
            )
        } else {
            let topics: Vec<Vec<u8>> = filters.into_iter().map(|(t, _)| t).collect();
            (
                mqtt::encode_unsubscribe_many(pid, &topics),
                Op::Uns { msgid },
            )
        };
        self.q.ops.insert(pid, op);
        self.send(now, pkt);
        Final::Ok
    }

    /// The packet id for a host msgid: the msgid itself while it is free on this link (what a
    /// module that puts the msgid into the packet would do; UNKNOWN on real parts), else any
    /// free id — the URC still carries the host's msgid.
    fn q_pid(link: &mut super::super::Link, msgid: u16) -> u16 {
        let busy = link.out_flight.contains_key(&msgid)
            || link.out_rel.contains(&msgid)
            || link.subs.contains_key(&msgid);
        if msgid != 0 && !busy {
            msgid
        } else {
            Self::alloc_pid(link)
        }
    }

    /// `AT+QMTPUBEX=<c>,<msgid>,<qos>,<retain>,"<topic>",<len>` (and the same six arguments to
    /// `AT+QMTPUB`) → `\r\n> `, exactly `<len>` raw bytes, `OK`, the result URC (§3.6).
    /// Five arguments to `AT+QMTPUB` is the Ctrl+Z form: data until 0x1A.
    pub(super) fn cmd_qmtpub(&mut self, now: Instant, cmd: &Command, urc: &'static str) -> Final {
        if cmd.form == Form::Test {
            return self.q_test(now, cmd);
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (c, msgid, qos, retain, topic, len) = match args.as_slice() {
            [c, m, q, r, t, l] => (c, m, q, r, t, Some(l)),
            [c, m, q, r, t] if urc == "+QMTPUB" => (c, m, q, r, t, None),
            _ => return Final::Error,
        };
        let (Some(c), Some(msgid), Some(qos), Some(retain)) = (
            client_of(c),
            msgid_of(msgid),
            qos.as_int().filter(|q| (0..=2).contains(q)),
            retain.as_int().filter(|r| (0..=1).contains(r)),
        ) else {
            return Final::Error;
        };
        // msgid 0 only with QoS 0, non-zero otherwise (§3.6, §6.1).
        if (qos == 0) != (msgid == 0) || !topic_ok(topic, false) {
            return Final::Error;
        }
        // <len> 1..4096: the real EC200U range and whether 0 is allowed are UNKNOWN (§3.6).
        let max = self.profile.mpubex_max();
        let expected = match len {
            None => None,
            Some(l) => match l.as_int() {
                Some(n) if n >= 1 && n as usize <= max => Some(n as usize),
                _ => return Final::Error,
            },
        };
        if self.q_link_of(c) != Some(Phase::Connected) {
            return Final::Error;
        }
        // The data must come within the idle time (the real timeout is not in the doc).
        let idle = Duration::from_millis(self.cfg.mpubex_idle_ms);
        self.data = Some(DataMode {
            kind: DataKind::QPub {
                client: c,
                msgid,
                qos: qos as u8,
                retain: retain == 1,
                topic: topic.value.clone(),
                urc,
            },
            expected,
            buf: Vec::with_capacity(expected.unwrap_or(256)),
            deadline: now + idle,
            idle: Some(idle),
        });
        self.raw_out(now, b"\r\n> ".to_vec());
        Final::Pending
    }

    /// The publish data is complete: send it if the link is still up (`OK`, then the result:
    /// at once for QoS 0, after PUBACK / PUBCOMP otherwise). A link that went away after the
    /// prompt gives `OK` and result 2 (failed to send).
    pub(crate) fn q_publish(
        &mut self,
        now: Instant,
        p: PubReq,
        topic: &[u8],
        data: &[u8],
    ) -> Final {
        let up = self.q_link_of(p.client) == Some(Phase::Connected);
        let Some(link) = self.link.as_mut().filter(|_| up) else {
            let t = format!("{}: {},{},2", p.urc, p.client, p.msgid);
            self.after_final.push(t.into_bytes());
            return Final::Ok;
        };
        let pid = if p.qos > 0 {
            let pid = Self::q_pid(link, p.msgid);
            link.out_flight.insert(pid, p.qos);
            self.q.ops.insert(
                pid,
                Op::Pub {
                    msgid: p.msgid,
                    urc: p.urc,
                },
            );
            pid
        } else {
            0
        };
        self.send(now, mqtt::encode_publish(topic, data, p.qos, p.retain, pid));
        self.stats.publishes_forwarded += 1;
        if p.qos == 0 {
            self.stats.count_ack(if p.urc == "+QMTPUB" {
                "QMTPUB"
            } else {
                "QMTPUBEX"
            });
            let t = format!("{}: {},{},0", p.urc, p.client, p.msgid);
            self.after_final.push(t.into_bytes());
        }
        Final::Ok
    }

    /// `AT+QMTDISC=<c>` (DISCONNECT, then close; `+QMTDISC: <c>,0`, no `+QMTSTAT`) and
    /// `AT+QMTCLOSE=<c>` (close without DISCONNECT; `+QMTCLOSE: <c>,0`). With nothing open on
    /// `<c>` both answer `ERROR` — the real answer is UNKNOWN (§3.9).
    pub(super) fn cmd_qmtdisc(&mut self, now: Instant, cmd: &Command, disc: bool) -> Final {
        if cmd.form == Form::Test {
            return self.q_test(now, cmd);
        }
        let c = match set_args(cmd).as_deref() {
            Some([c]) => client_of(c),
            _ => None,
        };
        let Some(c) = c else {
            return Final::Error;
        };
        let Some(phase) = self.q_link_of(c) else {
            return Final::Error;
        };
        if disc && matches!(phase, Phase::MqttWait | Phase::Connected) {
            self.send(now, mqtt::encode_disconnect());
        }
        self.drop_link(now, false);
        let name = if disc { "+QMTDISC" } else { "+QMTCLOSE" };
        self.after_final.push(format!("{name}: {c},0").into_bytes());
        Final::Ok
    }
}
