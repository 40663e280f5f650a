// SPDX-License-Identifier: MIT OR Apache-2.0
//! What the engine reports: state changes, completions, recovery steps, losses, pin changes and
//! incoming messages. Everything but a message is a small `Copy` record; a message borrows the
//! engine's line buffer until the next `poll`.

use crate::Status;

/// Session state, as reported to the application.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    /// Not started, or stopped by the application.
    Stopped = 0,
    /// Powering the module on or pulsing a pin.
    PowerCycle = 1,
    /// Waiting for the module to answer `AT`.
    Probing = 2,
    /// Echo off, SIM and network attach checks.
    Preparing = 3,
    /// `AT+MCONFIG`, `AT+MIPSTART`, `AT+MCONNECT`.
    Connecting = 4,
    /// Connected; restoring subscriptions and sending the online message.
    Restoring = 5,
    /// Connected and ready: publishes and subscriptions are being served.
    Online = 6,
    /// A failure occurred; waiting out the back-off before the next step of the ladder.
    Recovering = 7,
    /// Leaving the broker after `cellmqtt_stop` (`AT+MDISCONNECT`, `AT+MIPCLOSE` on Luat).
    Stopping = 8,
    /// The ladder ran out (`power_cycle_limit` reached); `cellmqtt_start` begins again.
    Failed = 9,
}

/// A step of the recovery ladder.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RecoveryStep {
    /// `AT+MIPCLOSE` (result ignored) and a new connect from `AT+MCONFIG`.
    Reconnect = 0,
    /// The module rebooted by itself (`RDY`): full re-initialisation.
    Reinit = 1,
    /// `AT+RESET` (no RESET pin wired).
    SoftReset = 2,
    /// RESET pin pulse, then full re-initialisation.
    ResetPin = 3,
    /// POWER off/on and PWRKEY pulse, then full re-initialisation.
    PowerCycle = 4,
    /// PWRKEY pulse to switch on a module that does not answer: at start, and as the power
    /// step of the ladder where no supply switch (POWER) is wired.
    PowerOn = 5,
    /// The ladder ran out; the session is in `CELLMQTT_STATE_FAILED`.
    GaveUp = 6,
}

/// What was lost; every loss is counted in `cellmqtt_stats_t` and reported once per occurrence.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LossKind {
    /// RX bytes dropped because the RX ring was full (`feed` faster than `poll`).
    RxOverflow = 0,
    /// A line longer than the line buffer was discarded.
    LineTooLong = 1,
    /// An incoming message did not fit the line buffer and was discarded.
    MessageTooLarge = 2,
    /// The module's 4-slot cache overwrote a message before it was read.
    CacheOverwritten = 3,
    /// A publish was refused by `publish` (queue full, too long, invalid).
    PublishRejected = 4,
    /// An event record could not be queued (must never happen; counted to prove it).
    EventDropped = 5,
    /// `AT+MQTTMSGGET` failed; the announced cache slots were not read.
    CacheReadFailed = 6,
    /// An incoming message that cannot be read whole: a header that is corrupt (a byte count
    /// above the module's limit, or no count), skipped to its line end, or a message bytes
    /// dropped by a full RX ring cut (`rx_overflow`); the stream resynchronises at the next
    /// line.
    MessageCorrupt = 7,
    /// A URC for `on_urc` over its rate bound (a burst of 8, then 4 per second).
    UrcDropped = 8,
}

/// What a log entry reports: the "why" behind counters and recovery steps.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogKind {
    /// `what` (a command) got no final result before its deadline.
    CommandTimeout = 0,
    /// `what` (a command) was answered `ERROR` (`code` 0) or `+CME ERROR: code`.
    CommandError = 1,
    /// `what` (a URC such as `PUBACK` or `CONNACK OK`) did not arrive before its deadline.
    AckTimeout = 2,
    /// The link went down: `what` is the line that said so (`CLOSED`, `+PDP DEACT`, ...).
    LinkDown = 3,
    /// The module printed `RDY` mid-session: it rebooted by itself.
    ModuleRebooted = 4,
    /// The broker or the network failed the connect (`what` = the line or command, the
    /// entry's `status` the class: broker refused, unreachable, TLS, name not resolved). The
    /// module is fine: re-connects with back-off follow, no pin or reset.
    BrokerFailure = 5,
    /// Echoed command lines came back after `ATE0` (firmware echo, or TX looped back by the
    /// wiring): `ATE0` is sent once more, and the session works on with echo either way.
    EchoOn = 6,
    /// The STATUS line disagreed with a pin sequence (`code` = the level read): the module
    /// was on where it should be off (a power cycle without effect) or the reverse.
    StatusMismatch = 7,
}

