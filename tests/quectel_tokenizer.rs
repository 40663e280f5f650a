//! Tokenizer with Quectel framing: `+QMTRECV` messages in the same-line and next-line forms,
//! hostile payloads, zero length, blank lines, overflow, the prompt. Every stream is checked
//! whole, byte by byte, at every two-way split and against a naive reference model (below);
//! random streams are checked against the model under random splits.

mod at_support;

use at_support::{line, msg, owned, random_chunks, run_chunks, Rng, Tok, Tok::*};
use cellmqtt::dialect::quectel::{Framing, Token, Tokenizer, MAX_QMTRECV_PAYLOAD};

fn new_tokenizer(prompt: bool) -> Tokenizer {
    let mut tok = Tokenizer::with_framing(Framing::Quectel);
    tok.set_expect_prompt(prompt);
    tok
}

fn tokens(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut buf = vec![0u8; cap];
    run_chunks(&mut new_tokenizer(prompt), &mut buf, [stream])
}

/// Whole, byte by byte, every two-way split, every chunk size up to 40, and the model.
fn check(stream: &[u8], cap: usize, prompt: bool, expected: &[Tok]) {
    let show = String::from_utf8_lossy(stream);
    assert_eq!(model(stream, cap, prompt), expected, "model: {show:?}");
    at_support::check_splits(|| new_tokenizer(prompt), stream, cap, expected);
}

fn header(topic: &[u8], len: usize, sep: &[u8]) -> Vec<u8> {
    let mut s = b"+QMTRECV: 0,0,\"".to_vec();
    s.extend(topic);
    s.extend(format!("\",{len}").as_bytes());
    s.extend(sep);
    s
}

// ---------------------------------------------------------------------------------------------
// Forms

#[test]
fn same_line_form_from_the_captures() {
    check(
        b"\r\n+QMTRECV: 0,0,\"topic/example\",5,\"hello\"\r\n",
        64,
        false,
        &[msg(b"topic/example", b"hello")],
    );
    check(
        b"\r\n\r\n+QMTRECV: 0,3,\"a/b\",2,\"hi\"\r\n\r\n\r\nOK\r\n",
        64,
        false,
        &[msg(b"a/b", b"hi"), line(b"OK")],
    );
    // No space after the colon, several spaces.
    check(b"+QMTRECV:0,0,\"t\",1,\"x\"", 32, false, &[msg(b"t", b"x")]);
    check(
        b"+QMTRECV:   5,65535,\"t\",1,\"x\"",
        32,
        false,
        &[msg(b"t", b"x")],
    );
}

#[test]
fn next_line_form() {
    let json = b"{\"on\":true,\"level\":42}.";
    assert_eq!(json.len(), 23);
    for sep in [&b"\r\n"[..], b"\r", b"\n", b",\r\n", b",\r", b",\n"] {
        for quote in [false, true] {
            let mut s = header(b"pump/01/cmd", 23, sep);
            if quote {
                s.push(b'"');
            }
            s.extend(json);
            if quote {
                s.push(b'"');
            }
            s.extend(b"\r\nOK\r\n");
            check(&s, 64, false, &[msg(b"pump/01/cmd", json), line(b"OK")]);
        }
    }
    // The count ended straight by the opening quote.
    check(
        b"+QMTRECV: 0,0,\"t\",2\"ab\"\r\n",
        32,
        false,
        &[msg(b"t", b"ab")],
    );
    // Unquoted on the same line after the comma.
    check(
        b"+QMTRECV: 0,0,\"t\",2,ab\r\n",
        32,
        false,
        &[msg(b"t", b"ab")],
    );
}

#[test]
fn payloads_are_counted_not_scanned() {
    let payloads: [&[u8]; 8] = [
        b"a\"b",
        b"\",\"",
        b"\r\n",
        b"\r",
        b"\n\n\n",
        b"\x00\xff\x00",
        b"\"\r\n+QMTRECV: 0,0,\"x\",3,\"abc\"\r\nOK\r\n",
        b"\"",
    ];
    for payload in payloads {
        for sep in [&b",\""[..], b"\r\n\"", b"\""] {
            let mut s = header(b"t", payload.len(), sep);
            s.extend(payload);
            s.extend(b"\"\r\nOK\r\n");
            check(&s, 96, false, &[msg(b"t", payload), line(b"OK")]);
        }
    }
}

