//! Control-socket commands, fault injection and `--chaos`.

use std::time::{Duration, Instant};

use super::{Module, Pdp, Phase, Power, TimerKind};
use crate::control::{ControlCmd, Fault, Pin, HELP};
use crate::rng::Rng;

/// Faults `--chaos` can pick from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChaosKind {
    Close,
    PdnDeact,
    PdpDeact,
    Hang,
    Reboot,
    Garbage,
    Drop,
    Delay,
    Refuse,
    Unreachable,
    /// The keepalive fails (Quectel `+QMTSTAT: <c>,2`; Luat `CLOSED`). Not in [`ChaosKind::ALL`]
    /// so the Luat mix (and its seeds) stays as before; the Quectel default mix adds it.
    PingFail,
}

impl ChaosKind {
    pub const ALL: [ChaosKind; 10] = [
        ChaosKind::Close,
        ChaosKind::PdnDeact,
        ChaosKind::PdpDeact,
        ChaosKind::Hang,
        ChaosKind::Reboot,
        ChaosKind::Garbage,
        ChaosKind::Drop,
        ChaosKind::Delay,
        ChaosKind::Refuse,
        ChaosKind::Unreachable,
    ];

    pub fn parse(s: &str) -> Option<ChaosKind> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "close" => ChaosKind::Close,
            "pdn-deact" => ChaosKind::PdnDeact,
            "pdp-deact" => ChaosKind::PdpDeact,
            "hang" => ChaosKind::Hang,
            "reboot" => ChaosKind::Reboot,
            "garbage" => ChaosKind::Garbage,
            "drop" => ChaosKind::Drop,
            "delay" => ChaosKind::Delay,
            "refuse" => ChaosKind::Refuse,
            "unreachable" => ChaosKind::Unreachable,
            "ping-fail" => ChaosKind::PingFail,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ChaosConfig {
    pub seed: u64,
    /// Probability per AT command line received.
    pub rate: f64,
    pub kinds: Vec<ChaosKind>,
    /// No `--chaos-kinds` was given: the profile's whole mix applies.
    pub default_kinds: bool,
}

impl ChaosConfig {
    /// Parses `SEED:RATE` (RATE in [0, 1]).
    pub fn parse(spec: &str) -> Result<ChaosConfig, String> {
        let (seed, rate) = spec.split_once(':').ok_or("expected SEED:RATE")?;
        let seed: u64 = seed
            .trim()
            .parse()
            .map_err(|_| format!("bad chaos seed {seed:?}"))?;
        let rate: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("bad chaos rate {rate:?}"))?;
        if !(0.0..=1.0).contains(&rate) {
            return Err("chaos rate must be between 0 and 1".into());
        }
        Ok(ChaosConfig {
            seed,
            rate,
            kinds: ChaosKind::ALL.to_vec(),
            default_kinds: true,
        })
    }

