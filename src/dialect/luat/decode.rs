// SPDX-License-Identifier: MIT OR Apache-2.0
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
    contains, decode_standard, find, is_echo, number, packed, skip_spaces, table, trim, Fit, Table,
};

use crate::bytes::head;
use crate::dialect::response::WholeLine;
pub use crate::dialect::response::{Ack, LinkCause, Response, SimState, CME_TEXT};
use crate::Status;

/// What a line that is neither a standard 3GPP one nor a response by itself is about.
#[derive(Clone, Copy)]
enum Prefixed {
    /// `+MQTTSTATU`, spaces, `:`, the session state.
    State,
    /// `+MSUB:` cache notice (the tokenizer frames the messages).
    Notice,
    /// `+CGEV:`: a detach or PDN deactivation, else it only informs.
    Event,
    /// `+PDP`, `DEACT` after optional spaces and `:`.
    Pdp,
    /// `STATE:` and the link state (`AT+CIPSTATUS`).
    LinkState,
    /// `TCP ERROR:` and its code.
    TcpError,
}

/// The lines known by their start, first fit wins: the specific `+` forms, the two without a
/// `+`, then those that only inform (keys without a value).
const PREFIXED: Table<Prefixed> = table! {
    b"+MQTTSTATU" => Prefixed::State,
    b"+MSUB:" => Prefixed::Notice,
    b"+CGEV:" => Prefixed::Event,
    b"+PDP" => Prefixed::Pdp,
    b"STATE:" => Prefixed::LinkState,
    b"TCP ERROR:" => Prefixed::TcpError;
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
    b"^MODE:",
};

/// Lines that are a response by themselves, most frequent first. A table scan (a length
/// compare per entry, a `memcmp` on a length match) is a fraction of the flash of a `match`
/// on byte strings, which inlines every comparison.
const WHOLE_LINES: Table<WholeLine> = table! {
    b"OK" => WholeLine::Ok,
    b"PUBACK" => WholeLine::Puback,
    b"ERROR" => WholeLine::Error,
    b"PUBREC" => WholeLine::Pubrec,
    b"PUBCOMP" => WholeLine::Pubcomp,
    b"SUBACK" => WholeLine::Suback,
    b"UNSUBACK" => WholeLine::Unsuback,
    b"CONNACK OK" => WholeLine::Connack,
    b"ALREADY CONNECT" => WholeLine::AlreadyConnect,
    b"RDY" => WholeLine::Ready,
    b"SHUT OK" => WholeLine::ShutOk,
    b"NORMAL POWER DOWN" => WholeLine::PowerDown,
    b"SIM REMOVED" => WholeLine::SimRemoved,
    b"SMS READY" => WholeLine::Info,
    b"UART Boot Completed" => WholeLine::Info,
};

/// Classifies one line (terminator already stripped). Never fails: what is not recognised is
/// [`Response::Unknown`].
// Out of line: inlined into the engine's poll, its copies there cost more flash than the call.
#[inline(never)]
pub fn decode(line: &[u8]) -> Response {
    let line = trim(line);
    let Some(&first) = line.first() else {
        return Response::Unknown;
    };
    if first == b'+' {
        if let Some(standard) = decode_standard(line) {
            return standard;
        }
    } else {
        // `OK` ends nearly every command: two compares here instead of a table scan keep the
        // per-byte receive cost within its budget (make bench-budgets).
        if line == b"OK" {
            return Response::Ok;
        }
        if let Some(response) = WHOLE_LINES
            .get(line, Fit::Whole)
            .map(|(whole, _)| whole.response())
        {
            return response;
        }
        match first {
            b'A' | b'a' if is_echo(line) => return Response::Echo,
            b'C' | b'0'..=b'9' => return decode_link(line),
            _ => {}
        }
    }
    prefixed(line)
}

