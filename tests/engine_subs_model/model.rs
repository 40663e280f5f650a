//! What the model holds: the application's requests and the table they should leave, the
//! scripted module's side, the seeded generator
//! (tests/engine_subs_model/main.rs says what is checked).
use super::common::family::{Fam, Held};
pub use super::common::rng::Rng;
use super::common::script::Wire;
pub use super::common::trail::{text, Trail};
use super::common::Harness;
use cellmqtt::Status;
use std::collections::{BTreeMap, BTreeSet};

/// What a filter costs in `sub_buf` besides its text (README, Porting guide: "each filter 6
/// bytes + filter").
pub const SUB_COST: usize = 6;
/// Few filters, so requests meet pending and in-flight ones of the same filter often; lengths
/// from 1 to 17 bytes, so a small table fills at different points.
pub const FILTERS: [&[u8]; 6] = [b"a/b", b"a/+", b"c/#", b"dev-1/cmd/+/state", b"x", b"+/+/y"];

/// How a request ended: its one final notice.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fin {
    Subscribed,
    Failed(Status),
    /// `UNSUBSCRIBED` with its status (`Ok`: confirmed, or never sent to this connection).
    Unsubscribed(Status),
}

/// A request id the API returned. A later call on the same filter either takes this request
/// over (the engine returned the same id: `kind` and `qos` are the latest call's) or replaces
/// it with a new id (`replaced`).
#[derive(Clone, Debug)]
pub struct Req {
    pub filter: Vec<u8>,
    pub unsub: bool,
    pub qos: u8,
    pub fin: Option<Fin>,
    pub replaced: bool,
    /// The connection it was last confirmed on (a restore confirms it again).
    pub confirmed_conn: Option<u32>,
}

/// A filter in the table, as the model expects it: the request that holds it, whether a
/// subscribe of it (or, SIMCom, of a filter as long) was written since it was added
/// (`sent`), the connection that last had one.
#[derive(Clone, Debug)]
pub struct MRec {
    pub filter: Vec<u8>,
    pub id: u16,
    pub sent: bool,
    pub sent_conn: Option<u32>,
}

/// A call on a filter: where the engine's output stood then (bytes written so far), the id
/// it returned, what it asked. A command written later (it ends past `at`) is for it or a
/// later call.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    pub at: u64,
    pub id: u16,
    pub unsub: bool,
    pub qos: u8,
}

/// An answer the module gave that the engine must turn into exactly one notice: an
/// acknowledgement (`fail` `None`) or a refusal with the reason the engine must report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub filter: Vec<u8>,
    pub unsub: bool,
    pub qos: u8,
    /// The message id the command carried (Quectel).
    pub msgid: Option<u16>,
    pub conn: u32,
    pub fail: Option<Status>,
    /// Where its command ended in the engine's output.
    pub at: u64,
    /// Given after a `stop` that came after its command: the engine dropped the request's
    /// wait at the stop and takes the answer for a stale one.
    pub stale: bool,
}

/// A result the module keeps back (a late `SUBACK`): given before the engine's wait for it
/// ends (`deadline`), else lost with what it would have done.
#[derive(Clone, Debug)]
pub struct Late {
    pub bytes: Vec<u8>,
    pub answer: Answer,
    pub deadline: u32,
}

/// How the module refuses the next subscribe (each family's shapes, README "Failure
/// classes" and docs/quectel-simcom-at.md §3.5, §4.6; the status the engine must report).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Refusal {
    /// `ERROR` to the command (SIMCom: to the filter after the prompt).
    Error,
    /// Quectel `+QMTSUB: 0,<id>,0,128`: SUBACK 0x80.
    Suback80,
    /// Quectel `+QMTSUB: 0,<id>,2`: the packet could not be sent.
    NotSent,
    /// SIMCom `+CMQTTSUB: 0,6`, after its `OK` or (`early`) before it.
    ResultCode,
    /// SIMCom `+CMQTTSUB: 0,6` and the broker closes the connection (an AWS policy):
    /// `+CMQTTCONNLOST`, or (`quiet`) nothing until the engine asks.
    ResultAndClose,
}

