// SPDX-License-Identifier: MIT OR Apache-2.0
//! The steps of a session and what each command's result does.
//!
//! Full start: `AT` (until answered) → `ATE0` → `AT+CPIN?` (until READY) → `AT+CGATT?` (until 1)
//! → [`AT+CSQ`] → `AT+MQTTMSGSET` → `AT+MQTTMODE=0` (unless the firmware lacks it) →
//! [`AT+SSLCFG` items, once per module boot] → `AT+MIPCLOSE` (result ignored) → `AT+MCONFIG`
//! → `AT+MIPSTART` … `CONNECT OK` → `AT+MCONNECT` … `CONNACK OK` → `AT+MSUB` per stored filter
//! … `SUBACK` → [online message] → online.

use super::rx::Final;
#[cfg(feature = "luat")]
use super::state::{MCONNECT_KEPT, MCONNECT_MODE};
use super::tx::Cmd;
use super::{Echo, Engine, ProbeKind, PubSource, Step, SubWait};
use crate::config::Options;
use crate::dialect::{List, SimState, When};
use crate::event::{LogKind, LossKind, Subject};
use crate::time::{after, reached};
use crate::Status;

/// A command failed while the link looked up; `AT+MQTTSTATU` decides whether the command was
/// refused (link up) or the link is gone.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Suspect {
    Publish {
        src: PubSource,
        reason: Status,
    },
    /// The (un)subscribe request (its deadline unused).
    Sub {
        request: SubWait,
        reason: Status,
    },
    /// Publishes sent ahead in the window went unacknowledged (already rewound to be sent
    /// again if the link is up).
    Window,
    /// SIMCom: an (un)subscribe whose own result reported a failure (`+CMQTTSUB: 0,<err>`).
    /// It ends whether the link turns out up (`verified`) or is lost meanwhile
    /// (`drop_link_state`), and is not sent again: a broker that refuses a filter by closing
    /// the connection (an AWS policy, docs/quectel-simcom-at.md §4.6, S08) would refuse it
    /// after every re-connect, for ever.
    #[cfg(feature = "simcom")]
    SubRefused {
        request: SubWait,
    },
}

/// `+CME ERROR` codes of a failed name lookup (docs/luat-at.md §8: DNS_EXIST,
/// DNS_PARSE_OVERTIME, DNS_PARSE_ERROR).
pub(super) fn is_dns_error(code: u16) -> bool {
    (916..=918).contains(&code)
}

impl<'a> Engine<'a> {
    /// The command the current step wants next, without side effects.
    pub(super) fn peek_command(&self) -> Option<Cmd> {
        // `ATE0` again, then the application's commands, go between the session's, before its
        // next one; after a queued command's timeout an `AT` goes first (`AtQueue::resync`),
        // also before the command of a step entered while that one was in flight (a state
        // query, the end of a back-off), but never into a connect that waits for its link.
        let interject = self.can_interject();
        let next = matches!(self.step, Step::Verify | Step::Open | Step::Configure(_));
        if self.at_queue.resync && (interject || (next && !self.awaiting_link)) {
            return Some(Cmd::Resync);
        }
        if interject {
            if self.boot.echo == Echo::Resend {
                return Some(Cmd::EchoAgain);
            }
            if let Some(q) = self.at_queue.front() {
                return Some(Cmd::Queued(q.id));
            }
        }
        let due = reached(self.now, self.timer);
        match self.step {
            Step::Idle | Step::Failed | Step::Pins(..) | Step::Backoff => None,
            // The three polling steps in one arm, the command picked inside: measured 32 B
            // smaller than an arm each (Luat, Quectel, SIMCom, every dialect).
            Step::Probe(_) | Step::Sim | Step::Attach => due.then_some(match self.step {
                Step::Probe(_) => Cmd::Probe,
                Step::Sim => Cmd::SimQuery,
                _ => Cmd::AttachQuery,
            }),
            Step::EchoOff => Some(Cmd::EchoOff),
            Step::Identity(f) => Some(Cmd::Identity(f)),
            Step::Signal => Some(Cmd::Signal),
            Step::Prepare(i) => Some(Cmd::Prepare(i)),
            // No client id to send: `step_timers` fails the step.
            Step::Configure(i) => (!self.client_id_missing()).then_some(Cmd::Configure(i)),
            // SIMCom: the start once the service's stop has ended, the release once the
            // disconnect has: their results came, before or after their `OK` (a state not
            // connected, seen since the command went out), or at the timer (`await_result`).
            #[cfg(feature = "simcom")]
            Step::Open | Step::CloseForStop if !due && self.seen.mqtt.is_none() => None,
            // Quectel: the close only when the disconnect's result did not come in time (the
            // result ends the stop, `on_line`).
            #[cfg(all(feature = "quectel", not(feature = "simcom")))]
            Step::CloseForStop if !due => None,
            Step::Open => (!self.awaiting_link && !self.client_id_missing()).then_some(Cmd::Open),
            Step::Connect => (!self.awaiting_link).then_some(Cmd::Connect),
            Step::Restore => self.sub_command(),
            Step::Announce => {
                if self.announced || self.publish_is_inflight(PubSource::Online) {
                    None
                } else {
                    self.publish_cmd(PubSource::Online)
                }
            }
            Step::Online => self.online_command(),
            Step::Verify => Some(Cmd::Verify),
            Step::Disconnect => Some(Cmd::Disconnect),
            Step::CloseForStop => Some(Cmd::CloseForStop),
            Step::SoftReset => Some(Cmd::SoftReset),
        }
    }

