//! The capture fragments quoted by the dialect documents (docs/luat-at.md,
//! docs/quectel-simcom-at.md) that no other engine-level test drives as quoted: their bytes,
//! order, blank lines and timing, fed to the engine split where a UART would split them. Each
//! test names the section (and the document's source tag) it comes from.
mod common;

use cellmqtt::{Notice, RecoveryStep, State};
use common::simcom;
use common::{config, luat_online_with_dev_cmd, messages, notices_of, recoveries, Ev, Harness};

// ---------------------------------------------------------------------------------------------
// Luat (docs/luat-at.md)

/// §11 (EC618 V1121: `CONNECT OK` lost its trailing `\r\n`, "a parser waiting for CRLF would
/// stall") with §5.2 (MCONNECT must follow `CONNECT OK` at once; one broker closes after 5 s,
/// P2). The module prints nothing more until the broker gives up, so the engine must act on
/// `\r\nCONNECT OK` without its line end well inside those 5 s.
#[test]
fn luat_connect_ok_without_its_line_end_v1121() {
    let mut h = Harness::new(config());
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nCONNECT OK");
    for _ in 0..20 {
        if h.pending_tx() {
            break;
        }
        h.advance(100);
    }
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
}

/// §5.9 direct mode, the quoted messages: S6 `+MSUB: "mqtt/sub_topic",6 byte,123456`, G3
/// `+MSUB: "/a1mxL3s6Z7m/866714043075174/user/get",11 byte,Hello World`, and S6's 20-byte
/// `{\n  "msg": "hello"\n}` printed over three lines; split mid-line and mid-payload.
#[test]
fn luat_direct_messages_as_quoted_split_mid_line() {
    let mut h = luat_online_with_dev_cmd();
    let t1 = b"mqtt/sub_topic".to_vec();
    let t2 = b"/a1mxL3s6Z7m/866714043075174/user/get".to_vec();
    let json = b"{\n  \"msg\": \"hello\"\n}".to_vec();
    assert_eq!(json.len(), 20);
    h.rx(b"\r\n+MSUB: \"mqtt/sub_to");
    h.rx(b"pic\",6 byte,123");
    h.rx(b"456\r\n\r\n+MSUB: \"/a1mxL3s6Z7m/866714043075174/user/get\",11 byte,Hello");
    h.rx(b" World\r\n");
    h.rx(b"\r\n+MSUB: \"mqtt/sub_topic\",20 byte,{\n  \"msg\"");
    h.rx(b": \"hello\"\n");
    h.rx(b"}\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [
            (t1.clone(), b"123456".to_vec()),
            (t2, b"Hello World".to_vec()),
            (t1, json)
        ],
        "{ev:?}"
    );
    let s = h.engine.stats();
    assert_eq!((s.lines_unknown, s.messages_corrupt), (0, 0));
    assert_eq!(h.engine.state(), State::Online);
}

/// §2.2 8910 boot lines (G1: `RDY`, `SMS READY`, `UART Boot Completed`) and S8 V301831
/// (`+CPIN: READY` reported twice, unsolicited), arriving while the bring-up polls and while
/// the identity is read: the transcript is unchanged and the IMEI is the module's.
#[test]
fn luat_8910_boot_lines_and_a_double_cpin_ready_during_the_bring_up() {
    let mut h = Harness::new(config());
    h.start();
    h.tx(b"AT\r");
    h.rx(b"\r\nRDY\r\n");
    h.rx(b"AT\r\r\nOK\r\n\r\nSMS READY\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nUART Boot Completed\r\nATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.tx(b"AT+CGSN\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nSMS READY\r\n");
    h.rx(b"\r\n866714043075174\r\n\r\nOK\r\n");
    for (cmd, answer) in &common::IDENTITY[1..] {
        h.tx(cmd);
        h.rx(answer);
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGSET=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.module_facts().imei.get(), b"866714043075174");
    let s = h.engine.stats();
    assert_eq!((s.module_reboots, s.connects), (0, 1));
}

/// quectel-simcom-at.md §1 ("results can arrive before the final `OK` or after it ... the
/// parser must match results by prefix, not by position"; retained messages before the
/// subscribe's result, S17) applied to Luat's §5.4 `AT+MSUB` → `OK` → `SUBACK`: the broker's
/// retained message comes after the `OK`, and in a second subscribe before it.
#[test]
fn luat_retained_message_before_suback() {
    let mut h = luat_online_with_dev_cmd();
    let a = h.engine.subscribe(b"r/a", 0).unwrap();
    h.tx(b"AT+MSUB=\"r/a\",0\r");
    h.rx(b"\r\nOK\r\n\r\n+MSUB: \"r/a\",4 byte,ke");
    h.rx(b"pt\r\n\r\nSUB");
    h.rx(b"ACK\r\n");
    let b = h.engine.subscribe(b"r/b", 0).unwrap();
    h.tx(b"AT+MSUB=\"r/b\",0\r");
    h.rx(b"\r\n+MSUB: \"r/b\",3 byte,old\r\n\r\nOK\r\n\r\nSUBACK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [
            (b"r/a".to_vec(), b"kept".to_vec()),
            (b"r/b".to_vec(), b"old".to_vec())
        ],
        "{ev:?}"
    );
    for id in [a, b] {
        assert!(
            ev.contains(&Ev::N(Notice::Subscribed {
                id,
                restored: false
            })),
            "{ev:?}"
        );
    }
    assert_eq!(h.engine.state(), State::Online);
}

