//! The emulated module: a synchronous state machine with no I/O of its own.
//!
//! The runtime feeds it serial bytes, network events, control commands and the current time,
//! and carries out the [`Action`]s it asks for (write to the serial peer, open/send/close the
//! broker link). Keeping time an argument makes the whole AT behaviour testable without sockets
//! or sleeps, and keeps every decision in one place.

mod basic;
mod client_flow;
mod data;
mod faults;
mod mqtt_cmds;
mod net;
mod power;
mod quectel;
mod simcom;
mod ssl;
mod state;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::at::{self, Command};
use crate::control::{ControlCmd, FailReply};
use crate::mqtt::Packet;
use crate::profile::Profile;
use crate::rng::Rng;
use crate::stats::Stats;

pub use faults::ChaosConfig;
pub use simcom::{parse_on_off_mixed, ConnectFailForm, Forms as SimcomForms, PubFailForm};
pub use ssl::TlsSettings;
pub(crate) use state::*;

/// Longest command line kept; longer lines answer `ERROR` (an escaped 4100-byte MPUB fits).
const MAX_LINE: usize = 16 * 1024;
/// URCs held while the MCU is typing MPUBEX data, so they never land inside the data echo.
const MAX_HELD: usize = 64;

/// Start-up and timing configuration (from the command line).
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    /// Power-on / reset until `RDY`.
    pub boot_ms: u64,
    /// After `RDY`, `AT+CPIN?` answers `+CME ERROR: 14` (SIM busy) this long.
    pub sim_ms: u64,
    /// After `RDY`, the network attaches (CGATT 1, PDP up, network URCs) after this long.
    pub attach_ms: u64,
    /// After `+CGEV: NW PDN DEACT 1`, the default bearer comes back after this long.
    pub pdn_back_ms: u64,
    /// MPUBEX without a length ends after this much idle time (5 s on the module).
    pub mpubex_idle_ms: u64,
    /// Start with the supply off (the module waits for `power on` / PWRKEY).
    pub power_off: bool,
    /// PWRKEY tied to GND: the module boots whenever the supply comes on.
    pub pwrkey_grounded: bool,
    pub chaos: Option<ChaosConfig>,
    /// Files in the module's flash file system at start (`--file NAME=PATH`).
    pub files: Vec<(String, Vec<u8>)>,
    /// Firmware bug: `ATE0` answers `OK` but the echo stays on (`--echo-stuck`).
    pub echo_stuck: bool,
    /// Board wiring loops every MCU byte straight back, whatever ATE says (`--tx-echo`).
    pub tx_echo: bool,
    /// AT+MQTTMODE in force at the first boot only (`--mqttmode-at-start`).
    pub mqttmode_at_start: u8,
    /// Firmware without AT+MQTTMODE (`--no-mqttmode`).
    pub no_mqttmode: bool,
    /// `AT+CIPSHUT` answers `SHUT OK` this long after the command (`--shut-ms`).
    pub shut_ms: u64,
    /// Quectel: `+QMTCONN: <c>,<result>` without the return code (`--qmtconn-two-fields`,
    /// docs/quectel-simcom-at.md §3.13 item 2).
    pub qmtconn_two_fields: bool,
    /// Quectel: with the length on, `+QMTRECV` prints the payload on the next line
    /// (`--qmtrecv-next-line`, §3.13 item 5).
    pub qmtrecv_next_line: bool,
    /// Quectel: `AT+QMTOPEN` holds its final result until the connect is decided; a failure
    /// prints `+QMTOPEN: <c>,<result>` then `ERROR` (`--qmtopen-error-after`, §3.13 item 3).
    pub qmtopen_error_after: bool,
    /// Quectel: firmware without `AT+QMTPUBEX` (it answers `ERROR`); the six-argument
    /// `AT+QMTPUB` publishes (`--no-qmtpubex`, BG96 / BG770A style, §3.13 item 6).
    pub no_qmtpubex: bool,
    /// SIMCom: which of the documented result shapes the module prints where the sources
    /// disagree (docs/quectel-simcom-at.md §4.14); unset items are a seeded choice each time.
    pub simcom_forms: SimcomForms,
}

