//! Sharing the module against a model, on all three families: seeded runs of application
//! commands queued (allowed ones, refused ones, too long, malformed, the queue full), signal
//! and time on demand, answers with the command's own `+NAME:` lines, bare lines and lines of
//! others spliced in, `ERROR` and `+CME ERROR`, answers kept back past the command's timeout
//! (the module busy meanwhile, ignoring what it is sent) or never given, data prompts instead
//! of an answer, kept back too, past the deadline into the `AT` that follows (the ESC that
//! cancels them answered with `OK`, `ERROR` or not), URCs at any point
//! (publish results, `CLOSED` / `+QMTSTAT` / `+CMQTTCONNLOST` inside an answer, `+CMTI`,
//! `^MODE`, `RING`), bursts past the budget, reboots (an allowed reset command among them),
//! link losses, stop and start, with publishes in flight.
//!
//! Checked after every step, from the README ("Sharing the module": "Each information line
//! of its answer goes to `on_at_line(user, id, line, len)`; an `AT_DONE` event with the id
//! ends it: `OK`, `MODULE_ERROR` (`count` = the `+CME ERROR` code), `TIMEOUT` (after
//! `timeout_ms` ...), `STOPPED` or `LINK_LOST`"; "A line belongs to the command when it
//! starts with the command's `+NAME:` ... or is text without a `+` or `^` prefix"; "URCs that arrive in the middle of its answer
//! still go where they belong"; "`QUEUE_FULL` when two wait"; the refused commands listed;
//! "Lines the engine does not consume ... go to `on_urc`: a burst of 8, then 4 per second;
//! more are dropped, counted (`urcs_dropped`) and reported as a `URC_DROPPED` loss";
//! "Failure classes": an application command in flight at a reboot "ends with `LINK_LOST`
//! and is not sent again", and no hardware step for anything here) and the header
//! (`cellmqtt_at_command`, `cellmqtt_request_signal` / `_time`: "a `SIGNAL` event follows,
//! then `AT_DONE`"):
//! - a call's status is the README's: `STRING_TOO_LONG`, `INVALID_ARG`, `COMMAND_REFUSED`
//!   exactly for the listed commands (read and test forms allowed; resets by the option),
//!   `QUEUE_FULL` exactly when two wait; ids are the next free ones;
//! - a refused command is never written, an accepted one at most once, in queue order;
//! - every id gets exactly one `AT_DONE`: `COMMAND_REFUSED` when it opened a prompt, which
//!   ESC alone cancels (nothing else is written into it); with the status and code of the
//!   module's answer when it answered while the engine waited, after every line of it that belongs to it
//!   and its `SIGNAL` / `TIME`; `TIMEOUT` only unanswered and not before `timeout_ms`;
//!   `STOPPED` only at a stop, which ends them all; `LINK_LOST` only for the one in flight
//!   at a reboot;
//! - `on_at_line` gets only those lines, in order; every other line the module printed that
//!   the engine does not act on reaches `on_urc` or a `URC_DROPPED` loss, in order, as a
//!   token bucket of 8 refilled every 250 ms says; no other loss;
//! - publishes in flight meanwhile end exactly once; no recovery but for the module's link
//!   losses and reboots, none of them a hardware step.
#[path = "../common/mod.rs"]
mod common;
mod model;
mod module;
mod run;

use cellmqtt::Status;
use common::family::fams;
use common::script::lines;
use model::*;
use module::*;
use run::*;

/// Seeds per family, half with `ALLOW_RESET_COMMANDS`.
fn seeds() -> impl Iterator<Item = (u64, bool)> {
    let all = [
        (1, false),
        (2, true),
        (3, false),
        (4, true),
        (5, false),
        (6, true),
    ];
    all.into_iter().take(if cfg!(miri) { 1 } else { 6 })
}

