//! `AT+QMTCFG` (docs/quectel-simcom-at.md §3.2) and `AT+QSSLCFG` (§3.10), and the TLS
//! parameters a `AT+QMTOPEN` takes from them.
//!
//! An item given with the client index (or TLS context) only is a query (§3.2). The reply
//! format of a query is UNKNOWN in the doc; the emulator answers `+QMTCFG: "<item>",<values>`
//! and `+QSSLCFG: "<item>",<ctx>,<value>`, then `OK`.

use std::time::Instant;

use super::super::basic::set_args;
use super::super::{Final, Module, TlsSettings};
use super::CLIENTS;
use crate::at::{Arg, Command, Form};
use crate::mqtt::Will;

/// Topic / id limit the emulator enforces; the real LTE limits are UNKNOWN (§6.1).
pub(crate) const MAX_FIELD: usize = 256;
/// Will message limit of the emulator (real size UNKNOWN, §3.2).
const MAX_WILL: usize = 1024;

const SSL_ITEMS: &[&str] = &[
    "sslversion",
    "seclevel",
    "ciphersuite",
    "ignorelocaltime",
    "sni",
    "cacert",
    "clientcert",
    "clientkey",
    "negotiatetime",
];

fn int_in(a: &Arg, r: std::ops::RangeInclusive<i64>) -> Option<i64> {
    a.as_int().filter(|v| r.contains(v))
}

/// A client index 0..5, unquoted.
pub(crate) fn client_of(a: &Arg) -> Option<u8> {
    (!a.quoted)
        .then(|| int_in(a, 0..=(CLIENTS as i64 - 1)))
        .flatten()
        .map(|v| v as u8)
}

/// A file name as `AT+QSSLCFG` gives it: the `UFS:` / `RAM:` prefixes name the same emulated
/// file system the `--file NAME=PATH` flag fills.
pub(crate) fn file_key(name: &str) -> &str {
    name.strip_prefix("UFS:")
        .or_else(|| name.strip_prefix("RAM:"))
        .unwrap_or(name)
}

impl Module {
    pub(super) fn cmd_qmtcfg(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [item, c, vals @ ..] = args.as_slice() else {
            return Final::Error;
        };
        let Some(c) = client_of(c).map(usize::from) else {
            return Final::Error;
        };
        if !item.quoted {
            return Final::Error;
        }
        let item = item.as_str().to_ascii_lowercase();
        if vals.is_empty() {
            return self.qmtcfg_query(now, &item, c);
        }
        let cfg = &mut self.q.clients[c];
        let ok = match (item.as_str(), vals) {
            ("version", [v]) => int_in(v, 3..=4).map(|v| cfg.version = v as u8),
            ("pdpcid", [v]) => int_in(v, 1..=16).map(|v| cfg.pdpcid = v as u8),
            // Range UNKNOWN for LTE parts (§3.2); 0 = no keepalive, as in MQTT.
            ("keepalive", [v]) => int_in(v, 0..=3600).map(|v| cfg.keepalive = v as u16),
            ("session", [v]) => int_in(v, 0..=1).map(|v| cfg.clean = v == 1),
            ("timeout", [t, r, n]) => {
                match (int_in(t, 1..=60), int_in(r, 0..=10), int_in(n, 0..=1)) {
                    (Some(t), Some(r), Some(n)) => {
                        cfg.timeout = (t as u16, r as u16, n as u16);
                        Some(())
                    }
                    _ => None,
                }
            }
            ("will", [flag]) if flag.as_int() == Some(0) => {
                cfg.will = None;
                Some(())
            }
            ("will", [flag, qos, retain, topic, msg]) => {
                match (
                    int_in(flag, 0..=1),
                    int_in(qos, 0..=2),
                    int_in(retain, 0..=1),
                ) {
                    (Some(f), Some(q), Some(r))
                        if topic.quoted
                            && msg.quoted
                            && !topic.value.is_empty()
                            && topic.value.len() <= MAX_FIELD
                            && msg.value.len() <= MAX_WILL =>
                    {
                        cfg.will = (f == 1).then(|| Will {
                            topic: topic.value.clone(),
                            message: msg.value.clone(),
                            qos: q as u8,
                            retain: r == 1,
                        });
                        Some(())
                    }
                    _ => None,
                }
            }
            ("recv/mode", [m]) => int_in(m, 0..=1).map(|m| {
                cfg.recv_mode = m as u8;
                cfg.recv_len = false;
            }),
            ("recv/mode", [m, l]) => match (int_in(m, 0..=1), int_in(l, 0..=1)) {
                (Some(m), Some(l)) => {
                    cfg.recv_mode = m as u8;
                    cfg.recv_len = l == 1;
                    Some(())
                }
                _ => None,
            },
            ("ssl", [on]) => int_in(on, 0..=1).map(|on| cfg.ssl = on == 1),
            ("ssl", [on, ctx]) => match (int_in(on, 0..=1), int_in(ctx, 0..=5)) {
                (Some(on), Some(ctx)) => {
                    cfg.ssl = on == 1;
                    cfg.ssl_ctx = ctx as u8;
                    Some(())
                }
                _ => None,
            },
            _ => None,
        };
        match ok {
            Some(()) => Final::Ok,
            None => Final::Error,
        }
    }

