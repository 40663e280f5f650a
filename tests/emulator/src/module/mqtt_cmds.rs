//! The MQTT AT commands (docs/luat-at.md §5).
//!
//! Choices where the sources are silent (documented in README.md):
//! - a command that needs a state the module is not in (MPUB while offline, a second
//!   MCONNECT, MIPCLOSE with nothing open) answers `+CME ERROR: 767` ("operation failed");
//! - MDISCONNECT sends DISCONNECT and closes the socket without `CLOSED`; the MIPCLOSE that the
//!   vendor sends next answers `OK` once;
//! - MIPCLOSE closes without DISCONNECT (the FAQ says the will is published) and without `CLOSED`.

use std::time::{Duration, Instant};

use super::basic::set_args;
use super::{DataKind, DataMode, Final, MConfig, Module, Phase, TlsSettings};
use crate::at::{self, Arg, Command, Form};
use crate::mqtt;

/// Topic, client id, user name and password limit (S1).
const MAX_FIELD: usize = 256;
/// Will message limit (S1).
const MAX_WILL: usize = 1360;

fn valid_topic(t: &[u8], wildcards_ok: bool) -> bool {
    !t.is_empty()
        && t.len() <= MAX_FIELD
        && !t.contains(&0)
        && (wildcards_ok || !t.iter().any(|b| *b == b'+' || *b == b'#'))
}

fn qos_of(a: &Arg) -> Option<u8> {
    a.as_int().filter(|v| (0..=2).contains(v)).map(|v| v as u8)
}

fn flag_of(a: &Arg) -> Option<bool> {
    match a.as_int() {
        Some(0) => Some(false),
        Some(1) => Some(true),
        _ => None,
    }
}

