//! The emulated module's state types: what a command ends with, what lives in its RAM and is
//! lost on reboot, its broker link and bearer, the data it reads after a prompt, and its
//! timers. `Module` (mod.rs) holds them; the command files change them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use super::simcom;
use crate::control::{ControlCmd, Pin};

/// The command's final result code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Final {
    Ok,
    Error,
    Cme(u16),
    /// A final line other than OK (`SHUT OK`, `NORMAL POWER DOWN`).
    Text(&'static str),
    /// No final yet (data prompt) or never (the module went away).
    Pending,
}

/// Settings that live in the module's RAM and are lost on reboot.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub echo: bool,
    pub cmee: u8,
    /// AT+MQTTMSGSET: 0 direct, 1 cache
    pub msgset: u8,
    /// AT+MQTTMODE: 0 ASCII, 1 hex
    pub mqttmode: u8,
    /// n of AT+CREG, AT+CGREG, AT+CEREG
    pub reg_urc: [u8; 3],
    pub mconfig: Option<MConfig>,
    /// AT+SSLCFG values by (context, tag)
    pub ssl: BTreeMap<(u16, String), String>,
    pub ipr: u32,
    pub cfun: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            echo: true,
            // Vendor transcripts show numeric CME codes without AT+CMEE (docs/luat-at.md §1).
            cmee: 1,
            msgset: 0,
            mqttmode: 0,
            reg_urc: [0; 3],
            mconfig: None,
            ssl: BTreeMap::new(),
            ipr: 0,
            cfun: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MConfig {
    pub client_id: Vec<u8>,
    pub username: Option<Vec<u8>>,
    pub password: Option<Vec<u8>>,
    pub will: Option<crate::mqtt::Will>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// TCP (and TLS) handshake running
    Connecting,
    /// `CONNECT OK` printed, no MQTT CONNECT yet
    TcpUp,
    /// CONNECT sent, waiting for CONNACK
    MqttWait,
    /// `CONNACK OK` printed
    Connected,
}

/// The one broker connection the module has.
#[derive(Debug)]
pub(crate) struct Link {
    pub gen: u64,
    pub phase: Phase,
    pub keepalive: Duration,
    pub last_tx: Instant,
    pub ping_outstanding: bool,
    pub next_pid: u16,
    /// Our QoS 1/2 publishes waiting for PUBACK / PUBREC, by packet id -> QoS
    pub out_flight: HashMap<u16, u8>,
    /// QoS 2 publishes past PUBREC, waiting for PUBCOMP
    pub out_rel: HashSet<u16>,
    /// SUBSCRIBE (true) / UNSUBSCRIBE (false) waiting for their ack
    pub subs: HashMap<u16, bool>,
    /// Incoming QoS 2 publishes delivered but not yet released (PUBREL)
    pub in_qos2: HashSet<u16>,
}

/// The PDP context (default bearer) as the TCP/IP layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pdp {
    Active,
    /// Network deactivated it; comes back by itself after `pdn_back_ms` (LTE default bearer).
    NwDeact,
    /// `+PDP DEACT`: stays down until AT+CIPSHUT, AT+CGACT=1, AT+CFUN=1 or a reboot.
    Deact,
    /// After AT+CIPSHUT: the next MIPSTART activates it again.
    Shut,
}

#[derive(Debug, Clone)]
pub(crate) struct CacheEntry {
    pub topic: Vec<u8>,
    pub payload: Vec<u8>,
    /// arrival order, to find the oldest slot and to print oldest first
    pub seq: u64,
}

#[derive(Debug)]
pub(crate) enum DataKind {
    Mpubex {
        topic: Vec<u8>,
        qos: u8,
        retain: bool,
    },
    FsWrite {
        name: String,
        append: bool,
    },
    /// Quectel `AT+QMTPUBEX` / `AT+QMTPUB` payload (`urc` is the result URC's prefix).
    QPub {
        client: u8,
        msgid: u16,
        qos: u8,
        retain: bool,
        topic: Vec<u8>,
        urc: &'static str,
    },
    /// SIMCom: the bytes after one of the `AT+CMQTT*` / `AT+CCERTDOWN` prompts.
    Simcom(simcom::Prompt),
    /// The text of a 3GPP TS 27.005 `AT+CMGC` command: ended by Ctrl+Z, cancelled by ESC.
    SmsCommand,
}

/// The module is reading raw data after a `>` prompt.
#[derive(Debug)]
pub(crate) struct DataMode {
    pub kind: DataKind,
    pub expected: Option<usize>,
    pub buf: Vec<u8>,
    pub deadline: Instant,
    /// idle timeout restarts with each byte (MPUBEX); FSWRITE has a fixed window
    pub idle: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TimerKind {
    Rdy,
    SimReady,
    Attach,
    PdnBack,
    PinHold {
        pin: Pin,
        gen: u64,
    },
    Control(ControlCmd),
    /// End of a chaos delay burst.
    DelayOff,
    /// A slow `AT+CIPSHUT` finishes: `SHUT OK`.
    ShutOk,
    /// SIMCom: a `+CMQTTSUB` result held back so retained messages print before it.
    SimcomSubResult,
}

#[derive(Debug, Clone)]
pub(crate) struct Timer {
    pub at: Instant,
    /// Boot epoch the timer belongs to; `None` = survives reboots (pins, scheduled faults).
    pub epoch: Option<u64>,
    pub kind: TimerKind,
}