#[test]
fn zero_length_payload() {
    check(
        b"+QMTRECV: 0,0,\"t\",0,\"\"\r\nOK\r\n",
        32,
        false,
        &[msg(b"t", b""), line(b"OK")],
    );
    check(
        b"\r\n+QMTRECV: 0,0,\"t\",0,\"\"\r\n\r\n+QMTRECV: 0,0,\"u\",1,\"x\"\r\n",
        32,
        false,
        &[msg(b"t", b""), msg(b"u", b"x")],
    );
    // Next-line form: reported at the next byte, and that byte starts the next line.
    check(
        b"+QMTRECV: 0,0,\"t\",0\r\nOK\r\n",
        32,
        false,
        &[msg(b"t", b""), line(b"OK")],
    );
    check(
        b"+QMTRECV: 0,0,\"t\",0\r\n\r\nOK\r\n",
        32,
        false,
        &[msg(b"t", b""), line(b"OK")],
    );
    // Reported with its count, before the separators arrive.
    assert_eq!(
        tokens(b"+QMTRECV: 0,0,\"t\",0,", 32, false),
        [msg(b"t", b"")]
    );
    assert_eq!(
        tokens(b"+QMTRECV: 0,0,\"t\",0\r", 32, false),
        [msg(b"t", b"")]
    );
    // Empty topic.
    check(
        b"+QMTRECV: 0,0,\"\",1,\"x\"\r\n",
        32,
        false,
        &[msg(b"", b"x")],
    );
}

#[test]
fn blank_lines_around_the_message() {
    for before in 0..=3 {
        for after in 0..=3 {
            let mut s = b"OK\r\n".to_vec();
            s.extend(b"\r\n".repeat(before));
            s.extend(header(b"a", 3, b",\""));
            s.extend(b"x\ny\"");
            s.extend(b"\r\n".repeat(after));
            s.extend(b"+QMTSTAT: 0,1\r\n");
            check(
                &s,
                64,
                false,
                &[line(b"OK"), msg(b"a", b"x\ny"), line(b"+QMTSTAT: 0,1")],
            );
        }
    }
}

#[test]
fn topic_edge_cases() {
    // The topic ends at the first `",<digits>` followed by `,`, CR, LF or `"`.
    check(
        b"+QMTRECV: 0,0,\"a\"b,c\",1,\"x\"",
        32,
        false,
        &[msg(b"a\"b,c", b"x")],
    );
    check(
        b"+QMTRECV: 0,0,\"a\",5x\",1,\"x\"",
        32,
        false,
        &[msg(b"a\",5x", b"x")],
    );
    check(
        b"+QMTRECV: 0,0,\"a\"\",1,\"x\"",
        32,
        false,
        &[msg(b"a\"", b"x")],
    );
    // Leading zeros are digits.
    check(
        b"+QMTRECV: 0,0,\"t\",003,\"abc\"",
        32,
        false,
        &[msg(b"t", b"abc")],
    );
}

#[test]
fn lines_that_are_not_messages() {
    for s in [
        &b"+QMTRECV: 0,1"[..],
        b"+QMTRECV: 0,0,0,0,0,0",
        b"+QMTRECV: 0,0,\"t\",\"payload\"",
        b"+QMTRECV: 0,0,t,3,abc",
        b"+QMTRECV: x,0,\"t\",1,\"x\"",
        b"+QMTRECV: 0,,\"t\",1,\"x\"",
        b"+QMTRECV: ,0,\"t\",1,\"x\"",
        b"+QMTRECV 0,0,\"t\",1,\"x\"",
        b" +QMTRECV: 0,0,\"t\",1,\"x\"",
        b"+QMTRECV: 0,0,\"t\",,\"x\"",
        b"+QMTRECV: 0,0,\"t\",1x",
        b"+MSUB: \"t\",1 byte,x",
        b"+QMTRECV: 0,0,\"",
    ] {
        let mut stream = s.to_vec();
        stream.extend(b"\r\nOK\r\n");
        check(&stream, 64, false, &[line(s), line(b"OK")]);
    }
}

