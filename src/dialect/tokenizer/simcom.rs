// SPDX-License-Identifier: MIT OR Apache-2.0
//! The SIMCom framing of the shared tokenizer: an incoming message is a sequence of lines and
//! counted chunks (docs/quectel-simcom-at.md §4.8):
//!
//! ```text
//! +CMQTTRXSTART: <c>,<topic_total>,<payload_total>
//! +CMQTTRXTOPIC: <c>,<n>      then n raw bytes      (repeats for a long topic)
//! +CMQTTRXPAYLOAD: <c>,<n>    then n raw bytes      (repeats, chunks of up to 1500 seen [S18];
//!                                                    absent for an empty payload)
//! +CMQTTRXEND: <c>
//! ```
//!
//! - The start line is an ordinary line until its terminator; then its three numbers decide:
//!   totals within the module's limits ([`MAX_CMQTT_TOPIC`], [`MAX_CMQTT_PAYLOAD`], §6.2) start
//!   a message, anything else leaves the line to the decoder, which reports it as corrupt.
//! - Inside a message the part lines are matched byte by byte and never stored: the line
//!   buffer holds the topic at its start and the payload right after it, chunk by chunk, when
//!   both fit ([`Token::Message`]); when they do not, the chunks are read and thrown away and
//!   the message is reported lost ([`Token::MessageDropped`]), so the stream stays in sync.
//!   The start line itself must fit the buffer to be read (the longest, 27 bytes, is far
//!   below the engine's minimum line buffer); one that does not is a discarded line.
//! - Chunk bytes are raw (LF, quotes, binary) and read by count; after a part line's
//!   terminator (`CR LF`, lone `CR` or lone `LF`) the count starts, and CR/LF after the bytes
//!   and blank lines between parts are skipped (§1, §4.14 item 5).
//! - A chunk that overruns its total, a malformed part line, or a line that is no part at all
//!   (another URC) ends the message as lost; that line then goes on as an ordinary line, so a
//!   new `+CMQTTRXSTART` starts the next message. A message whose chunks fall short of its
//!   totals at `+CMQTTRXEND` is lost too.

use super::{Span, State, Token, Tokenizer, CR, LF, NOT_HEADER};
use crate::bytes::head;
use crate::dialect::common::{number, split_once};

/// Largest topic a `+CMQTTRXSTART` announces: 1..=1024 (§6.2).
/// cbindgen:ignore
pub const MAX_CMQTT_TOPIC: usize = 1024;

/// Largest payload a `+CMQTTRXSTART` announces: 0..=10240 (§6.2).
/// cbindgen:ignore
pub const MAX_CMQTT_PAYLOAD: usize = 10240;

/// What every part line starts with.
const PART: &[u8] = b"+CMQTTRX";
const TOPIC: &[u8] = b"+CMQTTRXTOPIC:";
const PAYLOAD: &[u8] = b"+CMQTTRXPAYLOAD:";
const END: &[u8] = b"+CMQTTRXEND:";

/// Which part line is being read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Part {
    Topic,
    Payload,
    End,
}

impl Part {
    fn keyword(self) -> &'static [u8] {
        match self {
            Part::Topic => TOPIC,
            Part::Payload => PAYLOAD,
            Part::End => END,
        }
    }
}

/// Where a SIMCom message stands. Kept in the tokenizer's state (a few bytes, which fit the
/// padding it already has): the counts live in the fields the other framings use for their
/// payload, which are free inside a SIMCom message (`len`: topic and payload bytes received,
/// which go to the buffer contiguously since the topic comes whole before the payload;
/// `remaining`: bytes of the current chunk, or its count being read; `topic_len`,
/// `payload_len`: the totals; `keep`: they fit the buffer).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Phase {
    /// Between parts: skipping CR/LF.
    Between,
    /// Matching a part keyword, this many bytes of it so far.
    Keyword(Part, u8),
    /// After the keyword's colon, reading `<c>,<n>` up to the terminator. `seen`: 0 nothing,
    /// 1 digits of `<c>`, 2 its comma, 3 digits of `<n>` (accumulated in `remaining`).
    Fields(Part, u8),
    /// After a CR that ended a part line: an LF may complete it.
    Cr,
    /// A part line with a count ended: its chunk's bytes follow, read as any framing's
    /// payload is (`State::Payload`, which comes back to `Between`).
    Data,
}

