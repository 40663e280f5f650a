// SPDX-License-Identifier: MIT OR Apache-2.0
//! The engine's state in four owners, each with its own reset, so what a reboot, a lost link
//! or a new session clears is written once, next to the state it clears:
//! - [`BootState`]: what the module holds since it booted (gone at every reboot);
//! - [`PublishFlow`]: the publish queue and what the publish in flight waits for;
//! - [`SubscribeFlow`]: the subscription table and what the (un)subscribe in flight waits for;
//! - [`LadderState`]: where the recovery ladder stands and the run of broker failures.

use super::{AckStage, Echo, ModuleFacts, PubSource, PubWait, SubWait};
use crate::queue::PublishQueue;
use crate::subs::SubTable;

/// What the module holds since it last booted.
pub(super) struct BootState {
    pub echo: Echo,
    /// The per-boot preparation (message mode, data mode, SSL) is in force. Cleared when the
    /// module may have lost it (echo back on after `ATE0`), so the next re-connect redoes it.
    pub prepared: bool,
    /// SSL context configured since the module last booted.
    pub ssl_done: bool,
    /// Per-boot entries answered `ERROR` since the module booted (bit per entry): firmware
    /// without them (`OnError::Unsupported`). Luat: the top two bits are the `AT+MCONNECT`
    /// spelling ([`MCONNECT_MODE`], [`MCONNECT_KEPT`]).
    pub lacks: u32,
    /// The last bring-up entry with `OnError::Check` failed (its `When::AfterFailure` check
    /// is due).
    pub item_failed: bool,
    /// The bearer must be restored before the next open (Luat: `AT+CIPSHUT` after
    /// `+PDP DEACT`).
    pub restore_bearer: bool,
    /// The connect's client setup is in force on the module (SIMCom: client 0 acquired with
    /// its SSL context and will): after a lost link the re-connect sends only the connect
    /// (docs/quectel-simcom-at.md §4.9). Set when the session comes up; cleared when the
    /// module may have dropped it: a reboot, echo back on, the service restarted after a
    /// network loss, a stop, and any connect attempt that failed (err 20, client not
    /// acquired, among them), so the next one sets the client up again.
    pub client_kept: bool,
    pub facts: ModuleFacts,
    /// Cache slots announced by `+MSUB: n` and not read yet; slots being read.
    pub cache_pending: u8,
    pub cache_reading: u8,
    /// Quectel: which command this module takes a publish by.
    #[cfg(feature = "quectel")]
    pub publish_spelling: PublishSpelling,
}

/// Which command a Quectel module takes a publish by. Parts differ (EC200U and EC800M
/// `AT+QMTPUBEX`; BG96 and BG770A the same arguments to `AT+QMTPUB`) and which part or firmware
/// takes which is not documented (docs/quectel-simcom-at.md §3.6, §3.13 item 6). Asking with
/// the test commands would add a command to every bring-up; a refusal answers the question
/// where it arises, at the cost of one command on such a module once per boot.
#[cfg(feature = "quectel")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PublishSpelling {
    /// `AT+QMTPUBEX`, until the module refuses it.
    Extended,
    /// `AT+QMTPUBEX` was answered `ERROR`: the same publish goes once by `AT+QMTPUB`.
    TryingPlain,
    /// The module took `AT+QMTPUB` after refusing `AT+QMTPUBEX`: so for the rest of its boot.
    Plain,
}

/// Bit of [`BootState::lacks`] (Luat): `AT+MCONNECT` goes with its third parameter `<mode>`.
/// Older firmware (Air780E LPAT before V1156, EC716S before its fix) refuses the documented
/// two-parameter form at once, manual V1.6.7 documents the three (docs/luat-at.md §5.3): each
/// refusal at once tries the other spelling next, until one is answered `OK`.
#[cfg(feature = "luat")]
pub(crate) const MCONNECT_MODE: u32 = 1 << 31;
/// Bit of [`BootState::lacks`] (Luat): the module answered `OK` to the `AT+MCONNECT` spelling
/// in use, so it keeps that one until it reboots.
#[cfg(feature = "luat")]
pub(crate) const MCONNECT_KEPT: u32 = 1 << 30;

impl BootState {
    /// A module that just booted: echo on, nothing configured, nothing known.
    pub const fn fresh() -> Self {
        BootState {
            echo: Echo::Default,
            prepared: false,
            ssl_done: false,
            lacks: 0,
            item_failed: false,
            restore_bearer: false,
            client_kept: false,
            facts: ModuleFacts::new(),
            cache_pending: 0,
            cache_reading: 0,
            #[cfg(feature = "quectel")]
            publish_spelling: PublishSpelling::Extended,
        }
    }
}

/// The publish queue and the state of the publish in flight.
pub(super) struct PublishFlow<'a> {
    pub queue: PublishQueue<'a>,
    /// The acknowledgement the publish in flight waits for (one at a time, or the online
    /// message).
    pub pub_wait: Option<PubWait>,
    /// A publish acknowledgement (the furthest stage) that came before the command's `OK`.
    pub early_pub_ack: Option<AckStage>,
    /// `AT+MPUB` of this source's current message was answered `ERROR`: it goes by
    /// `AT+MPUBEX` (once) before the refusal counts.
    pub mpub_fallback: Option<PubSource>,
    /// When the window's awaited acknowledgements are overdue (`publish.rs`).
    pub window_deadline: u32,
    /// The window is to go again from its oldest record once the queued publish in flight
    /// ends (`Engine::rewind_window`).
    pub rewind_due: bool,
}

