//! SIMCom decoder: every mapping of docs/quectel-simcom-at.md §2.2, §4 and the classes of
//! §5.3 (the error table 0-35), `+CMQTTDISC` with and without the state query in flight,
//! spacing variants, garbage and numbers out of range.

use cellmqtt::dialect::simcom::{
    connect_status, decode, start_status, Ack, LinkCause, Response, SimState, CME_TEXT,
};
use cellmqtt::Status;

/// Decodes `line` with and without the state query in flight; both must agree unless the line
/// is a `+CMQTTDISC`.
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
    assert_eq!(d(b"+CME ERROR: 10"), Response::CmeError(10));
    assert_eq!(d(b"AT+CMQTTSTART"), Response::Echo);
    // A reboot (§2.2): SIM7600 and A76xx.
    assert_eq!(d(b"RDY"), Response::Ready);
    assert_eq!(d(b"*ATREADY: 1"), Response::Ready);
    assert_eq!(d(b"\x00*ATREADY: 1"), Response::Ready);
    assert_eq!(d(b"SMS DONE"), Response::BootLine);
    assert_eq!(d(b"PB DONE"), Response::BootLine);
    assert_eq!(d(b"+CPIN: READY"), Response::Sim(SimState::Ready));
    assert_eq!(d(b"+MSTK: 1"), Response::Info);
    assert_eq!(d(b"+CGEV: EPS PDN ACT 1"), Response::Info);
    assert_eq!(d(b"+ICCID: 8986"), Response::Unknown);
}

#[test]
fn service_start_in_every_result() {
    assert_eq!(d(b"+CMQTTSTART: 0"), Response::LinkOpened);
    // 23: network is opened, the service already runs (§4.2).
    assert_eq!(d(b"+CMQTTSTART: 23"), Response::LinkOpened);
    assert_eq!(d(b"+CMQTTSTART:0"), Response::LinkOpened);
    assert_eq!(
        d(b"+CMQTTSTART: 7"),
        Response::OpenFailed {
            code: 7,
            reason: Status::NotAttached
        }
    );
    assert_eq!(
        d(b"+CMQTTSTART: 1"),
        Response::OpenFailed {
            code: 1,
            reason: Status::ModuleError
        }
    );
    // The stop's result, whatever `<err>`: the service is down (§4.2), the start may follow.
    let stopped = Response::SessionState {
        code: 0,
        connected: false,
    };
    assert_eq!(d(b"+CMQTTSTOP: 0"), stopped);
    assert_eq!(d(b"+CMQTTSTOP: 9"), stopped);
    assert_eq!(d(b"+CMQTTSTART: x"), Response::Unknown);
    assert_eq!(d(b"+CMQTTSTART: 70000"), Response::Unknown);
}

#[test]
fn connect_results_and_the_error_table() {
    assert_eq!(d(b"+CMQTTCONNECT: 0,0"), Response::Connected);
    assert_eq!(d(b"+CMQTTCONNECT:0, 0"), Response::Connected);
    // §5.3, every code: the broker's side never resets the module.
    for code in 1..=35u16 {
        let want = match code {
            3 | 6 | 11 | 15 | 16 | 17 | 24 | 26 | 35 => Status::BrokerUnreachable,
            7 | 9 => Status::NotAttached,
            25 => Status::NameNotResolved,
            27..=31 => Status::BrokerRefused,
            32..=34 => Status::TlsFailed,
            _ => Status::ModuleError,
        };
        assert_eq!(connect_status(code), want, "err {code}");
        assert_eq!(
            d(format!("+CMQTTCONNECT: 0,{code}").as_bytes()),
            Response::ConnectFailed { code, reason: want }
        );
    }
    assert_eq!(start_status(9), Status::NotAttached);
    assert_eq!(start_status(20), Status::ModuleError);
    assert_eq!(d(b"+CMQTTCONNECT: 0"), Response::Unknown);
    assert_eq!(d(b"+CMQTTCONNECT: 0,1,2"), Response::Unknown);
}

#[test]
fn request_results_carry_no_id() {
    assert_eq!(
        d(b"+CMQTTSUB: 0,0"),
        Response::Subscribed {
            id: None,
            granted: None
        }
    );
    assert_eq!(d(b"+CMQTTUNSUB: 0,0"), Response::Unsubscribed { id: None });
    assert_eq!(
        d(b"+CMQTTPUB: 0,0"),
        Response::PubAck {
            ack: Ack::Done,
            id: None
        }
    );
    assert_eq!(
        d(b"+CMQTTSUB: 0,6"),
        Response::RequestFailed {
            code: 6,
            publish: false
        }
    );
    assert_eq!(
        d(b"+CMQTTUNSUB: 0,11"),
        Response::RequestFailed {
            code: 11,
            publish: false
        }
    );
    assert_eq!(
        d(b"+CMQTTPUB: 0,14"),
        Response::RequestFailed {
            code: 14,
            publish: true
        }
    );
    // Test-form replies and the prompted commands' own lines only inform.
    assert_eq!(d(b"+CMQTTSUB: (0-1),(1-1024),(0-2),(0-1)"), Response::Info);
    assert_eq!(d(b"+CMQTTPAYLOAD: (0-1),(1-10240)"), Response::Info);
    assert_eq!(d(b"+CMQTTSUBTOPIC: 0,12"), Response::Info);
    assert_eq!(d(b"+CMQTTACCQ: 0,\"s1\",0"), Response::Info);
}

