//! The publish queue and the subscription table against a model, on all three families: long
//! seeded sequences of publishes (0 bytes to the whole arena, binary or text, QoS 0/1/2,
//! retain), subscribes and unsubscribes (repeated, another QoS, of a pending or an unknown
//! filter), link losses, reboots, stop/start, refused publishes (`ERROR`), acknowledgements
//! kept back and released (Quectel: by message id, in any order), a small arena that wraps.
//!
//! After every step (README "Using it from C", "Porting guide", Known limits; the header on
//! `cellmqtt_publish`, `cellmqtt_queue_room` and the events): each accepted publish completes
//! once, `PUBLISHED` only once the module took it, `PUBLISH_FAILED` only after refusals, in
//! queue order where one is in flight; each publish on the wire is a queued one byte for byte
//! and first sent in queue order; `queued()`, `queue_room()` and the counters are the model's
//! (10 bytes + topic + payload a record, freed once it and every older one completed); a
//! refused publish changes nothing and takes no id; `SUBSCRIPTIONS_FULL` / `NOT_SUBSCRIBED`
//! exactly when the model's table (6 bytes + filter) says; online and settled, the module's
//! subscriptions are the table; no filter goes twice on one connection unless asked again;
//! one notice per request (a call on a filter whose request has not gone out takes it over:
//! the same id), a `restored` one per restore; ids are never 0 and the next one free.
#[path = "../common/mod.rs"]
mod common;
mod model;
mod run;

use cellmqtt::{Notice, State, Status};
use common::family::{fams, Fam};
use model::*;
use run::*;

// ---- Tests ----

/// Every family (both Quectel spellings), arenas that fill, wrap and empty, a small table,
/// through link losses, reboots, stops, refusals and kept acknowledgements.
#[test]
fn random_sequences_match_the_model_on_every_family() {
    for &fam in fams() {
        for seed in 1..=if cfg!(miri) { 1 } else { 4 } {
            let r = random_run(fam, seed, 160 + 64 * seed as usize, 48, 1);
            let busy = r.m.accepted.len() > [20, 1][usize::from(cfg!(miri))] && r.m.rejected > 0;
            assert!(busy, "{fam:?}: too few publishes");
        }
    }
}

/// Quectel with publishes sent ahead (`publish_window` 2-8): acknowledgements kept back and
/// released in any order, by message id.
#[test]
#[cfg_attr(miri, ignore)]
fn quectel_windows_complete_out_of_order_acks_once() {
    for (seed, window) in [(11u64, 2u8), (12, 4), (13, 8), (14, 3)] {
        random_run(Fam::Quectel, seed, 384, 64, window);
    }
}

/// The minimum arena (64 bytes) and table (16): most publishes are refused, the ones taken
/// wrap the arena at every size, never mixing two.
#[test]
fn a_minimal_arena_wraps_without_mixing_messages() {
    for &fam in fams() {
        let r = random_run(fam, 21, 64, 16, [1, 2][usize::from(fam == Fam::Quectel)]);
        assert!(r.m.queue_full > 0, "{fam:?}");
    }
}

/// A publish that fills an empty arena exactly, one byte more (`BUFFER_TOO_SMALL` whatever
/// the queue holds), one into the full arena (`QUEUE_FULL`), an empty payload (sent by Luat
/// and SIMCom, refused by Quectel): refusals leave no trace and take no id. Then the table:
/// a filter that fills it exactly, one more, another QoS for the same one (its request not
/// sent yet: the same id), an unknown one.
#[test]
fn edge_sizes_fill_the_arena_and_the_table_exactly() {
    for &fam in fams() {
        let mut r = Run::new(fam, 5, 200, 16, 1);
        let full: Vec<u8> = (0..200 - PUB_COST - 3).map(|i| (i * 7) as u8).collect();
        let a = r.publish(b"t/e", &full, 1, true).unwrap();
        assert_eq!((r.h.engine.queue_room(), r.h.engine.queued()), (0, 1));
        assert_eq!(r.publish(b"t/e", b"x", 0, false), Err(Status::QueueFull));
        let over = r.publish(b"t/e", &[&full[..], b"+"].concat(), 0, false);
        assert_eq!(over, Err(Status::BufferTooSmall));
        let empty = [Status::QueueFull, Status::PayloadTooLong][usize::from(fam == Fam::Quectel)];
        assert_eq!(r.publish(b"t/0", b"", 2, false), Err(empty));
        let rejected = r.h.engine.stats().publishes_rejected;
        assert_eq!((rejected, r.m.loss_rejected), (3, 3));
        assert_eq!(
            r.subscribe(b"0123456789", 1),
            Ok(a + 1),
            "refusals took no id"
        );
        assert_eq!(r.subscribe(b"x", 0), Err(Status::SubscriptionsFull));
        // Not sent yet (the session is not started): taken over, the same id.
        assert_eq!(r.subscribe(b"0123456789", 2), Ok(a + 1));
        assert_eq!(r.unsubscribe(b"nope"), Err(Status::NotSubscribed));
        r.drain();
        let w = &r.s.wire[0];
        assert_eq!(
            (w.payload.as_ref(), w.qos, w.retain),
            (Some(&full), 1, true)
        );
        assert_eq!(r.s.subs.get(&b"0123456789"[..]), Some(&2));
        if fam != Fam::Quectel {
            r.publish(b"t/0", b"", 1, false).unwrap();
            r.drain();
            let w = r.s.wire.last().unwrap();
            assert_eq!((&w.topic[..], w.len, w.msgid), (&b"t/0"[..], 0, None));
        }
    }
}

