// SPDX-License-Identifier: MIT OR Apache-2.0
//! Failures and the recovery ladder: re-connect with back-off, then RESET pulses, then power
//! cycles, round after round, until the session is online again (or `power_cycle_limit` is hit).
//! Every step is a notice; every wait is bounded.
//!
//! Failures are classified before they are acted on. Only module symptoms (no answer,
//! contradictory answers, attach lost) climb the ladder. Broker and network failures (refused,
//! unreachable, TLS, name not resolved) come from a module that works: they get re-connects
//! with back-off and jitter, never a pin or a reset, except the optional last-resort reset
//! after `Ladder::broker_reset_after_s` of them.

use super::state::{status_key, BootState, TOP_RUNG_SINCE};
use super::{Engine, ProbeKind, Step};
use crate::config::Pins;
use crate::event::{LogKind, Notice, Pin, RecoveryStep, Subject};
use crate::time::after;
use crate::Status;

/// Pins settle this long after a pulse before the next action.
const SETTLE_MS: u32 = 100;
/// Supply on to PWRKEY pulse.
const POWER_UP_MS: u32 = 500;

/// A pin program run by `Step::Pins`. The values are what [`PinStep`] stores and decodes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sequence {
    /// RESET pulse; on modules whose RESET_N shuts down (Air780E), PWRKEY after it.
    ResetPulse = 0,
    /// Supply off, on, PWRKEY pulse.
    PowerCycle = 1,
    /// Supply on and PWRKEY pulse for a module that is off.
    PowerOn = 2,
}

/// Where a pin sequence stands: the sequence and the index of its next operation, in one byte.
/// Packed so that `Step` keeps a plain tag: a `Sequence` field in it would lend `Step` its
/// niche, and every match on the step would first decode the tag from it (measured 46 B
/// smaller, Luat; 92 B lean).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PinStep(u8);

impl PinStep {
    /// The first operation of `seq`.
    pub const fn start(seq: Sequence) -> Self {
        PinStep((seq as u8) << 4)
    }

    fn seq(self) -> Sequence {
        match self.0 >> 4 {
            x if x == Sequence::ResetPulse as u8 => Sequence::ResetPulse,
            x if x == Sequence::PowerCycle as u8 => Sequence::PowerCycle,
            _ => Sequence::PowerOn,
        }
    }

    fn op(self) -> u8 {
        self.0 & 15
    }

    /// The operation after this one. No sequence has 15 operations: the index stops there,
    /// past the end, and never wraps into the sequence.
    fn next(self) -> Self {
        match self.op() {
            15 => self,
            _ => PinStep(self.0 + 1),
        }
    }
}

/// How long a pin operation holds before the next.
#[derive(Clone, Copy)]
enum Hold {
    ResetPulse,
    Pwrkey,
    PowerOff,
    PowerUp,
    Settle,
}

/// How a failure came about; it decides the first rung.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cause {
    /// A step failed or the link dropped: start with a re-connect.
    Failure,
    /// The module answers nothing: re-connecting cannot help, start at RESET.
    Silent,
    /// The module rebooted by itself: re-initialise instead of re-connecting.
    Rebooted,
    /// The broker or the network failed us; the module is fine: re-connect, never climb.
    Broker,
    /// The link or the bearer dropped (`CLOSED`, PDP loss, keep-alive failed): the network's
    /// side, whether online or during a connect (docs/luat-at.md §10.5,
    /// docs/quectel-simcom-at.md §5): re-connect after the back-off, never climb.
    Network,
    /// The SIM or the attach still missing after the ladder's top rung: no restart cures
    /// that. Re-connect after the jittered back-off, never climb; not the broker's, so not
    /// counted in `broker_failures` and never the broker's last-resort reset.
    Outside,
}

/// A rung `climb` takes: each one counts in its own statistic and is announced as the
/// matching [`RecoveryStep`].
#[derive(Clone, Copy)]
enum Rung {
    Reconnect,
    ResetPin,
    SoftReset,
    PowerCycle,
    /// The power step without a supply switch: a PWRKEY pulse.
    PowerOn,
}

