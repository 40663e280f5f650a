//! The application's side: the calls, the events checked against the model and the module's
//! answers, the invariants, and the seeded driver.
use super::common::family::{Fam, MQTT};
use super::common::{Ev, Harness};
use super::model::*;
use super::module::*;
use cellmqtt::{LossKind, Notice, Options, RecoveryStep, State, Status};

impl Run {
    pub fn new(fam: Fam, seed: u64, allow_resets: bool) -> Run {
        let mut cfg = fam.config();
        if allow_resets {
            cfg.options |= Options::ALLOW_RESET_COMMANDS;
        }
        let mut r = Run {
            h: Harness::new(cfg),
            fam,
            allow_resets,
            rng: Rng::seeded(seed),
            s: Side::default(),
            m: Model::default(),
        };
        r.s.mode_weights = [8, 1, 1, 1];
        r.s.splice = 30;
        r.m.budget_ms = URC_BURST * URC_PERIOD_MS;
        r.m.budget_at = r.h.now;
        r
    }

    /// Runs `call` (one entry into the engine, then polls) with the output's place noted.
    fn enter(&mut self, call: impl FnOnce(&mut Harness)) {
        self.m.mark = self.out_mark();
        call(&mut self.h);
        self.h.poll();
        self.absorb();
    }

    // ---- The application's calls ----

    fn alive(&self) -> usize {
        self.m.reqs.values().filter(|r| r.alive()).count()
    }

    fn new_id(&mut self, id: u16) {
        let want = self.m.last_id.wrapping_add(1).max(1);
        assert_eq!(id, want, "{}: id", self.why());
        self.m.last_id = id;
    }

    fn add(&mut self, id: u16, text: &[u8], kind: Kind, timeout: u32) {
        self.new_id(id);
        let req = Req {
            text: text.to_vec(),
            kind,
            timeout,
            queued_at: self.h.now,
            queued_mark: self.out_mark(),
            done_mark: None,
            read: false,
            discarded: false,
            owed: None,
            prompted: false,
            prompt_after_line: false,
            done: None,
            lines: Default::default(),
            lines_got: 0,
        };
        self.m.reqs.insert(id, req);
    }

    /// `cellmqtt_at_command`: its status against the README (the header's order: the text,
    /// the timeout, then the queue), then a poll.
    pub fn at_command(&mut self, text: &[u8], timeout: u32) -> Result<u16, Status> {
        let want = verdict(self.fam, text, self.allow_resets)
            .and(if timeout == 0 {
                Err(Status::InvalidArg)
            } else {
                Ok(())
            })
            .and_then(|_| {
                if self.alive() >= SLOTS {
                    Err(Status::QueueFull)
                } else {
                    Ok(())
                }
            });
        self.m.mark = self.out_mark();
        let got = self.h.engine.at_command(text, timeout);
        self.note(format!(
            "at_command {} {timeout}: {got:?}",
            super::model::text(text)
        ));
        assert_eq!(
            got.map(|_| ()),
            want,
            "{}: at_command {}",
            self.why(),
            super::model::text(text)
        );
        match got {
            Ok(id) => self.add(id, text, Kind::App, timeout),
            Err(Status::CommandRefused) => self.m.refused += 1,
            Err(Status::QueueFull) => self.m.full += 1,
            Err(Status::StringTooLong) => self.m.too_long += 1,
            Err(_) => self.m.invalid += 1,
        }
        self.enter(|_| {});
        got
    }

    /// `cellmqtt_request_signal` / `_time`: `QUEUE_FULL` when two wait.
    pub fn request(&mut self, kind: Kind) -> Result<u16, Status> {
        let want = if self.alive() >= SLOTS {
            Err(Status::QueueFull)
        } else {
            Ok(())
        };
        let got = match kind {
            Kind::Signal => self.h.engine.request_signal(),
            _ => self.h.engine.request_time(),
        };
        self.note(format!("request {kind:?}: {got:?}"));
        assert_eq!(got.map(|_| ()), want, "{}: request {kind:?}", self.why());
        let (text, t): (&[u8], _) = match kind {
            Kind::Signal => (b"AT+CSQ", 9_000),
            _ => (b"AT+CCLK?", 9_000),
        };
        match got {
            Ok(id) => self.add(id, text, kind, t),
            Err(_) => self.m.full += 1,
        }
        self.enter(|_| {});
        got
    }