/// What a log entry is about: a command or URC by its purpose. The variant names are the Luat
/// spellings they had before the dialect split (`MipStart`: opening the broker link,
/// `ConnectFail`: the open failed, `Closed`: the link ended, ...); each dialect names them in its
/// own words in the log (`Dialect::subject_name`).
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Subject {
    At,
    Ate0,
    Cpin,
    Cgatt,
    Csq,
    MqttMsgSet,
    SslCfg,
    MipClose,
    CipShut,
    MConfig,
    MipStart,
    MConnect,
    MSub,
    MUnsub,
    MPub,
    MPubEx,
    MqttMsgGet,
    MqttStatu,
    MDisconnect,
    Reset,
    ConnectOk,
    ConnackOk,
    Suback,
    Unsuback,
    Puback,
    Pubrec,
    Pubcomp,
    Closed,
    PdnDeact,
    PdpDeact,
    TcpError,
    Rdy,
    MqttMode,
    ConnectFail,
    Msub,
    StatusPin,
    /// A command the application queued.
    Queued,
    /// An identity query (`AT+CGSN`, `AT+CGMR`, `AT+ICCID`, `AT+CCID`, `AT+CIMI`).
    Identity,
    // The bearer subjects: only Quectel and SIMCom set a bearer up, so a build without them
    // has none (their names measured 78 B of a Luat-only build).
    /// Setting the bearer's APN (Quectel `AT+QICSGP`).
    #[cfg(any(feature = "quectel", feature = "simcom"))]
    BearerApn,
    /// Activating the bearer (Quectel `AT+QIACT=1`).
    #[cfg(any(feature = "quectel", feature = "simcom"))]
    BearerUp,
    /// Asking whether the bearer is active (Quectel `AT+QIACT?`).
    #[cfg(any(feature = "quectel", feature = "simcom"))]
    BearerCheck,
    /// Deactivating the bearer (Quectel `AT+QIDEACT=1`).
    #[cfg(any(feature = "quectel", feature = "simcom"))]
    BearerDown,
}

impl Subject {
    /// How the module spells it, NUL-terminated.
    // Always inlined: where Quectel's or SIMCom's names fall back to it, a call left their
    // lookups as a branch per subject (measured 234 B smaller with every dialect; the
    // one-family builds unchanged).
    #[inline(always)]
    pub fn name_nul(self) -> &'static [u8] {
        match self {
            Subject::At => b"AT\0",
            Subject::Ate0 => b"ATE0\0",
            Subject::Cpin => b"AT+CPIN?\0",
            Subject::Cgatt => b"AT+CGATT?\0",
            Subject::Csq => b"AT+CSQ\0",
            Subject::MqttMsgSet => b"AT+MQTTMSGSET\0",
            Subject::SslCfg => b"AT+SSLCFG\0",
            Subject::MipClose => b"AT+MIPCLOSE\0",
            Subject::CipShut => b"AT+CIPSHUT\0",
            Subject::MConfig => b"AT+MCONFIG\0",
            Subject::MipStart => b"AT+MIPSTART\0",
            Subject::MConnect => b"AT+MCONNECT\0",
            Subject::MSub => b"AT+MSUB\0",
            Subject::MUnsub => b"AT+MUNSUB\0",
            Subject::MPub => b"AT+MPUB\0",
            Subject::MPubEx => b"AT+MPUBEX\0",
            Subject::MqttMsgGet => b"AT+MQTTMSGGET\0",
            Subject::MqttStatu => b"AT+MQTTSTATU\0",
            Subject::MDisconnect => b"AT+MDISCONNECT\0",
            Subject::Reset => b"AT+RESET\0",
            Subject::ConnectOk => b"CONNECT OK\0",
            Subject::ConnackOk => b"CONNACK OK\0",
            Subject::Suback => b"SUBACK\0",
            Subject::Unsuback => b"UNSUBACK\0",
            Subject::Puback => b"PUBACK\0",
            Subject::Pubrec => b"PUBREC\0",
            Subject::Pubcomp => b"PUBCOMP\0",
            Subject::Closed => b"CLOSED\0",
            Subject::PdnDeact => b"+CGEV: PDN DEACT\0",
            Subject::PdpDeact => b"+PDP DEACT\0",
            Subject::TcpError => b"TCP ERROR\0",
            Subject::Rdy => b"RDY\0",
            Subject::MqttMode => b"AT+MQTTMODE\0",
            Subject::ConnectFail => b"CONNECT FAIL\0",
            Subject::Msub => b"+MSUB\0",
            Subject::StatusPin => b"STATUS\0",
            Subject::Queued => b"queued AT command\0",
            Subject::Identity => b"identity query\0",
            #[cfg(any(feature = "quectel", feature = "simcom"))]
            Subject::BearerApn => b"bearer APN\0",
            #[cfg(any(feature = "quectel", feature = "simcom"))]
            Subject::BearerUp => b"bearer activation\0",
            #[cfg(any(feature = "quectel", feature = "simcom"))]
            Subject::BearerCheck => b"bearer query\0",
            #[cfg(any(feature = "quectel", feature = "simcom"))]
            Subject::BearerDown => b"bearer deactivation\0",
        }
    }
}

