//! Quectel decoder: every mapping of docs/quectel-simcom-at.md §3 and §5.2, both `+QMTCONN`
//! forms with and without the state query in flight, spacing variants, garbage and numbers out
//! of range.

use cellmqtt::dialect::quectel::{
    decode, Ack, LinkCause, Response, SimState, CME_TEXT, OPEN_NETWORK_FAILED,
};
use cellmqtt::Status;

/// Decodes `line` with and without the state query in flight; both must agree unless the line
/// is a two-field `+QMTCONN`.
fn d(line: &[u8]) -> Response {
    let plain = decode(line, false);
    assert_eq!(
        plain,
        decode(line, true),
        "{:?}",
        String::from_utf8_lossy(line)
    );
    plain
}

#[test]
fn final_results_echo_and_boot_lines() {
    assert_eq!(d(b"OK"), Response::Ok);
    assert_eq!(d(b"ERROR"), Response::Error);
    assert_eq!(d(b"+CME ERROR: 3"), Response::CmeError(3));
    assert_eq!(d(b"+CME ERROR:4"), Response::CmeError(4));
    assert_eq!(d(b"+CMS ERROR: 500"), Response::CmeError(500));
    assert_eq!(
        d(b"+CME ERROR: operation not allowed"),
        Response::CmeError(CME_TEXT)
    );
    assert_eq!(d(b"+CME ERROR: 70000"), Response::CmeError(CME_TEXT));
    assert_eq!(d(b"AT+QMTOPEN=0,\"h\",1883"), Response::Echo);
    assert_eq!(d(b"at+qmtconn?"), Response::Echo);
    assert_eq!(d(b"At"), Response::Echo);
    assert_eq!(d(b"RDY"), Response::Ready);
    assert_eq!(d(b"POWERED DOWN"), Response::Ready);
    assert_eq!(d(b"\x00\xffRDY"), Response::Ready);
    assert_eq!(d(b"APP RDY"), Response::Info);
    assert_eq!(d(b"SMS READY"), Response::Info);
    assert_eq!(d(b"+QUSIM: 1"), Response::Info);
    assert_eq!(d(b"+QIND: SMS DONE"), Response::Info);
    assert_eq!(d(b"+QIND: PB DONE"), Response::Info);
    assert_eq!(d(b"OK  \t"), Response::Ok);
}

#[test]
fn shared_3gpp_lines() {
    assert_eq!(d(b"+CPIN: READY"), Response::Sim(SimState::Ready));
    assert_eq!(d(b"+CPIN: SIM PIN"), Response::Sim(SimState::Pin));
    assert_eq!(d(b"+CPIN: NOT INSERTED"), Response::Sim(SimState::Removed));
    assert_eq!(d(b"+CPIN: PH-SIM PIN"), Response::Sim(SimState::Other));
    assert_eq!(d(b"+CGATT: 1"), Response::Attach(1));
    assert_eq!(d(b"+CGATT: (0-1)"), Response::Info);
    assert_eq!(d(b"+CGATT: x"), Response::Unknown);
    assert_eq!(d(b"+CSQ: 20,99"), Response::Signal { rssi: 20, ber: 99 });
    assert_eq!(d(b"+CSQ: 300,99"), Response::Unknown);
    assert_eq!(
        d(b"+CCLK: \"24/02/29,12:00:00+32\""),
        Response::Clock {
            utc_s: 762_494_400, // 2024-02-29T04:00:00Z
            zone: 32
        }
    );
    assert_eq!(d(b"+CCLK: \"24/13/29,12:00:00+32\""), Response::Unknown);
}

