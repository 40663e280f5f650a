//! Command dispatch, and the general / network commands (V.250 basics, SIM, registration,
//! PDP, power by AT). The MQTT commands are in `mqtt_cmds.rs`, SSL and files in `ssl.rs`.

use std::time::{Duration, Instant};

use super::{Final, Module, Pdp, TimerKind};
use crate::at::{self, Arg, Command, Form};

/// Commands the module accepts with `OK` and that change nothing the emulator models
/// (flow control, RI, sleep, multi-link mode, APN, URC buffering, NV save).
const ACCEPTED_NOOPS: &[&str] = &[
    "&W", "&F", "Z", "V", "Q", "+IFC", "+CFGRI", "+CGEREP", "+CSCLK", "+CGDCONT", "+CSTT",
    "+CIICR", "+ICF", "+CIPMUX", "+CGEQOS", "+CTZU",
];

pub(crate) fn set_args(cmd: &Command) -> Option<Vec<Arg>> {
    match &cmd.form {
        Form::Set(raw) => at::split_args(raw),
        _ => None,
    }
}

/// The single integer argument of `AT+X=<n>`, if it is in `range`.
fn set_int(cmd: &Command, range: std::ops::RangeInclusive<i64>) -> Option<i64> {
    let args = set_args(cmd)?;
    match args.as_slice() {
        [a] => a.as_int().filter(|v| range.contains(v)),
        _ => None,
    }
}

impl Module {
    /// Emits an information line (`+CSQ: 24,99` ...), part of a command's answer.
    pub(crate) fn info(&mut self, now: Instant, text: &str) {
        self.line(now, text.as_bytes());
    }

    pub(crate) fn dispatch(&mut self, now: Instant, cmd: &Command) -> Final {
        if self.profile.is_quectel() {
            return self.q_dispatch(now, cmd);
        }
        if self.profile.is_simcom() {
            return self.sc_dispatch(now, cmd);
        }
        self.dispatch_common(now, cmd)
    }

    /// The Luat dispatch; the Quectel dispatch sends the general commands it shares here.
    pub(crate) fn dispatch_common(&mut self, now: Instant, cmd: &Command) -> Final {
        let name = cmd.name.as_str();
        if ACCEPTED_NOOPS.contains(&name) {
            return Final::Ok;
        }
        match name {
            "" => Final::Ok,
            "E" => match &cmd.form {
                Form::Exec => self.set_echo(false),
                Form::Set(v) if v.as_slice() == b"0" => self.set_echo(false),
                Form::Set(v) if v.as_slice() == b"1" => self.set_echo(true),
                _ => Final::Error,
            },
            "I" => {
                self.info(now, "AirM2M");
                self.info(now, self.profile.model());
                let rev = format!("Revision:{}", self.profile.revision());
                self.info(now, &rev);
                Final::Ok
            }
            "+CGMR" => {
                self.info(now, self.profile.revision());
                Final::Ok
            }
            "+CGSN" | "+GSN" => {
                self.info(now, self.profile.imei());
                Final::Ok
            }
            "+CIMI" => self.sim_info(now, "460081234567890"),
            "+ICCID" | "+CCID" => self.sim_info(now, "+ICCID: 89860012345678901234"),
            "+CMEE" => self.cmd_cmee(now, cmd),
            "+CPIN" => self.cmd_cpin(now, cmd),
            "+CGATT" => self.cmd_cgatt(now, cmd),
            "+CSQ" => self.cmd_csq(now, cmd),
            "+CCLK" => match &cmd.form {
                Form::Read => {
                    let t = format!("+CCLK: {}", super::power::cclk_now());
                    self.info(now, &t);
                    Final::Ok
                }
                Form::Test | Form::Set(_) => Final::Ok,
                Form::Exec => Final::Error,
            },
            "+CREG" => self.cmd_reg(now, cmd, 0),
            "+CGREG" => self.cmd_reg(now, cmd, 1),
            "+CEREG" => self.cmd_reg(now, cmd, 2),
            "+CFUN" => self.cmd_cfun(now, cmd),
            "+RESET" => match cmd.form {
                Form::Exec => {
                    self.emit_final(now, Final::Ok);
                    self.reboot(now, "AT+RESET");
                    Final::Pending
                }
                Form::Test => Final::Ok,
                _ => Final::Error,
            },
            "+CPOWD" => match set_int(cmd, 0..=1) {
                Some(1) => {
                    self.emit_final(now, Final::Text("NORMAL POWER DOWN"));
                    self.power_down(now, "AT+CPOWD=1");
                    Final::Pending
                }
                Some(_) => {
                    self.power_down(now, "AT+CPOWD=0");
                    Final::Pending
                }
                None if cmd.form == Form::Test => {
                    self.info(now, "+CPOWD: (0,1)");
                    Final::Ok
                }
                None => Final::Error,
            },
            "+IPR" => self.cmd_ipr(now, cmd),
            "+CGACT" => self.cmd_cgact(now, cmd),
            "+CIPSHUT" => {
                self.drop_link(now, false);
                if self.attached {
                    self.pdp = Pdp::Shut;
                }
                if self.cfg.shut_ms == 0 {
                    return Final::Text("SHUT OK");
                }
                // The manual allows CIPSHUT up to 90 s; the answer comes when the timer ends.
                self.shut_pending = true;
                let at = now + Duration::from_millis(self.cfg.shut_ms);
                self.add_timer(at, TimerKind::ShutOk, false);
                Final::Pending
            }
            "+CIPSTATUS" => {
                let state = self.ip_state();
                self.after_final
                    .push(format!("STATE: {state}").into_bytes());
                Final::Ok
            }
            "+MCONFIG" | "+MIPSTART" | "+SSLMIPSTART" | "+MCONNECT" | "+MSUB" | "+MUNSUB"
            | "+MPUB" | "+MPUBEX" | "+MQTTMODE" | "+MQTTMSGSET" | "+MQTTMSGGET" | "+MQTTSTATU"
            | "+MDISCONNECT" | "+MIPCLOSE" => self.mqtt_command(now, cmd),
            "+SSLCFG" | "+FSCREATE" | "+FSWRITE" | "+FSDEL" | "+FSLS" => self.ssl_command(now, cmd),
            "+CMGC" => self.cmd_cmgc(now, cmd),
            _ => Final::Error,
        }
    }

