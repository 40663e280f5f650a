//! The board the pin tests drive: each profile's documented hardware reactions (thresholds,
//! boot times, STATUS, RESET that shuts an Air780E down) and its module answering through
//! tests/common/family.rs.
use super::common::family::{Fam, Held};
use super::common::Harness;
use cellmqtt::config::Timeouts;
use cellmqtt::time::{reached, until};
use cellmqtt::{Config, Notice, Pin, Pins, Profile, RecoveryStep, State, Status};
use Pin::{Power, Pwrkey, Reset};

pub const ALL: Pins = Pins::RESET.union(Pins::POWER).union(Pins::PWRKEY);
pub const T: Timeouts = Timeouts::DEFAULT;
pub type Seq = Vec<(u32, Pin, bool)>;
/// The level each line is left at: RESET and PWRKEY released, the supply on.
pub const RELEASED: [(Pin, bool); 3] = [(Reset, false), (Pwrkey, false), (Power, true)];

/// The profiles a test runs for (Air780E alone under Miri: its programs are the longest).
pub fn profiles() -> &'static [Profile] {
    use Profile::*;
    &[Air780e, Air724ug, Air780ep, Ec200u, A7670][..if cfg!(miri) { 1 } else { 5 }]
}

/// What a profile's documents say of its lines (module doc); 0: not documented.
#[derive(Clone, Copy)]
pub struct Hw {
    pub key_on: u32,
    pub reset_min: u32,
    pub reset_shuts: bool,
    pub boot: u32,
}

pub fn hw(p: Profile) -> Hw {
    let (key_on, reset_min, reset_shuts, boot) = match p {
        Profile::Air724ug => (1_500, 150, false, 20_000),
        Profile::Air780e => (1_500, 501, true, 1_500),
        Profile::Air780ep => (0, 0, false, 1_500),
        // EG915U: PWRKEY at least 2 s (quectel-simcom-at.md §9 [H4]); RESET: no width found.
        Profile::Ec200u => (2_000, 0, false, 6_000),
        // A7670/A7672: PWRKEY typically 50 ms, RESET at least 2 s (§9 [H1]).
        Profile::A7670 => (50, 2_000, false, 3_600),
    };
    Hw {
        key_on,
        reset_min,
        reset_shuts,
        boot,
    }
}

/// Each family's boot lines (luat-at.md §2.2, quectel-simcom-at.md §2.1, §2.2).
pub const BANNERS: [&[u8]; 3] = [
    b"\r\nRDY\r\n",
    b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QIND: SMS DONE\r\n",
    b"\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n",
];

/// How the module stands when the session starts.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Init {
    /// Powered and answering.
    On,
    /// Off (and its supply off where a switch is wired).
    Off,
    /// Switched on this long ago: still booting.
    Booting(u32),
}

/// The module on the board: its supply, power state and UART, and what happened to it.
#[derive(Default)]
pub struct Module {
    pub held: Held,
    pub pending: Vec<u8>,
    pub supply: bool,
    pub on: bool,
    /// Booting: answers from this tick on, its boot lines first.
    pub ready_at: Option<u32>,
    pub up: bool,
    /// On but answering nothing until a reboot or a power loss (`forever`: whatever is done).
    pub deaf: bool,
    pub forever: bool,
    pub no_attach: bool,
    /// The supply switch does not switch.
    pub stuck_switch: bool,
    pub key_since: Option<u32>,
    pub reset_since: Option<u32>,
    /// Every line change (with the writes made before it), notice and write, with its tick.
    pub log: Seq,
    pub log_tx: Vec<usize>,
    pub ev: Vec<(u32, Notice)>,
    pub tx: Vec<(u32, Vec<u8>)>,
    /// PWRKEY pulses that switched a running module off.
    pub switched_off: u32,
}

/// The engine on a fake clock against a board whose lines act as the documents say.
pub struct Board {
    pub h: Harness,
    pub fam: Fam,
    pub hw: Hw,
    pub pins: Pins,
    pub m: Module,
}

