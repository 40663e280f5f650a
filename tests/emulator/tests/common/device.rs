//! The real engine (Rust API) as a device on the emulator's serial port: it polls with a real
//! clock, waits on the socket (never fixed sleeps) and routes RESET to the control socket.
//! Shared by the engine end-to-end test and the link benchmark.

use super::{read_ready_line, TempDir, T};
use cellmqtt::{Buffers, Config, Engine, Event, Notice, Pin, Pins, RxRing, State};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Uart(pub TcpStream);

impl embedded_io::ErrorType for Uart {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf).map_err(|_| embedded_io::ErrorKind::Other)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[derive(Debug)]
pub enum Seen {
    N(Notice),
    Msg(String, Vec<u8>),
    AtLine(u16, Vec<u8>),
    Urc(Vec<u8>),
}

pub struct Device {
    pub engine: Engine<'static>,
    pub ring: RxRing<'static>,
    pub uart: Uart,
    control: BufReader<TcpStream>,
    t0: Instant,
    pub seen: Vec<Seen>,
    child: Child,
    _dir: TempDir,
}

fn leak(n: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; n].into_boxed_slice())
}

impl Device {
    /// Starts an emulator (extra flags in `emu_args`) and an engine configured by `tune`.
    pub fn start(
        broker_port: u16,
        emu_args: &[&str],
        tune: impl FnOnce(&mut Config<'static>),
    ) -> Device {
        let dir = TempDir::new("e2e");
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellmqtt-emu"))
            .args(["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"])
            .args(["--boot-ms", "100", "--sim-ms", "50", "--attach-ms", "100"])
            .args(emu_args)
            .arg("--log")
            .arg(dir.path("emu.log"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn emulator");
        let ready = read_ready_line(child.stdout.take().expect("stdout"));
        let serial = TcpStream::connect(ready["tcp"].as_str().unwrap()).unwrap();
        serial.set_nodelay(true).unwrap();
        let control = TcpStream::connect(ready["control"].as_str().unwrap()).unwrap();
        control.set_read_timeout(Some(T)).unwrap();

        let host: &'static [u8] = b"127.0.0.1";
        let mut cfg = Config::new(host, broker_port, b"e2e-dev");
        cfg.pins = Pins::RESET;
        let t = &mut cfg.timeouts;
        t.command_ms = 2_000;
        t.silence_ms = 2_000;
        t.boot_ms = 10_000;
        t.backoff_min_ms = 100;
        t.backoff_max_ms = 400;
        t.reset_pulse_ms = 200;
        t.health_ms = 0;
        tune(&mut cfg);
        let rx = leak(2048);
        let engine = Engine::new(
            cfg,
            Buffers {
                line: leak(1664),
                queue: leak(8192),
                subs: leak(512),
            },
        )
        .unwrap();
        Device {
            engine,
            ring: RxRing::new(rx),
            uart: Uart(serial),
            control: BufReader::new(control),
            t0: Instant::now(),
            seen: vec![],
            child,
            _dir: dir,
        }
    }

    pub fn now(&self) -> u32 {
        self.t0.elapsed().as_millis() as u32
    }

    pub fn control(&mut self, line: &str) {
        let reply = self.control_reply(line);
        assert!(reply.starts_with("ok"), "{line} -> {reply}");
    }

    /// A control command's whole reply line (`ok {json}` for `stats`, `state`).
    pub fn control_reply(&mut self, line: &str) -> String {
        self.control
            .get_mut()
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
        let mut reply = String::new();
        self.control.read_line(&mut reply).unwrap();
        reply
    }

    /// The emulator's `stats` as JSON.
    pub fn emu_stats(&mut self) -> serde_json::Value {
        let reply = self.control_reply("stats");
        let json = reply.strip_prefix("ok ").expect("stats reply");
        serde_json::from_str(json).expect("stats JSON")
    }

    /// Runs the engine for `d` of real time, whatever it reports (a soak of a fault that
    /// must not make the engine do something, e.g. reset a module for a broker's refusal).
    pub fn run_for(&mut self, d: Duration) {
        let end = Instant::now() + d;
        while Instant::now() < end {
            let from = self.seen.len();
            self.poll_once(from);
            self.wait_input();
        }
    }

    /// Runs the engine until `pred` holds for something it reported, or `limit` passes.
    pub fn run_until(&mut self, limit: Duration, mut pred: impl FnMut(&Seen) -> bool) {
        let deadline = Instant::now() + limit;
        loop {
            let from = self.seen.len();
            if self.poll_once(from).iter().any(&mut pred) {
                return;
            }
            self.wait_input();
            assert!(
                Instant::now() < deadline,
                "not reached; seen: {:?}",
                self.seen
            );
        }
    }

    /// Polls until idle and routes the pins. Returns what was reported since `from`.
    fn poll_once(&mut self, from: usize) -> &[Seen] {
        let now = self.now();
        let (_, mut reader) = self.ring.split();
        while let Some(ev) = self.engine.poll(now, &mut reader, &mut self.uart) {
            let seen = match ev {
                Event::Notice(n) => Seen::N(n),
                Event::Message { topic, payload } => {
                    Seen::Msg(String::from_utf8_lossy(topic).into(), payload.to_vec())
                }
                Event::AtLine { id, line } => Seen::AtLine(id, line.to_vec()),
                Event::Urc { line } => Seen::Urc(line.to_vec()),
            };
            self.seen.push(seen);
        }
        // Pins go to the emulator's control socket, as a board would wire them.
        let pins: Vec<_> = self.seen[from..]
            .iter()
            .filter_map(|s| match s {
                Seen::N(Notice::Pin {
                    pin: Pin::Reset,
                    active,
                }) => Some(*active),
                _ => None,
            })
            .collect();
        for active in pins {
            self.control(&format!("pin reset {}", u8::from(active)));
        }
        &self.seen[from..]
    }

    /// Waits on the socket until input or the engine's next deadline (at most 50 ms).
    fn wait_input(&mut self) {
        let wait = self
            .engine
            .poll_delay_ms(self.now(), &self.ring)
            .clamp(1, 50);
        self.uart
            .0
            .set_read_timeout(Some(Duration::from_millis(wait.into())))
            .unwrap();
        let mut buf = [0u8; 512];
        match self.uart.0.read(&mut buf) {
            Ok(0) => panic!("emulator closed the serial link"),
            Ok(n) => assert_eq!(self.ring.push(&buf[..n]), n),
            Err(_) => {} // timeout: time to poll again
        }
    }

    pub fn online(&mut self) {
        if self.engine.state() == State::Online {
            return;
        }
        self.run_until(Duration::from_secs(20), |s| {
            matches!(s, Seen::N(Notice::State(State::Online)))
        });
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A failed test shows what the module saw and said (the log goes with the temp dir).
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self._dir.path("emu.log")).unwrap_or_default();
            eprintln!("---- emulator log ----\n{log}");
        }
    }
}