/// Seeds the back-off jitter from the client id (FNV-1a), so devices of a fleet that fail at
/// the same moment (a broker outage) spread their re-connects out.
// Out of line: the handle's creation and the back-off (with the IMEI) each had the loop
// inlined; one body is 22 B smaller on every build.
#[inline(never)]
pub(super) fn jitter_seed(client_id: &[u8]) -> u32 {
    let h = client_id.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    h | 1
}

/// The status of a broker or network failure (one that never touches the module's hardware).
// Out of line: four failure paths classify with it; measured 36 B smaller (Luat engine).
#[inline(never)]
pub(super) fn is_broker_side(reason: Status) -> bool {
    matches!(
        reason,
        Status::BrokerRefused
            | Status::BrokerUnreachable
            | Status::TlsFailed
            | Status::NameNotResolved
    )
}

impl<'a> Engine<'a> {
    /// The pin operation `i` of `seq`: (pin, asserted, hold time).
    fn sequence_op(&self, seq: Sequence, i: u8) -> Option<(Pin, bool, u32)> {
        // The programs are constant tables (the configured times are looked up after), so no
        // table is built at run time; the shorter programs are slices of the two longer.
        const RESET: [(Pin, bool, Hold); 4] = [
            (Pin::Reset, true, Hold::ResetPulse),
            (Pin::Reset, false, Hold::Settle),
            (Pin::Pwrkey, true, Hold::Pwrkey),
            (Pin::Pwrkey, false, Hold::Settle),
        ];
        const POWER: [(Pin, bool, Hold); 4] = [
            (Pin::Power, false, Hold::PowerOff),
            (Pin::Power, true, Hold::PowerUp),
            (Pin::Pwrkey, true, Hold::Pwrkey),
            (Pin::Pwrkey, false, Hold::Settle),
        ];
        let ops: &[(Pin, bool, Hold)] = match seq {
            // RESET then PWRKEY on modules whose RESET_N shuts down (Air780E).
            Sequence::ResetPulse if self.cfg.profile.reset_is_shutdown() => &RESET,
            Sequence::ResetPulse => RESET.get(..2).unwrap_or(&[]),
            Sequence::PowerCycle => &POWER,
            Sequence::PowerOn => POWER.get(1..).unwrap_or(&[]),
        };
        let &(pin, active, hold) = ops.get(usize::from(i))?;
        let t = &self.cfg.timeouts;
        let ms = match hold {
            Hold::ResetPulse => t.reset_pulse_ms.max(self.cfg.profile.reset_pulse_min_ms()),
            Hold::Pwrkey => t.pwrkey_ms,
            Hold::PowerOff => t.power_off_ms,
            Hold::PowerUp => POWER_UP_MS,
            Hold::Settle => SETTLE_MS,
        };
        Some((pin, active, ms))
    }

    fn wired(&self, pin: Pin) -> bool {
        self.cfg.pins.contains(match pin {
            Pin::Reset => Pins::RESET,
            Pin::Power => Pins::POWER,
            Pin::Pwrkey => Pins::PWRKEY,
            Pin::Status => Pins::STATUS,
        })
    }

    /// The STATUS line, where wired and read, says the module is powered on.
    fn status_says_on(&self) -> bool {
        self.wired(Pin::Status) && self.module_status == Some(true)
    }

    /// Runs the operation `at` stands for (skipping unwired pins); after the last, the module
    /// boots.
    pub(super) fn pin_op(&mut self, mut at: PinStep) {
        let seq = at.seq();
        while let Some((pin, active, hold)) = self.sequence_op(seq, at.op()) {
            at = at.next();
            // Both checks below ask whether the module reports power while a pin is asserted;
            // they are for different pins, so at most one of them acts on it.
            let asserting_on = active && self.status_says_on();
            if pin == Pin::Power && seq == Sequence::PowerCycle && asserting_on {
                // The supply was off for `power_off_ms` and the module still reports power:
                // the switch did not cut it. Say so; the sequence goes on.
                self.log(LogKind::StatusMismatch, Subject::StatusPin, 1);
            }
            if pin == Pin::Pwrkey && asserting_on {
                // PWRKEY toggles power: pulsing a module that is on would switch it off.
                // Skip the pulse and its release.
                at = at.next();
                continue;
            }
            if self.wired(pin) {
                self.notify(Notice::Pin { pin, active });
                self.step = Step::Pins(at);
                self.timer = after(self.now, hold);
                return;
            }
        }
        self.fresh_module();
        self.begin_probe(ProbeKind::Boot);
    }

