// SPDX-License-Identifier: MIT OR Apache-2.0
//! The command pipeline: what each in-flight command is, the AT text it stands for, and
//! streaming that text to the UART without a TX buffer (the encoder resumes from a cursor).

#[cfg(feature = "quectel")]
use super::state::PublishSpelling;
use super::{Engine, PubSource};
use crate::config::Options;
use crate::dialect::{Context, Dialect, Item, List, Publish, TxCursor};
use crate::event::Subject;
use crate::time;

/// What a command is for. Results are routed by this.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cmd {
    Probe,
    EchoOff,
    SimQuery,
    AttachQuery,
    Signal,
    /// `ATE0` again, after echo came back (between the session's own commands).
    EchoAgain,
    /// Entry `i` of the dialect's per-boot list ([`List::Prepare`]).
    Prepare(u8),
    /// Entry `i` of the dialect's per-connect list ([`List::Configure`]).
    Configure(u8),
    /// Open the broker link; its result is a URC after `OK`.
    Open,
    Connect,
    /// Subscribe the filter record at `at`, requested as `id`.
    Subscribe {
        at: usize,
        id: u16,
    },
    Unsubscribe {
        at: usize,
        id: u16,
    },
    /// A publish with the whole message in the command line.
    Publish(PubSource),
    /// A publish header; the data prompt `>` is its result.
    PublishHeader(PubSource),
    /// The raw message after the prompt.
    PublishData(PubSource),
    CacheRead,
    Verify,
    Disconnect,
    CloseForStop,
    SoftReset,
    /// An identity query (once per boot).
    Identity(super::Fact),
    /// The oldest queued AT command (the application's, or signal/time on demand), by id.
    Queued(u16),
    /// ESC after queued command `id` opened a data prompt: nothing can feed the prompt, and
    /// whatever went next would be taken as its data. The command ends when this does. Id 0
    /// (no command's): the prompt came after the command's deadline, into the `AT` after it.
    CancelPrompt(u16),
    /// `AT` after a queued command timed out where no probe's `AT` was answered: a late
    /// answer to it ends this instead of the next command (`AtQueue::resync`).
    Resync,
}

impl Cmd {
    /// The bring-up entry it sends, if it is one.
    // Out of line: `issue`, `on_final` (through `error_expected` and `subject`) and the `Done`
    // line each had the dialect's lookup inlined; one copy is ~270 B smaller (Luat engine).
    #[inline(never)]
    pub fn item(self, dialect: Dialect) -> Option<&'static Item> {
        match self {
            Cmd::Prepare(i) => dialect.item(List::Prepare, i),
            Cmd::Configure(i) => dialect.item(List::Configure, i),
            _ => None,
        }
    }

    /// What log entries call it.
    // Out of line: measured 42 B smaller than inlined into `on_final` (Luat engine).
    #[inline(never)]
    pub fn subject(self, dialect: Dialect) -> Subject {
        // A bring-up entry names itself; the rest is a constant per command (a table).
        if let Some(item) = self.item(dialect) {
            return item.subject;
        }
        match self {
            Cmd::Probe | Cmd::Resync => Subject::At,
            Cmd::EchoOff | Cmd::EchoAgain => Subject::Ate0,
            Cmd::SimQuery => Subject::Cpin,
            Cmd::AttachQuery => Subject::Cgatt,
            Cmd::Signal => Subject::Csq,
            Cmd::Prepare(_) | Cmd::Configure(_) => Subject::At,
            Cmd::CloseForStop => Subject::MipClose,
            Cmd::Open => Subject::MipStart,
            Cmd::Connect => Subject::MConnect,
            Cmd::Subscribe { .. } => Subject::MSub,
            Cmd::Unsubscribe { .. } => Subject::MUnsub,
            Cmd::Publish(_) => Subject::MPub,
            Cmd::PublishHeader(_) | Cmd::PublishData(_) => Subject::MPubEx,
            Cmd::CacheRead => Subject::MqttMsgGet,
            Cmd::Verify => Subject::MqttStatu,
            Cmd::Disconnect => Subject::MDisconnect,
            Cmd::SoftReset => Subject::Reset,
            Cmd::Identity(_) => Subject::Identity,
            Cmd::Queued(_) | Cmd::CancelPrompt(_) => Subject::Queued,
        }
    }
}

