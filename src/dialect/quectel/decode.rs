// SPDX-License-Identifier: MIT OR Apache-2.0
//! One complete line from a Quectel module → what it means, in the engine's words
//! ([`Response`]).
//!
//! [`decode`] is a pure classifier: no state, no allocation, no failure. It does not see
//! `+QMTRECV` messages the tokenizer framed; it does see the `+QMTRECV` lines the tokenizer
//! could not frame (reported as [`Response::CorruptMessage`], so the loss is counted).
//!
//! The leniency rules are the Luat decoder's ([`crate::dialect::luat::decode`]): trailing
//! blanks and leading control bytes are ignored, spaces before and after the `:` and around
//! the commas are accepted, keywords are case-sensitive, and a number that is malformed or does
//! not fit its field makes the line `Unknown` (a `=?` test-form reply is `Info`). The mappings
//! follow docs/quectel-simcom-at.md §3 and the failure classes of §5.2. The client index `<c>`
//! is not checked: cellmqtt only ever opens client 0.

use crate::dialect::common::{
    is_echo, number, plus_line, skip_spaces, split_once, table, test_form, trim, Fit, PlusLine,
    Table,
};
use crate::dialect::response::{Ack, LinkCause, Response, WholeLine};
use crate::Status;

/// The code [`Response::OpenFailed`] carries for `+QMTOPEN: <c>,-1` ("failed to open network",
/// where TLS failures land too): -1 in 16-bit two's complement. Any other negative result is
/// carried the same way (-2 → 0xFFFE).
/// cbindgen:ignore
pub const OPEN_NETWORK_FAILED: u16 = 0xFFFF;

/// Lines that are a response by themselves.
const WHOLE_LINES: Table<WholeLine> = table! {
    b"OK" => WholeLine::Ok,
    b"ERROR" => WholeLine::Error,
    // A reboot in mid-session (or the end of `AT+CFUN=1,1`): all module state is lost (§2.1).
    b"RDY" => WholeLine::Ready,
    b"POWERED DOWN" => WholeLine::Ready,
    b"APP RDY" => WholeLine::Info,
    b"SMS READY" => WholeLine::Info,
    b"SMS DONE" => WholeLine::Info,
    b"PB DONE" => WholeLine::Info,
    b"SIM REMOVED" => WholeLine::SimRemoved,
};

/// What a `+<keyword>:` line is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Open,
    Conn,
    Sub,
    Unsub,
    Publish,
    Stat,
    Ping,
    Recv,
    Urc,
    Act,
    /// `+QMTDISC: <c>,<result>`: the disconnect's result (§3.9).
    Disc,
    /// The report of one of the session's own commands that asks nothing more.
    Settled,
}

/// Keywords, each followed by optional spaces and `:` in the line. A keyword that is a prefix
/// of another (`+QMTPUB`, `+QMTPUBEX`) cannot match the longer one's lines, since the colon
/// must follow it. The keys without a kind, last, are lines that only inform.
const KEYWORDS: Table<Kind> = table! {
    b"+QMTPUBEX" => Kind::Publish,
    b"+QMTPUB" => Kind::Publish,
    b"+QMTRECV" => Kind::Recv,
    b"+QMTSTAT" => Kind::Stat,
    b"+QMTSUB" => Kind::Sub,
    b"+QMTUNS" => Kind::Unsub,
    b"+QMTCONN" => Kind::Conn,
    b"+QMTOPEN" => Kind::Open,
    b"+QMTPING" => Kind::Ping,
    b"+QIURC" => Kind::Urc,
    b"+QIACT" => Kind::Act,
    b"+QMTDISC" => Kind::Disc,
    b"+QMTCLOSE" => Kind::Settled;
    b"+QMTCFG",
    b"+QSSLCFG",
    b"+QICSGP",
    b"+QFUPL",
    b"+QUSIM",
    b"+QIND",
    b"+QCCID",
    b"+QNITZ",
    b"+QLTS",
    b"+QCSQ",
    b"+QNWINFO",
};

/// Classifies one line (terminator already stripped). `state_query` is true while
/// `AT+QMTCONN?` is in flight: a two-field `+QMTCONN: <c>,<n>` is then the session state,
/// otherwise the connect result of older firmware (§3.4, §3.13 item 2). Never fails: what is
/// not recognised is [`Response::Unknown`].
// Out of line, as Luat's: inlined into the engine's poll, it costs more flash than the call.
#[inline(never)]
pub fn decode(line: &[u8], state_query: bool) -> Response {
    let line = trim(line);
    if line.first() == Some(&b'+') {
        return decode_plus(line, state_query);
    }
    if let Some(response) = WHOLE_LINES
        .get(line, Fit::Whole)
        .map(|(whole, _)| whole.response())
    {
        return response;
    }
    if is_echo(line) {
        return Response::Echo;
    }
    Response::Unknown
}

