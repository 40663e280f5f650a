//! Encoder test helpers shared by the dialects' encoder tests: one-shot encoding and encoding in
//! chunks, through `encode(cursor, out)` of the command under test and its `encoded_len`.
#![allow(dead_code)]

use cellmqtt::dialect::TxCursor;

/// One-shot encoding through a buffer far larger than any command here.
pub fn encode_all(
    len: usize,
    mut encode: impl FnMut(&mut TxCursor, &mut [u8]) -> usize,
) -> Vec<u8> {
    let mut out = vec![0u8; len + 16];
    let mut cursor = TxCursor::new();
    let n = encode(&mut cursor, &mut out);
    assert!(
        cursor.is_done(),
        "one call with room to spare completes the command"
    );
    assert_eq!(encode(&mut cursor, &mut out), 0);
    out.truncate(n);
    out
}

/// Encoding in chunks of `size` bytes.
pub fn encode_chunked(
    len: usize,
    size: usize,
    mut encode: impl FnMut(&mut TxCursor, &mut [u8]) -> usize,
) -> Vec<u8> {
    let mut all = Vec::new();
    let mut cursor = TxCursor::new();
    let mut chunk = vec![0u8; size];
    loop {
        let n = encode(&mut cursor, &mut chunk);
        assert!(n <= size);
        if n == 0 {
            break;
        }
        // Only the last chunk may be short.
        assert!(n == size || cursor.is_done(), "short chunk before the end");
        all.extend_from_slice(&chunk[..n]);
        assert!(all.len() <= len);
    }
    assert!(cursor.is_done());
    all
}

/// Exact bytes of a command (`show` names it in failures), its encoded length `len`, and the
/// same bytes in chunks of every size up to the length. Under Miri (an interpreter, slow)
/// chunk sizes 1, 2, 3, 5, 8, ... and the whole.
pub fn exact(
    show: &dyn std::fmt::Debug,
    len: usize,
    expected: &[u8],
    mut encode: impl FnMut(&mut TxCursor, &mut [u8]) -> usize,
) {
    let got = encode_all(len, &mut encode);
    assert_eq!(
        got,
        expected,
        "{show:?}\n got {:?}\nwant {:?}",
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(len, expected.len(), "encoded_len of {show:?}");
    let sizes: Vec<usize> = if cfg!(miri) {
        [1, 2, 3, 5, 8, 13, 21, 34, expected.len()]
            .into_iter()
            .filter(|&n| n <= expected.len().max(1))
            .collect()
    } else {
        (1..=expected.len()).collect()
    };
    for size in sizes {
        assert_eq!(
            encode_chunked(len, size, &mut encode),
            expected,
            "chunks of {size}"
        );
    }
}
