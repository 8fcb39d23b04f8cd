//! A model trained with semantic features, through the real server with
//! the real encoder: trained here from a few texts written for this test,
//! it classifies a text that shares no word with its class's training
//! texts; ListModels says what it reads; a server without an encoder
//! answers FAILED_PRECONDITION for it, and a text over the encoder's limit
//! is refused, since such a model cannot score by words alone.

use std::collections::HashSet;
use std::sync::Arc;

use crate::common;

use common::TestServer;
use common::semantic::{embedder, semantic_config};
use textanalysis::classify::FeatureKind;
use textanalysis::classify::data::Example;
use textanalysis::classify::registry::{ModelSources, ModelStore};
use textanalysis::classify::train::{ExampleEmbeddings, TrainOptions, train};
use textanalysis::config::Limits;
use textanalysis::deadline::Deadline;
use textanalysis::proto::v1::{ClassifyRequest, ListModelsRequest, ModelFeatures};
use textanalysis::server::ServerConfig;
use tonic::Code;

/// Written for this test.
const SPORT: [&str; 8] = [
    "The striker scored a late goal and the home team won the match.",
    "Our goalkeeper saved a penalty in the cup final.",
    "The coach praised the defenders after the league game.",
    "Fans cheered as the captain lifted the trophy.",
    "The midfielder was booked for a foul on the winger.",
    "A hat-trick from the forward sealed the championship.",
    "The boxer won the title fight on points.",
    "The runner broke the record in the marathon.",
];
const COOKING: [&str; 8] = [
    "Simmer the onions in butter until soft and golden.",
    "Whisk the eggs with sugar and fold in the flour.",
    "Roast the chicken with garlic and rosemary.",
    "Season the soup with salt and black pepper.",
    "Knead the dough and let it rise for an hour.",
    "Chop the tomatoes and basil for the sauce.",
    "Bake the cake in a preheated oven.",
    "Fry the mushrooms in olive oil.",
];
/// Each of its class's meaning, in none of that class's words.
const ATHLETICS: &str = "Sprinters raced towards victory at yesterday's athletics tournament.";
const KITCHEN: &str = "Stir-fried noodles need ginger, scallions, lots of chilli.";

fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Trains the test's model with `features` on the real encoder's
/// embeddings and writes it as `meaning.tam` in a new directory.
fn write_model(features: FeatureKind) -> tempfile::TempDir {
    let examples: Vec<Example> = SPORT
        .iter()
        .map(|t| ("sport", t))
        .chain(COOKING.iter().map(|t| ("cooking", t)))
        .map(|(label, text)| Example {
            text: (*text).to_owned(),
            labels: vec![label.to_owned()],
        })
        .collect();
    let encoder = embedder();
    let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
    let vectors = encoder.embed(&texts, Deadline::NONE).expect("embed");
    let options = TrainOptions {
        name: "meaning".to_owned(),
        features,
        ..TrainOptions::default()
    };
    let embeddings = ExampleEmbeddings {
        encoder: encoder.info(),
        vectors: &vectors,
    };
    let (model, _) = train(&examples, Some(embeddings), &options, &mut |_| {}).expect("trains");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("meaning.tam"), model.to_bytes()).expect("write");
    dir
}

fn store(dir: &tempfile::TempDir, encoder: bool) -> Arc<ModelStore> {
    Arc::new(
        ModelStore::load(ModelSources {
            dir: Some(dir.path().to_owned()),
            encoder: encoder.then(|| embedder().info().clone()),
            ..ModelSources::default()
        })
        .expect("models load"),
    )
}

fn request(text: &str) -> ClassifyRequest {
    ClassifyRequest {
        text: text.into(),
        model: "meaning".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_semantic_model_classifies_a_text_by_meaning() {
    // The texts really share no word with their class's training texts.
    for (text, class) in [(ATHLETICS, &SPORT[..]), (KITCHEN, &COOKING[..])] {
        let seen: HashSet<String> = class.iter().flat_map(|t| words(t)).collect();
        assert!(words(text).is_disjoint(&seen), "{text}");
    }
    let dir = write_model(FeatureKind::LexicalSemantic);
    let server = TestServer::start_with(ServerConfig {
        models: store(&dir, true),
        ..semantic_config()
    })
    .await;
    let mut client = server.client().await;
    for (text, label) in [(ATHLETICS, "sport"), (KITCHEN, "cooking")] {
        let response = client
            .classify(request(text))
            .await
            .expect("classify")
            .into_inner();
        assert_eq!(response.topics[0].label, label, "{text}: {response:?}");
        assert!(response.topics[0].score > 0.5, "{response:?}");
        let model = response.model.expect("model reference");
        assert_eq!((model.name.as_str(), model.ad_hoc), ("meaning", false));
        assert_eq!(model.encoder, embedder().info().name);
    }
    let models = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner()
        .models;
    let meaning = models.iter().find(|m| m.name == "meaning").expect("listed");
    assert_eq!(meaning.features(), ModelFeatures::LexicalSemantic);
    assert_eq!(meaning.encoder, embedder().info().name);
    let news = models.iter().find(|m| m.name == "news").expect("built-in");
    assert_eq!(news.features(), ModelFeatures::Lexical);
    assert!(news.encoder.is_empty());
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn a_semantic_model_needs_the_encoder_and_a_text_it_may_read() {
    let dir = write_model(FeatureKind::Semantic);
    let lexical = TestServer::start_with(ServerConfig {
        models: store(&dir, false),
        ..ServerConfig::default()
    })
    .await;
    let status = lexical
        .client()
        .await
        .classify(request(ATHLETICS))
        .await
        .expect_err("no encoder");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("`meaning`"), "{status:?}");
    // The built-in lexical model still answers there.
    let words_alone = lexical
        .client()
        .await
        .classify(ClassifyRequest {
            text: ATHLETICS.into(),
            ..Default::default()
        })
        .await;
    assert!(words_alone.is_ok(), "{words_alone:?}");
    lexical.stop().await.expect("clean stop");

    let limits = Limits {
        max_semantic_text_bytes: 20,
        ..Limits::default()
    };
    let semantic = TestServer::start_with(ServerConfig {
        models: store(&dir, true),
        limits,
        ..semantic_config()
    })
    .await;
    let status = semantic
        .client()
        .await
        .classify(request(ATHLETICS))
        .await
        .expect_err("over the encoder's limit");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(status.message().contains("text"), "{status:?}");
    semantic.stop().await.expect("clean stop");
}
