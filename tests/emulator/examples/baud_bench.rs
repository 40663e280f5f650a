//! Measures `--baud` pacing: how many bytes per second the emulator really sends (and takes)
//! at 115200 baud 8N1, against the expected 11520 B/s.
//!
//! Usage: `baud_bench [PATH_TO_cellmqtt-emu] [BAUD]` (default: build/cellmqtt-emu, 115200).
//! Output direction: `garbage N` on the control socket makes the module emit N bytes at once;
//! we time first byte to last byte. Input direction: a long line with echo on; the echo can
//! only come back as fast as the paced input lets bytes in.
//! Exits non-zero if either figure is off by more than 5 %.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bin = args
        .first()
        .cloned()
        .unwrap_or_else(|| "build/cellmqtt-emu".into());
    let baud: u32 = args.get(1).and_then(|b| b.parse().ok()).unwrap_or(115_200);
    let expected = f64::from(baud) / 10.0;
    match run(&bin, baud, expected) {
        Ok(worst) if worst <= 5.0 => println!("baud pacing: OK (worst error {worst:.2} % <= 5 %)"),
        Ok(worst) => {
            println!("baud pacing: FAIL (worst error {worst:.2} % > 5 %)");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("baud_bench: {e}");
            std::process::exit(2);
        }
    }
}

fn run(bin: &str, baud: u32, expected: f64) -> Result<f64, String> {
    let mut child = Command::new(bin)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
            "--boot-ms",
            "10",
            "--quiet",
        ])
        .args(["--baud", &baud.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn {bin}: {e}"))?;
    let result = measure(&mut child, expected);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn measure(child: &mut std::process::Child, expected: f64) -> Result<f64, String> {
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let ready: serde_json::Value =
        serde_json::from_str(&line).map_err(|e| format!("ready line {line:?}: {e}"))?;
    let tcp = ready["tcp"].as_str().ok_or("no tcp")?;
    let ctl = ready["control"].as_str().ok_or("no control")?;
    let mut serial = TcpStream::connect(tcp).map_err(|e| e.to_string())?;
    serial.set_nodelay(true).ok();
    serial.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let mut control = BufReader::new(TcpStream::connect(ctl).map_err(|e| e.to_string())?);

    read_until(&mut serial, b"RDY\r\n")?;
    // Let the boot URCs pass, then silence.
    serial.write_all(b"AT\r").map_err(|e| e.to_string())?;
    read_until(&mut serial, b"OK\r\n")?;

    println!(
        "{:<28} {:>10} {:>10} {:>8}",
        "direction", "measured", "expected", "error"
    );
    // Output: N bytes emitted at once toward the MCU.
    let n = (expected * 4.0) as usize;
    control
        .get_mut()
        .write_all(format!("garbage {n}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut reply = String::new();
    control.read_line(&mut reply).map_err(|e| e.to_string())?;
    let out_rate = rate_of(&mut serial, n)?;
    let out_err = report("module -> MCU (garbage)", out_rate, expected);

    // Input: a long line (no CR) with echo on; echo follows the paced input.
    let m = (expected * 2.0) as usize;
    let data = vec![b'x'; m];
    let writer = {
        let mut s = serial.try_clone().map_err(|e| e.to_string())?;
        std::thread::spawn(move || s.write_all(&data))
    };
    let in_rate = rate_of(&mut serial, m)?;
    let _ = writer.join();
    let in_err = report("MCU -> module (echoed)", in_rate, expected);
    Ok(out_err.max(in_err))
}

fn report(what: &str, measured: f64, expected: f64) -> f64 {
    let err = (measured - expected).abs() / expected * 100.0;
    println!("{what:<28} {measured:>8.0} B/s {expected:>6.0} B/s {err:>6.2} %");
    err
}

/// Reads exactly n bytes; rate over first-byte..last-byte (the first read's bytes are excluded
/// because their transfer time is not observed).
fn rate_of(s: &mut TcpStream, n: usize) -> Result<f64, String> {
    let mut buf = vec![0u8; 65536];
    let mut got = 0usize;
    let mut first: Option<(Instant, usize)> = None;
    let mut last = Instant::now();
    while got < n {
        let k = s
            .read(&mut buf)
            .map_err(|e| format!("read after {got}/{n} bytes: {e}"))?;
        if k == 0 {
            return Err("serial closed".into());
        }
        got += k;
        last = Instant::now();
        if first.is_none() {
            first = Some((last, k));
        }
    }
    let (t0, k0) = first.ok_or("no data")?;
    let secs = last.duration_since(t0).as_secs_f64();
    if secs <= 0.0 {
        return Err("all bytes arrived at once: not paced".into());
    }
    Ok((got - k0) as f64 / secs)
}

fn read_until(s: &mut TcpStream, pat: &[u8]) -> Result<(), String> {
    let mut acc = Vec::new();
    let mut b = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !acc.windows(pat.len()).any(|w| w == pat) {
        if Instant::now() > deadline {
            return Err(format!(
                "timeout waiting for {:?}",
                String::from_utf8_lossy(pat)
            ));
        }
        let k = s.read(&mut b).map_err(|e| e.to_string())?;
        acc.extend_from_slice(&b[..k]);
    }
    Ok(())
}
