//! Adversarial review of the session engine (issue 2): byte-exact transcripts on a fake clock
//! against a module that behaves oddly but plausibly. After every input and every clock step
//! the no-spin invariant is checked: `poll_delay_ms() == 0` must mean the next `poll` at the
//! same time writes bytes or returns an event. Bugs found are in `engine_review_2.rs`.
mod common;

use cellmqtt::{LossKind, Notice, Pin, Pins, Profile, RecoveryStep, State, Status};
use common::checked::{cfg_quiet, has, Checked, CONNECTED_AT, TLS_CONNECT, UP};
use common::{config, recoveries, Ev, Harness, Sizes};

/// `checked::UP` with one stored subscription restored at the end.
fn up() -> Vec<(&'static [u8], &'static [u8])> {
    let restore: [(&[u8], &[u8]); 2] = [
        (b"AT+MSUB=\"dev/cmd\",1\r", b"\r\nOK\r\n"),
        (b"", b"\r\nSUBACK\r\n"),
    ];
    UP.iter().copied().chain(restore).collect()
}

/// Back-off, then the vendor's re-connect from MIPCLOSE (no subscriptions).
fn reconnect(h: &mut Harness, backoff: u32) {
    h.advi(backoff - 1);
    h.txi(b"");
    h.advi(1);
    h.run(&[
        (b"AT+MIPCLOSE\r", b"\r\n+CME ERROR: 767\r\n"),
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
        (
            b"AT+MIPSTART=\"broker.example\",1883\r",
            b"\r\nOK\r\n\r\nCONNECT OK\r\n",
        ),
        (b"AT+MCONNECT=1,120\r", b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
    ]);
}

#[test]
fn bring_up_split_at_every_byte_across_the_tick_wrap() {
    let mut h = Harness::new(config());
    h.now = u32::MAX - 120;
    let sub = h.engine.subscribe(b"dev/cmd", 1).unwrap();
    h.start();
    h.inv();
    for (tx, rx) in up() {
        h.txi(tx);
        for b in rx.iter() {
            h.rxi(&[*b]);
            h.advi(1);
        }
    }
    assert!(h.now < 1_000, "the clock wrapped during the bring-up");
    assert_eq!(h.engine.state(), State::Online);
    assert!(has(
        &h.notices(),
        Notice::Subscribed {
            id: sub,
            restored: false
        }
    ));
    let id = h.engine.publish(b"dev/up", b"a\"b\r\n", 1, false).unwrap();
    h.txi(b"AT+MPUB=\"dev/up\",1,0,\"a\\22b\\0D\\0A\"\r");
    for b in b"\r\nOK\r\n\r\nPUBACK\r\n" {
        h.rxi(&[*b]);
    }
    assert_eq!(h.notices(), [Notice::Published { id }]);
    // The health check falls due exactly 60 s after the last answer, across the wrap.
    h.advi(59_999);
    h.txi(b"");
    h.advi(1);
    h.txi(b"AT+MQTTSTATU\r");
    h.rxi(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    assert!(h.notices().is_empty());
}

/// Boot, network and cache URCs, garbage bytes, an over-long line and a direct message in
/// every gap: the transcript is unchanged, each long line is one loss, each message delivered.
#[test]
fn urcs_and_garbage_in_every_gap_leave_the_transcript_unchanged() {
    let mut h = Harness::with_sizes(
        config(),
        Sizes {
            line: 256,
            ..Sizes::default()
        },
    );
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    let mut noise = b"\r\n^MODE: 17,17\r\n\x00\xff\xfe\r\n+E_UTRAN Service\r\n".to_vec();
    noise.extend_from_slice(b"+NITZ: 24/08/22,07:27:15+32, \r\n+CGEV: ME PDN ACT 1,0\r\n");
    noise.extend_from_slice(b"\r\n+CEREG: 1\r\n^boot.rom'v'!\n");
    noise.extend_from_slice(&[b'x'; 300]);
    noise.extend_from_slice(b"\r\n\r\n+MSUB: \"dev/cmd\",5 byte,OK\r\n>\r\n");
    h.start();
    let mut gaps = 0;
    for (tx, rx) in up() {
        h.txi(tx);
        h.rxi(&noise);
        // Inside a multi-line answer too: between the information line and OK.
        match rx.windows(6).position(|w| w == b"\r\n\r\nOK") {
            Some(at) => {
                h.rxi(&rx[..at + 2]);
                h.rxi(&noise);
                h.rxi(&rx[at + 2..]);
                gaps += 2;
            }
            None => {
                h.rxi(rx);
                gaps += 1;
            }
        }
    }
    assert_eq!(h.engine.state(), State::Online);
    let ev = h.take_events();
    let msgs = ev
        .iter()
        .filter(|e| **e == Ev::Msg(b"dev/cmd".to_vec(), b"OK\r\n>".to_vec()))
        .count();
    let long = ev
        .iter()
        .filter(|e| {
            **e == Ev::N(Notice::Loss {
                kind: LossKind::LineTooLong,
                count: 1,
            })
        })
        .count();
    assert_eq!((msgs, long), (gaps, gaps));
    assert_eq!(h.engine.stats().lines_too_long, gaps as u32);
    assert_eq!(h.engine.stats().connects, 1);
}

/// `stop` with each command of the bring-up in flight (its answer arriving after the stop):
/// MDISCONNECT + MIPCLOSE once connected, MIPCLOSE while the TCP link may be up, else nothing;
/// the queue is kept and a new `start` gets online and sends it.
#[test]
fn stop_at_every_step_then_start_again() {
    let up = up();
    for k in 0..up.len() {
        let mut h = Harness::new(cfg_quiet());
        h.engine.subscribe(b"dev/cmd", 1).unwrap();
        let id = h.engine.publish(b"dev/up", b"m", 1, false).unwrap();
        h.start();
        h.run(&up[..k]);
        h.txi(up[k].0);
        h.engine.stop(h.now);
        h.inv();
        if !up[k].0.is_empty() {
            h.rxi(up[k].1);
        }
        if k >= CONNECTED_AT {
            h.run(&[
                (b"AT+MDISCONNECT\r", b"\r\nOK\r\n"),
                (b"AT+MIPCLOSE\r", b"\r\nOK\r\n"),
            ]);
        } else if (12..CONNECTED_AT).contains(&k) {
            h.run(&[(b"AT+MIPCLOSE\r", b"\r\nOK\r\n")]);
        }
        h.txi(b"");
        assert_eq!(h.engine.state(), State::Stopped, "k={k}");
        assert_eq!(h.engine.queued(), 1, "k={k}");
        h.advi(120_000);
        h.txi(b"");
        h.take_events();
        h.start();
        // The identity (UP[3..7]) is read once per module boot: not again once it was.
        let again: Vec<_> = up
            .iter()
            .enumerate()
            .filter(|(i, _)| k < 7 || !(3..7).contains(i))
            .map(|(_, step)| *step)
            .collect();
        h.run(&again);
        h.txi(b"AT+MPUB=\"dev/up\",1,0,\"m\"\r");
        h.rxi(b"\r\nOK\r\n\r\nPUBACK\r\n");
        let n = h.notices();
        assert!(has(&n, Notice::Published { id }), "k={k} {n:?}");
        assert!(recoveries(&n).is_empty(), "k={k} {n:?}");
    }
}

#[test]
fn connect_ok_before_ok_and_already_connect_instead_of_ok() {
    for answer in [
        &b"\r\nCONNECT OK\r\n\r\nOK\r\n"[..],
        b"\r\nALREADY CONNECT\r\n",
        b"\r\nOK\r\n\r\nALREADY CONNECT\r\n",
        b"\r\nOK\r\n\r\n7,CONNECT OK\r\n",
    ] {
        let mut h = Harness::new(cfg_quiet());
        h.start();
        h.run(&UP[..12]);
        h.txi(UP[12].0);
        h.rxi(answer);
        // MCONNECT immediately after the link is up (docs/luat-at.md §5.2: a broker drops a slow one).
        h.txi(b"AT+MCONNECT=1,120\r");
        h.rxi(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
        assert_eq!(
            h.engine.state(),
            State::Online,
            "{}",
            String::from_utf8_lossy(answer)
        );
    }
}

/// MCONNECT refused (`+CME ERROR: 767` instead of OK, or after OK), or MIPSTART accepted and
/// then nothing: one failed cycle each, MIPCLOSE after the back-off and a new connect from
/// MCONFIG; the back-off doubles per failure.
#[test]
fn refused_mconnect_and_a_silent_mipstart_are_failed_cycles() {
    let mut c = cfg_quiet();
    c.timeouts.connect_ms = 5_000;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..12]);
    h.run(&[(UP[12].0, b"\r\nOK\r\n\r\nCONNECT OK\r\n")]);
    h.txi(b"AT+MCONNECT=1,120\r");
    h.rxi(b"\r\n+CME ERROR: 767\r\n");
    let n = h.notices();
    assert!(
        has(
            &n,
            Notice::Recovery {
                step: RecoveryStep::Reconnect,
                reason: Status::ConnackFailed,
                failures: 1
            }
        ),
        "{n:?}"
    );
    reconnect_to_mipstart(&mut h, 1_000);
    h.rxi(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.txi(b"AT+MCONNECT=1,120\r");
    h.rxi(b"\r\nOK\r\n");
    // An error after MCONNECT's OK is the broker's refusal: re-connected, never a reset.
    h.rxi(b"\r\n+CME ERROR: 767\r\n");
    assert!(has(
        &h.notices(),
        Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason: Status::BrokerRefused,
            failures: 2
        }
    ));
    // A broker-side back-off is jittered within the second half of its 2 s.
    let backoff = h.engine.poll_delay_ms(h.now, &h.ring);
    assert!((1_000..=2_000).contains(&backoff), "{backoff}");
    reconnect_to_mipstart(&mut h, backoff);
    h.rxi(b"\r\nOK\r\n");
    h.advi(4_999);
    h.txi(b"");
    h.advi(1);
    let n = h.notices();
    assert!(
        has(
            &n,
            Notice::Recovery {
                step: RecoveryStep::Reconnect,
                reason: Status::ConnectFailed,
                failures: 3
            }
        ),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().connect_failures, 3);
}

fn reconnect_to_mipstart(h: &mut Harness, backoff: u32) {
    h.advi(backoff - 1);
    h.txi(b"");
    h.advi(1);
    h.run(&[
        (b"AT+MIPCLOSE\r", b"\r\nOK\r\n"),
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
    ]);
    h.txi(b"AT+MIPSTART=\"broker.example\",1883\r");
}

/// `CLOSED` while the OK of a QoS 0 MPUB is pending: the late OK completes it (sending it again
/// would duplicate it); with no answer at all the re-connect waits for the command deadline.
#[test]
fn closed_while_mpub_ok_is_pending() {
    let mut h = Harness::new(cfg_quiet());
    h.start();
    h.run(&UP[..CONNECTED_AT]);
    h.take_events();
    let a = h.engine.publish(b"t", b"a", 0, false).unwrap();
    h.txi(b"AT+MPUB=\"t\",0,0,\"a\"\r");
    h.rxi(b"\r\nCLOSED\r\n");
    h.rxi(b"\r\nOK\r\n");
    assert!(has(&h.notices(), Notice::Published { id: a }));
    reconnect(&mut h, 1_000);
    h.txi(b"");
    // Now without any answer: MIPCLOSE only after the MPUB's 9 s deadline.
    let b = h.engine.publish(b"t", b"b", 0, false).unwrap();
    h.txi(b"AT+MPUB=\"t\",0,0,\"b\"\r");
    h.rxi(b"\r\nCLOSED\r\n");
    h.advi(8_999);
    h.txi(b"");
    h.advi(1);
    h.txi(b"AT+MIPCLOSE\r");
    h.rxi(b"\r\n+CME ERROR: 767\r\n");
    h.run(&[
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
        (
            b"AT+MIPSTART=\"broker.example\",1883\r",
            b"\r\nOK\r\n\r\nCONNECT OK\r\n",
        ),
        (b"AT+MCONNECT=1,120\r", b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
        (b"AT+MPUB=\"t\",0,0,\"b\"\r", b"\r\nOK\r\n"),
    ]);
    let n = h.notices();
    assert_eq!(
        n.iter()
            .filter(|e| matches!(e, Notice::Published { .. }))
            .count(),
        1
    );
    assert!(has(&n, Notice::Published { id: b }));
}

/// A full queue of QoS 2 messages through link losses at every stage (before OK, before PUBREC,
/// before PUBCOMP, late PUBCOMP, PDN loss, no answer at all): every message completes exactly
/// once, in order, and none fails.
#[test]
fn qos2_queue_through_repeated_link_losses_completes_each_exactly_once() {
    let mut h = Harness::with_sizes(
        cfg_quiet(),
        Sizes {
            queue: 200,
            ..Sizes::default()
        },
    );
    let mut ids = vec![];
    loop {
        let payload = format!("p{:02}", ids.len());
        match h.engine.publish(b"q", payload.as_bytes(), 2, false) {
            Ok(id) => ids.push((id, payload)),
            Err(e) => {
                assert_eq!(e, Status::QueueFull);
                break;
            }
        }
    }
    assert_eq!(ids.len(), 14);
    h.start();
    h.run(&UP[..CONNECTED_AT]);
    let mut done = vec![];
    let (mut round, mut losses) = (0, 0);
    for (id, payload) in &ids {
        let mpub = format!("AT+MPUB=\"q\",2,0,\"{payload}\"\r");
        loop {
            h.txi(mpub.as_bytes());
            // The module's answer to this round's MPUB, and whether it loses the link.
            let (answer, lost): (&[u8], bool) = match round % 7 {
                0 | 6 => (b"\r\nOK\r\n\r\nPUBREC\r\n\r\nPUBCOMP\r\n", false),
                1 => (b"\r\nCLOSED\r\n\r\nOK\r\n", true),
                2 => (b"\r\nOK\r\n\r\nCLOSED\r\n", true),
                3 => (
                    b"\r\nOK\r\n\r\nPUBREC\r\n\r\nCLOSED\r\n\r\nPUBCOMP\r\n",
                    true,
                ),
                4 => (
                    b"\r\nOK\r\n\r\nPUBREC\r\n\r\n+CGEV: NW PDN DEACT 1\r\n",
                    true,
                ),
                _ => (b"\r\nCLOSED\r\n", true),
            };
            h.rxi(answer);
            if answer == b"\r\nCLOSED\r\n" {
                h.advi(8_000); // the unanswered MPUB holds the pipeline until its deadline
            }
            round += 1;
            for n in h.notices() {
                match n {
                    Notice::Published { id } => done.push(id),
                    Notice::PublishFailed { .. } => panic!("{n:?}"),
                    _ => {}
                }
            }
            if !lost {
                break;
            }
            losses += 1;
            reconnect(&mut h, 1_000);
        }
        assert_eq!(done.last(), Some(id));
    }
    let want: Vec<u16> = ids.iter().map(|(id, _)| *id).collect();
    assert_eq!(done, want);
    assert_eq!(h.engine.queued(), 0);
    h.txi(b"");
    let s = h.engine.stats();
    assert_eq!((s.publishes_done, s.publishes_failed), (14, 0));
    assert_eq!((s.links_lost, s.connects), (losses, losses + 1));
}

/// Fails the connect at CONNECT FAIL.
fn fail_connect(h: &mut Harness) -> Vec<Notice> {
    h.run(&[
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
        (
            b"AT+MIPSTART=\"broker.example\",1883\r",
            // The bearer is down: a module-side (attach) failure, which climbs the ladder.
            b"\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n",
        ),
    ]);
    h.notices()
}

/// Watches the pins for `ms`, returning (pin, active, time since start of watch).
///
/// Natively every millisecond is polled, which also shows that no pin moves early. Under Miri
/// (which interprets each poll) the clock jumps to the engine's next deadline instead: the
/// times recorded are the same, as the engine moves pins only when a deadline is due.
fn watch_pins(h: &mut Harness, ms: u32) -> Vec<(Pin, bool, u32)> {
    let mut out = vec![];
    let mut t = 0;
    while t < ms {
        let step = if cfg!(miri) {
            h.engine.poll_delay_ms(h.now, &h.ring).clamp(1, ms - t)
        } else {
            1
        };
        t += step;
        h.advi(step);
        for n in h.notices() {
            if let Notice::Pin { pin, active } = n {
                out.push((pin, active, t));
            }
        }
        if h.pending_tx() {
            break;
        }
    }
    out
}

/// RESET/power ladder with 1 re-connect, 1 reset and a limit of 1 power cycle: the exact pin
/// program and its timing, and the give-up; counters match.
#[test]
fn ladder_one_one_one_with_exact_pin_timing() {
    let mut c = cfg_quiet();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c.ladder.reconnects_before_reset = 1;
    c.ladder.resets_before_power_cycle = 1;
    c.ladder.power_cycle_limit = 1;
    let mut h = Harness::new(c);
    h.now = u32::MAX - 3_000; // the back-offs and pin holds cross the tick wrap
    h.start();
    h.run(&UP[..11]);
    let mut steps = vec![];
    let mut pins = vec![];
    loop {
        let n = fail_connect(&mut h);
        let r = recoveries(&n);
        assert_eq!(r.len(), 1, "{n:?}");
        steps.push(r[0]);
        match r[0] {
            RecoveryStep::GaveUp => break,
            RecoveryStep::Reconnect => {
                h.advi(1_000 << (steps.len() - 1));
                h.run(&[(b"AT+MIPCLOSE\r", b"\r\nOK\r\n")]);
            }
            _ => {
                pins.push(watch_pins(&mut h, 100_000));
                h.run(&UP[..11]);
            }
        }
    }
    use RecoveryStep::*;
    assert_eq!(
        steps,
        [Reconnect, ResetPin, PowerCycle, Reconnect, ResetPin, GaveUp]
    );
    let (r, p, k) = (Pin::Reset, Pin::Power, Pin::Pwrkey);
    // Back-off 2 s, RESET 600 ms, settle 100 ms; the probe's `AT` ends the watch.
    assert_eq!(pins[0], [(r, true, 2_000), (r, false, 2_600)]);
    // Back-off 4 s, supply off 2 s, on 500 ms, PWRKEY 2 s, settle 100 ms.
    assert_eq!(
        pins[1],
        [
            (p, false, 4_000),
            (p, true, 6_000),
            (k, true, 6_500),
            (k, false, 8_500)
        ]
    );
    assert_eq!(h.engine.state(), State::Failed);
    let s = h.engine.stats();
    assert_eq!(
        (s.reconnects, s.reset_pulses, s.power_cycles, s.soft_resets),
        (2, 2, 1, 0)
    );
    h.advi(600_000);
    h.txi(b"");
}

/// No pins and no re-connects or resets configured: every failure goes straight to the last
/// rung, which without a supply switch is `AT+RESET`; the limit still ends it.
#[test]
fn ladder_zero_zero_without_pins_soft_resets_until_the_limit() {
    let mut c = cfg_quiet();
    c.ladder.reconnects_before_reset = 0;
    c.ladder.resets_before_power_cycle = 0;
    c.ladder.power_cycle_limit = 2;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..11]);
    let mut steps = vec![];
    loop {
        let r = recoveries(&fail_connect(&mut h));
        steps.push(r[0]);
        if r[0] == RecoveryStep::GaveUp {
            break;
        }
        h.advi(1_000 << (steps.len() - 1));
        h.txi(b"AT+RESET\r");
        h.rxi(b"\r\nOK\r\n\r\n^boot.rom'v'!\n\r\nRDY\r\n");
        h.run(&UP[..11]);
    }
    assert_eq!(
        steps,
        [
            RecoveryStep::SoftReset,
            RecoveryStep::SoftReset,
            RecoveryStep::GaveUp
        ]
    );
    let s = h.engine.stats();
    assert_eq!((s.soft_resets, s.module_reboots, s.power_cycles), (2, 0, 0));
    assert_eq!(h.engine.state(), State::Failed);
}

