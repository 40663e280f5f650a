// SPDX-License-Identifier: MIT OR Apache-2.0
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

use crate::dialect::encode::{
    self, common, fill, line, piece, raw, text, Job, Segment, SslTemplates,
};
pub use crate::dialect::encode::{check_quotable, SslValue, TxCursor};

pub use crate::dialect::Qos;

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

// Each command's template and arguments, in one place: the engine spells its commands
// straight through these (`session::write`, one match from the engine's `Cmd` to the bytes),
// and [`Command`] through [`segment`] for tests and hosts, so both send the same text.

/// `AT+QIACT=1`
pub(crate) const ACTIVATE: &[u8] = text(b"AT+QIACT=1\0");
/// `AT+QIACT?`
pub(crate) const ACTIVATE_QUERY: &[u8] = text(b"AT+QIACT?\0");
/// `AT+QIDEACT=1`
pub(crate) const DEACTIVATE: &[u8] = text(b"AT+QIDEACT=1\0");
/// `AT+QMTOPEN?`
const OPEN_QUERY: &[u8] = text(b"AT+QMTOPEN?\0");
/// `AT+QMTCONN?`
pub(crate) const CONN_QUERY: &[u8] = text(b"AT+QMTCONN?\0");
/// `AT+QMTDISC=0`
pub(crate) const DISCONNECT: &[u8] = text(b"AT+QMTDISC=0\0");
/// `AT+QMTCLOSE=0`
pub(crate) const CLOSE: &[u8] = text(b"AT+QMTCLOSE=0\0");
/// `AT+CFUN=1,1`
pub(crate) const REBOOT: &[u8] = text(b"AT+CFUN=1,1\0");

/// `0` or `1`.
fn bit(on: bool) -> Segment<'static> {
    Segment::Dec(u32::from(on))
}

/// [`Command::Apn`].
pub(crate) fn apn(apn: &[u8], user: &[u8], password: &[u8], job: &mut Job<'_>) {
    use Segment::Text;
    fill(
        b"AT+QICSGP=1,1,\"\0\",\"\0\",\"\0\",1\r",
        &[Text(apn), Text(user), Text(password)],
        job,
    )
}

/// [`Command::SslCfg`]: a hex number as `0x` (see [`SslValue::HexNum`]).
pub(crate) fn ssl_cfg(tag: &[u8], value: SslValue<'_>, job: &mut Job<'_>) {
    encode::ssl_cfg(&SSL_TEMPLATES, b'x', tag, value, job)
}

/// `AT+QSSLCFG="<tag>",1,<value>`, the value between quotes when `quoted`: the engine's
/// spelling of a TLS item, whose values are numbers and strings (no hex formatting linked).
pub(crate) fn ssl_setting(tag: &[u8], value: Segment<'_>, quoted: bool, job: &mut Job<'_>) {
    encode::ssl_setting(&SSL_TEMPLATES, tag, value, quoted, job)
}

/// `AT+QSSLCFG` items, the value bare or quoted (see [`encode::ssl_setting`]).
const SSL_TEMPLATES: SslTemplates = SslTemplates {
    bare: b"AT+QSSLCFG=\"\0\",1,\0\r",
    quoted: b"AT+QSSLCFG=\"\0\",1,\"\0\"\r",
};

/// [`Command::Open`].
pub(crate) fn open(host: &[u8], port: u16, job: &mut Job<'_>) {
    fill(
        b"AT+QMTOPEN=0,\"\0\",\0\r",
        &[Segment::Text(host), Segment::Dec(port.into())],
        job,
    )
}

/// [`Command::Connect`].
pub(crate) fn connect(client_id: &[u8], user: &[u8], password: &[u8], job: &mut Job<'_>) {
    use Segment::Text;
    // One text for the three forms: the separators before the user and the password are
    // arguments, empty where a form leaves the credential out.
    let user_sep: &[u8] = if user.is_empty() && password.is_empty() {
        b""
    } else {
        b"\",\""
    };
    let password_sep: &[u8] = if password.is_empty() { b"" } else { b"\",\"" };
    fill(
        b"AT+QMTCONN=0,\"\0\0\0\0\0\"\r",
        &[
            Text(client_id),
            Text(user_sep),
            Text(user),
            Text(password_sep),
            Text(password),
        ],
        job,
    )
}

