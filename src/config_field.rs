// SPDX-License-Identifier: MIT OR Apache-2.0
//! Which configuration field a refused configuration is about, so the application (and the
//! CLI) can say "the password is too long" instead of a bare `INVALID_CONFIG`.

use crate::Status;

/// The field of `cellmqtt_config_t` / `cellmqtt_callbacks_t` that made a configuration fail.
#[repr(u32)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConfigField {
    /// No field: the configuration is valid (or the failure is not about one field).
    None = 0,
    Profile = 1,
    Options = 2,
    /// A pin in `pins` that is not a known line.
    Pins = 3,
    /// RESET, POWER or PWRKEY declared in `pins` without a `pin_set` callback.
    PinSet = 4,
    /// STATUS declared in `pins` without a `pin_get` callback.
    PinGet = 5,
    Host = 6,
    Port = 7,
    ClientId = 8,
    Username = 9,
    Password = 10,
    Keepalive = 11,
    WillTopic = 12,
    WillPayload = 13,
    WillQos = 14,
    WillRetain = 15,
    /// The online message: too long, not sendable, or set without a will topic.
    OnlinePayload = 16,
    TlsCaFile = 17,
    TlsClientCertFile = 18,
    TlsClientKeyFile = 19,
    TlsSni = 20,
    TlsVersion = 21,
    TlsSeclevel = 22,
    /// A wait in `timeouts` is 0 (only `health_ms` may be), or `backoff_min_ms` exceeds
    /// `backoff_max_ms`.
    Timeouts = 23,
    /// A buffer (this one and the next three): NULL (`NULL_ARG`), shorter than its minimum
    /// (`BUFFER_TOO_SMALL`), or a region that cannot exist, longer than `PTRDIFF_MAX` or
    /// running past the end of the address space (`INVALID_CONFIG`).
    RxBuf = 24,
    LineBuf = 25,
    QueueBuf = 26,
    SubBuf = 27,
    /// Two of the four buffers overlap, or (`cellmqtt_init` only: it knows the handle) one
    /// overlaps the handle's storage.
    BufferOverlap = 28,
    /// `uart_write` is NULL.
    UartWrite = 29,
    /// `tick_ms` is NULL.
    TickMs = 30,
    /// `apn` is too long or holds a character the module cannot take.
    Apn = 31,
    /// `publish_window` is above 8, or above 1 for a family whose acknowledgements carry no
    /// message id.
    PublishWindow = 32,
    /// A `log` callback given to a library built without log entries (the `logs` part).
    Log = 33,
    /// `ladder.broker_reset_after_s` above 2,147,483 s (24.8 days, half the range of the
    /// millisecond tick the engine measures it on).
    Ladder = 34,
}

/// A refused configuration: the status `init` returns and the field it is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ConfigError {
    pub status: Status,
    pub field: ConfigField,
}

impl ConfigField {
    /// Tags a failed check with this field.
    pub(crate) fn check(self, r: Result<(), Status>) -> Result<(), ConfigError> {
        r.map_err(|status| ConfigError {
            status,
            field: self,
        })
    }

    /// An error of this field.
    pub(crate) fn err<T>(self, status: Status) -> Result<T, ConfigError> {
        Err(ConfigError {
            status,
            field: self,
        })
    }
}
