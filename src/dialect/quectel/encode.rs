//! Commands to a Quectel module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and payload; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`] (the shared machinery is in
//! [`crate::dialect::encode`]; this file is only the Quectel spelling,
//! docs/quectel-simcom-at.md §3).
//!
//! Every command ends in a plain CR (§1: the terminator is not documented; CR is what V.250
//! parsers take, as for Luat), except [`Command::Raw`]. The MQTT client index is always
//! [`CLIENT`](super::CLIENT) (0), the PDP context 1 and the SSL context 1. Strings are put
//! between quotes verbatim: check them with [`check_quotable`] first.

pub use crate::dialect::encode::{check_quotable, TxCursor};
use crate::dialect::encode::{common, encode_segments, pick_in, segments_len, Segment};

pub use crate::dialect::Qos;

/// Value of an `AT+QSSLCFG` parameter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SslValue<'a> {
    /// Decimal number (`seclevel`, `sslversion`, `ignorelocaltime`, `sni`).
    Num(u32),
    /// Quoted string (certificate and key file names).
    Str(&'a [u8]),
    /// Unquoted `0x` and at least four upper-case hex digits (`ciphersuite`, `0xFFFF`): the
    /// spelling §3.10 documents; a quoted value gives `ERROR` [Q07]. (Luat writes `0X`.)
    HexNum(u32),
}

/// One `AT+QMTCFG` item for client 0 (§3.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MqttCfg<'a> {
    /// `"version",0,<v>`: 4 = MQTT 3.1.1, 3 = MQTT 3.1.
    Version(u8),
    /// `"pdpcid",0,<cid>`: the PDP context the client uses.
    PdpCid(u8),
    /// `"keepalive",0,<s>`.
    Keepalive(u16),
    /// `"session",0,<0|1>`.
    Session {
        /// Start a clean session.
        clean: bool,
    },
    /// `"will",0,1,<qos>,<retain>,"<topic>","<msg>"`.
    Will {
        /// Will topic (quoted verbatim).
        topic: &'a [u8],
        /// Will message (quoted verbatim).
        payload: &'a [u8],
        /// Will QoS, 0..=2, written as given.
        qos: u8,
        /// Will retain flag.
        retain: bool,
    },
    /// `"will",0,0`: no will (clears one set earlier).
    NoWill,
    /// `"recv/mode",0,0,1`: messages by URC (not buffered), with the `<len>` field the
    /// tokenizer frames them by (§3.7).
    RecvMode,
    /// `"ssl",0,1,1` (TLS with SSL context 1) or `"ssl",0,0`.
    Ssl {
        /// TLS on.
        on: bool,
    },
    /// `"timeout",0,<s>,<retries>,0`: packet timeout, retries, no timeout notice (its meaning
    /// is UNKNOWN, §3.2).
    Timeout {
        /// Packet timeout in seconds.
        s: u16,
        /// Retransmissions.
        retries: u8,
    },
}

