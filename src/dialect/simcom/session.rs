// SPDX-License-Identifier: MIT OR Apache-2.0
//! How the SIMCom dialect spells the engine's commands, its bring-up lists and its names for
//! log entries (docs/quectel-simcom-at.md §4).
//!
//! The family enters topics, payloads and the will after data prompts, before the command that
//! uses them, so several engine commands are spelled as a sequence of parts: each part ends in
//! the prompt `>` (the next part is its data) or in `OK` (the next part is the next command
//! line); the last part's result is the command's. [`write`] spells part `i` of a command, and
//! says `None` past its last.
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
//! - Stop: `AT+CMQTTDISC`, then, once its result came, `AT+CMQTTREL=0` and `AT+CMQTTSTOP`
//!   (§4.11).

use super::encode::{
    acquire, apn, connect, payload, publish, ssl_context, ssl_setting, subscription, topic,
    will_message, will_topic, CONN_QUERY, DISCONNECT, REBOOT, RELEASE, START, STOP,
};
use super::PUBLISH_MAX;
use crate::config::{Config, Options};
use crate::dialect::bringup::{entry, tls_item, Item, List, OnError, TlsNames, TlsValue, When};
use crate::dialect::encode::{common, line, raw, write_next, Job, Segment, TxCursor};
use crate::dialect::{Context, Publish};
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
///   service starts afresh (an `ERROR` to the release ends the entry before the stop; the
///   start then finds the service running, `+CMQTTSTART: 23`, docs §4.11). After an `OK` to
///   the stop the start waits for its result (docs §4.11).
const CONFIGURE: [Item; 2] = [
    Item::required(Subject::BearerApn).when(When::Apn),
    Item::required(Subject::BearerDown)
        .when(When::RestoreBearer)
        .on_error(OnError::Ignore),
];

pub(crate) fn item(list: List, i: u8) -> Option<&'static Item> {
    entry(list, &PREPARE, &CONFIGURE, i)
}

/// The session's own commands (after `AT`, prefixes), refused to the application: every
/// `AT+CMQTT...` but its read forms, the PDP context and SSL context the session configures
/// (docs/quectel-simcom-at.md §4), and the commands that open a data prompt the engine would
/// not feed.
pub(crate) const SESSION_COMMANDS: &[u8] = crate::dialect::common::packed!(
    b"+CMQTT",
    b"+CGDCONT=",
    b"+CSSLCFG=",
    b"+CCERTDOWN",
    b"+CFTRANRX",
);

/// The `AT+CSSLCFG` names (docs/quectel-simcom-at.md §4.12: `authmode` for the security
/// level, `enableSNI` a switch; the name presented is the host of the CONNECT URL).
const TLS_NAMES: TlsNames = TlsNames {
    names: b"sslversion\0cacert\0clientcert\0clientkey\0authmode\0enableSNI",
    sni_switch: true,
};

/// The `AT+CSSLCFG` item `k` (in the order sent), if the configuration sets it (§4.12: the
/// family spells the security level `authmode` and the SNI switch `enableSNI`).
pub(crate) fn ssl_item<'b>(cfg: &'b Config<'_>, k: u8) -> Option<(&'static [u8], TlsValue<'b>)> {
    tls_item(cfg, k, &TLS_NAMES)
}

/// Hands part `part` of the AT command `cmd` stands for to `job`, reading its arguments from
/// `ctx`: one match from the engine's command and part to its template and arguments (the
/// templates are [`super::encode`]'s, which also spells [`super::Command`] with them). Returns
/// whether the module answers the part with the data prompt `>` (then the next part is its
/// data), or `None` past the last part (`job` untouched).
pub(crate) fn write<C: Context>(cmd: Cmd, part: u8, ctx: &C, job: &mut Job<'_>) -> Option<bool> {
    match cmd {
        Cmd::Configure(1..) | Cmd::CloseForStop => {
            // A match, not a table of the two texts (measured 14 B smaller, SIMCom).
            let template = match part {
                0 => RELEASE,
                1 => STOP,
                _ => return None,
            };
            line(template, job);
            return Some(false);
        }
        Cmd::Connect => return connect_part(ctx, part, job),
        Cmd::Subscribe { at, .. } | Cmd::Unsubscribe { at, .. } => {
            if let Some((topic, qos)) = ctx.filter(at) {
                match part {
                    0 => {
                        let qos = matches!(cmd, Cmd::Subscribe { .. }).then_some(qos);
                        subscription(qos, topic.len(), job)
                    }
                    1 => raw(topic, job),
                    _ => return None,
                }
                return Some(part == 0);
            }
        }
        Cmd::Publish(src) => {
            if let Some(p) = ctx.publish(src) {
                return publish_part(&p, part, job);
            }
        }
        _ => {}
    }
    // Every other command is one part; so is a (un)subscribe or publish whose record is gone
    // (`AT`).
    if part != 0 {
        return None;
    }
    write_single(cmd, ctx, job);
    Some(false)
}

