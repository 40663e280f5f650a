//! Long uptimes: the engine on a fake clock for weeks of fake time, across the 32-bit tick's
//! wrap (every ~49.7 days) and past the 2^31 ms (~24.8 days) after which a stored timestamp
//! that was never re-armed reads as "in the future" to the signed compares of `time`; message
//! ids past 65,535 and counters past 2^32.
//!
//! A scripted modem (the pattern of tests/doc_classes.rs, with data prompts) answers every
//! command the healthy way for each dialect, and a plan of actions (a publish, a message in,
//! the link or the broker lost) runs on the fake clock. The run jumps from timer to timer with
//! `poll_delay_ms`, checking every wait, so two fake months cost well under a second.
//!
mod common;

use cellmqtt::{Config, Notice, Pins, RecoveryStep, State, Status};
use common::script::{arg, healthy};
use common::{Ev, Harness};

const SECOND: u32 = 1_000;
const MINUTE: u32 = 60 * SECOND;
const HOUR: u32 = 60 * MINUTE;
const DAY: u32 = 24 * HOUR;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    Luat,
    Quectel,
    Simcom,
}

const FAMILIES: [Family; 3] = [Family::Luat, Family::Quectel, Family::Simcom];

/// What happens besides the modem's answers: the application's and the network's actions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Action {
    Publish,
    Inbound,
    LinkLoss,
    BrokerDown,
    BrokerUp,
}

/// The engine, a scripted modem of `family`, and a plan of actions on the fake clock.
struct Field {
    h: Harness,
    family: Family,
    /// The broker accepts connections (false: every open or connect fails on its side).
    broker_up: bool,
    /// The configured health interval (0: none, so "nothing scheduled" is a valid wait).
    health_ms: u32,
    /// Planned actions: (tick, action), taken in order.
    plan: Vec<(u32, Action)>,
    t: Tape,
}

/// What the modem saw and the application got.
#[derive(Default)]
struct Tape {
    /// UART bytes taken by the modem so far, and those not yet a whole line.
    seen: usize,
    pending: Vec<u8>,
    /// A data prompt was given for this command; its data (this many bytes) is awaited.
    data_for: Option<(Vec<u8>, usize)>,
    /// Every command line written (without its `\r`).
    cmds: Vec<Vec<u8>>,
    notices: Vec<Notice>,
    messages: usize,
    /// Ids `publish` returned, and the ids `Published` reported, in order.
    queued: Vec<u16>,
    confirmed: Vec<u16>,
    /// Clock advances (the caller's wake-ups), and the longest wait `poll_delay_ms` asked.
    wakeups: u64,
    longest_wait: u32,
}

impl Tape {
    /// The figures of a run, for the log.
    fn figures(&self, s: &cellmqtt::Stats) -> String {
        let (c, m, w) = (self.confirmed.len(), self.messages, self.wakeups);
        let (n, l) = (s.commands, self.longest_wait);
        format!("{c} publishes confirmed, {m} messages, {n} commands, {w} wake-ups, wait <= {l} ms")
    }
}

impl Field {
    fn new(family: Family, cfg: Config<'static>, start_at: u32) -> Self {
        let health_ms = cfg.timeouts.health_ms;
        let mut h = Harness::new(cfg);
        h.now = start_at;
        Field {
            h,
            family,
            broker_up: true,
            health_ms,
            plan: vec![],
            t: Tape::default(),
        }
    }