impl Module {
    pub(crate) fn mqtt_command(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return self.mqtt_test(now, cmd);
        }
        match cmd.name.as_str() {
            "+MCONFIG" => self.cmd_mconfig(cmd),
            "+MIPSTART" => self.cmd_mipstart(now, cmd, false),
            "+SSLMIPSTART" => self.cmd_mipstart(now, cmd, true),
            "+MCONNECT" => self.cmd_mconnect(now, cmd),
            "+MSUB" => self.cmd_msub(now, cmd, true),
            "+MUNSUB" => self.cmd_msub(now, cmd, false),
            "+MPUB" => self.cmd_mpub(now, cmd),
            "+MPUBEX" => self.cmd_mpubex(now, cmd),
            "+MQTTMODE" => self.cmd_mqttmode(now, cmd),
            "+MQTTMSGSET" => self.cmd_msgset(now, cmd),
            "+MQTTMSGGET" => self.cmd_msgget(now, cmd),
            "+MQTTSTATU" => self.cmd_statu(now, cmd),
            "+MDISCONNECT" => self.cmd_mdisconnect(now, cmd),
            "+MIPCLOSE" => self.cmd_mipclose(now, cmd),
            _ => Final::Error,
        }
    }

    /// `AT+X=?` answers, as the manual prints them.
    fn mqtt_test(&mut self, now: Instant, cmd: &Command) -> Final {
        let lines: &[&str] = match cmd.name.as_str() {
            "+MCONFIG" => &["+MCONFIG: <clientid>[,<username>,<password>[,(0-2),(0,1),<will_topic>,<will_message>]]"],
            "+MIPSTART" => &[
                "+MIPSTART:\"(0,255).(0,255).(0,255).(0,255)\",(1-65535)",
                "+MIPSTART:\"DOMAIN NAME\",(1-65535)",
            ],
            "+SSLMIPSTART" => &[
                "+SSLMIPSTART:\"(0,255).(0,255).(0,255).(0,255)\",(1-65535)",
                "+SSLMIPSTART:\"DOMAIN NAME\",(1-65535)",
            ],
            "+MCONNECT" => &["+MCONNECT:(0-1),(1-65535)"],
            "+MSUB" => &["+MSUB:<topic>,(0-2)"],
            "+MUNSUB" => &["+MUNSUB:<topic>"],
            "+MPUB" => &["+MPUB:<topic>,(0-2),(0-1),<message>"],
            "+MPUBEX" => &["+MPUBEX:<topic>,(0-2),(0-1),<len>"],
            "+MQTTMODE" if self.has_mqttmode() => &["+MQTTMODE: (0,1)"],
            "+MQTTMODE" => return Final::Error,
            "+MQTTMSGSET" => &["+MQTTMSGSET:(0,1)"],
            _ => &[],
        };
        for l in lines {
            self.info(now, l);
        }
        Final::Ok
    }

    fn cmd_mconfig(&mut self, cmd: &Command) -> Final {
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let field_ok = |a: &Arg| a.value.len() <= MAX_FIELD;
        let cfg = match args.as_slice() {
            [id] if field_ok(id) && !id.value.is_empty() => MConfig {
                client_id: id.value.clone(),
                username: None,
                password: None,
                will: None,
            },
            [id, user, pass, rest @ ..]
                if field_ok(id) && field_ok(user) && field_ok(pass) && !id.value.is_empty() =>
            {
                let will = match rest {
                    [] => None,
                    [q, r, topic, msg] => {
                        // Will topic and message must be quoted (S1).
                        let (Some(qos), Some(retain)) = (qos_of(q), flag_of(r)) else {
                            return Final::Error;
                        };
                        if !topic.quoted || !msg.quoted || msg.value.len() > MAX_WILL {
                            return Final::Error;
                        }
                        if !valid_topic(&topic.value, false) {
                            return Final::Error;
                        }
                        Some(mqtt::Will {
                            topic: topic.value.clone(),
                            message: at::decode_escapes(&msg.value),
                            qos,
                            retain,
                        })
                    }
                    _ => return Final::Error,
                };
                // Empty user/password means "none" (S2's `AT+MCONFIG=<id>,"",""`).
                MConfig {
                    client_id: id.value.clone(),
                    username: (!user.value.is_empty()).then(|| user.value.clone()),
                    password: (!pass.value.is_empty()).then(|| pass.value.clone()),
                    will,
                }
            }
            _ => return Final::Error,
        };
        self.s.mconfig = Some(cfg);
        Final::Ok
    }

    fn cmd_mipstart(&mut self, now: Instant, cmd: &Command, tls: bool) -> Final {
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [host, port] = args.as_slice() else {
            return Final::Error;
        };
        let Some(port) = port.as_int().filter(|p| (1..=65535).contains(p)) else {
            return Final::Error;
        };
        let host = host.as_str();
        if host.is_empty() || host.len() > MAX_FIELD || host.contains(char::is_whitespace) {
            return Final::Error;
        }
        if self.link.is_some() {
            self.after_final.push(b"ALREADY CONNECT".to_vec());
            return Final::Ok;
        }
        if !self.attached || matches!(self.pdp, super::Pdp::NwDeact | super::Pdp::Deact) {
            let state = format!("STATE: {}", self.ip_state());
            self.after_final.push(state.into_bytes());
            self.after_final.push(b"CONNECT FAIL".to_vec());
            return Final::Ok;
        }
        // After AT+CIPSHUT the TCP/IP layer brings the bearer up again on demand.
        self.pdp = super::Pdp::Active;
        self.mdisconnected = false;
        if self.unreachable_left > 0 {
            // `unreachable`: fails as a real connect failure does, without trying.
            self.unreachable_left -= 1;
            crate::elog!("MIPSTART: broker unreachable (fault)");
            self.after_final.push(b"STATE: TCP CLOSED".to_vec());
            self.after_final.push(b"CONNECT FAIL".to_vec());
            return Final::Ok;
        }
        let tls = tls.then(|| self.tls_settings(&host));
        self.open_link(now, host, port as u16, tls);
        Final::Ok
    }

    /// TLS parameters from SSLCFG context 88 and the module's files.
    fn tls_settings(&self, host: &str) -> TlsSettings {
        let get = |tag: &str| {
            self.s
                .ssl
                .get(&(88, tag.to_string()))
                .filter(|v| !v.is_empty())
        };
        let mut t = TlsSettings {
            seclevel: get("seclevel").and_then(|v| v.parse().ok()).unwrap_or(0),
            server_name: get("hostname").cloned().unwrap_or_else(|| host.to_string()),
            version: get("sslversion").and_then(|v| v.parse().ok()),
            ..TlsSettings::default()
        };
        let mut file = |tag: &str| -> Option<Vec<u8>> {
            let name = get(tag)?;
            match self.files.get(name) {
                Some(bytes) => Some(bytes.clone()),
                None => {
                    t.problem
                        .get_or_insert(format!("{tag} file {name:?} does not exist"));
                    None
                }
            }
        };
        let ca = file("cacert");
        let cert = file("clientcert");
        let key = file("clientkey");
        t.ca_pem = ca;
        t.client_cert_pem = cert;
        t.client_key_pem = key;
        if t.seclevel >= 1 && t.ca_pem.is_none() {
            t.problem.get_or_insert("seclevel 1 needs a cacert".into());
        }
        t
    }

    fn cmd_mconnect(&mut self, now: Instant, cmd: &Command) -> Final {
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (clean, keepalive, mode) = match args.as_slice() {
            [c, k] => (c, k, None),
            [c, k, m] if self.profile.mconnect_mode() => (c, k, Some(m)),
            _ => return Final::Error,
        };
        let (Some(clean), Some(mut keepalive)) = (
            flag_of(clean),
            keepalive.as_int().filter(|k| (1..=65535).contains(k)),
        ) else {
            return Final::Error;
        };
        let mode = match mode {
            None => 0,
            Some(m) => match m.as_int() {
                Some(v @ 0..=1) => v,
                _ => return Final::Error,
            },
        };
        // EC618: keepalive above 300 s needs mode 1 (manual V1.6.7, G2); without it the
        // firmware uses 300 s.
        if self.profile.mconnect_mode() && mode == 0 && keepalive > 300 {
            keepalive = 300;
        }
        match self.link.as_ref().map(|l| l.phase) {
            Some(Phase::TcpUp) => {}
            _ => return Final::Cme(767),
        }
        if self.refuse_left > 0 {
            // `refuse`: what a refused CONNACK looks like (ERROR, then the broker closes the
            // socket: CLOSED), without asking the broker.
            self.refuse_left -= 1;
            crate::elog!("MCONNECT refused (fault)");
            self.drop_link(now, false);
            self.stats.closed_urcs += 1;
            self.after_final.push(b"ERROR".to_vec());
            self.after_final.push(b"CLOSED".to_vec());
            return Final::Ok;
        }
        let c = self.s.mconfig.clone();
        let connect = mqtt::Connect {
            // Without MCONFIG the module still connects (G5); it uses its IMEI as client id.
            client_id: c.as_ref().map_or_else(
                || self.profile.imei().as_bytes().to_vec(),
                |c| c.client_id.clone(),
            ),
            username: c.as_ref().and_then(|c| c.username.clone()),
            password: c.as_ref().and_then(|c| c.password.clone()),
            will: c.and_then(|c| c.will),
            clean_session: clean,
            keepalive: keepalive as u16,
        };
        if let Some(l) = self.link.as_mut() {
            l.phase = Phase::MqttWait;
            l.keepalive = Duration::from_secs(keepalive as u64);
            l.ping_outstanding = false;
        }
        self.send(now, mqtt::encode_connect(&connect));
        Final::Ok
    }

    fn cmd_msub(&mut self, now: Instant, cmd: &Command, subscribe: bool) -> Final {
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (topic, qos) = match (subscribe, args.as_slice()) {
            (true, [t, q]) => match qos_of(q) {
                Some(q) => (t, q),
                None => return Final::Error,
            },
            (false, [t]) => (t, 0),
            _ => return Final::Error,
        };
        if !valid_topic(&topic.value, true) {
            return Final::Error;
        }
        let topic = topic.value.clone();
        let Some(link) = self.connected_link() else {
            return Final::Cme(767);
        };
        let pid = Self::alloc_pid(link);
        link.subs.insert(pid, subscribe);
        let pkt = if subscribe {
            mqtt::encode_subscribe(pid, &topic, qos)
        } else {
            mqtt::encode_unsubscribe(pid, &topic)
        };
        self.send(now, pkt);
        Final::Ok
    }

    fn cmd_mpub(&mut self, now: Instant, cmd: &Command) -> Final {
        let Form::Set(raw) = &cmd.form else {
            return Final::Error;
        };
        let Some((fields, rest)) = at::split_leading(raw, 3) else {
            return Final::Error;
        };
        let (Some(qos), Some(retain)) = (qos_of(&fields[1]), flag_of(&fields[2])) else {
            return Final::Error;
        };
        let topic = &fields[0].value;
        if !valid_topic(topic, false) {
            return Final::Error;
        }
        // The message must be in double quotes (S1); only the outer quotes are syntax.
        let rest = rest.trim_ascii();
        if rest.len() < 2 || rest[0] != b'"' || rest[rest.len() - 1] != b'"' {
            return Final::Error;
        }
        let inner = &rest[1..rest.len() - 1];
        let payload = if self.s.mqttmode == 1 {
            match at::decode_hex(inner) {
                Some(p) => p,
                None => return Final::Error,
            }
        } else {
            at::decode_escapes(inner)
        };
        if payload.len() > self.profile.mpub_max() {
            return Final::Error;
        }
        let topic = topic.clone();
        self.publish(now, &topic, &payload, qos, retain)
    }

    fn cmd_mpubex(&mut self, now: Instant, cmd: &Command) -> Final {
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (t, q, r, len) = match args.as_slice() {
            [t, q, r] => (t, q, r, None),
            [t, q, r, l] => (t, q, r, Some(l)),
            _ => return Final::Error,
        };
        let (Some(qos), Some(retain)) = (qos_of(q), flag_of(r)) else {
            return Final::Error;
        };
        if !valid_topic(&t.value, false) {
            return Final::Error;
        }
        let expected = match len {
            None => None,
            Some(l) => match l.as_int() {
                Some(n) if n >= 1 && n as usize <= self.profile.mpubex_max() => Some(n as usize),
                _ => return Final::Error,
            },
        };
        if self.connected_link().is_none() {
            return Final::Cme(767);
        }
        let idle = Duration::from_millis(self.cfg.mpubex_idle_ms);
        self.data = Some(DataMode {
            kind: DataKind::Mpubex {
                topic: t.value.clone(),
                qos,
                retain,
            },
            expected,
            buf: Vec::with_capacity(expected.unwrap_or(256)),
            deadline: now + idle,
            idle: Some(idle),
        });
        // Prompt framed like CIPSEND's: CRLF, '>', space (exact bytes unknown, §5.7).
        self.raw_out(now, b"\r\n> ".to_vec());
        Final::Pending
    }

    fn cmd_mqttmode(&mut self, now: Instant, cmd: &Command) -> Final {
        if !self.has_mqttmode() {
            return Final::Error;
        }
        match &cmd.form {
            Form::Read => {
                let t = format!("+MQTTMODE: {}", self.s.mqttmode);
                self.info(now, &t);
                Final::Ok
            }
            Form::Set(_) => match set_args(cmd).as_deref() {
                Some([a]) => match a.as_int() {
                    Some(v @ 0..=1) => {
                        self.s.mqttmode = v as u8;
                        Final::Ok
                    }
                    _ => Final::Error,
                },
                _ => Final::Error,
            },
            _ => Final::Error,
        }
    }

    fn cmd_msgset(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                let t = format!("+MQTTMSGSET:{}", self.s.msgset);
                self.info(now, &t);
                Final::Ok
            }
            Form::Set(_) => match set_args(cmd).as_deref() {
                Some([a]) => match a.as_int() {
                    Some(v @ 0..=1) => {
                        self.s.msgset = v as u8;
                        Final::Ok
                    }
                    _ => Final::Error,
                },
                _ => Final::Error,
            },
            _ => Final::Error,
        }
    }

    fn cmd_msgget(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Exec => {
                // Oldest first; every slot is INVALID afterwards.
                let mut entries: Vec<_> = self.cache.iter_mut().filter_map(Option::take).collect();
                entries.sort_by_key(|e| e.seq);
                for e in &entries {
                    let line = self.readback_line(e);
                    self.line(now, &line);
                }
                Final::Ok
            }
            Form::Read => {
                for i in 0..4 {
                    let status = if self.cache[i].is_some() {
                        "VALID"
                    } else {
                        "INVALID"
                    };
                    let t = format!("+MQTTMSGGET: {i},{status}");
                    self.info(now, &t);
                }
                Final::Ok
            }
            _ => Final::Error,
        }
    }

    fn cmd_statu(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form != Form::Exec {
            return Final::Error;
        }
        let state = match self.link.as_ref().map(|l| l.phase) {
            Some(Phase::Connected) => 1,
            Some(Phase::TcpUp | Phase::MqttWait) => 2,
            _ => 0,
        };
        // Note the space before the colon (G4, S17).
        let t = format!("+MQTTSTATU :{state}");
        self.info(now, &t);
        Final::Ok
    }

    fn cmd_mdisconnect(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form != Form::Exec {
            return Final::Error;
        }
        match self.link.as_ref().map(|l| l.phase) {
            Some(Phase::Connected | Phase::MqttWait) => {
                self.send(now, mqtt::encode_disconnect());
                self.drop_link(now, false);
                self.mdisconnected = true;
                Final::Ok
            }
            _ => Final::Cme(767),
        }
    }

    fn cmd_mipclose(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form != Form::Exec {
            return Final::Error;
        }
        if self.link.is_some() {
            self.drop_link(now, false);
            Final::Ok
        } else if std::mem::take(&mut self.mdisconnected) {
            Final::Ok
        } else {
            Final::Cme(767)
        }
    }
}