#[test]
fn qmtopen_results() {
    assert_eq!(d(b"+QMTOPEN: 0,0"), Response::LinkOpened);
    let failed = |code, reason| Response::OpenFailed { code, reason };
    assert_eq!(
        d(b"+QMTOPEN: 0,-1"),
        failed(OPEN_NETWORK_FAILED, Status::BrokerUnreachable)
    );
    assert_eq!(OPEN_NETWORK_FAILED, 0xFFFF);
    assert_eq!(d(b"+QMTOPEN: 0,1"), failed(1, Status::ModuleError));
    assert_eq!(d(b"+QMTOPEN: 0,2"), failed(2, Status::ModuleError));
    assert_eq!(d(b"+QMTOPEN: 0,3"), failed(3, Status::NotAttached));
    assert_eq!(d(b"+QMTOPEN: 0,4"), failed(4, Status::NameNotResolved));
    assert_eq!(d(b"+QMTOPEN: 0,5"), failed(5, Status::BrokerUnreachable));
    assert_eq!(d(b"+QMTOPEN: 0,9"), failed(9, Status::BrokerUnreachable));
    assert_eq!(
        d(b"+QMTOPEN: 0,-2"),
        failed(0xFFFE, Status::BrokerUnreachable)
    );
    assert_eq!(d(b"+QMTOPEN: 0,70000"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,-40000"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,99999999999"), Response::Unknown);
    // The query reply, and a test-form reply.
    assert_eq!(
        d(b"+QMTOPEN: 0,\"broker.example.com\",1883"),
        Response::Info
    );
    assert_eq!(d(b"+QMTOPEN: (0-5),\"<host>\",(1-65535)"), Response::Info);
    // Malformed.
    assert_eq!(d(b"+QMTOPEN: 0"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,0,0"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,x"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,- 1"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN:"), Response::Unknown);
    assert_eq!(d(b"+QMTOPENX: 0,0"), Response::Unknown);
}

#[test]
fn spacing_around_colon_and_commas() {
    for line in [
        &b"+QMTOPEN: 0,0"[..],
        b"+QMTOPEN:0,0",
        b"+QMTOPEN : 0,0",
        b"+QMTOPEN:  0 , 0",
        b"+QMTOPEN: 0,0   ",
        b"\x00+QMTOPEN: 0,0",
    ] {
        assert_eq!(d(line), Response::LinkOpened, "{line:?}");
    }
    assert_eq!(d(b" +QMTOPEN: 0,0"), Response::Unknown);
    assert_eq!(d(b"+qmtopen: 0,0"), Response::Unknown);
}

#[test]
fn qmtconn_three_fields() {
    let failed = |code, reason| Response::ConnectFailed { code, reason };
    assert_eq!(d(b"+QMTCONN: 0,0,0"), Response::Connected);
    for ret in 1..=5u16 {
        let line = format!("+QMTCONN: 0,0,{ret}");
        assert_eq!(d(line.as_bytes()), failed(ret, Status::BrokerRefused));
    }
    assert_eq!(d(b"+QMTCONN: 0,2,0"), failed(2, Status::BrokerUnreachable));
    // Retransmitted (id 0: the connect): the final result follows.
    assert_eq!(d(b"+QMTCONN: 0,1,0"), Response::Retransmitting { id: 0 });
    assert_eq!(d(b"+QMTCONN: 0,0,70000"), Response::Unknown);
    assert_eq!(d(b"+QMTCONN: 0,7,0"), Response::Unknown);
    assert_eq!(d(b"+QMTCONN: 0,0,0,0"), Response::Unknown);
}

#[test]
fn qmtconn_two_fields_depend_on_the_state_query() {
    // Connect result of older firmware.
    let result = |line: &[u8]| decode(line, false);
    assert_eq!(result(b"+QMTCONN: 0,0"), Response::Connected);
    assert_eq!(result(b"+QMTCONN: 0,1"), Response::Retransmitting { id: 0 });
    assert_eq!(
        result(b"+QMTCONN: 0,2"),
        Response::ConnectFailed {
            code: 2,
            reason: Status::BrokerUnreachable
        }
    );
    assert_eq!(result(b"+QMTCONN: 0,3"), Response::Unknown);
    // Session state while AT+QMTCONN? is in flight.
    let state = |line: &[u8]| decode(line, true);
    for (n, connected) in [(1u8, false), (2, false), (3, true), (4, false), (0, false)] {
        let line = format!("+QMTCONN: 0,{n}");
        assert_eq!(
            state(line.as_bytes()),
            Response::SessionState { code: n, connected }
        );
    }
    assert_eq!(
        state(b"+QMTCONN:0,3"),
        Response::SessionState {
            code: 3,
            connected: true
        }
    );
    assert_eq!(state(b"+QMTCONN: 0,256"), Response::Unknown);
    // The three-field form is the connect result either way.
    assert_eq!(state(b"+QMTCONN: 0,0,0"), Response::Connected);
    assert_eq!(d(b"+QMTCONN: (0-5),\"<id>\""), Response::Info);
}

