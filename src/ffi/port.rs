// SPDX-License-Identifier: MIT OR Apache-2.0
//! Glue between the engine and the C world: the UART callback as an `embedded_io::Write`, the
//! critical-section hook for cross builds, and the panic handler for bare-metal targets.

use super::types::cellmqtt_callbacks_t;
use core::ffi::c_void;

/// The C `uart_write` callback as an `embedded_io::Write`: `Ok(0)` means "try later".
pub(super) struct CallbackUart {
    write: Option<unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32>,
    user: *mut c_void,
}

impl CallbackUart {
    pub fn new(cb: &cellmqtt_callbacks_t) -> Self {
        CallbackUart {
            write: cb.uart_write,
            user: cb.user,
        }
    }
}

impl embedded_io::ErrorType for CallbackUart {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for CallbackUart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let Some(write) = self.write else {
            return Err(embedded_io::ErrorKind::NotConnected);
        };
        // SAFETY: `buf` is valid for `buf.len()` bytes during the call; the function pointer and
        // user pointer come from init, per the callback contract.
        let n = unsafe { write(self.user, buf.as_ptr(), buf.len()) };
        match usize::try_from(n) {
            Ok(n) => Ok(n.min(buf.len())),
            Err(_) => Err(embedded_io::ErrorKind::Other),
        }
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Cross builds (`c-critical-section`): the port supplies the critical section as two C
/// functions with a stable ABI, so it can map to PRIMASK, BASEPRI or `taskENTER_CRITICAL`.
#[cfg(feature = "c-critical-section")]
mod critical {
    extern "C" {
        /// Enter the critical section; returns state for the matching exit (e.g. PRIMASK).
        fn cellmqtt_port_critical_enter() -> u32;
        /// Leave it, restoring `state`.
        fn cellmqtt_port_critical_exit(state: u32);
    }

    struct PortCriticalSection;
    critical_section::set_impl!(PortCriticalSection);

    // SAFETY: the port's hooks implement a nesting-safe critical section (enter returns the
    // previous state, exit restores it), which is the contract critical-section requires.
    unsafe impl critical_section::Impl for PortCriticalSection {
        unsafe fn acquire() -> critical_section::RawRestoreState {
            // SAFETY: provided by the port; no preconditions.
            unsafe { cellmqtt_port_critical_enter() }
        }

        unsafe fn release(state: critical_section::RawRestoreState) {
            // SAFETY: `state` came from the matching acquire.
            unsafe { cellmqtt_port_critical_exit(state) }
        }
    }
}

/// Bare-metal targets have no std to supply a panic handler. The sources have no reachable
/// panic (clippy denies every source of one). With `panic-link-check` (our LTO firmware
/// builds) the handler calls a function that exists nowhere, so a panic path that survives
/// optimisation makes the firmware link fail instead of shipping; without it, it stops here.
#[cfg(all(target_os = "none", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(feature = "panic-link-check")]
    {
        extern "C" {
            fn cellmqtt_error_a_panic_path_survived_lto() -> !;
        }
        // SAFETY: never linked; referencing it is the check.
        unsafe { cellmqtt_error_a_panic_path_survived_lto() }
    }
    #[cfg(not(feature = "panic-link-check"))]
    loop {
        core::hint::spin_loop();
    }
}
