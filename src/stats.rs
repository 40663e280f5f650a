// SPDX-License-Identifier: MIT OR Apache-2.0
//! Counters; all wrap at 2^32. Every loss the engine can suffer has one.

/// Running counters of a session (never reset by the engine).
#[repr(C)]
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Stats {
    /// Bytes taken from the RX ring.
    pub rx_bytes: u32,
    /// Bytes `cellmqtt_feed` dropped because the RX ring was full.
    pub rx_overflow_bytes: u32,
    /// Lines longer than the line buffer, discarded.
    pub lines_too_long: u32,
    /// Lines the decoder did not recognise (garbage, unknown URCs).
    pub lines_unknown: u32,
    /// Bytes written to the UART.
    pub tx_bytes: u32,
    /// Commands sent.
    pub commands: u32,
    /// Commands answered with `ERROR` or `+CME ERROR`.
    pub command_errors: u32,
    /// Commands that got no final result before their deadline.
    pub command_timeouts: u32,
    /// Errors returned by the UART write callback.
    pub uart_errors: u32,
    /// Messages delivered to the application.
    pub messages_received: u32,
    /// Incoming messages discarded because they did not fit the line buffer.
    pub messages_too_large: u32,
    /// Messages the module's cache overwrote before they were read.
    pub cache_overwritten: u32,
    /// Publishes accepted into the queue.
    pub publishes_queued: u32,
    /// Publishes confirmed.
    pub publishes_done: u32,
    /// Publishes given up with a failure event.
    pub publishes_failed: u32,
    /// Publishes refused by `cellmqtt_publish` (queue full, too long, invalid).
    pub publishes_rejected: u32,
    /// Of those, refused because the queue was full (the caller kept the message).
    pub publishes_queue_full: u32,
    /// Publishes sent again after a link loss or a missing acknowledgement.
    pub publish_retries: u32,
    /// Acknowledgements that arrived when none was awaited.
    pub unexpected_acks: u32,
    /// Highest number of bytes ever used in the publish arena.
    pub queue_high_water: u32,
    /// Times the session came online.
    pub connects: u32,
    /// Links lost after being online (`CLOSED`, PDN/PDP loss, `+MQTTSTATU :0`, reboot).
    pub links_lost: u32,
    /// Failed connect cycles.
    pub connect_failures: u32,
    /// Ladder steps taken, by kind.
    pub reconnects: u32,
    pub module_reboots: u32,
    pub soft_resets: u32,
    pub reset_pulses: u32,
    pub power_cycles: u32,
    /// Event records that could not be queued (always 0 unless there is a bug).
    pub events_dropped: u32,
    /// Of `connect_failures`, those on the broker or network side (refused, unreachable, TLS,
    /// name not resolved, the link or bearer lost) and configurations the module refuses for
    /// good (`CONFIG_REFUSED`): answered by re-connects, never by the module ladder.
    pub broker_failures: u32,
    /// `+MSUB` lines with a corrupt header, skipped to their line end.
    pub messages_corrupt: u32,
    /// Echoed command lines skipped after `ATE0` (firmware or wiring echo).
    pub echo_lines: u32,
    /// A publish refused by one command and sent again by the family's other: Luat `AT+MPUB`
    /// answered `ERROR`, sent as `AT+MPUBEX`; Quectel `AT+QMTPUBEX` answered `ERROR`, sent as
    /// `AT+QMTPUB`.
    pub mpub_fallbacks: u32,
    /// Queued AT commands sent (the application's, and signal/time on demand).
    pub at_commands: u32,
    /// Lines that would have gone to `on_urc` but exceeded its rate bound.
    pub urcs_dropped: u32,
}
