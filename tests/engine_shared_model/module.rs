//! The scripted module of each family: the session's commands answered by `Held` (tests/
//! common/family.rs), its publish results sometimes kept back and printed later (inside an
//! application command's answer too), the application's commands answered from `ANSWERS`:
//! at once with lines of others spliced in, late while the module is busy, or never. Every
//! line printed is noted with where it must end up (`Dest`).
use super::common::family::{Fam, MQTT};
use super::common::script::{lines, Unit};
use super::model::*;
use cellmqtt::{Notice, Status};

/// The application commands the module knows: text, information lines (`|` between), final
/// (`OK`, `ERROR` or `+CME ERROR: n`). Lower-case texts where the session sends the same
/// command (`AT+CGSN`, `AT+CPIN?`, ...): the module tells them apart by their text.
pub const ANSWERS: &[(&str, &str, &str)] = &[
    (
        "AT+CPMS?",
        "+CPMS: \"SM\",3,50,\"SM\",3,50,\"SM\",3,50",
        "OK",
    ),
    (
        "AT+CMGR=1",
        "+CMGR: \"REC READ\",\"+8613800000000\",,\"24/08/22,07:27:15+32\"|hello, world",
        "OK",
    ),
    ("at+cgsn", "866714043075174", "OK"),
    ("ATI", "Quectel|EC200U|Revision: EC200UCNAAR03A03M08", "OK"),
    ("AT+COPS?", "+COPS: 0,0,\"CHINA MOBILE\",7", "OK"),
    ("AT+CREG?", "+CREG: 0,1", "OK"),
    ("at+cpin?", "+CPIN: READY", "OK"),
    ("at+cgatt?", "+CGATT: 1", "OK"),
    ("AT+CCLK?", "+CCLK: \"24/08/22,07:27:15+32\"", "OK"),
    ("AT+CSQ", "+CSQ: 18,3", "OK"),
    ("AT+CMGD=1", "", "+CME ERROR: 321"),
    ("AT+CMGL=4", "", "ERROR"),
    ("AT+CNUM", "", "OK"),
];

/// Each family's read form of one of its session commands (allowed; its state lines are
/// the application's answer).
pub fn state_read(fam: Fam) -> &'static str {
    match fam {
        Fam::Luat => "at+mqttstatu?",
        Fam::Quectel => "at+qmtconn?",
        Fam::Simcom => "at+cmqttdisc?",
    }
}

/// The commands that reboot the module, allowed by `ALLOW_RESET_COMMANDS`.
pub fn reset_command(fam: Fam) -> &'static str {
    match fam {
        Fam::Luat => "at+reset",
        Fam::Quectel => "at+cfun=1,1",
        Fam::Simcom => "at+creset",
    }
}

/// Network times `AT+CCLK?` gives on demand, with the `TIME` notice each makes (README: UTC
/// seconds since 2000-01-01, the zone in quarter hours).
pub const CLOCKS: [(&str, u32, i8); 2] = [
    ("24/08/22,07:27:15+32", 777_598_035, 32),
    ("25/01/01,08:00:00+32", 789_004_800, 32),
];

/// URCs of no concern to the session (README: `+CMTI`, `+CGEV: ME ...`, `^MODE`, `+NITZ`,
/// vendor notices), and a line of another command.
pub const FOREIGN: &[&str] = &[
    "+CMTI: \"SM\",3",
    "+CREG: 1",
    "+CEREG: 5",
    "^MODE: 17,17",
    "+CGEV: ME PDN ACT 1",
    "+NITZ: 24/08/22,07:27:15+32",
    "+CRING: VOICE",
    "+CSQ: 20,99",
];
/// URCs without a prefix (V.250 result codes the module prints unasked).
pub const PLAIN: &[&str] = &["RING", "NO CARRIER"];

impl Run {
    pub fn out_mark(&self) -> u64 {
        self.s.output.mark(self.h.uart.written.len())
    }

    pub fn note(&mut self, what: String) {
        self.m.trail.note(self.h.now, what);
    }

    pub fn why(&self) -> String {
        format!(
            "{:?} t={} {:?}",
            self.fam,
            self.h.now,
            self.h.engine.state()
        )
    }

    /// Module output: noted, each line's destination recorded, fed to the engine.
    pub fn feed(&mut self, out: &[u8], dests: Vec<(Vec<u8>, Dest)>) {
        if out.is_empty() {
            return;
        }
        self.note(format!("< {}", text(out)));
        for (line, d) in dests {
            match d {
                Dest::Urc => self.s.urcs.push_back(line),
                Dest::Stray => self.s.strays.push(stray_notice(&line)),
                Dest::AtLine(id) => self.m.reqs.get_mut(&id).unwrap().lines.push_back(line),
                Dest::Session => {}
            }
        }
        self.m.mark = self.out_mark();
        self.h.rx(out);
        self.absorb();
    }

