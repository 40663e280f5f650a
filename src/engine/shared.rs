// SPDX-License-Identifier: MIT OR Apache-2.0
//! Sharing the module with the application: AT commands it queues (sent between the session's
//! own commands, their answer lines handed back), on-demand signal and network time, and the
//! lines the engine does not consume passed on as URCs, rate-bounded.
//!
//! A queued command must not break the session: the MQTT commands, echo, baud rate, commands
//! that open a data prompt and (unless `Options::ALLOW_RESET_COMMANDS`) the ones that reboot or
//! switch off the module are refused. Read and test forms (`...?`) of any command are allowed.

use super::Engine;
use crate::bytes::is_text;
use crate::config::Options;
use crate::dialect::common::packed;
use crate::event::{LossKind, Notice};
use crate::time::{after, reached, until};
use crate::Status;

/// Application commands that can wait at once (each holds its text).
pub const AT_SLOTS: usize = 2;
/// Longest queued command, `AT` included.
pub const AT_TEXT_MAX: usize = 56;
/// URC pass-through: a burst of this many, then one per `URC_REFILL_MS`.
const URC_BURST: u8 = 8;
const URC_REFILL_MS: u32 = 250;

/// Commands (after `AT`, upper case, compared as prefixes of each command on the line) that would break the session in
/// every family; each dialect adds its own MQTT, TLS and bearer commands
/// ([`crate::dialect::Dialect::session_commands`]). A [`packed!`] table: a length byte per key
/// instead of a slice's eight.
const REFUSED: &[u8] = packed!(
    // Echo, result codes and the UART's settings: the engine's parser depends on them
    // (`ATQ1` drops every `OK`, `ATS3=`/`ATS4=` change the line's end characters).
    b"E",
    b"Q",
    b"S3=",
    b"S4=",
    b"+IPR",
    b"+ICF",
    b"+IFC",
    b"&F",
    b"V",
    b"+CMEE",
    // The UART taken over: a multiplexer's frames, a data call's (or `ATO`'s) online data,
    // an answered data call's (`ATA`). (A voice call needs `;`, refused as a second command.)
    b"+CMUX",
    b"D",
    b"O",
    b"A",
    // Sleep that makes the UART deaf until DTR (which the engine does not drive) wakes it.
    b"+CSCLK=1",
    b"+CSCLK=2",
    b"+QSCLK=1",
    // A data prompt the engine would not feed.
    b"+CMGS",
    b"+CMGW",
    b"+FSWRITE",
    b"+CIPSEND",
    // Detach, deregister, deactivate, radio off.
    b"+CGATT=",
    b"+COPS=2",
    b"+CGACT=",
);

/// Refused unless `Options::ALLOW_RESET_COMMANDS`: they reboot or switch off the module (the
/// session then recovers as from any reboot).
/// (Luat `AT+RESET`, Quectel `AT+QPOWD`, SIMCom `AT+CRESET` and `AT+CPOF`).
const RESETS: &[u8] =
    packed!(b"+RESET", b"+CFUN=", b"+CPOWD", b"Z", b"+QPOWD", b"+CRESET", b"+CPOF");

/// Who asked for a queued command, and so where its answer goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AtKind {
    /// The application's command: answer lines go to it as `AtLine`.
    App,
    /// `AT+CSQ` on demand: a `Signal` notice.
    Signal,
    /// `AT+CCLK?` on demand: a `Time` notice.
    Time,
}

#[derive(Clone, Copy, Debug)]
pub struct AtCmd {
    pub id: u16,
    pub kind: AtKind,
    pub timeout_ms: u32,
    len: u8,
    text: [u8; AT_TEXT_MAX],
}

