//! Encoder: byte-exact commands, MPUB escaping, chunked encoding equal to one-shot encoding for
//! every chunk size, encoded_len, cursor resumption as the engine does it after a short UART
//! write, and the payload/field checks.

mod encode_support;

use cellmqtt::dialect::luat::{
    check_quotable, encode, encoded_len, mpub_escaped_len, needs_binary, Command, Qos, SslValue,
    TxCursor, Will,
};
use cellmqtt::Status;

fn encode_all(cmd: &Command<'_>) -> Vec<u8> {
    encode_support::encode_all(encoded_len(cmd), |c, out| encode(cmd, c, out))
}

fn encode_chunked(cmd: &Command<'_>, size: usize) -> Vec<u8> {
    encode_support::encode_chunked(encoded_len(cmd), size, |c, out| encode(cmd, c, out))
}

fn exact(cmd: Command<'_>, expected: &[u8]) {
    let got = encode_all(&cmd);
    assert_eq!(
        got,
        expected,
        "{:?}\n got {:?}\nwant {:?}",
        cmd,
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(encoded_len(&cmd), expected.len(), "encoded_len of {cmd:?}");
}

#[test]
fn fixed_commands() {
    exact(Command::At, b"AT\r");
    exact(Command::EchoOff, b"ATE0\r");
    exact(Command::SimQuery, b"AT+CPIN?\r");
    exact(Command::AttachQuery, b"AT+CGATT?\r");
    exact(Command::SignalQuery, b"AT+CSQ\r");
    exact(Command::MqttStatus, b"AT+MQTTSTATU\r");
    exact(Command::MsgMode { cache: false }, b"AT+MQTTMSGSET=0\r");
    exact(Command::MsgMode { cache: true }, b"AT+MQTTMSGSET=1\r");
    exact(Command::MsgGet, b"AT+MQTTMSGGET\r");
    exact(Command::Mdisconnect, b"AT+MDISCONNECT\r");
    exact(Command::Mipclose, b"AT+MIPCLOSE\r");
    exact(Command::Reset, b"AT+RESET\r");
}

#[test]
fn ssl_config() {
    exact(
        Command::SslCfg {
            tag: b"cacert",
            value: SslValue::Str(b"ca.crt"),
        },
        b"AT+SSLCFG=\"cacert\",88,\"ca.crt\"\r",
    );
    exact(
        Command::SslCfg {
            tag: b"seclevel",
            value: SslValue::Num(1),
        },
        b"AT+SSLCFG=\"seclevel\",88,1\r",
    );
    exact(
        Command::SslCfg {
            tag: b"negotiatetimeout",
            value: SslValue::Num(300),
        },
        b"AT+SSLCFG=\"negotiatetimeout\",88,300\r",
    );
    exact(
        Command::SslCfg {
            tag: b"sslversion",
            value: SslValue::Num(0),
        },
        b"AT+SSLCFG=\"sslversion\",88,0\r",
    );
    exact(
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0x0035),
        },
        b"AT+SSLCFG=\"ciphersuite\",88,0X0035\r",
    );
    exact(
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0xFFFF),
        },
        b"AT+SSLCFG=\"ciphersuite\",88,0XFFFF\r",
    );
    exact(
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0x2F),
        },
        b"AT+SSLCFG=\"ciphersuite\",88,0X002F\r",
    );
    exact(
        Command::SslCfg {
            tag: b"x",
            value: SslValue::HexNum(0),
        },
        b"AT+SSLCFG=\"x\",88,0X0000\r",
    );
    exact(
        Command::SslCfg {
            tag: b"x",
            value: SslValue::HexNum(0x1_0000),
        },
        b"AT+SSLCFG=\"x\",88,0X10000\r",
    );
    exact(
        Command::SslCfg {
            tag: b"x",
            value: SslValue::HexNum(u32::MAX),
        },
        b"AT+SSLCFG=\"x\",88,0XFFFFFFFF\r",
    );
    exact(
        Command::SslCfg {
            tag: b"x",
            value: SslValue::Num(u32::MAX),
        },
        b"AT+SSLCFG=\"x\",88,4294967295\r",
    );
    exact(
        Command::SslCfg {
            tag: b"hostname",
            value: SslValue::Str(b""),
        },
        b"AT+SSLCFG=\"hostname\",88,\"\"\r",
    );
}

