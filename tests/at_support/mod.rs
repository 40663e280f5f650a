//! Shared by the tokenizer tests: an owned token type, a driver that checks the push contract
//! on every call, and a naive byte-at-a-time reference model of the tokenizer.
#![allow(dead_code)]

use cellmqtt::dialect::luat::{Token, Tokenizer, MAX_MSUB_PAYLOAD};

/// Owned form of a token, for comparisons.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Tok {
    Line(Vec<u8>),
    Prompt,
    Message(Vec<u8>, Vec<u8>),
    MessageDropped(usize),
    LineDiscarded(usize),
}
pub use Tok::*;

pub fn line(s: &[u8]) -> Tok {
    Line(s.to_vec())
}
pub fn msg(topic: &[u8], payload: &[u8]) -> Tok {
    Message(topic.to_vec(), payload.to_vec())
}

/// Feeds `chunks` one after another, calling push until each is consumed; checks the push
/// contract on every call and returns the tokens in owned form.
pub fn run_chunks<'c>(
    tok: &mut Tokenizer,
    buf: &mut [u8],
    chunks: impl IntoIterator<Item = &'c [u8]>,
) -> Vec<Tok> {
    let mut out = Vec::new();
    for chunk in chunks {
        let mut pos = 0;
        while pos < chunk.len() {
            let (n, token) = tok.push(buf, &chunk[pos..]);
            assert!(n >= 1, "push made no progress");
            assert!(n <= chunk.len() - pos, "push consumed more than given");
            pos += n;
            if let Some(token) = token {
                out.push(owned(token, buf));
            }
        }
        // Empty input: nothing happens.
        assert_eq!(tok.push(buf, &[]), (0, None));
    }
    out
}

pub fn owned(token: Token, buf: &[u8]) -> Tok {
    match token {
        Token::Line { len } => {
            assert!(len >= 1 && len <= buf.len());
            Line(buf[..len].to_vec())
        }
        Token::Prompt => Prompt,
        Token::Message { topic, payload } => {
            assert_eq!(topic.start, 0, "topic is at the start of the buffer");
            assert_eq!(payload.start, topic.len, "payload follows the topic");
            assert!(payload.start + payload.len <= buf.len());
            Message(topic.get(buf).to_vec(), payload.get(buf).to_vec())
        }
        Token::MessageDropped { payload_len } => MessageDropped(payload_len),
        Token::LineDiscarded { len } => {
            assert!(len > buf.len());
            LineDiscarded(len)
        }
    }
}

pub fn tokens(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut tok = Tokenizer::new();
    tok.set_expect_prompt(prompt);
    let mut buf = vec![0u8; cap];
    run_chunks(&mut tok, &mut buf, [stream])
}

/// Same, one byte per call.
pub fn tokens_bytewise(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut tok = Tokenizer::new();
    tok.set_expect_prompt(prompt);
    let mut buf = vec![0u8; cap];
    run_chunks(&mut tok, &mut buf, stream.chunks(1))
}

/// Checks one stream whole, byte by byte, and against the reference model.
pub fn check(stream: &[u8], cap: usize, prompt: bool, expected: &[Tok]) {
    assert_eq!(tokens(stream, cap, prompt), expected, "whole");
    assert_eq!(tokens_bytewise(stream, cap, prompt), expected, "bytewise");
    assert_eq!(model(stream, cap, prompt), expected, "model");
}

// ---------------------------------------------------------------------------------------------
// Reference model: obviously-correct, slow, unbounded line; capacity applied at the end.

pub fn model(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut in_line = false;
    let mut i = 0;
    while i < stream.len() {
        let b = stream[i];
        let terminator = b == b'\r' || b == b'\n';
        if !in_line {
            if terminator {
                i += 1;
                continue;
            }
            if prompt && b == b'>' {
                out.push(Prompt);
                i += 1;
                if stream.get(i) == Some(&b' ') {
                    i += 1;
                }
                continue;
            }
            in_line = true;
            line.clear();
        }
        i += 1;
        if terminator {
            out.push(if line.len() <= cap {
                Line(line.clone())
            } else {
                LineDiscarded(line.len())
            });
            in_line = false;
            continue;
        }
        line.push(b);
        if let Some((topic, n, topic_end)) = header_end(&line) {
            if i + n > stream.len() {
                break; // stream ends inside the payload
            }
            let payload = &stream[i..i + n];
            out.push(if topic_end <= cap && topic.len() + n <= cap {
                Message(topic, payload.to_vec())
            } else {
                MessageDropped(n)
            });
            i += n;
            in_line = false;
        }
    }
    out
}

