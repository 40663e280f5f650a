// SPDX-License-Identifier: MIT OR Apache-2.0
//! Receive ring: a single-producer, single-consumer byte queue over caller memory.
//!
//! The producer is the UART receive path (an interrupt handler or an RX task) calling
//! [`RxRing::push`]; the consumer is the poll context, reading through an [`RxReader`]. The
//! reader hands out the buffered bytes in place (`read_with`), so the tokenizer scans the ring
//! itself: no copy between the interrupt and the line buffer.
//!
//! It lives under the engine, which reads it; it is one of the two places allowed `unsafe`
//! (with `ffi`), because sharing one buffer between a writer and an in-place reader needs it.
//! The safe interface keeps the rules:
//! - Only atomic loads and stores are used (no compare-and-swap), so the ring works on cores
//!   without CAS such as ARMv6-M.
//! - `write` is stored only by the producer, `read` only by the consumer. Each side publishes its
//!   index with `Release` after touching the bytes it covers and reads the other side's index with
//!   `Acquire`, so a byte is never read before it was written nor overwritten before it was read.
//! - `push` runs inside `critical_section::with`, so two producers (an ISR and a task) cannot
//!   interleave. The consumer takes no lock.
//! - There is one consumer: an [`RxReader`] comes from `split(&mut self)` (or, in the C layer,
//!   from the claimed poll context), and its methods take `&mut self`.
//! - Both indices count modulo `2 * capacity`, which tells a full ring from an empty one without
//!   sacrificing a slot and without a division on every access.
//! - Where `push` drops bytes, the stream has a gap, marked by the `GAP` bit of `write` (the
//!   positions never reach it). Until the reader reaches the gap, every further byte is dropped
//!   too, so there is never more than one and it is always the end of what is stored: a read
//!   never crosses it, and where a read finds nothing the engine asks `pass_gap`, so its parser
//!   resynchronises instead of reading a counted payload across missing bytes. The bit costs
//!   the handle no field and the reader one mask per read.

use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

/// SPSC byte ring over caller-provided storage; see the module documentation.
pub struct RxRing<'a> {
    buf: NonNull<u8>,
    cap: usize,
    /// Producer position in `0..2 * capacity`, with `GAP` set while the bytes after it were
    /// dropped and the reader has not reached it.
    write: AtomicUsize,
    /// Consumer position in `0..2 * capacity`.
    read: AtomicUsize,
    /// Bytes refused because the ring was full (wrapping).
    dropped: AtomicU32,
    _storage: PhantomData<&'a mut [u8]>,
}

// SAFETY: the storage is only reached through the protocol above: producers write free slots
// under a critical section, the single consumer reads filled slots, and the atomic indices
// order the two. The ring owns its storage exclusively for 'a.
unsafe impl Sync for RxRing<'_> {}
// SAFETY: as above; the raw pointer is just the exclusively borrowed storage.
unsafe impl Send for RxRing<'_> {}

/// The bit of `write` that marks a gap at its position. Positions stay below it: the capacity
/// is held to a quarter of the address space (1 GiB on a 32-bit core).
const GAP: usize = 1 << (usize::BITS - 1);

/// The consumer side of an [`RxRing`]: one per ring.
pub struct RxReader<'r, 'a> {
    ring: &'r RxRing<'a>,
}

impl<'a> RxRing<'a> {
    /// A ring using all of `buf` as storage. Any length works; an empty one accepts nothing
    /// and counts every byte as dropped.
    pub fn new(buf: &'a mut [u8]) -> Self {
        // Positions run to twice the capacity and must stay clear of the `GAP` bit.
        let cap = buf.len().min(usize::MAX / 4);
        RxRing {
            buf: NonNull::from(buf).cast(),
            cap,
            write: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
            dropped: AtomicU32::new(0),
            _storage: PhantomData,
        }
    }

    /// The producer handle (for an interrupt or another task) and the one consumer.
    pub fn split(&mut self) -> (&Self, RxReader<'_, 'a>) {
        let ring = &*self;
        (ring, RxReader { ring })
    }

