//! The failure classes of the dialect documents, row by row, for the rows the transcript tests
//! do not pin yet: docs/luat-at.md §8 and §10.5, docs/quectel-simcom-at.md §3.8, §4.9, §4.10
//! and §5 (§5.1-§5.3), and README.md "Failure classes".
//!
//! Each test drives the engine on the fake clock against a scripted modem that answers every
//! command the healthy way, except the answers a row is about, for several failed cycles (more
//! than `reconnects_before_reset`). Every pin is wired, so a rung that touches the hardware
//! shows as a pin notice. A broker or network class (refused, unreachable, name not resolved,
//! TLS failed, link lost) must never move a pin nor send the module's reset command; a module
//! class must climb the ladder to the RESET pin.
mod beyond_the_ladder;
#[path = "../common/mod.rs"]
mod common;
mod config_refused;
mod modem;

use cellmqtt::{Notice, Options, RecoveryStep, Status};
use modem::*;

// ---- Luat (docs/luat-at.md) ----

/// docs/luat-at.md §10.5, broker/network table, row "TLS handshake / certificate failure"
/// with row "`CONNECT FAIL` following `AT+SSLMIPSTART`" (README "Failure classes": Luat reports
/// a failed handshake as `CONNECT FAIL`): re-connects only, never a reset.
#[test]
fn luat_connect_fail_after_sslmipstart_never_touches_the_module() {
    let mut c = luat_cfg();
    c.options |= Options::TLS;
    c.tls.ca_file = b"ca.crt";
    let mut m = Modem::new(c);
    m.run(TEN_MINUTES, &mut |cmd| {
        if starts(cmd, b"AT+SSLMIPSTART") {
            return b"\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n".to_vec();
        }
        luat_ok(cmd)
    });
    assert!(m.sent(b"AT+SSLMIPSTART") >= 5);
    m.assert_untouched(
        5,
        &|s| matches!(s, Status::BrokerUnreachable | Status::TlsFailed),
        "SSLMIPSTART CONNECT FAIL",
    );
}

/// docs/luat-at.md §8 (codes 916 DNS_EXIST, 917, 918) and §10.5 row "`+CME ERROR: 916` / `917`
/// / `918`": name not resolved. 916 in both places (final result of `AT+MIPSTART`, and after
/// its `OK`); 917/918 are pinned by engine_field.rs.
#[test]
fn luat_cme_916_is_name_not_resolved() {
    for wire in [
        &b"\r\n+CME ERROR: 916\r\n"[..],
        b"\r\nOK\r\n\r\n+CME ERROR: 916\r\n",
    ] {
        let mut m = Modem::new(luat_cfg());
        m.run(TEN_MINUTES / 2, &mut |cmd| {
            if starts(cmd, b"AT+MIPSTART") {
                return wire.to_vec();
            }
            luat_ok(cmd)
        });
        m.assert_untouched(5, &|s| s == Status::NameNotResolved, "916");
    }
}

/// docs/luat-at.md §10.5, module table, row "attach lost": `CONNECT FAIL` after
/// `STATE: IP INITIAL` (bearer down): `NOT_ATTACHED`, and the ladder climbs to RESET.
/// (`STATE: PDP DEACT` is pinned by engine_recovery.rs.)
#[test]
fn luat_connect_fail_after_ip_initial_is_attach_lost_and_climbs() {
    let mut m = Modem::new(luat_cfg());
    m.run_until(
        TEN_MINUTES,
        &mut |cmd| {
            if starts(cmd, b"AT+MIPSTART") {
                return b"\r\nOK\r\n\r\nSTATE: IP INITIAL\r\n\r\nCONNECT FAIL\r\n".to_vec();
            }
            luat_ok(cmd)
        },
        &has_reset_pin,
    );
    m.assert_climbs(Status::NotAttached, "STATE: IP INITIAL");
    assert_eq!(m.h.engine.stats().broker_failures, 0);
}

/// docs/luat-at.md §10.5, module table, row "attach lost": `+CGATT: 0` until the attach wait
/// (§9: 120 s) ends: `NOT_ATTACHED`, the ladder climbs to RESET.
#[test]
fn luat_cgatt_0_until_the_deadline_is_attach_lost_and_climbs() {
    let mut m = Modem::new(luat_cfg());
    m.run_until(
        4 * TEN_MINUTES,
        &mut |cmd| {
            if starts(cmd, b"AT+CGATT?") {
                return b"\r\n+CGATT: 0\r\n\r\nOK\r\n".to_vec();
            }
            luat_ok(cmd)
        },
        &has_reset_pin,
    );
    m.assert_climbs(Status::NotAttached, "+CGATT: 0");
    assert_eq!(m.sent(b"AT+MIPSTART"), 0);
}

