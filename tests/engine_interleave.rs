//! URCs interleaved with command exchanges, for the three dialects: an inbound message, a
//! link loss, an informing line or another command's result arriving at any byte position
//! relative to a command's echo, answer, data prompt, data, final result and confirmation
//! (docs/luat-at.md §1, §5, §7; docs/quectel-simcom-at.md §1 "URCs inside a command's
//! answer", §3.6-§3.8, §4.6-§4.9). Each test names the shapes it feeds and why a real module
//! prints them.
mod common;

use cellmqtt::{LogKind, Notice, RecoveryStep, State, Status, Subject};
use common::simcom;
use common::{luat_online_with_dev_cmd, messages, notices_of, recoveries, Ev, Harness};

/// The messages among `ev`, in order.
/// How often `n` holds `want`.
fn count(n: &[Notice], want: Notice) -> usize {
    n.iter().filter(|e| **e == want).count()
}

/// Split points are taken every `STRIDE` bytes, boundaries as `sampled` says and the
/// bring-ups' boundaries from `BRING_UPS`: all of them natively, a sample under Miri.
const STRIDE: usize = if cfg!(miri) { 97 } else { 1 };
const BRING_UPS: &[usize] = if cfg!(miri) {
    &[0, 3, 6]
} else {
    &[0, 1, 2, 3, 4, 5, 6]
};

/// One exchange: what the engine writes, then what the module answers.
type Step = (Vec<u8>, Vec<u8>);

/// Where a whole line may go into a module answer: its start and end, and before and after
/// every CR LF (so a URC both ends a line early, `OK` + `\r\n+URC`, and sits between lines).
fn boundaries(rx: &[u8]) -> Vec<usize> {
    let mut at = vec![0, rx.len()];
    for i in 0..rx.len().saturating_sub(1) {
        if &rx[i..i + 2] == b"\r\n" {
            at.extend([i, i + 2]);
        }
    }
    at.sort_unstable();
    at.dedup();
    at
}

/// `rx` with `urc` at `at`.
fn with_urc(rx: &[u8], at: usize, urc: &[u8]) -> Vec<u8> {
    [&rx[..at], urc, &rx[at..]].concat()
}

/// What one exchange to drive looks like: `start` queues its work on the online session and
/// returns its request id (none for the health check); `steps(id)` is the exact transcript;
/// `reports` reads the id off the notice that completes such a request.
struct Exchange<'a> {
    start: &'a dyn Fn(&mut Harness) -> Option<u16>,
    steps: &'a dyn Fn(u16) -> Vec<Step>,
    reports: fn(&Notice) -> Option<u16>,
}

fn published(n: &Notice) -> Option<u16> {
    match n {
        Notice::Published { id } => Some(*id),
        _ => None,
    }
}

fn subscribed(n: &Notice) -> Option<u16> {
    match n {
        Notice::Subscribed { id, .. } => Some(*id),
        _ => None,
    }
}

/// A subscribe exchange's start: `f/x` again (a filter subscribed again is sent again).
fn resubscribe(h: &mut Harness) -> Option<u16> {
    Some(h.engine.subscribe(b"f/x", 1).unwrap())
}

