//! Field audit of the pin programs and the recovery ladder (src/engine/recovery.rs) against the
//! vendor documents, every profile: each line change is a `Notice::Pin` at its tick of the fake
//! clock, and a board model turns the changes into what the module does (`hw`): Air724UG PWRKEY
//! ≥1.2 s [P4] / ≥1.5 s [S13] (1.5 s here), RESET_IN_N ≥150 ms reboots [P1], start-up "about
//! 20 s" [G1]; Air780E PWRKEY >1 s [S10] / 1.5 s [S13], RESET_N >500 ms shuts it down and PWRKEY
//! must follow [S10] (G5's "≥100 ms, reset" conflicts), `RDY` ~1.5 s (luat-at.md §2, §3, §9);
//! Air780EP RESET_N reboots [P7], no width documented. quectel-simcom-at.md §9: EG915U PWRKEY
//! at least 2 s [H4] (taken for the EC200U profile); A7670 PWRKEY typically 50 ms, RESET at
//! least 2 s, which reboots [H1]; boot times from §2 (`CFUN=1,1` → `RDY` ~6 s [Q03],
//! `*ATREADY` → `SMS DONE` 3.6 s [S15]); RESET reboots. A PWRKEY pulse toggles power (README
//! "STATUS line", luat-at.md §3 [G1]; the switch-off widths are beyond every pulse here).
mod board;
#[path = "../common/mod.rs"]
mod common;

use board::*;
use cellmqtt::config::Timeouts;
use cellmqtt::time::{reached, MAX_DELAY_MS};
use cellmqtt::{Config, LogKind, Notice, Pin, Pins, Profile, RecoveryStep, State, Status};
use common::family::Fam;
use Pin::{Power, Pwrkey, Reset};
use RecoveryStep::{GaveUp, PowerCycle, PowerOn, Reconnect, ResetPin, SoftReset};

#[derive(Clone, Copy, PartialEq, Debug)]
enum Prog {
    PowerOn,
    Reset,
    PowerCycle,
}

/// What README and the profile make of a program on the lines wired: each change, in ms after
/// the program's first, and when the first `AT` goes after it. Unwired lines take no time.
fn expected(p: Profile, pins: Pins, t: &Timeouts, prog: Prog) -> (Seq, u32) {
    let mut ops = match prog {
        Prog::PowerOn => vec![(Power, true, 500)],
        // Held at least the family's documented reset width (quectel-simcom-at.md §9).
        Prog::Reset => vec![
            (Reset, true, t.reset_pulse_ms.max(p.reset_pulse_min_ms())),
            (Reset, false, 100),
        ],
        Prog::PowerCycle => vec![(Power, false, t.power_off_ms), (Power, true, 500)],
    };
    // RESET_N shuts an Air780E down: PWRKEY follows (luat-at.md §3 [S10]).
    if prog != Prog::Reset || p.reset_is_shutdown() {
        ops.extend([(Pwrkey, true, t.pwrkey_ms), (Pwrkey, false, 100)]);
    }
    let bit = |pin| [Pins::RESET, Pins::POWER, Pins::PWRKEY][pin as usize];
    let (mut at, mut seq) = (0u32, vec![]);
    for (pin, active, hold) in ops.into_iter().filter(|o| pins.contains(bit(o.0))) {
        seq.push((at, pin, active));
        at = at.wrapping_add(hold.min(MAX_DELAY_MS));
    }
    (seq, at)
}

/// The programs the ladder's `steps` run, concatenated.
fn programs_of(p: Profile, pins: Pins, steps: &[RecoveryStep]) -> Vec<(Pin, bool)> {
    let prog = |s: &RecoveryStep| match s {
        ResetPin => Some(Prog::Reset),
        PowerCycle => Some(Prog::PowerCycle),
        PowerOn => Some(Prog::PowerOn),
        _ => None,
    };
    let each = steps.iter().filter_map(prog);
    each.flat_map(|g| expected(p, pins, &T, g).0.into_iter().map(|e| (e.1, e.2)))
        .collect()
}

