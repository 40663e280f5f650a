//! `--embedded-broker PORT`: an in-process MQTT 3.1.1 broker (rumqttd) on 127.0.0.1:PORT, so
//! the demo runs with nothing installed. Behind the `embedded-broker` feature because rumqttd's
//! cold build takes about 100 s; the tests use mosquitto.

use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Starts the broker on its own thread (rumqttd runs its own runtimes) and waits until it
/// accepts connections. Returns the address. Port 0 picks a free port (rumqttd cannot report
/// the one it bound, so one is found first; another process could take it in between).
pub fn start(port: u16) -> Result<String, String> {
    let port = match port {
        0 => std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free port: {e}"))?,
        p => p,
    };
    let addr = format!("127.0.0.1:{port}");
    let cfg = serde_json::json!({
        "id": 0,
        "router": {
            "id": 0,
            "max_connections": 1000,
            "max_outgoing_packet_count": 200,
            "max_segment_size": 104_857_600,
            "max_segment_count": 10,
        },
        "v4": {
            "1": {
                "name": "v4-1",
                "listen": addr,
                "next_connection_delay_ms": 1,
                "connections": {
                    "connection_timeout_ms": 60_000,
                    "max_payload_size": 20_480,
                    "max_inflight_count": 100,
                    "dynamic_filters": true,
                }
            }
        }
    });
    let cfg: rumqttd::Config =
        serde_json::from_value(cfg).map_err(|e| format!("broker config: {e}"))?;
    std::thread::Builder::new()
        .name("embedded-broker".into())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(cfg);
            if let Err(e) = broker.start() {
                crate::elog!("embedded broker stopped: {e}");
            }
        })
        .map_err(|e| format!("broker thread: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            return Err(format!("embedded broker did not start on {addr}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    crate::elog!("embedded broker (rumqttd) listening on {addr}");
    Ok(addr)
}
