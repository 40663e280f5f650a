// SPDX-License-Identifier: MIT OR Apache-2.0
//! The subscription flow: which subscribe or unsubscribe goes next, and how each one ends
//! (acknowledged, refused, replaced by a newer request, or completed locally because the
//! broker never saw the filter). The session's steps decide when to ask; this file decides
//! what each answer does to the subscription table and which notice the application gets.

use super::tx::Cmd;
use super::{Engine, SubWait};
use crate::event::Notice;
use crate::subs::SubState;
use crate::Status;

impl<'a> Engine<'a> {
    /// The subscribe or unsubscribe to send next, unless one is awaited.
    // Out of line: the command choice (`Restore`, `Online`) and the end of `Restore` ask it.
    #[inline(never)]
    pub(super) fn sub_command(&self) -> Option<Cmd> {
        if self.subscribing.sub_wait.is_some() {
            return None;
        }
        let s = self.subscribing.subs.next_pending()?;
        Some(match s.state {
            SubState::NeedUnsubscribe => Cmd::Unsubscribe { at: s.at, id: s.id },
            _ => Cmd::Subscribe { at: s.at, id: s.id },
        })
    }

    /// A subscribe/unsubscribe acknowledgement for the request `w`; `granted` is the QoS the
    /// broker granted, where the dialect reports it (0x80: the broker refused the filter).
    pub(super) fn sub_acked(&mut self, w: SubWait, granted: Option<u8>) {
        if w.unsubscribe {
            return self.sub_ended(w.at, w.id, true, Status::Ok);
        }
        if granted.is_some_and(|g| g > 2) {
            return self.sub_ended(w.at, w.id, false, Status::BrokerRefused);
        }
        let current = self.sub_at(w.at).filter(|s| s.id == w.id);
        let restored = match current {
            Some(s) => s.confirmed_before,
            // Asked for again meanwhile (the record stays pending and is sent again): a
            // request that had no notice yet is the one remembered as replaced; any other
            // had its confirmation, so this one restores it.
            None => self.subscribing.replaced != w.id,
        };
        if current.is_some() {
            self.subscribing
                .subs
                .set(w.at, w.id, None, SubState::Active);
        }
        self.sub_notice(w.id, Notice::Subscribed { id: w.id, restored });
    }

    /// The end of a [`Suspect::SubRefused`] request.
    #[cfg(feature = "simcom")]
    pub(super) fn sub_refused(&mut self, w: SubWait) {
        self.sub_ended(w.at, w.id, w.unsubscribe, Status::LinkLost);
    }

    /// An unsubscribe ended (`reason` `Ok`: done), or a subscribe failed for `reason`: the record goes if it
    /// still holds this request (else it changed meanwhile and is sent again), and the
    /// application is told. One body for the acknowledgement and the verified failure.
    pub(super) fn sub_ended(&mut self, at: usize, id: u16, unsubscribe: bool, reason: Status) {
        if self.sub_at(at).is_some_and(|s| s.id == id) {
            self.subscribing.subs.remove(at);
        }
        self.sub_notice(
            id,
            match unsubscribe {
                true => Notice::Unsubscribed { id, status: reason },
                false => Notice::SubscribeFailed { id, reason },
            },
        );
    }

    /// The one notice of request `id`: a replaced request it ends is no longer awaited.
    // Out of line: both callers had the check and the notice's copy inlined (measured 12 B
    // smaller, Luat and every dialect).
    #[inline(never)]
    fn sub_notice(&mut self, id: u16, n: Notice) {
        if self.subscribing.replaced == id {
            self.subscribing.replaced = 0;
        }
        self.notify(n);
    }

    /// The link is gone with a request out whose filter was asked for again meanwhile: its
    /// result will not come, and it is not sent again (the newer request is), so it ends now:
    /// a subscribe failed, an unsubscribe unconfirmed (both `LINK_LOST`).
    pub(super) fn end_replaced_request(&mut self) {
        let flow = &self.subscribing;
        let (id, unsubscribe) = (flow.replaced, flow.replaced_unsubscribe);
        if id != 0 {
            // No record holds it (`usize::MAX` is no offset): only the notice.
            self.sub_ended(usize::MAX, id, unsubscribe, Status::LinkLost);
        }
    }

    /// Completes one unsubscribe of a filter the broker never saw, in any state, unless a
    /// subscription command is in flight (removing a record moves the records after it).
    pub(super) fn settle_local_unsubscribe(&mut self) -> bool {
        let Some((at, id)) = self.local_unsubscribe_ready() else {
            return false;
        };
        // The same ending as an acknowledged unsubscribe (the record is found: it was just read).
        self.sub_ended(at, id, true, Status::Ok);
        true
    }

    /// The record and id of a local unsubscribe that can complete now.
    #[inline]
    pub(super) fn local_unsubscribe_ready(&self) -> Option<(usize, u16)> {
        if self.subscribing.subs.all_active() {
            return None;
        }
        let busy = self.subscribing.sub_wait.is_some()
            || self
                .inflight
                .is_some_and(|f| matches!(f.cmd, Cmd::Subscribe { .. } | Cmd::Unsubscribe { .. }));
        if busy {
            return None;
        }
        self.subscribing
            .subs
            .next_local_unsubscribe()
            .map(|s| (s.at, s.id))
    }
}
