// SPDX-License-Identifier: MIT OR Apache-2.0
//! Module dialects: how each module family spells the session the engine runs.
//!
//! The engine runs one session for every family: it sends commands by purpose ([`Cmd`]) and
//! acts on a vendor-neutral vocabulary of results ([`Response`]). A dialect spells the one and
//! reads the other:
//!
//! - [`response`]: the vocabulary every decoder maps onto;
//! - [`bringup`]: the per-boot and per-connect command lists, as data;
//! - [`encode`]: commands as resumable byte streams, shared by every dialect;
//! - [`tokenizer`]: module output → lines, prompts and counted messages, with a [`Framing`]
//!   per dialect;
//! - [`luat`]: the Luat/AirM2M `AT+M*` dialect (Air724UG, Air780E family), `docs/luat-at.md`
//!   (Cargo feature `luat`);
//! - [`quectel`]: the Quectel `AT+QMT*` dialect (EC200U, EC600U, EG915U, EC800M, EC2x),
//!   `docs/quectel-simcom-at.md` §3 (Cargo feature `quectel`);
//! - [`simcom`]: the SIMCom `AT+CMQTT*` dialect (A7670, A7672, A76xx, SIM7600),
//!   `docs/quectel-simcom-at.md` §4 (Cargo feature `simcom`).
//!
//! A dialect folder holds its command encoding (`encode.rs`), its line decoding (`decode.rs`)
//! and its spelling of the engine's commands with its bring-up lists (`session.rs`); its
//! framing of incoming messages is a [`Framing`] of the shared tokenizer. [`Dialect`]
//! dispatches to the one a profile uses; a build links only the dialects its features enable,
//! and with one the dispatch costs nothing.
//!
//! Everything here is pure and allocation-free: no I/O, no clock, no state beyond a tokenizer's
//! position in the stream. It is public so tests and fuzzers can drive it directly.

#[cfg(not(any(feature = "luat", feature = "quectel", feature = "simcom")))]
compile_error!("enable at least one dialect feature: luat, quectel, simcom");

pub mod bringup;
pub(crate) mod common;
pub mod encode;
#[cfg(feature = "luat")]
pub mod luat;
#[cfg(feature = "quectel")]
pub mod quectel;
pub mod response;
#[cfg(feature = "simcom")]
pub mod simcom;
pub mod tokenizer;

pub use bringup::{FailReason, Item, List, OnError, When};
pub use encode::TxCursor;
pub use response::{Ack, LinkCause, Response, SimState, CME_TEXT};
pub use tokenizer::{Framing, Tokenizer};

use crate::config::{Config, Options};
use crate::engine::{Cmd, PubSource};

/// True when a linked dialect spells some commands in several parts around data prompts
/// (SIMCom, [`Dialect::write`]); without one the engine links no code for parts.
/// cbindgen:ignore
pub const MULTI_PART: bool = cfg!(feature = "simcom");

/// The module families the engine can drive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dialect {
    /// Luat/AirM2M `AT+M*` (docs/luat-at.md).
    #[cfg(feature = "luat")]
    Luat,
    /// Quectel `AT+QMT*` (docs/quectel-simcom-at.md §3).
    #[cfg(feature = "quectel")]
    Quectel,
    /// SIMCom `AT+CMQTT*` (docs/quectel-simcom-at.md §4).
    #[cfg(feature = "simcom")]
    Simcom,
}

/// A publish as a dialect spells it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Publish<'a> {
    pub topic: &'a [u8],
    pub payload: &'a [u8],
    pub qos: u8,
    pub retain: bool,
    /// The message id for dialects that carry one (0 for QoS 0).
    pub id: u16,
}