/// How a step inside a message ended.
enum Out {
    /// Still inside the message.
    More,
    /// The message is complete (or lost): its token; the tokenizer is between lines.
    Done(Token),
    /// The message is lost at a line that is no part of it: the bytes of that line consumed
    /// before (a prefix of a part keyword) and the byte that broke it, also consumed (`None`
    /// when it was the line's terminator, so the line ended).
    Abandon(&'static [u8], Option<u8>),
}

/// `<c>,<topic_total>,<payload_total>` after the start line's prefix, if the totals are within
/// the module's limits (a topic is never empty).
fn start_totals(values: &[u8]) -> Option<(usize, usize)> {
    // One loop over the fields (an iterator pulled three times inlined its parser thrice).
    let (mut topic, mut payload) = (0usize, 0usize);
    let mut count = 0;
    let mut rest = Some(values);
    while let Some(now) = rest {
        let (field, after) = split_once(now, b',').map_or((now, None), |(f, a)| (f, Some(a)));
        rest = after;
        // Digits only, read by the decoders' `number` (a parser of its own here cost flash):
        // within `u32`, as every total within the limits below is.
        let n = number(field.trim_ascii())?;
        // A fourth field makes the line no start line.
        if count == 3 {
            return None;
        }
        // The totals are the last two fields (the client's index comes first): kept in two
        // variables, not an array indexed by the field's place (measured 20 B smaller, SIMCom).
        (topic, payload) = (payload, n as usize);
        count += 1;
    }
    let fits = (1..=MAX_CMQTT_TOPIC).contains(&topic) && payload <= MAX_CMQTT_PAYLOAD;
    (count == 3 && fits).then_some((topic, payload))
}

impl Tokenizer {
    /// The `+CMQTTRXSTART` line in the buffer just ended: true if it starts a message (the
    /// tokenizer is then inside it), false to report it as an ordinary line.
    // Out of line: it runs once per message start, and inlined into the line's path it made
    // every received byte dearer (make bench, every dialect: 11.48 instructions per byte
    // inlined, 11.44 so).
    #[inline(never)]
    pub(super) fn simcom_start(&mut self, buf: &[u8]) -> bool {
        let prefix = self.framing.prefix().len();
        let Some((topic, payload)) = buf
            .get(..self.len)
            .and_then(|line| line.get(prefix..))
            .and_then(start_totals)
        else {
            return false;
        };
        self.topic_len = topic;
        self.payload_len = payload;
        self.keep = topic.saturating_add(payload) <= buf.len();
        self.remaining = 0;
        self.state = State::Simcom(Phase::Between);
        self.len = 0;
        self.prefix = 0;
        true
    }

    /// Inside a message (`phase`): feeds its parts; see the module documentation.
    pub(super) fn simcom(
        &mut self,
        phase: Phase,
        buf: &mut [u8],
        rest: &[u8],
    ) -> (usize, Option<Token>) {
        let (used, out) = self.rx(phase, rest);
        match out {
            Out::More => (used, None),
            Out::Done(token) => {
                self.state = State::LineStart;
                self.len = 0;
                (used, Some(token))
            }
            Out::Abandon(consumed, byte) => {
                let lost = Token::MessageDropped {
                    payload_len: self.payload_len,
                };
                self.len = 0;
                self.prefix = 0;
                self.state = State::LineStart;
                if let Some(byte) = byte {
                    // The line goes on as an ordinary one, with the bytes already read. They
                    // may begin the start line's prefix (a new `+CMQTTRXSTART`).
                    self.state = State::Line;
                    self.store(buf, consumed);
                    self.store(buf, &[byte]);
                    let start = self.framing.prefix();
                    let k = consumed.len();
                    self.prefix = if start.starts_with(consumed) && start.get(k) == Some(&byte) {
                        k.saturating_add(1)
                    } else {
                        NOT_HEADER
                    };
                }
                (used, Some(lost))
            }
        }
    }