#[test]
fn random_runs_match_the_model_on_every_family() {
    for &fam in fams() {
        let mut ends = std::collections::BTreeMap::<String, u32>::new();
        let mut counts = [0; 6];
        for (seed, allow) in seeds() {
            let r = random_run(fam, seed, allow);
            let m = &r.m;
            eprintln!(
                "{fam:?} seed {seed}: {} requests, {} refused, {} full, {} too long, \
                 {} invalid, {} URCs passed, {} dropped, {} prompts after the deadline",
                m.reqs.len(),
                m.refused,
                m.full,
                m.too_long,
                m.invalid,
                m.urcs_passed,
                m.urcs_dropped,
                m.late_prompts
            );
            eprintln!("  {:?}", m.ends);
            for (k, v) in &m.ends {
                *ends.entry(k.clone()).or_default() += v;
            }
            let c = [
                m.refused,
                m.full,
                m.too_long,
                m.invalid,
                m.urcs_dropped,
                m.late_prompts,
            ];
            counts.iter_mut().zip(c).for_each(|(a, b)| *a += b);
        }
        if !cfg!(miri) {
            assert!(counts.iter().all(|&n| n > 0), "{fam:?}: {counts:?}");
            let ends_seen = ["Ok", "ModuleError", "Timeout", "Stopped", "LinkLost"];
            // `CommandRefused` at the end: a prompt cancelled.
            for end in ends_seen.into_iter().chain(["CommandRefused"]) {
                let n = ends.get(&format!("App {end}")).copied().unwrap_or(0);
                assert!(n > 0, "{fam:?}: no App {end} in {ends:?}");
            }
            for kind in ["Signal", "Time"] {
                assert!(
                    ends.contains_key(&format!("{kind} Ok")),
                    "{fam:?}: {ends:?}"
                );
            }
        }
    }
}

/// The README's list, exactly: each refused command in each family (its session commands
/// only in its own), the resets unless the option allows them, their read and test forms
/// always, the harmless neighbours, the bounds; nothing is written for a refusal.
#[test]
#[cfg_attr(miri, ignore)] // hundreds of calls through the refusal tables, no unsafe code: minutes
fn the_refusals_are_exactly_the_readme_list() {
    for &fam in fams() {
        for allow in [false, true] {
            let mut r = Run::new(fam, 1, allow);
            let long = format!("AT+CPBF=\"{}\"", "x".repeat(47));
            let texts = (REFUSED_POOL.iter().chain(EDGE_POOL).chain(INVALID_POOL))
                .map(|t| t.to_string())
                .chain([long.clone(), long[..long.len() - 1].to_string()]);
            for t in texts {
                // Read and test forms of every command are allowed.
                let stem = t.split('=').next().unwrap().to_string();
                for text in [t.clone(), format!("{stem}?"), format!("{stem}=?")] {
                    let want = verdict(fam, text.as_bytes(), allow);
                    let got = r.h.engine.at_command(text.as_bytes(), 1_000);
                    assert_eq!(got.map(|_| ()), want, "{fam:?} allow {allow}: {text}");
                    if let Ok(id) = got {
                        r.h.engine.stop(r.h.now); // ends it, nothing written
                        r.h.poll();
                        let ev = r.h.take_events();
                        assert_eq!(common::at_done_of(&ev, id), [Status::Stopped], "{text}");
                    }
                }
            }
            r.h.poll();
            assert!(
                r.h.uart.written.is_empty(),
                "{fam:?}: written while stopped"
            );
        }
    }
}

/// Every answer shape of every family, lines of others spliced in at every place: the
/// command's lines reach `on_at_line` in order, the others their own ends, the `AT_DONE`
/// carries the final; signal and time make their notice first; two queued go in order.
#[test]
#[cfg_attr(miri, ignore)] // the random run takes these paths under Miri (make test's time)
fn each_answer_line_reaches_its_owner() {
    for &fam in fams() {
        let mut r = online(fam);
        r.s.splice = 100;
        for round in 0..4 {
            let texts = ANSWERS.iter().map(|a| a.0).chain([state_read(fam)]);
            for (i, text) in texts.enumerate() {
                r.at_command(text.as_bytes(), 5_000).unwrap();
                match (i + round) % 3 {
                    0 => _ = r.request(Kind::Signal).unwrap(),
                    1 => _ = r.request(Kind::Time).unwrap(),
                    _ => r.publish(1),
                }
                r.run_until(|r| r.m.reqs.values().all(|q| q.done.is_some()));
            }
        }
        r.drain();
        let got: u32 = r.m.reqs.values().map(|q| q.lines_got).sum();
        assert!(got > 40, "{fam:?}: {got} lines");
    }
}

