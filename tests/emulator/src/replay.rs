//! `--replay FILE`: plays the module's side of a recorded AT conversation (a `cellmqtt-trace v1`
//! file, as `cellmqtt-cli --trace FILE` writes it) to a fresh MCU run, and checks that the MCU
//! says what the recorded one said.
//!
//! The trace format (written by ports/posix/cellmqtt_posix.c):
//!
//! ```text
//! # cellmqtt-trace v1 <free text>
//! <t_ms> <dir> <bytes>
//! ```
//!
//! `t_ms` is milliseconds since the trace started, `dir` is `>` (MCU to module: what the
//! library wrote) or `<` (module to MCU: what it was fed), `bytes` is everything after the
//! second space with printable ASCII kept except `\`, and `\\`, `\r`, `\n`, `\xNN` for the rest.
//! Lines starting with `#` are comments (`# gpio reset 1`).
//!
//! How it plays: the `<` chunks go out in order. A `<` chunk that followed MCU writes in the
//! trace waits until the MCU has sent as much as the trace had before it, counted in CR-ended
//! lines and then bytes after the last CR (prompt data such as `AT+MPUBEX` payloads), or until
//! the MCU is 5 s behind the recording; counting lines rather than bytes keeps a run in step
//! even when a line differs (the mismatch is reported, the conversation goes on). It then goes
//! out after its recorded delay from the MCU's write (the module's answer time). A chunk that
//! followed another `<` chunk keeps its recorded gap to that one (the module's own timing: a
//! URC after an `OK`). Gaps are divided by `--replay-speed` and capped at 2 s. Timer-driven MCU
//! behaviour (probes, polls, silence detection) then repeats itself, because the answers come
//! at the same points of the conversation.
//!
//! What the MCU sends is compared line by line with the trace's `>` bytes. At the end (all
//! chunks sent, and the MCU either sent every expected line and went quiet, or stayed silent
//! for the timeout) one JSON line goes to stdout:
//! `{"event":"replay_done","chunks":N,"mismatches":M,...}`, and the exit status is 0 only if
//! M is 0. With `--control`, the MCU's pin commands must also match the trace's `# gpio`
//! comments (a difference counts as one mismatch).

use std::io::Write;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cli::Options;
use crate::control::ControlCmd;
use crate::runtime::Event;
use crate::serial;

/// Longest wait for the MCU to reach a chunk's point in the conversation.
const GATE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest recorded gap kept between two module chunks.
const GAP_CAP: Duration = Duration::from_secs(2);
/// Quiet time after the last expected MCU line before the replay ends.
const END_IDLE: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// `>`: MCU to module.
    ToModule,
    /// `<`: module to MCU.
    ToMcu,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub t_ms: u64,
    pub dir: Dir,
    pub bytes: Vec<u8>,
}

/// How far the MCU got: CR-ended lines, then bytes after the last CR. Ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Progress {
    pub lines: u64,
    pub tail: u64,
}

impl Progress {
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            if *b == b'\r' {
                self.lines += 1;
                self.tail = 0;
            } else {
                self.tail += 1;
            }
        }
    }
}

/// One module chunk to play: `gap` after the MCU reached `gate` (when it has one), or `gap`
/// after the previous chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub bytes: Vec<u8>,
    pub gate: Option<Progress>,
    pub gap: Duration,
    /// Recorded time since the previous module chunk, uncapped: a gate is given up only when
    /// the MCU is GATE_TIMEOUT later than that (a hung module's silence can be long).
    pub since_prev: Duration,
}

/// Decodes the escaped bytes of one trace line: the same escapes as the control socket's
/// `inject` (`\r`, `\n`, `\\`, `\xNN`).
pub fn unescape(s: &str) -> Result<Vec<u8>, String> {
    crate::control::decode_inject(s)
}

/// Escapes bytes the way the trace does (for messages about mismatches).
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &c in bytes {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02X}")),
        }
    }
    s
}

/// Parses a `cellmqtt-trace v1` file.
pub fn parse(text: &str) -> Result<Vec<Chunk>, String> {
    let mut lines = text.split('\n').enumerate();
    match lines.next() {
        Some((_, first)) if first.starts_with("# cellmqtt-trace v1") => {}
        _ => return Err("not a cellmqtt-trace v1 file (first line)".into()),
    }
    let mut chunks = Vec::new();
    for (n, line) in lines {
        // CR is always escaped inside the bytes, so a raw one can only come from a CRLF file.
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |what: &str| format!("line {}: {what}", n + 1);
        let (t, rest) = line.split_once(' ').ok_or_else(|| bad("no direction"))?;
        let t_ms = t.parse().map_err(|_| bad("bad t_ms"))?;
        let (dir, bytes) = rest.split_once(' ').unwrap_or((rest, ""));
        let dir = match dir {
            ">" => Dir::ToModule,
            "<" => Dir::ToMcu,
            _ => return Err(bad("direction is not > or <")),
        };
        let bytes = unescape(bytes).map_err(|e| bad(&e))?;
        chunks.push(Chunk { t_ms, dir, bytes });
    }
    Ok(chunks)
}

