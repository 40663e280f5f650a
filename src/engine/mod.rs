// SPDX-License-Identifier: MIT OR Apache-2.0
//! The session engine: one polled state machine that owns the command pipeline, the session
//! steps, the publish queue, the subscription table, the receive path and the recovery ladder.
//!
//! Layout of this module:
//! - `mod.rs`: the engine's data and its public API;
//! - `tx.rs`: which AT command each pipeline slot is, and streaming it to the UART;
//! - `rx.rs`: tokens and lines from the module, URCs, routing of final results;
//! - `step.rs`: the steps of a session and the state each shows;
//! - `session.rs`: which command each step sends and what each command's result does;
//! - `timers.rs`: deadlines and timers;
//! - `bringup.rs`: walking the dialect's per-boot and per-connect command lists;
//! - `publish.rs`: the publish flow, and the window of publishes sent ahead of their acks;
//! - `recovery.rs`: failures, the re-connect / RESET / power-cycle ladder, pin sequences.
//!
//! Rules the code keeps: one command in flight; a command's result is routed by what the command
//! was for (`Cmd`), never by guessing from the current step; every wait has a deadline; a result
//! that arrives after the session moved on (`epoch` changed) only settles its own bookkeeping.

mod bringup;
mod facts;
mod publish;
mod recovery;
// The one module besides `ffi` allowed `unsafe`: see its documentation.
#[allow(unsafe_code)]
pub mod ring;
mod rx;
mod session;
mod shared;
mod state;
mod step;
mod subscribing;
mod timers;
mod tx;

use crate::config::{check_topic, limits, Config};
use crate::config_field::{ConfigError, ConfigField};
use crate::dialect::tokenizer::Tokenizer;
use crate::dialect::Dialect;
use crate::event::{Event, LogKind, LossKind, Notice, State, Subject};
use crate::queue::PublishQueue;
use crate::stats::Stats;
use crate::subs::{SubState, SubTable};
use crate::{time, Status};
use heapless::Deque;
use ring::{RxReader, RxRing};
use step::{LinkWait, ProbeKind, Step};

pub use facts::{Fact, Field, ModuleFacts};
pub use shared::{AtKind, AT_SLOTS, AT_TEXT_MAX};
pub use tx::Cmd;

/// Notices queued between two `poll` returns: one input or deadline produces at most 4 (a log
/// entry, a recovery step, a state change, a pin), and `poll` hands them out before it takes
/// the next. `Stats::events_dropped` counts any overflow; the fuzzer asserts it stays 0.
const EVENT_SLOTS: usize = 6;
/// Minimum sizes of the caller's buffers.
pub const LINE_BUF_MIN: usize = 128;
pub const QUEUE_BUF_MIN: usize = 64;
pub const SUB_BUF_MIN: usize = 16;

/// The caller-provided memory the engine borrows for its lifetime.
pub struct Buffers<'a> {
    /// Assembles lines and incoming messages (topic + payload must fit to be delivered).
    pub line: &'a mut [u8],
    /// The publish arena (each message costs 10 bytes + topic + payload).
    pub queue: &'a mut [u8],
    /// The subscription arena (each filter costs 6 bytes + filter).
    pub subs: &'a mut [u8],
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct SubWait {
    at: usize,
    id: u16,
    unsubscribe: bool,
    deadline: u32,
}

/// Which publish is being sent: the queue head or the configured online message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PubSource {
    Queue,
    Online,
}

/// The acknowledgement a publish waits for (`Done`: a dialect's one final report).
use crate::dialect::Ack as AckStage;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct PubWait {
    src: PubSource,
    stage: AckStage,
    deadline: u32,
}

