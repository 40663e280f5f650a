//! The scripted modem of the failure-class tests: the engine on the fake clock against a
//! module of each family that answers every command the healthy way unless told otherwise.

use super::common::{self, Harness};
use cellmqtt::{Config, Notice, Pins, RecoveryStep, State, Status};

// ---- A scripted modem ----

/// The engine and a modem that answers each command line as `answer` says.
pub struct Modem {
    pub h: Harness,
    pub seen: usize,
    pub pending: Vec<u8>,
    /// Every command line written (without its `\r`).
    pub cmds: Vec<Vec<u8>>,
    pub notices: Vec<Notice>,
}

impl Modem {
    pub fn new(cfg: Config<'static>) -> Self {
        let mut h = Harness::new(cfg);
        h.start();
        Modem {
            h,
            seen: 0,
            pending: vec![],
            cmds: vec![],
            notices: vec![],
        }
    }

    /// Runs `ms` of fake time, answering each command line with `answer(line)` (nothing when
    /// it returns an empty answer), and stops early once `stop` holds on the notices so far.
    pub fn run_until(
        &mut self,
        ms: u32,
        answer: &mut dyn FnMut(&[u8]) -> Vec<u8>,
        stop: &dyn Fn(&[Notice]) -> bool,
    ) {
        let end = self.h.now.wrapping_add(ms);
        for _ in 0..2_000_000 {
            self.h.poll();
            self.notices.extend(self.h.notices());
            if stop(&self.notices) {
                return;
            }
            let new = self.h.uart.written[self.seen..].to_vec();
            self.seen = self.h.uart.written.len();
            self.h.forget_tx();
            self.pending.extend(new);
            let mut reply = vec![];
            while let Some(p) = self.pending.iter().position(|&b| b == b'\r') {
                let line: Vec<u8> = self.pending.drain(..=p).collect();
                let cmd = line[..line.len() - 1].to_vec();
                reply.extend(answer(&cmd));
                self.cmds.push(cmd);
            }
            if !reply.is_empty() {
                self.h.rx(&reply);
                continue;
            }
            if cellmqtt::time::reached(self.h.now, end) {
                return;
            }
            let left = cellmqtt::time::until(self.h.now, end);
            let wait = self
                .h
                .engine
                .poll_delay_ms(self.h.now, &self.h.ring)
                .clamp(1, left.max(1));
            self.h.advance(wait);
        }
        panic!("the modem script never ended");
    }

    /// Under Miri (a thousand times slower) the run ends once the six failures every check
    /// here asks at most five of have happened, instead of after all of `ms`.
    pub fn run(&mut self, ms: u32, answer: &mut dyn FnMut(&[u8]) -> Vec<u8>) {
        let enough = |n: &[Notice]| {
            cfg!(miri)
                && n.iter()
                    .filter(|e| matches!(e, Notice::Recovery { .. }))
                    .count()
                    >= 6
        };
        self.run_until(ms, answer, &enough);
    }

    pub fn sent(&self, prefix: &[u8]) -> usize {
        self.cmds.iter().filter(|c| c.starts_with(prefix)).count()
    }

    pub fn recoveries(&self) -> Vec<(RecoveryStep, Status)> {
        self.notices
            .iter()
            .filter_map(|n| match n {
                Notice::Recovery { step, reason, .. } => Some((*step, *reason)),
                _ => None,
            })
            .collect()
    }