/// The documents' bounds on the changes `seq`: each PWRKEY and RESET pulse at least the
/// profile's documented width, an Air780E RESET followed by a PWRKEY pulse where it is wired,
/// every line released at the end, and `boot_ms` covering the documented boot time.
#[track_caller]
fn check_documented(p: Profile, pins: Pins, t: &Timeouts, seq: &[(u32, Pin, bool)]) {
    let h = hw(p);
    for (i, &(at, pin, active)) in seq.iter().enumerate() {
        let Some(&(end, ..)) = seq[i + 1..].iter().find(|e| e.1 == pin) else {
            assert_eq!(active, pin == Power, "{p:?} {pin:?} held: {seq:?}");
            continue;
        };
        let width = end.wrapping_sub(at);
        match (pin, active) {
            (Pwrkey, true) => assert!(width >= h.key_on, "{p:?} PWRKEY {width} ms"),
            (Reset, true) => assert!(width >= h.reset_min, "{p:?} RESET {width} ms"),
            (Reset, false) if h.reset_shuts && pins.contains(Pins::PWRKEY) => {
                let next = seq.get(i + 1).map(|e| (e.1, e.2));
                assert_eq!(next, Some((Pwrkey, true)), "{seq:?}");
            }
            _ => {}
        }
    }
    assert!(t.boot_ms >= h.boot, "{p:?}: boot_ms below the boot");
}

/// `resets_before_power_cycle` and `power_cycle_limit`.
fn ladder(c: &mut Config, resets: u8, limit: u16) {
    (
        c.ladder.resets_before_power_cycle,
        c.ladder.power_cycle_limit,
    ) = (resets, limit);
}

/// The default timeouts with these RESET, PWRKEY and supply-off widths.
fn widths(reset: u32, key: u32, off: u32) -> Timeouts {
    let mut t = T;
    (t.reset_pulse_ms, t.pwrkey_ms, t.power_off_ms) = (reset, key, off);
    t
}

/// An online board whose module then hangs (`forever`: through resets and power loss too).
fn hung(p: Profile, pins: Pins, forever: bool, tweak: impl FnOnce(&mut Config)) -> Board {
    let mut b = Board::new(p, pins, Init::On, tweak);
    b.start();
    b.run_online(60_000);
    (b.m.deaf, b.m.forever) = (true, forever);
    b
}

/// Every program of every profile with the default timeouts and at the documents' smallest
/// widths (1 ms where they are silent): the exact line changes on the fake clock, the
/// documents' bounds, and the module online after each (switched on at start, `silence_ms`
/// after it; reset when it hangs; power cycled when it hangs with `resets_before_power_cycle`
/// 0), never switched off by a pulse.
#[test]
fn each_program_holds_its_documented_widths() {
    for &p in profiles() {
        let h = hw(p);
        let least = widths(h.reset_min.max(1), h.key_on.max(1), 1);
        for t in [T, least].into_iter().take(if cfg!(miri) { 1 } else { 2 }) {
            let why = format!("{p:?} {t:?}");
            let mut b = Board::new(p, ALL, Init::Off, |c| c.timeouts = t);
            b.start();
            b.run_online(300_000);
            let e = expected(p, ALL, &t, Prog::PowerOn);
            assert_eq!((b.last_program(3), b.m.log.len()), (e, 3), "{why}");
            assert_eq!(b.m.log[0].0, 1_000 + t.silence_ms, "{why}");
            check_documented(p, ALL, &t, &b.m.log);
            for (prog, resets) in [(Prog::Reset, 2), (Prog::PowerCycle, 0)] {
                let mut b = hung(p, ALL, false, |c| {
                    (c.timeouts, c.ladder.resets_before_power_cycle) = (t, resets);
                });
                let from = b.m.ev.len();
                b.run_pins(1);
                b.run_online(900_000);
                let e = expected(p, ALL, &t, prog);
                let n = e.0.len();
                assert_eq!((b.last_program(n), b.m.log.len()), (e, n), "{why} {prog:?}");
                check_documented(p, ALL, &t, &b.m.log);
                let step = [ResetPin, PowerCycle][usize::from(prog == Prog::PowerCycle)];
                assert_eq!(b.steps_since(from), [step], "{why}");
                assert_eq!(b.m.switched_off, 0, "{why}");
            }
        }
    }
}

