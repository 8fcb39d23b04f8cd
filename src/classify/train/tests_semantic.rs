//! Training with semantic features, on the fake embedder: the embedding
//! becomes features beside the words (or alone), the model records the
//! encoder and round-trips through its file, a lexical model ignores
//! embeddings, and the entry point [`crate::classify::classify`] reads a
//! text by meaning with such a model, or refuses without the encoder.

use super::tests::toy;
use super::*;
use crate::classify::{Against, ClassifyError, ClassifyOptions, Input, classify};
use crate::deadline::Deadline;
use crate::semantic::Embedder;
use crate::semantic::fake::FakeEmbedder;

/// Two labels whose training texts use one word of each synonym pair of
/// the fake, so that a text of the other words has their meaning and none
/// of their words.
pub(crate) fn synonym_examples() -> Vec<Example> {
    let texts = [
        ("vehicles", "a red car parked outside"),
        ("vehicles", "the car engine was repaired yesterday"),
        ("vehicles", "washing my car every weekend"),
        ("vehicles", "car insurance renewal letter arrived"),
        ("vehicles", "lost the car keys again"),
        ("vehicles", "towing a broken car uphill"),
        ("medicine", "the physician prescribed antibiotics"),
        ("medicine", "a physician visited the ward at night"),
        ("medicine", "calling the physician about fever"),
        ("medicine", "our physician retired last spring"),
        ("medicine", "physician appointments booked online"),
        ("medicine", "waiting rooms full before the physician came"),
    ];
    texts
        .iter()
        .map(|(label, text)| Example {
            text: (*text).to_owned(),
            labels: vec![(*label).to_owned()],
        })
        .collect()
}

fn embed_all(embedder: &dyn Embedder, examples: &[Example]) -> Vec<Embedding> {
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    embedder.embed(&texts, Deadline::NONE).unwrap()
}

fn options(features: FeatureKind) -> TrainOptions {
    TrainOptions {
        name: "meaning".to_owned(),
        features,
        ..TrainOptions::default()
    }
}

#[test]
fn the_embedding_becomes_features_recorded_in_the_model() {
    let fake = FakeEmbedder::new();
    let examples = synonym_examples();
    let vectors = embed_all(&fake, &examples);
    let embeddings = ExampleEmbeddings {
        encoder: fake.info(),
        vectors: &vectors,
    };
    for kind in [FeatureKind::Semantic, FeatureKind::LexicalSemantic] {
        let (model, _) = train(&examples, Some(embeddings), &options(kind), &mut |_| {}).unwrap();
        assert_eq!(model.features(), kind);
        let s = model.semantic().unwrap();
        assert_eq!((s.encoder.as_str(), s.dim), ("fake", FakeEmbedder::DIM));
        assert_eq!(s.scale, SEMANTIC_SCALE);
        assert_eq!(s.weights.len(), FakeEmbedder::DIM * 2);
        assert!(s.weights.iter().any(|w| *w != 0.0));
        assert_eq!(model.feature_count() == 0, kind == FeatureKind::Semantic);
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back, model);
        assert_eq!(back.to_bytes(), bytes);
        // Measured with the embeddings, it is the model trained: its own
        // training texts come out right.
        let e = evaluate(&model, &examples, Some(&vectors));
        assert_eq!(e.accuracy, 1.0, "{kind}");
    }
}