    /// No pin moved, no reset command, no reset counted; at least `cycles` re-connects, each
    /// for a reason `ok_reason` accepts; the session did not give up.
    #[track_caller]
    pub fn assert_untouched(&self, cycles: usize, ok_reason: &dyn Fn(Status) -> bool, what: &str) {
        let pins: Vec<_> = self
            .notices
            .iter()
            .filter(|n| matches!(n, Notice::Pin { .. }))
            .collect();
        let r = self.recoveries();
        assert!(
            pins.is_empty(),
            "{what}: a broker/network class moved a pin: {pins:?}; recoveries {r:?}"
        );
        for reset in [&b"AT+RESET"[..], b"AT+CFUN=1,1"] {
            assert_eq!(
                self.sent(reset),
                0,
                "{what}: {} sent; recoveries {r:?}",
                String::from_utf8_lossy(reset)
            );
        }
        let s = self.h.engine.stats();
        assert_eq!(
            (s.reset_pulses, s.soft_resets, s.power_cycles),
            (0, 0, 0),
            "{what}: recoveries {r:?}"
        );
        assert!(
            r.len() >= cycles,
            "{what}: only {} failures: {r:?}",
            r.len()
        );
        for (step, reason) in &r {
            assert_eq!(*step, RecoveryStep::Reconnect, "{what}: {r:?}");
            assert!(ok_reason(*reason), "{what}: reason {reason:?} in {r:?}");
        }
        assert_ne!(self.h.engine.state(), State::Failed, "{what}");
    }

    /// The default ladder climbed once, to its top, for `first` (3 re-connects, 2 RESET
    /// pulses, a power cycle), then only re-connects, for `then`: no more pins or resets
    /// (README "Failure classes": once per run, then never), and no give-up.
    #[track_caller]
    pub fn assert_one_climb_then(&self, first: Status, then: Status, what: &str) {
        let r = self.recoveries();
        let mut climb = vec![(RecoveryStep::Reconnect, first); 3];
        climb.extend([(RecoveryStep::ResetPin, first); 2]);
        climb.push((RecoveryStep::PowerCycle, first));
        assert_eq!(r[..climb.len().min(r.len())], climb[..], "{what}");
        if cfg!(miri) {
            // `run` stopped after six failures.
            return;
        }
        let after = &r[climb.len()..];
        assert!(after.len() >= 10, "{what}: {r:?}");
        let again = (RecoveryStep::Reconnect, then);
        assert!(after.iter().all(|&s| s == again), "{what}: {r:?}");
        let s = self.h.engine.stats();
        let pins = self
            .notices
            .iter()
            .filter(|e| matches!(e, Notice::Pin { .. }));
        let hardware = (s.reset_pulses, s.power_cycles, s.soft_resets, pins.count());
        // RESET asserted and released, twice; the power cycle: supply off, on, PWRKEY pulse.
        assert_eq!(hardware, (2, 1, 0, 8), "{what}: {r:?}");
        assert_ne!(self.h.engine.state(), State::Failed, "{what}");
    }

    /// A module class: the first failure is `reason`, and the ladder reaches the RESET pin.
    #[track_caller]
    pub fn assert_climbs(&self, reason: Status, what: &str) {
        let r = self.recoveries();
        assert_eq!(r.first().map(|x| x.1), Some(reason), "{what}: {r:?}");
        assert!(
            r.iter().any(|(s, _)| *s == RecoveryStep::ResetPin),
            "{what}: the ladder never reached the RESET pin: {r:?}"
        );
        assert!(
            self.notices.contains(&Notice::Pin {
                pin: cellmqtt::Pin::Reset,
                active: true
            }),
            "{what}: {r:?}"
        );
    }
}

/// The RESET pin was asserted.
pub fn has_reset_pin(n: &[Notice]) -> bool {
    n.contains(&Notice::Pin {
        pin: cellmqtt::Pin::Reset,
        active: true,
    })
}

pub fn starts(cmd: &[u8], prefix: &[u8]) -> bool {
    cmd.starts_with(prefix)
}

pub fn broker_side(s: Status) -> bool {
    matches!(
        s,
        Status::BrokerRefused
            | Status::BrokerUnreachable
            | Status::TlsFailed
            | Status::NameNotResolved
    )
}

/// A broker or network class, link lost included (docs/quectel-simcom-at.md §5 table).
pub fn broker_or_link(s: Status) -> bool {
    broker_side(s) || s == Status::LinkLost
}

pub const TEN_MINUTES: u32 = 600_000;

