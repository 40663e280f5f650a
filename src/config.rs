// SPDX-License-Identifier: MIT OR Apache-2.0
//! Session configuration: what to connect to, which module, which pins exist, every deadline.
//!
//! Strings are borrowed for the engine's lifetime (the C API documents the same rule); limits are
//! checked once by [`Config::validate`] so nothing is sent that the module would reject.

use crate::config_field::{ConfigError, ConfigField as F};
use crate::dialect::encode::check_quotable;
use crate::parts;
use crate::Status;

/// The module family. Where the sources differ (docs/luat-at.md §12), the profile decides.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Profile {
    /// Air724UG / Air720UG / Air722UG / Air820UG (UNISOC 8910): RESET_IN_N reboots the module,
    /// `AT+MPUB` carries at most 2348 message bytes (release notes V301826), and its documents
    /// list only `\22`, `\0D`, `\0A` as escapes (docs/luat-at.md §5.6).
    Air724ug,
    /// Air780E / EG (EC618): RESET_N is a hardware shutdown, so a reset is RESET then PWRKEY;
    /// `AT+MPUB` carries at most 2384 bytes (Air780E FAQ, firmware V1169).
    Air780e,
    /// Air780EP / EPM (EC718): like Air780E, but RESET_N reboots.
    Air780ep,
    /// Quectel EC200U / EC600U / EG915U, EC800M, EC2x: the `AT+QMT*` dialect
    /// (docs/quectel-simcom-at.md §3); RESET reboots.
    Ec200u,
    /// SIMCom A7670 / A7672 / A76xx and SIM7600: the `AT+CMQTT*` dialect
    /// (docs/quectel-simcom-at.md §4); RESET reboots.
    A7670,
}

impl Profile {
    /// The dialect this family speaks; `None` when the build does not link it.
    pub fn dialect(self) -> Option<crate::dialect::Dialect> {
        use crate::dialect::Dialect;
        match self {
            #[cfg(feature = "luat")]
            Profile::Air724ug | Profile::Air780e | Profile::Air780ep => Some(Dialect::Luat),
            #[cfg(feature = "quectel")]
            Profile::Ec200u => Some(Dialect::Quectel),
            #[cfg(feature = "simcom")]
            Profile::A7670 => Some(Dialect::Simcom),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// Largest escaped message field `AT+MPUB` takes; longer payloads go by `AT+MPUBEX`.
    pub fn mpub_max(self) -> usize {
        // Air724UG 2348, Air780E 2384, Air780EP 4100 (the variants' sources above); 0 where
        // the family has no `AT+MPUB`: everything goes after a data prompt. A table of 16-bit
        // values by profile, in declaration order (asserted below): measured 10 B smaller
        // (Luat) than a match, whose look-up table the compiler builds of words.
        const MPUB_MAX: [u16; 5] = [2348, 2384, 4100, 0, 0];
        usize::from(MPUB_MAX.get(self as usize).copied().unwrap_or(0))
    }

    /// True when `AT+MPUB` documents `\5C` for a backslash. The Air724UG documents list only
    /// `\22 \0D \0A`, so a payload holding `\` goes by `AT+MPUBEX` there.
    pub fn escapes_backslash(self) -> bool {
        !matches!(self, Profile::Air724ug)
    }

    /// True when the RESET pin powers the module down instead of rebooting it.
    pub fn reset_is_shutdown(self) -> bool {
        matches!(self, Profile::Air780e)
    }

    /// The shortest RESET pulse that resets this family, held whatever shorter
    /// `reset_pulse_ms` says: the A7670/A7672 reset only after 2 s low, 2.5 s recommended
    /// (docs/quectel-simcom-at.md §9), where the default pulse (600 ms) would do nothing.
    pub fn reset_pulse_min_ms(self) -> u32 {
        // A build without the family refuses its profile at init: no code for it then.
        match self {
            Profile::A7670 if cfg!(feature = "simcom") => 2_500,
            _ => 0,
        }
    }
}

// `Profile::mpub_max` looks its value up by discriminant.
const _: () = assert!(
    Profile::Air724ug as usize == 0
        && Profile::Air780e as usize == 1
        && Profile::Air780ep as usize == 2
        && Profile::Ec200u as usize == 3
        && Profile::A7670 as usize == 4
);

bitflags::bitflags! {
    /// Session options.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Options: u32 {
        /// Connect with `AT+SSLMIPSTART` (TLS) instead of `AT+MIPSTART`.
        const TLS = 1 << 0;
        /// Receive through the module's 4-slot cache (`AT+MQTTMSGSET=1`) instead of directly.
        const CACHE_MODE = 1 << 1;
        /// MQTT clean session (`AT+MCONNECT=1,...`). Without it the broker keeps the session.
        const CLEAN_SESSION = 1 << 2;
        /// Never use `AT+MPUBEX`: payloads MPUB cannot carry are rejected instead.
        const NO_MPUBEX = 1 << 3;
        /// Poll `AT+CSQ` once per attach and report the signal as an event.
        const REPORT_SIGNAL = 1 << 4;
        /// Use the module's IMEI (read at every boot) as the client id; `client_id` may then
        /// be empty (it is used only if the module gives no IMEI).
        const CLIENT_ID_IMEI = 1 << 5;
        /// Let queued AT commands reboot or switch off the module (`AT+RESET`, `AT+CFUN=`,
        /// `AT+CPOWD`, `ATZ`); the session then recovers as from any reboot.
        const ALLOW_RESET_COMMANDS = 1 << 6;
    }
}

bitflags::bitflags! {
    /// Which module control lines the board wires to the MCU.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    pub struct Pins: u32 {
        /// RESET_IN_N / RESET_N.
        const RESET = 1 << 0;
        /// A switch on the module's supply.
        const POWER = 1 << 1;
        /// PWRKEY.
        const PWRKEY = 1 << 2;
        /// The module's STATUS (power indication) line, read through `pin_get`: checked before
        /// a PWRKEY pulse (a pulse toggles power, so a blind one can switch a hung module off)
        /// and to confirm a power cycle.
        const STATUS = 1 << 3;
    }
}

