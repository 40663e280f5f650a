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
