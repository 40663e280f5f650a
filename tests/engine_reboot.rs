//! The module reboots (watchdog, brown-out while the radio transmits, firmware crash) at an
//! arbitrary moment: during bring-up, inside a publish, between a publish's `OK` and its
//! acknowledgement, during the subscribe restore, while an application command is queued or in
//! flight, during a back-off, several times in a row, and silently (no boot line at all).
//!
//! What a reboot looks like on the UART (docs/luat-at.md §1, §2.2; docs/quectel-simcom-at.md
//! §1, §2): the exchange in progress stops mid-line with no final result, glitch bytes (NUL,
//! 0xFF) follow, then the boot lines (`RDY`; SIMCom A76xx `*ATREADY: 1`, `+CPIN: READY`,
//! `SMS DONE`), with echo on again and every MQTT state gone. A silent reboot prints nothing:
//! only echo coming back and commands answered as if unconfigured tell.
//!
//! What the engine promises (README "Failure classes"): a reboot is re-initialised, with no
//! back-off and no hardware step; every publish completes exactly once (or fails with a
//! status); subscriptions are restored; an application command gets one `AtDone`; counters
//! are honest; no stall and no spin (checked at every wait of every run).
mod common;

use cellmqtt::{Config, Notice, Options, Pins, RecoveryStep, State, Status};
use common::family::{fams, Fam, Held, SSL};
use common::{Ev, Harness};
use std::collections::VecDeque;

/// The standard configuration of a family with every pin wired, so a hardware step shows.
fn cfg(fam: Fam) -> Config<'static> {
    let mut c = fam.config();
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// A planned reboot: at the next command line starting with `cmd` (instead of answering it),
/// or once the data after that command's prompt arrived (`data`).
#[derive(Clone, Debug)]
struct Reboot {
    cmd: Vec<u8>,
    data: bool,
    /// What the module printed of its answer before it died.
    pre: &'static [u8],
    /// Glitch bytes and the boot lines follow once booted; false: a silent reboot.
    announced: bool,
}

fn at_cmd(cmd: &[u8], pre: &'static [u8], announced: bool) -> Reboot {
    let (cmd, data) = (cmd.to_vec(), false);
    Reboot {
        cmd,
        data,
        pre,
        announced,
    }
}

fn at_data(cmd: &[u8], pre: &'static [u8], announced: bool) -> Reboot {
    let data = at_cmd(cmd, pre, announced);
    Reboot { data: true, ..data }
}

/// The boot output of each family (docs/luat-at.md §2.2, docs/quectel-simcom-at.md §2.1,
/// §2.2), after the glitch bytes of the reset.
#[rustfmt::skip]
const BANNERS: [&[u8]; 3] = [
    b"\x00\xff\r\n^boot.rom'v'!\n\r\nRDY\r\n\r\n^MODE: 17,17\r\n\r\n+E_UTRAN Service\r\n",
    b"\x00\xff\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n",
    b"\x00\xff\r\n*ATREADY: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n",
];

/// The engine against a scripted module of one family.
struct Module {
    h: Harness,
    fam: Fam,
    held: Held,
    /// UART bytes not yet a whole line (the rest is taken off the fake UART).
    pending: Vec<u8>,
    plan: VecDeque<Reboot>,
    /// A reboot is under way: what the module prints once booted.
    booting: Option<Vec<u8>>,
    /// TLS links opened while the module had no CA set.
    unverified_opens: u32,
    /// Every command line received (without its `\r`), and every event the engine gave.
    cmds: Vec<Vec<u8>>,
    ev: Vec<Ev>,
}

impl Module {
    fn new(fam: Fam, c: Config<'static>) -> Self {
        let (h, held, plan) = (Harness::new(c), Held::default(), VecDeque::new());
        let (pending, booting, unverified_opens) = (vec![], None, 0);
        let (cmds, ev) = (vec![], vec![]);
        Module {
            h,
            fam,
            held,
            pending,
            plan,
            booting,
            unverified_opens,
            cmds,
            ev,
        }
    }