/// The module's documented limits (docs/luat-at.md §5), enforced before anything is sent.
pub mod limits {
    /// Topic, client id, user name, password, will topic (§5.1, §5.4, §5.6).
    pub const STRING_MAX: usize = 256;
    /// Will message (§5.1).
    pub const WILL_MAX: usize = 1360;
    /// Publish payload (`AT+MPUBEX` len 1..4100, §5.7).
    pub const PAYLOAD_MAX: usize = 4100;
    /// Host name for `AT+MIPSTART`.
    pub const HOST_MAX: usize = 255;
    /// File names in the module file system (`AT+FSCREATE`, ≤64 bytes).
    pub const FILE_MAX: usize = 64;
    /// APN (3GPP TS 23.003 §9.1: at most 100 bytes).
    /// cbindgen:ignore
    pub const APN_MAX: usize = 100;
    /// Largest publish window.
    /// cbindgen:ignore
    pub const PUBLISH_WINDOW_MAX: u8 = 8;
}

/// The last will, sent with `AT+MCONFIG`; the optional online message goes to the same topic.
#[derive(Clone, Copy, Debug)]
pub struct WillConfig<'a> {
    pub topic: &'a [u8],
    pub payload: &'a [u8],
    pub qos: u8,
    pub retain: bool,
}

/// TLS settings for context 88 (`AT+SSLCFG`), sent once per module boot. Empty strings and
/// `None` values are not sent, so a plain `Options::TLS` connects without certificate checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlsConfig<'a> {
    /// `"sslversion"`: 0 SSL3.0, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2, 4 all.
    pub version: Option<u8>,
    /// `"cacert"`: file name of the CA certificate in the module file system.
    pub ca_file: &'a [u8],
    /// `"clientcert"`: file name of the client certificate.
    pub client_cert_file: &'a [u8],
    /// `"clientkey"`: file name of the client key.
    pub client_key_file: &'a [u8],
    /// `"seclevel"`: 0 none, 1 verify server, 2 mutual.
    pub seclevel: Option<u8>,
    /// `"hostname"`: name for SNI and verification.
    pub sni: &'a [u8],
}