    /// The step's command would carry the client id (Luat's `AT+MCONFIG`; the open, which
    /// comes with or before the connect in the other families: Quectel `AT+QMTCONN`, SIMCom
    /// `AT+CMQTTACCQ`) and there is none: asked to connect as its IMEI, the module gave none
    /// and no fallback is set. Never sent empty.
    pub(super) fn client_id_missing(&self) -> bool {
        let carries_it = match self.step {
            Step::Configure(i) => self
                .dialect
                .item(List::Configure, i)
                .is_some_and(|item| item.when == When::ClientId),
            Step::Open => true,
            _ => false,
        };
        carries_it && self.client_id().is_empty()
    }

    /// A command outside the session's own sequence (`ATE0` again, a queued one) may go
    /// between the session's commands now: the module is up and answering, and nothing waits
    /// on the line that it could disturb (a connect waiting for `CONNECT OK`, which must be
    /// followed by `AT+MCONNECT` at once; a stop; a probe or a pin sequence). A pending
    /// acknowledgement is no obstacle: it is a URC, recognised whatever is in flight.
    // Out of line: `peek_command` is smaller calling it than with it inlined (measured 10 B,
    // Luat and SIMCom; 2 B, Quectel and every dialect).
    #[inline(never)]
    pub(super) fn can_interject(&self) -> bool {
        if let Step::Configure(i) = self.step {
            // Not during a long wait (`AT+CIPSHUT`): its answer may take a minute and a half.
            return !self.awaiting_link
                && self
                    .dialect
                    .item(List::Configure, i)
                    .is_some_and(|item| !item.long);
        }
        !self.awaiting_link
            && matches!(
                self.step,
                Step::Sim
                    | Step::Identity(_)
                    | Step::Attach
                    | Step::Signal
                    | Step::Prepare(_)
                    | Step::Restore
                    | Step::Announce
                    | Step::Online
                    | Step::Backoff
            )
    }

    /// Online, in priority order: read the cache (it only holds 4), subscription changes,
    /// the next publish, then a health check when idle.
    fn online_command(&self) -> Option<Cmd> {
        if crate::parts::CACHE_MODE && self.boot.cache_pending != 0 {
            return Some(Cmd::CacheRead);
        }
        if let Some(c) = self.sub_command() {
            return Some(c);
        }
        if self.publishing.pub_wait.is_none() && self.queue_ready() {
            return self.publish_cmd(PubSource::Queue);
        }
        let health = self.cfg.timeouts.health_ms;
        (health != 0 && reached(self.now, self.health_at)).then_some(Cmd::Verify)
    }

