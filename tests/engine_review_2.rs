//! Adversarial review, part 2: twelve transcripts on which the engine misbehaved when the review
//! wrote them. Each test's comment describes the misbehaviour found; all are fixed, and the
//! tests keep them fixed. Then more transcripts with the no-spin invariant checked after every
//! step (see `engine_review.rs`).
mod common;

use cellmqtt::{Event, LossKind, Notice, Options, Pins, RecoveryStep, State, Status};
use common::checked::{cfg_quiet, has, Checked, CONNECTED_AT, TLS_CONNECT, UP};
use common::{config, recoveries, Ev, Harness, Sizes};

/// Online, no subscriptions, no health check.
fn online() -> Harness {
    let mut h = Harness::new(cfg_quiet());
    h.start();
    h.run(UP);
    assert_eq!(h.engine.state(), State::Online);
    h.take_events();
    h
}

/// Online with `dev/cmd` subscribed, no health check.
fn online_subscribed() -> Harness {
    let mut h = Harness::new(cfg_quiet());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    h.start();
    h.run(UP);
    h.run(&[(b"AT+MSUB=\"dev/cmd\",1\r", b"\r\nOK\r\n\r\nSUBACK\r\n")]);
    h.take_events();
    h
}

/// A UART that takes at most `left` more bytes, then reports "try later".
struct Budget<'u> {
    uart: &'u mut common::Uart,
    left: usize,
}

impl embedded_io::ErrorType for Budget<'_> {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Budget<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.left);
        self.left -= n;
        self.uart.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Polls until idle with a UART that takes only `budget` bytes in total.
fn poll_with_budget(h: &mut Harness, budget: usize) {
    let mut w = Budget {
        uart: &mut h.uart,
        left: budget,
    };
    loop {
        let (_, mut reader) = h.ring.split();
        match h.engine.poll(h.now, &mut reader, &mut w) {
            None => break,
            Some(Event::Notice(n)) => h.events.push(common::Ev::N(n)),
            Some(_) => {}
        }
    }
}

/// `stop` while connected and the module does not answer `AT+MDISCONNECT`: the engine takes the
/// silence for a dead module and starts a recovery, so the session comes back after `stop`.
#[test]
fn stop_with_unanswered_mdisconnect_still_stops() {
    let mut h = online();
    h.engine.stop(h.now);
    h.tx(b"AT+MDISCONNECT\r");
    h.advance(9_000);
    // Expected: go on with the stop (MIPCLOSE, result ignored), never probe or recover.
    h.tx(b"AT+MIPCLOSE\r");
    h.advance(9_000);
    assert_eq!(h.engine.state(), State::Stopped);
    h.advance(300_000);
    h.tx_nothing();
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert!(!n.contains(&Notice::State(State::Probing)), "{n:?}");
}

/// `stop`, then the module reboots (`RDY`) before answering `AT+MDISCONNECT`: the engine treats
/// it as a reboot mid-session and re-initialises, i.e. starts the session again.
#[test]
fn rdy_while_stopping_does_not_restart_the_session() {
    let mut h = online();
    h.engine.stop(h.now);
    h.tx(b"AT+MDISCONNECT\r");
    h.rx(b"\r\nRDY\r\n");
    let (mut wire, mut seen) = (vec![], h.uart.written.len());
    for _ in 0..30 {
        h.advance(1_000);
        wire.extend_from_slice(&h.uart.written[seen..]);
        seen = h.uart.written.len();
        if wire.ends_with(b"AT+MIPCLOSE\r") && h.engine.state() != State::Stopped {
            h.rx(b"\r\n+CME ERROR: 767\r\n");
        }
    }
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.state(), State::Stopped, "{n:?}");
    // The link is gone with the reboot; a MIPCLOSE is harmless, a new session is not.
    assert!(
        wire.is_empty() || wire == b"AT+MIPCLOSE\r",
        "{}",
        String::from_utf8_lossy(&wire)
    );
}