    /// Started with `subs` subscribed (QoS 1) and brought online; events cleared.
    fn online(fam: Fam, c: Config<'static>, subs: &[&[u8]]) -> Self {
        let mut m = Module::new(fam, c);
        for s in subs {
            m.h.engine.subscribe(s, 1).unwrap();
        }
        m.h.start();
        m.settle_online(60_000);
        m.ev.clear();
        m
    }

    /// The module dies and comes back fresh; returns what it prints once booted.
    fn reboot(&mut self, announced: bool) -> Vec<u8> {
        self.held = Held::default();
        let banner = BANNERS[self.fam as usize];
        if announced {
            banner.to_vec()
        } else {
            vec![]
        }
    }

    /// Reboots between commands; the engine sees the boot lines at once.
    fn reboot_now(&mut self, announced: bool) {
        let out = self.reboot(announced);
        self.h.rx(&out);
    }

    /// The answer to a command line, by what the module holds (`RULES`).
    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        if !cmd.get(..2).is_some_and(|a| a.eq_ignore_ascii_case(b"AT")) {
            // Payload bytes that reached a fresh module's command parser.
            return b"\r\nERROR\r\n".to_vec();
        }
        if self.fam == Fam::Luat && cmd == b"AT+RESET" {
            // It reboots; `RDY` may come without the `OK` (the shape tests/engine_review_2.rs
            // gives the engine's own `AT+RESET`).
            self.booting = Some(self.reboot(true));
            return vec![];
        }
        if cmd.starts_with(b"AT+SSLMIPSTART") && self.held.bits & SSL == 0 {
            self.unverified_opens += 1;
        }
        self.held.answer(self.fam, cmd)
    }

    /// The next planned reboot happens if due at this command (`data`: at its data): what
    /// the module printed before it died goes out now, its boot output later.
    fn dies(&mut self, cmd: &[u8], data: bool, out: &mut Vec<u8>) -> bool {
        let due = |r: &Reboot| r.data == data && cmd.starts_with(&r.cmd);
        if !self.plan.front().is_some_and(due) {
            return false;
        }
        let r = self.plan.pop_front().unwrap();
        out.extend_from_slice(r.pre);
        self.booting = Some(self.reboot(r.announced));
        true
    }

    /// Takes what the engine wrote and returns the module's output to it.
    fn exchange(&mut self) -> Vec<u8> {
        self.pending.append(&mut self.h.uart.written);
        self.h.forget_tx();
        let mut out = vec![];
        loop {
            if let Some(n) = self.held.data.as_ref().map(|d| d.0) {
                if self.pending.len() < n {
                    return out;
                }
                let data: Vec<u8> = self.pending.drain(..n).collect();
                let cmd = self.cmds.last().unwrap().clone();
                if self.dies(&cmd, true, &mut out) {
                    return out;
                }
                out.extend(self.held.data_arrived(&cmd, data));
                continue;
            }
            let Some(p) = self.pending.iter().position(|&b| b == b'\r') else {
                return out;
            };
            let line: Vec<u8> = self.pending.drain(..=p).collect();
            let cmd = line[..p].to_vec();
            self.cmds.push(cmd.clone());
            if self.dies(&cmd, false, &mut out) {
                return out;
            }
            if !self.held.echo_off {
                out.extend_from_slice(&line);
            }
            out.extend(self.answer(&cmd));
            if self.booting.is_some() {
                return out;
            }
        }
    }

    /// Runs up to `ms` of fake time, the module answering, until `stop` holds. Checks at each
    /// wait that the engine never spins (0 ms to wait after an idle poll) and never stalls
    /// (nothing scheduled while not online or while publishes wait).
    fn run_until(&mut self, ms: u32, stop: &dyn Fn(&Module) -> bool) -> bool {
        let end = self.h.now.wrapping_add(ms);
        for _ in 0..100_000 {
            self.h.poll();
            self.ev.extend(self.h.take_events());
            if stop(self) {
                return true;
            }
            if cellmqtt::time::reached(self.h.now, end) {
                return false;
            }
            let out = self.exchange();
            self.h.rx(&out);
            if let Some(boot) = self.booting.take() {
                // It boots for 1.5 s (docs/luat-at.md §2.3), deaf to what is written meanwhile.
                self.h.advance(1_500);
                self.ev.extend(self.h.take_events());
                (self.h.uart.written, self.pending) = (vec![], vec![]);
                self.h.forget_tx();
                self.h.rx(&boot);
                continue;
            }
            if !out.is_empty() {
                continue;
            }
            let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
            let state = self.h.engine.state();
            assert!(wait > 0, "spin in {state:?} at t={}", self.h.now);
            let idle = matches!(state, State::Online | State::Stopped | State::Failed);
            let queued = self.h.engine.queued();
            assert!(
                wait != u32::MAX || idle && queued == 0,
                "stall in {state:?}, {queued} queued"
            );
            let left = cellmqtt::time::until(self.h.now, end);
            self.h.advance(wait.min(left).max(1));
        }
        panic!("the run never ended");
    }

    /// Runs until online with nothing queued and nothing more to send (at most `ms`).
    #[track_caller]
    fn settle_online(&mut self, ms: u32) {
        let done = |m: &Module| {
            let e = &m.h.engine;
            e.state() == State::Online && e.queued() == 0 && !m.h.pending_tx()
        };
        let online = self.run_until(ms, &done);
        assert!(online, "{:?} not online: {:?}", self.fam, self.notices());
    }

    fn notices(&self) -> Vec<Notice> {
        let notice = |e: &Ev| match e {
            Ev::N(n) => Some(*n),
            _ => None,
        };
        self.ev.iter().filter_map(notice).collect()
    }

    fn count(&self, want: Notice) -> usize {
        self.notices().iter().filter(|n| **n == want).count()
    }

    /// Pins moved, and ladder steps that touch the module's hardware (or give up).
    fn hardware(&self) -> Vec<Notice> {
        use RecoveryStep::*;
        let touch = |n: &Notice| match n {
            Notice::Pin { .. } => true,
            Notice::Recovery { step, .. } => {
                matches!(step, ResetPin | SoftReset | PowerCycle | PowerOn | GaveUp)
            }
            _ => false,
        };
        self.notices().into_iter().filter(touch).collect()
    }

    fn sent(&self, prefix: &[u8]) -> usize {
        self.cmds.iter().filter(|c| c.starts_with(prefix)).count()
    }
}

