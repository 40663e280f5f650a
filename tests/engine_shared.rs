//! Byte-exact transcripts of sharing the module with the application (issue 12): queued AT
//! commands between the session's own, the module's identity, signal and time on demand, and
//! the lines the engine does not consume passed on as URCs.
mod common;

use cellmqtt::{LossKind, Notice, Options, State, Status};
use common::{bring_online, config, Ev, Harness, IDENTITY};

fn online() -> Harness {
    let mut h = Harness::new(config());
    bring_online(&mut h);
    h.take_events();
    h
}

fn done(h: &mut Harness) -> Vec<Notice> {
    h.poll();
    h.notices()
        .into_iter()
        .filter(|n| matches!(n, Notice::AtDone { .. }))
        .collect()
}

/// Asserts that queued command `id`, alone, ended with `status` (no error code).
#[track_caller]
fn assert_done(h: &mut Harness, id: u16, status: Status) {
    let code = 0;
    assert_eq!(done(h), [Notice::AtDone { id, status, code }]);
}

/// After a queued command the module left unanswered: the `AT` that must be answered, then
/// the state query (the session was online), and it stays online.
fn resync_online(h: &mut Harness) {
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTSTATU\r");
    h.rx(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Online);
}

/// The ESC that cancels a prompt is written and the module answers nothing (it counted the
/// ESC as data): nothing more is written until the cancel's deadline.
fn esc_goes_unanswered(h: &mut Harness) {
    h.tx(b"\x1b");
    h.advance(config().timeouts.command_ms - 1);
    h.tx_nothing();
    h.advance(1);
}