    /// The consumer of a ring shared behind a C handle.
    ///
    /// # Safety
    /// No other `RxReader` of this ring may exist while the returned one does.
    pub(crate) unsafe fn reader_unchecked(&self) -> RxReader<'_, 'a> {
        RxReader { ring: self }
    }

    /// Number of bytes the ring can hold.
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Bytes currently buffered (a snapshot while the other side runs).
    pub fn len(&self) -> usize {
        let write = self.write.load(Ordering::Acquire) & !GAP;
        let read = self.read.load(Ordering::Acquire);
        self.distance(read, write)
    }

    /// True when nothing is buffered and no gap waits for the reader (until the reader has
    /// passed one, the ring takes nothing more).
    pub fn is_empty(&self) -> bool {
        // A gap at `read` makes `write` differ from it by the `GAP` bit.
        self.write.load(Ordering::Acquire) == self.read.load(Ordering::Acquire)
    }

    /// Bytes `push` would take now: none while a gap waits for the reader.
    pub fn free(&self) -> usize {
        let write = self.write.load(Ordering::Acquire);
        if write & GAP != 0 {
            return 0;
        }
        let read = self.read.load(Ordering::Acquire);
        self.cap.saturating_sub(self.distance(read, write))
    }

    /// Total bytes dropped because the ring was full, modulo 2^32.
    pub fn dropped(&self) -> u32 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Producer side (interrupt or RX task): copies as much of `data` as fits and returns how
    /// many bytes were taken. The rest is dropped and counted in [`RxRing::dropped`]. Never
    /// blocks; the critical section only covers the copy of at most `capacity` bytes.
    // One caller in the C layer (`cellmqtt_feed`), which runs per UART chunk.
    #[inline(always)]
    pub fn push(&self, data: &[u8]) -> usize {
        critical_section::with(|_| {
            // Only producers store `write`, and they are serialised by the critical section.
            let marked = self.write.load(Ordering::Relaxed);
            let write = marked & !GAP;
            // Acquire: the consumer's reads of the slots it released happen before we reuse them.
            let read = self.read.load(Ordering::Acquire);
            // Nothing more after a gap the reader has not reached: a second gap behind it could
            // not be told from the first.
            let room = self.cap.saturating_sub(self.distance(read, write));
            let free = if marked & GAP == 0 { room } else { 0 };
            let accepted = data.len().min(free);
            let slot = self.slot(write);
            let first = accepted.min(self.cap - slot);
            // SAFETY: `slot + first <= cap` and `accepted - first <= slot`, so both copies stay
            // in the storage; the slots from `write` on for `free` bytes belong to producers
            // (the consumer reads only below `write`), and producers are serialised here.
            unsafe {
                let base = self.buf.as_ptr();
                core::ptr::copy_nonoverlapping(data.as_ptr(), base.add(slot), first);
                if accepted > first {
                    // Only when the copy wraps: a zero-length memcpy still costs a call.
                    core::ptr::copy_nonoverlapping(
                        data.as_ptr().add(first),
                        base,
                        accepted - first,
                    );
                }
            }
            let excess = data.len() - accepted;
            // A gap after the bytes just taken, published with them (or kept).
            let gap = if excess != 0 { GAP } else { marked & GAP };
            // Release: the bytes stored above are visible before the consumer sees the index.
            self.write
                .store(self.advance(write, accepted) | gap, Ordering::Release);
            if excess != 0 {
                // Producers are serialised, so load + store is an atomic increment here (and
                // needs no CAS). The counter wraps by design: truncating is modulo 2^32.
                let total = self
                    .dropped
                    .load(Ordering::Relaxed)
                    .wrapping_add(excess as u32);
                self.dropped.store(total, Ordering::Relaxed);
            }
            accepted
        })
    }

    /// The reader reached the gap at `at`: producers may store again.
    // Out of line and cold: a ring overflow is rare, and the receive path stays short.
    #[cold]
    #[inline(never)]
    fn pass_gap(&self, at: usize) {
        // Under the producers' lock: they do not move `write` while the gap is marked, so
        // this only clears the bit.
        critical_section::with(|_| self.write.store(at, Ordering::Release));
    }

