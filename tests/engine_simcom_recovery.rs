//! Byte-exact transcripts of SIMCom failures and recovery (docs/quectel-simcom-at.md §4.2,
//! §4.5, §4.7, §4.9, §4.14, §5.3): the failure shapes of START, CONNECT and PUB, the error
//! codes' classes (broker refusals, TLS and DNS never touch the module), `+CMQTTCONNLOST`,
//! `+CMQTTNONET`, `+CMQTTPING` and reboots, each re-connecting and restoring subscriptions.
mod common;

use cellmqtt::{LogKind, Notice, RecoveryStep, State, Status, Subject};
use common::simcom::{self, config};
use common::{recoveries, Ev, Harness};

const SUB: &[u8] = b"AT+CMQTTSUB=0,3,1\r";

/// Online with `s/#` (QoS 1) subscribed as request 1, events taken.
fn online() -> Harness {
    let mut h = Harness::new(config());
    assert_eq!(h.engine.subscribe(b"s/#", 1), Ok(1));
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    h
}

/// After the first back-off: the re-connect (service already running), the subscription
/// restored; returns the notices.
fn reconnect_and_restore(h: &mut Harness) -> Vec<Notice> {
    h.advance(1_000);
    simcom::reconnect(h);
    simcom::subscribe(h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    h.notices()
}

/// No pin moved and no reset sent.
fn module_untouched(h: &Harness, n: &[Notice]) {
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    let s = h.engine.stats();
    assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
}

/// After a reboot: the boot, the service and the connect, and `s/#` subscribed again.
fn bring_up_again(h: &mut Harness) {
    simcom::boot(h);
    simcom::start_connect(h);
    h.tx(SUB);
    h.rx(b"\r\n>");
    h.tx(b"s/#");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
}

/// `+CMQTTNONET` while online: after the back-off the client is released (`OK`) and the stop
/// of the service goes out (§4.9, §4.11); its answer is the caller's.
fn nonet_until_the_stop(h: &mut Harness) {
    h.rx(b"\r\n+CMQTTNONET\r\n");
    h.advance(1_000);
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
}

fn first_recovery(n: &[Notice]) -> Option<(RecoveryStep, Status)> {
    n.iter().find_map(|e| match e {
        Notice::Recovery { step, reason, .. } => Some((*step, *reason)),
        _ => None,
    })
}

/// A session booted up to `AT+CMQTTSTART`, which gets `answer`.
fn start_answered(answer: &[u8]) -> Harness {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    h.tx(b"AT+CMQTTSTART\r");
    h.rx(answer);
    h
}

// ---- 1. START and CONNECT failures ----

#[test]
fn a_bare_error_to_start_is_a_failure() {
    let mut h = start_answered(b"\r\nERROR\r\n");
    // A URC may still follow and decide (the `ERROR` + URC shape): it gets a command's time.
    let n = h.notices();
    assert_eq!(first_recovery(&n), None, "{n:?}");
    h.tx_nothing();
    h.advance(9_000);
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::ConnectFailed)),
        "{n:?}"
    );
    assert_eq!(h.engine.state(), State::Recovering);
}