#[test]
fn count_above_the_maximum_is_an_ordinary_line() {
    let s = format!(
        "+QMTRECV: 0,0,\"t\",{},\"ab\"\r\nOK\r\n",
        MAX_QMTRECV_PAYLOAD + 1
    );
    let first = &s.as_bytes()[..s.len() - 6];
    check(s.as_bytes(), 64, false, &[line(first), line(b"OK")]);
    let digits = "9".repeat(40);
    let s = format!("+QMTRECV: 0,0,\"t\",{digits},\"ab\"\r\n");
    check(
        s.as_bytes(),
        96,
        false,
        &[line(&s.as_bytes()[..s.len() - 2])],
    );
    // The largest accepted count.
    let mut s = header(b"t", MAX_QMTRECV_PAYLOAD, b",\"");
    s.extend(std::iter::repeat_n(b'\n', MAX_QMTRECV_PAYLOAD));
    s.extend(b"\"\r\nOK\r\n");
    assert_eq!(
        tokens(&s, 64, false),
        [MessageDropped(MAX_QMTRECV_PAYLOAD), line(b"OK")]
    );
    assert_eq!(model(&s, 64, false), tokens(&s, 64, false));
}

#[test]
fn message_too_big_for_the_buffer_is_skipped() {
    let mut s = header(b"topic", 40, b",\"");
    s.extend([b'\n'; 40]);
    s.extend(b"\"\r\nOK\r\n");
    check(&s, 30, false, &[MessageDropped(40), line(b"OK")]);
    // `+QMTRECV: 0,0,"` is 15 bytes; with the topic `abc` the header needs 18.
    check(
        b"+QMTRECV: 0,0,\"abc\",1,\"x\"",
        17,
        false,
        &[MessageDropped(1)],
    );
    check(
        b"+QMTRECV: 0,0,\"abc\",1,\"x\"",
        18,
        false,
        &[msg(b"abc", b"x")],
    );
    // Topic + payload exactly fill the buffer.
    check(
        b"+QMTRECV: 0,0,\"a\",19,\"0123456789abcdefghi\"",
        20,
        false,
        &[msg(b"a", b"0123456789abcdefghi")],
    );
    check(
        b"+QMTRECV: 0,0,\"a\",20,\"0123456789abcdefghij\"",
        20,
        false,
        &[MessageDropped(20)],
    );
    // A header longer than the buffer still frames its payload.
    let s = format!(
        "+QMTRECV: 0,0,\"{}\",5,\"a\r\nbc\"\r\nOK\r\n",
        "t".repeat(300)
    );
    check(s.as_bytes(), 64, false, &[MessageDropped(5), line(b"OK")]);
    check(
        b"OK\r\n+QMTRECV: 0,0,\"t\",2,\"ab\"\r\n",
        0,
        false,
        &[LineDiscarded(2), MessageDropped(2)],
    );
}

#[test]
fn interleaved_with_results_and_urcs() {
    let s: &[u8] = b"AT+QMTSUB=0,1,\"a/#\",1\r\r\nOK\r\n\r\n+QMTSUB: 0,1,0,1\r\n\
        \r\n+QMTRECV: 0,0,\"a/b\",3,\"r,1\"\r\n\
        \r\n+QMTRECV: 0,7,\"a/c\",4\r\n{OK}\r\n\
        +QMTSTAT: 0,1\r\n\r\n+QIURC: \"pdpdeact\",1\r\n";
    check(
        s,
        64,
        false,
        &[
            line(b"AT+QMTSUB=0,1,\"a/#\",1"),
            line(b"OK"),
            line(b"+QMTSUB: 0,1,0,1"),
            msg(b"a/b", b"r,1"),
            msg(b"a/c", b"{OK}"),
            line(b"+QMTSTAT: 0,1"),
            line(b"+QIURC: \"pdpdeact\",1"),
        ],
    );
}

#[test]
fn publish_prompt() {
    check(
        b"AT+QMTPUBEX=0,1,1,0,\"t\",3\r\r\n> ",
        64,
        true,
        &[line(b"AT+QMTPUBEX=0,1,1,0,\"t\",3"), Prompt],
    );
    check(
        b"\r\n> \r\nOK\r\n\r\n+QMTPUBEX: 0,1,0\r\n",
        64,
        true,
        &[Prompt, line(b"OK"), line(b"+QMTPUBEX: 0,1,0")],
    );
    check(b"> x\r\n", 16, false, &[line(b"> x")]);
}