/// Every wait of the session, in milliseconds. Defaults come from the vendors' manuals (the
/// README's module sources).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// Final result (`OK`/`ERROR`) of an ordinary command (manual: 9 s).
    pub command_ms: u32,
    /// Interval between repeated `AT`, `AT+CPIN?`, `AT+CGATT?` polls (vendor: 1 s).
    pub poll_interval_ms: u32,
    /// Module answering `AT` after power-on or reset (vendor: reset after 90 s).
    pub boot_ms: u32,
    /// Module answering `AT` after it went silent mid-session, before RESET.
    pub silence_ms: u32,
    /// `+CPIN: READY` (vendor: 10 s).
    pub sim_ms: u32,
    /// `+CGATT: 1` (vendor: normally under 2 min).
    pub attach_ms: u32,
    /// `CONNECT OK` after `AT+MIPSTART` (not documented; TLS measured at 1.4-2.3 s); the first
    /// answer to Quectel `AT+QMTOPEN`, SIMCom `AT+CMQTTSTART` and `AT+CMQTTCONNECT`, which may
    /// come only with the result.
    pub connect_ms: u32,
    /// `CONNACK OK` after `AT+MCONNECT` (measured 0.2 s); the result after the `OK` of Quectel
    /// `AT+QMTCONN` and SIMCom `AT+CMQTTCONNECT`. The default outlasts a Quectel module's own
    /// retries of an unanswered CONNECT (its default packet timeout of 5 s, sent 4 times on the
    /// BG96), so its verdict (`+QMTCONN: 0,2`, the broker unreachable) comes first; a shorter
    /// wait takes a silent broker for the module's fault, which climbs the ladder.
    pub connack_ms: u32,
    /// `SUBACK`, `UNSUBACK`, `PUBACK`, `PUBREC`, `PUBCOMP` (measured 0.3 s).
    pub ack_ms: u32,
    /// `>` prompt after `AT+MPUBEX`.
    pub prompt_ms: u32,
    /// First back-off before a retry; doubles per failed cycle up to `backoff_max_ms`.
    pub backoff_min_ms: u32,
    pub backoff_max_ms: u32,
    /// RESET asserted (Air724UG: ≥150 ms; Air780E: >500 ms; the A7670 profile holds it at
    /// least 2.5 s whatever this says, its documented reset width).
    pub reset_pulse_ms: u32,
    /// Supply held off during a power cycle.
    pub power_off_ms: u32,
    /// PWRKEY asserted to power on (documented minimum 1.2-1.5 s; the default 2 s has margin).
    pub pwrkey_ms: u32,
    /// Idle time online after which `AT+MQTTSTATU` checks the link (0 = never).
    pub health_ms: u32,
    /// `SHUT OK` after `AT+CIPSHUT` (the manual's maximum response time: 90 s).
    pub shut_ms: u32,
}

impl Timeouts {
    /// cbindgen:ignore
    pub const DEFAULT: Timeouts = Timeouts {
        command_ms: 9_000,
        poll_interval_ms: 1_000,
        boot_ms: 90_000,
        silence_ms: 10_000,
        sim_ms: 10_000,
        attach_ms: 120_000,
        connect_ms: 60_000,
        connack_ms: 30_000,
        ack_ms: 20_000,
        prompt_ms: 9_000,
        backoff_min_ms: 1_000,
        backoff_max_ms: 60_000,
        reset_pulse_ms: 600,
        power_off_ms: 2_000,
        pwrkey_ms: 2_000,
        health_ms: 60_000,
        shut_ms: 90_000,
    };

    /// True when a wait other than `health_ms` (the one that may be 0: never) is 0.
    fn any_wait_zero(&self) -> bool {
        let t = self;
        t.command_ms == 0
            || t.poll_interval_ms == 0
            || t.boot_ms == 0
            || t.silence_ms == 0
            || t.sim_ms == 0
            || t.attach_ms == 0
            || t.connect_ms == 0
            || t.connack_ms == 0
            || t.ack_ms == 0
            || t.prompt_ms == 0
            || t.backoff_min_ms == 0
            || t.backoff_max_ms == 0
            || t.reset_pulse_ms == 0
            || t.power_off_ms == 0
            || t.pwrkey_ms == 0
            || t.shut_ms == 0
    }
}

