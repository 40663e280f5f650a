// SPDX-License-Identifier: MIT OR Apache-2.0
//! The handle: caller-provided storage holding the engine, the RX ring and the callbacks.
//!
//! Storage is `cellmqtt_t`, an opaque block of a size the header states. `init` writes a magic
//! word last, so zeroed storage reads as "not initialised". The RX ring is shared between
//! `feed` (any context) and `poll`; the engine sits in an `UnsafeCell` and is only reached by
//! the single application context, one short-lived `&mut` at a time.

use super::types::cellmqtt_callbacks_t;
use crate::engine::ring::RxRing;
use crate::engine::Engine;
use crate::event::State;
use crate::Status;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU32, AtomicU8, Ordering};

/// "cMQT".
const MAGIC: u32 = 0x634d_5154;

/// Handle storage in 8-byte words (the header's `cellmqtt_t` is this big).
#[cfg(target_pointer_width = "64")]
pub const CELLMQTT_HANDLE_WORDS: usize = 168;
/// Handle storage in 8-byte words (the header's `cellmqtt_t` is this big).
#[cfg(not(target_pointer_width = "64"))]
pub const CELLMQTT_HANDLE_WORDS: usize = 128;

/// Opaque storage for one cellmqtt instance. Zero it (static storage is) or let
/// `cellmqtt_init` fill it; never copy it after init.
#[repr(C)]
pub struct cellmqtt_t {
    _opaque: [u64; CELLMQTT_HANDLE_WORDS],
}

/// `Handle::poll` while poll runs a callback.
const LENT: u8 = 1;
/// `Handle::poll` and `Handle::borrowed` while the engine is held, plus the state it was taken
/// in. (Bytes, not bools: one test reads both claims at once.)
const TAKEN: u8 = 2;

/// `repr(C)`: the ring first (poll and feed reach it at the handle's address), then the two
/// claims, at offsets the short load and store forms reach, in what was padding (the handle
/// does not grow).
///
/// The claims are accessed relaxed: only the application context reads and writes them (in
/// program order, callbacks included); calls from other tasks are serialised by the port's
/// mutex, which orders them.
#[repr(C)]
pub(super) struct Handle {
    pub ring: RxRing<'static>,
    magic: AtomicU32,
    /// What `cellmqtt_poll` is doing: 0 nothing, `LENT` running a callback (the engine free for
    /// the calls the callback may make), `TAKEN` + the state while its own work holds the
    /// engine (`tick_ms` and `uart_write` run inside it). Nested poll, init and deinit are
    /// refused while it is not 0.
    poll: AtomicU8,
    /// `TAKEN` + the state while another entry point holds the engine (`tick_ms` runs inside
    /// start, stop and `poll_delay_ms`), else 0.
    ///
    /// While the engine is held a second `&mut Engine` would be undefined behaviour: every
    /// entry point that takes it is refused, and `cellmqtt_state` answers the state it was
    /// taken in.
    borrowed: AtomicU8,
    pub cb: cellmqtt_callbacks_t,
    engine: UnsafeCell<Engine<'static>>,
}

// Names every field of `Handle`, so a new one does not compile until `Handle::write_new`
// writes it too.
const _: fn(Handle) = |h| {
    let Handle {
        magic: _,
        poll: _,
        borrowed: _,
        ring: _,
        cb: _,
        engine: _,
    } = h;
};

const _: () = {
    assert!(core::mem::size_of::<Handle>() <= core::mem::size_of::<cellmqtt_t>());
    assert!(core::mem::align_of::<Handle>() <= core::mem::align_of::<cellmqtt_t>());
};

impl Handle {
    /// Writes a new handle into `slot` field by field, the engine before the ring and the
    /// callbacks: straight after the storage's zero fill, the engine's leading zeros are then
    /// seen to be in place already (measured 32 B smaller, Luat, than writing a whole
    /// `Handle`). The magic word and the claims go first, where the zero fill covers them
    /// too: measured 12 B smaller (Luat), 4 B (every dialect), than writing them last and the
    /// ring before the callbacks. `magic` is written 0: the caller marks the handle
    /// initialised once it is.
    ///
    /// # Safety
    /// `slot` is writable storage for a `Handle` (size and alignment as const-asserted above),
    /// holding nothing to drop.
    pub unsafe fn write_new(
        slot: *mut Handle,
        ring: RxRing<'static>,
        cb: cellmqtt_callbacks_t,
        engine: Engine<'static>,
    ) {
        // SAFETY: per the contract each field's place is writable, and nothing is there to
        // drop; raw field places, so no reference to the not yet initialised `Handle` is made.
        // With every field written (the pattern above names them all), the storage holds a
        // valid `Handle`.
        unsafe {
            core::ptr::addr_of_mut!((*slot).poll).write(AtomicU8::new(0));
            core::ptr::addr_of_mut!((*slot).borrowed).write(AtomicU8::new(0));
            core::ptr::addr_of_mut!((*slot).magic).write(AtomicU32::new(0));
            core::ptr::addr_of_mut!((*slot).engine).write(UnsafeCell::new(engine));
            core::ptr::addr_of_mut!((*slot).cb).write(cb);
            core::ptr::addr_of_mut!((*slot).ring).write(ring);
        }
    }

    pub fn mark_initialised(&self) {
        self.magic.store(MAGIC, Ordering::Release);
    }

    pub fn mark_dead(&self) {
        self.magic.store(0, Ordering::Release);
    }

