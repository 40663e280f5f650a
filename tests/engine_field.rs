//! Byte-exact transcripts of what a fleet meets in the field (issue 11): failures classified
//! before they are acted on (a broker or network failure never touches the module), echo that
//! stays on, the modules' real limits, and corrupt input that costs only itself.
mod common;

use cellmqtt::{
    LogKind, LossKind, Notice, Options, Pin, Pins, Profile, RecoveryStep, State, Status, Subject,
};
use common::{bring_online, config, prepare_after_boot, recoveries, Ev, Harness};

/// Pins for every rung, so a test can see that none is used.
fn all_pins() -> cellmqtt::Config<'static> {
    let mut c = config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// Runs failed connect cycles for `minutes` of fake time, each answered by `fail` after
/// `AT+MIPSTART`, and returns every notice. Asserts each cycle is the plain re-connect
/// (MIPCLOSE, MCONFIG, MIPSTART) and that nothing else is ever written.
fn fail_for(h: &mut Harness, minutes: u32, fail: impl Fn(&mut Harness)) -> Vec<Notice> {
    let end = h.now.wrapping_add(minutes * 60_000);
    let mut all = vec![];
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    loop {
        fail(h);
        all.extend(h.notices());
        if cellmqtt::time::reached(h.now, end) {
            return all;
        }
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        assert!(wait <= 60_000, "back-off {wait} over its cap");
        h.advance(wait);
        h.tx(b"AT+MIPCLOSE\r");
        h.rx(b"\r\n+CME ERROR: 767\r\n");
        h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    }
}

fn refuse(h: &mut Harness) {
    // A wrong password: MCONNECT is accepted, the broker's CONNACK refuses, the link closes.
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n");
}

fn unreachable(h: &mut Harness) {
    h.rx(b"\r\nOK\r\n\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
}

/// No pin, no `AT+RESET`, no power cycle: only re-connects, each for `reason`.
fn assert_module_untouched(n: &[Notice], reason: Status) {
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    let steps = recoveries(n);
    assert!(steps.len() >= 3, "{steps:?}");
    assert!(
        steps.iter().all(|s| *s == RecoveryStep::Reconnect),
        "{steps:?}"
    );
    for e in n {
        if let Notice::Recovery { reason: r, .. } = e {
            assert_eq!(*r, reason);
        }
    }
}

/// Every rung wired and the module prepared up to the stale-link `AT+MIPCLOSE`.
fn prepared() -> Harness {
    let mut h = Harness::new(all_pins());
    h.start();
    prepare_after_boot(&mut h);
    h
}

/// Ten minutes of refused credentials, then of a broker that is down: only re-connects, each
/// logged with its class, and no rung of the ladder.
#[test]
fn ten_minutes_of_refusals_or_a_dead_broker_never_reset_the_module() {
    type Case = (fn(&mut Harness), Status, Subject);
    let cases: [Case; 2] = [
        (refuse, Status::BrokerRefused, Subject::MConnect),
        (unreachable, Status::BrokerUnreachable, Subject::ConnectFail),
    ];
    for (fail, reason, what) in cases {
        let mut h = prepared();
        let n = fail_for(&mut h, 10, fail);
        assert_module_untouched(&n, reason);
        assert!(n.contains(&Notice::Log {
            kind: LogKind::BrokerFailure,
            what,
            code: 0,
            reason
        }));
        let s = h.engine.stats();
        assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
        assert_eq!(s.broker_failures, s.connect_failures);
        assert_ne!(h.engine.state(), State::Failed);
    }
}

/// A name that does not resolve: the DNS codes of the error table, as the final result of
/// MIPSTART or after its OK.
#[test]
fn unresolved_names_are_their_own_class() {
    for answer in [
        &b"\r\n+CME ERROR: 918\r\n"[..],
        b"\r\nOK\r\n\r\n+CME ERROR: 917\r\n",
    ] {
        let mut h = prepared();
        let n = fail_for(&mut h, 3, |h| h.rx(answer));
        assert_module_untouched(&n, Status::NameNotResolved);
    }
}

/// The broker drops the link before `CONNACK OK` (no `ERROR` first): a refusal too.
#[test]
fn closed_before_connack_is_a_refusal() {
    let mut h = prepared();
    let n = fail_for(&mut h, 2, |h| {
        h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
        h.tx(b"AT+MCONNECT=1,120\r");
        h.rx(b"\r\nOK\r\n\r\nCLOSED\r\n");
    });
    assert_module_untouched(&n, Status::BrokerRefused);
}

/// Back-offs double up to the cap and are jittered within their second half; devices with
/// other client ids pick other points, so a fleet does not come back in lock-step.
#[test]
fn broker_backoff_doubles_with_jitter_that_differs_per_device() {
    let mut schedules = vec![];
    for id in [&b"dev-1"[..], b"dev-2", b"dev-3"] {
        let mut c = all_pins();
        c.client_id = id;
        let mut h = Harness::new(c);
        h.start();
        prepare_after_boot(&mut h);
        let mut waits = vec![];
        let mut base = 1_000u32;
        h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r"
            .replace_id(id)
            .as_slice());
        for _ in 0..9 {
            h.rx(b"\r\nOK\r\n");
            h.forget_tx();
            h.rx(b"\r\nOK\r\n\r\nCONNECT FAIL\r\n");
            let wait = h.engine.poll_delay_ms(h.now, &h.ring);
            assert!(
                (base / 2..=base).contains(&wait),
                "{wait} not in the second half of {base}"
            );
            waits.push(wait);
            base = (base * 2).min(60_000);
            h.advance(wait);
            h.tx(b"AT+MIPCLOSE\r");
            h.rx(b"\r\nOK\r\n");
            h.forget_tx();
        }
        schedules.push(waits);
    }
    assert_ne!(schedules[0], schedules[1]);
    assert_ne!(schedules[1], schedules[2]);
}