    pub(super) fn begin_probe(&mut self, kind: ProbeKind) {
        self.enter(Step::Probe(kind));
    }

    /// The probe deadline passed without an answer.
    pub(super) fn probe_expired(&mut self, kind: ProbeKind) {
        match kind {
            // STATUS reports power: booting still (an Air724UG takes about 20 s), or hung;
            // no pulse would go (`pin_op`), so nothing is announced and it gets its boot time.
            ProbeKind::Start if self.status_says_on() => self.begin_probe(ProbeKind::Boot),
            ProbeKind::Start if self.cfg.pins.intersects(Pins::PWRKEY | Pins::POWER) => {
                // Probably switched off: switch it on.
                self.announce(RecoveryStep::PowerOn, Status::NoResponse);
                self.enter(Step::Pins(PinStep::start(Sequence::PowerOn)));
            }
            // No pins: it may still be booting; give it the full boot time.
            ProbeKind::Start => self.begin_probe(ProbeKind::Boot),
            ProbeKind::Boot | ProbeKind::Silent => self.fail_as(Status::NoResponse, Cause::Silent),
        }
    }

    /// Forgets the command in flight: nothing more of it is written and no answer awaited.
    // Out of line: one call instead of a copy in each of the paths that give up a command.
    #[inline(never)]
    pub(super) fn abandon_inflight(&mut self) {
        if self.inflight.take().is_some() {
            // A timed-out queued command's prompt may still come (`queued_final`).
            self.tok.set_expect_prompt(self.at_queue.resync);
            if self.windowed() {
                self.rewind_if_due();
            }
        }
    }

    /// Everything the module held is gone (it rebooted, or we reset it).
    // Out of line: rebuilding the per-boot state is a large copy, and seven paths do it.
    #[inline(never)]
    pub(super) fn fresh_module(&mut self) {
        // Messages the module announced in its cache and the session did not read yet are
        // gone with its RAM (docs/luat-at.md §5.10).
        let unread = self.boot.cache_pending | self.boot.cache_reading;
        if crate::parts::CACHE_MODE && unread != 0 {
            // Counted in a loop (at most eight rounds, on a reboot): `count_ones` is a longer
            // bit-twiddling sequence (measured 16 B larger).
            let (mut left, mut count) = (unread, 0);
            while left != 0 {
                left &= left - 1;
                count += 1;
            }
            self.lost(crate::event::LossKind::CacheReadFailed, count);
        }
        self.tok.reset();
        self.boot = BootState::fresh();
        self.tcp_up = false;
    }

    /// The link dropped (`CLOSED`, PDN/PDP loss, `+MQTTSTATU :0`). The re-connect is the
    /// vendor's: MIPCLOSE, MCONFIG, MIPSTART (docs/luat-at.md §10) with no attach check, which the
    /// 8910 would answer 0 until MIPSTART brings the bearer back; if the bearer stays down,
    /// MIPSTART fails and the ladder goes on.
    /// `what` (with `code`) said so; every caller logs it, so the log is made here once.
    pub(super) fn link_lost(&mut self, what: Subject, code: u16) {
        self.fail_logged(LogKind::LinkDown, what, code, Status::LinkLost);
    }

    /// Logs what failed (`kind`, `what`, `code`), then fails the cycle for `reason`.
    // Out of line: the failure paths that say why before failing share one body.
    #[inline(never)]
    pub(super) fn fail_logged(&mut self, kind: LogKind, what: Subject, code: u16, reason: Status) {
        self.log(kind, what, code);
        self.fail(reason);
    }

