//! The tokenizer against the naive reference model (tests/at_support): fixed streams cut at
//! every split point and chunk size, and random streams (realistic pieces mixed with hostile
//! bytes, and pure random bytes) cut at random points.

mod at_support;

use at_support::*;
use cellmqtt::dialect::luat::Tokenizer;

#[test]
fn split_anywhere_gives_the_same_tokens() {
    let streams: [&[u8]; 5] = [
        b"\r\n+MSUB: \"a/b\",12 byte,\r\nOK\r\n\",x,y\r\nPUBACK\r\n",
        b"+MSUB:t,3 byte,abc+MSUB: 1\r\n> \r\n>x\r\n",
        b"0123456789012345678901234\r\nOK\r\n+MSUB: \"abcdefghij\",9 byte,123456789\r\n",
        b"AT+MPUBEX=\"t\",1,0,4\r\r\n> \r\nOK\r\n\r\nPUBACK\r\n",
        b"\x00\xff\r+MSUB: \"t\",99999999 byte,ab\r\n+MSUB: \"x\",2 byte,\r\n",
    ];
    let caps: &[usize] = if cfg!(miri) {
        &[0, 16, 64]
    } else {
        &[0, 8, 16, 24, 64]
    };
    for stream in streams {
        for &cap in caps {
            for prompt in [false, true] {
                every_split(stream, cap, prompt);
                assert_eq!(model(stream, cap, prompt), tokens(stream, cap, prompt));
            }
        }
    }
}

/// A stream of realistic pieces with hostile bytes mixed in.
fn random_stream(rng: &mut Rng) -> Vec<u8> {
    const PIECES: &[&[u8]] = &[
        b"\r\nOK\r\n",
        b"\r\nERROR\r\n",
        b"\r\nPUBACK\r\n",
        b"AT+CSQ\r",
        b"\r\n+CSQ: 20,99\r\n",
        b"\r\n+MSUB: 0\r\n",
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
        b"+MSUB:",
        b"+MSUB: \"",
        b" byte,",
        b",3 byte,",
        b"\",2 byte,",
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
                // A well-formed message with a hostile payload.
                let topic = rng.pick(&[b"t", b"a/b", b"", b"x,y", b"q\"r"]);
                let n = rng.below(20);
                let quoted = rng.below(2) == 0;
                stream.extend(b"\r\n+MSUB:");
                stream.extend(&b"  "[..rng.below(3)]);
                if quoted {
                    stream.push(b'"');
                }
                stream.extend(topic);
                if quoted {
                    stream.push(b'"');
                }
                stream.extend(format!(",{n} byte,").as_bytes());
                for _ in 0..n {
                    stream.push(
                        *rng.pick(&[b"\r", b"\n", b",", b"\"", b"a", b">", b"\xff"])
                            .first()
                            .unwrap(),
                    );
                }
                stream.extend(&b"\r\n"[..rng.below(3)]);
            }
        }
    }
    stream
}

#[test]
fn random_streams_match_the_model_under_random_splits() {
    let rounds = if cfg!(miri) { 40 } else { 20_000 };
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for round in 0..rounds {
        let stream = random_stream(&mut rng);
        let cap = [0, 1, 5, 12, 24, 48, 200][rng.below(7)];
        let prompt = rng.below(2) == 0;
        let expected = model(&stream, cap, prompt);
        let mut tok = Tokenizer::new();
        tok.set_expect_prompt(prompt);
        let mut buf = vec![0u8; cap];
        let chunks = random_chunks(&mut rng, &stream);
        let got = run_chunks(&mut tok, &mut buf, chunks);
        assert_eq!(got, expected, "round {round}, cap {cap}, stream {stream:?}");
    }
}

#[test]
fn random_bytes_never_panic_and_match_the_model() {
    let rounds = if cfg!(miri) { 12 } else { 5_000 };
    let mut rng = Rng(42);
    for _ in 0..rounds {
        let len = rng.below(300);
        let stream: Vec<u8> = (0..len)
            .map(|_| match rng.below(8) {
                0 => b'\r',
                1 => b'\n',
                2 => b',',
                3 => b'"',
                _ => rng.next() as u8,
            })
            .collect();
        let cap = rng.below(40);
        let prompt = rng.below(2) == 0;
        assert_eq!(
            tokens_bytewise(&stream, cap, prompt),
            model(&stream, cap, prompt)
        );
        assert_eq!(tokens(&stream, cap, prompt), model(&stream, cap, prompt));
    }
}
