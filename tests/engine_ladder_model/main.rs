//! The recovery ladder and the failure classes against a model, on all three families
//! (README "Failure classes", its table and the paragraphs under it, and the recovery
//! paragraph "Recovery runs by itself, by failure class"; `Ladder` and `Timeouts` in
//! src/config.rs).
//!
//! Seeded random runs: a configuration per seed (`reconnects_before_reset` 0-3,
//! `resets_before_power_cycle` 0-2, `power_cycle_limit` 0-2, `refusal_limit` 0-3,
//! `broker_reset_after_s` 0, 1 or 2, any of RESET/POWER/PWRKEY/STATUS wired, short waits),
//! then episodes from online: a module that goes silent (hung until a RESET or power step, or
//! a quiet UART for N failures), a broker that refuses, is unreachable or whose name does not
//! resolve, a set-up command refused, no SIM, a SIM PIN, no attach (each for a few failures or
//! well past the ladder's top rung), a link loss, a module reboot (online, in a back-off, at a
//! command), stop/start at random points. The scripted module has a power model: the supply,
//! a PWRKEY pulse that toggles it, RESET that reboots it, STATUS that reports it.
//!
//! At every `RECOVERY` notice the model (model.rs, from the README alone) names the status,
//! the rung and the failure count; the counters (`reconnects`, `reset_pulses`, `soft_resets`,
//! `power_cycles`, `broker_failures`, `connect_failures`, `links_lost`, `module_reboots`)
//! match; the pins moved and reset commands sent since the last notice are the last rung's
//! (none for re-connects); the rung acts after its back-off (doubling from `backoff_min_ms`
//! per consecutive failure up to `backoff_max_ms`, the broker's within its second half);
//! `GAVE_UP` leaves the session `FAILED` and still; online clears the run.
#[path = "../common/mod.rs"]
mod common;
mod model;
mod run;

use common::family::fams;
use run::*;

/// Episodes per run, and seeds per family.
fn scale() -> (usize, u64) {
    if cfg!(miri) {
        (6, 1)
    } else {
        (60, 12)
    }
}

#[test]
fn random_failure_episodes_match_the_model_on_every_family() {
    let (episodes, seeds) = scale();
    let mut total = Seen::default();
    for &fam in fams() {
        for seed in 1..=seeds {
            let mut r = Run::random(fam, seed * 31 + fam as u64);
            r.run_until_online(600_000);
            for _ in 0..episodes {
                r.episode();
            }
            for (k, v) in r.seen.steps {
                *total.steps.entry(k).or_default() += v;
            }
            for (k, v) in r.seen.reasons {
                *total.reasons.entry(k).or_default() += v;
            }
            total.gave_up += r.seen.gave_up;
            total.stops += r.seen.stops;
            total.reboots += r.seen.reboots;
            total.episodes += r.seen.episodes;
        }
    }
    eprintln!("{total:?}");
    if !cfg!(miri) {
        for step in [
            "Reconnect",
            "ResetPin",
            "SoftReset",
            "PowerCycle",
            "PowerOn",
            "GaveUp",
            "Reinit",
        ] {
            assert!(
                total.steps.get(step).is_some_and(|&n| n > 3),
                "{step}: {total:?}"
            );
        }
    }
}