    /// `RDY` mid-session.
    pub(super) fn module_rebooted(&mut self) {
        self.fail_as(Status::LinkLost, Cause::Rebooted);
    }

    /// The broker or the network failed the connect (`what` said so, with `code`): log the
    /// class and re-connect; the module is not touched. A code of the module's own side among
    /// a family's connect results (SIMCom, docs/quectel-simcom-at.md §5.3) is logged as a
    /// command error and takes the ladder like any module error.
    pub(super) fn broker_failed(&mut self, what: Subject, code: u16, reason: Status) {
        let kind = match is_broker_side(reason) {
            true => LogKind::BrokerFailure,
            false => LogKind::CommandError,
        };
        self.log_as(kind, what, code, reason);
        self.fail(reason);
    }

    /// The current cycle cannot continue: take the next rung of the ladder, or, for a broker
    /// or network failure, re-connect.
    // Out of line: some fifteen failure paths call it; each had the classification inlined.
    #[inline(never)]
    pub(super) fn fail(&mut self, reason: Status) {
        let cause = if reason == Status::NoResponse {
            Cause::Silent
        } else if is_broker_side(reason) {
            Cause::Broker
        } else if reason == Status::LinkLost {
            Cause::Network
        } else if matches!(
            reason,
            Status::SimAbsent | Status::SimLocked | Status::NotAttached
        ) && self.outlived_the_ladder(status_key(reason))
            && self.cfg.ladder.power_cycle_limit == 0
        {
            // The vendors restart the module for these (docs/luat-at.md §2.3), and the ladder
            // did, to its top; still missing, the SIM or the network is: re-connects only.
            // (A configured limit is run to as configured: a device that sleeps once it is
            // reached.)
            Cause::Outside
        } else {
            Cause::Failure
        };
        self.fail_as(reason, cause);
    }

    /// True when the failure `key` names (a set-up command, or a status's code) happened
    /// before and the ladder's top rung since did not cure it; else it becomes the failure
    /// watched (`LadderState::refused`).
    fn outlived_the_ladder(&mut self, key: u8) -> bool {
        let again = self.ladder.refused == key | TOP_RUNG_SINCE;
        if !again {
            self.ladder.refused = key;
        }
        again
    }

    /// A command of the session's set-up (`key`, never 0, names which) was refused. That is
    /// the module's (`first`, `MODULE_ERROR` or `CONNECT_FAILED`: the ladder) until the same
    /// command is refused again after the ladder's top rung: then no reset or power cycle
    /// changes the answer, and the configuration is at fault (`CONFIG_REFUSED`: re-connects
    /// with back-off, as for the broker's failures, never a pin or a reset), until the
    /// session gets online or restarts. With `power_cycle_limit` set, the ladder still runs
    /// to it (`CONFIG_REFUSED` then).
    // Out of line: the bring-up entries, the open and the connect's parts all end here.
    #[inline(never)]
    pub(super) fn setup_refused(&mut self, key: u8, first: Status) {
        if !self.outlived_the_ladder(key) {
            return self.fail_as(first, Cause::Failure);
        }
        // As for the SIM and the attach (`fail`), a configured limit is run to as configured.
        let cause = match self.cfg.ladder.power_cycle_limit {
            0 => Cause::Broker,
            _ => Cause::Failure,
        };
        self.fail_as(Status::ConfigRefused, cause);
    }

