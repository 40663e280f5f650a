//! The scripted module the reboot and stop tests drive: what each family answers, by what it
//! holds. Each test file keeps its own UART side (reboots, cuts, held acknowledgements) and
//! asks `Held::answer` for the module's answer to a command line.
//!
//! The answers are those of docs/luat-at.md §5, §8 (`+CME ERROR: 767` with nothing open) and
//! docs/quectel-simcom-at.md §3, §4 (`ERROR` with no client or service; SIMCom error 20: client
//! not acquired, `+CMQTTSTOP: 9` with the service not started).
use super::script::{arg, healthy, lines};
use cellmqtt::Config;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fam {
    Luat,
    Quectel,
    Simcom,
}

/// The families a test runs for (Luat alone under Miri, a thousand times slower).
pub fn fams() -> &'static [Fam] {
    let all = &[Fam::Luat, Fam::Quectel, Fam::Simcom];
    &all[..if cfg!(miri) { 1 } else { 3 }]
}

impl Fam {
    /// The family's boot output after the glitch bytes of a reset (docs/luat-at.md §2.2,
    /// docs/quectel-simcom-at.md §2.1, §2.2; the fuller forms are tests/engine_reboot.rs').
    pub fn boot_output(self) -> &'static [u8] {
        match self {
            Fam::Luat => b"\x00\xff\r\nRDY\r\n",
            Fam::Quectel => b"\x00\xff\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QIND: SMS DONE\r\n",
            Fam::Simcom => b"\x00\xff\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n",
        }
    }

    /// The family's standard configuration (tests/common).
    pub fn config(self) -> Config<'static> {
        match self {
            Fam::Luat => super::config(),
            Fam::Quectel => super::quectel_config(),
            Fam::Simcom => super::simcom::config(),
        }
    }

    /// Brings `h` (started by this) online through the family's byte-exact transcript.
    pub fn bring_online(self, h: &mut super::Harness) {
        match self {
            Fam::Luat => super::bring_online(h),
            Fam::Quectel => super::quectel_bring_online(h),
            Fam::Simcom => super::simcom::bring_online(h),
        }
    }
}

/// What the module holds, as bits of `Held::bits`.
pub const LINK: u8 = 1; // Luat TCP link, Quectel client opened, SIMCom service started
pub const CLIENT: u8 = 2; // SIMCom client acquired
pub const MQTT: u8 = 4; // the MQTT session is up
pub const SSL: u8 = 8; // Luat: the TLS CA set by `AT+SSLCFG`

