// SPDX-License-Identifier: MIT OR Apache-2.0
//! One complete line from a SIMCom module → what it means, in the engine's words
//! ([`Response`]).
//!
//! [`decode`] is a pure classifier: no state, no allocation, no failure. It does not see the
//! `+CMQTTRX…` messages the tokenizer framed; it does see an `+CMQTTRXSTART` line the tokenizer
//! could not frame (reported as [`Response::CorruptMessage`], so the loss is counted).
//!
//! The leniency rules are the Luat decoder's ([`crate::dialect::luat::decode`]). The mappings
//! follow docs/quectel-simcom-at.md §2.2 (boot lines), §4 (the `AT+CMQTT*` results) and the
//! failure classes of §5.3: every result is `+CMQTTxxx: <c>,<err>` with `<err>` from the table
//! of §4.10, and the `<err>` decides whichever side of `OK`/`ERROR` it comes (§5.1). Results
//! carry no message id (§6.3). The client index `<c>` is checked only where a line may be about
//! another client (the state query); cellmqtt only ever acquires client 0.

use crate::dialect::common::{
    is_echo, number, plus_line, skip_spaces, split_once, table, trim, Fit, PlusLine, Table,
};
use crate::dialect::response::{Ack, LinkCause, Response, WholeLine};
use crate::Status;

/// `<err>` 23, "network is opened (already started)": the service runs (§4.2, S16).
/// cbindgen:ignore
pub const ALREADY_STARTED: u16 = 23;

/// Lines that are a response by themselves.
const WHOLE_LINES: Table<WholeLine> = table! {
    b"OK" => WholeLine::Ok,
    b"ERROR" => WholeLine::Error,
    // A reboot (§2.2): SIM7600 prints `RDY`, A76xx `*ATREADY: 1` (matched by prefix below).
    b"RDY" => WholeLine::Ready,
    // Later boot lines (§2.2): a reboot when they come while the session is up.
    b"SMS DONE" => WholeLine::BootLine,
    b"PB DONE" => WholeLine::BootLine,
    // The network is lost and the MQTT service is down (§4.9): stop, release and start again.
    b"+CMQTTNONET" => WholeLine::NoNet,
    b"SIM REMOVED" => WholeLine::SimRemoved,
};

/// What a `+<keyword>:` line is about.
#[derive(Clone, Copy)]
enum Kind {
    Start,
    Connect,
    Sub,
    Unsub,
    Publish,
    ConnLost,
    Ping,
    Disc,
    Stop,
    /// `+CMQTTRXSTART` that the tokenizer did not frame.
    RxStart,
    /// The report of one of the session's own commands that asks nothing more.
    Settled,
}

/// Keywords, each followed by optional spaces and `:` in the line. A keyword that is a prefix
/// of another (`+CMQTTSUB`, `+CMQTTSUBTOPIC`) cannot match the longer one's lines, since the
/// colon must follow it. The keys without a kind, last, are lines that only inform.
const KEYWORDS: Table<Kind> = table! {
    b"+CMQTTSTART" => Kind::Start,
    b"+CMQTTCONNECT" => Kind::Connect,
    b"+CMQTTSUB" => Kind::Sub,
    b"+CMQTTUNSUB" => Kind::Unsub,
    b"+CMQTTPUB" => Kind::Publish,
    b"+CMQTTCONNLOST" => Kind::ConnLost,
    b"+CMQTTPING" => Kind::Ping,
    b"+CMQTTDISC" => Kind::Disc,
    b"+CMQTTRXSTART" => Kind::RxStart,
    // The parts of a message that lost its start (already counted when it was dropped).
    b"+CMQTTRXTOPIC" => Kind::Settled,
    b"+CMQTTRXPAYLOAD" => Kind::Settled,
    b"+CMQTTRXEND" => Kind::Settled,
    b"+CMQTTSTOP" => Kind::Stop;
    b"+CMQTTACCQ",
    b"+CMQTTREL",
    b"+CMQTTSSLCFG",
    b"+CMQTTTOPIC",
    b"+CMQTTPAYLOAD",
    b"+CMQTTSUBTOPIC",
    b"+CMQTTUNSUBTOPIC",
    b"+CMQTTWILLTOPIC",
    b"+CMQTTWILLMSG",
    b"+CSSLCFG",
    b"+CCERTLIST",
    b"+CICCID",
    b"+NETOPEN",
    b"+MSTK",
    b"+CPSI",
};