impl Board {
    pub fn new(p: Profile, pins: Pins, init: Init, tweak: impl FnOnce(&mut Config)) -> Self {
        let fam = [Fam::Luat, Fam::Quectel, Fam::Simcom][match p {
            Profile::Ec200u => 1,
            Profile::A7670 => 2,
            _ => 0,
        }];
        let mut c = fam.config();
        (c.profile, c.pins) = (p, pins);
        tweak(&mut c);
        let (h, hw, m) = (Harness::new(c), hw(p), Module::default());
        let mut b = Board {
            h,
            fam,
            hw,
            pins,
            m,
        };
        b.m.supply = init != Init::Off || !pins.contains(Pins::POWER);
        match init {
            Init::On => (b.m.on, b.m.up) = (true, true),
            Init::Off => {}
            Init::Booting(ago) => b.power_on(b.h.now.wrapping_sub(ago)),
        }
        b
    }

    pub fn power_on(&mut self, t: u32) {
        let m = &mut self.m;
        (m.on, m.up, m.deaf, m.held) = (true, false, m.forever, Held::default());
        m.ready_at = Some(t.wrapping_add(self.hw.boot));
    }

    pub fn power_off(&mut self) {
        let m = &mut self.m;
        (m.on, m.up, m.ready_at, m.deaf) = (false, false, None, m.forever);
    }

    /// A line changed at `t`: what the module does by its documents.
    pub fn line(&mut self, t: u32, pin: Pin, active: bool) {
        let m = &mut self.m;
        m.log.push((t, pin, active));
        m.log_tx.push(m.tx.len());
        // How long a line was held (a stop's release of a line not held: no pulse).
        let held = |since: &mut Option<u32>| since.take().map_or(0, |s| t.wrapping_sub(s));
        match (pin, active) {
            (Power, false) if !m.stuck_switch => {
                m.supply = false;
                self.power_off();
            }
            (Power, _) => m.supply |= active,
            (Pwrkey, true) => m.key_since = Some(t),
            (Reset, true) => m.reset_since = Some(t),
            (Pwrkey, false) => {
                if held(&mut m.key_since) >= self.hw.key_on.max(1) && m.supply {
                    m.switched_off += u32::from(m.on);
                    match m.on {
                        true => self.power_off(),
                        false => self.power_on(t),
                    }
                }
            }
            (Reset, false) => {
                if held(&mut m.reset_since) >= self.hw.reset_min.max(1) && m.on {
                    match self.hw.reset_shuts {
                        true => self.power_off(),
                        false => self.power_on(t),
                    }
                }
            }
            (Pin::Status, _) => panic!("STATUS is an input"),
        }
    }

    /// One harness call, with the STATUS line as it stands before the poll, and its outcome.
    pub fn call(&mut self, f: impl FnOnce(&mut Harness)) {
        if self.pins.contains(Pins::STATUS) {
            self.h.engine.set_module_status(Some(self.m.on));
        }
        f(&mut self.h);
        let now = self.h.now;
        for n in self.h.notices() {
            if let Notice::Pin { pin, active } = n {
                self.line(now, pin, active);
            }
            self.m.ev.push((now, n));
        }
    }

    pub fn start(&mut self) {
        self.h.start();
        self.call(|h| h.advance(0));
    }

    pub fn stop(&mut self) {
        self.h.engine.stop(self.h.now);
        self.call(|h| h.advance(0));
    }

    /// The module's answers to what was written: none while it is off, booting or deaf.
    pub fn exchange(&mut self) -> Vec<u8> {
        let written = std::mem::take(&mut self.h.uart.written);
        self.h.forget_tx();
        let (now, m, mut out) = (self.h.now, &mut self.m, vec![]);
        if written.is_empty() {
            return out;
        }
        m.tx.push((now, written.clone()));
        if !m.up || m.deaf {
            return out;
        }
        m.pending.extend(written);
        while let Some(p) = m.pending.iter().position(|&b| b == b'\r') {
            let line: Vec<u8> = m.pending.drain(..=p).collect();
            let cmd = &line[..p];
            if !m.held.echo_off {
                out.extend_from_slice(&line);
            }
            let reboot = cmd == b"AT+RESET" || cmd == b"AT+CFUN=1,1";
            if reboot || cmd.ends_with(b"POWD=1") || cmd == b"AT+CPOF" {
                // Soft reset: `OK` (Quectel: `POWERED DOWN`, §2.1 [Q03]), a reboot. Switched
                // off: `OK` (Luat: `NORMAL POWER DOWN`, luat-at.md §3 [S4]; the others are
                // not documented).
                out.extend_from_slice(b"\r\nOK\r\n");
                match (reboot, self.fam) {
                    (true, Fam::Quectel) => out.extend_from_slice(b"\r\nPOWERED DOWN\r\n"),
                    (false, Fam::Luat) => out.extend_from_slice(b"\r\nNORMAL POWER DOWN\r\n"),
                    _ => {}
                }
                m.pending.clear();
                match reboot {
                    true => self.power_on(now),
                    false => self.power_off(),
                }
                return out;
            }
            match cmd {
                b"AT+CGATT?" if m.no_attach => out.extend(b"\r\n+CGATT: 0\r\n\r\nOK\r\n"),
                _ => out.extend(m.held.answer(self.fam, cmd)),
            }
        }
        out
    }