/// A publish goes at once and completes; no recovery step is on record.
fn publishes_without_recovery(h: &mut Harness) {
    let id = h.engine.publish(b"t", b"after", 1, false).unwrap();
    h.tx(b"AT+MPUB=\"t\",1,0,\"after\"\r");
    h.rx(b"\r\nOK\r\n\r\nPUBACK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Published { id }), "{n:?}");
    assert!(common::recoveries(&n).is_empty(), "{n:?}");
}

#[test]
fn the_identity_is_read_once_per_boot_and_kept() {
    let mut h = online();
    let f = h.engine.module_facts();
    assert_eq!(f.imei.get(), b"866714043075174");
    assert_eq!(f.revision.get(), b"AirM2M_780E_V1169_LTE_AT");
    assert_eq!(f.iccid.get(), b"89860012345678901234");
    assert_eq!(f.imsi.get(), b"460081234567890");
    // A reboot forgets it; the next boot reads it again, in every form the modules print:
    // `+CGSN:` with quotes, `AT+ICCID` refused and `AT+CCID` bare.
    h.rx(b"\r\nRDY\r\n");
    assert!(h.engine.module_facts().imei.get().is_empty());
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.tx(b"AT+CGSN\r");
    h.rx(b"\r\n+CGSN: \"866714043075999\"\r\n\r\nOK\r\n");
    h.tx(b"AT+CGMR\r");
    h.rx(b"\r\n+CGMR: AirM2M_724UG_V401881\r\n\r\nOK\r\n");
    h.tx(b"AT+ICCID\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+CCID\r");
    h.rx(b"\r\n89860012345678909999\r\n\r\nOK\r\n");
    h.tx(b"AT+CIMI\r");
    h.rx(b"\r\n+CME ERROR: 10\r\n");
    h.tx(b"AT+CGATT?\r");
    let f = h.engine.module_facts();
    assert_eq!(f.imei.get(), b"866714043075999");
    assert_eq!(f.revision.get(), b"AirM2M_724UG_V401881");
    assert_eq!(f.iccid.get(), b"89860012345678909999");
    assert!(
        f.imsi.get().is_empty(),
        "a refused query leaves the field empty"
    );
    // Refused identity queries are expected answers, not errors.
    assert_eq!(h.engine.stats().command_errors, 0);
}

#[test]
fn the_imei_can_be_the_client_id() {
    let mut c = config();
    c.client_id = b"";
    c.options |= Options::CLIENT_ID_IMEI;
    let mut h = Harness::new(c);
    h.start();
    common::prepare_after_boot(&mut h);
    h.tx(b"AT+MCONFIG=\"866714043075174\",\"\",\"\"\r");
}

/// A queued command waits for an MPUBEX prompt and its data, goes out after the `OK`, and the
/// publish's `PUBACK`, arriving inside its answer, still completes the publish.
#[test]
fn a_queued_command_waits_for_the_publish_in_flight_and_its_prompt() {
    let mut h = online();
    let payload = [0u8, 1, 2, b'\r', b'\n'];
    let pub_id = h.engine.publish(b"bin", &payload, 1, false).unwrap();
    h.tx(b"AT+MPUBEX=\"bin\",1,0,5\r");
    let at = h.engine.at_command(b"AT+CPMS?", 5_000).unwrap();
    h.tx_nothing();
    h.rx(b"\r\n> ");
    h.tx(&payload);
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPMS?\r");
    h.rx(b"\r\n+CPMS: \"SM\",3,50\r\n\r\nPUBACK\r\n\r\n+CMTI: \"SM\",4\r\n\r\nOK\r\n");
    let ev = h.take_events();
    assert_eq!(
        ev,
        [
            Ev::AtLine(at, b"+CPMS: \"SM\",3,50".to_vec()),
            Ev::N(Notice::Published { id: pub_id }),
            Ev::Urc(b"+CMTI: \"SM\",4".to_vec()),
            Ev::N(Notice::AtDone {
                id: at,
                status: Status::Ok,
                code: 0
            }),
        ]
    );
    assert_eq!(h.engine.stats().at_commands, 1);
}

/// Bare answer lines belong to the command; a URC the session needs (`CLOSED`) is handled by
/// it even in the middle of the answer; the command's error comes back with its code.
#[test]
fn answers_go_to_their_owners() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
    h.tx(b"AT+CGSN\r");
    h.rx(b"\r\n866714043075174\r\n\r\nCLOSED\r\n\r\nOK\r\n");
    let ev = h.take_events();
    assert!(
        ev.contains(&Ev::AtLine(at, b"866714043075174".to_vec())),
        "{ev:?}"
    );
    assert!(
        ev.iter().any(|e| matches!(
            e,
            Ev::N(Notice::Recovery {
                reason: Status::LinkLost,
                ..
            })
        )),
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(Notice::AtDone {
        id: at,
        status: Status::Ok,
        code: 0
    })));
    // Queued while the link is being re-established: it waits for a quiet moment.
    let at = h.engine.at_command(b"AT+CMGD=1", 5_000).unwrap();
    h.advance(1_000);
    h.tx(b"AT+CMGD=1\r");
    h.rx(b"\r\n+CME ERROR: 321\r\n");
    assert_eq!(
        done(&mut h),
        [Notice::AtDone {
            id: at,
            status: Status::ModuleError,
            code: 321
        }]
    );
    h.tx(b"AT+MIPCLOSE\r");
}

/// A command the module never answers: `TIMEOUT` after its own deadline, then the module is
/// asked whether it is still there and the link up; the session goes on.
#[test]
fn a_queued_command_that_times_out_does_not_derail_the_session() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+COPS=?", 3_000).unwrap();
    h.tx(b"AT+COPS=?\r");
    h.advance(2_999);
    h.tx_nothing();
    h.advance(1);
    assert_done(&mut h, at, Status::Timeout);
    resync_online(&mut h);
    publishes_without_recovery(&mut h);
}