#[test]
fn link_and_session() {
    exact(
        Command::MipStart {
            host: b"lbsmqtt.airm2m.com",
            port: 1884,
            tls: false,
        },
        b"AT+MIPSTART=\"lbsmqtt.airm2m.com\",1884\r",
    );
    exact(
        Command::MipStart {
            host: b"airtest.openluat.com",
            port: 8883,
            tls: true,
        },
        b"AT+SSLMIPSTART=\"airtest.openluat.com\",8883\r",
    );
    exact(
        Command::MipStart {
            host: b"1.2.3.4",
            port: 65535,
            tls: false,
        },
        b"AT+MIPSTART=\"1.2.3.4\",65535\r",
    );
    exact(
        Command::MipStart {
            host: b"h",
            port: 0,
            tls: false,
        },
        b"AT+MIPSTART=\"h\",0\r",
    );
    exact(
        Command::Mconnect {
            clean: true,
            keepalive_s: 120,
        },
        b"AT+MCONNECT=1,120\r",
    );
    exact(
        Command::Mconnect {
            clean: false,
            keepalive_s: 65535,
        },
        b"AT+MCONNECT=0,65535\r",
    );
    exact(
        Command::Mconnect {
            clean: true,
            keepalive_s: 0,
        },
        b"AT+MCONNECT=1,0\r",
    );
}

#[test]
fn mconfig_forms() {
    // No user/password: always sent as "" (S2).
    exact(
        Command::Mconfig {
            client_id: b"866714043075174",
            user: b"",
            password: b"",
            will: None,
        },
        b"AT+MCONFIG=\"866714043075174\",\"\",\"\"\r",
    );
    exact(
        Command::Mconfig {
            client_id: b"id",
            user: b"root",
            password: b"luat123456",
            will: None,
        },
        b"AT+MCONFIG=\"id\",\"root\",\"luat123456\"\r",
    );
    exact(
        Command::Mconfig {
            client_id: b"id",
            user: b"u",
            password: b"p",
            will: Some(Will {
                topic: b"dev/1/status",
                payload: b"offline",
                qos: 1,
                retain: true,
            }),
        },
        b"AT+MCONFIG=\"id\",\"u\",\"p\",1,1,\"dev/1/status\",\"offline\"\r",
    );
    exact(
        Command::Mconfig {
            client_id: b"id",
            user: b"",
            password: b"",
            will: Some(Will {
                topic: b"w",
                payload: b"",
                qos: 0,
                retain: false,
            }),
        },
        b"AT+MCONFIG=\"id\",\"\",\"\",0,0,\"w\",\"\"\r",
    );
}

#[test]
fn subscribe_and_publish() {
    exact(
        Command::Msub {
            topic: b"mqtt/sub_topic",
            qos: Qos::AtLeastOnce.as_u8(),
        },
        b"AT+MSUB=\"mqtt/sub_topic\",1\r",
    );
    exact(
        Command::Msub {
            topic: b"a/+/#",
            qos: 2,
        },
        b"AT+MSUB=\"a/+/#\",2\r",
    );
    exact(
        Command::Munsub {
            topic: b"mqtt/sub_topic",
        },
        b"AT+MUNSUB=\"mqtt/sub_topic\"\r",
    );
    exact(
        Command::Mpub {
            topic: b"mqtt/pub",
            qos: 0,
            retain: false,
            payload: b"hello",
        },
        b"AT+MPUB=\"mqtt/pub\",0,0,\"hello\"\r",
    );
    exact(
        Command::Mpub {
            topic: b"t",
            qos: 2,
            retain: true,
            payload: b"",
        },
        b"AT+MPUB=\"t\",2,1,\"\"\r",
    );
    exact(
        Command::MpubEx {
            topic: b"bin/data",
            qos: 1,
            retain: false,
            len: 4100,
        },
        b"AT+MPUBEX=\"bin/data\",1,0,4100\r",
    );
    exact(
        Command::MpubEx {
            topic: b"t",
            qos: 0,
            retain: true,
            len: 0,
        },
        b"AT+MPUBEX=\"t\",0,1,0\r",
    );
    exact(Command::Raw(b"\x00\x01\r\n\"\xff"), b"\x00\x01\r\n\"\xff");
    exact(Command::Raw(b""), b"");
}

#[test]
fn mpub_escaping_matches_the_vendor_example() {
    // S14 wire example, payload JSON with quotes.
    exact(
        Command::Mpub {
            topic: b"/sys/a1/dev/thing/event/property/post",
            qos: 0,
            retain: false,
            payload: b"{\"id\":\"123\"}",
        },
        b"AT+MPUB=\"/sys/a1/dev/thing/event/property/post\",0,0,\"{\\22id\\22:\\22123\\22}\"\r",
    );
}

