//! Tests of the model file: exact round trips, both versions, and the
//! refusal of every malformed file without a panic.

use super::super::tests::small;
use super::*;

#[test]
fn bytes_round_trip_exactly() {
    let model = small();
    let bytes = model.to_bytes();
    assert_eq!(&bytes[..8], MAGIC);
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, model);
    assert_eq!(back.to_bytes(), bytes);
}

#[test]
fn semantic_models_round_trip_as_version_3() {
    let model = super::super::tests::small_semantic();
    let bytes = model.to_bytes();
    assert_eq!(&bytes[8..12], &SEMANTIC_FORMAT_VERSION.to_le_bytes());
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, model);
    assert_eq!(back.features(), FeatureKind::LexicalSemantic);
    let s = back.semantic().unwrap();
    assert_eq!((s.encoder.as_str(), s.dim, s.scale), ("fake", 4, 1.5));
    assert_eq!(back.to_bytes(), bytes);
    // A lexical model stays version 2, with no `semantic` field.
    let lexical = small().to_bytes();
    assert_eq!(&lexical[8..12], &FORMAT_VERSION.to_le_bytes());
    assert!(!String::from_utf8_lossy(&lexical).contains("semantic"));
    for len in 0..bytes.len() {
        assert!(Model::from_bytes(&bytes[..len]).is_err(), "prefix of {len}");
    }
    // The version and the header must agree.
    let mut v2 = bytes.clone();
    v2[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    assert!(
        Model::from_bytes(&v2)
            .unwrap_err()
            .to_string()
            .contains("version 2")
    );
    let mut v3 = lexical.clone();
    v3[8..12].copy_from_slice(&SEMANTIC_FORMAT_VERSION.to_le_bytes());
    assert!(
        Model::from_bytes(&v3)
            .unwrap_err()
            .to_string()
            .contains("without")
    );
    // A non-finite embedding weight.
    let mut nan = bytes.clone();
    let at = nan.len() - 4;
    nan[at..].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(
        Model::from_bytes(&nan)
            .unwrap_err()
            .to_string()
            .contains("embedding")
    );
}

#[test]
fn json_stable_values_round_trip() {
    let mut rng = linear::XorShift::new(5);
    for _ in 0..10_000 {
        // Magnitudes from 1e-12 to 1e12: metrics, temperatures and
        // Platt parameters, and far beyond.
        let mantissa = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
        let v = sign * mantissa * 10f64.powi(rng.below(25) as i32 - 12);
        assert!((json_stable(v) - v).abs() <= v.abs() * 1e-13);
        let s = json_stable(v);
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<f64>(&text).unwrap(), s);
    }
}

#[test]
fn rejects_bad_magic_and_unknown_versions() {
    let mut bytes = small().to_bytes();
    bytes[0] = b'X';
    assert!(matches!(
        Model::from_bytes(&bytes),
        Err(ModelError::BadMagic)
    ));
    let mut bytes = small().to_bytes();
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    let e = Model::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        e.to_string(),
        "incompatible model format version 7, this build reads 2 and 3"
    );
}

#[test]
fn rejects_every_truncation_and_extra_bytes() {
    let bytes = small().to_bytes();
    for len in 0..bytes.len() {
        assert!(
            Model::from_bytes(&bytes[..len]).is_err(),
            "prefix of {len} bytes"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Model::from_bytes(&longer).is_err());
}

#[test]
fn rejects_non_finite_and_unsorted_arrays() {
    let bytes = small().to_bytes();
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let arrays = 16 + header_len;
    let features = 5;
    // The first weight is NaN.
    let mut nan = bytes.clone();
    let w = arrays + 8 * features;
    nan[w..w + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(
        Model::from_bytes(&nan)
            .unwrap_err()
            .to_string()
            .contains("not finite")
    );
    // An infinite bias.
    let mut inf = bytes.clone();
    let b = bytes.len() - 4;
    inf[b..].copy_from_slice(&f32::INFINITY.to_le_bytes());
    assert!(Model::from_bytes(&inf).is_err());
    // Feature ids out of order.
    let mut unsorted = bytes.clone();
    unsorted[arrays..arrays + 4].copy_from_slice(&100u32.to_le_bytes());
    assert!(
        Model::from_bytes(&unsorted)
            .unwrap_err()
            .to_string()
            .contains("increasing")
    );
    // A zero idf.
    let mut idf = bytes.clone();
    let i = arrays + 4 * features;
    idf[i..i + 4].copy_from_slice(&0f32.to_le_bytes());
    assert!(Model::from_bytes(&idf).is_err());
}

/// Replaces the header of a model's bytes by `edit(header)`.
fn with_header(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let bytes = small().to_bytes();
    let header_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut header: serde_json::Value =
        serde_json::from_slice(&bytes[16..16 + header_len]).unwrap();
    edit(&mut header);
    let json = serde_json::to_vec(&header).unwrap();
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&bytes[16 + header_len..]);
    out
}

#[test]
fn rejects_inconsistent_headers() {
    assert!(Model::from_bytes(&with_header(|_| {})).is_ok());
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(|h| h["features"]["hash_bits"] = 18.into()),
            "18 bits",
        ),
        (
            Box::new(|h| h["feature_count"] = (u64::MAX / 2).into()),
            "need",
        ),
        (Box::new(|h| h["feature_count"] = 4.into()), "need"),
        (
            Box::new(|h| h["meta"]["labels"] = serde_json::json!(["a"])),
            "at least 2",
        ),
        (
            Box::new(|h| h["meta"]["labels"] = serde_json::json!(["a", "a", "b"])),
            "repeated",
        ),
        (
            Box::new(|h| h["temperature"] = (-1.0).into()),
            "temperature",
        ),
        (Box::new(|h| h["platt"] = serde_json::json!([])), "Platt"),
        (Box::new(|h| h["training_docs"] = 0.into()), "training"),
        (
            Box::new(|h| h["meta"] = serde_json::json!(null)),
            "invalid header",
        ),
    ];
    for (edit, message) in cases {
        let e = Model::from_bytes(&with_header(edit))
            .unwrap_err()
            .to_string();
        assert!(e.contains(message), "{e} should mention {message}");
    }
    // A header length beyond the buffer.
    let mut bytes = small().to_bytes();
    bytes[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(
        Model::from_bytes(&bytes)
            .unwrap_err()
            .to_string()
            .contains("only")
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = linear::XorShift::new(1);
    let good = small().to_bytes();
    for round in 0..3000 {
        let mut bytes = good.clone();
        // Flip a few bytes anywhere, or write random bytes after the magic.
        if round % 2 == 0 {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(bytes.len());
                bytes[i] = rng.next_u64() as u8;
            }
        } else {
            let len = rng.below(64);
            bytes.truncate(8);
            bytes.extend((0..len).map(|_| rng.next_u64() as u8));
        }
        let _ = Model::from_bytes(&bytes);
    }
}

#[test]
fn load_names_the_file() {
    let path = std::env::temp_dir().join(format!("textanalysis-model-{}.tam", std::process::id()));
    std::fs::write(&path, b"TAMODEL\0\x01\0\0\0").unwrap();
    let e = Model::load(&path).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(
        e.contains(&path.display().to_string()) && e.contains("version 1"),
        "{e}"
    );
    let e = Model::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("cannot read") && e.contains(&path.display().to_string()),
        "{e}"
    );
}
