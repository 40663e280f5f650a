// SPDX-License-Identifier: MIT OR Apache-2.0
//! Commands to a SIMCom module, produced as resumable byte streams.
//!
//! A [`Command`] borrows its strings and data; [`encode`] writes the next bytes of it into
//! whatever space the caller has and advances a [`TxCursor`] (the shared machinery is in
//! [`crate::dialect::encode`]; this file is only the SIMCom spelling,
//! docs/quectel-simcom-at.md §4).
//!
//! Every command ends in a plain CR (§1: the terminator is not documented; CR is what V.250
//! parsers take, as for Luat and Quectel), except [`Command::Raw`], the exact `<len>` bytes
//! written after a `>` prompt (§1 "SIMCom data prompt"). The MQTT client index is always
//! [`CLIENT`](super::CLIENT) (0) and the SSL context [`SSL_CTX`](super::SSL_CTX). Strings put
//! between quotes are written verbatim: check them with [`check_quotable`] first. Topics,
//! payloads and the will go after prompts, so they may hold any byte.

use crate::dialect::encode::{self, common, fill, line, raw, text, Job, Segment, SslTemplates};
pub use crate::dialect::encode::{check_quotable, TxCursor};

pub use crate::dialect::Qos;

/// `<pub_timeout>` of `AT+CMQTTPUB`, in seconds: inside both documented ranges, 60–180 and
/// 1–180 (§4.7, §4.14 item 4).
/// cbindgen:ignore
pub const PUB_TIMEOUT_S: u32 = 60;

/// `<timeout>` of `AT+CMQTTDISC`, in seconds. Its range is UNKNOWN (§4.11); 60 is the value
/// of the publish timeout, which every source accepts there.
/// cbindgen:ignore
pub const DISC_TIMEOUT_S: u32 = 60;

/// Value of an `AT+CSSLCFG` parameter.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SslValue<'a> {
    /// Decimal number (`sslversion`, `authmode`, `enableSNI`, `ignorelocaltime`).
    Num(u32),
    /// Quoted string (certificate and key file names).
    Str(&'a [u8]),
}

/// One AT command (or, for [`Command::Raw`], the data after the `>` prompt).
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
    /// `AT+CGDCONT=1,"IP","<apn>"`: the bearer's APN (§4.1); `AT+CMQTTSTART` activates the
    /// context itself.
    Apn {
        /// Access point name.
        apn: &'a [u8],
    },
    /// `AT+CMQTTSTART`: start the MQTT service (§4.2).
    Start,
    /// `AT+CMQTTSTOP`: stop the MQTT service (§4.2).
    Stop,
    /// `AT+CMQTTREL=0`: release client 0 (answers `OK` even when none was acquired, §4.3).
    Release,
    /// `AT+CMQTTACCQ=0,"<id>",<server_type>,4`: acquire client 0, MQTT 3.1.1 (4, §4.3),
    /// server type 1 (SSL) with TLS, else 0 (TCP).
    Acquire {
        /// Client identifier.
        client_id: &'a [u8],
        /// TLS on (server type 1).
        tls: bool,
    },
    /// `AT+CSSLCFG="<tag>",<ctx>,<value>` (§4.12).
    SslCfg {
        /// Parameter name (`sslversion`, `authmode`, `cacert`, ...).
        tag: &'static [u8],
        /// Parameter value.
        value: SslValue<'a>,
    },
    /// `AT+CMQTTSSLCFG=0,<ctx>`: client 0 uses the SSL context (§4.12).
    SslContext,
    /// `AT+CMQTTWILLTOPIC=0,<len>`; the topic follows the prompt (§4.4).
    WillTopic {
        /// Topic length.
        len: usize,
    },
    /// `AT+CMQTTWILLMSG=0,<len>,<qos>`; the message follows the prompt (§4.4).
    WillMessage {
        /// Message length.
        len: usize,
        /// Will QoS, written as given.
        qos: u8,
    },
    /// `AT+CMQTTCONNECT=0,"tcp://<host>:<port>",<keepalive>,<clean>[,"<user>"[,"<pass>"]]`
    /// (§4.5): the URL keeps `tcp://` with TLS too (§4.3). The user is sent when either
    /// credential is, the password only when it is non-empty.
    Connect {
        /// Broker host name or address.
        host: &'a [u8],
        /// Broker port.
        port: u16,
        /// Keepalive in seconds.
        keepalive: u16,
        /// Clean session.
        clean: bool,
        /// User name (may be empty).
        user: &'a [u8],
        /// Password (may be empty).
        password: &'a [u8],
    },
    /// `AT+CMQTTDISC?`: the connection state (`+CMQTTDISC: 0,<state>`, 0 = connected, §4.5).
    ConnQuery,
    /// `AT+CMQTTSUB=0,<len>,<qos>`: the one-step subscribe; the filter follows the prompt
    /// (§4.6).
    Subscribe {
        /// Filter length.
        len: usize,
        /// Requested QoS, written as given.
        qos: u8,
    },
    /// `AT+CMQTTUNSUB=0,<len>,0`: the one-step unsubscribe, no DUP (§4.6).
    Unsubscribe {
        /// Filter length.
        len: usize,
    },
    /// `AT+CMQTTTOPIC=0,<len>`; the topic follows the prompt (§4.7).
    Topic {
        /// Topic length.
        len: usize,
    },
    /// `AT+CMQTTPAYLOAD=0,<len>`; the payload follows the prompt (§4.7).
    Payload {
        /// Payload length (1 or more: the module takes no empty payload).
        len: usize,
    },
    /// `AT+CMQTTPUB=0,<qos>,60[,1]`: publish the topic and payload set before; the retain
    /// flag is written only when set (§4.7).
    Publish {
        /// QoS, written as given.
        qos: u8,
        /// Retain flag.
        retain: bool,
    },
    /// Bytes sent as they are, with no terminator (the data after a prompt).
    Raw(&'a [u8]),
    /// `AT+CMQTTDISC=0,60` (§4.11).
    Disconnect,
    /// `AT+CFUN=1,1`: reboot the module (3GPP TS 27.007; the reference names no SIMCom reset
    /// command).
    Reboot,
}