impl Config {
    pub fn new(profile: Profile) -> Self {
        Config {
            profile,
            boot_ms: 1500,
            sim_ms: 800,
            attach_ms: 3000,
            pdn_back_ms: 1000,
            mpubex_idle_ms: 5000,
            power_off: false,
            pwrkey_grounded: false,
            chaos: None,
            files: Vec::new(),
            echo_stuck: false,
            tx_echo: false,
            mqttmode_at_start: 0,
            no_mqttmode: false,
            shut_ms: 0,
            qmtconn_two_fields: false,
            qmtrecv_next_line: false,
            qmtopen_error_after: false,
            no_qmtpubex: false,
            simcom_forms: SimcomForms::default(),
        }
    }
}

/// What the module asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Bytes toward the MCU.
    Serial(Vec<u8>),
    /// Open link `gen` (TCP, plus TLS when `tls` is set); answer with `NetEvent::Connected`
    /// or `ConnectFailed`.
    Connect {
        gen: u64,
        host: String,
        port: u16,
        tls: Option<TlsSettings>,
    },
    Send {
        gen: u64,
        bytes: Vec<u8>,
    },
    /// Drop link `gen` at once (no MQTT DISCONNECT; the broker sees the socket go away).
    Close {
        gen: u64,
    },
}

/// What the runtime reports about link `gen`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetEvent {
    Connected,
    ConnectFailed(String),
    Packet(Packet),
    Closed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
    /// No supply, or powered down (waiting for PWRKEY).
    Off,
    /// Supply on, firmware starting: deaf and mute until `RDY`.
    Booting,
    Running,
    /// Held in reset by the reset pin (Air724UG); boots on release.
    ResetHeld,
}

pub struct Module {
    pub(crate) cfg: Config,
    pub(crate) profile: Profile,
    pub(crate) stats: Stats,
    actions: Vec<Action>,
    pub(crate) rng: Rng,

    pub(crate) power: Power,
    pub(crate) supply: bool,
    pub(crate) hung: bool,
    pub(crate) epoch: u64,
    pub(crate) reset_pin: Option<(Instant, u64)>,
    pub(crate) pwrkey_pin: Option<(Instant, u64)>,
    pub(crate) pin_gen: u64,

    pub(crate) s: Settings,
    pub(crate) sim_present: bool,
    pub(crate) sim_ready: bool,
    pub(crate) net_available: bool,
    pub(crate) attached: bool,
    pub(crate) pdp: Pdp,
    pub(crate) csq: u8,

    pub(crate) link: Option<Link>,
    pub(crate) next_gen: u64,
    /// AT+MDISCONNECT closed the link; the vendor's next step, AT+MIPCLOSE, answers OK once.
    pub(crate) mdisconnected: bool,
    pub(crate) cache: [Option<CacheEntry>; 4],
    pub(crate) cache_seq: u64,
    pub(crate) files: BTreeMap<String, Vec<u8>>,

    line: Vec<u8>,
    line_overflow: bool,
    echo_buf: Vec<u8>,
    pub(crate) data: Option<DataMode>,
    held: Vec<Vec<u8>>,
    /// URCs that follow the final result of the command being run (`ALREADY CONNECT`).
    pub(crate) after_final: Vec<Vec<u8>>,

    out: VecDeque<(Instant, Vec<u8>)>,
    last_release: Option<Instant>,

    pub(crate) delay: Duration,
    pub(crate) drop_left: usize,
    pub(crate) fails: Vec<(String, FailReply)>,
    pub(crate) chaos: Option<faults::Chaos>,
    pub(crate) timers: Vec<Timer>,
    /// `refuse N`: MCONNECTs still to refuse without asking the broker.
    pub(crate) refuse_left: u32,
    /// `unreachable N`: MIPSTARTs still to fail without a connect attempt.
    pub(crate) unreachable_left: u32,
    /// `corrupt-msub`: direct-mode headers still to print with a wrong byte count.
    pub(crate) corrupt_left: u32,
    /// A slow `AT+CIPSHUT` is running; new command lines are ignored until `SHUT OK`.
    pub(crate) shut_pending: bool,
    /// The first boot has happened (`--mqttmode-at-start` applies to it only).
    pub(crate) booted_once: bool,
    /// Quectel dialect state (unused on the Luat profiles).
    pub(crate) q: quectel::QState,
    /// SIMCom dialect state (unused elsewhere).
    pub(crate) sc: simcom::SState,
    /// Picks among the SIMCom result shapes (`Config::simcom_forms`); seeded, and kept across
    /// reboots so a run repeats.
    pub(crate) form_rng: Rng,
}