/// The application calls `stop` right after the MPUBEX header went out; the module prints its
/// `>` and waits for the 5 data bytes. The engine drops the prompt of the now stale header and
/// sends `AT+MDISCONNECT` into the module's data mode: `AT+MD` is published to the broker as
/// the message (the link is still up). The same after `CLOSED` between header and prompt.
#[test]
fn prompt_for_a_stale_header_still_gets_its_data() {
    let payload = [0u8, 1, 2, 3, 4];
    let mut h = online();
    h.engine.publish(b"bin", &payload, 0, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",0,0,5\r");
    h.engine.stop(h.now);
    h.rx(b"\r\n> ");
    // The module is in data mode: it must get exactly 5 bytes before any command.
    h.tx(&payload);

    let mut h = online();
    let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,5\r");
    h.rx(b"\r\nCLOSED\r\n\r\n> ");
    h.tx(&payload);
    h.rx(b"\r\nERROR\r\n");
    h.advance(1_000);
    h.run(&[
        (b"AT+MIPCLOSE\r", b"\r\n+CME ERROR: 767\r\n"),
        (UP[11].0, UP[11].1),
        (UP[12].0, b"\r\nOK\r\n\r\nCONNECT OK\r\n"),
        (UP[14].0, b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
        (b"AT+MPUBEX=\"bin\",1,0,5\r", b"\r\n> "),
        (&payload, b"\r\nOK\r\n\r\nPUBACK\r\n"),
    ]);
    assert!(h.notices().contains(&Notice::Published { id }));
}

/// The same with a module that rebooted: a partly written MPUBEX payload must not be streamed
/// on into the fresh module, whose command parser would take the raw bytes as AT commands.
#[test]
fn rdy_mid_payload_stops_the_payload_and_probes_at_once() {
    let mut h = online();
    let mut payload = vec![0u8; 300];
    payload[100..117].copy_from_slice(b"\rAT+CFUN=0\rAT&W\r\n");
    h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,300\r");
    h.ring.push(b"\r\n> ");
    poll_with_budget(&mut h, 64); // a slow UART: 64 bytes went out
    h.ring.push(b"\r\n\x00\xff^boot.rom'v'!\n\r\nRDY\r\n");
    h.poll();
    let mut want = payload[..64].to_vec();
    want.extend_from_slice(b"AT\r");
    h.tx(&want);
}

/// `PUBACK` printed before the `OK` of `AT+MPUB` (a URC between a command and its result): the
/// engine counts it as unexpected, waits `ack_ms` (20 s) for a PUBACK that already came, then
/// verifies the link and publishes the message a second time.
#[test]
fn puback_before_ok_completes_the_publish() {
    let mut h = online();
    let id = h.engine.publish(b"t", b"m", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"m\"\r");
    h.rx(b"\r\nPUBACK\r\n\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id }]);
    let id2 = h.engine.publish(b"t", b"n", 2, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",2,0,\"n\"\r");
    h.rx(b"\r\nPUBREC\r\n\r\nOK\r\n\r\nPUBCOMP\r\n");
    assert_eq!(h.notices(), [Notice::Published { id: id2 }]);
    h.advance(30_000);
    h.tx_nothing();
    assert_eq!(h.engine.stats().unexpected_acks, 0);
}

/// `SUBACK` printed before the `OK` of `AT+MSUB`: the subscription the broker confirmed is
/// reported failed after `ack_ms` and removed from the table (never restored again).
#[test]
fn suback_before_ok_confirms_the_subscription() {
    let mut h = online();
    let id = h.engine.subscribe(b"a/b", 1).unwrap();
    h.tx(b"AT+MSUB=\"a/b\",1\r");
    h.rx(b"\r\nSUBACK\r\n\r\nOK\r\n");
    let mut n = h.notices();
    h.advance(20_000);
    if h.pending_tx() {
        h.tx(b"AT+MQTTSTATU\r");
        h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    }
    n.extend(h.notices());
    assert!(
        n.contains(&Notice::Subscribed {
            id,
            restored: false
        }),
        "{n:?}"
    );
    assert!(
        !n.iter()
            .any(|e| matches!(e, Notice::SubscribeFailed { .. })),
        "{n:?}"
    );
}

/// A `SUBACK` while an `AT+MUNSUB` waits for `UNSUBACK` (e.g. the late SUBACK of an earlier
/// MSUB whose wait timed out) completes the unsubscribe: the kind of ack is not checked.
#[test]
fn a_suback_does_not_complete_an_unsubscribe() {
    let mut h = online_subscribed();
    let u = h.engine.unsubscribe(b"dev/cmd").unwrap();
    h.tx(b"AT+MUNSUB=\"dev/cmd\"\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
    assert!(h.notices().is_empty(), "a SUBACK is no UNSUBACK");
    assert_eq!(h.engine.stats().unexpected_acks, 1);
    h.rx(b"\r\nUNSUBACK\r\n");
    assert_eq!(
        h.notices(),
        [Notice::Unsubscribed {
            id: u,
            status: Status::Ok
        }]
    );
}

/// A `CONNECT OK` that arrives after its MIPSTART was given up (connect_ms) survives the
/// failure and the MIPCLOSE: at the next MIPSTART the engine sends MCONNECT right after `OK`,
/// before the new TCP link is up, and the cycle fails.
#[test]
fn a_late_connect_ok_does_not_count_for_the_next_mipstart() {
    let mut c = cfg_quiet();
    c.timeouts.connect_ms = 10_000;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..13]);
    h.advance(10_000);
    assert!(h.notices().iter().any(|n| matches!(
        n,
        Notice::Recovery {
            step: RecoveryStep::Reconnect,
            reason: Status::ConnectFailed,
            ..
        }
    )));
    h.rx(b"\r\nCONNECT OK\r\n"); // late, during the back-off
    h.advance(1_000);
    h.run(&[(b"AT+MIPCLOSE\r", b"\r\nOK\r\n"), UP[11], UP[12]]);
    // The new link is not up yet: wait for its CONNECT OK.
    h.tx_nothing();
    h.rx(b"\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");

    // The same after `stop` while MIPSTART waits, then `start`.
    let mut h = Harness::new(config());
    h.start();
    h.run(&UP[..13]);
    h.engine.stop(h.now);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nCONNECT OK\r\n\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
    h.start();
    // No reboot since: the identity (UP[3..7]) is not read again.
    h.run(&UP[..3]);
    h.run(&UP[7..13]);
    h.tx_nothing();
}

/// No RESET pin: the ladder sends `AT+RESET`. A module that reboots before its `OK` is out (or
/// loses it in the boot garbage) prints `RDY` only. The engine takes that `RDY` for a reboot
/// "mid-session", counts another failure and sends `AT+RESET` again; with no re-connect rungs
/// configured it never gets past the reset.
#[test]
fn rdy_without_ok_after_at_reset_continues_with_the_boot() {
    let mut c = cfg_quiet();
    c.ladder.reconnects_before_reset = 0;
    c.ladder.resets_before_power_cycle = 1;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..12]);
    h.tx(UP[12].0);
    // The bearer is down (a module-side failure): the ladder's next rung, `AT+RESET`.
    h.rx(b"\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    assert_eq!(recoveries(&h.notices()), [RecoveryStep::SoftReset]);
    h.advance(1_000);
    h.tx(b"AT+RESET\r");
    h.rx(b"\r\n^boot.rom'v'!\n\r\nRDY\r\n");
    let mut waited = 0;
    while !h.pending_tx() && waited < 1_000 {
        h.advance(100);
        waited += 100;
    }
    // Expected: the boot continues with the probe, no new ladder step.
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
}

