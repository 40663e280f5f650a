//! The SIMCom family (A7670 / A7672 / A76xx, SIM7600) and its `AT+CMQTT*` dialect, as
//! docs/quectel-simcom-at.md §1, §2.2 and §4 describe it.
//!
//! Power, pins, boot timing, SIM/attach, the output queue, faults and chaos are the emulator's
//! common ones (in `Module`); what is SIMCom's is here:
//! - `mod.rs`: the dialect's state, the command dispatch, identity, bearer and the MQTT service
//!   (`AT+NETOPEN`, `AT+CMQTTSTART` / `AT+CMQTTSTOP`);
//! - `forms.rs`: the result shapes the sources disagree on, and how one is picked;
//! - `client.rs`: acquire / release, will, TLS configuration, connect and disconnect;
//! - `pubsub.rs`: the prompt commands (topic, payload, subscribe, unsubscribe) and publish;
//! - `link.rs`: what the broker link reports, turned into SIMCom URCs (`+CMQTTRX*`, results,
//!   `+CMQTTCONNLOST`).
//!
//! The emulator holds ONE broker link at a time. Client indexes 0 and 1 are accepted (§6.2)
//! and each keeps its own acquisition, will and buffers, but a connect on the second index
//! while the first one has a link fails with err 19 (an emulator limitation).

mod client;
mod forms;
mod link;
mod pubsub;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::Instant;

use super::basic::set_args;
use super::{Final, Module, Pdp};
use crate::at::{Arg, Command, Form};
use crate::profile::Profile;

pub use forms::{parse_on_off_mixed, ConnectFailForm, Forms, PubFailForm};
pub(crate) use pubsub::Prompt;

/// Client indexes 0–1 (§4, W4).
pub(crate) const CLIENTS: usize = 2;
/// ICCID and IMSI of the emulated SIM (the same card the other profiles have).
const ICCID: &str = "89860012345678901234";
const IMSI: &str = "460081234567890";

/// General commands SIMCom firmware shares with the others (V.250 / 3GPP); they run through
/// the common dispatch. `AT+CGDCONT` is stored nowhere (any APN works), `AT+CGACT` is the
/// bearer of S01.
const SHARED: &[&str] = &[
    "", "E", "&W", "&F", "Z", "V", "Q", "+CMEE", "+CPIN", "+CGATT", "+CSQ", "+CGSN", "+GSN",
    "+CGMR", "+CCLK", "+CREG", "+CGREG", "+CEREG", "+CFUN", "+IPR", "+IFC", "+CGEREP", "+CSCLK",
    "+CGDCONT", "+CTZU", "+CMGC", "+CGACT",
];

/// What one client index holds between commands (§4.3–§4.7). All of it is RAM.
#[derive(Debug, Clone, Default)]
pub(crate) struct Client {
    /// `AT+CMQTTACCQ`: client id, TLS (`server_type` 1), MQTT level (3 or 4).
    pub acquired: Option<(Vec<u8>, bool, u8)>,
    /// `AT+CMQTTSSLCFG=<c>,<ctx>`: the `AT+CSSLCFG` context a TLS connect uses.
    pub ssl_ctx: u8,
    pub will_topic: Option<Vec<u8>>,
    /// Will message and its QoS.
    pub will_msg: Option<(Vec<u8>, u8)>,
    /// `AT+CMQTTTOPIC` / `AT+CMQTTPAYLOAD`; both cleared by every `AT+CMQTTPUB` (§4.7).
    pub topic: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
    /// Two-step subscribe / unsubscribe lists (`AT+CMQTTSUBTOPIC`, `AT+CMQTTUNSUBTOPIC`).
    pub sub_topics: Vec<(Vec<u8>, u8)>,
    pub unsub_topics: Vec<Vec<u8>>,
}

/// What an MQTT packet id of ours stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Sub,
    Unsub,
    /// `held`: the `AT+CMQTTPUB` final result waits for this publish (the S20 shape).
    Pub {
        held: bool,
    },
}

/// A command whose final result waits for the broker; the module reads no command meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    Connect,
    Pub,
}

/// Everything of the SIMCom dialect that lives in the module's RAM (reset by every boot).
#[derive(Debug, Default)]
pub(crate) struct SState {
    /// `AT+CMQTTSTART` ran (and no `+CMQTTNONET` / `AT+CMQTTSTOP` since).
    pub started: bool,
    /// `AT+NETOPEN` ran (only `AT+NETOPEN?` reads it; START does not need it, §4.1).
    pub net_open: bool,
    pub clients: [Client; CLIENTS],
    /// Client index of the broker link (meaningful while `Module::link` is `Some`).
    pub client: u8,
    /// The MQTT CONNECT to send once the TCP/TLS link is up, with its protocol level.
    pub connect: Option<(crate::mqtt::Connect, u8)>,
    /// How the running `AT+CMQTTCONNECT` reports a failure.
    pub connect_form: Option<ConnectFailForm>,
    /// In-flight SUBSCRIBE / UNSUBSCRIBE / PUBLISH by packet id (one per client, §6.3).
    pub ops: HashMap<u16, Op>,
    pub final_pending: Option<Held>,
    /// A `+CMQTTSUB` result held for a moment so retained messages print first (S17).
    pub sub_result: Option<Vec<u8>>,
}

