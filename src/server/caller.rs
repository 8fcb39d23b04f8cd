//! Who calls: the identity admission shares the analysis slots by.
//!
//! - When the server terminates mutual TLS itself, the client certificate
//!   names the caller: its first URI SAN (a SPIFFE ID such as
//!   `spiffe://cluster.local/ns/web/sa/frontend`), else its first DNS SAN.
//!   The handshake has verified the certificate, so the name is the
//!   client's; no header is read then, since the client could set one.
//! - Otherwise, only the headers the server is told to trust
//!   (`--caller-header`, in order, the first present wins): a mesh's
//!   sidecar sets them after its own mTLS handshake, e.g. Linkerd's
//!   `l5d-client-id`. Any other header is ignored, so a client cannot pick
//!   its own share by sending one.
//! - Without either, the caller is `anonymous`.
//!
//! A name that is not 1 to 256 bytes of visible ASCII is no identity
//! ([`Caller::new`]); the next header is tried. The certificate is read
//! once per connection, after its handshake ([`Identified`]), not once
//! per call.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tonic::codegen::http::{HeaderMap, HeaderName, Request};
use tonic::transport::server::Connected;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::service::Caller;

/// The caller of `request`, by its TLS client certificate, else by the
/// first of `headers` it carries, else `anonymous`.
pub(super) fn identify<B>(request: &Request<B>, headers: &[HeaderName]) -> Caller {
    if let Some(PeerCertificate(Some(caller))) = request.extensions().get::<PeerCertificate>() {
        return caller.clone();
    }
    by_header(request.headers(), headers).unwrap_or_else(Caller::anonymous)
}

/// What a TLS connection's client certificate says of its caller, which
/// tonic puts in each of its requests' extensions: none without a client
/// certificate; `anonymous` for a certificate without a usable name.
#[derive(Debug, Clone)]
pub(super) struct PeerCertificate(Option<Caller>);

/// A TLS connection, with the caller its client certificate names.
pub(super) struct Identified {
    tls: TlsStream<TcpStream>,
    caller: PeerCertificate,
}

impl Identified {
    /// Reads the client certificate of a connection whose handshake is
    /// done.
    pub(super) fn new(tls: TlsStream<TcpStream>) -> Self {
        let certificate = tls.get_ref().1.peer_certificates().map(|certs| {
            certs
                .first()
                .and_then(|cert| certificate_name(cert))
                .unwrap_or_else(Caller::anonymous)
        });
        Self {
            tls,
            caller: PeerCertificate(certificate),
        }
    }
}

impl Connected for Identified {
    type ConnectInfo = PeerCertificate;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.caller.clone()
    }
}

impl AsyncRead for Identified {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_read(cx, buf)
    }
}

impl AsyncWrite for Identified {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tls).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().tls).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().tls).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.tls.is_write_vectored()
    }
}

/// The first of `trusted` in `headers` whose value is an identity.
fn by_header(headers: &HeaderMap, trusted: &[HeaderName]) -> Option<Caller> {
    trusted
        .iter()
        .filter_map(|name| headers.get(name))
        .find_map(|value| value.to_str().ok().and_then(Caller::new))
}

/// The first URI SAN of a DER certificate, else its first DNS SAN.
fn certificate_name(der: &[u8]) -> Option<Caller> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let san = cert.subject_alternative_name().ok()??;
    let names = &san.value.general_names;
    let uri = names.iter().find_map(|n| match n {
        GeneralName::URI(uri) => Caller::new(uri),
        _ => None,
    });
    uri.or_else(|| {
        names.iter().find_map(|n| match n {
            GeneralName::DNSName(dns) => Caller::new(dns),
            _ => None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::codegen::http::HeaderValue;

    fn request(headers: &[(&'static str, &str)]) -> Request<()> {
        let mut request = Request::new(());
        for (name, value) in headers {
            request.headers_mut().append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        request
    }

    fn trusted(names: &[&'static str]) -> Vec<HeaderName> {
        names.iter().map(|n| HeaderName::from_static(n)).collect()
    }

    #[test]
    fn only_trusted_headers_name_the_caller_the_first_present_wins() {
        let headers = trusted(&["x-caller", "l5d-client-id"]);
        let both = request(&[("l5d-client-id", "web.ns.sa"), ("x-caller", "batch")]);
        assert_eq!(identify(&both, &headers).as_str(), "batch");
        let one = request(&[("l5d-client-id", "web.ns.sa")]);
        assert_eq!(identify(&one, &headers).as_str(), "web.ns.sa");
        let untrusted = request(&[("x-forwarded-client-cert", "By=spiffe://a")]);
        assert_eq!(identify(&untrusted, &headers).as_str(), "anonymous");
        assert_eq!(identify(&both, &[]).as_str(), "anonymous");
    }

    #[test]
    fn a_value_that_is_no_identity_gives_way_to_the_next_header() {
        let headers = trusted(&["x-caller", "l5d-client-id"]);
        let long = "a".repeat(Caller::MAX_BYTES + 1);
        let request = request(&[("x-caller", &long), ("l5d-client-id", "web")]);
        assert_eq!(identify(&request, &headers).as_str(), "web");
    }

    #[test]
    fn a_certificate_is_named_by_its_uri_else_its_dns_name() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = |names: Vec<rcgen::SanType>| {
            let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            params.subject_alt_names = names;
            params.self_signed(&key).unwrap().der().to_vec()
        };
        let dns = |n: &str| rcgen::SanType::DnsName(n.try_into().unwrap());
        let uri = |n: &str| rcgen::SanType::URI(n.try_into().unwrap());
        let both = cert(vec![
            dns("a.test"),
            uri("spiffe://td/ns/a/sa/b"),
            uri("spiffe://x"),
        ]);
        assert_eq!(
            certificate_name(&both).unwrap().as_str(),
            "spiffe://td/ns/a/sa/b"
        );
        let only_dns = cert(vec![dns("client.test"), dns("other.test")]);
        assert_eq!(certificate_name(&only_dns).unwrap().as_str(), "client.test");
        assert!(certificate_name(&cert(vec![])).is_none());
        assert!(certificate_name(b"not a certificate").is_none());
    }
}