/// A silent module with no pins: 10 s of `AT` at start, then the full 90 s boot time, then
/// `AT+RESET` (the module may just be slow); Air780E with RESET and PWRKEY: RESET then PWRKEY.
#[test]
fn silent_module_without_pins_and_air780e_reset_then_pwrkey() {
    let mut h = Harness::new(cfg_quiet());
    h.start();
    for _ in 0..100 {
        h.txi(b"AT\r");
        h.advi(1_000);
    }
    let n = h.notices();
    assert!(
        has(
            &n,
            Notice::Recovery {
                step: RecoveryStep::SoftReset,
                reason: Status::NoResponse,
                failures: 1
            }
        ),
        "{n:?}"
    );
    h.advi(999);
    h.txi(b"");
    h.advi(1);
    h.txi(b"AT+RESET\r");
    h.rxi(b"\r\nOK\r\n");
    h.txi(b"AT\r");

    let mut c = cfg_quiet();
    c.profile = Profile::Air780e;
    c.pins = Pins::RESET | Pins::PWRKEY;
    c.ladder.reconnects_before_reset = 0;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..11]);
    assert_eq!(recoveries(&fail_connect(&mut h)), [RecoveryStep::ResetPin]);
    let (r, k) = (Pin::Reset, Pin::Pwrkey);
    let pins = watch_pins(&mut h, 100_000);
    assert_eq!(
        pins,
        [
            (r, true, 1_000),
            (r, false, 1_600),
            (k, true, 1_700),
            (k, false, 3_700)
        ]
    );
    h.txi(b"AT\r");
}