#[test]
fn qmtsub_and_qmtuns() {
    assert_eq!(
        d(b"+QMTSUB: 0,1,0,1"),
        Response::Subscribed {
            id: Some(1),
            granted: Some(1)
        }
    );
    assert_eq!(
        d(b"+QMTSUB: 0,65535,0,128"),
        Response::Subscribed {
            id: Some(65535),
            granted: Some(128)
        }
    );
    assert_eq!(
        d(b"+QMTSUB: 0,2,0"),
        Response::Subscribed {
            id: Some(2),
            granted: None
        }
    );
    assert_eq!(
        d(b"+QMTSUB: 0,3,0,1,2"),
        Response::Subscribed {
            id: Some(3),
            granted: Some(1)
        }
    );
    assert_eq!(d(b"+QMTSUB: 0,1,1,2"), Response::Retransmitting { id: 1 });
    assert_eq!(d(b"+QMTSUB: 0,4,2"), Response::SendFailed { id: 4 });
    assert_eq!(d(b"+QMTSUB: 0,1,0,256"), Response::Unknown);
    assert_eq!(d(b"+QMTSUB: 0,65536,0,1"), Response::Unknown);
    assert_eq!(d(b"+QMTSUB: 0,1,3"), Response::Unknown);
    assert_eq!(d(b"+QMTSUB: 0,1"), Response::Unknown);
    assert_eq!(d(b"+QMTUNS: 0,5,0"), Response::Unsubscribed { id: Some(5) });
    assert_eq!(d(b"+QMTUNS: 0,5,1"), Response::Retransmitting { id: 5 });
    assert_eq!(d(b"+QMTUNS: 0,5,2"), Response::SendFailed { id: 5 });
    assert_eq!(d(b"+QMTUNS: 0,-5,0"), Response::Unknown);
}

#[test]
fn qmtpubex_and_qmtpub() {
    for prefix in ["+QMTPUBEX", "+QMTPUB"] {
        let l = |rest: &str| d(format!("{prefix}: {rest}").as_bytes());
        // QoS 0's report: completed at OK by the engine.
        assert_eq!(l("0,0,0"), Response::Settled);
        assert_eq!(
            l("0,1,0"),
            Response::PubAck {
                ack: Ack::Done,
                id: Some(1)
            }
        );
        assert_eq!(
            l("0,65535,0,0"),
            Response::PubAck {
                ack: Ack::Done,
                id: Some(65535)
            }
        );
        // Retransmitting: the final result follows (a QoS 0 publish has none to wait for).
        assert_eq!(l("0,7,1,2"), Response::Retransmitting { id: 7 });
        assert_eq!(l("0,0,1,2"), Response::Settled);
        assert_eq!(l("0,7,2"), Response::SendFailed { id: 7 });
        assert_eq!(l("0,0,2"), Response::SendFailed { id: 0 });
        assert_eq!(l("0,70000,0"), Response::Unknown);
        assert_eq!(l("0,7"), Response::Unknown);
    }
    assert_eq!(d(b"+QMTPUBX: 0,1,0"), Response::Unknown);
}

#[test]
fn qmtstat_and_qmtping() {
    let closed = |code, cause| Response::LinkClosed { code, cause };
    let table = [
        (1, LinkCause::Closed),
        (2, LinkCause::KeepaliveFailed),
        (3, LinkCause::Refused),
        (4, LinkCause::Refused),
        (5, LinkCause::Closed),
        (6, LinkCause::Closed),
        (7, LinkCause::Unreachable),
        (8, LinkCause::Closed),
        (9, LinkCause::Closed),
        (0, LinkCause::Closed),
    ];
    for (code, cause) in table {
        let line = format!("+QMTSTAT: 0,{code}");
        assert_eq!(d(line.as_bytes()), closed(code, cause));
    }
    assert_eq!(d(b"+QMTSTAT: 0,70000"), Response::Unknown);
    assert_eq!(d(b"+QMTSTAT: 0"), Response::Unknown);
    assert_eq!(d(b"+QMTPING: 0,1"), closed(1, LinkCause::Closed));
    assert_eq!(d(b"+QMTPING: 0,0"), closed(0, LinkCause::Closed));
    assert_eq!(d(b"+QMTPING: 0,x"), Response::Unknown);
}

