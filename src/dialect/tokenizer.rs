// SPDX-License-Identifier: MIT OR Apache-2.0
//! Bytes from the module → tokens: lines, the data prompt and counted incoming messages, for
//! every dialect. Only the message header differs between dialects; the [`Framing`] names it.
//!
//! Accepted grammar (input may be split at any byte across calls to [`Tokenizer::push`]):
//!
//! ```text
//! stream  := { CR | LF | prompt | line | message }
//! line    := 1*(any byte but CR, LF) (CR | LF)         ; echo lines end in a lone CR
//! prompt  := ">" [" "]                                  ; only at line start, only when expected
//!
//! ; Framing::Luat (docs/luat-at.md §5.7)
//! message := "+MSUB:" *" " topic "," N " byte," N*byte  ; bytes counted, may hold CR/LF
//! topic   := DQUOTE text DQUOTE | text
//!
//! ; Framing::Quectel (docs/quectel-simcom-at.md §3.7, §3.13 item 5)
//! message := "+QMTRECV:" *" " 1*DIGIT "," 1*DIGIT "," DQUOTE text DQUOTE "," N
//!            ["," | CR | LF] [CR LF | CR | LF] [DQUOTE] N*byte [DQUOTE]
//!
//! ; Framing::Simcom (docs/quectel-simcom-at.md §4.8, §4.14 item 5): see `tokenizer/simcom.rs`
//! message := "+CMQTTRXSTART:" c "," T "," P eol 1*part "+CMQTTRXEND:" c eol
//! part    := ("+CMQTTRXTOPIC:" | "+CMQTTRXPAYLOAD:") c "," n eol n*byte   ; CR/LF between
//! ```
//!
//! - Every CR and every LF ends a line; empty lines are skipped, so `\r\n<text>\r\n`, a lone-CR
//!   echo and stray LFs all frame the same way. Garbage between lines (NULs, 0xFF, boot-ROM
//!   text) comes out as ordinary lines for the decoder to classify.
//! - A message header is recognised while its line is still arriving, and the next N bytes are
//!   read as the payload whatever they contain. An `N` above the framing's maximum
//!   ([`MAX_MSUB_PAYLOAD`], [`MAX_QMTRECV_PAYLOAD`]) is not taken as a length (a corrupted
//!   header must not swallow the stream); such a line ends at its terminator as an ordinary
//!   line, which the decoder reports as corrupt.
//! - Luat: the first `",N byte,` after an opening quote, or the first `,N byte,` of an unquoted
//!   topic, ends the header. `+MSUB: 0` (a cache notice) has no comma and is an ordinary line.
//! - Quectel: the topic ends at the first `",` + digits + one of `,` CR LF `"`, so a topic may
//!   hold `"` and `",` but not `",<digits>,` (no sane topic does; MQTT puts no other limit on a
//!   topic, so some rule had to be chosen, and this one takes every topic the module can name
//!   without a count behind it). After N: an optional `,`, an optional line end (`CR LF`, lone
//!   `CR` or lone `LF`: the next-line form some EC200U firmware prints, §3.13 item 5), an
//!   optional opening quote, the N bytes, and an optional closing quote which is swallowed (it
//!   never becomes a line). So a payload on the next line that itself starts with `"` loses that
//!   quote to the framing and gains the byte after its end; the stream stays in sync. A header
//!   whose fixed part is wrong (`+QMTRECV: 0,1` buffer notices, the `+QMTRECV: 0,0,"t","data"`
//!   length-off form) is an ordinary line: the decoder reports the length-off form as corrupt,
//!   so the loss is counted. A zero-length message is reported as soon as its count ends; the
//!   separators and quotes after it are skipped as they arrive.
//! - Nothing ever stalls: a line longer than the line buffer is dropped up to its terminator
//!   ([`Token::LineDiscarded`]); a message that does not fit has its payload skipped as it
//!   streams ([`Token::MessageDropped`]).
//!
//! The tokenizer owns no buffer: the caller passes the same line buffer to every `push`.
//! Lines are located with a word-at-a-time scan and moved with bulk copies; only the few bytes
//! of a message header go through the byte-wise matcher. The framing costs plain lines one
//! compare (which prefix to match).
//!
//! Offsets into the input at hand are plain sums: they are bounded by its length, so they
//! cannot overflow (saturating them cost a clamp each, on the receive path). What grows with
//! the stream (a line's length, its offsets in the line) saturates.

