//! The Quectel window under pressure (see main.rs): publish results late, out of order,
//! twice, retransmitting, failed or lost, and refusals of a publish's data, for every window
//! size.
use super::*;

/// A Quectel module whose publish results come late, out of order, twice, as "retransmitting"
/// (result 1; the final one follows), as "failed to send" (result 2) or not at all, and which
/// sometimes refuses a publish's data; every other command gets its healthy answer. `calm`:
/// no more losses or refusals.
struct QModule {
    h: Harness,
    rng: Rng,
    t: QTape,
}

/// What the scripted module holds and did.
#[derive(Default)]
struct QTape {
    seen: usize,
    pending: Vec<u8>,
    /// A prompt was given: (id, qos, data length).
    data_for: Option<(u16, u8, usize)>,
    /// Ids whose results are owed, reported sent (result 0), refused (once per report).
    owed: Vec<u16>,
    acked: Vec<u16>,
    refused: Vec<u16>,
    calm: bool,
}

impl QModule {
    fn new(window: u8) -> Self {
        let (h, rng) = (
            quectel_online(window, 20_000),
            Rng(0x9e37_79b9 ^ u32::from(window)),
        );
        let t = QTape {
            seen: h.uart.written.len(),
            ..QTape::default()
        };
        QModule { h, rng, t }
    }

    /// Answers what the engine wrote; true if anything was.
    fn exchange(&mut self) -> bool {
        let (h, t) = (&mut self.h, &mut self.t);
        h.poll();
        t.pending.extend_from_slice(&h.uart.written[t.seen..]);
        t.seen = h.uart.written.len();
        let mut reply = String::new();
        loop {
            if let Some((id, qos, len)) = t.data_for.filter(|d| t.pending.len() >= d.2) {
                t.pending.drain(..len);
                t.data_for = None;
                let refuse = !t.calm && self.rng.next() % 100 < 5;
                reply += ["\r\nOK\r\n", "\r\nERROR\r\n"][usize::from(refuse)];
                match refuse {
                    true => t.refused.push(id),
                    false if qos > 0 => t.owed.push(id),
                    false => {}
                }
                continue;
            }
            let Some(p) = t.pending.iter().position(|&b| b == b'\r') else {
                break;
            };
            let line: Vec<u8> = t.pending.drain(..=p).collect();
            let c = String::from_utf8_lossy(&line[..p]).into_owned();
            let args: Vec<&str> = c.split_once('=').map_or("", |x| x.1).split(',').collect();
            let num = |n: usize| args[n].parse::<usize>().unwrap();
            reply += match &c {
                c if c.starts_with("AT+QMTPUBEX=") => {
                    t.data_for = Some((num(1) as u16, num(2) as u8, num(5)));
                    "\r\n> "
                }
                c if c.starts_with("AT+QMTCONN?") => "\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n",
                c if c.starts_with("AT+QMTOPEN=") => "\r\nOK\r\n\r\n+QMTOPEN: 0,0\r\n",
                c if c.starts_with("AT+QMTCONN=") => "\r\nOK\r\n\r\n+QMTCONN: 0,0,0\r\n",
                c if c.starts_with("AT+QIACT?") => "\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\nOK\r\n",
                _ => OK,
            };
        }
        if !reply.is_empty() {
            common::simcom::feed(h, reply.as_bytes());
        }
        !reply.is_empty()
    }

    /// One owed result, at random: lost (10%), retransmitting (still owed), failed, sent
    /// (10% of them twice: still owed).
    fn result(&mut self) {
        let t = &mut self.t;
        if t.owed.is_empty() {
            return;
        }
        let at = self.rng.next() as usize % t.owed.len();
        let (id, r) = (t.owed[at], self.rng.next() % 100);
        let lost = !t.calm && r < 10;
        let (retransmitting, twice) = (!lost && r < 25, r >= 90);
        if !retransmitting && !twice {
            t.owed.remove(at);
        }
        let line = match r {
            _ if lost => return,
            _ if retransmitting => format!("+QMTPUBEX: 0,{id},1,1"),
            25..=34 => format!("+QMTPUBEX: 0,{id},2"),
            _ => {
                t.acked.push(id);
                format!("+QMTPUBEX: 0,{id},0")
            }
        };
        common::simcom::feed(&mut self.h, format!("\r\n{line}\r\n").as_bytes());
    }
}

/// Windows of 2 to 8 under that module, 300 publishes of QoS 0, 1 and 2 each: every id gets
/// exactly one completion; a QoS 1/2 `Published` only after the module reported it sent; a
/// `PublishFailed` only after three refusals of its own data; the counters add up.
#[test]
#[cfg_attr(miri, ignore)]
fn window_of_every_size_completes_each_publish_once() {
    for window in 2..=8u8 {
        let mut m = QModule::new(window);
        let (mut ids, mut steps, mut n) = (vec![], 0, vec![]);
        while ids.len() < 300 || m.h.engine.queued() > 0 {
            steps += 1;
            assert!(steps < 200_000, "window {window} stuck");
            let busy = m.exchange();
            n.extend(m.h.notices());
            if busy {
                continue;
            }
            match m.rng.next() % 10 {
                0..=2 if ids.len() < 300 => {
                    let qos = (m.rng.next() % 3) as u8;
                    if let Ok(id) = m.h.engine.publish(b"q/p", &[b'0' + qos], qos, false) {
                        ids.push((id, qos));
                    }
                }
                0..=7 => m.result(),
                _ => {
                    let wait = m.h.engine.poll_delay_ms(m.h.now, &m.h.ring).clamp(1, 5_000);
                    m.h.advance(wait);
                }
            }
            m.t.calm = ids.len() == 300;
        }
        m.h.advance(1);
        n.extend(m.h.notices());
        let (done, fails) = (published(&n), failed(&n));
        let mut completions: HashMap<u16, usize> = HashMap::new();
        for id in done.iter().chain(fails.iter().map(|f| &f.0)) {
            *completions.entry(*id).or_default() += 1;
        }
        for &(id, qos) in &ids {
            let c = completions.get(&id);
            assert_eq!(c, Some(&1), "window {window}: {id}, QoS {qos}");
            let confirmed = qos == 0 || m.t.acked.contains(&id) || !done.contains(&id);
            assert!(confirmed, "window {window}: {id} done without its result");
        }
        for &(id, reason) in &fails {
            let times = m.t.refused.iter().filter(|&&r| r == id).count();
            assert!(times >= 3, "window {window}: {id} {reason:?} {times}");
        }
        assert_eq!(completions.len(), ids.len());
        let s = m.h.engine.stats();
        let counts = [s.publishes_done as usize, s.publishes_failed as usize];
        assert_eq!(counts, [done.len(), fails.len()], "window {window}");
    }
}