impl Command<'_> {
    /// True when the module answers this command with the data prompt `>` (§1) instead of a
    /// final result.
    pub fn awaits_prompt(&self) -> bool {
        matches!(
            self,
            Command::WillTopic { .. }
                | Command::WillMessage { .. }
                | Command::Subscribe { .. }
                | Command::Unsubscribe { .. }
                | Command::Topic { .. }
                | Command::Payload { .. }
        )
    }
}

/// A length as the encoder writes it (every length here is far below `u32::MAX`).
fn length(len: usize) -> Segment<'static> {
    Segment::Dec(u32::try_from(len).unwrap_or(u32::MAX))
}

// Each command's template and arguments, in one place: the engine spells its commands
// straight through these (`session::write`, one match from the engine's `Cmd` and part to the
// bytes), and [`Command`] through [`segment`] for tests and hosts, so both send the same text.

/// `AT+CMQTTSTART`
pub(crate) const START: &[u8] = text(b"AT+CMQTTSTART\0");
/// `AT+CMQTTSTOP`
pub(crate) const STOP: &[u8] = text(b"AT+CMQTTSTOP\0");
/// `AT+CMQTTREL=0`
pub(crate) const RELEASE: &[u8] = text(b"AT+CMQTTREL=0\0");
/// `AT+CMQTTDISC?`
pub(crate) const CONN_QUERY: &[u8] = text(b"AT+CMQTTDISC?\0");
/// `AT+CFUN=1,1`
pub(crate) const REBOOT: &[u8] = text(b"AT+CFUN=1,1\0");

/// [`Command::Apn`].
pub(crate) fn apn(apn: &[u8], job: &mut Job<'_>) {
    fill(b"AT+CGDCONT=1,\"IP\",\"\0\"\r", &[Segment::Text(apn)], job)
}

/// [`Command::Acquire`].
pub(crate) fn acquire(client_id: &[u8], tls: bool, job: &mut Job<'_>) {
    fill(
        b"AT+CMQTTACCQ=0,\"\0\",\0,4\r",
        &[Segment::Text(client_id), Segment::Dec(u32::from(tls))],
        job,
    )
}

/// [`Command::SslCfg`].
pub(crate) fn ssl_cfg(tag: &[u8], value: SslValue<'_>, job: &mut Job<'_>) {
    let (value, quoted) = match value {
        SslValue::Num(n) => (Segment::Dec(n), false),
        SslValue::Str(s) => (Segment::Text(s), true),
    };
    ssl_setting(tag, value, quoted, job)
}

/// `AT+CSSLCFG="<tag>",0,<value>`, the value between quotes when `quoted`: the engine's
/// spelling of a TLS item (numbers and strings).
pub(crate) fn ssl_setting(tag: &[u8], value: Segment<'_>, quoted: bool, job: &mut Job<'_>) {
    encode::ssl_setting(&SSL_TEMPLATES, tag, value, quoted, job)
}

/// `AT+CSSLCFG` items, the value bare or quoted (see [`encode::ssl_setting`]).
const SSL_TEMPLATES: SslTemplates = SslTemplates {
    bare: b"AT+CSSLCFG=\"\0\",0,\0\r",
    quoted: b"AT+CSSLCFG=\"\0\",0,\"\0\"\r",
};

/// [`Command::SslContext`].
pub(crate) fn ssl_context(job: &mut Job<'_>) {
    // Left out of the build (crate::parts): the configuration refused TLS at init.
    line(
        if crate::parts::TLS {
            b"AT+CMQTTSSLCFG=0,0"
        } else {
            common::AT
        },
        job,
    )
}

/// [`Command::WillTopic`].
pub(crate) fn will_topic(len: usize, job: &mut Job<'_>) {
    data_length(b"WILLTOPIC", len, job)
}

