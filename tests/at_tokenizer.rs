//! Tokenizer: framing, the prompt, `+MSUB` counted payloads, overflow handling, reset. Every
//! stream checked here is also run byte by byte and through the reference model.

mod at_support;

use at_support::*;
use cellmqtt::dialect::luat::{Span, Token, Tokenizer, MAX_MSUB_PAYLOAD};

// ---------------------------------------------------------------------------------------------
// Framing

#[test]
fn crlf_framed_lines() {
    check(
        b"\r\nOK\r\n\r\n+CSQ: 20,99\r\n",
        64,
        false,
        &[line(b"OK"), line(b"+CSQ: 20,99")],
    );
}

#[test]
fn echo_ends_with_lone_cr() {
    check(
        b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
        64,
        false,
        &[line(b"AT+CSQ"), line(b"+CSQ: 20,99"), line(b"OK")],
    );
}

#[test]
fn lone_lf_and_runs_of_terminators_are_skipped() {
    check(
        b"\n\n\r\rRDY\n\r\n\r\r\nOK\n",
        64,
        false,
        &[line(b"RDY"), line(b"OK")],
    );
    check(b"\r\n\r\n\n\r", 64, false, &[]);
}

#[test]
fn garbage_becomes_lines() {
    check(
        b"OK\r\n\x00\x00^boot.rom'v'!\n?\r\n\xff\xfeRDY\r\n\x00\r\n",
        64,
        false,
        &[
            line(b"OK"),
            line(b"\x00\x00^boot.rom'v'!"),
            line(b"?"),
            line(b"\xff\xfeRDY"),
            line(b"\x00"),
        ],
    );
}

#[test]
fn partial_line_waits_for_its_terminator() {
    let mut tok = Tokenizer::new();
    let mut buf = [0u8; 32];
    assert_eq!(tok.push(&mut buf, b"\r\nPUBA"), (6, None));
    assert!(!tok.is_idle());
    assert_eq!(tok.push(&mut buf, b"CK"), (2, None));
    assert_eq!(
        tok.push(&mut buf, b"\r\nOK"),
        (1, Some(Token::Line { len: 6 }))
    );
    assert_eq!(&buf[..6], b"PUBACK");
    assert!(tok.is_idle());
}

#[test]
fn one_token_per_call_and_the_rest_left_unconsumed() {
    let mut tok = Tokenizer::new();
    let mut buf = [0u8; 32];
    let input = b"\r\nOK\r\n\r\nPUBACK\r\n";
    let (n, t) = tok.push(&mut buf, input);
    assert_eq!((n, t), (5, Some(Token::Line { len: 2 })));
    let (m, t) = tok.push(&mut buf, &input[n..]);
    assert_eq!((m, t), (10, Some(Token::Line { len: 6 })));
    assert_eq!(tok.push(&mut buf, &input[n + m..]), (1, None));
}

#[test]
fn overlong_line_is_discarded_and_framing_recovers() {
    let mut stream = b"\r\nOK\r\n".to_vec();
    stream.extend(std::iter::repeat_n(b'x', 100));
    stream.extend(b"\r\nPUBACK\r\n");
    check(
        &stream,
        16,
        false,
        &[line(b"OK"), LineDiscarded(100), line(b"PUBACK")],
    );
    // Exactly the capacity still fits; one more does not.
    check(b"0123456789\r\n", 10, false, &[line(b"0123456789")]);
    check(b"0123456789A\r\n", 10, false, &[LineDiscarded(11)]);
}

#[test]
fn zero_capacity_buffer_never_panics() {
    check(
        b"OK\r\n+MSUB: \"t\",2 byte,ab\r\n>\r\n",
        0,
        true,
        &[LineDiscarded(2), MessageDropped(2), Prompt],
    );
}

// ---------------------------------------------------------------------------------------------
// Prompt

#[test]
fn prompt_forms() {
    check(b">", 16, true, &[Prompt]);
    check(b"> ", 16, true, &[Prompt]);
    check(b"\r\n>", 16, true, &[Prompt]);
    check(b"\r\n> ", 16, true, &[Prompt]);
    check(
        b"AT+MPUBEX=\"t\",0,0,3\r\r\n> ",
        64,
        true,
        &[line(b"AT+MPUBEX=\"t\",0,0,3"), Prompt],
    );
    // Only one space belongs to the prompt.
    check(b">  x\r\n", 16, true, &[Prompt, line(b" x")]);
    // Data echo and the final result after the prompt.
    check(
        b"> abc\r\nOK\r\n",
        16,
        true,
        &[Prompt, line(b"abc"), line(b"OK")],
    );
}

