//! What the model holds: the requests the application queued and what the engine owes each,
//! the README's oracles (which commands are refused, where a line goes), the scripted
//! module's side (tests/engine_shared_model/main.rs says what is checked).
use super::common::family::{Fam, Held};
pub use super::common::rng::Rng;
use super::common::script::Wire;
pub use super::common::trail::{text, Trail};
use super::common::Harness;
use cellmqtt::Status;
use std::collections::{BTreeMap, VecDeque};

/// README "Queued AT commands": `CELLMQTT_AT_SLOTS` = 2 wait at once, each up to 56 bytes.
pub const SLOTS: usize = 2;
pub const TEXT_MAX: usize = 56;
/// README "URC pass-through": a burst of 8, then 4 per second (one every 250 ms).
pub const URC_BURST: u32 = 8;
pub const URC_PERIOD_MS: u32 = 250;

/// Who asked: the application's own command, or `cellmqtt_request_signal` / `_time`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    App,
    Signal,
    Time,
}

/// What the module does with the next application command it reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// Its answer at once, lines of others spliced in.
    Answer,
    /// Its answer kept back, the module busy (it ignores input meanwhile, as V.250 lets a
    /// DCE do while a command executes) until `release_at`.
    Late,
    /// No answer ever (the line was lost); the module goes on.
    Lost,
    /// A data prompt (`> `) instead of an answer, as a command no refusal names may open
    /// (README: the engine cancels it with ESC); the module then answers the ESC with `OK`,
    /// `ERROR` or nothing.
    Prompt,
}

/// How the engine must end a request, once the module answered it while it waited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    pub status: Status,
    pub code: u16,
    /// `SIGNAL` / `TIME` due before the `AT_DONE` (header: "a `SIGNAL` event follows, then
    /// `AT_DONE`").
    pub notice: Option<cellmqtt::Notice>,
}

/// An id `at_command` / `request_*` returned.
#[derive(Clone, Debug)]
pub struct Req {
    pub text: Vec<u8>,
    pub kind: Kind,
    pub timeout: u32,
    pub queued_at: u32,
    /// Where the engine's output stood when it was queued and when it ended: a command
    /// line that ends between the two may be this request's.
    pub queued_mark: u64,
    pub done_mark: Option<u64>,
    /// The module read it (and ignored it if it was busy: `discarded`).
    pub read: bool,
    pub discarded: bool,
    /// The module answered it while the engine still waited: what the engine owes.
    pub owed: Option<Owed>,
    /// It opened a data prompt, which the engine cancelled: it ends `COMMAND_REFUSED`,
    /// whether the module answered the ESC or not.
    pub prompted: bool,
    /// Its prompt came after a line was taken for it: seen only at its deadline, where it
    /// ends `TIMEOUT` and the prompt is cancelled.
    pub prompt_after_line: bool,
    pub done: Option<(Status, u16)>,
    /// The lines due to `on_at_line` with its id, in order (README: a line belongs to the
    /// command when it starts with the command's `+NAME:` or is text without a `+` or `^`
    /// prefix), and how many it got.
    pub lines: VecDeque<Vec<u8>>,
    pub lines_got: u32,
}

impl Req {
    pub fn alive(&self) -> bool {
        self.done.is_none()
    }
}

/// An answer kept back by the busy module.
#[derive(Clone, Debug)]
pub struct Late {
    pub id: u16,
    pub release_at: u32,
    /// A data prompt comes instead of the answer (before the deadline or after it, when the
    /// `AT` that followed the timeout would go into it).
    pub prompt: bool,
}

/// Where a line the module prints must end up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Dest {
    /// `on_at_line` with this id.
    AtLine(u16),
    /// `on_urc` within the budget, else a `URC_DROPPED` loss.
    Urc,
    /// The engine acts on it or keeps it (acknowledgements, the session's own lines).
    Session,
    /// A `SIGNAL` or `TIME` notice nobody asked for (a line of another command).
    Stray,
}

/// The module's side.
#[derive(Default)]
pub struct Side {
    pub held: Held,
    pub output: Wire,
    pub last_cmd: Vec<u8>,
    pub up: bool,
    pub conn: u32,
    /// Busy with an application command's answer.
    pub late: Option<Late>,
    /// A data prompt open for this request: the next byte the engine writes is its data.
    pub prompt: Option<u16>,
    /// Session acknowledgements the module has not printed yet (publish results).
    pub deferred: Vec<Vec<u8>>,
    pub mode_weights: [usize; 4],
    /// Modes for the next application commands read, before the weights (a late answer
    /// then comes a second after the command's timeout).
    pub script: VecDeque<Mode>,
    /// Foreign URCs spliced into answers and bursts, in percent.
    pub splice: usize,
    /// Lines whose destination is `Urc`, in the order printed, not yet seen.
    pub urcs: VecDeque<Vec<u8>>,
    /// `SIGNAL` / `TIME` notices due from lines printed outside a request's answer.
    pub strays: Vec<cellmqtt::Notice>,
    /// Application commands the module read.
    pub app_commands: u32,
    /// Reboot right after printing the answer in flight (an allowed `AT+RESET`).
    pub reboot_after: bool,
    /// Link losses and reboots the module caused, not yet seen as a recovery.
    pub losses_due: u32,
}