#[test]
fn mpub_escapes_all_four_bytes_and_nothing_else() {
    exact(
        Command::Mpub {
            topic: b"t",
            qos: 1,
            retain: false,
            payload: b"a\"b\rc\nd\\e",
        },
        b"AT+MPUB=\"t\",1,0,\"a\\22b\\0Dc\\0Ad\\5Ce\"\r",
    );
    exact(
        Command::Mpub {
            topic: b"t",
            qos: 0,
            retain: false,
            payload: b"\"\"\r\n\\\\",
        },
        b"AT+MPUB=\"t\",0,0,\"\\22\\22\\0D\\0A\\5C\\5C\"\r",
    );
    let printable: Vec<u8> = (0x20u8..=0x7E)
        .filter(|&b| b != b'"' && b != b'\\')
        .collect();
    let cmd = Command::Mpub {
        topic: b"t",
        qos: 0,
        retain: false,
        payload: &printable,
    };
    let mut expected = b"AT+MPUB=\"t\",0,0,\"".to_vec();
    expected.extend(&printable);
    expected.extend(b"\"\r");
    exact(cmd, &expected);
}

#[test]
fn escaped_len_and_binary_check() {
    assert_eq!(mpub_escaped_len(b""), 0);
    assert_eq!(mpub_escaped_len(b"abc"), 3);
    assert_eq!(mpub_escaped_len(b"\""), 3);
    assert_eq!(mpub_escaped_len(b"a\"b\rc\nd\\e"), 9 + 4 * 2);
    assert_eq!(mpub_escaped_len(b"{\"id\":\"123\"}"), 12 + 4 * 2);

    assert!(!needs_binary(b""));
    assert!(!needs_binary(b"{\"a\":1}\r\n\\ ~"));
    let printable: Vec<u8> = (0x20u8..=0x7E).collect();
    assert!(!needs_binary(&printable));
    for b in (0u8..0x20).chain(0x7F..=0xFF) {
        let expect = b != b'\r' && b != b'\n';
        assert_eq!(needs_binary(&[b'a', b]), expect, "byte {b:#04x}");
    }
    assert!(needs_binary(b"\x00"));
    assert!(needs_binary(b"\x1a"));
    assert!(needs_binary(b"\t"));
    assert!(needs_binary("中文".as_bytes()));
}

#[test]
fn quotable_fields() {
    assert_eq!(check_quotable(b""), Ok(()));
    assert_eq!(check_quotable(b"a/b/+/#"), Ok(()));
    assert_eq!(
        check_quotable(b"user name with spaces, commas \\ and \xff"),
        Ok(())
    );
    for bad in [&b"a\"b"[..], b"\r", b"x\n", b"\x00", b"abc\""] {
        assert_eq!(check_quotable(bad), Err(Status::InvalidString), "{bad:?}");
    }
}

#[test]
fn qos_numbers() {
    assert_eq!(Qos::from_u8(0), Some(Qos::AtMostOnce));
    assert_eq!(Qos::from_u8(1), Some(Qos::AtLeastOnce));
    assert_eq!(Qos::from_u8(2), Some(Qos::ExactlyOnce));
    assert_eq!(Qos::from_u8(3), None);
    assert_eq!(Qos::ExactlyOnce.as_u8(), 2);
}

/// Commands covering every segment kind, with escapes placed at chunk boundaries.
fn sample_commands<'a>(payload: &'a [u8], will: Will<'a>) -> Vec<Command<'a>> {
    vec![
        Command::At,
        Command::MsgMode { cache: true },
        Command::SslCfg {
            tag: b"cacert",
            value: SslValue::Str(b"ca.crt"),
        },
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0x3D),
        },
        Command::SslCfg {
            tag: b"seclevel",
            value: SslValue::Num(2),
        },
        Command::MipStart {
            host: b"broker.example.com",
            port: 8883,
            tls: true,
        },
        Command::Mconfig {
            client_id: b"client-0001",
            user: b"",
            password: b"secret",
            will: Some(will),
        },
        Command::Mconfig {
            client_id: b"c",
            user: b"",
            password: b"",
            will: None,
        },
        Command::Mconnect {
            clean: false,
            keepalive_s: 300,
        },
        Command::Msub {
            topic: b"a/b",
            qos: 1,
        },
        Command::Munsub { topic: b"" },
        Command::Mpub {
            topic: b"x/y",
            qos: 1,
            retain: true,
            payload,
        },
        Command::MpubEx {
            topic: b"x/y",
            qos: 2,
            retain: false,
            len: usize::MAX,
        },
        Command::Raw(payload),
    ]
}

#[test]
fn every_chunk_size_gives_the_one_shot_bytes() {
    let payload = b"\"\"\\x\r\n{\"k\":\"v\\\"\"}\n\n\\\r";
    let will = Will {
        topic: b"will/t",
        payload: b"gone",
        qos: 2,
        retain: false,
    };
    for cmd in sample_commands(payload, will) {
        let whole = encode_all(&cmd);
        assert_eq!(whole.len(), encoded_len(&cmd));
        let sizes: Vec<usize> = if cfg!(miri) {
            vec![1, 2, 3, 4, 5, 8, 13, 21, 34, 55, 70]
        } else {
            (1..=70).collect()
        };
        for size in sizes {
            assert_eq!(
                encode_chunked(&cmd, size),
                whole,
                "{cmd:?} in chunks of {size}"
            );
        }
    }
}

