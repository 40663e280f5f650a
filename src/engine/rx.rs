// SPDX-License-Identifier: MIT OR Apache-2.0
//! The receive side: RX ring → tokenizer → lines and messages. Final results go to the command
//! in flight; everything else is a URC, handled whatever the step, so a URC between a command
//! and its `OK` never steals the command's answer.

use super::ring::RxReader;
use super::session::Suspect;
use super::shared::AtKind;
use super::tx::Cmd;
use super::{AckStage, Echo, Engine, LinkWait, ProbeKind, PubSource, Step};
use crate::bytes::{head, is_text};
use crate::dialect::tokenizer::{Span, Token};
use crate::dialect::{LinkCause, Response};
use crate::event::{LogKind, LossKind, Notice, Subject};
use crate::Status;

/// The boot lines a SIMCom module prints after its first one: the SIM7600 `SMS DONE` and
/// `PB DONE` after `RDY`, the A76xx `SMS DONE` alone after `*ATREADY: 1` (SIMCom AT manuals,
/// boot URCs; captures of both families).
#[cfg(feature = "simcom")]
const BOOT_TAIL_LINES: u8 = 2;

pub(super) enum RxStep {
    /// A message is ready in the line buffer.
    Message(Span, Span),
    /// An answer line of the queued command `id` is at the start of the line buffer.
    AtLine(u16, usize),
    /// A line to pass on as a URC is at the start of the line buffer.
    Urc(usize),
    /// Input was consumed; look again.
    Progress,
    /// No input left.
    Idle,
}

/// What an input line becomes besides the engine's own handling.
pub(super) enum LineOut {
    /// An answer line of the queued command `id`.
    AtLine(u16),
    /// A line passed on as a URC.
    Urc,
}

/// True when `line` can answer `command`: a line that starts with the command's `+NAME`
/// (`+CSQ: ...` for `AT+CSQ`; `^NAME` for `AT^NAME`), or text without a `+` or `^` prefix
/// (`866714043075174` for `AT+CGSN`). A `^...` line of another command is a URC (`^MODE`),
/// and so is `RING` (V.250's result code for an incoming call, which no command answers);
/// control bytes (a reset's glitch before `RDY`) are no answer.
fn answers(command: &[u8], line: &[u8]) -> bool {
    if !matches!(line.first(), Some(b'+' | b'^')) {
        return is_text(line) && line != b"RING";
    }
    // The command after its `AT`, up to its first `=` or `?` (a loop: measured 8 B smaller,
    // Luat, 12 B every dialect, than `position` and a slice).
    let body = command.get(2..).unwrap_or(&[]);
    let mut name = body;
    for (at, b) in body.iter().enumerate() {
        if matches!(b, b'=' | b'?') {
            name = head(body, at);
            break;
        }
    }
    // SIMCom's `AT+CICCID` labels its answer `+ICCID:` (answers are read tolerantly,
    // docs/quectel-simcom-at.md §7), so the name without the `C` after its `+` counts too.
    labelled(line, name)
        || (cfg!(feature = "simcom")
            && name.starts_with(b"+C")
            && line.first() == Some(&b'+')
            && labelled(line.get(1..).unwrap_or(&[]), name.get(2..).unwrap_or(&[])))
}

/// True when `line` starts with `name` (any case) followed by `:` or a space.
fn labelled(line: &[u8], name: &[u8]) -> bool {
    let Some((start, rest)) = line.split_at_checked(name.len()) else {
        return false;
    };
    name.len() > 1 && matches!(rest.first(), Some(b':' | b' ')) && start.eq_ignore_ascii_case(name)
}

/// How a command ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Final {
    Ok,
    /// `ERROR` (code 0) or `+CME ERROR: n`.
    Error(u16),
    Prompt,
    Timeout,
}