/// The configured widths at their extremes (1 ms, and `u32::MAX`, which a deadline clamps
/// to 2^31 - 1 ms): each line change exactly when the configuration says, none early by a
/// wrapped tick, every program in the ladder's order on a module that never answers.
#[test]
fn configured_extremes_are_held_to_the_millisecond() {
    for &p in profiles() {
        for x in [u32::MAX, 1]
            .into_iter()
            .take(if cfg!(miri) { 1 } else { 2 })
        {
            let t = widths(x, x, x);
            let mut b = Board::new(p, ALL, Init::Off, |c| {
                (c.timeouts, c.ladder.resets_before_power_cycle) = (t, 1);
            });
            b.m.forever = true;
            b.start();
            for prog in [Prog::PowerOn, Prog::Reset, Prog::PowerCycle, Prog::Reset] {
                let e = expected(p, ALL, &t, prog);
                b.run_pins(e.0.len());
                b.run(200, |_| false);
                assert_eq!(b.last_program(e.0.len()), e, "{p:?} {x} {prog:?}");
            }
            assert_eq!(b.steps_since(0), [PowerOn, ResetPin, PowerCycle, ResetPin]);
        }
    }
}

/// README "Failure classes": a module-side failure (the attach never comes, `NOT_ATTACHED`)
/// takes `reconnects_before_reset` re-connects, then `resets_before_power_cycle` RESET pulses,
/// then a power cycle, round after round, each after the doubling back-off (to 60 s), until
/// `power_cycle_limit`: `GAVE_UP`, `FAILED`. Then nothing (no line, no byte, no wake-up, a
/// boot line ignored) until `start`, which finds the module on and pulses nothing.
#[test]
fn the_ladder_climbs_in_the_readme_order_and_gives_up_at_the_limit() {
    for &p in profiles() {
        let mut b = Board::new(p, ALL, Init::On, |c| {
            (c.timeouts.attach_ms, c.ladder.power_cycle_limit) = (2_000, 1);
        });
        b.m.no_attach = true;
        b.start();
        b.run_to(State::Failed);
        let r = Reconnect;
        let (x, c) = (ResetPin, PowerCycle);
        let steps = [r, r, r, x, x, c, r, r, r, x, x, GaveUp];
        let got = b.recoveries(0);
        let kinds: Vec<_> = got.iter().map(|g| (g.1, g.2, g.3)).collect();
        let want = steps
            .iter()
            .zip(1..)
            .map(|(s, f)| (*s, Status::NotAttached, f));
        assert_eq!(kinds, want.collect::<Vec<_>>(), "{p:?}");
        assert_eq!(b.lines(0), programs_of(p, ALL, &steps), "{p:?}");
        for &(at, step, _, failures) in &got {
            if let ResetPin | PowerCycle = step {
                let start = b.m.log.iter().find(|e| reached(e.0, at)).unwrap().0;
                let backoff = (1_000u32 << (failures - 1)).min(60_000);
                assert_eq!(start - at, backoff, "{p:?} failure {failures}");
            }
        }
        let s = b.h.engine.stats();
        let counts = (s.reconnects, s.reset_pulses, s.power_cycles, s.soft_resets);
        assert_eq!(counts, (6, 4, 1, 0), "{p:?}");
        let (lines, writes) = (b.m.log.len(), b.m.tx.len());
        let delay = b.h.engine.poll_delay_ms(b.h.now, &b.h.ring);
        assert_eq!(delay, u32::MAX, "{p:?}");
        b.call(|h| h.rx(b"\r\nRDY\r\n"));
        b.run(3_600_000, |_| false);
        let after = (b.m.log.len(), b.m.tx.len(), b.h.engine.state());
        assert_eq!(after, (lines, writes, State::Failed), "{p:?}");
        let from = b.m.ev.len();
        b.start();
        assert!(b.run(30_000, |b| !b.steps_since(from).is_empty()));
        assert_eq!(
            (b.m.log.len(), b.steps_since(from)),
            (lines, vec![r]),
            "{p:?}"
        );
    }
}