#[test]
fn the_queue_is_bounded_and_session_breaking_commands_are_refused() {
    let mut h = Harness::new(config());
    assert!(h.engine.at_command(b"AT+CSQ", 1_000).is_ok());
    assert!(h.engine.at_command(b"AT+CGSN", 1_000).is_ok());
    assert_eq!(
        h.engine.at_command(b"AT+CIMI", 1_000),
        Err(Status::QueueFull)
    );
    assert_eq!(h.engine.request_time(), Err(Status::QueueFull));
    for refused in [
        &b"AT+MPUB=\"t\",0,0,\"x\""[..],
        b"AT+MIPCLOSE",
        b"ATE1",
        b"AT+RESET",
        b"AT+CFUN=1,1",
        b"AT+IPR=9600",
        b"AT+CMGS=\"+8613800000000\"",
        // Result codes off, other line ends, a multiplexer, a data call, online data mode,
        // sleep, deregistration (V.250, 27.007; the vendors' sleep commands, in any case).
        b"ATQ1",
        b"ATS3=10",
        b"ATS4=13",
        b"AT+CMUX=0",
        b"ATD*99#",
        b"ATO",
        b"at+csclk=1",
        b"AT+CSCLK=2",
        b"AT+QSCLK=1",
        b"AT+COPS=2",
        // Answering a data call; and spaces or several basic commands on the line, which the
        // module's V.250 parser takes as the same commands (V.250 §5.2.1, §5.3.1).
        b"ATA",
        b"AT E1",
        b"ATI E1",
        b"AT+CGATT =0",
    ] {
        assert_eq!(
            h.engine.at_command(refused, 1_000),
            Err(Status::CommandRefused),
            "{refused:?}"
        );
    }
    assert_eq!(
        h.engine.at_command(b"AT+CSQ;+CGSN", 1_000),
        Err(Status::InvalidArg)
    );
    assert_eq!(h.engine.at_command(b"AT+CSQ", 0), Err(Status::InvalidArg));
    // Their harmless forms and neighbours stay allowed: sleep off, automatic operator
    // selection, other S registers, reading the multiplexer's setting.
    for allowed in [
        &b"AT+CSCLK=0"[..],
        b"AT+COPS=0",
        b"ATS0=0",
        b"AT+CMUX?",
        b"ATI0 X4",
    ] {
        let mut h = Harness::new(config());
        assert!(h.engine.at_command(allowed, 1_000).is_ok(), "{allowed:?}");
    }
    assert_eq!(
        h.engine.at_command(&[b'A'; 57], 1_000),
        Err(Status::StringTooLong)
    );
    let mut c = config();
    c.options |= Options::ALLOW_RESET_COMMANDS;
    let mut h = Harness::new(c);
    assert!(h.engine.at_command(b"AT+RESET", 1_000).is_ok());
}

/// Quectel and SIMCom sessions refuse their own MQTT, bearer and TLS commands and their data
/// prompts (before, they were queued: an application's `AT+QMTDISC` disconnected the client
/// under the session, its `AT+CMQTTTOPIC` opened a prompt the engine never feeds), and allow
/// their read forms. Nothing is written for a refused command.
#[test]
fn quectel_and_simcom_refuse_their_session_commands() {
    // (configuration, commands refused, a read form allowed)
    type Family = (
        cellmqtt::Config<'static>,
        &'static [&'static [u8]],
        &'static [u8],
    );
    let families: [Family; 2] = [
        (
            common::quectel_config(),
            &[
                b"AT+QMTDISC=0",
                b"AT+QMTPUBEX=0,1,1,0,\"t\",1",
                b"AT+QIDEACT=1",
                b"AT+QPOWD=1",
            ],
            b"AT+QMTCONN?",
        ),
        (
            common::simcom::config(),
            &[
                b"AT+CMQTTDISC=0,60",
                b"AT+CMQTTTOPIC=0,3",
                b"AT+CCERTDOWN=\"c\",9",
                b"AT+CRESET",
            ],
            b"AT+CMQTTDISC?",
        ),
    ];
    for (cfg, refused, read) in families {
        let mut h = Harness::new(cfg);
        for text in refused {
            let r = h.engine.at_command(text, 1_000);
            assert_eq!(r, Err(Status::CommandRefused), "{text:?}");
        }
        h.tx_nothing();
        assert!(h.engine.at_command(read, 1_000).is_ok(), "{read:?}");
    }
}

