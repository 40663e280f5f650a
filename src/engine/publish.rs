// SPDX-License-Identifier: MIT OR Apache-2.0
//! The publish flow: accepting a publish command's result, completing, refusing, and the
//! window of publishes sent ahead of their acknowledgements where the dialect's
//! acknowledgements carry message ids (`Config::publish_window`).

use super::session::Suspect;
#[cfg(feature = "quectel")]
use super::state::PublishSpelling;
use super::{AckStage, Engine, PubSource, PubWait};
use crate::config::Options;
use crate::event::{Notice, Subject};
use crate::time::{after, reached};
use crate::Status;

/// A publish refused this often while the link was up fails for good.
const MAX_REJECTIONS: u8 = 3;

impl<'a> Engine<'a> {
    /// QoS 1/2 publishes that may await their acknowledgements at once: the configured window
    /// where the dialect's acknowledgements carry message ids, else one.
    #[inline]
    pub(super) fn window(&self) -> usize {
        if self.dialect.acks_carry_ids() {
            usize::from(self.cfg.publish_window.max(1))
        } else {
            1
        }
    }

    /// Whether the dialect's acknowledgements carry ids, so publishes may await them in a
    /// window (a constant per dialect: where none is linked, no window code is). A record is
    /// sent ahead only with a window above one, so code about records awaited in the window
    /// needs only this, not the configured size.
    pub(super) fn windowed(&self) -> bool {
        self.dialect.acks_carry_ids()
    }

