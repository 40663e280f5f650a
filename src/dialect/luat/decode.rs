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

use crate::bytes::{head, tail};

pub use crate::dialect::response::{Ack, LinkCause, Response, SimState, CME_TEXT};
use crate::Status;

const PUBACK: Response = Response::PubAck {
    ack: Ack::Puback,
    id: None,
};
const PUBREC: Response = Response::PubAck {
    ack: Ack::Pubrec,
    id: None,
};
const PUBCOMP: Response = Response::PubAck {
    ack: Ack::Pubcomp,
    id: None,
};
const SUBACK: Response = Response::Subscribed {
    id: None,
    granted: None,
};

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
const WHOLE_LINES: &[(&[u8], Response)] = &[
    (b"OK", Response::Ok),
    (b"PUBACK", PUBACK),
    (b"ERROR", Response::Error),
    (b"PUBREC", PUBREC),
    (b"PUBCOMP", PUBCOMP),
    (b"SUBACK", SUBACK),
    (b"UNSUBACK", Response::Unsubscribed { id: None }),
    (b"CONNACK OK", Response::Connected),
    (b"ALREADY CONNECT", Response::LinkAlreadyOpen),
    (b"RDY", Response::Ready),
    (b"SHUT OK", Response::Done),
    (b"NORMAL POWER DOWN", Response::PowerDown),
    (b"SIM REMOVED", Response::Sim(SimState::Removed)),
    (b"SMS READY", Response::Info),
    (b"UART Boot Completed", Response::Info),
];

/// Classifies one line (terminator already stripped). Never fails: what is not recognised is
/// [`Response::Unknown`].
pub fn decode(line: &[u8]) -> Response {
    let line = trim(line);
    let Some((&first, rest)) = line.split_first() else {
        return Response::Unknown;
    };
    if first == b'+' {
        return decode_plus(line);
    }
    if let Some(&(_, response)) = WHOLE_LINES.iter().find(|(text, _)| *text == line) {
        return response;
    }
    match first {
        b'A' | b'a' if matches!(rest.first(), Some(b'T' | b't')) => Response::Echo,
        b'C' | b'0'..=b'9' => decode_link(line),
        b'S' => match line.strip_prefix(b"STATE:") {
            Some(state) => Response::BearerState {
                down: matches!(skip_spaces(state), b"PDP DEACT" | b"IP INITIAL"),
            },
            None => Response::Unknown,
        },
        b'T' => match line.strip_prefix(b"TCP ERROR:").map(number) {
            Some(Some(code)) => {
                u16::try_from(code).map_or(Response::Unknown, |code| Response::LinkClosed {
                    code,
                    cause: LinkCause::Error,
                })
            }
            _ => Response::Unknown,
        },
        b'^' if line.starts_with(b"^MODE:") => Response::Info,
        _ => Response::Unknown,
    }
}

/// `CONNECT OK`, `CONNECT FAIL` and `CLOSED`, each also with a `<link>,` prefix.
fn decode_link(line: &[u8]) -> Response {
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
        b"CONNECT OK" => Response::LinkOpened,
        // Unreachable unless a `STATE:` line before it said the bearer is down (the engine
        // keeps that).
        b"CONNECT FAIL" => Response::OpenFailed {
            code: 0,
            reason: Status::BrokerUnreachable,
        },
        b"CLOSED" => Response::LinkClosed {
            code: 0,
            cause: LinkCause::Closed,
        },
        _ => Response::Unknown,
    }
}

fn decode_plus(line: &[u8]) -> Response {
    if let Some(code) = line
        .strip_prefix(b"+CME ERROR:")
        .or_else(|| line.strip_prefix(b"+CMS ERROR:"))
    {
        let code = number(code).and_then(|n| u16::try_from(n).ok());
        return Response::CmeError(code.unwrap_or(CME_TEXT));
    }
    if let Some(state) = line.strip_prefix(b"+MQTTSTATU") {
        return match skip_spaces(state).strip_prefix(b":").map(number) {
            Some(Some(n)) => {
                u8::try_from(n).map_or(Response::Unknown, |code| Response::SessionState {
                    code,
                    connected: code == 1,
                })
            }
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
            return Response::BearerLost {
                cid: 0,
                restore: false,
            };
        }
        if let Some(cid) = event
            .strip_prefix(b"NW PDN DEACT")
            .or_else(|| event.strip_prefix(b"ME PDN DEACT"))
        {
            let cid = skip_spaces(cid);
            let cid = cid.split(|&b| b == b',').next().unwrap_or(cid);
            let cid = number(cid).and_then(|n| u8::try_from(n).ok());
            return Response::BearerLost {
                cid: cid.unwrap_or(0),
                restore: false,
            };
        }
    }
    if let Some(code) = line.strip_prefix(b"+CPIN:") {
        return Response::Sim(sim_state(skip_spaces(code)));
    }
    if let Some(state) = line.strip_prefix(b"+CGATT:") {
        return match number(state).map(u8::try_from) {
            Some(Ok(n)) => Response::Attach(n),
            _ => test_form(state),
        };
    }
    if let Some(values) = line.strip_prefix(b"+CSQ:") {
        let (rssi, ber) = split_once(values, b',').unwrap_or((values, &[]));
        let rssi = number(rssi).and_then(|n| u8::try_from(n).ok());
        let ber = number(ber).and_then(|n| u8::try_from(n).ok());
        return match (rssi, ber) {
            (Some(rssi), Some(ber)) => Response::Signal { rssi, ber },
            _ => test_form(values),
        };
    }
    if let Some(clock) = line.strip_prefix(b"+CCLK:") {
        return clock_time(clock).map_or(Response::Unknown, |(utc_s, zone)| Response::Clock {
            utc_s,
            zone,
        });
    }
    if let Some(deact) = line.strip_prefix(b"+PDP") {
        let deact = skip_spaces(deact);
        let deact = deact.strip_prefix(b":").unwrap_or(deact);
        if skip_spaces(deact) == b"DEACT" {
            return Response::BearerLost {
                cid: 0,
                restore: true,
            };
        }
    }
    if INFO_PREFIXES.iter().any(|prefix| line.starts_with(prefix)) {
        return Response::Info;
    }
    Response::Unknown
}

