// SPDX-License-Identifier: MIT OR Apache-2.0
//! `repr(C)` types of the C API. Structs C writes (config, callbacks) use only integers and
//! pointers, so no bit pattern from C can be invalid; enums appear only where Rust writes.

use crate::config::{Ladder, Timeouts};
use crate::event::{LogKind, LossKind, Pin, RecoveryStep, State};
use crate::Status;
use core::ffi::{c_char, c_void};

/// Module profiles for `cellmqtt_config_t.profile`.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProfileId {
    /// Air724UG family (8910): RESET reboots; MPUB up to 2348 bytes.
    Air724ug = 0,
    /// Air780E/EG (EC618): RESET_N shuts down, so PWRKEY follows; MPUB up to 2384 bytes.
    Air780e = 1,
    /// Air780EP (EC718): RESET_N reboots; MPUB up to 4100 bytes.
    Air780ep = 2,
    /// Quectel EC200U family (EC200U/EC600U/EG915U, EC800M, EC2x): `AT+QMT*`; the host sets
    /// up the bearer (`apn`), payloads up to 4096 bytes by `AT+QMTPUBEX`.
    Ec200u = 3,
    /// SIMCom A7670 family (A7670/A7672/A76xx, SIM7600): `AT+CMQTT*`; topics and payloads go
    /// after data prompts, one publish or subscribe in flight (results carry no message id).
    A7670 = 4,
}

/// `cellmqtt_config_t.options` bits. A library built without TLS, the message cache or
/// signal reports refuses TLS, CACHE_MODE or REPORT_SIGNAL at init (`UNSUPPORTED`, field
/// `options`), and the `tls_*` fields with the field's name.
pub const CELLMQTT_OPT_TLS: u32 = 1 << 0;
pub const CELLMQTT_OPT_CACHE_MODE: u32 = 1 << 1;
pub const CELLMQTT_OPT_CLEAN_SESSION: u32 = 1 << 2;
pub const CELLMQTT_OPT_NO_MPUBEX: u32 = 1 << 3;
pub const CELLMQTT_OPT_REPORT_SIGNAL: u32 = 1 << 4;
/// Connect with the module's IMEI (read at every boot) as the client id; `client_id` may be
/// NULL (it is the fallback if the module gives no IMEI).
pub const CELLMQTT_OPT_CLIENT_ID_IMEI: u32 = 1 << 5;
/// Let `cellmqtt_at_command` send commands that reboot or switch off the module
/// (`AT+RESET`, `AT+CFUN=...`, `AT+CPOWD`, `ATZ`).
pub const CELLMQTT_OPT_ALLOW_RESET_COMMANDS: u32 = 1 << 6;

/// Queued AT commands that can wait at once, and the longest one (`AT` included).
pub const CELLMQTT_AT_SLOTS: usize = 2;
pub const CELLMQTT_AT_TEXT_MAX: usize = 56;

/// `cellmqtt_config_t.pins` bits: which control lines the board wires. A library built
/// without the power steps of the recovery ladder refuses POWER (`UNSUPPORTED`, field `pins`).
pub const CELLMQTT_PINS_RESET: u32 = 1 << 0;
pub const CELLMQTT_PINS_POWER: u32 = 1 << 1;
pub const CELLMQTT_PINS_PWRKEY: u32 = 1 << 2;
/// The module's STATUS (power indication) line is wired as an input, read through `pin_get`.
pub const CELLMQTT_PINS_STATUS: u32 = 1 << 3;

/// Recommended buffer sizes (bytes) for the `*_buf` fields.
pub const CELLMQTT_RX_BUF_DEFAULT: usize = 1024;
/// Holds a line and an incoming message (topic + payload); larger messages are dropped and
/// counted. 1664 covers a 256-byte topic with the 1360-byte direct-mode payload limit of the
/// vendor FAQ; raise it to 4400 to receive the 4100 bytes the EC618 manual allows.
pub const CELLMQTT_LINE_BUF_DEFAULT: usize = 1664;
pub const CELLMQTT_QUEUE_BUF_DEFAULT: usize = 4096;
pub const CELLMQTT_SUB_BUF_DEFAULT: usize = 512;
/// Smallest accepted sizes.
pub const CELLMQTT_RX_BUF_MIN: usize = 64;