trait ReplaceId {
    fn replace_id(&self, id: &[u8]) -> Vec<u8>;
}

impl ReplaceId for [u8] {
    fn replace_id(&self, id: &[u8]) -> Vec<u8> {
        let s = String::from_utf8_lossy(self).replace("dev-1", &String::from_utf8_lossy(id));
        s.into_bytes()
    }
}

/// `refusal_limit`: a credential that stays wrong ends the session after N refusals, with
/// `GAVE_UP` and no pin moved; `start` begins again.
#[test]
fn refusals_give_up_at_the_configured_limit() {
    let mut c = all_pins();
    c.ladder.refusal_limit = 3;
    let mut h = Harness::new(c);
    h.start();
    prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    for round in 1..=3 {
        refuse(&mut h);
        let n = h.notices();
        if round < 3 {
            assert_eq!(recoveries(&n), [RecoveryStep::Reconnect]);
            let wait = h.engine.poll_delay_ms(h.now, &h.ring);
            h.advance(wait);
            h.tx(b"AT+MIPCLOSE\r");
            h.rx(b"\r\nOK\r\n");
            h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
            h.rx(b"\r\nOK\r\n");
            h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
        } else {
            assert_eq!(recoveries(&n), [RecoveryStep::GaveUp]);
            assert!(n.contains(&Notice::Recovery {
                step: RecoveryStep::GaveUp,
                reason: Status::BrokerRefused,
                failures: 3
            }));
            assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })));
        }
    }
    assert_eq!(h.engine.state(), State::Failed);
    h.advance(600_000);
    h.tx_nothing();
}

