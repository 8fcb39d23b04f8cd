//! The sentence encoder on the real model: what its embeddings mean
//! (paraphrases closer than unrelated sentences), what they are (unit
//! vectors, deterministic, the same alone or in a batch), and texts at the
//! edges (longer than one chunk, empty).
//!
//! The model is not in the repository: see [`semantic`] for where the
//! tests find it.

use crate::common::semantic::{self, model_dir};
use textanalysis::deadline::Deadline;
use textanalysis::encoder::{Embedding, Encoder, EncoderError, cosine};

fn encoder() -> &'static Encoder {
    semantic::encoder()
}

fn embed(texts: &[&str]) -> Vec<Embedding> {
    encoder().embed(texts, Deadline::NONE).expect("embed")
}

fn max_difference(a: &Embedding, b: &Embedding) -> f32 {
    a.values()
        .iter()
        .zip(b.values())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn norm(e: &Embedding) -> f32 {
    e.values().iter().map(|v| v * v).sum::<f32>().sqrt()
}

#[test]
fn paraphrases_are_closer_than_unrelated_sentences_by_a_margin() {
    let e = embed(&[
        "A man is playing a guitar.",
        "A man plays the guitar.",
        "The central bank raised interest rates again.",
        "A woman is slicing an onion in the kitchen.",
    ]);
    let paraphrase = cosine(&e[0], &e[1]);
    let unrelated = cosine(&e[0], &e[2]).max(cosine(&e[0], &e[3]));
    assert!(paraphrase > 0.8, "paraphrase cosine {paraphrase}");
    assert!(unrelated < 0.3, "unrelated cosine {unrelated}");
    assert!(
        paraphrase - unrelated > 0.5,
        "paraphrase {paraphrase} vs unrelated {unrelated}"
    );
}

#[test]
fn meaning_counts_more_than_the_words_shared() {
    // Few words in common but the same meaning, against many words in
    // common and another meaning: what the lexical measures get wrong.
    let e = embed(&[
        "The film was a huge success at the box office.",
        "The movie earned a lot of money in cinemas.",
        "The office printer came in a huge box.",
    ]);
    let same_meaning = cosine(&e[0], &e[1]);
    let same_words = cosine(&e[0], &e[2]);
    assert!(
        same_meaning > same_words + 0.2,
        "same meaning {same_meaning} vs same words {same_words}"
    );
}

#[test]
fn embeddings_are_unit_vectors_of_the_model_dimension() {
    assert_eq!(encoder().dim(), 384);
    for e in embed(&["One.", "Two sentences here. And another one.", "x"]) {
        assert_eq!(e.dim(), 384);
        assert!((norm(&e) - 1.0).abs() < 1e-5, "norm {}", norm(&e));
        assert!(e.values().iter().all(|v| v.is_finite()));
    }
}

#[test]
fn embeddings_are_deterministic() {
    let text = "The ministers will meet again in May.";
    let a = embed(&[text]);
    let b = embed(&[text]);
    assert!(max_difference(&a[0], &b[0]) < 1e-6);
    let e = embed(&[text, text]);
    assert!(max_difference(&e[0], &e[1]) < 1e-6);
}

#[test]
fn a_text_embeds_the_same_alone_or_in_a_batch() {
    let texts = [
        "A man is playing a guitar.",
        "The talks began on Monday and ended late on Thursday night, without an agreement.",
        "",
        "Short.",
        "Aid agencies say 5,000 families have abandoned their farms, and the number is still rising.",
    ];
    // More texts than one batch, so the batch boundaries move too.
    let many: Vec<&str> = texts.iter().cycle().take(70).copied().collect();
    let batched = embed(&many);
    for (i, text) in many.iter().enumerate().take(texts.len()) {
        let alone = embed(&[text]);
        let difference = max_difference(&alone[0], &batched[i]);
        assert!(difference < 1e-5, "text {i}: differs by {difference}");
    }
    for (i, e) in batched.iter().enumerate() {
        let difference = max_difference(e, &batched[i % texts.len()]);
        assert!(difference < 1e-5, "copy {i}: differs by {difference}");
    }
}

const PARTS: [&str; 2] = [
    "The drought has ruined harvests across the south since the spring, and the rivers are lower \
     than anyone in the villages can remember. Farmers sold their cattle early because there was \
     no grass left on the hills, and the markets in the towns are full of animals nobody can feed. \
     Aid agencies say thousands of families have left their farms for the cities, where they look \
     for work on building sites and in the ports. The government has promised money for wells and \
     for seed, but the first payments have not arrived, and the rainy season is still months away. ",
    "Ministers from six countries met in Geneva on Tuesday to discuss the crisis and to agree on a \
     plan to share the water of the great river that crosses all of their borders. The talks were \
     chaired by a United Nations envoy, who told reporters that there was a lot of work to do and \
     that no country could solve the problem alone. Officials said rainfall this year was a small \
     fraction of the usual level, the lowest since records began more than a century ago, and that \
     the next meeting is planned for June in Vienna, when the ministers hope to sign an agreement. ",
];

/// How many word pieces the model's tokenizer makes of `text`, without
/// special tokens and without the file's truncation and padding at 128.
fn tokens(text: &str) -> usize {
    let mut tokenizer = tokenizers::Tokenizer::from_file(model_dir().join("tokenizer.json"))
        .expect("tokenizer.json (run scripts/fetch-encoder.sh)");
    tokenizer.with_truncation(None).expect("no truncation");
    tokenizer.with_padding(None);
    tokenizer.encode(text, false).expect("tokenize").len()
}

#[test]
fn a_text_repeated_past_one_chunk_embeds_as_the_text_itself() {
    // Twice a text of 128 to 254 tokens is more than one chunk holds (256
    // with [CLS] and [SEP]) and is cut into two equal chunks: the text
    // twice over, each framed as the text alone is. Their weighted mean is
    // the text's own embedding.
    let text = PARTS.concat();
    let n = tokens(&text);
    assert!((128..=254).contains(&n), "the test text has {n} tokens");
    let twice = text.repeat(2);
    assert_eq!(tokens(&twice), 2 * n);
    let e = embed(&[&twice, &text]);
    let difference = max_difference(&e[0], &e[1]);
    assert!(difference < 1e-5, "differs by {difference}");
}

#[test]
fn a_long_text_is_embedded_whole_and_close_to_its_parts() {
    let long = format!("{0}{0}{1}{1}", PARTS[0], PARTS[1]);
    assert!(tokens(&long) > 256);
    let e = embed(&[&long, PARTS[0], PARTS[1]]);
    let (whole, a, b) = (&e[0], &e[1], &e[2]);
    assert!((norm(whole) - 1.0).abs() < 1e-5);
    // Two chunks, each about one part twice over: the whole is near the
    // mean of the parts' embeddings (not equal to it: the parts differ in
    // length, the chunks do not).
    let mean: Vec<f32> = a
        .values()
        .iter()
        .zip(b.values())
        .map(|(x, y)| x + y)
        .collect();
    let mean_norm = mean.iter().map(|v| v * v).sum::<f32>().sqrt();
    let to_mean: f32 = whole
        .values()
        .iter()
        .zip(&mean)
        .map(|(w, m)| w * m / mean_norm)
        .sum();
    assert!(
        to_mean > 0.95,
        "cosine with the mean of its parts {to_mean}"
    );
    assert!(cosine(whole, a) > 0.7 && cosine(whole, b) > 0.7);
}

#[test]
fn an_empty_text_embeds_to_a_finite_unit_vector() {
    let e = embed(&["", "   ", "A man is playing a guitar."]);
    for v in &e {
        assert!(v.values().iter().all(|x| x.is_finite()));
        assert!((norm(v) - 1.0).abs() < 1e-5);
    }
    assert!(embed(&[]).is_empty());
}

#[test]
fn a_missing_model_directory_names_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let error = Encoder::load(dir.path()).unwrap_err();
    assert!(matches!(error, EncoderError::Read { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("config.json"), "{message}");
    assert!(message.contains("scripts/fetch-encoder.sh"), "{message}");
}

#[test]
fn a_model_directory_with_bad_weights_names_the_weights_file() {
    let dir = tempfile::tempdir().unwrap();
    let model = model_dir();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(model.join(file), dir.path().join(file))
            .unwrap_or_else(|e| panic!("{}: {e}: run scripts/fetch-encoder.sh", file));
    }
    std::fs::write(dir.path().join("model.safetensors"), b"not weights").unwrap();
    let message = Encoder::load(dir.path()).unwrap_err().to_string();
    assert!(message.contains("model.safetensors"), "{message}");
}

#[test]
fn a_passed_deadline_stops_embedding_between_batches() {
    use textanalysis::encoder::EmbedError;
    // The deadline is read before each batch, the first included.
    let texts = vec!["A sentence to embed."; 3];
    let past = Deadline::at(std::time::Instant::now());
    assert_eq!(
        encoder().embed(&texts, past),
        Err(EmbedError::DeadlineExceeded)
    );
    // A deadline far off changes nothing.
    let later = Deadline::after(std::time::Duration::from_secs(3600));
    assert_eq!(encoder().embed(&texts, later).unwrap().len(), texts.len());
}