/// README "URC pass-through": 8 at once, then one every 250 ms; the rest dropped, each a
/// `URC_DROPPED` loss and counted in `urcs_dropped`.
#[test]
#[cfg_attr(miri, ignore)] // the random run takes these paths under Miri (make test's time)
fn urcs_pass_within_the_budget_and_the_rest_is_counted() {
    for &fam in fams() {
        let mut r = online(fam);
        let line = |i: usize| format!("+CMTI: \"SM\",{i}");
        let burst = |r: &mut Run, n: usize| {
            let out: Vec<u8> = (0..n).flat_map(|i| lines(&line(i))).collect();
            let dests = (0..n).map(|i| (line(i).into_bytes(), Dest::Urc)).collect();
            r.feed(&out, dests);
        };
        r.h.advance(10_000);
        r.absorb();
        let (passed, dropped) = (r.m.urcs_passed, r.m.urcs_dropped);
        burst(&mut r, 12);
        assert_eq!(
            (r.m.urcs_passed - passed, r.m.urcs_dropped - dropped),
            (8, 4)
        );
        r.h.advance(1_000);
        r.absorb();
        burst(&mut r, 6);
        assert_eq!(
            (r.m.urcs_passed - passed, r.m.urcs_dropped - dropped),
            (12, 6)
        );
        assert_eq!(r.h.engine.stats().urcs_dropped, r.m.urcs_dropped, "{fam:?}");
    }
}

/// README, Failure classes: the command in flight when the module reboots ends with
/// `LINK_LOST` and is not sent again (the model fails one written twice); the one waiting
/// behind it goes to the fresh module. A stop ends both, in flight or not, with `STOPPED`.
#[test]
#[cfg_attr(miri, ignore)] // the random run takes these paths under Miri (make test's time)
fn a_reboot_ends_the_command_in_flight_and_a_stop_ends_them_all() {
    for &fam in fams() {
        let mut r = online(fam);
        r.s.script.extend([Mode::Lost, Mode::Answer]);
        let a = r.at_command(b"AT+CPMS?", 20_000).unwrap();
        let b = r.at_command(b"ATI", 20_000).unwrap();
        r.exchange();
        r.reboot();
        assert_eq!(r.m.reqs[&a].done, Some((Status::LinkLost, 0)), "{fam:?}");
        r.drain();
        assert_eq!(r.m.reqs[&b].done, Some((Status::Ok, 0)), "{fam:?}");
        r.s.script.extend([Mode::Lost]);
        let c = r.at_command(b"AT+CPMS?", 20_000).unwrap();
        let d = r.request(Kind::Time).unwrap();
        r.exchange();
        r.stop(); // the model fails a request left waiting
        assert_eq!(r.m.reqs[&c].done, Some((Status::Stopped, 0)), "{fam:?}");
        assert_eq!(r.m.reqs[&d].done, Some((Status::Stopped, 0)), "{fam:?}");
        r.drain();
    }
}

/// Online, a command whose answer comes after its timeout: `TIMEOUT`, the module is asked
/// `AT` before the line is trusted again (README), so the late final is taken by that `AT`
/// and the next command gets its own answer; its lines go to `on_urc`.
#[test]
fn online_a_late_answer_after_the_timeout_is_nobody_elses() {
    for &fam in fams() {
        let mut r = online(fam);
        r.s.script.extend([Mode::Late, Mode::Answer]);
        let a = r.at_command(b"AT+CPMS?", 2_000).unwrap();
        let b = r.at_command(b"AT+COPS?", 5_000).unwrap();
        r.run_until(|r| r.m.reqs[&b].done.is_some());
        assert_eq!(r.m.reqs[&a].done, Some((Status::Timeout, 0)), "{fam:?}");
        assert_eq!(r.m.reqs[&b].done, Some((Status::Ok, 0)), "{fam:?}");
        assert_eq!(r.m.reqs[&b].lines_got, 1, "{fam:?}");
        r.drain();
    }
}

/// Was a gap: before the session is online (SIM, attach, set-up, back-off),
/// a command whose answer comes after its timeout is followed at once by the next command,
/// which the busy module ignores; the late answer is then taken as that command's: another
/// request gets its lines and `AT_DONE` (README: "Each information line of its answer goes
/// to `on_at_line` ... with the id"), or a session command its result (a re-connect).
#[test]
fn offline_a_late_answer_after_the_timeout_is_nobody_elses() {
    for &fam in fams() {
        let mut r = Run::new(fam, 3, false);
        r.s.script.extend([Mode::Late, Mode::Answer]);
        r.at_command(b"AT+CPMS?", 2_000).unwrap();
        let b = r.at_command(b"at+cgsn", 5_000).unwrap();
        r.start();
        r.run_until(|r| r.m.reqs[&b].done.is_some()); // the model fails b's stolen answer
        r.drain();
    }
}

