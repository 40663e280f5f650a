//! The recovery ladder as README "Failure classes" and the recovery paragraph describe it,
//! written from the README alone: each failure's status, the rung taken, the counters and the
//! back-off.
use cellmqtt::config::Ladder;
use cellmqtt::{Pins, RecoveryStep, Stats, Status};
use RecoveryStep::*;

/// What made a connect cycle fail (the scripted module's fault, or a one-shot event).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cause {
    Refused,
    Unreachable,
    NoName,
    /// A set-up command refused (Luat `AT+MCONFIG`, Quectel keep-alive, SIMCom `AT+CMQTTACCQ`).
    Setup,
    Sim,
    SimPin,
    Attach,
    /// No answer at all.
    Silent,
    LinkLoss,
    Reboot,
}

/// The back-off the rung waits before its action.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wait {
    None,
    Exact(u32),
    /// Within `lo..=hi`.
    Range(u32, u32),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Expect {
    pub step: RecoveryStep,
    pub reason: Status,
    pub failures: u16,
    pub wait: Wait,
}

/// The counters README and `Stats` promise.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Counters {
    pub reconnects: u32,
    pub reset_pulses: u32,
    pub soft_resets: u32,
    pub power_cycles: u32,
    pub broker_failures: u32,
    pub connect_failures: u32,
    pub links_lost: u32,
    pub module_reboots: u32,
}

impl Counters {
    pub fn of(s: &Stats) -> Counters {
        Counters {
            reconnects: s.reconnects,
            reset_pulses: s.reset_pulses,
            soft_resets: s.soft_resets,
            power_cycles: s.power_cycles,
            broker_failures: s.broker_failures,
            connect_failures: s.connect_failures,
            links_lost: s.links_lost,
            module_reboots: s.module_reboots,
        }
    }
}

pub struct Model {
    pub ladder: Ladder,
    pub pins: Pins,
    pub min_ms: u32,
    pub max_ms: u32,
    /// Consecutive failed cycles since online or start.
    pub failures: u16,
    /// Module-class failures on the ladder since its last top rung.
    pos: u16,
    /// Top rungs since online or start (for `power_cycle_limit`).
    tops: u16,
    refusals: u16,
    broker_since: Option<u32>,
    /// The SIM, attach or set-up failure last met, and whether the top rung came after it.
    watched: Option<(Cause, bool)>,
    pub online: bool,
    pub failed: bool,
    pub c: Counters,
}

impl Model {
    pub fn new(ladder: Ladder, pins: Pins, min_ms: u32, max_ms: u32) -> Model {
        Model {
            ladder,
            pins,
            min_ms,
            max_ms,
            failures: 0,
            pos: 0,
            tops: 0,
            refusals: 0,
            broker_since: None,
            watched: None,
            online: false,
            failed: false,
            c: Counters::default(),
        }
    }

    /// "a successful online clears the run"; a new `start` begins a new one.
    fn clear_run(&mut self) {
        (self.failures, self.pos, self.tops, self.refusals) = (0, 0, 0, 0);
        (self.broker_since, self.watched) = (None, None);
    }

    pub fn start(&mut self) {
        self.clear_run();
        (self.online, self.failed) = (false, false);
    }

    pub fn came_online(&mut self) {
        self.clear_run();
        self.online = true;
    }

    /// `RDY` during a back-off: counted in `module_reboots`, no failure.
    pub fn rebooted_in_backoff(&mut self) {
        self.c.module_reboots += 1;
    }

    /// At start, a module that answers nothing: switched on (`POWER_ON`, no rung, no
    /// counter) where PWRKEY or POWER is wired, unless STATUS reports power (then its boot
    /// time). README "STATUS line".
    pub fn start_power_on(&self, silent: bool, status_on: bool) -> Option<Expect> {
        let wired = self.pins.intersects(Pins::PWRKEY | Pins::POWER);
        (silent && !status_on && wired).then_some(Expect {
            step: PowerOn,
            reason: Status::NoResponse,
            failures: self.failures,
            wait: Wait::None,
        })
    }

    /// The doubling back-off of the current failure count.
    fn backoff(&self) -> u32 {
        let d = u32::from(self.failures.saturating_sub(1));
        let w = if d >= 32 {
            u64::MAX
        } else {
            u64::from(self.min_ms) << d
        };
        w.min(u64::from(self.max_ms)) as u32
    }

    fn jittered(&self) -> Wait {
        let w = self.backoff();
        Wait::Range(w / 2, w)
    }

    fn expect(&self, step: RecoveryStep, reason: Status, wait: Wait) -> Expect {
        let failures = self.failures;
        Expect {
            step,
            reason,
            failures,
            wait,
        }
    }