/// §5.11 health check answered as G4 prints it (`\r\n+MQTTSTATU :1\r\n\r\nOK\r\n`, §1) with a
/// message arriving between the state line and the `OK` (S17 saw `+MQTTSTATU :1` and `+MSUB`
/// live): the message is delivered and the session stays up.
#[test]
fn luat_health_check_with_a_message_inside_its_answer() {
    let mut h = luat_online_with_dev_cmd();
    h.advance(60_000);
    h.tx(b"AT+MQTTSTATU\r");
    h.rx(b"\r\n+MQTTSTATU :1\r\n\r\n+MSUB: \"dev/cmd\",2 byte,hi\r\n\r\nOK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"dev/cmd".to_vec(), b"hi".to_vec())],
        "{ev:?}"
    );
    let n = notices_of(&ev);
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.state(), State::Online);
}

/// §2.3 (G5: commands before the stack is ready may fail with `+CME ERROR: 4`) and §4.2 (G2:
/// `+CME ERROR: 14` right after `RDY`): the SIM and attach queries are asked again, with no
/// recovery step.
#[test]
fn luat_cme_4_and_14_before_the_stack_is_ready_are_asked_again() {
    let mut h = Harness::new(config());
    h.start();
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: 4\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: 14\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    common::identify(&mut h);
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CME ERROR: 4\r\n");
    h.advance(1_000);
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGSET=0\r");
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.stats().module_reboots, 0);
}

/// §2.2 / §4.6 / §4.7: the other boot and packet-domain URCs quoted (`^MODE: 17,17`,
/// `+E_UTRAN Service`, `+CGEV: ME PDN ACT 1`, `+CGEV: ME PDN ACT 1,0`, `+NITZ: 2024/07/10,
/// 08:33:44+0,0` (P3), `+CEREG: 1`, `+CGREG: 0,1`) in mid-session, split mid-line, between a
/// publish and its `OK`: they only inform; the publish completes, nothing recovers.
#[test]
fn luat_informing_urcs_inside_a_publish() {
    let mut h = luat_online_with_dev_cmd();
    let id = h.engine.publish(b"dev/up", b"x", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"dev/up\",1,0,\"x\"\r");
    h.rx(b"\r\n^MODE: 17,17\r\n\r\n+E_UTRAN Ser");
    h.rx(b"vice\r\n\r\n+CGEV: ME PDN ACT 1\r\n\r\n+CGEV: ME PDN ACT 1,0\r\n\r\nOK\r\n");
    h.rx(b"\r\n+NITZ: 2024/07/10,08:33:44+0,0\r\n\r\n+CEREG: 1\r\n\r\n+CGREG: 0,1\r\n");
    h.rx(b"\r\nPUBACK\r\n");
    h.tx_nothing();
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.state(), State::Online);
}