/// Was a gap: a line without a `+` or `^` that answers no command in flight
/// (`RING`, `NO CARRIER`, a late answer's bare line) is dropped without a word: not passed
/// to `on_urc`, not counted (README: "Lines the engine does not consume ... go to
/// `on_urc` ... more are dropped, counted (`urcs_dropped`) and reported").
#[test]
fn a_urc_without_a_prefix_reaches_on_urc() {
    for &fam in fams() {
        let mut r = online(fam);
        let out = [lines("RING"), lines("NO CARRIER")].concat();
        let dests = vec![
            (b"RING".to_vec(), Dest::Urc),
            (b"NO CARRIER".to_vec(), Dest::Urc),
        ];
        r.feed(&out, dests); // the model fails the lines that went nowhere
    }
}

/// Was a gap: the bytes a module prints as it resets (`\0\xff` before
/// `RDY`, docs/luat-at.md §2.2) reach `on_at_line` as a line of the command in flight (the
/// header: `on_at_line` gets "an information line of the queued AT command").
#[test]
fn a_reset_glitch_is_no_answer_line() {
    for &fam in fams() {
        let mut r = online(fam);
        r.s.script.extend([Mode::Lost]);
        let a = r.at_command(b"AT+CPMS?", 20_000).unwrap();
        r.exchange();
        r.reboot(); // the model fails the glitch taken as a line of `a`
        assert_eq!(r.m.reqs[&a].done, Some((Status::LinkLost, 0)), "{fam:?}");
    }
}

/// Was a gap: a `^...` URC in the middle of an answer is taken for one of its
/// lines (README: "URCs that arrive in the middle of its answer still go where they belong";
/// `^MODE: ...` is the README's own example of a line for `on_urc`).
#[test]
fn a_caret_urc_inside_an_answer_reaches_on_urc() {
    for &fam in fams() {
        let mut r = online(fam);
        let a = r.at_command(b"AT+CPMS?", 5_000).unwrap();
        r.h.forget_tx();
        r.s.output.streamed += r.h.uart.written.len() as u64;
        r.h.uart.written.clear();
        r.m.reqs.get_mut(&a).unwrap().read = true;
        let cpms = ANSWERS[0].1;
        let out = [lines(cpms), lines("^MODE: 17,17"), lines("OK")].concat();
        r.m.reqs.get_mut(&a).unwrap().owed = Some(Owed {
            status: Status::Ok,
            code: 0,
            notice: None,
        });
        let dests = vec![
            (cpms.as_bytes().to_vec(), Dest::AtLine(a)),
            (b"^MODE: 17,17".to_vec(), Dest::Urc),
        ];
        r.feed(&out, dests); // the model fails the line taken
    }
}

/// Signal and time on demand in every family, with the session's results and foreign URCs
/// inside their answers: the notice, then `AT_DONE` `OK`; a refusal is `MODULE_ERROR`
/// without a notice; a publish in flight completes once.
#[test]
#[cfg_attr(miri, ignore)] // thirty rounds of paths the random run takes under Miri too
fn signal_and_time_on_demand_leave_the_session_alone() {
    for &fam in fams() {
        let mut r = online(fam);
        r.s.splice = 100;
        for _ in 0..30 {
            r.publish(1);
            let kind = [Kind::Signal, Kind::Time][r.rng.below(2)];
            r.request(kind).unwrap();
            r.run_until(|r| r.m.reqs.values().all(|q| q.done.is_some()));
        }
        r.drain();
        let n = |k: &str| r.m.ends.get(k).copied().unwrap_or(0);
        assert!(
            n("Signal Ok") + n("Time Ok") > 20,
            "{fam:?}: {:?}",
            r.m.ends
        );
        let losses = r.h.engine.stats();
        assert_eq!(losses.events_dropped, 0, "{fam:?}");
    }
}

/// An allowed reset (`ALLOW_RESET_COMMANDS`, README: "the session recovers as from any
/// reboot"): `OK` when the module answered before rebooting, `LINK_LOST` when it rebooted
/// first (the header on `cellmqtt_at_command`; the header's `AT_DONE` omits it), not sent
/// again either way; the session re-initialises, no hardware step (the model fails one).
#[test]
#[cfg_attr(miri, ignore)] // the random run takes these paths under Miri (make test's time)
fn an_allowed_reset_ends_once_and_the_session_reinitialises() {
    for &fam in fams() {
        let mut r = online(fam);
        let reboots = r.h.engine.stats().module_reboots;
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..12 {
            let id = r.at_command(reset_command(fam).as_bytes(), 5_000).unwrap();
            r.run_until(|r| r.m.reqs[&id].done.is_some());
            seen.insert(format!("{:?}", r.m.reqs[&id].done.unwrap().0));
            r.drain();
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["LinkLost", "Ok"],
            "{fam:?}"
        );
        assert_eq!(r.h.engine.stats().module_reboots, reboots + 12, "{fam:?}");
    }
}
