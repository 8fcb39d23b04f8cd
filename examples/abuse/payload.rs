//! What the scenarios send: texts of a given size, gRPC message frames, the
//! body h2load sends (`abuse payload`) and the certificates of the TLS
//! scenarios (`abuse cert`).

use std::path::Path;

use bytes::Bytes;
use prost::Message;
use textanalysis::proto::v1::SummarizeRequest;

use crate::Result;
use crate::cli::Flags;

/// `path`'s text repeated (paragraphs apart) to at most `bytes` bytes, cut
/// at a space so that no word or character is cut in two.
pub fn text_of(path: &str, bytes: usize) -> Result<String> {
    let unit = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(format!("{path} is empty").into());
    }
    let mut text = String::with_capacity(bytes + unit.len());
    while text.len() < bytes {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(unit);
    }
    if text.len() > bytes {
        let mut cut = bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = text[..cut].rfind(char::is_whitespace).unwrap_or(cut);
        text.truncate(cut);
    }
    Ok(text)
}

/// The 5 bytes before a gRPC message: compressed flag, big-endian length.
pub fn frame_header(compressed: bool, len: u32) -> [u8; 5] {
    let [a, b, c, d] = len.to_be_bytes();
    [u8::from(compressed), a, b, c, d]
}

/// A gRPC message frame: [`frame_header`], message.
pub fn frame(compressed: bool, message: &[u8]) -> Bytes {
    let mut framed = Vec::with_capacity(5 + message.len());
    framed.extend_from_slice(&frame_header(compressed, message.len() as u32));
    framed.extend_from_slice(message);
    framed.into()
}

/// The body of one Summarize call of `text`.
pub fn summarize_frame(text: String) -> Bytes {
    frame(
        false,
        &SummarizeRequest {
            text,
            ..Default::default()
        }
        .encode_to_vec(),
    )
}

/// `abuse payload`: the body of one Summarize call (a gRPC frame of a
/// SummarizeRequest), for h2load's `-d`.
pub fn payload(flags: &Flags) -> Result<()> {
    let bytes = flags.number("bytes", 1 << 20)?;
    let text = text_of(flags.required("text")?, bytes)?;
    let out = flags.required("out")?;
    let len = text.len();
    let body = summarize_frame(text);
    std::fs::write(out, &body).map_err(|e| format!("cannot write {out}: {e}"))?;
    eprintln!(
        "abuse payload: {out}: a {} byte gRPC frame, {len} bytes of text",
        body.len()
    );
    Ok(())
}

/// `abuse cert`: a CA (`ca.pem`) and a certificate for `localhost` that it
/// signed (`cert.pem`, `key.pem`) in `--dir`, for the TLS scenarios; made
/// here with rcgen so that the script needs no `openssl`.
pub fn cert(flags: &Flags) -> Result<()> {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let dir = Path::new(flags.required("dir")?);
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])?.signed_by(&key, &issuer)?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;
    std::fs::write(dir.join("cert.pem"), leaf.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    Ok(())
}