    /// The answer to a command line (a data prompt sets `data_for`).
    fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        let (c, up) = (String::from_utf8_lossy(cmd).into_owned(), self.broker_up);
        let is = |prefix: &str| c.starts_with(prefix);
        let then = |urc: &str| format!("\r\nOK\r\n\r\n{urc}\r\n");
        let info = |line: &str| format!("\r\n{line}\r\n\r\nOK\r\n");
        // Data prompts: the data's length is an argument of the command.
        let prompt = match self.family {
            Family::Quectel if is("AT+QMTPUB") => Some((5, "\r\n> ")),
            Family::Simcom if is("AT+CMQTTSUB=") || is("AT+CMQTTTOPIC=") => Some((1, "\r\n>")),
            Family::Simcom if is("AT+CMQTTPAYLOAD=") => Some((1, "\r\n>")),
            _ => None,
        };
        if let Some((n, wire)) = prompt {
            self.t.data_for = Some((cmd.to_vec(), arg(cmd, n).parse().unwrap()));
            return wire.into();
        }
        let a = match self.family {
            Family::Luat if is("AT+MIPSTART") && up => then("CONNECT OK"),
            Family::Luat if is("AT+MIPSTART") => then("STATE: TCP CLOSED\r\n\r\nCONNECT FAIL"),
            Family::Luat if is("AT+MCONNECT") => then("CONNACK OK"),
            Family::Luat if is("AT+MIPCLOSE") => "\r\n+CME ERROR: 767\r\n".into(),
            Family::Luat if is("AT+MQTTSTATU") => info("+MQTTSTATU :1"),
            Family::Luat if is("AT+MSUB=") => then("SUBACK"),
            Family::Luat if is("AT+MPUB=") && arg(cmd, 1) != "0" => then("PUBACK"),
            Family::Quectel if is("AT+QMTOPEN=") && up => then("+QMTOPEN: 0,0"),
            Family::Quectel if is("AT+QMTOPEN=") => then("+QMTOPEN: 0,5"),
            Family::Quectel if is("AT+QMTCONN?") => info("+QMTCONN: 0,3"),
            Family::Quectel if is("AT+QMTCONN=") => then("+QMTCONN: 0,0,0"),
            Family::Quectel if is("AT+QIACT?") => info("+QIACT: 1,1,1,\"10.0.0.1\""),
            Family::Quectel if is("AT+QMTCLOSE") => "\r\nERROR\r\n".into(),
            Family::Quectel if is("AT+QMTSUB=") => {
                then(&format!("+QMTSUB: 0,{},0,{}", arg(cmd, 1), arg(cmd, 3)))
            }
            Family::Simcom if is("AT+CMQTTSTART") => info("+CMQTTSTART: 0"),
            Family::Simcom if is("AT+CMQTTCONNECT=") && up => then("+CMQTTCONNECT: 0,0"),
            Family::Simcom if is("AT+CMQTTCONNECT=") => then("+CMQTTCONNECT: 0,3"),
            Family::Simcom if is("AT+CMQTTDISC?") => info("+CMQTTDISC: 0,0"),
            Family::Simcom if is("AT+CMQTTPUB=") => then("+CMQTTPUB: 0,0"),
            _ => return healthy(cmd),
        };
        a.into_bytes()
    }

    /// The answer once the data of a prompted command (`cmd`) arrived: Quectel's publish
    /// report under the command's own id and spelling (sent: 0), SIMCom's subscribe result.
    fn answer_data(&self, cmd: &[u8]) -> Vec<u8> {
        let c = String::from_utf8_lossy(cmd);
        let a = if let Some(rest) = c.strip_prefix("AT+QMTPUB") {
            let ex = if rest.starts_with("EX") { "EX" } else { "" };
            format!("\r\nOK\r\n\r\n+QMTPUB{ex}: 0,{},0\r\n", arg(cmd, 1))
        } else if c.starts_with("AT+CMQTTSUB=") {
            "\r\nOK\r\n\r\n+CMQTTSUB: 0,0\r\n".into()
        } else {
            "\r\nOK\r\n".into()
        };
        a.into_bytes()
    }

    /// Polls, collects the events, answers what was written. True when the modem answered.
    fn exchange(&mut self) -> bool {
        self.h.poll();
        for e in self.h.take_events() {
            match e {
                Ev::N(Notice::Published { id }) => self.t.confirmed.push(id),
                Ev::N(n) => self.t.notices.push(n),
                Ev::Msg(..) => self.t.messages += 1,
                _ => {}
            }
        }
        let written = &self.h.uart.written;
        self.t.pending.extend_from_slice(&written[self.t.seen..]);
        self.t.seen = written.len();
        self.h.forget_tx();
        let mut reply = vec![];
        loop {
            if let Some((cmd, len)) = self.t.data_for.take() {
                if self.t.pending.len() < len {
                    self.t.data_for = Some((cmd, len));
                    break;
                }
                self.t.pending.drain(..len);
                reply.extend(self.answer_data(&cmd));
                continue;
            }
            let Some(p) = self.t.pending.iter().position(|&b| b == b'\r') else {
                break;
            };
            let mut cmd: Vec<u8> = self.t.pending.drain(..=p).collect();
            cmd.pop();
            reply.extend(self.answer(&cmd));
            self.t.cmds.push(cmd);
        }
        if !reply.is_empty() {
            common::simcom::feed(&mut self.h, &reply);
        }
        !reply.is_empty()
    }

    /// Runs `ms` of fake time (counted in 64 bits: the tick wraps), taking the planned
    /// actions, jumping from timer to timer. Checks every idle wait: never 0 with nothing to do
    /// (a busy loop), never longer than `max_wait` (no timer of the configuration is further
    /// away), never "nothing scheduled" while a session with a health check runs.
    fn run_for(&mut self, ms: u64, max_wait: u32) {
        let (mut left, mut zero_waits) = (ms, 0);
        loop {
            if self.exchange() {
                continue;
            }
            if let Some(&(at, action)) = self.plan.first() {
                if cellmqtt::time::reached(self.h.now, at) {
                    self.plan.remove(0);
                    self.act(action);
                    continue;
                }
            }
            if left == 0 {
                return;
            }
            let wait = self.h.engine.poll_delay_ms(self.h.now, &self.h.ring);
            let (now, state) = (self.h.now, self.h.engine.state());
            zero_waits = if wait == 0 { zero_waits + 1 } else { 0 };
            assert!(zero_waits < 3, "busy loop at t={now} in {state:?}");
            let may_idle = self.health_ms == 0 || matches!(state, State::Stopped | State::Failed);
            assert!(
                wait <= max_wait || (wait == u32::MAX && may_idle),
                "poll_delay_ms {wait} at t={now} in {state:?}"
            );
            if wait != u32::MAX {
                self.t.longest_wait = self.t.longest_wait.max(wait);
            }
            let mut step = wait.max(1).min(u32::try_from(left).unwrap_or(u32::MAX));
            if let Some(&(at, _)) = self.plan.first() {
                step = step.min(cellmqtt::time::until(now, at).max(1));
            }
            self.h.now = now.wrapping_add(step);
            left -= u64::from(step);
            self.t.wakeups += 1;
        }
    }

    fn act(&mut self, action: Action) {
        let n = self.t.messages + 1;
        let payload = format!("cmd-{n}");
        let len = payload.len();
        let wire = match (action, self.family) {
            (Action::Publish, _) => {
                let payload = format!("reading {}", self.t.queued.len());
                let id = self
                    .h
                    .engine
                    .publish(b"dev/up", payload.as_bytes(), 1, false);
                self.t.queued.push(id.expect("the queue has room"));
                return;
            }
            (Action::BrokerDown | Action::BrokerUp, _) => {
                self.broker_up = action == Action::BrokerUp;
                return;
            }
            (Action::Inbound, Family::Luat) => {
                format!("\r\n+MSUB: \"dev/cmd\",{len} byte,{payload}\r\n").into_bytes()
            }
            (Action::Inbound, Family::Quectel) => {
                format!("\r\n+QMTRECV: 0,0,\"dev/cmd\",{len},\"{payload}\"\r\n").into_bytes()
            }
            (Action::Inbound, Family::Simcom) => {
                common::simcom::rx_message(b"dev/cmd", payload.as_bytes(), 64)
            }
            (Action::LinkLoss, Family::Luat) => b"\r\nCLOSED\r\n".to_vec(),
            (Action::LinkLoss, Family::Quectel) => b"\r\n+QMTSTAT: 0,1\r\n".to_vec(),
            (Action::LinkLoss, Family::Simcom) => b"\r\n+CMQTTCONNLOST: 0,1\r\n".to_vec(),
        };
        common::simcom::feed(&mut self.h, &wire);
    }

    fn sent(&self, prefix: &[u8]) -> usize {
        self.t.cmds.iter().filter(|c| c.starts_with(prefix)).count()
    }

    fn count(&self, pred: fn(&Notice) -> bool) -> usize {
        self.t.notices.iter().filter(|n| pred(n)).count()
    }

    fn recoveries(&self) -> Vec<(RecoveryStep, Status)> {
        let steps = self.t.notices.iter().filter_map(|n| match n {
            Notice::Recovery { step, reason, .. } => Some((*step, *reason)),
            _ => None,
        });
        steps.collect()
    }

    /// No pin moved and no reset command or counter: the module was never touched.
    #[track_caller]
    fn assert_module_untouched(&self) {
        let pins = self.count(|n| matches!(n, Notice::Pin { .. }));
        assert_eq!(pins, 0, "pins moved; recoveries {:?}", self.recoveries());
        for reset in [&b"AT+RESET"[..], b"AT+CFUN=1,1", b"AT+CFUN=1"] {
            assert_eq!(self.sent(reset), 0, "{}", String::from_utf8_lossy(reset));
        }
        let s = self.h.engine.stats();
        assert_eq!((s.reset_pulses, s.soft_resets, s.power_cycles), (0, 0, 0));
    }

    /// Every id `publish` returned was confirmed exactly once, in order, and none failed.
    #[track_caller]
    fn assert_every_publish_confirmed_once(&self) {
        assert_eq!(self.t.confirmed, self.t.queued, "confirmations");
        assert_eq!(self.count(|n| matches!(n, Notice::PublishFailed { .. })), 0);
        assert_eq!(self.h.engine.queued(), 0);
    }
}

