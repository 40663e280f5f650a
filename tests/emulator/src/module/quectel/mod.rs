//! The Quectel LTE Standard family (EC200U / EC600U / EG915U, EC800M) and its `AT+QMT*`
//! dialect, as docs/quectel-simcom-at.md §1–§3 describes it.
//!
//! The family shares the emulator's power, pins, boot timing, SIM/attach model, output queue,
//! faults and chaos with the Luat profiles (they live in `Module`); what is Quectel's is here:
//! - `mod.rs`: the dialect's state, the command dispatch, general and PDP commands;
//! - `cfg.rs`: `AT+QMTCFG` and `AT+QSSLCFG`;
//! - `client.rs`: the MQTT commands (`QMTOPEN` … `QMTCLOSE`);
//! - `link.rs`: what the broker link reports, turned into Quectel URCs.
//!
//! The emulator holds ONE broker link at a time (as for Luat). Client indexes 0–5 are accepted
//! and each keeps its own `AT+QMTCFG` items, but a `AT+QMTOPEN` on a second index while another
//! is open fails with `+QMTOPEN: <c>,-1` (an emulator limitation, not module behaviour).

mod cfg;
mod client;
mod link;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::Instant;

use super::basic::set_args;
use super::{Final, Module, Pdp};
use crate::at::{Command, Form};

pub(crate) use client::PubReq;

/// Client indexes of the LTE parts (docs/quectel-simcom-at.md §3, §6.1).
pub(crate) const CLIENTS: usize = 6;
/// The address `AT+QIACT?` reports for the emulated context (any private address would do).
const CONTEXT_IP: &str = "10.64.12.34";
/// ICCID and IMSI of the emulated SIM (the same card the Luat profiles have).
const ICCID: &str = "89860012345678901234";
const IMSI: &str = "460081234567890";

/// General commands the Quectel firmware shares with the Luat one (V.250 / 3GPP); they run
/// through the common dispatch. Everything else a Luat part knows answers `ERROR` here.
const SHARED: &[&str] = &[
    "", "E", "&W", "&F", "Z", "V", "Q", "+CMEE", "+CPIN", "+CGATT", "+CSQ", "+CGSN", "+GSN",
    "+CGMR", "+CCLK", "+CREG", "+CGREG", "+CEREG", "+CFUN", "+IPR", "+IFC", "+CGEREP", "+CSCLK",
    "+CGDCONT", "+CTZU", "+CMGC",
];

/// One client index's `AT+QMTCFG` items (§3.2). They live in RAM: a reboot resets them
/// (whether they survive on a real part is UNKNOWN, §3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientCfg {
    /// 3 = MQTT 3.1, 4 = MQTT 3.1.1.
    pub version: u8,
    pub pdpcid: u8,
    /// Seconds; 0 = no keepalive. Default 120 (a BC20 figure, not confirmed for LTE parts, §3.2).
    pub keepalive: u16,
    /// Clean session; the doc gives no default, the emulator starts with 1.
    pub clean: bool,
    /// pkt_timeout, retry_times, timeout_notice: stored and reported only.
    pub timeout: (u16, u16, u16),
    /// The will, and whether the flag was set (a flag of 0 keeps no will).
    pub will: Option<crate::mqtt::Will>,
    /// recv/mode: 0 URC, 1 buffer (accepted, but messages are still printed as URCs).
    pub recv_mode: u8,
    /// recv/mode third field: `<len>` in `+QMTRECV`.
    pub recv_len: bool,
    pub ssl: bool,
    pub ssl_ctx: u8,
}

impl Default for ClientCfg {
    fn default() -> Self {
        ClientCfg {
            version: 4,
            pdpcid: 1,
            keepalive: 120,
            clean: true,
            timeout: (5, 3, 0),
            will: None,
            recv_mode: 0,
            recv_len: false,
            ssl: false,
            ssl_ctx: 0,
        }
    }
}

/// What an MQTT packet id of ours stands for, so its ack can be reported with the host's msgid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Sub { msgid: u16 },
    Uns { msgid: u16 },
    Pub { msgid: u16, urc: &'static str },
}

