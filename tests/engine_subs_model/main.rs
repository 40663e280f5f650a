//! The subscription table against a model, on all three families: seeded runs of subscribes,
//! subscribes again at another QoS, unsubscribes (of unknown filters, of ones never sent),
//! subscribes and unsubscribes of a filter whose request is pending or in flight, a table
//! that fills, interleaved with link losses, reboots, stop and start, refusals in each
//! family's shapes, results before their `OK` and results kept back (given late, or lost past
//! the engine's wait).
//!
//! Checked after every step, from the README (Porting guide: "each filter 6 bytes + filter
//! of `sub_buf`", the `SUBSCRIBED` event "`flag` = restored after a re-connect", "every
//! filter is subscribed again"; Failure classes: a SIMCom refusal ends with
//! `SUBSCRIBE_FAILED` even when the link drops right after) and the header
//! (`cellmqtt_subscribe`: "A `SUBSCRIBED` event with `*out_id` follows once the broker
//! confirms"; `cellmqtt_unsubscribe`: "an `UNSUBSCRIBED` event with `*out_id` follows";
//! `UNSUBSCRIBED`: "confirmed (`UNSUBACK`) or the filter was never sent"; `SUBSCRIBE_FAILED`:
//! refused, "removed from the table"):
//! - a call's status: `SUBSCRIPTIONS_FULL` exactly when the model's table has no room,
//!   `NOT_SUBSCRIBED` exactly for a filter not in it; a new id is the one after the last;
//! - every command is for its filter's latest request when it was written (kind, QoS,
//!   Quectel message id), never for a request that ended, never twice on one connection for
//!   one request, and an unsubscribe only for a filter subscribed on that connection;
//! - every notice answers a result the module gave (its QoS, its reason: `MODULE_ERROR` for
//!   `ERROR`, `BROKER_REFUSED` for SUBACK 0x80, `LINK_LOST` for Quectel's "not sent" and
//!   SIMCom's result codes, `TIMEOUT` for a result lost past `ack_ms`), each result is
//!   reported once, a request's first confirmation is not `restored`, a later one is and
//!   comes once per connection;
//! - online and settled, the module holds exactly the table at each filter's latest QoS,
//!   every filter confirmed (restored) on this connection;
//! - drained, every request id the API returned has had exactly one final notice.
#[path = "../common/mod.rs"]
mod common;
mod model;
mod module;
mod run;

use cellmqtt::Status;
use common::family::{fams, Fam};
use model::*;
use run::*;

/// Seeds per family and table sizes: a table for two or three filters, and one for all.
fn seeds() -> impl Iterator<Item = (u64, usize)> {
    let all = [
        (1, 40),
        (2, 64),
        (3, 28),
        (4, 96),
        (5, 40),
        (6, 200),
        (7, 34),
        (8, 64),
    ];
    all.into_iter().take(if cfg!(miri) { 1 } else { 8 })
}

#[test]
fn random_runs_match_the_model_on_every_family() {
    for &fam in fams() {
        for (seed, cap) in seeds() {
            let r = random_run(fam, seed, cap);
            let m = &r.m;
            let counts = [m.restores, m.failed, m.took_over + m.local_unsubscribes];
            eprintln!(
                "{fam:?} seed {seed}: {} requests, {} commands, {} restores, {} failed, \
                 {} full, {} local unsubscribes, {} taken over",
                m.reqs.len(),
                r.s.commands,
                m.restores,
                m.failed,
                m.full,
                m.local_unsubscribes,
                m.took_over
            );
            eprintln!("  {:?}", m.reasons);
            if !cfg!(miri) {
                assert!(counts.iter().all(|&n| n > 0), "{fam:?} {seed}: {counts:?}");
                assert!(
                    m.full > 0 || cap > 64,
                    "{fam:?} {seed}: the table never filled"
                );
            }
        }
    }
}

/// The table's room (README, Porting guide: 6 bytes + filter a record): filled exactly, one
/// more filter is `SUBSCRIPTIONS_FULL`, another QoS for one in it is not; a filter being
/// unsubscribed keeps its room until its `UNSUBACK`; an unknown filter is `NOT_SUBSCRIBED`.
#[test]
fn the_table_fills_exactly_and_frees_room_at_the_unsuback() {
    let long: &[u8] = b"dev-1/cmd/+/state";
    for &fam in fams() {
        let mut r = Run::new(fam, 5, 2 * SUB_COST + 3 + long.len());
        r.subscribe(b"a/b", 1).unwrap();
        r.subscribe(long, 0).unwrap();
        assert_eq!(r.subscribe(b"x", 0), Err(Status::SubscriptionsFull));
        r.subscribe(b"a/b", 2).unwrap();
        assert_eq!(r.unsubscribe(b"x"), Err(Status::NotSubscribed));
        r.drain();
        r.s.hold = true;
        let u = r.unsubscribe(b"a/b").unwrap();
        r.run_until(|r| r.s.late.is_some());
        assert_eq!(r.subscribe(b"x", 0), Err(Status::SubscriptionsFull));
        r.release_late();
        assert_eq!(
            r.m.reqs[&u].fin,
            Some(Fin::Unsubscribed(Status::Ok)),
            "{fam:?}"
        );
        r.subscribe(b"x", 0).unwrap();
        r.drain();
        assert_eq!(r.m.full, 2, "{fam:?}");
    }
}

