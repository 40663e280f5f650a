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
    /// `AT+MDISCONNECT`, `AT+MIPCLOSE` after `stop`.
    Stopping = 8,
    /// The ladder ran out (`power_cycle_limit` reached); `start` begins again.
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
    /// PWRKEY pulse to switch on a module that does not answer at start.
    PowerOn = 5,
    /// The ladder ran out; the session is in `State::Failed`.
    GaveUp = 6,
}

/// What was lost; every loss is counted in `Stats` and reported once per occurrence.
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
}

/// Module control lines.
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pin {
    Reset = 0,
    Power = 1,
    Pwrkey = 2,
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
    /// An unsubscribe is confirmed (`UNSUBACK`) or the filter was never sent.
    Unsubscribed {
        id: u16,
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
    /// Signal quality from `AT+CSQ` (rssi 0..31 or 99).
    Signal {
        rssi: u8,
        ber: u8,
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
}