    /// Bookkeeping when a command goes out.
    // Out of line: measured 78 B smaller than inlined into `issue` (Luat engine).
    #[inline(never)]
    pub(super) fn on_issue(&mut self, cmd: Cmd) {
        let interval = self.cfg.timeouts.poll_interval_ms;
        match cmd {
            Cmd::Probe | Cmd::SimQuery | Cmd::AttachQuery => self.timer = after(self.now, interval),
            Cmd::CacheRead => {
                self.boot.cache_reading = self.boot.cache_pending;
                self.boot.cache_pending = 0;
            }
            Cmd::Subscribe { at, .. } | Cmd::Unsubscribe { at, .. } => {
                let subscribe = matches!(cmd, Cmd::Subscribe { .. });
                self.subscribing.subs.mark_out(at, subscribe);
                self.subscribing.early_sub_ack = 0;
                self.early_send_failed = false;
            }
            Cmd::Queued(_) => self.stats.at_commands = self.stats.at_commands.wrapping_add(1),
            Cmd::Open => self.tcp_up = false,
            #[cfg(feature = "simcom")]
            Cmd::Connect => self.connect_errored = false,
            // One arm for both commands and sources: what they share is written once.
            Cmd::Publish(src) | Cmd::PublishHeader(src) => {
                self.publishing.early_pub_ack = None;
                self.early_send_failed = false;
                if matches!(cmd, Cmd::PublishHeader(_)) {
                    self.publishing.mpub_fallback = None;
                }
                if src == PubSource::Online {
                    return;
                }
                if self.queue_current().is_some_and(|e| e.attempts > 0) {
                    self.stats.publish_retries = self.stats.publish_retries.wrapping_add(1);
                }
                self.publishing.queue.note_attempt();
            }
            _ => {}
        }
    }

    /// The command in flight ended (answer, prompt or deadline); a rewind of the window that
    /// waited for it follows.
    // Inlined where SIMCom is the only dialect: measured 16 B smaller there (larger in the
    // other builds: Quectel 34 B, every dialect 94 B).
    #[cfg_attr(not(any(feature = "luat", feature = "quectel")), inline(always))]
    pub(super) fn on_final(&mut self, result: Final) {
        self.end_command(result);
        if self.windowed() {
            self.rewind_if_due();
        }
    }