/// The reply to a `=?` test command lists ranges in parentheses (`+CGATT: (0-1)`); anything
/// else where a number belongs is garbage.
fn test_form(value: &[u8]) -> Response {
    if skip_spaces(value).starts_with(b"(") {
        Response::Info
    } else {
        Response::Unknown
    }
}

/// `"yy/MM/dd,hh:mm:ss±zz"` (quotes optional, zone optional) → (UTC seconds since 2000, zone
/// in quarter hours). Fields out of range make it `None`.
fn clock_time(value: &[u8]) -> Option<(u32, i8)> {
    let v = skip_spaces(value);
    let v = v.strip_prefix(b"\"").unwrap_or(v);
    let v = v.strip_suffix(b"\"").unwrap_or(v);
    // Fixed positions: yy/MM/dd,hh:mm:ss then an optional ±zz.
    let field = |at: usize| -> Option<u32> {
        let pair = v.get(at..at.checked_add(2)?)?;
        number(pair)
    };
    let seps = [(2, b'/'), (5, b'/'), (8, b','), (11, b':'), (14, b':')];
    if seps.iter().any(|&(at, sep)| v.get(at) != Some(&sep)) {
        return None;
    }
    let (yy, mo, dd) = (field(0)?, field(3)?, field(6)?);
    let (hh, mi, ss) = (field(9)?, field(12)?, field(15)?);
    let zone: i32 = match v.get(17) {
        None => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let q = i32::try_from(number(v.get(18..)?)?).ok()?;
            if sign == b'-' {
                -q
            } else {
                q
            }
        }
        Some(_) => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&dd) || hh > 23 || mi > 59 || ss > 60 {
        return None;
    }
    if !(-48..=56).contains(&zone) {
        return None;
    }
    // Days since 2000-01-01 (every year here is 2000-2099: a leap year each fourth).
    const BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap_days = yy / 4 + 1 - u32::from(yy % 4 == 0 && mo <= 2);
    let days = yy * 365 + leap_days + BEFORE_MONTH.get(usize::try_from(mo - 1).ok()?)? + dd - 1;
    let local = i64::from(days) * 86_400 + i64::from(hh * 3_600 + mi * 60 + ss);
    let utc = local - i64::from(zone) * 900;
    Some((u32::try_from(utc).ok()?, i8::try_from(zone).ok()?))
}

/// `+CPIN:` codes. A table scan is a fraction of the flash of a `match` on byte strings, and
/// this line comes once per session.
const SIM_CODES: &[(&[u8], SimState)] = &[
    (b"READY", SimState::Ready),
    (b"SIM PIN", SimState::Pin),
    (b"SIM PUK", SimState::Puk),
    (b"SIM PIN2", SimState::Pin2),
    (b"SIM PUK2", SimState::Puk2),
    (b"SIM REMOVED", SimState::Removed),
    (b"NOT INSERTED", SimState::Removed),
    (b"NOT READY", SimState::NotReady),
];

fn sim_state(code: &[u8]) -> SimState {
    SIM_CODES
        .iter()
        .find(|(text, _)| *text == code)
        .map_or(SimState::Other, |&(_, state)| state)
}

/// Drops leading bytes that cannot start a response (controls, >= 0x7F) and trailing blanks.
fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| (0x20..0x7F).contains(b))
        .unwrap_or(line.len());
    let line = tail(line, start);
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    head(line, end)
}

fn skip_spaces(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ').count();
    tail(s, n)
}

/// Optional leading spaces, then one or more decimal digits and nothing else; `None` if the
/// value exceeds `u32`.
fn number(s: &[u8]) -> Option<u32> {
    let s = skip_spaces(s);
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u32, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u32::from(b - b'0'))
        } else {
            None
        }
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn split_once(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = s.iter().position(|&b| b == sep)?;
    Some((head(s, at), tail(s, at).get(1..)?))
}