/// The version of this header's binary interface: raised whenever a struct, an enum value or a
/// function signature changes incompatibly. `cellmqtt_init` passes it (with the sizes of the
/// structs) so a library built for another header refuses to start.
pub const CELLMQTT_ABI_VERSION: u32 = 1;
pub const CELLMQTT_LINE_BUF_MIN: usize = 128;
pub const CELLMQTT_QUEUE_BUF_MIN: usize = 64;
pub const CELLMQTT_SUB_BUF_MIN: usize = 16;

/// The modules' limits (from the vendor manuals the README lists), checked before anything is
/// sent: topics, client id, user, password, will topic.
pub const CELLMQTT_STRING_MAX: usize = 256;
/// Will message.
pub const CELLMQTT_WILL_MAX: usize = 1360;
/// Publish payload.
pub const CELLMQTT_PAYLOAD_MAX: usize = 4100;
/// Broker host name.
pub const CELLMQTT_HOST_MAX: usize = 255;
/// Certificate file names in the module file system.
pub const CELLMQTT_FILE_MAX: usize = 64;

// The header states literal values (cbindgen cannot follow paths); they must be the engine's.
const _: () = {
    use crate::config::limits;
    assert!(CELLMQTT_LINE_BUF_MIN == crate::engine::LINE_BUF_MIN);
    assert!(CELLMQTT_QUEUE_BUF_MIN == crate::engine::QUEUE_BUF_MIN);
    assert!(CELLMQTT_SUB_BUF_MIN == crate::engine::SUB_BUF_MIN);
    assert!(CELLMQTT_STRING_MAX == limits::STRING_MAX);
    assert!(CELLMQTT_WILL_MAX == limits::WILL_MAX);
    assert!(CELLMQTT_PAYLOAD_MAX == limits::PAYLOAD_MAX);
    assert!(CELLMQTT_HOST_MAX == limits::HOST_MAX);
    assert!(CELLMQTT_FILE_MAX == limits::FILE_MAX);
    assert!(CELLMQTT_AT_SLOTS == crate::engine::AT_SLOTS);
    assert!(CELLMQTT_AT_TEXT_MAX == crate::engine::AT_TEXT_MAX);
};