/// The standard configuration of `family` with every pin wired (a rung that touches the
/// module shows as a pin notice) and the default health check (a minute).
fn config_for(family: Family) -> Config<'static> {
    let mut c = match family {
        Family::Luat => common::config(),
        Family::Quectel => common::quectel_config(),
        Family::Simcom => common::simcom::config(),
    };
    c.pins = Pins::RESET | Pins::POWER | Pins::PWRKEY;
    c
}

/// The longest wait a configuration may ask for: its longest timer.
fn longest_timer(c: &Config<'_>) -> u32 {
    let t = c.timeouts;
    let waits = [
        t.attach_ms,
        t.boot_ms,
        t.shut_ms,
        t.connect_ms,
        t.backoff_max_ms,
    ];
    waits.into_iter().fold(t.health_ms, u32::max)
}

/// A re-connect for a broker-side failure (an open or a connect the broker did not take).
fn broker_reconnect(r: &(RecoveryStep, Status)) -> bool {
    let broker = matches!(r.1, Status::BrokerUnreachable | Status::ConnectFailed);
    r.0 == RecoveryStep::Reconnect && broker
}

// ---- Two quiet months ----

/// Two fake months of a connected device of `family`, from a clock an hour before the wrap (it
/// wraps at once and again ~49.7 days later): a QoS 1 publish every hour, a message every 7
/// hours, on day 30 the link and the broker lost for two hours; a health check every
/// `health_ms` (0: none, so nothing is scheduled between publishes); the signal read at boot.
fn quiet_device_for_two_months(family: Family, health_ms: u32) {
    let days = 61;
    let mut cfg = config_for(family);
    cfg.timeouts.health_ms = health_ms;
    cfg.options |= cellmqtt::Options::REPORT_SIGNAL;
    if family == Family::Quectel {
        // Publishes matched by id in a window: the window's own deadline runs too.
        cfg.publish_window = 2;
    }
    let max_wait = longest_timer(&cfg);
    let start = 0u32.wrapping_sub(HOUR);
    let mut f = Field::new(family, cfg, start);
    f.h.engine.subscribe(b"dev/cmd", 1).unwrap();
    f.h.start();
    // Ticks are modulo 2^32: the plan wraps with the clock.
    let at = |hour: u32, min: u32| {
        let offset = hour.wrapping_mul(HOUR).wrapping_add(min * MINUTE);
        start.wrapping_add(offset)
    };
    for hour in 1..days * 24 {
        f.plan.push((at(hour, 0), Action::Publish));
        if hour % 7 == 3 {
            f.plan.push((at(hour, 17), Action::Inbound));
        }
        if hour == 30 * 24 {
            f.plan.push((at(hour, 28), Action::BrokerDown));
            f.plan.push((at(hour, 29), Action::LinkLoss));
        } else if hour == 30 * 24 + 2 {
            f.plan.push((at(hour, 29), Action::BrokerUp));
        }
    }
    let inbound = f.plan.iter().filter(|p| p.1 == Action::Inbound).count();
    f.run_for(u64::from(days) * u64::from(DAY), max_wait);

    let what = format!("{family:?}, health {health_ms} ms");
    assert_eq!(f.h.engine.state(), State::Online, "{what}");
    assert_eq!(f.t.queued.len() as u32, days * 24 - 1, "{what}");
    f.assert_every_publish_confirmed_once();
    assert_eq!(f.t.messages, inbound, "{what}: messages delivered");
    // The day-30 link loss, then re-connects to the absent broker for two hours, the back-off
    // at its cap (30-60 s with the jitter): 120 to 240 of them.
    let r = f.recoveries();
    let lost = (RecoveryStep::Reconnect, Status::LinkLost);
    assert_eq!(r.first(), Some(&lost), "{what}");
    assert!(
        (120..=250).contains(&r.len()),
        "{what}: {} recoveries",
        r.len()
    );
    assert!(r[1..].iter().all(broker_reconnect), "{what}: {r:?}");
    f.assert_module_untouched();
    let s = *f.h.engine.stats();
    assert_eq!((s.connects, s.links_lost), (2, 1), "{what}");
    let errors = (
        s.command_timeouts,
        s.command_errors,
        s.unexpected_acks,
        s.urcs_dropped,
    );
    assert_eq!(errors, (0, 0, 0, 0), "{what}: {s:?}");
    // The filter subscribed, then restored after the re-connect.
    assert_eq!(
        f.count(|n| matches!(n, Notice::Subscribed { .. })),
        2,
        "{what}"
    );
    // Read after attach at boot; the re-connect after a lost link skips attach.
    assert_eq!(f.count(|n| matches!(n, Notice::Signal { .. })), 1, "{what}");
    // Quiet means few wake-ups: a handful per health check or publish at most.
    let checks = u64::from(days) * u64::from(DAY.checked_div(health_ms).unwrap_or(0));
    let per_event = f.t.wakeups / (checks + f.t.queued.len() as u64);
    assert!(per_event <= 4, "{what}: {} wake-ups", f.t.wakeups);
    eprintln!("{what}: {days} days: {}", f.t.figures(&s));
}