impl<'a> PublishFlow<'a> {
    pub fn new(queue: PublishQueue<'a>) -> Self {
        PublishFlow {
            queue,
            pub_wait: None,
            early_pub_ack: None,
            mpub_fallback: None,
            window_deadline: 0,
            rewind_due: false,
        }
    }

    /// The link is gone: nothing is awaited; the publish in flight goes again on the next
    /// link (with a window, so does every one sent ahead: `Engine::rewind_window`).
    pub fn drop_link(&mut self) {
        self.pub_wait = None;
        self.early_pub_ack = None;
    }
}

/// The subscription table and the state of the (un)subscribe in flight.
pub(super) struct SubscribeFlow<'a> {
    pub subs: SubTable<'a>,
    pub sub_wait: Option<SubWait>,
    /// The acknowledgement of the subscribe or unsubscribe in flight came before its `OK`:
    /// 0 none, 1 without a granted QoS, else 2 + the granted QoS (5: a refusal, 0x80). One
    /// byte where `Option<Option<u8>>` took two: with `replaced` the flow fits its old size.
    pub early_sub_ack: u8,
    /// A request out without its notice yet whose filter was asked for again (0: none; ids
    /// are never 0), and whether it unsubscribes: it ends with the link if its result does
    /// not come first (`Engine::end_replaced_request`).
    pub replaced: u16,
    pub replaced_unsubscribe: bool,
}

/// `SubscribeFlow::early_sub_ack` of an acknowledgement with `granted`.
pub(super) fn early_ack(granted: Option<u8>) -> u8 {
    granted.map_or(1, |g| g.min(3) + 2)
}

/// The granted QoS of an `early_sub_ack` (not 0).
pub(super) fn early_granted(early: u8) -> Option<u8> {
    early.checked_sub(2)
}

impl<'a> SubscribeFlow<'a> {
    pub fn new(subs: SubTable<'a>) -> Self {
        SubscribeFlow {
            subs,
            sub_wait: None,
            early_sub_ack: 0,
            replaced: 0,
            replaced_unsubscribe: false,
        }
    }

    /// The link is gone: nothing is awaited, and every confirmed filter is sent again on the
    /// next link. A clean session starts with none: what was sent to the old one is not
    /// there to unsubscribe.
    pub fn drop_link(&mut self, clean: bool) {
        self.sub_wait = None;
        self.early_sub_ack = 0;
        self.subs.mark_all_for_restore(clean);
    }
}

/// Where the recovery ladder stands.
pub(super) struct LadderState {
    /// Consecutive failed cycles (reported, and scales the back-off).
    pub failures: u16,
    /// Position on the ladder: `< reconnects` re-connect, then RESET, then a power cycle.
    pub ladder_pos: u16,
    /// Power cycles since the session was last online.
    pub power_cycles: u16,
    /// When the current run of broker/network failures began (for the last-resort reset),
    /// while `broker_run`. (Not an `Option`: its tag would take the room of `refused`.)
    pub broker_since: u32,
    pub broker_run: bool,
    /// Consecutive broker refusals (for `Ladder::refusal_limit`).
    pub refusals: u16,
    /// Jitter for re-connect back-offs (xorshift), seeded from the client id so a fleet
    /// spreads out even with identical clocks.
    pub jitter: u32,
    /// The failure the ladder last met that may outlive it (`Engine::outlived_the_ladder`;
    /// 0 = none): a set-up command refused (1-64 the bring-up entries, from 65 the connect's
    /// parts), or the SIM missing or locked, or the attach missing (their status code's low
    /// bits: 103, 102, 101);
    /// with [`TOP_RUNG_SINCE`] once the ladder's top rung was taken after it.
    pub refused: u8,
}

/// Bit of [`LadderState::refused`]: the ladder reached its top rung since that refusal.
pub(super) const TOP_RUNG_SINCE: u8 = 0x80;

/// The key of [`LadderState::refused`] for a failure named by its status: the code's low
/// bits, apart from the set-up commands' keys (1-64, and 65 on for the connect's parts).
pub(super) const fn status_key(status: crate::Status) -> u8 {
    status as u8 & !TOP_RUNG_SINCE
}

impl LadderState {
    pub const fn new(jitter: u32) -> Self {
        LadderState {
            failures: 0,
            ladder_pos: 0,
            power_cycles: 0,
            broker_since: 0,
            broker_run: false,
            refusals: 0,
            jitter,
            refused: 0,
        }
    }

    /// A new session (`start`) or one that got online: every failure run is over. A started
    /// session inherits no run from the one before: the time a device was stopped is no time
    /// of broker failures (else a device that sleeps between reports would reset its module
    /// at each wake while the broker is down), and refusals that made it give up count anew.
    // Out of line where Quectel is the only dialect: measured 16 B smaller there (larger in
    // the other builds: Luat 22 B, SIMCom 104 B, every dialect 12 B).
    #[cfg_attr(not(any(feature = "luat", feature = "simcom")), inline(never))]
    pub fn restart(&mut self) {
        self.failures = 0;
        self.ladder_pos = 0;
        self.power_cycles = 0;
        self.broker_run = false;
        self.refusals = 0;
        self.refused = 0;
    }
}