#[test]
fn resuming_from_a_saved_cursor_after_a_short_write() {
    // The engine encodes a chunk, the UART takes only some of it, and the engine re-encodes from
    // the saved cursor into a chunk of exactly the accepted length to advance.
    let payload: Vec<u8> = (0..if cfg!(miri) { 150 } else { 600u32 })
        .map(|i| [b'a', b'"', b'\r', b'\n', b'\\', b'z'][(i * 7 % 6) as usize])
        .collect();
    let will = Will {
        topic: b"w",
        payload: b"bye",
        qos: 1,
        retain: true,
    };
    let mut state = 0x5EEDu64;
    for cmd in sample_commands(&payload, will) {
        let expected = encode_all(&cmd);
        let mut sent = Vec::new();
        let mut cursor = TxCursor::new();
        let mut chunk = [0u8; 64];
        while !cursor.is_done() {
            let saved = cursor;
            let n = encode(&cmd, &mut cursor, &mut chunk);
            assert!(n > 0);
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let accepted = (state % (n as u64 + 1)) as usize;
            if accepted == n {
                sent.extend_from_slice(&chunk[..n]);
                continue;
            }
            // Rewind and advance over exactly the accepted bytes.
            cursor = saved;
            let mut redo = vec![0u8; accepted];
            assert_eq!(encode(&cmd, &mut cursor, &mut redo), accepted);
            assert_eq!(&redo[..], &chunk[..accepted], "deterministic");
            sent.extend_from_slice(&redo);
        }
        assert_eq!(sent, expected, "{cmd:?}");
    }
}

#[test]
fn empty_output_changes_nothing() {
    let cmd = Command::Mpub {
        topic: b"t",
        qos: 0,
        retain: false,
        payload: b"\"",
    };
    let mut cursor = TxCursor::new();
    assert_eq!(encode(&cmd, &mut cursor, &mut []), 0);
    assert_eq!(cursor, TxCursor::new());
    assert!(!cursor.is_done());
    // Stop inside the escape and make sure an empty call does not move it either.
    let mut out = [0u8; 18];
    assert_eq!(encode(&cmd, &mut cursor, &mut out), 18);
    assert_eq!(&out, b"AT+MPUB=\"t\",0,0,\"\\");
    let saved = cursor;
    assert_eq!(encode(&cmd, &mut cursor, &mut []), 0);
    assert_eq!(cursor, saved);
    let mut rest = [0u8; 8];
    assert_eq!(encode(&cmd, &mut cursor, &mut rest), 4);
    assert_eq!(&rest[..4], b"22\"\r");
    assert!(cursor.is_done());
}

#[test]
fn done_is_set_by_the_call_that_writes_the_last_byte() {
    let cmd = Command::At;
    let mut cursor = TxCursor::new();
    let mut out = [0u8; 2];
    assert_eq!(encode(&cmd, &mut cursor, &mut out), 2);
    assert!(!cursor.is_done());
    assert_eq!(encode(&cmd, &mut cursor, &mut out), 1);
    assert!(cursor.is_done());
    assert_eq!(encode(&cmd, &mut cursor, &mut out), 0);
    // An empty Raw is done at once.
    let mut cursor = TxCursor::new();
    assert_eq!(encode(&Command::Raw(b""), &mut cursor, &mut out), 0);
    assert!(cursor.is_done());
}

#[test]
fn long_escaped_payload_in_tiny_chunks() {
    // A 4 KB payload of nothing but escapes, three bytes per call: every escape starts a call.
    let payload = vec![b'"'; if cfg!(miri) { 300 } else { 4096 }];
    let cmd = Command::Mpub {
        topic: b"t",
        qos: 0,
        retain: false,
        payload: &payload,
    };
    assert_eq!(encoded_len(&cmd), 17 + 3 * payload.len() + 2);
    assert_eq!(encode_chunked(&cmd, 3), encode_all(&cmd));
}

#[test]
fn lengths_are_written_in_full_and_saturate_at_u32_max() {
    // The engine never sends more than 4100; numbers are 32-bit so firmware needs no 64-bit
    // division. The widest value is still written exactly.
    let cmd = |len| Command::MpubEx {
        topic: b"t",
        qos: 0,
        retain: false,
        len,
    };
    let expected = format!("AT+MPUBEX=\"t\",0,0,{}\r", u32::MAX);
    assert_eq!(encode_all(&cmd(u32::MAX as usize)), expected.as_bytes());
    assert_eq!(encode_all(&cmd(usize::MAX)), expected.as_bytes());
}