    fn qmtcfg_query(&mut self, now: Instant, item: &str, c: usize) -> Final {
        let cfg = &self.q.clients[c];
        let v = match item {
            "version" => cfg.version.to_string(),
            "pdpcid" => cfg.pdpcid.to_string(),
            "keepalive" => cfg.keepalive.to_string(),
            "session" => u8::from(cfg.clean).to_string(),
            "timeout" => format!("{},{},{}", cfg.timeout.0, cfg.timeout.1, cfg.timeout.2),
            "will" => match &cfg.will {
                None => "0".to_string(),
                Some(w) => format!(
                    "1,{},{},\"{}\",\"{}\"",
                    w.qos,
                    u8::from(w.retain),
                    String::from_utf8_lossy(&w.topic),
                    String::from_utf8_lossy(&w.message)
                ),
            },
            "recv/mode" => format!("{},{}", cfg.recv_mode, u8::from(cfg.recv_len)),
            "ssl" => format!("{},{}", u8::from(cfg.ssl), cfg.ssl_ctx),
            _ => return Final::Error,
        };
        let t = format!("+QMTCFG: \"{item}\",{v}");
        self.info(now, &t);
        Final::Ok
    }

    /// `AT+QSSLCFG="<item>",<ctx>[,<value>]`, stored per (context, item) in the RAM settings.
    pub(super) fn cmd_qsslcfg(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        let [item, ctx, rest @ ..] = args.as_slice() else {
            return Final::Error;
        };
        let item_name = item.as_str().to_ascii_lowercase();
        if !item.quoted || !SSL_ITEMS.contains(&item_name.as_str()) {
            return Final::Error;
        }
        // The context range is UNKNOWN (§3.10); 0..5 as the client indexes.
        let Some(ctx) = int_in(ctx, 0..=5).filter(|_| !ctx.quoted) else {
            return Final::Error;
        };
        let key = (ctx as u16, item_name.clone());
        let value = match rest {
            [] => {
                let v = self.s.ssl.get(&key).cloned().unwrap_or_default();
                let shown = if item_name.starts_with("client") || item_name == "cacert" {
                    format!("\"{v}\"")
                } else {
                    v
                };
                let t = format!("+QSSLCFG: \"{item_name}\",{ctx},{shown}");
                self.info(now, &t);
                return Final::Ok;
            }
            [v] => v,
            _ => return Final::Error,
        };
        let ok = match item_name.as_str() {
            "sslversion" => int_in(value, 0..=4).is_some() && !value.quoted,
            "seclevel" => int_in(value, 0..=2).is_some() && !value.quoted,
            "ignorelocaltime" | "sni" => int_in(value, 0..=1).is_some() && !value.quoted,
            "negotiatetime" => int_in(value, 10..=300).is_some() && !value.quoted,
            // Unquoted hex; a quoted value answers ERROR (§3.10, Q07).
            "ciphersuite" => {
                let v = value.as_str();
                !value.quoted
                    && v.len() > 2
                    && v[..2].eq_ignore_ascii_case("0x")
                    && v[2..].chars().all(|c| c.is_ascii_hexdigit())
            }
            // File names are quoted strings.
            _ => value.quoted && !value.value.is_empty() && value.value.len() <= MAX_FIELD,
        };
        if !ok {
            return Final::Error;
        }
        self.s.ssl.insert(key, value.as_str());
        Final::Ok
    }

    /// TLS parameters for a `AT+QMTOPEN` on a client with `"ssl",<c>,1,<ctx>`.
    pub(super) fn q_tls_settings(&self, ctx: u8, host: &str) -> TlsSettings {
        let get = |item: &str| {
            self.s
                .ssl
                .get(&(u16::from(ctx), item.to_string()))
                .filter(|v| !v.is_empty())
        };
        let mut t = TlsSettings {
            seclevel: get("seclevel").and_then(|v| v.parse().ok()).unwrap_or(0),
            // The broker's host name is the name verified (and sent as SNI; "sni" is stored).
            server_name: host.to_string(),
            version: get("sslversion").and_then(|v| v.parse().ok()),
            ..TlsSettings::default()
        };
        let mut file = |item: &str| -> Option<Vec<u8>> {
            let name = get(item)?;
            match self.files.get(file_key(name)) {
                Some(bytes) => Some(bytes.clone()),
                None => {
                    t.problem
                        .get_or_insert(format!("{item} file {name:?} does not exist"));
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
}