use crate::bytes::{head, move_down, tail};

mod eol;
mod header;
#[cfg(feature = "simcom")]
mod simcom;

use eol::find_eol;
use header::{Header, Step};
#[cfg(feature = "simcom")]
pub use simcom::{MAX_CMQTT_PAYLOAD, MAX_CMQTT_TOPIC};

/// Largest `+MSUB` payload length taken from a header: the modules' own maximum (4100 bytes,
/// docs/luat-at.md §5.7). A larger count is a corrupted header: taken as a length it would
/// swallow the stream after it, so the line ends at its terminator instead, as an ordinary
/// line the decoder reports as corrupt.
/// cbindgen:ignore
pub const MAX_MSUB_PAYLOAD: usize = 4100;

/// Largest `+QMTRECV` payload length taken from a header. The EC200U's real maximum received
/// payload is UNKNOWN (docs/quectel-simcom-at.md §6.1); 4096 is an assumption that covers the
/// documented publish lengths (BG96 1548, NB 1460) with room to spare. A larger count is
/// treated as corrupt, as for [`MAX_MSUB_PAYLOAD`].
/// cbindgen:ignore
pub const MAX_QMTRECV_PAYLOAD: usize = 4096;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const MSUB_SUFFIX: &[u8] = b" byte,";
/// `Tokenizer::prefix` once the current line is known not to be a message header.
const NOT_HEADER: usize = usize::MAX;

/// Which incoming-message header the tokenizer frames: the one thing dialects spell
/// differently in the byte stream.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Framing {
    /// Luat `+MSUB: "<topic>",<N> byte,<payload>`. Only in builds with the `luat` feature:
    /// without it a single-dialect build's framing is a constant, and the Luat header matcher
    /// (or, for SIMCom, the whole single-line header matcher) is not linked.
    #[cfg(feature = "luat")]
    Luat,
    /// Quectel `+QMTRECV: <c>,<msgid>,"<topic>",<N>,"<payload>"` (`recv/mode` 0 with the
    /// length field on). Only in builds with the `quectel` feature: without it every test for
    /// it is a constant and its matcher is not linked.
    #[cfg(feature = "quectel")]
    Quectel,
    /// SIMCom `+CMQTTRXSTART` … `+CMQTTRXEND`: a message in several lines, topic and payload
    /// each in counted chunks. Only in builds with the `simcom` feature.
    #[cfg(feature = "simcom")]
    Simcom,
}

impl Framing {
    /// True for the Quectel framing (a constant false in builds without it).
    #[inline(always)]
    const fn is_quectel(self) -> bool {
        match self {
            #[cfg(feature = "quectel")]
            Framing::Quectel => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// True for the SIMCom framing (a constant false in builds without it).
    #[inline(always)]
    const fn is_simcom(self) -> bool {
        match self {
            #[cfg(feature = "simcom")]
            Framing::Simcom => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The text a message line starts with.
    const fn prefix(self) -> &'static [u8] {
        if self.is_simcom() {
            b"+CMQTTRXSTART:"
        } else if self.is_quectel() {
            b"+QMTRECV:"
        } else {
            b"+MSUB:"
        }
    }

    const fn max_payload(self) -> usize {
        if self.is_quectel() {
            MAX_QMTRECV_PAYLOAD
        } else {
            MAX_MSUB_PAYLOAD
        }
    }

    /// The byte that may follow the payload and belongs to the message (Quectel's closing
    /// quote).
    const fn closing(self) -> Option<u8> {
        if self.is_quectel() {
            Some(b'"')
        } else {
            None
        }
    }
}

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
    /// A complete incoming publish (`+MSUB: <topic>,<N> byte,<N raw bytes>`,
    /// `+QMTRECV: <c>,<msgid>,"<topic>",<N>,"<N raw bytes>"`). Both spans point into the line
    /// buffer: the topic (without quotes) at its start, the payload right after it.
    Message {
        /// The topic.
        topic: Span,
        /// The payload.
        payload: Span,
    },
    /// A message that did not fit the line buffer (see [`Tokenizer::push`] for what
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
    /// Between a Quectel header and its payload: skipping the optional separators.
    #[cfg(feature = "quectel")]
    Gap(Gap),
    /// Reading the counted payload of a message.
    Payload,
    /// Inside a SIMCom message, after its `+CMQTTRXSTART` line.
    #[cfg(feature = "simcom")]
    Simcom(simcom::Phase),
}

/// Where the separators between a Quectel count and its payload stand (each step only moves
/// forward: `,` then a line end then `"`, every one optional).
#[cfg(feature = "quectel")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Gap {
    /// After the `,` that ended the count.
    Comma,
    /// After a CR (an LF may complete it).
    Cr,
    /// After the line end: only the opening quote may follow.
    Lf,
}

/// Incremental tokenizer; see the module documentation for the grammar.
#[derive(Clone, Debug)]
pub struct Tokenizer {
    state: State,
    framing: Framing,
    expect_prompt: bool,
    /// A byte that belongs to the token just returned if it starts the next input: the space
    /// after a prompt `>` that ended the previous input, or a Quectel message's closing quote.
    swallow: Option<u8>,
    /// Bytes of the message prefix the current line has matched so far, or `NOT_HEADER`.
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

#[cfg(feature = "luat")]
impl Default for Tokenizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Tokenizer {
    /// A Luat-framing tokenizer at the start of a line, not expecting a prompt.
    #[cfg(feature = "luat")]
    pub const fn new() -> Self {
        Self::with_framing(Framing::Luat)
    }

