//! SIMCom `AT+CMQTT*` transcript helpers (docs/quectel-simcom-at.md §2.2, §4).

use super::Harness;
use cellmqtt::Config;

/// The standard configuration of the SIMCom transcript tests: an A7670 on a local broker.
pub fn config() -> Config<'static> {
    let mut c = Config::new(b"127.0.0.1", 18830, b"s1");
    c.profile = cellmqtt::Profile::A7670;
    c.keepalive_s = 120;
    c
}

/// The identity queries of a SIMCom module (once per boot), with the answers it prints
/// (docs/quectel-simcom-at.md §7: `AT+CICCID` for the ICCID).
pub const IDENTITY: [(&[u8], &[u8]); 4] = [
    (b"AT+CGSN\r", b"\r\n862205050000017\r\n\r\nOK\r\n"),
    (b"AT+CGMR\r", b"\r\n+CGMR: A011B07A7670M7\r\n\r\nOK\r\n"),
    (
        b"AT+CICCID\r",
        b"\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n",
    ),
    (b"AT+CIMI\r", b"\r\n460001234567890\r\n\r\nOK\r\n"),
];

/// From the first `AT` after a boot to the `OK` of `AT+CGATT?` (echo on at boot; the identity
/// is read where the module has not given it yet).
pub fn boot(h: &mut Harness) {
    h.tx(b"AT\r");
    h.rx(b"AT\r\r\nOK\r\n");
    h.tx(b"ATE0\r");
    h.rx(b"ATE0\r\r\nOK\r\n");
    h.tx(b"AT+CPIN?\r");
    h.rx(b"\r\n+CPIN: READY\r\n\r\nOK\r\n");
    if !h.engine.module_facts().read {
        for (cmd, answer) in IDENTITY {
            h.tx(cmd);
            h.rx(answer);
        }
    }
    h.tx(b"AT+CGATT?\r");
    h.rx(b"\r\n+CGATT: 1\r\n\r\nOK\r\n");
}

/// `AT+CMQTTSTART` answered the SIM7600 way: `+CMQTTSTART: 0` then `OK` (§4.2).
pub fn start_service(h: &mut Harness) {
    h.tx(b"AT+CMQTTSTART\r");
    h.rx(b"\r\n+CMQTTSTART: 0\r\n\r\nOK\r\n");
}

/// The release of a stale client and the acquire of client 0 (standard configuration).
pub fn acquire(h: &mut Harness) {
    h.tx(b"AT+CMQTTREL=0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+CMQTTACCQ=0,\"s1\",0,4\r");
    h.rx(b"\r\nOK\r\n");
}

/// The CONNECT of the standard configuration (keepalive 120, clean session), answered the
/// asynchronous way: `OK`, then `+CMQTTCONNECT: 0,0` (§4.5).
pub fn connect(h: &mut Harness) {
    h.tx(b"AT+CMQTTCONNECT=0,\"tcp://127.0.0.1:18830\",120,1\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\n+CMQTTCONNECT: 0,0\r\n");
}

/// Service start, acquire and connect.
pub fn start_connect(h: &mut Harness) {
    start_service(h);
    acquire(h);
    connect(h);
}

/// `AT+CMQTTSTART` of a service that already runs: `+CMQTTSTART: 23`, `ERROR` (§4.2).
pub fn restart_service(h: &mut Harness) {
    h.tx(b"AT+CMQTTSTART\r");
    h.rx(b"\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n");
}

/// The re-connect after a lost link: the service already runs, and the connect goes on the
/// same client, with no new acquire (§4.9).
pub fn reconnect(h: &mut Harness) {
    restart_service(h);
    connect(h);
}

/// Drives a fresh harness (no APN, no TLS, no will) from `start` to the CONNACK.
pub fn bring_online(h: &mut Harness) {
    h.start();
    boot(h);
    start_connect(h);
}

/// `AT+CMQTTSUB=0,<len>,<qos>` → `>` → the filter → `OK` (its result is left to the caller).
pub fn subscribe(h: &mut Harness, filter: &[u8], qos: u8) {
    h.tx(format!("AT+CMQTTSUB=0,{},{qos}\r", filter.len()).as_bytes());
    h.rx(b"\r\n>");
    h.tx(filter);
    h.rx(b"\r\nOK\r\n");
}

/// `AT+CMQTTTOPIC`, `AT+CMQTTPAYLOAD` (where the payload is not empty), each through its
/// prompt, then `AT+CMQTTPUB` (its answer is left to the caller).
pub fn publish(h: &mut Harness, topic: &[u8], payload: &[u8], qos: u8, retain: bool) {
    h.tx(format!("AT+CMQTTTOPIC=0,{}\r", topic.len()).as_bytes());
    h.rx(b"\r\n>");
    h.tx(topic);
    h.rx(b"\r\nOK\r\n");
    if !payload.is_empty() {
        h.tx(format!("AT+CMQTTPAYLOAD=0,{}\r", payload.len()).as_bytes());
        h.rx(b"\r\n>");
        h.tx(payload);
        h.rx(b"\r\nOK\r\n");
    }
    let retain = if retain { ",1" } else { "" };
    h.tx(format!("AT+CMQTTPUB=0,{qos},60{retain}\r").as_bytes());
}

/// One incoming message as the module frames it (§4.8): the topic and payload in chunks of
/// at most `chunk` bytes, blank lines between the parts, no payload part when it is empty.
pub fn rx_message(topic: &[u8], payload: &[u8], chunk: usize) -> Vec<u8> {
    let mut m = format!("\r\n+CMQTTRXSTART: 0,{},{}\r\n", topic.len(), payload.len()).into_bytes();
    for part in topic.chunks(chunk) {
        m.extend_from_slice(format!("\r\n+CMQTTRXTOPIC: 0,{}\r\n", part.len()).as_bytes());
        m.extend_from_slice(part);
    }
    for part in payload.chunks(chunk) {
        m.extend_from_slice(format!("\r\n+CMQTTRXPAYLOAD: 0,{}\r\n", part.len()).as_bytes());
        m.extend_from_slice(part);
    }
    m.extend_from_slice(b"\r\n+CMQTTRXEND: 0\r\n");
    m
}

/// Feeds module output larger than the test RX ring, a ring's worth at a time.
pub fn feed(h: &mut Harness, bytes: &[u8]) {
    for part in bytes.chunks(512) {
        h.rx(part);
    }
}