/// §2.2 / §2.3 / §9 (S15: `AT+RESET` `OK` 15:27:11.466, `RDY` ~1.5 s later, shown as `?RDY`
/// for a glitch byte; the network URCs ~6.9 s after the `OK`; P3's `^MODE: 17,17`,
/// `+E_UTRAN Service`, `+CGEV: ME PDN ACT 1`, `+NITZ: 2024/07/10,08:33:44+0,0`). The
/// engine's own reset rung: the probes before `RDY` go unanswered, the late URCs fall inside
/// the bring-up; one reset, no further ladder step, online again.
#[test]
fn luat_at_reset_with_the_s15_boot_timing() {
    use common::checked::{cfg_quiet, Checked, UP};
    let mut c = cfg_quiet();
    c.ladder.reconnects_before_reset = 0;
    let mut h = Harness::new(c);
    h.start();
    h.run(&UP[..12]);
    h.tx(UP[12].0);
    // The bearer is down (a module-side failure): the ladder's reset rung.
    h.rx(b"\r\nOK\r\n\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n");
    assert_eq!(recoveries(&h.notices()), [RecoveryStep::SoftReset]);
    let wait = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(wait);
    h.tx(b"AT+RESET\r");
    h.rx(b"\r\nOK\r\n");
    h.forget_tx();
    let start = h.uart.written.len();
    for _ in 0..15 {
        h.advance(100);
    }
    let sent = String::from_utf8_lossy(&h.uart.written[start..]).to_string();
    assert!(sent.replace("AT\r", "").is_empty(), "only probes: {sent:?}");
    h.forget_tx();
    h.rx(b"\r\n\xffRDY\r\n");
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    let mut waited = 0;
    while !h.pending_tx() && waited < 10_000 {
        h.advance(100);
        waited += 100;
    }
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    common::identify(&mut h);
    h.tx(b"AT+CGATT?\r");
    h.advance(1_000);
    h.rx(b"\r\n^MODE: 17,17\r\n\r\n+E_UTRAN Service\r\n\r\n+CGEV: ME PDN ACT 1\r\n");
    h.rx(b"\r\n+NITZ: 2024/07/10,08:33:44+0,0\r\n\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.run(&UP[8..12]);
    h.tx(UP[12].0);
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(UP[14].0);
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    let s = h.engine.stats();
    assert_eq!((s.soft_resets, s.reset_pulses, s.power_cycles), (1, 0, 0));
}

// ---------------------------------------------------------------------------------------------
// Quectel (docs/quectel-simcom-at.md §2.1, §3)

/// Online with `q/#` (QoS 2) subscribed as request 1, events taken.
fn quectel_online() -> Harness {
    let mut h = Harness::new(common::quectel_config());
    assert_eq!(h.engine.subscribe(b"q/#", 2), Ok(1));
    common::quectel_bring_online(&mut h);
    h.tx(b"AT+QMTSUB=0,1,\"q/#\",2\r");
    h.rx(b"\r\nOK\r\n");
    h.rx(b"\r\n+QMTSUB: 0,1,0,2\r\n");
    h.take_events();
    h
}

/// §2.1 / Q03: the module's reset answers `OK`, then `POWERED DOWN`, and `RDY` comes about
/// 6 s after `AT+CFUN=1,1`. The engine's own reset rung must wait for it: the probes during
/// those seconds go unanswered, and that is no new failure (no RESET pin, no second reset).
#[test]
fn quectel_cfun_reset_with_rdy_six_seconds_later() {
    let mut h = Harness::new(common::quectel_config());
    h.start();
    common::quectel_boot(&mut h, true);
    // Four failed attaches (`AT+QIACT=1` → ERROR, `AT+QIACT?` → bare OK, §3.1 Q08): with no
    // pins wired the reset rung is the module's own reboot.
    for _ in 0..4 {
        h.tx(b"AT+QIACT=1\r");
        h.rx(b"\r\nERROR\r\n");
        h.tx(b"AT+QIACT?\r");
        h.rx(b"\r\nOK\r\n");
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        h.advance(wait);
    }
    let n = h.notices();
    assert_eq!(
        recoveries(&n).last(),
        Some(&RecoveryStep::SoftReset),
        "{n:?}"
    );
    h.tx(b"AT+CFUN=1,1\r");
    h.rx(b"\r\nOK\r\n");
    h.advance(300);
    h.rx(b"\r\nPOWERED DOWN\r\n");
    // The reset's own `POWERED DOWN` is no new failure.
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    h.forget_tx();
    let start = h.uart.written.len();
    // ~6 s of silence: only probes may go out.
    for _ in 0..57 {
        h.advance(100);
    }
    let sent = h.uart.written[start..].to_vec();
    h.forget_tx();
    let sent_s = String::from_utf8_lossy(&sent).to_string();
    assert!(
        sent_s.replace("AT\r", "").is_empty(),
        "only probes while rebooting: {sent_s:?}"
    );
    h.rx(b"\r\nRDY\r\n");
    let n = h.notices();
    let extra: Vec<_> = recoveries(&n);
    assert!(
        extra.is_empty(),
        "no new ladder step for the boot it waited for: {n:?}"
    );
    assert!(!n.iter().any(|e| matches!(e, Notice::Pin { .. })), "{n:?}");
    // The next probe is answered.
    let mut waited = 0;
    while !h.pending_tx() && waited < 10_000 {
        h.advance(100);
        waited += 100;
    }
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    for (cmd, answer) in common::QUECTEL_IDENTITY {
        h.tx(cmd);
        h.rx(answer);
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    common::quectel_close_and_cfg(&mut h, false);
    common::quectel_open_connect(&mut h);
    assert_eq!(h.engine.state(), State::Online);
    let s = h.engine.stats();
    assert_eq!((s.soft_resets, s.reset_pulses, s.power_cycles), (1, 0, 0));
}

/// §1 (results by prefix, not position) with §3.5 (`OK` … `+QMTSUB`) and §3.7 (`+QMTRECV` with
/// BG96's blank lines, Q04): a retained message arrives between the subscribe's `OK` and its
/// `+QMTSUB`, split mid-header.
#[test]
fn quectel_retained_message_before_the_subscribe_result() {
    let mut h = quectel_online();
    let id = h.engine.subscribe(b"r/+", 1).unwrap();
    h.tx(b"AT+QMTSUB=0,2,\"r/+\",1\r");
    h.rx(b"\r\nOK\r\n\r\n\r\n+QMTRECV: 0,0,\"r/1\",");
    h.rx(b"4,\"kept\"\r\n\r\n");
    h.rx(b"\r\n+QMTSUB: 0,2,0,1\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"r/1".to_vec(), b"kept".to_vec())],
        "{ev:?}"
    );
    assert!(
        ev.contains(&Ev::N(Notice::Subscribed {
            id,
            restored: false
        })),
        "{ev:?}"
    );
    assert_eq!(h.engine.state(), State::Online);
}

/// §3.6 / §3.12 (Q02: the QoS0 `+QMTPUBEX` 4 ms after `OK`, so in the same read) and §3.7 /
/// §3.13 item 1 (Q05: a single `\r\n` each side of `+QMTRECV`): a message arriving between the
/// prompt's data and the publish's `OK`, then the result in the same read as the `OK`.
#[test]
fn quectel_message_between_the_data_and_the_publish_ok() {
    let mut h = quectel_online();
    let id = h.engine.publish(b"q/up", b"v", 0, false).unwrap();
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/up\",1\r");
    h.rx(b"\r\n> ");
    h.tx(b"v");
    h.rx(b"\r\n+QMTRECV: 0,0,\"q/in\",2,\"ab\"\r\n\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"q/in".to_vec(), b"ab".to_vec())],
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
    let s = h.engine.stats();
    assert_eq!((s.unexpected_acks, s.lines_unknown), (0, 0));
}

// ---------------------------------------------------------------------------------------------
// SIMCom (docs/quectel-simcom-at.md §2.2, §4)

fn simcom_online() -> Harness {
    let mut h = Harness::new(simcom::config());
    assert_eq!(h.engine.subscribe(b"s/#", 1), Ok(1));
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    h
}

/// §4.6 / §4.14 item 3 (S08): the one-step subscribe refused by an AWS policy puts
/// `+CMQTTSUB: 0,6` between two `OK`s, and the broker then closes: `+CMQTTCONNLOST: 0,1`.
/// The broker refuses that filter the same way every time. Without the close the engine drops
/// the filter (tests/engine_simcom.rs, `a_subscribe_failure_between_two_oks_removes_the_filter`);
/// with it, as S08 shows, the filter must not be re-sent after every re-connect forever: within
/// three cycles the application is told (`SubscribeFailed`) and the session stays up.
#[test]
fn simcom_s08_subscribe_refused_then_the_connection_lost() {
    let mut h = simcom_online();
    let id = h.engine.subscribe(b"deny/#", 1).unwrap();
    let mut all = vec![];
    let mut refusals = 0;
    for _ in 0..3 {
        h.tx(b"AT+CMQTTSUB=0,6,1\r");
        h.rx(b"\r\n>");
        h.tx(b"deny/#");
        h.rx(b"\r\nOK\r\n\r\n+CMQTTSUB: 0,6\r\n\r\nOK\r\n\r\n+CMQTTCONNLOST: 0,1\r\n");
        refusals += 1;
        // Whatever the state query in flight got, the re-connect goes after the back-off.
        h.forget_tx();
        let wait = h.engine.poll_delay_ms(h.now, &h.ring);
        h.advance(wait.min(120_000));
        all.extend(h.notices());
        assert_eq!(
            recoveries(&all).last(),
            Some(&RecoveryStep::Reconnect),
            "{all:?}"
        );
        h.tx(b"AT+CMQTTSTART\r");
        h.rx(b"\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n");
        simcom::connect(&mut h);
        simcom::subscribe(&mut h, b"s/#", 1);
        h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
        h.poll();
        all.extend(h.notices());
        if !h.pending_tx() {
            break;
        }
    }
    h.tx_nothing();
    assert!(
        all.iter()
            .any(|e| matches!(e, Notice::SubscribeFailed { id: i, .. } if *i == id)),
        "after {refusals} refusals: {all:?}"
    );
    assert_eq!(h.engine.state(), State::Online);
    let s = h.engine.stats();
    assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
}

/// §4.8 / §4.14 item 5 (S09, S17): blank lines between the `+CMQTTRX…` parts and a payload
/// holding raw LFs, split mid-line and mid-payload.
#[test]
fn simcom_rx_parts_with_blank_lines_between_them() {
    let mut h = simcom_online();
    let payload = b"{\n\"t\":1\n}";
    let mut wire = b"\r\n+CMQTTRXSTART: 0,5,9\r\n\r\n+CMQTTRXTOPIC: 0,5\r\ns/cmd\r\n\r\n".to_vec();
    wire.extend_from_slice(b"+CMQTTRXPAYLOAD: 0,9\r\n");
    wire.extend_from_slice(payload);
    wire.extend_from_slice(b"\r\n\r\n+CMQTTRXEND: 0\r\n");
    let want = [(b"s/cmd".to_vec(), payload.to_vec())];
    h.rx(&wire);
    assert_eq!(messages(&h.take_events()), want);
    for k in 1..wire.len() {
        h.rx(&wire[..k]);
        h.rx(&wire[k..]);
        assert_eq!(messages(&h.take_events()), want, "split at {k}");
    }
    let s = h.engine.stats();
    assert_eq!((s.lines_unknown, s.messages_corrupt), (0, 0));
    h.tx_nothing();
}

/// §4.7 (QoS1 publish, S06/S09) with an incoming message (S09) arriving between the publish's
/// `OK` and its `+CMQTTPUB: 0,0`: both are handled, the publish completes once.
#[test]
fn simcom_message_between_the_publish_ok_and_its_result() {
    let mut h = simcom_online();
    let id = h.engine.publish(b"s/p", b"v", 1, false).unwrap();
    simcom::publish(&mut h, b"s/p", b"v", 1, false);
    let mut wire = b"\r\nOK\r\n".to_vec();
    wire.extend_from_slice(&simcom::rx_message(b"s/x", b"a\nb", 1500));
    wire.extend_from_slice(b"\r\n+CMQTTPUB: 0,0\r\n");
    h.rx(&wire[..9]);
    h.rx(&wire[9..]);
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"s/x".to_vec(), b"a\nb".to_vec())],
        "{ev:?}"
    );
    let published = ev
        .iter()
        .filter(|e| **e == Ev::N(Notice::Published { id }))
        .count();
    assert_eq!(published, 1, "{ev:?}");
    assert_eq!(h.engine.state(), State::Online);
}