/// `cellmqtt_queue_room`: the topic + payload bytes the next publish may have (0 when full);
/// exactly that is queued, a byte more is `QUEUE_FULL`; `cellmqtt_queued` counts; a NULL
/// handle has no room.
#[test]
fn c_queue_room_tells_exactly_what_fits() {
    use cellmqtt::ffi::*;
    use core::ffi::c_void;
    unsafe extern "C" fn write(_: *mut c_void, _: *const u8, len: usize) -> i32 {
        len as i32
    }
    unsafe extern "C" fn tick(_: *mut c_void) -> u32 {
        0
    }
    let mut bufs: Vec<Vec<u8>> = [1024, 1664, 128, 64].map(|n| vec![0u8; n]).into();
    let mut cfg = cellmqtt_config_default();
    (cfg.host, cfg.client_id) = (c"broker.example".as_ptr(), c"dev-1".as_ptr());
    let [rx, line, queue, sub] = &mut bufs[..] else {
        unreachable!()
    };
    (cfg.rx_buf, cfg.rx_buf_len) = (rx.as_mut_ptr(), rx.len());
    (cfg.line_buf, cfg.line_buf_len) = (line.as_mut_ptr(), line.len());
    (cfg.queue_buf, cfg.queue_buf_len) = (queue.as_mut_ptr(), queue.len());
    (cfg.sub_buf, cfg.sub_buf_len) = (sub.as_mut_ptr(), sub.len());
    // SAFETY: all-zero callbacks are `None` and a null user pointer.
    let mut cb: cellmqtt_callbacks_t = unsafe { std::mem::zeroed() };
    cb.uart_write = Some(write);
    cb.tick_ms = Some(tick);
    // SAFETY: zeroed storage is the handle's initial state; every pointer below is valid.
    unsafe {
        let h: *mut cellmqtt_t = Box::into_raw(Box::new(std::mem::zeroed()));
        assert_eq!(cellmqtt_init(h, &cfg, &cb), Status::Ok);
        assert_eq!(cellmqtt_queue_room(h), 128 - PUB_COST);
        let (payload, mut id) = ([0xA5u8; 128], 0u16);
        let (topic, data) = (c"ab".as_ptr(), payload.as_ptr());
        let mut publish = |n| cellmqtt_publish(h, topic, data, n, 1, false, &mut id);
        assert_eq!(publish(40), Status::Ok);
        let room = cellmqtt_queue_room(h);
        assert_eq!(room, 128 - 2 * PUB_COST - 42);
        assert_eq!(publish(room - 1), Status::QueueFull);
        assert_eq!(publish(room - 2), Status::Ok);
        assert_eq!(publish(1), Status::QueueFull);
        assert_eq!(publish(128 - PUB_COST - 1), Status::BufferTooSmall);
        assert_eq!((id, cellmqtt_queue_room(h), cellmqtt_queued(h)), (2, 0, 2));
        let mut st = std::mem::zeroed::<cellmqtt::Stats>();
        assert_eq!(cellmqtt_stats(h, &mut st), Status::Ok);
        let refused = (st.publishes_rejected, st.publishes_queue_full);
        assert_eq!((st.publishes_queued, refused), (2, (3, 2)));
        assert_eq!(cellmqtt_queue_room(std::ptr::null()), 0);
        cellmqtt_deinit(h);
        drop(Box::from_raw(h));
    }
}