    fn end_command(&mut self, result: Final) {
        if self.next_part(result) {
            // Only a part of the command ended; its next part is in flight.
            return;
        }
        if result == Final::Ok && self.bare_state_ok() {
            // Not the state query's answer: the query stays in flight for its own.
            self.stats.lines_unknown = self.stats.lines_unknown.wrapping_add(1);
            return;
        }
        let inflight = self.inflight.take();
        // Not the prompt of a command that may have one (a multi-part command's ended in
        // `next_part`). Matched on the command, not with a closure over the flight: 148 B
        // smaller with every dialect (12 B larger, Luat).
        if result == Final::Prompt
            && !matches!(
                inflight.map(|f| f.cmd),
                Some(Cmd::Queued(_) | Cmd::CancelPrompt(_) | Cmd::PublishHeader(_))
            )
        {
            // A queued command's prompt after its deadline (`queued_final`), the command that
            // followed (an `AT`, a stop's) typed into it, whatever the session did meanwhile:
            // ESC cancels it (no queued command has id 0, so none ends), then the step's
            // command again.
            return self.issue(Cmd::CancelPrompt(0));
        }
        let Some(f) = inflight else {
            // An answer with nothing in flight: a stray or late line.
            self.stats.lines_unknown = self.stats.lines_unknown.wrapping_add(1);
            return;
        };
        if let (Step::Probe(kind), false) = (self.step, f.cmd == Cmd::Probe) {
            // A command from before the probe (a stop and a start meanwhile) held the line:
            // the probe's window begins now that an `AT` can go.
            self.begin_probe(kind);
        }
        // Until an `AT` is answered after a queued command's timeout, its prompt may still come.
        self.tok.set_expect_prompt(self.at_queue.resync);
        let answered = result != Final::Timeout;
        if self.boot.echo == Echo::Resent && answered && !self.seen.echo && f.cmd != Cmd::EchoAgain
        {
            // Answered without its echo after the second `ATE0`: echo is off again, so a
            // later echo is news (another reboot unseen), not firmware that keeps echoing.
            self.boot.echo = Echo::Off;
        }
        if let Cmd::Queued(id) | Cmd::CancelPrompt(id) = f.cmd {
            // The application's: its result is its own, whatever the session did meanwhile.
            let cancelling = matches!(f.cmd, Cmd::CancelPrompt(_));
            return self.queued_final(id, cancelling, result);
        }
        // What to log, made once below for the timeout and the error.
        let logged = match result {
            Final::Timeout => {
                self.stats.command_timeouts = self.stats.command_timeouts.wrapping_add(1);
                // Unanswered `AT` while probing is expected (a booting module); not worth a log.
                (f.cmd != Cmd::Probe).then_some((LogKind::CommandTimeout, 0))
            }
            // Answers the session expects (`+CME ERROR: 767` to the precautionary MIPCLOSE,
            // `ERROR` from firmware without MQTTMODE) are results, not errors.
            Final::Error(_) if self.error_expected(f.cmd) => None,
            // An open whose failure a URC already reported (the session moved on): its
            // `ERROR` adds nothing (Quectel `+QMTOPEN: 0,-1` then `ERROR`, docs/quectel-simcom-at.md
            // §3.3).
            Final::Error(_) if f.cmd == Cmd::Open && f.epoch != self.epoch => None,
            // SIMCom: the open's URC decides, before the `ERROR` (`+CMQTTSTART: 23`, the
            // service already runs, docs/quectel-simcom-at.md §4.2) or after it (W4's `ERROR`
            // + URC shape, §4.2); a bare `ERROR` is logged when the wait for the URC ends.
            Final::Error(_) if f.cmd == Cmd::Open && self.dialect.result_urc_decides() => None,
            Final::Error(code) => {
                self.stats.command_errors = self.stats.command_errors.wrapping_add(1);
                Some((LogKind::CommandError, code))
            }
            _ => {
                self.health_at = after(self.now, self.cfg.timeouts.health_ms);
                None
            }
        };
        if let Some((kind, code)) = logged {
            self.log(kind, f.cmd.subject(self.dialect), code);
        }
        let stale = f.epoch != self.epoch;
        if stale {
            if let (Final::Prompt | Final::Timeout, Cmd::PublishHeader(src)) = (result, f.cmd) {
                // The module waits for the data whatever happened meanwhile (its prompt may
                // have been lost, as below); without it the next commands would become the
                // payload. Its result stays stale.
                self.issue(Cmd::PublishData(src));
                if let Some(data) = self.inflight.as_mut() {
                    data.epoch = f.epoch;
                }
                return;
            }
            self.settle_stale(f.cmd, f.part, result);
            return;
        }
        if let (Final::Timeout, Cmd::PublishHeader(src)) = (result, f.cmd) {
            // The prompt may have been lost on the line while the module waits for the data:
            // then whatever comes next is taken as the payload, and a probe `AT` would be
            // published in its place. So the data goes (the publish completes if the module
            // was waiting; if it was not, the bytes make a line it refuses, and the data's own
            // deadline leads to the probe).
            self.issue(Cmd::PublishData(src));
            return;
        }
        let stopping = matches!(f.cmd, Cmd::Disconnect | Cmd::CloseForStop);
        if result == Final::Timeout && f.cmd != Cmd::Probe && !stopping {
            // A publish whose last acknowledgement came before its `OK` (lost on the line) was
            // accepted and delivered: it is done, as at that `OK`; sent again it would be a
            // duplicate.
            if let Cmd::Publish(src) | Cmd::PublishData(src) = f.cmd {
                if self.is_last_part(f.cmd, f.part) && self.final_ack_came(src) {
                    self.publish_accepted(src);
                }
            }
            // No answer at all: find out whether the module is still there. (A stop goes on
            // regardless: the session is ending anyway.)
            self.begin_probe(ProbeKind::Silent);
            return;
        }
        self.route(f.cmd, f.part, result);
    }

    /// An `OK` now would end the session's state query without the state line the dialect
    /// always prints (`Dialect::state_lists_every_client`).
    fn bare_state_ok(&self) -> bool {
        self.dialect.state_lists_every_client()
            && self.seen.mqtt.is_none()
            && self.inflight.is_some_and(|f| f.cmd == Cmd::Verify)
    }

    /// The open's URC reported success and, in this dialect, that decides the open.
    fn open_succeeded(&self) -> bool {
        self.tcp_up && self.dialect.result_urc_decides()
    }

