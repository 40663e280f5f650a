//! Tokenizer with SIMCom framing + the SIMCom decoder on arbitrary bytes split at arbitrary
//! points (docs/quectel-simcom-at.md §4.8); the first byte picks the buffer size, split
//! pattern and prompt as in `quectel_stream`.
//! Invariants: no panic; every call makes progress; spans lie in the buffer; a message's topic
//! comes before its payload and never overlaps it; the decoder accepts every line, with and
//! without the state query.
#![no_main]

use cellmqtt::dialect::simcom;
use cellmqtt::dialect::tokenizer::{Framing, Token, Tokenizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [ctl, stream @ ..] = data else {
        return;
    };
    let mut line = vec![0u8; 16 + usize::from(ctl & 0x3f) * 8];
    let split = usize::from(ctl >> 6) * 7 + 1;
    let mut tok = Tokenizer::with_framing(Framing::Simcom);
    tok.set_expect_prompt(ctl & 1 == 1);
    for chunk in stream.chunks(split) {
        let mut rest = chunk;
        while !rest.is_empty() {
            let (used, token) = tok.push(&mut line, rest);
            assert!(used <= rest.len());
            assert!(used > 0, "no progress");
            match token {
                Some(Token::Line { len }) => {
                    assert!(len > 0 && len <= line.len());
                    let text = &line[..len];
                    let _ = simcom::decode(text, false);
                    let _ = simcom::decode(text, true);
                }
                Some(Token::Message { topic, payload }) => {
                    assert_eq!(topic.start, 0);
                    assert_eq!(payload.start, topic.len);
                    assert!(payload.start + payload.len <= line.len());
                    assert!(topic.len <= simcom::MAX_CMQTT_TOPIC);
                    assert!(payload.len <= simcom::MAX_CMQTT_PAYLOAD);
                }
                Some(Token::MessageDropped { payload_len }) => {
                    assert!(payload_len <= simcom::MAX_CMQTT_PAYLOAD);
                }
                _ => {}
            }
            rest = &rest[used..];
        }
    }
});
