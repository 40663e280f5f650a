//! `--baud N`: holds bytes back so they cross at the wire rate of an 8N1 UART (10 bit times per
//! byte: start, 8 data, stop).
//!
//! The pacer keeps a virtual "wire busy until" time. Bytes are handed on in small slices, each
//! at the moment its last bit would have left the wire, so the long-run rate is exact and the
//! burstiness is about 2 ms (the slice length) regardless of timer granularity.

use std::time::Duration;
use tokio::time::Instant;

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

    /// Waits until `n` more bytes have had time to cross the wire. `queued` says the bytes
    /// were already waiting when the wire went free (more of the same burst): they start right
    /// at that moment, so a late timer wake-up is not lost. Otherwise they start now at the
    /// earliest, so an idle wire banks no time (request/response traffic is paced exactly).
    pub async fn wait(&mut self, n: usize, queued: bool) {
        let Some(bt) = self.byte_time else {
            return;
        };
        let now = Instant::now();
        let start = match self.wire_free {
            Some(w) if queued || w >= now => w,
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
