// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Luat/AirM2M dialect (`AT+M*`): module output → tokens ([`tokenizer`](mod@tokenizer)) → meanings
//! ([`decode`](mod@decode)), and commands → bytes ([`encode`](mod@encode)).
//!
//! Everything here is pure and allocation-free: no I/O, no clock, no state beyond the
//! tokenizer's position in the stream. It is public so tests and fuzzers can drive it directly.
//! The dialect it speaks is described in `docs/luat-at.md`.

pub mod decode;
pub mod encode;
pub mod session;
pub mod tokenizer;

pub use decode::{decode, Ack, LinkCause, Response, SimState, CME_TEXT};
pub use encode::{
    check_quotable, encode, encoded_len, mpub_escaped_len, needs_binary, Command, SslValue,
    TxCursor, Will,
};
pub use tokenizer::{Span, Token, Tokenizer, MAX_MSUB_PAYLOAD};

pub use crate::dialect::Qos;
