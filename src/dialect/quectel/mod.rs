// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Quectel dialect (`AT+QMT*`, LTE Standard parts EC200U / EC600U / EG915U, EC800M, EC2x,
//! BG95 / BG96): module output → tokens (the shared [`tokenizer`](crate::dialect::tokenizer)
//! with [`Framing::Quectel`]) → meanings ([`decode`](mod@decode)), and commands → bytes
//! ([`encode`](mod@encode)).
//!
//! Everything here is pure and allocation-free: no I/O, no clock, no state beyond the
//! tokenizer's position in the stream. It follows `docs/quectel-simcom-at.md`: §1 (line
//! protocol), §2.1 (boot lines), §3 (the `AT+QMT*` commands and URCs), §5.1–5.2 (failure
//! classes), §6.1 and §6.3 (limits, message ids) and §7 (identity commands, read as plain
//! lines). cellmqtt uses MQTT client index [`CLIENT`], PDP context 1 and SSL context 1, and
//! receives messages by URC with the length field on (`AT+QMTCFG="recv/mode",0,0,1`), so
//! payloads are framed by count.

pub mod decode;
pub mod encode;
pub mod session;

pub use decode::{decode, OPEN_NETWORK_FAILED};
pub use encode::{check_quotable, encode, encoded_len, Command, MqttCfg, SslValue, TxCursor};

pub use crate::dialect::response::{Ack, LinkCause, Response, SimState, CME_TEXT};
pub use crate::dialect::tokenizer::{Framing, Span, Token, Tokenizer, MAX_QMTRECV_PAYLOAD};
pub use crate::dialect::Qos;

/// The MQTT client index every command uses (the module has 0..=5, §3; cellmqtt opens one).
/// The encoder spells it as a literal `0`.
/// cbindgen:ignore
pub const CLIENT: u8 = 0;

/// Largest publish payload cellmqtt sends with `AT+QMTPUBEX`. ASSUMED: the EC2x/EC200U
/// maximum is UNKNOWN (§3.6, §6.1; BG96 `AT+QMTPUB` takes 1..=1548, the NB dialect 0..=1460);
/// to be measured on hardware.
/// cbindgen:ignore
pub const PUBLISH_MAX: usize = 4096;

/// A tokenizer that frames `+QMTRECV` messages.
pub const fn tokenizer() -> Tokenizer {
    Tokenizer::with_framing(Framing::Quectel)
}