    fn fail_as(&mut self, reason: Status, cause: Cause) {
        let was_connected = self.connected;
        self.drop_link_state();
        self.ladder.failures = self.ladder.failures.saturating_add(1);
        // One increment, of the counter picked (measured 12 B smaller than one per branch).
        let s = &mut self.stats;
        let count = if was_connected {
            &mut s.links_lost
        } else {
            // A failed connect attempt: the client may be the cause (`BootState::client_kept`).
            self.boot.client_kept = false;
            if cause == Cause::Network {
                // A connect the network failed (`broker_failures` counts both sides). Counted
                // here, not in its arm below: a second test of `was_connected` there had the
                // dispatch on `cause` copied for each side (measured 8 B larger).
                s.broker_failures = s.broker_failures.wrapping_add(1);
            }
            &mut s.connect_failures
        };
        *count = count.wrapping_add(1);
        match cause {
            Cause::Broker => return self.broker_side(reason),
            Cause::Outside => return self.reconnect(reason, Cause::Broker),
            // Network: where the ladder stands is left as it is: a re-connect that fails for
            // the module's own reasons climbs from there. Rebooted: the module already
            // rebooted: re-initialise it, whatever the ladder's position (README "Failure
            // classes": no hardware step for a reboot).
            Cause::Network | Cause::Rebooted => return self.reconnect(reason, cause),
            _ => {}
        }
        let l = self.cfg.ladder;
        let reconnects = u16::from(l.reconnects_before_reset);
        let resets = u16::from(l.resets_before_power_cycle);
        if cause == Cause::Silent && self.ladder.ladder_pos < reconnects {
            self.ladder.ladder_pos = reconnects;
        }
        let pos = self.ladder.ladder_pos;
        self.ladder.ladder_pos = pos.saturating_add(1);
        if pos < reconnects {
            self.reconnect(reason, cause);
        } else if pos < reconnects + resets {
            self.reset(reason);
        } else {
            self.ladder.ladder_pos = 0;
            self.power_cycle(reason);
        }
    }

    /// A broker or network failure: give up after `refusal_limit` refusals, reset the module
    /// once `broker_reset_after_s` of them have passed (both off by default), else re-connect
    /// after a jittered back-off. The ladder position is left as it is.
    fn broker_side(&mut self, reason: Status) {
        self.stats.broker_failures = self.stats.broker_failures.wrapping_add(1);
        if matches!(reason, Status::BrokerRefused | Status::ConfigRefused) {
            self.ladder.refusals = self.ladder.refusals.saturating_add(1);
        }
        let l = self.cfg.ladder;
        if l.refusal_limit != 0 && self.ladder.refusals >= l.refusal_limit {
            return self.give_up(reason);
        }
        if reason == Status::ConfigRefused {
            // The module was restarted for it already (the ladder's top rung): no reset.
            return self.reconnect(reason, Cause::Broker);
        }
        if !self.ladder.broker_run {
            (self.ladder.broker_run, self.ladder.broker_since) = (true, self.now);
        }
        let since = self.ladder.broker_since;
        // As a deadline (`Config::check` holds the setting's milliseconds under 2^31): a tick
        // that stepped back puts `since` ahead of `now`, which an unsigned difference would
        // read as 49 days of failures.
        // `check_config` holds it to `BROKER_RESET_AFTER_S_MAX` (2,147,483 s), so the product
        // fits: no saturating multiply (a 64-bit product on a Cortex-M0).
        let due = crate::time::after(since, l.broker_reset_after_s.wrapping_mul(1000));
        if l.broker_reset_after_s != 0 && crate::time::reached(self.now, due) {
            // Last resort, as configured: the module may hold a state no command clears.
            self.ladder.broker_since = self.now;
            return self.reset(reason);
        }
        self.reconnect(reason, Cause::Broker);
    }

    fn reconnect(&mut self, reason: Status, cause: Cause) {
        let step = match cause {
            Cause::Rebooted => {
                self.announce(RecoveryStep::Reinit, reason);
                // The module is fresh; no back-off needed.
                self.begin_probe(ProbeKind::Boot);
                return;
            }
            _ if self.before_link() => Step::Sim,
            // The module may have lost its per-boot settings (echo came back after ATE0).
            _ if !self.boot.prepared => Step::Prepare(0),
            _ => Step::Configure(0),
        };
        self.climb(Rung::Reconnect, reason, step);
        if cause == Cause::Broker {
            self.jitter_backoff();
        }
    }

