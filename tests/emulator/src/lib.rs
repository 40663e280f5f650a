//! `cellmqtt-emu`: an emulator of a Cat.1 module running its built-in MQTT client over AT:
//! Luat/AirM2M (Air724UG, Air780E; ../../docs/luat-at.md), Quectel EC200U family (`AT+QMT*`)
//! or SIMCom A7670 / SIM7600 (`AT+CMQTT*`; both ../../docs/quectel-simcom-at.md). Network
//! side: a real MQTT 3.1.1 client of a real broker. See README.md.
//!
//! Layout: `at` parses command lines, `module` is the synchronous module state machine (no I/O,
//! time passed in), `mqtt` the packet codec, `control` the control-socket protocol; `runtime`,
//! `serial`, `link`, `tls` and `pacing` are the tokio I/O around it; `cli` reads the flags.

pub mod at;
pub mod cli;
pub mod control;
#[macro_use]
pub mod log;
#[cfg(feature = "embedded-broker")]
pub mod broker;
pub mod link;
pub mod module;
pub mod mqtt;
pub mod pacing;
pub mod profile;
pub mod pty;
pub mod replay;
pub mod rng;
pub mod runtime;
pub mod serial;
pub mod stats;
pub mod tls;
