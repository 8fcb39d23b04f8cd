//! TLS and mutual TLS, with certificates the test generates: a CA, a
//! server certificate for `localhost` and a client certificate.

mod common;

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