/// [`Command::Subscribe`].
pub(crate) fn subscribe(id: u16, topic: &[u8], qos: u8, job: &mut Job<'_>) {
    use Segment::{Dec, Text};
    fill(
        b"AT+QMTSUB=0,\0,\"\0\",\0\r",
        &[Dec(id.into()), Text(topic), Dec(qos.into())],
        job,
    )
}

/// [`Command::Unsubscribe`].
pub(crate) fn unsubscribe(id: u16, topic: &[u8], job: &mut Job<'_>) {
    fill(
        b"AT+QMTUNS=0,\0,\"\0\"\r",
        &[Segment::Dec(id.into()), Segment::Text(topic)],
        job,
    )
}

/// [`Command::PublishHeader`].
pub(crate) fn publish_header(
    plain: bool,
    id: u16,
    topic: &[u8],
    qos: u8,
    retain: bool,
    len: usize,
    job: &mut Job<'_>,
) {
    use Segment::{Dec, Text};
    // The six-argument `AT+QMTPUB` takes the same arguments (§3.6, §3.13 item 6).
    let suffix: &[u8] = if plain { b"" } else { b"EX" };
    fill(
        b"AT+QMTPUB\0=0,\0,\0,\0,\"\0\",\0\r",
        &[
            Text(suffix),
            Dec(id.into()),
            Dec(qos.into()),
            bit(retain),
            Text(topic),
            Dec(u32::try_from(len).unwrap_or(u32::MAX)),
        ],
        job,
    )
}

/// Hands `cmd` to `job` as a template and its arguments (see [`fill`]: `\0` is an argument's
/// place).
fn segment(cmd: &Command<'_>, job: &mut Job<'_>) {
    match *cmd {
        Command::At => line(common::AT, job),
        Command::EchoOff => line(common::ECHO_OFF, job),
        Command::SimQuery => line(common::SIM_QUERY, job),
        Command::AttachQuery => line(common::ATTACH_QUERY, job),
        Command::SignalQuery => line(common::SIGNAL_QUERY, job),
        Command::Line(text) => line(text, job),
        Command::Apn {
            apn: name,
            user,
            password,
        } => apn(name, user, password, job),
        Command::Activate => line(ACTIVATE, job),
        Command::ActivateQuery => line(ACTIVATE_QUERY, job),
        Command::Deactivate => line(DEACTIVATE, job),
        Command::SslCfg { tag, value } => ssl_cfg(tag, value, job),
        Command::Config(item) => config_segment(item, job),
        Command::Open { host, port } => open(host, port, job),
        Command::OpenQuery => line(OPEN_QUERY, job),
        Command::Connect {
            client_id,
            user,
            password,
        } => connect(client_id, user, password, job),
        Command::ConnQuery => line(CONN_QUERY, job),
        Command::Subscribe { id, topic, qos } => subscribe(id, topic, qos, job),
        Command::Unsubscribe { id, topic } => unsubscribe(id, topic, job),
        Command::PublishHeader {
            id,
            topic,
            qos,
            retain,
            len,
        } => publish_header(false, id, topic, qos, retain, len, job),
        Command::Raw(data) => raw(data, job),
        Command::Disconnect => line(DISCONNECT, job),
        Command::Close => line(CLOSE, job),
        Command::Reboot => line(REBOOT, job),
    }
}

/// Hands `AT+QMTCFG=<item>` to `job` (see [`segment`]).
fn config_segment(item: MqttCfg<'_>, job: &mut Job<'_>) {
    match item {
        MqttCfg::Version(v) => cfg_item(cfg_version(v), job),
        MqttCfg::PdpCid(cid) => cfg_item(cfg_pdp_cid(cid), job),
        MqttCfg::Keepalive(s) => cfg_item(cfg_keepalive(s), job),
        MqttCfg::Session { clean } => cfg_item(cfg_session(clean), job),
        MqttCfg::Will {
            topic,
            payload,
            qos,
            retain,
        } => cfg_will(topic, payload, qos, retain, job),
        MqttCfg::NoWill => cfg_item(CFG_NO_WILL, job),
        MqttCfg::RecvMode => cfg_item(CFG_RECV_MODE, job),
        MqttCfg::Ssl { on } => cfg_item(cfg_ssl(on), job),
        MqttCfg::Timeout { s, retries } => fill(
            b"AT+QMTCFG=\"timeout\",0,\0,\0,0\r",
            &[Segment::Dec(s.into()), Segment::Dec(retries.into())],
            job,
        ),
    }
}