    /// Reads what the engine wrote and feeds back the module's answers.
    pub fn exchange(&mut self) -> bool {
        self.s.output.pull(&mut self.h.uart.written);
        self.h.forget_tx();
        let (mut out, mut dests) = (vec![], vec![]);
        loop {
            // An open prompt takes the next byte, which must be the ESC that cancels it.
            let prompt = self.s.prompt.map(|_| 1);
            let awaited = prompt.or(self.s.held.data.as_ref().map(|d| d.0));
            let Some(unit) = self.s.output.next(awaited) else {
                break;
            };
            match unit {
                Unit::Data(bytes) if self.s.prompt.is_some() => {
                    self.note(format!("> {}", text(&bytes)));
                    self.prompt_cancelled(&bytes, &mut out);
                }
                Unit::Data(bytes) => {
                    self.note(format!("> {}", text(&bytes)));
                    let a = self.s.held.data_arrived(&self.s.last_cmd, bytes);
                    let a = self.defer_ack(a);
                    session_lines(&a, &mut dests);
                    out.extend(a);
                }
                Unit::Line(line) => {
                    let cmd = line[..line.len() - 1].to_vec();
                    let end = self.s.output.taken;
                    self.note(format!("> {}", text(&cmd)));
                    if self.s.late.is_some() {
                        // Busy: the line is ignored (an application command's too).
                        if let Some(id) = self.attribute(&cmd, end) {
                            self.m.reqs.get_mut(&id).unwrap().discarded = true;
                        }
                        continue;
                    }
                    self.s.last_cmd = cmd.clone();
                    if !self.s.held.echo_off {
                        out.extend_from_slice(&line);
                    }
                    match self.attribute(&cmd, end) {
                        Some(id) => {
                            self.app_command(id, &mut out, &mut dests);
                            if self.s.reboot_after {
                                break; // what follows is lost with the reboot
                            }
                        }
                        None => {
                            let a = self.s.held.answer(self.fam, &cmd);
                            let a = self.defer_ack(a);
                            session_lines(&a, &mut dests);
                            out.extend(a);
                        }
                    }
                }
            }
            self.sync_bits();
        }
        let any = !out.is_empty();
        self.feed(&out, dests);
        if std::mem::take(&mut self.s.reboot_after) {
            self.reboot();
        }
        any
    }

    /// The request a command line ending at `end` in the output is for: the oldest the
    /// module has not read that was alive while the line was written, with this text. A
    /// line with an application text that is none of them was never queued or was sent
    /// twice; a refused text must never be written.
    pub fn attribute(&mut self, cmd: &[u8], end: u64) -> Option<u16> {
        let why = self.why();
        let app_text = |t: &str| t.as_bytes() == cmd;
        let known = ANSWERS.iter().any(|a| app_text(a.0))
            || app_text(state_read(self.fam))
            || app_text(reset_command(self.fam));
        let found = self.m.reqs.iter().find(|(_, r)| {
            !r.read && r.text == cmd && r.queued_mark < end && r.done_mark.is_none_or(|d| end <= d)
        });
        let Some((&id, _)) = found else {
            assert!(!known, "{why}: {} written, not a live request's", text(cmd));
            let refused = REFUSED_POOL.iter().any(|t| t.as_bytes() == cmd);
            assert!(!refused, "{why}: refused {} written", text(cmd));
            return None;
        };
        self.m.reqs.get_mut(&id).unwrap().read = true;
        self.s.app_commands += 1;
        Some(id)
    }