    /// Runs the message's state machine over `rest` from `phase`.
    fn rx(&mut self, mut phase: Phase, rest: &[u8]) -> (usize, Out) {
        let mut used = 0;
        while let Some(&byte) = rest.get(used) {
            let terminator = byte == CR || byte == LF;
            match phase {
                Phase::Between if terminator => {}
                Phase::Between => {
                    phase = Phase::Keyword(Part::Topic, 0);
                    continue;
                }
                Phase::Keyword(part, matched) => {
                    // The byte after `+CMQTTRX` names the part.
                    let part = match (usize::from(matched) == PART.len(), byte) {
                        (true, b'P') => Part::Payload,
                        (true, b'E') => Part::End,
                        (true, _) => Part::Topic,
                        (false, _) => part,
                    };
                    let keyword = part.keyword();
                    if keyword.get(usize::from(matched)) != Some(&byte) {
                        let consumed = head(keyword, usize::from(matched));
                        let byte = (!terminator).then_some(byte);
                        return (used + 1, Out::Abandon(consumed, byte));
                    }
                    let matched = matched.saturating_add(1);
                    phase = if usize::from(matched) == keyword.len() {
                        self.remaining = 0;
                        Phase::Fields(part, 0)
                    } else {
                        Phase::Keyword(part, matched)
                    };
                }
                Phase::Fields(part, seen) if terminator => {
                    used += 1;
                    match self.end_part(part, seen, byte) {
                        Some(_) if part == Part::End => {
                            return (used, Out::Done(self.message_token_simcom()));
                        }
                        Some(next) => phase = next,
                        None => return (used, Out::Abandon(&[], None)),
                    }
                    continue;
                }
                Phase::Fields(part, seen) => match self.field_byte(seen, byte) {
                    Some(seen) => phase = Phase::Fields(part, seen),
                    None => return (used + 1, Out::Abandon(&[], Some(byte))),
                },
                Phase::Cr => {
                    phase = Phase::Data;
                    if byte != LF {
                        continue;
                    }
                }
                Phase::Data => {
                    // The payload step counts in `len` only what it stores: a chunk not kept
                    // counts whole now.
                    if !self.keep {
                        self.len = self.len.saturating_add(self.remaining);
                    }
                    self.state = State::Payload;
                    return (used, Out::More);
                }
            }
            used += 1;
        }
        self.state = State::Simcom(phase);
        (used, Out::More)
    }

    /// A byte of a part line's numbers: digits, the comma between them, spaces anywhere. The
    /// second number goes to `remaining`. `None` for anything else, or a count too large.
    fn field_byte(&mut self, seen: u8, byte: u8) -> Option<u8> {
        match (seen, byte) {
            (_, b' ') => Some(seen),
            (1, b',') => Some(2),
            (0 | 1, b'0'..=b'9') => Some(1),
            (2 | 3, b'0'..=b'9') => {
                let n = self
                    .remaining
                    .checked_mul(10)?
                    .checked_add(usize::from(byte - b'0'))?;
                // No chunk exceeds a total; a longer count is garbage.
                self.remaining = (n <= MAX_CMQTT_PAYLOAD).then_some(n)?;
                Some(3)
            }
            _ => None,
        }
    }

    /// A part line ended at `terminator`: the phase its chunk starts in (`Between` for an
    /// empty chunk and for the end), or `None` when the line is malformed or its chunk
    /// overruns the totals. The topic comes whole before the payload.
    fn end_part(&mut self, part: Part, seen: u8, terminator: u8) -> Option<Phase> {
        let got = self.len;
        let n = self.remaining;
        let total = self.topic_len.saturating_add(self.payload_len);
        let fits = match part {
            Part::End => return (seen == 1).then_some(Phase::Between),
            Part::Topic => got.saturating_add(n) <= self.topic_len,
            Part::Payload => got >= self.topic_len && got.saturating_add(n) <= total,
        };
        if seen != 3 || !fits {
            return None;
        }
        Some(match (n, terminator) {
            (0, _) => Phase::Between,
            (_, CR) => Phase::Cr,
            _ => Phase::Data,
        })
    }

    /// The token for the message at its end: its spans if every byte arrived and was stored,
    /// else its loss.
    fn message_token_simcom(&self) -> Token {
        let whole = self.len == self.topic_len.saturating_add(self.payload_len);
        if self.keep && whole {
            Token::Message {
                topic: Span {
                    start: 0,
                    len: self.topic_len,
                },
                payload: Span {
                    start: self.topic_len,
                    len: self.payload_len,
                },
            }
        } else {
            Token::MessageDropped {
                payload_len: self.payload_len,
            }
        }
    }
}