/// Each family's refusals (README "Failure classes", docs/quectel-simcom-at.md §3.5, §4.6),
/// with the result before or after its `OK`: `SUBSCRIBE_FAILED` with the reason the model
/// expects, the filter out of the table and never sent again, the others restored.
#[test]
fn each_refusal_shape_fails_its_subscribe_once_with_its_reason() {
    for &fam in fams() {
        for &shape in Refusal::of(fam) {
            for early in [false, true] {
                if early && shape == Refusal::ResultAndClose {
                    continue; // a_simcom_refusal_before_its_ok_is_not_sent_again
                }
                let (mut r, _) = online_with(fam, &[b"a/b"]);
                (r.s.early, r.s.refuse) = (early, Some(shape));
                let id = r.subscribe(b"c/#", 1).unwrap();
                r.run_until(|r| r.m.reqs[&id].fin.is_some());
                r.drain();
                let want = Some(Fin::Failed(shape.reason()));
                assert_eq!(r.m.reqs[&id].fin, want, "{fam:?} {shape:?} early {early}");
                r.drop_link();
                r.drain();
                let drops = 1 + u32::from(shape == Refusal::ResultAndClose);
                assert_eq!(r.m.restores, drops, "{fam:?} {shape:?}: a/b restored");
            }
        }
    }
}

/// A result kept back past `ack_ms` fails its subscribe (`TIMEOUT`); when it comes after all,
/// it confirms no other request: Quectel's name theirs; a SIMCom one before the next
/// subscribe's filter is out cannot be its own; a Luat one with none awaited is nobody's.
/// (Where nothing tells them apart, a Luat or SIMCom result late while the next subscribe
/// waits, it is taken for the next one's: their results carry no id, README, Known limits.)
#[test]
fn a_late_result_of_a_given_up_subscribe_confirms_no_other() {
    for &fam in fams() {
        let (mut r, _) = online_with(fam, &[b"a/b"]);
        r.s.hold = true;
        let x = r.subscribe(b"x", 1).unwrap();
        r.run_until(|r| r.s.late.is_some());
        let late = r.s.late.clone().unwrap().bytes;
        r.run_until(|r| r.m.reqs[&x].fin.is_some());
        assert_eq!(
            r.m.reqs[&x].fin,
            Some(Fin::Failed(Status::Timeout)),
            "{fam:?}"
        );
        let y = r.subscribe(b"c/#", 2).unwrap();
        match fam {
            Fam::Quectel => r.run_until(|r| r.s.late.is_some()), // Y's OK given, its result kept
            Fam::Simcom => assert!(!r.h.uart.written.is_empty(), "Y's first part is out"),
            Fam::Luat => r.run_until(|r| r.s.late.is_some() && r.h.uart.written.is_empty()),
        }
        if fam == Fam::Luat {
            r.release_late(); // Y done: now none waits
        }
        let unexpected = r.h.engine.stats().unexpected_acks;
        r.note(format!("< late {}", text(&late)));
        r.h.rx(&late); // the model fails a SUBSCRIBED without its module's acknowledgement
        r.absorb();
        assert_eq!(
            r.h.engine.stats().unexpected_acks,
            unexpected + 1,
            "{fam:?}"
        );
        r.drain();
        assert_eq!(r.m.reqs[&y].fin, Some(Fin::Subscribed), "{fam:?}");
    }
}

/// A subscribe or unsubscribe of a filter whose request has had no notice yet: one whose
/// command has not gone out is taken over (the same id, one notice for both calls), one out
/// ends by its own result or with `LINK_LOST` when the link goes first (README: "A
/// `SUBSCRIBED` event with `*out_id` follows once the broker confirms", "an `UNSUBSCRIBED`
/// event with `*out_id` follows"). It had no notice at all, in about 30 % of random requests.
#[test]
fn every_request_gets_one_notice_when_a_later_call_replaces_it() {
    for &fam in fams() {
        // Not sent yet, offline: asked twice; subscribed then unsubscribed.
        let mut r = Run::new(fam, 3, 256);
        r.subscribe(b"a/b", 1).unwrap();
        r.subscribe(b"a/b", 2).unwrap();
        r.subscribe(b"c/#", 0).unwrap();
        r.unsubscribe(b"c/#").unwrap();
        r.drain();
        // Not sent yet, online, behind a subscribe whose result is kept back: unsubscribed
        // twice; asked twice.
        r.s.hold = true;
        r.subscribe(b"x", 0).unwrap();
        r.run_until(|r| r.s.late.is_some());
        r.unsubscribe(b"a/b").unwrap();
        r.unsubscribe(b"a/b").unwrap();
        r.subscribe(b"c/#", 1).unwrap();
        r.subscribe(b"c/#", 2).unwrap();
        r.drain();
        // In flight, asked again (another QoS; an unsubscribe), then the link goes.
        for again in [Some(2), None] {
            r.s.hold = true;
            r.subscribe(b"x", 0).unwrap();
            r.run_until(|r| r.s.late.is_some());
            match again {
                Some(qos) => _ = r.subscribe(b"x", qos).unwrap(),
                None => _ = r.unsubscribe(b"x").unwrap(),
            }
            r.drop_link();
            r.drain();
        }
    }
}

