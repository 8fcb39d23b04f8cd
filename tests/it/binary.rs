//! The real binary: starts on its flags, logs JSON when asked, and exits 0
//! on SIGTERM and on SIGINT.

use crate::common;

use std::process::Command;

use common::process::{start_with, wait_for_log};

async fn summarize_once(addr: &str) {
    let mut client =
        textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient::connect(
            format!("http://{addr}"),
        )
        .await
        .expect("connect to the binary");
    let response = client
        .summarize(textanalysis::proto::v1::SummarizeRequest {
            text: "The binary answers. It really does.".into(),
            ..Default::default()
        })
        .await
        .expect("summarize")
        .into_inner();
    assert_eq!(response.sentence_count, 2);
}

#[tokio::test]
async fn exits_zero_on_sigterm() {
    let running = start_with(&[]);
    summarize_once(&running.addr).await;
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}

#[tokio::test]
async fn exits_zero_on_sigint() {
    let running = start_with(&[]);
    summarize_once(&running.addr).await;
    running.signal("INT");
    assert_eq!(running.exit_code().await, Some(0));
}

/// The handlers are in place before the "serving" line: a signal sent the
/// moment it is logged drains the server instead of killing it.
#[tokio::test]
async fn a_signal_sent_as_soon_as_it_serves_still_drains() {
    for name in ["INT", "TERM"] {
        let running = start_with(&[]);
        running.signal(name);
        assert_eq!(running.exit_code().await, Some(0), "SIG{name}");
    }
}

/// What `textanalysis serve --help` prints.
fn serve_help() -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--help"])
        .output()
        .expect("run --help");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_lists_every_setting() {
    let help = serve_help();
    for flag in [
        "--listen",
        "TEXTANALYSIS_LISTEN",
        "--log-format",
        "--log",
        "--max-text-bytes",
        "--max-document-sentences",
        "--max-summary-sentences",
        "--max-message-bytes",
        "--shutdown-grace",
        "--semantic-model",
        "TEXTANALYSIS_SEMANTIC_MODEL",
        "--encoder-threads",
        "--max-semantic-text-bytes",
    ] {
        assert!(help.contains(flag), "{flag} in --help");
    }
}

/// Every flag `serve --help` lists has a row in the README's configuration
/// table or in docs/api.md's "More settings".
#[test]
fn every_setting_has_a_row_in_the_documentation() {
    let help = serve_help();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rows: Vec<String> = ["README.md", "docs/api.md"]
        .iter()
        .flat_map(|file| {
            std::fs::read_to_string(root.join(file))
                .expect("a readable document")
                .lines()
                .filter(|line| line.starts_with("| `--"))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let flags: Vec<&str> = help
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("--"))
        .filter_map(|rest| rest.split_whitespace().next())
        .filter(|flag| *flag != "help")
        .collect();
    assert!(flags.len() > 30, "{help}");
    for flag in flags {
        let cell = format!("`--{flag}`");
        assert!(
            rows.iter().any(|row| row.contains(&cell)),
            "--{flag} has no row in README.md or docs/api.md"
        );
    }
}

#[test]
fn a_corrupt_model_fails_start_up_naming_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.tam");
    std::fs::write(&path, b"TAMODEL\0garbage").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--listen", "127.0.0.1:0", "--models-dir"])
        .arg(dir.path())
        .output()
        .expect("run the binary");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.tam"), "{stderr}");
}

#[tokio::test]
async fn loads_the_sentence_encoder_named_and_embeds_with_it() {
    let dir = common::semantic::model_dir();
    let running = start_with(&["--semantic-model", dir.to_str().expect("a UTF-8 path")]);
    assert!(
        running
            .startup
            .iter()
            .any(|line| line.contains("sentence encoder loaded")),
        "{:?}",
        running.startup
    );
    let mut client =
        textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient::connect(
            format!("http://{}", running.addr),
        )
        .await
        .expect("connect to the binary");
    let response = client
        .embed(textanalysis::proto::v1::EmbedRequest {
            text: "The binary reads meaning.".into(),
            ..Default::default()
        })
        .await
        .expect("embed")
        .into_inner();
    assert_eq!(response.embedding.len(), 384);
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}

#[test]
fn an_encoder_that_cannot_load_fails_start_up_naming_the_file() {
    let empty = tempfile::tempdir().expect("temp dir");
    let broken = tempfile::tempdir().expect("temp dir");
    let model = common::semantic::model_dir();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(model.join(file), broken.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}: run scripts/fetch-encoder.sh"));
    }
    std::fs::write(broken.path().join("model.safetensors"), b"not weights").expect("write");
    for (dir, file) in [
        (empty.path(), "config.json"),
        (broken.path(), "model.safetensors"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
            .args(["serve", "--listen", "127.0.0.1:0", "--semantic-model"])
            .arg(dir)
            .output()
            .expect("run the binary");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(file), "{stderr}");
        assert!(stderr.contains("sentence encoder"), "{stderr}");
    }
}

