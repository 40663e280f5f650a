// SPDX-License-Identifier: MIT OR Apache-2.0
//! Commands to the module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and payload; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`] (the shared machinery is in
//! [`crate::dialect::encode`]; this file is only the Luat spelling).
//!
//! Every command ends in a plain CR (vendor advice for MCU firmware), except [`Command::Raw`].
//! Strings are put between quotes verbatim: check them with [`check_quotable`] first.

use crate::dialect::encode::{
    self, common, escaped_len, fill, line, raw, text, Job, Segment, SslTemplates,
};
pub use crate::dialect::encode::{check_quotable, SslValue, TxCursor};

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
    /// `AT+MCONNECT=<clean>,<keepalive>` (the engine adds `,<mode>` for firmware that refuses
    /// this form, docs/luat-at.md §5.3).
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

// Each command's template and arguments, in one place: the engine spells its commands
// straight through these (`session::write`, one match from the engine's `Cmd` to the bytes),
// and [`Command`] through [`segment`] for tests and hosts, so both send the same text.

/// `AT+MQTTMODE=0`
pub(crate) const DATA_MODE_TEXT: &[u8] = text(b"AT+MQTTMODE=0\0");
/// `AT+MQTTSTATU`
pub(crate) const MQTT_STATUS: &[u8] = text(b"AT+MQTTSTATU\0");
/// `AT+MDISCONNECT`
pub(crate) const MDISCONNECT: &[u8] = text(b"AT+MDISCONNECT\0");
/// `AT+MIPCLOSE`
pub(crate) const MIPCLOSE: &[u8] = text(b"AT+MIPCLOSE\0");
/// `AT+CIPSHUT`
pub(crate) const CIPSHUT: &[u8] = text(b"AT+CIPSHUT\0");
/// `AT+RESET`
pub(crate) const RESET: &[u8] = text(b"AT+RESET\0");

/// `0` or `1`.
fn bit(on: bool) -> Segment<'static> {
    Segment::Dec(u32::from(on))
}

/// [`Command::MsgMode`].
pub(crate) fn msg_mode(cache: bool, job: &mut Job<'_>) {
    fill(b"AT+MQTTMSGSET=\0\r", &[bit(cache)], job)
}

/// [`Command::SslCfg`]: a hex number as `0X` (see [`SslValue::HexNum`]).
pub(crate) fn ssl_cfg(tag: &[u8], value: SslValue<'_>, job: &mut Job<'_>) {
    encode::ssl_cfg(&SSL_TEMPLATES, b'X', tag, value, job)
}

/// `AT+SSLCFG="<tag>",88,<value>`, the value between quotes when `quoted`: the engine's
/// spelling of a TLS item, whose values are numbers and strings (no hex formatting linked).
pub(crate) fn ssl_setting(tag: &[u8], value: Segment<'_>, quoted: bool, job: &mut Job<'_>) {
    encode::ssl_setting(&SSL_TEMPLATES, tag, value, quoted, job)
}

/// `AT+SSLCFG` items, the value bare or quoted (see [`encode::ssl_setting`]).
const SSL_TEMPLATES: SslTemplates = SslTemplates {
    bare: b"AT+SSLCFG=\"\0\",88,\0\r",
    quoted: b"AT+SSLCFG=\"\0\",88,\"\0\"\r",
};

/// [`Command::MipStart`].
pub(crate) fn mip_start(host: &[u8], port: u16, tls: bool, job: &mut Job<'_>) {
    fill(
        if tls {
            b"AT+SSLMIPSTART=\"\0\",\0\r"
        } else {
            b"AT+MIPSTART=\"\0\",\0\r"
        },
        &[Segment::Text(host), Segment::Dec(port.into())],
        job,
    )
}

/// [`Command::Mconfig`].
pub(crate) fn mconfig(
    client_id: &[u8],
    user: &[u8],
    password: &[u8],
    will: Option<Will<'_>>,
    job: &mut Job<'_>,
) {
    use Segment::{Dec, Text};
    // Without a will only the credentials are sent: a list of three for that form (measured
    // 4 B smaller than one list of seven with an empty will, cut to three).
    let Some(w) = will else {
        return fill(
            b"AT+MCONFIG=\"\0\",\"\0\",\"\0\"\r",
            &[Text(client_id), Text(user), Text(password)],
            job,
        );
    };
    fill(
        b"AT+MCONFIG=\"\0\",\"\0\",\"\0\",\0,\0,\"\0\",\"\0\"\r",
        &[
            Text(client_id),
            Text(user),
            Text(password),
            Dec(w.qos.into()),
            bit(w.retain),
            Text(w.topic),
            Text(w.payload),
        ],
        job,
    )
}

/// [`Command::Mconnect`], or with `with_mode` the three-parameter form of manual V1.6.7,
/// `AT+MCONNECT=<clean>,<keepalive>,<mode>`, `<mode>` 1 where the keepalive is over 300 s
/// (docs/luat-at.md §5.3): for firmware that refuses the two-parameter form. The third
/// parameter is one argument with its comma, empty without it: one template for both.
pub(crate) fn mconnect(clean: bool, keepalive_s: u16, with_mode: bool, job: &mut Job<'_>) {
    // `,0` or `,1` cut from one text, empty without the mode.
    let from = usize::from(keepalive_s > 300) * 2;
    let mode = crate::bytes::head(
        crate::bytes::tail(b",0,1", from),
        usize::from(with_mode) * 2,
    );
    fill(
        b"AT+MCONNECT=\0,\0\0\r",
        &[
            bit(clean),
            Segment::Dec(keepalive_s.into()),
            Segment::Text(mode),
        ],
        job,
    )
}

