//! Bytes from the module → tokens: lines, the data prompt and counted `+MSUB` messages.
//!
//! Accepted grammar (input may be split at any byte across calls to [`Tokenizer::push`]):
//!
//! ```text
//! stream  := { CR | LF | prompt | line | message }
//! line    := 1*(any byte but CR, LF) (CR | LF)         ; echo lines end in a lone CR
//! prompt  := ">" [" "]                                  ; only at line start, only when expected
//! message := "+MSUB:" *" " topic "," N " byte," N*byte  ; bytes counted, may hold CR/LF
//! topic   := DQUOTE text DQUOTE | text
//! ```
//!
//! - Every CR and every LF ends a line; empty lines are skipped, so `\r\n<text>\r\n`, a lone-CR
//!   echo and stray LFs all frame the same way. Garbage between lines (NULs, 0xFF, boot-ROM
//!   text) comes out as ordinary lines for the decoder to classify.
//! - A `+MSUB:` header is recognised while its line is still arriving: the first `",N byte,`
//!   after an opening quote, or the first `,N byte,` of an unquoted topic, ends the header and
//!   the next N bytes are read as the payload whatever they contain. An `N` above
//!   [`MAX_MSUB_PAYLOAD`] is not taken as a length (a corrupted header must not swallow the
//!   stream); such a line ends at its terminator as an ordinary line. `+MSUB: 0` (a cache
//!   notice) has no comma and is an ordinary line too.
//! - Nothing ever stalls: a line longer than the line buffer is dropped up to its terminator
//!   ([`Token::LineDiscarded`]); a message that does not fit has its payload skipped as it
//!   streams ([`Token::MessageDropped`]).
//!
//! The tokenizer owns no buffer: the caller passes the same line buffer to every `push`.
//! Lines are located with a word-at-a-time scan and moved with bulk copies; only the few bytes
//! of a `+MSUB:` header go through the byte-wise matcher.

use crate::bytes::{head, move_down, tail};

/// Largest `+MSUB` payload length taken from a header: the modules' own maximum (4100 bytes,
/// docs/luat-at.md §5.7). A larger count is a corrupted header: taken as a length it would
/// swallow the stream after it, so the line ends at its terminator instead, as an ordinary
/// line the decoder reports as corrupt.
/// cbindgen:ignore
pub const MAX_MSUB_PAYLOAD: usize = 4100;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const MSUB_PREFIX: &[u8] = b"+MSUB:";
const MSUB_SUFFIX: &[u8] = b" byte,";
/// `Tokenizer::prefix` once the current line is known not to start with `+MSUB:`.
const NOT_MSUB: usize = usize::MAX;

/// A range of the line buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Number of bytes.
    pub len: usize,
}

impl Span {
    /// The bytes of `buf` this span covers; empty if it does not lie within `buf`.
    pub fn get<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        self.start
            .checked_add(self.len)
            .and_then(|end| buf.get(self.start..end))
            .unwrap_or(&[])
    }
}

/// One unit of module output.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Token {
    /// A complete non-empty line (terminator stripped) at `line_buf[..len]`.
    Line {
        /// Length of the line.
        len: usize,
    },
    /// The data prompt `>` (with one following space, if present), recognised only while
    /// [`Tokenizer::set_expect_prompt`] is on and only at the start of a line.
    Prompt,
    /// A complete incoming publish, `+MSUB: <topic>,<N> byte,<N raw bytes>`. Both spans point into
    /// the line buffer: the topic (without quotes) at its start, the payload right after it.
    Message {
        /// The topic.
        topic: Span,
        /// The payload.
        payload: Span,
    },
    /// A `+MSUB` message that did not fit the line buffer (see [`Tokenizer::push`] for what
    /// must fit); its payload was read and thrown away, so the stream stays in sync.
    MessageDropped {
        /// Payload length the header announced.
        payload_len: usize,
    },
    /// A line longer than the line buffer; everything up to its terminator was thrown away.
    LineDiscarded {
        /// Length of the line.
        len: usize,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Between lines: skipping terminators, watching for the prompt.
    LineStart,
    /// Inside a line.
    Line,
    /// Reading the counted payload of a `+MSUB` message.
    Payload,
}

