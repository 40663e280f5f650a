//! The harness with the no-spin invariant checked after every step (the adversarial review's
//! tests): `poll_delay_ms() == 0` must mean the next `poll` at the same time writes bytes or
//! returns an event.

use super::{config, Ev, Harness};
use cellmqtt::{Event, Notice};

pub fn owned(e: Event<'_>) -> Ev {
    match e {
        Event::Notice(n) => Ev::N(n),
        Event::Message { topic, payload } => Ev::Msg(topic.to_vec(), payload.to_vec()),
        Event::AtLine { id, line } => Ev::AtLine(id, line.to_vec()),
        Event::Urc { line } => Ev::Urc(line.to_vec()),
    }
}

/// The harness with the no-spin invariant checked after every step.
pub trait Checked {
    fn inv(&mut self);
    fn rxi(&mut self, bytes: &[u8]);
    fn advi(&mut self, ms: u32);
    fn txi(&mut self, bytes: &[u8]);
    fn run(&mut self, script: &[(&[u8], &[u8])]);
}

impl Checked for Harness {
    #[track_caller]
    fn inv(&mut self) {
        if self.engine.poll_delay_ms(self.now, &self.ring) != 0 {
            return;
        }
        let before = self.uart.written.len();
        let (_, mut reader) = self.ring.split();
        let ev = self
            .engine
            .poll(self.now, &mut reader, &mut self.uart)
            .map(owned);
        assert!(
            ev.is_some() || self.uart.written.len() > before,
            "spin: poll_delay_ms 0 but poll idle at t={} state={:?}",
            self.now,
            self.engine.state()
        );
        self.events.extend(ev);
        self.poll();
    }
    #[track_caller]
    fn rxi(&mut self, bytes: &[u8]) {
        self.rx(bytes);
        self.inv();
    }
    #[track_caller]
    fn advi(&mut self, ms: u32) {
        self.advance(ms);
        self.inv();
    }
    #[track_caller]
    fn txi(&mut self, bytes: &[u8]) {
        self.tx(bytes);
        self.inv();
    }
    #[track_caller]
    fn run(&mut self, script: &[(&[u8], &[u8])]) {
        for (tx, rx) in script {
            self.txi(tx);
            self.rxi(rx);
        }
    }
}

/// The start of docs/luat-at.md §5 (echo off, no subscriptions) as (command, answer) pairs; an
/// empty command is a URC the session waits for.
pub const UP: &[(&[u8], &[u8])] = &[
    (b"AT\r", b"\r\nOK\r\n"),
    (b"ATE0\r", b"\r\nOK\r\n"),
    (b"AT+CPIN?\r", b"\r\n+CPIN: READY\r\n\r\nOK\r\n"),
    super::IDENTITY[0],
    super::IDENTITY[1],
    super::IDENTITY[2],
    super::IDENTITY[3],
    (b"AT+CGATT?\r", b"\r\n+CGATT: 1\r\n\r\nOK\r\n"),
    (b"AT+MQTTMSGSET=0\r", b"\r\nOK\r\n"),
    (b"AT+MQTTMODE=0\r", b"\r\nOK\r\n"),
    (b"AT+MIPCLOSE\r", b"\r\n+CME ERROR: 767\r\n"),
    (b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r", b"\r\nOK\r\n"),
    (b"AT+MIPSTART=\"broker.example\",1883\r", b"\r\nOK\r\n"),
    (b"", b"\r\nCONNECT OK\r\n"),
    (b"AT+MCONNECT=1,120\r", b"\r\nOK\r\n"),
    (b"", b"\r\nCONNACK OK\r\n"),
];
/// Index in `UP` of the first step after `CONNACK OK`.
pub const CONNECTED_AT: usize = 16;

/// The connect of `UP` over TLS (the stale-link MIPCLOSE, MCONFIG, SSLMIPSTART, MCONNECT), each
/// answer with its URC in one piece.
pub const TLS_CONNECT: &[(&[u8], &[u8])] = &[
    UP[10],
    UP[11],
    (
        b"AT+SSLMIPSTART=\"broker.example\",1883\r",
        b"\r\nOK\r\n\r\nCONNECT OK\r\n",
    ),
    (UP[14].0, b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
];

pub fn cfg_quiet() -> cellmqtt::Config<'static> {
    let mut c = config();
    c.timeouts.health_ms = 0;
    c
}

pub fn has(n: &[Notice], want: Notice) -> bool {
    n.contains(&want)
}
