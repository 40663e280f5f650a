//! Quectel encoder: byte-exact commands, chunked encoding equal to one-shot encoding for every
//! chunk size, encoded_len, and cursor resumption as the engine does it after a short write.

mod encode_support;

use cellmqtt::dialect::quectel::{encode, encoded_len, Command, MqttCfg, SslValue, TxCursor};

fn encode_all(cmd: &Command<'_>) -> Vec<u8> {
    encode_support::encode_all(encoded_len(cmd), |c, out| encode(cmd, c, out))
}

/// Exact bytes, encoded_len, and the same bytes in chunks of every size up to the length.
fn exact(cmd: Command<'_>, expected: &[u8]) {
    encode_support::exact(&cmd, encoded_len(&cmd), expected, |c, out| {
        encode(&cmd, c, out)
    });
}

#[test]
fn shared_spellings() {
    exact(Command::At, b"AT\r");
    exact(Command::EchoOff, b"ATE0\r");
    exact(Command::SimQuery, b"AT+CPIN?\r");
    exact(Command::AttachQuery, b"AT+CGATT?\r");
    exact(Command::SignalQuery, b"AT+CSQ\r");
    exact(Command::Line(b"AT+CGSN"), b"AT+CGSN\r");
    exact(Command::Line(b""), b"\r");
}

#[test]
fn pdp_commands() {
    exact(Command::Activate, b"AT+QIACT=1\r");
    exact(Command::ActivateQuery, b"AT+QIACT?\r");
    exact(Command::Deactivate, b"AT+QIDEACT=1\r");
    exact(
        Command::Apn {
            apn: b"internet",
            user: b"",
            password: b"",
        },
        b"AT+QICSGP=1,1,\"internet\",\"\",\"\",1\r",
    );
    exact(
        Command::Apn {
            apn: b"m2m.example",
            user: b"u",
            password: b"p w",
        },
        b"AT+QICSGP=1,1,\"m2m.example\",\"u\",\"p w\",1\r",
    );
}

#[test]
fn ssl_config() {
    exact(
        Command::SslCfg {
            tag: b"cacert",
            value: SslValue::Str(b"UFS:ca.pem"),
        },
        b"AT+QSSLCFG=\"cacert\",1,\"UFS:ca.pem\"\r",
    );
    exact(
        Command::SslCfg {
            tag: b"seclevel",
            value: SslValue::Num(1),
        },
        b"AT+QSSLCFG=\"seclevel\",1,1\r",
    );
    // Unquoted, lower-case 0x as the doc writes it (quoted gives ERROR).
    exact(
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0xFFFF),
        },
        b"AT+QSSLCFG=\"ciphersuite\",1,0xFFFF\r",
    );
    exact(
        Command::SslCfg {
            tag: b"ciphersuite",
            value: SslValue::HexNum(0x35),
        },
        b"AT+QSSLCFG=\"ciphersuite\",1,0x0035\r",
    );
    exact(
        Command::SslCfg {
            tag: b"x",
            value: SslValue::HexNum(0x1_2345),
        },
        b"AT+QSSLCFG=\"x\",1,0x12345\r",
    );
}

#[test]
fn mqtt_config_items() {
    let cfg = |item, bytes: &[u8]| exact(Command::Config(item), bytes);
    cfg(MqttCfg::Version(4), b"AT+QMTCFG=\"version\",0,4\r");
    cfg(MqttCfg::PdpCid(1), b"AT+QMTCFG=\"pdpcid\",0,1\r");
    cfg(MqttCfg::Keepalive(120), b"AT+QMTCFG=\"keepalive\",0,120\r");
    cfg(MqttCfg::Keepalive(0), b"AT+QMTCFG=\"keepalive\",0,0\r");
    cfg(
        MqttCfg::Keepalive(u16::MAX),
        b"AT+QMTCFG=\"keepalive\",0,65535\r",
    );
    cfg(
        MqttCfg::Session { clean: true },
        b"AT+QMTCFG=\"session\",0,1\r",
    );
    cfg(
        MqttCfg::Session { clean: false },
        b"AT+QMTCFG=\"session\",0,0\r",
    );
    cfg(
        MqttCfg::Will {
            topic: b"dev/1/status",
            payload: b"offline",
            qos: 1,
            retain: true,
        },
        b"AT+QMTCFG=\"will\",0,1,1,1,\"dev/1/status\",\"offline\"\r",
    );
    cfg(
        MqttCfg::Will {
            topic: b"t",
            payload: b"",
            qos: 0,
            retain: false,
        },
        b"AT+QMTCFG=\"will\",0,1,0,0,\"t\",\"\"\r",
    );
    cfg(MqttCfg::NoWill, b"AT+QMTCFG=\"will\",0,0\r");
    cfg(MqttCfg::RecvMode, b"AT+QMTCFG=\"recv/mode\",0,0,1\r");
    cfg(MqttCfg::Ssl { on: true }, b"AT+QMTCFG=\"ssl\",0,1,1\r");
    cfg(MqttCfg::Ssl { on: false }, b"AT+QMTCFG=\"ssl\",0,0\r");
    cfg(
        MqttCfg::Timeout { s: 5, retries: 3 },
        b"AT+QMTCFG=\"timeout\",0,5,3,0\r",
    );
}

