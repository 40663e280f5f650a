//! SIMCom encoder: byte-exact commands (docs/quectel-simcom-at.md §4), chunked encoding equal
//! to one-shot encoding for every chunk size, encoded_len, which commands await the prompt, and
//! raw data with every byte value.

mod encode_support;

use cellmqtt::dialect::simcom::{encode, encoded_len, Command, SslValue};

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
    exact(Command::Line(b"AT+CICCID"), b"AT+CICCID\r");
    exact(Command::Reboot, b"AT+CFUN=1,1\r");
}

#[test]
fn service_and_client() {
    exact(
        Command::Apn { apn: b"cmnet" },
        b"AT+CGDCONT=1,\"IP\",\"cmnet\"\r",
    );
    exact(Command::Start, b"AT+CMQTTSTART\r");
    exact(Command::Stop, b"AT+CMQTTSTOP\r");
    exact(Command::Release, b"AT+CMQTTREL=0\r");
    exact(
        Command::Acquire {
            client_id: b"dev-1",
            tls: false,
        },
        b"AT+CMQTTACCQ=0,\"dev-1\",0,4\r",
    );
    exact(
        Command::Acquire {
            client_id: b"dev-1",
            tls: true,
        },
        b"AT+CMQTTACCQ=0,\"dev-1\",1,4\r",
    );
    exact(Command::ConnQuery, b"AT+CMQTTDISC?\r");
    exact(Command::Disconnect, b"AT+CMQTTDISC=0,60\r");
}

#[test]
fn tls_items() {
    exact(
        Command::SslCfg {
            tag: b"sslversion",
            value: SslValue::Num(4),
        },
        b"AT+CSSLCFG=\"sslversion\",0,4\r",
    );
    exact(
        Command::SslCfg {
            tag: b"cacert",
            value: SslValue::Str(b"ca.pem"),
        },
        b"AT+CSSLCFG=\"cacert\",0,\"ca.pem\"\r",
    );
    exact(Command::SslContext, b"AT+CMQTTSSLCFG=0,0\r");
}

#[test]
fn connect_with_and_without_credentials() {
    let c = |user: &'static [u8], password: &'static [u8], clean| Command::Connect {
        host: b"broker.example",
        port: 8883,
        keepalive: 60,
        clean,
        user,
        password,
    };
    exact(
        c(b"", b"", true),
        b"AT+CMQTTCONNECT=0,\"tcp://broker.example:8883\",60,1\r",
    );
    exact(
        c(b"u", b"", false),
        b"AT+CMQTTCONNECT=0,\"tcp://broker.example:8883\",60,0,\"u\"\r",
    );
    exact(
        c(b"u", b"p,w", true),
        b"AT+CMQTTCONNECT=0,\"tcp://broker.example:8883\",60,1,\"u\",\"p,w\"\r",
    );
    // A password alone still sends the (empty) user before it.
    exact(
        c(b"", b"p", true),
        b"AT+CMQTTCONNECT=0,\"tcp://broker.example:8883\",60,1,\"\",\"p\"\r",
    );
}

#[test]
fn prompted_commands_and_their_data() {
    let prompted = [
        (
            Command::WillTopic { len: 8 },
            &b"AT+CMQTTWILLTOPIC=0,8\r"[..],
        ),
        (
            Command::WillMessage { len: 7, qos: 1 },
            b"AT+CMQTTWILLMSG=0,7,1\r",
        ),
        (
            Command::Subscribe { len: 3, qos: 2 },
            b"AT+CMQTTSUB=0,3,2\r",
        ),
        (
            Command::Unsubscribe { len: 1024 },
            b"AT+CMQTTUNSUB=0,1024,0\r",
        ),
        (Command::Topic { len: 5 }, b"AT+CMQTTTOPIC=0,5\r"),
        (
            Command::Payload { len: 10240 },
            b"AT+CMQTTPAYLOAD=0,10240\r",
        ),
    ];
    for (cmd, bytes) in prompted {
        assert!(cmd.awaits_prompt(), "{cmd:?}");
        exact(cmd, bytes);
    }
    for cmd in [
        Command::Publish {
            qos: 0,
            retain: false,
        },
        Command::Raw(b"x"),
        Command::Start,
        Command::Release,
    ] {
        assert!(!cmd.awaits_prompt(), "{cmd:?}");
    }
    exact(
        Command::Publish {
            qos: 1,
            retain: false,
        },
        b"AT+CMQTTPUB=0,1,60\r",
    );
    exact(
        Command::Publish {
            qos: 2,
            retain: true,
        },
        b"AT+CMQTTPUB=0,2,60,1\r",
    );
    // The data after a prompt: every byte value, no terminator.
    let all: Vec<u8> = (0..=255u8).collect();
    exact(Command::Raw(&all), &all);
    exact(Command::Raw(b""), b"");
}