    pub fn publish(&mut self, qos: u8) {
        let payload = format!("p{}", self.m.pubs.len());
        let got = self.h.engine.publish(b"t", payload.as_bytes(), qos, false);
        self.note(format!("publish {payload} q{qos}: {got:?}"));
        let id = got.unwrap_or_else(|e| panic!("{}: publish {e:?}", self.why()));
        self.new_id(id);
        self.m.pubs.insert(id, vec![]);
        self.enter(|_| {});
    }

    pub fn start(&mut self) {
        self.note("start".into());
        let now = self.h.now;
        self.enter(|h| h.engine.start(now).unwrap());
    }

    /// `stop` ends every request still waiting with `STOPPED` (README: `AT_DONE` ... or
    /// `STOPPED`), in flight or not.
    pub fn stop(&mut self) {
        self.note("stop".into());
        let now = self.h.now;
        self.m.stopping = true;
        self.enter(|h| h.engine.stop(now));
        self.m.stopping = false;
        let left: Vec<_> = self
            .m
            .reqs
            .iter()
            .filter(|(_, r)| r.alive())
            .map(|(i, _)| *i)
            .collect();
        assert!(
            left.is_empty(),
            "{}: not ended by the stop: {left:?}",
            self.why()
        );
    }

    // ---- Events ----

    /// The engine's events against the model, then the invariants.
    pub fn absorb(&mut self) {
        for ev in self.h.take_events() {
            if !matches!(ev, Ev::N(Notice::Log { .. } | Notice::State(_))) {
                self.note(format!("  {}", show(&ev)));
            }
            match ev {
                Ev::AtLine(id, line) => self.at_line(id, line),
                Ev::Urc(line) => self.urc(Some(line)),
                Ev::Msg(..) => panic!("{}: a message, none was sent", self.why()),
                Ev::N(n) => self.notice(n),
            }
        }
        self.check();
    }

    fn notice(&mut self, n: Notice) {
        let why = self.why();
        match n {
            Notice::AtDone { id, status, code } => self.at_done(id, status, code),
            Notice::Loss {
                kind: LossKind::UrcDropped,
                count,
            } => {
                (0..count).for_each(|_| self.urc(None));
            }
            Notice::Loss { kind, count } => panic!("{why}: {count} lost, {kind:?}"),
            Notice::Signal { .. } | Notice::Time { .. } => self.report(n),
            Notice::Published { id } | Notice::PublishFailed { id, .. } => {
                let ends = self.m.pubs.get_mut(&id);
                let ends = ends.unwrap_or_else(|| panic!("{why}: {n:?}, never published"));
                ends.push(matches!(n, Notice::Published { .. }));
                assert_eq!(ends.len(), 1, "{why}: publish {id} ended twice");
            }
            Notice::Recovery { step, reason, .. } => self.recovery(step, reason),
            _ => {}
        }
    }

    /// README "Failure classes": no hardware step for anything here (a reboot, a link loss,
    /// an application command's failure); a re-connect or re-initialisation only for a link
    /// loss or reboot the module made.
    fn recovery(&mut self, step: RecoveryStep, reason: Status) {
        let why = self.why();
        let soft = matches!(step, RecoveryStep::Reconnect | RecoveryStep::Reinit);
        assert!(soft, "{why}: hardware step {step:?} for {reason:?}");
        if reason == Status::LinkLost && self.s.losses_due > 0 {
            self.s.losses_due -= 1;
            return;
        }
        panic!("{why}: session disturbed: {step:?} {reason:?}");
    }