/// Runs each exchange of `xs` on the online session `h` once per (step, boundary, split
/// point): `urc` goes into that step's answer at the boundary, and the answer comes in two
/// UART reads split there. Every run must deliver the message `want` and pass on the
/// informing line `info` exactly once, complete its request exactly once, take no recovery
/// step, lose and miscount nothing, and leave the session online with nothing sent beyond the
/// transcript. Returns the number of runs.
fn every_interleaving(
    h: &mut Harness,
    xs: &[&Exchange<'_>],
    urc: &[u8],
    want: (&[u8], &[u8]),
    info: &[u8],
) -> usize {
    let mut runs = 0;
    for x in xs {
        for (i, (_, rx)) in (x.steps)(1).iter().enumerate() {
            // Boundaries by index: a longer message id moves them in later runs.
            let sampled = |b: &usize| !cfg!(miri) || (i + b) % 2 == 0;
            for b in (0..boundaries(rx).len()).filter(sampled) {
                let mut split = 0;
                loop {
                    let wire_len = one_interleaving(h, x, urc, (i, b, split), want, info);
                    runs += 1;
                    if split >= wire_len {
                        break;
                    }
                    split = (split + STRIDE).min(wire_len);
                }
            }
        }
    }
    runs
}

/// One run of [`every_interleaving`]: `urc` at boundary `b` of step `i`'s answer, which comes
/// in two reads split at `split`. Returns the length of that answer with the URC.
fn one_interleaving(
    h: &mut Harness,
    x: &Exchange<'_>,
    urc: &[u8],
    (i, b, split): (usize, usize, usize),
    want: (&[u8], &[u8]),
    info: &[u8],
) -> usize {
    h.advance(2_000); // refills the URC pass-through budget (8, then 4 per second)
    h.take_events();
    let before = *h.engine.stats();
    let id = (x.start)(h);
    let mut wire_len = 0;
    for (j, (tx, rx)) in (x.steps)(id.unwrap_or(0)).iter().enumerate() {
        h.tx(tx);
        if j == i {
            let wire = with_urc(rx, boundaries(rx)[b], urc);
            wire_len = wire.len();
            let split = split.min(wire_len);
            h.rx(&wire[..split]);
            h.rx(&wire[split..]);
        } else {
            h.rx(rx);
        }
    }
    h.tx_nothing();
    let what = format!("step {i}, boundary {b}, split at {split}");
    let ev = h.take_events();
    let want = [(want.0.to_vec(), want.1.to_vec())];
    assert_eq!(messages(&ev), want, "{what}: {ev:?}");
    // (SIMCom's answer line for the other client is passed on too: its own test below.)
    let urcs: Vec<&Ev> = ev
        .iter()
        .filter(|e| matches!(e, Ev::Urc(_)) && **e != Ev::Urc(b"+CMQTTDISC: 1,1".to_vec()))
        .collect();
    assert_eq!(urcs, [&Ev::Urc(info.to_vec())], "{what}: {ev:?}");
    // Its completion once, and nothing else: no recovery, no loss, no failure, no state.
    let n = notices_of(&ev);
    let done: Vec<Option<u16>> = n.iter().map(x.reports).collect();
    assert_eq!(
        done,
        id.map(Some).into_iter().collect::<Vec<_>>(),
        "{what}: {n:?}"
    );
    let counts = |s: &cellmqtt::Stats| (s.lines_unknown, s.unexpected_acks, s.messages_corrupt);
    assert_eq!(counts(h.engine.stats()), counts(&before), "{what}");
    assert_eq!(h.engine.state(), State::Online, "{what}");
    wire_len
}

fn v(b: &[u8]) -> Vec<u8> {
    b.to_vec()
}

/// The start of the health check the engine runs after 60 s idle (luat-at.md §5.11).
fn after_a_minute(h: &mut Harness) -> Option<u16> {
    h.advance(60_000);
    None
}

// ---------------------------------------------------------------------------------------------
// Luat (docs/luat-at.md)

/// A direct message (§5.9: raw payload, read by its count) whose payload holds every line the
/// exchanges wait for, and a registration URC (§4.5, S16).
const LUAT_PAYLOAD: &[u8] = b"OK\r\n> \r\nERROR\r\nPUBACK\r\n+MQTTSTATU :0\r\nCLOSED\r\n\"";

fn luat_urc() -> Vec<u8> {
    let head = format!("\r\n+MSUB: \"dev/cmd\",{} byte,", LUAT_PAYLOAD.len());
    [head.as_bytes(), LUAT_PAYLOAD, b"\r\n\r\n+CEREG: 1\r\n"].concat()
}

/// §5.7 (`AT+MPUBEX` → `> ` → data → `OK` → `PUBACK`, QoS 1, binary payload) and §5.11 (the
/// health check `+MQTTSTATU :1`, `OK`) and §5.4 (`AT+MSUB` → `OK` → `SUBACK`): a message and
/// a registration URC before and after the prompt, between the data and `OK`, between `OK`
/// and `PUBACK` or `SUBACK`, inside the state query's answer; each split across two reads at
/// every byte.
#[test]
fn luat_urcs_anywhere_in_a_publish_a_subscribe_and_a_health_check() {
    let mut h = luat_online_with_dev_cmd();
    let data: &[u8] = &[0, b'>', b'\r', b'\n', 0xff];
    let publish = Exchange {
        start: &|h| Some(h.engine.publish(b"bin", data, 1, false).unwrap()),
        reports: published,
        steps: &|_| {
            vec![
                (v(b"AT+MPUBEX=\"bin\",1,0,5\r"), v(b"\r\n> ")),
                (v(data), v(b"\r\nOK\r\n\r\nPUBACK\r\n")),
            ]
        },
    };
    let subscribe = Exchange {
        start: &resubscribe,
        reports: subscribed,
        steps: &|_| vec![(v(b"AT+MSUB=\"f/x\",1\r"), v(b"\r\nOK\r\n\r\nSUBACK\r\n"))],
    };
    let health = Exchange {
        start: &after_a_minute,
        reports: published,
        steps: &|_| vec![(v(b"AT+MQTTSTATU\r"), v(b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n"))],
    };
    let urc = luat_urc();
    let xs = [&publish, &subscribe, &health];
    let runs = every_interleaving(&mut h, &xs, &urc, (b"dev/cmd", LUAT_PAYLOAD), b"+CEREG: 1");
    assert!(runs > 10, "{runs}");
}

// ---------------------------------------------------------------------------------------------
// SIMCom (docs/quectel-simcom-at.md §4)

/// Online with `s/#` (QoS 1) subscribed as request 1, events taken.
fn simcom_online() -> Harness {
    let mut h = Harness::new(simcom::config());
    assert_eq!(h.engine.subscribe(b"s/#", 1), Ok(1));
    simcom::bring_online(&mut h);
    simcom::subscribe(&mut h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
    h.take_events();
    h
}

/// After a lost link and its first back-off: the service already runs, the connect goes on
/// the same client and `s/#` is subscribed again (§4.9).
fn simcom_reconnect(h: &mut Harness) {
    h.advance(1_000);
    simcom::reconnect(h);
    simcom::subscribe(h, b"s/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,0\r\n");
}

/// §4.7 + §4.9: a QoS 0 publish is three commands (`AT+CMQTTTOPIC`, `AT+CMQTTPAYLOAD`,
/// `AT+CMQTTPUB`); the link drops (`+CMQTTCONNLOST: 0,1`, S07/S08) while the topic or the
/// payload is being entered, and the module still ends that input with `OK`. `AT+CMQTTPUB` was
/// never sent, so the message was not published: it must not be reported `Published`, and it
/// goes in full after the re-connect.
#[test]
fn simcom_link_lost_while_entering_the_topic_or_payload_does_not_publish_qos0() {
    // The bytes the module prints from the prompt of each part to the `OK` ending its data.
    for part in ["topic", "payload"] {
        let mut h = simcom_online();
        let id = h.engine.publish(b"s/p", b"v", 0, false).unwrap();
        h.tx(b"AT+CMQTTTOPIC=0,3\r");
        h.rx(b"\r\n>");
        h.tx(b"s/p");
        if part == "payload" {
            h.rx(b"\r\nOK\r\n");
            h.tx(b"AT+CMQTTPAYLOAD=0,1\r");
            h.rx(b"\r\n>");
            h.tx(b"v");
        }
        h.rx(b"\r\n+CMQTTCONNLOST: 0,1\r\n\r\nOK\r\n");
        h.tx_nothing(); // no `AT+CMQTTPUB` after the data's `OK` in this session
        let n = h.notices();
        assert_eq!(count(&n, Notice::Published { id }), 0, "{part}: {n:?}");
        assert_eq!(recoveries(&n), [RecoveryStep::Reconnect], "{part}: {n:?}");
        simcom_reconnect(&mut h);
        simcom::publish(&mut h, b"s/p", b"v", 0, false);
        h.rx(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n");
        h.tx_nothing();
        let n = h.notices();
        assert_eq!(count(&n, Notice::Published { id }), 1, "{part}: {n:?}");
        assert_eq!(h.engine.stats().publishes_done, 1, "{part}");
    }
}

/// §4.6 / §4.7 / §4.14 item 3 (S07: `OK`, `+CMQTTPUB: 0,6`, `+CMQTTCONNLOST: 0,1`, an AWS
/// policy refusing a publish): a QoS 1 publish awaits its `+CMQTTPUB` result while the
/// application's new subscription goes (the engine sends it meanwhile). The broker refuses
/// the publish and closes; the subscribe itself was fine. The publish's failure must not be
/// taken for the subscribe's: the filter is not dropped (it is restored after the re-connect),
/// and the failure is logged against the publish, which goes again.
#[test]
fn simcom_a_publish_failure_during_a_subscribe_is_not_the_subscribes() {
    let mut h = simcom_online();
    let p = h.engine.publish(b"s/p", b"v", 1, false).unwrap();
    simcom::publish(&mut h, b"s/p", b"v", 1, false);
    h.rx(b"\r\nOK\r\n");
    let s = h.engine.subscribe(b"s/new", 1).unwrap();
    simcom::subscribe(&mut h, b"s/new", 1);
    h.rx(b"\r\n+CMQTTPUB: 0,6\r\n\r\n+CMQTTCONNLOST: 0,1\r\n");
    h.forget_tx();
    let n = h.notices();
    assert!(
        !n.iter()
            .any(|e| matches!(e, Notice::SubscribeFailed { id, .. } if *id == s)),
        "the subscribe did not fail: {n:?}"
    );
    // The failure is the publish's, which goes again after the re-connect (not yet done).
    let puback = Notice::Log {
        kind: LogKind::CommandError,
        what: Subject::Puback,
        code: 6,
        reason: Status::Ok,
    };
    assert_eq!(count(&n, puback), 1, "{n:?}");
    assert_eq!(count(&n, Notice::Published { id: p }), 0, "{n:?}");
}

/// §4.6 / §4.14 item 3 (S08: a refused subscribe puts `+CMQTTSUB: 0,6` between two `OK`s),
/// with the UART read ending after the result line: the engine asks for the link state at
/// once, and the subscribe's second `OK` arrives after that question went out. That `OK` is
/// the subscribe's, not the answer to `AT+CMQTTDISC?` (whose answer always lists the clients,
/// §4.5): the module then says it is still connected, so the session stays up.
#[test]
fn simcom_s08_second_ok_after_the_state_query_is_not_its_answer() {
    let mut h = simcom_online();
    let id = h.engine.subscribe(b"deny/#", 1).unwrap();
    simcom::subscribe(&mut h, b"deny/#", 1);
    h.rx(b"\r\n+CMQTTSUB: 0,6\r\n");
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\nOK\r\n");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    h.tx_nothing();
    let n = h.notices();
    assert!(recoveries(&n).is_empty(), "{n:?}");
    assert_eq!(h.engine.state(), State::Online, "{n:?}");
    let failed = Notice::SubscribeFailed {
        id,
        reason: Status::LinkLost,
    };
    assert_eq!(count(&n, failed), 1, "{n:?}");
}

// ---------------------------------------------------------------------------------------------
// Quectel (docs/quectel-simcom-at.md §3)

/// Online with publish window `window`, nothing subscribed, events taken.
fn quectel_online(window: u8) -> Harness {
    let mut c = common::quectel_config();
    c.publish_window = window;
    let mut h = Harness::new(c);
    common::quectel_bring_online(&mut h);
    h.tx_nothing();
    h.take_events();
    h
}

/// §3.6 / §6.3 with a window of 2: publish A (`AAAA`) was sent and awaits its report; the
/// header of publish B (`B`, length 1) is out and waits for its prompt. A URC comes before or
/// with the prompt: A's "not sent" report (`+QMTPUBEX: 0,<A>,2`, §3.5 result 2) or the link
/// loss `+QMTSTAT: 0,1` (§3.8). The module counts B's announced length: after B's prompt the
/// engine must write B's byte, never A's four (three of which would reach the command parser).
#[test]
fn quectel_window_a_urc_before_the_prompt_keeps_the_data_of_the_header_sent() {
    let mut wrong = vec![];
    for (name, before, after) in [
        ("not sent", "\r\n+QMTPUBEX: 0,{a},2\r\n", ""),
        ("link lost before", "\r\n+QMTSTAT: 0,1\r\n", ""),
        ("link lost after", "", "\r\n+QMTSTAT: 0,1\r\n"),
    ] {
        let mut h = quectel_online(2);
        let a = h.engine.publish(b"q/w", b"AAAA", 1, false).unwrap();
        let b = h.engine.publish(b"q/w", b"B", 1, false).unwrap();
        h.tx(format!("AT+QMTPUBEX=0,{a},1,0,\"q/w\",4\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"AAAA");
        h.rx(b"\r\nOK\r\n");
        h.tx(format!("AT+QMTPUBEX=0,{b},1,0,\"q/w\",1\r").as_bytes());
        let wire = format!("{before}\r\n> {after}").replace("{a}", &a.to_string());
        let start = h.uart.written.len();
        h.rx(wire.as_bytes());
        let sent = String::from_utf8_lossy(&h.uart.written[start..]).to_string();
        if !sent.starts_with('B') {
            wrong.push(format!("{name}: after B's prompt {sent:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

/// The same window (A awaiting), B at QoS 0: its data went, then the link drops
/// (`+QMTSTAT: 0,1`) and the module's `OK` says it took B. With a window of 1 the engine
/// completes a QoS 0 publish so accepted (sending it again would duplicate it, "at most
/// once"); with the window it must too, and after the re-connect only A goes again.
#[test]
fn quectel_window_a_qos0_publish_accepted_as_the_link_drops_is_done() {
    let mut h = quectel_online(2);
    let a = h.engine.publish(b"q/w", b"AAAA", 1, false).unwrap();
    let b = h.engine.publish(b"q/w", b"B", 0, false).unwrap();
    h.tx(format!("AT+QMTPUBEX=0,{a},1,0,\"q/w\",4\r").as_bytes());
    h.rx(b"\r\n> ");
    h.tx(b"AAAA");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/w\",1\r");
    h.rx(b"\r\n> ");
    h.tx(b"B");
    h.rx(b"\r\n+QMTSTAT: 0,1\r\n\r\nOK\r\n");
    let n = h.notices();
    assert_eq!(count(&n, Notice::Published { id: b }), 1, "{n:?}");
    assert_eq!(h.engine.queued(), 1, "only A is left to send: {n:?}");
}

/// §3.6 / §3.12 (Q02: a QoS 0 publish's `+QMTPUBEX: <c>,0,<result>` comes just after its
/// `OK`) with result 2 (§3.5: failed to send). The engine completes a QoS 0 publish at `OK`
/// and sends the next one at once, so the report of the first arrives while the second's
/// header waits for its prompt. Message id 0 is every QoS 0 publish's; the module cannot
/// report on a publish whose data it has not had, so the report is not the second's: the
/// second completes at its own `OK`, once, and is not sent twice.
#[test]
fn quectel_qos0_report_of_the_previous_publish_is_not_the_next_ones() {
    let mut h = quectel_online(1);
    let a = h.engine.publish(b"q/a", b"1", 0, false).unwrap();
    let b = h.engine.publish(b"q/b", b"2", 0, false).unwrap();
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/a\",1\r");
    h.rx(b"\r\n> ");
    h.tx(b"1");
    h.rx(b"\r\nOK\r\n");
    assert_eq!(h.notices(), [Notice::Published { id: a }]);
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/b\",1\r");
    h.rx(b"\r\n+QMTPUBEX: 0,0,2\r\n");
    h.rx(b"\r\n> ");
    h.tx(b"2");
    h.rx(b"\r\nOK\r\n\r\n+QMTPUBEX: 0,0,0\r\n");
    let mut n = h.notices();
    let done = count(&n, Notice::Published { id: b });
    assert_eq!(done, 1, "B done at its OK: {n:?}");
    // A's failure may make the engine check the link; connected, nothing is to be resent.
    if h.pending_tx() {
        h.tx(b"AT+QMTCONN?\r");
        h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
        n.extend(h.notices());
    }
    h.tx_nothing();
    assert_eq!(count(&n, Notice::Published { id: b }), 1, "{n:?}");
    assert_eq!(h.engine.stats().publish_retries, 0, "{n:?}");
}

/// §3.7 (`+QMTRECV` length form, payload raw between quotes, unescaped quotes and CR LF: Q04,
/// Q15) holding every line the exchanges wait for, and a registration URC (3GPP `+CEREG`).
const QUECTEL_PAYLOAD: &[u8] = b"OK\r\n> \r\nERROR\r\n+QMTSTAT: 0,1\r\n+QMTCONN: 0,1\r\n\",\"";

fn quectel_urc() -> Vec<u8> {
    let head = format!("\r\n+QMTRECV: 0,0,\"q/in\",{},\"", QUECTEL_PAYLOAD.len());
    [head.as_bytes(), QUECTEL_PAYLOAD, b"\"\r\n\r\n+CEREG: 1\r\n"].concat()
}

/// §3.6 (`AT+QMTPUBEX` → `\r\n> ` → data → `OK` → `+QMTPUBEX: 0,<id>,0`) and the state query
/// (`AT+QMTCONN?` → `+QMTCONN: 0,3`, `OK`) and §3.5 (`OK` → `+QMTSUB`): a message whose
/// payload also holds the results awaited, and a registration URC, at every point and split
/// at every byte.
#[test]
fn quectel_urcs_anywhere_in_a_publish_a_subscribe_and_a_health_check() {
    let mut h = quectel_online(1);
    let publish = Exchange {
        start: &|h| Some(h.engine.publish(b"q/up", b"v", 1, false).unwrap()),
        reports: published,
        steps: &|id| {
            let cmd = format!("AT+QMTPUBEX=0,{id},1,0,\"q/up\",1\r");
            let done = format!("\r\nOK\r\n\r\n+QMTPUBEX: 0,{id},0\r\n");
            vec![
                (cmd.into_bytes(), v(b"\r\n> ")),
                (v(b"v"), done.into_bytes()),
            ]
        },
    };
    let subscribe = Exchange {
        start: &resubscribe,
        reports: subscribed,
        steps: &|id| {
            let cmd = format!("AT+QMTSUB=0,{id},\"f/x\",1\r");
            let done = format!("\r\nOK\r\n\r\n+QMTSUB: 0,{id},0,1\r\n");
            vec![(cmd.into_bytes(), done.into_bytes())]
        },
    };
    let health = Exchange {
        start: &after_a_minute,
        reports: published,
        steps: &|_| vec![(v(b"AT+QMTCONN?\r"), v(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n"))],
    };
    let urc = quectel_urc();
    let xs = [&publish, &subscribe, &health];
    let runs = every_interleaving(&mut h, &xs, &urc, (b"q/in", QUECTEL_PAYLOAD), b"+CEREG: 1");
    assert!(runs > 10, "{runs}");
}

/// §4.8 (`+CMQTTRX…` parts, raw payload read by count, blank lines between parts: S09, S17)
/// holding every line the exchanges wait for, and a PDN line quoted from S15.
const SIMCOM_PAYLOAD: &[u8] = b"OK\r\n>\r\nERROR\r\n+CMQTTPUB: 0,0\r\n+CMQTTRXEND: 0\r\n";

fn simcom_urc() -> Vec<u8> {
    let message = simcom::rx_message(b"s/x", SIMCOM_PAYLOAD, 1500);
    [&message[..], b"\r\n+CGEV: ME PDN ACT 8,4\r\n"].concat()
}

/// §4.7 (`AT+CMQTTTOPIC` → `>` → topic → `OK`, `AT+CMQTTPAYLOAD` → `>` → payload → `OK`,
/// `AT+CMQTTPUB` → `OK` → `+CMQTTPUB: 0,0`) and the state query (`AT+CMQTTDISC?`, §4.5): a
/// message and a URC after each prompt, around each `OK`, before the result, split everywhere;
/// the same in a one-step subscribe (§4.6: `>`, filter, `OK`, `+CMQTTSUB: 0,0`).
#[test]
fn simcom_urcs_anywhere_in_a_publish_a_subscribe_and_a_health_check() {
    let mut h = simcom_online();
    let publish = Exchange {
        start: &|h| Some(h.engine.publish(b"s/p", b"v", 1, false).unwrap()),
        reports: published,
        steps: &|_| {
            vec![
                (v(b"AT+CMQTTTOPIC=0,3\r"), v(b"\r\n>")),
                (v(b"s/p"), v(b"\r\nOK\r\n")),
                (v(b"AT+CMQTTPAYLOAD=0,1\r"), v(b"\r\n>")),
                (v(b"v"), v(b"\r\nOK\r\n")),
                (
                    v(b"AT+CMQTTPUB=0,1,60\r"),
                    v(b"\r\nOK\r\n\r\n+CMQTTPUB: 0,0\r\n"),
                ),
            ]
        },
    };
    let health = Exchange {
        start: &after_a_minute,
        reports: published,
        steps: &|_| {
            vec![(
                v(b"AT+CMQTTDISC?\r"),
                v(b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n"),
            )]
        },
    };
    let subscribe = Exchange {
        start: &resubscribe,
        reports: subscribed,
        steps: &|_| {
            vec![
                (v(b"AT+CMQTTSUB=0,3,1\r"), v(b"\r\n>")),
                (v(b"f/x"), v(b"\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n")),
            ]
        },
    };
    let urc = simcom_urc();
    let (xs, info) = ([&publish, &subscribe, &health], b"+CGEV: ME PDN ACT 8,4");
    let runs = every_interleaving(&mut h, &xs, &urc, (b"s/x", SIMCOM_PAYLOAD), info);
    assert!(runs > 10, "{runs}");
}

/// §4.5 / D13: `AT+CMQTTDISC?` answers with one state line per client, `+CMQTTDISC: 0,0` and
/// `+CMQTTDISC: 1,1`. During the engine's own health check both lines are its answer (the
/// application's own query gets them as its answer lines, tests/engine_simcom.rs): neither
/// is an unsolicited result to pass on to the application.
#[test]
fn simcom_the_health_checks_answer_lines_are_not_urcs() {
    let mut h = simcom_online();
    h.advance(60_000);
    h.tx(b"AT+CMQTTDISC?\r");
    h.rx(b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
    h.tx_nothing();
    let ev = h.take_events();
    assert!(!ev.iter().any(|e| matches!(e, Ev::Urc(_))), "{ev:?}");
    assert_eq!(h.engine.state(), State::Online);
}

// ---------------------------------------------------------------------------------------------
// Bring-up (docs/quectel-simcom-at.md §2, §3.1-§3.4, §4.2-§4.5)

/// Drives a fresh session from `start` through `steps` with `urc` inserted into every answer at
/// its boundary `b` (the last one where the answer has fewer) and each answer split inside the
/// URC, the clock moving 250 ms between exchanges; then checks the session is online, the
/// URC was passed on once per exchange, and nothing was lost, failed or retried.
fn bring_up_with_urcs(cfg: cellmqtt::Config<'static>, steps: &[Step], urc: &[u8], b: usize) {
    let mut h = Harness::new(cfg);
    h.start();
    for (k, (tx, rx)) in steps.iter().enumerate() {
        h.advance(250);
        h.tx(tx);
        let bounds = boundaries(rx);
        let at = bounds[b.min(bounds.len() - 1)];
        let wire = with_urc(rx, at, urc);
        let split = at + 1 + (b + k) % (urc.len() - 1);
        h.rx(&wire[..split]);
        h.rx(&wire[split..]);
    }
    h.tx_nothing();
    let ev = h.take_events();
    let line = Ev::Urc(urc[2..urc.len() - 2].to_vec());
    let urcs = ev.iter().filter(|e| **e == line).count();
    assert_eq!(urcs, steps.len(), "boundary {b}: {ev:?}");
    // No recovery, loss or error log; one connect; every line understood.
    let n = notices_of(&ev);
    let bad = |e: &Notice| {
        matches!(
            e,
            Notice::Recovery { .. } | Notice::Loss { .. } | Notice::Log { .. }
        )
    };
    assert!(!n.iter().any(bad), "boundary {b}: {n:?}");
    assert_eq!(h.engine.state(), State::Online, "boundary {b}: {n:?}");
    let s = h.engine.stats();
    let counts = (s.connects, s.lines_unknown, s.command_errors);
    assert_eq!(counts, (1, 0, 0), "boundary {b}");
}

/// The first exchanges after a boot (echo on), the identity queries, the attach query.
fn boot_steps(identity: &[(&[u8], &[u8])]) -> Vec<Step> {
    let mut s = vec![
        (v(b"AT\r"), v(b"AT\r\r\nOK\r\n")),
        (v(b"ATE0\r"), v(b"ATE0\r\r\nOK\r\n")),
        (v(b"AT+CPIN?\r"), v(b"\r\n+CPIN: READY\r\n\r\nOK\r\n")),
    ];
    s.extend(identity.iter().map(|(c, a)| (v(c), v(a))));
    s.push((v(b"AT+CGATT?\r"), v(b"\r\n+CGATT: 1\r\n\r\nOK\r\n")));
    s
}

/// A registration URC (3GPP `+CEREG: <stat>`, luat-at.md §4.5, printed on every change when
/// enabled): between an echo and its `OK`, between `+CPIN: READY` / `+CGATT: 1` / an identity
/// line and `OK`, before and after every `OK`, during the waits for `+QMTOPEN` and `+QMTCONN`.
#[test]
fn quectel_bring_up_with_a_urc_in_every_answer() {
    let mut steps = boot_steps(&common::QUECTEL_IDENTITY);
    steps.push((v(b"AT+QIACT=1\r"), v(b"\r\nOK\r\n")));
    steps.push((v(b"AT+QMTCLOSE=0\r"), v(b"\r\nERROR\r\n")));
    let items = r#""version",0,4 "pdpcid",0,1 "keepalive",0,120 "session",0,1 "will",0,0"#;
    for item in items
        .split(' ')
        .chain([r#""recv/mode",0,0,1"#, r#""ssl",0,0"#])
    {
        let cmd = format!("AT+QMTCFG={item}\r").into_bytes();
        steps.push((cmd, v(b"\r\nOK\r\n")));
    }
    steps.extend([
        (v(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r"), v(b"\r\nOK\r\n")),
        (v(b""), v(b"\r\n+QMTOPEN: 0,0\r\n")),
        (v(b"AT+QMTCONN=0,\"q1\"\r"), v(b"\r\nOK\r\n")),
        (v(b""), v(b"\r\n+QMTCONN: 0,0,0\r\n")),
    ]);
    for &b in BRING_UPS {
        bring_up_with_urcs(common::quectel_config(), &steps, b"\r\n+CEREG: 1\r\n", b);
    }
}

/// The same for SIMCom: the service start answered the SIM7600 way (`+CMQTTSTART: 0`, `OK`,
/// §4.2), the acquire, and the asynchronous connect (`OK`, `+CMQTTCONNECT: 0,0`, §4.5).
#[test]
fn simcom_bring_up_with_a_urc_in_every_answer() {
    let mut steps = boot_steps(&simcom::IDENTITY);
    steps.extend([
        (
            v(b"AT+CMQTTSTART\r"),
            v(b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n"),
        ),
        (v(b"AT+CMQTTREL=0\r"), v(b"\r\nOK\r\n")),
        (v(b"AT+CMQTTACCQ=0,\"s1\",0,4\r"), v(b"\r\nOK\r\n")),
        (
            v(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r"),
            v(b"\r\nOK\r\n"),
        ),
        (v(b""), v(b"\r\n+CMQTTCONNECT: 0,0\r\n")),
    ]);
    for &b in BRING_UPS {
        bring_up_with_urcs(simcom::config(), &steps, b"\r\n+CEREG: 1\r\n", b);
    }
}