/// With the default health check (a minute), and with none.
#[test]
#[cfg_attr(miri, ignore)]
fn quiet_device_two_months() {
    for family in FAMILIES {
        quiet_device_for_two_months(family, MINUTE);
        quiet_device_for_two_months(family, 0);
    }
}

/// Online with no health check, then nothing at all for 30 days (more than 2^31 ms: every
/// timestamp stored before reads as "ahead" to the signed compares): a message comes in, a
/// publish goes, the link drops and comes back, a last publish goes 27 days later. The month
/// costs one wake-up (nothing scheduled) and nothing after it stalls or fires early.
#[test]
fn a_month_of_silence_then_everything_works() {
    for family in FAMILIES {
        let mut cfg = config_for(family);
        cfg.timeouts.health_ms = 0;
        let max_wait = longest_timer(&cfg);
        let mut f = Field::new(family, cfg, 0u32.wrapping_sub(DAY));
        f.h.engine.subscribe(b"dev/cmd", 1).unwrap();
        f.h.start();
        f.run_for(u64::from(MINUTE), max_wait);
        assert_eq!(f.h.engine.state(), State::Online, "{family:?}");
        assert_eq!(f.h.engine.poll_delay_ms(f.h.now, &f.h.ring), u32::MAX);
        let wakeups = f.t.wakeups;
        f.run_for(u64::from(30 * DAY), max_wait);
        assert_eq!(
            f.t.wakeups - wakeups,
            1,
            "{family:?}: woken in the silent month"
        );
        let t = f.h.now;
        f.plan = vec![
            (t, Action::Inbound),
            (t.wrapping_add(MINUTE), Action::Publish),
            (t.wrapping_add(2 * MINUTE), Action::LinkLoss),
            (t.wrapping_add(27 * DAY), Action::Publish),
        ];
        f.run_for(u64::from(28 * DAY), max_wait);
        assert_eq!((f.t.messages, f.t.queued.len()), (1, 2), "{family:?}");
        f.assert_every_publish_confirmed_once();
        let r = f.recoveries();
        assert_eq!(
            r,
            [(RecoveryStep::Reconnect, Status::LinkLost)],
            "{family:?}"
        );
        f.assert_module_untouched();
        assert_eq!(f.h.engine.state(), State::Online, "{family:?}");
        let s = f.h.engine.stats();
        let counts = (s.connects, s.command_timeouts, s.command_errors);
        assert_eq!(counts, (2, 0, 0), "{family:?}");
    }
}

