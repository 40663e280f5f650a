//! The command pipeline: what each in-flight command is, the AT text it stands for, and
//! streaming that text to the UART without a TX buffer (the encoder resumes from a cursor).

use super::{Engine, PubSource};
use crate::config::{Config, Options};
use crate::dialect::luat::encode::{
    encode, mpub_escaped_len, needs_binary, Command, SslValue, TxCursor, Will,
};
use crate::event::Subject;
use crate::time;

/// What a command is for. Results are routed by this.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cmd {
    Probe,
    EchoOff,
    SimQuery,
    AttachQuery,
    Signal,
    MsgMode,
    /// `AT+MQTTMODE=0`.
    DataMode,
    /// `ATE0` again, after echo came back (between the session's own commands).
    EchoAgain,
    Ssl(u8),
    CloseStale,
    /// `AT+CIPSHUT` after `+PDP DEACT` (the vendor's handling, docs/luat-at.md §4 +PDP DEACT).
    Shut,
    Configure,
    Open,
    Connect,
    /// `AT+MSUB` for the filter record at `at`, requested as `id`.
    Subscribe {
        at: usize,
        id: u16,
    },
    Unsubscribe {
        at: usize,
        id: u16,
    },
    /// `AT+MPUB` with the whole message.
    Publish(PubSource),
    /// `AT+MPUBEX` header; the `>` prompt is its result.
    PublishHeader(PubSource),
    /// The raw message after the prompt.
    PublishData(PubSource),
    CacheRead,
    Verify,
    Disconnect,
    CloseForStop,
    SoftReset,
    /// An identity query (once per boot).
    Identity(super::Fact),
    /// The oldest queued AT command (the application's, or signal/time on demand), by id.
    Queued(u16),
}

impl Cmd {
    /// What log entries call it.
    pub fn subject(self) -> Subject {
        match self {
            Cmd::Probe => Subject::At,
            Cmd::EchoOff | Cmd::EchoAgain => Subject::Ate0,
            Cmd::SimQuery => Subject::Cpin,
            Cmd::AttachQuery => Subject::Cgatt,
            Cmd::Signal => Subject::Csq,
            Cmd::MsgMode => Subject::MqttMsgSet,
            Cmd::DataMode => Subject::MqttMode,
            Cmd::Ssl(_) => Subject::SslCfg,
            Cmd::CloseStale | Cmd::CloseForStop => Subject::MipClose,
            Cmd::Shut => Subject::CipShut,
            Cmd::Configure => Subject::MConfig,
            Cmd::Open => Subject::MipStart,
            Cmd::Connect => Subject::MConnect,
            Cmd::Subscribe { .. } => Subject::MSub,
            Cmd::Unsubscribe { .. } => Subject::MUnsub,
            Cmd::Publish(_) => Subject::MPub,
            Cmd::PublishHeader(_) | Cmd::PublishData(_) => Subject::MPubEx,
            Cmd::CacheRead => Subject::MqttMsgGet,
            Cmd::Verify => Subject::MqttStatu,
            Cmd::Disconnect => Subject::MDisconnect,
            Cmd::SoftReset => Subject::Reset,
            Cmd::Identity(_) => Subject::Identity,
            Cmd::Queued(_) => Subject::Queued,
        }
    }
}

/// The command being written or awaiting its final result.
#[derive(Clone, Copy, Debug)]
pub(super) struct InFlight {
    pub cmd: Cmd,
    pub cursor: TxCursor,
    pub written: bool,
    pub deadline: u32,
    pub epoch: u16,
}

/// How a payload goes out: `Some(false)` MPUB, `Some(true)` MPUBEX, `None` impossible
/// (binary or too long for MPUB while MPUBEX is disabled).
pub(crate) fn publish_form(cfg: &Config<'_>, payload: &[u8]) -> Option<bool> {
    let ex_allowed = !cfg.options.contains(Options::NO_MPUBEX);
    let escapable = cfg.profile.escapes_backslash() || !payload.contains(&b'\\');
    let mpub_ok =
        !needs_binary(payload) && escapable && mpub_escaped_len(payload) <= cfg.profile.mpub_max();
    if !mpub_ok {
        return ex_allowed.then_some(true);
    }
    // MPUBEX cannot send an empty message (len 1..4100).
    let extra = mpub_escaped_len(payload).saturating_sub(payload.len());
    Some(ex_allowed && !payload.is_empty() && extra > usize::from(cfg.mpubex_above_extra))
}

