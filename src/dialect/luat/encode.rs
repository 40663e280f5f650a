// SPDX-License-Identifier: MIT OR Apache-2.0
//! Commands to the module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and payload; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`] (the shared machinery is in
//! [`crate::dialect::encode`]; this file is only the Luat spelling).
//!
//! Every command ends in a plain CR (vendor advice for MCU firmware), except [`Command::Raw`].
//! Strings are put between quotes verbatim: check them with [`check_quotable`] first.

pub use crate::dialect::encode::{check_quotable, TxCursor};
use crate::dialect::encode::{common, encode_segments, escaped_len, fill, segments_len, Segment};

pub use crate::dialect::Qos;

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

/// The `index`th segment of `cmd`, or `None` past the end (see [`fill`] for the templates:
/// `\0` is an argument's place).
fn segment<'a>(cmd: &Command<'a>, index: usize) -> Option<Segment<'a>> {
    use Segment::{Dec, Escaped, Hex, Text};
    let bit = |on: bool| Dec(u32::from(on));
    let fixed = |text: &'static [u8]| fill(text, &[], index);
    match *cmd {
        Command::At => fixed(common::AT),
        Command::EchoOff => fixed(common::ECHO_OFF),
        Command::DataModeText => fixed(b"AT+MQTTMODE=0\r"),
        Command::SimQuery => fixed(common::SIM_QUERY),
        Command::AttachQuery => fixed(common::ATTACH_QUERY),
        Command::SignalQuery => fixed(common::SIGNAL_QUERY),
        Command::MqttStatus => fixed(b"AT+MQTTSTATU\r"),
        Command::MsgMode { cache } => fill(b"AT+MQTTMSGSET=\0\r", &[bit(cache)], index),
        // Left out of the build (crate::parts): the configuration refused TLS at init.
        Command::SslCfg { .. } if !crate::parts::TLS => fixed(common::AT),
        Command::SslCfg { tag, value } => match value {
            SslValue::Num(n) => fill(b"AT+SSLCFG=\"\0\",88,\0\r", &[Text(tag), Dec(n)], index),
            SslValue::HexNum(n) => fill(b"AT+SSLCFG=\"\0\",88,\0\r", &[Text(tag), Hex(n)], index),
            SslValue::Str(s) => fill(
                b"AT+SSLCFG=\"\0\",88,\"\0\"\r",
                &[Text(tag), Text(s)],
                index,
            ),
        },
        Command::MipStart { host, port, tls } => fill(
            if tls {
                b"AT+SSLMIPSTART=\"\0\",\0\r"
            } else {
                b"AT+MIPSTART=\"\0\",\0\r"
            },
            &[Text(host), Dec(port.into())],
            index,
        ),
        Command::Mconfig {
            client_id,
            user,
            password,
            will: None,
        } => fill(
            b"AT+MCONFIG=\"\0\",\"\0\",\"\0\"\r",
            &[Text(client_id), Text(user), Text(password)],
            index,
        ),
        Command::Mconfig {
            client_id,
            user,
            password,
            will: Some(will),
        } => fill(
            b"AT+MCONFIG=\"\0\",\"\0\",\"\0\",\0,\0,\"\0\",\"\0\"\r",
            &[
                Text(client_id),
                Text(user),
                Text(password),
                Dec(will.qos.into()),
                bit(will.retain),
                Text(will.topic),
                Text(will.payload),
            ],
            index,
        ),
        Command::Mconnect { clean, keepalive_s } => fill(
            b"AT+MCONNECT=\0,\0\r",
            &[bit(clean), Dec(keepalive_s.into())],
            index,
        ),
        Command::Msub { topic, qos } => fill(
            b"AT+MSUB=\"\0\",\0\r",
            &[Text(topic), Dec(qos.into())],
            index,
        ),
        Command::Munsub { topic } => fill(b"AT+MUNSUB=\"\0\"\r", &[Text(topic)], index),
        Command::Mpub {
            topic,
            qos,
            retain,
            payload,
        } => fill(
            b"AT+MPUB=\"\0\",\0,\0,\"\0\"\r",
            &[Text(topic), Dec(qos.into()), bit(retain), Escaped(payload)],
            index,
        ),
        // Left out of the build (crate::parts): publish_form never chooses it.
        Command::MpubEx { .. } if !crate::parts::MPUBEX => fixed(common::AT),
        Command::MpubEx {
            topic,
            qos,
            retain,
            len,
        } => fill(
            b"AT+MPUBEX=\"\0\",\0,\0,\0\r",
            &[
                Text(topic),
                Dec(qos.into()),
                bit(retain),
                Dec(u32::try_from(len).unwrap_or(u32::MAX)),
            ],
            index,
        ),
        Command::Raw(data) => fill(b"\0", &[Text(data)], index),
        Command::Line(text) => fill(b"\0\r", &[Text(text)], index),
        Command::MsgGet if !crate::parts::CACHE_MODE => fixed(common::AT),
        Command::MsgGet => fixed(b"AT+MQTTMSGGET\r"),
        Command::Mdisconnect => fixed(b"AT+MDISCONNECT\r"),
        Command::Mipclose => fixed(b"AT+MIPCLOSE\r"),
        Command::CipShut => fixed(b"AT+CIPSHUT\r"),
        Command::Reset => fixed(b"AT+RESET\r"),
    }
}

/// Writes the next bytes of `cmd` from `cursor` into `out`; see
/// [`encode_segments`](crate::dialect::encode::encode_segments).
pub fn encode(cmd: &Command<'_>, cursor: &mut TxCursor, out: &mut [u8]) -> usize {
    encode_segments(|i| segment(cmd, i), cursor, out)
}

/// Total encoded length of `cmd` in bytes (saturating).
pub fn encoded_len(cmd: &Command<'_>) -> usize {
    segments_len(|i| segment(cmd, i))
}

/// Bytes the MPUB message field takes after escaping `"`, CR, LF and `\\` (3 bytes each).
pub fn mpub_escaped_len(payload: &[u8]) -> usize {
    escaped_len(payload)
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
