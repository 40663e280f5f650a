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
    Fail(Status),
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
            on_error: OnError::Fail(Status::ModuleError),
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
