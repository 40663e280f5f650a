//! The application's side: the calls, the notices checked against the model and the
//! module's answers, the invariants, and the seeded driver.
use super::common::family::Fam;
use super::common::{Ev, Harness, Sizes};
use super::model::*;
use cellmqtt::{Notice, RecoveryStep, State, Status};
use std::collections::BTreeMap;

impl Run {
    pub fn new(fam: Fam, seed: u64, sub_cap: usize) -> Run {
        let c = fam.config();
        let ack_ms = c.timeouts.ack_ms;
        let sizes = Sizes {
            subs: sub_cap,
            ..Sizes::default()
        };
        Run {
            h: Harness::with_sizes(c, sizes),
            fam,
            sub_cap,
            ack_ms,
            rng: Rng::seeded(seed),
            s: Side::default(),
            m: Model::default(),
        }
    }

    // ---- The application ----

    /// A new request id: the one after the last (no run comes near the 16-bit wrap).
    fn new_id(&mut self, id: u16) {
        let want = self.m.last_id.wrapping_add(1).max(1);
        assert_eq!(id, want, "{}: id", self.why());
        self.m.last_id = id;
    }

    pub fn subscribe(&mut self, filter: &[u8], qos: u8) -> Result<u16, Status> {
        self.call(filter, false, qos)
    }

    pub fn unsubscribe(&mut self, filter: &[u8]) -> Result<u16, Status> {
        self.call(filter, true, 0)
    }

    /// A subscribe or unsubscribe: its status and id against the model (README, Porting
    /// guide: 6 bytes + filter a record; `SUBSCRIPTIONS_FULL`, `NOT_SUBSCRIBED`), then a poll.
    fn call(&mut self, filter: &[u8], unsub: bool, qos: u8) -> Result<u16, Status> {
        let at = self.out_mark();
        let i = self.m.rec(filter);
        let fits = self.m.used() + SUB_COST + filter.len() <= self.sub_cap;
        let got = match unsub {
            false => self.h.engine.subscribe(filter, qos),
            true => self.h.engine.unsubscribe(filter),
        };
        let kind = ["subscribe", "unsubscribe"][usize::from(unsub)];
        self.note(format!("{kind} {} q{qos}: {got:?}", text(filter)));
        let why = self.why();
        match (i, got) {
            (Some(i), Ok(id)) if id == self.m.recs[i].id => {
                // The same request, updated before its notice: one notice answers both calls.
                let req = self.m.reqs.get_mut(&id).unwrap();
                assert_eq!(req.fin, None, "{why}: {id} reused after its notice");
                req.qos = if unsub { req.qos } else { qos };
                req.unsub = unsub;
                self.m.took_over += 1;
            }
            (Some(i), Ok(id)) => {
                self.new_id(id);
                let old = std::mem::replace(&mut self.m.recs[i].id, id);
                let old = self.m.reqs.get_mut(&old).unwrap();
                old.replaced = true;
                let qos = if unsub { old.qos } else { qos };
                self.m.reqs.insert(id, req(filter, unsub, qos));
            }
            (None, Ok(id)) if fits && !unsub => {
                self.new_id(id);
                self.m.reqs.insert(id, req(filter, false, qos));
                self.m.recs.push(MRec {
                    filter: filter.to_vec(),
                    id,
                    sent: false,
                    sent_conn: None,
                });
            }
            (None, Err(Status::SubscriptionsFull)) if !fits && !unsub => self.m.full += 1,
            (None, Err(Status::NotSubscribed)) if unsub => self.m.not_subscribed += 1,
            (_, g) => panic!("{why}: {kind} {}: {g:?}", text(filter)),
        }
        if let Ok(id) = got {
            let call = Call { at, id, unsub, qos };
            self.m.calls.entry(filter.to_vec()).or_default().push(call);
        }
        self.h.poll();
        self.absorb();
        got
    }

    pub fn start(&mut self) {
        self.note("start".into());
        self.h.engine.start(self.h.now).unwrap();
        self.h.poll();
        self.absorb();
    }

    pub fn stop(&mut self) {
        self.note("stop".into());
        self.s.stopped_at = self.out_mark();
        self.h.engine.stop(self.h.now);
        self.h.poll();
        self.absorb();
    }

    // ---- Notices ----

    /// The engine's notices against the model, then the invariants.
    pub fn absorb(&mut self) {
        self.discard_overdue();
        for ev in self.h.take_events() {
            let Ev::N(n) = ev else { continue };
            self.note(format!("  {n:?}"));
            let why = self.why();
            match n {
                Notice::Subscribed { id, restored } => self.subscribed(id, restored),
                Notice::SubscribeFailed { id, reason } => self.ended(id, Fin::Failed(reason)),
                Notice::Unsubscribed { id, status } => self.ended(id, Fin::Unsubscribed(status)),
                Notice::Published { .. } | Notice::PublishFailed { .. } => {
                    panic!("{why}: {n:?}, nothing was published")
                }
                Notice::Recovery { step, .. } => {
                    let soft = matches!(step, RecoveryStep::Reconnect | RecoveryStep::Reinit);
                    assert!(soft, "{why}: hardware step {step:?}");
                }
                _ => {}
            }
        }
        self.check();
    }

