// SPDX-License-Identifier: MIT OR Apache-2.0
//! Commands as resumable byte streams, for every dialect.
//!
//! A dialect spells each command as a short list of [`Segment`]s (literal text, a verbatim
//! string, a number, an escaped payload); [`encode_segments`] writes the next bytes of such a
//! list into whatever space the caller has and advances a [`TxCursor`]. There is no transmit
//! buffer and no payload copy: the caller encodes into a small stack chunk, writes that to the
//! UART, and repeats. Encoding is deterministic, so a caller whose UART took only part of a
//! chunk can encode again from its saved cursor into a chunk of exactly the accepted length.
//!
//! The cursor holds the segment index, the offset inside it and, for an escaped payload, how
//! much of a three-byte escape was already written, so each call costs O(bytes written) and
//! never rescans from the start.

use crate::Status;

/// Position inside an encoded command. Start from [`TxCursor::new`] for every command.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TxCursor {
    pub(crate) segment: u8,
    /// Offset in the segment's source bytes (payload bytes for the escaped segment).
    offset: usize,
    /// Bytes of the current three-byte escape already written.
    escaped: u8,
    done: bool,
}

impl TxCursor {
    /// A cursor at the start of a command.
    pub const fn new() -> Self {
        TxCursor {
            segment: 0,
            offset: 0,
            escaped: 0,
            done: false,
        }
    }

    /// True once [`encode`] has written the last byte of the command.
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// One piece of an encoded command.
#[derive(Clone, Copy)]
pub(crate) enum Segment<'a> {
    /// Bytes written as they are (fixed text, or a string between quotes).
    Text(&'a [u8]),
    /// A number in decimal (u32: every number of the dialect fits, and 64-bit division would
    /// pull a kilobyte of runtime into 32-bit firmware).
    Dec(u32),
    /// The MPUB payload, escaped.
    #[cfg(feature = "luat")]
    Escaped(&'a [u8]),
}

/// Writes the next bytes of the command whose segments `segment(i)` yields, from `cursor`, into
/// `out`; advances the cursor over exactly what was written and returns the count. A return of
/// 0 with a non-empty `out` means the command is complete (as does [`TxCursor::is_done`],
/// already after the call that wrote the last byte). Costs O(`out.len()`) plus a constant per
/// segment.
fn encode_segments<'a>(
    segment: impl Fn(usize) -> Option<Segment<'a>>,
    cursor: &mut TxCursor,
    out: &mut [u8],
) -> usize {
    let mut written = 0;
    // A number's digits, written in place (a `Number` returned and moved here cost a copy).
    let mut digits = [0u8; 10];
    // One look-up of the segment per pass: the command is done when none is left.
    cursor.done = loop {
        let Some(seg) = segment(usize::from(cursor.segment)) else {
            break true;
        };
        let (_, free) = out.split_at_mut(written.min(out.len()));
        // A segment's bytes (a number's digits), written as they are or escaped: one copy of
        // the plain path for text and numbers (measured 36 B smaller than a call per arm).
        let (bytes, escape) = match seg {
            Segment::Text(text) => (text, false),
            Segment::Dec(n) => (decimal(&mut digits, n), false),
            #[cfg(feature = "luat")]
            Segment::Escaped(payload) => (payload, true),
        };
        let (n, finished) = match escape {
            true => emit_escaped(bytes, cursor, free),
            false => emit_text(bytes, cursor, free),
        };
        written += n;
        if !finished {
            break false;
        }
        // Step over this and any empty segments, so `is_done` is set by the last write.
        cursor.segment = cursor.segment.wrapping_add(1);
        cursor.offset = 0;
        cursor.escaped = 0;
    };
    written
}

/// Total length in bytes of the command that `encode` writes (saturating), found by writing
/// it into a scratch chunk: the firmware never asks (only tests and hosts do), so this costs no
/// second walk over the segments next to [`encode_segments`].
pub(crate) fn encoded_len(encode: impl Fn(&mut TxCursor, &mut [u8]) -> usize) -> usize {
    let mut cursor = TxCursor::new();
    let mut chunk = [0u8; 64];
    let mut len = 0usize;
    while !cursor.is_done() {
        len = len.saturating_add(encode(&mut cursor, &mut chunk));
    }
    len
}

/// Where [`fill`] writes the command a dialect hands it. Each dialect's spelling is then one
/// `match` that runs once per call, and the writing code is in the firmware once for every
/// dialect.
pub(crate) struct Job<'c> {
    /// Where the command is.
    pub(crate) cursor: &'c mut TxCursor,
    /// Space for the next bytes.
    pub(crate) out: &'c mut [u8],
    /// Bytes written by the call.
    pub(crate) written: usize,
}