    /// The module's answer to request `id`, by the mode drawn.
    fn app_command(&mut self, id: u16, out: &mut Vec<u8>, dests: &mut Vec<(Vec<u8>, Dest)>) {
        let r = &self.m.reqs[&id];
        let (kind, timeout, txt) = (r.kind, r.timeout, r.text.clone());
        let w = self.s.mode_weights;
        let roll = self.rng.below(w.iter().sum::<usize>().max(1));
        let scripted = self.s.script.pop_front();
        let mode = scripted.unwrap_or(match roll {
            n if n < w[0] => Mode::Answer,
            n if n < w[0] + w[1] => Mode::Late,
            n if n < w[0] + w[1] + w[2] => Mode::Lost,
            _ => Mode::Prompt,
        });
        // Only an application command opens a prompt, and a reset command reboots instead.
        let reset = txt == reset_command(self.fam).as_bytes();
        let mode = match mode {
            Mode::Prompt if kind != Kind::App || reset => Mode::Answer,
            m => m,
        };
        self.note(format!("  request {id} {kind:?}: {mode:?}"));
        match mode {
            Mode::Answer => self.answer(id, out, dests),
            Mode::Late => {
                let before = self.rng.chance(25);
                let wait = match before {
                    _ if scripted.is_some() => timeout + 1_000,
                    true => self.rng.below(timeout as usize) as u32,
                    false => timeout + self.rng.below(4_000) as u32,
                };
                let release_at = self.h.now + wait;
                let prompt = kind == Kind::App && !reset && self.rng.chance(30);
                self.s.late = Some(Late {
                    id,
                    release_at,
                    prompt,
                });
            }
            Mode::Lost => {}
            Mode::Prompt => {
                out.extend_from_slice(b"\r\n> ");
                self.s.prompt = Some(id);
            }
        }
        if reset && mode == Mode::Lost {
            self.s.reboot_after = true; // it rebooted without a word
        }
    }

    /// The byte the engine wrote into request `id`'s prompt: only ESC (anything else would be
    /// taken as the prompt's data); the module answers it with `OK`, `ERROR` or nothing.
    fn prompt_cancelled(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        let id = self.s.prompt.take().unwrap();
        let why = self.why();
        assert_eq!(
            bytes,
            b"\x1b",
            "{why}: {} typed into {id}'s prompt",
            text(bytes)
        );
        let r = self.m.reqs.get_mut(&id).unwrap();
        r.prompted = true;
        let fin = ["OK", "ERROR", ""][self.rng.below(3)];
        let r = self.m.reqs.get_mut(&id).unwrap();
        if !fin.is_empty() {
            out.extend(lines(fin));
            if r.alive() {
                r.owed = Some(Owed {
                    status: Status::CommandRefused,
                    code: 0,
                    notice: None,
                });
            }
        }
    }

    /// Request `id`'s answer lines and final, with lines of others spliced in before the
    /// final; what the engine owes it if it still waits.
    pub fn answer(&mut self, id: u16, out: &mut Vec<u8>, dests: &mut Vec<(Vec<u8>, Dest)>) {
        let r = self.m.reqs[&id].clone();
        let (info, fin) = self.answer_of(&r);
        let live = (r.alive() && r.kind == Kind::App).then_some((id, &r.text[..]));
        let mut owed = Owed {
            status: Status::Ok,
            code: 0,
            notice: None,
        };
        let reset = r.text == reset_command(self.fam).as_bytes();
        let mut body: Vec<Vec<u8>> = info.iter().map(|l| l.as_bytes().to_vec()).collect();
        // Lines of others, anywhere before the final (not into a reset's: it has none).
        let n = if reset {
            0
        } else {
            self.rng.below(3) * usize::from(self.rng.chance(self.s.splice))
        };
        for _ in 0..n {
            let at = self.rng.below(body.len() + 1);
            let other = match self.rng.below(4) {
                0 if !self.s.deferred.is_empty() => self.s.deferred.remove(0),
                1 if self.rng.chance(20) && self.s.held.bits & MQTT != 0 => {
                    self.s.losses_due += 1;
                    let lost = self.s.held.drop_link(self.fam);
                    self.s.deferred.clear();
                    lost[2..lost.len() - 2].to_vec()
                }
                _ => FOREIGN[self.rng.below(FOREIGN.len())].as_bytes().to_vec(),
            };
            body.insert(at, other);
        }
        for line in body {
            let own = info.iter().any(|l| l.as_bytes() == line);
            let d = match (r.kind, own) {
                (Kind::Signal | Kind::Time, true) if r.alive() => {
                    owed.notice = Some(stray_notice(&line));
                    Dest::Session
                }
                (_, true) => dest(self.fam, &line, live),
                (_, false) if is_ack(&line) || is_link_lost(&line) => Dest::Session,
                (_, false) => dest(self.fam, &line, live),
            };
            out.extend(lines(&text_of(&line)));
            dests.push((line, d));
        }
        // A reset reboots the module, before its `OK` (in flight at the reboot: `LINK_LOST`)
        // or after it.
        self.s.reboot_after |= reset;
        if reset && self.rng.chance(50) {
            return;
        }
        (owed.status, owed.code) = match fin.as_str() {
            "OK" => (Status::Ok, 0),
            "ERROR" => (Status::ModuleError, 0),
            e => (Status::ModuleError, e[12..].parse().unwrap()),
        };
        out.extend(lines(&fin));
        self.sync_bits();
        if r.alive() {
            self.m.reqs.get_mut(&id).unwrap().owed = Some(owed);
        }
    }

