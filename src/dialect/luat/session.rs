// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the Luat dialect spells the engine's commands, and its bring-up lists
//! (docs/luat-at.md §5: message mode, data mode and the `AT+SSLCFG` items once per boot;
//! `AT+MIPCLOSE`, `AT+CIPSHUT` after a PDP loss, and `AT+MCONFIG` before every connect).

use super::encode::{
    mconfig, mconnect, mip_start, mpub, mpub_carries, mpub_ex, msg_get, msg_mode, msub, munsub,
    ssl_cfg, SslValue, Will, CIPSHUT, DATA_MODE_TEXT, MDISCONNECT, MIPCLOSE, MQTT_STATUS, RESET,
};
use crate::config::{Config, Options};
use crate::dialect::bringup::{entry, tls_item, Item, List, OnError, TlsNames, TlsValue, When};
use crate::dialect::encode::{common, escape_code, escape_extra, fixed, line, raw, Job};
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

/// Hands the AT command `cmd` stands for to `job`, reading its arguments from `ctx`: one
/// match from the engine's command to its template and arguments (the templates are
/// [`super::encode`]'s, which also spells [`super::Command`] with them).
pub(crate) fn write<C: Context>(cmd: Cmd, ctx: &C, job: &mut Job<'_>) {
    let cfg = ctx.config();
    match cmd {
        Cmd::Probe => fixed(common::AT, job),
        Cmd::EchoOff | Cmd::EchoAgain => fixed(common::ECHO_OFF, job),
        Cmd::SimQuery => fixed(common::SIM_QUERY, job),
        Cmd::AttachQuery => fixed(common::ATTACH_QUERY, job),
        Cmd::Signal => fixed(common::SIGNAL_QUERY, job),
        Cmd::Prepare(0) => msg_mode(
            crate::parts::CACHE_MODE && cfg.options.contains(Options::CACHE_MODE),
            job,
        ),
        Cmd::Prepare(1) => fixed(DATA_MODE_TEXT, job),
        Cmd::Prepare(i) => match ssl_item(cfg, i.wrapping_sub(2)) {
            Some((tag, value)) => ssl_cfg(tag, value, job),
            None => fixed(common::AT, job),
        },
        Cmd::Configure(0) | Cmd::CloseForStop => fixed(MIPCLOSE, job),
        Cmd::Configure(1) => fixed(CIPSHUT, job),
        Cmd::Configure(_) => mconfig(
            ctx.client_id(),
            cfg.username,
            cfg.password,
            cfg.will.map(|w| Will {
                topic: w.topic,
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
            }),
            job,
        ),
        Cmd::Open => mip_start(cfg.host, cfg.port, cfg.tls(), job),
        Cmd::Connect => mconnect(
            cfg.options.contains(Options::CLEAN_SESSION),
            cfg.keepalive_s,
            job,
        ),
        Cmd::Subscribe { at, .. } => match ctx.filter(at) {
            Some((topic, qos)) => msub(topic, qos, job),
            None => fixed(common::AT, job),
        },
        Cmd::Unsubscribe { at, .. } => match ctx.filter(at) {
            Some((topic, _)) => munsub(topic, job),
            None => fixed(common::AT, job),
        },
        Cmd::Publish(src) | Cmd::PublishHeader(src) | Cmd::PublishData(src) => {
            let Some(p) = ctx.publish(src) else {
                return fixed(common::AT, job);
            };
            match cmd {
                Cmd::Publish(_) => mpub(p.topic, p.qos, p.retain, p.payload, job),
                Cmd::PublishHeader(_) => mpub_ex(p.topic, p.qos, p.retain, p.payload.len(), job),
                _ => raw(p.payload, job),
            }
        }
        Cmd::CacheRead => msg_get(job),
        Cmd::Verify => fixed(MQTT_STATUS, job),
        Cmd::Disconnect => fixed(MDISCONNECT, job),
        Cmd::SoftReset => fixed(RESET, job),
        Cmd::Identity(f) => line(f.command(), job),
        Cmd::Queued(_) => match ctx.queued_line() {
            Some(text) => line(text, job),
            None => fixed(common::AT, job),
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
