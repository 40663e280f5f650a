//! The whole engine on arbitrary RX streams, API calls, clock steps and UART behaviour, for
//! every dialect (the first byte picks the profile; the canned lines of all dialects are
//! offered to each, since a module of one family must not upset the engine with another's).
//! Invariants: no panic; `poll` always becomes idle (no stall); while a session is running a
//! deadline always exists; output per poll is bounded; the publish counters add up.
#![no_main]

use cellmqtt::{Buffers, Config, Engine, Event, Options, Pins, Profile, RxRing, State};
use libfuzzer_sys::fuzz_target;

/// Module lines the fuzzer can inject whole, so it reaches deep states quickly.
const CANNED: &[&[u8]] = &[
    b"\r\nOK\r\n",
    b"\r\nERROR\r\n",
    b"\r\n+CME ERROR: 767\r\n",
    b"\r\n+CME ERROR: 14\r\n",
    b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
    b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n",
    b"\r\n+CGATT: 1\r\n\r\nOK\r\n",
    b"\r\n+CGATT: 0\r\n\r\nOK\r\n",
    b"\r\nCONNECT OK\r\n",
    b"\r\nALREADY CONNECT\r\n",
    b"\r\nSTATE: IP GPRSACT\r\n\r\nCONNECT FAIL\r\n",
    b"\r\nCONNACK OK\r\n",
    b"\r\nSUBACK\r\n",
    b"\r\nUNSUBACK\r\n",
    b"\r\nPUBACK\r\n",
    b"\r\nPUBREC\r\n",
    b"\r\nPUBCOMP\r\n",
    b"\r\nCLOSED\r\n",
    b"\r\n+CGEV: NW PDN DEACT 1\r\n",
    b"\r\n+PDP DEACT\r\n",
    b"\r\nRDY\r\n",
    b"\r\n+MQTTSTATU :1\r\n\r\nOK\r\n",
    b"\r\n+MQTTSTATU :0\r\n\r\nOK\r\n",
    b"\r\n> ",
    b"\r\n+MSUB: \"a/b\",5 byte,he\r\nl\r\n",
    b"\r\n+MSUB: 2\r\n",
    b"\r\n+MSUB:a/b,3 byte,x,y\r\n",
    b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
    b"AT+MPUB=\"t\",0,0,\"x\"\r",
    b"AT+CSQ\r",
    b"\r\n866714043075174\r\n\r\nOK\r\n",
    b"\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n",
    b"\r\n+CMTI: \"SM\",3\r\n",
    b"\r\n+CCLK: \"24/08/22,07:27:15+32\"\r\n\r\nOK\r\n",
    b"\r\nSTATE: PDP DEACT\r\n\r\nCONNECT FAIL\r\n",
    b"\r\n+CME ERROR: 918\r\n",
    b"\r\n+MSUB: \"t\",90000 byte,x\r\n",
    b"\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n",
    // Quectel (docs/quectel-simcom-at.md §3); ids 1..=6 are those a short run allocates.
    b"\r\n+QMTOPEN: 0,0\r\n",
    b"\r\n+QMTOPEN: 0,-1\r\n\r\nERROR\r\n",
    b"\r\n+QMTOPEN: 0,4\r\n",
    b"\r\n+QMTCONN: 0,0,0\r\n",
    b"\r\n+QMTCONN: 0,0\r\n",
    b"\r\n+QMTCONN: 0,0,5\r\n\r\n+QMTSTAT: 0,4\r\n",
    b"\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n",
    b"\r\n+QMTSUB: 0,1,0,1\r\n",
    b"\r\n+QMTSUB: 0,2,0,128\r\n",
    b"\r\n+QMTUNS: 0,3,0\r\n",
    b"\r\n+QMTPUBEX: 0,4,0\r\n",
    b"\r\n+QMTPUBEX: 0,5,2\r\n",
    b"\r\n+QMTPUBEX: 0,0,0\r\n",
    b"\r\n+QMTSTAT: 0,1\r\n",
    b"\r\n+QMTSTAT: 0,2\r\n",
    b"\r\n+QIURC: \"pdpdeact\",1\r\n",
    b"\r\n+QIACT: 1,1,1,\"10.0.0.1\"\r\n\r\nOK\r\n",
    b"\r\n+QMTRECV: 0,0,\"a/b\",5,\"he\r\nl\"\r\n",
    b"\r\n+QMTRECV: 0,1,\"a/b\",3\r\nxyz\r\n",
    b"\r\n+QMTRECV: 0,0,\"a/b\",\"x\"\r\n",
    b"\r\nPOWERED DOWN\r\n",
    // SIMCom (docs/quectel-simcom-at.md §4): results without ids, messages in parts.
    b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n",
    b"\r\nOK\r\n\r\n+CMQTTSTART: 0\r\n",
    b"\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n",
    b"\r\n+CMQTTCONNECT: 0,0\r\n",
    b"\r\n+CMQTTCONNECT: 0,30\r\n\r\nERROR\r\n",
    b"\r\n+CMQTTCONNECT: 0,20\r\n",
    b"\r\n>",
    b"\r\n+CMQTTSUB: 0,0\r\n",
    b"\r\n+CMQTTSUB: 0,6\r\n\r\nOK\r\n",
    b"\r\n+CMQTTUNSUB: 0,0\r\n",
    b"\r\n+CMQTTPUB: 0,0\r\n",
    b"\r\n+CMQTTPUB: 0,6\r\n\r\nERROR\r\n\r\n+CMQTTCONNLOST: 0,1\r\n",
    b"\r\n+CMQTTCONNLOST: 0,3\r\n",
    b"\r\n+CMQTTNONET\r\n",
    b"\r\n+CMQTTPING: 0,17\r\n",
    b"\r\n+CMQTTDISC: 0,0\r\n\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n",
    b"\r\n*ATREADY: 1\r\n",
    b"\r\nSMS DONE\r\n",
    b"\r\n+CMQTTRXSTART: 0,3,4\r\n\r\n+CMQTTRXTOPIC: 0,3\r\na/b\r\n+CMQTTRXPAYLOAD: 0,4\r\n\n\"x\r\r\n+CMQTTRXEND: 0\r\n",
    b"\r\n+CMQTTRXSTART: 0,1,0\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXEND: 0\r\n",
    b"\r\n+CMQTTRXSTART: 0,1,300\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXPAYLOAD: 0,3\r\n",
];