/// Whether part `part` of `cmd` is answered by the data prompt `>`; `None` past its last part
/// (see [`write`]).
// Out of line: the engine asks from several places (the issue, the final result, the last
// part's test), each of which carried the empty job inlined (measured 134 B smaller, SIMCom;
// 94 B, every dialect).
#[inline(never)]
pub(crate) fn awaits_prompt<C: Context>(cmd: Cmd, part: u8, ctx: &C) -> Option<bool> {
    // The part spelled into no space: only its answer is asked for.
    let mut prompt = None;
    write_next(&mut TxCursor::new(), &mut [], |job| {
        prompt = write(cmd, part, ctx, job);
    });
    prompt
}

/// Hands a command of one part to `job` (see [`write`]). Commands with arguments hand them
/// over in their arm; the rest name their text, and one call writes it (measured 66 B smaller
/// than a call per arm).
fn write_single<C: Context>(cmd: Cmd, ctx: &C, job: &mut Job<'_>) {
    let cfg = ctx.config();
    let text = match cmd {
        Cmd::Prepare(i) => match ssl_item(cfg, i) {
            Some((tag, value)) => {
                let (value, quoted) = match value {
                    TlsValue::Num(n) => (Segment::Dec(n.into()), false),
                    TlsValue::Text(t) => (Segment::Text(t), true),
                };
                return ssl_setting(tag, value, quoted, job);
            }
            None => common::AT,
        },
        Cmd::Configure(_) => return apn(cfg.apn, job),
        Cmd::Identity(f) => identity_command(f),
        // Not a command line: the byte alone, no CR after it.
        Cmd::CancelPrompt(_) => return raw(common::CANCEL_PROMPT, job),
        Cmd::Queued(_) => match ctx.queued_line() {
            Some(text) => text,
            None => common::AT,
        },
        Cmd::EchoOff | Cmd::EchoAgain => common::ECHO_OFF,
        Cmd::SimQuery => common::SIM_QUERY,
        Cmd::AttachQuery => common::ATTACH_QUERY,
        Cmd::Signal => common::SIGNAL_QUERY,
        Cmd::Open => START,
        Cmd::Verify => CONN_QUERY,
        Cmd::Disconnect => DISCONNECT,
        Cmd::SoftReset => REBOOT,
        // `AT` for the probe, a (un)subscribe or publish whose record is gone, and the never
        // issued: every payload goes by `Cmd::Publish` (`publish_form`), and there is no
        // message cache in this family (the configuration refuses CACHE_MODE).
        _ => common::AT,
    };
    line(text, job)
}

/// Which of a command's possible steps part `part` is, counting only the steps whose bit is
/// set in `present` (bit `i` for step `i`).
// A mask rather than an array of flags: measured 50 B smaller (SIMCom). A plain loop: 42 B
// smaller than `filter(..).nth(..)`; clearing the lowest bits and `trailing_zeros` was 14 B
// smaller on the Cortex-M4F but 140 B larger on the Cortex-M0, which has no CLZ.
fn step(present: u8, part: u8) -> Option<usize> {
    let mut left = part;
    for i in 0..8 {
        if present & (1 << i) != 0 {
            if left == 0 {
                return Some(i);
            }
            left -= 1;
        }
    }
    None
}

/// Part `part` of a publish: topic, payload (none when empty, its length starts at 1), then
/// `AT+CMQTTPUB`; see [`write`].
fn publish_part(p: &Publish<'_>, part: u8, job: &mut Job<'_>) -> Option<bool> {
    let data = !p.payload.is_empty();
    // Topic and its data, [payload and its data], publish.
    let present = if data { 0b1_1111 } else { 0b1_0011 };
    Some(match step(present, part)? {
        0 => {
            topic(p.topic.len(), job);
            true
        }
        1 => {
            raw(p.topic, job);
            false
        }
        2 => {
            payload(p.payload.len(), job);
            true
        }
        3 => {
            raw(p.payload, job);
            false
        }
        _ => {
            publish(p.qos, p.retain, job);
            false
        }
    })
}

/// Part `part` of the connect: release, acquire, [SSL context], [will topic and message],
/// CONNECT; only the CONNECT while the client from the last session is kept (after a lost
/// link, §4.9: connect again on the same client). See [`write`].
fn connect_part<C: Context>(ctx: &C, part: u8, job: &mut Job<'_>) -> Option<bool> {
    let cfg = ctx.config();
    let tls = cfg.tls();
    let setup = !ctx.client_kept();
    let will = cfg.will.filter(|_| setup);
    let has_will = will.is_some();
    // Release and acquire, [SSL context], [will topic, its data, will message, its data],
    // CONNECT.
    let mut present = 0b1000_0000;
    if setup {
        present |= 0b11 | u8::from(tls) << 2;
    }
    if has_will {
        present |= 0b0111_1000;
    }
    Some(match step(present, part)? {
        0 => {
            line(RELEASE, job);
            false
        }
        1 => {
            acquire(ctx.client_id(), tls, job);
            false
        }
        2 => {
            ssl_context(job);
            false
        }
        3 => {
            will_topic(will?.topic.len(), job);
            true
        }
        4 => {
            raw(will?.topic, job);
            false
        }
        5 => {
            let w = will?;
            will_message(w.payload.len(), w.qos, job);
            true
        }
        6 => {
            raw(will?.payload, job);
            false
        }
        _ => {
            connect(
                cfg.host,
                cfg.port,
                cfg.keepalive_s,
                cfg.options.contains(Options::CLEAN_SESSION),
                cfg.username,
                cfg.password,
                job,
            );
            false
        }
    })
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