impl<'a> Engine<'a> {
    /// Handles input up to the next token, or until the ring is empty (a payload or line
    /// that spans the whole input needs no second pass through the poll loop).
    // One caller (`poll`); inlined, it saves a call per RX chunk.
    #[inline(always)]
    pub(super) fn step_rx(&mut self, rx: &mut RxReader<'_, '_>) -> RxStep {
        let token = loop {
            // The tokenizer reads the ring in place and copies only into the line buffer.
            let (tok, line) = (&mut self.tok, &mut *self.line);
            let (used, token) = rx.read_with(|input| {
                let (used, token) = tok.push(line, input);
                (used, (used, token))
            });
            self.stats.rx_bytes = self.stats.rx_bytes.wrapping_add(used as u32);
            match token {
                Some(t) => break t,
                // Nothing more before a gap: bytes are missing here.
                None if used == 0 && rx.pass_gap() => {
                    self.rx_gap();
                    return RxStep::Progress;
                }
                // All of it was consumed: more only if the ring wrapped or bytes came in.
                None if used == 0 || rx.is_empty() => return RxStep::Idle,
                None => continue,
            }
        };
        match token {
            Token::Line { len } => match self.on_line(len) {
                Some(LineOut::AtLine(id)) => return RxStep::AtLine(id, len),
                Some(LineOut::Urc) => return RxStep::Urc(len),
                None => {}
            },
            Token::Prompt => self.on_final(Final::Prompt),
            Token::Message { topic, payload } => return RxStep::Message(topic, payload),
            Token::MessageDropped { .. } => {
                self.stats.messages_too_large = self.stats.messages_too_large.wrapping_add(1);
                self.lost(LossKind::MessageTooLarge, 1);
            }
            Token::LineDiscarded { .. } => {
                self.stats.lines_too_long = self.stats.lines_too_long.wrapping_add(1);
                self.lost(LossKind::LineTooLong, 1);
            }
        }
        RxStep::Progress
    }

    /// Bytes are missing here (the RX ring overflowed; the overflow is reported by `poll`):
    /// a message whose bytes they cut is lost and counted, never read across the gap with the
    /// bytes of what follows; a partial line is dropped. The stream resynchronises at the next
    /// line.
    #[inline(never)]
    fn rx_gap(&mut self) {
        if self.tok.in_message() {
            self.stats.messages_corrupt = self.stats.messages_corrupt.wrapping_add(1);
            self.lost(LossKind::MessageCorrupt, 1);
        }
        self.tok.reset();
    }

    /// While the open waits for its result, a held line that is exactly that result is
    /// taken as complete (`Dialect::open_result_may_lack_eol`): nothing else would end it
    /// before the broker drops a client that never sent its CONNECT. Only whole-text lines
    /// qualify (`CONNECT OK`, `7,CONNECT OK`, `ALREADY CONNECT`): none is the start of another.
    #[inline(never)]
    pub(super) fn unterminated_open_result(&mut self) -> bool {
        let dialect = self.dialect;
        if !dialect.open_result_may_lack_eol() {
            return false;
        }
        let Some(held) = self.tok.partial_line(self.line) else {
            return false;
        };
        if !matches!(
            dialect.decode(held, false),
            Response::LinkOpened | Response::LinkAlreadyOpen
        ) {
            return false;
        }
        // Taken as the line would be while the open waits (`Response::LinkOpened`).
        let _ = self.tok.end_partial_line(self.line);
        self.on_tcp_up();
        true
    }