/// Information lines seen while a command was in flight (`+CPIN:`, `+CGATT:`, the session
/// state, the bearer state).
#[derive(Clone, Copy, Default)]
struct Seen {
    sim: Option<crate::dialect::SimState>,
    /// `+CGATT` said attached (1) or not (anything else).
    attached: Option<bool>,
    /// The session state as printed, and whether it means connected.
    mqtt: Option<(u8, bool)>,
    /// The bearer as last reported: `Some(true)` active; `Some(false)` down (`STATE: PDP
    /// DEACT` / `IP INITIAL` before a `CONNECT FAIL`: the module's (attach) side, not the
    /// broker's). The two come from different commands, so one byte holds both.
    bearer: Option<bool>,
    /// The command came back echoed.
    echo: bool,
}

/// Whether the module echoes commands (docs/luat-at.md §1, §4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Echo {
    /// Not switched off yet since the module booted (echo is on by default).
    Default,
    /// `ATE0` was answered and no echo came since.
    Off,
    /// Echo came back after `ATE0`: `ATE0` is to be sent once more.
    Resend,
    /// `ATE0` was sent again.
    Resent,
    /// Echo stayed on after the second `ATE0` (firmware that ignores it, or TX looped back by
    /// the wiring): the session works with it.
    Stuck,
}

/// The engine. See the crate documentation for the polling model.
// In this order (`repr(C)`): the small state fields every path reads first, at short offsets
// (shorter Thumb loads and stores), then the words, then the aggregates, whose order was
// measured (the smallest of 30 tried): Luat 120 B smaller than the compiler's order, and
// no slower. On 64-bit hosts the handle is at its limit (`CELLMQTT_HANDLE_WORDS`): an order
// must add no more padding there than this one (6 B), which the handle's size check enforces.
#[repr(C)]
pub struct Engine<'a> {
    step: Step,
    /// Where `Step::Backoff` goes next.
    resume: Step,
    epoch: u16,
    next_id: u16,
    dialect: Dialect,
    /// The module reported, before its `OK`, that it could not send the packet of the publish,
    /// subscribe or unsubscribe in flight (Quectel result 2).
    early_send_failed: bool,
    /// The open or the connect was answered `OK` and awaits its URC (`Engine::link_wait`)
    /// until `deadline`.
    awaiting_link: bool,
    state: State,
    tx_blocked: bool,
    /// SIMCom: how many of the boot lines printed after `RDY` (`SMS DONE`, `PB DONE`) may still
    /// come from the module's last boot, so one arriving once the session is up is that boot's
    /// tail, not a reboot whose first line was lost.
    #[cfg(feature = "simcom")]
    boot_tail: u8,
    /// The last poll found no work; until `wake_at` (`None`: nothing scheduled) only input or
    /// an API call creates some.
    settled: bool,
    /// `start` came while the stop was leaving the broker: start again once it has.
    restart_after_stop: bool,
    /// Losses counted outside the receive path (RX overflow, refused publishes) were reported
    /// in this round of `poll` calls (until one returns `None`): more wait for the next round,
    /// so a steady source of them cannot keep `poll` from the work (or from returning).
    losses_reported: bool,
    /// `CONNACK OK` seen on the current link.
    connected: bool,
    announced: bool,
    /// `CONNECT OK` / `ALREADY CONNECT` seen during the current `AT+MIPSTART`.
    tcp_up: bool,
    /// The STATUS line as last read (`None`: not wired or unknown).
    module_status: Option<bool>,
    seen: Seen,
    /// The connect was answered `ERROR` and its result is awaited (SIMCom, where the result
    /// decides whichever side of `ERROR` it comes); none by the deadline: a bare `ERROR`.
    // After `seen`, in its padding: no other field moves.
    #[cfg(feature = "simcom")]
    connect_errored: bool,
    health_at: u32,
    now: u32,
    /// Overall deadline of the step (probe, SIM, attach), or of the URC an open or a connect
    /// awaits (`awaiting_link`).
    deadline: u32,
    /// Publishes refused since the last `poll` (reported there as one notice).
    rejects_unreported: u32,
    /// Next action within the step (probe repeat, pin op end, back-off end).
    timer: u32,
    rx_dropped_seen: u32,
    ladder: state::LadderState,
    wake_at: Option<u32>,
    urc_budget: shared::UrcBudget,
    publishing: state::PublishFlow<'a>,
    subscribing: state::SubscribeFlow<'a>,
    stats: Stats,
    /// What the module holds since it booted.
    boot: state::BootState,
    /// A failed command awaiting the `AT+MQTTSTATU` verdict.
    suspect: Option<session::Suspect>,
    events: Deque<Notice, EVENT_SLOTS>,
    tok: Tokenizer,
    /// AT commands the application (or an on-demand request) queued.
    at_queue: shared::AtQueue,
    line: &'a mut [u8],
    inflight: Option<tx::InFlight>,
    cfg: Config<'a>,
}