/// §2.2 (S15, A76xx timing): `*ATREADY: 1` mid-session, then `+CPIN: READY` 2.6 s and
/// `SMS DONE` 3.6 s later while the engine re-initialises: one reboot, no ladder step and no
/// second reboot for the tail lines.
#[test]
fn simcom_a76xx_reboot_with_its_timed_tail() {
    let mut h = simcom_online();
    h.rx(b"\r\n*ATREADY: 1\r\n");
    let n = h.notices();
    assert!(recoveries(&n).contains(&RecoveryStep::Reinit), "{n:?}");
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: SIM busy\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: SIM busy\r\n");
    h.advance(1_000);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CME ERROR: SIM busy\r\n");
    h.advance(600);
    h.rx(b"\r\n+CPIN: READY\r\n");
    h.advance(400);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    // Identity was read in this boot? It was lost with the reboot: read again if asked.
    if !h.engine.module_facts().read {
        for (cmd, answer) in simcom::IDENTITY {
            h.tx(cmd);
            h.rx(answer);
        }
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+CMQTTSTART\r");
    h.advance(400);
    h.rx(b"\r\nSMS DONE\r\n");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n");
    simcom::acquire(&mut h);
    simcom::connect(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.rx(b"\r\n+CGEV: EPS PDN ACT 1\r\n\r\n+CGEV: ME PDN ACT 8,4\r\n");
    h.tx_nothing();
    assert_eq!(h.engine.state(), State::Online);
    assert_eq!(h.engine.stats().module_reboots, 1);
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
}

// ---------------------------------------------------------------------------------------------
// A message before a data prompt (quectel-simcom-at.md §1: URCs come inside a command's answer;
// luat-at.md §5.7 / quectel-simcom-at.md §3.6, §4.7: the prompt bytes)

/// luat-at.md §5.7 (`AT+MPUBEX` → `>` → data → `OK` → `PUBACK`) with a direct `+MSUB` (§5.9)
/// printed before the prompt, and the prompt split from its line start.
#[test]
fn luat_message_before_the_mpubex_prompt() {
    let mut h = luat_online_with_dev_cmd();
    let payload = [0u8, b'>', b'\r', b'\n', 0xff];
    let id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,5\r");
    h.rx(b"\r\n+MSUB: \"dev/cmd\",4 byte,> hi\r\n\r\n");
    h.rx(b"> ");
    h.tx(&payload);
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"dev/cmd".to_vec(), b"> hi".to_vec())],
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
    assert_eq!(h.engine.state(), State::Online);
}

