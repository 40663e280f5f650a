//! A SIM that stays missing or locked and an attach that never comes (no coverage, a SIM
//! whose contract ended). The vendors' advice is to restart the module (docs/luat-at.md §2.3: no SIM after
//! 10 s, no attach after 2 min), and the ladder does so once, to its top (re-connects, RESET
//! pulses, a power cycle). Still missing after that, it is the SIM's or the network's, not the
//! module's: the session keeps asking after the back-off without touching the module again (a
//! power cycle every few minutes for as long as a truck stands in a garage wears its flash).

use super::modem::*;
use cellmqtt::{Config, Status};

const TWO_HOURS: u32 = 7_200_000;

/// A family's name, configuration and healthy module.
type Family = (&'static str, Config<'static>, fn(&[u8]) -> Vec<u8>);

fn families() -> [Family; 3] {
    [
        ("luat", luat_cfg(), luat_ok),
        ("quectel", quectel_cfg(), quectel_ok),
        ("simcom", simcom_cfg(), simcom_ok),
    ]
}

/// On each of `families`, `ask` answered with `reply` for two hours, every other command the
/// healthy way: the ladder once to its top for `reason`, then re-connects only. Also with the
/// broker's last-resort reset configured (`broker_reset_after_s`): that is for the broker's
/// four classes, and none of these is counted as the broker's.
fn climbs_once(families: &[Family], ask: &[u8], reply: &[u8], reason: Status) {
    for &(fam, cfg, ok) in families {
        for &broker_reset_after_s in broker_resets() {
            let mut cfg = cfg;
            cfg.ladder.broker_reset_after_s = broker_reset_after_s;
            let what = format!("{fam}, broker_reset_after_s {broker_reset_after_s}");
            let mut m = Modem::new(cfg);
            let mut answer = |cmd: &[u8]| match starts(cmd, ask) {
                true => reply.to_vec(),
                false => ok(cmd),
            };
            m.run(TWO_HOURS, &mut answer);
            m.assert_one_climb_then(reason, reason, &what);
            assert_eq!(m.h.engine.stats().broker_failures, 0, "{what}");
        }
    }
}

/// No SIM (`+CME ERROR: 10`, docs/luat-at.md §8 and §2.3 [S12]) on every ask.
#[test]
fn a_sim_still_missing_after_the_top_rung_leaves_the_module_alone() {
    climbs_once(
        &families(),
        b"AT+CPIN?",
        b"\r\n+CME ERROR: 10\r\n",
        Status::SimAbsent,
    );
}

/// A SIM that wants a PIN (`+CPIN: SIM PIN`): the library enters none, and no reset changes
/// that (the application may, through `cellmqtt_at_command`).
#[test]
fn a_sim_still_locked_after_the_top_rung_leaves_the_module_alone() {
    let locked = b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n";
    climbs_once(&families(), b"AT+CPIN?", locked, Status::SimLocked);
}

/// Never attached (`+CGATT: 0` until the deadline, docs/luat-at.md §2.3: normally within
/// 2 min).
#[test]
fn an_attach_still_missing_after_the_top_rung_leaves_the_module_alone() {
    let detached = b"\r\n+CGATT: 0\r\n\r\nOK\r\n";
    // Each failure polls `AT+CGATT?` for two minutes, the same commands in every family:
    // under Miri (half of this file's time there) one family runs; all three run natively.
    let all = families();
    let some = all.get(..if cfg!(miri) { 1 } else { 3 }).unwrap_or(&all);
    climbs_once(some, b"AT+CGATT?", detached, Status::NotAttached);
}