/// The module reboots while the session is stopped (the application power-cycles it, then
/// calls `start`): the `RDY` is ignored, and the new session skips `AT+SSLCFG`, which "must be
/// set once per boot" (docs/luat-at.md §6.1): TLS then runs without the configured CA check.
#[test]
fn rdy_while_stopped_resends_sslcfg_on_start() {
    let mut c = cfg_quiet();
    c.options |= Options::TLS;
    c.tls.ca_file = b"ca.crt";
    c.tls.seclevel = Some(1);
    let mut h = Harness::new(c);
    let ssl: &[(&[u8], &[u8])] = &[
        (b"AT+SSLCFG=\"cacert\",88,\"ca.crt\"\r", b"\r\nOK\r\n"),
        (b"AT+SSLCFG=\"seclevel\",88,1\r", b"\r\nOK\r\n"),
    ];
    h.start();
    h.run(&UP[..10]);
    h.run(ssl);
    h.run(TLS_CONNECT);
    assert_eq!(h.engine.state(), State::Online);
    h.engine.stop(h.now);
    h.run(&[
        (b"AT+MDISCONNECT\r", b"\r\nOK\r\n"),
        (b"AT+MIPCLOSE\r", b"\r\nOK\r\n"),
    ]);
    h.rx(b"\r\n^boot.rom'v'!\n\r\nRDY\r\n\r\n+CPIN: READY\r\n");
    h.start();
    let mut boot = UP[..10].to_vec();
    boot[1] = (b"ATE0\r", b"ATE0\r\r\nOK\r\n"); // echo is on again after the boot
    h.run(&boot);
    h.run(ssl);
    h.run(TLS_CONNECT);
}