#[test]
fn closing_quote_is_swallowed_only_right_after_the_payload() {
    let mut tok = new_tokenizer(false);
    let mut buf = [0u8; 32];
    let (n, t) = tok.push(&mut buf, b"+QMTRECV: 0,0,\"t\",1,\"x");
    assert_eq!(n, 22);
    assert_eq!(owned(t.unwrap(), &buf), msg(b"t", b"x"));
    assert!(tok.is_idle());
    // The quote arrives in the next read.
    assert_eq!(tok.push(&mut buf, b"\""), (1, None));
    assert_eq!(
        tok.push(&mut buf, b"\"\r\n"),
        (2, Some(Token::Line { len: 1 }))
    );
}

#[test]
fn next_line_payload_starting_with_a_quote_loses_it() {
    // The documented ambiguity: the quote is taken as the opening one, so the payload is read
    // one byte later; the stream stays in sync (the CR is in the payload, the LF is skipped).
    check(
        b"+QMTRECV: 0,0,\"t\",4\r\n\"OK\"\r\nOK\r\n",
        32,
        false,
        &[msg(b"t", b"OK\"\r"), line(b"OK")],
    );
}

#[test]
fn reset_keeps_the_framing() {
    let mut tok = new_tokenizer(false);
    let mut buf = [0u8; 64];
    assert_eq!(
        tok.push(&mut buf, b"+QMTRECV: 0,0,\"t\",9,\"ab"),
        (23, None)
    );
    tok.reset();
    assert!(tok.is_idle());
    assert_eq!(tok.framing(), Framing::Quectel);
    let got = run_chunks(
        &mut tok,
        &mut buf,
        [&b"+QMTRECV: 0,0,\"t\",1,\"z\"\r\n"[..]],
    );
    assert_eq!(got, [msg(b"t", b"z")]);
    // And Luat framing stays the default.
    assert_eq!(Tokenizer::new().framing(), Framing::Luat);
    let mut luat = Tokenizer::new();
    let got = run_chunks(
        &mut luat,
        &mut buf,
        [&b"+QMTRECV: 0,0,\"t\",1,\"z\"\r\n"[..]],
    );
    assert_eq!(got, [line(b"+QMTRECV: 0,0,\"t\",1,\"z\"")]);
}

// ---------------------------------------------------------------------------------------------
// Reference model: obviously-correct, slow, unbounded line; capacity applied at the end.

fn model(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut in_line = false;
    // A byte the previous token owns if it comes next: the prompt's space, the closing quote.
    let mut swallow: Option<u8> = None;
    let mut i = 0;
    while i < stream.len() {
        let b = stream[i];
        if swallow.take() == Some(b) {
            i += 1;
            continue;
        }
        let terminator = b == b'\r' || b == b'\n';
        if !in_line {
            if terminator {
                i += 1;
                continue;
            }
            if prompt && b == b'>' {
                out.push(Prompt);
                i += 1;
                swallow = Some(b' ');
                continue;
            }
            in_line = true;
            line.clear();
        }
        i += 1;
        let mut candidate = line.clone();
        candidate.push(b);
        if let Some((topic, n, topic_end)) = header_end(&candidate) {
            // Separators: `,` then a line end then `"`, each optional, in that order only.
            let mut stage = match b {
                b',' => 0,
                b'\r' => 1,
                b'\n' => 2,
                _ => 3, // the opening quote ended the count
            };
            let keep = topic_end <= cap && topic.len() + n <= cap;
            if n == 0 {
                out.push(if keep {
                    Message(topic.clone(), Vec::new())
                } else {
                    MessageDropped(0)
                });
            }
            while stage < 3 {
                let Some(&c) = stream.get(i) else {
                    return out; // the stream ends before the payload starts
                };
                stage = match (stage, c) {
                    (0, b'\r') => 1,
                    (0 | 1, b'\n') => 2,
                    (_, b'"') => {
                        i += 1;
                        3
                    }
                    _ => break,
                };
                if stage < 3 {
                    i += 1;
                }
            }
            if i + n > stream.len() {
                return out;
            }
            if n > 0 {
                out.push(if keep {
                    Message(topic, stream[i..i + n].to_vec())
                } else {
                    MessageDropped(n)
                });
            }
            i += n;
            in_line = false;
            swallow = Some(b'"');
            continue;
        }
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
    }
    out
}