/// `AT+QMTCFG="<item>",0,<value>`: every item of one value (the value may hold commas) by
/// one text, where a text per item repeated `AT+QMTCFG="` and `",0,` in each.
pub(crate) fn cfg_item((item, value): CfgItem, job: &mut Job<'_>) {
    let name = piece(CFG_NAMES, item as usize).unwrap_or(b"");
    fill(
        b"AT+QMTCFG=\"\0\",0,\0\r",
        &[Segment::Text(name), value],
        job,
    )
}

/// The names of the `AT+QMTCFG` items of one value, in [`CfgName`]'s order, each ended by
/// NUL and cut by [`piece`]: a byte per name where a slice each took eight (measured 24 B
/// smaller, Quectel).
const CFG_NAMES: &[u8] = b"version\0pdpcid\0keepalive\0session\0will\0recv/mode\0ssl";

/// An `AT+QMTCFG` item of one value, by its place in [`CFG_NAMES`]; the engine sends them in
/// this order.
#[derive(Clone, Copy)]
pub(crate) enum CfgName {
    Version,
    PdpCid,
    Keepalive,
    Session,
    Will,
    RecvMode,
    Ssl,
}

/// An `AT+QMTCFG` item and its value (see [`cfg_item`]).
pub(crate) type CfgItem = (CfgName, Segment<'static>);

/// [`MqttCfg::Version`].
fn cfg_version(v: u8) -> CfgItem {
    (CfgName::Version, Segment::Dec(v.into()))
}

/// [`MqttCfg::PdpCid`].
fn cfg_pdp_cid(cid: u8) -> CfgItem {
    (CfgName::PdpCid, Segment::Dec(cid.into()))
}

/// [`MqttCfg::Keepalive`].
pub(crate) fn cfg_keepalive(s: u16) -> CfgItem {
    (CfgName::Keepalive, Segment::Dec(s.into()))
}

/// [`MqttCfg::Session`].
pub(crate) fn cfg_session(clean: bool) -> CfgItem {
    (CfgName::Session, bit(clean))
}

/// [`MqttCfg::Will`].
pub(crate) fn cfg_will(topic: &[u8], payload: &[u8], qos: u8, retain: bool, job: &mut Job<'_>) {
    use Segment::{Dec, Text};
    fill(
        b"AT+QMTCFG=\"will\",0,1,\0,\0,\"\0\",\"\0\"\r",
        &[Dec(qos.into()), bit(retain), Text(topic), Text(payload)],
        job,
    )
}

/// [`MqttCfg::Version`] 4 (MQTT 3.1.1), the engine's.
pub(crate) const CFG_VERSION_311: CfgItem = (CfgName::Version, Segment::Dec(4));
/// [`MqttCfg::PdpCid`] 1, the engine's.
pub(crate) const CFG_PDP_CID_1: CfgItem = (CfgName::PdpCid, Segment::Dec(1));
/// [`MqttCfg::NoWill`].
pub(crate) const CFG_NO_WILL: CfgItem = (CfgName::Will, Segment::Dec(0));
/// [`MqttCfg::RecvMode`].
pub(crate) const CFG_RECV_MODE: CfgItem = (CfgName::RecvMode, Segment::Text(b"0,1"));

/// [`MqttCfg::Ssl`].
pub(crate) fn cfg_ssl(on: bool) -> CfgItem {
    (CfgName::Ssl, Segment::Text(if on { b"1,1" } else { b"0" }))
}

/// Writes the next bytes of `cmd` from `cursor` into `out`; see [`fill`].
pub fn encode(cmd: &Command<'_>, cursor: &mut TxCursor, out: &mut [u8]) -> usize {
    crate::dialect::encode::write_next(cursor, out, |job| segment(cmd, job))
}

/// Total encoded length of `cmd` in bytes (saturating).
pub fn encoded_len(cmd: &Command<'_>) -> usize {
    crate::dialect::encode::encoded_len(|cursor, out| encode(cmd, cursor, out))
}
