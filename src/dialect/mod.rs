//! Module dialects: how each module family spells the session the engine runs.
//!
//! - [`encode`]: commands as resumable byte streams, shared by every dialect;
//! - [`tokenizer`]: module output → lines, prompts and counted messages, with a [`Framing`]
//!   per dialect;
//! - [`response`]: what a line means, the vocabulary every dialect's decoder maps onto;
//! - [`luat`]: the Luat/AirM2M `AT+M*` dialect (Air724UG, Air780E family), `docs/luat-at.md`;
//! - [`quectel`]: the Quectel `AT+QMT*` dialect (EC200U, EC800M, EC2x, BG95/BG96),
//!   `docs/quectel-simcom-at.md` §3 (codec only so far: commands, decoder, framing).
//!
//! Everything here is pure and allocation-free: no I/O, no clock, no state beyond a tokenizer's
//! position in the stream. It is public so tests and fuzzers can drive it directly.

pub(crate) mod common;
pub mod encode;
pub mod luat;
pub mod quectel;
pub mod response;
pub mod tokenizer;

pub use response::{Ack, LinkCause, Response, SimState, CME_TEXT};
pub use tokenizer::Framing;

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
