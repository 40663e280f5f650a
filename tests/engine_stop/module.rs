//! The engine against a scripted module of one family (tests/common/family.rs answers), with
//! a UART that can stop taking bytes and a planned cut where the run calls `stop`.
use super::common::family::{Fam, Held, LINK};
use super::common::script::lines;
use super::common::{Ev, Harness};
use cellmqtt::{Config, Event, Notice, State, Status};

/// Acknowledgement lines (`Module::hold_acks` keeps them back).
const ACKS: [&str; 3] = ["PUBACK", "+QMTPUBEX:", "+CMQTTPUB:"];

/// A UART that takes up to `cap` bytes in all (`None`: everything), then nothing (`Ok(0)`).
struct Wire<'a>(&'a mut Vec<u8>, &'a mut Option<usize>);

impl embedded_io::ErrorType for Wire<'_> {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Wire<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = self.1.map_or(buf.len(), |c| c.min(buf.len()));
        if let Some(c) = self.1.as_mut() {
            *c -= n;
        }
        self.0.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Where a sweep calls `stop`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cut {
    /// Once the command line arrived, before any of its answer.
    Before,
    /// After the first line of its answer, before the rest (`CONNECT OK`, `SUBACK`, ...).
    Mid,
    /// With the chunk (a command line or the data after a prompt) unwritten (`false`) or half
    /// written (`true`): the UART takes no more until the stop.
    Uart(bool),
    /// The module dies at this command: it answers nothing from then on.
    Dead,
    /// As `Before`, and `start` at once (again once stopped where it is refused meanwhile:
    /// `start_during_the_stops_disconnect_comes_back_online`).
    Restart,
}

/// The module's side of the script.
#[derive(Default)]
pub struct Side {
    pub held: Held,
    pub pending: Vec<u8>,
    /// Bytes taken off the UART so far; where each command line or data block began.
    pub taken: usize,
    pub chunks: Vec<(usize, usize)>,
    pub cmds: Vec<Vec<u8>>,
    /// Command-mode lines that are no AT command.
    pub garbage: Vec<Vec<u8>>,
    pub ev: Vec<Ev>,
    pub dead: bool,
    /// The broker refuses the CONNECT (Luat: `CLOSED` before `CONNACK OK`, README).
    pub refuse: bool,
    pub hold_acks: bool,
    pub held_acks: Vec<u8>,
    pub cut: Option<(usize, Cut)>,
    /// The UART takes no more than this (`Cut::Uart`); reached, the run calls `stop`.
    pub cap: Option<usize>,
    pub stop_due: bool,
    pub stopped_at: Option<u32>,
    pub restart_refused: bool,
}

/// The engine against a scripted module of one family.
pub struct Module {
    pub h: Harness,
    pub fam: Fam,
    pub s: Side,
}

impl std::ops::Deref for Module {
    type Target = Side;
    fn deref(&self) -> &Side {
        &self.s
    }
}

impl std::ops::DerefMut for Module {
    fn deref_mut(&mut self) -> &mut Side {
        &mut self.s
    }
}

impl Module {
    pub fn new(fam: Fam, c: Config<'static>) -> Self {
        let (h, s) = (Harness::new(c), Side::default());
        Module { h, fam, s }
    }

    /// Started with `a/b` subscribed, brought online; events cleared.
    pub fn online(fam: Fam, c: Config<'static>) -> Self {
        let mut m = Module::new(fam, c);
        m.h.engine.subscribe(b"a/b", 1).unwrap();
        m.h.start();
        m.settle_online(60_000);
        m.ev.clear();
        m
    }

    /// `Harness::poll` through a UART that takes at most `cap` bytes.
    pub fn poll(&mut self) {
        for _ in 0..100_000 {
            let (_, mut rx) = self.h.ring.split();
            let mut w = Wire(&mut self.h.uart.written, &mut self.s.cap);
            let ev = match self.h.engine.poll(self.h.now, &mut rx, &mut w) {
                None => return assert_eq!(self.h.engine.stats().events_dropped, 0),
                Some(Event::Notice(n)) => Ev::N(n),
                Some(Event::Message { topic, payload }) => Ev::Msg(topic.into(), payload.into()),
                Some(Event::AtLine { id, line }) => Ev::AtLine(id, line.to_vec()),
                Some(Event::Urc { line }) => Ev::Urc(line.to_vec()),
            };
            self.s.ev.push(ev);
        }
        panic!("poll never became idle");
    }

