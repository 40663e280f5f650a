//! decode(): every line form of docs/luat-at.md §2.2 (boot), §4, §5, §7 (URCs) and §8 (errors), their
//! spelling variants, leniency limits, and garbage.

use cellmqtt::dialect::luat::{decode, Ack, LinkCause, Response, SimState, CME_TEXT};
use Response::*;

// The Luat spellings by their old names, in the engine's vocabulary (src/dialect/response.rs):
// the rows below are the decoder's table as it was before the dialect split.
#[allow(non_upper_case_globals)]
const ConnectOk: Response = LinkOpened;
#[allow(non_upper_case_globals)]
const AlreadyConnect: Response = LinkAlreadyOpen;
#[allow(non_upper_case_globals)]
const ConnectFail: Response = OpenFailed {
    code: 0,
    reason: cellmqtt::Status::BrokerUnreachable,
};
#[allow(non_upper_case_globals)]
const ConnackOk: Response = Connected;
#[allow(non_upper_case_globals)]
const Suback: Response = Subscribed {
    id: None,
    granted: None,
};
#[allow(non_upper_case_globals)]
const Unsuback: Response = Unsubscribed { id: None };
#[allow(non_upper_case_globals)]
const Puback: Response = PubAck {
    ack: Ack::Puback,
    id: None,
};
#[allow(non_upper_case_globals)]
const Pubrec: Response = PubAck {
    ack: Ack::Pubrec,
    id: None,
};
#[allow(non_upper_case_globals)]
const Pubcomp: Response = PubAck {
    ack: Ack::Pubcomp,
    id: None,
};
#[allow(non_upper_case_globals)]
const Closed: Response = LinkClosed {
    code: 0,
    cause: LinkCause::Closed,
};
#[allow(non_upper_case_globals)]
const PdpDeact: Response = BearerLost {
    cid: 0,
    restore: true,
};
#[allow(non_upper_case_globals)]
const ShutOk: Response = Done;

#[allow(non_snake_case)]
fn MqttState(code: u8) -> Response {
    SessionState {
        code,
        connected: code == 1,
    }
}

/// A `STATE:` line: only whether it says the bearer is down is kept.
#[allow(non_snake_case)]
fn TcpState(text: &[u8]) -> Response {
    BearerState {
        down: matches!(text, b"PDP DEACT" | b"IP INITIAL"),
    }
}

#[allow(non_snake_case)]
fn TcpError(code: u16) -> Response {
    LinkClosed {
        code,
        cause: LinkCause::Error,
    }
}

#[allow(non_snake_case)]
fn PdnDeact(cid: u8) -> Response {
    BearerLost {
        cid,
        restore: false,
    }
}