    /// `on_at_line`: the next information line of the request's answer (README: "Each
    /// information line of its answer goes to `on_at_line(user, id, line, len)`").
    fn at_line(&mut self, id: u16, line: Vec<u8>) {
        let why = self.why();
        let r = self.m.reqs.get_mut(&id);
        let r = r.unwrap_or_else(|| panic!("{why}: line for {id}, never returned"));
        assert!(
            r.alive(),
            "{why}: line {} for {id} after its AT_DONE",
            text(&line)
        );
        assert_eq!(r.kind, Kind::App, "{why}: line for a {:?} request", r.kind);
        r.lines_got += 1;
        if r.lines.front() == Some(&line) {
            r.lines.pop_front();
            return;
        }
        panic!(
            "{why}: {} for {id}, not its answer's: {:?}",
            text(&line),
            r.lines
        );
    }

    /// `AT_DONE`: once per id, with the status the module's answer implies (README:
    /// `OK`, `MODULE_ERROR` with the `+CME ERROR` code, `TIMEOUT` after `timeout_ms`,
    /// `STOPPED`; the header: `LINK_LOST` when the module rebooted before answering).
    fn at_done(&mut self, id: u16, status: Status, code: u16) {
        let (why, now, mark) = (self.why(), self.h.now, self.m.mark);
        let (stopping, rebooting) = (self.m.stopping, self.m.rebooting);
        let r = self.m.reqs.get_mut(&id);
        let r = r.unwrap_or_else(|| panic!("{why}: AT_DONE {id}, never returned"));
        assert!(
            r.alive(),
            "{why}: second AT_DONE for {id} ({status:?} after {:?})",
            r.done
        );
        match status {
            Status::Stopped => assert!(stopping, "{why}: {id} STOPPED outside a stop"),
            Status::LinkLost => {
                let inflight = r.read && r.owed.is_none();
                assert!(
                    rebooting && inflight,
                    "{why}: {id} LINK_LOST, not in flight at a reboot"
                );
            }
            // Its prompt cancelled and the ESC not answered.
            Status::CommandRefused if r.prompted && r.owed.is_none() => {}
            Status::Timeout => {
                assert!(
                    !r.prompted || r.prompt_after_line,
                    "{why}: {id} TIMEOUT, its prompt cancelled"
                );
                assert!(
                    r.owed.is_none(),
                    "{why}: {id} TIMEOUT, answered {:?}",
                    r.owed
                );
                let waited = now.wrapping_sub(r.queued_at);
                assert!(
                    waited >= r.timeout,
                    "{why}: {id} TIMEOUT after {waited} ms of {}",
                    r.timeout
                );
            }
            _ => match &r.owed {
                Some(o) => {
                    assert_eq!((status, code), (o.status, o.code), "{why}: {id} ended");
                    assert!(
                        r.lines.is_empty(),
                        "{why}: {id} ended before its lines {:?}",
                        r.lines
                    );
                    assert_eq!(o.notice, None, "{why}: {id} ended before its notice");
                }
                None => panic!("{why}: {id} {status:?} {code}, unanswered"),
            },
        }
        assert!(
            r.lines.is_empty(),
            "{why}: {id} {status:?} before its lines {:?}",
            r.lines
        );
        r.done = Some((status, code));
        r.done_mark = Some(mark);
        *self
            .m
            .ends
            .entry(format!("{:?} {status:?}", r.kind))
            .or_default() += 1;
    }

    /// `SIGNAL` / `TIME`: of the request being answered, or of a line printed unasked.
    fn report(&mut self, n: Notice) {
        let asked = self
            .m
            .reqs
            .values_mut()
            .find(|r| r.alive() && r.owed.as_ref().is_some_and(|o| o.notice == Some(n)));
        if let Some(r) = asked {
            r.owed.as_mut().unwrap().notice = None;
            return;
        }
        let i = self.s.strays.iter().position(|s| *s == n);
        let i = i.unwrap_or_else(|| panic!("{}: {n:?} from no line", self.why()));
        self.s.strays.remove(i);
    }