impl AtCmd {
    pub fn text(&self) -> &[u8] {
        self.text.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// The queued commands, oldest first.
#[derive(Clone, Copy, Debug)]
pub struct AtQueue {
    slots: [Option<AtCmd>; AT_SLOTS],
    /// A command timed out: the module may still answer it, so an `AT` must be answered
    /// (the probe's online, else `Cmd::Resync`) before any other command goes, and takes that
    /// late answer instead.
    pub resync: bool,
}

impl Default for AtQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl AtQueue {
    pub const fn new() -> Self {
        AtQueue {
            slots: [None; AT_SLOTS],
            resync: false,
        }
    }

    pub fn front(&self) -> Option<&AtCmd> {
        self.slots.first().and_then(Option::as_ref)
    }

    fn push(&mut self, cmd: AtCmd) -> Result<(), Status> {
        let free = self.slots.iter_mut().find(|s| s.is_none());
        let slot = free.ok_or(Status::QueueFull)?;
        *slot = Some(cmd);
        Ok(())
    }

    /// Takes the oldest command off (its caller read what it needed through `front`: the
    /// command is not copied out).
    pub fn pop(&mut self) {
        self.slots.copy_within(1.., 0);
        if let Some(last) = self.slots.last_mut() {
            *last = None;
        }
    }
}

/// A burst of URC events, refilled with time.
#[derive(Clone, Copy, Debug)]
pub struct UrcBudget {
    tokens: u8,
    refill_at: u32,
}

impl Default for UrcBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl UrcBudget {
    pub const fn new() -> Self {
        UrcBudget {
            tokens: URC_BURST,
            refill_at: 0,
        }
    }

    /// True (and a token spent) when one more URC may go out at `now`.
    // Out of line: the refill loop is the same for every URC path that asks.
    #[inline(never)]
    fn take(&mut self, now: u32) -> bool {
        // A live refill time is at most one period ahead; one further ahead is stale: more
        // than 2^31 ms (24.8 days) without a URC make an old time read as the future, and no
        // token would come back for another 24.8 days. That long a quiet time refills it all.
        if until(now, self.refill_at) > URC_REFILL_MS {
            self.tokens = URC_BURST;
        }
        while self.tokens < URC_BURST && reached(now, self.refill_at) {
            self.tokens = self.tokens.saturating_add(1);
            self.refill_at = after(self.refill_at, URC_REFILL_MS);
        }
        if self.tokens == URC_BURST {
            self.refill_at = after(now, URC_REFILL_MS);
        }
        match self.tokens.checked_sub(1) {
            Some(left) => {
                self.tokens = left;
                true
            }
            None => false,
        }
    }
}

/// Checks a command the application wants queued; `session` is the dialect's table of the
/// session's own commands.
fn check_command(text: &[u8], session: &[u8], allow_resets: bool) -> Result<(), Status> {
    if text.len() > AT_TEXT_MAX {
        return Err(Status::StringTooLong);
    }
    let at = text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"AT"));
    // One printable command: no CR/LF (it would end early), no `;` (a second command).
    let printable = is_text(text) && !text.contains(&b';');
    if !at || !printable {
        return Err(Status::InvalidArg);
    }
    let mut rest = text.get(2..).unwrap_or(&[]);
    // V.250: one line may hold several basic commands (`ATI E1`, `ATS0=0Q1`), then one
    // extended command (`+...`) to its end; each is checked on its own.
    while let Some(at) = rest.iter().position(|b| *b != b' ') {
        let cmd = rest.get(at..).unwrap_or(&[]);
        let len = command_len(cmd);
        let (one, next) = cmd.split_at_checked(len).unwrap_or((cmd, &[]));
        rest = next;
        // Reading or testing a setting changes nothing.
        if one.trim_ascii_end().last() == Some(&b'?') {
            continue;
        }
        let resets = !allow_resets && starts_with_any(RESETS, one);
        if starts_with_any(REFUSED, one) || starts_with_any(session, one) || resets {
            return Err(Status::CommandRefused);
        }
    }
    Ok(())
}

/// The length of the first command of `cmd` (not empty, not starting with a space): a basic
/// command is its letter (`&` and a letter, `S` and the register's number) and its value
/// (digits, or `=` and digits, or `?`); a dial (`D`) or an extended command runs to the end.
fn command_len(cmd: &[u8]) -> usize {
    let name = match cmd {
        [b'&', c, ..] if c.is_ascii_alphabetic() => 2,
        [c, ..] if c.is_ascii_alphabetic() && !c.eq_ignore_ascii_case(&b'D') => 1,
        _ => return cmd.len(),
    };
    let value = cmd.get(name..).unwrap_or(&[]);
    let more = value
        .iter()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b' ' | b'=' | b'?')))
        .unwrap_or(value.len());
    name.saturating_add(more)
}
/// True when `body` starts with one of the keys of the [`packed!`] table `keys`, in any case
/// and whatever spaces it holds (V.250 parsers ignore them: `AT+CGATT =0` detaches too).
fn starts_with_any(keys: &[u8], body: &[u8]) -> bool {
    let mut rest = keys;
    while let [len, tail @ ..] = rest {
        let Some((key, next)) = tail.split_at_checked(usize::from(*len)) else {
            return false;
        };
        if matches_ignoring_spaces(key, body) {
            return true;
        }
        rest = next;
    }
    false
}

/// True when `body`, its spaces skipped, starts with `key` (which holds none), in any case.
fn matches_ignoring_spaces(key: &[u8], body: &[u8]) -> bool {
    let mut chars = body.iter().filter(|b| **b != b' ');
    key.iter()
        .all(|k| chars.next().is_some_and(|b| b.eq_ignore_ascii_case(k)))
}