/// If `line` is a complete `+QMTRECV:` header ending with the byte that ended its count: the
/// topic, the count and the line offset just past the topic. Called after every byte, so the
/// first header end found is the earliest one.
fn header_end(line: &[u8]) -> Option<(Vec<u8>, usize, usize)> {
    let body = line.strip_prefix(b"+QMTRECV:")?;
    let lead = body.iter().take_while(|&&b| b == b' ').count();
    let mut rest = &body[lead..];
    for _ in 0..2 {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        rest = rest[digits..].strip_prefix(b",")?;
    }
    let region = rest.strip_prefix(b"\"")?;
    let topic_start = line.len() - region.len();
    let (&end, region) = region.split_last()?;
    if !matches!(end, b',' | b'\r' | b'\n' | b'"') {
        return None;
    }
    let digits = region
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 {
        return None;
    }
    let (region, number) = region.split_at(region.len() - digits);
    let mut n: u128 = 0;
    for &d in number {
        n = (n * 10 + u128::from(d - b'0')).min(u128::MAX / 100);
    }
    if n > MAX_QMTRECV_PAYLOAD as u128 {
        return None;
    }
    let topic = region.strip_suffix(b"\",")?;
    Some((topic.to_vec(), n as usize, topic_start + topic.len()))
}

// ---------------------------------------------------------------------------------------------
// Random streams

fn random_stream(rng: &mut Rng) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"\r\nOK\r\n",
        b"\r\nERROR\r\n",
        b"\r\n+QMTPUBEX: 0,1,0\r\n",
        b"AT+CSQ\r",
        b"\r\n+QMTRECV: 0,1\r\n",
        b"+QMTRECV: 0,0,\"t\",\"p\"\r\n",
        b"> ",
        b">",
        b"\r\n",
        b"\r",
        b"\n",
        b"\x00",
        b"\xff",
        b" ",
        b",",
        b"\"",
        b"+QMTRECV:",
        b"+QMTRECV: 0,0,\"",
        b"\",",
        b"\",3,",
        b"\",2\r\n",
        b"0",
        b"7",
        b"topic/x",
        b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];
    let mut stream = Vec::new();
    for _ in 0..rng.below(30) {
        match rng.below(10) {
            0..=5 => stream.extend(rng.pick(PIECES)),
            6 => stream.push(rng.next() as u8),
            _ => {
                let topic = rng.pick(&[b"t", b"a/b", b"", b"x,y", b"q\"r", b"s\",1"]);
                let n = rng.below(20);
                let sep = rng.pick(&[b",\"", b",", b"\r\n", b"\r", b"\n", b"\"", b",\r\n\""]);
                stream.extend(&b"\r\n"[..rng.below(3)]);
                stream.extend(header(topic, n, sep));
                for _ in 0..n {
                    stream.push(rng.pick(&[b"\r", b"\n", b",", b"\"", b"a", b">", b"\xff"])[0]);
                }
                stream.extend(&b"\""[..rng.below(2)]);
                stream.extend(&b"\r\n"[..rng.below(3)]);
            }
        }
    }
    stream
}

#[test]
fn random_streams_match_the_model_under_random_splits() {
    let rounds = if cfg!(miri) { 12 } else { 20_000 };
    let mut rng = Rng(0x0BAD_CAFE_F00D_1234);
    for round in 0..rounds {
        let stream = random_stream(&mut rng);
        let cap = [0, 1, 5, 16, 24, 48, 200][rng.below(7)];
        let prompt = rng.below(2) == 0;
        let expected = model(&stream, cap, prompt);
        let mut buf = vec![0u8; cap];
        let chunks = random_chunks(&mut rng, &stream);
        let got = run_chunks(&mut new_tokenizer(prompt), &mut buf, chunks);
        assert_eq!(got, expected, "round {round}, cap {cap}, stream {stream:?}");
    }
}

#[test]
fn random_bytes_match_the_model() {
    let rounds = if cfg!(miri) { 4 } else { 5_000 };
    let mut rng = Rng(7);
    for _ in 0..rounds {
        let len = rng.below(300);
        let stream: Vec<u8> = (0..len)
            .map(|_| match rng.below(9) {
                0 => b'\r',
                1 => b'\n',
                2 => b',',
                3 => b'"',
                4 => b'0' + rng.below(3) as u8,
                _ => rng.next() as u8,
            })
            .collect();
        let cap = rng.below(40);
        let prompt = rng.below(2) == 0;
        let mut buf = vec![0u8; cap];
        let bytewise = run_chunks(&mut new_tokenizer(prompt), &mut buf, stream.chunks(1));
        assert_eq!(bytewise, model(&stream, cap, prompt));
        assert_eq!(tokens(&stream, cap, prompt), model(&stream, cap, prompt));
    }
}