// ---- The first connect only after days of broker failures ----

/// The broker is unreachable for the first 3 days after `start` (every open or connect fails
/// on its side) while the application publishes QoS 1 every hour; then it comes back and the
/// device stays up 27 more days. Expected: only re-connects, one per 30-60 s (the capped
/// back-off with its jitter), the module never touched, and every publish of the outage
/// confirmed once, in order, when online.
fn first_connect_after_three_days(family: Family) {
    let cfg = config_for(family);
    let (backoff_max, max_wait) = (cfg.timeouts.backoff_max_ms, longest_timer(&cfg));
    let start = 7u32;
    let mut f = Field::new(family, cfg, start);
    f.broker_up = false;
    f.h.engine.subscribe(b"dev/cmd", 1).unwrap();
    f.h.start();
    for hour in 1..30 * 24 {
        f.plan.push((start + hour * HOUR, Action::Publish));
        if hour == 3 * 24 {
            f.plan.push((start + hour * HOUR + 1, Action::BrokerUp));
        }
    }
    f.run_for(u64::from(3 * DAY), max_wait);
    let what = format!("{family:?}");
    let r = f.recoveries();
    assert!(
        !f.t.notices.contains(&Notice::State(State::Online)),
        "{what}"
    );
    let least = (3 * DAY / backoff_max) as usize;
    assert!(
        (least..=2 * least + 10).contains(&r.len()),
        "{what}: {}",
        r.len()
    );
    assert!(r.iter().all(broker_reconnect), "{what}: {r:?}");
    // Every publish of the outage (one an hour, the last at its end) waits in the queue.
    assert_eq!((f.t.queued.len(), f.h.engine.queued()), (72, 72), "{what}");
    f.run_for(u64::from(27 * DAY), max_wait);
    assert_eq!(f.h.engine.state(), State::Online, "{what}");
    f.assert_every_publish_confirmed_once();
    f.assert_module_untouched();
    let s = f.h.engine.stats();
    let counts = (s.connects, s.links_lost, s.command_timeouts);
    assert_eq!(counts, (1, 0, 0), "{what}");
    eprintln!(
        "{what}: 3 days out: {} re-connects; 30 days: {}",
        r.len(),
        f.t.figures(s)
    );
}