    /// The queued command `id` in flight (`cancelling`: the ESC that cancels its prompt) ended.
    /// A timeout is the application's to handle; but a module that let a command go unanswered
    /// is asked whether it is still there (and the link still up) before the session trusts
    /// the line again.
    fn queued_final(&mut self, id: u16, cancelling: bool, result: Final) {
        if result == Final::Prompt {
            // A data prompt the refusal list did not foresee (a vendor's upload, `AT+CMGC`):
            // cancelled, or the next command would become its data and, unanswered, look like
            // a module that stopped answering.
            return self.issue(Cmd::CancelPrompt(id));
        }
        let (status, code) = match result {
            // Answered or not, the command did not do what it was asked to.
            _ if cancelling => (Status::CommandRefused, 0),
            Final::Ok => (Status::Ok, 0),
            Final::Error(code) => (Status::ModuleError, code),
            Final::Prompt | Final::Timeout => (Status::Timeout, 0),
        };
        self.at_command_done(id, status, code);
        if result == Final::Timeout {
            self.stats.command_timeouts = self.stats.command_timeouts.wrapping_add(1);
            self.log(LogKind::CommandTimeout, Subject::Queued, 0);
            // Until an `AT` is answered (the probe's, or a resync's wherever no probe
            // follows or the probe is cut short), a late answer would be taken as the next
            // command's: another request's lines, a set-up command's result.
            self.at_queue.resync = true;
            self.tok.set_expect_prompt(true);
            if matches!(self.tok.partial_line(self.line), Some(b">" | b"> ")) {
                // Its prompt, held as the start of a line since a line of its answer came
                // first (then a `>` may start a quoted reply line): a line still open at the
                // deadline is no reply. ESC cancels it before anything goes into it; the `AT`
                // that must then be answered follows (`peek_command`).
                self.tok.reset();
                return self.issue(Cmd::CancelPrompt(0));
            }
            if self.connected && matches!(self.step, Step::Online | Step::Restore | Step::Announce)
            {
                self.begin_probe(ProbeKind::Silent);
            }
        } else {
            self.health_at = after(self.now, self.cfg.timeouts.health_ms);
        }
    }

    /// A result for a command from before the session moved on. Only a QoS 0 publish that the
    /// module accepted changes anything: it was sent, so sending it again would duplicate it.
    /// Accepted means the `OK` of the publish command itself: SIMCom's `OK` to the topic or
    /// payload entered before it publishes nothing (docs/quectel-simcom-at.md §4.7).
    fn settle_stale(&mut self, cmd: Cmd, part: u8, result: Final) {
        let queue_pub = matches!(
            cmd,
            Cmd::Publish(PubSource::Queue) | Cmd::PublishData(PubSource::Queue)
        ) && self.is_last_part(cmd, part);
        if queue_pub && result == Final::Ok {
            self.complete_accepted_qos0();
        }
    }

    /// The queued publish being sent was accepted by the module (its `OK`) and the session
    /// moved on before it was confirmed: a QoS 0 one is done, since sending it again would
    /// duplicate it (the module sent it); any other goes again.
    pub(super) fn complete_accepted_qos0(&mut self) {
        if self.queue_current().is_some_and(|e| e.qos == 0) {
            self.publish_done(PubSource::Queue);
        }
    }