/// The recovery ladder for module symptoms (no answer, contradictory answers, attach lost):
/// re-connects, then RESET pulses, then power cycles. Broker and network failures (refused,
/// unreachable, TLS, name not resolved) never climb it: they get re-connects with back-off
/// and jitter, and at most the last-resort reset below.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Ladder {
    /// Failed connect cycles answered by a plain re-connect before the first RESET.
    pub reconnects_before_reset: u8,
    /// RESET pulses before a power cycle.
    pub resets_before_power_cycle: u8,
    /// Consecutive power cycles without getting online before giving up (0 = never give up).
    /// With 0, a failure that outlives one climb to the top rung (the SIM or the attach still
    /// missing, a set-up command still refused) is no longer the module's: re-connects only,
    /// no pin or reset. With a limit, the ladder runs to it round after round.
    pub power_cycle_limit: u16,
    /// Consecutive refusals (`BROKER_REFUSED`, and `CONFIG_REFUSED`: a set-up command the
    /// module refuses for good) before giving up (0 = never): a wrong password does not fix
    /// itself, but a broker's ACL may be corrected meanwhile.
    pub refusal_limit: u16,
    /// After this many seconds of broker/network failures with no session in between, one
    /// module reset as a last resort (0 = never, the default). Tens of minutes is sensible.
    /// At most 2,147,483 (24.8 days; `INVALID_CONFIG`, field `ladder`, above).
    pub broker_reset_after_s: u32,
}

/// Largest `Ladder::broker_reset_after_s`: the longest span the wrapping millisecond tick
/// measures, in whole seconds.
const BROKER_RESET_AFTER_S_MAX: u32 = crate::time::MAX_DELAY_MS / 1000;

impl Ladder {
    /// cbindgen:ignore
    pub const DEFAULT: Ladder = Ladder {
        reconnects_before_reset: 3,
        resets_before_power_cycle: 2,
        power_cycle_limit: 0,
        refusal_limit: 0,
        broker_reset_after_s: 0,
    };
}

/// Everything the engine needs to run a session.
// `repr(C)` in this order (the small settings first, then the TLS settings, the strings and
// the large timeouts and ladder): the C conversion, the check and the encoders reach most
// fields at short offsets; measured 56 B smaller (Luat) than the compiler's order, with
// every dialect 42 B. The size does not change (200 B on 32-bit targets).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub struct Config<'a> {
    pub options: Options,
    pub pins: Pins,
    pub profile: Profile,
    /// QoS 1/2 publishes that may await their acknowledgements at once (0 or 1: one at a
    /// time). More than one only where the dialect's acknowledgements carry message ids
    /// (Quectel; not Luat, not SIMCom, whose results name no request and are matched by
    /// order); the module's own limit is not documented (docs/quectel-simcom-at.md §6.3).
    pub publish_window: u8,
    pub port: u16,
    pub keepalive_s: u16,
    /// Payloads whose escaping costs more than this many extra bytes go by `AT+MPUBEX`
    /// (one more round trip for the prompt instead of a longer line).
    pub mpubex_above_extra: u16,
    pub tls: TlsConfig<'a>,
    pub host: &'a [u8],
    pub client_id: &'a [u8],
    pub username: &'a [u8],
    pub password: &'a [u8],
    pub will: Option<WillConfig<'a>>,
    /// Published to the will topic (same QoS and retain) once online, e.g. `"online"`.
    pub online_payload: Option<&'a [u8]>,
    /// The packet bearer's APN, for families whose host sets the bearer up (Quectel
    /// `AT+QICSGP`, SIMCom `AT+CGDCONT`); empty: the module's default. Luat modules take it
    /// from the network.
    pub apn: &'a [u8],
    pub timeouts: Timeouts,
    pub ladder: Ladder,
}