/// What the module answers, first fit wins: (family, command prefix, what it must hold,
/// answer lines split at `|` (`> #n`: the data prompt, the data's length in argument `n`),
/// what it holds after, what it no longer holds, the answer once the data came (`{1}`:
/// argument 1)). Without a fit: `healthy`.
type Rule = (Fam, &'static str, u8, &'static str, u8, u8, &'static str);

#[rustfmt::skip]
const RULES: &[Rule] = &[
    (Fam::Luat, "AT+SSLCFG=\"cacert\"", 0, "OK", SSL, 0, ""),
    (Fam::Luat, "AT+MIPSTART", 0, "OK|CONNECT OK", LINK, 0, ""),
    (Fam::Luat, "AT+SSLMIPSTART", 0, "OK|CONNECT OK", LINK, 0, ""),
    (Fam::Luat, "AT+MCONNECT", LINK, "OK|CONNACK OK", MQTT, 0, ""),
    (Fam::Luat, "AT+MDISCONNECT", MQTT, "OK", 0, MQTT, ""),
    (Fam::Luat, "AT+MIPCLOSE", LINK, "OK", 0, LINK | MQTT, ""),
    (Fam::Luat, "AT+MQTTSTATU", MQTT, "+MQTTSTATU :1|OK", 0, 0, ""),
    (Fam::Luat, "AT+MQTTSTATU", 0, "+MQTTSTATU :0|OK", 0, 0, ""),
    (Fam::Luat, "AT+MSUB=", MQTT, "OK|SUBACK", 0, 0, ""),
    (Fam::Luat, "AT+MPUB=", MQTT, "OK|PUBACK", 0, 0, ""), // QoS 1 and 2 (QoS 0: `answer`)
    (Fam::Luat, "AT+MUNSUB=", MQTT, "OK|UNSUBACK", 0, 0, ""),
    (Fam::Luat, "AT+MPUBEX=", MQTT, "> #3", 0, 0, "OK|PUBACK"),
    (Fam::Luat, "AT+MCONFIG", 0, "OK", 0, 0, ""),
    (Fam::Luat, "AT+MQTT", 0, "OK", 0, 0, ""),
    (Fam::Luat, "AT+M", 0, "+CME ERROR: 767", 0, 0, ""),
    (Fam::Quectel, "AT+QMTOPEN=", 0, "OK|+QMTOPEN: 0,0", LINK, 0, ""),
    (Fam::Quectel, "AT+QMTCONN=", LINK, "OK|+QMTCONN: 0,0,0", MQTT, 0, ""),
    (Fam::Quectel, "AT+QMTCONN?", MQTT, "+QMTCONN: 0,3|OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMTCONN?", 0, "OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMTDISC=", MQTT, "OK|+QMTDISC: 0,0", 0, LINK | MQTT, ""),
    (Fam::Quectel, "AT+QMTCLOSE", LINK, "OK|+QMTCLOSE: 0,0", 0, LINK | MQTT, ""),
    (Fam::Quectel, "AT+QMTPUBEX=", MQTT, "> #5", 0, 0, "OK|+QMTPUBEX: 0,{1},0"),
    (Fam::Quectel, "AT+QMTCFG", 0, "OK", 0, 0, ""),
    (Fam::Quectel, "AT+QMT", 0, "ERROR", 0, 0, ""),
    (Fam::Quectel, "AT+QIACT?", 0, "+QIACT: 1,1,1,\"10.0.0.1\"|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSTART", LINK, "+CMQTTSTART: 23|ERROR", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSTART", 0, "+CMQTTSTART: 0|OK", LINK, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC=", MQTT, "OK|+CMQTTDISC: 0,0", 0, MQTT, ""),
    (Fam::Simcom, "AT+CMQTTREL", 0, "OK", 0, CLIENT | MQTT, ""),
    (Fam::Simcom, "AT+CMQTTSTOP", LINK, "OK|+CMQTTSTOP: 0", 0, LINK | CLIENT | MQTT, ""),
    (Fam::Simcom, "AT+CMQTTSTOP", 0, "ERROR|+CMQTTSTOP: 9", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTACCQ", LINK, "OK", CLIENT, 0, ""),
    (Fam::Simcom, "AT+CMQTTCONNECT=", CLIENT, "OK|+CMQTTCONNECT: 0,0", MQTT, 0, ""),
    (Fam::Simcom, "AT+CMQTTCONNECT=", 0, "+CMQTTCONNECT: 0,20|ERROR", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC?", MQTT, "+CMQTTDISC: 0,0|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTDISC?", 0, "+CMQTTDISC: 0,1|OK", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTTSUB=", MQTT, ">#1", 0, 0, "OK|+CMQTTSUB: 0,0"),
    (Fam::Simcom, "AT+CMQTTTOPIC=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTWILLTOPIC=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTWILLMSG=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTPAYLOAD=", CLIENT, ">#1", 0, 0, "OK"),
    (Fam::Simcom, "AT+CMQTTPUB=", MQTT, "OK|+CMQTTPUB: 0,0", 0, 0, ""),
    (Fam::Simcom, "AT+CMQTT", 0, "ERROR", 0, 0, ""),
];

/// What the module holds; a reboot loses all of it (echo is on after boot).
#[derive(Default)]
pub struct Held {
    pub echo_off: bool,
    pub bits: u8,
    /// The filters subscribed in the current session (clean session).
    pub subs: Vec<Vec<u8>>,
    /// A data prompt was given: this many data bytes are awaited, then this answer.
    pub data: Option<(usize, String)>,
}

impl Held {
    /// The answer of a `fam` module to the command line `cmd` (without its `\r`), by `RULES`.
    pub fn answer(&mut self, fam: Fam, cmd: &[u8]) -> Vec<u8> {
        let c = String::from_utf8_lossy(cmd).into_owned();
        if c == "ATE0" {
            self.echo_off = true;
        } else if c.starts_with("AT+MPUB=") && arg(&c, 1) == "0" && self.bits & MQTT != 0 {
            return lines("OK"); // QoS 0: no acknowledgement (docs/luat-at.md §5.6)
        } else if self.bits & MQTT != 0
            && (c.starts_with("AT+MSUB=") || c.starts_with("AT+QMTSUB="))
        {
            let filter = arg(&c, if fam == Fam::Luat { 0 } else { 2 });
            self.subs.push(filter.into());
            if fam == Fam::Quectel {
                let urc = format!("+QMTSUB: 0,{},0,{}", arg(&c, 1), arg(&c, 3));
                return format!("\r\nOK\r\n\r\n{urc}\r\n").into_bytes();
            }
        }
        let bits = self.bits;
        let fits = |r: &&Rule| r.0 == fam && c.starts_with(r.1) && bits & r.2 == r.2;
        let Some(&(_, _, _, answer, set, clear, after_data)) = RULES.iter().find(fits) else {
            return healthy(cmd);
        };
        self.bits = (bits | set) & !clear;
        if clear & MQTT != 0 {
            self.subs.clear();
        }
        if let Some((prompt, n)) = answer.split_once('#') {
            let len = arg(&c, n.parse().unwrap()).parse().unwrap();
            self.data = Some((len, after_data.replace("{1}", &arg(&c, 1))));
            return format!("\r\n{prompt}").into_bytes();
        }
        lines(answer)
    }

    /// The broker drops the link: the family's link-lost line (docs/luat-at.md §10.1,
    /// docs/quectel-simcom-at.md §3.8, §4.9), the MQTT session and its subscriptions gone (a
    /// SIMCom service and client stay).
    pub fn drop_link(&mut self, fam: Fam) -> &'static [u8] {
        let lost = MQTT | if fam == Fam::Simcom { 0 } else { LINK };
        (self.bits, self.subs) = (self.bits & !lost, vec![]);
        match fam {
            Fam::Luat => b"\r\nCLOSED\r\n",
            Fam::Quectel => b"\r\n+QMTSTAT: 0,1\r\n",
            Fam::Simcom => b"\r\n+CMQTTCONNLOST: 0,1\r\n",
        }
    }

    /// The data after the prompt of the command `cmd` arrived: a SIMCom subscribe's filter is
    /// noted; returns the answer lines the module then gives.
    pub fn data_arrived(&mut self, cmd: &[u8], data: Vec<u8>) -> Vec<u8> {
        let answer = self.data.take().map(|d| d.1).unwrap_or_default();
        if cmd.starts_with(b"AT+CMQTTSUB=") {
            self.subs.push(data);
        }
        lines(&answer)
    }
}