/// One AT command (or, for [`Command::Raw`], the data after the `> ` prompt).
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
    /// A command line given whole (`AT+CGSN`, or one the application queued), ended by CR.
    /// Checked by the caller: printable, no CR/LF/`;`.
    Line(&'a [u8]),
    /// `AT+QICSGP=1,1,"<apn>","<user>","<password>",1`: context 1, IPv4, PAP. The
    /// authentication type only matters when a user is given; with empty credentials the
    /// network ignores it.
    Apn {
        /// Access point name.
        apn: &'a [u8],
        /// User name (may be empty).
        user: &'a [u8],
        /// Password (may be empty).
        password: &'a [u8],
    },
    /// `AT+QIACT=1`: activate PDP context 1 (`ERROR` when already active, §3.1).
    Activate,
    /// `AT+QIACT?`: which contexts are active.
    ActivateQuery,
    /// `AT+QIDEACT=1`: deactivate context 1 (before re-activating after `+QMTSTAT: 0,2`).
    Deactivate,
    /// `AT+QSSLCFG="<tag>",1,<value>` (SSL context 1).
    SslCfg {
        /// Parameter name (`cacert`, `seclevel`, `ciphersuite`, ...).
        tag: &'static [u8],
        /// Parameter value.
        value: SslValue<'a>,
    },
    /// `AT+QMTCFG=<item>`.
    Config(MqttCfg<'a>),
    /// `AT+QMTOPEN=0,"<host>",<port>`.
    Open {
        /// Broker host name or address.
        host: &'a [u8],
        /// Broker port.
        port: u16,
    },
    /// `AT+QMTOPEN?`
    OpenQuery,
    /// `AT+QMTCONN=0,"<id>"[,"<user>"[,"<password>"]]`: the user is sent when either
    /// credential is, the password only when it is non-empty.
    Connect {
        /// Client identifier.
        client_id: &'a [u8],
        /// User name (may be empty).
        user: &'a [u8],
        /// Password (may be empty).
        password: &'a [u8],
    },
    /// `AT+QMTCONN?`: the session state (`+QMTCONN: 0,<state>`, 3 = connected).
    ConnQuery,
    /// `AT+QMTSUB=0,<id>,"<topic>",<qos>`: one topic per command (§3.5).
    Subscribe {
        /// Message id, 1..=65535.
        id: u16,
        /// Topic filter.
        topic: &'a [u8],
        /// Requested QoS, written as given.
        qos: u8,
    },
    /// `AT+QMTUNS=0,<id>,"<topic>"`.
    Unsubscribe {
        /// Message id, 1..=65535.
        id: u16,
        /// Topic filter.
        topic: &'a [u8],
    },
    /// `AT+QMTPUBEX=0,<id>,<qos>,<retain>,"<topic>",<len>`; the payload follows the `> `
    /// prompt as [`Command::Raw`]. The id must be 0 for QoS 0 and non-zero otherwise (§3.6):
    /// the caller chooses it.
    PublishHeader {
        /// Message id (0 for QoS 0).
        id: u16,
        /// Topic.
        topic: &'a [u8],
        /// QoS, written as given.
        qos: u8,
        /// Retain flag.
        retain: bool,
        /// Payload length.
        len: usize,
    },
    /// Bytes sent as they are, with no terminator (the publish data).
    Raw(&'a [u8]),
    /// `AT+QMTDISC=0`
    Disconnect,
    /// `AT+QMTCLOSE=0`
    Close,
    /// `AT+CFUN=1,1`: reboot the module (answers `OK`, `POWERED DOWN`, then `RDY`).
    Reboot,
}

/// `0` or `1`, as the flag fields are written.
fn flag(on: bool) -> Segment<'static> {
    Segment::Text(if on { b"1" } else { b"0" })
}

/// The `index`th segment of `cmd`, or `None` past the end.
fn segment<'a>(cmd: &Command<'a>, index: usize) -> Option<Segment<'a>> {
    use Segment::{Dec, HexLowerX, Text};
    let pick = |segments: &[Segment<'a>]| segments.get(index).copied();
    match *cmd {
        Command::At => pick(&[Text(common::AT)]),
        Command::EchoOff => pick(&[Text(common::ECHO_OFF)]),
        Command::SimQuery => pick(&[Text(common::SIM_QUERY)]),
        Command::AttachQuery => pick(&[Text(common::ATTACH_QUERY)]),
        Command::SignalQuery => pick(&[Text(common::SIGNAL_QUERY)]),
        Command::Line(text) => pick(&[Text(text), Text(common::CR)]),
        Command::Apn {
            apn,
            user,
            password,
        } => pick(&[
            Text(b"AT+QICSGP=1,1,\""),
            Text(apn),
            Text(b"\",\""),
            Text(user),
            Text(b"\",\""),
            Text(password),
            Text(b"\",1\r"),
        ]),
        Command::Activate => pick(&[Text(b"AT+QIACT=1\r")]),
        Command::ActivateQuery => pick(&[Text(b"AT+QIACT?\r")]),
        Command::Deactivate => pick(&[Text(b"AT+QIDEACT=1\r")]),
        Command::SslCfg { tag, value } => {
            let head = [Text(b"AT+QSSLCFG=\""), Text(tag), Text(b"\",1,")];
            match value {
                SslValue::Num(n) => pick_in(index, &head, &[Dec(n), Text(b"\r")]),
                SslValue::HexNum(n) => pick_in(index, &head, &[HexLowerX(n), Text(b"\r")]),
                SslValue::Str(s) => pick_in(index, &head, &[Text(b"\""), Text(s), Text(b"\"\r")]),
            }
        }
        Command::Config(item) => config_segment(item, index),
        Command::Open { host, port } => pick(&[
            Text(b"AT+QMTOPEN=0,\""),
            Text(host),
            Text(b"\","),
            Dec(port.into()),
            Text(b"\r"),
        ]),
        Command::OpenQuery => pick(&[Text(b"AT+QMTOPEN?\r")]),
        Command::Connect {
            client_id,
            user,
            password,
        } => {
            let head = [Text(b"AT+QMTCONN=0,\""), Text(client_id)];
            if password.is_empty() && user.is_empty() {
                pick_in(index, &head, &[Text(b"\"\r")])
            } else if password.is_empty() {
                pick_in(index, &head, &[Text(b"\",\""), Text(user), Text(b"\"\r")])
            } else {
                pick_in(
                    index,
                    &head,
                    &[
                        Text(b"\",\""),
                        Text(user),
                        Text(b"\",\""),
                        Text(password),
                        Text(b"\"\r"),
                    ],
                )
            }
        }
        Command::ConnQuery => pick(&[Text(b"AT+QMTCONN?\r")]),
        Command::Subscribe { id, topic, qos } => pick(&[
            Text(b"AT+QMTSUB=0,"),
            Dec(id.into()),
            Text(b",\""),
            Text(topic),
            Text(b"\","),
            Dec(qos.into()),
            Text(b"\r"),
        ]),
        Command::Unsubscribe { id, topic } => pick(&[
            Text(b"AT+QMTUNS=0,"),
            Dec(id.into()),
            Text(b",\""),
            Text(topic),
            Text(b"\"\r"),
        ]),
        Command::PublishHeader {
            id,
            topic,
            qos,
            retain,
            len,
        } => pick(&[
            Text(b"AT+QMTPUBEX=0,"),
            Dec(id.into()),
            Text(b","),
            Dec(qos.into()),
            Text(b","),
            flag(retain),
            Text(b",\""),
            Text(topic),
            Text(b"\","),
            Dec(u32::try_from(len).unwrap_or(u32::MAX)),
            Text(b"\r"),
        ]),
        Command::Raw(data) => pick(&[Text(data)]),
        Command::Disconnect => pick(&[Text(b"AT+QMTDISC=0\r")]),
        Command::Close => pick(&[Text(b"AT+QMTCLOSE=0\r")]),
        Command::Reboot => pick(&[Text(b"AT+CFUN=1,1\r")]),
    }
}

