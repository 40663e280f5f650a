//! Commands to the module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and payload; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`]. There is no transmit buffer and no
//! payload copy: the caller encodes into a small stack chunk, writes that to the UART, and
//! repeats. Encoding is deterministic, so a caller whose UART took only part of a chunk can
//! encode again from its saved cursor into a chunk of exactly the accepted length to move on.
//!
//! A command is a short list of segments (literal text, a verbatim string, a number, the
//! escaped MPUB payload). The cursor holds the segment index, the offset inside it and, for the
//! payload, how much of a three-byte escape was already written, so each call costs
//! O(bytes written) and never rescans from the start.
//!
//! Every command ends in a plain CR (vendor advice for MCU firmware), except [`Command::Raw`].
//! Strings are put between quotes verbatim: check them with [`check_quotable`] first.

use crate::Status;

pub use super::Qos;

/// MQTT will, sent with `AT+MCONFIG`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Will<'a> {
    /// Will topic (quoted verbatim).
    pub topic: &'a [u8],
    /// Will message (quoted verbatim; the module accepts no escapes here as far as known).
    pub payload: &'a [u8],
    /// Will QoS, 0..=2, written as given.
    pub qos: u8,
    /// Will retain flag.
    pub retain: bool,
}

/// Value of an `AT+SSLCFG` parameter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SslValue<'a> {
    /// Decimal number (`seclevel`, `sslversion`, ...).
    Num(u32),
    /// Quoted string (file names, host name).
    Str(&'a [u8]),
    /// `0X` and at least four upper-case hex digits (`ciphersuite`, e.g. `0X0035`).
    HexNum(u32),
}

