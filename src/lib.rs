// SPDX-License-Identifier: MIT OR Apache-2.0
//! cellmqtt: MQTT through the built-in client of Luat/AirM2M Cat.1 modules (Air724UG on the 8910
//! platform, Air780E/EG/EP on EC618/EC718), driven over a UART with the module's MQTT AT commands.
//!
//! The core is `no_std`, allocation-free and polled: time is an argument, RX bytes are pushed in
//! with `feed` (safe from an interrupt), `poll` does all due work and never blocks. The C ABI in
//! [`ffi`] wraps the same engine for legacy firmware; it is the only module with `unsafe`.
#![no_std]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

#[cfg(not(target_os = "none"))]
extern crate std;

mod bytes;
pub mod config;
pub mod config_field;
pub mod dialect;
pub mod engine;
pub mod event;
pub mod parts;
pub mod queue;
pub mod stats;
pub mod status;
pub mod subs;
pub mod time;

pub mod ffi;

pub use config::{Config, Options, Pins, Profile};
pub use config_field::{ConfigError, ConfigField};
pub use engine::ring::{RxReader, RxRing};
pub use engine::{Buffers, Engine};
pub use event::{Event, LogKind, LossKind, Notice, Pin, RecoveryStep, State, Subject};
pub use stats::Stats;
pub use status::Status;

/// Library version as `major << 16 | minor << 8 | patch`.
pub const VERSION: u32 = {
    // Evaluated at compile time from Cargo's version strings; no runtime input reaches it.
    #[allow(clippy::indexing_slicing)]
    const fn num(s: &str) -> u32 {
        let b = s.as_bytes();
        let mut v = 0u32;
        let mut i = 0;
        while i < b.len() {
            v = v * 10 + (b[i] - b'0') as u32;
            i += 1;
        }
        v
    }
    (num(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
        | (num(env!("CARGO_PKG_VERSION_MINOR")) << 8)
        | num(env!("CARGO_PKG_VERSION_PATCH"))
};