/// `broker_reset_after_s`: after that long of broker failures, one RESET as a last resort,
/// then re-connects again.
#[test]
fn the_last_resort_reset_comes_only_after_the_configured_time() {
    let mut c = all_pins();
    c.ladder.broker_reset_after_s = 20 * 60;
    let mut h = Harness::new(c);
    h.start();
    prepare_after_boot(&mut h);
    let n = fail_for(&mut h, 19, unreachable);
    assert_module_untouched(&n, Status::BrokerUnreachable);
    // Past 20 minutes the next failure takes the reset.
    let mut steps = vec![];
    for _ in 0..5 {
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        h.advance(wait);
        h.tx(b"AT+MIPCLOSE\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
        h.rx(b"\r\nOK\r\n");
        h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
        unreachable(&mut h);
        let r = recoveries(&h.notices());
        steps.extend(r.iter().copied());
        if r.contains(&RecoveryStep::ResetPin) {
            break;
        }
    }
    assert_eq!(steps.last(), Some(&RecoveryStep::ResetPin), "{steps:?}");
    assert_eq!(h.engine.stats().reset_pulses, 1);
}

/// Module symptoms still climb: a silent module gets RESET although the broker was the
/// trouble a moment ago.
#[test]
fn a_silent_module_still_climbs_the_ladder() {
    let mut c = all_pins();
    c.timeouts.command_ms = 2_000;
    let mut h = Harness::new(c);
    h.start();
    prepare_after_boot(&mut h);
    fail_for(&mut h, 1, unreachable);
    let wait = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(wait);
    h.tx(b"AT+MIPCLOSE\r");
    let mut steps = vec![];
    for _ in 0..120 {
        h.advance(1_000);
        steps.extend(recoveries(&h.notices()));
        if steps.contains(&RecoveryStep::ResetPin) {
            break;
        }
    }
    assert!(steps.contains(&RecoveryStep::ResetPin), "{steps:?}");
}

/// Online again after broker failures: the counts start over (a later refusal run gets the
/// full limit).
#[test]
fn a_session_resets_the_refusal_count() {
    let mut c = all_pins();
    c.ladder.refusal_limit = 2;
    let mut h = Harness::new(c);
    h.start();
    prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    refuse(&mut h);
    let wait = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(wait);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    h.rx(b"\r\nCLOSED\r\n");
    h.advance(1_000);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.take_events();
    refuse(&mut h);
    assert_eq!(recoveries(&h.notices()), [RecoveryStep::Reconnect]);
}

/// Echo that stays on after the second `ATE0` (firmware that ignores it, or wiring that loops
/// TX back): the session works on with it, `ATE0` is not sent a third time, and echoed lines
/// are counted, never answers, never a reboot.
#[test]
fn echo_that_stays_on_is_worked_with() {
    let mut h = Harness::new(config());
    h.start();
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    // Echo goes on: ATE0 once more before the next step's command.
    h.rx(b"AT+CPIN?\r\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    for (cmd, answer) in common::IDENTITY {
        h.tx(cmd);
        h.rx(&[cmd, answer].concat());
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"AT+CGATT?\r\r\n+CGATT: 1\r\n\r\nOK\r\n");
    for (cmd, answer) in [
        (&b"AT+MQTTMSGSET=0\r"[..], &b"\r\nOK\r\n"[..]),
        (b"AT+MQTTMODE=0\r", b"\r\nOK\r\n"),
        (b"AT+MIPCLOSE\r", b"\r\n+CME ERROR: 767\r\n"),
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
        (
            b"AT+MIPSTART=\"broker.example\",1883\r",
            b"\r\nOK\r\n\r\nCONNECT OK\r\n",
        ),
        (b"AT+MCONNECT=1,120\r", b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
    ] {
        h.tx(cmd);
        let mut echoed = cmd.to_vec();
        echoed.extend_from_slice(answer);
        h.rx(&echoed);
    }
    assert_eq!(h.engine.state(), State::Online);
    let id = h.engine.publish(b"t", b"x", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"x\"\r");
    h.rx(b"AT+MPUB=\"t\",1,0,\"x\"\r\r\nOK\r\n\r\nPUBACK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(recoveries(&n).is_empty(), "{n:?}");
    let s = h.engine.stats();
    // CPIN, ATE0 (again), the four identity queries, CGATT, the six connect commands and
    // MPUB: fourteen echoed lines.
    assert_eq!(
        (s.echo_lines, s.module_reboots, s.lines_unknown),
        (14, 0, 0)
    );
    assert_eq!(s.command_errors, 0);
    h.advance(30_000);
    h.tx_nothing();
}

/// Echo back after `ATE0` and gone after the second one: the module may have rebooted without
/// a `RDY` we saw, so at the next re-connect its per-boot settings are sent again.
#[test]
fn echo_back_once_redoes_the_per_boot_settings_at_the_next_reconnect() {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    h.take_events();
    h.engine.publish(b"t", b"x", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",0,0,\"x\"\r");
    h.rx(b"AT+MPUB=\"t\",0,0,\"x\"\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    assert!(h.notices().contains(&Notice::Log {
        kind: LogKind::EchoOn,
        what: Subject::Ate0,
        code: 0,
        reason: Status::Ok
    }));
    h.rx(b"\r\nCLOSED\r\n");
    h.advance(1_000);
    h.tx(b"AT+MQTTMSGSET=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
}

/// A module left in hex data mode by earlier firmware: `AT+MQTTMODE=0` at the session start
/// puts it back, so a message is read as the bytes it is. Firmware without the command answers
/// `ERROR`: no error counted or logged, and not asked again until the module reboots.
#[test]
fn data_mode_is_set_each_boot_and_its_absence_is_remembered() {
    let mut h = Harness::new(config());
    h.start();
    common::boot_to_msgset(&mut h, false);
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    let n = h.notices();
    assert!(
        !n.iter().any(|e| matches!(e, Notice::Log { .. })),
        "expected answers are not logged: {n:?}"
    );
    assert_eq!(h.engine.stats().command_errors, 0);
    // Stopped and started again without a reboot: MQTTMODE is not asked again.
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.engine.stop(h.now);
    h.rx(b"\r\nOK\r\n");
    h.tx(b"");
    h.start();
    common::boot_to_msgset(&mut h, false); // the identity is not read again either
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    // After a reboot it is asked again.
    h.rx(b"\r\nRDY\r\n");
    h.take_events();
    common::boot_to_msgset(&mut h, false);
    h.tx(b"AT+MQTTMODE=0\r");
}

/// A healthy start logs nothing and counts no error: the `+CME ERROR: 767` to the
/// precautionary MIPCLOSE is the expected answer.
#[test]
fn a_healthy_start_has_no_errors() {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    let n = h.notices();
    assert!(!n.iter().any(|e| matches!(e, Notice::Log { .. })), "{n:?}");
    assert_eq!(h.engine.stats().command_errors, 0);
}

/// Air780E: 3000 plain-text bytes exceed its 2384-byte MPUB and go by MPUBEX at once; an
/// `ERROR` to an MPUB it should have taken is retried once by MPUBEX before it counts.
#[test]
fn air780e_long_text_goes_by_mpubex_and_a_refused_mpub_is_retried_by_it() {
    let mut c = config();
    c.profile = Profile::Air780e;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.take_events();
    let text = vec![b'a'; 3000];
    let id = h.engine.publish(b"t", &text, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"t\",1,0,3000\r");
    h.rx(b"\r\n> ");
    h.tx(&text);
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert!(h.notices().contains(&Notice::Published { id }));

    let text = vec![b'b'; 2000];
    let id = h.engine.publish(b"t", &text, 1, false).unwrap();
    let mut mpub = b"AT+MPUB=\"t\",1,0,\"".to_vec();
    mpub.extend_from_slice(&text);
    mpub.extend_from_slice(b"\"\r");
    h.tx(&mpub);
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+MPUBEX=\"t\",1,0,2000\r");
    h.rx(b"\r\n> ");
    h.tx(&text);
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.stats().mpub_fallbacks, 1);
}