/// The command being written or awaiting its final result.
#[derive(Clone, Copy, Debug)]
pub(super) struct InFlight {
    pub cmd: Cmd,
    /// Which part of the command is being written or answered (dialects that enter data after
    /// prompts spell one command as several parts, `Dialect::write`).
    pub part: u8,
    pub cursor: TxCursor,
    pub written: bool,
    pub deadline: u32,
    pub epoch: u16,
}

impl Context for Engine<'_> {
    fn config(&self) -> &crate::config::Config<'_> {
        &self.cfg
    }

    fn client_id(&self) -> &[u8] {
        self.client_id()
    }

    fn filter(&self, at: usize) -> Option<(&[u8], u8)> {
        self.sub_at(at).map(|s| (s.filter, s.qos))
    }

    fn publish(&self, src: PubSource) -> Option<Publish<'_>> {
        self.publish_parts(src)
    }

    fn queued_line(&self) -> Option<&[u8]> {
        self.at_queue.front().map(|q| q.text())
    }

    fn client_kept(&self) -> bool {
        self.boot.client_kept
    }

    #[cfg(feature = "quectel")]
    fn publish_plain(&self) -> bool {
        self.boot.publish_spelling != PublishSpelling::Extended
    }

    #[cfg(feature = "luat")]
    fn connect_with_mode(&self) -> bool {
        self.boot.lacks & super::state::MCONNECT_MODE != 0
    }
}

/// The message id the online message goes with where the dialect carries ids. An application
/// publish may have the same id, but never at the same time: the online message goes out alone,
/// right after connecting (`Step::Announce`), before any queued publish.
const ONLINE_ID: u16 = u16::MAX;

impl<'a> Engine<'a> {
    /// Writes the next bytes of part `part` of the AT command `cmd` stands for, from `cursor`
    /// into `out`, borrowing strings from config, queue and table; returns how many, or `None`
    /// past its last part.
    // Out of line: spelling every command of the dialect is large, and `step_tx` asks twice
    // (the chunk, and again for a UART that took only part of it).
    #[inline(never)]
    pub(super) fn write_command(
        &self,
        cmd: Cmd,
        part: u8,
        cursor: &mut TxCursor,
        out: &mut [u8],
    ) -> Option<usize> {
        self.dialect.write(cmd, part, self, cursor, out)
    }

    /// Whether part `part` of `cmd` is answered by the data prompt; `None` past its last part.
    // Out of line: the dialect's part table was inlined wherever a part is asked about
    // (measured 110 B smaller, SIMCom; the builds without multi-part commands never ask, and
    // every dialect's is unchanged).
    #[inline(never)]
    pub(super) fn part_prompt(&self, cmd: Cmd, part: u8) -> Option<bool> {
        self.dialect.part_awaits_prompt(cmd, part, self)
    }

    /// True when `part` is the last part of `cmd` (every command of a dialect without parts).
    pub(super) fn is_last_part(&self, cmd: Cmd, part: u8) -> bool {
        !crate::dialect::MULTI_PART || self.part_prompt(cmd, part.saturating_add(1)).is_none()
    }

    /// The command in flight once its last part is written whole: only then can the module
    /// hold what it asks for, so only then can an acknowledgement before its `OK` be its own
    /// (earlier, it is a late one of a given-up command; results name none in some dialects).
    pub(super) fn last_part_out(&self) -> Option<Cmd> {
        let f = self.inflight.as_ref()?;
        let out = (f.written || f.cursor.is_done()) && self.is_last_part(f.cmd, f.part);
        out.then_some(f.cmd)
    }

    /// True when part `part` of `cmd` is answered by the data prompt.
    pub(super) fn part_awaits_prompt(&self, cmd: Cmd, part: u8) -> bool {
        self.part_prompt(cmd, part) == Some(true)
    }