/// Classifies one line (terminator already stripped). `state_query` is true while
/// `AT+CMQTTDISC?` is in flight: `+CMQTTDISC: <c>,<n>` is then the connection state (§4.5),
/// otherwise the result of `AT+CMQTTDISC=0,<timeout>` (§4.11). Never fails: what is not
/// recognised is [`Response::Unknown`].
// Out of line, as Luat's: inlined into the engine's poll, it costs more flash than the call.
#[inline(never)]
pub fn decode(line: &[u8], state_query: bool) -> Response {
    let line = trim(line);
    // One table for both kinds of line: `+CMQTTNONET` is a whole line that starts with `+`.
    if let Some(response) = WHOLE_LINES
        .get(line, Fit::Whole)
        .map(|(whole, _)| whole.response())
    {
        return response;
    }
    if line.first() == Some(&b'+') {
        return decode_plus(line, state_query);
    }
    if line.starts_with(b"*ATREADY") {
        return Response::Ready;
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
        Kind::RxStart => return Response::CorruptMessage,
        _ => {}
    }
    if skip_spaces(values).starts_with(b"(") {
        return Response::Info;
    }
    let mut f = [0u16; 2];
    let Some(count) = fields(values, &mut f) else {
        return Response::Unknown;
    };
    let [first, second] = f;
    match (kind, count) {
        // `+CMQTTSTART: <err>` (§4.2): 23 means the service already runs.
        (Kind::Start, 1) => match first {
            0 | ALREADY_STARTED => Response::LinkOpened,
            code => Response::OpenFailed {
                code,
                reason: start_status(code),
            },
        },
        (Kind::Connect, 2) => match second {
            0 => Response::Connected,
            code => Response::ConnectFailed {
                code,
                reason: connect_status(code),
            },
        },
        // One arm for the three request results (an arm each measured 26 B larger, SIMCom).
        (Kind::Sub | Kind::Unsub | Kind::Publish, 2) => {
            let done = match kind {
                Kind::Sub => Response::Subscribed {
                    id: None,
                    granted: None,
                },
                Kind::Unsub => Response::Unsubscribed { id: None },
                _ => Response::PubAck {
                    ack: Ack::Done,
                    id: None,
                },
            };
            result(second, done)
        }
        // §4.9: causes 1-3 and unknown ones alike; a failed ping is a closed link too. Lost
        // also during a connect (§5.3): the engine takes no refusal from it in this family.
        (Kind::ConnLost | Kind::Ping, 2) => Response::LinkClosed {
            code: second,
            cause: LinkCause::Closed,
        },
        // `AT+CMQTTDISC?` lists a state per client (0 = connected); only client 0 is ours.
        // Otherwise the line is the result of `AT+CMQTTDISC=0,<timeout>` (§4.11), after its
        // `OK`: the session has ended, a state not connected, which the stop awaits before it
        // releases the client.
        (Kind::Disc, 2) => match (first, u8::try_from(second)) {
            (0, Ok(code)) => Response::SessionState {
                code,
                connected: state_query && code == 0,
            },
            _ if state_query => Response::Info,
            // Another client's line of a late state answer: nothing to pass on.
            _ => Response::Settled,
        },
        // The service's stop has ended (§4.2: its result before or after the final result),
        // whatever `<err>` says: no session is up, and the start may follow.
        (Kind::Stop, 1) => Response::SessionState {
            code: 0,
            connected: false,
        },
        _ => Response::Unknown,
    }
}

/// A subscribe, unsubscribe or publish result: `done` for `<err>` 0, else the failure, which
/// names no request but says whether it is a publish's (one of each kind is awaited at a
/// time, §6.3).
fn result(err: u16, done: Response) -> Response {
    match err {
        0 => done,
        code => Response::RequestFailed {
            code,
            publish: matches!(done, Response::PubAck { .. }),
        },
    }
}

/// The class of a failed `AT+CMQTTSTART` (§5.3): network open failed (7) or not opened (9)
/// is the attach side; every other code is the module's.
pub fn start_status(code: u16) -> Status {
    match code {
        7 | 9 => Status::NotAttached,
        _ => Status::ModuleError,
    }
}

/// The class of a failed `AT+CMQTTCONNECT` (§5.3). The codes §5.3 calls "link lost" (6, 11,
/// 16, 24, 26, 35) and the timeout (17) are the broker's side on a CONNECT: the connection to
/// it failed before the session was up (26 on CONNECT is the broker closing it, S05). The
/// module's own faults (bad parameters, client state) are module errors; 7 and 9 the attach.
pub fn connect_status(code: u16) -> Status {
    match code {
        3 | 15 | 17 | 6 | 11 | 16 | 24 | 26 | 35 => Status::BrokerUnreachable,
        7 | 9 => Status::NotAttached,
        25 => Status::NameNotResolved,
        27..=31 => Status::BrokerRefused,
        32..=34 => Status::TlsFailed,
        _ => Status::ModuleError,
    }
}

/// Parses comma-separated decimal numbers (spaces around each allowed), stores the first
/// `out.len()` and returns how many there are; `None` if any field is not a `u16` number.
fn fields(values: &[u8], out: &mut [u16]) -> Option<usize> {
    let mut count = 0usize;
    // A loop over `split_once` (shared with the other readers) rather than `split`, whose
    // iterator is inlined here alone (measured 4 B smaller, every dialect).
    let mut rest = Some(values);
    while let Some(now) = rest {
        let (field, after) = split_once(now, b',').map_or((now, None), |(f, a)| (f, Some(a)));
        rest = after;
        let value = u16::try_from(number(trim(skip_spaces(field)))?).ok()?;
        if let Some(slot) = out.get_mut(count) {
            *slot = value;
        }
        // At most one more than the commas in the line: it cannot overflow.
        count += 1;
    }
    Some(count)
}