/// What a dialect reads from the session to spell a command.
pub trait Context {
    fn config(&self) -> &Config<'_>;
    /// The client id the session connects with.
    fn client_id(&self) -> &[u8];
    /// Topic filter and QoS of the subscription record at `at`.
    fn filter(&self, at: usize) -> Option<(&[u8], u8)>;
    fn publish(&self, src: PubSource) -> Option<Publish<'_>>;
    /// The text of the oldest queued AT command.
    fn queued_line(&self) -> Option<&[u8]>;
    /// The connect's client setup from the last session is still in force on the module, so
    /// a re-connect may send only the connect (SIMCom, docs/quectel-simcom-at.md §4.9).
    fn client_kept(&self) -> bool;
    /// Quectel: this boot's module takes a publish by the six-argument `AT+QMTPUB`, not
    /// `AT+QMTPUBEX` (docs/quectel-simcom-at.md §3.6).
    #[cfg(feature = "quectel")]
    fn publish_plain(&self) -> bool;
    /// Luat: this boot's module is sent `AT+MCONNECT` with its third parameter `<mode>`, having
    /// refused the two-parameter form (docs/luat-at.md §5.3).
    #[cfg(feature = "luat")]
    fn connect_with_mode(&self) -> bool;
}

impl Dialect {
    /// Writes the next bytes of part `part` of the command `cmd` stands for in this dialect,
    /// from `cursor` into `out` (see [`encode`]), reading its strings from `ctx`; returns how
    /// many, or `None` past its last part. Part 0 always exists. Luat and Quectel spell every
    /// command as one part; SIMCom enters topics, payloads and the will after prompts, so its
    /// commands have several (each part ends in the prompt or in `OK`, see
    /// [`Dialect::part_awaits_prompt`]).
    pub fn write<C: Context>(
        self,
        cmd: Cmd,
        part: u8,
        ctx: &C,
        cursor: &mut TxCursor,
        out: &mut [u8],
    ) -> Option<usize> {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => (part == 0).then(|| {
                encode::write_next(cursor, out, |job| luat::session::write(cmd, ctx, job))
            }),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => (part == 0).then(|| {
                encode::write_next(cursor, out, |job| quectel::session::write(cmd, ctx, job))
            }),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => {
                let mut spelled = None;
                let n = encode::write_next(cursor, out, |job| {
                    spelled = simcom::session::write(cmd, part, ctx, job);
                });
                spelled.map(|_| n)
            }
        }
    }

    /// Whether part `part` of the command `cmd` stands for is answered by the data prompt `>`,
    /// so the next part is the data (SIMCom, docs/quectel-simcom-at.md §1); `None` past its
    /// last part. The prompt of Luat's `AT+MPUBEX` and Quectel's `AT+QMTPUBEX` is the engine's
    /// `PublishHeader`.
    pub fn part_awaits_prompt<C: Context>(self, cmd: Cmd, part: u8, ctx: &C) -> Option<bool> {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::awaits_prompt(cmd, part, ctx),
            #[allow(unreachable_patterns)]
            _ => {
                let _ = (cmd, ctx);
                (part == 0).then_some(false)
            }
        }
    }

    /// What `line` means. `state_query`: the session-state query is in flight (where a
    /// dialect's answer to it looks like another result).
    pub fn decode(self, line: &[u8], state_query: bool) -> Response {
        let _ = state_query; // Luat's answer to its query is unambiguous
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::decode(line),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::decode::decode(line, state_query),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::decode::decode(line, state_query),
        }
    }

    /// Entry `i` of a bring-up list; `None` past its end.
    // Out of line: the engine asks from half a dozen places (walk, answer, log subject).
    #[inline(never)]
    pub fn item(self, list: List, i: u8) -> Option<&'static Item> {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::session::item(list, i),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::item(list, i),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::item(list, i),
        }
    }

    /// True when the configuration sets the dialect's TLS item `k`.
    pub fn has_tls_item(self, cfg: &Config<'_>, k: u8) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::session::ssl_item(cfg, k).is_some(),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::ssl_item(cfg, k).is_some(),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::ssl_item(cfg, k).is_some(),
        }
    }

    /// How a payload goes out: `Some(false)` in the command line, `Some(true)` after a data
    /// prompt, `None` not at all (the dialect cannot carry it with these options).
    pub fn publish_form(self, cfg: &Config<'_>, payload: &[u8]) -> Option<bool> {
        let _ = cfg; // Quectel's form depends on the payload alone
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::session::publish_form(cfg, payload),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::publish_form(payload),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::publish_form(payload),
        }
    }

    /// How log entries name `what` (NUL-terminated): the command or line as this family
    /// spells it.
    pub fn subject_name(self, what: crate::event::Subject) -> &'static [u8] {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => what.name_nul(),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::subject_name(what),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::subject_name(what),
        }
    }

    /// The command that reads the identity fact `f`.
    pub fn identity_command(self, f: crate::engine::Fact) -> &'static [u8] {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => f.command(),
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::identity_command(f),
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::identity_command(f),
        }
    }

    /// The session's own commands, refused to the application (a `packed!` table of prefixes
    /// after `AT`).
    pub fn session_commands(self) -> &'static [u8] {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::session::SESSION_COMMANDS,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::SESSION_COMMANDS,
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::session::SESSION_COMMANDS,
        }
    }

    /// The session's state query (`Cmd::Verify`), whose answer lines are the session's.
    pub fn state_query(self) -> &'static [u8] {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => luat::encode::MQTT_STATUS,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::encode::CONN_QUERY,
            #[cfg(feature = "simcom")]
            Dialect::Simcom => simcom::encode::CONN_QUERY,
        }
    }

    /// True when a successful MQTT disconnect also closes the network link (Quectel
    /// `AT+QMTDISC`, §3.9), so no close follows it.
    pub fn disconnect_closes_link(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => false,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => true,
            // `AT+CMQTTDISC` ends the session; the client is released and the service stopped
            // after it (§4.11).
            #[cfg(feature = "simcom")]
            Dialect::Simcom => false,
        }
    }

    /// True when acknowledgements carry the request's message id. Where they do not (Luat,
    /// SIMCom `+CMQTTPUB: <c>,<err>`, docs/quectel-simcom-at.md §6.3), results are matched by
    /// order, so one publish or subscribe is in flight at a time: the publish window is 1 and
    /// the configuration refuses a larger one.
    pub fn acks_carry_ids(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => false,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => true,
            #[cfg(feature = "simcom")]
            Dialect::Simcom => false,
        }
    }

    /// True when a QoS 0 publish has a result of its own after `OK` that decides it (SIMCom
    /// `+CMQTTPUB: <c>,<err>`, which may report a failure after `OK`, §4.7, §4.14 item 3);
    /// elsewhere a QoS 0 publish is done at `OK`.
    pub fn qos0_has_result(self) -> bool {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// True when a publish the module refused may go again by another command (Luat
    /// `AT+MPUB` → `AT+MPUBEX`).
    pub fn has_publish_fallback(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// True when a command's result URC decides its outcome even when the final result is
    /// `ERROR`, on either side of it: SIMCom's service start (`+CMQTTSTART: 23` then `ERROR`:
    /// the service already runs, §4.2) and its connect (§4.5, §5.1).
    pub fn result_urc_decides(self) -> bool {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// True when the open may be answered only once its link is up or has failed, the
    /// result before the final result code: SIMCom's `AT+CMQTTSTART` activates the PDP
    /// context first (SIM7600 `+CMQTTSTART: 0` then `OK`, W4: up to 120 s, §4.2), Quectel's
    /// `AT+QMTOPEN` may fail so (`+QMTOPEN: 0,-1` then `ERROR`, Q09, §3.3). Its first answer
    /// then gets the open's wait (`connect_ms`), not a command's; so does SIMCom's connect
    /// (`result_urc_decides`: `+CMQTTCONNECT: 0,<err>` then `ERROR` after the socket
    /// connect failed, S12, §4.5).
    pub fn open_answers_with_result(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => false,
            #[allow(unreachable_patterns)]
            _ => true,
        }
    }

    /// True when the answer to the session's state query has a state line for every client,
    /// ours always among them (SIMCom `+CMQTTDISC: <c>,<state>` for clients 0 and 1, §4.5):
    /// the other clients' lines are then the session's too, and an `OK` without our line is
    /// not the answer but a late line of an earlier command (a refused subscribe may print a
    /// second `OK` after its result, S08, §4.14 item 3, which may come after the question).
    /// Quectel answers `AT+QMTCONN?` with a bare `OK` when no client is open.
    pub fn state_lists_every_client(self) -> bool {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The class of a connect answered by a bare `ERROR` with no result line: Luat and
    /// Quectel a failed CONNACK (the module's side); SIMCom an unreachable broker (§5.3,
    /// inferred from S19).
    pub fn connect_error(self) -> crate::Status {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => crate::Status::BrokerUnreachable,
            #[allow(unreachable_patterns)]
            _ => crate::Status::ConnackFailed,
        }
    }

    /// True when the open's result may come without its line end: Luat EC618 firmware
    /// V1121 printed `CONNECT OK` so (docs/luat-at.md §11, stated for `AT+CIPSTART`; the MQTT
    /// open prints the same line, so it is taken to share it).
    pub fn open_result_may_lack_eol(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The longest client id the module takes: SIMCom's `AT+CMQTTACCQ` 1-128 bytes
    /// (docs/quectel-simcom-at.md §6.2); a longer one would be refused by the module, a
    /// configuration error taken for a module fault. The others: the common string limit.
    pub fn client_id_max(self) -> usize {
        match self {
            #[cfg(feature = "simcom")]
            Dialect::Simcom => 128,
            #[allow(unreachable_patterns)]
            _ => crate::config::limits::STRING_MAX,
        }
    }

    /// True when the module can keep incoming messages for the host to read
    /// ([`Options::CACHE_MODE`]).
    pub fn has_message_cache(self) -> bool {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => true,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => false,
            #[cfg(feature = "simcom")]
            Dialect::Simcom => false,
        }
    }

    /// The failure class of a failed open, given that TLS is on: some families report a
    /// failed handshake only as an unreachable broker.
    pub fn open_failure(self, reason: crate::Status, tls: bool) -> crate::Status {
        let _ = tls;
        match self {
            // Luat firmware reports a failed TLS handshake as `CONNECT FAIL` too; it cannot be
            // told from an unreachable broker (README).
            #[cfg(feature = "luat")]
            Dialect::Luat => reason,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => quectel::session::open_failure(reason, tls),
            // The open is `AT+CMQTTSTART`, which has nothing to do with TLS.
            #[cfg(feature = "simcom")]
            Dialect::Simcom => reason,
        }
    }

    /// How the family frames incoming messages.
    pub fn framing(self) -> Framing {
        match self {
            #[cfg(feature = "luat")]
            Dialect::Luat => Framing::Luat,
            #[cfg(feature = "quectel")]
            Dialect::Quectel => Framing::Quectel,
            #[cfg(feature = "simcom")]
            Dialect::Simcom => Framing::Simcom,
        }
    }
}

impl Config<'_> {
    /// The dialect the profile speaks; `None` when the build does not link it.
    pub fn dialect(&self) -> Option<Dialect> {
        self.profile.dialect()
    }

    pub(crate) fn tls(&self) -> bool {
        crate::parts::TLS && self.options.contains(Options::TLS)
    }
}

/// MQTT quality of service.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum Qos {
    /// QoS 0: fire and forget.
    AtMostOnce = 0,
    /// QoS 1: acknowledged with `PUBACK`.
    AtLeastOnce = 1,
    /// QoS 2: acknowledged with `PUBREC` then `PUBCOMP`.
    ExactlyOnce = 2,
}

impl Qos {
    /// The QoS with this number, if it is one (0..=2).
    pub const fn from_u8(value: u8) -> Option<Qos> {
        match value {
            0 => Some(Qos::AtMostOnce),
            1 => Some(Qos::AtLeastOnce),
            2 => Some(Qos::ExactlyOnce),
            _ => None,
        }
    }

    /// The QoS number as the AT commands write it.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}