/// Where the `+MSUB` header matcher stands; see [`Header::step`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Step {
    /// Spaces after `+MSUB:`; the topic has not started.
    Lead,
    /// Inside the topic, waiting for the byte that may start the header tail.
    Topic,
    /// Quoted topic: just saw a `"` that may close it.
    Quote,
    /// Just saw the comma before the length.
    Comma,
    /// Inside the length digits.
    Digits,
    /// Matched this many bytes of ` byte,`.
    Suffix(usize),
}

/// Incremental matcher for the tail of a `+MSUB:` header. It only moves forward, so each byte is
/// looked at once, and it never needs the bytes themselves stored (a header longer than the
/// line buffer is still recognised, so its payload can be skipped).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Header {
    step: Step,
    quoted: bool,
    /// Line offset of the topic's first byte.
    topic_start: usize,
    /// Line offset just past the topic, i.e. of the `"` or `,` that started the current match.
    topic_end: usize,
    /// Payload length read so far.
    count: usize,
}

impl Header {
    const fn new() -> Self {
        Header {
            step: Step::Lead,
            quoted: false,
            topic_start: 0,
            topic_end: 0,
            count: 0,
        }
    }

    /// Feeds the byte at line offset `at`; true when it completes the header.
    fn step(&mut self, byte: u8, at: usize) -> bool {
        match self.step {
            Step::Lead => match byte {
                b' ' => {}
                b'"' => {
                    self.quoted = true;
                    self.topic_start = at.saturating_add(1);
                    self.step = Step::Topic;
                }
                _ => {
                    self.topic_start = at;
                    self.restart(byte, at);
                }
            },
            Step::Topic => self.restart(byte, at),
            Step::Quote => {
                if byte == b',' {
                    self.step = Step::Comma;
                } else {
                    self.restart(byte, at);
                }
            }
            Step::Comma | Step::Digits => {
                if byte.is_ascii_digit() {
                    let count = if self.step == Step::Comma {
                        0
                    } else {
                        self.count
                    };
                    // count <= MAX_MSUB_PAYLOAD before this step, so this cannot overflow.
                    self.count = count
                        .saturating_mul(10)
                        .saturating_add(usize::from(byte - b'0'));
                    self.step = Step::Digits;
                    if self.count > MAX_MSUB_PAYLOAD {
                        self.restart(byte, at);
                    }
                } else if byte == b' ' && self.step == Step::Digits {
                    self.step = Step::Suffix(1);
                } else {
                    self.restart(byte, at);
                }
            }
            Step::Suffix(matched) => {
                if MSUB_SUFFIX.get(matched) == Some(&byte) {
                    let matched = matched.saturating_add(1);
                    if matched == MSUB_SUFFIX.len() {
                        return true;
                    }
                    self.step = Step::Suffix(matched);
                } else {
                    self.restart(byte, at);
                }
            }
        }
        false
    }

    /// The byte that may start the tail: the closing quote, or the comma of an unquoted topic.
    fn opener(&self) -> u8 {
        if self.quoted {
            b'"'
        } else {
            b','
        }
    }