/// A tokenizer for `dialect`'s framing, as `Tokenizer::with_framing` builds it. In a Luat-only
/// build it is a constant of zeros, written by one zero fill of its own (the compiler does not
/// fold it into the handle's, which non-zero fields written before it interrupt); built from
/// its fields, its undefined bytes (the header step's payload, padding) make the compiler
/// assemble it on the stack and copy it in (measured 32 B larger). In the other builds the constant is
/// not all zeros and would cost its bytes (measured 44 B larger, Quectel and SIMCom; 156 B
/// with every dialect).
#[cfg(all(feature = "luat", not(feature = "quectel"), not(feature = "simcom")))]
#[inline(always)]
fn fresh_tokenizer(_: Dialect) -> Tokenizer {
    const { Tokenizer::with_framing(crate::dialect::tokenizer::Framing::Luat) }
}

/// A tokenizer for `dialect`'s framing (see the Luat-only build's above).
#[cfg(not(all(feature = "luat", not(feature = "quectel"), not(feature = "simcom"))))]
#[inline(always)]
fn fresh_tokenizer(dialect: Dialect) -> Tokenizer {
    Tokenizer::with_framing(dialect.framing())
}

impl<'a> Engine<'a> {
    /// Validates the configuration and the buffers. Nothing is sent until [`Engine::start`].
    pub fn new(cfg: Config<'a>, bufs: Buffers<'a>) -> Result<Self, Status> {
        let dialect = Self::check_setup(&cfg, bufs.line.len(), bufs.queue.len(), bufs.subs.len())
            .map_err(|e| e.status)?;
        Ok(Self::new_checked(cfg, dialect, bufs))
    }

    /// [`Engine::new`] for a configuration and buffers [`Engine::check_setup`] accepted (the
    /// C layer runs it first to name the field), with the dialect `check_config` returned; the
    /// check is not repeated.
    // Always inlined, so before the compiler optimises it alone: alone, its runs of zero fields
    // become fills that stop at its undefined bytes (padding, enum payloads), and inlined into
    // the C layer's `write_handle` those were assembled on the stack and copied into the
    // handle; inlined first, they are stores the handle's zero fill leaves out (measured 40 B
    // smaller, Luat; 12 B with every dialect).
    #[inline(always)]
    pub(crate) fn new_checked(cfg: Config<'a>, dialect: Dialect, bufs: Buffers<'a>) -> Self {
        Engine {
            cfg,
            dialect,
            line: bufs.line,
            tok: fresh_tokenizer(dialect),
            rx_dropped_seen: 0,
            inflight: None,
            tx_blocked: false,
            step: Step::Idle,
            timer: 0,
            deadline: 0,
            resume: Step::Idle,
            epoch: 0,
            awaiting_link: false,
            seen: Seen::default(),
            tcp_up: false,
            #[cfg(feature = "simcom")]
            connect_errored: false,
            connected: false,
            restart_after_stop: false,
            announced: false,
            module_status: None,
            at_queue: shared::AtQueue::new(),
            urc_budget: shared::UrcBudget::new(),
            boot: state::BootState::fresh(),
            publishing: state::PublishFlow::new(PublishQueue::new(bufs.queue)),
            subscribing: state::SubscribeFlow::new(SubTable::new(bufs.subs)),
            ladder: state::LadderState::new(recovery::jitter_seed(cfg.client_id)),
            early_send_failed: false,
            #[cfg(feature = "simcom")]
            boot_tail: 0,
            suspect: None,
            health_at: 0,
            state: State::Stopped,
            next_id: 0,
            now: 0,
            events: Deque::new(),
            rejects_unreported: 0,
            settled: false,
            losses_reported: false,
            wake_at: None,
            stats: Stats::default(),
        }
    }

