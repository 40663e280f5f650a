// SPDX-License-Identifier: MIT OR Apache-2.0
//! The SIMCom dialect (`AT+CMQTT*`: A7670 / A7672 / A76xx, SIM7600): module output → tokens
//! (the shared [`tokenizer`](crate::dialect::tokenizer) with [`Framing::Simcom`]) → meanings
//! ([`decode`](mod@decode)), and commands → bytes ([`encode`](mod@encode)), with the engine's
//! commands spelled as sequences of parts around the data prompts ([`session`]).
//!
//! Everything here is pure and allocation-free: no I/O, no clock, no state beyond the
//! tokenizer's position in the stream. It follows `docs/quectel-simcom-at.md`: §1 (line
//! protocol, prompts), §2.2 (boot lines), §4 (the `AT+CMQTT*` commands and URCs), §5.1 and
//! §5.3 (failure classes), §6.2 and §6.3 (limits; no message ids) and §7 (identity commands,
//! read as plain lines). cellmqtt uses MQTT client index [`CLIENT`] and SSL context
//! [`SSL_CTX`].
//!
//! Results carry no message id (`+CMQTTPUB: <c>,<err>`, §4.7, §6.3), so one publish or
//! subscribe is in flight at a time, as for Luat: the configuration refuses a
//! `publish_window` above 1 for this family.

pub mod decode;
pub mod encode;
pub mod session;

pub use decode::{connect_status, decode, start_status, ALREADY_STARTED};
pub use encode::{check_quotable, encode, encoded_len, Command, SslValue, TxCursor};

pub use crate::dialect::response::{Ack, LinkCause, Response, SimState, CME_TEXT};
pub use crate::dialect::tokenizer::{
    Framing, Span, Token, Tokenizer, MAX_CMQTT_PAYLOAD, MAX_CMQTT_TOPIC,
};
pub use crate::dialect::Qos;

/// The MQTT client index every command uses (the module has 0..=1, §4; cellmqtt acquires
/// one). The encoder spells it as a literal `0`.
/// cbindgen:ignore
pub const CLIENT: u8 = 0;

/// The SSL context of `AT+CSSLCFG` and `AT+CMQTTSSLCFG` (its range is UNKNOWN, §4.12; 0 is
/// the first). The encoder spells it as a literal `0`.
/// cbindgen:ignore
pub const SSL_CTX: u8 = 0;

/// Largest publish payload: `AT+CMQTTPAYLOAD` takes 1..=10240 bytes (§6.2).
/// cbindgen:ignore
pub const PUBLISH_MAX: usize = 10240;

/// A tokenizer that frames `+CMQTTRX…` messages.
pub const fn tokenizer() -> Tokenizer {
    Tokenizer::with_framing(Framing::Simcom)
}
