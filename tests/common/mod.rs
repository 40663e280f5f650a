//! Test harness: the engine on a fake clock against a scripted modem.
//!
//! `tx(b"AT\r")` polls and asserts that exactly these bytes, and nothing else, were written
//! since the last check; `rx(b"\r\nOK\r\n")` feeds module output. Time only moves with
//! `advance(ms)`, so every deadline is exact and no test sleeps.
#![allow(dead_code)]

pub mod checked;

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
