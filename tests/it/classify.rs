//! Classify and ListModels through the real server: the built-in news
//! model, models loaded from files and reloaded, and ad-hoc topics.

use crate::common;

use std::sync::Arc;

use common::{TestServer, write_toy_model};
use textanalysis::classify::registry::{ModelSources, ModelStore};
use textanalysis::config::Concurrency;
use textanalysis::proto::v1::{ClassifyRequest, ClassifyResponse, ListModelsRequest, Topic};
use textanalysis::server::ServerConfig;
use tonic::Code;
use tonic_types::StatusExt;

const SPORT: &str = "The striker scored twice in the second half as the home side won the league \
    title. The goalkeeper saved a late penalty and the manager praised his players after the match.";

async fn classify(server: &TestServer, request: ClassifyRequest) -> ClassifyResponse {
    server
        .client()
        .await
        .classify(request)
        .await
        .expect("classify succeeds")
        .into_inner()
}

fn text(s: &str) -> ClassifyRequest {
    ClassifyRequest {
        text: s.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn builtin_news_model_gives_calibrated_probabilities() {
    let server = TestServer::start().await;
    let response = classify(&server, text(SPORT)).await;
    let model = response.model.expect("model reference");
    assert_eq!(model.name, "news");
    assert!(!model.ad_hoc);
    assert_eq!(response.topics[0].label, "sport", "{:?}", response.topics);
    assert_eq!(response.topics.len(), 6);
    let sum: f64 = response.topics.iter().map(|t| t.score).sum();
    assert!((sum - 1.0).abs() < 1e-6, "probabilities sum to {sum}");
    assert!(response.topics.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(response.language, "en");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn top_k_min_score_and_multi_label() {
    let server = TestServer::start().await;
    let top = classify(
        &server,
        ClassifyRequest {
            top_k: 2,
            ..text(SPORT)
        },
    )
    .await;
    assert_eq!(top.topics.len(), 2);
    let confident = classify(
        &server,
        ClassifyRequest {
            min_score: 0.5,
            ..text(SPORT)
        },
    )
    .await;
    assert!(confident.topics.iter().all(|t| t.score >= 0.5));
    assert_eq!(confident.topics[0].label, "sport");
    let independent = classify(
        &server,
        ClassifyRequest {
            multi_label: true,
            ..text(SPORT)
        },
    )
    .await;
    assert_eq!(independent.topics.len(), 6);
    assert!(
        independent
            .topics
            .iter()
            .all(|t| (0.0..=1.0).contains(&t.score))
    );
    assert_eq!(independent.topics[0].label, "sport");
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn unknown_model_is_not_found() {
    let server = TestServer::start().await;
    let status = server
        .client()
        .await
        .classify(ClassifyRequest {
            model: "no-such-model".into(),
            ..text(SPORT)
        })
        .await
        .expect_err("unknown model");
    assert_eq!(status.code(), Code::NotFound);
    // The message names what is loaded, so the caller can correct itself.
    assert!(status.message().contains("`news`"), "{status:?}");
    server.stop().await.expect("clean stop");
}

fn topic(label: &str, keywords: &[&str]) -> Topic {
    Topic {
        label: label.into(),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
        ..Default::default()
    }
}

#[tokio::test]
async fn ad_hoc_topics_score_similarity_without_a_model() {
    let server = TestServer::start().await;
    let response = classify(
        &server,
        ClassifyRequest {
            topics: vec![
                topic("markets", &["stock market", "shares", "interest rates"]),
                topic(
                    "football",
                    &["striker", "goalkeeper", "penalty", "league title"],
                ),
                Topic {
                    label: "cooking".into(),
                    description: "recipes, ovens, flour and butter".into(),
                    ..Default::default()
                },
            ],
            ..text(SPORT)
        },
    )
    .await;
    assert!(response.model.expect("model reference").ad_hoc);
    assert_eq!(
        response.topics[0].label, "football",
        "{:?}",
        response.topics
    );
    assert!(response.topics[0].score > 0.0);
    assert!(
        response
            .topics
            .iter()
            .all(|t| (0.0..=1.0).contains(&t.score))
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn bad_topics_are_field_violations() {
    let server = TestServer::start().await;
    let cases: Vec<(Vec<Topic>, &str)> = vec![
        (vec![topic("", &["a"])], "topics[0].label"),
        (
            vec![topic("same", &["a"]), topic("same", &["b"])],
            "topics[1].label",
        ),
        (
            vec![Topic {
                label: "empty".into(),
                ..Default::default()
            }],
            "topics[0]",
        ),
        (
            (0..65).map(|i| topic(&format!("t{i}"), &["x"])).collect(),
            "topics",
        ),
    ];
    for (topics, field) in cases {
        let status = server
            .client()
            .await
            .classify(ClassifyRequest {
                topics,
                ..text(SPORT)
            })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let violations = &details.bad_request().expect("BadRequest").field_violations;
        assert!(
            violations.iter().any(|v| v.field == field),
            "{field} in {violations:?}"
        );
    }
    for (min_score, field) in [(1.5, "min_score"), (f64::NAN, "min_score")] {
        let status = server
            .client()
            .await
            .classify(ClassifyRequest {
                min_score,
                ..text(SPORT)
            })
            .await
            .expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument);
        assert!(status.message().contains(field));
    }
    server.stop().await.expect("clean stop");
}

/// A server whose models directory holds a toy model `toy`; returns the
/// directory (kept alive), the store (to reload) and the server.
async fn start_with_toy_model_dir() -> (tempfile::TempDir, Arc<ModelStore>, TestServer) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_toy_model(&dir.path().join("toy.tam"), "toy");
    let store = Arc::new(
        ModelStore::load(ModelSources {
            dir: Some(dir.path().to_owned()),
            ..Default::default()
        })
        .expect("models load"),
    );
    let server = TestServer::start_with(ServerConfig {
        models: store.clone(),
        // Room for every request of the reload test at once: none may be
        // refused for load.
        concurrency: Concurrency {
            max_in_flight: None,
            max_queued: Some(64),
        },
        ..ServerConfig::default()
    })
    .await;
    (dir, store, server)
}

#[tokio::test]
async fn named_models_load_from_a_directory_and_reload() {
    let (dir, store, server) = start_with_toy_model_dir().await;
    let mut client = server.client().await;

    let listed = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner();
    let names: Vec<&str> = listed.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["news", "toy"]);
    let news = &listed.models[0];
    assert!(news.is_default);
    assert!(news.accuracy > 0.8 && news.macro_f1 > 0.8, "{news:?}");
    assert_eq!(news.labels.len(), 6);
    assert!(!news.training_data.is_empty());
    let toy = &listed.models[1];
    assert_eq!((toy.version.as_str(), toy.labels.len()), ("7", 3));

    let response = client
        .classify(ClassifyRequest {
            model: "toy".into(),
            ..text("Heavy rain and a storm are in the forecast; the wind will rise.")
        })
        .await
        .expect("classify with toy")
        .into_inner();
    assert_eq!(response.topics[0].label, "weather");
    assert_eq!(response.model.expect("model").name, "toy");

    // A second model appears on reload; a corrupt one leaves the set as is.
    write_toy_model(&dir.path().join("toy2.tam"), "toy2");
    assert_eq!(store.reload().expect("reload"), 3);
    std::fs::write(dir.path().join("broken.tam"), b"not a model").expect("write");
    let error = store.reload().expect_err("corrupt file refused");
    assert!(error.to_string().contains("broken.tam"), "{error}");
    let listed = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.models.len(), 3);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn reloading_drops_no_request() {
    let (_dir, store, server) = start_with_toy_model_dir().await;
    let client = server.client().await;
    let requests: Vec<_> = (0..40)
        .map(|i| {
            let mut client = client.clone();
            let model = if i % 2 == 0 { "toy" } else { "news" };
            tokio::spawn(async move {
                client
                    .classify(ClassifyRequest {
                        model: model.into(),
                        ..text(SPORT)
                    })
                    .await
            })
        })
        .collect();
    let reloads = tokio::task::spawn_blocking(move || {
        (0..10)
            .map(|_| store.reload().expect("reload"))
            .sum::<usize>()
    });
    for request in requests {
        let response = request.await.expect("task").expect("no request dropped");
        assert!(!response.into_inner().topics.is_empty());
    }
    assert_eq!(reloads.await.expect("reloads"), 20);
    server.stop().await.expect("clean stop");
}