/// Everything of the Quectel dialect that lives in the module's RAM (reset by every boot).
#[derive(Debug, Default)]
pub(crate) struct QState {
    pub clients: [ClientCfg; CLIENTS],
    /// `AT+QICSGP` of context 1: APN, user, password, auth.
    pub apn: (String, String, String, u8),
    /// Client index of the open broker link (meaningful while `Module::link` is `Some`).
    pub client: u8,
    pub host: String,
    pub port: u16,
    /// In-flight SUBSCRIBE / UNSUBSCRIBE / PUBLISH packet ids of the open link.
    pub ops: HashMap<u16, Op>,
    /// After `+QMTSTAT: <c>,2` the vendor's advice is to cycle the PDP context (§3.8): the
    /// emulator refuses `AT+QMTOPEN` (`+QMTOPEN: <c>,3`) until `AT+QIDEACT=1` has run.
    pub pdp_stale: bool,
    /// `--qmtopen-error-after`: a `AT+QMTOPEN` waits for the connect before its final result;
    /// the module reads no new command meanwhile.
    pub open_pending: bool,
}

impl Module {
    /// Command dispatch of the Quectel profile.
    pub(crate) fn q_dispatch(&mut self, now: Instant, cmd: &Command) -> Final {
        let name = cmd.name.as_str();
        if SHARED.contains(&name) {
            return self.dispatch_common(now, cmd);
        }
        match name {
            "I" => {
                // Quectel's usual three-line ATI; no EC200U capture exists (§7).
                self.info(now, "Quectel");
                self.info(now, self.profile.model());
                let rev = format!("Revision: {}", self.profile.revision());
                self.info(now, &rev);
                Final::Ok
            }
            "+CIMI" => self.sim_info(now, IMSI),
            "+QCCID" => match cmd.form {
                Form::Exec => self.sim_info(now, &format!("+QCCID: {ICCID}")),
                Form::Test => Final::Ok,
                _ => Final::Error,
            },
            "+QPOWD" => self.cmd_qpowd(now, cmd),
            "+QICSGP" => self.cmd_qicsgp(now, cmd),
            "+QIACT" => self.cmd_qiact(now, cmd),
            "+QIDEACT" => self.cmd_qideact(now, cmd),
            "+QMTCFG" => self.cmd_qmtcfg(now, cmd),
            "+QSSLCFG" => self.cmd_qsslcfg(now, cmd),
            "+QMTOPEN" => self.cmd_qmtopen(now, cmd),
            "+QMTCONN" => self.cmd_qmtconn(now, cmd),
            "+QMTSUB" => self.cmd_qmtsub(now, cmd, true),
            "+QMTUNS" => self.cmd_qmtsub(now, cmd, false),
            "+QMTPUBEX" if self.cfg.no_qmtpubex => Final::Error,
            "+QMTPUBEX" => self.cmd_qmtpub(now, cmd, "+QMTPUBEX"),
            "+QMTPUB" => self.cmd_qmtpub(now, cmd, "+QMTPUB"),
            "+QMTDISC" => self.cmd_qmtdisc(now, cmd, true),
            "+QMTCLOSE" => self.cmd_qmtdisc(now, cmd, false),
            _ => Final::Error,
        }
    }

    /// `AT+QPOWD[=<n>]`: `OK`, `POWERED DOWN` (§2.1), then the module is off until PWRKEY or a
    /// power cycle. `=0` (immediate) and `=1` (normal) are treated alike.
    fn cmd_qpowd(&mut self, now: Instant, cmd: &Command) -> Final {
        let ok = match &cmd.form {
            Form::Exec => true,
            Form::Set(_) => {
                matches!(set_args(cmd).as_deref(), Some([a]) if matches!(a.as_int(), Some(0 | 1)))
            }
            Form::Test => return Final::Ok,
            Form::Read => false,
        };
        if !ok {
            return Final::Error;
        }
        self.emit_final(now, Final::Ok);
        self.line(now, b"POWERED DOWN");
        self.power_down(now, "AT+QPOWD");
        Final::Pending
    }

