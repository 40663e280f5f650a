//! One complete line from the module → what it means.
//!
//! [`decode`] is a pure classifier: no state, no allocation, no failure. It does not see `+MSUB`
//! messages (the tokenizer frames those); it does see `+MSUB: <slot>` cache notices.
//!
//! Leniency, and its limits:
//! - Trailing spaces and tabs are ignored.
//! - Leading control bytes and bytes >= 0x7F are ignored. No response starts with one, and the
//!   rest must still match a keyword exactly, so a glitch byte on the UART at power-up (a NUL or
//!   0xFF before `RDY`, which terminal logs show as `?`) costs nothing and cannot create a match
//!   that was not sent. Printable garbage is not stripped: `?RDY` is `Unknown`.
//! - Spacing around `:` varies between firmwares (`+MQTTSTATU :1`, `+PDP:DEACT`, `+CME ERROR:4`);
//!   every form is accepted where the keyword is unambiguous.
//! - Keywords are case-sensitive, as the modules print them; only the echo test (`AT`/`at`/...)
//!   ignores case, because commands may be typed in any case.
//! - A number that is malformed or does not fit its field makes the line `Unknown` (a test-form
//!   reply such as `+CGATT: (0-1)` is `Info`), with two exceptions where losing the line would
//!   cost more than misreading a number: the final result `+CME ERROR`/`+CMS ERROR`, where any
//!   code that is not a `u16` number (verbose text, out of range, missing) becomes
//!   [`CME_TEXT`]; and `+CGEV: ... PDN DEACT`, where a missing or oversized cid becomes 0.
//! - A link-number prefix (`7,CONNECT OK`, from `AT+CIPMUX=1`) is accepted for `CONNECT OK`,
//!   `CONNECT FAIL` and `CLOSED`, with any link number of one or two digits.

use crate::dialect::common::{
    contains, decode_standard, is_echo, look_up, number, skip_spaces, trim,
};
use crate::dialect::response::Response as Shared;

// One SIM state type and one text-code value for every dialect (the engine's vocabulary).
pub use crate::dialect::response::{SimState, CME_TEXT};

/// What one line from the module means.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Response<'a> {
    /// `OK`.
    Ok,
    /// `ERROR`.
    Error,
    /// `+CME ERROR: <n>` or `+CMS ERROR: <n>`; [`CME_TEXT`] when the code is not a number.
    CmeError(u16),
    /// A line starting with `AT` in any case: our own command echoed.
    Echo,
    /// `CONNECT OK` (also `<link>,CONNECT OK`).
    ConnectOk,
    /// `ALREADY CONNECT`.
    AlreadyConnect,
    /// `CONNECT FAIL` (also `<link>,CONNECT FAIL`).
    ConnectFail,
    /// `STATE: <state>`: the state text (`IP INITIAL`, `TCP CLOSED`, ...).
    TcpState(&'a [u8]),
    /// `CONNACK OK`.
    ConnackOk,
    /// `SUBACK`.
    Suback,
    /// `UNSUBACK`.
    Unsuback,
    /// `PUBACK`.
    Puback,
    /// `PUBREC`.
    Pubrec,
    /// `PUBCOMP`.
    Pubcomp,
    /// `CLOSED` (also `<link>,CLOSED`).
    Closed,
    /// `+CGEV: NW|ME PDN DEACT <cid>[,...]`: the cid, or 0 for `NW|ME DETACH` and when the cid is
    /// missing or not a `u8` (the link is lost either way).
    PdnDeact(u8),
    /// `+PDP DEACT`, `+PDP:DEACT`, `+PDP: DEACT`.
    PdpDeact,
    /// `RDY`: the module (re)booted.
    Ready,
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
    /// `+MQTTSTATU :<n>` (any spacing around the colon).
    MqttState(u8),
    /// `+MSUB: <slot>`, slot 0..=3: a message was stored in the cache.
    CacheNotice(u8),
    /// A `+MSUB:` message header the tokenizer could not take (a byte count above the
    /// module's maximum, or a malformed count): the message is lost, the stream goes on at
    /// the next line.
    CorruptMessage,
    /// `TCP ERROR: <n>`.
    TcpError(u16),
    /// `NORMAL POWER DOWN`.
    PowerDown,
    /// `+CCLK: "yy/MM/dd,hh:mm:ss±zz"`: the network time, as UTC seconds since
    /// 2000-01-01T00:00:00 and the zone in quarter hours (the clock shows local time).
    Clock {
        /// UTC seconds since 2000-01-01T00:00:00.
        utc_s: u32,
        /// Quarter hours east of UTC (-48..=56).
        zone: i8,
    },
    /// `SHUT OK`: the final result of `AT+CIPSHUT`.
    ShutOk,
    /// A recognised line that needs no action (network, time and boot notices, query and test
    /// replies the engine does not use).
    Info,
    /// Anything else.
    Unknown,
}

/// Lines that only inform. Matched as prefixes after the specific `+` forms above failed.
const INFO_PREFIXES: &[&[u8]] = &[
    b"+CGEV:",
    b"+CFUN:",
    b"+CREG:",
    b"+CGREG:",
    b"+CEREG:",
    b"+NITZ:",
    b"+CTZV",
    b"+CTZE",
    b"+E_UTRAN Service",
    b"+GSM Service",
    b"+MQTTMSGGET:",
    b"+MQTTMSGSET:",
    b"+MQTTMODE:",
    b"+MCONFIG",
    b"+MIPSTART",
    b"+SSLMIPSTART",
    b"+MCONNECT",
    b"+MPUB",
    b"+MUNSUB",
    b"+SSLCFG:",
    b"+CMEE:",
    b"+IPR:",
    b"+CGDCONT:",
    b"+CGACT:",
    b"+CGEREP:",
];