#[test]
#[cfg_attr(miri, ignore)]
fn first_connect_after_three_days_of_broker_outage() {
    for family in FAMILIES {
        first_connect_after_three_days(family);
    }
}

// ---- The URC rate bound after a quiet month ----

/// Lines the engine does not consume go to the application, a burst of 8 then 4 a second
/// (src/engine/shared.rs `UrcBudget`). One URC, then none for 30 days, then one a second: far
/// below the refill rate, so every one must pass. The budget's refill tick was last moved 30
/// days ago, more than 2^31 ms: a signed compare reads it as 19 days ahead, and a budget that
/// trusted it refilled nothing, dropping every URC after the 7 tokens left until 49.7 days
/// after that tick.
#[test]
fn urcs_pass_after_a_month_without_any() {
    let mut c = common::config();
    // No health check: the month passes in one jump, with nothing scheduled.
    c.timeouts.health_ms = 0;
    let mut h = Harness::new(c);
    common::bring_online(&mut h);
    h.take_events();
    let urc = b"\r\n+CMTI: \"SM\",1\r\n";
    h.rx(urc);
    assert_eq!(h.take_events(), [Ev::Urc(urc[2..urc.len() - 2].to_vec())]);
    assert_eq!(h.engine.poll_delay_ms(h.now, &h.ring), u32::MAX);
    h.advance(30 * DAY);
    let mut passed = 0;
    for _ in 0..20 {
        h.rx(urc);
        let events = h.take_events();
        passed += events.iter().filter(|e| matches!(e, Ev::Urc(_))).count();
        h.advance(SECOND);
    }
    assert_eq!(h.engine.stats().urcs_dropped, 0);
    assert_eq!(passed, 20);
}

// ---- Message ids past 65,535 ----