    /// A partial match failed (or none was under way) at `byte`: it may itself start the next
    /// one. The first byte of the tail (`"` or `,`) appears nowhere else in the `"` + `,N byte,`
    /// pattern, except the final comma, which only ends a match; so no other restart point
    /// needs to be remembered.
    fn restart(&mut self, byte: u8, at: usize) {
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

/// Incremental tokenizer; see the module documentation for the grammar.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    state: State,
    expect_prompt: bool,
    /// A prompt `>` ended the previous input; a space starting the next one belongs to it.
    swallow_space: bool,
    /// Bytes of `+MSUB:` the current line has matched so far, or `NOT_MSUB`.
    prefix: usize,
    header: Header,
    /// In a line: its length so far (it may exceed the buffer). In a payload: bytes stored.
    len: usize,
    /// Payload bytes still to come.
    remaining: usize,
    /// The payload is being stored (topic and payload fit the buffer).
    keep: bool,
    topic_len: usize,
    payload_len: usize,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Tokenizer {
    /// A tokenizer at the start of a line, not expecting a prompt.
    pub const fn new() -> Self {
        Tokenizer {
            state: State::LineStart,
            expect_prompt: false,
            swallow_space: false,
            prefix: 0,
            header: Header::new(),
            len: 0,
            remaining: 0,
            keep: false,
            topic_len: 0,
            payload_len: 0,
        }
    }

    /// Forgets any partial line or payload (the module rebooted, or the caller resyncs). The
    /// prompt setting is kept: it belongs to the caller's command state, not to the stream.
    pub fn reset(&mut self) {
        *self = Tokenizer {
            expect_prompt: self.expect_prompt,
            ..Tokenizer::new()
        };
    }

    /// While on, a `>` at the start of a line (after any CR/LF) is returned as [`Token::Prompt`];
    /// while off, such a line is an ordinary line.
    pub fn set_expect_prompt(&mut self, on: bool) {
        self.expect_prompt = on;
    }

    /// True while the tokenizer is between lines (nothing partial is held).
    pub fn is_idle(&self) -> bool {
        self.state == State::LineStart
    }

    /// Consumes bytes of `input` until one token completes or the input runs out, and returns
    /// (bytes consumed, token). Partial lines and payloads stay in `line_buf` across calls, so
    /// pass the same buffer every time. The spans of a returned token stay valid until the next
    /// call. Every call with non-empty input consumes at least one byte.
    ///
    /// Sizing: a line is kept if it fits `line_buf`. A message is kept if both its header up to
    /// the end of the topic (`+MSUB: "` and the topic) and topic + payload fit.
    // Inlined into its one caller, the engine's receive step: a call per RX chunk is a
    // measurable share of the per-byte cost (`make bench`).
    #[inline(always)]
    pub fn push(&mut self, line_buf: &mut [u8], input: &[u8]) -> (usize, Option<Token>) {
        let mut used = 0;
        while let Some(rest) = input.get(used..).filter(|rest| !rest.is_empty()) {
            let (n, token) = match self.state {
                State::LineStart => self.line_start(line_buf, rest),
                State::Line => self.line(line_buf, rest),
                State::Payload => self.payload(line_buf, rest),
            };
            used = used.saturating_add(n);
            if token.is_some() {
                return (used, token);
            }
        }
        (used, None)
    }

    fn line_start(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        if self.swallow_space {
            self.swallow_space = false;
            if rest.first() == Some(&b' ') {
                return (1, None);
            }
        }
        let Some(skip) = rest.iter().position(|&b| b != CR && b != LF) else {
            return (rest.len(), None);
        };
        if self.expect_prompt && rest.get(skip) == Some(&b'>') {
            let used = skip.saturating_add(1);
            return match rest.get(used) {
                Some(b' ') => (used.saturating_add(1), Some(Token::Prompt)),
                Some(_) => (used, Some(Token::Prompt)),
                None => {
                    self.swallow_space = true;
                    (used, Some(Token::Prompt))
                }
            };
        }
        // Go straight on with the line: one dispatch per line, not two.
        self.state = State::Line;
        let line = tail(rest, skip);
        let (n, token) = self.line(buf, line);
        (skip.saturating_add(n), token)
    }

    fn line(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        let eol = find_eol(rest);
        let chunk = head(rest, eol.unwrap_or(rest.len()));
        if self.prefix < MSUB_PREFIX.len() {
            self.match_prefix(chunk);
        }
        if self.prefix == MSUB_PREFIX.len() {
            if let Some(end) = self.scan_header(chunk) {
                let header = head(chunk, end.saturating_add(1));
                self.store(buf, header);
                return (header.len(), self.begin_payload(buf));
            }
        }
        self.store(buf, chunk);
        match eol {
            Some(at) => (at.saturating_add(1), Some(self.end_line(buf.len()))),
            None => (rest.len(), None),
        }
    }

    fn payload(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        let part = head(rest, self.remaining);
        if self.keep {
            self.store(buf, part);
        }
        self.remaining = self.remaining.saturating_sub(part.len());
        if self.remaining > 0 {
            return (part.len(), None);
        }
        (part.len(), Some(self.end_message()))
    }

    /// Extends the `+MSUB:` prefix match of the current line with its next bytes.
    fn match_prefix(&mut self, chunk: &[u8]) {
        let want = MSUB_PREFIX.get(self.prefix..).unwrap_or(&[]);
        // Most lines fail on their first byte; a byte loop beats a memcmp call here.
        let matched = want.iter().zip(chunk).take_while(|(a, b)| a == b).count();
        self.prefix = if matched == want.len() || matched == chunk.len() {
            self.prefix.saturating_add(matched)
        } else {
            NOT_MSUB
        };
    }

    /// Runs the header matcher over the chunk's bytes after the prefix; returns the chunk
    /// offset of the comma that completes the header.
    fn scan_header(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut at = MSUB_PREFIX.len().saturating_sub(self.len);
        while let Some(rest) = chunk.get(at..) {
            if self.header.step == Step::Topic {
                // Inside the topic only the tail's first byte matters: jump to it.
                let opener = self.header.opener();
                at = at.saturating_add(rest.iter().position(|&b| b == opener)?);
            }
            let byte = *chunk.get(at)?;
            if self.header.step(byte, self.len.saturating_add(at)) {
                return Some(at);
            }
            at = at.saturating_add(1);
        }
        None
    }

    /// Appends bytes to the line buffer at `len`, as many as fit; `len` counts them all.
    fn store(&mut self, buf: &mut [u8], bytes: &[u8]) {
        if let Some(free) = buf.get_mut(self.len..) {
            let n = free.len().min(bytes.len());
            if let (Some(dst), Some(src)) = (free.get_mut(..n), bytes.get(..n)) {
                dst.copy_from_slice(src);
            }
        }
        self.len = self.len.saturating_add(bytes.len());
    }

    /// The header is complete (and in the buffer as far as it fit): move the topic to the start
    /// of the buffer and get ready for the payload.
    fn begin_payload(&mut self, buf: &mut [u8]) -> Option<Token> {
        let Header {
            topic_start,
            topic_end,
            count,
            ..
        } = self.header;
        let topic_len = topic_end.saturating_sub(topic_start);
        // The topic must have been stored whole; the header tail after it need not have been.
        self.keep = topic_start <= topic_end
            && topic_end <= buf.len()
            && topic_len.saturating_add(count) <= buf.len();
        if self.keep {
            move_down(buf, topic_start, 0, topic_len);
        }
        self.topic_len = topic_len;
        self.payload_len = count;
        self.remaining = count;
        self.len = topic_len;
        self.prefix = 0;
        self.header = Header::new();
        if count == 0 {
            return Some(self.end_message());
        }
        self.state = State::Payload;
        None
    }

    fn end_message(&mut self) -> Token {
        self.state = State::LineStart;
        self.len = 0;
        if self.keep {
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

    fn end_line(&mut self, capacity: usize) -> Token {
        let len = self.len;
        self.state = State::LineStart;
        self.len = 0;
        // The matcher only runs once the whole prefix matched; otherwise it is still fresh.
        if self.prefix == MSUB_PREFIX.len() {
            self.header = Header::new();
        }
        self.prefix = 0;
        if len <= capacity {
            Token::Line { len }
        } else {
            Token::LineDiscarded { len }
        }
    }
}

/// Offset of the first CR or LF in `s`, a machine word at a time.
fn find_eol(s: &[u8]) -> Option<usize> {
    const WORD: usize = core::mem::size_of::<usize>();
    const ONES: usize = usize::MAX / 0xFF;
    const HIGHS: usize = ONES << 7;
    const CRS: usize = ONES * CR as usize;
    const LFS: usize = ONES * LF as usize;
    let mut words = s.chunks_exact(WORD);
    let mut base = 0;
    for word in &mut words {
        let Ok(bytes) = <[u8; WORD]>::try_from(word) else {
            break;
        };
        let v = usize::from_le_bytes(bytes);
        let (cr, lf) = (v ^ CRS, v ^ LFS);
        // High bit set in each byte that is zero, i.e. equal to CR or LF. Borrows can only mark
        // bytes above a true zero, so the lowest mark is exact.
        let hits = ((cr.wrapping_sub(ONES) & !cr) | (lf.wrapping_sub(ONES) & !lf)) & HIGHS;
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += WORD;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == CR || b == LF)
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_eol_matches_naive_scan() {
        let mut data = [b'a'; 40];
        for at in 0..data.len() {
            for term in [CR, LF] {
                data = [b'a'; 40];
                data[at] = term;
                for start in 0..=at {
                    assert_eq!(find_eol(&data[start..]), Some(at - start));
                }
                // bytes above the hit that look like terminators after a borrow
                if at + 1 < data.len() {
                    data[at + 1] = term + 1;
                    assert_eq!(find_eol(&data), Some(at));
                }
            }
        }
        assert_eq!(find_eol(&[0x80; 17]), None);
        assert_eq!(
            find_eol(&[0xFF, 0x00, 0x0C, 0x0E, 0x8D, 0x8A, 0x0B, 0x09, 0x0D]),
            Some(8)
        );
        assert_eq!(find_eol(b""), None);
    }
}