/// A module that never comes back: after each program the engine probes with `AT` for the
/// whole `boot_ms` (90 s, above every documented boot time) from 100 ms after the last
/// release, then takes the next step (`NO_RESPONSE`: straight to RESET, README), and gives up
/// at `power_cycle_limit`.
#[test]
fn a_module_that_never_comes_back_is_probed_for_boot_ms_after_each_program() {
    for &p in profiles() {
        let mut b = Board::new(p, ALL, Init::Off, |c| ladder(c, 1, 1));
        b.m.forever = true;
        b.start();
        b.run_to(State::Failed);
        let got = b.recoveries(0);
        let steps = [PowerOn, ResetPin, PowerCycle, ResetPin, GaveUp];
        let kinds: Vec<_> = got.iter().map(|g| (g.1, g.2)).collect();
        assert_eq!(kinds, steps.map(|s| (s, Status::NoResponse)), "{p:?}");
        assert_eq!(b.lines(0), programs_of(p, ALL, &steps), "{p:?}");
        let log = &b.m.log;
        let ends =
            (0..log.len()).filter(|&i| log.get(i + 1).is_none_or(|n| n.0 > log[i].0 + 90_000));
        for (i, next) in ends.zip(&got[1..]) {
            let probe = b.first_at_after(i);
            let waits = (probe - log[i].0, next.0 - probe);
            assert_eq!(waits, (100, T.boot_ms), "{p:?} {next:?}");
        }
        assert_eq!(b.m.switched_off, 0, "{p:?}");
    }
}

/// Only some lines wired (README "Recovery runs by itself": "a RESET pulse (or `AT+RESET`
/// when RESET is not wired), then by a power cycle if POWER is wired"): on a module hung for
/// good, each step uses the lines that exist (Air780E's RESET without PWRKEY: the pulse alone,
/// luat-at.md §3 "unless tied to GND"), the family's soft reset otherwise (`AT+RESET`,
/// `AT+CFUN=1,1`), the power step falls back to a reset without a supply switch, and the
/// counters say what was done. (PWRKEY without POWER: the bug test at the end.)
#[test]
fn partial_wiring_uses_the_lines_that_exist() {
    let (r, w) = (Pins::RESET, Pins::POWER);
    for &p in profiles() {
        let wirings = [r, w, Pins::empty(), r | w, w | Pins::PWRKEY];
        for pins in wirings.into_iter().step_by(if cfg!(miri) { 2 } else { 1 }) {
            let mut b = hung(p, pins, true, |c| ladder(c, 1, 1));
            let from = b.m.ev.len();
            b.run_to(State::Failed);
            let reset = [SoftReset, ResetPin][usize::from(pins.contains(r))];
            let power = if pins.contains(w) { PowerCycle } else { reset };
            let steps = b.steps_since(from);
            assert_eq!(steps, [reset, power, reset, GaveUp], "{p:?} {pins:?}");
            assert_eq!(b.lines(0), programs_of(p, pins, &steps), "{p:?} {pins:?}");
            let soft: &[u8] = [&b"AT+RESET\r"[..], b"AT+CFUN=1,1\r"][(b.fam != Fam::Luat) as usize];
            let sent = b.m.tx.iter().filter(|w| w.1.ends_with(soft)).count() as u32;
            let n = |s| steps.iter().filter(|x| **x == s).count() as u32;
            let s = b.h.engine.stats();
            let counts = (sent, s.reset_pulses, s.soft_resets, s.power_cycles);
            let want = (n(SoftReset), n(ResetPin), n(SoftReset), n(PowerCycle));
            assert_eq!(counts, want, "{p:?} {pins:?}");
        }
    }
}