    /// Everything [`Engine::new`] checks, naming the field that is wrong, without building an
    /// engine (so the C layer can answer "which field?" without touching the buffers).
    /// Returns the configuration's dialect.
    pub fn check_setup(
        cfg: &Config<'_>,
        line_len: usize,
        queue_len: usize,
        subs_len: usize,
    ) -> Result<Dialect, ConfigError> {
        let dialect = Self::check_config(cfg)?;
        for (len, min, field) in [
            (line_len, LINE_BUF_MIN, ConfigField::LineBuf),
            (queue_len, QUEUE_BUF_MIN, ConfigField::QueueBuf),
            (subs_len, SUB_BUF_MIN, ConfigField::SubBuf),
        ] {
            if len < min {
                return field.err(Status::BufferTooSmall);
            }
        }
        Ok(dialect)
    }

    /// The configuration half of [`Engine::check_setup`]: for the C layer, whose buffer check
    /// (run first) already refused buffers below the minimums.
    /// Returns the configuration's dialect.
    pub(crate) fn check_config(cfg: &Config<'_>) -> Result<Dialect, ConfigError> {
        let dialect = cfg.linked_dialect()?;
        cfg.check_for(dialect)?;
        // The online message must be sendable, or the session would wait for it forever.
        if cfg
            .online_payload
            .is_some_and(|p| dialect.publish_form(cfg, p).is_none())
        {
            return ConfigField::OnlinePayload.err(Status::PayloadTooLong);
        }
        Ok(dialect)
    }