/// W4's `ERROR` + URC shape, the A76xx order (`ERROR` before `+CMQTTSTART`, as its `OK` is):
/// the URC decides. 23 (already running, as after every lost link) goes on to the connect
/// with nothing logged; 7 is the attach.
#[test]
fn an_error_then_the_start_result_decides() {
    let mut h = online();
    h.rx(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    h.advance(1_000);
    h.tx(b"AT+CMQTTSTART\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSTART: 23\r\n");
    simcom::connect(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    // Only the lost link is logged.
    let logs: Vec<_> = n
        .iter()
        .filter(|e| matches!(e, Notice::Log { .. }))
        .collect();
    assert!(
        matches!(
            logs[..],
            [Notice::Log {
                kind: LogKind::LinkDown,
                ..
            }]
        ),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().command_errors, 0);
    module_untouched(&h, &n);

    let mut h = start_answered(b"\r\nERROR\r\n\r\n+CMQTTSTART: 7\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::NotAttached)),
        "{n:?}"
    );
}

#[test]
fn a_start_result_that_fails_after_ok_is_the_attach() {
    let mut h = start_answered(b"\r\nOK\r\n\r\n+CMQTTSTART: 7\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::NotAttached)),
        "{n:?}"
    );
}

/// Drives `cycles` connects that `fail` fails; returns every notice.
fn failed_connects(h: &mut Harness, cycles: usize, fail: &[u8]) -> Vec<Notice> {
    let mut all = vec![];
    for i in 0..cycles {
        if i == 0 {
            simcom::start_service(h);
        } else {
            h.advance(60_000);
            simcom::restart_service(h);
        }
        // A failed attempt sets the client up again (the client may be the cause).
        simcom::acquire(h);
        h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r");
        h.rx(fail);
        // After a bare `ERROR` the result may still come (§5.1): it is classed when the
        // command's time for it has passed.
        let mut waited = 0;
        while h.engine.state() == State::Connecting && waited < 60 {
            h.advance(1_000);
            waited += 1;
        }
        all.extend(h.notices());
        assert_eq!(h.engine.state(), State::Recovering);
    }
    all
}

#[test]
fn broker_refusals_in_every_shape_never_touch_the_module() {
    let shapes: [(&[u8], Status, u16); 6] = [
        // Asynchronous (§4.5): `OK`, then the result.
        (
            b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,30\r\n",
            Status::BrokerRefused,
            30,
        ),
        // Synchronous: the result, then `ERROR` (§4.14 item 2).
        (
            b"\r\n+CMQTTCONNECT: 0,28\r\n\r\nERROR\r\n",
            Status::BrokerRefused,
            28,
        ),
        // A bare `ERROR` (S19): an unreachable broker (§5.3).
        (b"\r\nERROR\r\n", Status::BrokerUnreachable, 0),
        (
            b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,32\r\n",
            Status::TlsFailed,
            32,
        ),
        (
            b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,25\r\n",
            Status::NameNotResolved,
            25,
        ),
        (
            b"\r\n+CMQTTCONNECT: 0,26\r\n\r\nERROR\r\n",
            Status::BrokerUnreachable,
            26,
        ),
    ];
    for (fail, reason, code) in shapes {
        let mut h = Harness::new(config());
        h.start();
        simcom::boot(&mut h);
        // More cycles than `reconnects_before_reset`: a broker failure never climbs.
        let n = failed_connects(&mut h, 5, fail);
        module_untouched(&h, &n);
        let steps = recoveries(&n);
        assert_eq!(steps, [RecoveryStep::Reconnect; 5], "{n:?}");
        for e in &n {
            match e {
                Notice::Recovery { reason: r, .. } => assert_eq!(*r, reason, "{n:?}"),
                // A bare `ERROR` is also logged as the command's error.
                Notice::Log {
                    kind: LogKind::CommandError,
                    what: Subject::MConnect,
                    code: 0,
                    ..
                } if code == 0 => {}
                Notice::Log {
                    kind,
                    what,
                    code: c,
                    ..
                } => assert_eq!(
                    (*kind, *what, *c),
                    (LogKind::BrokerFailure, Subject::MConnect, code)
                ),
                _ => {}
            }
        }
        assert_eq!(h.engine.stats().broker_failures, 5);
    }
}

#[test]
fn a_client_not_acquired_is_the_module_and_climbs_the_ladder() {
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    // Err 20 (client not acquired, §5.3): a module error.
    let n = failed_connects(&mut h, 1, b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,20\r\n");
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::ModuleError)),
        "{n:?}"
    );
    assert!(n.contains(&Notice::Log {
        kind: LogKind::CommandError,
        what: Subject::MConnect,
        code: 20,
        reason: Status::ModuleError
    }));
    // The acquire itself refused: a module error too, not a broker failure.
    let mut h = Harness::new(config());
    h.start();
    simcom::boot(&mut h);
    simcom::start_service(&mut h);
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTACCQ=0,\"s1\",0,4\r");
    h.rx(b"\r\nERROR\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::ModuleError)),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().broker_failures, 0);
}

// ---- 2. Link loss ----

#[test]
fn connlost_reconnects_on_the_same_service_and_restores_subscriptions() {
    for cause in [&b"1"[..], b"2", b"3", b"9"] {
        let mut h = online();
        let mut urc = b"\r\n+CMQTTCONNLOST: 0,".to_vec();
        urc.extend_from_slice(cause);
        urc.extend_from_slice(b"\r\n");
        h.rx(&urc);
        let mut n = h.notices();
        assert_eq!(
            first_recovery(&n),
            Some((RecoveryStep::Reconnect, Status::LinkLost))
        );
        n.extend(reconnect_and_restore(&mut h));
        assert!(
            n.contains(&Notice::Subscribed {
                id: 1,
                restored: true
            }),
            "{n:?}"
        );
        module_untouched(&h, &n);
    }
}