/// README "Failure classes", row "contradictory answers" (`+CME ERROR: 767` to `AT+MCONNECT`,
/// TCP gone; docs/luat-at.md §8 table of 767 "second MCONNECT"): a module class that climbs
/// to RESET (its first rung is pinned by engine_review.rs).
#[test]
fn luat_767_to_mconnect_climbs_to_the_reset_pin() {
    let mut m = Modem::new(luat_cfg());
    m.run_until(
        TEN_MINUTES,
        &mut |cmd| {
            if starts(cmd, b"AT+MCONNECT") {
                return b"\r\n+CME ERROR: 767\r\n".to_vec();
            }
            luat_ok(cmd)
        },
        &has_reset_pin,
    );
    m.assert_climbs(Status::ConnackFailed, "767 to MCONNECT");
}

/// docs/luat-at.md §10.5, broker/network table, row "`CLOSED`, PDP loss | link or context
/// dropped" (§10.1): a broker that accepts and then drops every session. Each time re-connect
/// only, never a reset.
#[test]
fn luat_closed_after_every_connack_never_touches_the_module() {
    let mut m = Modem::new(luat_cfg());
    m.run(TEN_MINUTES, &mut |cmd| {
        if starts(cmd, b"AT+MCONNECT") {
            return b"\r\nOK\r\n\r\nCONNACK OK\r\n\r\nCLOSED\r\n".to_vec();
        }
        luat_ok(cmd)
    });
    m.assert_untouched(5, &|s| s == Status::LinkLost, "CLOSED after CONNACK OK");
}

/// The network drops the context (`urc`) during each Luat connect, after `CONNECT OK` and the
/// `OK` of `AT+MCONNECT`, before `CONNACK OK`.
fn luat_pdp_loss_during_every_connect(urc: &[u8]) {
    let mut m = Modem::new(luat_cfg());
    m.run(TEN_MINUTES, &mut |cmd| {
        if starts(cmd, b"AT+MCONNECT") {
            return [&b"\r\nOK\r\n"[..], urc].concat();
        }
        luat_ok(cmd)
    });
    let what = String::from_utf8_lossy(urc).trim().to_string();
    m.assert_untouched(5, &broker_or_link, &what);
}

/// docs/luat-at.md §10.5, broker/network table, row "`CLOSED`, PDP loss | link or context
/// dropped" (§10.2: `+CGEV: NW PDN DEACT 1`): a network-side class, re-connects only, never a
/// module reset (README "Failure classes", row "link dropped while online").
#[test]
fn luat_pdn_deact_during_every_connect_never_touches_the_module() {
    luat_pdp_loss_during_every_connect(b"\r\n+CGEV: NW PDN DEACT 1\r\n");
}

/// As above for `+PDP DEACT` (docs/luat-at.md §4.8, §10.2; §10.5 row "`CLOSED`, PDP loss").
#[test]
fn luat_pdp_deact_during_every_connect_never_touches_the_module() {
    luat_pdp_loss_during_every_connect(b"\r\n+PDP DEACT\r\n");
}

/// README "Failure classes", row "contradictory answers": `ERROR` to `AT+MCONFIG` or to
/// `AT+SSLCFG` is `MODULE_ERROR` (docs/luat-at.md §10.5 module table) and climbs the ladder to
/// RESET.
#[test]
fn luat_error_to_mconfig_or_sslcfg_climbs_to_the_reset_pin() {
    for refused in [&b"AT+MCONFIG"[..], b"AT+SSLCFG"] {
        let mut c = luat_cfg();
        c.options |= Options::TLS;
        c.tls.ca_file = b"ca.crt";
        let mut m = Modem::new(c);
        m.run_until(
            TEN_MINUTES,
            &mut |cmd| {
                if starts(cmd, refused) {
                    return b"\r\nERROR\r\n".to_vec();
                }
                luat_ok(cmd)
            },
            &has_reset_pin,
        );
        m.assert_climbs(Status::ModuleError, &String::from_utf8_lossy(refused));
        assert_eq!(m.h.engine.stats().broker_failures, 0);
    }
}

// ---- Quectel (docs/quectel-simcom-at.md §3, §5.2) ----