/// The application's side.
#[derive(Default)]
pub struct Model {
    pub reqs: BTreeMap<u16, Req>,
    pub last_id: u16,
    /// Publish ids and their final notices (`true`: `PUBLISHED`).
    pub pubs: BTreeMap<u16, Vec<bool>>,
    /// The URC budget in milliseconds of refill (README: 8 at once, one per 250 ms).
    pub budget_ms: u32,
    pub budget_at: u32,
    /// Inside a `stop` call, inside a reboot's boot output: the only places `STOPPED` and
    /// `LINK_LOST` may come from.
    pub stopping: bool,
    pub rebooting: bool,
    /// Where the output stood before the current call into the engine.
    pub mark: u64,
    /// Counts, for the tests that want a busy run.
    pub refused: u32,
    pub full: u32,
    pub too_long: u32,
    pub invalid: u32,
    pub urcs_passed: u32,
    pub urcs_dropped: u32,
    /// Prompts that came after their command's deadline, into the `AT` that followed it.
    pub late_prompts: u32,
    pub ends: BTreeMap<String, u32>,
    pub trail: Trail,
}

pub struct Run {
    pub h: Harness,
    pub fam: Fam,
    pub allow_resets: bool,
    pub rng: Rng,
    pub s: Side,
    pub m: Model,
}

// ---- The README's oracles ----

/// README "Refused commands": every family's (prefixes after `AT`, any case).
const REFUSED: &[&str] = &[
    "E", "V", "Q", "S3=", "S4=", "&F", "+CMEE", "+IPR", "+ICF", "+IFC", "+CMUX", "D", "O",
    "+CSCLK=1", "+CSCLK=2", "+QSCLK=1", "+CMGS", "+CMGW", "+FSWRITE", "+CIPSEND", "+CGATT=",
    "+CGACT=", "+COPS=2",
];
/// Refused unless `CELLMQTT_OPT_ALLOW_RESET_COMMANDS`.
const RESETS: &[&str] = &[
    "+RESET", "+CFUN=", "+CPOWD", "Z", "+QPOWD", "+CRESET", "+CPOF",
];

/// The session's own commands of a family, as the README lists them.
fn session_commands(fam: Fam) -> &'static [&'static str] {
    match fam {
        Fam::Luat => &[
            "+MCONFIG",
            "+MIPSTART",
            "+SSLMIPSTART",
            "+MCONNECT",
            "+MSUB",
            "+MUNSUB",
            "+MPUB",
            "+MDISCONNECT",
            "+MIPCLOSE",
            "+MQTTMSGSET",
            "+MQTTMSGGET",
            "+MQTTMODE",
            "+SSLCFG",
            "+CIPSHUT",
            "+CIPCLOSE",
            "+CIPSTART",
        ],
        Fam::Quectel => &[
            "+QMT",
            "+QIACT=",
            "+QIDEACT",
            "+QICSGP=",
            "+QSSLCFG=",
            "+QISEND",
            "+QSSLSEND",
            "+QFUPL",
            "+QFWRITE",
            "+QHTTPURL",
            "+QHTTPPOST",
        ],
        Fam::Simcom => &[
            "+CMQTT",
            "+CGDCONT=",
            "+CSSLCFG=",
            "+CCERTDOWN",
            "+CFTRANRX",
        ],
    }
}

/// What `cellmqtt_at_command` must return for `text` before the queue is looked at (the
/// header: `STRING_TOO_LONG`, `INVALID_ARG` for not `AT...`, a control byte or `;`;
/// `COMMAND_REFUSED` for the README's list, read and test forms always allowed).
pub fn verdict(fam: Fam, text: &[u8], allow_resets: bool) -> Result<(), Status> {
    if text.len() > TEXT_MAX {
        return Err(Status::StringTooLong);
    }
    let at = text.len() >= 2 && text[..2].eq_ignore_ascii_case(b"AT");
    if !at
        || text
            .iter()
            .any(|&b| !(0x20..0x7F).contains(&b) || b == b';')
    {
        return Err(Status::InvalidArg);
    }
    let body = String::from_utf8_lossy(&text[2..]).to_ascii_uppercase();
    if body.ends_with('?') {
        return Ok(());
    }
    let resets: &[&str] = if allow_resets { &[] } else { RESETS };
    let lists = [REFUSED, resets, session_commands(fam)];
    match lists
        .iter()
        .flat_map(|l| l.iter())
        .any(|p| body.starts_with(p))
    {
        true => Err(Status::CommandRefused),
        false => Ok(()),
    }
}

/// The `+NAME` of a command (`AT+CMGR=1` → `+CMGR`), upper case; empty for a basic one.
pub fn name_of(cmd: &[u8]) -> String {
    let body = String::from_utf8_lossy(&cmd[2..]).to_ascii_uppercase();
    let end = body.find(['=', '?']).unwrap_or(body.len());
    match body.starts_with(['+', '^']) {
        true => body[..end].to_string(),
        false => String::new(),
    }
}

