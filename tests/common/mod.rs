//! Test harness: the engine on a fake clock against a scripted modem.
//!
//! `tx(b"AT\r")` polls and asserts that exactly these bytes, and nothing else, were written
//! since the last check; `rx(b"\r\nOK\r\n")` feeds module output. Time only moves with
//! `advance(ms)`, so every deadline is exact and no test sleeps.
#![allow(dead_code)]

pub mod checked;
pub mod family;
pub mod rng;
pub mod script;
pub mod simcom;
pub mod trail;

use cellmqtt::{Buffers, Config, Engine, Event, Notice, RecoveryStep, RxRing};

/// An event with owned data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    N(Notice),
    Msg(Vec<u8>, Vec<u8>),
    /// An answer line of a queued AT command.
    AtLine(u16, Vec<u8>),
    /// A line passed on as a URC.
    Urc(Vec<u8>),
}

#[derive(Default)]
pub struct Uart {
    pub written: Vec<u8>,
    /// Accept at most this many bytes per write (None = all).
    pub chunk: Option<usize>,
    /// Refuse the next n writes with Ok(0).
    pub stall: usize,
}

impl embedded_io::ErrorType for Uart {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if self.stall > 0 {
            self.stall -= 1;
            return Ok(0);
        }
        let n = self.chunk.map_or(buf.len(), |c| c.min(buf.len()));
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

pub struct Harness {
    pub engine: Engine<'static>,
    pub ring: RxRing<'static>,
    pub uart: Uart,
    pub now: u32,
    pub events: Vec<Ev>,
    checked: usize,
}

pub struct Sizes {
    pub rx: usize,
    pub line: usize,
    pub queue: usize,
    pub subs: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            rx: 1024,
            line: 1664,
            queue: 4096,
            subs: 512,
        }
    }
}

fn leak(n: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; n].into_boxed_slice())
}

impl Harness {
    pub fn new(cfg: Config<'static>) -> Self {
        Self::with_sizes(cfg, Sizes::default())
    }

    pub fn with_sizes(cfg: Config<'static>, s: Sizes) -> Self {
        let rx = leak(s.rx);
        let bufs = Buffers {
            line: leak(s.line),
            queue: leak(s.queue),
            subs: leak(s.subs),
        };
        let engine = Engine::new(cfg, bufs).expect("valid config");
        Harness {
            engine,
            ring: RxRing::new(rx),
            uart: Uart::default(),
            now: 1_000,
            events: vec![],
            checked: 0,
        }
    }

    /// Polls until the engine has nothing more to do, collecting events.
    pub fn poll(&mut self) {
        for _ in 0..100_000 {
            let (_, mut reader) = self.ring.split();
            match self.engine.poll(self.now, &mut reader, &mut self.uart) {
                None => {
                    assert_eq!(self.engine.stats().events_dropped, 0, "a notice was lost");
                    return;
                }
                Some(Event::Notice(n)) => self.events.push(Ev::N(n)),
                Some(Event::Message { topic, payload }) => {
                    self.events.push(Ev::Msg(topic.to_vec(), payload.to_vec()))
                }
                Some(Event::AtLine { id, line }) => self.events.push(Ev::AtLine(id, line.to_vec())),
                Some(Event::Urc { line }) => self.events.push(Ev::Urc(line.to_vec())),
            }
        }
        panic!("poll never became idle");
    }

    pub fn start(&mut self) {
        self.engine.start(self.now).unwrap();
    }

    /// Asserts the bytes written since the last check are exactly `expected`.
    #[track_caller]
    pub fn tx(&mut self, expected: &[u8]) {
        self.poll();
        let got = &self.uart.written[self.checked..];
        assert_eq!(
            String::from_utf8_lossy(got),
            String::from_utf8_lossy(expected),
            "TX mismatch at t={}",
            self.now
        );
        self.checked = self.uart.written.len();
    }

    /// Asserts nothing was written since the last check.
    #[track_caller]
    pub fn tx_nothing(&mut self) {
        self.tx(b"");
    }

    /// A command with data: `header` goes out, the module prompts `> ` (Quectel and Luat
    /// spacing), then exactly `data` goes out.
    #[track_caller]
    pub fn prompted(&mut self, header: &[u8], data: &[u8]) {
        self.tx(header);
        self.rx(b"\r\n> ");
        self.tx(data);
    }