    /// Starts (or restarts after `Failed`) the session. Idempotent while running; during a
    /// stop, the session starts again once the stop has left the broker.
    pub fn start(&mut self, now: u32) -> Result<(), Status> {
        self.now = now;
        self.settled = false;
        match self.step {
            Step::Idle | Step::Failed => {
                self.begin_session();
                Ok(())
            }
            Step::Disconnect | Step::CloseForStop => {
                // Started again once the stop has left the broker.
                self.restart_after_stop = true;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    // Out of line: `start` and `stopped` each had the ladder's restart inlined (measured 10 B
    // smaller, Luat and every dialect).
    #[inline(never)]
    fn begin_session(&mut self) {
        self.ladder.restart();
        self.epoch = self.epoch.wrapping_add(1);
        self.begin_probe(ProbeKind::Start);
    }

    /// The stop has ended: stopped, or started again if `start` came meanwhile.
    // Inlined into its three callers with every dialect linked: measured 72 B smaller there
    // (and 6-12 B larger in the one-dialect builds, which keep the compiler's choice).
    #[cfg_attr(
        all(feature = "luat", feature = "quectel", feature = "simcom"),
        inline(always)
    )]
    pub(super) fn stopped(&mut self) {
        self.enter(Step::Idle);
        if core::mem::take(&mut self.restart_after_stop) {
            self.begin_session();
        }
    }

    /// Ends the session: `AT+MDISCONNECT` and `AT+MIPCLOSE` when connected. The publish queue
    /// and the subscription table are kept for the next `start`.
    pub fn stop(&mut self, now: u32) {
        self.now = now;
        self.settled = false;
        self.stop_session();
    }

    /// Queues a publish; returns its message id. QoS 0 completes at `OK`, QoS 1 at `PUBACK`,
    /// QoS 2 at `PUBCOMP`; a completion notice carries the id. Works in every state: messages
    /// queued while offline are sent once online.
    pub fn publish(
        &mut self,
        topic: &[u8],
        payload: &[u8],
        qos: u8,
        retain: bool,
    ) -> Result<u16, Status> {
        self.settled = false;
        let checked = self.check_publish(topic, payload, qos);
        // The id is used up only by a publish that is queued: refusals during a long outage
        // would otherwise walk the counter round to ids still waiting in the queue.
        let result = checked.and_then(|()| {
            let id = self.peek_id();
            self.publishing
                .queue
                .push(id, topic, payload, qos, retain)
                .map(|()| self.use_id(id))
        });
        match result {
            Ok(id) => {
                self.stats.publishes_queued = self.stats.publishes_queued.wrapping_add(1);
                let hw = u32::try_from(self.publishing.queue.high_water()).unwrap_or(u32::MAX);
                self.stats.queue_high_water = self.stats.queue_high_water.max(hw);
                Ok(id)
            }
            Err(e) => Err(self.reject_publish(e)),
        }
    }

    fn check_publish(&self, topic: &[u8], payload: &[u8], qos: u8) -> Result<(), Status> {
        if qos > 2 {
            return Err(Status::InvalidQos);
        }
        check_topic(topic, false)?;
        if payload.len() > limits::PAYLOAD_MAX {
            return Err(Status::PayloadTooLong);
        }
        if self.dialect.publish_form(&self.cfg, payload).is_none() {
            // The dialect cannot carry this payload with these options (Luat: only MPUB is
            // allowed).
            return Err(Status::PayloadTooLong);
        }
        if !self
            .publishing
            .queue
            .can_ever_hold(topic.len(), payload.len())
        {
            return Err(Status::BufferTooSmall);
        }
        Ok(())
    }

    /// Adds a filter to the subscription table (or changes its QoS); `AT+MSUB` is sent when
    /// online and again after every re-connect. Returns the request id of the `Subscribed` notice.
    ///
    /// A filter whose request has had no notice and has not gone out keeps that request: it
    /// is updated, and its id returned again (one notice answers both calls).
    pub fn subscribe(&mut self, filter: &[u8], qos: u8) -> Result<u16, Status> {
        self.settled = false;
        if qos > 2 {
            return Err(Status::InvalidQos);
        }
        check_topic(filter, true)?;
        let (id, open) = self.request_for(filter);
        self.subscribing.subs.subscribe(id, filter, qos)?;
        Ok(if open { id } else { self.use_id(id) })
    }

    /// Removes a filter: `AT+MUNSUB` when online, then an `Unsubscribed` notice. A filter
    /// whose request has had no notice and has not gone out keeps that request's id, as for
    /// [`Engine::subscribe`].
    pub fn unsubscribe(&mut self, filter: &[u8]) -> Result<u16, Status> {
        self.settled = false;
        let (id, open) = self.request_for(filter);
        self.subscribing.subs.unsubscribe(id, filter)?;
        Ok(if open { id } else { self.use_id(id) })
    }

    /// The id a call on `filter` gets: that of the filter's request if it has had no notice
    /// and has not gone out (true: taken over; replaced instead, it would never get one),
    /// else a new one. A request out without a notice yet is remembered: if the link goes
    /// before its result, it ends then (`end_replaced_request`).
    // Always inlined into its two callers: measured 26 B smaller (Luat, Quectel, SIMCom and
    // every dialect).
    #[inline(always)]
    fn request_for(&mut self, filter: &[u8]) -> (u16, bool) {
        if let Some(s) = self.subscribing.subs.find(filter) {
            // No notice yet: not confirmed, now or before a re-connect (a restore pending).
            if s.state != SubState::Active && !s.confirmed_before {
                if !s.out {
                    return (s.id, true);
                }
                self.subscribing.replaced = s.id;
                self.subscribing.replaced_unsubscribe = s.state == SubState::NeedUnsubscribe;
            }
        }
        (self.peek_id(), false)
    }

    /// Counts a refused publish; the next `poll` reports all refusals since the last one in
    /// a single `Loss` notice (a burst of refusals cannot overflow the notice queue). The C
    /// layer calls this for arguments it refuses before they reach [`Engine::publish`].
    // Out of line: every refusal path of `publish` (and of the C layer) shares it.
    #[inline(never)]
    pub fn reject_publish(&mut self, status: Status) -> Status {
        self.settled = false;
        if status == Status::QueueFull {
            self.stats.publishes_queue_full = self.stats.publishes_queue_full.wrapping_add(1);
        }
        self.stats.publishes_rejected = self.stats.publishes_rejected.wrapping_add(1);
        self.rejects_unreported = self.rejects_unreported.saturating_add(1);
        status
    }

    /// Reports losses counted outside `poll`.
    fn report_pending_losses(&mut self) {
        if self.rejects_unreported != 0 {
            let count = core::mem::take(&mut self.rejects_unreported);
            self.lost(LossKind::PublishRejected, count);
        }
    }

    /// The dialect the session speaks.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// What the module said about itself since it last booted (empty fields until read).
    pub fn module_facts(&self) -> &ModuleFacts {
        &self.boot.facts
    }

    /// True when the engine may consult the STATUS line before its next decision: STATUS is
    /// wired and a pin sequence is running or due (a recovery, or a start that may switch the
    /// module on). The C layer reads the line only then, so a healthy session costs no read.
    // Inline, pins first: it runs on every poll, and most boards wire no STATUS.
    #[inline(always)]
    pub fn wants_module_status(&self) -> bool {
        self.cfg.pins.contains(crate::config::Pins::STATUS)
            && match self.step {
                Step::Pins(..) | Step::Probe(ProbeKind::Start) => true,
                Step::Backoff => matches!(self.resume, Step::Pins(..)),
                _ => false,
            }
    }

    /// The STATUS line's level (`Some(true)`: the module is powered on), read by the caller
    /// before a poll where the board wires it (`Pins::STATUS`); `None` when it cannot tell.
    pub fn set_module_status(&mut self, on: Option<bool>) {
        self.module_status = on;
    }

    /// Publishes waiting (including the one in flight).
    pub fn queued(&self) -> usize {
        self.publishing.queue.pending()
    }

    /// Topic plus payload bytes a publish may have to fit the queue right now.
    pub fn queue_room(&self) -> usize {
        self.publishing.queue.room()
    }

    /// Does all work that is due: takes RX bytes from `rx` (the reader of the ring `feed`
    /// fills), handles them, fires deadlines and writes commands to `uart`. Returns the next
    /// event; call again until it returns `None`. `uart.write` returning `Ok(0)` means
    /// "try later".
    // Inlined into its caller (the C layer has one): with every dialect linked the compiler
    // would otherwise call it, and the call costs a measurable share per received byte.
    #[inline(always)]
    pub fn poll<W: embedded_io::Write>(
        &mut self,
        now: u32,
        rx: &mut RxReader<'_, '_>,
        uart: &mut W,
    ) -> Option<Event<'_>> {
        // Fast path: nothing was asked since the last poll found no work, and its next
        // deadline has not come. Then only input can make work here. It writes nothing, not
        // even the time: only work reads it (measured 3 instructions fewer per idle poll).
        let mut unchanged = self.settled
            && rx.ring().dropped() == self.rx_dropped_seen
            && self.wake_at.is_none_or(|w| !time::reached(now, w));
        if unchanged && rx.is_empty() {
            return None;
        }
        self.now = now;
        self.settled = false;
        self.tx_blocked = false;
        // Losses counted outside the receive path (RX overflow, refused publishes) are
        // reported once per round of polls (until one returns `None`): a steady source of
        // them (an ISR overflowing the ring, a callback publishing into a full queue) then
        // cannot keep `poll` from its work, or from returning.
        let overflow = rx.ring().dropped() != self.rx_dropped_seen;
        if !self.losses_reported && (overflow || self.rejects_unreported != 0) {
            self.losses_reported = true;
            self.note_rx_overflow(rx);
            self.report_pending_losses();
        }
        loop {
            if let Some(n) = self.events.pop_front() {
                return Some(Event::Notice(n));
            }
            match self.step_rx(rx) {
                rx::RxStep::Message(topic, payload) => {
                    self.stats.messages_received = self.stats.messages_received.wrapping_add(1);
                    return Some(Event::Message {
                        topic: topic.get(self.line),
                        payload: payload.get(self.line),
                    });
                }
                rx::RxStep::AtLine(id, len) => {
                    return Some(Event::AtLine {
                        id,
                        line: self.line.get(..len).unwrap_or(&[]),
                    });
                }
                rx::RxStep::Urc(len) => {
                    return Some(Event::Urc {
                        line: self.line.get(..len).unwrap_or(&[]),
                    });
                }
                rx::RxStep::Progress => {
                    unchanged = false;
                    continue;
                }
                rx::RxStep::Idle => {}
            }
            if unchanged {
                // The input only extended a partial line or payload (no token, no event):
                // timers and commands are as the settled poll left them, so skip looking.
                self.settled = true;
                self.losses_reported = false;
                return None;
            }
            if self.fire_timers() {
                continue;
            }
            if self.step_tx(uart) {
                continue;
            }
            self.settle();
            self.losses_reported = false;
            return None;
        }
    }