    /// The lines and final the module gives to request `r`.
    fn answer_of(&mut self, r: &Req) -> (Vec<String>, String) {
        match r.kind {
            Kind::Signal | Kind::Time if self.rng.chance(8) => {
                return (vec![], "+CME ERROR: 100".into());
            }
            Kind::Signal => {
                let (rssi, ber) = (self.rng.below(32), self.rng.below(8));
                return (vec![format!("+CSQ: {rssi},{ber}")], "OK".into());
            }
            Kind::Time => {
                let c = CLOCKS[self.rng.below(CLOCKS.len())].0;
                return (vec![format!("+CCLK: \"{c}\"")], "OK".into());
            }
            Kind::App => {}
        }
        let t = String::from_utf8_lossy(&r.text).into_owned();
        let up = self.s.held.bits & MQTT != 0;
        let info = match self.fam {
            _ if t == reset_command(self.fam) => String::new(),
            Fam::Luat if t == state_read(self.fam) => format!("+MQTTSTATU :{}", u8::from(up)),
            Fam::Quectel if t == state_read(self.fam) => {
                ["", "+QMTCONN: 0,3"][usize::from(up)].into()
            }
            Fam::Simcom if t == state_read(self.fam) => {
                format!("+CMQTTDISC: 0,{}|+CMQTTDISC: 1,1", u8::from(!up))
            }
            _ => match ANSWERS.iter().find(|a| a.0 == t) {
                Some(a) if a.2 != "OK" => return (vec![], a.2.into()),
                Some(a) => a.1.into(),
                None => String::new(), // an allowed edge of the refusals: `OK`
            },
        };
        let info = info
            .split('|')
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        (info, "OK".into())
    }

    /// Perhaps keeps back a publish result at the end of `answer` (printed later, by
    /// `release_acks` or inside an application command's answer).
    fn defer_ack(&mut self, answer: Vec<u8>) -> Vec<u8> {
        let Some(last) = split_lines(&answer).pop() else {
            return answer;
        };
        if !is_ack(&last) || !self.rng.chance(50) {
            return answer;
        }
        self.s.deferred.push(last.clone());
        answer[..answer.len() - last.len() - 4].to_vec()
    }

    /// The publish results kept back are printed now, foreign URCs with them.
    pub fn release_acks(&mut self) {
        while self.exchange() {}
        let mut dests = vec![];
        let mut out = vec![];
        for line in std::mem::take(&mut self.s.deferred) {
            if self.rng.chance(self.s.splice) {
                self.foreign(&mut out, &mut dests);
            }
            out.extend(lines(&text_of(&line)));
            dests.push((line, Dest::Session));
        }
        self.feed(&out, dests);
    }

    fn foreign(&mut self, out: &mut Vec<u8>, dests: &mut Vec<(Vec<u8>, Dest)>) {
        let plain = self.rng.chance(15);
        let pool = if plain { PLAIN } else { FOREIGN };
        let line = pool[self.rng.below(pool.len())].as_bytes().to_vec();
        out.extend(lines(&text_of(&line)));
        let d = dest(
            self.fam,
            &line,
            self.inflight().as_ref().map(|(i, t)| (*i, &t[..])),
        );
        dests.push((line, d));
    }

    /// `n` URCs of no concern to the session, at once.
    pub fn burst(&mut self, n: usize) {
        while self.exchange() {} // after the answers to what was written
        let (mut out, mut dests) = (vec![], vec![]);
        for _ in 0..n {
            self.foreign(&mut out, &mut dests);
        }
        self.feed(&out, dests);
    }

    /// The answer kept back comes now, once due; then the module reads again.
    pub fn release_late(&mut self, force: bool) {
        if !self
            .s
            .late
            .as_ref()
            .is_some_and(|l| force || self.h.now >= l.release_at)
        {
            return;
        }
        self.exchange(); // what came while it was busy is ignored
        let late = self.s.late.take().unwrap();
        let (mut out, mut dests) = (vec![], vec![]);
        if late.prompt {
            // After a line was taken for the request (a bare line of another spliced in), its
            // prompt is seen only at its deadline (README): it then ends `TIMEOUT`.
            let r = self.m.reqs.get_mut(&late.id).unwrap();
            r.prompt_after_line = r.alive() && (r.lines_got > 0 || !r.lines.is_empty());
            self.m.late_prompts += u32::from(!r.alive());
            self.note(format!("  late prompt of {}", late.id));
            out.extend_from_slice(b"\r\n> ");
            self.s.prompt = Some(late.id);
        } else {
            self.note(format!("  late answer of {}", late.id));
            self.answer(late.id, &mut out, &mut dests);
        }
        self.feed(&out, dests);
        if std::mem::take(&mut self.s.reboot_after) {
            self.reboot();
        }
    }