    /// Module output.
    pub fn rx(&mut self, bytes: &[u8]) {
        assert_eq!(
            self.ring.push(bytes),
            bytes.len(),
            "RX ring too small in test"
        );
        self.poll();
    }

    /// Moves the clock and polls.
    pub fn advance(&mut self, ms: u32) {
        self.now = self.now.wrapping_add(ms);
        self.poll();
    }

    /// Waits `ms` (at least 1) with nothing written before its last millisecond; what the
    /// engine writes at that millisecond is the caller's next expectation.
    #[track_caller]
    pub fn quiet_for(&mut self, ms: u32) {
        self.advance(ms - 1);
        self.tx_nothing();
        self.advance(1);
    }

    /// Advances in steps of `step` ms until `pred` holds on the new events (max `limit` ms).
    pub fn run_until(&mut self, step: u32, limit: u32, mut pred: impl FnMut(&Ev) -> bool) -> u32 {
        let mut waited = 0;
        loop {
            if self.events.iter().any(&mut pred) {
                return waited;
            }
            assert!(waited < limit, "condition not reached within {limit} ms");
            self.advance(step);
            waited += step;
        }
    }

    pub fn take_events(&mut self) -> Vec<Ev> {
        std::mem::take(&mut self.events)
    }

    pub fn notices(&mut self) -> Vec<Notice> {
        self.take_events()
            .into_iter()
            .filter_map(|e| match e {
                Ev::N(n) => Some(n),
                _ => None,
            })
            .collect()
    }

    /// True when bytes were written since the last check.
    pub fn pending_tx(&self) -> bool {
        self.uart.written.len() > self.checked
    }

    /// Discards written bytes not checked yet.
    pub fn forget_tx(&mut self) {
        self.checked = self.uart.written.len();
    }
}

/// The standard configuration of the transcript tests.
pub fn config() -> Config<'static> {
    let mut c = Config::new(b"broker.example", 1883, b"dev-1");
    c.keepalive_s = 120;
    c
}

/// The messages among `ev` (topic, payload), in order.
pub fn messages(ev: &[Ev]) -> Vec<(Vec<u8>, Vec<u8>)> {
    ev.iter()
        .filter_map(|e| match e {
            Ev::Msg(t, p) => Some((t.clone(), p.clone())),
            _ => None,
        })
        .collect()
}

