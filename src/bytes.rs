// SPDX-License-Identifier: MIT OR Apache-2.0
//! Panic-free slice helpers. `split_at` and `copy_within` carry panic paths the optimiser
//! cannot always remove; these return what fits instead, which the release link check
//! (`panic-link-check`) proves leaves no panic in the firmware.

/// The first `n` bytes of `s` (all of `s` if shorter).
#[inline]
pub fn head(s: &[u8], n: usize) -> &[u8] {
    s.get(..n).unwrap_or(s)
}

/// `s` without its first `n` bytes (empty if shorter).
#[inline]
pub fn tail(s: &[u8], n: usize) -> &[u8] {
    s.get(n..).unwrap_or(&[])
}

/// True for a printable ASCII byte (what a module prints as text, an AT command holds).
#[inline]
pub fn printable(b: &u8) -> bool {
    (0x20..0x7F).contains(b)
}

/// True when every byte of `s` is [`printable`]: text, not line noise or control bytes.
#[inline]
pub fn is_text(s: &[u8]) -> bool {
    s.iter().all(printable)
}

/// Moves `len` bytes at `src` down to `dest` (`dest <= src`; the ranges may overlap). Bytes
/// outside `buf` are skipped.
pub fn move_down(buf: &mut [u8], src: usize, dest: usize, len: usize) {
    for i in 0..len {
        let Some(b) = buf.get(src.wrapping_add(i)).copied() else {
            return;
        };
        let Some(d) = buf.get_mut(dest.wrapping_add(i)) else {
            return;
        };
        *d = b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_clamp_instead_of_panicking() {
        assert_eq!(head(b"abc", 2), b"ab");
        assert_eq!(head(b"abc", 9), b"abc");
        assert_eq!(tail(b"abc", 1), b"bc");
        assert_eq!(tail(b"abc", 9), b"");
        let mut b = *b"0123456789";
        move_down(&mut b, 4, 1, 4);
        assert_eq!(&b, b"0456756789");
        move_down(&mut b, 8, 0, 9);
        assert_eq!(&b, b"8956756789");
    }
}