#[test]
fn signal_and_time_on_demand() {
    let mut h = online();
    let sig = h.engine.request_signal().unwrap();
    let time = h.engine.request_time().unwrap();
    h.tx(b"AT+CSQ\r");
    h.rx(b"\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    h.tx(b"AT+CCLK?\r");
    // 2024-08-22 07:27:15 local, 8 hours (32 quarters) east of UTC.
    h.rx(b"\r\n+CCLK: \"24/08/22,07:27:15+32\"\r\n\r\nOK\r\n");
    let n = h.notices();
    assert!(n.contains(&Notice::Signal { rssi: 21, ber: 99 }), "{n:?}");
    // 2024-08-21T23:27:15Z is 777_598_035 s after 2000-01-01T00:00:00Z.
    assert!(
        n.contains(&Notice::Time {
            utc_s: 777_598_035,
            zone: 32
        }),
        "{n:?}"
    );
    for id in [sig, time] {
        assert!(n.contains(&Notice::AtDone {
            id,
            status: Status::Ok,
            code: 0
        }));
    }
    h.tx_nothing();
}

/// Lines the engine does not consume go to the application, a burst of 8 then 4 a second;
/// the rest are dropped, counted and reported. Garbage is not passed on.
#[test]
fn urcs_are_passed_on_within_a_rate_bound() {
    let mut h = online();
    let mut burst = Vec::new();
    for i in 0..20 {
        burst.extend_from_slice(format!("\r\n+CMTI: \"SM\",{i}\r\n").as_bytes());
    }
    burst.extend_from_slice(b"\r\n\x01garbage\r\n");
    h.rx(&burst);
    let ev = h.take_events();
    let urcs = ev.iter().filter(|e| matches!(e, Ev::Urc(_))).count();
    let dropped = ev
        .iter()
        .filter(|e| {
            matches!(
                e,
                Ev::N(Notice::Loss {
                    kind: LossKind::UrcDropped,
                    ..
                })
            )
        })
        .count();
    assert_eq!((urcs, dropped), (8, 12), "{ev:?}");
    assert_eq!(h.engine.stats().urcs_dropped, 12);
    h.advance(1_000);
    h.rx(b"\r\n+CGEV: ME PDN ACT 1\r\n\r\n^MODE: 17,17\r\n");
    assert_eq!(
        h.take_events(),
        [
            Ev::Urc(b"+CGEV: ME PDN ACT 1".to_vec()),
            Ev::Urc(b"^MODE: 17,17".to_vec())
        ]
    );
    assert_eq!(h.engine.state(), State::Online);
}

#[test]
fn stop_ends_the_queued_commands() {
    let mut h = online();
    let a = h.engine.at_command(b"AT+CSQ", 1_000).unwrap();
    let b = h.engine.at_command(b"AT+CGSN", 1_000).unwrap();
    h.forget_tx(); // AT+CSQ went out
    h.engine.stop(h.now);
    let n = done(&mut h);
    assert_eq!(
        n,
        [
            Notice::AtDone {
                id: a,
                status: Status::Stopped,
                code: 0
            },
            Notice::AtDone {
                id: b,
                status: Status::Stopped,
                code: 0
            }
        ]
    );
    // The answer to the one in flight comes after: it reports nothing twice.
    h.rx(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
    assert!(done(&mut h).is_empty());
}

/// The identity lines are answers: they never go to `on_urc`.
#[test]
fn identity_answers_are_not_urcs() {
    let mut h = Harness::new(config());
    h.start();
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.take_events();
    for (cmd, answer) in IDENTITY {
        h.tx(cmd);
        h.rx(answer);
    }
    let ev = h.take_events();
    assert!(!ev.iter().any(|e| matches!(e, Ev::Urc(_))), "{ev:?}");
}

/// A command the refusal list does not name may still open a data prompt (27.005's `AT+CMGC`, a
/// vendor's upload the list does not know): nothing the application queued can feed it, and whatever went
/// next would be taken as its data. The prompt is cancelled with ESC, which the module
/// acknowledges; the command ends refused and the session goes on without a probe.
#[test]
fn a_queued_command_that_opens_a_data_prompt_is_cancelled() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CMGC=2,0", 5_000).unwrap();
    h.tx(b"AT+CMGC=2,0\r");
    h.rx(b"\r\n> ");
    h.tx(b"\x1b");
    h.tx_nothing();
    h.rx(b"\r\nOK\r\n");
    assert_done(&mut h, at, Status::CommandRefused);
    // No probe: the next command goes at once, and the module was never thought silent.
    publishes_without_recovery(&mut h);
    let s = h.engine.stats();
    assert_eq!((s.at_commands, s.command_timeouts), (1, 0));
}

/// The cancel answered with `ERROR`, or not at all (a module that counts the ESC as data):
/// the command ends refused either way; where nothing came, an `AT` must be answered before
/// the session trusts the line again, as after any unanswered queued command.
#[test]
fn a_cancelled_prompt_ends_refused_whatever_the_module_answers() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CMGC=2,0", 5_000).unwrap();
    h.tx(b"AT+CMGC=2,0\r");
    h.rx(b"\r\n>");
    h.tx(b"\x1b");
    h.rx(b"\r\n+CMS ERROR: 304\r\n");
    assert_done(&mut h, at, Status::CommandRefused);
    let at = h.engine.at_command(b"AT+CMGC=2,0", 5_000).unwrap();
    h.tx(b"AT+CMGC=2,0\r");
    h.rx(b"\r\n> ");
    esc_goes_unanswered(&mut h);
    assert_done(&mut h, at, Status::CommandRefused);
    resync_online(&mut h);
    publishes_without_recovery(&mut h);
}