/// §5.3 row `+CMQTTCONNLOST: <c>,1/2/3` (socket closed, socket reset, network closed: link
/// lost) and README "Failure classes" (a link dropped during a connect is `LINK_LOST`): the
/// family's broker refusals are result codes (27-31), so a link lost after the connect's `OK`,
/// before its result, is no refusal. It never counts toward `refusal_limit` (here 1): the
/// session re-connects after each, and comes online.
#[test]
fn connlost_during_the_connect_is_a_lost_link_not_a_refusal() {
    for cause in [&b"1"[..], b"2", b"3"] {
        let mut c = config();
        c.ladder.refusal_limit = 1;
        let mut h = Harness::new(c);
        h.start();
        simcom::boot(&mut h);
        simcom::start_service(&mut h);
        let mut n = vec![];
        for round in 0..2 {
            // Never connected, the client is set up again each time.
            simcom::acquire(&mut h);
            h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r");
            h.rx(b"\r\nOK\r\n");
            h.rx(&[&b"\r\n+CMQTTCONNLOST: 0,"[..], cause, b"\r\n"].concat());
            let now = h.notices();
            assert_eq!(
                first_recovery(&now),
                Some((RecoveryStep::Reconnect, Status::LinkLost)),
                "cause {}, round {round}: {now:?}",
                String::from_utf8_lossy(cause)
            );
            n.extend(now);
            let wait = h.engine.poll_delay_ms(h.now, &h.ring);
            h.advance(wait);
            simcom::restart_service(&mut h);
        }
        simcom::acquire(&mut h);
        simcom::connect(&mut h);
        h.tx_nothing();
        assert_eq!(h.engine.state(), State::Online);
        module_untouched(&h, &n);
        assert_eq!(h.engine.stats().connect_failures, 2);
    }
}

#[test]
fn a_failed_ping_reconnects() {
    let mut h = online();
    h.rx(b"\r\n+CMQTTPING: 0,17\r\n");
    let mut n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::LinkLost))
    );
    n.extend(reconnect_and_restore(&mut h));
    module_untouched(&h, &n);
}

#[test]
fn nonet_releases_and_stops_the_service_then_starts_it_again() {
    let mut h = online();
    h.rx(b"\r\n+CMQTTNONET\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::LinkLost)),
        "{n:?}"
    );
    h.advance(1_000);
    // Release and stop first, their outcome ignored (§4.9, §4.11).
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
    h.rx(b"\r\n+CMQTTSTOP: 9\r\n\r\nERROR\r\n");
    simcom::start_connect(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(
        !n.iter().any(|e| matches!(
            e,
            Notice::Log {
                kind: LogKind::CommandError,
                ..
            }
        )),
        "{n:?}"
    );
    module_untouched(&h, &n);
    // The next loss is a plain one: no stop this time.
    h.rx(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    reconnect_and_restore(&mut h);
}

/// §4.2 (A76xx and the vendor: `OK`, then `+CMQTTSTOP: 0`; W4 also the result first) and §4.9
/// (after `+CMQTTNONET` the service is stopped, then started again, S16): the start goes once
/// the stop's result came, not at its `OK` while the service may still be going down (a start
/// then finds it running, `+CMQTTSTART: 23`, just before it stops). Without a result, after a
/// command's time.
#[test]
fn after_nonet_the_start_waits_for_the_stop_result() {
    let mut h = online();
    nonet_until_the_stop(&mut h);
    h.rx(b"\r\nOK\r\n");
    h.advance(100);
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTSTOP: 0\r\n");
    simcom::start_connect(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);

    nonet_until_the_stop(&mut h);
    h.rx(b"\r\nOK\r\n");
    let wait = config().timeouts.command_ms;
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), wait);
    h.quiet_for(wait);
    simcom::start_connect(&mut h);
    let n = h.notices();
    module_untouched(&h, &n);
}