#[tokio::test]
async fn sighup_reloads_the_models_directory() {
    use textanalysis::proto::v1::{
        ListModelsRequest, text_analysis_service_client::TextAnalysisServiceClient,
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let dir_arg = dir.path().to_str().expect("utf-8 temp path").to_owned();
    let running = start_with(&["--models-dir", &dir_arg]);
    let mut client = TextAnalysisServiceClient::connect(format!("http://{}", running.addr))
        .await
        .expect("connect");
    let names = |r: textanalysis::proto::v1::ListModelsResponse| -> Vec<String> {
        r.models.into_iter().map(|m| m.name).collect()
    };
    let before = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner();
    assert_eq!(names(before), ["news"]);

    common::write_toy_model(&dir.path().join("toy.tam"), "toy");
    running.signal("HUP");
    wait_for_log(&running.lines, "models reloaded");
    let after = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner();
    assert_eq!(names(after), ["news", "toy"]);

    running.signal("TERM");
    drop(client);
    assert_eq!(running.exit_code().await, Some(0));
}

#[test]
fn train_and_eval_classify_report_accuracy_and_both_speeds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("toy.jsonl");
    let lines: Vec<String> = common::toy_examples(20)
        .iter()
        .map(|e| serde_json::json!({ "text": e.text, "label": e.labels[0] }).to_string())
        .collect();
    std::fs::write(&data, lines.join("\n")).expect("write the data");
    let model = dir.path().join("toy.tam");
    let run = |args: &[&std::ffi::OsStr]| {
        let output = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
            .args(args)
            .output()
            .expect("run the binary");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let trained = run(&[
        os("train"),
        os("--input"),
        data.as_os_str(),
        os("--out"),
        model.as_os_str(),
    ]);
    // 60 examples are small data: measured on every one, cross-validated.
    assert!(
        trained.contains("measured by 5-fold cross-validation on 60 examples"),
        "{trained}"
    );
    let report = run(&[
        os("eval"),
        os("classify"),
        os("--model"),
        model.as_os_str(),
        os("--data"),
        data.as_os_str(),
        os("--warm-up"),
        data.as_os_str(),
    ]);
    assert!(report.contains("accuracy"), "{report}");
    for pass in ["speed, cold: 60 texts", "speed, steady state: 60 texts"] {
        assert!(report.contains(pass), "{pass} missing from {report}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exits_one_when_the_grace_runs_out_with_calls_in_flight() {
    use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;
    let limit = (common::LONG_BYTES * 2).to_string();
    let running = start_with(&[
        "--shutdown-grace",
        "50ms",
        "--metrics-listen",
        "127.0.0.1:0",
        "--max-text-bytes",
        &limit,
        "--max-message-bytes",
        &limit,
        "--max-document-sentences",
        "1000000",
    ]);
    let metrics = running.logged_addr("serving metrics");
    let mut client = TextAnalysisServiceClient::connect(format!("http://{}", running.addr))
        .await
        .expect("connect")
        .max_encoding_message_size(usize::MAX);
    let long = tokio::spawn(async move {
        client
            .summarize(textanalysis::proto::v1::SummarizeRequest {
                text: common::long_text(),
                ..Default::default()
            })
            .await
    });
    assert!(
        common::raw::eventually(std::time::Duration::from_secs(30), async || {
            common::metric(
                &common::scrape(metrics).await,
                "textanalysis_analyses_in_flight",
            ) == 1
        })
        .await,
        "the long analysis runs"
    );
    running.signal("TERM");
    let code = running.exit_code().await;
    assert_eq!(code, Some(1), "the drain did not finish within the grace");
    assert!(long.await.expect("task").is_err(), "the call was cut off");
}

#[test]
fn text_logs_to_a_file_or_pipe_have_no_colour_codes() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "text"])
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let serving = lines
        .find(|l| l.contains("serving"))
        .expect("a serving line");
    let _ = child.kill();
    let _ = child.wait();
    assert!(serving.contains("INFO"), "{serving}");
    assert!(!serving.contains('\u{1b}'), "colour codes in {serving:?}");
}

#[tokio::test]
async fn listens_on_a_host_name_and_names_the_flag_when_the_port_is_taken() {
    let running = start_with(&[]);
    let port = running.addr.rsplit(':').next().expect("a port").to_owned();
    let taken = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .output()
        .expect("run the binary");
    assert!(!taken.status.success());
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert!(stderr.contains("--listen"), "{stderr}");

    let by_name = start_with(&["--listen", "localhost:0"]);
    summarize_once(&by_name.addr).await;
    running.signal("TERM");
    assert_eq!(running.exit_code().await, Some(0));
}
