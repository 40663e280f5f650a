// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the Quectel dialect spells the engine's commands, its bring-up lists and its names for
//! log entries (docs/quectel-simcom-at.md §3: the bearer is the host's to set up, every
//! `AT+QMTCFG` item is re-sent before each open, results come as URCs after `OK`).

use super::encode::{
    apn, cfg_item, cfg_keepalive, cfg_session, cfg_ssl, cfg_will, connect, open, publish_header,
    ssl_setting, subscribe, unsubscribe, ACTIVATE, ACTIVATE_QUERY, CFG_NO_WILL, CFG_PDP_CID_1,
    CFG_RECV_MODE, CFG_VERSION_311, CLOSE, CONN_QUERY, DEACTIVATE, DISCONNECT, REBOOT,
};
use crate::config::{Config, Options};
use crate::dialect::bringup::{
    entry, tls_item, FailReason, Item, List, OnError, TlsNames, TlsValue, When,
};
use crate::dialect::encode::Segment::{Dec, Text};
use crate::dialect::encode::{common, line, raw, Job};
use crate::dialect::Context;
use crate::engine::Cmd;
use crate::event::Subject;
use crate::Status;

use super::PUBLISH_MAX;

/// Entries of [`List::Prepare`]: the `AT+QSSLCFG` items of SSL context 1, once per boot.
const PREPARE: [Item; 6] = {
    let ssl = Item::required(Subject::SslCfg);
    [
        ssl.when(When::Tls(0)),
        ssl.when(When::Tls(1)),
        ssl.when(When::Tls(2)),
        ssl.when(When::Tls(3)),
        ssl.when(When::Tls(4)),
        ssl.when(When::Tls(5)),
    ]
};

/// Index of the first `AT+QMTCFG` entry of [`CONFIGURE`].
const FIRST_MQTT_CFG: u8 = 5;

/// Entries of [`List::Configure`], before every open (§3.1, §3.2, §3.9):
/// - `AT+QICSGP` with the configured APN;
/// - `AT+QIDEACT=1` where the vendor re-activates the bearer (after `+QMTSTAT: <c>,2` or
///   `+QIURC: "pdpdeact"`);
/// - `AT+QIACT=1`, whose `ERROR` may mean "already active": then `AT+QIACT?` decides;
/// - `AT+QMTCLOSE=0` (a stale client may hold the index; `ERROR` when none does);
/// - the `AT+QMTCFG` items: version 3.1.1, PDP context 1, keepalive, clean session, will,
///   URC receive mode with the length field, TLS on or off. Re-sent every time: whether they
///   survive a close or a reboot is UNKNOWN (§3.2).
const CONFIGURE: [Item; 12] = {
    let cfg = Item::required(Subject::MConfig).opening();
    [
        Item::required(Subject::BearerApn).when(When::Apn),
        Item::required(Subject::BearerDown)
            .when(When::RestoreBearer)
            .on_error(OnError::Ignore)
            .long(),
        Item::required(Subject::BearerUp)
            .on_error(OnError::Check)
            .long(),
        Item::required(Subject::BearerCheck)
            .when(When::AfterFailure)
            .on_error(OnError::Fail(FailReason::NotAttached))
            .needs_bearer(),
        Item::required(Subject::MipClose).on_error(OnError::Ignore),
        cfg,
        cfg,
        cfg,
        cfg,
        cfg,
        cfg,
        cfg,
    ]
};

pub(crate) fn item(list: List, i: u8) -> Option<&'static Item> {
    entry(list, &PREPARE, &CONFIGURE, i)
}

/// The session's own commands (after `AT`, prefixes), refused to the application: every
/// `AT+QMT...` but its read forms, the PDP context and SSL context the session configures
/// (docs/quectel-simcom-at.md §3), and the commands that open a data prompt or `CONNECT` mode
/// the engine would not feed.
pub(crate) const SESSION_COMMANDS: &[u8] = crate::dialect::common::packed!(
    b"+QMT",
    b"+QIACT=",
    b"+QIDEACT",
    b"+QICSGP=",
    b"+QSSLCFG=",
    b"+QISEND",
    b"+QSSLSEND",
    b"+QFUPL",
    b"+QFWRITE",
    b"+QHTTPURL",
    b"+QHTTPPOST",
);