impl Module {
    pub fn new(cfg: Config, now: Instant) -> Module {
        let seed = cfg.chaos.as_ref().map_or(0x5EED, |c| c.seed);
        let mut chaos_cfg = cfg.chaos.clone();
        if let Some(c) = chaos_cfg.as_mut().filter(|c| c.default_kinds) {
            // The unrestricted mix of the Quectel profile also has the keepalive failure
            // (`+QMTSTAT: <c>,2`); the Luat mix stays as it was so its seeds replay the same.
            if cfg.profile.is_quectel() || cfg.profile.is_simcom() {
                c.kinds.push(faults::ChaosKind::PingFail);
            }
        }
        let chaos = chaos_cfg.map(faults::Chaos::new);
        let files = cfg.files.iter().cloned().collect();
        let mut m = Module {
            profile: cfg.profile,
            stats: Stats::default(),
            actions: Vec::new(),
            rng: Rng::new(seed ^ 0xA5A5),
            power: Power::Off,
            supply: !cfg.power_off,
            hung: false,
            epoch: 0,
            reset_pin: None,
            pwrkey_pin: None,
            pin_gen: 0,
            s: Settings::default(),
            sim_present: true,
            sim_ready: false,
            net_available: true,
            attached: false,
            pdp: Pdp::Deact,
            csq: 24,
            link: None,
            next_gen: 1,
            mdisconnected: false,
            cache: Default::default(),
            cache_seq: 0,
            files,
            line: Vec::new(),
            line_overflow: false,
            echo_buf: Vec::new(),
            data: None,
            held: Vec::new(),
            after_final: Vec::new(),
            out: VecDeque::new(),
            last_release: None,
            delay: Duration::ZERO,
            drop_left: 0,
            fails: Vec::new(),
            chaos,
            timers: Vec::new(),
            refuse_left: 0,
            unreachable_left: 0,
            corrupt_left: 0,
            shut_pending: false,
            booted_once: false,
            q: quectel::QState::default(),
            sc: simcom::SState::default(),
            form_rng: Rng::new(seed ^ 0x51C0),
            cfg,
        };
        if m.supply {
            m.start_boot(now);
        }
        m
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    pub fn power(&self) -> Power {
        self.power
    }

    pub fn take_actions(&mut self) -> Vec<Action> {
        std::mem::take(&mut self.actions)
    }

    pub(crate) fn act(&mut self, a: Action) {
        self.actions.push(a);
    }

    /// The firmware is up and not hung: it reads commands and prints.
    pub(crate) fn alive(&self) -> bool {
        self.power == Power::Running && !self.hung
    }

    /// The firmware echoes what it reads: ATE1, or a firmware whose ATE0 does not stick.
    pub(crate) fn echo_on(&self) -> bool {
        self.s.echo || self.cfg.echo_stuck
    }

    /// This firmware has AT+MQTTMODE (profile, unless `--no-mqttmode`).
    pub(crate) fn has_mqttmode(&self) -> bool {
        self.profile.has_mqttmode() && !self.cfg.no_mqttmode
    }

    /// STATUS output pin: high while the module is powered on and out of reset (booting,
    /// running, also hung); low when off, shut down or held in reset.
    pub fn status_level(&self) -> u8 {
        u8::from(matches!(self.power, Power::Booting | Power::Running))
    }

    /// Bytes toward the MCU from outside the firmware (`inject`): they arrive whatever the
    /// module's state, behind anything already queued (so `delay` and `drop` still apply).
    pub(crate) fn inject(&mut self, now: Instant, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.enqueue(now, bytes);
        }
    }

    // ----- output toward the MCU -----

    /// Queues bytes toward the MCU, behind anything already queued (the `delay` fault holds
    /// the queue back; order is never changed).
    pub(crate) fn raw_out(&mut self, now: Instant, bytes: Vec<u8>) {
        if !self.alive() || bytes.is_empty() {
            return;
        }
        if !self.echo_buf.is_empty() {
            let echo = std::mem::take(&mut self.echo_buf);
            self.enqueue(now, echo);
        }
        self.enqueue(now, bytes);
    }

    fn enqueue(&mut self, now: Instant, bytes: Vec<u8>) {
        let mut release = now + self.delay;
        if let Some(last) = self.last_release {
            release = release.max(last);
        }
        self.last_release = Some(release);
        self.out.push_back((release, bytes));
    }