/// Lines the engine acts on or keeps wherever they come (a `SIGNAL`/`TIME` notice, the
/// SIM, attach and session state): never a URC, an answer line only of their own command.
pub fn consumed(fam: Fam, line: &[u8]) -> Option<Dest> {
    let l = String::from_utf8_lossy(line);
    if l.starts_with("+CSQ:") || l.starts_with("+CCLK:") {
        return Some(Dest::Stray);
    }
    // The state line counts wherever it comes, Quectel's only as its query's answer.
    let state = match fam {
        Fam::Luat => "+MQTTSTATU",
        Fam::Quectel => "+CPIN:",
        Fam::Simcom => "+CMQTTDISC:",
    };
    let kept = ["+CPIN:", "+CGATT:", state];
    kept.iter()
        .any(|k| l.starts_with(k))
        .then_some(Dest::Session)
}

/// Where a line of an answer to the live request `id` (its command `cmd`) goes, by the
/// README's rule; `None` for a line outside any live answer.
pub fn dest(fam: Fam, line: &[u8], live: Option<(u16, &[u8])>) -> Dest {
    if let Some((id, cmd)) = live {
        let name = name_of(cmd);
        let l = String::from_utf8_lossy(line).to_ascii_uppercase();
        let own = !name.is_empty()
            && (l.starts_with(&format!("{name}:")) || l.starts_with(&format!("{name} ")));
        // `RING` (an incoming call) answers no command.
        if own || (!l.starts_with(['+', '^']) && l != "RING") {
            return Dest::AtLine(id);
        }
    }
    consumed(fam, line).unwrap_or(Dest::Urc)
}

/// Commands the README refuses in some family (lower case where the session sends the same
/// command, so the module tells an application's from the session's by its text).
pub const REFUSED_POOL: &[&str] = &[
    "ATE1",
    "ate0",
    "ATV0",
    "ATQ1",
    "ATS3=10",
    "ATS4=13",
    "AT&F",
    "AT+CMEE=2",
    "AT+IPR=9600",
    "AT+ICF=3",
    "AT+IFC=2,2",
    "AT+CMUX=0",
    "ATD*99#",
    "ATDT123",
    "ATO",
    "AT+CSCLK=1",
    "at+csclk=2",
    "AT+QSCLK=1",
    "AT+CMGS=\"+8613800000000\"",
    "AT+CMGW",
    "AT+FSWRITE=\"a\",1",
    "AT+CIPSEND=5",
    "AT+CGATT=0",
    "AT+CGACT=0,1",
    "AT+COPS=2",
    "at+reset",
    "at+cfun=0",
    "AT+CPOWD=1",
    "ATZ",
    "AT+QPOWD=1",
    "at+creset",
    "AT+CPOF",
    "at+mconfig=\"x\"",
    "at+mipstart=\"h\",1",
    "at+sslmipstart=\"h\",1",
    "at+mconnect=1,60",
    "at+msub=\"t\",1",
    "at+munsub=\"t\"",
    "at+mpub=\"t\",0,0,\"x\"",
    "at+mpubex=\"t\",0,0,1",
    "at+mdisconnect",
    "at+mipclose",
    "at+mqttmsgset=0",
    "at+mqttmsgget",
    "at+mqttmode=1",
    "at+sslcfg=\"sslversion\",88,3",
    "at+cipshut",
    "at+cipclose",
    "at+cipstart=\"TCP\",\"h\",1",
    "at+qmtdisc=0",
    "at+qmtcfg=\"version\",0,4",
    "at+qiact=1",
    "at+qideact=1",
    "at+qicsgp=1,1,\"apn\"",
    "at+qsslcfg=\"sni\",1,1",
    "AT+QISEND=0,5",
    "AT+QSSLSEND=0,5",
    "AT+QFUPL=\"UFS:a\",10",
    "AT+QFWRITE=1,10",
    "AT+QHTTPURL=10",
    "AT+QHTTPPOST=10",
    "at+cmqttdisc=0,60",
    "at+cmqtttopic=0,3",
    "at+cgdcont=1,\"IP\",\"apn\"",
    "at+csslcfg=\"sslversion\",0,4",
    "AT+CCERTDOWN=\"c\",9",
    "AT+CFTRANRX=\"c\",9",
];
/// Their harmless neighbours the README allows (reads, tests, sleep off, other registers).
pub const EDGE_POOL: &[&str] = &[
    "AT+CSCLK=0",
    "AT+COPS=0",
    "ATS0=0",
    "AT+CMUX?",
    "AT+CGATT=?",
    "AT+IPR?",
    "AT+CMEE?",
    "AT+QSCLK=0",
    "AT+CFUN?",
];
/// Not `AT...`, a control byte, a second command.
pub const INVALID_POOL: &[&str] = &["AT+CSQ;+CGSN", "+CSQ", "AT+CSQ\r", "AT\x01", "A/", ""];
