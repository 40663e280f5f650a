// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the Luat dialect spells the engine's commands, and its bring-up lists
//! (docs/luat-at.md §5: message mode, data mode and the `AT+SSLCFG` items once per boot;
//! `AT+MIPCLOSE`, `AT+CIPSHUT` after a PDP loss, and `AT+MCONFIG` before every connect).

use super::encode::{
    mconfig, mconnect, mip_start, mpub_carries, msg_mode, publish, ssl_setting, Will, CIPSHUT,
    DATA_MODE_TEXT, MDISCONNECT, MIPCLOSE, MQTT_STATUS, MSG_GET, MSUB, MUNSUB, RESET,
};
use crate::config::{Config, Options};
use crate::dialect::bringup::{entry, tls_item, Item, List, OnError, TlsNames, TlsValue, When};
use crate::dialect::encode::Segment::{Dec, Text};
use crate::dialect::encode::{common, escape_extra, fill, is_escaped, line, raw, Job};
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
/// `AT+MCONFIG` (refused on some firmware when the username and password are empty: the
/// connect goes on without it).
const CONFIGURE: [Item; 3] = [
    Item::required(Subject::MipClose).on_error(OnError::Ignore),
    Item::required(Subject::CipShut)
        .when(When::RestoreBearer)
        .on_error(OnError::Log)
        .long()
        .word_final(),
    Item::required(Subject::MConfig)
        .when(When::ClientId)
        .on_error(OnError::Anonymous)
        .opening(),
];

// The bits of `BootState::lacks` past the per-boot entries' hold the `AT+MCONNECT` spelling.
const _: () = assert!(PREPARE.len() < 30);

pub(crate) fn item(list: List, i: u8) -> Option<&'static Item> {
    entry(list, &PREPARE, &CONFIGURE, i)
}

/// The session's own MQTT, TLS and TCP/IP commands (after `AT`, prefixes), refused to the
/// application: the engine's state would no longer match the module's.
pub(crate) const SESSION_COMMANDS: &[u8] = crate::dialect::common::packed!(
    b"+MCONFIG",
    b"+MIPSTART",
    b"+SSLMIPSTART",
    b"+MCONNECT",
    b"+MSUB",
    b"+MUNSUB",
    b"+MPUB",
    b"+MDISCONNECT",
    b"+MIPCLOSE",
    b"+MQTTMSGSET",
    b"+MQTTMSGGET",
    b"+MQTTMODE",
    b"+SSLCFG",
    b"+CIPSHUT",
    b"+CIPCLOSE",
    b"+CIPSTART",
);

/// The `AT+SSLCFG` names (docs/luat-at.md); the server name goes as `hostname`.
const TLS_NAMES: TlsNames = TlsNames {
    names: b"sslversion\0cacert\0clientcert\0clientkey\0seclevel\0hostname",
    sni_switch: false,
};

/// The `AT+SSLCFG` item `k` (in the order sent), if the configuration sets it.
pub(crate) fn ssl_item<'b>(cfg: &'b Config<'_>, k: u8) -> Option<(&'static [u8], TlsValue<'b>)> {
    tls_item(cfg, k, &TLS_NAMES)
}