/// Session configuration. Start from `cellmqtt_config_default()`.
///
/// Strings are NUL-terminated and **borrowed**: they, and the four buffers, must stay valid
/// and unchanged for as long as the handle is used (static storage is the usual choice).
/// NULL means "empty" for optional strings.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cellmqtt_config_t {
    /// One of `CELLMQTT_PROFILE_*` (`cellmqtt_profile_t`).
    pub profile: u32,
    /// `CELLMQTT_OPT_*` bits.
    pub options: u32,
    /// `CELLMQTT_PINS_*` bits: which lines the board wires (RESET, POWER, PWRKEY driven by
    /// `pin_set`, STATUS read by `pin_get`; a declared line without its callback is refused).
    pub pins: u32,
    /// Broker host name or address (required, ≤255 bytes).
    pub host: *const c_char,
    pub port: u16,
    /// MQTT keep-alive in seconds (the vendor advises 60-240).
    pub keepalive_s: u16,
    /// Client id (required, ≤256 bytes, ≤128 for SIMCom modules; unique on the broker).
    pub client_id: *const c_char,
    pub username: *const c_char,
    pub password: *const c_char,
    /// Will topic; NULL for no will.
    pub will_topic: *const c_char,
    /// Will message (≤1360 bytes, no `"` and no control byte).
    pub will_payload: *const u8,
    pub will_payload_len: usize,
    pub will_qos: u8,
    /// 0 or 1.
    pub will_retain: u8,
    /// `AT+SSLCFG="sslversion"` (0-4) or -1 to leave the module default.
    pub tls_version: i16,
    /// `AT+SSLCFG="seclevel"` (0-2) or -1 to leave the module default.
    pub tls_seclevel: i16,
    /// Published on the will topic once online (e.g. "online"); NULL for none.
    pub online_payload: *const u8,
    pub online_payload_len: usize,
    /// Certificate file names in the module file system (NULL = not set).
    pub tls_ca_file: *const c_char,
    pub tls_client_cert_file: *const c_char,
    pub tls_client_key_file: *const c_char,
    /// SNI / verification host name (NULL = not set).
    pub tls_sni: *const c_char,
    /// RX ring written by `cellmqtt_feed` (≥ CELLMQTT_RX_BUF_MIN).
    pub rx_buf: *mut u8,
    pub rx_buf_len: usize,
    /// Line and incoming-message assembly (≥ CELLMQTT_LINE_BUF_MIN).
    pub line_buf: *mut u8,
    pub line_buf_len: usize,
    /// Publish arena: each queued message takes 10 bytes + topic + payload.
    pub queue_buf: *mut u8,
    pub queue_buf_len: usize,
    /// Subscription arena: each filter takes 6 bytes + filter.
    pub sub_buf: *mut u8,
    pub sub_buf_len: usize,
    pub timeouts: Timeouts,
    pub ladder: Ladder,
    /// Payloads whose MPUB escaping adds more than this many bytes go by `AT+MPUBEX`.
    pub mpubex_above_extra: u16,
    /// APN of the packet bearer, for families whose host sets it up (Quectel `AT+QICSGP`,
    /// SIMCom `AT+CGDCONT`); NULL or "" = the module's default. Luat modules take it from the
    /// network.
    pub apn: *const c_char,
    /// QoS 1/2 publishes that may await their acknowledgements at once (0 or 1: one at a time,
    /// the default). Up to 8, and above 1 only for families whose acknowledgements carry
    /// message ids (Quectel; SIMCom's results carry none).
    pub publish_window: u8,
}

// The callbacks, named so C code can declare its own with the right signature (C names, as
// the structs have).
/// Writes to the module UART (`cellmqtt_callbacks_t.uart_write`).
#[allow(non_camel_case_types)]
pub type cellmqtt_uart_write_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, data: *const u8, len: usize) -> i32>;

/// Reads the millisecond clock (`cellmqtt_callbacks_t.tick_ms`).
#[allow(non_camel_case_types)]
pub type cellmqtt_tick_fn = Option<unsafe extern "C" fn(user: *mut c_void) -> u32>;

/// Drives a control line (`cellmqtt_callbacks_t.pin_set`).
#[allow(non_camel_case_types)]
pub type cellmqtt_pin_set_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, pin: Pin, active: bool)>;

/// Delivers an incoming message (`cellmqtt_callbacks_t.on_message`).
#[allow(non_camel_case_types)]
pub type cellmqtt_message_fn = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        topic: *const u8,
        topic_len: usize,
        payload: *const u8,
        payload_len: usize,
    ),
>;

/// Delivers an event (`cellmqtt_callbacks_t.on_event`).
#[allow(non_camel_case_types)]
pub type cellmqtt_event_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, event: *const cellmqtt_event_t)>;

/// Delivers a log entry (`cellmqtt_callbacks_t.log`).
#[allow(non_camel_case_types)]
pub type cellmqtt_log_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, entry: *const cellmqtt_log_t)>;

/// Reads an input line (`cellmqtt_callbacks_t.pin_get`).
#[allow(non_camel_case_types)]
pub type cellmqtt_pin_get_fn = Option<unsafe extern "C" fn(user: *mut c_void, pin: Pin) -> i32>;