/// `+PDP DEACT` while MIPSTART waits for `CONNECT OK` is ignored (the link is not "in use"), so
/// the failed cycle that follows re-connects without the `AT+CIPSHUT` the engine sends for the
/// same URC once connected (docs/luat-at.md §4 +PDP DEACT, §10.2): the context stays down.
#[test]
fn pdp_deact_while_connecting_shuts_the_context() {
    let mut h = Harness::new(cfg_quiet());
    h.start();
    h.run(&UP[..13]);
    h.rxi(b"\r\n+PDP DEACT\r\n");
    h.rxi(b"\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    h.advi(1_000);
    h.run(&[
        (b"AT+MIPCLOSE\r", b"\r\nOK\r\n"),
        (b"AT+CIPSHUT\r", b"\r\nSHUT OK\r\n"),
        UP[11],
    ]);
}

/// `poll_delay_ms` documents `u32::MAX` (C: `UINT32_MAX`) as "nothing scheduled", which the
/// ports map to "sleep until notified"; once a `poll` has settled it returns 2^31 - 1 instead.
#[test]
fn nothing_scheduled_is_u32_max() {
    let mut h = Harness::new(config());
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), u32::MAX);
    h.poll();
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), u32::MAX);
}

/// Every timeout at 1 ms with a silent module: the engine never spins and keeps escalating.
#[test]
fn one_ms_timeouts_never_spin() {
    let mut c = config();
    let t = &mut c.timeouts;
    for v in [
        &mut t.command_ms,
        &mut t.poll_interval_ms,
        &mut t.boot_ms,
        &mut t.silence_ms,
        &mut t.sim_ms,
        &mut t.attach_ms,
        &mut t.connect_ms,
        &mut t.connack_ms,
        &mut t.ack_ms,
        &mut t.prompt_ms,
        &mut t.backoff_min_ms,
        &mut t.backoff_max_ms,
        &mut t.reset_pulse_ms,
        &mut t.power_off_ms,
        &mut t.pwrkey_ms,
        &mut t.health_ms,
    ] {
        *v = 1;
    }
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c.ladder.power_cycle_limit = 3;
    let mut h = Harness::new(c);
    h.engine.subscribe(b"a", 2).unwrap();
    h.engine.publish(b"t", b"x", 2, false).unwrap();
    h.start();
    h.inv();
    for _ in 0..5_000 {
        h.advi(1);
    }
    assert_eq!(h.engine.state(), State::Failed);
    // Answered at once, the same settings still get online and publish.
    h.start();
    h.forget_tx();
    h.inv();
    let mut i = 0;
    while h.engine.state() != State::Online {
        i += 1;
        assert!(i < 200, "not online: {:?}", h.engine.state());
        let w = h.uart.written.clone();
        let line = String::from_utf8_lossy(&w);
        h.forget_tx();
        let ans: &[u8] = if line.ends_with("AT+CPIN?\r") {
            b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
        } else if line.ends_with("AT+CGATT?\r") {
            b"\r\n+CGATT: 1\r\n\r\nOK\r\n"
        } else if line.ends_with("AT+MIPSTART=\"broker.example\",1883\r") {
            b"\r\nOK\r\n\r\nCONNECT OK\r\n"
        } else if line.ends_with("AT+MCONNECT=1,120\r") {
            b"\r\nOK\r\n\r\nCONNACK OK\r\n"
        } else if line.ends_with("AT+MSUB=\"a\",2\r") {
            b"\r\nOK\r\n\r\nSUBACK\r\n"
        } else if line.ends_with('\r') {
            b"\r\nOK\r\n"
        } else {
            h.advi(1);
            continue;
        };
        h.rxi(ans);
    }
    h.txi(b"AT+MPUB=\"t\",2,0,\"x\"\r");
    h.rxi(b"\r\nOK\r\n\r\nPUBREC\r\n\r\nPUBCOMP\r\n");
    assert!(h
        .notices()
        .iter()
        .any(|n| matches!(n, Notice::Published { .. })));
}