/// Hands the AT command `cmd` stands for to `job`, reading its arguments from `ctx`: one
/// match from the engine's command to its template and arguments (the templates are
/// [`super::encode`]'s, which also spells [`super::Command`] with them).
pub(crate) fn write<C: Context>(cmd: Cmd, ctx: &C, job: &mut Job<'_>) {
    let cfg = ctx.config();
    // Commands with arguments hand them over in their arm; the rest name their text (the
    // identity and queued lines too), and one call writes it as a line (measured 82 B smaller
    // than a call per arm, Luat).
    let text = match cmd {
        Cmd::Prepare(0) => {
            let cache = crate::parts::CACHE_MODE && cfg.options.contains(Options::CACHE_MODE);
            return msg_mode(cache, job);
        }
        Cmd::Prepare(i) if i > 1 => match ssl_item(cfg, i.wrapping_sub(2)) {
            Some((tag, TlsValue::Num(n))) => return ssl_setting(tag, Dec(n.into()), false, job),
            Some((tag, TlsValue::Text(t))) => return ssl_setting(tag, Text(t), true, job),
            None => common::AT,
        },
        Cmd::Configure(i) if i > 1 => {
            let will = cfg.will.map(|w| Will {
                topic: w.topic,
                payload: w.payload,
                qos: w.qos,
                retain: w.retain,
            });
            return mconfig(ctx.client_id(), cfg.username, cfg.password, will, job);
        }
        Cmd::Open => return mip_start(cfg.host, cfg.port, cfg.tls(), job),
        Cmd::Connect => {
            let clean = cfg.options.contains(Options::CLEAN_SESSION);
            return mconnect(clean, cfg.keepalive_s, ctx.connect_with_mode(), job);
        }
        // One arm for both, as for the two publish commands below: the filter is looked up and the
        // command spelled from one place (measured 20 B smaller).
        Cmd::Subscribe { at, .. } | Cmd::Unsubscribe { at, .. } => match ctx.filter(at) {
            Some((topic, qos)) => {
                // One argument list and one call for both (measured 18 B smaller, Luat, 16 B
                // every dialect): the unsubscribe's template has one slot, so it takes the
                // topic alone.
                let (template, count): (&'static [u8], usize) =
                    if matches!(cmd, Cmd::Subscribe { .. }) {
                        (MSUB, 2)
                    } else {
                        (MUNSUB, 1)
                    };
                let args = [Text(topic), Dec(qos.into())];
                return fill(template, args.get(..count).unwrap_or(&args), job);
            }
            None => common::AT,
        },
        Cmd::Publish(src) | Cmd::PublishHeader(src) | Cmd::PublishData(src) => {
            match (cmd, ctx.publish(src)) {
                (Cmd::Publish(_) | Cmd::PublishHeader(_), Some(p)) => {
                    let header_len =
                        matches!(cmd, Cmd::PublishHeader(_)).then_some(p.payload.len());
                    return publish(p.topic, p.qos, p.retain, p.payload, header_len, job);
                }
                (_, Some(p)) => return raw(p.payload, job),
                (_, None) => common::AT,
            }
        }
        Cmd::Identity(f) => f.command(),
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
        Cmd::Prepare(_) => DATA_MODE_TEXT,
        Cmd::Configure(0) | Cmd::CloseForStop => MIPCLOSE,
        Cmd::Configure(_) => CIPSHUT,
        Cmd::CacheRead => MSG_GET,
        Cmd::Verify => MQTT_STATUS,
        Cmd::Disconnect => MDISCONNECT,
        Cmd::SoftReset => RESET,
    };
    line(text, job)
}

/// How a payload goes out: `Some(false)` MPUB, `Some(true)` MPUBEX, `None` impossible
/// (binary or too long for MPUB while MPUBEX is disabled).
pub(crate) fn publish_form(cfg: &Config<'_>, payload: &[u8]) -> Option<bool> {
    let ex_allowed = crate::parts::MPUBEX && !cfg.options.contains(Options::NO_MPUBEX);
    let escapes_backslash = cfg.profile.escapes_backslash();
    // One pass over the payload: how many bytes MPUB escapes (each of those it carries), until
    // one it cannot carry, which decides at once (measured 36 B smaller, Luat, than carrying a
    // flag to the end of the payload).
    let mut escapes = 0usize;
    for &byte in payload {
        match byte {
            b'\\' if !escapes_backslash => return ex_allowed.then_some(true),
            _ if is_escaped(byte) => escapes += 1,
            _ if mpub_carries(byte) => {}
            _ => return ex_allowed.then_some(true),
        }
    }
    let extra = escape_extra(escapes);
    if payload.len().saturating_add(extra) > cfg.profile.mpub_max() {
        return ex_allowed.then_some(true);
    }
    // MPUBEX cannot send an empty message (len 1..4100).
    Some(ex_allowed && !payload.is_empty() && extra > usize::from(cfg.mpubex_above_extra))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Profile;

    /// Every byte value, alone and between other bytes, gets the form the rule says: MPUBEX
    /// (where the build has it) for a byte MPUB cannot carry, a backslash too where the profile
    /// does not escape it; MPUB otherwise (a few escapes).
    #[test]
    fn publish_form_follows_the_byte_classes() {
        let by_mpubex = crate::parts::MPUBEX.then_some(true);
        for profile in [Profile::Air724ug, Profile::Air780e, Profile::Air780ep] {
            let mut cfg = Config::new(b"h", 1883, b"c");
            cfg.profile = profile;
            for byte in 0..=u8::MAX {
                let carried = mpub_carries(byte) && (byte != b'\\' || profile.escapes_backslash());
                let want = if carried { Some(false) } else { by_mpubex };
                assert_eq!(publish_form(&cfg, &[byte]), want, "{profile:?} {byte:#04x}");
                assert_eq!(publish_form(&cfg, &[b'a', byte, b'b']), want);
                assert_eq!(publish_form(&cfg, &[byte, b'a', 0]), by_mpubex);
            }
        }
    }
}
