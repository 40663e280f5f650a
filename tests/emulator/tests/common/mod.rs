//! Test harness: a real mosquitto per test, the emulator binary, a serial client that waits
//! for exact bytes with deadlines (never fixed sleeps), and mosquitto_sub/pub as the other
//! MQTT client.
#![allow(dead_code)] // each test binary uses a different subset

pub mod certs;
pub mod device;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const T: Duration = Duration::from_secs(5);

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A private temp directory, removed on drop. World-readable: mosquitto started as root drops
/// to the `mosquitto` user and must still read its certificates.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("cellmqtt-emu-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        set_mode(&p, 0o755);
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn set_mode(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_port(port: u16, up: bool) {
    let deadline = Instant::now() + T;
    while Instant::now() < deadline {
        let ok = TcpStream::connect(("127.0.0.1", port)).is_ok();
        if ok == up {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("port {port} did not go {}", if up { "up" } else { "down" });
}

/// TLS listener files for mosquitto.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A mosquitto on a free loopback port, killed (by PID) on drop.
pub struct Mosquitto {
    pub port: u16,
    pub tls_port: Option<u16>,
    child: Option<Child>,
    conf: PathBuf,
    pub dir: TempDir,
}

impl Mosquitto {
    pub fn start() -> Mosquitto {
        Self::start_with(None)
    }

    /// `tls`: TLS listener files; its port is picked here. A free port can be taken by
    /// someone else before mosquitto binds it, so a broker that exits at once is retried on
    /// new ports.
    pub fn start_with(tls: Option<&TlsFiles>) -> Mosquitto {
        Self::start_full(tls, &[])
    }

    /// A broker that accepts only these users (user, password): `allow_anonymous false` and a
    /// `password_file` made by `mosquitto_passwd -b -c`.
    pub fn start_with_users(users: &[(&str, &str)]) -> Mosquitto {
        Self::start_full(None, users)
    }

    fn start_full(tls: Option<&TlsFiles>, users: &[(&str, &str)]) -> Mosquitto {
        for _attempt in 0..5 {
            let dir = TempDir::new("mosq");
            let port = free_port();
            let tls_port = tls.map(|_| free_port());
            let auth = if users.is_empty() {
                "allow_anonymous true\n".to_string()
            } else {
                let file = dir.path("passwd");
                for (i, (user, pass)) in users.iter().enumerate() {
                    // -c (create) only for the first user; later ones are added.
                    let mut cmd = Command::new("mosquitto_passwd");
                    cmd.arg("-b");
                    if i == 0 {
                        cmd.arg("-c");
                    }
                    let st = cmd
                        .arg(&file)
                        .args([user, pass])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .expect("mosquitto_passwd must be installed");
                    assert!(st.success(), "mosquitto_passwd failed");
                }
                // mosquitto drops root before reading it.
                set_mode(&file, 0o644);
                format!("allow_anonymous false\npassword_file {}\n", file.display())
            };
            let mut conf = format!(
                "per_listener_settings false\n{auth}persistence false\nlistener {port} 127.0.0.1\n"
            );
            if let (Some(files), Some(tp)) = (tls, tls_port) {
                conf.push_str(&format!(
                    "listener {tp} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\n",
                    files.ca.display(),
                    files.cert.display(),
                    files.key.display()
                ));
            }
            let path = dir.path("mosquitto.conf");
            std::fs::write(&path, conf).expect("write mosquitto.conf");
            set_mode(&path, 0o644);
            let mut m = Mosquitto {
                port,
                tls_port,
                child: None,
                conf: path,
                dir,
            };
            if m.spawn() {
                return m;
            }
        }
        panic!("mosquitto did not start after 5 tries");
    }

    /// Starts the process and waits for its ports; false if it exited (port taken).
    fn spawn(&mut self) -> bool {
        // Its log (who connected, as which client id) goes to a file the test can read; the
        // file is opened here, so mosquitto dropping root does not matter.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path("mosquitto.log"))
            .expect("mosquitto log file");
        let mut child = Command::new("mosquitto")
            .arg("-c")
            .arg(&self.conf)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("mosquitto must be installed (scripts/deps.sh)");
        let deadline = Instant::now() + T;
        let ports: Vec<u16> = std::iter::once(self.port).chain(self.tls_port).collect();
        while !ports
            .iter()
            .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_ok())
        {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return false;
            }
            assert!(
                Instant::now() < deadline,
                "mosquitto did not open {ports:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child = Some(child);
        true
    }

    /// What mosquitto logged so far (connections with their client ids, ...).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(self.dir.path("mosquitto.log")).unwrap_or_default()
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        wait_port(self.port, false);
    }

    /// Stop and start again on the same port (a broker restart).
    pub fn restart(&mut self) {
        self.stop();
        assert!(
            self.spawn(),
            "mosquitto did not restart on port {}",
            self.port
        );
    }

    /// Freezes (SIGSTOP) or resumes (SIGCONT) the broker process: acks stop coming.
    pub fn freeze(&self, frozen: bool) {
        if let Some(c) = &self.child {
            let sig = if frozen { "-STOP" } else { "-CONT" };
            let st = Command::new("kill")
                .args([sig, &c.id().to_string()])
                .status()
                .expect("kill");
            assert!(st.success());
        }
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The emulator binary with `--listen 127.0.0.1:0 --control 127.0.0.1:0`.
pub struct Emu {
    child: Child,
    pub serial: Serial,
    control: BufReader<TcpStream>,
    pub ready: serde_json::Value,
    pub log: PathBuf,
    _dir: TempDir,
}

pub fn read_ready_line(stdout: ChildStdout) -> serde_json::Value {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("emulator ready line");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("bad ready line {line:?}: {e}"))
}

impl Emu {
    /// Fast boot for tests; `extra` can override (later flags win).
    pub fn start(extra: &[&str]) -> Emu {
        let dir = TempDir::new("emu");
        let log = dir.path("emu.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellmqtt-emu"))
            .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .args([
                "--boot-ms",
                "50",
                "--sim-ms",
                "20",
                "--attach-ms",
                "40",
                "--pdn-back-ms",
                "300",
            ])
            .args(extra)
            .arg("--log")
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn emulator");
        let ready = read_ready_line(child.stdout.take().expect("stdout"));
        assert_eq!(ready["event"], "ready");
        let tcp = ready["tcp"].as_str().expect("tcp address").to_string();
        let ctl = ready["control"]
            .as_str()
            .expect("control address")
            .to_string();
        let serial = Serial::connect(&tcp);
        let control = TcpStream::connect(&ctl).expect("control connect");
        control.set_read_timeout(Some(T)).ok();
        Emu {
            child,
            serial,
            control: BufReader::new(control),
            ready,
            log,
            _dir: dir,
        }
    }

    /// Sends a control line and returns the reply line (without newline).
    pub fn control(&mut self, line: &str) -> String {
        let s = self.control.get_mut();
        s.write_all(format!("{line}\n").as_bytes())
            .expect("control write");
        let mut reply = String::new();
        self.control.read_line(&mut reply).expect("control reply");
        reply.trim_end().to_string()
    }

    pub fn control_ok(&mut self, line: &str) -> String {
        let r = self.control(line);
        assert!(r.starts_with("ok"), "control {line:?} -> {r:?}");
        r
    }

    pub fn stats(&mut self) -> serde_json::Value {
        let r = self.control_ok("stats");
        serde_json::from_str(r.trim_start_matches("ok ")).expect("stats json")
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the boot to finish (RDY and, on the 724 profile, SMS READY) and turns echo
    /// off so later exchanges are exact.
    pub fn boot_quiet(&mut self) {
        self.serial.wait_for(b"RDY\r\n", T);
        self.wait_attached();
        self.serial.cmd("ATE0", b"ATE0\r\r\nOK\r\n");
    }

    pub fn wait_attached(&mut self) {
        let deadline = Instant::now() + T;
        loop {
            self.serial.drain();
            self.serial.send(b"AT+CGATT?\r");
            let got = self.serial.wait_for(b"OK\r\n", T);
            if contains(&got, b"+CGATT: 1") {
                return;
            }
            assert!(Instant::now() < deadline, "never attached");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// MCONFIG + MIPSTART + MCONNECT, checking each answer.
    pub fn mqtt_connect(&mut self, broker_port: u16, client_id: &str) {
        self.serial.cmd(
            &format!("AT+MCONFIG=\"{client_id}\",\"\",\"\""),
            b"\r\nOK\r\n",
        );
        self.serial.cmd(
            &format!("AT+MIPSTART=\"127.0.0.1\",{broker_port}"),
            b"\r\nOK\r\n",
        );
        self.serial.expect(b"\r\nCONNECT OK\r\n");
        self.serial.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
        self.serial.expect(b"\r\nCONNACK OK\r\n");
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("---- emulator log ----\n{}", self.log_text());
        }
    }
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn show(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
}

/// The MCU side of the UART.
pub struct Serial {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Serial {
    pub fn connect(addr: &str) -> Serial {
        Serial::from_stream(TcpStream::connect(addr).expect("serial connect"))
    }

    pub fn from_stream(s: TcpStream) -> Serial {
        s.set_nodelay(true).ok();
        s.set_read_timeout(Some(Duration::from_millis(20))).ok();
        Serial { s, buf: Vec::new() }
    }

    pub fn send(&mut self, b: &[u8]) {
        self.s.write_all(b).expect("serial write");
    }

    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 8192];
        match self.s.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => false,
        }
    }

    /// Reads until `pattern` has arrived; returns everything up to and including it (the rest
    /// stays buffered). Panics with what did arrive after `timeout`.
    pub fn wait_for(&mut self, pattern: &[u8], timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(p) = find(&self.buf, pattern) {
                return self.buf.drain(..p + pattern.len()).collect();
            }
            if Instant::now() >= deadline {
                panic!(
                    "timeout waiting for {} ; got {}",
                    show(pattern),
                    show(&self.buf)
                );
            }
            self.fill();
        }
    }

    /// Like `wait_for` but for any of `patterns`, and `None` on timeout instead of a panic.
    pub fn wait_any(&mut self, patterns: &[&[u8]], timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let hit = patterns
                .iter()
                .filter_map(|p| find(&self.buf, p).map(|i| i + p.len()))
                .min();
            if let Some(end) = hit {
                return Some(self.buf.drain(..end).collect());
            }
            if Instant::now() >= deadline {
                return None;
            }
            self.fill();
        }
    }

    /// The next bytes must be exactly `exact`.
    pub fn expect(&mut self, exact: &[u8]) {
        let deadline = Instant::now() + T;
        while self.buf.len() < exact.len() && Instant::now() < deadline {
            self.fill();
        }
        let n = exact.len().min(self.buf.len());
        let got: Vec<u8> = self.buf.drain(..n).collect();
        assert_eq!(show(&got), show(exact));
    }

    /// Sends `line` + CR and expects exactly `answer` (echo off unless the answer has it).
    pub fn cmd(&mut self, line: &str, answer: &[u8]) {
        self.send(format!("{line}\r").as_bytes());
        self.expect(answer);
    }

    /// Sends a command and returns everything up to its final `OK`/`ERROR`.
    pub fn query(&mut self, line: &str) -> Vec<u8> {
        self.send(format!("{line}\r").as_bytes());
        let deadline = Instant::now() + T;
        loop {
            for end in [&b"\r\nOK\r\n"[..], b"ERROR\r\n"] {
                if let Some(p) = find(&self.buf, end) {
                    return self.buf.drain(..p + end.len()).collect();
                }
            }
            assert!(
                Instant::now() < deadline,
                "no final result for {line}; got {}",
                show(&self.buf)
            );
            self.fill();
        }
    }

    /// Asserts that nothing arrives for `d` (a bounded wait for the absence of output).
    pub fn expect_silence(&mut self, d: Duration) {
        let deadline = Instant::now() + d;
        while Instant::now() < deadline {
            self.fill();
        }
        assert!(
            self.buf.is_empty(),
            "expected silence, got {}",
            show(&self.buf)
        );
    }

    /// Discards whatever has arrived.
    pub fn drain(&mut self) -> Vec<u8> {
        while self.fill() {}
        std::mem::take(&mut self.buf)
    }

    /// Reads exactly n bytes.
    pub fn read_n(&mut self, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + T;
        while self.buf.len() < n {
            assert!(
                Instant::now() < deadline,
                "wanted {n} bytes, got {}",
                show(&self.buf)
            );
            self.fill();
        }
        self.buf.drain(..n).collect()
    }
}

/// A message seen by `mosquitto_sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub topic: String,
    pub qos: u8,
    pub retain: bool,
    pub payload: Vec<u8>,
}

