//! Tokenizer with SIMCom framing (docs/quectel-simcom-at.md §4.8, §4.14 item 5): messages in
//! `+CMQTTRXSTART` … `+CMQTTRXEND` sequences with raw LF, quotes and binary, topics and
//! payloads in several chunks, empty payloads, blank lines between parts, the vendor's framing
//! without them, messages larger than the buffer, broken sequences, the prompt. Every stream is
//! checked whole, at every two-way split and in chunks of every size; random well-formed
//! streams are checked against the tokens they were built from, under random splits.

mod at_support;

use at_support::{line, msg, random_chunks, run_chunks, Rng, Tok, Tok::*};
use cellmqtt::dialect::simcom::{Framing, Tokenizer, MAX_CMQTT_PAYLOAD, MAX_CMQTT_TOPIC};

fn new_tokenizer(prompt: bool) -> Tokenizer {
    let mut tok = Tokenizer::with_framing(Framing::Simcom);
    tok.set_expect_prompt(prompt);
    tok
}

fn tokens(stream: &[u8], cap: usize, prompt: bool) -> Vec<Tok> {
    let mut buf = vec![0u8; cap];
    run_chunks(&mut new_tokenizer(prompt), &mut buf, [stream])
}

/// Whole, every two-way split, every chunk size up to 40.
fn check(stream: &[u8], cap: usize, prompt: bool, expected: &[Tok]) {
    at_support::check_splits(|| new_tokenizer(prompt), stream, cap, expected);
}

/// One message as the module frames it: chunks of at most `chunk` bytes, `gap` between parts.
fn message(topic: &[u8], payload: &[u8], chunk: usize, gap: &[u8]) -> Vec<u8> {
    let mut m = format!("+CMQTTRXSTART: 0,{},{}\r\n", topic.len(), payload.len()).into_bytes();
    for part in topic.chunks(chunk) {
        m.extend_from_slice(gap);
        m.extend_from_slice(format!("+CMQTTRXTOPIC: 0,{}\r\n", part.len()).as_bytes());
        m.extend_from_slice(part);
    }
    for part in payload.chunks(chunk) {
        m.extend_from_slice(gap);
        m.extend_from_slice(format!("+CMQTTRXPAYLOAD: 0,{}\r\n", part.len()).as_bytes());
        m.extend_from_slice(part);
    }
    m.extend_from_slice(gap);
    m.extend_from_slice(b"+CMQTTRXEND: 0\r\n");
    m
}

// ---------------------------------------------------------------------------------------------
// Forms

#[test]
fn the_captured_form_with_blank_lines() {
    let mut s = b"\r\n".to_vec();
    s.extend(message(b"a/b", b"hello", 1500, b"\r\n"));
    s.extend(b"\r\nOK\r\n");
    check(&s, 64, false, &[msg(b"a/b", b"hello"), line(b"OK")]);
}

#[test]
fn the_vendor_form_without_blank_lines() {
    let s = message(b"t", b"p", 1500, b"");
    check(&s, 32, false, &[msg(b"t", b"p")]);
    // Spaces around the numbers, lone LF and lone CR terminators.
    check(
        b"+CMQTTRXSTART:0 , 1 ,2\n+CMQTTRXTOPIC: 0 ,1\rt+CMQTTRXPAYLOAD:0,2\nhi\r\n+CMQTTRXEND:0\n",
        32,
        false,
        &[msg(b"t", b"hi")],
    );
}

#[test]
fn raw_payload_bytes_are_read_by_count() {
    let payload = b"\r\n+CMQTTRXEND: 0\r\n\"quoted\"\n\x00\xff>";
    check(
        &message(b"q/raw", payload, 1500, b"\r\n"),
        64,
        true,
        &[msg(b"q/raw", payload)],
    );
    // A payload starting with LF after the count's CR LF keeps it.
    check(
        &message(b"t", b"\nx", 1500, b""),
        32,
        false,
        &[msg(b"t", b"\nx")],
    );
}

#[test]
fn chunked_topic_and_payload_are_joined() {
    let topic = b"a/long/topic/name";
    // Every byte value (every ninth under Miri: each split re-reads the whole stream).
    let payload: Vec<u8> = (0..=255u8)
        .step_by(if cfg!(miri) { 9 } else { 1 })
        .collect();
    check(
        &message(topic, &payload, 5, b"\r\n\r\n"),
        300,
        false,
        &[msg(topic, &payload)],
    );
}

#[test]
fn an_empty_payload_has_no_payload_part() {
    check(
        b"+CMQTTRXSTART: 0,3,0\r\n+CMQTTRXTOPIC: 0,3\r\na/b\r\n+CMQTTRXEND: 0\r\nOK\r\n",
        32,
        false,
        &[msg(b"a/b", b""), line(b"OK")],
    );
}

#[test]
fn the_largest_message_at_the_module_limits() {
    let topic = vec![b't'; MAX_CMQTT_TOPIC];
    let payload: Vec<u8> = (0..MAX_CMQTT_PAYLOAD).map(|i| (i % 253) as u8).collect();
    let s = message(&topic, &payload, 1500, b"\r\n");
    let cap = MAX_CMQTT_TOPIC + MAX_CMQTT_PAYLOAD;
    assert_eq!(tokens(&s, cap, false), [msg(&topic, &payload)]);
    // One byte short of room: dropped, counted with its payload length.
    assert_eq!(
        tokens(&s, cap - 1, false),
        [MessageDropped(MAX_CMQTT_PAYLOAD)]
    );
}

