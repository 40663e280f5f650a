//! Byte-exact transcripts of the two spellings of Luat `AT+MCONNECT` (docs/luat-at.md §5.3):
//! manual V1.6.7 documents `AT+MCONNECT=<clean>,<keepalive>[,<mode>]` [G2], and EC716S and
//! Air780E LPAT V1156 release notes fix the two-parameter form returning an error [S9]. Older
//! firmware therefore refuses what every other module is sent. The engine sends two
//! parameters; a refusal at once makes the next connect try the other spelling; the one the
//! module answers `OK` is kept until it reboots. The refusal is classed and recovered from as
//! before (`CONNACK_FAILED`, the ladder).
mod common;

use cellmqtt::{LogKind, Notice, Pins, RecoveryStep, State, Status, Subject};
use common::{config, prepare_after_boot, Harness};

/// From the end of a back-off to the `AT+MCONNECT` it leads to: the stale-link close, the
/// client set-up, the open and its `CONNECT OK`; then the connect spelled `mconnect`.
fn reconnect(h: &mut Harness, mconnect: &[u8]) {
    let wait = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(wait);
    h.tx(b"AT+MIPCLOSE\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    open_and_connect(h, mconnect);
}

/// From a module boot (echo on) to the first `AT+MCONNECT`, spelled `mconnect`.
fn first_connect(h: &mut Harness, mconnect: &[u8]) {
    prepare_after_boot(h);
    open_and_connect(h, mconnect);
}

/// The client set-up, the open and its `CONNECT OK`; then the connect spelled `mconnect`.
fn open_and_connect(h: &mut Harness, mconnect: &[u8]) {
    h.tx(b"AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    h.rx(b"\r\nOK\r\n");
    h.tx(b"AT+MIPSTART=\"broker.example\",1883\r");
    h.rx(b"\r\nOK\r\n\r\nCONNECT OK\r\n");
    h.tx(mconnect);
}

/// The connect refused at once is reported as before: the command's error logged, a
/// re-connect for `CONNACK_FAILED` (the `failures`-th failed cycle).
#[track_caller]
fn assert_refused_as_before(h: &mut Harness, code: u16, failures: u16, step: RecoveryStep) {
    let n = h.notices();
    assert!(
        n.contains(&Notice::Log {
            kind: LogKind::CommandError,
            what: Subject::MConnect,
            code,
            reason: Status::Ok,
        }),
        "{n:?}"
    );
    assert!(
        n.contains(&Notice::Recovery {
            step,
            reason: Status::ConnackFailed,
            failures,
        }),
        "{n:?}"
    );
}

/// Old firmware (Air780E LPAT before V1156): the two-parameter form is answered `ERROR` at
/// once; after the back-off the three-parameter form (`<mode>` 0 for a keepalive of 120 s)
/// connects. Re-connects after a lost link keep it, even one the module refuses at once
/// (its spelling is settled since it took it); after a reboot two parameters come first again.
#[test]
fn old_firmware_refusing_two_parameters_connects_with_three_until_it_reboots() {
    let mut h = Harness::new(config());
    h.start();
    first_connect(&mut h, b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nERROR\r\n");
    assert_refused_as_before(&mut h, 0, 1, RecoveryStep::Reconnect);
    assert_eq!(h.engine.state(), State::Recovering);

    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    h.rx(b"\r\nOK\r\n");
    h.tx_nothing();
    h.rx(b"\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
    h.take_events();

    // The link drops: the re-connect keeps the spelling the module took.
    h.rx(b"\r\nCLOSED\r\n");
    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    // Refused at once now (the broker had closed, §5.3: the text is unknown): the module
    // took this spelling, so it stays; the refusal is classed as before.
    h.rx(b"\r\nERROR\r\n");
    assert_refused_as_before(&mut h, 0, 2, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);

    // The module reboots: it is a new module, asked the documented form first.
    h.rx(b"\r\nRDY\r\n");
    h.take_events();
    first_connect(&mut h, b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
}

/// A module that refuses both spellings at once (a sick module, not the firmware) is sent
/// them in turn, `<mode>` 1 for a keepalive over 300 s; the refusals climb the ladder as
/// before, and the RESET pulse, which reboots the module, starts again from two parameters.
#[test]
fn both_spellings_refused_alternate_and_a_reset_starts_again_from_two() {
    let mut c = config();
    c.keepalive_s = 600;
    c.pins = Pins::RESET;
    let mut h = Harness::new(c);
    h.start();
    first_connect(&mut h, b"AT+MCONNECT=1,600\r");
    h.rx(b"\r\nERROR\r\n");
    assert_refused_as_before(&mut h, 0, 1, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,600,1\r");
    h.rx(b"\r\n+CME ERROR: 3\r\n");
    assert_refused_as_before(&mut h, 3, 2, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,600\r");
    h.rx(b"\r\nERROR\r\n");
    assert_refused_as_before(&mut h, 0, 3, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,600,1\r");
    h.rx(b"\r\nERROR\r\n");
    // The fourth failed cycle takes the ladder's next rung, as before.
    assert_refused_as_before(&mut h, 0, 4, RecoveryStep::ResetPin);
    let wait = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(wait);
    let pulse = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(pulse);
    let boot = h.engine.poll_delay_ms(h.now, &h.ring);
    h.advance(boot);
    h.take_events();
    first_connect(&mut h, b"AT+MCONNECT=1,600\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
}

/// Only a refusal at once changes the spelling: `+CME ERROR: 767` (already connected, link
/// gone, §5.3) does not; a plain `ERROR` does; the broker's refusal after the module's `OK`
/// (`ERROR`, `CLOSED`) settles the spelling the module took, so even a refusal at once
/// after it leaves it.
#[test]
fn only_a_refusal_at_once_before_any_ok_changes_the_spelling() {
    let mut h = Harness::new(config());
    h.start();
    first_connect(&mut h, b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\n+CME ERROR: 767\r\n");
    assert_refused_as_before(&mut h, 767, 1, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,120\r");
    h.rx(b"\r\nERROR\r\n");
    assert_refused_as_before(&mut h, 0, 2, RecoveryStep::Reconnect);
    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    // Taken by the module, refused by the broker (wrong password): a broker failure.
    h.rx(b"\r\nOK\r\n\r\nERROR\r\n\r\nCLOSED\r\n");
    let n = h.notices();
    assert!(
        n.iter().any(|e| matches!(
            e,
            Notice::Recovery {
                step: RecoveryStep::Reconnect,
                reason: Status::BrokerRefused,
                ..
            }
        )),
        "{n:?}"
    );
    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    h.rx(b"\r\nERROR\r\n");
    h.take_events();
    reconnect(&mut h, b"AT+MCONNECT=1,120,0\r");
    h.rx(b"\r\nOK\r\n\r\nCONNACK OK\r\n");
    assert_eq!(h.engine.state(), State::Online);
}