fn table(cases: &[(&[u8], Response)]) {
    for (line, expected) in cases {
        assert_eq!(
            decode(line),
            *expected,
            "line {:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn final_results() {
    table(&[
        (b"OK", Ok),
        (b"ERROR", Error),
        (b"+CME ERROR: 767", CmeError(767)),
        (b"+CME ERROR: 10", CmeError(10)),
        (b"+CME ERROR: 14", CmeError(14)),
        (b"+CME ERROR: 4", CmeError(4)),
        (b"+CME ERROR: 765", CmeError(765)),
        (b"+CME ERROR: 0", CmeError(0)),
        (b"+CME ERROR:767", CmeError(767)),
        (b"+CME ERROR:  3", CmeError(3)),
        (b"+CME ERROR: 65534", CmeError(65534)),
        (b"+CME ERROR: 65535", CmeError(65535)),
        (b"+CMS ERROR: 500", CmeError(500)),
        (b"+CMS ERROR:304", CmeError(304)),
        // Verbose (AT+CMEE=2), out of range, missing: still a final error, code unknown.
        (b"+CME ERROR: operation not allowed", CmeError(CME_TEXT)),
        (b"+CME ERROR: SIM not inserted", CmeError(CME_TEXT)),
        (b"+CME ERROR: 65536", CmeError(CME_TEXT)),
        (b"+CME ERROR: 99999999999999", CmeError(CME_TEXT)),
        (b"+CME ERROR: 12a", CmeError(CME_TEXT)),
        (b"+CME ERROR:", CmeError(CME_TEXT)),
        (b"+CMS ERROR: unknown", CmeError(CME_TEXT)),
    ]);
}

#[test]
fn every_cme_code_of_the_table() {
    let codes: &[u16] = &[
        3, 4, 10, 11, 12, 13, 14, 20, 30, 31, 50, 51, 52, 53, 58, 62, 63, 100, 107, 133, 148, 149,
        151, 765, 766, 767, 791, 792, 793, 794, 795, 796, 797, 813, 814, 900, 901, 902, 910, 911,
        912, 913, 914, 915, 916, 917, 918, 980, 981, 982, 983, 65535,
    ];
    for &code in codes {
        let line = format!("+CME ERROR: {code}");
        assert_eq!(decode(line.as_bytes()), CmeError(code));
    }
}

#[test]
fn mqtt_results_and_urcs() {
    table(&[
        (b"CONNECT OK", ConnectOk),
        (b"7,CONNECT OK", ConnectOk),
        (b"0,CONNECT OK", ConnectOk),
        (b"7, CONNECT OK", ConnectOk),
        (b"ALREADY CONNECT", AlreadyConnect),
        (b"CONNECT FAIL", ConnectFail),
        (b"7,CONNECT FAIL", ConnectFail),
        (b"CONNACK OK", ConnackOk),
        (b"SUBACK", Suback),
        (b"UNSUBACK", Unsuback),
        (b"PUBACK", Puback),
        (b"PUBREC", Pubrec),
        (b"PUBCOMP", Pubcomp),
        (b"CLOSED", Closed),
        (b"7,CLOSED", Closed),
        (b"+MQTTSTATU :0", MqttState(0)),
        (b"+MQTTSTATU :1", MqttState(1)),
        (b"+MQTTSTATU :2", MqttState(2)),
        (b"+MQTTSTATU: 1", MqttState(1)),
        (b"+MQTTSTATU:1", MqttState(1)),
        (b"+MQTTSTATU : 1", MqttState(1)),
        (b"+MQTTSTATU  :  2", MqttState(2)),
        (b"+MSUB: 0", CacheNotice(0)),
        (b"+MSUB: 3", CacheNotice(3)),
        (b"+MSUB:1", CacheNotice(1)),
        (b"+MSUB: 4", Unknown),
        (b"+MSUB: x", Unknown),
        (b"+MSUB: 0,1", Unknown),
        // A +MSUB message line that was not framed as a message (bad header): corrupt.
        (b"+MSUB: \"t\",99999999 byte,abc", CorruptMessage),
        (b"+MSUB: \"t\",90000 byte,abc", CorruptMessage),
        (b"+MSUB: t,x byte,abc", CorruptMessage),
        // The test form's answer is no message at all.
        (b"+MSUB:<topic>,(0-2)", Unknown),
    ]);
}

#[test]
fn tcp_state_and_errors() {
    assert_eq!(decode(b"STATE: IP INITIAL"), TcpState(b"IP INITIAL"));
    assert_eq!(decode(b"STATE: TCP CLOSED"), TcpState(b"TCP CLOSED"));
    assert_eq!(decode(b"STATE: PDP DEACT"), TcpState(b"PDP DEACT"));
    assert_eq!(decode(b"STATE:CONNECT OK"), TcpState(b"CONNECT OK"));
    assert_eq!(decode(b"STATE: IP STATUS  "), TcpState(b"IP STATUS"));
    assert_eq!(decode(b"STATE:"), TcpState(b""));
    table(&[
        (b"TCP ERROR: 0", TcpError(0)),
        (b"TCP ERROR: 18", TcpError(18)),
        (b"TCP ERROR:12", TcpError(12)),
        (b"TCP ERROR: x", Unknown),
        (b"TCP ERROR: 70000", Unknown),
        (b"TCP ERROR", Unknown),
    ]);
}

#[test]
fn link_loss_urcs() {
    table(&[
        (b"+CGEV: NW PDN DEACT 1", PdnDeact(1)),
        (b"+CGEV: NW PDN DEACT 5", PdnDeact(5)),
        (b"+CGEV: ME PDN DEACT 1", PdnDeact(1)),
        (b"+CGEV: ME PDN DEACT 1,0", PdnDeact(1)),
        (b"+CGEV: ME PDN DEACT 2,3", PdnDeact(2)),
        (b"+CGEV:NW PDN DEACT 1", PdnDeact(1)),
        (b"+CGEV: NW PDN DEACT", PdnDeact(0)),
        (b"+CGEV: NW PDN DEACT 300", PdnDeact(0)),
        (b"+CGEV: NW DETACH", PdnDeact(0)),
        (b"+CGEV: ME DETACH", PdnDeact(0)),
        (b"+PDP DEACT", PdpDeact),
        (b"+PDP:DEACT", PdpDeact),
        (b"+PDP: DEACT", PdpDeact),
        (b"+PDP : DEACT", PdpDeact),
        (b"+PDP: ACT", Unknown),
        (b"NORMAL POWER DOWN", PowerDown),
    ]);
}

#[test]
fn boot_lines() {
    table(&[
        (b"RDY", Ready),
        (b"^MODE: 17,17", Info),
        (b"^MODE: 0,0", Info),
        (b"^MODE: 3,1", Info),
        (b"+E_UTRAN Service", Info),
        (b"+GSM Service", Info),
        (b"+CGEV: ME PDN ACT 1", Info),
        (b"+CGEV: ME PDN ACT 1,0", Info),
        (b"+NITZ: 2024/07/10,08:33:44+0,0", Info),
        (b"+NITZ: 24/08/22,07:27:15+32, ", Info),
        (b"SMS READY", Info),
        (b"UART Boot Completed", Info),
        (b"+CFUN: 1", Info),
        (b"+CPIN: READY", Sim(SimState::Ready)),
        // Boot garbage from S15 / P3 is not recognised as anything.
        (b"^boot.rom'v'!", Unknown),
        (b"?", Unknown),
    ]);
}

#[test]
fn sim_states() {
    table(&[
        (b"+CPIN: READY", Sim(SimState::Ready)),
        (b"+CPIN:READY", Sim(SimState::Ready)),
        (b"+CPIN: SIM PIN", Sim(SimState::Pin)),
        (b"+CPIN: SIM PUK", Sim(SimState::Puk)),
        (b"+CPIN: SIM PIN2", Sim(SimState::Pin2)),
        (b"+CPIN: SIM PUK2", Sim(SimState::Puk2)),
        (b"+CPIN: SIM REMOVED", Sim(SimState::Removed)),
        (b"+CPIN: NOT INSERTED", Sim(SimState::Removed)),
        (b"+CPIN: NOT READY", Sim(SimState::NotReady)),
        (b"+CPIN: PH-SIM PIN", Sim(SimState::Other)),
        (b"+CPIN:", Sim(SimState::Other)),
        (b"SIM REMOVED", Sim(SimState::Removed)),
    ]);
}

#[test]
fn network_queries() {
    table(&[
        (b"+CGATT: 1", Attach(1)),
        (b"+CGATT: 0", Attach(0)),
        (b"+CGATT:1", Attach(1)),
        (b"+CGATT: (0-1)", Info),
        (b"+CGATT: 256", Unknown),
        (b"+CGATT: x", Unknown),
        (b"+CSQ: 29,99", Signal { rssi: 29, ber: 99 }),
        (b"+CSQ: 16,0", Signal { rssi: 16, ber: 0 }),
        (b"+CSQ: 99,99", Signal { rssi: 99, ber: 99 }),
        (b"+CSQ:31,7", Signal { rssi: 31, ber: 7 }),
        (b"+CSQ: 20, 99", Signal { rssi: 20, ber: 99 }),
        (b"+CSQ: (0-31,99),(0-7,99)", Info),
        (b"+CSQ: 300,0", Unknown),
        (b"+CSQ: 20", Unknown),
        (b"+CSQ: 20,", Unknown),
        (b"+CSQ: ,99", Unknown),
        (b"+CREG: 0,1", Info),
        (b"+CREG: 1", Info),
        (b"+CGREG: 0,1", Info),
        (b"+CEREG: 2,1,\"4844\",\"0EA2D0CA\",7", Info),
        (b"+CEREG: 0", Info),
        (b"+CEREG: (0,1,2,3,4,5)", Info),
        (b"+CGEV: NW MODIFY 1,2,0", Info),
        (b"+CGEV: ME MODIFY 1,2,0", Info),
        (b"+CTZV: 24/08/22,07:27:15,+32", Info),
    ]);
}

#[test]
fn mqtt_query_and_test_replies() {
    table(&[
        (b"+MQTTMSGGET: 0,VALID", Info),
        (b"+MQTTMSGGET: 3,INVALID", Info),
        (b"+MQTTMSGSET: 1", Info),
        (b"+MQTTMSGSET:0", Info),
        (b"+MQTTMSGSET:(0,1)", Info),
        (b"+MQTTMODE: 0", Info),
        (b"+MCONFIG: <clientid>[,<username>,<password>[,(0-2),(0,1),<will_topic>,<will_message>]]", Info),
        (b"+MIPSTART:\"(0,255).(0,255).(0,255).(0,255)\",(1-65535)", Info),
        (b"+MIPSTART:\"DOMAIN NAME\",(1-65535)", Info),
        (b"+SSLMIPSTART:\"DOMAIN NAME\",(1-65535)", Info),
        (b"+MCONNECT:(0-1),(1-65535)", Info),
        (b"+MPUB:<topic>,(0-2),(0-1),<message>", Info),
        (b"+MPUBEX:<topic>,(0-2),(0-1),<len>", Info),
        (b"+MUNSUB:<topic>", Info),
        (b"+SSLCFG: \"cacert\",88,\"ca.crt\"", Info),
        (b"SHUT OK", ShutOk),
    ]);
}

#[test]
fn echo_of_our_commands() {
    table(&[
        (b"AT", Echo),
        (b"ATE0", Echo),
        (b"AT+MPUB=\"t\",0,0,\"{\\22id\\22:1}\"", Echo),
        (b"AT+MSUB=\"mqtt/sub\",1", Echo),
        (b"at+csq", Echo),
        (b"At+CSQ", Echo),
        (b"aT", Echo),
        (b"A", Unknown),
        (b"ALREADY", Unknown),
    ]);
}

#[test]
fn lenient_whitespace_and_glitch_bytes() {
    table(&[
        (b"OK ", Ok),
        (b"OK\t", Ok),
        (b"OK  \t ", Ok),
        (b"CONNACK OK  ", ConnackOk),
        (b"\x00RDY", Ready),
        (b"\x00\x00OK", Ok),
        (b"\xffRDY", Ready),
        (b"\xff\xfe\x00PUBACK", Puback),
        (b"\x1bOK", Ok),
        (b"+CME ERROR: 767 ", CmeError(767)),
        (b"+MQTTSTATU :1 ", MqttState(1)),
        (b"+CSQ: 20,99  ", Signal { rssi: 20, ber: 99 }),
    ]);
}

#[test]
fn no_false_positives() {
    table(&[
        (b"", Unknown),
        (b"   ", Unknown),
        (b"\x00", Unknown),
        (b" OK", Unknown),
        (b"?RDY", Unknown),
        (b"OKAY", Unknown),
        (b"ok", Unknown),
        (b"O", Unknown),
        (b"ERRORS", Unknown),
        (b"error", Unknown),
        (b"PUBACK!", Unknown),
        (b"PUB", Unknown),
        (b"SUBACKS", Unknown),
        (b"UNSUB", Unknown),
        (b"CONNECT", Unknown),
        (b"CONNECT OK2", Unknown),
        (b"CONNACK", Unknown),
        (b"CLOSE", Unknown),
        (b"123,CLOSED", Unknown),
        (b"7CLOSED", Unknown),
        (b"7,", Unknown),
        (b"7,CONNACK OK", Unknown),
        (b"RDY2", Unknown),
        (b"NORMAL POWER", Unknown),
        (b"SIM", Unknown),
        (b"S", Unknown),
        (b"+", Unknown),
        (b"+C", Unknown),
        (b"+CME", Unknown),
        (b"+MQTTSTATU", Unknown),
        (b"+MQTTSTATU :", Unknown),
        (b"+MQTTSTATU :x", Unknown),
        (b"+MQTTSTATU :256", Unknown),
        (b"+MQTTSTATU 1", Unknown),
        (b"+PDP", Unknown),
        (b"+XYZ: 1", Unknown),
        (b"^", Unknown),
        (b"^MOD", Unknown),
        (b"TCP", Unknown),
        (b"\xe4\xb8\xad\xe6\x96\x87", Unknown),
        (b"+CME: ERROR 3", Unknown),
    ]);
}

#[test]
fn random_lines_never_panic() {
    let mut state = 0x1234_5678_9ABC_DEF0u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"+ :,0123456789ACDEGKMNOPRSTUQ\"\x00\xff";
    let rounds = if cfg!(miri) { 500 } else { 200_000 };
    for _ in 0..rounds {
        let len = (next() % 24) as usize;
        let line: Vec<u8> = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        // Any result is fine; a bearer state comes only from a `STATE:` line.
        if let BearerState { .. } = decode(&line) {
            assert!(line.starts_with(b"STATE:"), "{line:?}");
        }
    }
}

/// Replies of docs/luat-at.md §1, §4 and §5.8 not pinned above: the error mode, the baud rate,
/// the PDP contexts and the encoding's test form only inform.
#[test]
fn setting_replies_only_inform() {
    table(&[
        (b"+CMEE: 1", Info),
        (b"+IPR: 115200", Info),
        (b"+CGDCONT: 1,\"IP\",\"cmnet\"", Info),
        (b"+CGACT: 1,1", Info),
        (b"+CGEREP: 0,0", Info),
        (b"+MQTTMODE: (0,1)", Info),
        (b"+MQTTMODE:1", Info),
        (b"+SSLCFG: \"seclevel\",88,1", Info),
    ]);
}