    /// With `echo-stuck` the setting changes but the echo does not stop (see `echo_on`).
    fn set_echo(&mut self, on: bool) -> Final {
        self.s.echo = on;
        Final::Ok
    }

    pub(crate) fn sim_info(&mut self, now: Instant, text: &str) -> Final {
        if let Some(err) = self.sim_error() {
            return err;
        }
        self.info(now, text);
        Final::Ok
    }

    /// `+CME ERROR: 10` without a SIM, `14` while it is still initialising after boot.
    fn sim_error(&self) -> Option<Final> {
        if !self.sim_present {
            Some(Final::Cme(10))
        } else if !self.sim_ready {
            Some(Final::Cme(14))
        } else {
            None
        }
    }

    fn cmd_cmee(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                let t = format!("+CMEE: {}", self.s.cmee);
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+CMEE: (0-2)");
                Final::Ok
            }
            _ => match set_int(cmd, 0..=2) {
                Some(v) => {
                    self.s.cmee = v as u8;
                    Final::Ok
                }
                None => Final::Error,
            },
        }
    }

    fn cmd_cpin(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                if let Some(err) = self.sim_error() {
                    return err;
                }
                self.info(now, "+CPIN: READY");
                Final::Ok
            }
            Form::Test => Final::Ok,
            Form::Set(_) => self.sim_error().unwrap_or(Final::Ok),
            Form::Exec => Final::Error,
        }
    }

    fn cmd_cgatt(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                // 8910 V1066: CGATT stays 0 while the default bearer is not active.
                let v = if self.profile == crate::profile::Profile::Air724ug {
                    self.attached && self.pdp == Pdp::Active
                } else {
                    self.attached
                };
                let t = format!("+CGATT: {}", u8::from(v));
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+CGATT: (0-1)");
                Final::Ok
            }
            _ => match set_int(cmd, 0..=1) {
                Some(0) => {
                    self.detach(now, "AT+CGATT=0");
                    Final::Ok
                }
                Some(_) => {
                    if self.attached {
                        Final::Ok
                    } else if self.can_attach() {
                        self.attach(now);
                        Final::Ok
                    } else {
                        Final::Cme(30)
                    }
                }
                None => Final::Error,
            },
        }
    }

    fn cmd_csq(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Exec => {
                let rssi = if self.s.cfun == 1 { self.csq } else { 99 };
                let t = format!("+CSQ: {rssi},99");
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+CSQ: (0-31,99),(0-7,99)");
                Final::Ok
            }
            _ => Final::Error,
        }
    }

    /// Registration status for +CREG/+CGREG/+CEREG: 1 registered, 2 searching, 0 idle.
    pub(crate) fn reg_stat(&self) -> u8 {
        if self.s.cfun != 1 || !self.sim_present {
            0
        } else if self.attached {
            1
        } else {
            2
        }
    }

    fn reg_text(&self, which: usize, with_n: bool) -> String {
        let prefix = ["+CREG", "+CGREG", "+CEREG"][which];
        let n = self.s.reg_urc[which];
        let stat = self.reg_stat();
        let mut t = if with_n {
            format!("{prefix}: {n},{stat}")
        } else {
            format!("{prefix}: {stat}")
        };
        if n >= 2 && stat == 1 {
            // Fixed cell identity (a real one from S16's transcript).
            t.push_str(if which == 1 {
                ",\"4844\",\"0EA2D0CA\""
            } else {
                ",\"4844\",\"0EA2D0CA\",7"
            });
        }
        t
    }

    fn cmd_reg(&mut self, now: Instant, cmd: &Command, which: usize) -> Final {
        let max = if which == 0 { 2 } else { 5 };
        match &cmd.form {
            Form::Read => {
                let t = self.reg_text(which, true);
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                let t = if which == 0 {
                    "+CREG: (0-2)".to_string()
                } else {
                    format!("{}: (0,1,2,3,4,5)", ["+CREG", "+CGREG", "+CEREG"][which])
                };
                self.info(now, &t);
                Final::Ok
            }
            _ => match set_int(cmd, 0..=max) {
                Some(v) => {
                    self.s.reg_urc[which] = v as u8;
                    Final::Ok
                }
                None => Final::Error,
            },
        }
    }

    /// Registration URCs (`+CEREG: 1` ...) for every kind the MCU enabled.
    pub(crate) fn reg_changed(&mut self, now: Instant) {
        for which in 0..3 {
            if self.s.reg_urc[which] >= 1 {
                let t = self.reg_text(which, false);
                self.urc(now, t.as_bytes());
            }
        }
    }

    fn cmd_cfun(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                let t = format!("+CFUN: {}", self.s.cfun);
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+CFUN: (0,1,4),(0,1)");
                Final::Ok
            }
            _ => {
                let Some(args) = set_args(cmd) else {
                    return Final::Error;
                };
                let fun = args.first().and_then(Arg::as_int);
                let rst = match args.get(1) {
                    None => Some(0),
                    Some(a) => a.as_int().filter(|v| (0..=1).contains(v)),
                };
                let (Some(fun @ (0 | 1 | 4)), Some(rst)) = (fun, rst) else {
                    return Final::Error;
                };
                if args.len() > 2 {
                    return Final::Error;
                }
                if rst == 1 {
                    self.emit_final(now, Final::Ok);
                    self.reboot(now, "AT+CFUN=x,1");
                    return Final::Pending;
                }
                if fun == 1 {
                    if self.s.cfun != 1 {
                        self.s.cfun = 1;
                        if self.pdp == Pdp::Deact {
                            self.pdp = Pdp::Shut;
                        }
                        let at = now + Duration::from_millis(self.cfg.attach_ms);
                        self.add_timer(at, TimerKind::Attach, false);
                    }
                } else {
                    self.detach(now, "AT+CFUN radio off");
                    self.s.cfun = fun as u8;
                }
                Final::Ok
            }
        }
    }

    fn cmd_ipr(&mut self, now: Instant, cmd: &Command) -> Final {
        const RATES: &[i64] = &[
            0, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600,
        ];
        match &cmd.form {
            Form::Read => {
                let t = format!("+IPR: {}", self.s.ipr);
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+IPR: (0,600,1200,2400,4800,9600,19200,38400,57600,115200,230400,460800,921600)");
                Final::Ok
            }
            // The rate is stored and reported but the emulator's pacing stays at --baud.
            _ => match set_int(cmd, 0..=921_600).filter(|v| RATES.contains(v)) {
                Some(v) => {
                    self.s.ipr = v as u32;
                    Final::Ok
                }
                None => Final::Error,
            },
        }
    }

    fn cmd_cgact(&mut self, now: Instant, cmd: &Command) -> Final {
        match &cmd.form {
            Form::Read => {
                let t = format!("+CGACT: 1,{}", u8::from(self.pdp == Pdp::Active));
                self.info(now, &t);
                Final::Ok
            }
            Form::Test => {
                self.info(now, "+CGACT: (0,1)");
                Final::Ok
            }
            _ => {
                let Some(args) = set_args(cmd) else {
                    return Final::Error;
                };
                match args.first().and_then(Arg::as_int) {
                    Some(1) if self.attached => {
                        self.pdp = Pdp::Active;
                        Final::Ok
                    }
                    Some(1) => Final::Cme(148),
                    Some(0) => {
                        self.drop_link(now, true);
                        if self.attached {
                            self.pdp = Pdp::Deact;
                        }
                        Final::Ok
                    }
                    _ => Final::Error,
                }
            }
        }
    }

    /// AT+CIPSTATUS-style state of the TCP/IP layer, also used in `STATE: ...` URCs.
    pub(crate) fn ip_state(&self) -> &'static str {
        use super::Phase;
        if !self.attached {
            return "IP INITIAL";
        }
        match (self.pdp, self.link.as_ref().map(|l| l.phase)) {
            (Pdp::NwDeact | Pdp::Deact, _) => "PDP DEACT",
            (Pdp::Shut, _) => "IP INITIAL",
            (_, Some(Phase::Connecting)) => "TCP CONNECTING",
            (_, Some(_)) => "CONNECT OK",
            (_, None) => "IP STATUS",
        }
    }
}

/// Verbose texts for AT+CMEE=2 (docs/luat-at.md §8).
pub(crate) fn cme_text(code: u16) -> &'static str {
    match code {
        3 => "operation not allowed",
        4 => "operation not supported",
        10 => "SIM not inserted",
        14 => "SIM busy",
        30 => "no network service",
        50 => "EXE_FAIL",
        53 => "parameters are invalid",
        62 => "FILE NOT EXIST",
        63 => "FILE TOO LARGE",
        765 => "Invalid input value",
        766 => "Unsupported mode",
        767 => "Operation failed",
        _ => "unknown",
    }
}