/// What every family answers alike when healthy: the SIM ready, attached, the identity
/// queries from `identity` (commands with their `\r`), `OK` to anything else.
pub fn healthy(cmd: &[u8], identity: &[(&'static [u8], &'static [u8])]) -> &'static [u8] {
    if starts(cmd, b"AT+CPIN?") {
        b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+CGATT?") {
        b"\r\n+CGATT: 1\r\n\r\nOK\r\n"
    } else if let Some((_, ans)) = identity
        .iter()
        .find(|(c, _)| c.strip_suffix(b"\r") == Some(cmd))
    {
        ans
    } else {
        b"\r\nOK\r\n"
    }
}

pub fn luat_cfg() -> Config<'static> {
    let mut c = common::config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// A healthy Luat module (docs/luat-at.md §4, §5).
pub fn luat_ok(cmd: &[u8]) -> Vec<u8> {
    let a: &[u8] = if starts(cmd, b"AT+MIPSTART") || starts(cmd, b"AT+SSLMIPSTART") {
        b"\r\nOK\r\n\r\nCONNECT OK\r\n"
    } else if starts(cmd, b"AT+MCONNECT") {
        b"\r\nOK\r\n\r\nCONNACK OK\r\n"
    } else if starts(cmd, b"AT+MIPCLOSE") {
        b"\r\n+CME ERROR: 767\r\n"
    } else if starts(cmd, b"AT+CIPSHUT") {
        b"\r\nSHUT OK\r\n"
    } else if starts(cmd, b"AT+MQTTSTATU") {
        b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+MSUB") {
        b"\r\nOK\r\n\r\nSUBACK\r\n"
    } else {
        healthy(cmd, &common::IDENTITY)
    };
    a.to_vec()
}

// ---- Quectel (docs/quectel-simcom-at.md §3, §5.2) ----

pub fn quectel_cfg() -> Config<'static> {
    let mut c = common::quectel_config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// A healthy Quectel module (docs/quectel-simcom-at.md §3).
pub fn quectel_ok(cmd: &[u8]) -> Vec<u8> {
    let a: &[u8] = if starts(cmd, b"AT+QMTOPEN=") {
        b"\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n"
    } else if starts(cmd, b"AT+QMTCONN?") {
        b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+QMTCONN=") {
        b"\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n"
    } else if starts(cmd, b"AT+QIACT?") {
        b"\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+QMTCLOSE") {
        b"\r\nERROR\r\n"
    } else if starts(cmd, b"AT+QMTDISC") {
        b"\r\nOK\r\n\r\n+QMTDISC: 0,0\r\n"
    } else {
        healthy(cmd, &common::QUECTEL_IDENTITY)
    };
    a.to_vec()
}

// ---- SIMCom (docs/quectel-simcom-at.md §4, §5.3) ----

pub fn simcom_cfg() -> Config<'static> {
    let mut c = common::simcom::config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// A healthy SIMCom module (docs/quectel-simcom-at.md §4).
pub fn simcom_ok(cmd: &[u8]) -> Vec<u8> {
    let a: &[u8] = if starts(cmd, b"AT+CMQTTSTART") {
        b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+CMQTTCONNECT=") {
        b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n"
    } else if starts(cmd, b"AT+CMQTTDISC?") {
        b"\r\n+CMQTTDISC: 0,0\r\n\r\nOK\r\n"
    } else if starts(cmd, b"AT+CMQTTDISC=") {
        b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n"
    } else if starts(cmd, b"AT+CMQTTSTOP") {
        b"\r\n+CMQTTSTOP: 0\r\n\r\nOK\r\n"
    } else {
        healthy(cmd, &common::simcom::IDENTITY)
    };
    a.to_vec()
}

/// `broker_reset_after_s` settings a long refusal is run with: off, and a minute (a reset
/// would come within the run). Under Miri only off: `run` stops after six failures, long
/// before a minute of them.
pub fn broker_resets() -> &'static [u32] {
    if cfg!(miri) {
        &[0]
    } else {
        &[0, 60]
    }
}
