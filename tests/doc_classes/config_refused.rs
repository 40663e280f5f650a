//! A set-up command the module refuses for good: a configured value it does not take (a
//! keep-alive outside its range, a will or client id it cannot use, a TLS file it lacks). The
//! first refusals are the module's (README "Failure classes": contradictory answers climb the
//! ladder); refused again after the ladder's top rung, no reset changes the answer, and the
//! session re-connects with back-off as `CONFIG_REFUSED` without touching the module again.

use super::modem::*;
use cellmqtt::{Config, Notice, RecoveryStep, State, Status};

const TWO_HOURS: u32 = 7_200_000;

/// Each family with the set-up command its module refuses: Luat `AT+MCONFIG` (with
/// credentials, so not the anonymous form), Quectel the keep-alive item of `AT+QMTCFG` (the
/// range is UNKNOWN for LTE parts, docs/quectel-simcom-at.md §3.2), SIMCom `AT+CMQTTACCQ`
/// (the client, a part of the connect).
/// A family's name, configuration, healthy module and the command its module refuses.
type Case = (
    &'static str,
    Config<'static>,
    fn(&[u8]) -> Vec<u8>,
    &'static [u8],
);

fn cases() -> [Case; 3] {
    let mut luat = luat_cfg();
    (luat.username, luat.password) = (b"u", b"p");
    let mut quectel = quectel_cfg();
    quectel.keepalive_s = 7_200;
    [
        ("luat", luat, luat_ok, b"AT+MCONFIG"),
        ("quectel", quectel, quectel_ok, b"AT+QMTCFG=\"keepalive\""),
        ("simcom", simcom_cfg(), simcom_ok, b"AT+CMQTTACCQ"),
    ]
}

/// Refused for two hours: the ladder once to its top (3 re-connects, 2 RESET pulses, a power
/// cycle, all `MODULE_ERROR`), then only re-connects as `CONFIG_REFUSED`, no pin, no reset;
/// the session never gives up by default.
/// The same with the broker's last-resort reset configured: the module was restarted for the
/// refusal already, so none (`broker_failures` counts each `CONFIG_REFUSED`, Stats).
#[test]
fn a_setup_command_refused_after_the_top_rung_is_the_configuration() {
    for (fam, cfg, ok, refused) in cases() {
        for &broker_reset_after_s in broker_resets() {
            let mut cfg = cfg;
            cfg.ladder.broker_reset_after_s = broker_reset_after_s;
            let what = format!("{fam}, broker_reset_after_s {broker_reset_after_s}");
            let mut m = Modem::new(cfg);
            let mut answer = |cmd: &[u8]| match starts(cmd, refused) {
                true => b"\r\nERROR\r\n".to_vec(),
                false => ok(cmd),
            };
            m.run(TWO_HOURS, &mut answer);
            m.assert_one_climb_then(Status::ModuleError, Status::ConfigRefused, &what);
            let refused = m
                .recoveries()
                .iter()
                .filter(|r| r.1 == Status::ConfigRefused)
                .count();
            assert_eq!(
                m.h.engine.stats().broker_failures as usize,
                refused,
                "{what}"
            );
        }
    }
}

/// Luat `AT+MIPSTART` refused at once, with no `CONNECT FAIL` (`+CME ERROR: 767` for plain TCP
/// to a TLS-only port, docs/luat-at.md §5.2): `CONNECT_FAILED` up the ladder once, then the
/// configuration's (a port or TLS setting no reset changes): re-connects only.
#[test]
fn an_open_refused_at_once_after_the_top_rung_is_the_configuration() {
    let mut cfg = luat_cfg();
    cfg.port = 8883;
    let mut m = Modem::new(cfg);
    let mut answer = |cmd: &[u8]| match starts(cmd, b"AT+MIPSTART") {
        true => b"\r\n+CME ERROR: 767\r\n".to_vec(),
        false => luat_ok(cmd),
    };
    m.run(TWO_HOURS, &mut answer);
    m.assert_one_climb_then(Status::ConnectFailed, Status::ConfigRefused, "luat open");
}

