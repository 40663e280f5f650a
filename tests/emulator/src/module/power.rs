//! Power, pins, boot sequence and the radio side (SIM, attach, PDP).
//!
//! Boot output per profile (docs/luat-at.md §2.2):
//! - air780e: garbage bytes `^boot.rom'v'!\n` (as captured in P3), `RDY`; after the attach
//!   delay `^MODE: 17,17`, `+E_UTRAN Service`, `+CGEV: ME PDN ACT 1`, `+NITZ: ...`. No
//!   `+CPIN: READY` URC (G2: not guaranteed on EC618; poll `AT+CPIN?`).
//! - air724ug: `RDY`, then `+CPIN: READY` and `SMS READY` when the SIM is ready (the 8910 boot
//!   log is unknown; G1's URC table and S8's "CPIN READY reported twice" fix suggest these).
//!   Attach is silent: poll `AT+CGATT?`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Module, Pdp, Power, Settings, TimerKind};
use crate::control::Pin;
use crate::profile::{Profile, ResetKind};

impl Module {
    /// Forgets everything the module keeps in RAM. The broker link vanishes without a word
    /// to the MCU (the firmware that would print `CLOSED` is gone).
    fn wipe(&mut self, now: Instant) {
        self.drop_link(now, false);
        self.s = Settings::default();
        self.cache = Default::default();
        self.line.clear();
        self.line_overflow = false;
        self.echo_buf.clear();
        self.data = None;
        self.held.clear();
        self.after_final.clear();
        self.hung = false;
        self.sim_ready = false;
        self.attached = false;
        self.pdp = Pdp::Deact;
        self.mdisconnected = false;
        self.shut_pending = false;
        self.q = super::quectel::QState::default();
        self.sc = super::simcom::SState::default();
        self.epoch += 1;
        self.timers.retain(|t| t.epoch.is_none());
    }

    pub(crate) fn start_boot(&mut self, now: Instant) {
        self.wipe(now);
        if !std::mem::replace(&mut self.booted_once, true) && self.has_mqttmode() {
            // As if an earlier session had set it and the module had stayed powered since:
            // RAM settings survive until the first reboot the emulator sees.
            self.s.mqttmode = self.cfg.mqttmode_at_start;
        }
        self.power = Power::Booting;
        let at = now + Duration::from_millis(self.cfg.boot_ms);
        self.add_timer(at, TimerKind::Rdy, false);
    }

    pub(crate) fn reboot(&mut self, now: Instant, why: &str) {
        crate::elog!("reboot ({why})");
        self.stats.reboots += 1;
        self.start_boot(now);
    }

    pub(crate) fn power_down(&mut self, now: Instant, why: &str) {
        crate::elog!("power down ({why})");
        self.wipe(now);
        self.power = Power::Off;
    }

    pub(crate) fn boot_rdy(&mut self, now: Instant) {
        self.power = Power::Running;
        crate::elog!("boot complete: RDY");
        if self.profile == Profile::Air780e {
            // The boot ROM's banner leaks onto the UART before RDY (P3; S15 saw `?`).
            self.raw_out(now, b"^boot.rom'v'!\n".to_vec());
        }
        self.line(now, self.profile.boot_line());
        let at = now + Duration::from_millis(self.cfg.sim_ms);
        self.add_timer(at, TimerKind::SimReady, false);
        let at = now + Duration::from_millis(self.cfg.attach_ms.max(self.cfg.sim_ms));
        self.add_timer(at, TimerKind::Attach, false);
    }

    pub(crate) fn boot_sim_ready(&mut self, now: Instant) {
        if !self.sim_present {
            self.urc(now, b"+CPIN: SIM REMOVED");
            return;
        }
        self.sim_ready = true;
        if self.profile == Profile::Air724ug {
            self.urc(now, b"+CPIN: READY");
            self.urc(now, b"SMS READY");
        }
        if self.profile.is_quectel() {
            // docs/quectel-simcom-at.md §2.1, LTE Standard parts; the two +QIND lines come in
            // either order on real parts (D5 vs D6), here SMS first.
            for l in [
                &b"+CPIN: READY"[..],
                b"+QUSIM: 1",
                b"+QIND: SMS DONE",
                b"+QIND: PB DONE",
            ] {
                self.urc(now, l);
            }
        }
        if self.profile.is_simcom() {
            // docs/quectel-simcom-at.md §2.2: SIM7600 `+CPIN: READY`, `SMS DONE`, `PB DONE`
            // (S04, S07); A76xx shows `SMS DONE` (S14, S15), `PB DONE` kept for both (its
            // absence on A76xx is not proven).
            for l in [&b"+CPIN: READY"[..], b"SMS DONE", b"PB DONE"] {
                self.urc(now, l);
            }
        }
        self.try_attach(now);
    }