/// If `line` (so far) is a complete `+MSUB:` header: its topic, announced length, and the line
/// offset just past the topic. Called after every byte, so the first header end found is the
/// earliest one.
pub fn header_end(line: &[u8]) -> Option<(Vec<u8>, usize, usize)> {
    let body = line.strip_prefix(b"+MSUB:")?;
    let lead = body.iter().take_while(|&&b| b == b' ').count();
    let after = &body[lead..];
    let quoted = after.first() == Some(&b'"');
    let region = if quoted { &after[1..] } else { after };
    let rest = region.strip_suffix(b" byte,")?;
    let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let (rest, number) = rest.split_at(rest.len() - digits);
    let mut n: u128 = 0;
    for &d in number {
        n = (n * 10 + u128::from(d - b'0')).min(u128::MAX / 100);
    }
    if n > MAX_MSUB_PAYLOAD as u128 {
        return None;
    }
    let rest = rest.strip_suffix(b",")?;
    let topic = if quoted {
        rest.strip_suffix(b"\"")?
    } else {
        rest
    };
    let topic_end = b"+MSUB:".len() + lead + usize::from(quoted) + topic.len();
    Some((topic.to_vec(), n as usize, topic_end))
}

// ---------------------------------------------------------------------------------------------
// Split invariance and the model

/// Every two-chunk split and every fixed chunk size give the whole-input tokens. (Under Miri, a
/// spread-out sample of them.)
pub fn every_split(stream: &[u8], cap: usize, prompt: bool) {
    let whole = tokens(stream, cap, prompt);
    let step = if cfg!(miri) { 1 + stream.len() / 8 } else { 1 };
    for at in (0..=stream.len()).step_by(step) {
        let mut tok = Tokenizer::new();
        tok.set_expect_prompt(prompt);
        let mut buf = vec![0u8; cap];
        let (a, b) = stream.split_at(at);
        assert_eq!(
            run_chunks(&mut tok, &mut buf, [a, b]),
            whole,
            "split at {at}"
        );
    }
    for size in (1..=stream.len().min(40)).step_by(step) {
        let mut tok = Tokenizer::new();
        tok.set_expect_prompt(prompt);
        let mut buf = vec![0u8; cap];
        assert_eq!(
            run_chunks(&mut tok, &mut buf, stream.chunks(size)),
            whole,
            "chunks of {size}"
        );
    }
}

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
/// `stream` cut at random points into non-empty pieces.
pub fn random_chunks<'s>(rng: &mut Rng, stream: &'s [u8]) -> Vec<&'s [u8]> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let (a, b) = rest.split_at(rng.below(rest.len() + 1).max(1).min(rest.len()));
        chunks.push(a);
        rest = b;
    }
    chunks
}

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// A stream whole, at every two-way split and in chunks of every size up to 40, each through a
/// fresh tokenizer from `make` with a buffer of `cap`, must give `expected`. Under Miri (an
/// interpreter, slow) every seventeenth split and chunk size: the native run checks them all.
pub fn check_splits(make: impl Fn() -> Tokenizer, stream: &[u8], cap: usize, expected: &[Tok]) {
    let show = String::from_utf8_lossy(stream);
    let run = |chunks: Vec<&[u8]>| {
        let mut buf = vec![0u8; cap];
        run_chunks(&mut make(), &mut buf, chunks)
    };
    assert_eq!(run(vec![stream]), expected, "whole: {show:?}");
    let stride = if cfg!(miri) { 17 } else { 1 };
    for at in (0..=stream.len()).step_by(stride) {
        let (a, b) = stream.split_at(at);
        assert_eq!(run(vec![a, b]), expected, "split at {at}: {show:?}");
    }
    for size in (1..=stream.len().clamp(1, 40)).step_by(stride) {
        assert_eq!(
            run(stream.chunks(size).collect()),
            expected,
            "chunks of {size}: {show:?}"
        );
    }
}