    /// `on_urc` (`line`) or a `URC_DROPPED` loss (`None`) for the next line printed that
    /// answers nothing, by the budget: "a burst of 8, then 4 per second".
    fn urc(&mut self, got: Option<Vec<u8>>) {
        let why = self.why();
        let nobody = || panic!("{why}: URC {:?} nobody printed", got.as_deref().map(text));
        let want = self.s.urcs.pop_front().unwrap_or_else(nobody);
        let now = self.h.now;
        let m = &mut self.m;
        m.budget_ms = (m.budget_ms + now.wrapping_sub(m.budget_at)).min(URC_BURST * URC_PERIOD_MS);
        m.budget_at = now;
        let passes = m.budget_ms >= URC_PERIOD_MS;
        match got {
            Some(line) => {
                assert_eq!(text(&line), text(&want), "{why}: URC");
                assert!(passes, "{why}: URC {} over the budget", text(&line));
                m.budget_ms -= URC_PERIOD_MS;
                m.urcs_passed += 1;
            }
            None => {
                assert!(!passes, "{why}: {} dropped within the budget", text(&want));
                m.urcs_dropped += 1;
            }
        }
    }

    // ---- Invariants ----

    /// After each step: every line printed that answers nothing reached `on_urc` or was
    /// counted; every notice due came; every request answered has its `AT_DONE`; at most two
    /// wait; each publish ended at most once.
    pub fn check(&mut self) {
        let why = self.why();
        assert!(
            self.s.urcs.is_empty(),
            "{why}: neither on_urc nor counted: {:?}",
            self.s.urcs.iter().map(|l| text(l)).collect::<Vec<_>>()
        );
        assert!(
            self.s.strays.is_empty(),
            "{why}: no notice for {:?}",
            self.s.strays
        );
        for (id, r) in &self.m.reqs {
            assert!(
                r.owed.is_none() || r.done.is_some(),
                "{why}: {id} answered, no AT_DONE: {r:?}"
            );
        }
        assert!(self.alive() <= SLOTS, "{why}: more than two wait");
    }

    /// Online, nothing on the wire or kept back, every request and publish ended.
    pub fn settled(&self) -> bool {
        let s = &self.s;
        let quiet = s.output.pending.is_empty() && self.h.uart.written.is_empty();
        self.h.engine.state() == State::Online
            && s.held.bits & MQTT != 0
            && quiet
            && s.late.is_none()
            && s.prompt.is_none()
            && s.deferred.is_empty()
            && self.m.reqs.values().all(|r| !r.alive())
            && self.m.pubs.values().all(|e| !e.is_empty())
    }

    // ---- Driving ----

    /// Time moves: a little, or to the engine's next wait; the answer kept back comes when
    /// due.
    pub fn wait(&mut self) {
        while self.exchange() {}
        let next = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
        let ms = [1 + self.rng.below(1_500) as u32, next.clamp(1, 30_000)];
        let ms = ms[self.rng.below(2)].min(self.late_due());
        self.m.mark = self.out_mark();
        self.h.advance(ms);
        self.absorb();
        self.release_late(false);
    }

    /// Time to the module's own next move (an answer kept back): the clock stops there.
    fn late_due(&self) -> u32 {
        let due = self
            .s
            .late
            .as_ref()
            .map(|l| l.release_at.wrapping_sub(self.h.now));
        due.unwrap_or(u32::MAX).max(1)
    }

    fn random_text(&mut self) -> (String, u32) {
        let t = 300 + self.rng.below(12_000) as u32;
        let pick = |r: &mut Rng, p: &[&str]| p[r.below(p.len())].to_string();
        let text = match self.rng.below(20) {
            0..=9 => pick(
                &mut self.rng,
                &ANSWERS.iter().map(|a| a.0).collect::<Vec<_>>(),
            ),
            10 => state_read(self.fam).into(),
            11 if self.allow_resets && self.rng.chance(30) => reset_command(self.fam).into(),
            11..=14 => pick(&mut self.rng, REFUSED_POOL),
            15 => pick(&mut self.rng, EDGE_POOL),
            16 => pick(&mut self.rng, INVALID_POOL),
            17 => format!("AT+CPBF=\"{}\"", "x".repeat(46 + self.rng.below(2))),
            18 => return ("AT+CNUM".into(), 0),
            _ => pick(
                &mut self.rng,
                &ANSWERS.iter().map(|a| a.0).collect::<Vec<_>>(),
            ),
        };
        (text, t)
    }

