//! `--baud N`: holds bytes back so they cross at the wire rate of an 8N1 UART (10 bit times per
//! byte: start, 8 data, stop).
//!
//! The pacer keeps a virtual "wire busy until" time. Bytes are handed on in small slices, each
//! at the moment its last bit would have left the wire, so the long-run rate is exact and the
//! burstiness is about 2 ms (the slice length) regardless of timer granularity.

use std::time::Duration;
use tokio::time::Instant;

/// How late a wake-up may be and still count as the same burst of bytes.
const IDLE_SLACK: Duration = Duration::from_millis(20);

#[derive(Debug)]
pub struct Pacer {
    byte_time: Option<Duration>,
    wire_free: Option<Instant>,
}

impl Pacer {
    /// `None` = unpaced.
    pub fn new(baud: Option<u32>) -> Pacer {
        let byte_time = baud
            .filter(|b| *b > 0)
            .map(|b| Duration::from_nanos(10 * 1_000_000_000 / u64::from(b)));
        Pacer {
            byte_time,
            wire_free: None,
        }
    }

    /// Slice length in bytes: about 2 ms of wire time, at least 1.
    pub fn slice(&self) -> usize {
        match self.byte_time {
            None => usize::MAX,
            Some(bt) => {
                (Duration::from_millis(2).as_nanos() / bt.as_nanos().max(1)).max(1) as usize
            }
        }
    }

    /// Waits until `n` more bytes have had time to cross the wire.
    pub async fn wait(&mut self, n: usize) {
        let Some(bt) = self.byte_time else {
            return;
        };
        let now = Instant::now();
        // Timer wake-ups come late by up to a tick; that lateness must not be lost, so a wire
        // that went free only a moment ago continues from its free time. A wire idle for
        // longer does not bank time: start from now.
        let start = match self.wire_free {
            Some(w) if w + IDLE_SLACK >= now => w,
            _ => now,
        };
        let end = start + bt * n as u32;
        self.wire_free = Some(end);
        tokio::time::sleep_until(end).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_time_and_slices() {
        let p = Pacer::new(Some(115_200));
        assert_eq!(p.byte_time, Some(Duration::from_nanos(86_805)));
        assert_eq!(p.slice(), 23);
        assert_eq!(Pacer::new(Some(300)).slice(), 1);
        assert_eq!(Pacer::new(None).slice(), usize::MAX);
        assert_eq!(Pacer::new(Some(0)).slice(), usize::MAX);
    }
}