    fn route(&mut self, cmd: Cmd, part: u8, r: Final) {
        let ok = r == Final::Ok;
        match cmd {
            Cmd::Probe | Cmd::Resync => match r {
                Final::Timeout => {} // the step timer sends the next `AT`
                _ => {
                    self.at_queue.resync = false;
                    self.module_answered()
                }
            },
            Cmd::EchoOff => {
                if ok && self.boot.echo == Echo::Default {
                    self.boot.echo = Echo::Off;
                }
                self.enter(Step::Sim);
            }
            Cmd::EchoAgain => {
                // Whatever it answered, it is not sent a third time: if echo goes on, the
                // session works with it.
                self.boot.echo = if ok { Echo::Resent } else { Echo::Stuck };
            }
            Cmd::SimQuery => self.sim_result(r),
            Cmd::Identity(f) => match f.next(!ok) {
                Some(next) => self.enter(Step::Identity(next)),
                None => {
                    self.boot.facts.read = true;
                    self.enter(Step::Attach);
                }
            },
            Cmd::Queued(_) | Cmd::CancelPrompt(_) => {} // `queued_final` handled it
            Cmd::AttachQuery => {
                if ok && self.seen.attached == Some(true) {
                    self.attached();
                } // otherwise the step timer asks again until the deadline
            }
            Cmd::Signal => self.enter(Step::Prepare(0)),
            // One call for both lists, so `item_done` is inlined once: measured 72 B smaller,
            // Luat; 78 B Quectel; 92 B Luat on the M0 (4 B larger, SIMCom and every dialect).
            Cmd::Prepare(i) | Cmd::Configure(i) => {
                let list = match cmd {
                    Cmd::Prepare(_) => List::Prepare,
                    _ => List::Configure,
                };
                self.item_done(list, i, r)
            }
            Cmd::Open => match (r, self.tcp_up) {
                (Final::Ok, true) => self.enter(Step::Connect),
                (Final::Error(_), true) if self.open_succeeded() => self.enter(Step::Connect),
                (Final::Ok, false) => self.await_link(self.cfg.timeouts.connect_ms),
                (Final::Error(_), false) if self.dialect.result_urc_decides() => {
                    self.await_link(self.cfg.timeouts.command_ms)
                }
                (Final::Error(code), _) if is_dns_error(code) => {
                    self.broker_failed(Subject::MipStart, code, Status::NameNotResolved)
                }
                // Refused at once, with no `CONNECT FAIL`: a sick module, or one that will
                // never take this host and port (Luat `+CME ERROR: 767` for plain TCP to a
                // TLS-only port, docs/luat-at.md §5.2). Keyed by its status, as the SIM's.
                (Final::Error(_), _) => {
                    let key = super::state::status_key(Status::ConnectFailed);
                    self.setup_refused(key, Status::ConnectFailed)
                }
                _ => self.fail(Status::ConnectFailed),
            },
            Cmd::Connect => {
                // Luat: the module took this spelling of `AT+MCONNECT`: it keeps it until it
                // reboots (`connect_refused`).
                #[cfg(feature = "luat")]
                if ok {
                    self.boot.lacks |= MCONNECT_KEPT;
                }
                match ok {
                    // Its success came first (`Response::Connected`).
                    true if self.connected => {}
                    true => self.await_link(self.cfg.timeouts.connack_ms),
                    false => self.connect_refused(part, r),
                }
            }
            Cmd::Subscribe { at, id } | Cmd::Unsubscribe { at, id } => {
                let unsubscribe = matches!(cmd, Cmd::Unsubscribe { .. });
                let wait = SubWait {
                    at,
                    id,
                    unsubscribe,
                    deadline: after(self.now, self.cfg.timeouts.ack_ms),
                };
                let early_failed = core::mem::take(&mut self.early_send_failed);
                // SIMCom: its own result refused it before this answer (`on_request_failed`;
                // the failure reports of ids are Quectel's): it ends whatever the link does
                // next, as one refused after its `OK`.
                #[cfg(feature = "simcom")]
                if early_failed && !self.dialect.acks_carry_ids() {
                    return self.suspect(Suspect::SubRefused { request: wait });
                }
                // Refused, or accepted after the module said it could not send the packet:
                // one question for both, only the reason differs.
                let failed = match ok {
                    false => Some(Status::ModuleError),
                    true if early_failed => Some(Status::LinkLost),
                    true => None,
                };
                if let Some(reason) = failed {
                    return self.suspect(Suspect::Sub {
                        request: wait,
                        reason,
                    });
                }
                let early = core::mem::take(&mut self.subscribing.early_sub_ack);
                if early != 0 {
                    self.sub_acked(wait, super::state::early_granted(early));
                } else {
                    self.subscribing.sub_wait = Some(wait);
                }
            }
            Cmd::Publish(src) if !ok && self.can_fall_back(src) => {
                // Some firmware takes less by MPUB than documented (Air780E: 2384 bytes);
                // MPUBEX carries up to 4100. The refusal counts only if that fails too.
                self.publishing.mpub_fallback = Some(src);
                self.stats.mpub_fallbacks = self.stats.mpub_fallbacks.wrapping_add(1);
            }
            Cmd::Publish(src) | Cmd::PublishData(src) if ok => self.publish_accepted(src),
            // Quectel: `AT+QMTPUBEX` refused; the same publish goes again by `AT+QMTPUB`.
            #[cfg(feature = "quectel")]
            Cmd::PublishHeader(_) if matches!(r, Final::Error(_)) && self.respell_publish() => {}
            // The module waits for the data now; it goes before anything else.
            Cmd::PublishHeader(src) if r == Final::Prompt => {
                #[cfg(feature = "quectel")]
                self.publish_spelling_taken();
                self.issue(Cmd::PublishData(src))
            }
            // Refused (or a header answered otherwise): one path for the three forms.
            Cmd::Publish(src) | Cmd::PublishData(src) | Cmd::PublishHeader(src) => {
                self.suspect(Suspect::Publish {
                    src,
                    reason: Status::ModuleError,
                })
            }
            Cmd::CacheRead => {
                if !ok {
                    let lost = self.boot.cache_reading.count_ones();
                    self.lost(LossKind::CacheReadFailed, lost);
                }
                self.boot.cache_reading = 0;
            }
            Cmd::Verify => self.verified(ok),
            // Where the disconnect closes the network link too, there is nothing left to close
            // once its result came (Quectel `+QMTDISC: 0,0`, before or after the `OK`, §3.9);
            // until then the DISCONNECT may still be going out. The stop ends with it
            // (`on_line`), or after a command's time without it with the client closed.
            Cmd::Disconnect if ok && self.dialect.disconnect_closes_link() => {
                if self.seen.mqtt.is_some() {
                    return self.stopped();
                }
                self.enter(Step::CloseForStop);
                self.timer = crate::time::after(self.now, self.cfg.timeouts.command_ms);
            }
            Cmd::Disconnect => {
                self.enter(Step::CloseForStop);
                // SIMCom: the result `+CMQTTDISC: 0,<err>` follows the `OK` (§4.11); the
                // client is released once it came (`peek_command`), or after a command's time
                // without it.
                #[cfg(feature = "simcom")]
                if ok {
                    self.await_result();
                }
            }
            Cmd::CloseForStop => self.stopped(),
            Cmd::SoftReset => {
                self.fresh_module();
                self.begin_probe(ProbeKind::Boot);
            }
        }
    }