/// Cache mode: notices that arrive while the link is down are read once online again.
#[test]
fn cache_notices_while_offline_are_read_after_the_reconnect() {
    let mut c = cfg_quiet();
    c.options |= Options::CACHE_MODE;
    let mut h = Harness::new(c);
    h.start();
    let mut up: Vec<(&[u8], &[u8])> = UP[..CONNECTED_AT].to_vec();
    up[8] = (b"AT+MQTTMSGSET=1\r", b"\r\nOK\r\n");
    h.run(&up);
    h.rxi(b"\r\nCLOSED\r\n");
    h.rxi(b"\r\n+MSUB: 2\r\n");
    h.advi(1_000);
    h.txi(b"AT+MIPCLOSE\r");
    h.rxi(b"\r\n+MSUB: 3\r\n\r\nOK\r\n");
    h.run(&up[11..]);
    h.txi(b"AT+MQTTMSGGET\r");
    h.rxi(b"\r\n+MSUB: \"x\",1 byte,2\r\n\r\n+MSUB: \"x\",1 byte,3\r\n\r\nOK\r\n");
    let ev = h.take_events();
    assert!(
        ev.contains(&Ev::Msg(b"x".to_vec(), b"2".to_vec())),
        "{ev:?}"
    );
    assert!(
        ev.contains(&Ev::Msg(b"x".to_vec(), b"3".to_vec())),
        "{ev:?}"
    );
    h.txi(b"");
}

/// Echo left on (ATE0 refused): every echoed command, and the prompt right after the echo of
/// AT+MPUBEX, are handled; the payload goes once the prompt is seen.
#[test]
fn echo_left_on_with_mpubex_prompt() {
    let mut h = Harness::new(cfg_quiet());
    h.start();
    for (i, (tx, rx)) in UP[..CONNECTED_AT].iter().enumerate() {
        h.txi(tx);
        let mut echo = tx.to_vec();
        if i == 1 {
            echo.extend_from_slice(b"\r\nERROR\r\n");
        } else {
            echo.extend_from_slice(rx);
        }
        h.rxi(&echo);
    }
    assert_eq!(h.engine.state(), State::Online);
    let payload = [0u8, b'\r', b'>', b' ', 0xff];
    let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.txi(b"AT+MPUBEX=\"bin\",1,0,5\r");
    h.rxi(b"AT+MPUBEX=\"bin\",1,0,5\r> ");
    h.txi(&payload);
    h.rxi(&payload); // the old 8910 firmware echoed the data too
    h.rxi(b"\r\nOK\r\n\r\nPUBACK\r\n");
    assert!(has(&h.notices(), Notice::Published { id }));
}

/// The MPUBEX prompt never comes: after prompt_ms the data goes anyway (the prompt may have
/// been lost while the module waits for it, and a probe would then be published in its
/// place); here the module was not waiting, so the data's deadline passes, the module is
/// probed (it refuses the stray bytes and the `AT` as one line), the link verified and the
/// message sent again.
#[test]
fn mpubex_prompt_never_arrives() {
    let mut c = cfg_quiet();
    c.timeouts.prompt_ms = 2_000;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..CONNECTED_AT]);
    let id = h.engine.publish(b"bin", &[1, 2, 3], 1, false).unwrap();
    h.txi(b"AT+MPUBEX=\"bin\",1,0,3\r");
    h.advi(1_999);
    h.txi(b"");
    h.advi(1);
    h.txi(&[1, 2, 3]);
    h.advi(8_999);
    h.txi(b"");
    h.advi(1);
    h.txi(b"AT\r");
    h.rxi(b"\r\nERROR\r\n");
    h.txi(b"AT+MQTTSTATU\r");
    h.rxi(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    h.txi(b"AT+MPUBEX=\"bin\",1,0,3\r");
    h.rxi(b"\r\n>");
    h.txi(&[1, 2, 3]);
    h.rxi(b"\r\nOK\r\n\r\nPUBACK\r\n");
    let n = h.notices();
    assert!(has(&n, Notice::Published { id }), "{n:?}");
    assert!(has(
        &n,
        Notice::Log {
            kind: cellmqtt::LogKind::CommandTimeout,
            what: cellmqtt::Subject::MPubEx,
            code: 0,
            reason: cellmqtt::Status::Ok
        }
    ));
}