/// Only the first thing the module sends after the command can be its prompt: an answer line
/// that starts with `>` (a quoted reply in a message read) stays an answer line.
#[test]
fn an_answer_line_starting_with_the_prompt_character_is_no_prompt() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CMGR=1", 5_000).unwrap();
    h.tx(b"AT+CMGR=1\r");
    h.rx(b"\r\n+CMGR: \"REC READ\",\"+8613800000000\",,\"26/12/04,10:00:00+32\"\r\n");
    h.rx(b"> quoted line\r\n\r\nOK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert_eq!(
        ev,
        [
            Ev::AtLine(
                at,
                b"+CMGR: \"REC READ\",\"+8613800000000\",,\"26/12/04,10:00:00+32\"".to_vec()
            ),
            Ev::AtLine(at, b"> quoted line".to_vec()),
            Ev::N(Notice::AtDone {
                id: at,
                status: Status::Ok,
                code: 0
            }),
        ]
    );
}

/// The prompt is cancelled in every family, in each of its spellings (`> ` after a blank line,
/// `>` alone on its line).
#[test]
fn quectel_and_simcom_cancel_an_unforeseen_prompt() {
    let families: [(Harness, &[u8], &[u8]); 2] = [
        (
            {
                let mut h = Harness::new(common::quectel_config());
                common::quectel_bring_online(&mut h);
                h
            },
            b"AT+CMGC=2,0",
            b"\r\n> ",
        ),
        (
            {
                let mut h = Harness::new(common::simcom::config());
                common::simcom::bring_online(&mut h);
                h
            },
            b"AT+CMGC=2,0",
            b"\r\n>\r\n",
        ),
    ];
    for (mut h, text, prompt) in families {
        h.take_events();
        let at = h.engine.at_command(text, 5_000).unwrap();
        h.tx(&[text, b"\r"].concat());
        h.rx(prompt);
        h.tx(b"\x1b");
        h.rx(b"\r\nOK\r\n");
        h.tx_nothing();
        assert_eq!(
            done(&mut h),
            [Notice::AtDone {
                id: at,
                status: Status::CommandRefused,
                code: 0
            }],
            "{text:?}"
        );
        assert_eq!(h.engine.state(), State::Online);
    }
}

/// Online, a queued `AT+CMGC` that timed out unanswered (`TIMEOUT`), and the `AT` after it
/// written: the module's prompt has not come yet.
fn timed_out_before_its_prompt() -> Harness {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CMGC=2,0", 300).unwrap();
    h.tx(b"AT+CMGC=2,0\r");
    h.advance(300);
    assert_done(&mut h, at, Status::Timeout);
    h.tx(b"AT\r");
    h
}

