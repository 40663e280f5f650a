// SPDX-License-Identifier: MIT OR Apache-2.0
//! What a line from the module means, in the engine's words: the vocabulary every dialect's
//! decoder maps its own spelling onto. The engine acts on these and never on a dialect's text.
//!
//! Each variant says what happened to the session (a link opened, a subscription acknowledged,
//! the bearer lost), not how a module family prints it; the doc comments name the spellings.

use crate::Status;

/// Code reported for a `+CME ERROR` / `+CMS ERROR` whose code is not a number (verbose mode,
/// `AT+CMEE=2`) or is out of range.
/// cbindgen:ignore
pub const CME_TEXT: u16 = u16::MAX;

/// SIM state from `+CPIN: <code>`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SimState {
    /// `READY`.
    Ready,
    /// `SIM PIN`.
    Pin,
    /// `SIM PUK`.
    Puk,
    /// `SIM PIN2`.
    Pin2,
    /// `SIM PUK2`.
    Puk2,
    /// `SIM REMOVED` (also `NOT INSERTED`, as some firmwares print it).
    Removed,
    /// `NOT READY`.
    NotReady,
    /// Any other code (`PH-SIM PIN`, ...).
    Other,
}

/// Which acknowledgement of a publish arrived.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Ack {
    /// `PUBACK` (QoS 1 done).
    Puback,
    /// `PUBREC` (QoS 2 half-way).
    Pubrec,
    /// `PUBCOMP` (QoS 2 done).
    Pubcomp,
    /// The module's one final report for the publish, whatever its QoS (modules that run the
    /// QoS 1/2 handshakes themselves: Quectel `+QMTPUBEX: <c>,<id>,0`).
    Done,
}

/// Why the broker link ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LinkCause {
    /// Closed by the peer or the network (Luat `CLOSED`; Quectel `+QMTSTAT` 1, 5, 6, 8 and
    /// unknown codes).
    Closed,
    /// A transport error with a code (Luat `TCP ERROR: <n>`).
    Error,
    /// The broker refused or dropped the CONNECT (Quectel `+QMTSTAT` 3, 4).
    Refused,
    /// The broker cannot be reached (Quectel `+QMTSTAT` 7).
    Unreachable,
    /// Keepalive failed: the vendor re-activates the bearer before re-opening (Quectel
    /// `+QMTSTAT` 2).
    KeepaliveFailed,
}

