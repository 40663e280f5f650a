// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the Luat dialect spells the engine's commands, and its bring-up lists
//! (docs/luat-at.md §5: message mode, data mode and the `AT+SSLCFG` items once per boot;
//! `AT+MIPCLOSE`, `AT+CIPSHUT` after a PDP loss, and `AT+MCONFIG` before every connect).

use super::encode::{mpub_carries, Command, SslValue, Will};
use crate::config::{Config, Options};
use crate::dialect::bringup::{entry, tls_item, Item, List, OnError, TlsNames, TlsValue, When};
use crate::dialect::encode::{escape_code, escape_extra};
use crate::dialect::Context;
use crate::engine::Cmd;
use crate::event::Subject;

/// Entries of [`List::Prepare`]: `AT+MQTTMSGSET`, `AT+MQTTMODE=0`, then the six TLS items.
const PREPARE: [Item; 8] = {
    let ssl = Item::required(Subject::SslCfg);
    [
        Item::required(Subject::MqttMsgSet).on_error(OnError::Log),
        // `ERROR`: firmware without the command, which then has no hex mode either.
        Item::required(Subject::MqttMode)
            .when(When::Supported)
            .on_error(OnError::Unsupported),
        ssl.when(When::Tls(0)),
        ssl.when(When::Tls(1)),
        ssl.when(When::Tls(2)),
        ssl.when(When::Tls(3)),
        ssl.when(When::Tls(4)),
        ssl.when(When::Tls(5)),
    ]
};

/// Entries of [`List::Configure`]: `AT+MIPCLOSE` (a stale link may be open; `+CME ERROR: 767`
/// when none is), `AT+CIPSHUT` after `+PDP DEACT` (answered `SHUT OK`, up to 90 s), then
/// `AT+MCONFIG`.
const CONFIGURE: [Item; 3] = [
    Item::required(Subject::MipClose).on_error(OnError::Ignore),
    Item::required(Subject::CipShut)
        .when(When::RestoreBearer)
        .on_error(OnError::Log)
        .long()
        .word_final(),
    Item::required(Subject::MConfig)
        .when(When::ClientId)
        .opening(),
];

pub(crate) fn item(list: List, i: u8) -> Option<&'static Item> {
    entry(list, &PREPARE, &CONFIGURE, i)
}

/// The `AT+SSLCFG` names (docs/luat-at.md); the server name goes as `hostname`.
const TLS_NAMES: TlsNames = TlsNames {
    names: [
        b"sslversion",
        b"cacert",
        b"clientcert",
        b"clientkey",
        b"seclevel",
        b"hostname",
    ],
    sni_switch: false,
};

/// The `AT+SSLCFG` item `k` (in the order sent), if the configuration sets it.
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

/// The AT command `cmd` stands for, borrowing strings from `ctx`.
pub(crate) fn spell<C: Context>(cmd: Cmd, ctx: &C) -> Command<'_> {
    let cfg = ctx.config();
    match cmd {
        Cmd::Probe => Command::At,
        Cmd::EchoOff | Cmd::EchoAgain => Command::EchoOff,
        Cmd::SimQuery => Command::SimQuery,
        Cmd::AttachQuery => Command::AttachQuery,
        Cmd::Signal => Command::SignalQuery,
        Cmd::Prepare(0) => Command::MsgMode {
            cache: crate::parts::CACHE_MODE && cfg.options.contains(Options::CACHE_MODE),
        },
        Cmd::Prepare(1) => Command::DataModeText,
        Cmd::Prepare(i) => match ssl_item(cfg, i.wrapping_sub(2)) {
            Some((tag, value)) => Command::SslCfg { tag, value },
            None => Command::At,
        },
        Cmd::Configure(0) | Cmd::CloseForStop => Command::Mipclose,
        Cmd::Configure(1) => Command::CipShut,
        Cmd::Configure(_) => Command::Mconfig {
            client_id: ctx.client_id(),
            user: cfg.username,
            password: cfg.password,
            will: cfg.will.map(|w| Will {
                topic: w.topic,
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
            }),
        },
        Cmd::Open => Command::MipStart {
            host: cfg.host,
            port: cfg.port,
            tls: cfg.tls(),
        },
        Cmd::Connect => Command::Mconnect {
            clean: cfg.options.contains(Options::CLEAN_SESSION),
            keepalive_s: cfg.keepalive_s,
        },
        Cmd::Subscribe { at, .. } => match ctx.filter(at) {
            Some((topic, qos)) => Command::Msub { topic, qos },
            None => Command::At,
        },
        Cmd::Unsubscribe { at, .. } => match ctx.filter(at) {
            Some((topic, _)) => Command::Munsub { topic },
            None => Command::At,
        },
        Cmd::Publish(src) | Cmd::PublishHeader(src) | Cmd::PublishData(src) => {
            let Some(p) = ctx.publish(src) else {
                return Command::At;
            };
            match cmd {
                Cmd::Publish(_) => Command::Mpub {
                    topic: p.topic,
                    qos: p.qos,
                    retain: p.retain,
                    payload: p.payload,
                },
                Cmd::PublishHeader(_) => Command::MpubEx {
                    topic: p.topic,
                    qos: p.qos,
                    retain: p.retain,
                    len: p.payload.len(),
                },
                _ => Command::Raw(p.payload),
            }
        }
        Cmd::CacheRead => Command::MsgGet,
        Cmd::Verify => Command::MqttStatus,
        Cmd::Disconnect => Command::Mdisconnect,
        Cmd::SoftReset => Command::Reset,
        Cmd::Identity(f) => Command::Line(f.command()),
        Cmd::Queued(_) => match ctx.queued_line() {
            Some(text) => Command::Line(text),
            None => Command::At,
        },
    }
}

/// How a payload goes out: `Some(false)` MPUB, `Some(true)` MPUBEX, `None` impossible
/// (binary or too long for MPUB while MPUBEX is disabled).
pub(crate) fn publish_form(cfg: &Config<'_>, payload: &[u8]) -> Option<bool> {
    let ex_allowed = crate::parts::MPUBEX && !cfg.options.contains(Options::NO_MPUBEX);
    let escapes_backslash = cfg.profile.escapes_backslash();
    // One pass over the payload: whether MPUB carries every byte, and how many it escapes.
    let mut carried = true;
    let mut escapes = 0usize;
    for &byte in payload {
        carried &= mpub_carries(byte) && (escapes_backslash || byte != b'\\');
        escapes += usize::from(escape_code(byte).is_some());
    }
    let extra = escape_extra(escapes);
    if !carried || payload.len().saturating_add(extra) > cfg.profile.mpub_max() {
        return ex_allowed.then_some(true);
    }
    // MPUBEX cannot send an empty message (len 1..4100).
    Some(ex_allowed && !payload.is_empty() && extra > usize::from(cfg.mpubex_above_extra))
}