/// docs/quectel-simcom-at.md §3.4 `<ret_code>` table and §5.2 row "`+QMTCONN: <c>,<result>,
/// <ret_code 1..5>` | CONNACK refused | broker refused": every return code, each cycle followed
/// by `+QMTSTAT: <c>,4` as in Q10 (§3.8). (5 alone is pinned by engine_quectel_recovery.rs.)
#[test]
fn quectel_every_connack_return_code_is_a_refusal() {
    for rc in if cfg!(miri) { 4..=5u8 } else { 1..=5u8 } {
        let mut m = Modem::new(quectel_cfg());
        let wire = format!("\r\nOK\r\n\r\n+QMTCONN: 0,0,{rc}\r\n\r\n+QMTSTAT: 0,4\r\n");
        m.run(TEN_MINUTES, &mut |cmd| {
            if starts(cmd, b"AT+QMTCONN=") {
                return wire.as_bytes().to_vec();
            }
            quectel_ok(cmd)
        });
        m.assert_untouched(
            5,
            &|s| s == Status::BrokerRefused,
            &format!("ret_code {rc}"),
        );
    }
}

/// docs/quectel-simcom-at.md §3.8 and §5.2 rows `+QMTSTAT: <c>,3` (CONNECT timed out or
/// failed: broker refused), `,4` (broker refused), `,7` (link not alive or server unavailable:
/// broker unreachable), and `,1`/`,5`/`,6`/`,8` (link lost), each arriving instead of the
/// connect's result: a broker/network class, never a module reset.
#[test]
fn quectel_qmtstat_instead_of_the_connect_result_never_touches_the_module() {
    type Expect = fn(Status) -> bool;
    let cases: [(u8, Expect); 7] = [
        (3, |s| s == Status::BrokerRefused),
        (4, |s| s == Status::BrokerRefused),
        (7, |s| s == Status::BrokerUnreachable),
        (1, broker_or_link),
        (5, broker_or_link),
        (6, broker_or_link),
        (8, broker_or_link),
    ];
    for (code, ok) in cases {
        let mut m = Modem::new(quectel_cfg());
        let wire = format!("\r\nOK\r\n\r\n+QMTSTAT: 0,{code}\r\n");
        m.run(TEN_MINUTES, &mut |cmd| {
            if starts(cmd, b"AT+QMTCONN=") {
                return wire.as_bytes().to_vec();
            }
            quectel_ok(cmd)
        });
        m.assert_untouched(5, &ok, &format!("+QMTSTAT: 0,{code} during connect"));
    }
}

/// docs/quectel-simcom-at.md §3.8 (err 2: re-activate the PDP, then reopen) and §5.2 rows
/// `+QMTSTAT: <c>,2` and `+QMTPING: <c>,<result>` (link lost): a broker whose keepalive keeps
/// failing after every CONNACK. Link lost, never a module reset; err 2 re-activates the bearer.
#[test]
fn quectel_keepalive_failures_after_every_connack_never_touch_the_module() {
    for urc in [&b"\r\n+QMTSTAT: 0,2\r\n"[..], b"\r\n+QMTPING: 0,1\r\n"] {
        let mut m = Modem::new(quectel_cfg());
        m.run(TEN_MINUTES, &mut |cmd| {
            if starts(cmd, b"AT+QMTCONN=") {
                return [&b"\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n"[..], urc].concat();
            }
            quectel_ok(cmd)
        });
        let what = String::from_utf8_lossy(urc).trim().to_string();
        m.assert_untouched(5, &|s| s == Status::LinkLost, &what);
        if urc.starts_with(b"\r\n+QMTSTAT") {
            assert!(m.sent(b"AT+QIDEACT=1") >= 5, "{what}: no PDP re-activation");
        }
    }
}

/// docs/quectel-simcom-at.md §5.2 row `+QIURC: "pdpdeact",1` | network dropped the session's
/// context | link lost (re-activate PDP, §3.1), and §5 "link lost ... never a module reset":
/// the network drops the context during each connect (after the connect's `OK`, before its
/// result).
#[test]
fn quectel_pdpdeact_during_every_connect_never_touches_the_module() {
    let mut m = Modem::new(quectel_cfg());
    m.run(TEN_MINUTES, &mut |cmd| {
        if starts(cmd, b"AT+QMTCONN=") {
            return b"\r\nOK\r\n\r\n+QIURC: \"pdpdeact\",1\r\n".to_vec();
        }
        quectel_ok(cmd)
    });
    m.assert_untouched(5, &broker_or_link, "+QIURC: \"pdpdeact\" during connect");
}