/// What a module that rebooted and was brought back must show: online, the filters subscribed
/// in its new session, no pin moved and no reset, no publish or subscription failed, every
/// reboot the engine was shown counted.
#[track_caller]
fn assert_recovered(m: &Module, subs: &[&[u8]], reboots: u32) {
    let why = format!("{:?}: {:?}", m.fam, m.notices());
    assert_eq!(m.h.engine.state(), State::Online, "{why}");
    assert!(m.plan.is_empty(), "a planned reboot never came: {why}");
    for s in subs {
        assert!(
            m.held.subs.iter().any(|x| x == s),
            "{s:?} not restored: {why}"
        );
    }
    assert_eq!(m.hardware(), [], "{why}");
    let failed = |n: &Notice| {
        matches!(
            n,
            Notice::PublishFailed { .. } | Notice::SubscribeFailed { .. }
        )
    };
    assert!(!m.notices().iter().any(failed), "{why}");
    assert_eq!(m.h.engine.stats().module_reboots, reboots, "{why}");
}

// ---- Bring-up ----

/// A reboot at each command of the bring-up (the subscription included), cut mid-answer: the
/// engine starts over from `AT`, reaches online, and counts the reboot (not the one answering
/// the very first `AT`: a module printing `RDY` while probed at start is expected to).
#[test]
fn a_reboot_at_any_bring_up_step_is_reinitialised() {
    for &fam in fams() {
        let steps = Module::online(fam, cfg(fam), &[b"a/b"]).cmds;
        for (i, cmd) in steps.iter().enumerate() {
            // Only a line's first occurrence can be picked out; under Miri a sample.
            if steps[..i].contains(cmd) || cfg!(miri) && i % 6 != 1 {
                continue;
            }
            let pre: &'static [u8] = [&b""[..], b"\r\nO", b"\r\n+CME"][i % 3];
            let mut m = Module::new(fam, cfg(fam));
            m.h.engine.subscribe(b"a/b", 1).unwrap();
            m.plan.push_back(at_cmd(cmd, pre, true));
            m.h.start();
            m.settle_online(120_000);
            assert_recovered(&m, &[b"a/b"], u32::from(i > 0));
        }
    }
}

