//! What differs between the module profiles we emulate: the two Luat parts (docs/luat-at.md
//! §12) and the Quectel LTE Standard family (docs/quectel-simcom-at.md). Everything not listed
//! here behaves the same on every profile (the SIMCom `AT+CMQTT*` parts included); what differs between the two AT dialects as a whole
//! is chosen by [`Profile::family`].

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// UNISOC 8910 platform (Air724UG, Air720UG/UH, Air722UG, Air820UG).
    Air724ug,
    /// Eigencomm EC618 platform (Air780E/EG).
    Air780e,
    /// Quectel LTE Standard parts speaking `AT+QMT*` (EC200U / EC600U / EG915U, also EC800M).
    Ec200u,
    /// SIMCom A7670 / A7672 / A76xx speaking `AT+CMQTT*`: `*ATREADY: 1` boot line, `OK` before
    /// the `+CMQTTSTART`/`+CMQTTSTOP` URC (docs/quectel-simcom-at.md §2.2, §4.2, S10–S12).
    A7670,
    /// SIMCom SIM7600 (SIM7500/7600/7800 manual), same `AT+CMQTT*` dialect: `RDY` boot line,
    /// the `+CMQTTSTART`/`+CMQTTSTOP` URC before `OK` (§2.2, §4.2, S01–S04, S06).
    Sim7600,
}

/// The AT dialect a profile speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Luat MQTT AT firmware (`AT+MIPSTART`, `AT+MCONNECT`, ...; docs/luat-at.md).
    Luat,
    /// Quectel `AT+QMT*` (docs/quectel-simcom-at.md §3).
    Quectel,
    /// SIMCom `AT+CMQTT*` (docs/quectel-simcom-at.md §4).
    Simcom,
}

/// How the reset pin acts once it has been held long enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetKind {
    /// RESET_IN_N reboots the module (Air724UG, docs/luat-at.md §3 [P1]).
    Reboot,
    /// RESET_N is a hardware shutdown: the module stays off until PWRKEY (Air780E [S10]).
    Shutdown,
}

