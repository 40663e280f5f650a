//! Command-line flags (hand-rolled: a dozen flags do not justify a parser crate's build time).

use std::time::Duration;

use crate::module::{ChaosConfig, Config, ConnectFailForm, PubFailForm};
use crate::profile::Profile;
use crate::serial::Endpoint;

#[derive(Debug, Clone)]
pub struct Options {
    pub endpoint: Endpoint,
    pub control: Option<String>,
    pub baud: Option<u32>,
    pub module: Config,
    pub connect_timeout: Duration,
    pub net_latency: Duration,
    pub embedded_broker: Option<u16>,
    pub log: Option<String>,
    pub quiet: bool,
    /// Exit after this long (scripts, smoke tests); `None` = run until killed.
    pub exit_after: Option<Duration>,
    /// `--replay FILE` and `--replay-speed X` (src/replay.rs).
    pub replay: Option<String>,
    pub replay_speed: f64,
}

pub const USAGE: &str = "\
cellmqtt-emu: emulates a Cat.1 module running its built-in MQTT client over AT: Luat (Air724UG /
Air780E, AT+M* commands), Quectel (EC200U family, AT+QMT* commands) or SIMCom (A7670 / A76xx,
SIM7600, AT+CMQTT* commands).

Serial side (one of):
  --pty [--pty-link PATH]   create a pseudo-terminal (path in the ready line; optional symlink)
  --listen HOST:PORT        accept the MCU / QEMU UART over TCP (port 0 = any free port)
  --connect HOST:PORT       connect to a TCP UART (QEMU chardev server=on)
Options:
  --control HOST:PORT       line-based control socket for pins and faults (port 0 = any)
  --profile air724ug|air780e|ec200u|a7670|sim7600  module family (default air724ug; ec200u
                            also as ec600u, eg915u, quectel; a7670 also as a7672, a76xx,
                            a7600, simcom; sim7600 also as sim7500, sim7800)
  --baud N                  pace both directions at N baud 8N1 (default: unpaced)
  --boot-ms MS              power-on/reset to RDY (default 1500)
  --sim-ms MS               after RDY, AT+CPIN? answers +CME ERROR: 14 this long (default 800)
  --attach-ms MS            after RDY, network attach and PDP after this long (default 3000)
  --pdn-back-ms MS          default bearer returns this long after pdn-deact (default 1000)
  --mpubex-idle-ms MS       MPUBEX without length ends after this idle time (default 5000)
  --connect-timeout-ms MS   TCP/TLS connect timeout for MIPSTART (default 30000)
  --net-latency-ms MS       network events (CONNECT OK, acks, messages, CLOSED) arrive MS later (default 0)
  --power-off               start with the supply off (use `power on` + PWRKEY)
  --pwrkey-grounded         PWRKEY tied to GND: boots whenever the supply comes on
  --echo-stuck              firmware bug: ATE0 answers OK but echo stays on
  --tx-echo                 board loops every MCU byte straight back (whatever ATE says)
  --mqttmode-at-start 0|1   AT+MQTTMODE in force at the first boot only (reboots set 0)
  --no-mqttmode             firmware without AT+MQTTMODE (it answers ERROR)
  --shut-ms MS              AT+CIPSHUT answers SHUT OK after MS (default 0)
  --chaos SEED:RATE         inject seeded random faults, RATE per AT command (0..1)
  --chaos-kinds LIST        comma list from close,pdn-deact,pdp-deact,hang,reboot,garbage,drop,delay,
                            refuse,unreachable,ping-fail
  --qmtconn-two-fields      ec200u: +QMTCONN: <c>,<result> without the CONNACK code
  --qmtrecv-next-line       ec200u: with the length on, the +QMTRECV payload on the next line
  --qmtopen-error-after     ec200u: QMTOPEN waits for the connect; failure = +QMTOPEN: <c>,-1, ERROR
  --no-qmtpubex             ec200u: firmware without AT+QMTPUBEX (ERROR); AT+QMTPUB with a length publishes
  --cmqttconnect-fail F     a7670/sim7600: a failed CMQTTCONNECT prints async (OK, +CMQTTCONNECT: <c>,<err>),
                            sync (+CMQTTCONNECT: <c>,<err>, ERROR), bare (ERROR) or mixed (seeded, default)
  --cmqttpub-fail F         a7670/sim7600: a failed QoS>0 CMQTTPUB prints async (OK ... +CMQTTPUB: <c>,<err>),
                            sync (final held: +CMQTTPUB: <c>,<err>, ERROR) or mixed (seeded, default)
  --cmqttsub-rx-first X     a7670/sim7600: retained messages before the +CMQTTSUB result: on, off,
                            mixed (seeded, default)
  --file NAME=PATH          put a host file into the module's file system (e.g. ca.crt)
  --embedded-broker PORT    run an in-process MQTT broker on 127.0.0.1:PORT (feature embedded-broker)
  --exit-after-ms MS        exit after MS (for scripts; default: run until killed)
  --replay FILE             play the module's side of a cellmqtt-trace v1 file and compare the
                            MCU's side; prints a replay_done JSON line, exit 0 if all matched
  --replay-speed X          divide the trace's module-side gaps by X (default 1; capped at 2 s)
  --log FILE                diagnostics to FILE instead of stderr
  --quiet                   no diagnostics
  --help, --version