/// Reboots online, then `again` more while re-initialising (at the attach, the preparation,
/// the open), each announced.
fn reboot_loop(fam: Fam, c: Config<'static>, again: usize) -> Module {
    let points: [&[u8]; 4] = match fam {
        Fam::Luat => [b"AT+CPIN?", b"AT+CGATT?", b"AT+MQTTMSGSET", b"AT+MIPSTART"],
        Fam::Quectel => [b"AT+CPIN?", b"AT+CGATT?", b"AT+QIACT=1", b"AT+QMTOPEN"],
        Fam::Simcom => [b"AT+CPIN?", b"AT+CGATT?", b"AT+CMQTTSTART", b"AT+CMQTTACCQ"],
    };
    let mut m = Module::online(fam, c, &[b"a/b"]);
    for cmd in &points[..again] {
        m.plan.push_back(at_cmd(cmd, b"\r\n", true));
    }
    m.reboot_now(true);
    m.settle_online(300_000);
    m
}

#[test]
fn two_reboots_in_a_row_are_two_reinitialisations() {
    for &fam in fams() {
        let m = reboot_loop(fam, cfg(fam), 1);
        assert_recovered(&m, &[b"a/b"], 2);
        assert_eq!(m.count(Notice::State(State::Probing)), 2, "{fam:?}");
    }
}

/// A boot loop (supply droop: "`RDY` repeating", docs/luat-at.md §2.2), five reboots, each
/// announced: each is a re-initialisation (README "Failure classes": the module rebooted,
/// "full re-initialisation, no back-off; hardware: no (it already rebooted)"). The same with
/// `reconnects_before_reset = 0` (module errors go straight to RESET) and a single reboot.
#[test]
fn a_boot_loop_never_climbs_to_a_reset() {
    for &fam in fams() {
        let m = reboot_loop(fam, cfg(fam), 4);
        assert_recovered(&m, &[b"a/b"], 5);
        let mut c = cfg(fam);
        c.ladder.reconnects_before_reset = 0;
        assert_recovered(&reboot_loop(fam, c, 0), &[b"a/b"], 1);
    }
}

// ---- Publishes and subscriptions ----

/// Where a publish is cut (docs/quectel-simcom-at.md §3.6, §4.7): before its answer, right
/// after the data prompt (the data then goes to a booting module), after the data before
/// `OK`, and between `OK` and the acknowledgement.
fn publish_cuts(fam: Fam) -> Vec<Reboot> {
    match fam {
        Fam::Luat => vec![
            at_cmd(b"AT+MPUB=", b"\r\nO", true),
            at_cmd(b"AT+MPUB=", b"\r\nOK\r\n", true),
            at_cmd(b"AT+MPUBEX=", b"\r\n> ", true),
            at_data(b"AT+MPUBEX=", b"", true),
            at_data(b"AT+MPUBEX=", b"\r\nOK\r\n", true),
        ],
        Fam::Quectel => vec![
            at_cmd(b"AT+QMTPUBEX=", b"", true),
            at_cmd(b"AT+QMTPUBEX=", b"\r\n> ", true),
            at_data(b"AT+QMTPUBEX=", b"", true),
            at_data(b"AT+QMTPUBEX=", b"\r\nOK\r\n\r\n+QMTPUBEX: 0,", true),
        ],
        Fam::Simcom => vec![
            at_cmd(b"AT+CMQTTTOPIC=", b"\r\n>", true),
            at_data(b"AT+CMQTTPAYLOAD=", b"", true),
            at_cmd(b"AT+CMQTTPUB=", b"", true),
            at_cmd(b"AT+CMQTTPUB=", b"\r\nOK\r\n", true),
        ],
    }
}