fn int_in(a: &Arg, r: std::ops::RangeInclusive<i64>) -> Option<i64> {
    (!a.quoted).then(|| a.as_int().filter(|v| r.contains(v)))?
}

/// A client index 0..1, unquoted.
pub(crate) fn client_of(a: &Arg) -> Option<u8> {
    int_in(a, 0..=(CLIENTS as i64 - 1)).map(|v| v as u8)
}

impl Module {
    /// Command dispatch of the SIMCom profiles.
    pub(crate) fn sc_dispatch(&mut self, now: Instant, cmd: &Command) -> Final {
        let name = cmd.name.as_str();
        if SHARED.contains(&name) {
            return self.dispatch_common(now, cmd);
        }
        match name {
            "I" => {
                // SIMCom's usual ATI block; no capture of it in the sources (§7).
                self.info(now, "Manufacturer: SIMCOM INCORPORATED");
                let lines = [
                    format!("Model: {}", self.profile.model()),
                    format!("Revision: {}", self.profile.revision()),
                    format!("IMEI: {}", self.profile.imei()),
                ];
                for l in lines {
                    self.info(now, &l);
                }
                Final::Ok
            }
            "+CGMM" => {
                self.info(now, self.profile.model());
                Final::Ok
            }
            "+CIMI" => self.sim_info(now, IMSI),
            "+CICCID" => match cmd.form {
                Form::Exec => self.sim_info(now, &format!("+ICCID: {ICCID}")),
                Form::Test => Final::Ok,
                _ => Final::Error,
            },
            "+CRESET" if cmd.form == Form::Exec => {
                self.emit_final(now, Final::Ok);
                self.reboot(now, "AT+CRESET");
                Final::Pending
            }
            "+NETOPEN" => self.cmd_netopen(now, cmd),
            "+NETCLOSE" if cmd.form == Form::Exec => {
                self.sc.net_open = false;
                self.after_final.push(b"+NETCLOSE: 0".to_vec());
                Final::Ok
            }
            "+CMQTTSTART" => self.cmd_cmqttstart(now, cmd),
            "+CMQTTSTOP" => self.cmd_cmqttstop(now, cmd),
            "+CMQTTACCQ" => self.cmd_cmqttaccq(now, cmd),
            "+CMQTTREL" => self.cmd_cmqttrel(now, cmd),
            "+CMQTTWILLTOPIC" | "+CMQTTWILLMSG" | "+CMQTTTOPIC" | "+CMQTTPAYLOAD"
            | "+CMQTTSUBTOPIC" | "+CMQTTUNSUBTOPIC" => self.cmd_sc_prompt(now, cmd),
            "+CMQTTSUB" => self.cmd_cmqttsub(now, cmd),
            "+CMQTTUNSUB" => self.cmd_cmqttunsub(now, cmd),
            "+CMQTTPUB" => self.cmd_cmqttpub(now, cmd),
            "+CMQTTCONNECT" => self.cmd_cmqttconnect(now, cmd),
            "+CMQTTDISC" => self.cmd_cmqttdisc(now, cmd),
            "+CMQTTSSLCFG" => self.cmd_cmqttsslcfg(now, cmd),
            "+CSSLCFG" => self.cmd_csslcfg(now, cmd),
            "+CCERTDOWN" => self.cmd_ccertdown(now, cmd),
            "+CCERTLIST" => {
                let names: Vec<String> = self.files.keys().cloned().collect();
                for n in names {
                    self.info(now, &format!("+CCERTLIST: \"{n}\""));
                }
                Final::Ok
            }
            "+CCERTDELE" => match set_args(cmd).as_deref() {
                Some([n]) if self.files.remove(&n.as_str()).is_some() => Final::Ok,
                _ => Final::Error,
            },
            _ => Final::Error,
        }
    }

    /// An immediate failure in the S12 / S16 / S20 shape: `+CMQTTxxx: <c>,<err>` then `ERROR`.
    pub(crate) fn sc_fail(&mut self, now: Instant, name: &str, c: u8, err: u8) -> Final {
        self.info(now, &format!("{name}: {c},{err}"));
        Final::Error
    }

    /// The START / STOP result in the model's order: SIM7600 prints the URC before `OK`
    /// (S01–S04, S06), A76xx after it (S10–S12).
    fn sc_service_ok(&mut self, now: Instant, urc: &str) -> Final {
        self.sc_service_result(now, urc, Final::Ok)
    }