/// `AT+CMQTT<name>=0,<len>`: the commands whose one argument is the length of the data after
/// their prompt, by one text (measured 11 B smaller than a text each, SIMCom).
fn data_length(name: &[u8], len: usize, job: &mut Job<'_>) {
    fill(
        b"AT+CMQTT\0=0,\0\r",
        &[Segment::Text(name), length(len)],
        job,
    )
}

/// [`Command::WillMessage`].
pub(crate) fn will_message(len: usize, qos: u8, job: &mut Job<'_>) {
    fill(
        b"AT+CMQTTWILLMSG=0,\0,\0\r",
        &[length(len), Segment::Dec(qos.into())],
        job,
    )
}

/// [`Command::Connect`].
pub(crate) fn connect(
    host: &[u8],
    port: u16,
    keepalive: u16,
    clean: bool,
    user: &[u8],
    password: &[u8],
    job: &mut Job<'_>,
) {
    use Segment::{Dec, Text};
    // One text for the three forms: the credentials' opening `,"`, the separator before the
    // password and the closing quote are arguments, empty where a form leaves them out
    // (measured 14 B smaller than a text with credentials and one without, SIMCom).
    let credentials = !(user.is_empty() && password.is_empty());
    let (open, close): (&[u8], &[u8]) = if credentials {
        (b",\"", b"\"")
    } else {
        (b"", b"")
    };
    let password_sep: &[u8] = if password.is_empty() { b"" } else { b"\",\"" };
    fill(
        b"AT+CMQTTCONNECT=0,\"tcp://\0:\0\",\0,\0\0\0\0\0\0\r",
        &[
            Text(host),
            Dec(port.into()),
            Dec(keepalive.into()),
            Dec(u32::from(clean)),
            Text(open),
            Text(user),
            Text(password_sep),
            Text(password),
            Text(close),
        ],
        job,
    )
}

/// [`Command::Subscribe`] and [`Command::Unsubscribe`]: `AT+CMQTTSUB=0,<len>,<qos>` with the
/// QoS, else `AT+CMQTTUNSUB=0,<len>,0` (its last argument the dup flag, 0): one text for both,
/// the `UN` an argument (measured 45 B smaller than a text each, SIMCom).
pub(crate) fn subscription(qos: Option<u8>, len: usize, job: &mut Job<'_>) {
    let (un, last): (&[u8], u8) = match qos {
        Some(qos) => (b"", qos),
        None => (b"UN", 0),
    };
    fill(
        b"AT+CMQTT\0SUB=0,\0,\0\r",
        &[Segment::Text(un), length(len), Segment::Dec(last.into())],
        job,
    )
}

/// [`Command::Topic`].
pub(crate) fn topic(len: usize, job: &mut Job<'_>) {
    data_length(b"TOPIC", len, job)
}

/// [`Command::Payload`].
pub(crate) fn payload(len: usize, job: &mut Job<'_>) {
    data_length(b"PAYLOAD", len, job)
}

/// [`Command::Publish`], with the timeout [`PUB_TIMEOUT_S`] in its text.
pub(crate) fn publish(qos: u8, retain: bool, job: &mut Job<'_>) {
    // The retain flag an argument, empty when clear: one text for both (measured 14 B smaller
    // than a text each, SIMCom).
    let retain_flag: &[u8] = if retain { b",1" } else { b"" };
    fill(
        b"AT+CMQTTPUB=0,\0,60\0\r",
        &[Segment::Dec(qos.into()), Segment::Text(retain_flag)],
        job,
    )
}

/// [`Command::Disconnect`], with the timeout [`DISC_TIMEOUT_S`] in its text.
pub(crate) const DISCONNECT: &[u8] = text(b"AT+CMQTTDISC=0,60\0");

// The timeouts are spelled in the texts above (a number argument for each measured 25 B
// larger, SIMCom): they must agree with the constants.
const _: () = assert!(PUB_TIMEOUT_S == 60 && DISC_TIMEOUT_S == 60);

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
        Command::Apn { apn: name } => apn(name, job),
        Command::Start => line(START, job),
        Command::Stop => line(STOP, job),
        Command::Release => line(RELEASE, job),
        Command::Acquire { client_id, tls } => acquire(client_id, tls, job),
        Command::SslCfg { tag, value } => ssl_cfg(tag, value, job),
        Command::SslContext => ssl_context(job),
        Command::WillTopic { len } => will_topic(len, job),
        Command::WillMessage { len, qos } => will_message(len, qos, job),
        Command::Connect {
            host,
            port,
            keepalive,
            clean,
            user,
            password,
        } => connect(host, port, keepalive, clean, user, password, job),
        Command::ConnQuery => line(CONN_QUERY, job),
        Command::Subscribe { len, qos } => subscription(Some(qos), len, job),
        Command::Unsubscribe { len } => subscription(None, len, job),
        Command::Topic { len } => topic(len, job),
        Command::Payload { len } => payload(len, job),
        Command::Publish { qos, retain } => publish(qos, retain, job),
        Command::Raw(data) => raw(data, job),
        Command::Disconnect => line(DISCONNECT, job),
        Command::Reboot => line(REBOOT, job),
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