impl<'a> Config<'a> {
    /// Defaults for everything but the broker and the client id.
    pub const fn new(host: &'a [u8], port: u16, client_id: &'a [u8]) -> Self {
        Config {
            profile: Profile::Air724ug,
            options: Options::CLEAN_SESSION,
            pins: Pins::empty(),
            host,
            port,
            client_id,
            username: b"",
            password: b"",
            keepalive_s: 120,
            will: None,
            online_payload: None,
            tls: TlsConfig {
                version: None,
                ca_file: b"",
                client_cert_file: b"",
                client_key_file: b"",
                seclevel: None,
                sni: b"",
            },
            timeouts: Timeouts::DEFAULT,
            ladder: Ladder::DEFAULT,
            mpubex_above_extra: 32,
            apn: b"",
            publish_window: 1,
        }
    }

    /// Refuses what needs a part this build left out (crate::parts).
    fn check_parts(&self) -> Result<(), ConfigError> {
        let mut left_out = Options::empty();
        left_out.set(Options::TLS, !parts::TLS);
        left_out.set(Options::CACHE_MODE, !parts::CACHE_MODE);
        left_out.set(Options::REPORT_SIGNAL, !parts::SIGNAL_REPORTS);
        if self.options.intersects(left_out) {
            return F::Options.err(Status::Unsupported);
        }
        if !parts::POWER_CYCLE && self.pins.contains(Pins::POWER) {
            return F::Pins.err(Status::Unsupported);
        }
        if !parts::TLS {
            // The first TLS setting given (tests in a chain: measured 56 B smaller than a table).
            let t = &self.tls;
            let given = if t.version.is_some() {
                F::TlsVersion
            } else if !t.ca_file.is_empty() {
                F::TlsCaFile
            } else if !t.client_cert_file.is_empty() {
                F::TlsClientCertFile
            } else if !t.client_key_file.is_empty() {
                F::TlsClientKeyFile
            } else if t.seclevel.is_some() {
                F::TlsSeclevel
            } else if !t.sni.is_empty() {
                F::TlsSni
            } else {
                F::None
            };
            if given != F::None {
                return given.err(Status::Unsupported);
            }
        }
        Ok(())
    }

    /// Checks every limit and every string the module must receive quoted.
    pub fn validate(&self) -> Result<(), Status> {
        self.check().map_err(|e| e.status)
    }

    /// As [`Config::validate`], naming the field that is wrong.
    pub fn check(&self) -> Result<(), ConfigError> {
        self.check_for(self.linked_dialect()?)
    }

    /// The profile's dialect; refused when this firmware does not link it.
    pub(crate) fn linked_dialect(&self) -> Result<crate::dialect::Dialect, ConfigError> {
        self.dialect().ok_or(ConfigError {
            status: Status::Unsupported,
            field: F::Profile,
        })
    }