    /// Remembers, when a poll found no more work, until when the next one will find none.
    fn settle(&mut self) {
        let delay = self.delay_after_work(self.now);
        // Not while an open whose result may come without its line end waits for it
        // (seconds): input that only extends that line must still reach `fire_timers`, where
        // it is taken (`unterminated_open_result`).
        let open_unterminated =
            self.dialect.open_result_may_lack_eol() && self.link_wait() == Some(LinkWait::TcpUp);
        if delay == 0 || self.tx_blocked || open_unterminated {
            return;
        }
        // `None`: nothing scheduled, only input or an API call wakes the engine.
        self.wake_at = (delay != u32::MAX).then(|| time::after(self.now, delay));
        self.settled = true;
    }

    /// How long the caller may sleep before the next `poll`, if no RX byte arrives first.
    /// 0 = poll again now; `u32::MAX` = nothing is scheduled.
    pub fn poll_delay_ms(&self, now: u32, rx: &RxRing<'_>) -> u32 {
        if !self.events.is_empty() || !rx.is_empty() || self.rejects_unreported != 0 {
            return 0;
        }
        if self.settled {
            return self.wake_at.map_or(u32::MAX, |w| time::until(now, w));
        }
        if self.inflight.is_none() && self.has_command_ready() {
            return 0;
        }
        self.delay_after_work(now)
    }