/// Module control lines.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pin {
    Reset = 0,
    Power = 1,
    Pwrkey = 2,
    /// Input only: the module's power indication, read through `pin_get`.
    Status = 3,
}

/// An event without borrowed data (queued inside the engine).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Notice {
    State(State),
    /// A publish completed: QoS 0 at `OK`, QoS 1 at `PUBACK`, QoS 2 at `PUBCOMP`.
    Published {
        id: u16,
    },
    /// A publish will not be sent: why.
    PublishFailed {
        id: u16,
        reason: Status,
    },
    /// A subscription is confirmed (`SUBACK`); `restored` after a re-connect.
    Subscribed {
        id: u16,
        restored: bool,
    },
    /// A subscription was refused by the module; it is removed from the table.
    SubscribeFailed {
        id: u16,
        reason: Status,
    },
    /// An unsubscribe ended; the filter is out of the table either way. `status` is `Ok` when
    /// it is confirmed (`UNSUBACK`) or the current connection was never sent the filter (a
    /// clean session holds none of the earlier ones'); else why not (`ModuleError`: refused;
    /// `Timeout`: no `UNSUBACK` in `ack_ms`; `LinkLost`): the broker may go on sending the
    /// filter's messages until the next clean session.
    Unsubscribed {
        id: u16,
        status: Status,
    },
    /// The ladder takes a step because of `reason`; `failures` counts consecutive failed cycles.
    Recovery {
        step: RecoveryStep,
        reason: Status,
        failures: u16,
    },
    /// Something was lost; `count` is how many (bytes for RX overflow, otherwise items).
    Loss {
        kind: LossKind,
        count: u32,
    },
    /// Drive a control line: `active` = asserted (RESET/PWRKEY held low, POWER on).
    Pin {
        pin: Pin,
        active: bool,
    },
    /// A log entry about a command or a URC; `reason` is the failure class where the entry
    /// reports one (`Ok` otherwise).
    Log {
        kind: LogKind,
        what: Subject,
        code: u16,
        reason: Status,
    },
    /// Signal quality from `AT+CSQ` (rssi 0..31 or 99).
    Signal {
        rssi: u8,
        ber: u8,
    },
    /// A queued AT command ended: `Ok`, `ModuleError` (`code` = the `+CME ERROR` code, 0
    /// for a plain `ERROR`), `Timeout`, `Stopped` (the session was stopped first), or
    /// `LinkLost` (the module rebooted before answering; the command is not sent again).
    AtDone {
        id: u16,
        status: Status,
        code: u16,
    },
    /// The network time from `AT+CCLK?`: UTC seconds since 2000-01-01T00:00:00 and the
    /// zone in quarter hours.
    Time {
        utc_s: u32,
        zone: i8,
    },
}

/// An event returned by `poll`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Event<'a> {
    Notice(Notice),
    /// An incoming publish; both slices live in the line buffer until the next `poll`.
    Message {
        topic: &'a [u8],
        payload: &'a [u8],
    },
    /// An information line of the queued AT command `id` (in the line buffer, no CR/LF).
    AtLine {
        id: u16,
        line: &'a [u8],
    },
    /// A line the engine does not consume (`+CMTI: ...`, `+CGEV: ME ...`, vendor notices),
    /// passed on within a rate bound.
    Urc {
        line: &'a [u8],
    },
}
