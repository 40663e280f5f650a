//! The model of the queue and the table, the scripted module's side and the seeded generator
//! (tests/engine_queue_model/main.rs says what is checked).
use super::common::family::{Fam, Held};
pub use super::common::rng::Rng;
use super::common::script::Wire;
pub use super::common::trail::{text, Trail};
use super::common::Harness;
use cellmqtt::Notice;
use std::collections::{BTreeMap, VecDeque};

/// What a queued publish costs besides topic and payload, a filter besides its text (README).
pub const PUB_COST: usize = 10;
pub const SUB_COST: usize = 6;
pub const TOPICS: [&[u8]; 4] = [b"t/a", b"dev-1/up/x", b"q", b"s/b/c"];
pub const FILTERS: [&[u8]; 6] = [b"a/b", b"a/+", b"c/#", b"dev-1/cmd", b"x", b"+/+/y"];

/// A publish: as the module got it (`payload` `None`: refused at its header, before the
/// data), or as the model queued it.
#[derive(Clone, Debug, Default)]
pub struct Pub {
    pub msgid: Option<u16>,
    pub qos: u8,
    pub retain: bool,
    pub topic: Vec<u8>,
    pub payload: Option<Vec<u8>>,
    pub len: usize,
}

pub fn wire(msgid: Option<u16>, qos: u8, retain: bool, topic: &[u8]) -> Pub {
    let topic = topic.to_vec();
    Pub {
        msgid,
        qos,
        retain,
        topic,
        ..Pub::default()
    }
}

/// A queued publish in the model: where it lies in the arena, what the module did with it
/// (`acked`: took it, `OK` to a QoS 0 one, else its acknowledgement; `trouble`: refusals and
/// acknowledgements kept back, what may count as a rejection).
#[derive(Debug, Default)]
pub struct MRec {
    pub id: u16,
    pub p: Pub,
    pub off: usize,
    pub size: usize,
    pub done: bool,
    pub sent: bool,
    pub acked: bool,
    pub trouble: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum SubSt {
    #[default]
    Subscribing,
    Active,
    Unsubscribing,
}

/// A filter in the model: the connection it was last confirmed on; a restore's notice due.
#[derive(Debug, Default)]
pub struct MSub {
    pub filter: Vec<u8>,
    pub qos: u8,
    pub id: u16,
    pub st: SubSt,
    pub confirmed: Option<u32>,
    pub restore_due: bool,
}

/// The module's side.
#[derive(Default)]
pub struct Side {
    pub held: Held,
    pub output: Wire,
    pub last_cmd: Vec<u8>,
    /// Data awaited after a prompt: a publish's, or (`None`) that of the SIMCom command.
    pub data: Option<(usize, Option<Pub>)>,
    pub sim_topic: Option<Vec<u8>>,
    pub sim_payload: Option<Vec<u8>>,
    pub subs: BTreeMap<Vec<u8>, u8>,
    /// Per filter, the connection of its last subscribe command and when that was written
    /// (`api` then); when the application last asked for it.
    pub sub_sent: BTreeMap<Vec<u8>, (u32, u64)>,
    pub asked: BTreeMap<Vec<u8>, u64>,
    /// Subscribe calls so far; the engine's output as (bytes written by then, `api` then), so
    /// a command read later is known to be written before or after a call.
    pub api: u64,
    pub tags: VecDeque<(u64, u64)>,
    pub cmd_seq: u64,
    pub conn: u32,
    pub up: bool,
    /// Publish commands to refuse with `ERROR`; acknowledgements to keep back.
    pub refuse: u32,
    pub hold: bool,
    pub held_acks: Vec<(Vec<u8>, u16)>,
    /// Quectel firmware without `AT+QMTPUBEX` (README: the publish goes by `AT+QMTPUB`).
    pub no_pubex: bool,
    pub wire: Vec<Pub>,
}

/// The model, what it counted, the requests a later one on the same filter replaced (a
/// subscribe?, notified?), and the last steps (printed when a check fails).
#[derive(Default)]
pub struct Model {
    pub recs: Vec<MRec>,
    pub subs: Vec<MSub>,
    pub replaced: BTreeMap<u16, (bool, bool)>,
    pub last_id: u16,
    pub accepted: Vec<u16>,
    pub completions: BTreeMap<u16, u32>,
    pub done: u32,
    pub failed: u32,
    pub rejected: u32,
    pub queue_full: u32,
    pub loss_rejected: u32,
    pub notices: Vec<Notice>,
    pub trail: Trail,
}

pub struct Run {
    pub h: Harness,
    pub fam: Fam,
    pub window: u8,
    pub cap: usize,
    pub sub_cap: usize,
    pub rng: Rng,
    pub s: Side,
    pub m: Model,
}

/// The `AT+MPUB` payload field: `\XX` is the byte XX (docs/luat-at.md §5.6).
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let (mut out, mut i) = (vec![], 0);
    while i < field.len() {
        let hex = field.get(i + 1..i + 3).filter(|_| field[i] == b'\\');
        let hex = hex.map(|x| u8::from_str_radix(std::str::from_utf8(x).unwrap(), 16).unwrap());
        out.push(hex.unwrap_or(field[i]));
        i += if hex.is_some() { 3 } else { 1 };
    }
    out
}