/// Window 2 (`ack_ms` 5 s): A is sent and awaits its result; B's data is written; A's result
/// becomes overdue while B's data awaits its answer, which is `ERROR`. Three times. B was
/// refused three times, A never: only B may fail (ModuleError), not A.
#[test]
fn window_refusal_counts_against_the_refused_record() {
    let mut h = quectel_online(2, 5_000);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let b = h.engine.publish(b"q/b", b"2", 1, false).unwrap();
    let mut n = vec![];
    for _ in 0..3 {
        q_send(&mut h, a);
        h.tx(format!("AT+QMTPUBEX=0,{b},1,0,\"q/b\",1\r").as_bytes());
        h.advance(1_000);
        h.rx(b"\r\n> ");
        h.tx(b"2");
        h.advance(4_000);
        h.tx_nothing();
        h.rx(b"\r\nERROR\r\n");
        h.tx(b"AT+QMTCONN?\r");
        h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
        n.extend(h.notices());
    }
    assert!(failed(&n).iter().all(|&(id, _)| id != a), "{n:?}");
}

/// Window 2: A and B await their results; B could not be sent (result 2), so the window goes
/// again once the link is known up. A's result 0 ("packet sent, ACK received", §3.4) arrives
/// while the engine asks: A is done. Sending it again would deliver it twice, under the
/// message id whose result just came.
#[test]
fn window_a_result_after_the_rewind_completes_instead_of_resending() {
    let mut h = quectel_online(2, 20_000);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let b = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    q_send(&mut h, a);
    q_send(&mut h, b);
    h.rx(format!("\r\n+QMTPUBEX: 0,{b},2\r\n").as_bytes());
    h.tx(b"AT+QMTCONN?\r");
    h.rx(format!("\r\n+QMTPUBEX: 0,{a},0\r\n").as_bytes());
    h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    assert_eq!(published(&h.notices()), [a]);
    q_send(&mut h, b);
    h.tx_nothing();
    h.rx(format!("\r\n+QMTPUBEX: 0,{b},0\r\n").as_bytes());
    assert_eq!(published(&h.notices()), [b]);
    assert_eq!(h.engine.stats().unexpected_acks, 0);
}

/// Window 2: A (QoS 1) awaits its result; a QoS 0 publish went and its report says it could
/// not be sent (`+QMTPUBEX: 0,0,2`; QoS 0 always has message id 0, §3.6). No record in the
/// window has id 0: A must not go again while the module still delivers it.
#[test]
fn a_qos0_send_failure_does_not_resend_the_window() {
    let mut h = quectel_online(2, 20_000);
    let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
    let z = h.engine.publish(b"q/w", b"m", 0, false).unwrap();
    q_send(&mut h, a);
    h.tx(b"AT+QMTPUBEX=0,0,0,0,\"q/w\",1\r");
    h.rx(b"\r\n> ");
    h.tx(b"m");
    h.rx(b"\r\nOK\r\n\r\n+QMTPUBEX: 0,0,2\r\n");
    h.poll();
    if h.uart.written.ends_with(b"AT+QMTCONN?\r") {
        // Asking whether the link is up is fair; it is.
        h.forget_tx();
        h.rx(b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
    }
    h.tx_nothing();
    h.rx(format!("\r\n+QMTPUBEX: 0,{a},0\r\n").as_bytes());
    assert_eq!(published(&h.notices()), [z, a]);
}

/// Quectel result 1, "packet retransmitted": the final result follows (§3.4), after up to
/// pkt_timeout x (retry + 1) (§3.12). The engine keeps waiting for it instead of asking and
/// sending the message again under the same message id while the module still retransmits
/// it. With and without a window.
#[test]
fn a_retransmitting_report_keeps_the_publish_awaited() {
    for window in [1u8, 2] {
        let mut h = quectel_online(window, 20_000);
        let a = h.engine.publish(b"q/w", b"m", 1, false).unwrap();
        q_send(&mut h, a);
        h.advance(15_000);
        h.rx(format!("\r\n+QMTPUBEX: 0,{a},1,1\r\n").as_bytes());
        h.advance(5_000);
        h.tx_nothing();
        h.advance(2_000);
        h.rx(format!("\r\n+QMTPUBEX: 0,{a},0\r\n").as_bytes());
        assert_eq!(published(&h.notices()), [a], "window {window}");
        let s = h.engine.stats();
        let counts = [s.publish_retries, s.unexpected_acks];
        assert_eq!(counts, [0, 0], "window {window}");
        h.tx_nothing();
    }
}