    /// The connect ended in `ERROR` at `part`. The connect command itself (its last part)
    /// failing with no result line is classed by the dialect (SIMCom: an unreachable broker,
    /// docs/quectel-simcom-at.md §5.3); a part before it (SIMCom `AT+CMQTTACCQ`, the will) is
    /// the module's.
    fn connect_refused(&mut self, part: u8, r: Final) {
        if !self.is_last_part(Cmd::Connect, part) {
            // `on_final` logged the `ERROR` already. A set-up part (SIMCom's client and will):
            // keys after the bring-up entries' (`item_done`).
            return self.setup_refused(part.saturating_add(65), Status::ModuleError);
        }
        let code = match r {
            Final::Error(code) => code,
            _ => 0,
        };
        // Luat: refused at once (docs/luat-at.md §5.3: older firmware refuses the two-parameter
        // form), so the next connect tries the other spelling, unless the module took this one
        // since it booted or the answer is 767 (already connected or the link gone: not the
        // spelling's fault). Only the spelling changes: the refusal is classed as before.
        #[cfg(feature = "luat")]
        if code != 767 && self.boot.lacks & MCONNECT_KEPT == 0 {
            self.boot.lacks ^= MCONNECT_MODE;
        }
        #[cfg(feature = "simcom")]
        if self.dialect.result_urc_decides() {
            // SIMCom: the result may follow the `ERROR` and decide (`<err>` decides whichever
            // side of the final result it comes, §5.1), as for the service's start; a bare
            // `ERROR` is classed when the wait for it ends (`fire_timers`).
            self.connect_errored = true;
            return self.await_link(self.cfg.timeouts.command_ms);
        }
        self.bare_connect_error(code);
    }

