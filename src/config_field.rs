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
    RxBuf = 24,
    LineBuf = 25,
    QueueBuf = 26,
    SubBuf = 27,
    /// Two of the four buffers overlap.
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
}

/// Lower-case names for C (`cellmqtt_config_field_str`), by discriminant, spelled as the
/// struct fields are.
pub(crate) const CONFIG_FIELD_NAMES: [&[u8]; 33] = [
    b"none\0",
    b"profile\0",
    b"options\0",
    b"pins\0",
    b"pin_set\0",
    b"pin_get\0",
    b"host\0",
    b"port\0",
    b"client_id\0",
    b"username\0",
    b"password\0",
    b"keepalive_s\0",
    b"will_topic\0",
    b"will_payload\0",
    b"will_qos\0",
    b"will_retain\0",
    b"online_payload\0",
    b"tls_ca_file\0",
    b"tls_client_cert_file\0",
    b"tls_client_key_file\0",
    b"tls_sni\0",
    b"tls_version\0",
    b"tls_seclevel\0",
    b"timeouts\0",
    b"rx_buf\0",
    b"line_buf\0",
    b"queue_buf\0",
    b"sub_buf\0",
    b"buffer_overlap\0",
    b"uart_write\0",
    b"tick_ms\0",
    b"apn\0",
    b"publish_window\0",
];

const _: () = assert!(ConfigField::PublishWindow as usize == CONFIG_FIELD_NAMES.len() - 1);

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