    fn on_line(&mut self, len: usize) -> Option<LineOut> {
        let line = self.line.get(..len).unwrap_or(&[]);
        // The session's own state query, or the application's read command (sharing the
        // module): a state line then answers it and is no connect or disconnect result.
        let state_query = match self.inflight.map(|f| f.cmd) {
            Some(Cmd::Verify) => true,
            Some(Cmd::Queued(_)) => self
                .at_queue
                .front()
                .is_some_and(|q| q.kind == AtKind::App && q.text().ends_with(b"?")),
            _ => false,
        };
        let response = self.dialect.decode(line, state_query);
        // Answer lines of the identity queries and of queued commands belong to them; finals,
        // echoes and the URCs the session acts on never do. (Checked only while one of those
        // is in flight: every line passes here.)
        let answer = || {
            matches!(
                response,
                Response::Unknown
                    | Response::Info
                    | Response::Signal { .. }
                    | Response::Attach(_)
                    | Response::Sim(_)
                    | Response::SessionState { .. }
                    | Response::Clock { .. }
                    | Response::BearerState { .. }
                    | Response::BearerActive
            )
        };
        match self.inflight.map(|f| f.cmd) {
            Some(Cmd::Identity(fact))
                if answer() && answers(self.dialect.identity_command(fact), line) =>
            {
                self.boot.facts.capture(fact, line);
                return None;
            }
            // The state query's lines about other clients (SIMCom's `+CMQTTDISC: 1,1`): the
            // session asked, so they are no URC for the application.
            Some(Cmd::Verify)
                if self.dialect.state_lists_every_client()
                    && response == Response::Info
                    && line.first() == Some(&b'+')
                    && answers(self.dialect.state_query(), line) =>
            {
                return None;
            }
            Some(Cmd::Queued(id))
                if answer()
                    && self.at_queue.front().is_some_and(|q| {
                        q.id == id && q.kind == AtKind::App && answers(q.text(), line)
                    }) =>
            {
                // Only the first thing after the command can be its prompt: a later answer
                // line may start with `>` (a quoted reply in a message read).
                self.tok.set_expect_prompt(false);
                return Some(LineOut::AtLine(id));
            }
            _ => {}
        }
        match response {
            Response::Ok => self.on_final(Final::Ok),
            Response::Error => self.on_error_line(0),
            Response::CmeError(n) => self.on_error_line(n),
            Response::Echo => self.on_echo(),
            Response::BearerState { down } => {
                // The state line before a `CONNECT FAIL` tells a bearer that is down (the
                // module's side) from a broker that cannot be reached.
                if down {
                    self.seen.bearer = Some(false);
                }
            }
            Response::BearerActive => self.seen.bearer = Some(true),
            Response::Info => return self.pass_on(true),
            Response::Settled => {}
            Response::CorruptMessage => {
                self.stats.messages_corrupt = self.stats.messages_corrupt.wrapping_add(1);
                self.lost(LossKind::MessageCorrupt, 1);
            }
            Response::Unknown => {
                self.stats.lines_unknown = self.stats.lines_unknown.wrapping_add(1);
                // A prefixed line, or any text (`RING`, `NO CARRIER`, a late answer's bare
                // line): no line the engine does not consume goes unreported. (Scanned here
                // only: every other line is known by its first bytes.)
                let urc_like = matches!(line.first(), Some(b'+' | b'^')) || is_text(line);
                return self.pass_on(urc_like);
            }
            Response::Clock { utc_s, zone } => self.notify(Notice::Time { utc_s, zone }),
            Response::LinkOpened => self.on_tcp_up(),
            Response::LinkAlreadyOpen => {
                self.on_tcp_up();
                // Some firmware answers MIPSTART with this line instead of OK.
                if self.inflight.is_some_and(|f| f.cmd == super::Cmd::Open) {
                    self.on_final(Final::Ok);
                }
            }
            Response::OpenFailed { code, reason } => self.on_open_failed(code, reason),
            // After the connect's `OK`, or before it while it is in flight (SIMCom's
            // synchronous shape, docs/quectel-simcom-at.md §4.5), where that `OK` then finds
            // the session up (`route`). No other command is sent during the connect.
            Response::Connected
                if self.step == Step::Connect
                    && (self.awaiting_link || self.inflight.is_some()) =>
            {
                self.awaiting_link = false;
                self.on_connected();
            }
            Response::Connected => {}
            Response::ConnectFailed { code, reason } => {
                if self.step == Step::Connect {
                    self.awaiting_link = false;
                    self.abandon_inflight();
                    // A module fault among the codes (SIMCom: client not acquired, bad
                    // parameter, docs/quectel-simcom-at.md §5.3) is logged as one and climbs
                    // the ladder (`broker_failed` tells).
                    self.broker_failed(Subject::MConnect, code, reason);
                }
            }
            Response::Subscribed { id, granted } => self.on_sub_ack(false, id, granted),
            Response::Unsubscribed { id } => self.on_sub_ack(true, id, None),
            Response::PubAck { ack, id } => self.on_pub_ack(ack, id),
            // Only dialects with message ids report it (a constant elsewhere: no code).
            Response::SendFailed { id } if self.dialect.acks_carry_ids() => self.on_send_failed(id),
            Response::SendFailed { .. } => {}
            #[cfg(feature = "quectel")]
            Response::Retransmitting { id } => self.on_retransmitting(id),
            #[cfg(feature = "simcom")]
            Response::RequestFailed { code, publish } => self.on_request_failed(code, publish),
            Response::LinkClosed { code, cause } => self.on_link_closed(code, cause),
            Response::BearerLost { cid, restore } => {
                // Named before anything is decided: one path for both kinds (deciding it at
                // the end made two copies of the path).
                let what = match restore {
                    true => Subject::PdpDeact,
                    false => Subject::PdnDeact,
                };
                if restore {
                    // The bearer must be restored before the next open, whatever step the
                    // session is in, stopped too: the next start's open needs it as much
                    // (Luat: `AT+CIPSHUT`, docs/luat-at.md §4.8).
                    self.boot.restore_bearer = true;
                }
                if self.link_in_use() || self.opening() {
                    self.link_lost(what, u16::from(cid));
                }
            }
            Response::Done => {
                if self
                    .inflight
                    .is_some_and(|f| self.item_of(f.cmd).is_some_and(|i| i.word_final))
                {
                    self.on_final(Final::Ok);
                }
            }
            Response::Ready => {
                #[cfg(feature = "simcom")]
                {
                    self.boot_tail = BOOT_TAIL_LINES;
                }
                self.on_module_boot()
            }
            // Printed by a booting module only, but the SIM7600 prints `PB DONE` when its
            // phone book is loaded, which may be after the session is up. So a boot line is a
            // reboot only when no boot it could belong to was seen (the reboot's first line
            // was lost) and the session is up; before that it is the tail of a boot handled.
            #[cfg(feature = "simcom")]
            Response::BootLine => {
                let reboot = self.boot_tail == 0 && self.connected;
                // What else of this boot's tail may follow (at most the lines after this one).
                self.boot_tail = self.boot_tail.checked_sub(1).unwrap_or(BOOT_TAIL_LINES - 1);
                if !reboot {
                    return self.pass_on(true);
                }
                self.on_module_boot()
            }
            Response::PowerDown => match self.step {
                Step::Idle | Step::Failed | Step::Pins(..) => {}
                // Stopping: the module is off and the link with it (an application's
                // `AT+CPOWD=1` in flight at the stop, docs/luat-at.md §3): the stop ends as at
                // a reboot, never with a recovery that would switch it on again.
                Step::Disconnect | Step::CloseForStop => self.on_module_boot(),
                _ => self.fail(Status::NoResponse),
            },
            Response::Sim(s) => self.seen.sim = Some(s),
            Response::Attach(a) => self.seen.attached = Some(a == 1),
            Response::SessionState { code, connected } => {
                self.seen.mqtt = Some((code, connected));
                // Quectel: the disconnect's result after its `OK` (§3.9) ends the stop; the
                // close waits for it (`peek_command`) and goes only if it does not come.
                #[cfg(feature = "quectel")]
                if self.step == Step::CloseForStop
                    && self.inflight.is_none()
                    && self.dialect.disconnect_closes_link()
                {
                    self.stopped();
                }
            }
            // Without the part (crate::parts) only an application's own `AT+CSQ` gets here:
            // no signal notice is due.
            Response::Signal { rssi, ber } if crate::parts::SIGNAL_REPORTS => {
                self.notify(Notice::Signal { rssi, ber })
            }
            Response::Signal { .. } => {}
            Response::CacheNotice(slot) => self.on_cache_notice(slot),
        }
        None
    }