    /// One V.250 line: `\r\n<text>\r\n`.
    pub(crate) fn line(&mut self, now: Instant, text: &[u8]) {
        let mut v = Vec::with_capacity(text.len() + 4);
        v.extend_from_slice(b"\r\n");
        v.extend_from_slice(text);
        v.extend_from_slice(b"\r\n");
        self.raw_out(now, v);
    }

    /// An unsolicited result code. While the MCU is sending MPUBEX/FSWRITE data it is held
    /// back and printed after the data's final result.
    pub(crate) fn urc(&mut self, now: Instant, text: &[u8]) {
        if self.data.is_some() {
            if self.held.len() < MAX_HELD {
                let mut v = b"\r\n".to_vec();
                v.extend_from_slice(text);
                v.extend_from_slice(b"\r\n");
                self.held.push(v);
            }
            return;
        }
        self.line(now, text);
    }

    pub(crate) fn release_held(&mut self, now: Instant) {
        for v in std::mem::take(&mut self.held) {
            self.raw_out(now, v);
        }
    }

    pub(crate) fn emit_final(&mut self, now: Instant, f: Final) {
        match f {
            Final::Ok => self.line(now, b"OK"),
            Final::Error => self.line(now, b"ERROR"),
            Final::Cme(code) => {
                let text = match self.s.cmee {
                    0 => "ERROR".to_string(),
                    2 => format!("+CME ERROR: {}", basic::cme_text(code)),
                    _ => format!("+CME ERROR: {code}"),
                };
                self.line(now, text.as_bytes());
            }
            Final::Text(t) => self.line(now, t.as_bytes()),
            Final::Pending => {}
        }
        for urc in std::mem::take(&mut self.after_final) {
            self.urc(now, &urc);
        }
    }

    fn flush_output(&mut self, now: Instant) {
        if !self.echo_buf.is_empty() && self.alive() {
            let echo = std::mem::take(&mut self.echo_buf);
            self.enqueue(now, echo);
        }
        self.echo_buf.clear();
        while self.out.front().is_some_and(|(t, _)| *t <= now) {
            let Some((_, mut bytes)) = self.out.pop_front() else {
                break;
            };
            if self.drop_left > 0 {
                let n = self.drop_left.min(bytes.len());
                bytes.drain(..n);
                self.drop_left -= n;
                self.stats.bytes_dropped += n as u64;
            }
            if !bytes.is_empty() {
                self.stats.bytes_to_mcu += bytes.len() as u64;
                self.actions.push(Action::Serial(bytes));
            }
        }
        if self.out.is_empty() {
            self.last_release = None;
        }
    }

    // ----- input from the MCU -----

    pub fn on_serial(&mut self, now: Instant, bytes: &[u8]) {
        self.stats.bytes_from_mcu += bytes.len() as u64;
        if self.cfg.tx_echo && !bytes.is_empty() {
            // Electrical loopback: no firmware involved, so no queue, no delay, no state.
            self.stats.tx_echo_bytes += bytes.len() as u64;
            self.actions.push(Action::Serial(bytes.to_vec()));
        }
        let mut i = 0;
        while i < bytes.len() && self.alive() {
            if self.data.is_some() {
                i += self.feed_data(now, &bytes[i..]);
                continue;
            }
            let b = bytes[i];
            i += 1;
            if self.echo_on() {
                self.echo_buf.push(b);
            }
            match b {
                b'\r' | b'\n' => {
                    if b == b'\n' && self.line.is_empty() && !self.line_overflow {
                        continue; // the LF of a CRLF
                    }
                    let line = std::mem::take(&mut self.line);
                    let overflow = std::mem::replace(&mut self.line_overflow, false);
                    self.exec_line(now, line, overflow);
                }
                0x08 => {
                    self.line.pop();
                }
                _ if self.line.len() < MAX_LINE => self.line.push(b),
                _ => self.line_overflow = true,
            }
        }
        self.flush_output(now);
    }