/// docs/quectel-simcom-at.md §5.1: "A plain `ERROR` with no URC, on a command whose arguments
/// cellmqtt checked, is a module error": `AT+QMTOPEN` or `AT+QMTCONN` answered `ERROR` alone
/// climbs the ladder to RESET (README "Failure classes": `CONNECT_FAILED`, `CONNACK_FAILED`).
#[test]
fn quectel_bare_error_to_open_or_connect_is_the_module() {
    for (refused, reason) in [
        (&b"AT+QMTOPEN="[..], Status::ConnectFailed),
        (b"AT+QMTCONN=", Status::ConnackFailed),
    ] {
        let mut m = Modem::new(quectel_cfg());
        m.run_until(
            TEN_MINUTES,
            &mut |cmd| {
                if starts(cmd, refused) {
                    return b"\r\nERROR\r\n".to_vec();
                }
                quectel_ok(cmd)
            },
            &has_reset_pin,
        );
        m.assert_climbs(reason, &String::from_utf8_lossy(refused));
        assert_eq!(m.h.engine.stats().broker_failures, 0);
    }
}

// ---- SIMCom (docs/quectel-simcom-at.md §4, §5.3) ----

/// The class docs/quectel-simcom-at.md §5.3 gives `<err>` (§4.10) when `AT+CMQTTCONNECT`
/// reports it: `Some(accept)` for a broker/network class (never a reset), `None` for a module
/// class (the ladder).
fn simcom_connect_class(code: u16) -> Option<fn(Status) -> bool> {
    Some(match code {
        // sock connect fail; require connection fail; timeout (on CONNECT): unreachable.
        3 | 15 | 17 => |s| s == Status::BrokerUnreachable,
        // message receive fail, no connection, sock sending fail, packet fail, socket closed
        // by server, disconnect failed: link lost (on CONNECT the broker's side).
        6 | 11 | 16 | 24 | 26 | 35 => broker_or_link,
        25 => |s| s == Status::NameNotResolved,
        27..=31 => |s| s == Status::BrokerRefused,
        32..=34 => |s| s == Status::TlsFailed,
        _ => return None,
    })
}

/// docs/quectel-simcom-at.md §4.10 and §5.3, rows 1-35 (23, "none (success for START)", is no
/// connect failure and is left out), as the result of `AT+CMQTTCONNECT` (§4.5 async shape):
/// broker and network codes never touch the module and carry their status; module codes
/// (and 7/9, attach side) climb the ladder to RESET. (28, 30, 32, 25, 26 and 20 are pinned by
/// engine_simcom_recovery.rs.)
#[test]
fn simcom_every_connect_error_code_takes_its_class() {
    // Under Miri a sample of each class: a refusal, an unreachable broker, TLS, a module
    // fault, the attach side.
    let sample = [30u16, 3, 32, 20, 7];
    let all: Vec<u16> = (1..=35u16).filter(|&c| c != 23).collect();
    let codes: &[u16] = if cfg!(miri) { &sample } else { &all };
    for &code in codes {
        let mut m = Modem::new(simcom_cfg());
        let wire = format!("\r\nOK\r\n\r\n+CMQTTCONNECT: 0,{code}\r\n");
        let mut answer = |cmd: &[u8]| {
            if starts(cmd, b"AT+CMQTTCONNECT=") {
                return wire.as_bytes().to_vec();
            }
            simcom_ok(cmd)
        };
        let what = format!("+CMQTTCONNECT: 0,{code}");
        match simcom_connect_class(code) {
            Some(ok) => {
                m.run(TEN_MINUTES, &mut answer);
                m.assert_untouched(5, &ok, &what);
            }
            None => {
                m.run_until(TEN_MINUTES, &mut answer, &has_reset_pin);
                let reason = match code {
                    7 | 9 => Status::NotAttached,
                    _ => Status::ModuleError,
                };
                m.assert_climbs(reason, &what);
            }
        }
    }
}

/// `AT+CMQTTCONNECT` answered `ERROR`, then `+CMQTTCONNECT: 0,<code>`: the first recovery's
/// reason.
fn simcom_error_then_result(code: u16) -> Vec<(RecoveryStep, Status)> {
    let mut m = Modem::new(simcom_cfg());
    let wire = format!("\r\nERROR\r\n\r\n+CMQTTCONNECT: 0,{code}\r\n");
    m.run_until(
        5_000,
        &mut |cmd| {
            if starts(cmd, b"AT+CMQTTCONNECT=") {
                return wire.as_bytes().to_vec();
            }
            simcom_ok(cmd)
        },
        &|n| n.iter().any(|e| matches!(e, Notice::Recovery { .. })),
    );
    m.recoveries()
}