/// With MPUBEX switched off, a refused MPUB goes the old way: the link is checked and the
/// message sent again (then failed after three refusals).
#[test]
fn without_mpubex_a_refused_mpub_is_verified() {
    let mut c = config();
    c.options |= Options::NO_MPUBEX;
    let mut h = Harness::new(c);
    bring_online(&mut h);
    h.engine.publish(b"t", b"x", 0, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",0,0,\"x\"\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+MQTTSTATU\r");
}

/// Air724UG documents only `\22 \0D \0A`: a payload holding `\` goes by MPUBEX, raw.
#[test]
fn air724ug_sends_backslashes_by_mpubex() {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    h.engine.publish(b"t", b"C:\\dir", 0, false).unwrap();
    h.tx(b"AT+MPUBEX=\"t\",0,0,6\r");
    h.rx(b"\r\n> ");
    h.tx(b"C:\\dir");
    h.rx(b"\r\nOK\r\n");
    let mut c = config();
    c.options |= Options::NO_MPUBEX;
    let mut h = Harness::new(c);
    assert_eq!(
        h.engine.publish(b"t", b"C:\\dir", 0, false),
        Err(Status::PayloadTooLong)
    );
}

/// A `+MSUB` header with a byte count the module never sends (over 4100) is a corrupt line:
/// counted and skipped to its line end; the message after it and the acknowledgement after
/// that arrive as usual.
#[test]
fn a_corrupt_msub_header_costs_only_itself() {
    let mut h = Harness::new(config());
    h.engine.subscribe(b"t", 1).unwrap();
    bring_online(&mut h);
    h.tx(b"AT+MSUB=\"t\",1\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
    let id = h.engine.publish(b"t", b"up", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"up\"\r");
    h.rx(b"\r\nOK\r\n");
    h.take_events();
    h.rx(b"\r\n+MSUB: \"t\",90000 byte,lost payload\r\n");
    h.rx(b"\r\n+MSUB: \"t\",5 byte,hello\r\n\r\nPUBACK\r\n");
    let ev = h.take_events();
    assert!(
        ev.contains(&Ev::N(Notice::Loss {
            kind: LossKind::MessageCorrupt,
            count: 1
        })),
        "{ev:?}"
    );
    assert!(
        ev.contains(&Ev::Msg(b"t".to_vec(), b"hello".to_vec())),
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
    let s = h.engine.stats();
    assert_eq!((s.messages_corrupt, s.messages_received), (1, 1));
}

/// `AT+CIPSHUT` may take the manual's 90 s: a slow `SHUT OK` is no timeout.
#[test]
fn a_slow_shut_ok_is_waited_for() {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    h.rx(b"\r\n+PDP DEACT\r\n");
    h.advance(1_000);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CIPSHUT\r");
    h.advance(80_000);
    h.tx_nothing();
    h.rx(b"\r\nSHUT OK\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    assert_eq!(h.engine.stats().command_timeouts, 0);
}

/// STATUS wired: a module that does not answer at start but reports power is not pulsed with
/// PWRKEY (that would switch it off); one that reports no power is.
#[test]
fn status_line_decides_the_pwrkey_pulse_at_start() {
    for (on, pulsed) in [(true, false), (false, true)] {
        let mut c = config();
        c.pins = Pins::PWRKEY | Pins::STATUS;
        let mut h = Harness::new(c);
        h.engine.set_module_status(Some(on));
        h.start();
        for _ in 0..12 {
            h.forget_tx();
            h.advance(1_000);
        }
        let n = h.notices();
        let pwrkey = n.contains(&Notice::Pin {
            pin: Pin::Pwrkey,
            active: true,
        });
        assert_eq!(pwrkey, pulsed, "status {on}: {n:?}");
    }
}

/// A module-side failure (`ERROR` to `AT+MCONFIG`, a contradictory answer): the ladder's
/// trigger for the STATUS tests (a lost link never climbs it).
fn module_error_at_mconfig(h: &mut Harness) {
    h.start();
    common::prepare_after_boot(h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nERROR\r\n");
}

/// Air780E: RESET shuts the module down and PWRKEY switches it on again, unless STATUS says
/// it is on already (the pulse would switch it off).
#[test]
fn status_line_skips_pwrkey_after_a_reset_that_left_the_module_on() {
    let mut c = config();
    c.profile = Profile::Air780e;
    c.pins = Pins::RESET | Pins::PWRKEY | Pins::STATUS;
    c.ladder.reconnects_before_reset = 0;
    let mut h = Harness::new(c);
    h.engine.set_module_status(Some(true));
    module_error_at_mconfig(&mut h);
    h.take_events();
    for _ in 0..40 {
        h.advance(100);
    }
    let pins = common::pin_notices(&h.notices());
    assert_eq!(
        pins,
        [
            Notice::Pin {
                pin: Pin::Reset,
                active: true
            },
            Notice::Pin {
                pin: Pin::Reset,
                active: false
            }
        ]
    );
}

/// A power cycle after which STATUS still reports power: the supply switch did not work. It
/// is logged, and PWRKEY is not pulsed into a module that is on.
#[test]
fn status_line_reports_a_power_cycle_without_effect() {
    let mut c = config();
    c.pins = Pins::POWER | Pins::PWRKEY | Pins::STATUS;
    c.ladder.reconnects_before_reset = 0;
    c.ladder.resets_before_power_cycle = 0;
    let mut h = Harness::new(c);
    h.engine.set_module_status(Some(true));
    module_error_at_mconfig(&mut h);
    for _ in 0..60 {
        h.advance(100);
    }
    let n = h.notices();
    assert!(
        n.contains(&Notice::Log {
            kind: LogKind::StatusMismatch,
            what: Subject::StatusPin,
            code: 1,
            reason: Status::Ok
        }),
        "{n:?}"
    );
    assert!(!n.contains(&Notice::Pin {
        pin: Pin::Pwrkey,
        active: true
    }));
    assert!(recoveries(&n).contains(&RecoveryStep::PowerCycle));
}

/// Devices configured alike that connect with their IMEI still spread their re-connects:
/// the jitter takes the IMEI in.
#[test]
fn devices_configured_alike_jitter_by_their_imei() {
    let waits = |imei: &[u8]| {
        let mut c = all_pins();
        c.client_id = b"";
        c.options |= Options::CLIENT_ID_IMEI;
        let mut h = Harness::new(c);
        h.start();
        common::prepare_with_imei(&mut h, imei);
        let mut waits = vec![];
        for _ in 0..6 {
            h.rx(b"\r\nOK\r\n"); // MCONFIG
            h.forget_tx();
            unreachable(&mut h);
            let wait = h.engine.poll_delay_ms(h.now, &h.ring);
            waits.push(wait);
            h.advance(wait);
            h.forget_tx();
            h.rx(b"\r\nOK\r\n"); // MIPCLOSE
            h.forget_tx();
        }
        waits
    };
    assert_ne!(waits(b"866714043075174"), waits(b"866714043075175"));
}