/// `AT+MSUB="<topic>",<qos>`: the template of [`Command::Msub`].
pub(crate) const MSUB: &[u8] = b"AT+MSUB=\"\0\",\0\r";
/// `AT+MUNSUB="<topic>"`: the template of [`Command::Munsub`].
pub(crate) const MUNSUB: &[u8] = b"AT+MUNSUB=\"\0\"\r";

/// [`Command::Msub`].
fn msub(topic: &[u8], qos: u8, job: &mut Job<'_>) {
    fill(MSUB, &[Segment::Text(topic), Segment::Dec(qos.into())], job)
}

/// [`Command::Munsub`].
fn munsub(topic: &[u8], job: &mut Job<'_>) {
    fill(MUNSUB, &[Segment::Text(topic)], job)
}

/// [`Command::Mpub`].
pub(crate) fn mpub(topic: &[u8], qos: u8, retain: bool, payload: &[u8], job: &mut Job<'_>) {
    publish(topic, qos, retain, payload, None, job)
}

/// [`Command::MpubEx`].
pub(crate) fn mpub_ex(topic: &[u8], qos: u8, retain: bool, len: usize, job: &mut Job<'_>) {
    publish(topic, qos, retain, &[], Some(len), job)
}

/// `AT+MPUB` with `payload` escaped or, given the length `header_len`, the `AT+MPUBEX` header
/// (`payload` unused): one argument list for both, only the last argument differs.
pub(crate) fn publish(
    topic: &[u8],
    qos: u8,
    retain: bool,
    payload: &[u8],
    header_len: Option<usize>,
    job: &mut Job<'_>,
) {
    use Segment::{Dec, Escaped, Text};
    let (template, last): (&'static [u8], _) = match header_len {
        None => (b"AT+MPUB=\"\0\",\0,\0,\"\0\"\r", Escaped(payload)),
        Some(len) if crate::parts::MPUBEX => (
            b"AT+MPUBEX=\"\0\",\0,\0,\0\r",
            Dec(u32::try_from(len).unwrap_or(u32::MAX)),
        ),
        // Left out of the build (crate::parts): publish_form never chooses it.
        Some(_) => return line(common::AT, job),
    };
    fill(
        template,
        &[Text(topic), Dec(qos.into()), bit(retain), last],
        job,
    )
}

/// `AT+MQTTMSGGET` (`AT` where the build leaves the message cache out, crate::parts).
pub(crate) const MSG_GET: &[u8] = if crate::parts::CACHE_MODE {
    text(b"AT+MQTTMSGGET\0")
} else {
    common::AT
};

/// Hands `cmd` to `job` as a template and its arguments (see [`fill`]: `\0` is an argument's
/// place).
fn segment(cmd: &Command<'_>, job: &mut Job<'_>) {
    match *cmd {
        Command::At => line(common::AT, job),
        Command::EchoOff => line(common::ECHO_OFF, job),
        Command::DataModeText => line(DATA_MODE_TEXT, job),
        Command::SimQuery => line(common::SIM_QUERY, job),
        Command::AttachQuery => line(common::ATTACH_QUERY, job),
        Command::SignalQuery => line(common::SIGNAL_QUERY, job),
        Command::MqttStatus => line(MQTT_STATUS, job),
        Command::MsgMode { cache } => msg_mode(cache, job),
        Command::SslCfg { tag, value } => ssl_cfg(tag, value, job),
        Command::MipStart { host, port, tls } => mip_start(host, port, tls, job),
        Command::Mconfig {
            client_id,
            user,
            password,
            will,
        } => mconfig(client_id, user, password, will, job),
        Command::Mconnect { clean, keepalive_s } => mconnect(clean, keepalive_s, false, job),
        Command::Msub { topic, qos } => msub(topic, qos, job),
        Command::Munsub { topic } => munsub(topic, job),
        Command::Mpub {
            topic,
            qos,
            retain,
            payload,
        } => mpub(topic, qos, retain, payload, job),
        Command::MpubEx {
            topic,
            qos,
            retain,
            len,
        } => mpub_ex(topic, qos, retain, len, job),
        Command::Raw(data) => raw(data, job),
        Command::Line(text) => line(text, job),
        Command::MsgGet => line(MSG_GET, job),
        Command::Mdisconnect => line(MDISCONNECT, job),
        Command::Mipclose => line(MIPCLOSE, job),
        Command::CipShut => line(CIPSHUT, job),
        Command::Reset => line(RESET, job),
    }
}

/// Writes the next bytes of `cmd` from `cursor` into `out`; see [`fill`].
pub fn encode(cmd: &Command<'_>, cursor: &mut TxCursor, out: &mut [u8]) -> usize {
    crate::dialect::encode::write_next(cursor, out, |job| segment(cmd, job))
}

/// Total encoded length of `cmd` in bytes (saturating).
pub fn encoded_len(cmd: &Command<'_>) -> usize {
    crate::dialect::encode::encoded_len(|cursor, out| encode(cmd, cursor, out))
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
    payload.iter().any(|&b| !mpub_carries(b))
}

/// True for a byte MPUB can carry (see [`needs_binary`]).
pub(crate) fn mpub_carries(byte: u8) -> bool {
    matches!(byte, 0x20..=0x7E | b'\r' | b'\n')
}