";

fn value<'a>(args: &'a [String], i: &mut usize, flag: &str) -> Result<&'a str, String> {
    *i += 1;
    args.get(*i)
        .map(String::as_str)
        .ok_or_else(|| format!("{flag} needs a value"))
}

/// A duration flag, at most 24 h (keeps `now + MS` far from overflowing).
fn millis(s: &str, flag: &str) -> Result<u64, String> {
    let v: u64 = number(s, flag)?;
    if v > crate::control::MAX_MS {
        return Err(format!("{flag}: at most {} ms", crate::control::MAX_MS));
    }
    Ok(v)
}

fn number<T: std::str::FromStr>(s: &str, flag: &str) -> Result<T, String> {
    s.parse().map_err(|_| format!("{flag}: bad number {s:?}"))
}

/// Parses the arguments (without the program name). `Ok(None)` = help/version was printed.
pub fn parse(args: &[String]) -> Result<Option<Options>, String> {
    let mut endpoint: Option<Endpoint> = None;
    let mut pty_link: Option<String> = None;
    let mut control = None;
    let mut baud = None;
    let mut module = Config::new(Profile::Air724ug);
    let mut connect_timeout = Duration::from_secs(30);
    let mut net_latency = Duration::ZERO;
    let mut chaos: Option<ChaosConfig> = None;
    let mut chaos_kinds: Option<String> = None;
    let mut embedded_broker = None;
    let mut log = None;
    let mut quiet = false;
    let mut exit_after = None;
    let (mut replay, mut replay_speed) = (None, 1.0f64);
    let set_endpoint = |ep: Endpoint, endpoint: &mut Option<Endpoint>| -> Result<(), String> {
        if endpoint.is_some() {
            return Err("give only one of --pty, --listen, --connect".into());
        }
        *endpoint = Some(ep);
        Ok(())
    };
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        match flag {
            "--help" | "-h" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "--version" | "-V" => {
                println!("cellmqtt-emu {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--pty" => set_endpoint(Endpoint::Pty { link: None }, &mut endpoint)?,
            "--pty-link" => pty_link = Some(value(args, &mut i, flag)?.to_string()),
            "--listen" => set_endpoint(
                Endpoint::Listen(value(args, &mut i, flag)?.to_string()),
                &mut endpoint,
            )?,
            "--connect" => set_endpoint(
                Endpoint::Connect(value(args, &mut i, flag)?.to_string()),
                &mut endpoint,
            )?,
            "--control" => control = Some(value(args, &mut i, flag)?.to_string()),
            "--profile" => {
                let v = value(args, &mut i, flag)?;
                module.profile = Profile::parse(v)
                    .ok_or_else(|| format!("unknown profile {v:?} (air724ug|air780e|ec200u)"))?;
            }
            "--baud" => {
                let b: u32 = number(value(args, &mut i, flag)?, flag)?;
                if b == 0 {
                    return Err("--baud must be positive".into());
                }
                baud = Some(b);
            }
            "--boot-ms" => module.boot_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--sim-ms" => module.sim_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--attach-ms" => module.attach_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--pdn-back-ms" => module.pdn_back_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--mpubex-idle-ms" => module.mpubex_idle_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--connect-timeout-ms" => {
                connect_timeout = Duration::from_millis(millis(value(args, &mut i, flag)?, flag)?)
            }
            "--net-latency-ms" => {
                net_latency = Duration::from_millis(millis(value(args, &mut i, flag)?, flag)?)
            }
            "--power-off" => module.power_off = true,
            "--pwrkey-grounded" => module.pwrkey_grounded = true,
            "--echo-stuck" => module.echo_stuck = true,
            "--tx-echo" => module.tx_echo = true,
            "--no-mqttmode" => module.no_mqttmode = true,
            "--qmtconn-two-fields" => module.qmtconn_two_fields = true,
            "--qmtrecv-next-line" => module.qmtrecv_next_line = true,
            "--qmtopen-error-after" => module.qmtopen_error_after = true,
            "--no-qmtpubex" => module.no_qmtpubex = true,
            "--cmqttconnect-fail" => {
                let v = value(args, &mut i, flag)?;
                module.simcom_forms.connect_fail =
                    ConnectFailForm::parse(v).map_err(|e| format!("{flag}: {e}"))?;
            }
            "--cmqttpub-fail" => {
                let v = value(args, &mut i, flag)?;
                module.simcom_forms.pub_fail =
                    PubFailForm::parse(v).map_err(|e| format!("{flag}: {e}"))?;
            }
            "--cmqttsub-rx-first" => {
                let v = value(args, &mut i, flag)?;
                module.simcom_forms.rx_before_sub =
                    crate::module::parse_on_off_mixed(v).map_err(|e| format!("{flag}: {e}"))?;
            }
            "--shut-ms" => module.shut_ms = millis(value(args, &mut i, flag)?, flag)?,
            "--mqttmode-at-start" => {
                module.mqttmode_at_start = match value(args, &mut i, flag)? {
                    "0" => 0,
                    "1" => 1,
                    v => return Err(format!("{flag}: expected 0 or 1, got {v:?}")),
                }
            }
            "--chaos" => chaos = Some(ChaosConfig::parse(value(args, &mut i, flag)?)?),
            "--chaos-kinds" => chaos_kinds = Some(value(args, &mut i, flag)?.to_string()),
            "--file" => {
                let v = value(args, &mut i, flag)?;
                let (name, path) = v.split_once('=').ok_or("--file needs NAME=PATH")?;
                let bytes = std::fs::read(path).map_err(|e| format!("--file {path}: {e}"))?;
                module.files.push((name.to_string(), bytes));
            }
            "--embedded-broker" => {
                embedded_broker = Some(number(value(args, &mut i, flag)?, flag)?)
            }
            "--log" => log = Some(value(args, &mut i, flag)?.to_string()),
            "--quiet" => quiet = true,
            "--exit-after-ms" => {
                exit_after = Some(Duration::from_millis(millis(
                    value(args, &mut i, flag)?,
                    flag,
                )?))
            }
            "--replay" => replay = Some(value(args, &mut i, flag)?.to_string()),
            "--replay-speed" => {
                replay_speed = number(value(args, &mut i, flag)?, flag)?;
                if !(replay_speed.is_finite() && replay_speed > 0.0) {
                    return Err("--replay-speed must be positive".into());
                }
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
        i += 1;
    }
    let mut endpoint =
        endpoint.ok_or("need one of --pty, --listen HOST:PORT, --connect HOST:PORT")?;
    if let Endpoint::Pty { link } = &mut endpoint {
        *link = pty_link;
    } else if pty_link.is_some() {
        return Err("--pty-link needs --pty".into());
    }
    if let Some(kinds) = chaos_kinds {
        let c = chaos.as_mut().ok_or("--chaos-kinds needs --chaos")?;
        c.set_kinds(&kinds)?;
    }
    module.chaos = chaos;
    if module.mqttmode_at_start != 0 && (module.no_mqttmode || !module.profile.has_mqttmode()) {
        return Err("--mqttmode-at-start: this firmware has no AT+MQTTMODE".into());
    }
    if embedded_broker.is_some() && !cfg!(feature = "embedded-broker") {
        return Err(
            "--embedded-broker: this build has no broker (build with --features embedded-broker)"
                .into(),
        );
    }
    Ok(Some(Options {
        endpoint,
        control,
        baud,
        module,
        connect_timeout,
        net_latency,
        embedded_broker,
        log,
        quiet,
        exit_after,
        replay,
        replay_speed,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Option<Options>, String> {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn flags() {
        let o = p("--listen 127.0.0.1:0 --control 127.0.0.1:0 --profile air780e --baud 115200 --boot-ms 10 --chaos 7:0.5 --chaos-kinds close,hang")
            .unwrap()
            .unwrap();
        assert_eq!(o.endpoint, Endpoint::Listen("127.0.0.1:0".into()));
        assert_eq!(o.module.profile, Profile::Air780e);
        assert_eq!(o.baud, Some(115_200));
        assert_eq!(o.module.boot_ms, 10);
        assert_eq!(o.module.chaos.unwrap().kinds.len(), 2);
    }

    #[test]
    fn field_behaviour_flags() {
        let o = p("--pty --profile air780e --echo-stuck --tx-echo --mqttmode-at-start 1 --shut-ms 2000 --chaos 1:0.1 --chaos-kinds refuse,unreachable")
            .unwrap()
            .unwrap();
        assert!(o.module.echo_stuck && o.module.tx_echo && !o.module.no_mqttmode);
        assert_eq!(o.module.mqttmode_at_start, 1);
        assert_eq!(o.module.shut_ms, 2000);
        assert_eq!(o.module.chaos.unwrap().kinds.len(), 2);
        assert!(
            p("--pty --no-mqttmode")
                .unwrap()
                .unwrap()
                .module
                .no_mqttmode
        );
    }

    #[test]
    fn quectel_profile_and_flags() {
        for name in ["ec200u", "EC600U", "eg915u", "quectel"] {
            let o = p(&format!("--pty --profile {name}")).unwrap().unwrap();
            assert_eq!(o.module.profile, Profile::Ec200u);
        }
        let o = p("--pty --profile ec200u --qmtconn-two-fields --qmtrecv-next-line --qmtopen-error-after --no-qmtpubex --chaos 1:0.1 --chaos-kinds ping-fail,close")
            .unwrap()
            .unwrap();
        assert!(o.module.qmtconn_two_fields && o.module.qmtrecv_next_line);
        assert!(o.module.qmtopen_error_after && o.module.no_qmtpubex);
        let chaos = o.module.chaos.unwrap();
        assert_eq!(chaos.kinds.len(), 2);
        assert!(!chaos.default_kinds);
    }

    #[test]
    fn simcom_profiles_and_form_flags() {
        for (name, want) in [
            ("a7670", Profile::A7670),
            ("A7672", Profile::A7670),
            ("a76xx", Profile::A7670),
            ("simcom", Profile::A7670),
            ("sim7600", Profile::Sim7600),
            ("SIM7500", Profile::Sim7600),
        ] {
            let o = p(&format!("--pty --profile {name}")).unwrap().unwrap();
            assert_eq!(o.module.profile, want);
            assert_eq!(o.module.simcom_forms, crate::module::SimcomForms::default());
        }
        let o = p("--pty --profile a7670 --cmqttconnect-fail bare --cmqttpub-fail sync --cmqttsub-rx-first on")
            .unwrap()
            .unwrap();
        let f = o.module.simcom_forms;
        assert_eq!(f.connect_fail, Some(ConnectFailForm::Bare));
        assert_eq!(f.pub_fail, Some(PubFailForm::Sync));
        assert_eq!(f.rx_before_sub, Some(true));
        let o = p("--pty --cmqttconnect-fail mixed --cmqttsub-rx-first off")
            .unwrap()
            .unwrap();
        assert_eq!(o.module.simcom_forms.connect_fail, None);
        assert_eq!(o.module.simcom_forms.rx_before_sub, Some(false));
        for bad in [
            "--pty --cmqttconnect-fail x",
            "--pty --cmqttpub-fail bare",
            "--pty --cmqttsub-rx-first 1",
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn errors() {
        for bad in [
            "",
            "--pty --listen x:1",
            "--listen",
            "--pty --profile nope",
            "--pty --baud 0",
            "--pty --chaos 1:2",
            "--pty --chaos-kinds close",
            "--pty --chaos 1:0.1 --chaos-kinds bogus",
            "--pty --bogus",
            "--listen a:1 --pty-link /tmp/x",
            "--pty --boot-ms 99999999999",
            "--pty --mqttmode-at-start 2",
            "--pty --mqttmode-at-start 1",
            "--pty --profile air780e --no-mqttmode --mqttmode-at-start 1",
            "--pty --replay x --replay-speed 0",
        ] {
            assert!(p(bad).is_err(), "{bad:?}");
        }
    }
}