    /// Runs up to `ms` (below 2^31) of fake time until `stop` holds; false if it never did.
    pub fn run(&mut self, ms: u32, stop: impl Fn(&Board) -> bool) -> bool {
        let end = self.h.now.wrapping_add(ms);
        while !stop(self) {
            if reached(self.h.now, end) {
                return false;
            }
            if self.m.ready_at.is_some_and(|r| reached(self.h.now, r)) {
                (self.m.ready_at, self.m.up) = (None, !self.m.deaf);
                let banner = BANNERS[self.fam as usize];
                if self.m.up {
                    self.call(|h| h.rx(banner));
                }
                continue;
            }
            let out = self.exchange();
            if !out.is_empty() {
                self.call(|h| h.rx(&out));
                continue;
            }
            let mut wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
            if let Some(r) = self.m.ready_at {
                wait = wait.min(until(self.h.now, r));
            }
            let wait = wait.min(until(self.h.now, end)).max(1);
            self.call(|h| h.advance(wait));
        }
        true
    }

    #[track_caller]
    pub fn run_online(&mut self, ms: u32) {
        let online = |b: &Board| b.h.engine.state() == State::Online && !b.h.pending_tx();
        let ok = self.run(ms, online);
        assert!(ok, "{:?} not online: {:?}", self.fam, self.m.ev);
    }

    #[track_caller]
    pub fn run_to(&mut self, state: State) {
        let ok = self.run(3_600_000, |b| b.h.engine.state() == state);
        assert!(ok, "not {state:?}: {:?}", self.m.ev);
    }

    /// Runs until `n` more line changes were made (however long the holds).
    #[track_caller]
    pub fn run_pins(&mut self, n: usize) {
        let want = self.m.log.len() + n;
        let ok = (0..12).any(|_| self.run(1 << 30, |b| b.m.log.len() >= want));
        assert!(ok, "{n} line changes not made: {:?}", self.m.ev);
    }

    /// The recovery notices from the `from`th notice on, with their ticks.
    pub fn recoveries(&self, from: usize) -> Vec<(u32, RecoveryStep, Status, u16)> {
        let r = |&(t, n): &(u32, Notice)| match n {
            Notice::Recovery {
                step,
                reason,
                failures,
            } => Some((t, step, reason, failures)),
            _ => None,
        };
        self.m.ev[from..].iter().filter_map(r).collect()
    }

    pub fn steps_since(&self, from: usize) -> Vec<RecoveryStep> {
        self.recoveries(from).iter().map(|r| r.1).collect()
    }

    /// When the first `AT` probe went after the `i`th line change.
    pub fn first_at_after(&self, i: usize) -> u32 {
        let tx = &self.m.tx[self.m.log_tx[i]..];
        tx.iter().find(|e| e.1 == b"AT\r").expect("no probe").0
    }

    /// The lines and levels of the changes from the `from`th on.
    pub fn lines(&self, from: usize) -> Vec<(Pin, bool)> {
        self.m.log[from..].iter().map(|e| (e.1, e.2)).collect()
    }

    /// The last `n` line changes relative to their first, and the first `AT` after them.
    pub fn last_program(&self, n: usize) -> (Seq, u32) {
        let (log, i) = (&self.m.log, self.m.log.len() - n);
        let t0 = log[i].0;
        let rel = log[i..]
            .iter()
            .map(|e| (e.0.wrapping_sub(t0), e.1, e.2))
            .collect();
        (rel, self.first_at_after(log.len() - 1).wrapping_sub(t0))
    }
}