#[test]
fn bearer_lines() {
    assert_eq!(
        d(b"+QIURC: \"pdpdeact\",1"),
        Response::BearerLost {
            cid: 1,
            restore: true
        }
    );
    assert_eq!(
        d(b"+QIURC:\"pdpdeact\", 1"),
        Response::BearerLost {
            cid: 1,
            restore: true
        }
    );
    // Another context than the session's (context 1): only information (§3.1).
    assert_eq!(d(b"+QIURC:\"pdpdeact\", 3"), Response::Info);
    assert_eq!(d(b"+QIURC: \"pdpdeact\",2"), Response::Info);
    assert_eq!(
        d(b"+QIURC: \"pdpdeact\""),
        Response::BearerLost {
            cid: 0,
            restore: true
        }
    );
    assert_eq!(
        d(b"+QIURC: \"pdpdeact\",300"),
        Response::BearerLost {
            cid: 0,
            restore: true
        }
    );
    assert_eq!(d(b"+QIURC: \"recv\",0"), Response::Info);
    assert_eq!(d(b"+QIACT: 1,1,1,\"10.1.2.3\""), Response::BearerActive);
    assert_eq!(d(b"+QIACT: 1,1,1"), Response::BearerActive);
    // Another state, or another context (the application's): not the session's bearer, but
    // still a line of the `AT+QIACT?` listing (§3.1), never a URC.
    let other = Response::BearerState { down: false };
    assert_eq!(d(b"+QIACT: 1,0,1"), other);
    assert_eq!(d(b"+QIACT: 2,1,1,\"10.1.2.4\""), other);
    assert_eq!(d(b"+QIACT: 11,1,1"), other);
    assert_eq!(d(b"+QIACT:1,1,1"), Response::BearerActive);
    assert_eq!(d(b"+QIACT: (1-16)"), Response::Info);
}

/// The close's report asks nothing more; the disconnect's, whatever its result, is the end of
/// the session the stop awaits (§3.9): a state not connected.
#[test]
fn reports_of_own_commands_are_settled() {
    let ended = Response::SessionState {
        code: 0,
        connected: false,
    };
    for line in [&b"+QMTDISC: 0,0"[..], b"+QMTDISC:0,1", b"+QMTDISC: 0,-1"] {
        assert_eq!(d(line), ended);
    }
    assert_eq!(d(b"+QMTCLOSE: 0,0"), Response::Settled);
}