#[test]
fn link_loss_and_the_state_query() {
    for cause in [1u16, 2, 3, 99] {
        assert_eq!(
            d(format!("+CMQTTCONNLOST: 0,{cause}").as_bytes()),
            Response::LinkClosed {
                code: cause,
                cause: LinkCause::Closed
            }
        );
    }
    assert_eq!(
        d(b"+CMQTTPING: 0,17"),
        Response::LinkClosed {
            code: 17,
            cause: LinkCause::Closed
        }
    );
    assert_eq!(
        d(b"+CMQTTNONET"),
        Response::BearerLost {
            cid: 0,
            restore: true
        }
    );
    // `+CMQTTDISC`: the state in answer to the query (0 = connected, client 0 only), else
    // the result of the disconnect.
    assert_eq!(
        decode(b"+CMQTTDISC: 0,0", true),
        Response::SessionState {
            code: 0,
            connected: true
        }
    );
    assert_eq!(
        decode(b"+CMQTTDISC: 0,1", true),
        Response::SessionState {
            code: 1,
            connected: false
        }
    );
    assert_eq!(decode(b"+CMQTTDISC: 1,0", true), Response::Info);
    // The disconnect's result (§4.11): the session has ended.
    assert_eq!(
        decode(b"+CMQTTDISC: 0,0", false),
        Response::SessionState {
            code: 0,
            connected: false
        }
    );
}

#[test]
fn message_parts_outside_a_framed_message() {
    // A start line the tokenizer could not frame: the message is lost and counted.
    assert_eq!(d(b"+CMQTTRXSTART: 0,0,5"), Response::CorruptMessage);
    // The parts of a message already counted lost.
    assert_eq!(d(b"+CMQTTRXTOPIC: 0,3"), Response::Settled);
    assert_eq!(d(b"+CMQTTRXPAYLOAD: 0,3"), Response::Settled);
    assert_eq!(d(b"+CMQTTRXEND: 0"), Response::Settled);
    // Invented forms no source documents (§4.14 item 7) are unknown.
    assert_eq!(d(b"+CMQTTRECV: 0,\"t\",1,x"), Response::Unknown);
    assert_eq!(d(b"+CMQTTX: 0"), Response::Unknown);
    assert_eq!(d(b""), Response::Unknown);
    assert_eq!(d(b"\xff\xfe"), Response::Unknown);
}

/// The forms of docs/quectel-simcom-at.md §2.2, §4.1, §4.3, §4.11 and §4.12 not pinned above:
/// the A76xx boot's SIM errors and PDN notices, the bearer's `+NETOPEN`, the certificate list,
/// the acquire's test reply and a disconnect result other than 0.
#[test]
fn boot_bearer_certificate_and_disconnect_lines() {
    // Before `+CPIN: READY` the A76xx answers with SIM errors (verbose or numeric).
    assert_eq!(d(b"+CME ERROR: SIM busy"), Response::CmeError(CME_TEXT));
    assert_eq!(d(b"+CME ERROR: SIM failure"), Response::CmeError(CME_TEXT));
    assert_eq!(d(b"+CME ERROR: 14"), Response::CmeError(14));
    assert_eq!(d(b"+CGEV: ME PDN ACT 8,4"), Response::Info);
    assert_eq!(d(b"+MSTK: 3,\"D0\""), Response::Info);
    assert_eq!(d(b"+NETOPEN: 0"), Response::Info);
    assert_eq!(d(b"+CCERTLIST: \"ca.pem\""), Response::Info);
    assert_eq!(d(b"+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)"), Response::Info);
    // The disconnect's own result, failed: the session has ended all the same (§4.11).
    assert_eq!(
        decode(b"+CMQTTDISC: 0,11", false),
        Response::SessionState {
            code: 11,
            connected: false
        }
    );
    assert_eq!(
        d(b"+CMQTTSTOP: 21"),
        Response::SessionState {
            code: 0,
            connected: false
        }
    );
}

/// Spaces after every comma, for every result line the session acts on.
#[test]
fn spaces_after_the_commas_of_every_result() {
    let cases: [(&[u8], Response); 7] = [
        (b"+CMQTTSTART: 23", Response::LinkOpened),
        (
            b"+CMQTTCONNECT: 0, 30",
            Response::ConnectFailed {
                code: 30,
                reason: Status::BrokerRefused,
            },
        ),
        (
            b"+CMQTTSUB: 0, 0",
            Response::Subscribed {
                id: None,
                granted: None,
            },
        ),
        (b"+CMQTTUNSUB: 0, 0", Response::Unsubscribed { id: None }),
        (
            b"+CMQTTPUB: 0, 6",
            Response::RequestFailed {
                code: 6,
                publish: true,
            },
        ),
        (
            b"+CMQTTCONNLOST: 0, 3",
            Response::LinkClosed {
                code: 3,
                cause: LinkCause::Closed,
            },
        ),
        (
            b"+CMQTTPING: 0, 17",
            Response::LinkClosed {
                code: 17,
                cause: LinkCause::Closed,
            },
        ),
    ];
    for (line, want) in cases {
        assert_eq!(d(line), want, "{:?}", String::from_utf8_lossy(line));
    }
    assert_eq!(
        decode(b"+CMQTTDISC: 0, 0", true),
        Response::SessionState {
            code: 0,
            connected: true
        }
    );
}
