//! Embed with the static table distilled from the encoder, through the
//! real binary: the table loaded from the encoder's directory at start-up,
//! its vectors unit vectors of the table's dimension that still read
//! meaning, ListModels naming it, the transformer still the default, and
//! the precise status when the directory has no table.

use crate::common;

use common::process::start_with;
use common::semantic::{model_dir, static_model_dir};
use textanalysis::encoder::{Embedding, StaticEmbedder, cosine};
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
use textanalysis::proto::v1::{EmbedRequest, EmbeddingModel, ListModelsRequest};
use tonic::Code;
use tonic::transport::Channel;
use tonic_types::StatusExt;

async fn client(addr: &str) -> TextAnalysisServiceClient<Channel> {
    TextAnalysisServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("connect to the binary")
}

fn request(text: &str, model: EmbeddingModel) -> EmbedRequest {
    EmbedRequest {
        text: text.into(),
        model: model.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn embed_with_the_static_table_reads_meaning_in_unit_vectors() {
    let dir = static_model_dir();
    let table = StaticEmbedder::load(dir).expect("the table loads");
    let running = start_with(&["--semantic-model", dir.to_str().expect("a UTF-8 path")]);
    assert!(
        running
            .startup
            .iter()
            .any(|line| line.contains("static table loaded")),
        "{:?}",
        running.startup
    );
    let mut client = client(&running.addr).await;

    let mut embed = async |text: &str| {
        let response = client
            .embed(request(text, EmbeddingModel::Static))
            .await
            .expect("embed")
            .into_inner();
        let info = response.encoder.expect("encoder info");
        assert_eq!(info.name, "all-MiniLM-L6-v2-static");
        assert_eq!(info.dimensions as usize, table.table().dim);
        assert_eq!(response.embedding.len(), table.table().dim);
        let norm = response.embedding.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        Embedding::normalised(response.embedding)
    };
    // Written for this test: a paraphrase with few words in common, and a
    // sentence about something else that shares its frame.
    let a = embed("The physician prescribed a cheap medicine for the child's cough.").await;
    let b = embed("A doctor gave the kid an inexpensive drug to treat her coughing.").await;
    let c = embed("The committee postponed the vote on the new stadium budget.").await;
    let (close, far) = (cosine(&a, &b), cosine(&a, &c));
    assert!(close > far + 0.1, "paraphrase {close}, unrelated {far}");

    // The transformer stays the default, and is there when named.
    for model in [EmbeddingModel::Unspecified, EmbeddingModel::Transformer] {
        let response = client
            .embed(request("The default model.", model))
            .await
            .expect("embed")
            .into_inner();
        assert_eq!(response.encoder.expect("info").name, "all-MiniLM-L6-v2");
    }

    let listed = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list models")
        .into_inner();
    assert_eq!(
        listed
            .static_encoder
            .map(|i| (i.name, i.dimensions, i.max_tokens)),
        Some(("all-MiniLM-L6-v2-static".into(), 384, 0))
    );

    let status = client
        .embed(EmbedRequest {
            text: "Which model?".into(),
            model: 7,
            ..Default::default()
        })
        .await
        .expect_err("an unknown model");
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    let fields: Vec<String> = status
        .get_details_bad_request()
        .expect("field violations")
        .field_violations
        .into_iter()
        .map(|v| v.field)
        .collect();
    assert_eq!(fields, ["model"]);

    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}

#[tokio::test]
async fn without_a_table_static_embed_is_refused_naming_the_command() {
    // The model's files without the table.
    let dir = tempfile::tempdir().expect("temp dir");
    let model = model_dir();
    for entry in std::fs::read_dir(&model).expect("the model directory") {
        let name = entry.expect("an entry").file_name();
        if name != "static.safetensors" && !name.to_string_lossy().ends_with(".partial") {
            std::os::unix::fs::symlink(model.join(&name), dir.path().join(&name))
                .expect("link a model file");
        }
    }
    let running = start_with(&[
        "--semantic-model",
        dir.path().to_str().expect("a UTF-8 path"),
    ]);
    let mut client = client(&running.addr).await;
    let status = client
        .embed(request("Anything at all.", EmbeddingModel::Static))
        .await
        .expect_err("no table");
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(
        status.message().contains("textanalysis distill-static"),
        "{status:?}"
    );
    // The transformer still answers, and ListModels lists no table.
    client
        .embed(request("Anything at all.", EmbeddingModel::Transformer))
        .await
        .expect("the transformer embeds");
    let listed = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list models")
        .into_inner();
    assert!(listed.encoder.is_some());
    assert_eq!(listed.static_encoder, None);
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}