    pub fn step(&mut self) {
        self.release_late(false);
        let (qos, n) = (self.rng.below(2) as u8, 1 + self.rng.below(24));
        match self.rng.below(100) {
            0..=29 => _ = self.exchange(),
            30..=41 => {
                let (text, t) = self.random_text();
                _ = self.at_command(text.as_bytes(), t);
            }
            42..=44 => _ = self.request(Kind::Signal),
            45..=47 => _ = self.request(Kind::Time),
            48..=53 => self.publish(qos),
            54..=58 => self.release_acks(),
            59 | 60 => self.burst(n),
            61 | 62 => self.burst(1),
            63 if self.rng.chance(40) => self.drop_link(),
            64 if self.rng.chance(25) => self.reboot(),
            65 if self.rng.chance(40) => self.stop(),
            65 | 66 => self.start(),
            67 => {
                let late = [0, 1, 3][self.rng.below(3)];
                self.s.mode_weights = [8, late, 1 + self.rng.below(2), self.rng.below(2)];
            }
            68 => self.s.splice = [0, 30, 80][self.rng.below(3)],
            _ => self.wait(),
        }
    }

    /// Runs until `done` holds: the module answers, and time moves to the engine's next wait.
    pub fn run_until(&mut self, done: impl Fn(&Run) -> bool) {
        for _ in 0..20_000 {
            if done(self) {
                return;
            }
            self.release_late(false);
            self.release_acks();
            if !done(self) && !self.exchange() {
                let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
                let wait = wait.min(self.late_due());
                self.m.mark = self.out_mark();
                self.h.advance(wait.clamp(1, 60_000));
                self.absorb();
            }
        }
        let alive: Vec<_> = self.m.reqs.iter().filter(|(_, r)| r.alive()).collect();
        let open: Vec<_> = self
            .m
            .pubs
            .iter()
            .filter(|(_, e)| e.is_empty())
            .map(|(i, _)| i)
            .collect();
        panic!("{}: never reached; waiting {alive:?}, publishes {open:?}, late {:?}, deferred {:?}, pending {:?}, bits {}", self.why(), self.s.late, self.s.deferred, self.s.output.pending, self.s.held.bits);
    }

    /// Faults off, started: runs until settled; then every id has had its one `AT_DONE` and
    /// every publish its one notice.
    pub fn drain(&mut self) {
        (self.s.mode_weights, self.s.splice) = ([1, 0, 0, 0], 0);
        self.release_late(true);
        self.start();
        self.run_until(Run::settled);
        self.s.losses_due = 0;
        let why = self.why();
        for (id, r) in &self.m.reqs {
            assert!(r.done.is_some(), "{why}: request {id} never ended: {r:?}");
        }
        for (id, e) in &self.m.pubs {
            assert_eq!(e.len(), 1, "{why}: publish {id}: {e:?}");
        }
    }
}

fn show(ev: &Ev) -> String {
    match ev {
        Ev::AtLine(id, l) => format!("at_line {id} {}", text(l)),
        Ev::Urc(l) => format!("urc {}", text(l)),
        e => format!("{e:?}"),
    }
}

/// A seeded run of `steps` (a short one under Miri: the interpreter is slow), then drained.
pub fn random_run(fam: Fam, seed: u64, allow_resets: bool) -> Run {
    let mut r = Run::new(fam, seed, allow_resets);
    r.start();
    for _ in 0..if cfg!(miri) { 120 } else { 5_000 } {
        r.step();
    }
    r.drain();
    r
}

/// Online, nothing waiting: a run to drive by hand.
pub fn online(fam: Fam) -> Run {
    let mut r = Run::new(fam, 7, true);
    r.drain();
    (r.s.mode_weights, r.s.splice) = ([1, 0, 0, 0], 0);
    r
}