struct Uart {
    accept: usize,
    stall: u8,
    written: usize,
}

impl embedded_io::ErrorType for Uart {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if self.stall > 0 {
            self.stall -= 1;
            return if self.stall == 7 {
                Err(embedded_io::ErrorKind::Other)
            } else {
                Ok(0)
            };
        }
        let n = buf.len().min(self.accept.max(1));
        self.written += n;
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = data.iter().copied();
    let mut next = || input.next();
    let Some(setup) = next() else { return };
    let mut cfg = Config::new(b"broker", 1883, b"fuzz");
    let profiles = [
        Profile::Air724ug,
        Profile::Air780e,
        Profile::Air780ep,
        Profile::Ec200u,
    ];
    cfg.profile = profiles[usize::from(setup % 4)];
    if cfg.profile == Profile::Ec200u && setup & 0x80 != 0 {
        // The SIMCom family shares the Quectel index, split by the top bit (the committed
        // seeds keep their profiles).
        cfg.profile = Profile::A7670;
    }
    if setup & 4 != 0 {
        cfg.options |= Options::CLIENT_ID_IMEI;
        // The message cache is Luat's only (the configuration refuses it elsewhere); Quectel
        // and SIMCom take the APN instead.
        if matches!(cfg.profile, Profile::Ec200u | Profile::A7670) {
            cfg.apn = b"cmnet";
        } else {
            cfg.options |= Options::CACHE_MODE;
        }
    }
    if setup & 8 != 0 {
        cfg.options |= Options::TLS | Options::REPORT_SIGNAL;
        cfg.tls.ca_file = b"ca.crt";
        cfg.tls.seclevel = Some(1);
    }
    cfg.pins = Pins::from_bits_truncate(u32::from(setup >> 4));
    cfg.ladder.power_cycle_limit = u16::from(setup >> 7);
    cfg.will = Some(cellmqtt::config::WillConfig {
        topic: b"w",
        payload: b"off",
        qos: 1,
        retain: true,
    });
    cfg.online_payload = Some(b"on");
    let mut line = vec![0u8; 256];
    let mut queue = vec![0u8; 512];
    let mut subs = vec![0u8; 64];
    let mut ring_mem = vec![0u8; 256];
    let mut ring = RxRing::new(&mut ring_mem);
    let (ring, mut reader) = ring.split();
    let mut engine = Engine::new(
        cfg,
        Buffers {
            line: &mut line,
            queue: &mut queue,
            subs: &mut subs,
        },
    )
    .unwrap();
    let mut uart = Uart {
        accept: 64,
        stall: 0,
        written: 0,
    };
    let mut now: u32 = 0xffff_0000; // crosses the tick wrap early
    let mut rejected = 0u32;