    /// The delay until the next deadline, once no command is ready to go (as when a poll
    /// found no more work).
    fn delay_after_work(&self, now: u32) -> u32 {
        if self.local_unsubscribe_ready().is_some() {
            return 0;
        }
        if self.tx_blocked {
            return 1;
        }
        let mut next = u32::MAX;
        let mut consider = |t: u32| next = next.min(time::until(now, t));
        if let Some(f) = &self.inflight {
            consider(f.deadline);
        }
        if let Some((next_action, deadline)) = self.step_wakeup() {
            consider(next_action);
            consider(deadline);
        }
        if self.awaiting_link {
            consider(self.deadline);
        }
        if let Some(w) = self.subscribing.sub_wait {
            consider(w.deadline);
        }
        if let Some(w) = self.publishing.pub_wait {
            consider(w.deadline);
        }
        if self.windowed() && self.publishing.queue.awaiting() != 0 {
            consider(self.publishing.window_deadline);
        }
        next
    }

    // Out of line, as `notify`: each of the many call sites would build the notice itself.
    #[inline(never)]
    fn log(&mut self, kind: LogKind, what: Subject, code: u16) {
        self.log_as(kind, what, code, Status::Ok);
    }

    // Inlined into its two callers (`log`, `broker_failed`): measured 6 B smaller than its
    // own body (Luat and every dialect).
    fn log_as(&mut self, kind: LogKind, what: Subject, code: u16, reason: Status) {
        if !crate::parts::LOGS {
            // Without the part (crate::parts) this body is empty, and so every call is gone.
            return;
        }
        self.notify(Notice::Log {
            kind,
            what,
            code,
            reason,
        });
    }