#[test]
fn a_reboot_mid_session_redoes_everything() {
    for boot in [
        &b"\r\n*ATREADY: 1\r\n"[..],
        b"\r\nRDY\r\n",
        b"\r\nSMS DONE\r\n",
        b"\r\nPB DONE\r\n",
    ] {
        let mut h = online();
        h.rx(boot);
        let n = h.notices();
        assert_eq!(
            first_recovery(&n),
            Some((RecoveryStep::Reinit, Status::LinkLost)),
            "{}: {n:?}",
            String::from_utf8_lossy(boot)
        );
        assert!(!h.engine.module_facts().read);
        bring_up_again(&mut h);
        h.tx_nothing();
        assert_eq!(h.engine.state(), State::Online);
        assert_eq!(h.engine.stats().module_reboots, 1);
        let n = h.notices();
        module_untouched(&h, &n);
    }
}

/// The boot lines after the first come when the module is ready with them: the SIM7600 prints
/// `PB DONE` once its phone book is loaded (§2.2: `RDY`, `+CPIN: READY`, `SMS DONE`, `PB DONE`,
/// no timing given), which may be after the session is up. Such a line is the tail
/// of the boot already seen (its first line, or an earlier tail line), not a reboot.
#[test]
fn late_boot_lines_once_online_are_the_tail_of_the_boot_seen() {
    let cases: [(&[u8], &[u8]); 4] = [
        // SIM7600: RDY and SMS DONE before the session is up, PB DONE after.
        (
            b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n",
            b"\r\nPB DONE\r\n",
        ),
        // Only RDY seen before: both later lines come once online.
        (b"\r\nRDY\r\n", b"\r\nSMS DONE\r\n\r\nPB DONE\r\n"),
        // RDY lost (fed before the firmware listened): SMS DONE alone marks the boot.
        (b"\r\nSMS DONE\r\n", b"\r\nPB DONE\r\n"),
        // A76xx: `*ATREADY: 1`, then `SMS DONE` once online.
        (b"\r\n*ATREADY: 1\r\n", b"\r\nSMS DONE\r\n"),
    ];
    for (before, after) in cases {
        let mut h = Harness::new(config());
        h.rx(before);
        simcom::bring_online(&mut h);
        h.take_events();
        h.rx(after);
        h.tx_nothing();
        assert_eq!(h.engine.state(), State::Online);
        let n = h.notices();
        assert_eq!(first_recovery(&n), None, "{n:?}");
        assert_eq!(h.engine.stats().module_reboots, 0);
    }
}