    /// The application command the engine waits for, as far as the module can tell: read,
    /// not answered, not ended (its own `+NAME` lines and bare lines are its answer). A
    /// prompt was a command's answer: the lines while its cancel is answered are not its.
    pub fn inflight(&self) -> Option<(u16, Vec<u8>)> {
        let r = self.m.reqs.iter().find(|(_, r)| {
            r.alive() && r.read && r.owed.is_none() && r.kind == Kind::App && !r.prompted
        });
        r.map(|(&id, r)| (id, r.text.clone()))
    }

    pub fn sync_bits(&mut self) {
        let up = self.s.held.bits & MQTT != 0;
        if up && !self.s.up {
            self.s.conn += 1;
        }
        if !up {
            self.s.deferred.clear();
        }
        self.s.up = up;
    }

    /// The broker drops the link: the family's line.
    pub fn drop_link(&mut self) {
        if self.s.held.bits & MQTT == 0 {
            return;
        }
        self.note("link lost".into());
        self.s.losses_due += 1;
        let urc = self.s.held.drop_link(self.fam);
        self.sync_bits();
        let line = urc[2..urc.len() - 2].to_vec();
        self.feed(urc, vec![(line, Dest::Session)]);
    }

    /// The module reboots: what the engine wrote and the module did not answer is lost; the
    /// request in flight ends with `LINK_LOST` (README, Failure classes: "an application AT
    /// command in flight ends with `LINK_LOST` and is not sent again").
    pub fn reboot(&mut self) {
        self.note("reboot".into());
        self.s.losses_due += 1;
        let mut end = self.s.output.taken;
        let unread = self.s.output.lose_unread(&mut self.h.uart.written);
        for line in unread.split_inclusive(|&b| b == b'\r') {
            end += line.len() as u64;
            if line.ends_with(b"\r") {
                self.attribute(&line[..line.len() - 1], end);
            }
        }
        self.h.forget_tx();
        self.s.held = Default::default();
        self.s.late = None;
        self.s.prompt = None;
        self.sync_bits();
        let boot = self.fam.boot_output();
        let dests = split_lines(boot)
            .into_iter()
            .map(|l| {
                let d = match &l[..] {
                    b"+QIND: SMS DONE" | b"SMS DONE" => Dest::Urc,
                    _ => Dest::Session,
                };
                (l, d)
            })
            .collect();
        self.m.rebooting = true;
        self.feed(boot, dests);
        self.m.rebooting = false;
    }
}

/// A publish result line (Luat `PUBACK`, Quectel `+QMTPUBEX:`, SIMCom `+CMQTTPUB:`).
fn is_ack(line: &[u8]) -> bool {
    line == b"PUBACK" || line.starts_with(b"+QMTPUBEX:") || line.starts_with(b"+CMQTTPUB:")
}

fn is_link_lost(line: &[u8]) -> bool {
    line == b"CLOSED" || line.starts_with(b"+QMTSTAT:") || line.starts_with(b"+CMQTTCONNLOST:")
}

/// The lines of module output (CR/LF framed), a prompt left out.
pub fn split_lines(out: &[u8]) -> Vec<Vec<u8>> {
    let s = out
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    s.filter(|l| !l.is_empty() && !l.starts_with(b">"))
        .map(<[u8]>::to_vec)
        .collect()
}

/// The session's answer lines: the engine's own (an echo, a result, a state line).
fn session_lines(answer: &[u8], dests: &mut Vec<(Vec<u8>, Dest)>) {
    dests.extend(split_lines(answer).into_iter().map(|l| (l, Dest::Session)));
}

fn text_of(line: &[u8]) -> String {
    String::from_utf8_lossy(line).into_owned()
}

/// The notice a `+CSQ:` or `+CCLK:` line makes.
pub fn stray_notice(line: &[u8]) -> Notice {
    let l = text_of(line);
    if let Some(v) = l.strip_prefix("+CSQ: ") {
        let (r, b) = v.split_once(',').unwrap();
        return Notice::Signal {
            rssi: r.parse().unwrap(),
            ber: b.parse().unwrap(),
        };
    }
    let c = CLOCKS.iter().find(|c| l.contains(c.0)).unwrap();
    Notice::Time {
        utc_s: c.1,
        zone: c.2,
    }
}