/// docs/quectel-simcom-at.md §5.1: "SIMCom: `<err>` decides when present, whichever side of
/// `OK`/`ERROR` it comes (§4.14)". The connect answered `ERROR` with the `<err>` after it (the
/// order W4 documents for START, §4.2): a refusal (30, §5.3 rows 27-31) is a refusal, not the
/// bare-`ERROR` row's "broker unreachable".
#[test]
fn simcom_connect_error_then_refused_result_is_a_refusal() {
    let r = simcom_error_then_result(30);
    assert_eq!(r.first().map(|x| x.1), Some(Status::BrokerRefused), "{r:?}");
}

/// As above (§5.1), with 20 (client not acquired, §5.3: module error): the module's class.
#[test]
fn simcom_connect_error_then_client_not_acquired_is_the_module() {
    let r = simcom_error_then_result(20);
    assert_eq!(r.first().map(|x| x.1), Some(Status::ModuleError), "{r:?}");
}

/// The link or the network is lost (`urc`) during each SIMCom connect, after the connect's
/// `OK`, before its result.
fn simcom_lost_during_every_connect(urc: &[u8]) {
    let mut m = Modem::new(simcom_cfg());
    m.run(TEN_MINUTES, &mut |cmd| {
        if starts(cmd, b"AT+CMQTTCONNECT=") {
            return [&b"\r\nOK\r\n"[..], urc].concat();
        }
        simcom_ok(cmd)
    });
    let what = String::from_utf8_lossy(urc).trim().to_string();
    // Link lost, never a refusal: the family's refusals are result codes 27-31 (§5.3).
    m.assert_untouched(5, &|s| s == Status::LinkLost, &what);
}

/// docs/quectel-simcom-at.md §4.9 and §5.3 row `+CMQTTCONNLOST: <c>,1/2/3` (link lost), §5
/// "link lost ... never a module reset".
#[test]
fn simcom_connlost_during_every_connect_never_touches_the_module() {
    simcom_lost_during_every_connect(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    simcom_lost_during_every_connect(b"\r\n+CMQTTCONNLOST: 0,3\r\n");
}

/// docs/quectel-simcom-at.md §4.9 and §5.3 row `+CMQTTNONET` | network lost | link lost
/// (restart the service), §5 "link lost ... never a module reset".
#[test]
fn simcom_nonet_during_every_connect_never_touches_the_module() {
    simcom_lost_during_every_connect(b"\r\n+CMQTTNONET\r\n");
}

/// docs/quectel-simcom-at.md §4.9 rows `+CMQTTCONNLOST`, `+CMQTTNONET`, `+CMQTTPING` and §5.3
/// (link lost): lost after every CONNACK, the session re-connects each time, never resets.
#[test]
fn simcom_link_lost_after_every_connack_never_touches_the_module() {
    for urc in [
        &b"\r\n+CMQTTCONNLOST: 0,2\r\n"[..],
        b"\r\n+CMQTTNONET\r\n",
        b"\r\n+CMQTTPING: 0,17\r\n",
    ] {
        let mut m = Modem::new(simcom_cfg());
        m.run(TEN_MINUTES, &mut |cmd| {
            if starts(cmd, b"AT+CMQTTCONNECT=") {
                return [&b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,0\r\n"[..], urc].concat();
            }
            simcom_ok(cmd)
        });
        let what = String::from_utf8_lossy(urc).trim().to_string();
        m.assert_untouched(5, &|s| s == Status::LinkLost, &what);
    }
}

/// docs/quectel-simcom-at.md §5.3 row 9 "network not opened | module error (attach side)" as
/// the result of `AT+CMQTTSTART` (7 is pinned by engine_simcom_recovery.rs): the ladder.
#[test]
fn simcom_start_9_is_the_attach_and_climbs() {
    let mut m = Modem::new(simcom_cfg());
    m.run_until(
        TEN_MINUTES,
        &mut |cmd| {
            if starts(cmd, b"AT+CMQTTSTART") {
                return b"\r\nOK\r\n\r\n+CMQTTSTART: 9\r\n".to_vec();
            }
            simcom_ok(cmd)
        },
        &has_reset_pin,
    );
    m.assert_climbs(Status::NotAttached, "+CMQTTSTART: 9");
}