#[test]
fn a_lexical_model_ignores_embeddings_and_semantic_ones_need_them() {
    let fake = FakeEmbedder::new();
    let examples = toy();
    let vectors = embed_all(&fake, &examples);
    let embeddings = ExampleEmbeddings {
        encoder: fake.info(),
        vectors: &vectors,
    };
    let lexical = options(FeatureKind::Lexical);
    let (without, _) = train(&examples, None, &lexical, &mut |_| {}).unwrap();
    let (with, _) = train(&examples, Some(embeddings), &lexical, &mut |_| {}).unwrap();
    assert_eq!(with.to_bytes(), without.to_bytes());
    assert_eq!(with.features(), FeatureKind::Lexical);

    let semantic = options(FeatureKind::LexicalSemantic);
    let e = train(&examples, None, &semantic, &mut |_| {}).unwrap_err();
    assert!(
        e.to_string().contains("need the examples' embeddings"),
        "{e}"
    );
    let short = ExampleEmbeddings {
        vectors: &vectors[1..],
        ..embeddings
    };
    assert!(train(&examples, Some(short), &semantic, &mut |_| {}).is_err());
    let bad_scale = TrainOptions {
        semantic_scale: 0.0,
        ..semantic
    };
    assert!(train(&examples, Some(embeddings), &bad_scale, &mut |_| {}).is_err());
}

#[test]
fn classify_reads_a_text_by_meaning_with_a_semantic_model() {
    let fake = FakeEmbedder::new();
    let examples = synonym_examples();
    let vectors = embed_all(&fake, &examples);
    let embeddings = ExampleEmbeddings {
        encoder: fake.info(),
        vectors: &vectors,
    };
    let (model, _) = train(
        &examples,
        Some(embeddings),
        &options(FeatureKind::LexicalSemantic),
        &mut |_| {},
    )
    .unwrap();
    let run = |text: &str, embedder: Option<&dyn Embedder>| {
        classify(
            Input::Text(text),
            Against::Model(&model),
            &ClassifyOptions::default(),
            embedder,
            &mut Lexicon::new(),
        )
        .map(|c| (c.topics[0].label.to_owned(), c.by_meaning))
    };
    // No word in common with either label's texts: meaning decides.
    assert_eq!(
        run("automobile", Some(&fake)).unwrap(),
        ("vehicles".to_owned(), true)
    );
    assert_eq!(
        run("doctor", Some(&fake)).unwrap(),
        ("medicine".to_owned(), true)
    );
    assert_eq!(run("doctor", None), Err(ClassifyError::EncoderMissing));
    let past = ClassifyOptions {
        deadline: Deadline::at(std::time::Instant::now()),
        ..ClassifyOptions::default()
    };
    let late = classify(
        Input::Text("doctor"),
        Against::Model(&model),
        &past,
        Some(&fake),
        &mut Lexicon::new(),
    );
    assert_eq!(
        late.unwrap_err(),
        ClassifyError::Embed(crate::semantic::EmbedError::DeadlineExceeded)
    );
}

#[test]
fn a_model_of_another_encoder_is_refused() {
    #[derive(Debug)]
    struct Other(crate::semantic::EmbedderInfo);
    impl Embedder for Other {
        fn info(&self) -> &crate::semantic::EmbedderInfo {
            &self.0
        }
        fn embed(
            &self,
            texts: &[&str],
            _: Deadline,
        ) -> Result<Vec<Embedding>, crate::semantic::EmbedError> {
            Ok(texts
                .iter()
                .map(|_| Embedding::normalised(vec![1.0; 8]))
                .collect())
        }
    }
    let fake = FakeEmbedder::new();
    let examples = synonym_examples();
    let vectors = embed_all(&fake, &examples);
    let embeddings = ExampleEmbeddings {
        encoder: fake.info(),
        vectors: &vectors,
    };
    let (model, _) = train(
        &examples,
        Some(embeddings),
        &options(FeatureKind::Semantic),
        &mut |_| {},
    )
    .unwrap();
    let other = Other(crate::semantic::EmbedderInfo {
        name: "other".into(),
        dim: 8,
        max_tokens: 512,
    });
    let e = classify(
        Input::Text("doctor"),
        Against::Model(&model),
        &ClassifyOptions::default(),
        Some(&other),
        &mut Lexicon::new(),
    )
    .unwrap_err();
    assert!(
        matches!(e, ClassifyError::EncoderMismatch(ref m) if m.contains("`fake`")),
        "{e}"
    );
}
