// SPDX-License-Identifier: MIT OR Apache-2.0
//! Wrap-safe millisecond arithmetic on the caller's 32-bit tick.
//!
//! The tick may wrap (every ~49.7 days); comparisons use the signed difference, so any deadline
//! within 2^31 ms (~24.8 days) of `now` compares correctly. Durations are clamped below that.

/// Longest duration a deadline may lie ahead.
pub const MAX_DELAY_MS: u32 = i32::MAX as u32;

/// The tick `ms` milliseconds after `now`.
// Out of line: some thirty deadlines are set with it, none on the per-byte or idle-poll path;
// the clamp inlined at each cost ~90 B more (Luat engine).
#[inline(never)]
pub fn after(now: u32, ms: u32) -> u32 {
    now.wrapping_add(ms.min(MAX_DELAY_MS))
}

/// True once `now` has reached `deadline`.
#[inline]
pub fn reached(now: u32, deadline: u32) -> bool {
    now.wrapping_sub(deadline) < 0x8000_0000
}

/// Milliseconds from `now` until `deadline` (0 when reached).
#[inline]
pub fn until(now: u32, deadline: u32) -> u32 {
    if reached(now, deadline) {
        0
    } else {
        deadline.wrapping_sub(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_survive_tick_wrap() {
        let now = u32::MAX - 5;
        let d = after(now, 10);
        assert_eq!(d, 4);
        assert!(!reached(now, d));
        assert_eq!(until(now, d), 10);
        assert!(!reached(u32::MAX, d));
        assert!(reached(4, d));
        assert!(reached(5, d));
        assert_eq!(until(5, d), 0);
    }

    #[test]
    fn durations_are_clamped() {
        assert_eq!(after(0, u32::MAX), MAX_DELAY_MS);
        assert!(!reached(0, after(0, u32::MAX)));
    }
}