/// A board running `prog` (the module off at start, or hung when online), at its first change.
fn running(p: Profile, prog: Prog) -> Board {
    let mut b = match prog {
        Prog::PowerOn => Board::new(p, ALL, Init::Off, |_| {}),
        Prog::Reset => hung(p, ALL, false, |_| {}),
        Prog::PowerCycle => hung(p, ALL, false, |c| c.ladder.resets_before_power_cycle = 0),
    };
    if prog == Prog::PowerOn {
        b.start();
    }
    b.run_pins(1);
    b
}

/// A stop after each line change of each program, at once and just before the next change
/// (README: `stop` releases "any pin held"): every wired line goes to its released level at
/// once (RESET and PWRKEY released, the supply on), nothing moves or is written for ten
/// minutes, and a new start switches the module on once if the cut program left it off, and
/// not at all if it is on and answering.
#[test]
fn a_stop_in_the_middle_of_a_program_releases_every_line() {
    let mut restarts = [0, 0];
    for &p in profiles() {
        for prog in [Prog::PowerOn, Prog::Reset, Prog::PowerCycle] {
            let n = expected(p, ALL, &T, prog).0.len();
            let cases = (1..n).flat_map(|k| [(k, false), (k, true)]);
            // Under Miri the last change only, cut at once and late.
            for (k, late) in cases.skip(if cfg!(miri) { 2 * n - 4 } else { 0 }) {
                let why = format!("{p:?} {prog:?} after change {k}, late {late}");
                let mut b = running(p, prog);
                b.run_pins(k - 1);
                if late {
                    let next = b.h.engine.poll_delay_ms(b.h.now, &b.h.ring);
                    b.run(next - 1, |_| false);
                }
                let made = b.m.log.len();
                b.stop();
                assert_eq!(b.lines(made), RELEASED, "{why}");
                assert_eq!(b.h.engine.state(), State::Stopped, "{why}");
                let (lines, writes) = (b.m.log.len(), b.m.tx.len());
                b.run(600_000, |_| false);
                assert_eq!((b.m.log.len(), b.m.tx.len()), (lines, writes), "{why}");
                if b.m.deaf {
                    continue; // still hung: a start would pulse it blindly (README STATUS)
                }
                let was_on = b.m.on;
                restarts[usize::from(was_on)] += 1;
                b.start();
                b.run_online(300_000);
                let want = match was_on {
                    true => vec![],
                    false => expected(p, ALL, &T, Prog::PowerOn).0,
                };
                assert_eq!(b.m.log.len() - lines, want.len(), "{why}: {:?}", b.m.log);
                if !want.is_empty() {
                    assert_eq!(b.last_program(want.len()).0, want, "{why}");
                }
            }
        }
    }
    assert!(restarts[0] > 0 && restarts[1] > 0, "{restarts:?}");
}

/// README "STATUS line", read while a program runs: a module that reports power gets no PWRKEY
/// pulse (at start, silent: it is given its boot time, nothing is switched or announced
/// `POWER_ON`); a power cycle whose switch
/// did not switch is logged once (`status_mismatch`, when the supply comes back on) and
/// pulses nothing; an Air780E reset gets its PWRKEY pulse when RESET_N shut it down [S10] and
/// none when it rebooted (G5's conflicting form: the engine must take both), online after one
/// program either way.
#[test]
fn the_status_line_is_honoured() {
    let st = ALL | Pins::STATUS;
    for &p in profiles() {
        let mut b = Board::new(p, st, Init::On, |_| {});
        (b.m.deaf, b.m.forever) = (true, true);
        b.start();
        b.run(60_000, |_| false);
        assert_eq!(b.m.log, [], "{p:?}");
        assert!(!b.steps_since(0).contains(&PowerOn), "{p:?}");
        let mut b = hung(p, st, true, |c| c.ladder.resets_before_power_cycle = 0);
        b.m.stuck_switch = true;
        let from = b.m.ev.len();
        b.run_pins(2);
        b.run(10_000, |_| false);
        let power = [(0, Power, false), (T.power_off_ms, Power, true)];
        assert_eq!((b.last_program(2).0, b.m.log.len()), (power.into(), 2));
        let mismatch = Notice::Log {
            kind: LogKind::StatusMismatch,
            what: cellmqtt::Subject::StatusPin,
            code: 1,
            reason: Status::Ok,
        };
        let logged: Vec<u32> = b.m.ev[from..]
            .iter()
            .filter(|e| e.1 == mismatch)
            .map(|e| e.0)
            .collect();
        assert_eq!(logged, [b.m.log[1].0], "{p:?}");
        assert_eq!(b.m.switched_off, 0, "{p:?}");
    }
    for shuts in [true, false] {
        let mut b = hung(Profile::Air780e, st - Pins::POWER, false, |_| {});
        b.hw.reset_shuts = shuts;
        let from = b.m.ev.len();
        b.run_pins(1);
        b.run_online(300_000);
        let mut want = vec![(Reset, true), (Reset, false)];
        if shuts {
            want.extend([(Pwrkey, true), (Pwrkey, false)]);
        }
        assert_eq!(b.lines(0), want, "RESET_N shuts down: {shuts}");
        assert_eq!((b.steps_since(from), b.m.switched_off), (vec![ResetPin], 0));
    }
}