/// The SSLCFG items in the order they are sent; `None` when not configured.
fn ssl_item<'b>(cfg: &'b Config<'_>, i: u8) -> Option<(&'static [u8], SslValue<'b>)> {
    let t = &cfg.tls;
    let s = |v: &'b [u8]| (!v.is_empty()).then_some(SslValue::Str(v));
    let n = |v: Option<u8>| v.map(|x| SslValue::Num(u32::from(x)));
    let (tag, value): (&'static [u8], Option<SslValue<'b>>) = match i {
        0 => (b"sslversion", n(t.version)),
        1 => (b"cacert", s(t.ca_file)),
        2 => (b"clientcert", s(t.client_cert_file)),
        3 => (b"clientkey", s(t.client_key_file)),
        4 => (b"seclevel", n(t.seclevel)),
        5 => (b"hostname", s(t.sni)),
        _ => return None,
    };
    value.map(|v| (tag, v))
}

/// Index of the first configured SSLCFG item at or after `from`.
pub(super) fn next_ssl_item(cfg: &Config<'_>, from: u8) -> Option<u8> {
    (from..6).find(|i| ssl_item(cfg, *i).is_some())
}

impl<'a> Engine<'a> {
    /// The AT command `cmd` stands for, borrowing strings from config, queue and table.
    fn command(&self, cmd: Cmd) -> Command<'_> {
        let cfg = &self.cfg;
        match cmd {
            Cmd::Probe => Command::At,
            Cmd::EchoOff | Cmd::EchoAgain => Command::EchoOff,
            Cmd::SimQuery => Command::SimQuery,
            Cmd::AttachQuery => Command::AttachQuery,
            Cmd::Signal => Command::SignalQuery,
            Cmd::MsgMode => Command::MsgMode {
                cache: self.cache_mode(),
            },
            Cmd::DataMode => Command::DataModeText,
            Cmd::Ssl(i) => match ssl_item(cfg, i) {
                Some((tag, value)) => Command::SslCfg { tag, value },
                None => Command::At,
            },
            Cmd::CloseStale | Cmd::CloseForStop => Command::Mipclose,
            Cmd::Shut => Command::CipShut,
            Cmd::Configure => Command::Mconfig {
                client_id: self.client_id(),
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
                tls: cfg.options.contains(Options::TLS),
            },
            Cmd::Connect => Command::Mconnect {
                clean: cfg.options.contains(Options::CLEAN_SESSION),
                keepalive_s: cfg.keepalive_s,
            },
            Cmd::Subscribe { at, .. } => match self.subs.iter().find(|s| s.at == at) {
                Some(s) => Command::Msub {
                    topic: s.filter,
                    qos: s.qos,
                },
                None => Command::At,
            },
            Cmd::Unsubscribe { at, .. } => match self.subs.iter().find(|s| s.at == at) {
                Some(s) => Command::Munsub { topic: s.filter },
                None => Command::At,
            },
            Cmd::Publish(src) | Cmd::PublishHeader(src) | Cmd::PublishData(src) => {
                let Some((topic, payload, qos, retain)) = self.publish_parts(src) else {
                    return Command::At;
                };
                match cmd {
                    Cmd::Publish(_) => Command::Mpub {
                        topic,
                        qos,
                        retain,
                        payload,
                    },
                    Cmd::PublishHeader(_) => Command::MpubEx {
                        topic,
                        qos,
                        retain,
                        len: payload.len(),
                    },
                    _ => Command::Raw(payload),
                }
            }
            Cmd::CacheRead => Command::MsgGet,
            Cmd::Verify => Command::MqttStatus,
            Cmd::Disconnect => Command::Mdisconnect,
            Cmd::SoftReset => Command::Reset,
            Cmd::Identity(f) => Command::Line(f.command()),
            Cmd::Queued(_) => match self.at_queue.front() {
                Some(q) => Command::Line(q.text()),
                None => Command::At,
            },
        }
    }

    /// The client id the session connects with: the IMEI where asked and read, else the
    /// configured one.
    pub(super) fn client_id(&self) -> &[u8] {
        let imei = self.facts.imei.get();
        if self.cfg.options.contains(Options::CLIENT_ID_IMEI) && !imei.is_empty() {
            imei
        } else {
            self.cfg.client_id
        }
    }

    /// Topic, payload, QoS and retain of a publish source.
    pub(super) fn publish_parts(&self, src: PubSource) -> Option<(&[u8], &[u8], u8, bool)> {
        match src {
            PubSource::Queue => self
                .queue
                .front()
                .map(|e| (e.topic, e.payload, e.qos, e.retain)),
            PubSource::Online => {
                let w = self.cfg.will?;
                Some((w.topic, self.cfg.online_payload?, w.qos, w.retain))
            }
        }
    }

    /// The command that starts sending a publish (MPUB, or the MPUBEX header).
    pub(super) fn publish_cmd(&self, src: PubSource) -> Option<Cmd> {
        let (_, payload, ..) = self.publish_parts(src)?;
        if self.mpub_fallback == Some(src) {
            return Some(Cmd::PublishHeader(src));
        }
        match publish_form(&self.cfg, payload)? {
            true => Some(Cmd::PublishHeader(src)),
            false => Some(Cmd::Publish(src)),
        }
    }

    /// Puts `cmd` in flight with its deadline.
    pub(super) fn issue(&mut self, cmd: Cmd) {
        let t = &self.cfg.timeouts;
        let wait = match cmd {
            Cmd::Probe => t.poll_interval_ms,
            Cmd::PublishHeader(_) => t.prompt_ms,
            Cmd::Shut => t.shut_ms,
            Cmd::Queued(_) => self.at_queue.front().map_or(t.command_ms, |q| q.timeout_ms),
            _ => t.command_ms,
        };
        self.tok
            .set_expect_prompt(matches!(cmd, Cmd::PublishHeader(_)));
        self.seen = super::Seen::default();
        self.on_issue(cmd);
        self.stats.commands = self.stats.commands.wrapping_add(1);
        self.inflight = Some(InFlight {
            cmd,
            cursor: TxCursor::new(),
            written: false,
            deadline: time::after(self.now, wait),
            epoch: self.epoch,
        });
    }

    /// Writes the next chunk of the command in flight, issuing one first if the step has one
    /// ready. Returns true when something was written or issued.
    pub(super) fn step_tx<W: embedded_io::Write>(&mut self, uart: &mut W) -> bool {
        let Some(f) = self.inflight else {
            return match self.next_command() {
                Some(cmd) => {
                    self.issue(cmd);
                    true
                }
                None => false,
            };
        };
        if f.written {
            return false;
        }
        let mut chunk = [0u8; 64];
        let mut after = f.cursor;
        let n = encode(&self.command(f.cmd), &mut after, &mut chunk);
        if n == 0 {
            if let Some(f) = self.inflight.as_mut() {
                f.written = true;
            }
            return true;
        }
        let accepted = match uart.write(chunk.get(..n).unwrap_or(&[])) {
            Ok(0) => {
                self.tx_blocked = true;
                return false;
            }
            Ok(k) => k.min(n),
            Err(_) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                self.tx_blocked = true;
                return false;
            }
        };
        if accepted < n {
            // Advance the cursor over exactly what the UART took.
            after = f.cursor;
            if let Some(part) = chunk.get_mut(..accepted) {
                encode(&self.command(f.cmd), &mut after, part);
            }
        }
        self.stats.tx_bytes = self.stats.tx_bytes.wrapping_add(accepted as u32);
        if let Some(f) = self.inflight.as_mut() {
            f.cursor = after;
        }
        true
    }

    /// True when `step_tx` would issue a command now.
    pub(super) fn has_command_ready(&self) -> bool {
        self.peek_command().is_some()
    }

    fn next_command(&mut self) -> Option<Cmd> {
        self.peek_command()
    }
}
