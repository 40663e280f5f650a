//! Tokenizer + decoder of either dialect on arbitrary bytes split at arbitrary points; the
//! first byte picks the framing (odd: Quectel `+QMTRECV`, even: Luat `+MSUB`), the second
//! the buffer size, split pattern and prompt as in `at_stream`.
//! Invariants: no panic; every call makes progress; spans lie in the buffer; a message's
//! spans never overlap; the decoder accepts every line, with and without the state query.
#![no_main]

use cellmqtt::dialect::tokenizer::{Framing, Token, Tokenizer};
use cellmqtt::dialect::{luat, quectel};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [pick, ctl, stream @ ..] = data else {
        return;
    };
    let framing = if pick & 1 == 1 {
        Framing::Quectel
    } else {
        Framing::Luat
    };
    let mut line = vec![0u8; 16 + usize::from(ctl & 0x3f) * 8];
    let split = usize::from(ctl >> 6) * 7 + 1;
    let mut tok = Tokenizer::with_framing(framing);
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
                    match framing {
                        Framing::Quectel => {
                            let _ = quectel::decode(text, false);
                            let _ = quectel::decode(text, true);
                        }
                        Framing::Luat => {
                            let _ = luat::decode(text);
                        }
                        // Never picked here: `simcom_stream` covers it.
                        Framing::Simcom => {}
                    }
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