    while let Some(op) = next() {
        match op % 10 {
            0 | 1 => {
                let n = usize::from(next().unwrap_or(0) % 64);
                let bytes: Vec<u8> = (0..n).map_while(|_| next()).collect();
                ring.push(&bytes);
            }
            2 | 3 => {
                let c = CANNED[usize::from(next().unwrap_or(0)) % CANNED.len()];
                ring.push(c);
            }
            4 => {
                let step = u32::from(next().unwrap_or(0)) * u32::from(next().unwrap_or(1)) * 10;
                now = now.wrapping_add(step);
            }
            5 => {
                let b = next().unwrap_or(0);
                let topic: &[u8] = [&b"t/1"[..], b"t/#", b"", b"a\"b"][usize::from(b & 3)];
                let len = usize::from(next().unwrap_or(0)) * (usize::from(b >> 6) * 8 + 1);
                let payload: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(b)).collect();
                if engine
                    .publish(topic, &payload, (b >> 2) & 3, b & 16 != 0)
                    .is_err()
                {
                    rejected += 1;
                }
            }
            6 => {
                let b = next().unwrap_or(0);
                let filter: &[u8] = [&b"s/+"[..], b"s/#", b"s/x/y", b"bad/#/x"][usize::from(b & 3)];
                let _ = if b & 4 == 0 {
                    engine.subscribe(filter, (b >> 3) & 3)
                } else {
                    engine.unsubscribe(filter)
                };
            }
            7 => {
                if next().unwrap_or(0) & 1 == 0 {
                    let _ = engine.start(now);
                } else {
                    engine.stop(now);
                }
            }
            8 => {
                let b = next().unwrap_or(0);
                uart.accept = usize::from(b & 0x3f);
                uart.stall = b >> 5;
            }
            _ => match next().unwrap_or(0) % 6 {
                0 => now = now.wrapping_add(1),
                1 => {
                    let b = usize::from(next().unwrap_or(0));
                    let cmd: &[u8] = [&b"AT+CSQ"[..], b"ATI", b"AT+CMGR=1", b"ATE1", b"AT+RESET"]
                        [b % 5];
                    let _ = engine.at_command(cmd, 1 + (b as u32) * 100);
                }
                2 => {
                    let _ = engine.request_signal();
                }
                3 => {
                    let _ = engine.request_time();
                }
                4 => engine.set_module_status(Some(next().unwrap_or(0) & 1 == 1)),
                _ => engine.set_module_status(None),
            },
        }
        // poll must become idle within a bounded number of steps.
        let before = uart.written;
        let mut steps = 0;
        loop {
            match engine.poll(now, &mut reader, &mut uart) {
                None => break,
                Some(Event::Message { topic, payload }) => {
                    assert!(topic.len() + payload.len() <= 256)
                }
                Some(Event::AtLine { line, .. } | Event::Urc { line }) => {
                    assert!(line.len() <= 256)
                }
                Some(Event::Notice(_)) => {}
            }
            steps += 1;
            assert!(steps < 10_000, "poll did not become idle");
        }
        // Bounded output: one poll writes at most one command plus one MPUBEX payload.
        assert!(
            uart.written - before <= 2 * 4100 * 3 + 1024,
            "unbounded output"
        );
        // No spinning: a delay of 0 promises work to the next poll at the same time.
        if engine.poll_delay_ms(now, ring) == 0 {
            let written = uart.written;
            let did = engine.poll(now, &mut reader, &mut uart).is_some() || uart.written != written;
            assert!(did || uart.stall > 0 || uart.accept == 0, "poll_delay_ms 0 but nothing to do");
            while engine.poll(now, &mut reader, &mut uart).is_some() {}
        }
        let running = !matches!(engine.state(), State::Stopped | State::Failed);
        if running {
            assert_ne!(
                engine.poll_delay_ms(now, &ring),
                u32::MAX,
                "running with no deadline"
            );
        }
        let s = engine.stats();
        assert_eq!(s.publishes_rejected, rejected);
        assert_eq!(
            s.publishes_queued,
            s.publishes_done + s.publishes_failed + engine.queued() as u32,
            "publish counters do not add up"
        );
        assert_eq!(s.events_dropped, 0, "a notice was lost");
    }
});