    /// Shortens the back-off just set to a random point of its second half: devices that
    /// failed together (a broker outage) do not come back in lock-step.
    fn jitter_backoff(&mut self) {
        let mut x = self.ladder.jitter ^ self.now;
        if self
            .cfg
            .options
            .contains(crate::config::Options::CLIENT_ID_IMEI)
        {
            // Devices configured alike connect with their IMEI: that keeps them apart.
            x ^= jitter_seed(self.boot.facts.imei.get());
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.ladder.jitter = x | 1;
        let wait = crate::time::until(self.now, self.timer);
        let half = wait / 2;
        let spread = x % half.saturating_add(1);
        self.timer = after(self.now, half.saturating_add(spread));
    }

    // Always inlined into its four callers, where it becomes one of two `climb` calls
    // (measured 26 B smaller, Luat, Quectel, SIMCom and every dialect).
    #[inline(always)]
    fn reset(&mut self, reason: Status) {
        if self.wired(Pin::Reset) {
            self.climb(
                Rung::ResetPin,
                reason,
                Step::Pins(PinStep::start(Sequence::ResetPulse)),
            );
        } else {
            self.climb(Rung::SoftReset, reason, Step::SoftReset);
        }
    }

    fn power_cycle(&mut self, reason: Status) {
        // The top rung, whatever stands in for it below: a set-up command refused again after
        // it is the configuration's (`setup_refused`).
        self.ladder.refused |= TOP_RUNG_SINCE;
        let limit = self.cfg.ladder.power_cycle_limit;
        if limit != 0 && self.ladder.power_cycles >= limit {
            return self.give_up(reason);
        }
        self.ladder.power_cycles = self.ladder.power_cycles.saturating_add(1);
        if !crate::parts::POWER_CYCLE {
            // Without the part (crate::parts, whose configuration check refused POWER) RESET
            // is the last resort.
            return self.reset(reason);
        }
        if !self.wired(Pin::Power) {
            // A supply switch is what makes a power cycle. Without one, a module that went off
            // (brown-out, shutdown, a blind pulse at start) answers nothing and only PWRKEY
            // switches it on (docs/luat-at.md §3, §10.3). Where STATUS reports power it is
            // hung, not off: the pulse would switch it off, so RESET is the last resort, as
            // without PWRKEY. (`pin_op` checks STATUS again when the pulse is due.)
            if self.wired(Pin::Pwrkey) && !self.status_says_on() {
                let on = Step::Pins(PinStep::start(Sequence::PowerOn));
                return self.climb(Rung::PowerOn, reason, on);
            }
            return self.reset(reason);
        }
        self.climb(
            Rung::PowerCycle,
            reason,
            Step::Pins(PinStep::start(Sequence::PowerCycle)),
        );
    }

    /// Takes `rung` of the ladder (for `reason`): counted, announced, and `next` entered
    /// after the back-off.
    fn climb(&mut self, rung: Rung, reason: Status, next: Step) {
        let s = &mut self.stats;
        // Exhaustive over `Rung`: a new rung must say which counter it moves.
        let (step, count) = match rung {
            Rung::Reconnect => (RecoveryStep::Reconnect, &mut s.reconnects),
            Rung::ResetPin => (RecoveryStep::ResetPin, &mut s.reset_pulses),
            Rung::SoftReset => (RecoveryStep::SoftReset, &mut s.soft_resets),
            Rung::PowerCycle => (RecoveryStep::PowerCycle, &mut s.power_cycles),
            Rung::PowerOn => (RecoveryStep::PowerOn, &mut s.power_cycles),
        };
        *count = count.wrapping_add(1);
        self.announce(step, reason);
        self.backoff_then(next);
    }

    /// The ladder's limit is reached: the session ends `Failed` until the next `start`.
    fn give_up(&mut self, reason: Status) {
        self.announce(RecoveryStep::GaveUp, reason);
        self.enter(Step::Failed);
    }

    // Out of line: each step of the ladder would build the notice itself.
    #[inline(never)]
    fn announce(&mut self, step: RecoveryStep, reason: Status) {
        self.notify(Notice::Recovery {
            step,
            reason,
            failures: self.ladder.failures,
        });
    }

    /// Waits `backoff_min_ms · 2^(failures-1)`, capped at `backoff_max_ms`, then enters `next`.
    fn backoff_then(&mut self, next: Step) {
        let t = &self.cfg.timeouts;
        let doublings = u32::from(self.ladder.failures.saturating_sub(1));
        // Doubled until the cap: no count of leading zeros, which a Cortex-M0 has no
        // instruction for (the library's software count, 108 B). Runs once per failure.
        let mut wait = t.backoff_min_ms;
        for _ in 0..doublings {
            if wait >= t.backoff_max_ms {
                break;
            }
            wait = wait.saturating_add(wait);
        }
        let wait = wait.min(t.backoff_max_ms);
        self.resume = next;
        self.enter(Step::Backoff);
        self.timer = after(self.now, wait);
    }

    /// True when the failure happened before the module was attached (SIM, attach, setup).
    fn before_link(&self) -> bool {
        matches!(
            self.step,
            Step::Probe(_)
                | Step::EchoOff
                | Step::Sim
                | Step::Identity(_)
                | Step::Attach
                | Step::Signal
                | Step::Prepare(_)
        )
    }

    /// Forgets the link and everything waiting on it; the publish in flight and every confirmed
    /// filter will be sent again. A new epoch makes late answers stale.
    fn drop_link_state(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        self.awaiting_link = false;
        #[cfg(feature = "simcom")]
        if let Some(super::session::Suspect::SubRefused { request }) = self.suspect {
            self.sub_refused(request);
        }
        self.end_replaced_request();
        self.suspect = None;
        self.early_send_failed = false;
        self.connected = false;
        self.tcp_up = false;
        // A publish whose `OK` came but not yet its result (only where a QoS 0 publish has
        // one, SIMCom): accepted, as for `settle_stale`.
        let accepted = self.dialect.qos0_has_result()
            && self.publishing.pub_wait.is_some_and(|w| {
                w.src == super::PubSource::Queue && w.stage == crate::dialect::Ack::Done
            });
        if accepted {
            self.complete_accepted_qos0();
        }
        self.publishing.drop_link();
        if self.window() > 1 {
            self.rewind_window();
        }
        let clean = self
            .cfg
            .options
            .contains(crate::config::Options::CLEAN_SESSION);
        self.subscribing.drop_link(clean);
    }

    /// `stop`: leave the broker politely when connected; release any pin held.
    pub(super) fn stop_session(&mut self) {
        self.restart_after_stop = false;
        if matches!(self.step, Step::Disconnect | Step::CloseForStop) {
            // Already stopping: let it finish (MIPCLOSE included); what was queued since ends.
            return self.drop_at_commands();
        }
        let connected = self.connected;
        let tcp_maybe_up =
            connected || self.tcp_up || matches!(self.step, Step::Open | Step::Connect);
        if let Step::Pins(..) = self.step {
            self.release_pins();
        }
        self.boot.client_kept = false;
        self.drop_link_state();
        self.drop_at_commands();
        if connected {
            self.enter(Step::Disconnect);
        } else if tcp_maybe_up {
            self.enter(Step::CloseForStop);
        } else {
            self.enter(Step::Idle);
        }
    }

    /// Leaves every wired line inactive and the supply on.
    fn release_pins(&mut self) {
        for (pin, active) in [
            (Pin::Reset, false),
            (Pin::Pwrkey, false),
            (Pin::Power, true),
        ] {
            if self.wired(pin) {
                self.notify(Notice::Pin { pin, active });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PinStep, Sequence};

    /// Each sequence comes back out of its byte, from its first operation on, and the index
    /// stops at 15 instead of running into the sequence's bits.
    #[test]
    fn a_pin_step_keeps_its_sequence_and_operation() {
        for seq in [
            Sequence::ResetPulse,
            Sequence::PowerCycle,
            Sequence::PowerOn,
        ] {
            let mut at = PinStep::start(seq);
            assert_eq!((at.seq(), at.op()), (seq, 0));
            for op in 1..=20u8 {
                at = at.next();
                assert_eq!((at.seq(), at.op()), (seq, op.min(15)));
            }
        }
    }
}