    /// A tokenizer for `framing`, at the start of a line, not expecting a prompt.
    pub const fn with_framing(framing: Framing) -> Self {
        Tokenizer {
            state: State::LineStart,
            framing,
            expect_prompt: false,
            swallow: None,
            prefix: 0,
            header: Header::new(),
            len: 0,
            remaining: 0,
            keep: false,
            topic_len: 0,
            payload_len: 0,
        }
    }

    /// The message framing this tokenizer was made for.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Forgets any partial line or payload (the module rebooted, or the caller resyncs). The
    /// prompt setting and the framing are kept: they belong to the caller, not to the stream.
    // Field by field, as `with_framing` sets them: a whole `Tokenizer` would be built on the
    // stack and copied in (see `Header::clear`). The pattern names every field, so a new one
    // does not compile until it is reset here too. Out of line: the receive gap and the
    // module's reboot both reset, and a copy in each measured 14 B more (Luat), 20 B (every
    // dialect).
    #[inline(never)]
    pub fn reset(&mut self) {
        let Tokenizer {
            state,
            framing: _,
            expect_prompt: _,
            swallow,
            prefix,
            header,
            len,
            remaining,
            keep,
            topic_len,
            payload_len,
        } = self;
        *state = State::LineStart;
        *swallow = None;
        *prefix = 0;
        header.clear();
        *len = 0;
        *remaining = 0;
        *keep = false;
        *topic_len = 0;
        *payload_len = 0;
    }

    /// While on, a `>` at the start of a line (after any CR/LF) is returned as [`Token::Prompt`];
    /// while off, such a line is an ordinary line.
    pub fn set_expect_prompt(&mut self, on: bool) {
        self.expect_prompt = on;
    }

    /// The line held so far without its terminator, if a plain line is being read (not a
    /// message header).
    pub fn partial_line<'b>(&self, line_buf: &'b [u8]) -> Option<&'b [u8]> {
        match self.state {
            State::Line if self.prefix != self.framing.prefix().len() => line_buf.get(..self.len),
            _ => None,
        }
    }

    /// Ends the line held so far as if its terminator had come (a CR or LF after it starts
    /// an empty line, which is skipped).
    pub fn end_partial_line(&mut self, line_buf: &[u8]) -> Token {
        self.end_line(line_buf.len())
    }