impl Refusal {
    pub fn reason(self) -> Status {
        match self {
            Refusal::Error => Status::ModuleError,
            Refusal::Suback80 => Status::BrokerRefused,
            Refusal::NotSent | Refusal::ResultCode | Refusal::ResultAndClose => Status::LinkLost,
        }
    }

    pub fn of(fam: Fam) -> &'static [Refusal] {
        match fam {
            Fam::Luat => &[Refusal::Error],
            Fam::Quectel => &[Refusal::Error, Refusal::Suback80, Refusal::NotSent],
            Fam::Simcom => &[Refusal::Error, Refusal::ResultCode, Refusal::ResultAndClose],
        }
    }
}

/// The module's side.
#[derive(Default)]
pub struct Side {
    pub held: Held,
    pub output: Wire,
    pub last_cmd: Vec<u8>,
    /// A SIMCom (un)subscribe's filter is awaited after its prompt: its length, where its
    /// header ended.
    pub data: Option<(usize, u64)>,
    pub conn: u32,
    pub up: bool,
    /// The module's subscriptions on this connection.
    pub subs: BTreeMap<Vec<u8>, u8>,
    /// Those of them it refused to unsubscribe on this connection.
    pub strays: BTreeSet<Vec<u8>>,
    /// Answers given and not yet matched by a notice.
    pub answers: Vec<Answer>,
    pub late: Option<Late>,
    /// The next subscribe is refused so; results are kept back (`hold`) or come before
    /// their `OK` (`early`, Quectel and SIMCom); unsubscribes are refused with `ERROR`
    /// (`refuse_unsub`, kept while set).
    pub refuse: Option<Refusal>,
    pub hold: bool,
    pub early: bool,
    pub refuse_unsub: bool,
    /// The link goes without a line saying so (the engine finds out when it asks).
    pub quiet: bool,
    /// Per filter, the connection of its last command and where that command began.
    pub last_sent: BTreeMap<Vec<u8>, (u32, u64)>,
    /// (Un)subscribe commands the module read.
    pub commands: u32,
    /// Where the engine's output stood at the last `stop`.
    pub stopped_at: u64,
}

/// The application's side: every request, the table, the calls per filter, the notices.
#[derive(Default)]
pub struct Model {
    pub reqs: BTreeMap<u16, Req>,
    pub recs: Vec<MRec>,
    pub calls: BTreeMap<Vec<u8>, Vec<Call>>,
    /// Where the output stood when a filter's record was last removed.
    pub removed_at: BTreeMap<Vec<u8>, u64>,
    pub last_id: u16,
    /// Counts, for the tests that want a busy run.
    pub full: u32,
    pub not_subscribed: u32,
    pub took_over: u32,
    pub restores: u32,
    pub failed: u32,
    pub local_unsubscribes: u32,
    /// Final notices by kind (`SUBSCRIBED`, then each failure status seen).
    pub reasons: BTreeMap<String, u32>,
    pub trail: Trail,
}

impl Model {
    pub fn used(&self) -> usize {
        self.recs.iter().map(|r| SUB_COST + r.filter.len()).sum()
    }

    pub fn rec(&self, filter: &[u8]) -> Option<usize> {
        self.recs.iter().position(|r| r.filter == filter)
    }

    /// The latest call on `filter` made before the output reached `at`.
    pub fn call_before(&self, filter: &[u8], at: u64) -> Option<Call> {
        let calls = self.calls.get(filter)?;
        calls.iter().rev().find(|c| c.at < at).copied()
    }
}

pub struct Run {
    pub h: Harness,
    pub fam: Fam,
    pub sub_cap: usize,
    pub ack_ms: u32,
    pub rng: Rng,
    pub s: Side,
    pub m: Model,
}