/// Queues three QoS 1 publishes (Luat: binary for `AT+MPUBEX`, text for `AT+MPUB`).
fn publish_three(m: &mut Module, binary: bool) -> Vec<u16> {
    let payload: &[u8] = if binary { b"bin\x00ary" } else { b"text" };
    let mut publish = || m.h.engine.publish(b"t/up", payload, 1, false).unwrap();
    vec![publish(), publish(), publish()]
}

#[track_caller]
fn assert_each_published_once(m: &Module, ids: &[u16]) {
    for &id in ids {
        let n = m.count(Notice::Published { id });
        assert_eq!(n, 1, "{:?} id {id}: {:?}", m.fam, m.notices());
    }
}

/// A reboot cut into a publish, announced or silent: every queued publish is confirmed once
/// (QoS 1 may go twice on the wire), the session comes back by itself with its subscription,
/// and no hardware step is taken. A silent one shows as the missing answer or
/// acknowledgement, then echo and the module's "not connected" answers.
#[test]
fn a_reboot_inside_a_publish_confirms_each_publish_once() {
    for &fam in fams() {
        for (i, cut) in publish_cuts(fam).into_iter().enumerate() {
            for announced in [true, false] {
                if cfg!(miri) && (i > 0 || !announced) {
                    continue;
                }
                let mut m = Module::online(fam, cfg(fam), &[b"a/b"]);
                let binary = cut.cmd.starts_with(b"AT+MPUBEX");
                m.plan.push_back(Reboot {
                    announced,
                    ..cut.clone()
                });
                let ids = publish_three(&mut m, binary);
                m.settle_online(300_000);
                assert_each_published_once(&m, &ids);
                assert_recovered(&m, &[b"a/b"], u32::from(announced));
            }
        }
    }
}

/// Quectel with publishes sent ahead of their acknowledgements (`Config::publish_window`): a
/// reboot after the second `OK` loses every acknowledgement.
#[test]
#[cfg_attr(miri, ignore)]
fn a_reboot_with_publishes_sent_ahead_confirms_each_once() {
    let mut c = cfg(Fam::Quectel);
    c.publish_window = 3;
    let mut m = Module::online(Fam::Quectel, c, &[b"a/b"]);
    let ids = publish_three(&mut m, false);
    let second = format!("AT+QMTPUBEX=0,{},", ids[1]);
    m.plan
        .push_back(at_data(second.as_bytes(), b"\r\nOK\r\n", true));
    m.settle_online(300_000);
    assert_each_published_once(&m, &ids);
    assert_recovered(&m, &[b"a/b"], 1);
}

/// The broker drops the link: the family's link-lost line (docs/luat-at.md §10.1,
/// docs/quectel-simcom-at.md §3.8, §4.9); a SIMCom service and client stay.
fn drop_link(m: &mut Module) {
    let urc = m.held.drop_link(m.fam);
    m.h.rx(urc);
}

/// The link drops, and the module reboots while the re-connect restores the subscriptions
/// (between a subscribe's `OK` and its acknowledgement): both filters are subscribed in the
/// session that finally stands, none reported failed.
#[test]
fn a_reboot_during_the_subscribe_restore_restores_every_filter() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam), &[b"a/b", b"c/d"]);
        m.plan.push_back(match fam {
            Fam::Luat => at_cmd(b"AT+MSUB=", b"\r\nOK\r\n", true),
            Fam::Quectel => at_cmd(b"AT+QMTSUB=", b"\r\nOK\r\n", true),
            Fam::Simcom => at_data(b"AT+CMQTTSUB=", b"\r\nOK\r\n", true),
        });
        drop_link(&mut m);
        m.settle_online(120_000);
        assert_recovered(&m, &[b"a/b", b"c/d"], 1);
    }
}