    /// [`Config::check`] past the profile, whose dialect [`Config::linked_dialect`] returned
    /// (the engine looks it up once for both).
    pub(crate) fn check_for(&self, dialect: crate::dialect::Dialect) -> Result<(), ConfigError> {
        if self.options.contains(Options::CACHE_MODE) && !dialect.has_message_cache() {
            return F::Options.err(Status::Unsupported);
        }
        self.check_parts()?;
        if self.publish_window > limits::PUBLISH_WINDOW_MAX {
            return F::PublishWindow.err(Status::InvalidConfig);
        }
        if self.publish_window > 1 && !dialect.acks_carry_ids() {
            // Acknowledgements without ids cannot be told apart.
            return F::PublishWindow.err(Status::Unsupported);
        }
        if self.host.is_empty() {
            return F::Host.err(Status::InvalidConfig);
        }
        field_string(self.host, limits::HOST_MAX, F::Host)?;
        if self.port == 0 {
            return F::Port.err(Status::InvalidConfig);
        }
        if self.client_id.is_empty() && !self.options.contains(Options::CLIENT_ID_IMEI) {
            return F::ClientId.err(Status::InvalidConfig);
        }
        field_string(self.client_id, dialect.client_id_max(), F::ClientId)?;
        field_string(self.username, limits::STRING_MAX, F::Username)?;
        // MQTT strings (3.1.1 §1.5.3, §3.1.3): a broker closes the connection on ill-formed
        // UTF-8, SIMCom refuses it (`<err>` 2), so such a session could never connect. Two
        // tests, not a loop over a pair array: measured 44 B smaller (Luat), 60 B (every
        // dialect).
        if !well_formed_utf8(self.client_id) {
            return F::ClientId.err(Status::InvalidString);
        }
        if !well_formed_utf8(self.username) {
            return F::Username.err(Status::InvalidString);
        }
        field_string(self.password, limits::STRING_MAX, F::Password)?;
        field_string(self.apn, limits::APN_MAX, F::Apn)?;
        if self.keepalive_s == 0 {
            return F::Keepalive.err(Status::InvalidConfig);
        }
        // The will by value: measured 2 B smaller (Luat) than by reference.
        if let Some(w) = self.will {
            F::WillTopic.check(check_topic(w.topic, false))?;
            if w.payload.len() > limits::WILL_MAX {
                return F::WillPayload.err(Status::WillTooLong);
            }
            F::WillPayload.check(check_quotable(w.payload))?;
            if w.qos > 2 {
                return F::WillQos.err(Status::InvalidQos);
            }
        }
        if let Some(p) = self.online_payload {
            if self.will.is_none() {
                return F::OnlinePayload.err(Status::InvalidConfig);
            }
            if p.len() > limits::PAYLOAD_MAX {
                return F::OnlinePayload.err(Status::PayloadTooLong);
            }
        }
        // Without the TLS part, `check_parts` refused every TLS setting: there is none to check.
        if parts::TLS {
            let t = &self.tls;
            field_string(t.ca_file, limits::FILE_MAX, F::TlsCaFile)?;
            field_string(t.client_cert_file, limits::FILE_MAX, F::TlsClientCertFile)?;
            field_string(t.client_key_file, limits::FILE_MAX, F::TlsClientKeyFile)?;
            field_string(t.sni, limits::HOST_MAX, F::TlsSni)?;
            if t.version.is_some_and(|v| v > 4) {
                return F::TlsVersion.err(Status::InvalidConfig);
            }
            if t.seclevel.is_some_and(|v| v > 2) {
                return F::TlsSeclevel.err(Status::InvalidConfig);
            }
        }
        // The engine measures a failure run on the wrapping millisecond tick, which tells
        // spans up to 2^31 ms apart; a longer last-resort time would never be reached.
        if self.ladder.broker_reset_after_s > BROKER_RESET_AFTER_S_MAX {
            return F::Ladder.err(Status::InvalidConfig);
        }
        let t = &self.timeouts;
        // Every wait must be finite and non-zero; only the health check may be switched off.
        if t.any_wait_zero() || t.backoff_min_ms > t.backoff_max_ms {
            return F::Timeouts.err(Status::InvalidConfig);
        }
        Ok(())
    }
}

/// A string the module receives quoted: length limit, no quote/CR/LF/NUL, optionally non-empty.
pub fn check_string(s: &[u8], max: usize, required: bool) -> Result<(), Status> {
    if required && s.is_empty() {
        return Err(Status::InvalidConfig);
    }
    if s.len() > max {
        return Err(Status::StringTooLong);
    }
    check_quotable(s)
}

/// [`check_string`] of an optional string field, naming the field on failure. Out of line
/// with the field as an argument: each caller passes the error on as it is (measured 52 B
/// smaller than tagging the status at every call). The field comes last, so the string
/// stays in the registers `check_string` takes it in (measured 4 B smaller).
#[inline(never)]
fn field_string(s: &[u8], max: usize, field: F) -> Result<(), ConfigError> {
    field.check(check_string(s, max, false))
}