// ---- Bugs the model found, each pinned on its own ----

/// A publish whose acknowledgement does not come within `ack_ms` fails after its third try;
/// its result may still come (SIMCom's `<pub_timeout>` is 60 s, `ack_ms` 20 s). Arriving
/// while the next publish's first part is out (SIMCom `AT+CMQTTTOPIC`, Luat the `AT+MPUBEX`
/// header), before the module has that publish, it must not confirm it: results name no
/// publish in these families, and that one would be reported `PUBLISHED` unsent.
#[test]
fn a_late_result_of_a_given_up_publish_does_not_confirm_the_next() {
    for fam in [Fam::Luat, Fam::Simcom] {
        let mut r = online(fam, 1, 7);
        r.s.hold = true;
        let a = r.publish(b"t/a", b"first", 1, false).unwrap();
        let b = r.publish(b"t/b", b"\x00second", 1, false).unwrap();
        r.run_until(|r| r.m.completions.contains_key(&a));
        let failed = Notice::PublishFailed {
            id: a,
            reason: Status::Timeout,
        };
        assert!(r.m.notices.contains(&failed), "{fam:?}");
        assert!(!r.h.uart.written.is_empty(), "{fam:?}: B is under way");
        for (late, _) in std::mem::take(&mut r.s.held_acks) {
            r.h.rx(&late); // A's last result, late
        }
        r.run_until(|r| r.s.wire.len() == 4); // B taken, its own result kept back
        let published = r.m.notices.contains(&Notice::Published { id: b });
        assert!(!published, "{fam:?}: B confirmed by A's result");
        r.drain();
        assert_eq!(r.m.completions.get(&b), Some(&1), "{fam:?}");
    }
}

/// Quectel, two publishes sent ahead, their acknowledgements late: the window goes again and
/// the module refuses A's second send; while the session asks whether the link is up, A's
/// first acknowledgement comes (A is done). The refusal was A's: B, refused twice after, has
/// two refusals, not the three that fail a publish for good.
#[test]
fn a_refusal_in_the_window_counts_against_its_own_publish_only() {
    let mut r = online(Fam::Quectel, 2, 8);
    assert!(
        r.s.no_pubex,
        "every publish goes by AT+QMTPUB: each refusal counts"
    );
    r.s.hold = true;
    let a = r.publish(b"t/a", b"one", 1, false).unwrap();
    let b = r.publish(b"t/b", b"two", 1, false).unwrap();
    r.run_until(|r| r.s.wire.len() == 2);
    r.s.refuse = 1;
    r.run_until(|r| r.s.refuse == 0); // the window went again: A refused
    r.release(true, Some(a));
    assert!(r.m.notices.contains(&Notice::Published { id: a }));
    (r.s.held_acks, r.s.refuse) = (vec![], 2); // B's first acknowledgement is lost
    r.run_until(|r| r.s.refuse == 0 && r.h.engine.state() == State::Online);
    r.drain();
    let failed = |n: &Notice| matches!(n, Notice::PublishFailed { id, .. } if *id == b);
    assert!(!r.m.notices.iter().any(failed), "{:?}", r.m.notices);
}

/// A filter confirmed on this connection, then asked with another QoS: its `SUBSCRIBED`
/// answers a new request, it is no restore (README: `flag` = restored after a re-connect).
/// After a re-connect the filter is restored, and says so.
#[test]
fn a_new_qos_confirmed_online_is_not_a_restore() {
    for &fam in fams() {
        let mut r = Run::new(fam, 9, 256, 64, 1);
        let first = r.subscribe(b"a/b", 1).unwrap();
        r.drain();
        let second = r.subscribe(b"a/b", 2).unwrap();
        r.drain();
        r.drop_link();
        r.drain();
        let subscribed = |n: &&Notice| matches!(n, Notice::Subscribed { .. });
        let got: Vec<_> = r.m.notices.iter().filter(subscribed).copied().collect();
        let want = [(first, false), (second, false), (second, true)];
        let want = want.map(|(id, restored)| Notice::Subscribed { id, restored });
        assert_eq!(got, want, "{fam:?}");
    }
}
