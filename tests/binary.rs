//! The real binary: starts on its flags, logs JSON when asked, and exits 0
//! on SIGTERM and on SIGINT.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The binary running on an ephemeral port, with its log lines.
struct Running {
    child: Child,
    addr: String,
    lines: std::sync::mpsc::Receiver<String>,
}

/// Starts the binary with `extra` serve flags and returns it once it logged
/// its JSON "serving" line (with the address).
fn start_with(extra: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .args(extra)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = std::sync::mpsc::channel();
    // Forward log lines, and keep draining so the child never blocks.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = wait_for_log(&lines, "\"serving\"");
    let log: serde_json::Value = serde_json::from_str(&line).expect("a JSON log line");
    let addr = log["addr"].as_str().expect("addr field").to_owned();
    Running { child, addr, lines }
}

fn start() -> (Child, String) {
    let running = start_with(&[]);
    (running.child, running.addr)
}

/// The first log line containing `needle`; fails if the process's output
/// ends first.
fn wait_for_log(lines: &std::sync::mpsc::Receiver<String>, needle: &str) -> String {
    loop {
        let line = lines
            .recv()
            .unwrap_or_else(|_| panic!("the binary's log ended before `{needle}`"));
        if line.contains(needle) {
            return line;
        }
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

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

/// Waits for the process on the blocking pool, so that the test's runtime
/// keeps driving the client connection (which must see the server's GOAWAY
/// and close for the drain to end).
async fn wait(mut child: Child) -> Option<i32> {
    tokio::task::spawn_blocking(move || child.wait().expect("wait").code())
        .await
        .expect("wait task")
}

#[tokio::test]
async fn exits_zero_on_sigterm() {
    let (child, addr) = start();
    summarize_once(&addr).await;
    signal(&child, "TERM");
    assert_eq!(wait(child).await, Some(0));
}

#[tokio::test]
async fn exits_zero_on_sigint() {
    let (child, addr) = start();
    summarize_once(&addr).await;
    signal(&child, "INT");
    assert_eq!(wait(child).await, Some(0));
}

#[test]
fn help_lists_every_setting() {
    let output = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--help"])
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&output.stdout);
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
    ] {
        assert!(help.contains(flag), "{flag} in --help");
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
    signal(&running.child, "HUP");
    wait_for_log(&running.lines, "models reloaded");
    let after = client
        .list_models(ListModelsRequest {})
        .await
        .expect("list")
        .into_inner();
    assert_eq!(names(after), ["news", "toy"]);

    signal(&running.child, "TERM");
    drop(client);
    assert_eq!(wait(running.child).await, Some(0));
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
    run(&[
        os("train"),
        os("--input"),
        data.as_os_str(),
        os("--out"),
        model.as_os_str(),
    ]);
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
