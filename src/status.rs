// SPDX-License-Identifier: MIT OR Apache-2.0
//! The one status type of the library: 0 is success, every error is a distinct negative value.
//!
//! The same codes name why an asynchronous operation failed (publish, subscribe) and why the
//! session is recovering, so a C caller needs a single table.

/// Result of every API call, and the reason carried by failure events.
#[repr(i32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArg = -1,
    /// The handle was never initialised (or its storage was overwritten).
    NotInitialized = -2,
    /// Called from inside one of this handle's callbacks where that is not allowed
    /// (`cellmqtt_poll`, `cellmqtt_init` or `cellmqtt_deinit` from any callback; every call
    /// that takes the engine from `uart_write` or `tick_ms`, which run while it is at work).
    Busy = -3,
    /// An argument is out of range (unknown enum value, zero length where one is needed, ...).
    InvalidArg = -4,
    /// The configuration is inconsistent (a required string missing, a timeout of zero, ...).
    InvalidConfig = -5,
    /// A caller-provided buffer is missing or smaller than the documented minimum.
    BufferTooSmall = -6,
    /// A topic is longer than the module accepts (256 bytes).
    TopicTooLong = -7,
    /// A topic is empty, holds a wildcard where none is allowed, is not UTF-8 (MQTT requires
    /// it), or holds bytes the module cannot take.
    InvalidTopic = -8,
    /// A payload is longer than the module accepts on the configured profile.
    PayloadTooLong = -9,
    /// QoS is not 0, 1 or 2.
    InvalidQos = -10,
    /// The publish queue has no room for this message; nothing was queued.
    QueueFull = -11,
    /// The subscription table has no room for another filter.
    SubscriptionsFull = -12,
    /// The filter to unsubscribe is not in the subscription table.
    NotSubscribed = -13,
    /// A configuration string (client id, user, password, host, APN, TLS file name or SNI) is
    /// too long; a will topic that is too long is `TOPIC_TOO_LONG`, a will message
    /// `WILL_TOO_LONG`.
    StringTooLong = -14,
    /// A configuration string holds a byte the AT syntax cannot carry (a quote or a control
    /// byte), or the client id or user name is not UTF-8 (MQTT requires it).
    InvalidString = -15,
    /// The will message is longer than the module accepts (1360 bytes).
    WillTooLong = -16,
    /// The operation needs a started session (`cellmqtt_start` first) or is not valid in this state.
    WrongState = -17,
    /// `cellmqtt_feed` could not take every byte: the RX ring is full (the rest is dropped and counted).
    RxOverflow = -18,
    /// The module answered `ERROR` or `+CME ERROR`.
    ModuleError = -20,
    /// An answer or acknowledgement did not arrive before its deadline.
    Timeout = -21,
    /// The MQTT link was lost (`CLOSED`, PDN/PDP deactivation, module reboot).
    LinkLost = -22,
    /// The session was stopped by the application.
    Stopped = -23,
    /// The UART write callback reported an error.
    UartError = -24,
    /// The module reported no SIM (`+CPIN: SIM REMOVED`, `+CME ERROR: 10`).
    SimAbsent = -25,
    /// The SIM needs a PIN or PUK, which this library does not enter.
    SimLocked = -26,
    /// The module did not attach to the packet network before the deadline.
    NotAttached = -27,
    /// The TCP/TLS connection to the broker failed (`CONNECT FAIL`).
    ConnectFailed = -28,
    /// The broker refused or dropped the MQTT connect (`ERROR` after `AT+MCONNECT`).
    ConnackFailed = -29,
    /// The module did not answer at all (no final result to a command).
    NoResponse = -30,
    /// The recovery ladder ran out (the configured power-cycle limit was reached).
    GaveUp = -31,
    /// The module or profile does not support the requested feature.
    Unsupported = -32,
    /// The broker refused the MQTT connect (bad credentials, client id not allowed, ...):
    /// `ERROR` after `AT+MCONNECT`'s `OK`, or the link closed before `CONNACK OK`. Fix the
    /// configuration; the module is not at fault and is never reset for it.
    BrokerRefused = -33,
    /// The broker could not be reached (`CONNECT FAIL`): it is down, the port is closed or
    /// the network path is broken. Re-connected with back-off; the module is not reset.
    BrokerUnreachable = -34,
    /// The TLS handshake with the broker failed (where the module reports it apart from a
    /// TCP failure). Re-connected with back-off; the module is not reset.
    TlsFailed = -35,
    /// The broker's host name does not resolve (`+CME ERROR: 916-918`). Re-connected with
    /// back-off; the module is not reset.
    NameNotResolved = -36,
    /// A queued AT command would break the session (an MQTT command, echo, the UART's
    /// settings, a data prompt, a reset without `CELLMQTT_OPT_ALLOW_RESET_COMMANDS`); as its
    /// `AT_DONE` status: it opened a data prompt, which was cancelled.
    CommandRefused = -37,
    /// `cellmqtt_init` was compiled against a header that does not match this library (its ABI
    /// version or the size of `cellmqtt_t`, `cellmqtt_config_t` or `cellmqtt_callbacks_t`
    /// differs): nothing was read from the structs.
    AbiMismatch = -38,
    /// The module refused a command of the session's set-up again after the recovery ladder
    /// had reached its top (a power cycle, or the step standing in for one): it does not take
    /// a configured value (a keep-alive outside its range, a will, client id or TLS file it
    /// cannot use) or its firmware lacks the command. No reset changes that answer, so it is
    /// re-connected with back-off and the module is not reset for it again. Fix the
    /// configuration.
    ConfigRefused = -39,
}

impl Status {
    /// Every status, for tables and tests.
    /// cbindgen:ignore
    pub const ALL: [Status; 39] = [
        Status::Ok,
        Status::NullArg,
        Status::NotInitialized,
        Status::Busy,
        Status::InvalidArg,
        Status::InvalidConfig,
        Status::BufferTooSmall,
        Status::TopicTooLong,
        Status::InvalidTopic,
        Status::PayloadTooLong,
        Status::InvalidQos,
        Status::QueueFull,
        Status::SubscriptionsFull,
        Status::NotSubscribed,
        Status::StringTooLong,
        Status::InvalidString,
        Status::WillTooLong,
        Status::WrongState,
        Status::RxOverflow,
        Status::ModuleError,
        Status::Timeout,
        Status::LinkLost,
        Status::Stopped,
        Status::UartError,
        Status::SimAbsent,
        Status::SimLocked,
        Status::NotAttached,
        Status::ConnectFailed,
        Status::ConnackFailed,
        Status::NoResponse,
        Status::GaveUp,
        Status::Unsupported,
        Status::BrokerRefused,
        Status::BrokerUnreachable,
        Status::TlsFailed,
        Status::NameNotResolved,
        Status::CommandRefused,
        Status::AbiMismatch,
        Status::ConfigRefused,
    ];

    /// The status with this numeric code, if there is one.
    pub fn from_code(code: i32) -> Option<Status> {
        Status::ALL.iter().copied().find(|s| *s as i32 == code)
    }
}