/// A prompt that comes only after the command's own deadline: the `AT` that followed the
/// timeout went into it as data, and the module waits for the rest (an SMS prompt has no
/// deadline of its own). The prompt is cancelled with ESC and the `AT` asked again; before,
/// nothing answered that `AT`, the probe ran out and the ladder reset a healthy module.
#[test]
fn a_prompt_after_the_deadline_is_cancelled_before_the_line_is_trusted() {
    let mut h = timed_out_before_its_prompt();
    h.rx(b"\r\n> ");
    h.tx(b"\x1b");
    h.rx(b"\r\nOK\r\n");
    resync_online(&mut h);
    publishes_without_recovery(&mut h);
    assert_eq!(h.engine.stats().at_commands, 1);
}

/// The same, where the module answers the ESC with nothing (it counted the ESC as data): the
/// `AT` goes again at the cancel's deadline, and the session stays online once it is answered.
#[test]
fn a_late_prompt_whose_cancel_goes_unanswered_is_probed_again() {
    let mut h = timed_out_before_its_prompt();
    h.rx(b"\r\n>\r\n");
    esc_goes_unanswered(&mut h);
    resync_online(&mut h);
    publishes_without_recovery(&mut h);
}

/// `RING` (an incoming call) in the middle of a queued command's answer is no line of it:
/// it goes to `on_urc`, where it goes when nothing is in flight; the answer's own bare lines
/// stay the command's.
#[test]
fn a_ring_inside_an_answer_goes_to_on_urc() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CGSN", 5_000).unwrap();
    h.tx(b"AT+CGSN\r");
    h.rx(b"\r\nRING\r\n\r\n866714043075174\r\n\r\nRING\r\n\r\nOK\r\n");
    let ev = h.take_events();
    assert_eq!(
        ev,
        [
            Ev::Urc(b"RING".to_vec()),
            Ev::AtLine(at, b"866714043075174".to_vec()),
            Ev::Urc(b"RING".to_vec()),
            Ev::N(Notice::AtDone {
                id: at,
                status: Status::Ok,
                code: 0
            }),
        ]
    );
}

/// The prompt of a timed-out command that comes while a stop leaves the broker (a stop does
/// not wait for the `AT` the timeout asks for): the disconnect went into it as data. ESC
/// cancels it and the disconnect goes again, so the stop still leaves the broker.
#[test]
fn a_late_prompt_during_a_stop_is_cancelled_and_the_disconnect_sent_again() {
    let mut h = timed_out_before_its_prompt();
    h.engine.stop(h.now);
    h.advance(config().timeouts.poll_interval_ms);
    h.tx(b"AT+MDISCONNECT\r");
    h.rx(b"\r\n> ");
    h.tx(b"\x1b");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MDISCONNECT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.engine.state(), State::Stopped);
    assert!(common::recoveries(&h.notices()).is_empty());
}

/// A prompt after a line of the command's answer is not taken for one at once (a `>` may
/// start a quoted reply line then), but a `>` line still open at the command's deadline is
/// no reply: it is cancelled with ESC before anything goes into it, then the `AT` follows.
#[test]
fn a_prompt_after_an_answer_line_is_cancelled_at_the_deadline() {
    let mut h = online();
    let at = h.engine.at_command(b"AT+CMGC=2,0", 300).unwrap();
    h.tx(b"AT+CMGC=2,0\r");
    h.rx(b"\r\nNO CARRIER\r\n\r\n> ");
    h.tx_nothing();
    h.advance(300);
    let ev = h.take_events();
    let done = Notice::AtDone {
        id: at,
        status: Status::Timeout,
        code: 0,
    };
    assert!(
        ev.contains(&Ev::AtLine(at, b"NO CARRIER".to_vec())),
        "{ev:?}"
    );
    assert!(ev.contains(&Ev::N(done)), "{ev:?}");
    h.tx(b"\x1b");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    publishes_without_recovery(&mut h);
}