    pub(crate) fn can_attach(&self) -> bool {
        self.alive() && self.sim_present && self.sim_ready && self.net_available && self.s.cfun == 1
    }

    /// Attach timer: attaches if everything needed is there. Before its time the SIM-ready
    /// step does not attach (the timer is still pending).
    pub(crate) fn try_attach(&mut self, now: Instant) {
        let attach_pending = self
            .timers
            .iter()
            .any(|t| t.kind == TimerKind::Attach && t.epoch == Some(self.epoch) && t.at > now);
        if !self.attached && self.can_attach() && !attach_pending {
            self.attach(now);
        }
    }

    pub(crate) fn attach(&mut self, now: Instant) {
        self.attached = true;
        // Quectel: the TCP/IP context is the host's to activate (`AT+QIACT=1`, §3.1).
        self.pdp = if self.profile.is_quectel() {
            Pdp::Deact
        } else {
            Pdp::Active
        };
        crate::elog!(
            "network attached{}",
            if self.pdp == Pdp::Active {
                ", default PDP active"
            } else {
                ""
            }
        );
        if self.profile == Profile::A7670 {
            // The LTE default bearer comes up with the attach (S14, S15).
            self.urc(now, b"+CGEV: EPS PDN ACT 1");
        }
        if self.profile == Profile::Air780e {
            self.urc(now, b"^MODE: 17,17");
            self.urc(now, b"+E_UTRAN Service");
            self.urc(now, b"+CGEV: ME PDN ACT 1");
            let nitz = format!("+NITZ: {},0", nitz_now());
            self.urc(now, nitz.as_bytes());
        }
        self.reg_changed(now);
    }

    /// Loses the network: the link dies with `CLOSED`.
    pub(crate) fn detach(&mut self, now: Instant, why: &str) {
        if !self.attached {
            return;
        }
        crate::elog!("network detached ({why})");
        self.attached = false;
        self.pdp = Pdp::Deact;
        if self.profile.is_simcom() {
            // Losing the network takes the MQTT service down (§4.9).
            self.sc_nonet(now, false);
        }
        self.drop_link(now, true);
        self.reg_changed(now);
    }

    pub(crate) fn pdn_back(&mut self, now: Instant) {
        if self.pdp == Pdp::NwDeact && self.attached && self.alive() {
            self.pdp = Pdp::Active;
            self.urc(now, b"+CGEV: ME PDN ACT 1");
        }
    }

    // ----- pins -----