/// One AT command (or, for [`Command::Raw`], the data after the MPUBEX prompt).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Command<'a> {
    /// `AT`
    At,
    /// `ATE0`
    EchoOff,
    /// `AT+CPIN?`
    SimQuery,
    /// `AT+CGATT?`
    AttachQuery,
    /// `AT+CSQ`
    SignalQuery,
    /// `AT+MQTTSTATU`
    MqttStatus,
    /// `AT+MQTTMODE=0`: payloads as text, not hex (a module may have been left in hex mode).
    DataModeText,
    /// `AT+MQTTMSGSET=0` (report messages directly) or `=1` (cache them).
    MsgMode {
        /// Cache incoming messages in the module.
        cache: bool,
    },
    /// `AT+SSLCFG="<tag>",88,<value>` (88 = the MQTT context).
    SslCfg {
        /// Parameter name (`cacert`, `seclevel`, ...).
        tag: &'a [u8],
        /// Parameter value.
        value: SslValue<'a>,
    },
    /// `AT+MIPSTART="<host>",<port>` or, with `tls`, `AT+SSLMIPSTART=...`.
    MipStart {
        /// Broker host name or address.
        host: &'a [u8],
        /// Broker port.
        port: u16,
        /// Open the link with TLS.
        tls: bool,
    },
    /// `AT+MCONFIG="<id>","<user>","<password>"[,<qos>,<retain>,"<topic>","<message>"]`. User
    /// and password are always sent, `""` when empty, as the vendor examples do.
    Mconfig {
        /// Client identifier.
        client_id: &'a [u8],
        /// User name (may be empty).
        user: &'a [u8],
        /// Password (may be empty).
        password: &'a [u8],
        /// Optional will.
        will: Option<Will<'a>>,
    },
    /// `AT+MCONNECT=<clean>,<keepalive>`
    Mconnect {
        /// Start a clean session.
        clean: bool,
        /// Keepalive in seconds.
        keepalive_s: u16,
    },
    /// `AT+MSUB="<topic>",<qos>`
    Msub {
        /// Topic filter.
        topic: &'a [u8],
        /// Requested QoS, written as given.
        qos: u8,
    },
    /// `AT+MUNSUB="<topic>"`
    Munsub {
        /// Topic filter.
        topic: &'a [u8],
    },
    /// `AT+MPUB="<topic>",<qos>,<retain>,"<payload>"` with `"`, CR, LF and `\` escaped as
    /// `\22`, `\0D`, `\0A`, `\5C`. Only for payloads where [`needs_binary`] is false.
    Mpub {
        /// Topic.
        topic: &'a [u8],
        /// QoS, written as given.
        qos: u8,
        /// Retain flag.
        retain: bool,
        /// Payload.
        payload: &'a [u8],
    },
    /// `AT+MPUBEX="<topic>",<qos>,<retain>,<len>`; the payload follows the prompt as
    /// [`Command::Raw`].
    MpubEx {
        /// Topic.
        topic: &'a [u8],
        /// QoS, written as given.
        qos: u8,
        /// Retain flag.
        retain: bool,
        /// Payload length.
        len: usize,
    },
    /// Bytes sent as they are, with no terminator (the MPUBEX data).
    Raw(&'a [u8]),
    /// A command line given whole (`AT+CGSN`, or one the application queued), ended by CR.
    /// Checked by the caller: printable, no CR/LF/`;`.
    Line(&'a [u8]),
    /// `AT+MQTTMSGGET`
    MsgGet,
    /// `AT+MDISCONNECT`
    Mdisconnect,
    /// `AT+MIPCLOSE`
    Mipclose,
    /// `AT+CIPSHUT`: deactivates the PDP context after `+PDP DEACT` (answer `SHUT OK`).
    CipShut,
    /// `AT+RESET`
    Reset,
}

/// Position inside an encoded command. Start from [`TxCursor::new`] for every command.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct TxCursor {
    segment: usize,
    /// Offset in the segment's source bytes (payload bytes for the escaped segment).
    offset: usize,
    /// Bytes of the current three-byte escape already written.
    escaped: usize,
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
enum Segment<'a> {
    /// Bytes written as they are (fixed text, or a string between quotes).
    Text(&'a [u8]),
    /// A number in decimal (u32: every number of the dialect fits, and 64-bit division would
    /// pull a kilobyte of runtime into 32-bit firmware).
    Dec(u32),
    /// A number as `0X` + at least four upper-case hex digits.
    Hex(u32),
    /// The MPUB payload, escaped.
    Escaped(&'a [u8]),
}

/// The `index`th segment of `cmd`, or `None` past the end.
fn segment<'a>(cmd: &Command<'a>, index: usize) -> Option<Segment<'a>> {
    use Segment::{Dec, Escaped, Hex, Text};
    let pick = |segments: &[Segment<'a>]| segments.get(index).copied();
    match *cmd {
        Command::At => pick(&[Text(b"AT\r")]),
        Command::EchoOff => pick(&[Text(b"ATE0\r")]),
        Command::DataModeText => pick(&[Text(b"AT+MQTTMODE=0\r")]),
        Command::SimQuery => pick(&[Text(b"AT+CPIN?\r")]),
        Command::AttachQuery => pick(&[Text(b"AT+CGATT?\r")]),
        Command::SignalQuery => pick(&[Text(b"AT+CSQ\r")]),
        Command::MqttStatus => pick(&[Text(b"AT+MQTTSTATU\r")]),
        Command::MsgMode { cache: false } => pick(&[Text(b"AT+MQTTMSGSET=0\r")]),
        Command::MsgMode { cache: true } => pick(&[Text(b"AT+MQTTMSGSET=1\r")]),
        Command::SslCfg { tag, value } => {
            let head = [Text(b"AT+SSLCFG=\""), Text(tag), Text(b"\",88,")];
            match value {
                SslValue::Num(n) => pick_in(index, &head, &[Dec(n), Text(b"\r")]),
                SslValue::HexNum(n) => pick_in(index, &head, &[Hex(n), Text(b"\r")]),
                SslValue::Str(s) => pick_in(index, &head, &[Text(b"\""), Text(s), Text(b"\"\r")]),
            }
        }
        Command::MipStart { host, port, tls } => pick(&[
            Text(if tls {
                b"AT+SSLMIPSTART=\""
            } else {
                b"AT+MIPSTART=\""
            }),
            Text(host),
            Text(b"\","),
            Dec(port.into()),
            Text(b"\r"),
        ]),
        Command::Mconfig {
            client_id,
            user,
            password,
            will,
        } => {
            let head = [
                Text(b"AT+MCONFIG=\""),
                Text(client_id),
                Text(b"\",\""),
                Text(user),
                Text(b"\",\""),
                Text(password),
            ];
            match will {
                None => pick_in(index, &head, &[Text(b"\"\r")]),
                Some(will) => pick_in(
                    index,
                    &head,
                    &[
                        Text(b"\","),
                        Dec(will.qos.into()),
                        Text(if will.retain { b",1,\"" } else { b",0,\"" }),
                        Text(will.topic),
                        Text(b"\",\""),
                        Text(will.payload),
                        Text(b"\"\r"),
                    ],
                ),
            }
        }
        Command::Mconnect { clean, keepalive_s } => pick(&[
            Text(if clean {
                b"AT+MCONNECT=1,"
            } else {
                b"AT+MCONNECT=0,"
            }),
            Dec(keepalive_s.into()),
            Text(b"\r"),
        ]),
        Command::Msub { topic, qos } => pick(&[
            Text(b"AT+MSUB=\""),
            Text(topic),
            Text(b"\","),
            Dec(qos.into()),
            Text(b"\r"),
        ]),
        Command::Munsub { topic } => pick(&[Text(b"AT+MUNSUB=\""), Text(topic), Text(b"\"\r")]),
        Command::Mpub {
            topic,
            qos,
            retain,
            payload,
        } => pick(&[
            Text(b"AT+MPUB=\""),
            Text(topic),
            Text(b"\","),
            Dec(qos.into()),
            Text(if retain { b",1,\"" } else { b",0,\"" }),
            Escaped(payload),
            Text(b"\"\r"),
        ]),
        Command::MpubEx {
            topic,
            qos,
            retain,
            len,
        } => pick(&[
            Text(b"AT+MPUBEX=\""),
            Text(topic),
            Text(b"\","),
            Dec(qos.into()),
            Text(if retain { b",1," } else { b",0," }),
            Dec(u32::try_from(len).unwrap_or(u32::MAX)),
            Text(b"\r"),
        ]),
        Command::Raw(data) => pick(&[Text(data)]),
        Command::Line(text) => pick(&[Text(text), Text(b"\r")]),
        Command::MsgGet => pick(&[Text(b"AT+MQTTMSGGET\r")]),
        Command::Mdisconnect => pick(&[Text(b"AT+MDISCONNECT\r")]),
        Command::Mipclose => pick(&[Text(b"AT+MIPCLOSE\r")]),
        Command::CipShut => pick(&[Text(b"AT+CIPSHUT\r")]),
        Command::Reset => pick(&[Text(b"AT+RESET\r")]),
    }
}

/// Segment `index` of the list `head` followed by `tail`.
fn pick_in<'a>(index: usize, head: &[Segment<'a>], tail: &[Segment<'a>]) -> Option<Segment<'a>> {
    match index.checked_sub(head.len()) {
        None => head.get(index).copied(),
        Some(i) => tail.get(i).copied(),
    }
}

/// Writes the next bytes of `cmd` from `cursor` into `out`, advances the cursor over exactly
/// what was written and returns the count. A return of 0 with a non-empty `out` means the
/// command is complete (as does [`TxCursor::is_done`], already after the call that wrote the
/// last byte). Costs O(`out.len()`) plus a constant per segment.
pub fn encode(cmd: &Command<'_>, cursor: &mut TxCursor, out: &mut [u8]) -> usize {
    let mut written = 0;
    while let Some(seg) = segment(cmd, cursor.segment) {
        let (_, free) = out.split_at_mut(written.min(out.len()));
        let (n, finished) = match seg {
            Segment::Text(text) => emit_text(text, cursor, free),
            Segment::Dec(n) => emit_text(Number::dec(n).as_bytes(), cursor, free),
            Segment::Hex(n) => emit_text(Number::hex(n).as_bytes(), cursor, free),
            Segment::Escaped(payload) => emit_escaped(payload, cursor, free),
        };
        written += n;
        if !finished {
            break;
        }
        // Step over this and any empty segments, so `is_done` is set by the last write.
        cursor.segment += 1;
        cursor.offset = 0;
        cursor.escaped = 0;
    }
    cursor.done = segment(cmd, cursor.segment).is_none();
    written
}

/// Copies what fits of `text[cursor.offset..]`; returns (bytes written, segment finished).
fn emit_text(text: &[u8], cursor: &mut TxCursor, out: &mut [u8]) -> (usize, bool) {
    let rest = text.get(cursor.offset..).unwrap_or(&[]);
    let n = rest.len().min(out.len());
    if let (Some(dst), Some(src)) = (out.get_mut(..n), rest.get(..n)) {
        dst.copy_from_slice(src);
    }
    cursor.offset += n;
    (n, n == rest.len())
}

/// Escapes what fits of `payload[cursor.offset..]`, copying runs of plain bytes in bulk and
/// splitting an escape across calls if `out` ends inside one.
fn emit_escaped(payload: &[u8], cursor: &mut TxCursor, out: &mut [u8]) -> (usize, bool) {
    let mut written = 0;
    loop {
        let (_, free) = out.split_at_mut(written.min(out.len()));
        let rest = payload.get(cursor.offset..).unwrap_or(&[]);
        let Some(&byte) = rest.first() else {
            return (written, true);
        };
        if free.is_empty() {
            return (written, false);
        }
        if let Some(&[high, low]) = escape_code(byte) {
            let seq = [b'\\', high, low];
            let pending = seq.get(cursor.escaped..).unwrap_or(&[]);
            let n = pending.len().min(free.len());
            if let (Some(dst), Some(src)) = (free.get_mut(..n), pending.get(..n)) {
                dst.copy_from_slice(src);
            }
            written += n;
            cursor.escaped += n;
            if cursor.escaped >= seq.len() {
                cursor.escaped = 0;
                cursor.offset += 1;
            }
        } else {
            let limit = rest.len().min(free.len());
            let window = crate::bytes::head(rest, limit);
            let run = window
                .iter()
                .position(|&b| escape_code(b).is_some())
                .unwrap_or(limit);
            if let (Some(dst), Some(src)) = (free.get_mut(..run), rest.get(..run)) {
                dst.copy_from_slice(src);
            }
            written += run;
            cursor.offset += run;
        }
    }
}

/// The two hex digits MPUB writes after `\` for a byte it cannot carry literally.
#[inline]
fn escape_code(byte: u8) -> Option<&'static [u8; 2]> {
    match byte {
        b'"' => Some(b"22"),
        b'\r' => Some(b"0D"),
        b'\n' => Some(b"0A"),
        b'\\' => Some(b"5C"),
        _ => None,
    }
}