/// `mosquitto_sub` as an independent MQTT client. Ready once its SUBACK has arrived.
pub struct Sub {
    child: Child,
    rx: mpsc::Receiver<String>,
}

impl Sub {
    pub fn start(port: u16, topic: &str, qos: u8) -> Sub {
        // stdbuf: mosquitto_sub's debug lines (SUBACK) are block-buffered on a pipe.
        let mut child = Command::new("stdbuf")
            .args([
                "-oL",
                "mosquitto_sub",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-t",
                topic,
                "-q",
                &qos.to_string(),
            ])
            .args(["-d", "-F", "MSG %t %q %r %x"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto_sub");
        let out = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let sub = Sub { child, rx };
        let deadline = Instant::now() + T;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = sub.rx.recv_timeout(left).expect("mosquitto_sub SUBACK");
            if line.contains("received SUBACK") {
                return sub;
            }
        }
    }

    pub fn next(&self, timeout: Duration) -> Option<Msg> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.rx.recv_timeout(left).ok()?;
            let Some(rest) = line.strip_prefix("MSG ") else {
                continue;
            };
            let mut parts = rest.splitn(4, ' ');
            let topic = parts.next()?.to_string();
            let qos = parts.next()?.parse().ok()?;
            let retain = parts.next()? == "1";
            let hex = parts.next().unwrap_or("");
            let payload = (0..hex.len() / 2)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex"))
                .collect();
            return Some(Msg {
                topic,
                qos,
                retain,
                payload,
            });
        }
    }

    pub fn expect_msg(&self) -> Msg {
        self.next(T).expect("message at mosquitto_sub")
    }
}

impl Drop for Sub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes with mosquitto_pub (waits for it to finish).
pub fn publish(port: u16, topic: &str, payload: &[u8], qos: u8) {
    let dir = TempDir::new("pub");
    let f = dir.path("payload");
    std::fs::write(&f, payload).expect("payload file");
    let st = Command::new("mosquitto_pub")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-t",
            topic,
            "-q",
            &qos.to_string(),
            "-f",
        ])
        .arg(&f)
        .status()
        .expect("mosquitto_pub");
    assert!(st.success(), "mosquitto_pub failed");
}