/// How `AT+MQTTMSGGET` prints a cached message (docs/luat-at.md §5.9 lists three forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadbackForm {
    /// `+MSUB:topic,N byte,payload` (S6b: unquoted topic, no space)
    UnquotedNoSpace,
    /// `+MSUB: "topic",N byte,payload` (S6 newer revision)
    QuotedSpace,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s.to_ascii_lowercase().as_str() {
            "air724ug" | "air724" | "724" | "8910" => Some(Profile::Air724ug),
            "air780e" | "air780" | "780e" | "ec618" => Some(Profile::Air780e),
            "ec200u" | "ec600u" | "eg915u" | "quectel" => Some(Profile::Ec200u),
            "a7670" | "a7672" | "a76xx" | "a7600" | "simcom" => Some(Profile::A7670),
            "sim7600" | "sim7500" | "sim7800" => Some(Profile::Sim7600),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Air724ug => "air724ug",
            Profile::Air780e => "air780e",
            Profile::Ec200u => "ec200u",
            Profile::A7670 => "a7670",
            Profile::Sim7600 => "sim7600",
        }
    }

    pub fn family(self) -> Family {
        match self {
            Profile::Air724ug | Profile::Air780e => Family::Luat,
            Profile::Ec200u => Family::Quectel,
            Profile::A7670 | Profile::Sim7600 => Family::Simcom,
        }
    }

    pub fn is_quectel(self) -> bool {
        self.family() == Family::Quectel
    }

    pub fn is_simcom(self) -> bool {
        self.family() == Family::Simcom
    }

    /// The line a finished boot prints: `RDY` everywhere except the A76xx, whose first line
    /// is `*ATREADY: 1` (docs/quectel-simcom-at.md §2.2, S14, S15).
    pub fn boot_line(self) -> &'static [u8] {
        match self {
            Profile::A7670 => b"*ATREADY: 1",
            _ => b"RDY",
        }
    }

    pub fn model(self) -> &'static str {
        match self {
            Profile::Air724ug => "Air724UG",
            Profile::Air780e => "Air780E",
            Profile::Ec200u => "EC200U",
            Profile::A7670 => "A7670E-LASE",
            Profile::Sim7600 => "SIMCOM_SIM7600E-H",
        }
    }

    /// Firmware string for `ATI` / `AT+CGMR`: the latest versions the release notes list.
    pub fn revision(self) -> &'static str {
        match self {
            Profile::Air724ug => "AirM2M_Air724UG_V401881_LTE_AT",
            Profile::Air780e => "AirM2M_780E_V1169_LTE_AT",
            // Shaped like Quectel's revision strings; no capture of an EC200U's `AT+CGMR` exists
            // (docs/quectel-simcom-at.md §7), so this is a made-up but plausible value.
            Profile::Ec200u => "EC200UCNAAR03A03M08",
            // SIMCom: no capture of `AT+CGMR` either (§7); plausible made-up strings.
            Profile::A7670 => "A011B07A7670M7",
            Profile::Sim7600 => "LE20B04SIM7600M22",
        }
    }

    /// Largest `AT+MPUB` payload after escape decoding: 8910 notes say 2384 (V838); for the
    /// EC618 the manual says 4100 but the Air780E FAQ ("AT+MPUB最大publish 2384字节", S5 FAQ 15)
    /// says 2384, which is what firmware V1169 enforces. MPUBEX still takes 4100.
    pub fn mpub_max(self) -> usize {
        2384
    }

    /// Largest `AT+MPUBEX` length (both Luat parts: 4100, S1). Quectel `AT+QMTPUBEX`: the real
    /// EC200U limit is UNKNOWN (docs/quectel-simcom-at.md §3.6, §6.1); the emulator takes 4096.
    pub fn mpubex_max(self) -> usize {
        match self {
            Profile::Ec200u => 4096,
            // `AT+CMQTTPAYLOAD` length 1–10240 (§6.2, D13, D14).
            Profile::A7670 | Profile::Sim7600 => 10240,
            _ => 4100,
        }
    }

    /// Largest payload printed in a direct-mode `+MSUB` line. The vendor FAQ (S5/S7) says 1360,
    /// the EC618 manual 4100; which applies to 8910 is unknown, so the 724 profile takes the
    /// stricter FAQ figure and the 780E the manual's. Longer payloads are truncated.
    pub fn direct_max(self) -> usize {
        match self {
            Profile::Air724ug => 1360,
            Profile::Air780e | Profile::Ec200u => 4100,
            // `+CMQTTRX*` totals up to 10240 (§6.2).
            Profile::A7670 | Profile::Sim7600 => 10240,
        }
    }

    /// Cache slot size ("一条消息最多4kb", S6).
    pub fn cache_max(self) -> usize {
        4096
    }

    pub fn reset_kind(self) -> ResetKind {
        match self {
            // Quectel: the emulator assumes RESET_N reboots (not documented in our sources).
            Profile::Air724ug | Profile::Ec200u | Profile::A7670 | Profile::Sim7600 => {
                ResetKind::Reboot
            }
            Profile::Air780e => ResetKind::Shutdown,
        }
    }

    /// Shortest reset assertion that acts: Air724UG RESET_IN_N >= 150 ms; Air780E RESET_N
    /// "> 500 ms"; A7670/A7672 at least 2 s, SIM7600 typically 200 ms (quectel-simcom-at.md §9).
    pub fn reset_min(self) -> Duration {
        match self {
            Profile::Air724ug => Duration::from_millis(150),
            Profile::Air780e => Duration::from_millis(501),
            // Emulator assumption for the Quectel parts (no source in the repo gives it).
            Profile::Ec200u => Duration::from_millis(300),
            Profile::A7670 => Duration::from_millis(2_000),
            Profile::Sim7600 => Duration::from_millis(200),
        }
    }

    /// Shortest PWRKEY assertion that powers the module on: >= 1.2 s (724, P4), > 1 s (780E, S10),
    /// EG915U >= 2 s (taken for EC200U), A7670 typically 50 ms, SIM7600 typically 500 ms
    /// (quectel-simcom-at.md §9).
    pub fn pwrkey_min(self) -> Duration {
        match self {
            Profile::Air724ug => Duration::from_millis(1200),
            Profile::Air780e => Duration::from_millis(1001),
            Profile::Ec200u => Duration::from_millis(2_000),
            Profile::A7670 => Duration::from_millis(50),
            Profile::Sim7600 => Duration::from_millis(500),
        }
    }

    /// `AT+MCONNECT=<clean>,<keepalive>,<mode>` exists only on EC618/718 (G2).
    pub fn mconnect_mode(self) -> bool {
        self == Profile::Air780e
    }

    /// `AT+MQTTMODE` (hex publish) is documented for EC618 only.
    pub fn has_mqttmode(self) -> bool {
        self == Profile::Air780e
    }

    pub fn readback(self) -> ReadbackForm {
        match self {
            Profile::Air724ug => ReadbackForm::UnquotedNoSpace,
            _ => ReadbackForm::QuotedSpace,
        }
    }

    /// Fake identity numbers; fixed so tests and logs are stable.
    pub fn imei(self) -> &'static str {
        match self {
            Profile::Air724ug => "866714043075174",
            Profile::Air780e => "869020061234567",
            Profile::Ec200u => "864394040000017",
            Profile::A7670 => "862205050000012",
            Profile::Sim7600 => "868822040000019",
        }
    }
}
