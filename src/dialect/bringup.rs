// SPDX-License-Identifier: MIT OR Apache-2.0
//! The bring-up of a session as data: each dialect lists the commands it sends once per module
//! boot (`Prepare`) and before every connect (`Configure`), with when each one applies and what
//! its failure means. The engine walks the lists; the dialect spells each entry.
//!
//! Steps every family shares (probe, echo off, SIM, identity, attach, signal) and those with a
//! meaning of their own (open, connect, subscribe, publish) are the engine's; only what differs
//! between families in kind, not just in spelling, is listed here.

use crate::event::Subject;
use crate::Status;

/// Which list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum List {
    /// Once per module boot, after attach (redone when the module may have lost it).
    Prepare,
    /// Before every open of the broker link.
    Configure,
}

/// When an entry is sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum When {
    /// Every time.
    Always,
    /// Unless the module answered it `ERROR` since it booted (firmware without the command).
    Supported,
    /// With TLS on, until the TLS settings went through once since the module booted, and only
    /// if the configuration sets this TLS item (the dialect's numbering).
    Tls(u8),
    /// When the bearer must be restored (after a loss the vendor says needs it).
    RestoreBearer,
    /// When an APN is configured.
    Apn,
    /// Only after the entry before it failed (a check that tells why).
    AfterFailure,
    /// Every time, once the client id is known (it may be the IMEI, read at boot).
    ClientId,
}

/// Why a failed entry ends the cycle: the [`Status`] it fails with, in one byte (a `Status` is
/// four, which made every entry of the lists twelve bytes instead of eight).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FailReason {
    /// [`Status::ModuleError`].
    ModuleError,
    /// [`Status::NotAttached`].
    NotAttached,
}

impl FailReason {
    /// The status the cycle fails with.
    pub const fn status(self) -> Status {
        match self {
            FailReason::ModuleError => Status::ModuleError,
            FailReason::NotAttached => Status::NotAttached,
        }
    }
}

/// What an `ERROR` (or `+CME ERROR`) to an entry means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OnError {
    /// An expected answer (a precautionary close of nothing): go on, log nothing.
    Ignore,
    /// A module error worth a log entry, but the session goes on.
    Log,
    /// The firmware lacks the command: go on, and skip it until the module reboots.
    Unsupported,
    /// The next entry (`When::AfterFailure`) decides: go on, log nothing.
    Check,
    /// The cycle cannot continue, for this reason (logged).
    Fail(FailReason),
    /// `+CME ERROR: 765` while no username and password are configured: go on (logged), as a
    /// module that refuses their empty form connects anonymously without the command
    /// (docs/luat-at.md §5.1, `AT+MCONFIG`). Otherwise as `Fail(ModuleError)`.
    Anonymous,
}

/// One entry of a bring-up list.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Item {
    pub when: When,
    pub on_error: OnError,
    /// What log entries call it.
    pub subject: Subject,
    /// Its answer may take long (the `shut_ms` deadline), and nothing may be sent meanwhile.
    pub long: bool,
    /// Part of opening the link: a bearer loss now fails the attempt.
    pub opening: bool,
    /// Its final result is a word of its own (`SHUT OK`) instead of `OK`.
    pub word_final: bool,
    /// After `OK`, an active bearer must have been reported, or the attach failed.
    pub needs_bearer: bool,
}

impl Item {
    /// An entry sent every time whose failure ends the cycle as a module error.
    pub const fn required(subject: Subject) -> Item {
        Item {
            when: When::Always,
            on_error: OnError::Fail(FailReason::ModuleError),
            subject,
            long: false,
            opening: false,
            word_final: false,
            needs_bearer: false,
        }
    }

    pub const fn when(self, when: When) -> Item {
        Item { when, ..self }
    }

    pub const fn on_error(self, on_error: OnError) -> Item {
        Item { on_error, ..self }
    }

    pub const fn long(self) -> Item {
        Item { long: true, ..self }
    }

    pub const fn opening(self) -> Item {
        Item {
            opening: true,
            ..self
        }
    }

    pub const fn word_final(self) -> Item {
        Item {
            word_final: true,
            ..self
        }
    }

    pub const fn needs_bearer(self) -> Item {
        Item {
            needs_bearer: true,
            ..self
        }
    }
}

/// Entry `i` of `list`, from a dialect's two tables.
pub(crate) fn entry(
    list: List,
    prepare: &'static [Item],
    configure: &'static [Item],
    i: u8,
) -> Option<&'static Item> {
    match list {
        List::Prepare => prepare.get(usize::from(i)),
        List::Configure => configure.get(usize::from(i)),
    }
}

/// A TLS setting's value as the configuration gives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TlsValue<'a> {
    Num(u8),
    Text(&'a [u8]),
}

/// How a family names the TLS settings, in the order every dialect sends them: version, CA
/// file, client certificate, client key, security level, server name (SNI).
pub(crate) struct TlsNames {
    /// The six names, each ended by NUL (see [`crate::dialect::encode::piece`]).
    pub names: &'static [u8],
    /// The family takes SNI as an on/off switch (it presents the broker's host name), not as
    /// the name itself.
    pub sni_switch: bool,
}

/// TLS setting `k` (0..=5) as `family` spells it, if the configuration sets it.
pub(crate) fn tls_item<'b>(
    cfg: &'b crate::config::Config<'_>,
    k: u8,
    family: &TlsNames,
) -> Option<(&'static [u8], TlsValue<'b>)> {
    if !crate::parts::TLS {
        return None;
    }
    let t = &cfg.tls;
    let value = match k {
        0 => TlsValue::Num(t.version?),
        1 => TlsValue::Text(t.ca_file),
        2 => TlsValue::Text(t.client_cert_file),
        3 => TlsValue::Text(t.client_key_file),
        4 => TlsValue::Num(t.seclevel?),
        5 if family.sni_switch && !t.sni.is_empty() => TlsValue::Num(1),
        5 => TlsValue::Text(t.sni),
        _ => return None,
    };
    // An empty text is a setting not made: one test for the four texts (measured 8 B smaller,
    // Luat, than one each).
    if let TlsValue::Text([]) = value {
        return None;
    }
    Some((
        crate::dialect::encode::piece(family.names, usize::from(k))?,
        value,
    ))
}