    /// Checks that a poll may run: `Busy` when one runs already or another entry point holds
    /// the engine (a nested call from a callback). From here until `leave` poll runs no
    /// callback without a claim: `take_engine` for its own work, `lend_engine` for the
    /// callbacks after it. Check-then-store is enough: claims only race with nested calls of
    /// the same context.
    pub fn enter(&self) -> Result<(), Status> {
        if self.is_busy() {
            return Err(Status::Busy);
        }
        Ok(())
    }

    /// Poll, before its own work (and after each callback): the engine is held.
    pub fn take_engine(&self) {
        self.poll.store(self.taken(), Ordering::Relaxed);
    }

    /// Poll, before a callback: the engine is free for the calls the callback may make.
    pub fn lend_engine(&self) {
        self.poll.store(LENT, Ordering::Relaxed);
    }

    pub fn leave(&self) {
        self.poll.store(0, Ordering::Relaxed);
    }

    /// True while poll runs or the engine is held: poll, init and deinit are refused.
    pub fn is_busy(&self) -> bool {
        // One test of both (`|`, not `||`): poll's entry costs what it did with one flag.
        (self.poll.load(Ordering::Relaxed) | self.borrowed.load(Ordering::Relaxed)) != 0
    }

    /// `TAKEN` + the state the engine is in.
    fn taken(&self) -> u8 {
        // SAFETY: the engine is free (the flags say so); the shared reference ends here.
        TAKEN + unsafe { &*self.engine.get() }.state() as u8
    }

    /// An entry point other than poll is done with the engine.
    pub fn release_engine(&self) {
        self.borrowed.store(0, Ordering::Relaxed);
    }

    /// While the engine is held, the state it was taken in; `None` when it is free.
    pub fn state_while_held(&self) -> Option<State> {
        // At most one of the two holds it (`claim_engine` refuses while poll's work does).
        let held = self
            .poll
            .load(Ordering::Relaxed)
            .max(self.borrowed.load(Ordering::Relaxed));
        // By value, never transmuted: every state `taken` can have written.
        Some(match held.checked_sub(TAKEN)? {
            1 => State::PowerCycle,
            2 => State::Probing,
            3 => State::Preparing,
            4 => State::Connecting,
            5 => State::Restoring,
            6 => State::Online,
            7 => State::Recovering,
            8 => State::Stopping,
            9 => State::Failed,
            _ => State::Stopped,
        })
    }

    /// The engine, for one API call.
    ///
    /// # Safety
    /// Only the application context may call this, and no callback may run while the
    /// reference lives unless the engine is claimed as held (`take_engine`, `claim_engine`);
    /// it must be dropped before the engine is lent or released, and before another `engine()`
    /// reference is made.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn engine(&self) -> &mut Engine<'static> {
        // SAFETY: the caller guarantees exclusivity per the contract above; the engine is in an
        // UnsafeCell so mutation through a shared handle is allowed.
        unsafe { &mut *self.engine.get() }
    }

    pub fn now(&self) -> u32 {
        match self.cb.tick_ms {
            // SAFETY: a C function pointer given to init; it receives the user pointer given
            // with it, per the callback contract.
            Some(tick) => unsafe { tick(self.cb.user) },
            None => 0,
        }
    }
}

/// The initialised handle behind `h`, for init, deinit and `rx_free`.
///
/// # Safety
/// As [`from_ptr_inline`].
pub(super) unsafe fn from_ptr<'h>(h: *const cellmqtt_t) -> Result<&'h Handle, Status> {
    // SAFETY: forwarded from the caller.
    unsafe { from_ptr_inline(h) }
}

/// The initialised handle behind `h` with its engine claimed as held (until
/// `Handle::release_engine`), for an entry point other than poll; `Busy` while it is held
/// already: from `uart_write` or `tick_ms`. Out of line: every entry point but the two of the
/// receive path shares it.
///
/// # Safety
/// As [`from_ptr_inline`]; application context.
#[inline(never)]
pub(super) unsafe fn claim_engine<'h>(h: *const cellmqtt_t) -> Result<&'h Handle, Status> {
    // SAFETY: forwarded from the caller.
    let handle = unsafe { from_ptr_inline(h)? };
    // Held by poll's work (`TAKEN` and above; `LENT` is a callback, where calls may take it)
    // or by another entry point.
    if (handle.poll.load(Ordering::Relaxed) | handle.borrowed.load(Ordering::Relaxed)) >= TAKEN {
        return Err(Status::Busy);
    }
    handle.borrowed.store(handle.taken(), Ordering::Relaxed);
    Ok(handle)
}

/// [`from_ptr`] inlined, for `feed` and `poll` (the receive path, which a call would slow).
///
/// # Safety
/// `h` is NULL or points to `cellmqtt_t` storage that is zeroed or was passed to `init`.
#[inline(always)]
pub(super) unsafe fn from_ptr_inline<'h>(h: *const cellmqtt_t) -> Result<&'h Handle, Status> {
    if h.is_null() {
        return Err(Status::NullArg);
    }
    let handle = h.cast::<Handle>();
    // SAFETY: `magic` is read through the field projection of the raw pointer, without
    // forming a reference to a possibly uninitialised Handle (wherever repr(Rust) places the
    // field, it lies inside the storage, which is at least as large and aligned as Handle:
    // const-asserted above). Storage that `cellmqtt_init` never saw holds whatever bytes it
    // holds: an `AtomicU32` is valid for any of them.
    let magic = unsafe { &*core::ptr::addr_of!((*handle).magic) };
    if magic.load(Ordering::Acquire) != MAGIC {
        return Err(Status::NotInitialized);
    }
    // SAFETY: the magic word is written last by init, so the Handle is fully initialised.
    Ok(unsafe { &*handle })
}