/// Delivers an information line of a queued AT command (`cellmqtt_callbacks_t.on_at_line`).
#[allow(non_camel_case_types)]
pub type cellmqtt_at_line_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, id: u16, line: *const u8, len: usize)>;

/// Delivers a line the engine does not consume (`cellmqtt_callbacks_t.on_urc`).
#[allow(non_camel_case_types)]
pub type cellmqtt_urc_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, line: *const u8, len: usize)>;

/// Callbacks. `user` is passed first to every one of them.
///
/// Required: `uart_write`, `tick_ms`. Optional (NULL = not used): the rest.
/// Callbacks run inside `cellmqtt_poll` (never inside `cellmqtt_feed`); `tick_ms` also inside
/// `cellmqtt_start`, `cellmqtt_stop` and `cellmqtt_poll_delay_ms`.
///
/// `uart_write` and `tick_ms` run while the engine is at work (`uart_write` while it writes a
/// command): from them call only `cellmqtt_feed` (and `cellmqtt_rx_free`). Every other call
/// returns `CELLMQTT_STATUS_BUSY` and does nothing; `cellmqtt_state` answers the state the
/// session had when that work began, `cellmqtt_queued` and `cellmqtt_queue_room` 0,
/// `cellmqtt_poll_delay_ms` `UINT32_MAX`.
///
/// The others run after the work they report: from them you may call `cellmqtt_publish`,
/// `cellmqtt_subscribe`, `cellmqtt_unsubscribe`, `cellmqtt_start`, `cellmqtt_stop`,
/// `cellmqtt_feed`, `cellmqtt_state`, `cellmqtt_stats` and the other calls on the handle; a
/// nested `cellmqtt_poll`, `cellmqtt_init` or `cellmqtt_deinit` returns `CELLMQTT_STATUS_BUSY`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cellmqtt_callbacks_t {
    pub user: *mut c_void,
    /// Write to the module UART: return bytes taken (>0), 0 to try again later, <0 on error.
    /// Must not block for long; partial writes are fine. Runs while the engine writes a
    /// command: call only `cellmqtt_feed` from it (the rest returns `BUSY`).
    pub uart_write: cellmqtt_uart_write_fn,
    /// Monotonic milliseconds; may wrap at 2^32. Runs while the engine is at work: call only
    /// `cellmqtt_feed` from it (the rest returns `BUSY`).
    pub tick_ms: cellmqtt_tick_fn,
    /// Drive a control line: `active` true = asserted (RESET/PWRKEY held low, POWER switched on).
    pub pin_set: cellmqtt_pin_set_fn,
    /// An incoming message. Both buffers are valid only during the call (copy what you keep);
    /// the topic is not NUL-terminated.
    pub on_message: cellmqtt_message_fn,
    /// Everything else the session reports; the event is valid only during the call.
    pub on_event: cellmqtt_event_fn,
    /// Why things happen: command timeouts and errors, missing acknowledgements, the line
    /// that reported a link loss, a module reboot. Optional; the entry is valid during the call.
    pub log: cellmqtt_log_fn,
    /// Read an input line (only `CELLMQTT_PIN_STATUS`): 1 = asserted (the module is powered
    /// on), 0 = not, <0 = cannot tell. Called at the start of `cellmqtt_poll` when STATUS is in
    /// `pins` and a pin sequence is due or running (recovery, or a start that may power the
    /// module on), never in a healthy session; must not block for long.
    pub pin_get: cellmqtt_pin_get_fn,
    /// An information line of the queued AT command with this `id` (`cellmqtt_at_command`): not
    /// NUL-terminated, no CR/LF, valid only during the call. Optional.
    pub on_at_line: cellmqtt_at_line_fn,
    /// A line from the module the engine does not consume (`+CMTI: "SM",1`, `+CGEV: ME ...`,
    /// `RING`, vendor notices; never line noise with control bytes): a burst of 8, then 4 per
    /// second; more are dropped and counted (`URC_DROPPED` loss). Not NUL-terminated, valid
    /// only during the call. Optional.
    pub on_urc: cellmqtt_urc_fn,
}