    pub fn feed(&mut self, bytes: &[u8]) {
        assert_eq!(self.h.ring.push(bytes), bytes.len());
        self.poll();
    }

    pub fn stop(&mut self) {
        self.h.engine.stop(self.h.now);
        self.s.stopped_at.get_or_insert(self.h.now);
    }

    /// The answer to a command line: the broker's refusal if asked, else the family's.
    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        if self.s.refuse && cmd.starts_with(b"AT+MCONNECT") {
            self.s.held.bits &= !LINK;
            return lines("OK|CLOSED");
        }
        self.s.held.answer(self.fam, cmd)
    }

    /// Answer lines, acknowledgements held back if asked.
    fn out(&mut self, answer: &[u8], out: &mut Vec<u8>) {
        let text = String::from_utf8_lossy(answer).into_owned();
        if text.contains('>') {
            return out.extend_from_slice(answer);
        }
        for l in text.split("\r\n").filter(|l| !l.is_empty()) {
            match self.s.hold_acks && ACKS.iter().any(|a| l.starts_with(a)) {
                true => self.s.held_acks.extend(lines(l)),
                false => out.extend(lines(l)),
            }
        }
    }

    /// Takes what the engine wrote and returns the module's output; notes a due stop.
    fn exchange(&mut self) -> Vec<u8> {
        self.s.pending.append(&mut self.h.uart.written);
        self.h.forget_tx();
        let mut out = vec![];
        loop {
            let s = &mut self.s;
            if let Some(n) = s.held.data.as_ref().map(|d| d.0) {
                if s.pending.len() < n {
                    return out;
                }
                let data: Vec<u8> = s.pending.drain(..n).collect();
                s.taken += n;
                s.chunks.push((s.taken - n, n));
                let answer = s.held.data_arrived(s.cmds.last().unwrap(), data);
                if !s.dead {
                    self.out(&answer, &mut out);
                }
                continue;
            }
            let Some(p) = s.pending.iter().position(|&b| b == b'\r') else {
                return out;
            };
            let line: Vec<u8> = s.pending.drain(..=p).collect();
            s.chunks.push((s.taken, p + 1));
            s.taken += p + 1;
            let cmd = line[..p].to_vec();
            s.cmds.push(cmd.clone());
            if let Some((k, cut)) = s.cut.filter(|c| !matches!(c.1, Cut::Uart(_))) {
                s.stop_due |= k == s.cmds.len();
                s.dead |= k == s.cmds.len() && cut == Cut::Dead;
            }
            if s.dead {
                continue;
            }
            if !cmd.get(..2).is_some_and(|a| a.eq_ignore_ascii_case(b"AT")) {
                s.garbage.push(cmd);
                out.extend_from_slice(b"\r\nERROR\r\n");
                continue;
            }
            if !s.held.echo_off {
                out.extend_from_slice(&line);
            }
            let answer = self.answer(&cmd);
            self.out(&answer, &mut out);
        }
    }

    /// Runs up to `ms` of fake time, the module answering, until `done` holds; calls `stop`
    /// where the cut says. Checks at each wait that the engine neither spins (0 ms after an
    /// idle poll) nor stalls (nothing scheduled unless stopped, failed, or online with no
    /// publish waiting).
    pub fn run_until(&mut self, ms: u32, done: &dyn Fn(&Module) -> bool) -> bool {
        let end = self.h.now.wrapping_add(ms);
        for _ in 0..200_000 {
            self.poll();
            if self.s.cap == Some(0) {
                self.s.cap = None;
                self.stop();
                continue;
            }
            if done(self) {
                return true;
            }
            if cellmqtt::time::reached(self.h.now, end) {
                return false;
            }
            let mut out = self.exchange();
            if std::mem::take(&mut self.s.stop_due) {
                if self.s.cut.is_some_and(|c| c.1 == Cut::Mid) {
                    // The first answer line goes before the stop, the rest after it.
                    let first = out.windows(2).skip(2).position(|w| w == b"\r\n");
                    let rest = out.split_off(first.map_or(out.len(), |i| i + 4).min(out.len()));
                    self.feed(&std::mem::replace(&mut out, rest));
                }
                self.stop();
                if self.s.cut.is_some_and(|c| c.1 == Cut::Restart) {
                    let r = self.h.engine.start(self.h.now);
                    assert!(matches!(r, Ok(()) | Err(Status::WrongState)), "{r:?}");
                    self.s.restart_refused = r.is_err();
                }
                self.feed(&out);
                continue;
            }
            if !out.is_empty() {
                self.feed(&out);
                continue;
            }
            let (e, now) = (&self.h.engine, self.h.now);
            let (wait, state, queued) = (e.poll_delay_ms(now, &self.h.ring), e.state(), e.queued());
            assert!(wait > 0, "spin in {state:?} at t={now}");
            let idle = matches!(state, State::Stopped | State::Failed)
                || state == State::Online && queued == 0;
            assert!(
                wait != u32::MAX || idle,
                "stall in {state:?}, {queued} queued"
            );
            let left = cellmqtt::time::until(now, end);
            self.h.now = now.wrapping_add(wait.min(left).max(1));
        }
        panic!("the run never ended");
    }

    #[track_caller]
    pub fn settle_online(&mut self, ms: u32) {
        let done = |m: &Module| {
            let e = &m.h.engine;
            e.state() == State::Online && e.queued() == 0 && m.h.uart.written.is_empty()
        };
        let online = self.run_until(ms, &done);
        assert!(online, "{:?} not online: {:?}", self.fam, self.notices());
    }

    /// Runs until the stop has ended (`Stopped`, nothing left to do); returns how long it
    /// took from the `stop` call.
    #[track_caller]
    pub fn settle_stopped(&mut self, ms: u32) -> u32 {
        let done = |m: &Module| {
            let e = &m.h.engine;
            let idle = e.poll_delay_ms(m.h.now, &m.h.ring) == u32::MAX;
            m.stopped_at.is_some() && e.state() == State::Stopped && idle
        };
        let stopped = self.run_until(ms, &done);
        assert!(stopped, "{:?} not stopped: {:?}", self.fam, self.notices());
        self.h.now.wrapping_sub(self.stopped_at.unwrap())
    }

    pub fn notices(&self) -> Vec<Notice> {
        let notice = |e: &Ev| match e {
            Ev::N(n) => Some(*n),
            _ => None,
        };
        self.ev.iter().filter_map(notice).collect()
    }

    pub fn count(&self, want: Notice) -> usize {
        self.notices().iter().filter(|n| **n == want).count()
    }

    pub fn has(&self, want: impl Fn(&Notice) -> bool) -> bool {
        self.notices().iter().any(want)
    }
}