/// A topic name (publish, will) or filter (subscribe): 1..=256 bytes, quotable; wildcards only
/// in filters, and there only as whole levels (`+` alone in a level, `#` last).
#[inline(never)]
pub fn check_topic(topic: &[u8], filter: bool) -> Result<(), Status> {
    if topic.is_empty() {
        return Err(Status::InvalidTopic);
    }
    if topic.len() > limits::STRING_MAX {
        return Err(Status::TopicTooLong);
    }
    // MQTT topics are UTF-8 (3.1.1 §1.5.3, 5.0 §1.5.4): a broker closes the connection on
    // any other bytes, so such a message would be sent again after every reconnect; SIMCom
    // refuses them itself (`<err>` 2, docs/quectel-simcom-at.md §4.10).
    if check_quotable(topic).is_err() || !well_formed_utf8(topic) {
        return Err(Status::InvalidTopic);
    }
    // A wildcard must be its level alone: after a `/` (or first), before a `/` (or last);
    // `#` only last. Each byte is checked against the one before it, so the byte after a
    // wildcard is checked in its own turn (measured 8 B smaller than looking ahead).
    let mut prev = b'/';
    for &b in topic {
        let wildcard = b == b'+' || b == b'#';
        if (wildcard && !(filter && prev == b'/')) || prev == b'#' || (prev == b'+' && b != b'/') {
            return Err(Status::InvalidTopic);
        }
        prev = b;
    }
    Ok(())
}