/// Boot lines (`RDY`; Quectel with `+CPIN: READY`, `+QIND`; SIMCom `*ATREADY: 1`, `SMS DONE`)
/// after any line change of a program: the program runs on unchanged to its end (README
/// "Failure classes": a reboot takes no rung), no reboot is counted, no other step taken, and
/// the session comes back online.
#[test]
fn boot_lines_in_the_middle_of_a_program_change_nothing() {
    for &p in profiles() {
        for prog in [Prog::Reset, Prog::PowerCycle] {
            let e = expected(p, ALL, &T, prog).0;
            for k in (1..e.len()).skip(if cfg!(miri) { e.len() - 2 } else { 0 }) {
                let why = format!("{p:?} {prog:?} boot lines after change {k}");
                let mut b = running(p, prog);
                b.run_pins(k - 1);
                let boot = BANNERS[b.fam as usize];
                b.call(|h| h.rx(boot));
                b.run_online(300_000);
                assert_eq!(
                    (b.last_program(e.len()).0, b.m.log.len()),
                    (e.clone(), e.len())
                );
                let step = [ResetPin, PowerCycle][usize::from(prog == Prog::PowerCycle)];
                assert_eq!(b.steps_since(0), [step], "{why}");
                assert_eq!(b.h.engine.stats().module_reboots, 0, "{why}");
            }
        }
    }
}

/// The start of a session: a module on and answering is never pulsed, whatever is wired;
/// one still booting is waited for where nothing can switch it (no lines) and held back by
/// STATUS; one that is off is switched on exactly once, `silence_ms` after the start.
#[test]
fn the_session_start_pulses_only_a_module_that_is_off() {
    let (k, st) = (Pins::PWRKEY, Pins::STATUS);
    for &p in profiles() {
        let cases = [
            (ALL, Init::On),
            (ALL | st, Init::On),
            (k, Init::On),
            (Pins::empty(), Init::Booting(0)),
            (k | st, Init::Booting(0)),
            (k, Init::Off),
            (Pins::POWER | k | st, Init::Off),
            (Pins::RESET | k, Init::Off),
        ];
        for (pins, init) in cases.into_iter().step_by(if cfg!(miri) { 2 } else { 1 }) {
            let why = format!("{p:?} {pins:?} {init:?}");
            let mut b = Board::new(p, pins, init, |_| {});
            b.start();
            b.run_online(300_000);
            let want = match init {
                Init::Off => expected(p, pins, &T, Prog::PowerOn).0,
                _ => vec![],
            };
            assert_eq!(b.m.log.len(), want.len(), "{why}: {:?}", b.m.log);
            if init == Init::Off {
                assert_eq!(b.last_program(want.len()).0, want, "{why}");
                assert_eq!(b.m.log[0].0, 1_000 + T.silence_ms, "{why}");
            }
            // `POWER_ON` only where a pulse goes: an Air724UG still booting at `silence_ms`
            // ("about 20 s" [G1]) with STATUS wired is given its boot time, not announced.
            let powered = usize::from(init == Init::Off);
            assert_eq!(b.steps_since(0), [PowerOn][..powered], "{why}");
            assert_eq!(b.m.switched_off, 0, "{why}");
        }
    }
}

