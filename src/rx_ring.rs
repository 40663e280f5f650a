//! Receive ring: a single-producer, single-consumer byte queue over caller memory.
//!
//! The producer is the UART receive path (an interrupt handler or an RX task) calling
//! [`RxRing::push`]; the consumer is the poll context calling [`RxRing::pop_into`]. The ring
//! lives in a shared `&'a [AtomicU8]` so both sides can hold `&RxRing` at once without `unsafe`.
//!
//! # Synchronisation
//! - Only atomic loads and stores are used (no compare-and-swap), so the ring works on cores
//!   without CAS such as ARMv6-M.
//! - `write` is stored only by the producer, `read` only by the consumer. Each side publishes its
//!   index with `Release` after touching the bytes it covers and reads the other side's index with
//!   `Acquire`, so a byte is never read before it was written nor overwritten before it was read.
//! - `push` runs inside `critical_section::with`, so two producers (say an ISR and a task) cannot
//!   interleave their index updates. The consumer side takes no lock: it is lock-free and safe to
//!   call while an interrupt pushes.
//! - Both indices count modulo `2 * capacity`, which tells a full ring from an empty one without
//!   sacrificing a slot and without a division on every access.

use core::sync::atomic::{AtomicU32, AtomicU8, AtomicUsize, Ordering};

/// SPSC byte ring over caller-provided storage; see the module documentation.
#[derive(Debug)]
pub struct RxRing<'a> {
    buf: &'a [AtomicU8],
    /// Producer position in `0..2 * capacity`.
    write: AtomicUsize,
    /// Consumer position in `0..2 * capacity`.
    read: AtomicUsize,
    /// Bytes refused because the ring was full (wrapping).
    dropped: AtomicU32,
}

impl<'a> RxRing<'a> {
    /// A ring using all of `buf` as storage. Any length works; a useful ring has at least 2
    /// slots (an empty slice accepts nothing and counts every byte as dropped).
    pub fn new(buf: &'a [AtomicU8]) -> Self {
        RxRing {
            buf,
            write: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            dropped: AtomicU32::new(0),
        }
    }

    /// Number of bytes the ring can hold.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Bytes currently buffered. Exact when called by either side while the other is idle; a
    /// snapshot otherwise.
    pub fn len(&self) -> usize {
        let write = self.write.load(Ordering::Acquire);
        let read = self.read.load(Ordering::Acquire);
        self.distance(read, write)
    }

    /// True when nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total bytes dropped because the ring was full, modulo 2^32.
    pub fn dropped(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Producer side (interrupt or RX task): copies as much of `data` as fits and returns how
    /// many bytes were taken. The rest is dropped and counted in [`RxRing::dropped`]. Never
    /// blocks; the critical section only covers the copy of at most `capacity` bytes.
    pub fn push(&self, data: &[u8]) -> usize {
        critical_section::with(|_| {
            // Only producers store `write`, and they are serialised by the critical section.
            let write = self.write.load(Ordering::Relaxed);
            // Acquire: the consumer's reads of the slots it released happen before we reuse them.
            let read = self.read.load(Ordering::Acquire);
            let free = self.capacity().saturating_sub(self.distance(read, write));
            let (accepted, excess) = data.split_at(data.len().min(free));
            let (wrapped, from_slot) = self.split_at_slot(write);
            let (first, second) = accepted.split_at(accepted.len().min(from_slot.len()));
            for (cell, &byte) in from_slot.iter().zip(first) {
                cell.store(byte, Ordering::Relaxed);
            }
            for (cell, &byte) in wrapped.iter().zip(second) {
                cell.store(byte, Ordering::Relaxed);
            }
            // Release: the bytes stored above are visible before the consumer sees the index.
            self.write
                .store(self.advance(write, accepted.len()), Ordering::Release);
            if !excess.is_empty() {
                // Producers are serialised, so load + store is an atomic increment here (and
                // needs no CAS). The counter wraps by design: truncating to u32 is modulo 2^32.
                let total = self
                    .dropped
                    .load(Ordering::Relaxed)
                    .wrapping_add(excess.len() as u32);
                self.dropped.store(total, Ordering::Relaxed);
            }
            accepted.len()
        })
    }

    /// Consumer side (poll context): moves up to `out.len()` bytes into `out` and returns how
    /// many. Lock-free.
    pub fn pop_into(&self, out: &mut [u8]) -> usize {
        // Only the consumer stores `read`.
        let read = self.read.load(Ordering::Relaxed);
        // Acquire: pairs with the producer's Release, so the bytes behind `write` are visible.
        let write = self.write.load(Ordering::Acquire);
        let count = self.distance(read, write).min(out.len());
        let (out, _) = out.split_at_mut(count);
        let (wrapped, from_slot) = self.split_at_slot(read);
        let (first, second) = out.split_at_mut(count.min(from_slot.len()));
        for (byte, cell) in first.iter_mut().zip(from_slot) {
            *byte = cell.load(Ordering::Relaxed);
        }
        for (byte, cell) in second.iter_mut().zip(wrapped) {
            *byte = cell.load(Ordering::Relaxed);
        }
        // Release: our reads of the slots complete before the producer may overwrite them.
        self.read
            .store(self.advance(read, count), Ordering::Release);
        count
    }

    /// Discards everything buffered. Consumer side only.
    pub fn clear(&self) {
        let write = self.write.load(Ordering::Acquire);
        self.read.store(write, Ordering::Release);
    }

    /// Index space of the positions: twice the capacity. A slice of bytes is at most
    /// `isize::MAX` long, so this cannot overflow.
    fn span(&self) -> usize {
        self.buf.len().saturating_mul(2)
    }

    /// Bytes from `read` to `write` in position space.
    fn distance(&self, read: usize, write: usize) -> usize {
        if write >= read {
            write - read
        } else {
            // `write` wrapped past the end of position space; read < span so no overflow.
            write.wrapping_add(self.span()).wrapping_sub(read)
        }
    }

    /// Position `pos` moved forward by `count` (count <= capacity), wrapped into position space.
    fn advance(&self, pos: usize, count: usize) -> usize {
        let next = pos.wrapping_add(count);
        if next >= self.span() {
            next.wrapping_sub(self.span())
        } else {
            next
        }
    }

    /// Storage split at the slot of `pos`: (slots before it, slots from it to the end). Bytes
    /// go into the second part first and wrap into the first.
    fn split_at_slot(&self, pos: usize) -> (&'a [AtomicU8], &'a [AtomicU8]) {
        let slot = if pos >= self.buf.len() {
            pos - self.buf.len()
        } else {
            pos
        };
        // Positions stay below `span()`, so the slot is in range; the fallback is never taken.
        self.buf.split_at_checked(slot).unwrap_or((self.buf, &[]))
    }
}
