// SPDX-License-Identifier: MIT OR Apache-2.0
//! Deadlines and timers: what the clock does to a session (a command, link or acknowledgement
//! that did not come in time; the polling steps, back-off and pin programs), when the session
//! next needs the clock, and the step change that sets its timers.

use super::rx::Final;
use super::session::Suspect;
use super::{AckStage, Engine, LinkWait, ProbeKind, PubSource, Step};
use crate::dialect::List;
use crate::event::{LogKind, Subject};
use crate::time::{after, reached};
use crate::Status;

impl<'a> Engine<'a> {
    /// Deadlines and timers; returns true when something changed.
    pub(super) fn fire_timers(&mut self) -> bool {
        let now = self.now;
        if self.inflight.is_some_and(|f| reached(now, f.deadline)) {
            self.on_final(Final::Timeout);
            return true;
        }
        if let Some(wait) = self.link_wait() {
            if wait == LinkWait::TcpUp && self.unterminated_open_result() {
                return true;
            }
            if reached(now, self.deadline) {
                self.awaiting_link = false;
                #[cfg(feature = "simcom")]
                if wait == LinkWait::Connack && core::mem::take(&mut self.connect_errored) {
                    // No result followed the connect's `ERROR` (`connect_refused`).
                    self.bare_connect_error(0);
                    return true;
                }
                let (what, reason) = match wait {
                    LinkWait::TcpUp => (Subject::ConnectOk, Status::ConnectFailed),
                    LinkWait::Connack => (Subject::ConnackOk, Status::ConnackFailed),
                };
                self.fail_logged(LogKind::AckTimeout, what, 0, reason);
                return true;
            }
        }
        if let Some(w) = self
            .subscribing
            .sub_wait
            .filter(|w| reached(now, w.deadline))
        {
            self.subscribing.sub_wait = None;
            let what = if w.unsubscribe {
                Subject::Unsuback
            } else {
                Subject::Suback
            };
            return self.ack_overdue(
                what,
                Suspect::Sub {
                    request: w,
                    reason: Status::Timeout,
                },
            );
        }
        if self.window_timer() {
            return true;
        }
        if let Some(w) = self
            .publishing
            .pub_wait
            .take_if(|w| reached(now, w.deadline))
        {
            let what = match w.stage {
                AckStage::Puback => Subject::Puback,
                AckStage::Pubrec => Subject::Pubrec,
                AckStage::Pubcomp | AckStage::Done => Subject::Pubcomp,
            };
            return self.ack_overdue(
                what,
                Suspect::Publish {
                    src: w.src,
                    reason: Status::Timeout,
                },
            );
        }
        self.step_timers()
    }

    /// An acknowledgement (`what`) did not come in time: logged, and the link is checked.
    /// Returns true (something changed) for `fire_timers`.
    pub(super) fn ack_overdue(&mut self, what: Subject, s: Suspect) -> bool {
        self.log(LogKind::AckTimeout, what, 0);
        self.suspect(s);
        true
    }

