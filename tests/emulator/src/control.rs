//! The control socket's line protocol: parsing a text line into a [`ControlCmd`].
//! The socket server lives in `runtime.rs`; what each command does lives in `module/`.
//! The protocol is documented in README.md ("Control socket").

/// A pin the MCU (or the user) drives. Level `true` = asserted: RESET held low, supply on,
/// PWRKEY held low.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    Reset,
    Power,
    Pwrkey,
}

/// The reply a `fail NEXTCMD ...` fault gives instead of running the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailReply {
    Error,
    Cme(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The broker connection drops: `CLOSED`.
    Close,
    /// `+CGEV: NW PDN DEACT 1`: the network deactivates the default bearer (it comes back).
    PdnDeact,
    /// `+PDP DEACT`: the TCP/IP layer loses the PDP (stays down until CIPSHUT/CGACT/CFUN/reset).
    PdpDeact,
    /// The firmware goes silent until reset or power.
    Hang,
    /// Spontaneous reboot: boot banner mid-session.
    Reboot,
    /// N random bytes toward the MCU.
    Garbage(usize),
    /// The next N bytes toward the MCU are lost.
    Drop(usize),
    /// Answers are delayed by MS (0 = off).
    Delay(u64),
    /// SIM present (`true`) or removed.
    Sim(bool),
    /// Network lets the module attach (`true`) or detaches it.
    Attach(bool),
    /// The next command with this name (upper case, no `+`) answers with `reply`.
    Fail { cmd: String, reply: FailReply },
    /// The next N `AT+MCONNECT`s are refused (`OK`, `ERROR`, `CLOSED`) without the broker.
    Refuse(u32),
    /// The next N `AT+MIPSTART`s fail (`OK`, `CONNECT FAIL`) without a connect attempt.
    Unreachable(u32),
    /// The next N direct-mode `+MSUB` headers carry a byte count of 90000 (Quectel: the
    /// `<len>` of the next `+QMTRECV` with the length on).
    CorruptMsub(u32),
    /// The keepalive fails: Quectel `+QMTSTAT: <c>,2` (PDP must be cycled), Luat `CLOSED`.
    PingFail,
}

impl Fault {
    /// Kind name for the stats counters and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Close => "close",
            Fault::PdnDeact => "pdn-deact",
            Fault::PdpDeact => "pdp-deact",
            Fault::Hang => "hang",
            Fault::Reboot => "reboot",
            Fault::Garbage(_) => "garbage",
            Fault::Drop(_) => "drop",
            Fault::Delay(_) => "delay",
            Fault::Sim(_) => "sim",
            Fault::Attach(_) => "attach",
            Fault::Fail { .. } => "fail",
            Fault::Refuse(_) => "refuse",
            Fault::Unreachable(_) => "unreachable",
            Fault::CorruptMsub(_) => "corrupt-msub",
            Fault::PingFail => "ping-fail",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlCmd {
    /// A reset pulse; `None` = a pulse long enough for the profile.
    Reset(Option<u64>),
    PowerOff,
    PowerOn,
    /// A PWRKEY pulse of MS.
    Pwrkey(u64),
    Pin(Pin, bool),
    Fault(Fault),
    /// Run the command after MS.
    After(u64, Box<ControlCmd>),
    Stats,
    State,
    BootMs(u64),
    Csq(u8),
    /// Level of the STATUS output pin.
    PinStatus,
    /// Firmware bug: `ATE0` answers `OK` but echo stays on.
    EchoStuck(bool),
    /// Board wiring loops every MCU byte straight back.
    TxEcho(bool),
    /// Sets AT+MQTTMODE as if the MCU had sent it.
    MqttMode(u8),
    /// `AT+CIPSHUT` answers `SHUT OK` this much later.
    ShutDelay(u64),
    /// Bytes toward the MCU, escapes already decoded.
    Inject(Vec<u8>),
    Help,
}

pub const HELP: &str = "reset [MS] | power on|off | pwrkey MS | pin reset|power|pwrkey 1|0 | \
close | pdn-deact | pdp-deact | ping-fail | hang | reboot | garbage N | drop N | delay MS | sim absent|ready | \
attach 0|1 | fail CMD ERROR|CME N | refuse [N] | unreachable [N] | corrupt-msub | inject TEXT | \
echo-stuck on|off | tx-echo on|off | mqttmode 0|1 | shut-delay MS | pin status | \
after MS <command> | stats | state | boot-ms MS | csq N | help";

fn num<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    let s = s.ok_or_else(|| format!("missing {what}"))?;
    s.parse().map_err(|_| format!("bad {what}: {s}"))
}