/// quectel-simcom-at.md §3.6 (`\r\n> ` after `AT+QMTPUBEX`, Q01/Q02) with a `+QMTRECV` (§3.7,
/// Q04 blank lines) printed before the prompt.
#[test]
fn quectel_message_before_the_publish_prompt() {
    let mut h = quectel_online();
    let id = h.engine.publish(b"q/up", b"v", 1, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r").as_bytes());
    h.rx(b"\r\n\r\n+QMTRECV: 0,0,\"q/in\",4,\"> hi\"\r\n\r\n");
    h.rx(b"\r\n> ");
    h.tx(b"v");
    h.rx(format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n").as_bytes());
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [(b"q/in".to_vec(), b"> hi".to_vec())],
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
}

/// quectel-simcom-at.md §4.7 (`AT+CMQTTTOPIC` → `>`) with a message (§4.8, blank lines between
/// the parts, S09/S17) printed before the prompt; and §4.6 / S17 (retained RX before the
/// subscribe's result) with the message before the `OK` that ends the filter's input.
#[test]
fn simcom_messages_before_a_prompt_and_before_the_subscribe_ok() {
    let mut h = simcom_online();
    let id = h.engine.publish(b"s/p", b"v", 1, false).unwrap();
    h.tx(b"AT+CMQTTTOPIC=0,3\r");
    h.rx(b"\r\n+CMQTTRXSTART: 0,3,4\r\n\r\n+CMQTTRXTOPIC: 0,3\r\ns/x\r\n\r\n");
    h.rx(b"+CMQTTRXPAYLOAD: 0,4\r\n> hi\r\n\r\n+CMQTTRXEND: 0\r\n\r\n>");
    h.tx(b"s/p");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPAYLOAD=0,1\r");
    h.rx(b"\r\n>");
    h.tx(b"v");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTPUB=0,1,60\r");
    h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
    let sub = h.engine.subscribe(b"r/+", 0).unwrap();
    h.tx(b"AT+CMQTTSUB=0,3,0\r");
    h.rx(b"\r\n>");
    h.tx(b"r/+");
    let mut wire = simcom::rx_message(b"r/1", b"kept", 1500);
    wire.extend_from_slice(b"\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n");
    h.rx(&wire);
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        messages(&ev),
        [
            (b"s/x".to_vec(), b"> hi".to_vec()),
            (b"r/1".to_vec(), b"kept".to_vec())
        ],
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::Published { id })), "{ev:?}");
    assert!(
        ev.contains(&Ev::N(Notice::Subscribed {
            id: sub,
            restored: false
        })),
        "{ev:?}"
    );
    assert_eq!(h.engine.state(), State::Online);
}