/// The ids `publish` returns are u16 and wrap (skipping 0). An application that keeps asking
/// (one a second) through an outage of ~18 hours goes round all 65,535 ids while the outage's
/// records wait: refused publishes here (which take no id), and in the field as well commands
/// and subscriptions that succeed. Once the link is back and a record completes, the next
/// publish must not get the id of a record still queued: two outstanding publishes with one
/// id would be two `Published` notices the application cannot tell apart and, on Quectel,
/// whose window sends ahead, two `AT+QMTPUBEX` with one MQTT packet id in flight.
#[test]
#[cfg_attr(miri, ignore)]
fn a_wrapped_id_is_never_one_still_queued() {
    let mut c = common::quectel_config();
    c.publish_window = 2;
    c.timeouts.health_ms = 0;
    // Room for two records (26 bytes each): ids 1 and 2.
    let queue = common::Sizes {
        queue: 64,
        ..common::Sizes::default()
    };
    let mut h = Harness::with_sizes(c, queue);
    // The outage: two records fill the queue, then every publish is refused.
    let mut outstanding = vec![];
    while let Ok(id) = h.engine.publish(b"t", b"0123456789abcde", 1, false) {
        outstanding.push(id);
    }
    assert_eq!(outstanding, [1, 2]);
    for _ in 0..1_000 {
        let refused = h.engine.publish(b"t", b"0123456789abcde", 1, false);
        assert_eq!(refused, Err(Status::QueueFull));
    }
    // Requests that succeed go round the ids meanwhile: 65,534 of them (subscribe/unsubscribe
    // pairs of a filter never sent, each completing locally at the next poll). Given in plain
    // sequence they would end at 1, and the next publish would get 2.
    // The refusals took no id: the first of these gets 3.
    assert_eq!(h.engine.subscribe(b"x", 0), Ok(3));
    h.engine.unsubscribe(b"x").unwrap();
    h.poll();
    for _ in 1..32_767 {
        h.engine.subscribe(b"x", 0).unwrap();
        h.engine.unsubscribe(b"x").unwrap();
        h.poll();
    }
    h.poll();
    h.take_events();
    // The link is back: 1 is sent, 2 sent ahead (the window), then 1 is acknowledged.
    common::quectel_bring_online(&mut h);
    for id in [1, 2] {
        h.tx(format!("AT+QMTPUBEX=0,{id},1,0,\"t\",15\r").as_bytes());
        h.rx(b"\r\n> ");
        h.tx(b"0123456789abcde");
        h.rx(b"\r\nOK\r\n");
    }
    h.rx(b"\r\n+QMTPUBEX: 0,1,0\r\n");
    assert!(h.notices().contains(&Notice::Published { id: 1 }));
    outstanding.retain(|&id| id != 1);
    // The room 1 left takes the next publish: its id must not be 2, still outstanding.
    let next = h
        .engine
        .publish(b"t", b"0123456789abcde", 1, false)
        .unwrap();
    assert_ne!(next, 0);
    assert!(
        !outstanding.contains(&next),
        "id {next} given while {outstanding:?} wait"
    );
}

/// Past the wrap without refusals: ids go 65,535 → 1 (never 0, which Quectel refuses for
/// QoS > 0), and each publish is confirmed under its own id, on the wire and in the notices.
#[test]
#[cfg_attr(miri, ignore)]
fn ids_wrap_past_65535_without_zero() {
    let cfg = config_for(Family::Quectel);
    let max_wait = longest_timer(&cfg);
    let mut f = Field::new(Family::Quectel, cfg, 0);
    // Subscribes take ids too: a filter the broker never saw, unsubscribed before `start`
    // (the unsubscribe takes the unsent subscribe's id), completes locally at the next poll
    // (65,530 pairs: the next id is 65,531).
    for _ in 0..65_530 {
        f.h.engine.subscribe(b"x", 0).unwrap();
        f.h.engine.unsubscribe(b"x").unwrap();
        f.h.poll();
    }
    f.h.take_events();
    f.h.start();
    f.run_for(u64::from(MINUTE), max_wait);
    assert_eq!(f.h.engine.state(), State::Online);
    for _ in 0..8 {
        f.act(Action::Publish);
        f.run_for(u64::from(5 * SECOND), max_wait);
    }
    assert_eq!(
        f.t.queued,
        [65_531, 65_532, 65_533, 65_534, 65_535, 1, 2, 3]
    );
    f.assert_every_publish_confirmed_once();
    for id in &f.t.queued {
        let wire = format!("AT+QMTPUBEX=0,{id},1,0,\"dev/up\",");
        assert_eq!(f.sent(wire.as_bytes()), 1, "{wire}");
    }
}

// ---- Counters past 2^32 ----

