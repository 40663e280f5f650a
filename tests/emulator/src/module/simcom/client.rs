//! Client commands of the SIMCom dialect: `AT+CMQTTACCQ` / `AT+CMQTTREL` (§4.3), TLS
//! configuration (`AT+CSSLCFG`, `AT+CMQTTSSLCFG`, `AT+CCERTDOWN`, §4.12), `AT+CMQTTCONNECT`
//! (§4.5) and `AT+CMQTTDISC` (§4.11) of docs/quectel-simcom-at.md.
//!
//! Where the doc gives no answer for a wrong state, the emulator answers in the S12 / S20
//! shape `+CMQTTxxx: <c>,<err>` then `ERROR`, with the §4.10 code whose wording fits; those
//! choices are listed in README.md.

use std::time::{Duration, Instant};

use super::super::basic::set_args;
use super::super::{DataKind, DataMode, Final, Module, Phase, TlsSettings};
use super::{client_of, int_in, ConnectFailForm, Held, Prompt};
use crate::at::{Command, Form};
use crate::mqtt;
use crate::profile::Profile;

/// Client id 1–128 bytes (§6.2, W4).
const MAX_ID: usize = 128;
/// User name / password: limit UNKNOWN (§6.2); the emulator takes 256.
const MAX_CRED: usize = 256;
/// `AT+CCERTDOWN` length: UNKNOWN; a PEM chain fits in 16 KiB.
const MAX_CERT: usize = 16 * 1024;
/// `AT+CSSLCFG` items of §4.12 (and `negotiatetime`, stored only).
const SSL_ITEMS: &[&str] = &[
    "sslversion",
    "authmode",
    "cacert",
    "clientcert",
    "clientkey",
    "enablesni",
    "ignorelocaltime",
    "ciphersuites",
    "negotiatetime",
];

/// `tcp://host:port` (the TLS choice is `server_type`, the scheme stays `tcp`, §4.3).
fn parse_url(url: &[u8]) -> Option<(String, u16)> {
    let s = std::str::from_utf8(url).ok()?;
    let rest = s.strip_prefix("tcp://")?;
    let (host, port) = rest.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
    let ok = !host.is_empty() && host.len() <= 256 && !host.contains(char::is_whitespace);
    ok.then(|| (host.to_string(), port))
}

impl Module {
    /// `AT+CMQTTACCQ=<c>,"<clientid>"[,<server_type>[,<mqtt_version>]]` → `OK` (§4.3).
    /// Service not started: err 9 (network not opened); index already acquired: err 19
    /// (client is used). Both codes are the emulator's reading of the §4.10 wording.
    pub(super) fn cmd_cmqttaccq(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Test => {
                // The test response W4 quotes.
                self.info(now, "+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)");
                return Final::Ok;
            }
            Form::Read => {
                for (i, cl) in self.sc.clients.clone().iter().enumerate() {
                    let (id, tls) = cl
                        .acquired
                        .as_ref()
                        .map_or((String::new(), false), |(id, tls, _)| {
                            (String::from_utf8_lossy(id).into_owned(), *tls)
                        });
                    let t = format!("+CMQTTACCQ: {i},\"{id}\",{}", u8::from(tls));
                    self.info(now, &t);
                }
                return Final::Ok;
            }
            _ => {}
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (c, id, ty, ver) = match args.as_slice() {
            [c, id] => (c, id, Some(0), Some(4)),
            [c, id, t] => (c, id, int_in(t, 0..=1), Some(4)),
            [c, id, t, v] => (c, id, int_in(t, 0..=1), int_in(v, 3..=4)),
            _ => return Final::Error,
        };
        let (Some(c), Some(ty), Some(ver)) = (client_of(c), ty, ver) else {
            return Final::Error;
        };
        if !id.quoted || id.value.is_empty() || id.value.len() > MAX_ID {
            return Final::Error;
        }
        if !self.sc.started {
            return self.sc_fail(now, "+CMQTTACCQ", c, 9);
        }
        let slot = &mut self.sc.clients[usize::from(c)];
        if slot.acquired.is_some() {
            return self.sc_fail(now, "+CMQTTACCQ", c, 19);
        }
        slot.acquired = Some((id.value.clone(), ty == 1, ver as u8));
        Final::Ok
    }

