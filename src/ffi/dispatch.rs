// SPDX-License-Identifier: MIT OR Apache-2.0
//! What a poll hands to the C callbacks besides messages and AT lines: each notice as a log
//! entry, a pin change or an event record, and the STATUS line read before the engine runs.

use super::handle::Handle;
use super::types::{self, cellmqtt_event_t, cellmqtt_log_t};
use crate::event::Notice;

/// Reads the STATUS line for this poll when the engine may consult it (before a PWRKEY pulse,
/// to confirm a power cycle): only while a pin sequence is due or running, so a healthy
/// session costs no read, and without a callback inside the engine.
#[inline(always)]
pub(super) fn read_status_line(handle: &Handle) {
    // SAFETY: application context, in a poll (its check passed); the reference ends before the
    // callback.
    let wanted = unsafe { handle.engine() }.wants_module_status();
    let Some(get) = handle.cb.pin_get.filter(|_| wanted) else {
        return;
    };
    // Poll has not taken the engine yet: the callback may.
    handle.lend_engine();
    // SAFETY: callback contract.
    let level = unsafe { get(handle.cb.user, crate::event::Pin::Status) };
    let on = match level {
        0 => Some(false),
        1.. => Some(true),
        _ => None,
    };
    // SAFETY: as above, re-derived after the callback.
    unsafe { handle.engine() }.set_module_status(on);
}

/// A notice to its callback: a log entry to `log`, a pin change to `pin_set`, every other as a
/// `cellmqtt_event_t` to `on_event`.
pub(super) fn notice(handle: &Handle, n: Notice, dialect: crate::dialect::Dialect) {
    use types::EventKind as K;
    let mut ev = cellmqtt_event_t::new(K::State);
    match n {
        Notice::Log {
            kind,
            what,
            code,
            reason,
        } => {
            if let Some(f) = handle.cb.log {
                let entry = cellmqtt_log_t {
                    kind,
                    what: dialect.subject_name(what).as_ptr().cast(),
                    code,
                    status: reason,
                };
                // SAFETY: `entry` lives for the call and points to static text; callback contract.
                unsafe { f(handle.cb.user, &entry) };
            }
            return;
        }
        Notice::Pin { pin, active } => {
            if let Some(f) = handle.cb.pin_set {
                // SAFETY: callback contract.
                unsafe { f(handle.cb.user, pin, active) };
            }
            return;
        }
        Notice::State(s) => ev.state = s,
        Notice::Published { id } => (ev.kind, ev.id) = (K::Published, id),
        Notice::PublishFailed { id, reason } => {
            (ev.kind, ev.id, ev.status) = (K::PublishFailed, id, reason)
        }
        Notice::Subscribed { id, restored } => {
            (ev.kind, ev.id, ev.flag) = (K::Subscribed, id, restored)
        }
        Notice::SubscribeFailed { id, reason } => {
            (ev.kind, ev.id, ev.status) = (K::SubscribeFailed, id, reason)
        }
        Notice::Unsubscribed { id, status } => {
            (ev.kind, ev.id, ev.status) = (K::Unsubscribed, id, status)
        }
        Notice::Recovery {
            step,
            reason,
            failures,
        } => {
            (ev.kind, ev.recovery, ev.status, ev.count) =
                (K::Recovery, step, reason, u32::from(failures))
        }
        Notice::Loss { kind, count } => (ev.kind, ev.loss, ev.count) = (K::Loss, kind, count),
        Notice::Signal { rssi, ber } => {
            (ev.kind, ev.count, ev.id) = (K::Signal, u32::from(rssi), u16::from(ber))
        }
        Notice::AtDone { id, status, code } => {
            (ev.kind, ev.id, ev.status, ev.count) = (K::AtDone, id, status, u32::from(code))
        }
        Notice::Time { utc_s, zone } => {
            // The zone as int16_t's bits (C reads it back with a cast).
            (ev.kind, ev.count, ev.id) = (K::Time, utc_s, i16::from(zone) as u16)
        }
    }
    if let Some(f) = handle.cb.on_event {
        // SAFETY: `ev` lives for the call; callback contract.
        unsafe { f(handle.cb.user, &ev) };
    }
}
