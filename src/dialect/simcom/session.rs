// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the SIMCom dialect spells the engine's commands, its bring-up lists and its names for
//! log entries (docs/quectel-simcom-at.md §4).
//!
//! The family enters topics, payloads and the will after data prompts, before the command that
//! uses them, so several engine commands are spelled as a sequence of parts: each part ends in
//! the prompt `>` (the next part is its data) or in `OK` (the next part is the next command
//! line); the last part's result is the command's. [`spell`] gives part `i` of a command, and
//! `None` past its last.
//!
//! - Open: `AT+CMQTTSTART` (§4.2): its `+CMQTTSTART: <err>` decides, before or after `OK`, and
//!   `+CMQTTSTART: 23` with `ERROR` means the service already runs.
//! - Connect: `AT+CMQTTREL=0` (a stale client, §4.3), `AT+CMQTTACCQ`, `AT+CMQTTSSLCFG` with TLS,
//!   the will (`AT+CMQTTWILLTOPIC`, `AT+CMQTTWILLMSG`, §4.4), then `AT+CMQTTCONNECT` (§4.5).
//!   After a lost link (`+CMQTTCONNLOST`, a failed ping) only `AT+CMQTTCONNECT` goes, on the
//!   same client (§4.9, `Context::client_kept`); if that fails (err 20: client not acquired)
//!   the next attempt acquires the client again.
//! - Subscribe and unsubscribe: the one-step forms with the filter after the prompt (§4.6).
//! - Publish: topic, payload (none for an empty payload, whose publishing is UNKNOWN, §4.7),
//!   then `AT+CMQTTPUB`; the module clears both after each publish, so every publish sets them.
//! - Stop: `AT+CMQTTDISC`, then `AT+CMQTTREL=0` and `AT+CMQTTSTOP` (§4.11).

use super::encode::{Command, SslValue};
use super::PUBLISH_MAX;
use crate::config::{Config, Options};
use crate::dialect::bringup::{entry, tls_item, Item, List, OnError, TlsNames, TlsValue, When};
use crate::dialect::Context;
use crate::engine::Cmd;
use crate::event::Subject;

/// Entries of [`List::Prepare`]: the `AT+CSSLCFG` items of the SSL context, once per boot.
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

/// Entries of [`List::Configure`], before every start of the service (§4.1, §4.9):
/// - `AT+CGDCONT` with the configured APN (`AT+CMQTTSTART` activates the context itself, but
///   only with the module's own parameters);
/// - after `+CMQTTNONET`, `AT+CMQTTREL=0` then `AT+CMQTTSTOP`, whose outcome is ignored, so the
///   service starts afresh.
const CONFIGURE: [Item; 2] = [
    Item::required(Subject::BearerApn).when(When::Apn),
    Item::required(Subject::BearerDown)
        .when(When::RestoreBearer)
        .on_error(OnError::Ignore),
];

pub(crate) fn item(list: List, i: u8) -> Option<&'static Item> {
    entry(list, &PREPARE, &CONFIGURE, i)
}

/// The `AT+CSSLCFG` names (docs/quectel-simcom-at.md §4.12: `authmode` for the security
/// level, `enableSNI` a switch; the name presented is the host of the CONNECT URL).
const TLS_NAMES: TlsNames = TlsNames {
    names: [
        b"sslversion",
        b"cacert",
        b"clientcert",
        b"clientkey",
        b"authmode",
        b"enableSNI",
    ],
    sni_switch: true,
};

/// The `AT+CSSLCFG` item `k` (in the order sent), if the configuration sets it (§4.12: the
/// family spells the security level `authmode` and the SNI switch `enableSNI`).
pub(crate) fn ssl_item<'b>(cfg: &'b Config<'_>, k: u8) -> Option<(&'static [u8], SslValue<'b>)> {
    let (name, value) = tls_item(cfg, k, &TLS_NAMES)?;
    Some((
        name,
        match value {
            TlsValue::Num(n) => SslValue::Num(u32::from(n)),
            TlsValue::Text(t) => SslValue::Str(t),
        },
    ))
}