    /// `AT+QICSGP=1,<type>,"<apn>"[,"<user>","<pass>"[,<auth>]]` (§3.1): stored; the emulated
    /// network takes any APN. `AT+QICSGP=1` reads it back.
    fn cmd_qicsgp(&mut self, now: Instant, cmd: &Command) -> Final {
        let Some(args) = set_args(cmd) else {
            return if cmd.form == Form::Test {
                Final::Ok
            } else {
                Final::Error
            };
        };
        if args.first().and_then(|a| a.as_int()) != Some(1) {
            // Only context 1 is emulated.
            return Final::Error;
        }
        match args.as_slice() {
            [_] => {
                let (apn, user, pass, auth) = &self.q.apn;
                let t = format!("+QICSGP: 1,\"{apn}\",\"{user}\",\"{pass}\",{auth}");
                self.info(now, &t);
                Final::Ok
            }
            [_, ty, apn, rest @ ..] if matches!(ty.as_int(), Some(1..=3)) => {
                let (user, pass, auth) = match rest {
                    [] => (String::new(), String::new(), 0),
                    [u, p] => (u.as_str(), p.as_str(), 0),
                    [u, p, a] => match a.as_int() {
                        Some(v @ 0..=3) => (u.as_str(), p.as_str(), v as u8),
                        _ => return Final::Error,
                    },
                    _ => return Final::Error,
                };
                self.q.apn = (apn.as_str(), user, pass, auth);
                Final::Ok
            }
            _ => Final::Error,
        }
    }

    /// `AT+QIACT=1` activates context 1: `ERROR` before the network attach and when it is
    /// already active (§3.1, Q01). `AT+QIACT?` lists the active context or answers a bare `OK`.
    fn cmd_qiact(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                if self.pdp == Pdp::Active {
                    let t = format!("+QIACT: 1,1,1,\"{CONTEXT_IP}\"");
                    self.info(now, &t);
                }
                Final::Ok
            }
            Form::Test => Final::Ok,
            Form::Exec => Final::Error,
            Form::Set(_) => match set_args(cmd).as_deref() {
                Some([a]) if a.as_int() == Some(1) => {
                    if !self.attached || self.pdp == Pdp::Active {
                        Final::Error
                    } else {
                        crate::elog!("PDP context 1 activated");
                        self.pdp = Pdp::Active;
                        Final::Ok
                    }
                }
                _ => Final::Error,
            },
        }
    }

    /// `AT+QIDEACT=1`: context 1 down; an open MQTT link drops with `+QMTSTAT: <c>,1`. This is
    /// also the first half of the PDP cycle that clears the state after `+QMTSTAT: <c>,2`.
    fn cmd_qideact(&mut self, _now: Instant, cmd: &Command) -> Final {
        match set_args(cmd).as_deref() {
            Some([a]) if a.as_int() == Some(1) => {
                // The link goes with the context; its URC follows the command's OK.
                if let Some(l) = self.link.take() {
                    self.act(super::Action::Close { gen: l.gen });
                    self.q.ops.clear();
                    let c = self.q.client;
                    let t = if l.phase == super::Phase::Connecting {
                        format!("+QMTOPEN: {c},-1")
                    } else {
                        self.stats.closed_urcs += 1;
                        format!("+QMTSTAT: {c},1")
                    };
                    self.after_final.push(t.into_bytes());
                }
                self.pdp = Pdp::Deact;
                self.q.pdp_stale = false;
                Final::Ok
            }
            _ if cmd.form == Form::Test => Final::Ok,
            _ => Final::Error,
        }
    }

    /// The network dropped the context (`pdn-deact` / `pdp-deact` faults): the link goes
    /// without a `+QMTSTAT` and `+QIURC: "pdpdeact",1` is printed (§3.1, Q03). The context
    /// stays down until `AT+QIACT=1`.
    pub(crate) fn q_pdp_deact(&mut self, now: Instant) {
        self.drop_link(now, false);
        self.urc(now, b"+QIURC: \"pdpdeact\",1");
        self.pdp = Pdp::Deact;
    }

    /// Extra `state` fields of the Quectel profile.
    pub(crate) fn q_state_json(&self) -> serde_json::Value {
        serde_json::json!({
            "client": self.link.as_ref().map(|_| self.q.client),
            "pdp_stale": self.q.pdp_stale,
            "open_pending": self.q.open_pending,
            "in_flight": self.q.ops.len(),
        })
    }
}