    /// Reports `count` of something lost (`kind`).
    // Out of line, as `log`: eight call sites would each build the notice.
    #[inline(never)]
    fn lost(&mut self, kind: LossKind, count: u32) {
        self.notify(Notice::Loss { kind, count });
    }

    // Out of line: some thirty call sites would each carry a copy of the deque push.
    #[inline(never)]
    fn notify(&mut self, n: Notice) {
        if self.events.push_back(n).is_err() {
            self.stats.events_dropped = self.stats.events_dropped.wrapping_add(1);
        }
    }

    fn note_rx_overflow(&mut self, rx: &RxReader<'_, '_>) {
        let dropped = rx.ring().dropped();
        let delta = dropped.wrapping_sub(self.rx_dropped_seen);
        if delta != 0 {
            self.rx_dropped_seen = dropped;
            self.stats.rx_overflow_bytes = self.stats.rx_overflow_bytes.wrapping_add(delta);
            self.lost(LossKind::RxOverflow, delta);
        }
    }

    /// The id the next request gets: the one after the last, skipping 0 and every id a queued
    /// publish or a subscription record still holds. After the counter wraps (65,535 requests,
    /// a day of publishes refused into a full queue during an outage), an id may otherwise be
    /// given twice: two completions the application cannot tell apart, and on Quectel two
    /// packets in flight under one MQTT packet id.
    fn peek_id(&self) -> u16 {
        let mut id = self.next_id;
        // Both tables hold far fewer than 65,535 ids, so a free one is found well within the
        // bound; the bound only keeps the loop visibly finite.
        for _ in 0..u16::MAX {
            id = id.wrapping_add(1).max(1);
            if !self.publishing.queue.holds_id(id) && !self.subscribing.subs.holds_id(id) {
                break;
            }
        }
        id
    }

    /// Records `id` (from [`Self::peek_id`]) as the last one given, and returns it.
    fn use_id(&mut self, id: u16) -> u16 {
        self.next_id = id;
        id
    }

    /// The URC the session waits for: the step tells which (only the open and the connect
    /// wait, and any change of step ends the wait).
    fn link_wait(&self) -> Option<LinkWait> {
        if !self.awaiting_link {
            return None;
        }
        Some(match self.step {
            Step::Connect => LinkWait::Connack,
            _ => LinkWait::TcpUp,
        })
    }

    /// The open or the connect was answered `OK`: its URC is awaited for `ms`.
    fn await_link(&mut self, ms: u32) {
        self.awaiting_link = true;
        self.deadline = time::after(self.now, ms);
    }

    /// Moves to `step` and reports the state change it implies.
    // Out of line: some forty paths change the step; inlined (it is small since `Step` has a
    // plain tag) they were measured larger (Luat).
    #[inline(never)]
    fn goto(&mut self, step: Step) {
        self.step = step;
        let state = step.state();
        if state != self.state {
            self.state = state;
            self.notify(Notice::State(state));
        }
    }
}