/// What one line from the module means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Response {
    /// `OK`.
    Ok,
    /// `ERROR`.
    Error,
    /// `+CME ERROR: <n>` or `+CMS ERROR: <n>`; [`CME_TEXT`] when the code is not a number.
    CmeError(u16),
    /// A line starting with `AT` in any case: our own command echoed.
    Echo,
    /// The broker link is open (Luat `CONNECT OK`, `<link>,CONNECT OK`; Quectel
    /// `+QMTOPEN: <c>,0`).
    LinkOpened,
    /// The broker link was already open (Luat `ALREADY CONNECT`, which some firmware prints
    /// instead of the `OK` of `AT+MIPSTART`).
    LinkAlreadyOpen,
    /// Opening the broker link failed: the code as printed (0 where there is none) and what it
    /// means (Luat `CONNECT FAIL`: unreachable, unless a bearer state line said otherwise;
    /// Quectel `+QMTOPEN: <c>,<result>`).
    OpenFailed {
        /// The module's code.
        code: u16,
        /// The failure class.
        reason: Status,
    },
    /// A state line of the bearer or socket (Luat `STATE: <text>`; Quectel `+QIACT:` of a
    /// context other than the session's): `down` when it says the bearer is gone
    /// (`PDP DEACT`, `IP INITIAL`).
    BearerState {
        /// The bearer is down.
        down: bool,
    },
    /// The bearer is active (Quectel `+QIACT: <cid>,1,...`).
    BearerActive,
    /// The MQTT session is up: CONNACK accepted (Luat `CONNACK OK`; Quectel
    /// `+QMTCONN: <c>,0[,0]`).
    Connected,
    /// The MQTT CONNECT failed: the broker's return code (or the module's result) and the class
    /// (Quectel `+QMTCONN: <c>,<result>,<ret_code>`).
    ConnectFailed {
        /// The code as printed.
        code: u16,
        /// The failure class.
        reason: Status,
    },
    /// A subscribe was acknowledged (Luat `SUBACK`; Quectel `+QMTSUB: <c>,<id>,0,<granted>`).
    Subscribed {
        /// The request's message id, where the dialect reports one.
        id: Option<u16>,
        /// The granted QoS (0x80 = refused), where the dialect reports it.
        granted: Option<u8>,
    },
    /// An unsubscribe was acknowledged (Luat `UNSUBACK`; Quectel `+QMTUNS: <c>,<id>,0`).
    Unsubscribed {
        /// The request's message id, where the dialect reports one.
        id: Option<u16>,
    },
    /// A publish acknowledgement (Luat `PUBACK`/`PUBREC`/`PUBCOMP`; Quectel
    /// `+QMTPUBEX: <c>,<id>,0`).
    PubAck {
        /// Which one.
        ack: Ack,
        /// The publish's message id, where the dialect reports one.
        id: Option<u16>,
    },
    /// The module is still retransmitting the packet of the publish, subscribe or unsubscribe
    /// `id` (0: the CONNECT); its final result follows (Quectel `<result>` 1,
    /// docs/quectel-simcom-at.md §3.4). Only in builds with Quectel.
    #[cfg(feature = "quectel")]
    Retransmitting {
        /// The request's message id.
        id: u16,
    },
    /// The module could not send a subscribe, unsubscribe or publish packet (Quectel result 2):
    /// the link is in doubt.
    SendFailed {
        /// The request's message id.
        id: u16,
    },
    /// A subscribe, unsubscribe or publish failed, in a dialect whose results name no request
    /// (SIMCom `+CMQTTSUB/UNSUB/PUB: <c>,<err>` with `<err>` not 0): it is the one of its kind
    /// in flight or awaited, since such a dialect has one of each at a time. Only in builds
    /// with such a dialect.
    #[cfg(feature = "simcom")]
    RequestFailed {
        /// The module's code.
        code: u16,
        /// A publish's result (`+CMQTTPUB`), else a subscribe's or an unsubscribe's.
        publish: bool,
    },
    /// The broker link ended: the code as printed (0 where there is none) and why.
    LinkClosed {
        /// The module's code.
        code: u16,
        /// Why.
        cause: LinkCause,
    },
    /// The packet bearer was lost: its context id (0 when not given) and whether it must be
    /// restored by the host before the next open (Luat `+PDP DEACT` needs `AT+CIPSHUT`;
    /// Quectel `+QIURC: "pdpdeact",<cid>` needs re-activation) or comes back by itself (Luat
    /// `+CGEV: NW PDN DEACT <cid>`).
    BearerLost {
        /// The context id.
        cid: u8,
        /// The host must restore the bearer.
        restore: bool,
    },
    /// The module (re)booted (`RDY`; SIMCom `*ATREADY: 1`).
    Ready,
    /// A line a module prints late in its boot (SIMCom `SMS DONE`, `PB DONE`): a reboot when
    /// it comes while the session is up, a notice otherwise. Only in builds with such a
    /// dialect.
    #[cfg(feature = "simcom")]
    BootLine,
    /// The module is switching off (Luat `NORMAL POWER DOWN`).
    PowerDown,
    /// `+CPIN: <code>`, or a bare `SIM REMOVED` line.
    Sim(SimState),
    /// `+CGATT: <n>`.
    Attach(u8),
    /// `+CSQ: <rssi>,<ber>`.
    Signal {
        /// 0..=31, 99 = unknown.
        rssi: u8,
        /// 0..=7, 99 = unknown.
        ber: u8,
    },
    /// The answer to the session-state query: the state number as printed and whether it
    /// means connected (Luat `+MQTTSTATU :<n>`, 1 = connected; Quectel `+QMTCONN: <c>,<state>`,
    /// 3 = connected).
    SessionState {
        /// The state as printed.
        code: u8,
        /// The MQTT session is up.
        connected: bool,
    },
    /// A message was stored in the module's cache slot (Luat `+MSUB: <slot>`, slot 0..=3).
    CacheNotice(u8),
    /// A message header the tokenizer could not take (a byte count above the module's maximum,
    /// a malformed count): the message is lost, the stream goes on at the next line.
    CorruptMessage,
    /// `+CCLK: "yy/MM/dd,hh:mm:ss±zz"`: the network time, as UTC seconds since
    /// 2000-01-01T00:00:00 and the zone in quarter hours (the clock shows local time).
    Clock {
        /// UTC seconds since 2000-01-01T00:00:00.
        utc_s: u32,
        /// Quarter hours east of UTC (-48..=56).
        zone: i8,
    },
    /// A final result spelled as its own word (Luat `SHUT OK` for `AT+CIPSHUT`).
    Done,
    /// The report of one of the session's own commands that asks nothing more: neither an
    /// event nor the application's (Quectel `+QMTPUBEX: <c>,0,0` for a QoS 0 publish, a
    /// retransmission notice, `+QMTDISC`, `+QMTCLOSE`).
    Settled,
    /// A recognised line that needs no action (network, time and boot notices, query and test
    /// replies the engine does not use).
    Info,
    /// Anything else.
    Unknown,
}