/// Nothing failed, and no recovery step or pin was taken.
#[track_caller]
pub fn assert_no_failure(m: &Module, why: &str) {
    use Notice::*;
    let bad = |n: &Notice| {
        matches!(
            n,
            PublishFailed { .. } | SubscribeFailed { .. } | Recovery { .. } | Pin { .. }
        )
    };
    assert!(!m.has(bad), "{why}: {:?}", m.notices());
}

/// The stop left the module sane: no MQTT session, link, service or client held, no data
/// prompt waiting, no line that was no command reaching its parser.
#[track_caller]
pub fn assert_module_left_clean(m: &Module, why: &str) {
    assert_eq!(
        m.held.bits, 0,
        "{why}: the module still holds {:#x}",
        m.held.bits
    );
    assert!(
        m.held.data.is_none(),
        "{why}: the module still waits for data"
    );
    assert!(m.garbage.is_empty(), "{why}: garbage lines {:?}", m.garbage);
}

/// Back online after a restart: `id` confirmed once in all, `a/b` subscribed, nothing failed.
#[track_caller]
pub fn assert_back(m: &Module, id: u16, why: &str) {
    let n = m.count(Notice::Published { id });
    assert_eq!(n, 1, "{why}: {:?}", m.notices());
    assert_eq!(m.held.subs, [b"a/b".to_vec()], "{why}");
    assert_no_failure(m, why);
    assert!(m.garbage.is_empty(), "{why}: {:?}", m.garbage);
}
