//! Tokenizer + decoder on arbitrary bytes split at arbitrary points.
//! Invariants: no panic; every call makes progress; spans lie in the buffer; a message's
//! spans never overlap; `decode` accepts every line.
#![no_main]

use cellmqtt::dialect::luat::{decode, Token, Tokenizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, stream)) = data.split_first() else {
        return;
    };
    // Line buffer size and split pattern come from the first byte.
    let mut line = vec![0u8; 16 + usize::from(ctl & 0x3f) * 8];
    let split = usize::from(ctl >> 6) * 7 + 1;
    let mut tok = Tokenizer::new();
    tok.set_expect_prompt(ctl & 1 == 1);
    for chunk in stream.chunks(split) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let (used, token) = tok.push(&mut line, rest);
            assert!(used <= rest.len());
            assert!(used > 0 || token.is_some(), "no progress");
            match token {
                Some(Token::Line { len }) => {
                    assert!(len > 0 && len <= line.len());
                    let _ = decode(&line[..len]);
                }
                Some(Token::Message { topic, payload }) => {
                    assert!(topic.start + topic.len <= payload.start || payload.len == 0);
                    assert!(payload.start + payload.len <= line.len());
                    assert_eq!(topic.get(&line).len(), topic.len);
                    assert_eq!(payload.get(&line).len(), payload.len);
                }
                _ => {}
            }
            rest = &rest[used..];
        }
    }
});