/// What a line that is a response by itself is, in one byte: each dialect's table of whole
/// lines holds these rather than the eight-byte [`Response`] each stands for (measured 61 B
/// smaller, Luat). The kinds one family alone prints exist only in builds with it.
#[derive(Clone, Copy)]
pub(crate) enum WholeLine {
    Ok,
    Error,
    Ready,
    #[cfg(any(feature = "luat", feature = "quectel"))]
    Info,
    SimRemoved,
    #[cfg(feature = "luat")]
    Puback,
    #[cfg(feature = "luat")]
    Pubrec,
    #[cfg(feature = "luat")]
    Pubcomp,
    #[cfg(feature = "luat")]
    Suback,
    #[cfg(feature = "luat")]
    Unsuback,
    #[cfg(feature = "luat")]
    Connack,
    #[cfg(feature = "luat")]
    AlreadyConnect,
    #[cfg(feature = "luat")]
    ShutOk,
    #[cfg(feature = "luat")]
    PowerDown,
    #[cfg(feature = "simcom")]
    BootLine,
    #[cfg(feature = "simcom")]
    NoNet,
}

impl WholeLine {
    /// The response the line is.
    pub(crate) fn response(self) -> Response {
        match self {
            WholeLine::Ok => Response::Ok,
            WholeLine::Error => Response::Error,
            WholeLine::Ready => Response::Ready,
            #[cfg(any(feature = "luat", feature = "quectel"))]
            WholeLine::Info => Response::Info,
            WholeLine::SimRemoved => Response::Sim(SimState::Removed),
            #[cfg(feature = "luat")]
            WholeLine::Puback => Response::PubAck {
                ack: Ack::Puback,
                id: None,
            },
            #[cfg(feature = "luat")]
            WholeLine::Pubrec => Response::PubAck {
                ack: Ack::Pubrec,
                id: None,
            },
            #[cfg(feature = "luat")]
            WholeLine::Pubcomp => Response::PubAck {
                ack: Ack::Pubcomp,
                id: None,
            },
            #[cfg(feature = "luat")]
            WholeLine::Suback => Response::Subscribed {
                id: None,
                granted: None,
            },
            #[cfg(feature = "luat")]
            WholeLine::Unsuback => Response::Unsubscribed { id: None },
            #[cfg(feature = "luat")]
            WholeLine::Connack => Response::Connected,
            #[cfg(feature = "luat")]
            WholeLine::AlreadyConnect => Response::LinkAlreadyOpen,
            #[cfg(feature = "luat")]
            WholeLine::ShutOk => Response::Done,
            #[cfg(feature = "luat")]
            WholeLine::PowerDown => Response::PowerDown,
            #[cfg(feature = "simcom")]
            WholeLine::BootLine => Response::BootLine,
            #[cfg(feature = "simcom")]
            WholeLine::NoNet => Response::BearerLost {
                cid: 0,
                restore: true,
            },
        }
    }
}