    /// The module's answer a notice reports: the first of its filter and kind on this
    /// connection (Quectel: of its message id).
    fn answer_for(&mut self, id: u16, fail: Option<Status>) -> Option<Answer> {
        let (req, conn) = (&self.m.reqs[&id], self.s.conn);
        let i = self.s.answers.iter().position(|a| {
            a.filter == req.filter
                && a.unsub == req.unsub
                && a.conn == conn
                && a.fail == fail
                && a.msgid.is_none_or(|m| m == id)
        })?;
        Some(self.s.answers.remove(i))
    }

    /// `SUBSCRIBED`: a subscribe the module acknowledged at the request's QoS; the request's
    /// first, or a restore (`restored`) of one confirmed on an earlier connection.
    fn subscribed(&mut self, id: u16, restored: bool) {
        let (why, conn) = (self.why(), self.s.conn);
        let req = self.m.reqs.get(&id);
        let req = req.unwrap_or_else(|| panic!("{why}: SUBSCRIBED {id}, never returned"));
        assert!(!req.unsub, "{why}: SUBSCRIBED {id}, an unsubscribe");
        let a = self.answer_for(id, None);
        let a = a.unwrap_or_else(|| panic!("{why}: SUBSCRIBED {id} without its SUBACK"));
        let req = self.m.reqs.get_mut(&id).unwrap();
        assert_eq!(a.qos, req.qos, "{why}: {id} confirmed at another QoS");
        match req.fin {
            None => {
                assert!(!restored, "{why}: {id} confirmed first as restored");
                req.fin = Some(Fin::Subscribed);
                *self.m.reasons.entry("Subscribed".into()).or_default() += 1;
            }
            Some(Fin::Subscribed) => {
                // README: SUBSCRIBED, `flag` = restored after a re-connect.
                assert!(restored, "{why}: {id} restored, flag not set");
                assert!(
                    req.confirmed_conn < Some(conn),
                    "{why}: {id} twice on one link"
                );
                self.m.restores += 1;
            }
            Some(f) => panic!("{why}: SUBSCRIBED {id} after {f:?}"),
        }
        req.confirmed_conn = Some(conn);
    }

    /// `SUBSCRIBE_FAILED` for a refusal the module gave (or a result lost past the engine's
    /// wait: `TIMEOUT`), or `UNSUBSCRIBED` for an `UNSUBACK` or a filter this connection was
    /// never sent (`Ok`), or with the refusal or `TIMEOUT`: the request's one final notice (a restore may fail after its first), and
    /// the record goes if it is the filter's current request.
    fn ended(&mut self, id: u16, fin: Fin) {
        let (why, conn) = (self.why(), self.s.conn);
        let req = self.m.reqs.get(&id);
        let req = req.unwrap_or_else(|| panic!("{why}: {fin:?} {id}, never returned"));
        let unsub = matches!(fin, Fin::Unsubscribed(_));
        assert_eq!(req.unsub, unsub, "{why}: {fin:?} for {id}: {req:?}");
        let (filter, before) = (req.filter.clone(), req.fin);
        let reason = match fin {
            Fin::Failed(r) => Some(r),
            Fin::Unsubscribed(r) if r != Status::Ok => Some(r),
            _ => None,
        };
        let i = self.m.rec(&filter).filter(|&i| self.m.recs[i].id == id);
        if self.answer_for(id, reason).is_none() {
            // Unanswered: a filter this connection was never sent or one the engine has left
            // (a clean session: the broker drops it with the session), or a request replaced
            // while its command was out, ended with the session (its result will not come).
            let state = self.h.engine.state();
            let left = !matches!(state, State::Online | State::Restoring);
            let local = i.is_some_and(|i| self.m.recs[i].sent_conn != Some(conn) || left);
            let local = local && unsub && reason.is_none();
            let lost = i.is_none() && left && reason == Some(Status::LinkLost);
            assert!(
                local || lost,
                "{why}: {fin:?} {id} unanswered by the module"
            );
            self.m.local_unsubscribes += u32::from(local);
        }
        match before {
            None => {}
            Some(Fin::Subscribed) if !unsub => {
                let restore = self.m.reqs[&id].confirmed_conn < Some(conn);
                assert!(restore, "{why}: {id} failed after its confirmation here");
            }
            Some(f) => panic!("{why}: {fin:?} {id} after {f:?}"),
        }
        self.m.failed += u32::from(!unsub);
        *self.m.reasons.entry(format!("{fin:?}")).or_default() += 1;
        self.m.reqs.get_mut(&id).unwrap().fin = Some(fin);
        if let Some(i) = i {
            self.m.recs.remove(i);
            let at = self.out_mark();
            self.m.removed_at.insert(filter, at);
        }
    }

    // ---- Invariants ----

