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
use crate::Status;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

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

pub(super) struct Handle {
    magic: AtomicU32,
    /// Set while `poll` runs (and during init), so nested calls from callbacks are refused.
    busy: AtomicBool,
    pub ring: RxRing<'static>,
    pub cb: cellmqtt_callbacks_t,
    engine: UnsafeCell<Engine<'static>>,
}

// Names every field of `Handle`, so a new one does not compile until `Handle::write_new`
// writes it too.
const _: fn(Handle) = |h| {
    let Handle {
        magic: _,
        busy: _,
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
    /// `Handle`). The two flags go first, where the zero fill covers them too: measured 12 B
    /// smaller (Luat), 4 B (every dialect), than writing them last and the ring before the
    /// callbacks. `magic` is written 0: the caller marks the handle initialised once it is.
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
            core::ptr::addr_of_mut!((*slot).busy).write(AtomicBool::new(false));
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

    /// Claims the poll context; `Busy` when already claimed (a nested call from a callback).
    /// Load-then-store is enough: claims only race with nested calls of the same context.
    pub fn enter(&self) -> Result<(), Status> {
        if self.busy.load(Ordering::Acquire) {
            return Err(Status::Busy);
        }
        self.busy.store(true, Ordering::Release);
        Ok(())
    }

    pub fn leave(&self) {
        self.busy.store(false, Ordering::Release);
    }

    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }

    /// The engine, for one API call.
    ///
    /// # Safety
    /// Only the application context may call this, and the returned reference must be dropped
    /// before any callback runs or another `engine()` reference is made.
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

/// The initialised handle behind `h`. Out of line: every entry point but the two of the
/// receive path shares it (measured 24 B smaller with the five the size firmware links).
///
/// # Safety
/// As [`from_ptr_inline`].
#[inline(never)]
pub(super) unsafe fn from_ptr<'h>(h: *const cellmqtt_t) -> Result<&'h Handle, Status> {
    // SAFETY: forwarded from the caller.
    unsafe { from_ptr_inline(h) }
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