#[test]
fn prompt_is_returned_without_waiting_for_more_input() {
    let mut tok = Tokenizer::new();
    tok.set_expect_prompt(true);
    let mut buf = [0u8; 16];
    assert_eq!(tok.push(&mut buf, b"\r\n>"), (3, Some(Token::Prompt)));
    // The space that belongs to the prompt may come in the next read.
    assert_eq!(tok.push(&mut buf, b" "), (1, None));
    assert_eq!(
        tok.push(&mut buf, b"\r\nOK\r\n"),
        (5, Some(Token::Line { len: 2 }))
    );
    assert_eq!(&buf[..2], b"OK");
}

#[test]
fn space_after_prompt_is_swallowed_only_right_after_it() {
    let mut tok = Tokenizer::new();
    tok.set_expect_prompt(true);
    let mut buf = [0u8; 16];
    assert_eq!(tok.push(&mut buf, b">"), (1, Some(Token::Prompt)));
    let got = run_chunks(&mut tok, &mut buf, [&b"\r\n x\r\n"[..]]);
    assert_eq!(got, [line(b" x")]);
}

#[test]
fn prompt_only_at_line_start_and_only_when_expected() {
    check(b"a>\r\n", 16, true, &[line(b"a>")]);
    check(b"> x\r\n", 16, false, &[line(b"> x")]);
    let mut tok = Tokenizer::new();
    let mut buf = [0u8; 16];
    // Not expected: `> ` stays a partial line.
    assert_eq!(tok.push(&mut buf, b"> "), (2, None));
    tok.reset();
    tok.set_expect_prompt(true);
    assert_eq!(tok.push(&mut buf, b"> "), (2, Some(Token::Prompt)));
    tok.set_expect_prompt(false);
    assert_eq!(
        tok.push(&mut buf, b">\r"),
        (2, Some(Token::Line { len: 1 }))
    );
}

// ---------------------------------------------------------------------------------------------
// +MSUB messages

#[test]
fn msub_quoted_topic_from_the_manual() {
    check(
        b"\r\n+MSUB: \"mqtt/sub_topic\",6 byte,123456\r\n",
        64,
        false,
        &[msg(b"mqtt/sub_topic", b"123456")],
    );
    check(
        b"\r\n+MSUB: \"/a1mxL3s6Z7m/866714043075174/user/get\",11 byte,Hello World\r\n",
        128,
        false,
        &[msg(
            b"/a1mxL3s6Z7m/866714043075174/user/get",
            b"Hello World",
        )],
    );
}

#[test]
fn msub_readback_forms() {
    check(
        b"+MSUB: mqtt/topic,9 byte,SSSSddddd\r\n+MSUB:mqtt/sub_topic,6 byte,123456\r\n\
          +MSUB: \"mqtt/pub_topic\",17 byte,publish 1 payload\r\nOK\r\n",
        64,
        false,
        &[
            msg(b"mqtt/topic", b"SSSSddddd"),
            msg(b"mqtt/sub_topic", b"123456"),
            msg(b"mqtt/pub_topic", b"publish 1 payload"),
            line(b"OK"),
        ],
    );
    check(b"+MSUB:   \"t\",1 byte,x", 32, false, &[msg(b"t", b"x")]);
    check(b"+MSUB:\"t\",1 byte,x", 16, false, &[msg(b"t", b"x")]);
}

#[test]
fn msub_payload_is_counted_not_scanned() {
    // The 20-byte example of S6, printed over three lines.
    let payload = b"{\n  \"msg\": \"hello\"\n}";
    assert_eq!(payload.len(), 20);
    let mut stream = b"\r\n+MSUB: \"a/b\",20 byte,".to_vec();
    stream.extend(payload);
    stream.extend(b"\r\n\r\nPUBACK\r\n");
    check(&stream, 64, false, &[msg(b"a/b", payload), line(b"PUBACK")]);
    // CR, LF, quotes, commas, a fake header and NULs inside the payload.
    let payload = b"\r\n,\",+MSUB: \"x\",3 byte,\r\nOK\r\n\x00\xff";
    let mut stream = format!("+MSUB: \"t\",{} byte,", payload.len()).into_bytes();
    stream.extend(payload);
    stream.extend(b"\r\nOK\r\n");
    check(&stream, 64, false, &[msg(b"t", payload), line(b"OK")]);
}

#[test]
fn msub_without_trailing_crlf_and_back_to_back() {
    check(
        b"+MSUB: \"a\",2 byte,xy+MSUB: \"b\",1 byte,zOK\r\n",
        32,
        false,
        &[msg(b"a", b"xy"), msg(b"b", b"z"), line(b"OK")],
    );
}

#[test]
fn msub_zero_length_payload() {
    check(
        b"+MSUB: \"t\",0 byte,\r\nOK\r\n",
        32,
        false,
        &[msg(b"t", b""), line(b"OK")],
    );
}