    /// The queued publish to send next. Without a window it is the oldest (the queue's window
    /// code is then not linked where no dialect has one).
    // Out of line: six callers (measured 10 B smaller, Luat; no change with every dialect).
    #[inline(never)]
    pub(super) fn queue_current(&self) -> Option<crate::queue::Entry<'_>> {
        if self.window() > 1 {
            self.publishing.queue.current()
        } else {
            self.publishing.queue.front()
        }
    }

    /// The queued publish being sent completed (confirmed, or failed for good).
    fn queue_complete(&mut self) {
        if self.window() > 1 {
            self.publishing.queue.complete_current();
        } else {
            self.publishing.queue.pop();
        }
    }

    /// True when a queued publish may be sent now.
    pub(super) fn queue_ready(&self) -> bool {
        if self.window() > 1 {
            self.publishing.queue.has_unsent() && self.publishing.queue.awaiting() < self.window()
        } else {
            !self.publishing.queue.is_empty()
        }
    }

    /// An acknowledgement for a publish sent ahead in the window: true if `id` was one.
    // Out of line: measured 86 B smaller with every dialect linked (no change for Luat, which
    // has no window).
    #[inline(never)]
    pub(super) fn window_acked(&mut self, id: u16) -> bool {
        if !self.windowed() {
            return false;
        }
        if !self.publishing.queue.complete_awaiting(id) {
            // Sent, then rewound to go again (a send failure, an overdue acknowledgement, a
            // lost link): its result still came, so it is done and not sent twice.
            let in_flight = self.queue_publish_in_flight();
            let current = self.queue_current().is_some_and(|e| e.id == id);
            if self.window() < 2 || !self.publishing.queue.complete_sent(id, in_flight) {
                return false;
            }
            // A refusal of it awaiting its verdict named the record at the cursor, which has
            // moved on: it must not count against the next record (as in `rewind_if_due`).
            if let Some(Suspect::Publish {
                src: PubSource::Queue,
                ..
            }) = self.suspect.filter(|_| current)
            {
                self.suspect = Some(Suspect::Window);
            }
        }
        self.published(id);
        // The deadline runs for the acknowledgements still awaited, from the latest progress.
        self.publishing.window_deadline = after(self.now, self.cfg.timeouts.ack_ms);
        true
    }

    /// No acknowledgement for the window within the deadline: ask whether the link is up (if
    /// so, every awaited publish is sent again).
    pub(super) fn window_timer(&mut self) -> bool {
        if !self.windowed()
            || self.publishing.rewind_due
            || self.publishing.queue.awaiting() == 0
            || !reached(self.now, self.publishing.window_deadline)
        {
            return false;
        }
        self.rewind_window();
        self.ack_overdue(Subject::Puback, Suspect::Window)
    }

    /// Every publish awaited in the window goes again, from the oldest. While a queued publish
    /// is in flight the rewind waits for its end: the queue's cursor names the record that
    /// command's data comes from (a module that printed its prompt takes the next bytes as the
    /// payload) and the one a late `OK` of a QoS 0 publish completes.
    pub(super) fn rewind_window(&mut self) {
        self.publishing.rewind_due = true;
        self.rewind_if_due();
    }

    /// A command of a queued publish is in flight (the record at the queue's cursor).
    fn queue_publish_in_flight(&self) -> bool {
        self.inflight.is_some_and(|f| {
            matches!(
                f.cmd,
                super::Cmd::Publish(PubSource::Queue)
                    | super::Cmd::PublishHeader(PubSource::Queue)
                    | super::Cmd::PublishData(PubSource::Queue)
            )
        })
    }

    /// The rewind of [`Self::rewind_window`], once no queued publish is in flight.
    pub(super) fn rewind_if_due(&mut self) {
        if self.publishing.rewind_due && !self.queue_publish_in_flight() {
            self.publishing.rewind_due = false;
            self.publishing.queue.rewind();
            // A refusal awaiting its verdict named the record at the cursor, which has just
            // moved: it must not count against another record (that one goes again anyway).
            if let Some(Suspect::Publish {
                src: PubSource::Queue,
                ..
            }) = self.suspect
            {
                self.suspect = Some(Suspect::Window);
            }
        }
    }

    /// An `AT+MPUB` refused with `ERROR` may go again by `AT+MPUBEX`, once.
    pub(super) fn can_fall_back(&self, src: PubSource) -> bool {
        let allowed = crate::parts::MPUBEX
            && self.dialect.has_publish_fallback()
            && !self.cfg.options.contains(Options::NO_MPUBEX);
        // The publish is looked up last, only when the rest allows a fallback (measured 26 B
        // smaller with every dialect).
        allowed
            && self.publishing.mpub_fallback.is_none()
            && self
                .publish_parts(src)
                .is_some_and(|p| !p.payload.is_empty())
    }

    /// The QoS of the publish of `src` (0 where there is none).
    // Out of line: two callers here, each had the publish's parts built on its stack
    // (measured 34 B smaller).
    #[inline(never)]
    fn publish_qos(&self, src: PubSource) -> u8 {
        self.publish_parts(src).map_or(0, |p| p.qos)
    }

    /// The acknowledgement that ends the publish of `src` came before its command's `OK`.
    pub(super) fn final_ack_came(&self, src: PubSource) -> bool {
        let qos = self.publish_qos(src);
        matches!(
            (qos, self.publishing.early_pub_ack),
            (1, Some(AckStage::Puback)) | (_, Some(AckStage::Pubcomp | AckStage::Done))
        )
    }

    /// `OK` to MPUB or to the MPUBEX data: QoS 0 is done, QoS 1/2 wait for their acks.
    pub(super) fn publish_accepted(&mut self, src: PubSource) {
        if core::mem::take(&mut self.early_send_failed) {
            // The module said before this `OK` that it could not send the packet.
            return self.suspect(Suspect::Publish {
                src,
                reason: Status::LinkLost,
            });
        }
        let qos = self.publish_qos(src);
        let early = self.publishing.early_pub_ack.take();
        let stage = match (qos, early) {
            (0, _) if !self.dialect.qos0_has_result() => return self.publish_done(src),
            (1, Some(AckStage::Puback)) | (_, Some(AckStage::Pubcomp | AckStage::Done)) => {
                return self.publish_done(src)
            }
            // The module's result after `OK` decides a QoS 0 publish too (SIMCom).
            (0, _) => AckStage::Done,
            (1, _) => AckStage::Puback,
            (_, Some(AckStage::Pubrec)) => AckStage::Pubcomp,
            _ => AckStage::Pubrec,
        };
        let deadline = after(self.now, self.cfg.timeouts.ack_ms);
        if src == PubSource::Queue && self.window() > 1 {
            // Its acknowledgement is matched by id: the next publish may go meanwhile.
            self.publishing.queue.send_ahead();
            if self.publishing.queue.awaiting() == 1 {
                self.publishing.window_deadline = deadline;
            }
            return;
        }
        self.publishing.pub_wait = Some(PubWait {
            src,
            stage,
            deadline,
        });
    }

    pub(super) fn publish_done(&mut self, src: PubSource) {
        match src {
            PubSource::Online => self.announced = true,
            PubSource::Queue => {
                let Some(id) = self.queue_current().map(|e| e.id) else {
                    return;
                };
                self.queue_complete();
                self.published(id);
            }
        }
    }

    /// Publish `id` is confirmed: counted and reported (in order or from the window).
    fn published(&mut self, id: u16) {
        self.stats.publishes_done = self.stats.publishes_done.wrapping_add(1);
        self.notify(Notice::Published { id });
    }

    /// The publish of `src` was refused (or not acknowledged) while the link was up. The
    /// queue head fails for good after `MAX_REJECTIONS`, otherwise it is sent again; the online
    /// message is not sent again. One failure notice for both.
    pub(super) fn publish_refused(&mut self, src: PubSource, reason: Status) {
        let id = match src {
            PubSource::Online => {
                self.announced = true;
                0
            }
            PubSource::Queue => {
                if self.publishing.queue.note_rejection() < MAX_REJECTIONS {
                    return;
                }
                let id = self.queue_current().map_or(0, |e| e.id);
                self.queue_complete();
                self.stats.publishes_failed = self.stats.publishes_failed.wrapping_add(1);
                id
            }
        };
        self.notify(Notice::PublishFailed { id, reason });
    }

    /// A Quectel publish command was answered `ERROR`: true when the same publish goes again
    /// by the other spelling (`AT+QMTPUB` after `AT+QMTPUBEX`, §3.13 item 6). Once: when that
    /// is refused too, the spelling was not the fault, so the refusal counts and the next
    /// publish starts from `AT+QMTPUBEX` again.
    // Out of line: a refused publish is rare, and `on_final` is large.
    #[cfg(feature = "quectel")]
    #[inline(never)]
    pub(super) fn respell_publish(&mut self) -> bool {
        let spelling = &mut self.boot.publish_spelling;
        match *spelling {
            PublishSpelling::Extended if self.dialect == crate::dialect::Dialect::Quectel => {
                *spelling = PublishSpelling::TryingPlain;
                self.stats.mpub_fallbacks = self.stats.mpub_fallbacks.wrapping_add(1);
                true
            }
            PublishSpelling::TryingPlain => {
                *spelling = PublishSpelling::Extended;
                false
            }
            _ => false,
        }
    }

    /// A publish command got its data prompt: a spelling on trial is the module's.
    #[cfg(feature = "quectel")]
    pub(super) fn publish_spelling_taken(&mut self) {
        if self.boot.publish_spelling == PublishSpelling::TryingPlain {
            self.boot.publish_spelling = PublishSpelling::Plain;
        }
    }
}