/// A restore whose filter is asked again (another QoS) while its `SUBACK` is awaited: the
/// `SUBACK` is the restore's, reported `restored` (README: `flag` = restored after a
/// re-connect), not a second first confirmation of a request confirmed long ago.
#[test]
fn a_restore_asked_again_in_flight_is_reported_restored() {
    for &fam in fams() {
        let (mut r, ids) = online_with(fam, &[b"a/b", b"c/#"]);
        r.s.hold = true;
        r.drop_link();
        r.run_until(|r| r.s.late.is_some());
        r.subscribe(b"a/b", 2).unwrap();
        r.release_late(); // the model fails `Subscribed { restored: false }` for ids[0]
        r.drain();
        assert_eq!(r.m.reqs[&ids[0]].confirmed_conn, Some(r.s.conn), "{fam:?}");
    }
}

/// An unsubscribe asked while the link is down, of a filter confirmed on the connection that
/// went: the new connection (clean session) never had it, so it needs no command (the
/// `UNSUBSCRIBED` event: "or the filter was never sent").
#[test]
fn an_unsubscribe_needs_no_command_on_a_connection_that_never_had_the_filter() {
    for &fam in fams() {
        let (mut r, _) = online_with(fam, &[b"a/b"]);
        r.drop_link();
        let u = r.unsubscribe(b"a/b").unwrap();
        r.drain(); // the module fails an `AT+MUNSUB` of a filter it does not hold
        assert_eq!(
            r.m.reqs[&u].fin,
            Some(Fin::Unsubscribed(Status::Ok)),
            "{fam:?}"
        );
    }
}

/// SIMCom: a subscribe refused by its own result, the result before its `OK`, and the link
/// closed right after (with `+CMQTTCONNLOST`, or found closed when the engine asks): README,
/// "Failure classes": it "ends with `SUBSCRIBE_FAILED` even when the connection drops right
/// after ... sent again after every re-connect it would be refused, and the link dropped, for
/// ever". The same for the result after its `OK` when the link is found closed.
#[test]
fn a_simcom_refusal_before_its_ok_is_not_sent_again() {
    for (early, quiet) in [(true, false), (true, true), (false, true)] {
        let (mut r, _) = online_with(Fam::Simcom, &[b"a/b"]);
        (r.s.early, r.s.quiet) = (early, quiet);
        r.s.refuse = Some(Refusal::ResultAndClose);
        let id = r.subscribe(b"c/#", 1).unwrap();
        r.run_until(|r| !r.s.up);
        r.drain(); // the model fails the refusal left unreported (c/# is sent again)
        let want = Some(Fin::Failed(Status::LinkLost));
        assert_eq!(r.m.reqs[&id].fin, want, "early {early}, quiet {quiet}");
    }
}

/// An unsubscribe the module refused (`ERROR`, the link up) while it holds the filter: the
/// `UNSUBSCRIBED` event says so (`MODULE_ERROR`; the header: `OK` only when confirmed or never
/// sent), the filter leaves the table and is not restored, and the module keeps it until the
/// session goes. One whose `UNSUBACK` is lost past `ack_ms` is reported with `TIMEOUT`.
#[test]
fn an_unsubscribe_the_module_refused_is_reported_with_its_reason() {
    for &fam in fams() {
        let (mut r, _) = online_with(fam, &[b"a/b", b"c/#"]);
        r.s.refuse_unsub = true;
        let u = r.unsubscribe(b"a/b").unwrap();
        r.run_until(|r| r.m.reqs[&u].fin.is_some());
        let want = Some(Fin::Unsubscribed(Status::ModuleError));
        assert_eq!(r.m.reqs[&u].fin, want, "{fam:?}");
        r.s.refuse_unsub = false;
        r.s.hold = true;
        let v = r.unsubscribe(b"c/#").unwrap();
        r.run_until(|r| r.m.reqs[&v].fin.is_some());
        let want = Some(Fin::Unsubscribed(Status::Timeout));
        assert_eq!(r.m.reqs[&v].fin, want, "{fam:?}");
        r.drain(); // the model checks the module kept a/b, out of the table
        assert!(r.s.strays.contains(&b"a/b"[..]), "{fam:?}");
        r.drop_link();
        r.drain(); // neither is restored
        assert!(r.s.subs.is_empty(), "{fam:?}: {:?}", r.s.subs);
    }
}