impl<'a> Engine<'a> {
    /// Queues an AT command of the application (e.g. `AT+CMGR=1`), sent between the session's
    /// own commands; its answer lines come back as `Event::AtLine` with the returned id, its
    /// end as a `Notice::AtDone`. `timeout_ms` bounds the wait for its final result.
    pub fn at_command(&mut self, text: &[u8], timeout_ms: u32) -> Result<u16, Status> {
        self.settled = false;
        let allow = self.cfg.options.contains(Options::ALLOW_RESET_COMMANDS);
        check_command(text, self.dialect.session_commands(), allow)?;
        if timeout_ms == 0 {
            return Err(Status::InvalidArg);
        }
        self.queue_at(AtKind::App, text, timeout_ms)
    }

    /// Asks the module for its signal quality now: a `Signal` notice follows.
    pub fn request_signal(&mut self) -> Result<u16, Status> {
        if !crate::parts::SIGNAL_REPORTS {
            return Err(Status::Unsupported);
        }
        self.settled = false;
        let t = self.cfg.timeouts.command_ms;
        self.queue_at(AtKind::Signal, b"AT+CSQ", t)
    }

    /// Asks the module for the network time now (`AT+CCLK?`): a `Time` notice follows.
    pub fn request_time(&mut self) -> Result<u16, Status> {
        if !crate::parts::NETWORK_TIME {
            return Err(Status::Unsupported);
        }
        self.settled = false;
        let t = self.cfg.timeouts.command_ms;
        self.queue_at(AtKind::Time, b"AT+CCLK?", t)
    }

    fn queue_at(&mut self, kind: AtKind, text: &[u8], timeout_ms: u32) -> Result<u16, Status> {
        let mut cmd = AtCmd {
            id: self.peek_id(),
            kind,
            timeout_ms,
            len: u8::try_from(text.len()).map_err(|_| Status::StringTooLong)?,
            text: [0; AT_TEXT_MAX],
        };
        cmd.text
            .get_mut(..text.len())
            .ok_or(Status::StringTooLong)?
            .copy_from_slice(text);
        self.at_queue.push(cmd)?;
        Ok(self.use_id(cmd.id))
    }

    /// The queued command `id` ended: report it and take it off the queue (unless a stop
    /// already ended it).
    pub(super) fn at_command_done(&mut self, id: u16, status: Status, code: u16) {
        if self.at_queue.front().is_some_and(|c| c.id == id) {
            self.at_queue.pop();
            self.notify(Notice::AtDone { id, status, code });
        }
    }

    /// Ends every queued command (the session stopped).
    pub(super) fn drop_at_commands(&mut self) {
        while let Some(id) = self.at_queue.front().map(|c| c.id) {
            self.at_queue.pop();
            self.notify(Notice::AtDone {
                id,
                status: Status::Stopped,
                code: 0,
            });
        }
    }