// ---- Application commands ----

fn at_done(m: &Module, id: u16) -> Vec<Status> {
    common::at_done_of(&m.ev, id)
}

/// An application command queued behind a session command the reboot cuts (then sent once,
/// to the re-initialised module, ending `OK`), or in flight with its answer cut by a reboot,
/// announced or silent (no answer at all): it ends with exactly one `AtDone`, and the session
/// recovers by itself.
#[test]
fn an_application_command_queued_or_in_flight_at_a_reboot_ends_once() {
    for &fam in fams() {
        for (queued, announced) in [(true, true), (false, true), (false, false)] {
            let mut m = Module::online(fam, cfg(fam), &[]);
            let publish: &[u8] = match fam {
                Fam::Luat => b"AT+MPUB=",
                Fam::Quectel => b"AT+QMTPUBEX=",
                Fam::Simcom => b"AT+CMQTTTOPIC=",
            };
            let cut = if queued { publish } else { b"AT+CSQ" };
            m.plan.push_back(at_cmd(cut, b"\r\n+C", announced));
            let p = m.h.engine.publish(b"t/up", b"x", 1, false).unwrap();
            m.h.poll(); // the publish goes out before the command is queued
            let id = m.h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
            m.settle_online(120_000);
            m.run_until(30_000, &|_| false);
            assert_eq!(at_done(&m, id).len(), 1, "{fam:?}: {:?}", m.notices());
            if queued {
                assert_eq!(at_done(&m, id), [Status::Ok], "{fam:?}");
                assert_eq!(m.sent(b"AT+CSQ"), 1, "{fam:?}");
            }
            assert_each_published_once(&m, &[p]);
            assert_recovered(&m, &[], u32::from(announced));
        }
    }
}

/// An application command the reboot cut is sent again to the fresh module. The application
/// gets the cut line, the boot garbage, the new answer and `OK`, which it cannot tell from a
/// whole answer; and a command that reboots the module (`ALLOW_RESET_COMMANDS`: "allowed, the
/// session recovers as from any reboot", README), `AT+RESET` → `RDY` without its `OK`,
/// reboots it again, and again: the command must end, not go again.
#[test]
fn an_application_command_cut_by_a_reboot_is_not_sent_again() {
    let mut m = Module::online(Fam::Luat, cfg(Fam::Luat), &[]);
    m.plan.push_back(at_cmd(b"AT+CSQ", b"\r\n+CSQ: 2", true));
    let id = m.h.engine.at_command(b"AT+CSQ", 5_000).unwrap();
    m.settle_online(120_000);
    let line = |e: &Ev| matches!(e, Ev::AtLine(i, _) if *i == id);
    let lines: Vec<_> = m.ev.iter().filter(|e| line(e)).collect();
    let whole = [&Ev::AtLine(id, b"+CSQ: 21,0".to_vec())];
    assert!(
        at_done(&m, id) != [Status::Ok] || lines == whole,
        "{lines:?}"
    );
    assert_eq!(m.sent(b"AT+CSQ"), 1);

    let mut c = cfg(Fam::Luat);
    c.options |= Options::ALLOW_RESET_COMMANDS;
    let mut m = Module::online(Fam::Luat, c, &[b"a/b"]);
    let id = m.h.engine.at_command(b"AT+RESET", 5_000).unwrap();
    m.run_until(120_000, &|_| false);
    assert_eq!(m.sent(b"AT+RESET"), 1, "{:?}", m.notices());
    assert_eq!(at_done(&m, id).len(), 1, "{:?}", m.notices());
    assert_recovered(&m, &[b"a/b"], 1);
}

// ---- Back-off, silent reboots ----