    /// A connect refused with `ERROR` and no result line: the dialect's class for it.
    pub(super) fn bare_connect_error(&mut self, code: u16) {
        let reason = self.dialect.connect_error();
        if super::recovery::is_broker_side(reason) {
            self.broker_failed(Subject::MConnect, code, reason);
        } else {
            // `on_final` logged the `ERROR` already.
            self.fail(reason);
        }
    }

    fn sim_result(&mut self, r: Final) {
        match (r, self.seen.sim) {
            // One `enter` for both next steps (measured 6 B smaller, Luat; 4 B, SIMCom).
            // `SIM PIN2` / `SIM PUK2` lock only the PIN2-guarded functions (fixed dialling),
            // after a command failed for PIN2; 3GPP TS 27.007 §8.3 asks the MT not to block
            // its operation for them, so the SIM serves the session as `READY` would.
            (Final::Ok, Some(SimState::Ready | SimState::Pin2 | SimState::Puk2)) => {
                self.enter(match self.boot.facts.read {
                    true => Step::Attach,
                    false => Step::Identity(super::Fact::FIRST),
                })
            }
            (Final::Ok, Some(SimState::Pin | SimState::Puk)) => self.fail(Status::SimLocked),
            // Removed, not ready, busy (`+CME ERROR: 14`), no SIM (`10`): ask again until the
            // deadline (`fire_timers`).
            _ => {}
        }
    }

    // Always inlined into its one caller, which the compiler left calling it (measured 18 B
    // smaller, Luat, Quectel and every dialect; 20 B Luat on the M0).
    #[inline(always)]
    fn attached(&mut self) {
        if crate::parts::SIGNAL_REPORTS && self.cfg.options.contains(Options::REPORT_SIGNAL) {
            self.enter(Step::Signal);
        } else {
            self.enter(Step::Prepare(0));
        }
    }

    fn module_answered(&mut self) {
        // One `enter` for both next steps (measured 4 B smaller, Luat; 8 B SIMCom).
        match self.step {
            Step::Probe(ProbeKind::Silent) if !self.connected => self.fail(Status::Timeout),
            Step::Probe(kind) => self.enter(match kind {
                ProbeKind::Silent => Step::Verify,
                _ => Step::EchoOff,
            }),
            _ => {}
        }
    }

    /// `CONNACK OK`: the session is up.
    pub(super) fn on_connected(&mut self) {
        self.connected = true;
        self.boot.client_kept = true;
        self.stats.connects = self.stats.connects.wrapping_add(1);
        self.ladder.restart();
        self.announced = self.cfg.online_payload.is_none();
        self.health_at = after(self.now, self.cfg.timeouts.health_ms);
        self.enter(Step::Restore);
    }

    /// Something failed while the link looked up: ask the module whether it still is. In any
    /// other step (probing a silent module, recovering) that question is already being
    /// answered; the cleared wait is enough, as its publish or filter is sent again.
    // Out of line: eleven failure paths ask the same question.
    #[inline(never)]
    pub(super) fn suspect(&mut self, s: Suspect) {
        if !matches!(
            self.step,
            Step::Online | Step::Restore | Step::Announce | Step::Verify
        ) {
            return;
        }
        self.suspect = Some(s);
        self.enter(Step::Verify);
    }

    /// Result of `AT+MQTTSTATU`.
    fn verified(&mut self, ok: bool) {
        let up = ok && matches!(self.seen.mqtt, Some((_, true)));
        if !up {
            // The suspect ends with the link (`drop_link_state`): a refused one still fails.
            let code = u16::from(self.seen.mqtt.map_or(0, |(code, _)| code));
            self.link_lost(Subject::MqttStatu, code);
            return;
        }
        let suspect = self.suspect.take();
        match suspect {
            Some(Suspect::Publish { src, reason }) => self.publish_refused(src, reason),
            Some(Suspect::Sub { request, reason }) => {
                self.sub_ended(request.at, request.id, request.unsubscribe, reason)
            }
            #[cfg(feature = "simcom")]
            Some(Suspect::SubRefused { request }) => self.sub_refused(request),
            Some(Suspect::Window) | None => {}
        }
        if self.step == Step::Verify {
            // Back through Restore: pending filters first, then the online message, then online.
            self.enter(Step::Restore);
        }
    }
}