/// What the module said about itself (`cellmqtt_module_info`): NUL-terminated, empty until
/// read (once per module boot, after the SIM is ready) or where the module refused.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cellmqtt_module_info_t {
    pub imei: [c_char; 17],
    pub iccid: [c_char; 23],
    pub imsi: [c_char; 17],
    /// Firmware revision (`AT+CGMR`).
    pub revision: [c_char; 33],
}

/// A log entry.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cellmqtt_log_t {
    pub kind: LogKind,
    /// The command or URC concerned, as the module spells it (static, NUL-terminated).
    pub what: *const c_char,
    /// `+CME ERROR` code, `+MQTTSTATU` state, PDN context or TCP error number; else 0.
    pub code: u16,
    /// The failure class the entry reports (`BROKER_REFUSED`, `BROKER_UNREACHABLE`,
    /// `TLS_FAILED`, `NAME_NOT_RESOLVED` for `BROKER_FAILURE` entries); `OK` otherwise.
    pub status: Status,
}

/// What a `cellmqtt_event_t` reports.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EventKind {
    /// `state` changed.
    State = 0,
    /// Publish `id` completed (QoS 0 at OK, 1 at PUBACK, 2 at PUBCOMP).
    Published = 1,
    /// Publish `id` failed for `status`; it is no longer queued. Id 0 is the online message
    /// (`online_payload`), which has no id of its own.
    PublishFailed = 2,
    /// Subscription `id` confirmed by SUBACK (`flag` = restored after a re-connect).
    Subscribed = 3,
    /// Subscription `id` refused (`status`); it was removed from the table.
    SubscribeFailed = 4,
    /// Unsubscribe `id` ended; the filter is out of the table either way. `status` is `OK`
    /// when the broker confirmed it (`UNSUBACK`) or the current connection was never sent the
    /// filter; else why not (`MODULE_ERROR`: refused, `TIMEOUT`: no `UNSUBACK` in `ack_ms`,
    /// `LINK_LOST`): the broker may go on sending its messages until the next clean session.
    Unsubscribed = 5,
    /// The recovery ladder took step `recovery` because of `status`; `count` = failures so far.
    Recovery = 6,
    /// `count` items of kind `loss` were lost.
    Loss = 7,
    /// Signal quality: `count` = rssi (0-31, 99 unknown), `id` = ber.
    Signal = 8,
    /// Queued AT command `id` ended: `status` `OK`, `MODULE_ERROR` (`count` = the
    /// `+CME ERROR` code, 0 for `ERROR`), `TIMEOUT`, `COMMAND_REFUSED` (it opened a data prompt,
    /// cancelled with ESC), `STOPPED` or `LINK_LOST` (the module rebooted before answering).
    AtDone = 9,
    /// Network time (`cellmqtt_request_time`): `count` = UTC seconds since
    /// 2000-01-01T00:00:00, `id` = the zone in quarter hours as `int16_t`.
    Time = 10,
}

/// An event. Fields not used by `kind` are zero.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct cellmqtt_event_t {
    pub kind: EventKind,
    pub status: Status,
    pub id: u16,
    pub state: State,
    pub recovery: RecoveryStep,
    pub loss: LossKind,
    pub flag: bool,
    pub count: u32,
}

impl cellmqtt_event_t {
    pub(super) fn new(kind: EventKind) -> Self {
        cellmqtt_event_t {
            kind,
            status: Status::Ok,
            id: 0,
            state: State::Stopped,
            recovery: RecoveryStep::Reconnect,
            loss: LossKind::RxOverflow,
            flag: false,
            count: 0,
        }
    }
}