/// The `AT+QSSLCFG` names (docs/quectel-simcom-at.md §3.10); SNI is a switch: the name sent
/// is the host of `AT+QMTOPEN`.
const TLS_NAMES: TlsNames = TlsNames {
    names: b"sslversion\0cacert\0clientcert\0clientkey\0seclevel\0sni",
    sni_switch: true,
};

/// The `AT+QSSLCFG` item `k` (in the order sent), if the configuration sets it.
pub(crate) fn ssl_item<'b>(cfg: &'b Config<'_>, k: u8) -> Option<(&'static [u8], TlsValue<'b>)> {
    tls_item(cfg, k, &TLS_NAMES)
}

/// Hands the `AT+QMTCFG` item `k` (0 = version, in the order sent) to `job`.
fn mqtt_cfg(cfg: &Config<'_>, k: u8, job: &mut Job<'_>) {
    let item = match k {
        0 => CFG_VERSION_311,
        1 => CFG_PDP_CID_1,
        2 => cfg_keepalive(cfg.keepalive_s),
        3 => cfg_session(cfg.options.contains(Options::CLEAN_SESSION)),
        4 => match cfg.will {
            Some(w) => return cfg_will(w.topic, w.payload, w.qos, w.retain, job),
            None => CFG_NO_WILL,
        },
        5 => CFG_RECV_MODE,
        _ => cfg_ssl(cfg.tls()),
    };
    cfg_item(item, job)
}

/// Hands the AT command `cmd` stands for to `job`, reading its arguments from `ctx`: one
/// match from the engine's command to its template and arguments (the templates are
/// [`super::encode`]'s, which also spells [`super::Command`] with them).
pub(crate) fn write<C: Context>(cmd: Cmd, ctx: &C, job: &mut Job<'_>) {
    let cfg = ctx.config();
    // Commands with arguments hand them over in their arm; the rest name their text, and one
    // call writes it (as Luat's, measured 64 B smaller, Quectel, than a call per arm); the
    // `AT+QMTCFG` items go by [`mqtt_cfg`], one text for all of one value (72 B smaller again
    // than a text per item).
    let text = match cmd {
        Cmd::Prepare(i) => match ssl_item(cfg, i) {
            // One call for both kinds of value (measured 12 B smaller, Quectel).
            Some((tag, value)) => {
                let (value, quoted) = match value {
                    TlsValue::Num(n) => (Dec(n.into()), false),
                    TlsValue::Text(t) => (Text(t), true),
                };
                return ssl_setting(tag, value, quoted, job);
            }
            None => common::AT,
        },
        Cmd::Configure(0) => return apn(cfg.apn, b"", b"", job),
        Cmd::Configure(1) => DEACTIVATE,
        Cmd::Configure(2) => ACTIVATE,
        Cmd::Configure(3) => ACTIVATE_QUERY,
        Cmd::Configure(4) | Cmd::CloseForStop => CLOSE,
        Cmd::Configure(i) => return mqtt_cfg(cfg, i.saturating_sub(FIRST_MQTT_CFG), job),
        Cmd::Open => return open(cfg.host, cfg.port, job),
        Cmd::Connect => return connect(ctx.client_id(), cfg.username, cfg.password, job),
        // One arm for both, as Luat's: the filter is looked up in one place (measured 10 B
        // smaller, Quectel).
        Cmd::Subscribe { at, id } | Cmd::Unsubscribe { at, id } => match ctx.filter(at) {
            Some((topic, qos)) if matches!(cmd, Cmd::Subscribe { .. }) => {
                return subscribe(id, topic, qos, job)
            }
            Some((topic, _)) => return unsubscribe(id, topic, job),
            None => common::AT,
        },
        Cmd::Publish(src) | Cmd::PublishHeader(src) | Cmd::PublishData(src) => {
            match (cmd, ctx.publish(src)) {
                (Cmd::PublishData(_), Some(p)) => return raw(p.payload, job),
                (_, Some(p)) => {
                    let plain = ctx.publish_plain();
                    return publish_header(
                        plain,
                        p.id,
                        p.topic,
                        p.qos,
                        p.retain,
                        p.payload.len(),
                        job,
                    );
                }
                (_, None) => common::AT,
            }
        }
        Cmd::Identity(f) => identity_command(f),
        // Not a command line: the byte alone, no CR after it.
        Cmd::CancelPrompt(_) => return raw(common::CANCEL_PROMPT, job),
        Cmd::Queued(_) => match ctx.queued_line() {
            Some(text) => text,
            None => common::AT,
        },
        Cmd::Probe | Cmd::Resync => common::AT,
        Cmd::EchoOff | Cmd::EchoAgain => common::ECHO_OFF,
        Cmd::SimQuery => common::SIM_QUERY,
        Cmd::AttachQuery => common::ATTACH_QUERY,
        Cmd::Signal => common::SIGNAL_QUERY,
        // No message cache in this family (the configuration refuses CACHE_MODE).
        Cmd::CacheRead => common::AT,
        Cmd::Verify => CONN_QUERY,
        Cmd::Disconnect => DISCONNECT,
        Cmd::SoftReset => REBOOT,
    };
    line(text, job)
}