/// Longest time a control command takes (24 h): keeps `now + MS` far from overflowing.
pub const MAX_MS: u64 = 86_400_000;

fn ms(s: Option<&str>) -> Result<u64, String> {
    let v: u64 = num(s, "MS")?;
    if v > MAX_MS {
        return Err(format!("MS must be at most {MAX_MS}"));
    }
    Ok(v)
}

fn level(s: Option<&str>) -> Result<bool, String> {
    match s {
        Some("1") => Ok(true),
        Some("0") => Ok(false),
        other => Err(format!(
            "expected 1 or 0, got {}",
            other.unwrap_or("nothing")
        )),
    }
}

fn on_off(s: Option<&str>) -> Result<bool, String> {
    match s {
        Some("on") | Some("1") => Ok(true),
        Some("off") | Some("0") => Ok(false),
        other => Err(format!(
            "expected on or off, got {}",
            other.unwrap_or("nothing")
        )),
    }
}

/// An optional count, default 1.
fn count(s: Option<&str>) -> Result<u32, String> {
    match s {
        None => Ok(1),
        Some(v) => num(Some(v), "N"),
    }
}

/// The text after the first `n` words of `line`, as written (case kept). `inject` and `after`
/// need it: the words are matched in lower case, but injected text is sent as typed.
fn rest_after(line: &str, n: usize) -> &str {
    let mut rest = line.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[end..].trim_start();
    }
    rest
}

/// Decodes `inject`'s escapes: `\r`, `\n`, `\\` and `\xNN`. Anything else after a backslash is
/// an error, so a typo does not silently send something else.
pub fn decode_inject(text: &str) -> Result<Vec<u8>, String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') | Some(b'X') => {
                let hex = b.get(i + 2..i + 4).ok_or("\\x needs two hex digits")?;
                // from_str_radix alone would take a sign ("+1").
                let v = std::str::from_utf8(hex)
                    .ok()
                    .filter(|h| h.bytes().all(|c| c.is_ascii_hexdigit()))
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("\\x needs two hex digits")?;
                out.push(v);
                i += 4;
                continue;
            }
            _ => return Err("unknown escape (use \\r \\n \\\\ \\xNN)".into()),
        }
        i += 2;
    }
    Ok(out)
}