    /// `AT+CMQTTREL=<c>` → `OK`, also for a client never acquired (S04). A link of that client
    /// is dropped without a URC and its will and buffers are forgotten.
    pub(super) fn cmd_cmqttrel(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(c) = set_args(cmd).as_deref().and_then(|a| match a {
            [c] => client_of(c),
            _ => None,
        }) else {
            return Final::Error;
        };
        if self.link.is_some() && self.sc.client == c {
            self.drop_link(now, false);
            self.sc.ops.clear();
            self.sc.connect = None;
        }
        self.sc.clients[usize::from(c)] = Default::default();
        Final::Ok
    }

    /// `AT+CMQTTSSLCFG=<c>,<ctx>` → `OK` (§4.12). Context range UNKNOWN: 0–9 here.
    pub(super) fn cmd_cmqttsslcfg(&mut self, _now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        match set_args(cmd).as_deref() {
            Some([c, ctx]) => match (client_of(c), int_in(ctx, 0..=9)) {
                (Some(c), Some(ctx)) => {
                    self.sc.clients[usize::from(c)].ssl_ctx = ctx as u8;
                    Final::Ok
                }
                _ => Final::Error,
            },
            _ => Final::Error,
        }
    }

    /// `AT+CSSLCFG="<item>",<ctx>,<value>` (§4.12), stored per (context, item). With the
    /// context only it reads the item back as `+CSSLCFG: "<item>",<ctx>,<value>` (reply format
    /// UNKNOWN; ours).
    pub(super) fn cmd_csslcfg(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Set(_) => {}
            Form::Test => return Final::Ok,
            _ => return Final::Error,
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [item, ctx, rest @ ..] = args.as_slice() else {
            return Final::Error;
        };
        let name = item.as_str().to_ascii_lowercase();
        let Some(ctx) = int_in(ctx, 0..=9).filter(|_| item.quoted) else {
            return Final::Error;
        };
        if !SSL_ITEMS.contains(&name.as_str()) {
            return Final::Error;
        }
        let key = (ctx as u16, name.clone());
        let value = match rest {
            [] => {
                let v = self.s.ssl.get(&key).cloned().unwrap_or_default();
                self.info(now, &format!("+CSSLCFG: \"{name}\",{ctx},{v}"));
                return Final::Ok;
            }
            [v] => v,
            _ => return Final::Error,
        };
        let ok = match name.as_str() {
            "sslversion" => int_in(value, 0..=4).is_some(),
            "authmode" => int_in(value, 0..=2).is_some(),
            "enablesni" | "ignorelocaltime" => int_in(value, 0..=1).is_some(),
            "negotiatetime" => int_in(value, 10..=300).is_some(),
            "ciphersuites" => !value.quoted && !value.value.is_empty(),
            // Certificate file names, quoted (`AT+CCERTDOWN` names or `--file` names).
            _ => value.quoted && !value.value.is_empty() && value.value.len() <= 256,
        };
        if !ok {
            return Final::Error;
        }
        self.s.ssl.insert(key, value.as_str());
        Final::Ok
    }

    /// `AT+CCERTDOWN="<name>",<len>` → `>` → PEM bytes → `OK` (S03, S04, S11): the file goes
    /// into the same file system `--file` fills.
    pub(super) fn cmd_ccertdown(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        match set_args(cmd).as_deref() {
            Some([name, len]) if name.quoted && !name.value.is_empty() => {
                match int_in(len, 1..=MAX_CERT as i64) {
                    Some(n) => self.sc_prompt(now, Prompt::Cert(name.as_str()), n as usize),
                    None => Final::Error,
                }
            }
            _ => Final::Error,
        }
    }

    /// Starts reading `len` raw bytes after the prompt. The prompt bytes are UNKNOWN (§1,
    /// §4.14 item 6): A76xx prints `>` alone, SIM7600 `> `, so a host sees both.
    pub(super) fn sc_prompt(&mut self, now: Instant, p: Prompt, len: usize) -> Final {
        let idle = Duration::from_millis(self.cfg.mpubex_idle_ms);
        self.data = Some(DataMode {
            kind: DataKind::Simcom(p),
            expected: Some(len),
            buf: Vec::with_capacity(len),
            deadline: now + idle,
            idle: Some(idle),
        });
        let prompt: &[u8] = if self.profile == Profile::Sim7600 {
            b"\r\n> "
        } else {
            b"\r\n>"
        };
        self.raw_out(now, prompt.to_vec());
        Final::Pending
    }

