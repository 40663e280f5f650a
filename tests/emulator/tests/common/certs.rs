//! Certificates for TLS tests, made at test time by the openssl CLI.

use std::path::Path;
use std::process::Command;

use super::{set_mode, TempDir, TlsFiles};

fn openssl(dir: &Path, args: &[&str]) {
    let st = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl CLI (scripts/deps.sh installs it)");
    assert!(
        st.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// A CA, a server certificate for 127.0.0.1/localhost signed by it, and an unrelated CA.
pub fn make_certs(dir: &TempDir) -> TlsFiles {
    let d = &dir.0;
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for ca in ["ca", "other"] {
        let mut a = vec!["req", "-x509", "-days", "2", "-subj"];
        let subj = format!("/CN=cellmqtt test {ca}");
        a.push(&subj);
        a.extend(ec);
        let key = format!("{ca}.key");
        let crt = format!("{ca}.crt");
        a.extend(["-keyout", &key, "-out", &crt]);
        openssl(d, &a);
    }
    let mut a = vec![
        "req",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ];
    a.extend(ec);
    openssl(d, &a);
    std::fs::write(
        dir.path("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext.cnf");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "server.crt",
        ],
    );
    for f in ["ca.crt", "server.crt", "server.key", "other.crt"] {
        set_mode(&dir.path(f), 0o644);
    }
    TlsFiles {
        ca: dir.path("ca.crt"),
        cert: dir.path("server.crt"),
        key: dir.path("server.key"),
    }
}