fn decode_plus(line: &[u8], state_query: bool) -> Response {
    let (kind, values) = match plus_line(line, &KEYWORDS) {
        PlusLine::Decided(response) => return response,
        PlusLine::Keyword(kind, values) => (kind, values),
    };
    match kind {
        Kind::Settled => return Response::Settled,
        Kind::Urc => return bearer_lost(values),
        _ => {}
    }
    if skip_spaces(values).starts_with(b"(") {
        return test_form(values);
    }
    if kind == Kind::Act {
        return bearer_active(values);
    }
    let mut f = [0i32; 4];
    let Some(count) = fields(values, &mut f) else {
        return match kind {
            // A message line the tokenizer could not frame (length off, count too large).
            Kind::Recv => Response::CorruptMessage,
            // The query reply `+QMTOPEN: <c>,"<host>",<port>`.
            // A byte loop: `<[u8]>::contains` links a word-at-a-time search, measured 188 B
            // larger (Quectel) for a line of a few dozen bytes.
            #[allow(clippy::manual_contains)]
            Kind::Open if values.iter().any(|&b| b == b'"') => Response::Info,
            _ => Response::Unknown,
        };
    };
    let [_client, first, second, third] = f;
    match (kind, count) {
        // Buffer-mode notice `<c>,<recv_id>` and buffer status: we use URC mode.
        (Kind::Recv, _) => Response::Info,
        // The disconnect's result, whatever it says: the session has ended (a state not
        // connected), which the stop awaits; a failed disconnect leaves nothing the next
        // start's `AT+QMTCLOSE` would not close.
        (Kind::Disc, _) => Response::SessionState {
            code: 0,
            connected: false,
        },
        (Kind::Open, 2) => open_result(first),
        (Kind::Conn, 2) if state_query => match u8::try_from(first) {
            Ok(code) => Response::SessionState {
                code,
                connected: code == 3,
            },
            Err(_) => Response::Unknown,
        },
        // Both result forms by one call (measured 12 B smaller than an arm each).
        (Kind::Conn, 2 | 3) => connect_result(first, (count == 3).then_some(second)),
        (Kind::Sub | Kind::Unsub | Kind::Publish, 3..) => {
            let value = (count > 3).then_some(third);
            request_result(kind, first, second, value)
        }
        // One arm for both (measured 10 B smaller, Quectel).
        (Kind::Stat | Kind::Ping, 2) => {
            let cause = match kind {
                Kind::Stat => stat_cause(first),
                _ => LinkCause::Closed,
            };
            link_closed(first, cause)
        }
        _ => Response::Unknown,
    }
}

/// `+QMTOPEN: <c>,<result>` (§3.3, §5.2). TLS failures also land on -1 and 5; the engine
/// knows whether TLS is on and reclassifies.
fn open_result(result: i32) -> Response {
    let reason = match result {
        0 => return Response::LinkOpened,
        1 | 2 => Status::ModuleError,
        3 => Status::NotAttached,
        4 => Status::NameNotResolved,
        _ => Status::BrokerUnreachable,
    };
    // Negative results in 16-bit two's complement (-1 → OPEN_NETWORK_FAILED): one range test
    // (measured 44 B smaller, Quectel, than converting through i16 and u16).
    let code = match result {
        -0x8000..=0xFFFF => result as u16,
        _ => return Response::Unknown,
    };
    Response::OpenFailed { code, reason }
}

/// `+QMTCONN: <c>,<result>[,<ret_code>]` (§3.4): without a return code, result 0 means
/// connected. Any non-zero return code is the broker refusing (MQTT 3.1.1 defines 1..=5).
fn connect_result(result: i32, ret_code: Option<i32>) -> Response {
    match (result, ret_code) {
        (0, None | Some(0)) => Response::Connected,
        (0, Some(code)) => match u16::try_from(code) {
            Ok(code) => Response::ConnectFailed {
                code,
                reason: Status::BrokerRefused,
            },
            Err(_) => Response::Unknown,
        },
        // Retransmitted: the final outcome follows (id 0: the connect has none).
        (1, _) => Response::Retransmitting { id: 0 },
        (2, _) => Response::ConnectFailed {
            code: 2,
            reason: Status::BrokerUnreachable,
        },
        _ => Response::Unknown,
    }
}