    /// A line the engine has no use for (`urc`: it starts like a URC, `+...` or `^...`, or
    /// the decoder knows it as a notice): passed on if the budget allows; dropped ones are
    /// counted and reported.
    // Out of line where SIMCom is the only dialect: measured 66 B smaller there; in the other
    // builds out of line is larger (Luat 126 B, Quectel 4 B, every dialect 48 B).
    #[cfg_attr(not(any(feature = "luat", feature = "quectel")), inline(never))]
    pub(super) fn pass_on(&mut self, urc: bool) -> Option<super::rx::LineOut> {
        if !urc {
            return None;
        }
        if self.urc_budget.take(self.now) {
            return Some(super::rx::LineOut::Urc);
        }
        self.stats.urcs_dropped = self.stats.urcs_dropped.wrapping_add(1);
        self.lost(LossKind::UrcDropped, 1);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "luat")]
    fn refusals() {
        use crate::dialect::Dialect;
        let luat = Dialect::Luat.session_commands();
        for ok in [
            &b"AT+CSQ"[..],
            b"at+cgsn",
            b"AT+CMGR=1",
            b"ATI",
            b"AT+CFUN?",
            b"AT+IPR?",
            b"AT+MQTTSTATU?",
            // Several basic commands on a line, spaces, reads and tests (V.250).
            b"AT",
            b"ATS0=0",
            b"ATI0 X4",
            b"AT S3?",
            b"ATE?",
            b"AT+CFUN=? ",
            b"ATH",
        ] {
            assert_eq!(check_command(ok, luat, false), Ok(()), "{ok:?}");
        }
        for refused in [
            &b"AT+MPUB=\"t\",0,0,\"x\""[..],
            b"ATE1",
            b"ate0",
            b"AT+RESET",
            b"AT+CFUN=1,1",
            b"AT+IPR=9600",
            b"AT+CMGS=\"123\"",
            b"AT+CGATT=0",
            b"ATZ",
            // V.250 parsers ignore spaces and take several basic commands on a line: each
            // command is checked, whatever spaces it holds.
            b"AT E1",
            b"AT+CGATT =0",
            b"AT + RESET",
            b"ATI E1",
            b"ATS0=0Q1",
            b"ATS 3=10",
            b"ATX4Z",
            b"ATA",
            b"ATH0A",
        ] {
            assert_eq!(
                check_command(refused, luat, false),
                Err(Status::CommandRefused),
                "{refused:?}"
            );
        }
        assert_eq!(check_command(b"AT+RESET", luat, true), Ok(()));
        assert_eq!(
            check_command(b"AT+CSQ;+CGSN", luat, false),
            Err(Status::InvalidArg)
        );
        let invalid = [&b"AT+CSQ\r"[..], b"+CSQ"];
        for text in invalid {
            assert_eq!(check_command(text, luat, false), Err(Status::InvalidArg));
        }
        assert_eq!(
            check_command(&[b'A'; AT_TEXT_MAX + 1], luat, false),
            Err(Status::StringTooLong)
        );
    }

    /// Each family refuses its own session commands (not the others': an `AT+MPUB` sent to a
    /// Quectel module is its own error, no harm to the session), and allows their read forms.
    #[test]
    #[cfg(all(feature = "luat", feature = "quectel", feature = "simcom"))]
    fn each_family_refuses_its_session_commands() {
        use crate::dialect::Dialect;
        // (family, commands refused, commands allowed)
        type Family = (Dialect, &'static [&'static [u8]], &'static [&'static [u8]]);
        let families: [Family; 2] = [
            (
                Dialect::Quectel,
                &[
                    b"AT+QMTDISC=0",
                    b"AT+QMTCLOSE=0",
                    b"at+qmtpubex=0,1,1,0,\"t\",1",
                    b"AT+QMTCFG=\"recv/mode\",0,1",
                    b"AT+QIDEACT=1",
                    b"AT+QICSGP=1,1,\"apn\"",
                    b"AT+QSSLCFG=\"sni\",1,1",
                    b"AT+QISEND=0,5",
                    b"AT+QFUPL=\"UFS:ca.pem\",1200",
                ],
                &[b"AT+QMTCONN?", b"AT+QIACT?", b"AT+QCCID", b"AT+MPUB=1"],
            ),
            (
                Dialect::Simcom,
                &[
                    b"AT+CMQTTDISC=0,60",
                    b"AT+CMQTTSTOP",
                    b"AT+CMQTTTOPIC=0,3",
                    b"AT+CMQTTSUBTOPIC=0,3,1",
                    b"AT+CGDCONT=1,\"IP\",\"apn\"",
                    b"AT+CSSLCFG=\"sslversion\",0,4",
                    b"AT+CCERTDOWN=\"ca.pem\",1200",
                ],
                &[
                    b"AT+CMQTTDISC?",
                    b"AT+CGDCONT?",
                    b"AT+CICCID",
                    b"AT+QMTDISC=0",
                ],
            ),
        ];
        for (dialect, refused, allowed) in families {
            let own = dialect.session_commands();
            for text in refused {
                let r = check_command(text, own, false);
                assert_eq!(r, Err(Status::CommandRefused), "{dialect:?} {text:?}");
            }
            for text in allowed {
                assert_eq!(
                    check_command(text, own, false),
                    Ok(()),
                    "{dialect:?} {text:?}"
                );
            }
        }
        let luat = Dialect::Luat.session_commands();
        for reset in [&b"AT+QPOWD=1"[..], b"AT+CRESET", b"AT+CPOF"] {
            let r = check_command(reset, luat, false);
            assert_eq!(r, Err(Status::CommandRefused), "{reset:?}");
            assert_eq!(check_command(reset, luat, true), Ok(()), "{reset:?}");
        }
    }

    #[test]
    fn urc_budget_bursts_then_refills() {
        let mut b = UrcBudget::new();
        let took = (0..20).filter(|_| b.take(1_000)).count();
        assert_eq!(took, usize::from(URC_BURST));
        assert!(!b.take(1_100));
        assert!(b.take(1_250));
        assert!(!b.take(1_251));
        // A long quiet time refills the whole burst, no more.
        let took = (0..20).filter(|_| b.take(100_000)).count();
        assert_eq!(took, usize::from(URC_BURST));
    }
}