    /// A failed cycle for `cause` at `now`; `status_on`: STATUS is wired and reports power.
    pub fn failure(&mut self, cause: Cause, now: u32, status_on: bool) -> Expect {
        let was_online = std::mem::replace(&mut self.online, false);
        if was_online {
            self.c.links_lost += 1;
        } else {
            self.c.connect_failures += 1;
        }
        self.failures = self.failures.saturating_add(1);
        match cause {
            Cause::Reboot => {
                self.c.module_reboots += 1;
                self.expect(Reinit, Status::LinkLost, Wait::None)
            }
            Cause::LinkLoss => {
                if !was_online {
                    self.c.broker_failures += 1;
                }
                self.c.reconnects += 1;
                self.expect(Reconnect, Status::LinkLost, Wait::Exact(self.backoff()))
            }
            Cause::Refused => self.broker(Status::BrokerRefused, now),
            Cause::Unreachable => self.broker(Status::BrokerUnreachable, now),
            Cause::NoName => self.broker(Status::NameNotResolved, now),
            Cause::Sim | Cause::SimPin | Cause::Attach | Cause::Setup => {
                let again = self.watched == Some((cause, true));
                if !again {
                    self.watched = Some((cause, false));
                }
                let reason = match cause {
                    Cause::Sim => Status::SimAbsent,
                    Cause::SimPin => Status::SimLocked,
                    Cause::Attach => Status::NotAttached,
                    _ if again => Status::ConfigRefused,
                    _ => Status::ModuleError,
                };
                if !again || self.ladder.power_cycle_limit != 0 {
                    return self.module(reason, false, status_on);
                }
                if cause == Cause::Setup {
                    // "jittered re-connects as for the broker's classes, counted in
                    // `refusal_limit` with `BROKER_REFUSED`"; hardware "once per run, then
                    // never"; `broker_failures` counts it (Stats).
                    self.c.broker_failures += 1;
                    self.refusals += 1;
                    if self.refusal_limit_hit() {
                        return self.give_up(reason);
                    }
                    self.c.reconnects += 1;
                    return self.expect(Reconnect, reason, self.jittered());
                }
                // SIM, attach: "re-connects after the back-off only, until online"
                // (jittered or not); hardware "once per run, then never".
                self.c.reconnects += 1;
                let w = self.backoff();
                self.expect(Reconnect, reason, Wait::Range(w / 2, w))
            }
            Cause::Silent => self.module(Status::NoResponse, true, status_on),
        }
    }

    fn refusal_limit_hit(&self) -> bool {
        self.ladder.refusal_limit != 0 && self.refusals >= self.ladder.refusal_limit
    }

    fn give_up(&mut self, reason: Status) -> Expect {
        self.failed = true;
        self.expect(GaveUp, reason, Wait::None)
    }

    /// The four broker classes.
    fn broker(&mut self, reason: Status, now: u32) -> Expect {
        self.c.broker_failures += 1;
        if reason == Status::BrokerRefused {
            self.refusals += 1;
        }
        if self.refusal_limit_hit() {
            return self.give_up(reason);
        }
        let period = self.ladder.broker_reset_after_s;
        let since = *self.broker_since.get_or_insert(now);
        if period != 0 && now.wrapping_sub(since) >= period * 1000 {
            // "one module reset as a last resort, then re-connects again", once per period.
            self.broker_since = Some(now);
            return self.reset(reason);
        }
        self.c.reconnects += 1;
        self.expect(Reconnect, reason, self.jittered())
    }

    fn reset(&mut self, reason: Status) -> Expect {
        let step = if self.pins.contains(Pins::RESET) {
            self.c.reset_pulses += 1;
            ResetPin
        } else {
            self.c.soft_resets += 1;
            SoftReset
        };
        self.expect(step, reason, Wait::Exact(self.backoff()))
    }

    /// The ladder: `reconnects_before_reset` re-connects, RESET pulses, the power rung; a
    /// silent module starts at RESET.
    fn module(&mut self, reason: Status, silent: bool, status_on: bool) -> Expect {
        let r = u16::from(self.ladder.reconnects_before_reset);
        let s = u16::from(self.ladder.resets_before_power_cycle);
        if silent && self.pos < r {
            self.pos = r;
        }
        let p = self.pos;
        self.pos += 1;
        if p < r {
            self.c.reconnects += 1;
            return self.expect(Reconnect, reason, Wait::Exact(self.backoff()));
        }
        if p < r + s {
            return self.reset(reason);
        }
        self.pos = 0;
        if let Some((k, _)) = self.watched {
            self.watched = Some((k, true));
        }
        let limit = self.ladder.power_cycle_limit;
        if limit != 0 && self.tops >= limit {
            return self.give_up(reason);
        }
        self.tops += 1;
        let wait = Wait::Exact(self.backoff());
        if self.pins.contains(Pins::POWER) {
            self.c.power_cycles += 1;
            self.expect(PowerCycle, reason, wait)
        } else if self.pins.contains(Pins::PWRKEY) && !status_on {
            self.c.power_cycles += 1;
            self.expect(PowerOn, reason, wait)
        } else {
            self.reset(reason)
        }
    }
}
