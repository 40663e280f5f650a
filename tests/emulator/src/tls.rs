//! TLS for `AT+SSLMIPSTART`, built from SSLCFG context 88 (rustls with the ring provider).
//!
//! seclevel 0 accepts any server certificate (the module's "no authentication"), 1 verifies the
//! server against the `cacert` file, 2 additionally presents `clientcert`/`clientkey`.
//! Not emulated: the module's cipher-suite list (RSA key exchange, RC4, 3DES); rustls offers
//! modern ECDHE suites with TLS 1.2 and 1.3 instead (see README).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_rustls::TlsConnector;

use crate::module::TlsSettings;

/// seclevel 0: accept whatever certificate the server shows, but still check the handshake
/// signatures so the session is a real TLS session.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{what}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{what}: no certificate in the file"));
    }
    Ok(certs)
}

/// Builds the connector and the name to present (SNI) and verify.
pub fn connector(t: &TlsSettings) -> Result<(TlsConnector, ServerName<'static>), String> {
    if let Some(p) = &t.problem {
        return Err(p.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let versions: &[&rustls::SupportedProtocolVersion] = match t.version {
        Some(3) => &[&rustls::version::TLS12],
        Some(0..=2) => {
            return Err("SSL 3.0 / TLS 1.0 / TLS 1.1 are not supported by the emulator".into())
        }
        _ => rustls::ALL_VERSIONS,
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| e.to_string())?;
    let builder = if t.seclevel == 0 {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
    } else {
        let mut roots = RootCertStore::empty();
        for c in certs(t.ca_pem.as_deref().unwrap_or_default(), "cacert")? {
            roots.add(c).map_err(|e| format!("cacert: {e}"))?;
        }
        builder.with_root_certificates(roots)
    };
    let config = match (&t.client_cert_pem, &t.client_key_pem) {
        (Some(cert), Some(key)) if t.seclevel >= 2 => {
            let chain = certs(cert, "clientcert")?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| format!("clientkey: {e}"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| e.to_string())?
        }
        _ if t.seclevel >= 2 => return Err("seclevel 2 needs clientcert and clientkey".into()),
        _ => builder.with_no_client_auth(),
    };
    let name =
        ServerName::try_from(t.server_name.clone()).map_err(|e| format!("server name: {e}"))?;
    Ok((TlsConnector::from(Arc::new(config)), name))
}