#[test]
fn msub_topic_edge_cases() {
    // Unquoted topics end at the first `,<digits> byte,`.
    check(b"+MSUB:a,b,1,2 byte,xy", 32, false, &[msg(b"a,b,1", b"xy")]);
    check(b"+MSUB:a,1 b,2 byte,xy", 32, false, &[msg(b"a,1 b", b"xy")]);
    // Quoted topics end at the first `",<digits> byte,`, so may hold quotes and commas.
    check(
        b"+MSUB: \"a\"b,c\",2 byte,xy",
        32,
        false,
        &[msg(b"a\"b,c", b"xy")],
    );
    check(
        b"+MSUB: \"a\",\",2 byte,xy",
        32,
        false,
        &[msg(b"a\",", b"xy")],
    );
    check(b"+MSUB: \"\",1 byte,x", 32, false, &[msg(b"", b"x")]);
    check(b"+MSUB:,1 byte,x", 32, false, &[msg(b"", b"x")]);
    // Leading zeros are just digits.
    check(
        b"+MSUB:t,007 byte,1234567",
        32,
        false,
        &[msg(b"t", b"1234567")],
    );
}

#[test]
fn not_a_message_header() {
    check(b"\r\n+MSUB: 0\r\n", 32, false, &[line(b"+MSUB: 0")]);
    check(b"+MSUB: 3\r\n", 32, false, &[line(b"+MSUB: 3")]);
    check(
        b"+MSUB:t,5 bytes\r\n",
        32,
        false,
        &[line(b"+MSUB:t,5 bytes")],
    );
    check(
        b"+MSUB:t,5byte,abc\r\n",
        32,
        false,
        &[line(b"+MSUB:t,5byte,abc")],
    );
    check(b"+MSUB:t, byte,\r\n", 32, false, &[line(b"+MSUB:t, byte,")]);
    check(
        b"+MSUB:t,x byte,\r\n",
        32,
        false,
        &[line(b"+MSUB:t,x byte,")],
    );
    // The MQTTMSGGET form without ` byte` (listed once in the manual) is not counted.
    check(b"+MSUB: t,3,abc\r\n", 32, false, &[line(b"+MSUB: t,3,abc")]);
    // The prefix must start the line.
    check(
        b" +MSUB: \"t\",1 byte,x\r\n",
        32,
        false,
        &[line(b" +MSUB: \"t\",1 byte,x")],
    );
    check(
        b"x+MSUB:t,1 byte,x\r\n",
        32,
        false,
        &[line(b"x+MSUB:t,1 byte,x")],
    );
    check(
        b"+MSUB \"t\",1 byte,x\r\n",
        32,
        false,
        &[line(b"+MSUB \"t\",1 byte,x")],
    );
    // Quoted topic: the opening quote cannot also close it.
    check(
        b"+MSUB: \",1 byte,x\r\n",
        32,
        false,
        &[line(b"+MSUB: \",1 byte,x")],
    );
}

#[test]
fn absurd_length_is_not_taken_as_a_length() {
    let huge = format!("+MSUB: \"t\",{} byte,ab\r\nOK\r\n", MAX_MSUB_PAYLOAD + 1);
    check(
        huge.as_bytes(),
        64,
        false,
        &[line(&huge.as_bytes()[..huge.len() - 6]), line(b"OK")],
    );
    // The largest accepted length (too slow to interpret under Miri).
    if !cfg!(miri) {
        let mut stream = format!("+MSUB: \"t\",{MAX_MSUB_PAYLOAD} byte,").into_bytes();
        stream.extend(std::iter::repeat_n(b'\n', MAX_MSUB_PAYLOAD));
        stream.extend(b"OK\r\n");
        check(
            &stream,
            64,
            false,
            &[MessageDropped(MAX_MSUB_PAYLOAD), line(b"OK")],
        );
    }
    let digits = "9".repeat(40);
    let stream = format!("+MSUB:t,{digits} byte,\r\n");
    check(
        stream.as_bytes(),
        64,
        false,
        &[line(&stream.as_bytes()[..stream.len() - 2])],
    );
}

#[test]
fn message_too_big_for_the_buffer_is_skipped() {
    let mut stream = b"+MSUB: \"topic\",40 byte,".to_vec();
    stream.extend([b'\n'; 40]);
    stream.extend(b"\r\nOK\r\n");
    check(&stream, 30, false, &[MessageDropped(40), line(b"OK")]);
    // Topic + payload exactly fill the buffer: kept. (The 16-byte header fits too.)
    check(
        b"+MSUB:a,15 byte,0123456789abcde",
        16,
        false,
        &[msg(b"a", b"0123456789abcde")],
    );
    check(
        b"+MSUB:a,16 byte,0123456789abcdef",
        16,
        false,
        &[MessageDropped(16)],
    );
    // The header up to the end of the topic must fit, even when topic + payload would.
    check(b"+MSUB: \"abc\",1 byte,x", 10, false, &[MessageDropped(1)]);
    check(b"+MSUB: \"abc\",1 byte,x", 11, false, &[msg(b"abc", b"x")]);
    check(b"+MSUB:abc,1 byte,x", 8, false, &[MessageDropped(1)]);
    check(b"+MSUB:abc,1 byte,x", 9, false, &[msg(b"abc", b"x")]);
}

