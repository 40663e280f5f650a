//! Diagnostics to stderr or `--log FILE`. stdout carries only the JSON ready line, so anything a
//! human (or a failing test) wants to read goes here, with a timestamp since start.

use std::io::Write;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

struct Sink {
    start: Instant,
    out: Mutex<Box<dyn Write + Send>>,
    quiet: bool,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs the log destination. Later calls are ignored (first one wins), and logging before
/// `init` goes to stderr.
pub fn init(out: Box<dyn Write + Send>, quiet: bool) {
    let _ = SINK.set(Sink {
        start: Instant::now(),
        out: Mutex::new(out),
        quiet,
    });
}

pub fn log(msg: std::fmt::Arguments<'_>) {
    let sink = SINK.get_or_init(|| Sink {
        start: Instant::now(),
        out: Mutex::new(Box::new(std::io::stderr())),
        quiet: false,
    });
    if sink.quiet {
        return;
    }
    let t = sink.start.elapsed().as_secs_f64();
    if let Ok(mut out) = sink.out.lock() {
        // A failing log write must never take the emulator down.
        let _ = writeln!(out, "[emu {t:9.3}] {msg}");
        let _ = out.flush();
    }
}

#[macro_export]
macro_rules! elog {
    ($($arg:tt)*) => { $crate::log::log(format_args!($($arg)*)) };
}

/// Printable form of bytes for logs: ASCII as is, the rest as \xNN, cut at `max`.
pub fn printable(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            0x20..=0x7E => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        s.push_str(&format!("...(+{})", bytes.len() - max));
    }
    s
}