/// Whether `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF). One pass over the bytes: `core::str::from_utf8` says the same but costs
/// about 390 B more of flash (Luat, Cortex-M4F).
fn well_formed_utf8(s: &[u8]) -> bool {
    // Continuation bytes still due, and the range the next one must lie in: the first after
    // some lead bytes is narrower, which is what excludes the overlong forms (after E0, F0),
    // the surrogates (after ED) and the code points above U+10FFFF (after F4).
    let mut due = 0u32;
    let (mut lo, mut hi) = (0x80u8, 0xbfu8);
    // A slice pattern, not `for`: measured 2 B smaller.
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        let b = *b;
        rest = tail;
        if due > 0 {
            if b < lo || b > hi {
                return false;
            }
            due -= 1;
            (lo, hi) = (0x80, 0xbf);
        } else if b >= 0x80 {
            // C2-DF lead two bytes, E0-EF three, F0-F4 four; C0, C1 and F5-FF none. (The lead
            // range tested first and a word-sized count: measured 6 B smaller than counting
            // in a byte and testing the count.)
            if !(0xc2..=0xf4).contains(&b) {
                return false;
            }
            due = 1 + u32::from(b >= 0xe0) + u32::from(b >= 0xf0);
            lo = match b {
                0xe0 => 0xa0,
                0xf0 => 0x90,
                _ => 0x80,
            };
            hi = match b {
                0xed => 0x9f,
                0xf4 => 0x8f,
                _ => 0xbf,
            };
        }
    }
    due == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte walk of `well_formed_utf8` against core's decoder: every lead byte followed by
    /// up to three bytes from the edges of the continuation ranges, so every cut-short form too.
    #[test]
    #[cfg_attr(miri, ignore)] // 190,000 sequences; the next test is the one Miri runs
    fn utf8_walk_agrees_with_core() {
        const EDGES: [u8; 9] = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0];
        let mut seq = [0u8; 4];
        for lead in 0..=255u8 {
            seq[0] = lead;
            for len in 1..=4usize {
                for mut k in 0..EDGES.len().pow(len as u32 - 1) {
                    for slot in seq.iter_mut().take(len).skip(1) {
                        *slot = EDGES[k % EDGES.len()];
                        k /= EDGES.len();
                    }
                    let s = &seq[..len];
                    assert_eq!(
                        well_formed_utf8(s),
                        core::str::from_utf8(s).is_ok(),
                        "{s:02x?}"
                    );
                }
            }
        }
    }

    #[test]
    fn topics_are_well_formed_utf8() {
        let good: [&[u8]; 6] = [
            b"a/b",
            "t\u{e9}st/\u{20ac}".as_bytes(),
            "\u{10ffff}".as_bytes(),
            "\u{d7ff}/\u{e000}".as_bytes(),
            "\u{800}".as_bytes(),
            "\u{10000}".as_bytes(),
        ];
        for t in good {
            assert!(well_formed_utf8(t), "{t:02x?}");
            assert_eq!(check_topic(t, false), Ok(()), "{t:02x?}");
        }
        let bad: [&[u8]; 8] = [
            b"s/\xff",
            b"s/\xc3",           // cut short
            b"\xc0\xaf",         // overlong '/'
            b"\xe0\x80\xaf",     // overlong
            b"\xed\xa0\x80",     // surrogate U+D800
            b"\xf4\x90\x80\x80", // above U+10FFFF
            b"\x80",             // a continuation without its lead
            b"\xe2\x82",         // cut short
        ];
        for t in bad {
            assert!(!well_formed_utf8(t), "{t:02x?}");
            assert_eq!(check_topic(t, true), Err(Status::InvalidTopic), "{t:02x?}");
        }
    }

    /// The byte walk of `check_topic` against the level rule it implements.
    #[test]
    fn topic_wildcards_only_as_whole_levels() {
        let ok_filters: [&[u8]; 9] = [
            b"a/b", b"+", b"#", b"+/+", b"a/+/b", b"a/#", b"+/#", b"/+", b"a//#",
        ];
        let bad_filters: [&[u8]; 10] = [
            b"a+", b"+a", b"a/#/b", b"#/", b"##", b"a/b#", b"++", b"a/+b/c", b"#a", b"+#",
        ];
        for t in ok_filters {
            assert_eq!(check_topic(t, true), Ok(()), "{t:?}");
        }
        for t in bad_filters {
            assert_eq!(check_topic(t, true), Err(Status::InvalidTopic), "{t:?}");
        }
        for t in ok_filters.iter().chain(&bad_filters) {
            let wild = t.iter().any(|b| *b == b'+' || *b == b'#');
            let r = if wild {
                Err(Status::InvalidTopic)
            } else {
                Ok(())
            };
            assert_eq!(check_topic(t, false), r, "{t:?}");
        }
        // Every topic of up to 7 bytes over `a / + #` against the rule stated per level (up
        // to 5 under Miri, where the 43,688 checks of 7 would take minutes).
        let model = |t: &[u8], filter: bool| {
            let mut levels = t.split(|b| *b == b'/').peekable();
            while let Some(level) = levels.next() {
                if level.iter().any(|b| *b == b'+' || *b == b'#')
                    && !(filter && (level == b"+" || (level == b"#" && levels.peek().is_none())))
                {
                    return false;
                }
            }
            true
        };
        let alphabet = *b"a/+#";
        let mut t = [0u8; 7];
        let longest = if cfg!(miri) { 5 } else { t.len() };
        for len in 1..=longest {
            for n in 0..4usize.pow(len as u32) {
                let mut k = n;
                for b in t.iter_mut().take(len) {
                    *b = alphabet[k % 4];
                    k /= 4;
                }
                let t = &t[..len];
                for filter in [false, true] {
                    assert_eq!(check_topic(t, filter).is_ok(), model(t, filter), "{t:?}");
                }
            }
        }
        assert_eq!(check_topic(b"", true), Err(Status::InvalidTopic));
        assert_eq!(check_topic(b"a\"", true), Err(Status::InvalidTopic));
    }

    /// Every wait but `health_ms` must be non-zero; `health_ms` 0 switches the check off.
    #[test]
    fn every_wait_but_health_must_be_non_zero() {
        let zero: [fn(&mut Timeouts); 16] = [
            |t| t.command_ms = 0,
            |t| t.poll_interval_ms = 0,
            |t| t.boot_ms = 0,
            |t| t.silence_ms = 0,
            |t| t.sim_ms = 0,
            |t| t.attach_ms = 0,
            |t| t.connect_ms = 0,
            |t| t.connack_ms = 0,
            |t| t.ack_ms = 0,
            |t| t.prompt_ms = 0,
            |t| t.backoff_min_ms = 0,
            |t| t.backoff_max_ms = 0,
            |t| t.reset_pulse_ms = 0,
            |t| t.power_off_ms = 0,
            |t| t.pwrkey_ms = 0,
            |t| t.shut_ms = 0,
        ];
        for z in zero {
            let mut t = Timeouts::DEFAULT;
            assert!(!t.any_wait_zero());
            z(&mut t);
            assert!(t.any_wait_zero());
        }
        let mut t = Timeouts::DEFAULT;
        t.health_ms = 0;
        assert!(!t.any_wait_zero());
    }
}
