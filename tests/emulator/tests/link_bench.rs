//! Link benchmarks, run by `make bench` (ignored in `make test`: wall-clock figures are
//! measured and printed, never asserted):
//! - link efficiency: QoS 0 publishes per second through `cellmqtt-emu --baud 115200`, against
//!   the bound set by the bytes that must cross the wire (command + `OK`, one at a time);
//! - recovery latency: `CLOSED` to `CONNACK OK` with the emulator answering at once, minus
//!   the configured back-off: the time the library itself adds.
mod common;

use cellmqtt::{Notice, State};
use common::device::{Device, Seen};
use common::{Mosquitto, T};
use std::time::{Duration, Instant};

const BAUD: f64 = 115_200.0;
const MESSAGES: u32 = 300;
const PAYLOAD: usize = 64;

#[test]
#[ignore = "benchmark: run by make bench"]
fn link_efficiency_qos0_at_115200() {
    let mosq = Mosquitto::start();
    let mut dev = Device::start(mosq.port, &["--baud", "115200"], |_| {});
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    let payload = vec![b'x'; PAYLOAD];
    let topic = b"bench/qos0";
    let started = Instant::now();
    let mut last = 0;
    let mut queued = 0;
    while queued < MESSAGES {
        // Keep the queue fed; the engine sends the next MPUB as soon as `OK` arrives.
        match dev.engine.publish(topic, &payload, 0, false) {
            Ok(id) => {
                last = id;
                queued += 1;
            }
            Err(cellmqtt::Status::QueueFull) => {
                dev.run_until(T, |s| matches!(s, Seen::N(Notice::Published { .. })));
            }
            Err(e) => panic!("publish: {e:?}"),
        }
    }
    dev.run_until(
        Duration::from_secs(120),
        |s| matches!(s, Seen::N(Notice::Published { id }) if *id == last),
    );
    let secs = started.elapsed().as_secs_f64();
    // Bytes on the wire per message: the command, then "\r\nOK\r\n"; 10 bits per byte (8N1).
    let command = format!("AT+MPUB=\"bench/qos0\",0,0,\"{}\"\r", "x".repeat(PAYLOAD)).len();
    let wire_bytes = (command + 6) as f64;
    let bound = BAUD / 10.0 / wire_bytes;
    let achieved = f64::from(MESSAGES) / secs;
    println!(
        "link_efficiency {:.3}   ({achieved:.1} QoS 0 publishes/s of {PAYLOAD} B vs {bound:.1}/s wire bound at 115200 baud; {wire_bytes} B per publish)",
        achieved / bound
    );
}

#[test]
#[ignore = "benchmark: run by make bench"]
fn recovery_latency_closed_to_connack() {
    let mosq = Mosquitto::start();
    let backoff_ms = 1;
    let mut dev = Device::start(mosq.port, &[], |c| {
        c.timeouts.backoff_min_ms = backoff_ms;
        c.timeouts.backoff_max_ms = backoff_ms;
    });
    dev.engine.start(dev.now()).unwrap();
    dev.online();
    let mut samples = vec![];
    for _ in 0..20 {
        let t0 = Instant::now();
        dev.control("close");
        dev.run_until(T, |s| {
            matches!(s, Seen::N(Notice::State(State::Recovering)))
        });
        dev.run_until(T, |s| matches!(s, Seen::N(Notice::State(State::Online))));
        samples.push(t0.elapsed().as_secs_f64() * 1000.0 - f64::from(backoff_ms));
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    println!(
        "recovery_latency_ms median {:.1} worst {:.1}   (CLOSED to online again: MIPCLOSE, MCONFIG, MIPSTART, MCONNECT against a local mosquitto, back-off excluded; {} runs)",
        samples[samples.len() / 2],
        samples[samples.len() - 1],
        samples.len()
    );
}