    /// True while a message is being read: its header line recognised, or its payload (or,
    /// SIMCom, its parts) still to come. Input missing here cuts the message.
    pub fn in_message(&self) -> bool {
        match self.state {
            State::LineStart => false,
            State::Line => self.prefix == self.framing.prefix().len(),
            // An empty Quectel message was reported with its count; only separators follow.
            #[cfg(feature = "quectel")]
            State::Gap(_) => self.payload_len != 0,
            _ => true,
        }
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
    /// the end of the topic (`+MSUB: "` or `+QMTRECV: <c>,<msgid>,"`, and the topic) and
    /// topic + payload fit.
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
                #[cfg(feature = "quectel")]
                State::Gap(gap) => self.gap(gap, rest),
                #[cfg(feature = "simcom")]
                State::Simcom(phase) => self.simcom(phase, line_buf, rest),
            };
            used += n;
            if token.is_some() {
                return (used, token);
            }
        }
        (used, None)
    }

    fn line_start(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        if let Some(byte) = self.swallow.take() {
            if rest.first() == Some(&byte) {
                return (1, None);
            }
        }
        let Some(skip) = rest.iter().position(|&b| b != CR && b != LF) else {
            return (rest.len(), None);
        };
        if self.expect_prompt && rest.get(skip) == Some(&b'>') {
            let used = skip + 1;
            return match rest.get(used) {
                Some(b' ') => (used + 1, Some(Token::Prompt)),
                Some(_) => (used, Some(Token::Prompt)),
                None => {
                    self.swallow = Some(b' ');
                    (used, Some(Token::Prompt))
                }
            };
        }
        // Go straight on with the line: one dispatch per line, not two.
        self.state = State::Line;
        let line = tail(rest, skip);
        let (n, token) = self.line(buf, line);
        (skip + n, token)
    }

    fn line(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        let eol = find_eol(rest);
        let chunk = head(rest, eol.unwrap_or(rest.len()));
        let prefix = self.framing.prefix();
        if self.prefix < prefix.len() {
            self.match_prefix(prefix, chunk);
        }
        if self.prefix == prefix.len() && !self.framing.is_simcom() {
            // A Quectel count may end at the line's terminator (the next-line form), so the
            // matcher sees the terminator too; a Luat header never ends on one.
            let scan = head(rest, eol.map_or(rest.len(), |at| at + 1));
            if let Some(end) = self.scan_header(prefix.len(), scan) {
                let header = head(scan, end + 1);
                self.store(buf, header);
                return (header.len(), self.begin_payload(buf));
            }
        }
        self.store(buf, chunk);
        match eol {
            // A SIMCom message starts with a whole line; its parts follow.
            #[cfg(feature = "simcom")]
            Some(at) if self.prefix == prefix.len() && self.simcom_start(buf) => (at + 1, None),
            Some(at) => (at + 1, Some(self.end_line(buf.len()))),
            None => (rest.len(), None),
        }
    }

    /// Skips the optional separators between a Quectel count and its payload; the first byte
    /// that is none of them starts the payload (an opening quote is consumed, anything else is
    /// the payload's first byte).
    #[cfg(feature = "quectel")]
    fn gap(&mut self, mut gap: Gap, rest: &[u8]) -> (usize, Option<Token>) {
        let mut used = 0;
        for &byte in rest {
            gap = match (gap, byte) {
                (Gap::Comma, CR) => Gap::Cr,
                (Gap::Comma | Gap::Cr, LF) => Gap::Lf,
                _ => {
                    if byte == b'"' {
                        used += 1;
                    }
                    if self.payload_len == 0 {
                        // An empty message was reported with its header; only its closing
                        // quote may still follow.
                        self.state = State::LineStart;
                        self.len = 0;
                        self.swallow = self.framing.closing();
                        return (used, None);
                    }
                    return (used, self.start_payload());
                }
            };
            used += 1;
        }
        self.state = State::Gap(gap);
        (used, None)
    }

    // One caller (`push`), once per chunk of a payload.
    #[inline(always)]
    fn payload(&mut self, buf: &mut [u8], rest: &[u8]) -> (usize, Option<Token>) {
        let part = head(rest, self.remaining);
        if self.keep {
            self.append(buf, part);
        }
        self.remaining = self.remaining.saturating_sub(part.len());
        if self.remaining > 0 {
            return (part.len(), None);
        }
        (part.len(), self.payload_done())
    }

    /// The last payload byte arrived: the message is complete, or (SIMCom) a chunk of it.
    // Out of line where another framing than Luat's is linked: it runs once per message, and
    // inlined it slowed every received byte (`make bench`, every dialect) and cost Quectel
    // 280 B; in a Luat-only build it is just `end_message`, measured 200 B smaller inlined.
    #[cfg_attr(any(feature = "quectel", feature = "simcom"), inline(never))]
    fn payload_done(&mut self) -> Option<Token> {
        #[cfg(feature = "simcom")]
        if self.framing.is_simcom() {
            // The message goes on with its next part.
            self.state = State::Simcom(simcom::Phase::Between);
            return None;
        }
        Some(self.end_message())
    }

    /// Extends the prefix match of the current line with its next bytes.
    fn match_prefix(&mut self, prefix: &[u8], chunk: &[u8]) {
        // Most lines fail on their first byte; a byte loop beats a memcmp call here.
        let mut at = self.prefix;
        for &byte in chunk {
            match prefix.get(at) {
                Some(&want) if want == byte => at += 1,
                Some(_) => {
                    at = NOT_HEADER;
                    break;
                }
                None => break,
            }
        }
        self.prefix = at;
    }

    /// Runs the header matcher over the bytes of `scan` after the prefix (`prefix_len` bytes
    /// from the line start); returns the offset in `scan` of the byte that completes the
    /// header.
    fn scan_header(&mut self, prefix_len: usize, scan: &[u8]) -> Option<usize> {
        let mut at = prefix_len.saturating_sub(self.len);
        while let Some(rest) = scan.get(at..) {
            if self.header.step == Step::Topic {
                // Inside the topic only the tail's first byte matters: jump to it.
                let opener = self.header.opener();
                at += rest.iter().position(|&b| b == opener)?;
            }
            let byte = *scan.get(at)?;
            if self
                .header
                .step(byte, self.len.saturating_add(at), self.framing)
            {
                return Some(at);
            }
            #[cfg(feature = "quectel")]
            if self.header.step == Step::Dead {
                // Not a message: the rest of the line is stored as it is.
                self.prefix = NOT_HEADER;
                self.header.clear();
                return None;
            }
            at += 1;
        }
        None
    }

    /// Appends bytes to the line buffer at `len`, as many as fit; `len` counts them all.
    // Out of line for the line and header paths (two call sites, once per line chunk); the
    // payload path copies with [`Self::append`] inline, as it runs per RX chunk of a message.
    #[inline(never)]
    fn store(&mut self, buf: &mut [u8], bytes: &[u8]) {
        self.append(buf, bytes);
    }

    #[inline(always)]
    fn append(&mut self, buf: &mut [u8], bytes: &[u8]) {
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
            end,
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
        self.header.clear();
        // What ended a Quectel count decides which separators may still follow; a Luat
        // header (and a Quectel count ended by the opening quote) has none.
        #[cfg(feature = "quectel")]
        {
            let gap = match (self.framing.is_quectel(), end) {
                (true, b',') => Gap::Comma,
                (true, CR) => Gap::Cr,
                (true, LF) => Gap::Lf,
                _ => return self.start_payload(),
            };
            self.state = State::Gap(gap);
            // An empty message is complete with its count: report it now rather than when
            // the byte after the separators arrives, which may be long. (The call consumed
            // the header, so it made progress.)
            (count == 0).then(|| self.message_token())
        }
        #[cfg(not(feature = "quectel"))]
        {
            let _ = end;
            self.start_payload()
        }
    }

    fn start_payload(&mut self) -> Option<Token> {
        if self.remaining == 0 {
            return Some(self.end_message());
        }
        self.state = State::Payload;
        None
    }

    fn end_message(&mut self) -> Token {
        self.state = State::LineStart;
        self.len = 0;
        self.swallow = self.framing.closing();
        self.message_token()
    }

    /// The token for the message just framed: its spans, or its loss.
    // Out of line where another framing than Luat's is linked (each framing ends its
    // messages in its own places): measured 90 B smaller, every dialect; in a Luat-only build
    // inlined is smaller.
    #[cfg_attr(any(feature = "quectel", feature = "simcom"), inline(never))]
    fn message_token(&self) -> Token {
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
        if self.prefix == self.framing.prefix().len() {
            self.header.clear();
        }
        self.prefix = 0;
        if len <= capacity {
            Token::Line { len }
        } else {
            Token::LineDiscarded { len }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    /// `reset` (field by field) leaves what `with_framing` builds, keeping the prompt setting.
    #[test]
    #[cfg(feature = "luat")]
    fn reset_is_a_fresh_tokenizer() {
        let mut buf = [0u8; 64];
        let mut tok = Tokenizer::new();
        tok.set_expect_prompt(true);
        // Mid-payload, with the header matcher used.
        let (_, token) = tok.push(&mut buf, b"+MSUB: \"a/b\",9 byte,abc");
        assert_eq!(token, None);
        tok.reset();
        let mut fresh = Tokenizer::new();
        fresh.set_expect_prompt(true);
        assert_eq!(format!("{tok:?}"), format!("{fresh:?}"));
        // Mid-header.
        tok.push(&mut buf, b"+MSUB: \"a/b\",12");
        tok.reset();
        assert_eq!(format!("{tok:?}"), format!("{fresh:?}"));
    }
}