/// Parses one control line. Words are separated by whitespace; case-insensitive (except the
/// text of `inject`).
pub fn parse(line: &str) -> Result<ControlCmd, String> {
    let line = line.trim();
    let lower = line.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut it = words.iter().copied();
    let Some(head) = it.next() else {
        return Err("empty command".into());
    };
    let cmd = match head {
        "reset" => match it.next() {
            None => ControlCmd::Reset(None),
            Some(v) => ControlCmd::Reset(Some(ms(Some(v))?)),
        },
        "power" => match it.next() {
            Some("on") | Some("1") => ControlCmd::PowerOn,
            Some("off") | Some("0") => ControlCmd::PowerOff,
            _ => return Err("expected power on|off".into()),
        },
        "pwrkey" => ControlCmd::Pwrkey(ms(it.next())?),
        "pin" => {
            let pin = match it.next() {
                Some("status") => {
                    if let Some(extra) = it.next() {
                        return Err(format!("pin status is read-only: {extra}"));
                    }
                    return Ok(ControlCmd::PinStatus);
                }
                Some("reset") => Pin::Reset,
                Some("power") => Pin::Power,
                Some("pwrkey") => Pin::Pwrkey,
                _ => return Err("expected pin reset|power|pwrkey 1|0".into()),
            };
            ControlCmd::Pin(pin, level(it.next())?)
        }
        "close" => ControlCmd::Fault(Fault::Close),
        "pdn-deact" => ControlCmd::Fault(Fault::PdnDeact),
        "pdp-deact" => ControlCmd::Fault(Fault::PdpDeact),
        "ping-fail" => ControlCmd::Fault(Fault::PingFail),
        "hang" => ControlCmd::Fault(Fault::Hang),
        "reboot" => ControlCmd::Fault(Fault::Reboot),
        "garbage" => ControlCmd::Fault(Fault::Garbage(num(it.next(), "N")?)),
        "drop" => ControlCmd::Fault(Fault::Drop(num(it.next(), "N")?)),
        "delay" => ControlCmd::Fault(Fault::Delay(ms(it.next())?)),
        "sim" => match it.next() {
            Some("absent") | Some("removed") | Some("0") => ControlCmd::Fault(Fault::Sim(false)),
            Some("ready") | Some("present") | Some("1") => ControlCmd::Fault(Fault::Sim(true)),
            _ => return Err("expected sim absent|ready".into()),
        },
        "attach" => ControlCmd::Fault(Fault::Attach(level(it.next())?)),
        "fail" => {
            let word = it.next().ok_or("missing command name")?;
            // `AT` itself is named AT; otherwise drop an `AT` prefix and the `+`/`^`/`&`.
            let name = if word == "at" {
                "AT".to_string()
            } else {
                word.strip_prefix("at")
                    .unwrap_or(word)
                    .trim_start_matches(['+', '^', '&'])
                    .to_ascii_uppercase()
            };
            if name.is_empty() {
                return Err("missing command name".into());
            }
            let reply = match it.next() {
                Some("error") => FailReply::Error,
                Some("cme") => FailReply::Cme(num(it.next(), "CME code")?),
                _ => return Err("expected ERROR or CME N".into()),
            };
            ControlCmd::Fault(Fault::Fail { cmd: name, reply })
        }
        "refuse" => ControlCmd::Fault(Fault::Refuse(count(it.next())?)),
        "unreachable" => ControlCmd::Fault(Fault::Unreachable(count(it.next())?)),
        "corrupt-msub" => ControlCmd::Fault(Fault::CorruptMsub(1)),
        "inject" => {
            let text = rest_after(line, 1);
            if text.is_empty() {
                return Err("inject needs TEXT".into());
            }
            return Ok(ControlCmd::Inject(decode_inject(text)?));
        }
        "echo-stuck" => ControlCmd::EchoStuck(on_off(it.next())?),
        "tx-echo" => ControlCmd::TxEcho(on_off(it.next())?),
        "mqttmode" => match it.next() {
            Some("0") => ControlCmd::MqttMode(0),
            Some("1") => ControlCmd::MqttMode(1),
            _ => return Err("expected mqttmode 0|1".into()),
        },
        "shut-delay" => ControlCmd::ShutDelay(ms(it.next())?),
        "after" => {
            let after = ms(it.next())?;
            let rest = rest_after(line, 2);
            if rest.is_empty() {
                return Err("after MS needs a command".into());
            }
            let inner = parse(rest)?;
            match inner {
                ControlCmd::Stats
                | ControlCmd::State
                | ControlCmd::Help
                | ControlCmd::PinStatus => {
                    return Err("only faults and pins can be scheduled".into())
                }
                // The inner command took the rest of the line.
                other => return Ok(ControlCmd::After(after, Box::new(other))),
            }
        }
        "stats" => ControlCmd::Stats,
        "state" => ControlCmd::State,
        "boot-ms" => ControlCmd::BootMs(ms(it.next())?),
        "csq" => {
            let v: u8 = num(it.next(), "rssi")?;
            if v > 31 && v != 99 {
                return Err("rssi must be 0-31 or 99".into());
            }
            ControlCmd::Csq(v)
        }
        "help" => ControlCmd::Help,
        other => return Err(format!("unknown command: {other}")),
    };
    if let Some(extra) = it.next() {
        return Err(format!("unexpected argument: {extra}"));
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_everything_documented() {
        assert_eq!(parse("reset").unwrap(), ControlCmd::Reset(None));
        assert_eq!(parse("RESET 200").unwrap(), ControlCmd::Reset(Some(200)));
        assert_eq!(parse("power off").unwrap(), ControlCmd::PowerOff);
        assert_eq!(parse("pwrkey 1500").unwrap(), ControlCmd::Pwrkey(1500));
        assert_eq!(
            parse("pin pwrkey 1").unwrap(),
            ControlCmd::Pin(Pin::Pwrkey, true)
        );
        assert_eq!(
            parse("garbage 5").unwrap(),
            ControlCmd::Fault(Fault::Garbage(5))
        );
        assert_eq!(
            parse("fail MPUB CME 767").unwrap(),
            ControlCmd::Fault(Fault::Fail {
                cmd: "MPUB".into(),
                reply: FailReply::Cme(767)
            })
        );
        assert_eq!(
            parse("fail AT+CPIN error").unwrap(),
            ControlCmd::Fault(Fault::Fail {
                cmd: "CPIN".into(),
                reply: FailReply::Error
            })
        );
        assert_eq!(
            parse("fail AT cme 4").unwrap(),
            ControlCmd::Fault(Fault::Fail {
                cmd: "AT".into(),
                reply: FailReply::Cme(4)
            })
        );
        assert_eq!(
            parse("fail ATTACH error").unwrap(),
            ControlCmd::Fault(Fault::Fail {
                cmd: "TACH".into(),
                reply: FailReply::Error
            })
        );
        assert_eq!(
            parse("after 100 pin reset 0").unwrap(),
            ControlCmd::After(100, Box::new(ControlCmd::Pin(Pin::Reset, false)))
        );
        assert_eq!(
            parse("after 5 after 5 close").unwrap(),
            ControlCmd::After(
                5,
                Box::new(ControlCmd::After(
                    5,
                    Box::new(ControlCmd::Fault(Fault::Close))
                ))
            )
        );
    }

    #[test]
    fn parses_field_behaviour_commands() {
        assert_eq!(parse("pin status").unwrap(), ControlCmd::PinStatus);
        assert_eq!(parse("echo-stuck on").unwrap(), ControlCmd::EchoStuck(true));
        assert_eq!(parse("TX-ECHO off").unwrap(), ControlCmd::TxEcho(false));
        assert_eq!(parse("mqttmode 1").unwrap(), ControlCmd::MqttMode(1));
        assert_eq!(
            parse("shut-delay 2000").unwrap(),
            ControlCmd::ShutDelay(2000)
        );
        assert_eq!(
            parse("refuse").unwrap(),
            ControlCmd::Fault(Fault::Refuse(1))
        );
        assert_eq!(
            parse("unreachable 3").unwrap(),
            ControlCmd::Fault(Fault::Unreachable(3))
        );
        assert_eq!(
            parse("corrupt-msub").unwrap(),
            ControlCmd::Fault(Fault::CorruptMsub(1))
        );
        // Case and inner spaces of the text are kept; escapes decoded.
        assert_eq!(
            parse(r"INJECT \r\n+CPIN: READY\r\n\x00\\").unwrap(),
            ControlCmd::Inject(b"\r\n+CPIN: READY\r\n\x00\\".to_vec())
        );
        assert_eq!(
            parse(r"after 50 inject RDY\r\n").unwrap(),
            ControlCmd::After(50, Box::new(ControlCmd::Inject(b"RDY\r\n".to_vec())))
        );
        for bad in [
            "pin status 1",
            "echo-stuck",
            "tx-echo maybe",
            "mqttmode 2",
            "refuse x",
            "inject",
            r"inject \q",
            r"inject \x4",
            r"inject \x+1",
            "after 10 pin status",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "",
            "nope",
            "garbage",
            "garbage x",
            "pin reset 2",
            "sim",
            "fail",
            "fail MPUB",
            "after 10",
            "after x close",
            "close now",
            "csq 40",
            "after 10 stats",
            "delay -1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
    }
}