    /// Level change on a pin. Returns a short description of what the hardware did.
    pub(crate) fn set_pin(&mut self, now: Instant, pin: Pin, asserted: bool) -> &'static str {
        match (pin, asserted) {
            (Pin::Power, true) => self.supply_on(now),
            (Pin::Power, false) => {
                self.supply = false;
                if self.power != Power::Off {
                    self.power_down(now, "supply off");
                }
                "off"
            }
            (Pin::Reset, true) | (Pin::Pwrkey, true) => {
                let slot = if pin == Pin::Reset {
                    &self.reset_pin
                } else {
                    &self.pwrkey_pin
                };
                if slot.is_some() {
                    return "already asserted";
                }
                self.pin_gen += 1;
                let gen = self.pin_gen;
                let min = if pin == Pin::Reset {
                    self.reset_pin = Some((now, gen));
                    self.profile.reset_min()
                } else {
                    self.pwrkey_pin = Some((now, gen));
                    self.profile.pwrkey_min()
                };
                self.add_timer(now + min, TimerKind::PinHold { pin, gen }, true);
                "asserted"
            }
            (Pin::Reset, false) => {
                self.reset_pin = None;
                if self.power == Power::ResetHeld && self.supply {
                    self.reboot(now, "RESET_IN_N released");
                    return "reboot";
                }
                if self.power == Power::Off && self.supply && self.cfg.pwrkey_grounded {
                    self.start_boot(now);
                    return "boot";
                }
                "released"
            }
            (Pin::Pwrkey, false) => {
                self.pwrkey_pin = None;
                "released"
            }
        }
    }

    /// A pin has been asserted for the profile's minimum time.
    pub(crate) fn pin_held(&mut self, now: Instant, pin: Pin, gen: u64) {
        match pin {
            Pin::Reset
                if self.reset_pin.is_some_and(|(_, g)| g == gen)
                    && self.supply
                    && self.power != Power::Off =>
            {
                self.reset_effect(now, true);
            }
            Pin::Pwrkey
                if self.pwrkey_pin.is_some_and(|(_, g)| g == gen)
                    && self.supply
                    && self.power == Power::Off =>
            {
                crate::elog!("PWRKEY held long enough: power on");
                self.start_boot(now);
            }
            _ => {}
        }
    }

    /// What a long-enough reset does. `held` = the pin is still asserted (level mode), so a
    /// rebooting module stays in reset until release.
    fn reset_effect(&mut self, now: Instant, held: bool) -> &'static str {
        match self.profile.reset_kind() {
            ResetKind::Reboot if held => {
                crate::elog!("RESET_IN_N held: module in reset");
                self.wipe(now);
                self.power = Power::ResetHeld;
                "reset held"
            }
            ResetKind::Reboot => {
                self.reboot(now, "RESET_IN_N pulse");
                "reboot"
            }
            ResetKind::Shutdown => {
                self.power_down(now, "RESET_N (Air780E: hardware shutdown)");
                if self.cfg.pwrkey_grounded && !held {
                    self.start_boot(now);
                    return "shutdown, boot (PWRKEY grounded)";
                }
                "shutdown"
            }
        }
    }

    /// `reset [MS]`: a pulse of MS (default: just long enough).
    pub(crate) fn reset_pulse(&mut self, now: Instant, ms: Option<u64>) -> Result<String, String> {
        let min = self.profile.reset_min();
        let len = ms.map_or(min, Duration::from_millis);
        if !self.supply {
            return Ok(r#"{"effect":"none","reason":"no supply"}"#.into());
        }
        if len < min {
            return Ok(format!(
                r#"{{"effect":"none","reason":"pulse {} ms shorter than {} ms"}}"#,
                len.as_millis(),
                min.as_millis()
            ));
        }
        if self.power == Power::Off && self.profile.reset_kind() == ResetKind::Shutdown {
            return Ok(r#"{"effect":"none","reason":"already off"}"#.into());
        }
        let effect = self.reset_effect(now, false);
        Ok(format!(r#"{{"effect":"{effect}"}}"#))
    }

    /// `pwrkey MS`: a PWRKEY pulse. Powers on a module that is off; power-off by PWRKEY is not
    /// emulated (its timing is unknown, docs/luat-at.md §3), so a pulse while on changes nothing.
    pub(crate) fn pwrkey_pulse(&mut self, now: Instant, ms: u64) -> Result<String, String> {
        let min = self.profile.pwrkey_min();
        if !self.supply {
            return Ok(r#"{"effect":"none","reason":"no supply"}"#.into());
        }
        if Duration::from_millis(ms) < min {
            return Ok(format!(
                r#"{{"effect":"none","reason":"pulse {ms} ms shorter than {} ms"}}"#,
                min.as_millis()
            ));
        }
        if self.power != Power::Off {
            return Ok(r#"{"effect":"none","reason":"already on"}"#.into());
        }
        self.start_boot(now);
        Ok(r#"{"effect":"boot"}"#.into())
    }

    pub(crate) fn supply_on(&mut self, now: Instant) -> &'static str {
        self.supply = true;
        if self.power != Power::Off {
            return "already on";
        }
        let key_held = self
            .pwrkey_pin
            .is_some_and(|(t, _)| now.duration_since(t) >= self.profile.pwrkey_min());
        if self.cfg.pwrkey_grounded || key_held {
            self.start_boot(now);
            "boot"
        } else {
            "supply on, waiting for PWRKEY"
        }
    }
}

/// Current UTC time as `+NITZ` prints it: `2024/07/10,08:33:44+0` (P3's form).
fn nitz_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}/{m:02}/{d:02},{:02}:{:02}:{:02}+0",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The clock as `AT+CCLK?` prints it, local time in China (UTC+8, 32 quarter hours) as the
/// modules report it once the network gave the time: `"24/08/22,07:27:15+32"`.
pub(crate) fn cclk_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 8 * 3600;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "\"{:02}/{m:02}/{d:02},{:02}:{:02}:{:02}+32\"",
        y % 100,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn civil_dates() {
        assert_eq!(super::civil_from_days(0), (1970, 1, 1));
        assert_eq!(super::civil_from_days(19_914), (2024, 7, 10));
        assert_eq!(super::civil_from_days(11_016), (2000, 2, 29));
    }
}