/// `+QMTSUB`/`+QMTUNS`/`+QMTPUBEX`/`+QMTPUB: <c>,<id>,<result>[,<value>]` (§3.5, §3.6):
/// result 0 done, 1 retransmitted (the final result follows), 2 not sent.
fn request_result(kind: Kind, id: i32, result: i32, value: Option<i32>) -> Response {
    let Ok(id) = u16::try_from(id) else {
        return Response::Unknown;
    };
    match result {
        0 => match kind {
            Kind::Sub => match value.map(u8::try_from) {
                None => Response::Subscribed {
                    id: Some(id),
                    granted: None,
                },
                Some(Ok(granted)) => Response::Subscribed {
                    id: Some(id),
                    granted: Some(granted),
                },
                Some(Err(_)) => Response::Unknown,
            },
            Kind::Unsub => Response::Unsubscribed { id: Some(id) },
            // QoS 0's report: the engine completes QoS 0 publishes at `OK`.
            _ if id == 0 => Response::Settled,
            _ => Response::PubAck {
                ack: Ack::Done,
                id: Some(id),
            },
        },
        // A QoS 0 publish (id 0) has no final result to wait for.
        1 if id != 0 => Response::Retransmitting { id },
        1 => Response::Settled,
        2 => Response::SendFailed { id },
        _ => Response::Unknown,
    }
}

/// `+QMTSTAT: <c>,<err>` causes (§3.8, §5.2); unknown codes are a plain close.
fn stat_cause(code: i32) -> LinkCause {
    match code {
        2 => LinkCause::KeepaliveFailed,
        3 | 4 => LinkCause::Refused,
        7 => LinkCause::Unreachable,
        _ => LinkCause::Closed,
    }
}

fn link_closed(code: i32, cause: LinkCause) -> Response {
    match u16::try_from(code) {
        Ok(code) => Response::LinkClosed { code, cause },
        Err(_) => Response::Unknown,
    }
}

/// `+QIURC: "pdpdeact",<cid>`: the network dropped the context, which must be re-activated.
/// A missing or oversized cid becomes 0 (losing the line would cost more than the number).
/// Another context than 1, the one the session activates and opens its client on, is not the
/// session's bearer (as for `+QIACT`): its loss only informs, like other `+QIURC` reports.
fn bearer_lost(values: &[u8]) -> Response {
    let Some(cid) = skip_spaces(values).strip_prefix(b"\"pdpdeact\"") else {
        return Response::Info;
    };
    let cid = skip_spaces(cid).strip_prefix(b",").and_then(number);
    match cid.and_then(|n| u8::try_from(n).ok()).unwrap_or(0) {
        cid @ (0 | 1) => Response::BearerLost { cid, restore: true },
        _ => Response::Info,
    }
}

/// `+QIACT: <cid>,<state>,<type>[,"<ip>"]`: state 1 of context 1, the one the session
/// activates and opens its client on (`AT+QIACT=1`, `pdpcid` 1), is the session's bearer;
/// another context (one the application uses) or state says nothing about it. `AT+QIACT?`
/// lists every active context (§3.1), so such a line is part of an answer, never a URC: a
/// bearer state line that is not "down" (an answer line for the application's own query,
/// nothing for the session's). A test-form reply is read before (`Info`).
fn bearer_active(values: &[u8]) -> Response {
    // The cid, then the state: one loop reads both (a read of each, inlined twice, measured
    // 38 B larger, Quectel).
    let mut rest = values;
    for _ in 0..2 {
        let (field, after) = split_once(rest, b',').unwrap_or((rest, &[]));
        if number(trim(skip_spaces(field))) != Some(1) {
            return Response::BearerState { down: false };
        }
        rest = after;
    }
    Response::BearerActive
}

/// Parses comma-separated decimal numbers (each with an optional `-` and spaces around it),
/// stores the first `out.len()` and returns how many there are; `None` if any field is not a
/// number that fits an `i32`.
fn fields(values: &[u8], out: &mut [i32]) -> Option<usize> {
    let mut count = 0usize;
    // A loop over `split_once` (shared with the other readers) rather than `split`, whose
    // iterator is inlined here alone (measured 28 B smaller, Quectel).
    let mut rest = Some(values);
    while let Some(now) = rest {
        let (field, after) = split_once(now, b',').map_or((now, None), |(f, a)| (f, Some(a)));
        rest = after;
        let field = trim(skip_spaces(field));
        // Slice patterns (measured 6 B smaller, Quectel, than `strip_prefix` and `first`).
        let (negative, digits) = match field {
            [b'-', digits @ ..] => (true, digits),
            _ => (false, field),
        };
        if let [b' ', ..] = digits {
            return None;
        }
        let value = i32::try_from(number(digits)?).ok()?;
        if let Some(slot) = out.get_mut(count) {
            *slot = if negative { -value } else { value };
        }
        // At most one more than the commas in the line: it cannot overflow.
        count += 1;
    }
    Some(count)
}