    /// The client id the session connects with: the IMEI where asked and read, else the
    /// configured one.
    // Out of line: the connect's spelling, the jitter seed and the configure steps all ask;
    // inlined, each carried the choice (measured ~60 B smaller so).
    #[inline(never)]
    pub(super) fn client_id(&self) -> &[u8] {
        let imei = self.boot.facts.imei.get();
        // An IMEI is digits: anything else (a garbled answer) would go between quotes as it
        // is, and a quote in it would end the argument early.
        let is_imei = !imei.is_empty() && imei.iter().all(u8::is_ascii_digit);
        if self.cfg.options.contains(Options::CLIENT_ID_IMEI) && is_imei {
            imei
        } else {
            self.cfg.client_id
        }
    }

    /// The filter record at `at` (offsets are unique: at most one record starts there).
    // Out of line: the spelling of (un)subscribe and both ends of a request walk the table.
    // The table's own walk (`SubTable::record_at`), not a second copy of it here: measured
    // 66 B smaller on the M4F (every build), 96 B on the M0 (Luat).
    #[inline(never)]
    pub(super) fn sub_at(&self, at: usize) -> Option<crate::subs::Sub<'_>> {
        self.subscribing.subs.record_at(at)
    }

    /// Topic, payload, QoS, retain and message id of a publish source.
    pub(super) fn publish_parts(&self, src: PubSource) -> Option<Publish<'_>> {
        // One construction for both sources (and one QoS 0 rule for the id).
        let (topic, payload, qos, retain, id) = match src {
            PubSource::Queue => {
                let e = self.queue_current()?;
                (e.topic, e.payload, e.qos, e.retain, e.id)
            }
            PubSource::Online => {
                let w = self.cfg.will?;
                (
                    w.topic,
                    self.cfg.online_payload?,
                    w.qos,
                    w.retain,
                    ONLINE_ID,
                )
            }
        };
        Some(Publish {
            topic,
            payload,
            qos,
            retain,
            id: if qos == 0 { 0 } else { id },
        })
    }

    /// The command that starts sending a publish (MPUB, or the MPUBEX header).
    pub(super) fn publish_cmd(&self, src: PubSource) -> Option<Cmd> {
        let payload = self.publish_parts(src)?.payload;
        if self.publishing.mpub_fallback == Some(src) {
            return Some(Cmd::PublishHeader(src));
        }
        match self.dialect.publish_form(&self.cfg, payload)? {
            true => Some(Cmd::PublishHeader(src)),
            false => Some(Cmd::Publish(src)),
        }
    }

    /// Puts `cmd` in flight with its deadline.
    pub(super) fn issue(&mut self, cmd: Cmd) {
        let t = &self.cfg.timeouts;
        let prompt = matches!(cmd, Cmd::PublishHeader(_))
            || (crate::dialect::MULTI_PART && self.part_awaits_prompt(cmd, 0));
        let wait = match cmd {
            Cmd::Probe => t.poll_interval_ms,
            _ if prompt => t.prompt_ms,
            Cmd::Prepare(_) | Cmd::Configure(_) if self.item_of(cmd).is_some_and(|i| i.long) => {
                t.shut_ms
            }
            Cmd::Queued(_) => self.at_queue.front().map_or(t.command_ms, |q| q.timeout_ms),
            _ => self.answer_ms(cmd, 0),
        };
        // A queued command may open a prompt no refusal named; it must be seen to be cancelled
        // (`queued_final`), or the text after it would be taken as the prompt's data. So must
        // one that comes after its deadline, into whatever follows (the `AT` of a probe or a
        // resync, a stop's command) until an `AT` is answered (`end_command`).
        self.tok
            .set_expect_prompt(prompt || self.at_queue.resync || matches!(cmd, Cmd::Queued(_)));
        self.seen = super::Seen::default();
        self.on_issue(cmd);
        self.stats.commands = self.stats.commands.wrapping_add(1);
        self.inflight = Some(InFlight {
            cmd,
            part: 0,
            cursor: TxCursor::new(),
            written: false,
            deadline: time::after(self.now, wait),
            epoch: self.epoch,
        });
    }

    /// How long part `part` of `cmd` (one that ends in a final result, not a prompt) may take
    /// to be answered: a command's time, or the open's where the open (or SIMCom's connect)
    /// is answered only with its result (`Dialect::open_answers_with_result`).
    fn answer_ms(&self, cmd: Cmd, part: u8) -> u32 {
        let t = &self.cfg.timeouts;
        let with_result = match cmd {
            Cmd::Open => self.dialect.open_answers_with_result(),
            Cmd::Connect => self.dialect.result_urc_decides() && self.is_last_part(cmd, part),
            _ => false,
        };
        if with_result {
            t.connect_ms
        } else {
            t.command_ms
        }
    }

    /// A part of the command in flight got the answer it waits for (`result`): if another part
    /// follows, it goes out now in the same flight and true is returned. A prompt is followed
    /// by the data even when the session moved on meanwhile (the module waits for it; without
    /// it the next commands would become the data); a part that ends in `OK` is followed only
    /// while the command is current. A lost prompt (the deadline) is followed by the data as
    /// for a publish header (`on_final`).
    pub(super) fn next_part(&mut self, result: super::rx::Final) -> bool {
        use super::rx::Final;
        if !crate::dialect::MULTI_PART {
            return false;
        }
        let Some(f) = self.inflight else {
            return false;
        };
        // One-part commands (every Luat and Quectel one) end here.
        let next = f.part.saturating_add(1);
        let Some(prompt_next) = self.part_prompt(f.cmd, next) else {
            return false;
        };
        if result == Final::Ok && !f.written && !f.cursor.is_done() {
            // The module cannot have answered a part not yet written whole (its data): a
            // stray or late `OK`, which must not end the part mid-data.
            self.stats.lines_unknown = self.stats.lines_unknown.wrapping_add(1);
            return true;
        }
        let prompt = self.part_awaits_prompt(f.cmd, f.part);
        let expected = match result {
            Final::Prompt | Final::Timeout => prompt,
            Final::Ok => !prompt && f.epoch == self.epoch,
            Final::Error(_) => false,
        };
        if !expected {
            return false;
        }
        let prompt = prompt_next;
        let t = &self.cfg.timeouts;
        let wait = if prompt {
            t.prompt_ms
        } else {
            self.answer_ms(f.cmd, next)
        };
        self.tok.set_expect_prompt(prompt);
        self.inflight = Some(InFlight {
            part: next,
            cursor: TxCursor::new(),
            written: false,
            deadline: time::after(self.now, wait),
            ..f
        });
        true
    }

    /// Writes the next chunk of the command in flight, issuing one first if the step has one
    /// ready. Returns true when something was written or issued.
    pub(super) fn step_tx<W: embedded_io::Write>(&mut self, uart: &mut W) -> bool {
        let Some(f) = self.inflight else {
            return match self.next_command() {
                Some(cmd) => {
                    self.issue(cmd);
                    true
                }
                None => false,
            };
        };
        if f.written {
            return false;
        }
        let mut chunk = [0u8; 64];
        let mut after = f.cursor;
        // Without a multi-part dialect every command is its part 0 (said so, the single-part
        // spelling folds to the old code).
        let part = if crate::dialect::MULTI_PART {
            f.part
        } else {
            0
        };
        let Some(n) = self.write_command(f.cmd, part, &mut after, &mut chunk) else {
            return false;
        };
        if n == 0 {
            if let Some(f) = self.inflight.as_mut() {
                f.written = true;
            }
            return true;
        }
        let accepted = match uart.write(chunk.get(..n).unwrap_or(&[])) {
            Ok(0) => {
                self.tx_blocked = true;
                return false;
            }
            Ok(k) => k.min(n),
            Err(_) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                self.tx_blocked = true;
                return false;
            }
        };
        if accepted < n {
            // Advance the cursor over exactly what the UART took.
            after = f.cursor;
            if let Some(taken) = chunk.get_mut(..accepted) {
                self.write_command(f.cmd, part, &mut after, taken);
            }
        }
        self.stats.tx_bytes = self.stats.tx_bytes.wrapping_add(accepted as u32);
        if let Some(f) = self.inflight.as_mut() {
            f.cursor = after;
        }
        true
    }

    /// True when `step_tx` would issue a command now.
    pub(super) fn has_command_ready(&self) -> bool {
        self.peek_command().is_some()
    }

    fn next_command(&mut self) -> Option<Cmd> {
        self.peek_command()
    }
}