    /// `ERROR` ends the command in flight; with none in flight it is the late failure of
    /// `AT+MCONNECT` (its result comes after `OK`), or of `AT+MIPSTART`, if one is awaited,
    /// and otherwise a stray line (`on_final` counts it).
    fn on_error_line(&mut self, code: u16) {
        let waiting = match self.inflight {
            Some(_) => None,
            None => self.link_wait(),
        };
        let (what, reason) = match waiting {
            // The documented form of a refused CONNECT (docs/luat-at.md §5.3).
            Some(LinkWait::Connack) => (Subject::MConnect, Status::BrokerRefused),
            Some(LinkWait::TcpUp) if super::session::is_dns_error(code) => {
                (Subject::MipStart, Status::NameNotResolved)
            }
            Some(LinkWait::TcpUp) => (Subject::MipStart, Status::BrokerUnreachable),
            None => return self.on_final(Final::Error(code)),
        };
        self.awaiting_link = false;
        self.broker_failed(what, code, reason);
    }

    // Out of line: two lines (`CONNECT OK`, `ALREADY CONNECT`) ask it; measured 26 B smaller
    // (Luat engine, 76 B with every dialect), and no slower per received byte.
    #[inline(never)]
    fn on_tcp_up(&mut self) {
        // A `CONNECT OK` outside `AT+MIPSTART` (late, after a failure or a stop) opens nothing
        // the session waits for.
        if self.step != Step::Open {
            return;
        }
        self.tcp_up = true;
        if self.link_wait() == Some(LinkWait::TcpUp) {
            self.awaiting_link = false;
            self.goto(Step::Connect);
        }
    }