// ---------------------------------------------------------------------------------------------
// Overflow and broken sequences

#[test]
fn a_message_larger_than_the_buffer_is_dropped_and_the_stream_goes_on() {
    let payload = [b'p'; 30];
    let mut s = message(b"topic", &payload, 4, b"\r\n");
    s.extend(b"\r\nOK\r\n");
    check(&s, 34, false, &[MessageDropped(30), line(b"OK")]);
    check(&s, 35, false, &[msg(b"topic", &payload), line(b"OK")]);
    // A start line longer than the buffer is a discarded line, and so are its parts.
    let s = message(b"t", b"", 4, b"");
    assert_eq!(
        tokens(&s, 8, false),
        [LineDiscarded(20), LineDiscarded(18), LineDiscarded(15)]
    );
}

#[test]
fn chunks_of_a_dropped_message_are_still_checked_against_its_totals() {
    // Too large for the buffer (not stored), yet a second topic chunk overruns the topic's
    // total: the message is lost at that part line, and what follows frames as usual.
    let s = b"+CMQTTRXSTART: 0,3,30\r\n+CMQTTRXTOPIC: 0,3\r\nabc+CMQTTRXTOPIC: 0,1\r\nOK\r\n";
    for cap in [24, 64] {
        check(s, cap, false, &[MessageDropped(30), line(b"OK")]);
    }
}

#[test]
fn totals_out_of_range_are_an_ordinary_line() {
    let too_big = format!("+CMQTTRXSTART: 0,1,{}", MAX_CMQTT_PAYLOAD + 1);
    for start in [
        &b"+CMQTTRXSTART: 0,0,5"[..],
        b"+CMQTTRXSTART: 0,1025,5",
        too_big.as_bytes(),
        b"+CMQTTRXSTART: 0,1",
        b"+CMQTTRXSTART: 0,1,2,3",
        b"+CMQTTRXSTART: 0,x,2",
    ] {
        let mut s = start.to_vec();
        s.extend(b"\r\nOK\r\n");
        check(&s, 64, false, &[line(start), line(b"OK")]);
    }
}

#[test]
fn a_line_that_is_no_part_ends_the_message_as_lost() {
    // Another URC where a part belongs: the message is lost, the URC is a line.
    check(
        b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTCONNLOST: 0,1\r\nOK\r\n",
        64,
        false,
        &[MessageDropped(2), line(b"+CMQTTCONNLOST: 0,1"), line(b"OK")],
    );
    // A new start: the first is lost, the second framed.
    let mut s = b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n".to_vec();
    s.extend(message(b"u", b"v", 9, b"\r\n"));
    check(&s, 64, false, &[MessageDropped(2), msg(b"u", b"v")]);
    // A chunk beyond the totals, a malformed count.
    check(
        b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,2\r\nOK\r\n",
        64,
        false,
        &[MessageDropped(2), line(b"OK")],
    );
    check(
        b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,x\r\nOK\r\n",
        64,
        false,
        &[MessageDropped(2), line(b"x"), line(b"OK")],
    );
    // The end before every byte arrived.
    check(
        b"+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXEND: 0\r\nOK\r\n",
        64,
        false,
        &[MessageDropped(2), line(b"OK")],
    );
}

#[test]
fn prompt_and_ordinary_lines_pass_through() {
    check(
        b"\r\n> \r\n+CMQTTSUB: 0,0\r\n",
        32,
        true,
        &[Prompt, line(b"+CMQTTSUB: 0,0")],
    );
    check(b"+CMQTTRX\r\n", 32, false, &[line(b"+CMQTTRX")]);
    assert_eq!(new_tokenizer(false).framing(), Framing::Simcom);
}

// ---------------------------------------------------------------------------------------------
// Random well-formed streams

#[test]
fn random_streams_give_their_tokens_under_random_splits() {
    let rounds = if cfg!(miri) { 12 } else { 5_000 };
    let mut rng = Rng(0x5157_C0DE_0000_0014);
    for round in 0..rounds {
        let cap = [40, 48, 64, 200][rng.below(4)];
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..rng.below(8) {
            stream.extend(&b"\r\n"[..rng.below(3)]);
            if rng.below(3) == 0 {
                let text = rng.pick(&[b"OK", b"+CMQTTPUB: 0,0", b"+CMQTTRX", b"ERROR"]);
                stream.extend(text);
                stream.extend(b"\r\n");
                expected.push(line(text));
                continue;
            }
            let topic: Vec<u8> = (0..1 + rng.below(20)).map(|_| rng.next() as u8).collect();
            let payload: Vec<u8> = (0..rng.below(60))
                .map(|_| rng.pick(&[b"\r", b"\n", b"\"", b"+", b"a", b"\xff"])[0])
                .collect();
            let chunk = 1 + rng.below(30);
            let gap = rng.pick(&[b"", b"\r\n", b"\r\n\r\n"]);
            stream.extend(message(&topic, &payload, chunk, gap));
            expected.push(if topic.len() + payload.len() <= cap {
                msg(&topic, &payload)
            } else {
                MessageDropped(payload.len())
            });
        }
        let mut buf = vec![0u8; cap];
        let chunks = random_chunks(&mut rng, &stream);
        let got = run_chunks(&mut new_tokenizer(false), &mut buf, chunks);
        assert_eq!(got, expected, "round {round}, cap {cap}, stream {stream:?}");
    }
}
