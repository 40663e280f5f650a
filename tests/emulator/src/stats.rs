//! Counters reported by the control socket's `stats` command.

use std::collections::BTreeMap;

#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// AT commands executed (each part of a compound line counts).
    pub commands: u64,
    pub commands_by_name: BTreeMap<String, u64>,
    /// PUBLISH packets sent to the broker for AT+MPUB / AT+MPUBEX.
    pub publishes_forwarded: u64,
    /// Ack URCs printed toward the MCU, by name (CONNACK OK, SUBACK, PUBACK, ...).
    pub acks_sent: BTreeMap<&'static str, u64>,
    /// PUBACK / PUBREC / PUBCOMP packets sent to the broker for incoming publishes.
    pub acks_to_broker: u64,
    /// Incoming publishes handed to the MCU (direct `+MSUB` lines or cache slots).
    pub messages_delivered: u64,
    pub messages_truncated: u64,
    pub cache_overwrites: u64,
    pub faults_injected: BTreeMap<&'static str, u64>,
    pub chaos_faults: u64,
    pub reboots: u64,
    pub closed_urcs: u64,
    pub mqtt_connects: u64,
    pub tcp_connects: u64,
    pub bytes_to_mcu: u64,
    pub bytes_from_mcu: u64,
    pub bytes_dropped: u64,
    pub garbage_bytes: u64,
    /// Direct-mode `+MSUB` headers printed with a wrong byte count (`corrupt-msub`).
    pub corrupted_headers: u64,
    /// Bytes looped back by the board's wiring (`--tx-echo`), not counted in `bytes_to_mcu`.
    pub tx_echo_bytes: u64,
}

impl Stats {
    pub fn count_command(&mut self, name: &str) {
        self.commands += 1;
        let key = if name.is_empty() { "AT" } else { name };
        *self.commands_by_name.entry(key.to_string()).or_default() += 1;
    }

    pub fn count_ack(&mut self, name: &'static str) {
        *self.acks_sent.entry(name).or_default() += 1;
    }

    pub fn count_fault(&mut self, kind: &'static str) {
        self.count_faults(kind, 1);
    }

    pub fn count_faults(&mut self, kind: &'static str, n: u64) {
        *self.faults_injected.entry(kind).or_default() += n;
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "commands": self.commands,
            "commands_by_name": self.commands_by_name,
            "publishes_forwarded": self.publishes_forwarded,
            "acks_sent": self.acks_sent.values().sum::<u64>(),
            "acks_by_kind": self.acks_sent,
            "acks_to_broker": self.acks_to_broker,
            "messages_delivered": self.messages_delivered,
            "messages_truncated": self.messages_truncated,
            "cache_overwrites": self.cache_overwrites,
            "faults_injected": self.faults_injected.values().sum::<u64>(),
            "faults_by_kind": self.faults_injected,
            "chaos_faults": self.chaos_faults,
            "reboots": self.reboots,
            "closed_urcs": self.closed_urcs,
            "mqtt_connects": self.mqtt_connects,
            "tcp_connects": self.tcp_connects,
            "bytes_to_mcu": self.bytes_to_mcu,
            "bytes_from_mcu": self.bytes_from_mcu,
            "bytes_dropped": self.bytes_dropped,
            "garbage_bytes": self.garbage_bytes,
            "corrupted_headers": self.corrupted_headers,
            "tx_echo_bytes": self.tx_echo_bytes,
        })
    }
}