/// The module switches off mid-session (brown-out, under-voltage or thermal shutdown; a
/// queued `AT+CPOWD=1`, `AT+QPOWD=1`, `AT+CPOF` with `ALLOW_RESET_COMMANDS`, after which README
/// "Sharing the module" says "the session recovers as from any reboot"; a blind pulse at
/// start into a module still booting) on a board with PWRKEY and no supply switch: off, it
/// answers no `AT`, the case in which luat-at.md §3 and §10.3 pulse PWRKEY ("PWRKEY is pulsed
/// only when the module is off: STATUS low where wired, else no answer to `AT`"). It must be
/// switched on again by one pulse and come back online.
#[test]
fn a_module_that_went_off_is_switched_on_again_without_a_supply_switch() {
    let (r, k, st) = (Pins::RESET, Pins::PWRKEY, Pins::STATUS);
    for &p in profiles() {
        for (pins, by_command) in [
            (r | k, false),
            (k, false),
            (r | k | st, false),
            (k | st, false),
            (r | k, true),
        ] {
            let mut b = hung(p, pins, false, |c| {
                c.options |= cellmqtt::Options::ALLOW_RESET_COMMANDS
            });
            let off: &[u8] = [&b"AT+CPOWD=1"[..], b"AT+QPOWD=1", b"AT+CPOF"][b.fam as usize];
            match by_command {
                true => b.h.engine.at_command(off, 5_000).map(drop).unwrap(),
                false => b.power_off(),
            }
            b.m.deaf = false;
            let (from, lines) = (b.m.ev.len(), b.m.log.len());
            assert!(b.run(600_000, |b| !b.m.on && b.h.engine.state() != State::Online));
            b.run_online(1_800_000);
            let pulses = b.lines(lines).into_iter().filter(|l| l.0 == Pwrkey && l.1);
            let why = format!("{p:?} {pins:?} {:?}", b.steps_since(from));
            assert_eq!((pulses.count(), b.m.switched_off), (1, 0), "{why}");
        }
    }
    // Switched on 2 s before the MCU started the session, an Air724UG boots for about 20 s
    // [G1]: the blind pulse at `silence_ms` switches it off; the ladder must switch it on.
    let mut b = Board::new(Profile::Air724ug, k, Init::Booting(2_000), |_| {});
    b.start();
    b.run_online(1_800_000);
    assert_eq!(b.m.switched_off, 1);
}

/// The power rung on a board with no supply switch whose module hangs while STATUS reports
/// power: a PWRKEY pulse would switch it off (README "STATUS line"), so none goes, and the
/// rung says what it does instead: the RESET pulse where RESET is wired, else the soft reset.
/// It never announces `POWER_ON` with nothing switched.
#[test]
fn the_power_rung_of_a_hung_module_that_reports_power_says_what_it_does() {
    let (r, k, st) = (Pins::RESET, Pins::PWRKEY, Pins::STATUS);
    for &p in profiles() {
        for (pins, step) in [(r | k | st, ResetPin), (k | st, SoftReset)] {
            let why = format!("{p:?} {pins:?}");
            let mut b = hung(p, pins, true, |c| c.ladder.resets_before_power_cycle = 0);
            let (from, lines) = (b.m.ev.len(), b.m.log.len());
            b.run(600_000, |b| !b.steps_since(from).is_empty());
            assert_eq!(b.steps_since(from), [step], "{why}");
            b.run(60_000, |_| false);
            assert_eq!(b.lines(lines), programs_of(p, pins, &[step]), "{why}");
            assert_eq!(b.m.switched_off, 0, "{why}");
        }
    }
}