/// The pin changes a trace recorded (`# gpio reset 1` comments), as `reset 1`. STATUS reads
/// (`# gpio status read 1`) are inputs, not changes: see [`status_reads`].
pub fn gpio(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# gpio "))
        .filter(|l| !l.starts_with("status read"))
        .map(|l| l.trim().to_string())
        .collect()
}

/// The STATUS levels the recorded MCU read (`# gpio status read N`), in order: the replay
/// answers `pin status` with them, so the MCU decides as it did.
pub fn status_reads(text: &str) -> Vec<i32> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# gpio status read "))
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// What to play and what to expect, from the chunks.
#[derive(Debug, Default)]
pub struct Script {
    pub steps: Vec<Step>,
    /// Everything the MCU sent, in order.
    pub expected: Vec<u8>,
}

impl Script {
    pub fn new(chunks: &[Chunk], speed: f64) -> Script {
        let mut script = Script::default();
        let mut progress = Progress::default();
        let mut prev: Option<&Chunk> = None;
        let mut last_module_t = 0u64;
        for c in chunks {
            match c.dir {
                Dir::ToModule => {
                    progress.add(&c.bytes);
                    script.expected.extend_from_slice(&c.bytes);
                }
                Dir::ToMcu => {
                    let after_mcu = prev.is_some_and(|p| p.dir == Dir::ToModule);
                    let gap_ms = c.t_ms.saturating_sub(prev.map_or(0, |p| p.t_ms));
                    let gap = Duration::from_secs_f64(gap_ms as f64 / 1000.0 / speed).min(GAP_CAP);
                    let since_ms = c.t_ms.saturating_sub(last_module_t);
                    last_module_t = c.t_ms;
                    script.steps.push(Step {
                        bytes: c.bytes.clone(),
                        gate: after_mcu.then_some(progress),
                        gap,
                        since_prev: Duration::from_secs_f64(since_ms as f64 / 1000.0 / speed),
                    });
                }
            }
            prev = Some(c);
        }
        script
    }
}

/// Splits a byte stream into CR-ended lines plus the unfinished rest (if any).
fn lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\r').collect();
    if out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// The comparison of what the MCU sent with what it should have sent.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    pub expected_lines: usize,
    pub mcu_lines: usize,
    pub mismatches: usize,
    /// (line number from 1, expected, got), the first few.
    pub first: Vec<(usize, String, String)>,
}

pub fn compare(expected: &[u8], got: &[u8]) -> Verdict {
    let (e, g) = (lines(expected), lines(got));
    let mut v = Verdict {
        expected_lines: e.len(),
        mcu_lines: g.len(),
        ..Verdict::default()
    };
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i).copied(), g.get(i).copied());
        if a != b {
            v.mismatches += 1;
            if v.first.len() < 5 {
                let show = |x: Option<&[u8]>| x.map_or("(nothing)".to_string(), escape);
                v.first.push((i + 1, show(a), show(b)));
            }
        }
    }
    v
}

/// Runs the replay (its own runtime, like `runtime::run`). Err = mismatches or a bad trace.
pub fn run(opts: Options) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    rt.block_on(play(opts))
}