/// Lines that are a response by themselves, most frequent first. A table scan (a length
/// compare per entry, a `memcmp` on a length match) is a fraction of the flash of a `match`
/// on byte strings, which inlines every comparison.
const WHOLE_LINES: &[(&[u8], Response<'static>)] = &[
    (b"OK", Response::Ok),
    (b"PUBACK", Response::Puback),
    (b"ERROR", Response::Error),
    (b"PUBREC", Response::Pubrec),
    (b"PUBCOMP", Response::Pubcomp),
    (b"SUBACK", Response::Suback),
    (b"UNSUBACK", Response::Unsuback),
    (b"CONNACK OK", Response::ConnackOk),
    (b"ALREADY CONNECT", Response::AlreadyConnect),
    (b"RDY", Response::Ready),
    (b"SHUT OK", Response::ShutOk),
    (b"NORMAL POWER DOWN", Response::PowerDown),
    (b"SIM REMOVED", Response::Sim(SimState::Removed)),
    (b"SMS READY", Response::Info),
    (b"UART Boot Completed", Response::Info),
];

/// Classifies one line (terminator already stripped). Never fails: what is not recognised is
/// [`Response::Unknown`].
pub fn decode(line: &[u8]) -> Response<'_> {
    let line = trim(line);
    let Some(&first) = line.first() else {
        return Response::Unknown;
    };
    if first == b'+' {
        return decode_plus(line);
    }
    if let Some(response) = look_up(WHOLE_LINES, line) {
        return response;
    }
    match first {
        b'A' | b'a' if is_echo(line) => Response::Echo,
        b'C' | b'0'..=b'9' => decode_link(line),
        b'S' => match line.strip_prefix(b"STATE:") {
            Some(state) => Response::TcpState(skip_spaces(state)),
            None => Response::Unknown,
        },
        b'T' => match line.strip_prefix(b"TCP ERROR:").map(number) {
            Some(Some(code)) => u16::try_from(code).map_or(Response::Unknown, Response::TcpError),
            _ => Response::Unknown,
        },
        b'^' if line.starts_with(b"^MODE:") => Response::Info,
        _ => Response::Unknown,
    }
}

/// `CONNECT OK`, `CONNECT FAIL` and `CLOSED`, each also with a `<link>,` prefix.
fn decode_link(line: &[u8]) -> Response<'_> {
    let digits = line.iter().take_while(|b| b.is_ascii_digit()).count();
    let body = match line.split_at_checked(digits) {
        Some((_, body)) if digits == 0 => body,
        Some((_, body)) if digits <= 2 => match body.strip_prefix(b",") {
            Some(body) => skip_spaces(body),
            None => return Response::Unknown,
        },
        _ => return Response::Unknown,
    };
    match body {
        b"CONNECT OK" => Response::ConnectOk,
        b"CONNECT FAIL" => Response::ConnectFail,
        b"CLOSED" => Response::Closed,
        _ => Response::Unknown,
    }
}

fn decode_plus(line: &[u8]) -> Response<'_> {
    if let Some(standard) = decode_standard(line) {
        return from_standard(standard);
    }
    if let Some(state) = line.strip_prefix(b"+MQTTSTATU") {
        return match skip_spaces(state).strip_prefix(b":").map(number) {
            Some(Some(n)) => u8::try_from(n).map_or(Response::Unknown, Response::MqttState),
            _ => Response::Unknown,
        };
    }
    if let Some(slot) = line.strip_prefix(b"+MSUB:") {
        return match number(slot) {
            Some(n @ 0..=3) => Response::CacheNotice(n as u8),
            _ if contains(slot, b" byte,") => Response::CorruptMessage,
            _ => Response::Unknown,
        };
    }
    if let Some(event) = line.strip_prefix(b"+CGEV:") {
        let event = skip_spaces(event);
        if event == b"NW DETACH" || event == b"ME DETACH" {
            return Response::PdnDeact(0);
        }
        if let Some(cid) = event
            .strip_prefix(b"NW PDN DEACT")
            .or_else(|| event.strip_prefix(b"ME PDN DEACT"))
        {
            let cid = skip_spaces(cid);
            let cid = cid.split(|&b| b == b',').next().unwrap_or(cid);
            let cid = number(cid).and_then(|n| u8::try_from(n).ok());
            return Response::PdnDeact(cid.unwrap_or(0));
        }
    }
    if let Some(deact) = line.strip_prefix(b"+PDP") {
        let deact = skip_spaces(deact);
        let deact = deact.strip_prefix(b":").unwrap_or(deact);
        if skip_spaces(deact) == b"DEACT" {
            return Response::PdpDeact;
        }
    }
    if INFO_PREFIXES.iter().any(|prefix| line.starts_with(prefix)) {
        return Response::Info;
    }
    Response::Unknown
}

/// The shared 3GPP lines ([`decode_standard`]) in this dialect's words.
fn from_standard(standard: Shared) -> Response<'static> {
    match standard {
        Shared::CmeError(code) => Response::CmeError(code),
        Shared::Sim(state) => Response::Sim(state),
        Shared::Attach(n) => Response::Attach(n),
        Shared::Signal { rssi, ber } => Response::Signal { rssi, ber },
        Shared::Clock { utc_s, zone } => Response::Clock { utc_s, zone },
        Shared::Info => Response::Info,
        _ => Response::Unknown,
    }
}