/// One `encode` call of a dialect: `spell` hands the command's template and arguments to
/// [`fill`], which writes its next bytes from `cursor` into `out`; returns how many.
pub(crate) fn write_next(
    cursor: &mut TxCursor,
    out: &mut [u8],
    spell: impl FnOnce(&mut Job<'_>),
) -> usize {
    let mut job = Job {
        cursor,
        out,
        written: 0,
    };
    spell(&mut job);
    job.written
}

/// Commands every dialect spells the same way (3GPP TS 27.007 and V.250), shared so their text
/// is in the firmware once.
pub(crate) mod common {
    use super::text;

    /// `AT`
    pub(crate) const AT: &[u8] = text(b"AT\0");
    /// `ATE0`
    pub(crate) const ECHO_OFF: &[u8] = text(b"ATE0\0");
    /// `AT+CPIN?`
    pub(crate) const SIM_QUERY: &[u8] = text(b"AT+CPIN?\0");
    /// `AT+CGATT?`
    pub(crate) const ATTACH_QUERY: &[u8] = text(b"AT+CGATT?\0");
    /// `AT+CSQ`
    pub(crate) const SIGNAL_QUERY: &[u8] = text(b"AT+CSQ\0");
    /// ESC, alone: cancels a data prompt (3GPP TS 27.005 §3.5.1); in command state the
    /// parser ignores it (V.250 §5.2.2).
    pub(crate) const CANCEL_PROMPT: &[u8] = &[0x1b];
}

/// The text of a command without arguments (sent by [`line`]), from the text ended by NUL as
/// the log names commands: where the log names the command the same way (`AT+CPIN?`,
/// `AT+MIPCLOSE`), the two are one string in the firmware.
pub(crate) const fn text(text_nul: &'static [u8]) -> &'static [u8] {
    match text_nul.split_last() {
        Some((_, text)) => text,
        None => text_nul,
    }
}

/// A command line given whole, ended by CR (every dialect's `Line`, and every command without
/// arguments, see [`text`]).
pub(crate) fn line(text: &[u8], job: &mut Job<'_>) {
    fill(b"\0\r", &[Segment::Text(text)], job)
}

/// Bytes sent as they are, with no terminator (every dialect's `Raw`: data after a prompt).
pub(crate) fn raw(data: &[u8], job: &mut Job<'_>) {
    fill(b"\0", &[Segment::Text(data)], job)
}

/// Value of a TLS parameter in the public `Command` API of the families that write cipher
/// suites in hex: Luat (`AT+SSLCFG`) and Quectel (`AT+QSSLCFG`); SIMCom's has no hex form.
#[cfg(any(feature = "luat", feature = "quectel"))]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SslValue<'a> {
    /// Decimal number (`seclevel`, `sslversion`, `ignorelocaltime`, `sni`, ...).
    Num(u32),
    /// Quoted string (certificate and key file names, host name).
    Str(&'a [u8]),
    /// Unquoted hex, at least four upper-case digits (`ciphersuite`): Luat writes `0X0035`;
    /// Quectel `0xFFFF`, the spelling its TLS manual (§3.10) documents, where a quoted value
    /// gives `ERROR` [Q07].
    HexNum(u32),
}

/// The public [`SslValue`] spelled by `templates`, a hex number after `0` and `hex_mark`
/// (Luat `X`, Quectel `x`): hex formatting is linked only by this API, never by the engine.
#[cfg(any(feature = "luat", feature = "quectel"))]
pub(crate) fn ssl_cfg(
    templates: &SslTemplates,
    hex_mark: u8,
    tag: &[u8],
    value: SslValue<'_>,
    job: &mut Job<'_>,
) {
    let hex;
    let (value, quoted) = match value {
        SslValue::Num(n) => (Segment::Dec(n), false),
        SslValue::HexNum(n) => {
            hex = Number::hex(n, hex_mark);
            (Segment::Text(hex.as_bytes()), false)
        }
        SslValue::Str(s) => (Segment::Text(s), true),
    };
    ssl_setting(templates, tag, value, quoted, job)
}

/// The two spellings of a dialect's TLS item command (`<tag>` in the first slot, the value in
/// the second): the dialects differ only in these, so [`ssl_setting`] is one body for all.
pub(crate) struct SslTemplates {
    /// The value written bare (a number).
    pub(crate) bare: &'static [u8],
    /// The value written between quotes (a string).
    pub(crate) quoted: &'static [u8],
}

/// A TLS item `tag` set to `value`, between quotes when `quoted`, spelled by `templates`; `AT`
/// when TLS is left out of the build (crate::parts: the configuration refused TLS at init).
pub(crate) fn ssl_setting(
    templates: &SslTemplates,
    tag: &[u8],
    value: Segment<'_>,
    quoted: bool,
    job: &mut Job<'_>,
) {
    if !crate::parts::TLS {
        return line(common::AT, job);
    }
    let template = if quoted {
        templates.quoted
    } else {
        templates.bare
    };
    fill(template, &[Segment::Text(tag), value], job)
}

/// In a command template, the place of the next argument (NUL: no command's fixed text holds
/// one).
pub(crate) const SLOT: u8 = 0;

/// Does `job` for the command written as `template` with `args` in its slots. Its segments
/// are, in order, the text before the first slot, the first argument, the text between the
/// first and second slots, and so on: a command is then its text, kept once, and only its
/// variable parts are built per call, far less code than a segment list per command.
#[inline(never)]
pub(crate) fn fill(template: &'static [u8], args: &[Segment<'_>], job: &mut Job<'_>) {
    // Template and arguments by one reference: `nth`, called per segment, then takes its
    // arguments in registers (as two slices and an index, two words went on the stack at each
    // call; measured 10 B smaller, Luat, 32 B Quectel and SIMCom).
    let command = (template, args);
    job.written = encode_segments(|index| nth(&command, index), job.cursor, job.out);
}

/// Segment `index` of `template` with `args` in its slots (see [`fill`]): even indices are the
/// text between two slots, odd ones the arguments.
#[inline(never)]
fn nth<'a>(command: &(&'static [u8], &[Segment<'a>]), index: usize) -> Option<Segment<'a>> {
    let (template, args) = *command;
    if index % 2 == 1 {
        return args.get(index / 2).copied();
    }
    piece(template, index / 2).map(Segment::Text)
}

/// Piece `k` of `text` cut at every [`SLOT`] (NUL): the text between two slots of a template,
/// or entry `k` of a list of names kept as one string, which costs a byte per entry where a
/// table of slices costs eight (pointer and length).
pub(crate) fn piece(text: &'static [u8], k: usize) -> Option<&'static [u8]> {
    let mut rest = text;
    for _ in 0..k {
        let slot = rest.iter().position(|&b| b == SLOT)?;
        rest = rest.get(slot + 1..)?;
    }
    let end = rest.iter().position(|&b| b == SLOT).unwrap_or(rest.len());
    Some(crate::bytes::head(rest, end))
}

/// Copies what fits of `text[cursor.offset..]`; returns (bytes written, segment finished).
fn emit_text(text: &[u8], cursor: &mut TxCursor, out: &mut [u8]) -> (usize, bool) {
    let rest = text.get(cursor.offset..).unwrap_or(&[]);
    // A zipped loop, which the compiler makes one `memcpy` call: measured 10 B smaller than
    // copying two checked sub-slices.
    let mut n = 0;
    for (dst, src) in out.iter_mut().zip(rest) {
        *dst = *src;
        n += 1;
    }
    cursor.offset += n;
    (n, n == rest.len())
}

/// Escapes what fits of `payload[cursor.offset..]`, one output byte at a time, splitting an
/// escape across calls if `out` ends inside one.
// A byte at a time: the UART takes the line far slower than this loop writes it, and copying
// runs of plain bytes in bulk measured 130 B more flash; each output byte picked by one match
// (no escape built and copied as a slice) measured 84 B smaller again (Luat).
// Only Luat escapes (its MPUB payload); the other dialects never ask.
#[cfg_attr(not(feature = "luat"), allow(dead_code))]
fn emit_escaped(payload: &[u8], cursor: &mut TxCursor, out: &mut [u8]) -> (usize, bool) {
    let mut written = 0;
    while let Some(&byte) = payload.get(cursor.offset) {
        // The byte, or its escape `\`, high digit, low digit: `cursor.escaped` of it written.
        let (unit_len, next) = match (is_escaped(byte), cursor.escaped) {
            (false, _) => (1, byte),
            (true, 0) => (3, b'\\'),
            (true, 1) => (3, hex_digit(byte >> 4)),
            (true, _) => (3, hex_digit(byte & 0xF)),
        };
        let Some(slot) = out.get_mut(written) else {
            return (written, false);
        };
        *slot = next;
        written += 1;
        cursor.escaped += 1;
        if cursor.escaped == unit_len {
            cursor.escaped = 0;
            cursor.offset += 1;
        }
    }
    (written, true)
}

/// True for a byte MPUB cannot carry literally: it writes `\` and the byte's two upper-case
/// hex digits (`\22`, `\0D`, `\0A`, `\5C`), computed rather than kept as a text per byte.
#[inline]
pub(crate) fn is_escaped(byte: u8) -> bool {
    matches!(byte, b'"' | b'\r' | b'\n' | b'\\')
}

/// The upper-case hex digit of `nibble` (0..=15).
fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 {
        b'0' + nibble
    } else {
        b'A' - 10 + nibble
    }
}

/// Bytes `payload` takes after escaping `"`, CR, LF and `\\` (3 bytes each).
pub fn escaped_len(payload: &[u8]) -> usize {
    let escapes = payload.iter().filter(|&&b| is_escaped(b)).count();
    payload.len().saturating_add(escape_extra(escapes))
}

/// Bytes `escapes` escapes add to a payload: each replaces one byte by three (`\22` for `"`).
/// The one place that rule lives; callers that count escapes themselves use it too.
pub fn escape_extra(escapes: usize) -> usize {
    escapes.saturating_mul(2)
}

/// Checks a field the encoder puts between quotes verbatim (topic, client id, user, password,
/// host, will topic and message, SSL strings): a `"`, CR, LF, NUL or any other control byte
/// cannot be carried and gives [`Status::InvalidString`]. The command-line editor of V.250
/// parsers acts on control bytes wherever they come in a line (S5, backspace, deletes the byte
/// before it; 0x1A and ESC end or cancel input, see `needs_binary`), so the module would get
/// another string. Length limits are the caller's business.
#[inline(never)]
pub fn check_quotable(s: &[u8]) -> Result<(), Status> {
    if s.iter().any(|&b| b == b'"' || b < 0x20 || b == 0x7f) {
        Err(Status::InvalidString)
    } else {
        Ok(())
    }
}

/// The decimal digits of `n` (without `core::fmt`), written right-aligned into `digits`.
fn decimal(digits: &mut [u8; 10], mut n: u32) -> &[u8] {
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        // n % 10 < 10, so the cast is exact.
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    digits.get(start..).unwrap_or(&[])
}

/// A hex number formatted without `core::fmt`: digits right-aligned in a fixed array.
#[cfg(any(feature = "luat", feature = "quectel"))]
pub(crate) struct Number {
    digits: [u8; 10],
    start: usize,
}

#[cfg(any(feature = "luat", feature = "quectel"))]
impl Number {
    /// `0`, `x` (`X` or `x`) and the upper-case hex digits of `n`, at least four of them, as
    /// the modules print and document cipher suites (`0X0035`, `0xFFFF`). Only the dialects'
    /// `Command` API formats one (into a `Segment::Text`): the configuration has no hex
    /// values, so the engine's build leaves this out.
    #[cfg(any(feature = "luat", feature = "quectel"))]
    pub(crate) fn hex(n: u32, x: u8) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut digits = [b'0'; 10];
        let count = (8 - n.leading_zeros() as usize / 4).max(4);
        for (i, slot) in digits.iter_mut().rev().take(count).enumerate() {
            let nibble = (n >> (4 * i)) & 0xF;
            *slot = HEX.get(nibble as usize).copied().unwrap_or(b'0');
        }
        // count <= 8, so the "0X" fits in front of the digits.
        let start = digits.len() - count - 2;
        if let Some(slot) = digits.get_mut(start + 1) {
            *slot = x;
        }
        Number { digits, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.digits.get(self.start..).unwrap_or(&[])
    }
}