#[test]
fn open_and_connect() {
    exact(
        Command::Open {
            host: b"broker.example.com",
            port: 1883,
        },
        b"AT+QMTOPEN=0,\"broker.example.com\",1883\r",
    );
    exact(
        Command::Open {
            host: b"10.0.0.1",
            port: 65535,
        },
        b"AT+QMTOPEN=0,\"10.0.0.1\",65535\r",
    );
    exact(Command::OpenQuery, b"AT+QMTOPEN?\r");
    let connect = |user: &'static [u8], password: &'static [u8], bytes: &[u8]| {
        exact(
            Command::Connect {
                client_id: b"dev-1",
                user,
                password,
            },
            bytes,
        )
    };
    connect(b"", b"", b"AT+QMTCONN=0,\"dev-1\"\r");
    connect(b"alice", b"", b"AT+QMTCONN=0,\"dev-1\",\"alice\"\r");
    connect(
        b"alice",
        b"s3cret",
        b"AT+QMTCONN=0,\"dev-1\",\"alice\",\"s3cret\"\r",
    );
    // A password without a user still needs the user's position.
    connect(b"", b"tok", b"AT+QMTCONN=0,\"dev-1\",\"\",\"tok\"\r");
    exact(Command::ConnQuery, b"AT+QMTCONN?\r");
}

#[test]
fn subscribe_unsubscribe_publish() {
    exact(
        Command::Subscribe {
            id: 1,
            topic: b"a/+/c",
            qos: 2,
        },
        b"AT+QMTSUB=0,1,\"a/+/c\",2\r",
    );
    exact(
        Command::Subscribe {
            id: 65535,
            topic: b"#",
            qos: 0,
        },
        b"AT+QMTSUB=0,65535,\"#\",0\r",
    );
    exact(
        Command::Unsubscribe {
            id: 7,
            topic: b"a/b",
        },
        b"AT+QMTUNS=0,7,\"a/b\"\r",
    );
    exact(
        Command::PublishHeader {
            id: 0,
            topic: b"t/x",
            qos: 0,
            retain: false,
            len: 5,
        },
        b"AT+QMTPUBEX=0,0,0,0,\"t/x\",5\r",
    );
    exact(
        Command::PublishHeader {
            id: 300,
            topic: b"t",
            qos: 1,
            retain: true,
            len: 4096,
        },
        b"AT+QMTPUBEX=0,300,1,1,\"t\",4096\r",
    );
    exact(
        Command::PublishHeader {
            id: 9,
            topic: b"t",
            qos: 2,
            retain: false,
            len: 0,
        },
        b"AT+QMTPUBEX=0,9,2,0,\"t\",0\r",
    );
    // The data after the prompt: verbatim, no terminator.
    exact(Command::Raw(b"a\"b\r\n\x00\xff"), b"a\"b\r\n\x00\xff");
    exact(Command::Raw(b""), b"");
}

#[test]
fn close_and_reboot() {
    exact(Command::Disconnect, b"AT+QMTDISC=0\r");
    exact(Command::Close, b"AT+QMTCLOSE=0\r");
    exact(Command::Reboot, b"AT+CFUN=1,1\r");
}

#[test]
fn cursor_resumes_after_a_short_write() {
    // The engine encodes a chunk, the UART takes part of it, and the engine encodes again from
    // a cursor advanced over exactly what was taken.
    let cmd = Command::Connect {
        client_id: b"client-identifier",
        user: b"user",
        password: b"password",
    };
    let whole = encode_all(&cmd);
    for taken in 0..whole.len() {
        let mut cursor = TxCursor::new();
        let mut first = vec![0u8; taken];
        assert_eq!(encode(&cmd, &mut cursor, &mut first), taken);
        let mut rest = vec![0u8; whole.len()];
        let n = encode(&cmd, &mut cursor, &mut rest);
        assert_eq!([&first[..], &rest[..n]].concat(), whole, "taken {taken}");
        assert!(cursor.is_done());
    }
    // A saved cursor replayed into a chunk of the accepted length gives the same bytes.
    let mut cursor = TxCursor::new();
    let mut chunk = [0u8; 8];
    encode(&cmd, &mut cursor, &mut chunk);
    let saved = cursor;
    let mut a = [0u8; 8];
    let mut b = [0u8; 3];
    let mut c1 = saved;
    let mut c2 = saved;
    encode(&cmd, &mut c1, &mut a);
    encode(&cmd, &mut c2, &mut b);
    assert_eq!(&a[..3], &b[..]);
}

#[test]
fn long_payload_length_saturates_rather_than_wraps() {
    let cmd = Command::PublishHeader {
        id: 1,
        topic: b"t",
        qos: 1,
        retain: false,
        len: usize::MAX,
    };
    let bytes = encode_all(&cmd);
    assert!(bytes.ends_with(b",4294967295\r"));
}