/// The notices among `ev`, in order.
pub fn notices_of(ev: &[Ev]) -> Vec<Notice> {
    ev.iter()
        .filter_map(|e| match e {
            Ev::N(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// How the application command `id` ended, once per `AtDone` among `ev`.
pub fn at_done_of(ev: &[Ev], id: u16) -> Vec<cellmqtt::Status> {
    let done = |n: Notice| match n {
        Notice::AtDone { id: i, status, .. } if i == id => Some(status),
        _ => None,
    };
    notices_of(ev).into_iter().filter_map(done).collect()
}

/// A Luat session online with `dev/cmd` (QoS 1) subscribed, its events taken.
pub fn luat_online_with_dev_cmd() -> Harness {
    let mut h = Harness::new(config());
    h.engine.subscribe(b"dev/cmd", 1).unwrap();
    bring_online(&mut h);
    h.tx(b"AT+MSUB=\"dev/cmd\",1\r");
    h.rx(b"\r\nOK\r\n\r\nSUBACK\r\n");
    h.take_events();
    assert_eq!(h.engine.state(), cellmqtt::State::Online);
    h
}

/// Drives a fresh harness through the full start of docs/luat-at.md (echo on at boot) to online.
pub fn bring_online(h: &mut Harness) {
    h.start();
    prepare_after_boot(h);
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nCONNECT OK\r\n");
    h.tx(b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nCONNACK OK\r\n");
}

/// From the first `AT` after a module boot (echo on) to the stale-link `AT+MIPCLOSE`, which
/// finds nothing open (`+CME ERROR: 767`): the preparation of docs/luat-at.md §5.
pub fn prepare_after_boot(h: &mut Harness) {
    boot_to_msgset(h, true);
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
}

/// From the first `AT` after a boot to the `OK` of `AT+MQTTMSGSET=0` (answers without echo
/// when `echo` is false; the identity is read where the module has not given it yet).
pub fn boot_to_msgset(h: &mut Harness, echo: bool) {
    let (at, ate0): (&[u8], &[u8]) = if echo {
        (b"AT\r\r\nOK\r\n", b"ATE0\r\r\nOK\r\n")
    } else {
        (b"\r\nOK\r\n", b"\r\nOK\r\n")
    };
    h.tx(b"AT\r");
    h.rx(at);
    h.tx(b"ATE0\r");
    h.rx(ate0);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    if !h.engine.module_facts().read {
        identify(h);
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGSET=0\r");
    h.rx(b"\r\nOK\r\n");
}

/// The preparation of `prepare_after_boot` (echo off) for a module with this IMEI, up to the
/// stale-link `AT+MIPCLOSE`'s answer.
pub fn prepare_with_imei(h: &mut Harness, imei: &[u8]) {
    h.tx(b"AT\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    h.tx(b"AT+CGSN\r");
    h.rx(&[&b"\r\n"[..], imei, b"\r\n\r\nOK\r\n"].concat());
    for (cmd, answer) in &IDENTITY[1..] {
        h.tx(cmd);
        h.rx(answer);
    }
    attach_to_stale_close(h);
}

/// Luat, once the SIM is ready and identified: attached, the receive settings, then the
/// precautionary `AT+MIPCLOSE` answered 767 (no stale link).
pub fn attach_to_stale_close(h: &mut Harness) {
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
    h.tx(b"AT+MQTTMSGSET=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MQTTMODE=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
}

/// The identity queries after the SIM is ready (once per module boot), with the answers in
/// the forms the Luat modules print (docs/luat-at.md §4).
pub const IDENTITY: [(&[u8], &[u8]); 4] = [
    (b"AT+CGSN\r", b"\r\n866714043075174\r\n\r\nOK\r\n"),
    (b"AT+CGMR\r", b"\r\nAirM2M_780E_V1169_LTE_AT\r\n\r\nOK\r\n"),
    (
        b"AT+ICCID\r",
        b"\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n",
    ),
    (b"AT+CIMI\r", b"\r\n460081234567890\r\n\r\nOK\r\n"),
];

/// Answers the identity queries.
pub fn identify(h: &mut Harness) {
    for (cmd, answer) in IDENTITY {
        h.tx(cmd);
        h.rx(answer);
    }
}

/// The pin notices among `n`, in order.
pub fn pin_notices(n: &[Notice]) -> Vec<Notice> {
    n.iter()
        .filter(|e| matches!(e, Notice::Pin { .. }))
        .copied()
        .collect()
}

/// The recovery steps among `n`, in order.
pub fn recoveries(n: &[Notice]) -> Vec<RecoveryStep> {
    n.iter()
        .filter_map(|e| match e {
            Notice::Recovery { step, .. } => Some(*step),
            _ => None,
        })
        .collect()
}

// ---- Quectel `AT+QMT*` (docs/quectel-simcom-at.md §2, §3) ----

/// The standard configuration of the Quectel transcript tests: an EC200U on a local broker.
pub fn quectel_config() -> Config<'static> {
    let mut c = Config::new(b"127.0.0.1", 18830, b"q1");
    c.profile = cellmqtt::Profile::Ec200u;
    c.keepalive_s = 120;
    c
}

/// The identity queries of a Quectel module (once per boot), with the answers it prints
/// (docs/quectel-simcom-at.md §7: `AT+QCCID` for the ICCID).
pub const QUECTEL_IDENTITY: [(&[u8], &[u8]); 4] = [
    (b"AT+CGSN\r", b"\r\n864394040000017\r\n\r\nOK\r\n"),
    (b"AT+CGMR\r", b"\r\nEC200UCNAAR03A03M08\r\n\r\nOK\r\n"),
    (
        b"AT+QCCID\r",
        b"\r\n+QCCID: 89860012345678901234\r\n\r\nOK\r\n",
    ),
    (b"AT+CIMI\r", b"\r\n460001234567890\r\n\r\nOK\r\n"),
];

/// From the first `AT` after a Quectel boot to the `OK` of `AT+CGATT?` (echo on at boot when
/// `echo`; the identity is read where the module has not given it yet).
pub fn quectel_boot(h: &mut Harness, echo: bool) {
    let (at, ate0): (&[u8], &[u8]) = if echo {
        (b"AT\r\r\nOK\r\n", b"ATE0\r\r\nOK\r\n")
    } else {
        (b"\r\nOK\r\n", b"\r\nOK\r\n")
    };
    h.tx(b"AT\r");
    h.rx(at);
    h.tx(b"ATE0\r");
    h.rx(ate0);
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    if !h.engine.module_facts().read {
        for (cmd, answer) in QUECTEL_IDENTITY {
            h.tx(cmd);
            h.rx(answer);
        }
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
}

/// The `AT+QMTCFG` items sent before every open (standard configuration: keepalive 120, clean
/// session, no will), each answered `OK`; the last one switches TLS on (`tls`) or off.
pub fn quectel_mqtt_cfg(h: &mut Harness, tls: bool) {
    let ssl: &[u8] = if tls {
        b"AT+QMTCFG=\"ssl\",0,1,1\r"
    } else {
        b"AT+QMTCFG=\"ssl\",0,0\r"
    };
    for cmd in [
        &b"AT+QMTCFG=\"version\",0,4\r"[..],
        b"AT+QMTCFG=\"pdpcid\",0,1\r",
        b"AT+QMTCFG=\"keepalive\",0,120\r",
        b"AT+QMTCFG=\"session\",0,1\r",
        b"AT+QMTCFG=\"will\",0,0\r",
        b"AT+QMTCFG=\"recv/mode\",0,0,1\r",
        ssl,
    ] {
        h.tx(cmd);
        h.rx(b"\r\nOK\r\n");
    }
}

/// The stale-client close (answered `ERROR`: none open) and the `AT+QMTCFG` items.
pub fn quectel_close_and_cfg(h: &mut Harness, tls: bool) {
    h.tx(b"AT+QMTCLOSE=0\r");
    h.rx(b"\r\nERROR\r\n");
    quectel_mqtt_cfg(h, tls);
}

/// `AT+QIACT=1` answered `ERROR` (the context is already active), `AT+QIACT?` showing it.
pub fn quectel_bearer_already_active(h: &mut Harness) {
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nERROR\r\n");
    h.tx(b"AT+QIACT?\r");
    h.rx(b"\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\nOK\r\n");
}

/// `AT+QMTOPEN` → `OK`, `+QMTOPEN: 0,0`; `AT+QMTCONN` → `OK`, `+QMTCONN: 0,0,0`.
pub fn quectel_open_connect(h: &mut Harness) {
    h.tx(b"AT+QMTOPEN=0,\"127.0.0.1\",18830\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\n+QMTOPEN: 0,0\r\n");
    h.tx(b"AT+QMTCONN=0,\"q1\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\n+QMTCONN: 0,0,0\r\n");
}

/// Drives a fresh Quectel harness (no APN, no TLS) from `start` to the CONNACK: boot with echo
/// on, identity, attach, `AT+QIACT=1` → `OK`, the stale close, the items, open and connect.
pub fn quectel_bring_online(h: &mut Harness) {
    quectel_prepare(h);
    quectel_open_connect(h);
}

/// A Quectel start (echo on at boot, the bearer activated, plain TCP) up to the `AT+QMTOPEN`
/// that comes next.
pub fn quectel_prepare(h: &mut Harness) {
    h.start();
    quectel_boot(h, true);
    h.tx(b"AT+QIACT=1\r");
    h.rx(b"\r\nOK\r\n");
    quectel_close_and_cfg(h, false);
}

/// A Quectel session online with `filter` subscribed at `qos` as request 1 (its result after
/// the `OK`), events taken.
pub fn quectel_online_with(filter: &[u8], qos: u8) -> Harness {
    let mut h = Harness::new(quectel_config());
    assert_eq!(h.engine.subscribe(filter, qos), Ok(1));
    quectel_bring_online(&mut h);
    let filter = String::from_utf8_lossy(filter);
    h.tx(format!("AT+QMTSUB=0,1,\"{filter}\",{qos}\r").as_bytes());
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(format!("\r\n+QMTSUB: 0,1,0,{qos}\r\n").as_bytes());
    h.take_events();
    assert_eq!(h.engine.state(), cellmqtt::State::Online);
    h
}