/// Once a boot's tail is complete, a boot line while the session is up is a new boot whose
/// first line was lost: the session is redone (as in `a_reboot_mid_session_redoes_everything`),
/// and the rest of that boot's tail after the reconnect is no second reboot.
#[test]
fn a_boot_line_after_a_complete_tail_is_a_reboot() {
    let mut h = Harness::new(config());
    assert_eq!(h.engine.subscribe(b"s/#", 1), Ok(1));
    h.rx(b"\r\nRDY\r\n\r\nSMS DONE\r\n\r\nPB DONE\r\n");
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    h.rx(b"\r\nSMS DONE\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reinit, Status::LinkLost)),
        "{n:?}"
    );
    bring_up_again(&mut h);
    h.rx(b"\r\nPB DONE\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().module_reboots, 1);
    let n = h.notices();
    module_untouched(&h, &n);
}

// ---- 3. Publish failures (§4.14 item 3) ----

#[test]
fn publish_failure_then_connlost_sends_it_again_after_the_reconnect() {
    let shapes: [&[u8]; 2] = [
        b"\r\nOK\r\n\r\n+CMQTTPUB: 0,6\r\n\r\n+CMQTTCONNLOST: 0,1\r\n",
        b"\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n",
    ];
    for shape in shapes {
        let mut h = online();
        let id = h.engine.publish(b"s/p", b"\"v\"\n", 1, false).unwrap();
        simcom::publish(&mut h, b"s/p", b"\"v\"\n", 1, false);
        h.rx(shape);
        let mut n = h.notices();
        assert!(
            !n.iter().any(|e| matches!(e, Notice::Published { .. })),
            "{n:?}"
        );
        assert_eq!(
            first_recovery(&n),
            Some((RecoveryStep::Reconnect, Status::LinkLost)),
            "{n:?}"
        );
        n.extend(reconnect_and_restore_then_publish(&mut h));
        assert!(n.contains(&Notice::Published { id }), "{n:?}");
        module_untouched(&h, &n);
        assert_eq!(h.engine.stats().publish_retries, 1);
    }
}

fn reconnect_and_restore_then_publish(h: &mut Harness) -> Vec<Notice> {
    h.advance(1_000);
    simcom::reconnect(h);
    simcom::subscribe(h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    simcom::publish(h, b"s/p", b"\"v\"\n", 1, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    h.tx_nothing();
    h.notices()
}

#[test]
fn publish_failure_with_the_link_up_is_sent_again() {
    let mut h = online();
    let id = h.engine.publish(b"s/p", b"x", 0, false).unwrap();
    simcom::publish(&mut h, b"s/p", b"x", 0, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,11\r\n");
    // The session asks; connected: the publish goes again.
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\nOK\r\n");
    simcom::publish(&mut h, b"s/p", b"x", 0, false);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn a_lost_prompt_still_sends_the_data_not_a_probe() {
    let mut h = online();
    h.engine.publish(b"s/p", b"x", 1, false).unwrap();
    h.tx(b"AT+CMQTTTOPIC=0,3\r");
    let prompt_ms = config().timeouts.prompt_ms;
    h.advance(prompt_ms - 1);
    h.tx_nothing();
    h.advance(1);
    // The module may wait for the topic: it goes, never an `AT` in its place.
    h.tx(b"s/p");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPAYLOAD=0,1\r");
}

#[test]
fn a_stray_ok_before_the_data_is_written_does_not_cut_it() {
    let mut h = online();
    let id = h.engine.publish(b"s/p", b"0123456789", 0, false).unwrap();
    h.tx(b"AT+CMQTTTOPIC=0,3\r");
    h.rx(b"\r\n>");
    h.tx(b"s/p");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPAYLOAD=0,10\r");
    // The UART takes nothing for a while; a late `OK` comes before the data went out.
    h.uart.stall = 1_000;
    h.rx(b"\r\n>");
    h.rx(b"\r\nOK\r\n");
    h.uart.stall = 0;
    h.advance(1);
    h.tx(b"0123456789");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPUB=0,0,60\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    assert!(h.notices().contains(&Notice::Published { id }));
    assert_eq!(h.engine.stats().lines_unknown, 1);
}

#[test]
fn after_a_lost_link_the_same_client_connects_and_err_20_acquires_it_again() {
    let mut h = online();
    h.rx(b"\r\n+CMQTTCONNLOST: 0,1\r\n");
    h.advance(1_000);
    h.take_events();
    // The same client connects again (§4.9); the module says it was not acquired (err 20).
    simcom::restart_service(&mut h);
    h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTCONNECT: 0,20\r\n");
    let n = h.notices();
    assert_eq!(
        first_recovery(&n),
        Some((RecoveryStep::Reconnect, Status::ModuleError)),
        "{n:?}"
    );
    // The next attempt acquires the client again, then restores the subscription.
    h.advance(2_000);
    simcom::restart_service(&mut h);
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    module_untouched(&h, &n);
}

#[test]
fn a_stop_and_a_network_loss_release_the_client() {
    // After NONET the service restarts and the client is acquired afresh.
    let mut h = online();
    nonet_until_the_stop(&mut h);
    h.rx(b"\r\nOK\r\n\r\n+CMQTTSTOP: 0\r\n");
    simcom::start_connect(&mut h);
    // After a stop, the next start acquires again too.
    let mut h = online();
    h.engine.stop(h.now);
    h.tx(b"AT+CMQTTDISC=0,60\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTDISC: 0,0\r\n");
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTOP\r");
    h.rx(b"\r\nOK\r\n");
    h.engine.start(h.now).unwrap();
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    simcom::start_connect(&mut h);
    h.tx(SUB);
}

/// W4's URC + `ERROR` shape with a failing code (§4.2): the URC decides once, and the final
/// result after it adds no second failure.
#[test]
fn a_failing_start_result_then_error_is_the_attach_once() {
    // And URC + `OK`, W4's shape with the result first, failing.
    for answer in [
        &b"\r\n+CMQTTSTART: 7\r\n\r\nERROR\r\n"[..],
        b"\r\n+CMQTTSTART: 7\r\n\r\nOK\r\n",
    ] {
        let mut h = start_answered(answer);
        let n = h.notices();
        assert_eq!(
            first_recovery(&n),
            Some((RecoveryStep::Reconnect, Status::NotAttached)),
            "{n:?}"
        );
        assert_eq!(recoveries(&n).len(), 1, "{n:?}");
        assert_eq!(h.engine.stats().connect_failures, 1);
        module_untouched(&h, &n);
    }
}