    /// Online and settled, the module holds exactly the table at each filter's latest QoS,
    /// each confirmed on this connection, and every answer was reported.
    pub fn check(&self) {
        if !self.settled() {
            return;
        }
        let why = self.why();
        let table: BTreeMap<Vec<u8>, u8> = (self.m.recs.iter())
            .map(|r| (r.filter.clone(), self.m.reqs[&r.id].qos))
            .collect();
        // A filter whose unsubscribe the module refused stays there (the `UNSUBSCRIBED`
        // event said so with its status), out of the table.
        let held: BTreeMap<Vec<u8>, u8> = (self.s.subs.iter())
            .filter(|(f, _)| table.contains_key(*f) || !self.s.strays.contains(*f))
            .map(|(f, q)| (f.clone(), *q))
            .collect();
        assert_eq!(held, table, "{why}: the module's subscriptions");
        let unreported = &self.s.answers;
        assert!(unreported.is_empty(), "{why}: unreported {unreported:?}");
    }

    /// Online (the module too: a link lost quietly is not yet known), every filter's request
    /// confirmed on this connection, nothing on the wire.
    pub fn settled(&self) -> bool {
        let conn = Some(self.s.conn);
        let done = |r: &MRec| {
            let req = &self.m.reqs[&r.id];
            !req.unsub && req.fin == Some(Fin::Subscribed) && req.confirmed_conn == conn
        };
        let s = &self.s;
        let quiet =
            s.output.pending.is_empty() && s.data.is_none() && self.h.uart.written.is_empty();
        self.h.engine.state() == State::Online
            && s.up
            && quiet
            && s.late.is_none()
            && self.m.recs.iter().all(done)
    }

    // ---- Driving ----

    /// Time moves: a little, or to the engine's next wait (a back-off, a result kept back).
    pub fn wait(&mut self) {
        while self.exchange() {}
        let next = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
        let ms = [1 + self.rng.below(2_000) as u32, next.clamp(1, 60_000)];
        self.h.advance(ms[self.rng.below(2)]);
        self.absorb();
    }

    pub fn step(&mut self) {
        let (filter, qos) = (
            FILTERS[self.rng.below(FILTERS.len())],
            self.rng.below(3) as u8,
        );
        match self.rng.below(100) {
            0..=33 => _ = self.exchange(),
            34..=48 => _ = self.subscribe(filter, qos),
            49..=57 => _ = self.unsubscribe(filter),
            58..=62 => self.release_late(),
            63..=65 => self.s.hold = self.rng.chance(30),
            66..=68 => self.s.early = self.rng.chance(50),
            69 | 70 => {
                let shapes = Refusal::of(self.fam);
                self.s.refuse = Some(shapes[self.rng.below(shapes.len())]);
            }
            71 => {
                self.s.quiet = self.rng.chance(30);
                self.drop_link();
            }
            75 => self.s.refuse_unsub = self.rng.chance(40),
            76 | 77 => self.s.quiet = self.rng.chance(30),
            72 if self.rng.chance(30) => self.reboot(),
            73 | 74 if self.rng.chance(30) => self.stop(),
            73 | 74 => self.start(),
            _ => self.wait(),
        }
    }

    /// Runs until `done` holds: the module answers, and time moves to the engine's next wait.
    pub fn run_until(&mut self, done: impl Fn(&Run) -> bool) {
        for _ in 0..20_000 {
            if done(self) {
                return;
            }
            if !self.exchange() {
                let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
                self.h.advance(wait.clamp(1, 60_000));
                self.absorb();
            }
        }
        panic!("{}: never reached", self.why());
    }

    /// Faults off, the result kept back given (if the engine still waits), started: runs
    /// until settled, then every request id the API returned has had its one final notice.
    pub fn drain(&mut self) {
        (self.s.refuse, self.s.hold, self.s.quiet) = (None, false, false);
        self.s.refuse_unsub = false;
        self.release_late();
        self.start();
        self.run_until(Run::settled);
        self.check();
        let why = self.why();
        for (id, req) in &self.m.reqs {
            assert!(req.fin.is_some(), "{why}: {id} never notified: {req:?}");
        }
    }
}

fn req(filter: &[u8], unsub: bool, qos: u8) -> Req {
    Req {
        filter: filter.to_vec(),
        unsub,
        qos,
        fin: None,
        replaced: false,
        confirmed_conn: None,
    }
}

/// A seeded run of `steps` (a short one under Miri: the interpreter is slow), then drained.
pub fn random_run(fam: Fam, seed: u64, sub_cap: usize) -> Run {
    let mut r = Run::new(fam, seed, sub_cap);
    r.start();
    for _ in 0..if cfg!(miri) { 150 } else { 4_000 } {
        r.step();
    }
    r.drain();
    r
}

/// Online with `filters` confirmed (QoS 1), their ids in order.
pub fn online_with(fam: Fam, filters: &[&[u8]]) -> (Run, Vec<u16>) {
    let mut r = Run::new(fam, 7, 256);
    let ids = filters.iter().map(|f| r.subscribe(f, 1).unwrap()).collect();
    r.drain();
    (r, ids)
}