    /// A TCP/MQTT link exists (or is being brought up) that a `CLOSED` would end: also the one
    /// an open that was answered `OK` is building, before its `CONNECT OK` (a TLS handshake or
    /// a connection the broker's side broke off, Luat `CLOSED` or `TCP ERROR: <n>` then:
    /// ignored, the wait for `CONNECT OK` ran out into a module fault).
    fn link_in_use(&self) -> bool {
        self.connected
            || matches!(self.step, Step::Connect)
            || (self.step == Step::Open && (self.tcp_up || self.awaiting_link))
    }

    /// A failed open: the bearer or module side climbs the ladder, the broker side
    /// re-connects (an `ERROR` that follows adds nothing: its command is stale by then).
    fn on_open_failed(&mut self, code: u16, reason: Status) {
        if self.step != Step::Open {
            return;
        }
        let reason = match reason {
            // A state line said the bearer is down: attach lost, the module's side.
            _ if self.seen.bearer == Some(false) => Status::NotAttached,
            r => self.dialect.open_failure(r, self.cfg.tls()),
        };
        match reason {
            Status::NotAttached | Status::ModuleError => {
                let kind = match reason {
                    Status::NotAttached => LogKind::LinkDown,
                    _ => LogKind::CommandError,
                };
                self.fail_logged(kind, Subject::ConnectFail, code, reason)
            }
            _ => self.broker_failed(Subject::ConnectFail, code, reason),
        }
    }

    /// The broker link ended. Before the session was up it is the broker's answer to the
    /// connect; after, a lost link.
    fn on_link_closed(&mut self, code: u16, cause: LinkCause) {
        let what = match cause {
            LinkCause::Error => Subject::TcpError,
            _ => Subject::Closed,
        };
        let refused = match cause {
            LinkCause::Closed | LinkCause::Refused => Status::BrokerRefused,
            LinkCause::Unreachable => Status::BrokerUnreachable,
            LinkCause::Error | LinkCause::KeepaliveFailed => Status::LinkLost,
        };
        if cause == LinkCause::KeepaliveFailed && !matches!(self.step, Step::Idle | Step::Failed) {
            // The vendor re-activates the bearer before re-opening (Quectel `+QMTSTAT` 2), also
            // when the loss was seen first (`+QMTPING`, the state query): as a bearer loss is.
            self.boot.restore_bearer = true;
        }
        // SIMCom's refusals are result codes (27-31, docs/quectel-simcom-at.md §5.3): its
        // `+CMQTTCONNLOST` during a connect is a lost link, as at any other time.
        let refusals_by_code = self.dialect.result_urc_decides();
        if self.step == Step::Connect && refused != Status::LinkLost && !refusals_by_code {
            // The broker dropped the link before accepting the CONNECT: it refused us.
            self.awaiting_link = false;
            self.abandon_inflight();
            self.broker_failed(what, code, refused);
        } else if self.link_in_use() {
            self.link_lost(what, code);
        }
    }

    /// The module could not send the packet of request `id`: if it is the one awaited, the
    /// link is in doubt, and the session asks.
    fn on_send_failed(&mut self, id: u16) {
        // One `suspect` call for the three cases (a call each was three copies of its
        // argument's construction).
        let suspect = if let Some(w) = self.subscribing.sub_wait.filter(|w| w.id == id) {
            self.subscribing.sub_wait = None;
            Suspect::Sub {
                request: w,
                reason: Status::LinkLost,
            }
        } else if let Some(w) = self
            .publishing
            .pub_wait
            .filter(|w| self.publish_has_id(w.src, id))
        {
            self.publishing.pub_wait = None;
            Suspect::Publish {
                src: w.src,
                reason: Status::LinkLost,
            }
        } else if id != 0
            && self.publishing.queue.holds_id(id)
            && self.publishing.queue.awaiting() != 0
            && self.window() > 1
        {
            // Possibly one sent ahead in the window: resend the window if the link is up.
            self.rewind_window();
            Suspect::Window
        } else {
            return self.send_failed_unawaited(id);
        };
        self.suspect(suspect);
    }