/// Total encoded length of `cmd` in bytes (saturating).
pub fn encoded_len(cmd: &Command<'_>) -> usize {
    (0..)
        .map_while(|i| segment(cmd, i))
        .map(|seg| match seg {
            Segment::Text(text) => text.len(),
            Segment::Dec(n) => Number::dec(n).as_bytes().len(),
            Segment::Hex(n) => Number::hex(n).as_bytes().len(),
            Segment::Escaped(payload) => mpub_escaped_len(payload),
        })
        .fold(0usize, usize::saturating_add)
}

/// Bytes the MPUB message field takes after escaping `"`, CR, LF and `\` (3 bytes each).
pub fn mpub_escaped_len(payload: &[u8]) -> usize {
    let escapes = payload
        .iter()
        .filter(|&&b| escape_code(b).is_some())
        .count();
    payload.len().saturating_add(escapes.saturating_mul(2))
}

/// True when MPUB cannot carry `payload`, so it must go by MPUBEX.
///
/// MPUB takes printable ASCII (0x20..=0x7E) plus CR and LF, which are escaped. Everything else
/// needs MPUBEX: NUL and 0x1A (which end or cut input), bytes >= 0x80, and also TAB and the
/// other control bytes, since the command-line editor of V.250 parsers may act on them
/// (backspace, ESC) and the modules' handling of them inside a quoted field is undocumented.
pub fn needs_binary(payload: &[u8]) -> bool {
    payload
        .iter()
        .any(|&b| !matches!(b, 0x20..=0x7E | b'\r' | b'\n'))
}