    /// TLS parameters for client `c` from its `AT+CSSLCFG` context (§4.12): `authmode` 0 none,
    /// 1 verify the server, 2 also a client certificate (by analogy with Quectel, inferred).
    fn sc_tls_settings(&self, c: u8, host: &str) -> TlsSettings {
        let ctx = u16::from(self.sc.clients[usize::from(c)].ssl_ctx);
        let get = |item: &str| {
            self.s
                .ssl
                .get(&(ctx, item.to_string()))
                .filter(|v| !v.is_empty())
        };
        let mut t = TlsSettings {
            seclevel: get("authmode").and_then(|v| v.parse().ok()).unwrap_or(0),
            server_name: host.to_string(),
            version: get("sslversion").and_then(|v| v.parse().ok()),
            ..TlsSettings::default()
        };
        for item in ["cacert", "clientcert", "clientkey"] {
            let Some(name) = get(item) else { continue };
            let bytes = self.files.get(name.as_str()).cloned();
            if bytes.is_none() {
                t.problem
                    .get_or_insert(format!("{item} file {name:?} does not exist"));
            }
            match item {
                "cacert" => t.ca_pem = bytes,
                "clientcert" => t.client_cert_pem = bytes,
                _ => t.client_key_pem = bytes,
            }
        }
        let needs = |lvl: u8, have: bool| t.seclevel >= lvl && !have;
        if needs(1, t.ca_pem.is_some())
            || needs(2, t.client_cert_pem.is_some() && t.client_key_pem.is_some())
        {
            t.problem
                .get_or_insert("authmode needs certificates".into());
        }
        t
    }

    /// `AT+CMQTTCONNECT=<c>,"tcp://<host>:<port>",<keepalive>,<clean>[,"<user>"[,"<pass>"]]`
    /// (§4.5). The result `+CMQTTCONNECT: <c>,<err>` comes after the real CONNACK; a failure
    /// takes the shape chosen for this connect (forms.rs). `AT+CMQTTCONNECT?` lists the
    /// connected clients (`+CMQTTCONNECT: <c>,"<url>",...` is UNKNOWN; the emulator prints
    /// nothing but `OK` and leaves state queries to `AT+CMQTTDISC?`).
    pub(super) fn cmd_cmqttconnect(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Test | Form::Read => return Final::Ok,
            Form::Exec => return Final::Error,
            Form::Set(_) => {}
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let (c, url, ka, clean, user, pass) = match args.as_slice() {
            [c, u, k, cl] => (c, u, k, cl, None, None),
            [c, u, k, cl, us] => (c, u, k, cl, Some(us), None),
            [c, u, k, cl, us, p] => (c, u, k, cl, Some(us), Some(p)),
            _ => return Final::Error,
        };
        let cred_ok =
            |a: Option<&crate::at::Arg>| a.is_none_or(|a| a.quoted && a.value.len() <= MAX_CRED);
        let (Some(c), Some(ka), Some(clean)) =
            (client_of(c), int_in(ka, 1..=64800), int_in(clean, 0..=1))
        else {
            return Final::Error;
        };
        let Some((host, port)) = parse_url(&url.value).filter(|_| url.quoted) else {
            return Final::Error;
        };
        if !cred_ok(user) || !cred_ok(pass) {
            return Final::Error;
        }
        let form = self.sc_connect_form();
        self.sc.connect_form = Some(form);
        let slot = self.sc.clients[usize::from(c)].clone();
        let err = if !self.sc.started {
            Some(9)
        } else if slot.acquired.is_none() {
            Some(20)
        } else if self.link.is_some() {
            Some(19) // this client is connected, or the emulator's one link is taken
        } else if !self.attached || self.pdp != super::super::Pdp::Active {
            Some(3)
        } else if self.unreachable_left > 0 {
            self.unreachable_left -= 1;
            // Nothing answers (3, S12) or the server closes the socket at once (26, S05).
            Some(if self.form_rng.range(0, 1) == 0 {
                3
            } else {
                26
            })
        } else if self.refuse_left > 0 {
            self.refuse_left -= 1;
            Some(31) // CONNACK 5, not authorised
        } else {
            None
        };
        if let Some(err) = err {
            crate::elog!("CMQTTCONNECT {c}: fails at once with {err}");
            return self.sc_connect_now(now, c, err, form);
        }
        let (id, tls_on, level) = slot.acquired.unwrap_or_default();
        let tls = tls_on.then(|| self.sc_tls_settings(c, &host));
        if tls.as_ref().is_some_and(|t| t.problem.is_some()) {
            // Certificate not set (33): the module finds out before connecting.
            return self.sc_connect_now(now, c, 33, form);
        }
        let will = match (slot.will_topic, slot.will_msg) {
            (Some(topic), Some((message, qos))) => Some(mqtt::Will {
                topic,
                message,
                qos,
                retain: false,
            }),
            _ => None,
        };
        let connect = mqtt::Connect {
            client_id: id,
            username: user
                .filter(|u| !u.value.is_empty())
                .map(|u| u.value.clone()),
            password: pass
                .filter(|p| !p.value.is_empty())
                .map(|p| p.value.clone()),
            will,
            clean_session: clean == 1,
            keepalive: ka as u16,
        };
        self.sc.client = c;
        self.sc.ops.clear();
        self.sc.connect = Some((connect, level));
        self.open_link(now, host, port, tls);
        if let Some(l) = self.link.as_mut() {
            l.keepalive = Duration::from_secs(ka as u64);
        }
        if form == ConnectFailForm::Async {
            return Final::Ok;
        }
        // Sync and bare forms: the final result waits for the outcome (link.rs).
        self.sc.final_pending = Some(Held::Connect);
        Final::Pending
    }