    /// The module still works on request `id` (Quectel `<result>` 1; id 0: the connect): its
    /// wait for the final result runs from this report, so a connect, publish or subscribe the
    /// module is still retransmitting is not taken for one whose acknowledgement is overdue.
    #[cfg(feature = "quectel")]
    fn on_retransmitting(&mut self, id: u16) {
        if id == 0 {
            if self.link_wait() == Some(LinkWait::Connack) {
                self.await_link(self.cfg.timeouts.connack_ms);
            }
            return;
        }
        let deadline = crate::time::after(self.now, self.cfg.timeouts.ack_ms);
        if let Some(w) = self.subscribing.sub_wait.as_mut().filter(|w| w.id == id) {
            w.deadline = deadline;
            return;
        }
        let awaited = self
            .publishing
            .pub_wait
            .is_some_and(|w| self.publish_has_id(w.src, id));
        if awaited {
            if let Some(w) = self.publishing.pub_wait.as_mut() {
                w.deadline = deadline;
            }
        } else if self.windowed()
            && self.publishing.queue.awaiting() != 0
            && self.publishing.queue.holds_id(id)
        {
            self.publishing.window_deadline = deadline;
        }
    }

    /// A send failure for no request awaited: one whose command is still in flight keeps it
    /// for its final result; any other is unexpected.
    fn send_failed_unawaited(&mut self, id: u16) {
        // Before the `OK` of its command (a URC before the final result): kept for it. Only a
        // command written whole: the module cannot report on a packet it has not had, so a
        // report before then is an earlier request's (Quectel gives every QoS 0 publish id 0,
        // and reports one just after its `OK`, while the next one's header may be out).
        let sending = self.inflight.is_some_and(|f| {
            let whole = f.written || f.cursor.is_done();
            whole
                && match f.cmd {
                    super::Cmd::Publish(src) | super::Cmd::PublishData(src) => {
                        self.publish_has_id(src, id)
                    }
                    super::Cmd::Subscribe { id: want, .. }
                    | super::Cmd::Unsubscribe { id: want, .. } => want == id,
                    _ => false,
                }
        });
        if sending {
            self.early_send_failed = true;
        } else {
            self.stats.unexpected_acks = self.stats.unexpected_acks.wrapping_add(1);
        }
    }

    /// A subscribe, unsubscribe or publish failed with `code`, in a dialect whose results name
    /// no request (SIMCom `+CMQTTPUB: <c>,<err>`): it is the one awaited, or the one in flight
    /// if it came before its command's final result (`OK`, or the `ERROR` after it, docs/
    /// quectel-simcom-at.md §4.14 item 3). The link is in doubt: the session asks.
    #[cfg(feature = "simcom")]
    fn on_request_failed(&mut self, code: u16, publish: bool) {
        // A publish's result is never a subscribe's: the session sends a subscribe while a
        // publish awaits its result (S07: `+CMQTTPUB: 0,6` then the link lost).
        if let Some(w) = self.subscribing.sub_wait.take_if(|_| !publish) {
            let what = match w.unsubscribe {
                true => Subject::Unsuback,
                false => Subject::Suback,
            };
            self.log(LogKind::CommandError, what, code);
            return self.suspect(Suspect::SubRefused { request: w });
        }
        if let Some(w) = self.publishing.pub_wait.take_if(|_| publish) {
            self.log(LogKind::CommandError, Subject::Puback, code);
            return self.suspect(Suspect::Publish {
                src: w.src,
                reason: Status::LinkLost,
            });
        }
        let sending = self.inflight.is_some_and(|f| match f.cmd {
            Cmd::Publish(_) => publish,
            Cmd::Subscribe { .. } | Cmd::Unsubscribe { .. } => !publish,
            _ => false,
        });
        if sending {
            self.log(LogKind::CommandError, self.inflight_subject(), code);
            self.early_send_failed = true;
        } else {
            self.stats.unexpected_acks = self.stats.unexpected_acks.wrapping_add(1);
        }
    }

    /// What log entries call the command in flight.
    #[cfg(feature = "simcom")]
    fn inflight_subject(&self) -> Subject {
        self.inflight
            .map_or(Subject::At, |f| f.cmd.subject(self.dialect))
    }

