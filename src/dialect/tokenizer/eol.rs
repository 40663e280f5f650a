// SPDX-License-Identifier: MIT OR Apache-2.0
//! Finding the end of a line, a machine word at a time: the tokenizer's per-byte cost is mostly
//! this scan (`make bench`).

use super::{CR, LF};

/// Offset of the first CR or LF in `s`, a machine word at a time.
pub(super) fn find_eol(s: &[u8]) -> Option<usize> {
    const WORD: usize = core::mem::size_of::<usize>();
    const ONES: usize = usize::MAX / 0xFF;
    const HIGHS: usize = ONES << 7;
    const CRS: usize = ONES * CR as usize;
    const LFS: usize = ONES * LF as usize;
    let mut words = s.chunks_exact(WORD);
    let mut base = 0;
    for word in &mut words {
        let Ok(bytes) = <[u8; WORD]>::try_from(word) else {
            break;
        };
        let v = usize::from_le_bytes(bytes);
        let (cr, lf) = (v ^ CRS, v ^ LFS);
        // High bit set in each byte that is zero, i.e. equal to CR or LF. Borrows can only mark
        // bytes above a true zero, so the lowest mark is exact.
        let hits = ((cr.wrapping_sub(ONES) & !cr) | (lf.wrapping_sub(ONES) & !lf)) & HIGHS;
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += WORD;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == CR || b == LF)
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_eol_matches_naive_scan() {
        let mut data = [b'a'; 40];
        for at in 0..data.len() {
            for term in [CR, LF] {
                data = [b'a'; 40];
                data[at] = term;
                for start in 0..=at {
                    assert_eq!(find_eol(&data[start..]), Some(at - start));
                }
                // bytes above the hit that look like terminators after a borrow
                if at + 1 < data.len() {
                    data[at + 1] = term + 1;
                    assert_eq!(find_eol(&data), Some(at));
                }
            }
        }
        assert_eq!(find_eol(&[0x80; 17]), None);
        assert_eq!(
            find_eol(&[0xFF, 0x00, 0x0C, 0x0E, 0x8D, 0x8A, 0x0B, 0x09, 0x0D]),
            Some(8)
        );
        assert_eq!(find_eol(b""), None);
    }
}
