//! Commands to the module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and payload; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`] (the shared machinery is in
//! [`crate::dialect::encode`]; this file is only the Luat spelling).
//!
//! Every command ends in a plain CR (vendor advice for MCU firmware), except [`Command::Raw`].
//! Strings are put between quotes verbatim: check them with [`check_quotable`] first.

pub use crate::dialect::encode::{check_quotable, TxCursor};
use crate::dialect::encode::{
    common, encode_segments, escaped_len, pick_in, segments_len, Segment,
};

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

/// The `index`th segment of `cmd`, or `None` past the end.
fn segment<'a>(cmd: &Command<'a>, index: usize) -> Option<Segment<'a>> {
    use Segment::{Dec, Escaped, Hex, Text};
    let pick = |segments: &[Segment<'a>]| segments.get(index).copied();
    match *cmd {
        Command::At => pick(&[Text(common::AT)]),
        Command::EchoOff => pick(&[Text(common::ECHO_OFF)]),
        Command::DataModeText => pick(&[Text(b"AT+MQTTMODE=0\r")]),
        Command::SimQuery => pick(&[Text(common::SIM_QUERY)]),
        Command::AttachQuery => pick(&[Text(common::ATTACH_QUERY)]),
        Command::SignalQuery => pick(&[Text(common::SIGNAL_QUERY)]),
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
        Command::Line(text) => pick(&[Text(text), Text(common::CR)]),
        Command::MsgGet => pick(&[Text(b"AT+MQTTMSGGET\r")]),
        Command::Mdisconnect => pick(&[Text(b"AT+MDISCONNECT\r")]),
        Command::Mipclose => pick(&[Text(b"AT+MIPCLOSE\r")]),
        Command::CipShut => pick(&[Text(b"AT+CIPSHUT\r")]),
        Command::Reset => pick(&[Text(b"AT+RESET\r")]),
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