    /// START/STOP failures carry no client index. W4 documents the URC on either side of
    /// `ERROR`; S16 shows `+CMQTTSTART: 23` then `ERROR`. The emulator keeps each model's side
    /// for failures too (inferred), so SIM7600 prints the S16 shape and A76xx `ERROR` first.
    fn sc_service_fail(&mut self, now: Instant, urc: &str) -> Final {
        self.sc_service_result(now, urc, Final::Error)
    }

    fn sc_service_result(&mut self, now: Instant, urc: &str, f: Final) -> Final {
        if self.profile == Profile::Sim7600 {
            self.info(now, urc);
        } else {
            self.after_final.push(urc.as_bytes().to_vec());
        }
        f
    }

    /// `AT+NETOPEN` → `OK`, `+NETOPEN: 0` (S03, S06, S11). Failure answers are UNKNOWN (§4.1):
    /// the emulator answers `+NETOPEN: 1` after the `OK` while the network is not attached,
    /// and repeats success when already open.
    fn cmd_netopen(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Read => {
                let t = format!("+NETOPEN: {}", u8::from(self.sc.net_open));
                self.info(now, &t);
                Final::Ok
            }
            Form::Exec => {
                let ok = self.attached;
                if ok {
                    self.pdp = Pdp::Active;
                    self.sc.net_open = true;
                }
                let t = format!("+NETOPEN: {}", u8::from(!ok));
                self.after_final.push(t.into_bytes());
                Final::Ok
            }
            Form::Test => Final::Ok,
            Form::Set(_) => Final::Error,
        }
    }

    /// `AT+CMQTTSTART` (§4.2): `+CMQTTSTART: 0` with `OK` in the model's order; already running
    /// → `+CMQTTSTART: 23` with `ERROR` (S16). It activates the PDP itself (S10 note §1.4);
    /// without the network it fails with 7 (network open fail — the emulator's choice).
    fn cmd_cmqttstart(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Exec => {}
            Form::Test => return Final::Ok,
            _ => return Final::Error,
        }
        if self.sc.started {
            return self.sc_service_fail(now, "+CMQTTSTART: 23");
        }
        if !self.attached {
            return self.sc_service_fail(now, "+CMQTTSTART: 7");
        }
        self.pdp = Pdp::Active;
        self.sc.started = true;
        self.sc_service_ok(now, "+CMQTTSTART: 0")
    }

    /// `AT+CMQTTSTOP` (§4.2): when idle `+CMQTTSTOP: 9` with `ERROR` (S02 note). Clients still
    /// acquired are released and a link is dropped without a URC (what a real module does
    /// then is UNKNOWN; the vendor order is DISC, REL, STOP, §4.11).
    fn cmd_cmqttstop(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.form {
            Form::Exec => {}
            Form::Test => return Final::Ok,
            _ => return Final::Error,
        }
        if !self.sc.started {
            return self.sc_service_fail(now, "+CMQTTSTOP: 9");
        }
        self.sc_service_down(now);
        self.sc_service_ok(now, "+CMQTTSTOP: 0")
    }

    /// The service stops: link gone (no URC), clients released, buffers cleared.
    fn sc_service_down(&mut self, now: Instant) {
        self.drop_link(now, false);
        self.sc.ops.clear();
        self.sc.connect = None;
        self.sc.started = false;
        self.sc.clients = Default::default();
    }

    /// The network went away (`pdn-deact`, `pdp-deact`, detach): `+CMQTTNONET`, the service is
    /// down until `AT+CMQTTSTART` (§4.9, W4, S16). With `connlost` (the `pdp-deact` fault) a
    /// connected client first gets `+CMQTTCONNLOST: <c>,3`, network closed (W6, seen in S07),
    /// so a host meets both ways a network loss is told. Acquired clients stay acquired, so a
    /// START without REL first finds them (`+CMQTTACCQ: <c>,19`): the vendor's "STOP and REL if
    /// needed".
    pub(crate) fn sc_nonet(&mut self, now: Instant, connlost: bool) {
        if let Some(l) = self.link.take() {
            self.act(super::Action::Close { gen: l.gen });
            if l.phase != super::Phase::Connected {
                // A connect still running fails like an unreachable broker.
                self.sc_connect_result(now, 3);
            } else if connlost {
                self.sc_lost(now, l.phase, 3);
            }
        }
        self.sc_fail_ops(now, 11);
        self.sc.connect = None;
        self.pdp = Pdp::Deact;
        self.sc.net_open = false;
        if std::mem::take(&mut self.sc.started) {
            self.stats.closed_urcs += 1;
            self.urc(now, b"+CMQTTNONET");
        }
    }

    /// Extra `state` fields of the SIMCom profiles.
    pub(crate) fn sc_state_json(&self) -> serde_json::Value {
        let acquired: Vec<bool> = self
            .sc
            .clients
            .iter()
            .map(|c| c.acquired.is_some())
            .collect();
        serde_json::json!({
            "started": self.sc.started,
            "acquired": acquired,
            "client": self.link.as_ref().map(|_| self.sc.client),
            "in_flight": self.sc.ops.len(),
            "final_pending": self.sc.final_pending.is_some(),
        })
    }
}