/// A reboot during the back-off after a lost link: the fresh module is initialised at once
/// (tests/engine_recovery.rs has that), and the reboot it announced is counted as any other.
#[test]
fn a_reboot_during_a_backoff_is_counted() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam), &[b"a/b"]);
        drop_link(&mut m);
        assert_eq!(m.h.engine.state(), State::Recovering, "{fam:?}");
        m.reboot_now(true);
        m.settle_online(120_000);
        assert_recovered(&m, &[b"a/b"], 1);
    }
}

/// A silent reboot while online and idle: no boot line; the health check's echo and its "not
/// connected" answer tell. Returns the commands the recovery sent.
fn silent_reboot_recovery(m: &mut Module) -> Vec<String> {
    let (from, connects) = (m.cmds.len(), m.h.engine.stats().connects);
    m.reboot_now(false);
    let back = |m: &Module| m.h.engine.stats().connects > connects && !m.h.pending_tx();
    assert!(m.run_until(150_000, &back), "not back: {:?}", m.notices());
    m.settle_online(10_000);
    let text = |c: &Vec<u8>| String::from_utf8_lossy(c).into_owned();
    m.cmds[from..].iter().map(text).collect()
}

/// The first silent reboot is recovered by itself: link lost, `ATE0` again, the per-boot
/// settings redone, re-connected with the subscription; a publish then goes through.
#[test]
fn a_silent_reboot_while_idle_is_recovered() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam), &[b"a/b"]);
        let cmds = silent_reboot_recovery(&mut m);
        assert!(m.held.echo_off, "{fam:?}: echo left on: {cmds:?}");
        assert_recovered(&m, &[b"a/b"], 0);
        let p = m.h.engine.publish(b"t/up", b"x", 1, false).unwrap();
        m.settle_online(30_000);
        assert_each_published_once(&m, &[p]);
    }
}

/// A second silent reboot an hour later (a module that browns out now and then) must be
/// recovered as the first was: `ATE0` and the per-boot settings again (Luat `AT+MQTTMSGSET`,
/// `AT+MQTTMODE=0`; SIMCom the client acquired before the connect), not the echo taken for
/// firmware that ignores `ATE0`.
#[test]
fn a_second_silent_reboot_is_recovered_like_the_first() {
    for &fam in fams() {
        let mut m = Module::online(fam, cfg(fam), &[b"a/b"]);
        let first = silent_reboot_recovery(&mut m);
        m.run_until(3_600_000, &|_| false);
        let second = silent_reboot_recovery(&mut m);
        assert_eq!(second, first, "{fam:?}");
        assert!(m.held.echo_off, "{fam:?}: echo left on");
        assert_recovered(&m, &[b"a/b"], 0);
    }
}

/// A silent reboot after the per-boot TLS settings, before the TLS open (`AT+SSLCFG` "once per
/// boot", docs/luat-at.md §6.1). The echo of the next command tells the engine the module may
/// have lost them (it forgets that they were sent), yet the TLS link must not be opened by a
/// module that lost its CA check.
#[test]
fn a_silent_reboot_before_the_tls_open_redoes_the_tls_settings() {
    let mut c = cfg(Fam::Luat);
    c.options |= Options::TLS;
    c.tls.ca_file = b"ca.crt";
    let mut m = Module::new(Fam::Luat, c);
    m.h.start();
    // Once the CA item is answered, the module reboots before the next command reaches it.
    let ssl_done = |m: &Module| m.sent(b"AT+SSLCFG") == 1 && m.h.pending_tx();
    assert!(m.run_until(60_000, &ssl_done));
    m.reboot_now(false);
    m.settle_online(120_000);
    assert_recovered(&m, &[], 0);
    let wire = String::from_utf8_lossy(&m.cmds.join(&b'|')).into_owned();
    assert_eq!(m.sent(b"AT+SSLCFG=\"cacert\""), 2, "{wire}");
    assert_eq!(m.unverified_opens, 0, "TLS opened without the CA set");
}