#[test]
fn header_longer_than_the_buffer_still_frames_the_payload() {
    let topic = "t".repeat(300);
    let stream = format!("+MSUB: \"{topic}\",5 byte,a\r\nbc\r\nOK\r\n");
    check(
        stream.as_bytes(),
        64,
        false,
        &[MessageDropped(5), line(b"OK")],
    );
}

#[test]
fn spans_point_into_the_buffer() {
    let mut tok = Tokenizer::new();
    let mut buf = [0xAAu8; 64];
    let (n, t) = tok.push(&mut buf, b"+MSUB: \"a/b\",3 byte,xyz\r\n");
    assert_eq!(n, 23);
    let Some(Token::Message { topic, payload }) = t else {
        panic!("expected a message, got {t:?}")
    };
    assert_eq!(topic, Span { start: 0, len: 3 });
    assert_eq!(payload, Span { start: 3, len: 3 });
    assert_eq!(&buf[..6], b"a/bxyz");
}

#[test]
fn span_get_is_empty_out_of_range() {
    let buf = [1u8, 2, 3];
    assert_eq!(Span { start: 1, len: 2 }.get(&buf), &[2, 3]);
    assert_eq!(Span { start: 2, len: 2 }.get(&buf), &[] as &[u8]);
    assert_eq!(Span { start: 4, len: 0 }.get(&buf), &[] as &[u8]);
    assert_eq!(
        Span {
            start: usize::MAX,
            len: 2
        }
        .get(&buf),
        &[] as &[u8]
    );
}

#[test]
fn reset_forgets_partial_line_and_payload() {
    let mut tok = Tokenizer::new();
    let mut buf = [0u8; 64];
    assert_eq!(tok.push(&mut buf, b"+CSQ: 2"), (7, None));
    tok.reset();
    assert!(tok.is_idle());
    assert_eq!(
        tok.push(&mut buf, b"OK\r"),
        (3, Some(Token::Line { len: 2 }))
    );
    assert_eq!(tok.push(&mut buf, b"+MSUB: \"t\",10 byte,abc"), (22, None));
    tok.reset();
    assert_eq!(
        tok.push(&mut buf, b"RDY\r"),
        (4, Some(Token::Line { len: 3 }))
    );
    assert_eq!(&buf[..3], b"RDY");
    // The prompt setting survives a reset.
    tok.set_expect_prompt(true);
    tok.reset();
    assert_eq!(tok.push(&mut buf, b">"), (1, Some(Token::Prompt)));
}

#[test]
fn a_session_transcript() {
    let stream: &[u8] = b"AT\r\r\nOK\r\nAT+MCONFIG=\"id\",\"\",\"\"\r\r\nOK\r\n\
        AT+MIPSTART=\"lbsmqtt.airm2m.com\",1884\r\r\nOK\r\n\r\nCONNECT OK\r\n\
        AT+MCONNECT=1,120\r\r\nOK\r\n\r\nCONNACK OK\r\n\
        AT+MSUB=\"mqtt/sub_topic\",0\r\r\nOK\r\n\r\nSUBACK\r\n\
        \r\n+MSUB: \"mqtt/sub_topic\",6 byte,123456\r\n\
        AT+MPUB=\"mqtt/pub\",1,0,\"{\\22a\\22:1}\"\r\r\nOK\r\n\r\nPUBACK\r\n\
        \r\nCLOSED\r\n\r\n+CGEV: NW PDN DEACT 1\r\n";
    let got = tokens(stream, 128, false);
    assert_eq!(got.len(), 19);
    assert!(got.contains(&msg(b"mqtt/sub_topic", b"123456")));
    assert_eq!(got.last(), Some(&line(b"+CGEV: NW PDN DEACT 1")));
    assert_eq!(model(stream, 128, false), got);
    every_split(stream, 128, false);
}

#[test]
fn buffer_size_changing_between_calls_does_not_panic() {
    // Misuse, but must stay memory-safe and panic-free.
    let mut tok = Tokenizer::new();
    let mut big = [0u8; 64];
    let mut small = [0u8; 4];
    tok.push(&mut big, b"+MSUB: \"topic\",20 byte,0123456789");
    let (_, t) = tok.push(&mut small, b"0123456789\r\n");
    assert!(matches!(t, Some(Token::Message { .. })));
    tok.push(&mut big, b"0123456789012");
    let (_, t) = tok.push(&mut small, b"\r\n");
    assert_eq!(t, Some(Token::LineDiscarded { len: 13 }));
}