/// Checks a field the encoder puts between quotes verbatim (topic, client id, user, password,
/// host, will topic and message, SSL strings): a `"`, CR, LF or NUL cannot be carried and gives
/// [`Status::InvalidString`]. Length limits are the caller's business.
#[inline(never)]
pub fn check_quotable(s: &[u8]) -> Result<(), Status> {
    if s.iter().any(|&b| matches!(b, b'"' | b'\r' | b'\n' | 0)) {
        Err(Status::InvalidString)
    } else {
        Ok(())
    }
}

/// A number formatted without `core::fmt`: digits right-aligned in a fixed array.
struct Number {
    digits: [u8; 10],
    start: usize,
}

impl Number {
    fn dec(mut n: u32) -> Self {
        let mut digits = [b'0'; 10];
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
        Number { digits, start }
    }

    /// `0X` and the hex digits of `n`, at least four of them, as the modules print and
    /// document cipher suites (`0X0035`).
    fn hex(n: u32) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut digits = [b'0'; 10];
        let count = (8 - n.leading_zeros() as usize / 4).max(4);
        for (i, slot) in digits.iter_mut().rev().take(count).enumerate() {
            let nibble = (n >> (4 * i)) & 0xF;
            *slot = HEX.get(nibble as usize).copied().unwrap_or(b'0');
        }
        // count <= 8, so the "0X" fits in front of the digits.
        let start = digits.len() - count - 2;
        if let Some(x) = digits.get_mut(start + 1) {
            *x = b'X';
        }
        Number { digits, start }
    }

    fn as_bytes(&self) -> &[u8] {
        self.digits.get(self.start..).unwrap_or(&[])
    }
}