/// The `index`th segment of `AT+QMTCFG=<item>`.
fn config_segment<'a>(item: MqttCfg<'a>, index: usize) -> Option<Segment<'a>> {
    use Segment::{Dec, Text};
    let pick = |segments: &[Segment<'a>]| segments.get(index).copied();
    match item {
        MqttCfg::Version(v) => pick(&[
            Text(b"AT+QMTCFG=\"version\",0,"),
            Dec(v.into()),
            Text(b"\r"),
        ]),
        MqttCfg::PdpCid(cid) => pick(&[
            Text(b"AT+QMTCFG=\"pdpcid\",0,"),
            Dec(cid.into()),
            Text(b"\r"),
        ]),
        MqttCfg::Keepalive(s) => pick(&[
            Text(b"AT+QMTCFG=\"keepalive\",0,"),
            Dec(s.into()),
            Text(b"\r"),
        ]),
        MqttCfg::Session { clean } => {
            pick(&[Text(b"AT+QMTCFG=\"session\",0,"), flag(clean), Text(b"\r")])
        }
        MqttCfg::Will {
            topic,
            payload,
            qos,
            retain,
        } => pick(&[
            Text(b"AT+QMTCFG=\"will\",0,1,"),
            Dec(qos.into()),
            Text(b","),
            flag(retain),
            Text(b",\""),
            Text(topic),
            Text(b"\",\""),
            Text(payload),
            Text(b"\"\r"),
        ]),
        MqttCfg::NoWill => pick(&[Text(b"AT+QMTCFG=\"will\",0,0\r")]),
        MqttCfg::RecvMode => pick(&[Text(b"AT+QMTCFG=\"recv/mode\",0,0,1\r")]),
        MqttCfg::Ssl { on: true } => pick(&[Text(b"AT+QMTCFG=\"ssl\",0,1,1\r")]),
        MqttCfg::Ssl { on: false } => pick(&[Text(b"AT+QMTCFG=\"ssl\",0,0\r")]),
        MqttCfg::Timeout { s, retries } => pick(&[
            Text(b"AT+QMTCFG=\"timeout\",0,"),
            Dec(s.into()),
            Text(b","),
            Dec(retries.into()),
            Text(b",0\r"),
        ]),
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
