//! AT+SSLMIPSTART against a mosquitto TLS listener with certificates made at test time by the
//! openssl CLI: no verification (seclevel 0), verification with a CA written through
//! AT+FSCREATE/AT+FSWRITE (seclevel 1), and a failing verification with the wrong CA.

mod common;

use common::certs::make_certs;
use common::*;

#[test]
fn sslmipstart_with_and_without_verification() {
    let certs_dir = TempDir::new("certs");
    let files = make_certs(&certs_dir);
    let broker = Mosquitto::start_with(Some(&files));
    let tls_port = broker.tls_port.expect("tls port");
    let sub = Sub::start(broker.port, "tls/#", 1);
    let other = certs_dir.path("other.crt");
    let mut emu = Emu::start(&["--file", &format!("wrong.crt={}", other.display())]);
    emu.boot_quiet();
    let s = &mut emu.serial;

    // seclevel 0 (default): TLS without certificate checks.
    s.cmd(
        &format!("AT+SSLMIPSTART=\"127.0.0.1\",{tls_port}"),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nCONNECT OK\r\n");
    s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
    s.expect(b"\r\nCONNACK OK\r\n");
    s.cmd(
        "AT+MPUB=\"tls/a\",1,0,\"secure\"",
        b"\r\nOK\r\n\r\nPUBACK\r\n",
    );
    assert_eq!(sub.expect_msg().payload, b"secure".to_vec());
    s.cmd("AT+MIPCLOSE", b"\r\nOK\r\n");

    // seclevel 1 with the CA written into the module's file system.
    let ca = std::fs::read(&files.ca).expect("ca");
    s.cmd("AT+FSCREATE=\"ca.crt\"", b"\r\nOK\r\n");
    s.cmd(
        &format!("AT+FSWRITE=\"ca.crt\",0,{},10", ca.len()),
        b"\r\n> ",
    );
    s.send(&ca);
    s.expect(b"\r\nOK\r\n");
    s.cmd("AT+SSLCFG=\"cacert\",88,\"ca.crt\"", b"\r\nOK\r\n");
    s.cmd("AT+SSLCFG=\"seclevel\",88,1", b"\r\nOK\r\n");
    s.cmd(
        "AT+SSLCFG=\"seclevel\",88",
        b"\r\n+SSLCFG: \"seclevel\",88,1\r\n\r\nOK\r\n",
    );
    s.cmd(
        &format!("AT+SSLMIPSTART=\"127.0.0.1\",{tls_port}"),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nCONNECT OK\r\n");
    s.cmd("AT+MCONNECT=1,60", b"\r\nOK\r\n");
    s.expect(b"\r\nCONNACK OK\r\n");
    s.cmd(
        "AT+MPUB=\"tls/b\",2,0,\"verified\"",
        b"\r\nOK\r\n\r\nPUBREC\r\n\r\nPUBCOMP\r\n",
    );
    assert_eq!(sub.expect_msg().payload, b"verified".to_vec());
    s.cmd("AT+MIPCLOSE", b"\r\nOK\r\n");

    // The wrong CA: the handshake fails and so does the connect.
    s.cmd("AT+SSLCFG=\"cacert\",88,\"wrong.crt\"", b"\r\nOK\r\n");
    s.cmd(
        &format!("AT+SSLMIPSTART=\"127.0.0.1\",{tls_port}"),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    // A missing file fails the same way.
    s.cmd("AT+SSLCFG=\"cacert\",88,\"nope.crt\"", b"\r\nOK\r\n");
    s.cmd(
        &format!("AT+SSLMIPSTART=\"127.0.0.1\",{tls_port}"),
        b"\r\nOK\r\n",
    );
    s.expect(b"\r\nSTATE: TCP CLOSED\r\n\r\nCONNECT FAIL\r\n");
    assert!(emu.log_text().contains("certificate"), "log should say why");
}