/// The lines of [`PREFIXED`].
// Out of line: the frequent `OK` and `+CSQ` paths of `decode` then keep a small frame (the
// per-byte receive cost, make bench-cpu).
#[inline(never)]
fn prefixed(line: &[u8]) -> Response {
    let (kind, rest) = match PREFIXED.lookup(line, Fit::Prefix) {
        Some((Some(kind), rest)) => (kind, rest),
        Some((None, _)) => return Response::Info,
        None => return Response::Unknown,
    };
    match kind {
        Prefixed::State => match skip_spaces(rest).strip_prefix(b":").map(number) {
            Some(Some(n)) => {
                u8::try_from(n).map_or(Response::Unknown, |code| Response::SessionState {
                    code,
                    connected: code == 1,
                })
            }
            _ => Response::Unknown,
        },
        Prefixed::Notice => match number(rest) {
            Some(n @ 0..=3) => Response::CacheNotice(n as u8),
            _ if contains(rest, b" byte,") => Response::CorruptMessage,
            _ => Response::Unknown,
        },
        Prefixed::Event => bearer_event(skip_spaces(rest)),
        Prefixed::Pdp => {
            let deact = skip_spaces(rest);
            let deact = deact.strip_prefix(b":").unwrap_or(deact);
            if skip_spaces(deact) == b"DEACT" {
                Response::BearerLost {
                    cid: 0,
                    restore: true,
                }
            } else {
                Response::Unknown
            }
        }
        Prefixed::LinkState => Response::BearerState {
            down: find(BEARER_DOWN_STATES, skip_spaces(rest), Fit::Whole).is_some(),
        },
        Prefixed::TcpError => match number(rest).map(u16::try_from) {
            Some(Ok(code)) => Response::LinkClosed {
                code,
                cause: LinkCause::Error,
            },
            _ => Response::Unknown,
        },
    }
}

/// The `STATE:` texts that say the bearer is gone; a table, since a `match` on byte strings
/// inlines every comparison.
const BEARER_DOWN_STATES: &[u8] = packed!(b"PDP DEACT", b"IP INITIAL");

/// `CONNECT OK`, `CONNECT FAIL` and `CLOSED`, each also with a `<link>,` prefix.
fn decode_link(line: &[u8]) -> Response {
    // The optional link number (one or two digits) and its comma.
    let mut body = line;
    let mut digits = 0;
    while let [b'0'..=b'9', rest @ ..] = body {
        body = rest;
        digits += 1;
    }
    if digits != 0 {
        body = match body.strip_prefix(b",") {
            Some(body) if digits <= 2 => skip_spaces(body),
            _ => return Response::Unknown,
        };
    }
    LINK_LINES
        .get(body, Fit::Whole)
        .map_or(Response::Unknown, |(response, _)| response)
}

/// What [`decode_link`] reads after the optional link number.
const LINK_LINES: Table<Response> = table! {
    b"CONNECT OK" => Response::LinkOpened,
    // Unreachable unless a `STATE:` line before it said the bearer is down (the engine keeps
    // that).
    b"CONNECT FAIL" => Response::OpenFailed { code: 0, reason: Status::BrokerUnreachable },
    b"CLOSED" => Response::LinkClosed { code: 0, cause: LinkCause::Closed },
};

/// The `+CGEV:` events that lose the bearer, by prefix; true for a PDN deactivation (a cid
/// follows), false for a detach (nothing may follow).
const BEARER_EVENTS: Table<bool> = table! {
    b"NW DETACH" => false,
    b"ME DETACH" => false,
    b"NW PDN DEACT" => true,
    b"ME PDN DEACT" => true,
};

/// `+CGEV:` detach and PDN deactivation reports; other events only inform.
fn bearer_event(event: &[u8]) -> Response {
    let cid = match BEARER_EVENTS.get(event, Fit::Prefix) {
        Some((false, [])) => None,
        // The cid, up to an optional `,<reason>` (`number` skips the spaces before it).
        Some((true, cid)) => {
            let end = cid.iter().position(|&b| b == b',').unwrap_or(cid.len());
            number(head(cid, end)).and_then(|n| u8::try_from(n).ok())
        }
        _ => return Response::Info,
    };
    Response::BearerLost {
        cid: cid.unwrap_or(0),
        restore: false,
    }
}
