//! TLS and mutual TLS, with certificates the test generates: a CA, a
//! server certificate for `localhost` and a client certificate.

use crate::common;

use common::TestServer;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use textanalysis::proto::v1::ListModelsRequest;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::server::{ServerConfig, Tls};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Identity};

/// PEM certificates and keys for one test.
struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn generate() -> Pki {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = |name: &str| {
        let key = KeyPair::generate().expect("key");
        let cert = CertificateParams::new(vec![name.to_owned()])
            .expect("params")
            .signed_by(&key, &issuer)
            .expect("certificate");
        (cert.pem(), key.serialize_pem())
    };
    Pki {
        ca: ca.pem(),
        server: leaf("localhost"),
        client: leaf("client.test"),
    }
}

async fn start(pki: &Pki, mutual: bool) -> TestServer {
    TestServer::start_with(ServerConfig {
        tls: Some(
            Tls::from_pem(
                pki.server.0.as_bytes(),
                pki.server.1.as_bytes(),
                mutual.then_some(pki.ca.as_bytes()),
            )
            .expect("the generated PEM files are usable"),
        ),
        ..ServerConfig::default()
    })
    .await
}

/// Connects over TLS, trusting the test CA, with a client certificate if
/// given, and makes one call.
async fn call(
    server: &TestServer,
    pki: &Pki,
    identity: Option<&(String, String)>,
) -> Result<(), String> {
    let mut tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&pki.ca))
        .domain_name("localhost");
    if let Some((cert, key)) = identity {
        tls = tls.identity(Identity::from_pem(cert, key));
    }
    let channel = Channel::from_shared(format!("https://{}", server.addr))
        .expect("uri")
        .tls_config(tls)
        .map_err(|e| e.to_string())?
        .connect()
        .await
        .map_err(|e| format!("connect: {e:?}"))?;
    TextAnalysisServiceClient::new(channel)
        .list_models(ListModelsRequest {})
        .await
        .map(|_| ())
        .map_err(|s| format!("call: {s:?}"))
}

#[tokio::test]
async fn tls_serves_clients_that_trust_the_ca_and_refuses_plaintext() {
    let pki = generate();
    let server = start(&pki, false).await;
    call(&server, &pki, None)
        .await
        .expect("a TLS call succeeds");
    let plaintext = server
        .client()
        .await
        .list_models(ListModelsRequest {})
        .await;
    assert!(plaintext.is_err(), "a plaintext call must fail");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn mutual_tls_requires_a_client_certificate_from_the_ca() {
    let pki = generate();
    let server = start(&pki, true).await;
    call(&server, &pki, Some(&pki.client))
        .await
        .expect("a client with a certificate from the CA is served");
    assert!(
        call(&server, &pki, None).await.is_err(),
        "a client without a certificate is refused"
    );
    // A certificate from another CA is refused too.
    let stranger = generate();
    assert!(
        call(&server, &pki, Some(&stranger.client)).await.is_err(),
        "a client certificate from an unknown CA is refused"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_stalled_handshake_is_closed_at_the_handshake_timeout() {
    use tokio::io::AsyncWriteExt;
    let pki = generate();
    let tls =
        Tls::from_pem(pki.server.0.as_bytes(), pki.server.1.as_bytes(), None).expect("usable PEM");
    let server = TestServer::start_with(ServerConfig {
        tls: Some(tls),
        connections: textanalysis::config::Connections {
            handshake_timeout: std::time::Duration::from_millis(200),
            ..Default::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let mut silent = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    // The first bytes of a ClientHello record, and then nothing.
    let mut partial = tokio::net::TcpStream::connect(server.addr)
        .await
        .expect("connect");
    partial
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .await
        .expect("part of a ClientHello");
    let limit = std::time::Duration::from_secs(5);
    assert!(common::raw::closed_within(&mut silent, limit).await);
    assert!(common::raw::closed_within(&mut partial, limit).await);
    call(&server, &pki, None)
        .await
        .expect("a client that completes its handshake is served");
    server.stop().await.expect("clean stop");
}

#[test]
fn unusable_tls_files_are_refused_naming_the_file() {
    let pki = generate();
    let other = generate();
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let cert = write("server.pem", &pki.server.0);
    let key = write("server.key", &pki.server.1);
    let wrong_key = write("other.key", &other.server.1);
    let not_pem = write("ca.txt", "this is not a certificate");
    let ca = write("ca.pem", &pki.ca);
    assert!(Tls::from_files(&cert, &key, Some(&ca)).is_ok());

    let error = Tls::from_files(&cert, &wrong_key, None).expect_err("mismatched key");
    assert!(error.contains("other.key"), "{error}");
    assert!(error.contains("does not match"), "{error}");
    let error = Tls::from_files(&cert, &key, Some(&not_pem)).expect_err("CA not PEM");
    assert!(error.contains("--tls-client-ca"), "{error}");
    assert!(error.contains("ca.txt"), "{error}");
    let error = Tls::from_files(&not_pem, &key, None).expect_err("certificate not PEM");
    assert!(error.contains("--tls-cert"), "{error}");
    assert!(error.contains("ca.txt"), "{error}");
    let error = Tls::from_files(&cert, &not_pem, None).expect_err("key not PEM");
    assert!(error.contains("--tls-key"), "{error}");
    let missing = dir.path().join("missing.pem");
    let error = Tls::from_files(&missing, &key, None).expect_err("no such file");
    assert!(error.contains("missing.pem"), "{error}");
}