    /// A subscribe (`unsubscribe` false) or unsubscribe acknowledgement: only the kind (and,
    /// where the dialect reports one, the id) awaited counts. One that comes before the `OK`
    /// of its command (a URC before the final result) is kept for it, once the part that
    /// subscribes is out (`last_part_out`).
    fn on_sub_ack(&mut self, unsubscribe: bool, id: Option<u16>, granted: Option<u8>) {
        // Ids and grants only where the dialect reports them (a constant: no code elsewhere).
        let id = id.filter(|_| self.dialect.acks_carry_ids());
        let granted = granted.filter(|_| self.dialect.acks_carry_ids());
        let ours =
            |kind: bool, wanted: u16| kind == unsubscribe && id.is_none_or(|id| id == wanted);
        match self.subscribing.sub_wait {
            Some(w) if ours(w.unsubscribe, w.id) => {
                self.subscribing.sub_wait = None;
                self.sub_acked(w, granted);
            }
            None if self.last_part_out().is_some_and(|cmd| match cmd {
                super::Cmd::Subscribe { id, .. } => ours(false, id),
                super::Cmd::Unsubscribe { id, .. } => ours(true, id),
                _ => false,
            }) =>
            {
                self.subscribing.early_sub_ack = super::state::early_ack(granted);
            }
            _ => self.stats.unexpected_acks = self.stats.unexpected_acks.wrapping_add(1),
        }
    }

    fn on_pub_ack(&mut self, got: AckStage, id: Option<u16>) {
        let id = id.filter(|_| self.dialect.acks_carry_ids());
        if id.is_some_and(|id| self.window_acked(id)) {
            return;
        }
        let id_ok = |src: PubSource| id.is_none_or(|id| self.publish_has_id(src, id));
        // A `PUBCOMP` whose `PUBREC` was lost still ends the QoS 2 exchange.
        let stage_ok = |want: AckStage| {
            got == AckStage::Done
                || want == got
                || (want == AckStage::Pubrec && got == AckStage::Pubcomp)
        };
        let awaited = self
            .publishing
            .pub_wait
            .filter(|w| stage_ok(w.stage) && id_ok(w.src));
        // The acknowledgement of a publish whose wait ran out while the session asks whether
        // the link is up: it did arrive, so the publish is done (no refusal, no resend).
        if let Some(super::session::Suspect::Publish {
            src,
            reason: Status::Timeout,
        }) = self.suspect
        {
            let qos = self.publish_parts(src).map_or(0, |p| p.qos);
            let last = match qos {
                1 => AckStage::Puback,
                _ => AckStage::Pubcomp,
            };
            if awaited.is_none() && (got == AckStage::Done || got == last) && id_ok(src) {
                self.suspect = None;
                return self.publish_done(src);
            }
        }
        let Some(w) = awaited else {
            // Before the `OK` of its publish command (a URC before the final result): kept,
            // once the part that publishes is out (`last_part_out`; SIMCom's `<pub_timeout>`
            // outlasts `ack_ms`, so a late one of a given-up publish may come).
            let sending = self.last_part_out().is_some_and(|cmd| match cmd {
                super::Cmd::Publish(src) | super::Cmd::PublishData(src) => id_ok(src),
                _ => false,
            });
            if sending && self.publishing.pub_wait.is_none() {
                self.publishing.early_pub_ack =
                    Some(self.publishing.early_pub_ack.map_or(got, |e| e.max(got)));
            } else {
                self.stats.unexpected_acks = self.stats.unexpected_acks.wrapping_add(1);
            }
            return;
        };
        if got == AckStage::Pubrec {
            let deadline = crate::time::after(self.now, self.cfg.timeouts.ack_ms);
            self.publishing.pub_wait = Some(super::PubWait {
                stage: AckStage::Pubcomp,
                deadline,
                ..w
            });
            return;
        }
        self.publishing.pub_wait = None;
        self.publish_done(w.src);
    }

    fn on_cache_notice(&mut self, slot: u8) {
        if !crate::parts::CACHE_MODE {
            // The build cannot read the cache (crate::parts) and told the module to push
            // messages; a cached one it announces anyway is lost, and counted.
            return self.lost(LossKind::CacheReadFailed, 1);
        }
        let bit = 1u8 << (slot & 3);
        if self.boot.cache_pending & bit != 0 {
            // The module keeps 4 slots; a second notice for an unread slot overwrote it.
            self.stats.cache_overwritten = self.stats.cache_overwritten.wrapping_add(1);
            self.lost(LossKind::CacheOverwritten, 1);
        }
        self.boot.cache_pending |= bit;
    }