    fn step_timers(&mut self) -> bool {
        if self.settle_local_unsubscribe() {
            return true;
        }
        let now = self.now;
        // A polling step fails at its deadline only on a recent answer: its last query went
        // out at most one interval before the deadline (the next one, `timer`, is due at or
        // after it). A deadline that passed in a gap between polls (a late poll, a tick that
        // jumped: the module was not asked meanwhile) gets one more query first.
        // Asked in the arms that need it, as whether a command is in flight: computed before
        // the match, they had the match dispatched three times over, once per outcome
        // (measured 94 B smaller, Luat; 112 B every dialect).
        let expired = |e: &Self| {
            e.inflight.is_none() && reached(now, e.deadline) && reached(e.timer, e.deadline)
        };
        match self.step {
            Step::Pins(at) if reached(now, self.timer) => {
                self.pin_op(at);
                true
            }
            Step::Backoff if reached(now, self.timer) => {
                let next = self.resume;
                self.enter(next);
                true
            }
            Step::Probe(kind) if expired(self) => {
                self.probe_expired(kind);
                true
            }
            // One arm for both: measured 20 B smaller than one each.
            Step::Sim | Step::Attach if expired(self) => {
                self.fail(match self.step {
                    Step::Sim => Status::SimAbsent,
                    _ => Status::NotAttached,
                });
                true
            }
            // No client id for the command the step sends next (`client_id_missing`).
            Step::Configure(_) | Step::Open
                if self.inflight.is_none() && !self.awaiting_link && self.client_id_missing() =>
            {
                self.fail_logged(
                    LogKind::CommandError,
                    Subject::Identity,
                    0,
                    Status::ModuleError,
                );
                true
            }
            // Nothing awaited and nothing left to send (the question `sub_command` answers).
            Step::Restore
                if self.subscribing.sub_wait.is_none() && self.sub_command().is_none() =>
            {
                self.enter(Step::Announce);
                true
            }
            Step::Announce if self.announced && !self.publish_is_inflight(PubSource::Online) => {
                self.enter(Step::Online);
                true
            }
            _ => false,
        }
    }

    /// When the step next needs the clock (for `poll_delay_ms`): its next action and its
    /// deadline (the same tick where it has one only); the caller takes the nearer. Timers that
    /// only permit the next command (the probe, SIM and attach polls with their deadlines, the
    /// health check) count only while no command is in flight: until it ends they could do
    /// nothing, and counting them would make the caller spin.
    pub(super) fn step_wakeup(&self) -> Option<(u32, u32)> {
        let idle = self.inflight.is_none();
        match self.step {
            Step::Pins(..) | Step::Backoff => Some((self.timer, self.timer)),
            // SIMCom: the release waits for the disconnect's result, the start for the stop's
            // (`await_result`); Quectel: the stop for the disconnect's result.
            #[cfg(feature = "simcom")]
            Step::CloseForStop | Step::Open if idle && !self.awaiting_link => {
                Some((self.timer, self.timer))
            }
            #[cfg(all(feature = "quectel", not(feature = "simcom")))]
            Step::CloseForStop if idle => Some((self.timer, self.timer)),
            Step::Probe(_) | Step::Sim | Step::Attach if idle => Some((self.timer, self.deadline)),
            Step::Online if idle && self.cfg.timeouts.health_ms != 0 => {
                Some((self.health_at, self.health_at))
            }
            _ => None,
        }
    }

    /// SIMCom: the command just answered `OK` reports its result after it (`AT+CMQTTDISC`,
    /// `AT+CMQTTSTOP`, §4.2, §4.11): the step's next command waits for that result (a state
    /// not connected, `Seen::mqtt`), at most a command's time.
    #[cfg(feature = "simcom")]
    pub(super) fn await_result(&mut self) {
        if self.dialect.result_urc_decides() && self.seen.mqtt.is_none() {
            self.timer = after(self.now, self.cfg.timeouts.command_ms);
        }
    }

    /// Moves to `step` with its timers: polling steps start at once, with their deadline.
    // Out of line, as `goto`: with `Step`'s plain tag both are small enough to be inlined
    // into their many callers, measured larger (Luat).
    #[inline(never)]
    pub(super) fn enter(&mut self, step: Step) {
        let step = match step {
            Step::Prepare(i) => self.resolve(List::Prepare, i),
            Step::Configure(i) => self.resolve(List::Configure, i),
            other => other,
        };
        let t = self.cfg.timeouts;
        // Only the polling steps read their deadline; the others get one they never look at.
        let limit = match step {
            Step::Sim => t.sim_ms,
            Step::Attach => t.attach_ms,
            Step::Probe(ProbeKind::Boot) => t.boot_ms,
            Step::Probe(_) => t.silence_ms,
            _ => 0,
        };
        self.timer = self.now;
        self.deadline = after(self.now, limit);
        self.goto(step);
    }
}