/// RX ring overflow is counted and reported with the number of bytes.
#[test]
fn rx_overflow_is_counted_and_reported() {
    let mut h = Harness::with_sizes(
        cfg_quiet(),
        Sizes {
            rx: 64,
            ..Sizes::default()
        },
    );
    h.start();
    h.txi(b"AT\r");
    let burst = [b'x'; 100];
    assert_eq!(h.ring.push(&burst), 64);
    h.poll();
    h.inv();
    let n = h.notices();
    assert!(
        has(
            &n,
            Notice::Loss {
                kind: LossKind::RxOverflow,
                count: 36
            }
        ),
        "{n:?}"
    );
    assert_eq!(h.engine.stats().rx_overflow_bytes, 36);
    h.rxi(b"\r\nOK\r\n");
    h.txi(b"ATE0\r");
}

/// `RDY` mid-session, then subscribe, unsubscribe and publish while probing: the reboot is
/// re-initialised with echo on, the table and queue are served after the new connect.
#[test]
fn api_calls_while_probing_after_a_reboot() {
    let mut h = online_subscribed();
    h.txi(b"");
    h.rxi(b"\r\n\x00\xffRDY\r\n");
    assert_eq!(h.engine.state(), State::Probing);
    let u = h.engine.unsubscribe(b"dev/cmd").unwrap();
    let s = h.engine.subscribe(b"new", 0).unwrap();
    let p = h.engine.publish(b"t", b"x", 1, true).unwrap();
    h.txi(b"AT\r");
    h.rxi(b"AT\r\r\nOK\r\n");
    h.txi(b"ATE0\r");
    h.rxi(b"ATE0\r\r\nOK\r\n");
    h.run(&UP[2..]);
    // The rebooted module's session never had `dev/cmd`: its unsubscribe needs no command.
    h.run(&[
        (b"AT+MSUB=\"new\",0\r", b"\r\nOK\r\n\r\nSUBACK\r\n"),
        (b"AT+MPUB=\"t\",1,1,\"x\"\r", b"\r\nOK\r\n\r\nPUBACK\r\n"),
    ]);
    h.txi(b"");
    let n = h.notices();
    for want in [
        Notice::Unsubscribed {
            id: u,
            status: Status::Ok,
        },
        Notice::Subscribed {
            id: s,
            restored: false,
        },
        Notice::Published { id: p },
    ] {
        assert!(has(&n, want), "{n:?}");
    }
    let st = h.engine.stats();
    assert_eq!((st.module_reboots, st.connects, st.links_lost), (1, 2, 1));
}

/// Will in MCONFIG, signal report, and the online message on the will topic after every
/// connect (QoS 1: online only at its PUBACK).
#[test]
fn will_signal_and_online_message_after_every_connect() {
    let mut c = cfg_quiet();
    c.options |= Options::REPORT_SIGNAL;
    c.will = Some(cellmqtt::config::WillConfig {
        topic: b"dev/state",
        payload: b"offline",
        qos: 1,
        retain: true,
    });
    c.online_payload = Some(b"online \"1\"");
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..8]);
    h.run(&[
        (b"AT+CSQ\r", b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n"),
        UP[8],
        UP[9],
        UP[10],
    ]);
    let mconfig = b"AT+MCONFIG=\"dev-1\",\"\",\"\",1,1,\"dev/state\",\"offline\"\r";
    for _ in 0..2 {
        h.run(&[
            (mconfig, b"\r\nOK\r\n"),
            (UP[12].0, b"\r\nOK\r\n\r\nCONNECT OK\r\n"),
            (UP[14].0, b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
        ]);
        h.txi(b"AT+MPUB=\"dev/state\",1,1,\"online \\221\\22\"\r");
        h.rxi(b"\r\nOK\r\n");
        assert_eq!(h.engine.state(), State::Restoring);
        h.rxi(b"\r\nPUBACK\r\n");
        assert_eq!(h.engine.state(), State::Online);
        h.rxi(b"\r\n+CGEV: NW PDN DEACT 1\r\n");
        h.advi(1_000);
        h.run(&[(UP[10].0, b"\r\nERROR\r\n")]);
    }
    let n = h.notices();
    assert!(has(&n, Notice::Signal { rssi: 18, ber: 99 }), "{n:?}");
    assert!(
        !n.iter().any(|e| matches!(e, Notice::PublishFailed { .. })),
        "{n:?}"
    );
}