    /// An echoed command line: expected until `ATE0` is answered; after it, echo came back
    /// (firmware that keeps echoing, TX looped back by the wiring, or a module that rebooted
    /// without a `RDY` we saw). It is never an answer and never on its own a reboot: `ATE0`
    /// goes once more, and the per-boot preparation is redone at the next re-connect in case
    /// the module did lose it. A reboot shows itself by `RDY` or by contradicting the session.
    // Out of line: measured 4 B smaller (Luat), 2 B (every dialect).
    #[inline(never)]
    fn on_echo(&mut self) {
        if self.boot.echo == Echo::Default {
            return;
        }
        self.stats.echo_lines = self.stats.echo_lines.wrapping_add(1);
        self.seen.echo = true;
        match self.boot.echo {
            Echo::Off => {
                self.log(LogKind::EchoOn, Subject::Ate0, 0);
                self.boot.echo = Echo::Resend;
                // The module may have rebooted unseen: the per-boot settings, TLS included,
                // are sent again at the next re-connect.
                self.boot.prepared = false;
                self.boot.client_kept = false;
                self.boot.ssl_done = false;
            }
            Echo::Resent => self.boot.echo = Echo::Stuck,
            _ => {}
        }
    }

    /// `RDY`: the module (re)booted. Expected while probing after power-on or reset; anywhere
    /// else it rebooted by itself and everything it held is gone.
    // Out of line: measured 20 B smaller than inlined into `poll` (Luat engine).
    #[inline(never)]
    fn on_module_boot(&mut self) {
        // The application's command in flight (perhaps the one that rebooted the module) ends
        // here: sent again to the fresh module it could reboot it again.
        if let Some(Cmd::Queued(id) | Cmd::CancelPrompt(id)) = self.inflight.map(|f| f.cmd) {
            self.at_command_done(id, Status::LinkLost, 0);
        }
        // Whatever was being sent or awaited, the fresh module knows nothing of it: stop
        // writing it (the rest would reach its command parser) and await no answer to it.
        // A probe's `AT` is the exception: it is what a booting module answers next.
        if !matches!(self.step, Step::Idle | Step::Failed | Step::Probe(_)) {
            self.abandon_inflight();
        }
        if let Step::Pins(..) = self.step {
            return;
        }
        // Whatever the step, what the module held is gone (SSL settings among it).
        self.fresh_module();
        match self.step {
            // Stopped: nothing more to do.
            Step::Idle | Step::Failed => {}
            // Stopping: the reboot ended the link too.
            Step::Disconnect | Step::CloseForStop => self.stopped(),
            // The reboot we asked for (its OK may be lost in the boot output): boot it.
            Step::SoftReset => self.begin_probe(ProbeKind::Boot),
            Step::Probe(ProbeKind::Start | ProbeKind::Boot) => self.timer = self.now,
            step => {
                self.stats.module_reboots = self.stats.module_reboots.wrapping_add(1);
                self.log(LogKind::ModuleRebooted, Subject::Rdy, 0);
                if step == Step::Backoff {
                    // The module is fresh, so boot it: no new failure, but a reboot all the
                    // same.
                    self.begin_probe(ProbeKind::Boot)
                } else {
                    self.module_rebooted();
                }
            }
        }
    }

    /// True when the publish from `src` goes with message id `id`.
    // Out of line: the results that name their request compare its id in six places (the
    // acknowledgement's closure thrice), each with a copy of the publish's look-up before.
    #[inline(never)]
    fn publish_has_id(&self, src: PubSource, id: u16) -> bool {
        self.publish_parts(src).is_some_and(|p| p.id == id)
    }

    pub(super) fn publish_is_inflight(&self, src: PubSource) -> bool {
        self.publishing.pub_wait.is_some_and(|w| w.src == src)
            || self.inflight.is_some_and(|f| {
                matches!(f.cmd, super::Cmd::Publish(s) | super::Cmd::PublishHeader(s) | super::Cmd::PublishData(s) if s == src)
            })
    }
}