    /// Bytes from `read` to `write` in position space.
    fn distance(&self, read: usize, write: usize) -> usize {
        if write >= read {
            write - read
        } else {
            write
                .wrapping_add(self.cap.wrapping_mul(2))
                .wrapping_sub(read)
        }
    }

    /// Position `pos` moved forward by `count` (count <= capacity), wrapped into position space.
    fn advance(&self, pos: usize, count: usize) -> usize {
        let next = pos.wrapping_add(count);
        let span = self.cap.wrapping_mul(2);
        if next >= span {
            next.wrapping_sub(span)
        } else {
            next
        }
    }

    /// Storage slot of position `pos`.
    fn slot(&self, pos: usize) -> usize {
        if pos >= self.cap {
            pos - self.cap
        } else {
            pos
        }
    }
}

impl RxReader<'_, '_> {
    /// Lends the buffered bytes up to the end of the storage (the rest, after a wrap, comes on
    /// the next call) to `f`, which returns how many it consumed and a result. Lock-free. It
    /// never reads past a gap (nothing is stored after one); once it has lent everything,
    /// [`RxReader::pass_gap`] tells whether bytes are missing there.
    // Inlined so the tokenizer runs straight on the ring's bytes with no closure call.
    #[inline(always)]
    pub fn read_with<R>(&mut self, f: impl FnOnce(&[u8]) -> (usize, R)) -> R {
        let ring = self.ring;
        // Only the consumer stores `read`.
        let read = ring.read.load(Ordering::Relaxed);
        // Acquire: pairs with the producer's Release, so the bytes behind `write` are visible.
        let write = ring.write.load(Ordering::Acquire) & !GAP;
        let slot = ring.slot(read);
        let count = ring.distance(read, write).min(ring.cap - slot);
        // SAFETY: `slot + count <= cap`; the bytes from `read` to `write` are filled and
        // belong to the consumer until `read` moves past them, which happens only after `f`
        // has returned and its borrow of them has ended. `&mut self` makes this the only reader.
        let filled = unsafe { core::slice::from_raw_parts(ring.buf.as_ptr().add(slot), count) };
        let (used, result) = f(filled);
        // Release: our reads of the slots complete before the producer may overwrite them.
        ring.read
            .store(ring.advance(read, used.min(count)), Ordering::Release);
        result
    }

    /// True when the reader stands at a gap (bytes `push` dropped), which is then passed: the
    /// producers may store again. A parser that held part of something there must
    /// resynchronise: the rest of it is missing. Asked where a read found nothing, so the
    /// receive path pays for it once per drained ring, not per read.
    pub fn pass_gap(&mut self) -> bool {
        let ring = self.ring;
        let read = ring.read.load(Ordering::Relaxed);
        let at_gap = ring.write.load(Ordering::Acquire) == read | GAP;
        if at_gap {
            ring.pass_gap(read);
        }
        at_gap
    }

    /// Moves up to `out.len()` buffered bytes into `out` and returns how many.
    pub fn pop_into(&mut self, out: &mut [u8]) -> usize {
        let mut total = 0;
        loop {
            let n = self.read_with(|filled| {
                let n = filled.len().min(out.len() - total);
                if let (Some(dst), Some(src)) = (out.get_mut(total..total + n), filled.get(..n)) {
                    dst.copy_from_slice(src);
                }
                (n, n)
            });
            total += n;
            if n == 0 {
                // A plain reader passes a gap as it comes to it.
                self.pass_gap();
                return total;
            }
            if total == out.len() {
                return total;
            }
        }
    }

    /// True when nothing is buffered and no gap waits (see [`RxRing::is_empty`]).
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// Discards everything buffered.
    pub fn clear(&mut self) {
        let write = self.ring.write.load(Ordering::Acquire);
        self.ring.read.store(write & !GAP, Ordering::Release);
        if write & GAP != 0 {
            self.ring.pass_gap(write & !GAP);
        }
    }

    /// The ring this reader consumes.
    pub fn ring(&self) -> &RxRing<'_> {
        self.ring
    }
}
