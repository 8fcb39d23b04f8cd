//! The real binary: starts on its flags, logs JSON when asked, and exits 0
//! on SIGTERM and on SIGINT.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts the binary on an ephemeral port and returns it with the address
/// it logged, read from its JSON "serving" line.
fn start() -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_textanalysis"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the binary logs a serving line before anything else")
            .expect("readable log");
        if line.contains("\"serving\"") {
            let value: serde_json_lite::Line = serde_json_lite::parse(&line);
            break value.addr;
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Just enough JSON reading for one log line, without a JSON dependency.
mod serde_json_lite {
    pub struct Line {
        pub addr: String,
    }
    pub fn parse(line: &str) -> Line {
        let key = "\"addr\":\"";
        let start = line.find(key).expect("addr field") + key.len();
        let end = start + line[start..].find('"').expect("end of addr");
        Line {
            addr: line[start..end].to_owned(),
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