/// The ring's dropped-byte counter wraps at 2^32 (src/engine/ring.rs); the engine keeps the
/// value it last saw and reports the difference. Across the wrap the difference must be the
/// bytes dropped since (not a huge or a missed loss), and the next poll must report nothing.
#[test]
#[cfg_attr(miri, ignore)]
fn rx_overflow_reported_exactly_across_the_counter_wrap() {
    let mut c = common::config();
    c.timeouts.health_ms = 0;
    let mut h = Harness::new(c);
    common::bring_online(&mut h);
    h.take_events();
    // Blank lines fill the ring (the engine skips them); a 64 MiB chunk is then refused whole.
    let blank = b"\r\n".repeat(512);
    let chunk = vec![0u8; 1 << 26];
    let overflow = |h: &mut Harness, chunks: u32| -> Vec<Notice> {
        assert_eq!(h.ring.push(&blank), blank.len());
        for _ in 0..chunks {
            assert_eq!(h.ring.push(&chunk), 0);
        }
        h.poll();
        h.notices()
    };
    let loss = |count: u32| Notice::Loss {
        kind: cellmqtt::LossKind::RxOverflow,
        count,
    };
    let before_wrap = 63u32 << 26;
    assert_eq!(overflow(&mut h, 63), [loss(before_wrap)]);
    assert_eq!(h.engine.stats().rx_overflow_bytes, before_wrap);
    // Two more chunks: the ring's counter wraps (65 · 2^26 > 2^32).
    assert_eq!(overflow(&mut h, 2), [loss(2 << 26)]);
    let total = before_wrap.wrapping_add(2 << 26);
    assert_eq!(h.engine.stats().rx_overflow_bytes, total);
    assert_eq!(overflow(&mut h, 0), []);
    assert_eq!(h.engine.state(), State::Online);
}

// ---- The last-resort reset's clock ----

/// `Ladder::broker_reset_after_s`: one module reset after that long of broker failures "with
/// no session in between". A session stopped during a broker failure and started again a day
/// later (a device that sleeps between reports) begins a new run, whose first failure is a
/// re-connect. Had the run's start (`LadderState::broker_since`) survived `stop` and `start`,
/// the first failure of the new session would find a day "of failures" behind it and reset
/// the module at once, at every wake-up.
#[test]
fn a_restarted_session_does_not_inherit_the_broker_failure_run() {
    let mut c = config_for(Family::Luat);
    c.ladder.broker_reset_after_s = 20 * 60;
    let max_wait = longest_timer(&c);
    let mut f = Field::new(Family::Luat, c, 0);
    f.broker_up = false;
    f.h.start();
    f.run_for(u64::from(10 * SECOND), max_wait);
    let first = f.recoveries();
    let unreachable = (RecoveryStep::Reconnect, Status::BrokerUnreachable);
    assert!(!first.is_empty() && first.iter().all(|r| *r == unreachable));
    f.h.engine.stop(f.h.now);
    f.run_for(u64::from(MINUTE), max_wait);
    assert_eq!(f.h.engine.state(), State::Stopped);
    // A day asleep, then a new session against the same unreachable broker.
    f.h.now = f.h.now.wrapping_add(DAY);
    f.h.start();
    f.run_for(u64::from(10 * SECOND), max_wait);
    let again = &f.recoveries()[first.len()..];
    assert_eq!(again.first(), Some(&unreachable), "{again:?}");
    f.assert_module_untouched();
}

/// The same setting measured on the wrapping millisecond tick, which tells spans up to 2^31 ms
/// apart: the largest value it takes is 2,147,483 s (24.8 days), and the reset comes after that
/// long of failures, not before. A larger value (here 50 days) would never be reached (the
/// elapsed time wraps back to 0 every 49.7 days), so the configuration refuses it by its field.
#[test]
#[cfg_attr(miri, ignore)]
fn the_last_resort_reset_fires_at_its_largest_setting_and_no_larger_is_taken() {
    const LARGEST_S: u32 = 2_147_483;
    let mut c = config_for(Family::Luat);
    c.ladder.broker_reset_after_s = LARGEST_S + 1;
    let refused = c.check().map_err(|e| (e.field, e.status));
    let expected = (cellmqtt::ConfigField::Ladder, Status::InvalidConfig);
    assert_eq!(refused.err(), Some(expected));
    c.ladder.broker_reset_after_s = LARGEST_S;
    assert!(c.validate().is_ok());
    // Hourly re-connects keep 26 days to about 620 attempts.
    c.timeouts.backoff_min_ms = HOUR;
    c.timeouts.backoff_max_ms = HOUR;
    let max_wait = longest_timer(&c);
    let mut f = Field::new(Family::Luat, c, 0);
    f.broker_up = false;
    f.h.start();
    f.run_for(u64::from(24 * DAY), max_wait);
    assert_eq!(f.h.engine.stats().reset_pulses, 0, "not before 24.8 days");
    f.run_for(u64::from(2 * DAY), max_wait);
    let s = f.h.engine.stats();
    assert_eq!(s.reset_pulses, 1, "{s:?}");
}