/// Subscribe, unsubscribe and publish while recovering and while restoring: the table and the
/// queue are served in order after the re-connect.
#[test]
fn api_calls_from_backoff_and_restoring() {
    let mut h = Harness::new(cfg_quiet());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    h.start();
    h.run(&up());
    h.take_events();
    h.rxi(b"\r\nCLOSED\r\n");
    assert_eq!(h.engine.state(), State::Recovering);
    let b = h.engine.subscribe(b"b/#", 0).unwrap();
    let u = h.engine.unsubscribe(b"dev/cmd").unwrap();
    let p = h.engine.publish(b"t", b"1", 1, false).unwrap();
    h.inv();
    // The clean session that had `dev/cmd` went with the link: nothing to send.
    let n = h.notices();
    assert_eq!(
        n.last(),
        Some(&Notice::Unsubscribed {
            id: u,
            status: Status::Ok
        }),
        "{n:?}"
    );
    h.advi(1_000);
    h.run(&[
        (b"AT+MIPCLOSE\r", b"\r\nOK\r\n"),
        (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
        (
            b"AT+MIPSTART=\"broker.example\",1883\r",
            b"\r\nOK\r\n\r\nCONNECT OK\r\n",
        ),
        (b"AT+MCONNECT=1,120\r", b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
    ]);
    assert_eq!(h.engine.state(), State::Restoring);
    h.txi(b"AT+MSUB=\"b/#\",0\r");
    // Restoring: a new filter joins the restore, a publish waits for online.
    let c = h.engine.subscribe(b"c", 2).unwrap();
    let q = h.engine.publish(b"t", b"2", 0, false).unwrap();
    h.inv();
    h.txi(b"");
    h.rxi(b"\r\nOK\r\n\r\nSUBACK\r\n");
    h.run(&[
        (b"AT+MSUB=\"c\",2\r", b"\r\nOK\r\n\r\nSUBACK\r\n"),
        (b"AT+MPUB=\"t\",1,0,\"1\"\r", b"\r\nOK\r\n\r\nPUBACK\r\n"),
        (b"AT+MPUB=\"t\",0,0,\"2\"\r", b"\r\nOK\r\n"),
    ]);
    h.txi(b"");
    let n = h.notices();
    let want = [
        Notice::Subscribed {
            id: b,
            restored: false,
        },
        Notice::Subscribed {
            id: c,
            restored: false,
        },
        Notice::State(State::Online),
        Notice::Published { id: p },
        Notice::Published { id: q },
    ];
    assert_eq!(&n[n.len() - 5..], want, "{n:?}");
}

/// TLS: every configured SSLCFG item on context 88 once per module boot: not again after
/// `CLOSED`, again after `RDY`.
#[test]
fn sslcfg_once_per_module_boot() {
    let mut c = cfg_quiet();
    c.options |= cellmqtt::Options::TLS;
    c.tls.version = Some(3);
    c.tls.ca_file = b"ca.crt";
    c.tls.client_cert_file = b"client.crt";
    c.tls.client_key_file = b"client.key";
    c.tls.seclevel = Some(2);
    c.tls.sni = b"broker.example";
    let mut h = Harness::new(c);
    let ssl: &[(&[u8], &[u8])] = &[
        (b"AT+SSLCFG=\"sslversion\",88,3\r", b"\r\nOK\r\n"),
        (b"AT+SSLCFG=\"cacert\",88,\"ca.crt\"\r", b"\r\nOK\r\n"),
        (
            b"AT+SSLCFG=\"clientcert\",88,\"client.crt\"\r",
            b"\r\nOK\r\n",
        ),
        (
            b"AT+SSLCFG=\"clientkey\",88,\"client.key\"\r",
            b"\r\nOK\r\n",
        ),
        (b"AT+SSLCFG=\"seclevel\",88,2\r", b"\r\nOK\r\n"),
        (
            b"AT+SSLCFG=\"hostname\",88,\"broker.example\"\r",
            b"\r\nOK\r\n",
        ),
    ];
    let connect = TLS_CONNECT;
    h.start();
    h.run(&UP[..10]);
    h.run(ssl);
    h.run(connect);
    h.rxi(b"\r\nCLOSED\r\n");
    h.advi(1_000);
    h.run(connect);
    h.rxi(b"\r\nRDY\r\n");
    h.run(&UP[..10]);
    h.run(ssl);
    h.run(connect);
    assert_eq!(h.engine.state(), State::Online);
}