    pub fn set_kinds(&mut self, list: &str) -> Result<(), String> {
        let kinds = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| ChaosKind::parse(s).ok_or_else(|| format!("unknown chaos kind {s:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        if kinds.is_empty() {
            return Err("--chaos-kinds needs at least one kind".into());
        }
        self.kinds = kinds;
        self.default_kinds = false;
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct Chaos {
    cfg: ChaosConfig,
    rng: Rng,
}

impl Chaos {
    pub(crate) fn new(cfg: ChaosConfig) -> Chaos {
        let rng = Rng::new(cfg.seed);
        Chaos { cfg, rng }
    }

    #[cfg(test)]
    pub(crate) fn kinds(&self) -> &[ChaosKind] {
        &self.cfg.kinds
    }
}

impl Module {
    /// Runs one control command. `Ok("")` is a plain `ok`, `Ok(json)` is `ok <json>`.
    pub(crate) fn control(&mut self, now: Instant, cmd: ControlCmd) -> Result<String, String> {
        crate::elog!("control: {cmd:?}");
        match cmd {
            ControlCmd::Reset(ms) => self.reset_pulse(now, ms),
            ControlCmd::PowerOff => Ok(effect(self.set_pin(now, Pin::Power, false))),
            ControlCmd::PowerOn => Ok(effect(self.set_pin(now, Pin::Power, true))),
            ControlCmd::Pwrkey(ms) => self.pwrkey_pulse(now, ms),
            ControlCmd::Pin(pin, level) => Ok(effect(self.set_pin(now, pin, level))),
            ControlCmd::Fault(f) => {
                self.apply_fault(now, f, false);
                Ok(String::new())
            }
            ControlCmd::After(ms, inner) => {
                self.add_timer(
                    now + Duration::from_millis(ms),
                    TimerKind::Control(*inner),
                    true,
                );
                Ok(format!(r#"{{"scheduled_in_ms":{ms}}}"#))
            }
            ControlCmd::Stats => Ok(self.stats.to_json().to_string()),
            ControlCmd::State => Ok(self.state_json().to_string()),
            ControlCmd::BootMs(ms) => {
                self.cfg.boot_ms = ms;
                Ok(String::new())
            }
            ControlCmd::Csq(v) => {
                self.csq = v;
                Ok(String::new())
            }
            ControlCmd::PinStatus => Ok(format!(r#"{{"level":{}}}"#, self.status_level())),
            ControlCmd::EchoStuck(on) => {
                self.cfg.echo_stuck = on;
                Ok(String::new())
            }
            ControlCmd::TxEcho(on) => {
                self.cfg.tx_echo = on;
                Ok(String::new())
            }
            ControlCmd::MqttMode(v) => {
                if !self.has_mqttmode() {
                    return Err("this firmware has no AT+MQTTMODE".into());
                }
                self.s.mqttmode = v;
                Ok(String::new())
            }
            ControlCmd::ShutDelay(ms) => {
                self.cfg.shut_ms = ms;
                Ok(String::new())
            }
            ControlCmd::Inject(bytes) => {
                let n = bytes.len();
                self.inject(now, bytes);
                Ok(format!(r#"{{"bytes":{n}}}"#))
            }
            ControlCmd::Help => Ok(serde_json::json!({ "commands": HELP }).to_string()),
        }
    }

    pub(crate) fn apply_fault(&mut self, now: Instant, f: Fault, chaos: bool) {
        // `refuse 3` arms three refusals: count each, so the counter says what the MCU will see.
        let n = match f {
            Fault::Refuse(n) | Fault::Unreachable(n) | Fault::CorruptMsub(n) => u64::from(n),
            _ => 1,
        };
        self.stats.count_faults(f.kind(), n);
        if chaos {
            self.stats.chaos_faults += 1;
        }
        crate::elog!("fault{}: {f:?}", if chaos { " (chaos)" } else { "" });
        match f {
            Fault::Close => self.drop_link(now, true),
            Fault::PingFail => {
                if self.profile.is_quectel() {
                    self.q_drop_link(now, 2);
                } else if self.profile.is_simcom() {
                    self.sc_ping_failed(now);
                } else {
                    // What a missed PINGRESP does on the Luat firmware (net.rs keepalive).
                    self.drop_link(now, true);
                }
            }
            Fault::PdnDeact | Fault::PdpDeact if self.profile.is_quectel() => {
                self.q_pdp_deact(now);
            }
            Fault::PdnDeact | Fault::PdpDeact if self.profile.is_simcom() => {
                self.sc_nonet(now, f == Fault::PdpDeact);
            }
            Fault::PdnDeact => {
                self.drop_link(now, false);
                self.urc(now, b"+CGEV: NW PDN DEACT 1");
                if self.attached {
                    self.pdp = Pdp::NwDeact;
                    let at = now + Duration::from_millis(self.cfg.pdn_back_ms);
                    self.add_timer(at, TimerKind::PdnBack, false);
                }
            }
            Fault::PdpDeact => {
                self.drop_link(now, false);
                self.urc(now, b"+PDP DEACT");
                if self.attached {
                    self.pdp = Pdp::Deact;
                }
            }
            Fault::Hang => {
                if self.alive() {
                    self.hung = true;
                }
            }
            Fault::Reboot => {
                if self.supply && self.power != super::Power::Off {
                    self.reboot(now, "spontaneous (fault)");
                }
            }
            Fault::Garbage(n) => {
                let n = n.min(1 << 20);
                let bytes = self.rng.bytes(n);
                if self.alive() {
                    self.stats.garbage_bytes += n as u64;
                }
                self.raw_out(now, bytes);
            }
            Fault::Drop(n) => self.drop_left = self.drop_left.saturating_add(n),
            Fault::Delay(ms) => self.delay = Duration::from_millis(ms),
            Fault::Sim(false) => {
                if self.sim_present {
                    self.sim_present = false;
                    self.sim_ready = false;
                    self.urc(now, b"+CPIN: SIM REMOVED");
                    self.detach(now, "SIM removed");
                }
            }
            Fault::Sim(true) => {
                if !self.sim_present {
                    self.sim_present = true;
                    if self.alive() {
                        let at = now + Duration::from_millis(self.cfg.sim_ms);
                        self.add_timer(at, TimerKind::SimReady, false);
                    }
                }
            }
            Fault::Attach(false) => {
                self.net_available = false;
                self.detach(now, "network (fault)");
            }
            Fault::Attach(true) => {
                self.net_available = true;
                self.try_attach(now);
            }
            Fault::Fail { cmd, reply } => self.fails.push((cmd, reply)),
            Fault::Refuse(n) => self.refuse_left = self.refuse_left.saturating_add(n),
            Fault::Unreachable(n) => {
                self.unreachable_left = self.unreachable_left.saturating_add(n)
            }
            Fault::CorruptMsub(n) => self.corrupt_left = self.corrupt_left.saturating_add(n),
        }
    }

    /// `--chaos`: rolls once per command line. Returns true if a fault was injected.
    pub(crate) fn chaos_roll(&mut self, now: Instant) -> bool {
        let Some(ch) = self.chaos.as_mut() else {
            return false;
        };
        if ch.cfg.kinds.is_empty() || ch.rng.next_f64() >= ch.cfg.rate {
            return false;
        }
        let idx = ch.rng.range(0, ch.cfg.kinds.len() as u64 - 1) as usize;
        let kind = ch.cfg.kinds.get(idx).copied().unwrap_or(ChaosKind::Close);
        let fault = match kind {
            ChaosKind::Close => Fault::Close,
            ChaosKind::PdnDeact => Fault::PdnDeact,
            ChaosKind::PdpDeact => Fault::PdpDeact,
            ChaosKind::Hang => Fault::Hang,
            ChaosKind::Reboot => Fault::Reboot,
            ChaosKind::Garbage => Fault::Garbage(ch.rng.range(1, 16) as usize),
            ChaosKind::Drop => Fault::Drop(ch.rng.range(1, 24) as usize),
            ChaosKind::Delay => {
                // A burst: slow answers for a while, then back to normal by themselves.
                let ms = ch.rng.range(200, 2000);
                let lasts = Duration::from_millis(ch.rng.range(1000, 5000));
                self.add_timer(now + lasts, TimerKind::DelayOff, true);
                Fault::Delay(ms)
            }
            ChaosKind::Refuse => Fault::Refuse(1),
            ChaosKind::Unreachable => Fault::Unreachable(1),
            ChaosKind::PingFail => Fault::PingFail,
        };
        self.apply_fault(now, fault, true);
        true
    }
}

impl Module {
    /// Compact JSON of the visible state, for `state` on the control socket and for tests.
    pub fn state_json(&self) -> serde_json::Value {
        let mqtt = match self.link.as_ref().map(|l| l.phase) {
            None => "none",
            Some(Phase::Connecting) => "connecting",
            Some(Phase::TcpUp) => "tcp",
            Some(Phase::MqttWait) => "connack-wait",
            Some(Phase::Connected) => "connected",
        };
        let mut v = serde_json::json!({
            "profile": self.profile.name(),
            "power": match self.power {
                Power::Off => "off",
                Power::Booting => "booting",
                Power::Running => "running",
                Power::ResetHeld => "reset",
            },
            "supply": self.supply,
            "hung": self.hung,
            "sim": if self.sim_present { "present" } else { "absent" },
            "attached": self.attached,
            "pdp": format!("{:?}", self.pdp).to_ascii_lowercase(),
            "mqtt": mqtt,
            "status": self.status_level(),
            "echo": self.s.echo,
            "echo_stuck": self.cfg.echo_stuck,
            "tx_echo": self.cfg.tx_echo,
            "mqttmode": self.s.mqttmode,
            "shut_ms": self.cfg.shut_ms,
            "msgset": self.s.msgset,
            "cache_valid": self.cache.iter().filter(|c| c.is_some()).count(),
            "delay_ms": self.delay.as_millis() as u64,
            "drop_pending": self.drop_left,
            "fail_pending": self.fails.len(),
            "refuse_pending": self.refuse_left,
            "unreachable_pending": self.unreachable_left,
            "corrupt_msub_pending": self.corrupt_left,
        });
        if self.profile.is_quectel() {
            v["quectel"] = self.q_state_json();
        }
        if self.profile.is_simcom() {
            v["simcom"] = self.sc_state_json();
        }
        v
    }
}

fn effect(what: &str) -> String {
    format!(r#"{{"effect":"{what}"}}"#)
}