async fn play(opts: Options) -> Result<(), String> {
    let path = opts.replay.clone().unwrap_or_default();
    let text = std::fs::read(&path).map_err(|e| format!("--replay {path}: {e}"))?;
    let chunks = parse(&String::from_utf8_lossy(&text)).map_err(|e| format!("{path}: {e}"))?;
    let script = Script::new(&chunks, opts.replay_speed);

    let (ev_tx, mut ev_rx) = mpsc::unbounded_channel::<Event>();
    let (out_tx, out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let info = serial::start(opts.endpoint.clone(), opts.baud, ev_tx.clone(), out_rx)
        .await
        .map_err(|e| format!("serial endpoint: {e}"))?;
    // Pin commands of a recorded run (`--emu-control`) are acknowledged and ignored: the
    // trace already holds what the module did about them.
    let control = match &opts.control {
        Some(addr) => {
            let l = TcpListener::bind(addr.as_str())
                .await
                .map_err(|e| format!("control socket {addr}: {e}"))?;
            let local = l.local_addr().map_err(|e| e.to_string())?.to_string();
            tokio::spawn(crate::runtime::control_server(l, ev_tx.clone()));
            Some(local)
        }
        None => None,
    };
    let js = |v: serde_json::Value| v.to_string();
    let serial_key = if info.mode == "pty" { "serial" } else { "tcp" };
    ready_line(&format!(
        r#"{{"event":"ready","{serial_key}":{},"control":{},"profile":"{}","mode":"{}","baud":{},"replay":{}}}"#,
        js(info.address.clone().into()),
        js(control.into()),
        opts.module.profile.name(),
        info.mode,
        js(opts.baud.into()),
        js(path.clone().into()),
    ))?;
    crate::elog!(
        "replay: {} module chunks, {} MCU bytes expected",
        script.steps.len(),
        script.expected.len()
    );

    let exit_at = opts.exit_after.map(|d| Instant::now() + d);
    let end_progress = {
        let mut p = Progress::default();
        p.add(&script.expected);
        p
    };
    let mut got: Vec<u8> = Vec::new();
    let mut progress = Progress::default();
    let mut next = 0usize;
    let mut last_send = Instant::now();
    let mut current_since = Instant::now(); // when step `next` became the one to send
    let mut last_rx = Instant::now();
    let mut gate_timeouts = 0u32;
    let mut met_at: Option<Instant> = None; // when the MCU reached step `next`'s gate
    let mut pins_seen: Vec<String> = Vec::new();
    let pins_expected = gpio(&String::from_utf8_lossy(&text));
    let mut status_levels = status_reads(&String::from_utf8_lossy(&text)).into_iter();
    loop {
        let now = Instant::now();
        let (due, done) = match script.steps.get(next) {
            Some(step) => match step.gate {
                Some(g) if progress >= g => (*met_at.get_or_insert(now) + step.gap, false),
                // The replay starts when the MCU does (a firmware under QEMU may take its
                // time): before its first byte a gate never gives up.
                Some(_) if got.is_empty() => (now + Duration::from_secs(86_400), false),
                Some(_) => (current_since + step.since_prev + GATE_TIMEOUT, false),
                None => (last_send + step.gap, false),
            },
            None if progress >= end_progress => (last_rx.max(last_send) + END_IDLE, true),
            None => (last_rx.max(last_send) + GATE_TIMEOUT, true),
        };
        let hard_stop = exit_at.unwrap_or(now + Duration::from_secs(86_400));
        tokio::select! {
            ev = ev_rx.recv() => match ev {
                Some(Event::Serial(bytes)) => {
                    progress.add(&bytes);
                    got.extend_from_slice(&bytes);
                    last_rx = Instant::now();
                }
                Some(Event::Control(cmd, reply)) => {
                    crate::elog!("replay: control {cmd:?} acknowledged, not acted on");
                    let mut answer = String::new();
                    match cmd {
                        ControlCmd::Pin(pin, on) => {
                            let name = format!("{pin:?}").to_lowercase();
                            pins_seen.push(format!("{name} {}", u8::from(on)));
                        }
                        // The level the recorded MCU read, in order (unknown past the end).
                        ControlCmd::PinStatus => match status_levels.next() {
                            Some(level @ 0..=1) => answer = format!(r#"{{"level":{level}}}"#),
                            _ => answer = r#"{"level":null}"#.to_string(),
                        },
                        _ => {}
                    }
                    let _ = reply.send(Ok(answer));
                }
                Some(Event::Net(..)) | None => {}
            },
            _ = tokio::time::sleep_until(due) => {
                if done {
                    break;
                }
                let step = &script.steps[next];
                if step.gate.is_some_and(|g| progress < g) {
                    gate_timeouts += 1;
                    crate::elog!(
                        "replay: chunk {} sent though the MCU is {GATE_TIMEOUT:?} behind the \
                         recording ({progress:?} < {:?})",
                        next + 1,
                        step.gate
                    );
                }
                let _ = out_tx.send(step.bytes.clone());
                next += 1;
                last_send = Instant::now();
                current_since = last_send;
                met_at = None;
            }
            _ = tokio::time::sleep_until(hard_stop) => {
                crate::elog!("replay: --exit-after-ms reached");
                break;
            }
        }
    }
    // Let the serial task hand over the last chunk before the summary (and the exit).
    tokio::time::sleep(Duration::from_millis(50)).await;

    let v = compare(&script.expected, &got);
    for (line, want, have) in &v.first {
        crate::elog!("replay: MCU line {line} differs: expected {want:?}, got {have:?}");
    }
    let first = v.first.first().map_or(
        serde_json::Value::Null,
        |(l, e, g)| serde_json::json!({"line": l, "expected": e, "got": g}),
    );
    let sent_all = next == script.steps.len();
    // Pins can only be checked when they come here, i.e. with --control.
    let pins_differ = opts.control.is_some() && pins_seen != pins_expected;
    if pins_differ {
        crate::elog!("replay: pin changes differ: expected {pins_expected:?}, got {pins_seen:?}");
    }
    ready_line(&format!(
        r#"{{"event":"replay_done","chunks":{},"chunks_total":{},"mismatches":{},"expected_lines":{},"mcu_lines":{},"gate_timeouts":{},"pins_expected":{},"pins_seen":{},"first_mismatch":{}}}"#,
        next,
        script.steps.len(),
        v.mismatches + usize::from(pins_differ),
        v.expected_lines,
        v.mcu_lines,
        gate_timeouts,
        js(pins_expected.into()),
        js(pins_seen.into()),
        first,
    ))?;
    if v.mismatches > 0 || pins_differ || !sent_all {
        return Err(format!(
            "replay: {} mismatching MCU lines{}, {} of {} chunks sent",
            v.mismatches,
            if pins_differ {
                ", pin changes differ"
            } else {
                ""
            },
            next,
            script.steps.len()
        ));
    }
    Ok(())
}

/// One JSON line on stdout, flushed (the ready line, the summary).
fn ready_line(line: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}").map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "# cellmqtt-trace v1 test\n\
        0 < \\r\\nRDY\\r\\n\n\
        5 > AT\\r\n\
        6 < AT\\r\\r\\nOK\\r\\n\n\
        # gpio reset 1\n\
        9 > AT+MPUBEX=\"t\",1,0,3\\r\n\
        10 < \\r\\n> \n\
        11 > a\\x00\\\\\n\
        12 < \\r\\nOK\\r\\n\n\
        2000 < \\r\\nPUBACK\\r\\n\n";

    #[test]
    fn parses_and_unescapes() {
        let c = parse(TRACE).unwrap();
        assert_eq!(c.len(), 8);
        assert_eq!(c[0].dir, Dir::ToMcu);
        assert_eq!(c[0].bytes, b"\r\nRDY\r\n");
        assert_eq!(c[4].bytes, b"\r\n> "); // the trailing space is data
        assert_eq!(c[5].bytes, b"a\x00\\");
        assert_eq!(escape(b"a\x00\\\r\n\xff"), "a\\x00\\\\\\r\\n\\xFF");
        assert!(parse("hello\n").is_err());
        assert!(parse("# cellmqtt-trace v1\n1 ? x\n").is_err());
        assert!(parse("# cellmqtt-trace v1\n1 < \\q\n").is_err());
    }

    #[test]
    fn gates_and_gaps() {
        let s = Script::new(&parse(TRACE).unwrap(), 1.0);
        assert_eq!(s.expected, b"AT\rAT+MPUBEX=\"t\",1,0,3\ra\x00\\");
        let gates: Vec<_> = s.steps.iter().map(|st| st.gate).collect();
        assert_eq!(
            gates,
            [
                None,
                Some(Progress { lines: 1, tail: 0 }),
                Some(Progress { lines: 2, tail: 0 }),
                Some(Progress { lines: 2, tail: 3 }),
                None
            ]
        );
        assert_eq!(s.steps[0].gap, Duration::ZERO);
        assert_eq!(s.steps[1].gap, Duration::from_millis(1)); // after the MCU's AT at 5 ms
        assert_eq!(s.steps[4].since_prev, Duration::from_millis(1988));
        assert_eq!(gpio(TRACE), ["reset 1"]);
        assert_eq!(s.steps[4].gap, Duration::from_millis(1988)); // under the 2 s cap: kept
        let fast = Script::new(&parse(TRACE).unwrap(), 4.0).steps[4].gap;
        assert!(fast.abs_diff(Duration::from_millis(497)) < Duration::from_millis(1));
        assert_eq!(
            Script::new(&parse(TRACE).unwrap(), 0.5).steps[4].gap,
            GAP_CAP
        );
    }

    #[test]
    fn compares_line_by_line() {
        assert_eq!(compare(b"AT\rATE0\r", b"AT\rATE0\r").mismatches, 0);
        let v = compare(b"AT\rATE0\rAT+X\r", b"AT\rATE1\r");
        assert_eq!((v.mismatches, v.expected_lines, v.mcu_lines), (2, 3, 2));
        assert_eq!(v.first[0], (2, "ATE0\\r".into(), "ATE1\\r".into()));
        assert_eq!(v.first[1].2, "(nothing)");
        assert_eq!(compare(b"AT\r", b"AT\rAT\r").mismatches, 1);
    }
}