/// A refusal the power cycle cured was the module's: online after it, and the record went
/// with the run of failures. When the link then drops and the command is refused again, that
/// refusal is the module's again (the ladder from its start), not `CONFIG_REFUSED`.
#[test]
fn a_refusal_the_power_cycle_cured_was_the_module_and_is_forgotten_online() {
    let drops: [&[u8]; 3] = [
        b"\r\nCLOSED\r\n",
        b"\r\n+QMTSTAT: 0,1\r\n",
        // The network gone: the service is restarted, so the client is acquired again.
        b"\r\n+CMQTTNONET\r\n",
    ];
    let families = if cfg!(miri) { 1 } else { 3 };
    for ((fam, cfg, ok, refused), drop) in cases().into_iter().zip(drops).take(families) {
        let mut m = Modem::new(cfg);
        // Refused until the power cycle: the sixth refusal takes the top rung.
        let refusals_left = std::cell::Cell::new(6);
        let mut answer = |cmd: &[u8]| match starts(cmd, refused) && refusals_left.get() > 0 {
            true => {
                refusals_left.set(refusals_left.get() - 1);
                b"\r\nERROR\r\n".to_vec()
            }
            false => ok(cmd),
        };
        let online = |n: &[Notice]| n.contains(&Notice::State(State::Online));
        m.run_until(TWO_HOURS, &mut answer, &online);
        assert_eq!(m.h.engine.state(), State::Online, "{fam}");
        let climbed = m.recoveries();
        assert_eq!(
            climbed.last(),
            Some(&(RecoveryStep::PowerCycle, Status::ModuleError))
        );
        assert!(
            !climbed.iter().any(|r| r.1 == Status::ConfigRefused),
            "{fam}"
        );
        refusals_left.set(1);
        m.h.rx(drop);
        let two_more = |n: &[Notice]| {
            let r = n.iter().filter(|e| matches!(e, Notice::Recovery { .. }));
            r.count() >= climbed.len() + 2
        };
        m.run_until(TWO_HOURS, &mut answer, &two_more);
        let r = m.recoveries();
        let again = [
            (RecoveryStep::Reconnect, Status::LinkLost),
            (RecoveryStep::Reconnect, Status::ModuleError),
        ];
        assert_eq!(r[climbed.len()..], again, "{fam}");
    }
}

/// With `power_cycle_limit` set, the ladder still runs to the limit as configured (a device
/// that sleeps once it is reached), its steps after the top rung reported `CONFIG_REFUSED`.
#[test]
fn with_a_power_cycle_limit_the_ladder_runs_to_it() {
    // Under Miri (a thousand times slower) one family: the ladder is the same code for all.
    for (fam, mut cfg, ok, refused) in cases().into_iter().take(if cfg!(miri) { 1 } else { 3 }) {
        cfg.ladder.power_cycle_limit = 1;
        let mut m = Modem::new(cfg);
        let mut answer = |cmd: &[u8]| match starts(cmd, refused) {
            true => b"\r\nERROR\r\n".to_vec(),
            false => ok(cmd),
        };
        let gave_up = |n: &[Notice]| n.contains(&Notice::State(State::Failed));
        m.run_until(TWO_HOURS, &mut answer, &gave_up);
        use RecoveryStep::*;
        let (module, config) = (Status::ModuleError, Status::ConfigRefused);
        let want = [
            (Reconnect, module),
            (Reconnect, module),
            (Reconnect, module),
            (ResetPin, module),
            (ResetPin, module),
            (PowerCycle, module),
            (Reconnect, config),
            (Reconnect, config),
            (Reconnect, config),
            (ResetPin, config),
            (ResetPin, config),
            (GaveUp, config),
        ];
        assert_eq!(m.recoveries(), want, "{fam}");
    }
}