    /// A connect decided without a broker: the chosen form with `err`.
    fn sc_connect_now(&mut self, now: Instant, c: u8, err: u8, form: ConnectFailForm) -> Final {
        self.sc.connect_form = None;
        let t = format!("+CMQTTCONNECT: {c},{err}");
        match form {
            ConnectFailForm::Async => {
                self.after_final.push(t.into_bytes());
                Final::Ok
            }
            ConnectFailForm::Sync => {
                self.info(now, &t);
                Final::Error
            }
            ConnectFailForm::Bare => Final::Error,
        }
    }

    /// The outcome of a connect that reached the network: success is `OK` (if still held) and
    /// `+CMQTTCONNECT: <c>,0`; a failure takes the connect's form.
    pub(crate) fn sc_connect_result(&mut self, now: Instant, err: u8) {
        let c = self.sc.client;
        let form = self
            .sc
            .connect_form
            .take()
            .unwrap_or(ConnectFailForm::Async);
        let held = self.sc.final_pending == Some(Held::Connect);
        if held {
            self.sc.final_pending = None;
        }
        let t = format!("+CMQTTCONNECT: {c},{err}");
        if err == 0 {
            self.stats.count_ack("CMQTTCONNECT");
            if held {
                self.emit_final(now, Final::Ok);
            }
            self.urc(now, t.as_bytes());
            return;
        }
        match (held, form) {
            (false, _) => self.urc(now, t.as_bytes()),
            (true, ConnectFailForm::Bare) => self.emit_final(now, Final::Error),
            (true, _) => {
                self.urc(now, t.as_bytes());
                self.emit_final(now, Final::Error);
            }
        }
    }

    /// `AT+CMQTTDISC=<c>,<timeout>` → `OK`, `+CMQTTDISC: <c>,0` (§4.11); DISCONNECT sent, link
    /// closed. Not connected: `+CMQTTDISC: <c>,11` then `ERROR` (no connection; ours).
    /// `AT+CMQTTDISC?` → `+CMQTTDISC: <c>,<state>` per client, 0 = connected (D13).
    pub(super) fn cmd_cmqttdisc(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Read => {
                for c in 0..super::CLIENTS as u8 {
                    let up = self.sc_phase(c) == Some(Phase::Connected);
                    let t = format!("+CMQTTDISC: {c},{}", u8::from(!up));
                    self.info(now, &t);
                }
                return Final::Ok;
            }
            Form::Test => return Final::Ok,
            Form::Exec => return Final::Error,
            Form::Set(_) => {}
        }
        let c = match set_args(cmd).as_deref() {
            Some([c, t]) if int_in(t, 0..=180).is_some() => client_of(c),
            Some([c]) => client_of(c),
            _ => None,
        };
        let Some(c) = c else {
            return Final::Error;
        };
        match self.sc_phase(c) {
            Some(Phase::Connected) => {
                self.send(now, mqtt::encode_disconnect());
                self.drop_link(now, false);
                self.sc.ops.clear();
                self.after_final
                    .push(format!("+CMQTTDISC: {c},0").into_bytes());
                Final::Ok
            }
            _ => self.sc_fail(now, "+CMQTTDISC", c, 11),
        }
    }

    /// The link's phase, if it is client `c`'s.
    pub(crate) fn sc_phase(&self, c: u8) -> Option<Phase> {
        self.link
            .as_ref()
            .filter(|_| self.sc.client == c)
            .map(|l| l.phase)
    }
}