    fn exec_line(&mut self, now: Instant, line: Vec<u8>, overflow: bool) {
        let Some(rest) = at::strip_at(&line) else {
            // V.250: a line without "AT" is not a command; the module ignores it.
            return;
        };
        if overflow {
            self.emit_final(now, Final::Error);
            return;
        }
        if self.shut_pending || self.q.open_pending || self.sc.final_pending.is_some() {
            // One command at a time: the firmware reads no new command while CIPSHUT runs
            // (the echo above still happened). Same while a Quectel QMTOPEN holds its final.
            crate::elog!("line ignored: a command is still running");
            return;
        }
        crate::elog!("<- AT{}", crate::log::printable(rest, 120));
        if self.chaos_roll(now) && !self.alive() {
            return; // the injected fault swallowed this command
        }
        let parts: Vec<Vec<u8>> = at::split_compound(rest)
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        for part in parts {
            let Some(cmd) = at::parse_command(&part) else {
                self.stats.count_command("?");
                self.emit_final(now, Final::Error);
                return;
            };
            self.stats.count_command(&cmd.name);
            if let Some(reply) = self.take_fail(&cmd) {
                self.stats.count_fault("fail");
                let f = match reply {
                    FailReply::Error => Final::Error,
                    FailReply::Cme(n) => Final::Cme(n),
                };
                self.emit_final(now, f);
                return;
            }
            match self.dispatch(now, &cmd) {
                Final::Ok => continue,
                Final::Pending => return,
                other => {
                    self.emit_final(now, other);
                    return;
                }
            }
        }
        self.emit_final(now, Final::Ok);
    }

    fn take_fail(&mut self, cmd: &Command) -> Option<FailReply> {
        let name = if cmd.name.is_empty() {
            "AT"
        } else {
            cmd.short_name()
        };
        let pos = self.fails.iter().position(|(n, _)| n == name)?;
        Some(self.fails.remove(pos).1)
    }

    // ----- network -----

    pub fn on_net(&mut self, now: Instant, gen: u64, ev: NetEvent) {
        self.net_event(now, gen, ev);
        self.flush_output(now);
    }

    // ----- control socket -----

    pub fn on_control(&mut self, now: Instant, cmd: ControlCmd) -> Result<String, String> {
        let r = self.control(now, cmd);
        self.flush_output(now);
        r
    }

    // ----- time -----

    pub fn next_deadline(&self) -> Option<Instant> {
        let mut next = self.timers.iter().map(|t| t.at).min();
        let mut consider = |t: Instant| next = Some(next.map_or(t, |n: Instant| n.min(t)));
        if let Some((t, _)) = self.out.front() {
            consider(*t);
        }
        if let Some(d) = &self.data {
            consider(d.deadline);
        }
        if let Some(t) = self.keepalive_due() {
            consider(t);
        }
        next
    }

    pub fn on_timer(&mut self, now: Instant) {
        // Run due timers in time order; a timer may add timers (scheduled `after`), which are
        // picked up by the next loop turn.
        loop {
            let due = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.at <= now)
                .min_by_key(|(_, t)| t.at)
                .map(|(i, _)| i);
            let Some(i) = due else { break };
            let t = self.timers.swap_remove(i);
            if t.epoch.is_none_or(|e| e == self.epoch) {
                self.run_timer(now, t.kind);
            }
        }
        if self.data.as_ref().is_some_and(|d| d.deadline <= now) {
            if self.alive() {
                self.finish_data(now, false);
            } else {
                self.data = None;
            }
        }
        if self.keepalive_due().is_some_and(|t| t <= now) {
            self.keepalive(now);
        }
        self.flush_output(now);
    }

    pub(crate) fn add_timer(&mut self, at: Instant, kind: TimerKind, survives_reboot: bool) {
        let epoch = if survives_reboot {
            None
        } else {
            Some(self.epoch)
        };
        self.timers.push(Timer { at, epoch, kind });
    }

    /// Drops every pending timer of `kind` (its work was done some other way).
    pub(crate) fn cancel_timers(&mut self, kind: TimerKind) {
        self.timers.retain(|t| t.kind != kind);
    }

    fn run_timer(&mut self, now: Instant, kind: TimerKind) {
        match kind {
            TimerKind::Rdy => self.boot_rdy(now),
            TimerKind::SimReady => self.boot_sim_ready(now),
            TimerKind::Attach => self.try_attach(now),
            TimerKind::PdnBack => self.pdn_back(now),
            TimerKind::PinHold { pin, gen } => self.pin_held(now, pin, gen),
            TimerKind::DelayOff => self.delay = Duration::ZERO,
            TimerKind::SimcomSubResult => self.sc_sub_result_due(now),
            TimerKind::ShutOk => {
                if std::mem::take(&mut self.shut_pending) {
                    self.emit_final(now, Final::Text("SHUT OK"));
                }
            }
            TimerKind::Control(cmd) => {
                let r = self.control(now, cmd.clone());
                crate::elog!("scheduled {cmd:?}: {}", r.unwrap_or_else(|e| e));
            }
        }
    }
}