#[test]
fn notices_and_replies_that_only_inform() {
    for line in [
        &b"+QMTCFG: \"version\",0,4"[..],
        b"+QSSLCFG: \"seclevel\",1,1",
        b"+QMTRECV: 0,1",
        b"+QMTRECV: 0,0,0,0,0,0",
        b"+QUSIM: 1",
        b"+QIND: SMS DONE",
        b"+CGEV: ME PDN ACT 1",
        b"+CREG: 1",
        b"+CGREG: 0,1",
        b"+CEREG: 2,1,\"1A2B\",\"0C3D4E5F\",7",
        b"+QCCID: 89860000000000000000",
        b"+CTZE: \"+32\",0,\"2024/02/29,04:00:00\"",
        b"+CTZV: +32",
        b"+QNITZ: \"24/02/29,04:00:00+32,0\"",
        b"APP RDY",
        b"SMS READY",
    ] {
        assert_eq!(
            d(line),
            Response::Info,
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn unframed_message_lines_are_corrupt() {
    // Length off (not framed by the tokenizer), and a count above the maximum.
    assert_eq!(
        d(b"+QMTRECV: 0,0,\"t\",\"payload\""),
        Response::CorruptMessage
    );
    assert_eq!(
        d(b"+QMTRECV: 0,0,\"t\",99999,\"payload\""),
        Response::CorruptMessage
    );
    assert_eq!(d(b"+QMTRECV:"), Response::CorruptMessage);
    assert_eq!(d(b"+QMTRECV: 0,x"), Response::CorruptMessage);
}

#[test]
fn garbage_is_unknown() {
    for line in [
        &b""[..],
        b"   ",
        b"\x00\x01",
        b"?RDY",
        b"+",
        b"+QMT",
        b"+QMTSTAT",
        b"+QMTSTAT 0,1",
        b"CONNECT OK",
        b"+MSUB: 0",
        b"PUBACK",
        b"> ",
        b"\xff\xfe\xfd",
        b"+QMTSUB: ,,,",
        b"+QMTCONN: 0,0,0,",
    ] {
        assert_eq!(
            d(line),
            Response::Unknown,
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn open_result_codes_at_the_edges_of_sixteen_bits() {
    let failed = |code| Response::OpenFailed {
        code,
        reason: Status::BrokerUnreachable,
    };
    assert_eq!(d(b"+QMTOPEN: 0,-32768"), failed(0x8000));
    assert_eq!(d(b"+QMTOPEN: 0,-32769"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,32767"), failed(32767));
    assert_eq!(d(b"+QMTOPEN: 0,32768"), failed(32768));
    assert_eq!(d(b"+QMTOPEN: 0,65535"), failed(65535));
    assert_eq!(d(b"+QMTOPEN: 0,65536"), Response::Unknown);
    assert_eq!(d(b"+QMTOPEN: 0,-2147483648"), Response::Unknown);
}

/// The forms of docs/quectel-simcom-at.md §3 not pinned above: the certificate upload's
/// report and prompt (§3.10), the NB part's `+CME ERROR` codes (§3.11), the close reports with
/// a result other than 0 (§3.9), the buffer-mode notice for every slot (§3.7).
#[test]
fn upload_report_nb_error_codes_close_results_and_buffer_slots() {
    // `+QFUPL: <len>,<hexsum>` (the checksum is hex, not a decimal number) only informs.
    assert_eq!(d(b"+QFUPL: 1758,2b1f"), Response::Info);
    assert_eq!(d(b"+QFUPL:1758,ffff"), Response::Info);
    // `CONNECT`, the upload's prompt, is no line the session acts on.
    assert_eq!(d(b"CONNECT"), Response::Unknown);
    for code in [
        8503u16, 8504, 8505, 8506, 8507, 8508, 8509, 8510, 8511, 8600,
    ] {
        let line = format!("+CME ERROR: {code}");
        assert_eq!(d(line.as_bytes()), Response::CmeError(code));
    }
    assert_eq!(d(b"+QMTCLOSE: 0,1"), Response::Settled);
    assert_eq!(d(b"+QMTCLOSE: 0,-1"), Response::Settled);
    for slot in 0..=4 {
        let line = format!("+QMTRECV: 0,{slot}");
        assert_eq!(d(line.as_bytes()), Response::Info);
    }
    assert_eq!(d(b"+QMTRECV: 0,0,0,1,0,0"), Response::Info);
}

/// Spaces after every comma (and none), for every result line the session acts on.
#[test]
fn spaces_after_the_commas_of_every_result() {
    let cases: [(&[u8], Response); 12] = [
        (
            b"+QMTOPEN: 0, -1",
            Response::OpenFailed {
                code: OPEN_NETWORK_FAILED,
                reason: Status::BrokerUnreachable,
            },
        ),
        (b"+QMTCONN: 0, 0, 0", Response::Connected),
        (
            b"+QMTCONN: 0, 0, 4",
            Response::ConnectFailed {
                code: 4,
                reason: Status::BrokerRefused,
            },
        ),
        (
            b"+QMTSUB: 0, 1, 0, 1",
            Response::Subscribed {
                id: Some(1),
                granted: Some(1),
            },
        ),
        (b"+QMTUNS: 0, 2, 0", Response::Unsubscribed { id: Some(2) }),
        (
            b"+QMTPUBEX: 0, 3, 0",
            Response::PubAck {
                ack: Ack::Done,
                id: Some(3),
            },
        ),
        (
            b"+QMTPUB: 0, 1, 0",
            Response::PubAck {
                ack: Ack::Done,
                id: Some(1),
            },
        ),
        (b"+QMTPUB: 0, 3, 1, 1", Response::Retransmitting { id: 3 }),
        (b"+QMTPUBEX: 0, 3, 2", Response::SendFailed { id: 3 }),
        (
            b"+QMTSTAT: 0, 2",
            Response::LinkClosed {
                code: 2,
                cause: LinkCause::KeepaliveFailed,
            },
        ),
        (
            b"+QMTPING: 0, 1",
            Response::LinkClosed {
                code: 1,
                cause: LinkCause::Closed,
            },
        ),
        (b"+QIACT: 1, 1, 1, \"10.0.0.1\"", Response::BearerActive),
    ];
    for (line, want) in cases {
        assert_eq!(d(line), want, "{:?}", String::from_utf8_lossy(line));
    }
    assert_eq!(
        decode(b"+QMTCONN: 0, 3", true),
        Response::SessionState {
            code: 3,
            connected: true
        }
    );
}
