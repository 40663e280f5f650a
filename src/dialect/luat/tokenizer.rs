// SPDX-License-Identifier: MIT OR Apache-2.0
//! The Luat framing of the shared tokenizer ([`crate::dialect::tokenizer`]): `Tokenizer::new()`
//! frames `+MSUB:` messages. Kept as a module so `luat::tokenizer::*` paths stay valid.

pub use crate::dialect::tokenizer::{Framing, Span, Token, Tokenizer, MAX_MSUB_PAYLOAD};
