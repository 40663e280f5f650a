// SPDX-License-Identifier: MIT OR Apache-2.0
//! The message-header matcher of the shared tokenizer: what follows a `+MSUB:` or `+QMTRECV:`
//! prefix, fed a byte at a time while the line is still arriving, so a header is recognised
//! (and its payload length known) before its line ends, whatever the line buffer holds.

use super::{Framing, CR, LF, MSUB_SUFFIX};

/// Where the header matcher stands; see [`Header::step`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Step {
    /// Spaces after the prefix; the topic (Luat) or the client index (Quectel) has not started.
    Lead,
    /// Quectel: inside the client index digits.
    #[cfg(feature = "quectel")]
    Client,
    /// Quectel: after `<c>,`, before the message id.
    #[cfg(feature = "quectel")]
    MsgIdStart,
    /// Quectel: inside the message id digits.
    #[cfg(feature = "quectel")]
    MsgId,
    /// Quectel: after `<msgid>,`, where the topic's opening quote must come.
    #[cfg(feature = "quectel")]
    Open,
    /// Inside the topic, waiting for the byte that may start the header tail.
    Topic,
    /// Quoted topic: just saw a `"` that may close it.
    Quote,
    /// Just saw the comma before the length.
    Comma,
    /// Inside the length digits.
    Digits,
    /// Luat: matched this many bytes of ` byte,`.
    Suffix(usize),
    /// Quectel: the fixed part did not match, so the line is no message.
    #[cfg(feature = "quectel")]
    Dead,
}

/// Incremental matcher for what follows a message prefix. It only moves forward, so each byte is
/// looked at once, and it never needs the bytes themselves stored (a header longer than the
/// line buffer is still recognised, so its payload can be skipped).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Header {
    pub(super) step: Step,
    pub(super) quoted: bool,
    /// Line offset of the topic's first byte.
    pub(super) topic_start: usize,
    /// Line offset just past the topic, i.e. of the `"` or `,` that started the current match.
    pub(super) topic_end: usize,
    /// Payload length read so far.
    pub(super) count: usize,
    /// Quectel: the byte that ended the count (`,`, CR, LF or `"`).
    pub(super) end: u8,
}

impl Header {
    pub(super) const fn new() -> Self {
        Header {
            step: Step::Lead,
            quoted: false,
            topic_start: 0,
            topic_end: 0,
            count: 0,
            end: 0,
        }
    }

    /// Back to [`Header::new`], field by field: assigning a whole `Header` builds it on the
    /// stack and copies it in, as the step's unused payload bytes are undefined.
    /// The pattern names every field, so a new one does not compile until it is cleared too.
    pub(super) fn clear(&mut self) {
        let Header {
            step,
            quoted,
            topic_start,
            topic_end,
            count,
            end,
        } = self;
        *step = Step::Lead;
        *quoted = false;
        *topic_start = 0;
        *topic_end = 0;
        *count = 0;
        *end = 0;
    }

    /// Feeds the byte at line offset `at`; true when it completes the header. Every arm
    /// where the match fails (or none is under way) ends in the one `restart` after the
    /// `match`; the others return.
    pub(super) fn step(&mut self, byte: u8, at: usize, framing: Framing) -> bool {
        let quectel = framing.is_quectel();
        match self.step {
            Step::Lead if byte == b' ' => return false,
            #[cfg(feature = "quectel")]
            Step::Lead if quectel => {
                self.fixed(byte, at);
                return false;
            }
            Step::Lead if byte == b'"' => {
                self.quoted = true;
                self.topic_start = at.saturating_add(1);
                self.step = Step::Topic;
                return false;
            }
            Step::Lead => self.topic_start = at,
            #[cfg(feature = "quectel")]
            Step::Client | Step::MsgId if byte.is_ascii_digit() => return false,
            #[cfg(feature = "quectel")]
            Step::Client | Step::MsgIdStart | Step::MsgId | Step::Open => {
                self.fixed(byte, at);
                return false;
            }
            Step::Topic => {}
            Step::Quote if byte == b',' => {
                self.step = Step::Comma;
                return false;
            }
            Step::Quote => {}
            Step::Comma | Step::Digits => {
                if byte.is_ascii_digit() {
                    let count = if self.step == Step::Comma {
                        0
                    } else {
                        self.count
                    };
                    // count <= the maximum payload before this step, so this cannot overflow
                    // (saturating it cost a check per digit).
                    self.count = count * 10 + usize::from(byte - b'0');
                    self.step = Step::Digits;
                    if self.count <= framing.max_payload() {
                        return false;
                    }
                } else if self.step == Step::Digits
                    && quectel
                    && matches!(byte, b',' | CR | LF | b'"')
                {
                    self.end = byte;
                    return true;
                } else if byte == b' ' && self.step == Step::Digits && !quectel {
                    self.step = Step::Suffix(1);
                    return false;
                }
            }
            Step::Suffix(matched) if MSUB_SUFFIX.get(matched) == Some(&byte) => {
                let matched = matched + 1;
                if matched == MSUB_SUFFIX.len() {
                    return true;
                }
                self.step = Step::Suffix(matched);
                return false;
            }
            Step::Suffix(_) => {}
            #[cfg(feature = "quectel")]
            Step::Dead => return false,
        }
        self.restart(byte, at);
        false
    }

    /// A step of Quectel's fixed part (`<c>,<msgid>,"`): the next step if the byte is the one
    /// expected, else the line is no message. One look-up of what each step expects (an arm
    /// each, with its own test and store, measured 28 B larger, Quectel; 18 B, every dialect).
    #[cfg(feature = "quectel")]
    fn fixed(&mut self, byte: u8, at: usize) {
        // The byte expected (`0` for any digit) and the step it leads to.
        let (want, next) = match self.step {
            Step::Lead => (b'0', Step::Client),
            Step::Client => (b',', Step::MsgIdStart),
            Step::MsgIdStart => (b'0', Step::MsgId),
            Step::MsgId => (b',', Step::Open),
            _ => {
                // `Step::Open`, the only other caller: the topic's opening quote.
                self.quoted = true;
                self.topic_start = at.saturating_add(1);
                (b'"', Step::Topic)
            }
        };
        let ok = match want {
            b'0' => byte.is_ascii_digit(),
            _ => byte == want,
        };
        self.step = if ok { next } else { Step::Dead };
    }

    /// The byte that may start the tail: the closing quote, or the comma of an unquoted topic.
    pub(super) fn opener(&self) -> u8 {
        if self.quoted {
            b'"'
        } else {
            b','
        }
    }

    /// A partial match failed (or none was under way) at `byte`: it may itself start the next
    /// one. The first byte of the tail (`"` or `,`) appears nowhere else in the `"` + `,N byte,`
    /// (or `",N` + end) pattern, except the final byte, which only ends a match; so no other
    /// restart point needs to be remembered.
    // Out of line in a Luat-only build: measured 44 B smaller, and no slower per received
    // byte (inside the topic the scan jumps to the byte that may end it). Where another
    // framing is linked it is 38 B smaller too, but slower per received byte (make bench).
    #[cfg_attr(not(any(feature = "quectel", feature = "simcom")), inline(never))]
    pub(super) fn restart(&mut self, byte: u8, at: usize) {
        if byte == self.opener() {
            self.topic_end = at;
            self.step = if self.quoted {
                Step::Quote
            } else {
                Step::Comma
            };
        } else {
            self.step = Step::Topic;
        }
    }
}