/// How a payload goes out: always after the data prompt, 1 to [`PUBLISH_MAX`] bytes (an empty
/// payload's handling is UNKNOWN, §3.6).
pub(crate) fn publish_form(payload: &[u8]) -> Option<bool> {
    (1..=PUBLISH_MAX).contains(&payload.len()).then_some(true)
}

/// A failed open with TLS on: the family reports a failed handshake as "failed to open" or
/// "network error" (§5.2).
pub(crate) fn open_failure(reason: Status, tls: bool) -> Status {
    match reason {
        Status::BrokerUnreachable if tls => Status::TlsFailed,
        other => other,
    }
}

/// The command that reads the identity fact `f`: the ICCID is `AT+QCCID` in this family
/// (§7; the answers are read as plain lines).
pub(crate) fn identity_command(f: crate::engine::Fact) -> &'static [u8] {
    match f {
        crate::engine::Fact::Iccid => b"AT+QCCID",
        other => other.command(),
    }
}

/// How log entries name `what` in this family.
pub(crate) fn subject_name(what: Subject) -> &'static [u8] {
    match what {
        Subject::SslCfg => b"AT+QSSLCFG\0",
        Subject::MipClose => b"AT+QMTCLOSE\0",
        Subject::MConfig => b"AT+QMTCFG\0",
        Subject::MipStart => b"AT+QMTOPEN\0",
        Subject::MConnect => b"AT+QMTCONN\0",
        Subject::MSub => b"AT+QMTSUB\0",
        Subject::MUnsub => b"AT+QMTUNS\0",
        Subject::MPub | Subject::MPubEx => b"AT+QMTPUBEX\0",
        Subject::MqttStatu => b"AT+QMTCONN?\0",
        Subject::MDisconnect => b"AT+QMTDISC\0",
        Subject::Reset => b"AT+CFUN=1,1\0",
        Subject::ConnectOk | Subject::ConnectFail => b"+QMTOPEN\0",
        Subject::ConnackOk => b"+QMTCONN\0",
        Subject::Suback => b"+QMTSUB\0",
        Subject::Unsuback => b"+QMTUNS\0",
        Subject::Puback | Subject::Pubrec | Subject::Pubcomp => b"+QMTPUBEX\0",
        Subject::Closed => b"+QMTSTAT\0",
        Subject::PdpDeact => b"+QIURC: \"pdpdeact\"\0",
        Subject::BearerApn => b"AT+QICSGP\0",
        Subject::BearerUp => b"AT+QIACT=1\0",
        Subject::BearerCheck => b"AT+QIACT?\0",
        Subject::BearerDown => b"AT+QIDEACT=1\0",
        other => other.name_nul(),
    }
}