/// Part `part` of the command `cmd` stands for, borrowing strings from `ctx`; `None` past the
/// last part.
pub(crate) fn spell<C: Context>(cmd: Cmd, part: u8, ctx: &C) -> Option<Command<'_>> {
    let cfg = ctx.config();
    let single = |c: Command<'static>| (part == 0).then_some(c);
    match cmd {
        Cmd::Probe => single(Command::At),
        Cmd::EchoOff | Cmd::EchoAgain => single(Command::EchoOff),
        Cmd::SimQuery => single(Command::SimQuery),
        Cmd::AttachQuery => single(Command::AttachQuery),
        Cmd::Signal => single(Command::SignalQuery),
        Cmd::Prepare(i) => (part == 0).then_some(match ssl_item(cfg, i) {
            Some((tag, value)) => Command::SslCfg { tag, value },
            None => Command::At,
        }),
        Cmd::Configure(0) => (part == 0).then_some(Command::Apn { apn: cfg.apn }),
        Cmd::Configure(_) | Cmd::CloseForStop => nth([Command::Release, Command::Stop], part),
        Cmd::Open => single(Command::Start),
        Cmd::Connect => connect_part(ctx, part),
        Cmd::Subscribe { at, .. } => {
            let (topic, qos) = ctx.filter(at)?;
            let len = topic.len();
            nth([Command::Subscribe { len, qos }, Command::Raw(topic)], part)
        }
        Cmd::Unsubscribe { at, .. } => {
            let (topic, _) = ctx.filter(at)?;
            let len = topic.len();
            nth([Command::Unsubscribe { len }, Command::Raw(topic)], part)
        }
        Cmd::Publish(src) => {
            let p = ctx.publish(src)?;
            let payload = !p.payload.is_empty();
            [
                Some(Command::Topic { len: p.topic.len() }),
                Some(Command::Raw(p.topic)),
                payload.then_some(Command::Payload {
                    len: p.payload.len(),
                }),
                payload.then_some(Command::Raw(p.payload)),
                Some(Command::Publish {
                    qos: p.qos,
                    retain: p.retain,
                }),
            ]
            .into_iter()
            .flatten()
            .nth(usize::from(part))
        }
        // Never issued: every payload goes by `Cmd::Publish` (`publish_form`). No message
        // cache in this family (the configuration refuses CACHE_MODE).
        Cmd::PublishHeader(_) | Cmd::PublishData(_) | Cmd::CacheRead => single(Command::At),
        Cmd::Verify => single(Command::ConnQuery),
        Cmd::Disconnect => single(Command::Disconnect),
        Cmd::SoftReset => single(Command::Reboot),
        Cmd::Identity(f) => single(Command::Line(identity_command(f))),
        Cmd::Queued(_) => (part == 0).then_some(match ctx.queued_line() {
            Some(text) => Command::Line(text),
            None => Command::At,
        }),
    }
}

/// Element `part` of a fixed sequence.
fn nth<const N: usize>(parts: [Command<'_>; N], part: u8) -> Option<Command<'_>> {
    parts.into_iter().nth(usize::from(part))
}

/// Part `part` of the connect: release, acquire, [SSL context], [will topic and message],
/// CONNECT; only the CONNECT while the client from the last session is kept (after a lost
/// link, §4.9: connect again on the same client).
fn connect_part<C: Context>(ctx: &C, part: u8) -> Option<Command<'_>> {
    let cfg = ctx.config();
    let tls = cfg.tls();
    let will = cfg.will.filter(|_| !ctx.client_kept());
    let setup = !ctx.client_kept();
    [
        setup.then_some(Command::Release),
        setup.then_some(Command::Acquire {
            client_id: ctx.client_id(),
            tls,
        }),
        (setup && tls).then_some(Command::SslContext),
        will.map(|w| Command::WillTopic { len: w.topic.len() }),
        will.map(|w| Command::Raw(w.topic)),
        will.map(|w| Command::WillMessage {
            len: w.payload.len(),
            qos: w.qos,
        }),
        will.map(|w| Command::Raw(w.payload)),
        Some(Command::Connect {
            host: cfg.host,
            port: cfg.port,
            keepalive: cfg.keepalive_s,
            clean: cfg.options.contains(Options::CLEAN_SESSION),
            user: cfg.username,
            password: cfg.password,
        }),
    ]
    .into_iter()
    .flatten()
    .nth(usize::from(part))
}

/// How a payload goes out: by [`Cmd::Publish`] (its parts carry the data after prompts), up to
/// [`PUBLISH_MAX`] bytes (§6.2). An empty payload skips `AT+CMQTTPAYLOAD`, whose length starts
/// at 1; whether the module then publishes an empty message is UNKNOWN (§4.7).
pub(crate) fn publish_form(payload: &[u8]) -> Option<bool> {
    (payload.len() <= PUBLISH_MAX).then_some(false)
}

/// The command that reads the identity fact `f`: the ICCID is `AT+CICCID` in this family
/// (§7; the answers are read as plain lines).
pub(crate) fn identity_command(f: crate::engine::Fact) -> &'static [u8] {
    match f {
        crate::engine::Fact::Iccid => b"AT+CICCID",
        other => other.command(),
    }
}

/// How log entries name `what` in this family.
pub(crate) fn subject_name(what: Subject) -> &'static [u8] {
    match what {
        Subject::SslCfg => b"AT+CSSLCFG\0",
        Subject::MipClose => b"AT+CMQTTREL\0",
        Subject::MipStart => b"AT+CMQTTSTART\0",
        Subject::MConnect => b"AT+CMQTTCONNECT\0",
        Subject::MSub => b"AT+CMQTTSUB\0",
        Subject::MUnsub => b"AT+CMQTTUNSUB\0",
        Subject::MPub | Subject::MPubEx => b"AT+CMQTTPUB\0",
        Subject::MqttStatu => b"AT+CMQTTDISC?\0",
        Subject::MDisconnect => b"AT+CMQTTDISC\0",
        Subject::Reset => b"AT+CFUN=1,1\0",
        Subject::ConnectOk | Subject::ConnectFail => b"+CMQTTSTART\0",
        Subject::ConnackOk => b"+CMQTTCONNECT\0",
        Subject::Suback => b"+CMQTTSUB\0",
        Subject::Unsuback => b"+CMQTTUNSUB\0",
        Subject::Puback | Subject::Pubrec | Subject::Pubcomp => b"+CMQTTPUB\0",
        Subject::Closed => b"+CMQTTCONNLOST\0",
        Subject::PdpDeact => b"+CMQTTNONET\0",
        Subject::Rdy => b"*ATREADY\0",
        Subject::BearerApn => b"AT+CGDCONT\0",
        Subject::BearerDown => b"AT+CMQTTSTOP\0",
        other => other.name_nul(),
    }
}
