//! Memory is bounded by admission: however many large requests clients
//! send at once, the server holds the bodies of the admitted ones only,
//! measured as the resident memory of the real server process.

use crate::common;

use common::WIRE_STYLE;
use common::process::{start_with, status_kib};
use textanalysis::proto::v1::SummarizeRequest;
use textanalysis::proto::v1::text_analysis_service_client::TextAnalysisServiceClient;

/// Concurrent streams, 128 on each of two connections (the server's
/// default limit of streams per connection).
const STREAMS: usize = 256;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_large_requests_are_bounded_by_admission_not_by_streams() {
    // Four admitted at once: one running, three waiting.
    let running = start_with(&["--max-in-flight", "1", "--max-queued", "3"]);
    let pid = running.pid();
    let idle = status_kib(pid, "VmRSS");
    let request = SummarizeRequest {
        text: WIRE_STYLE.repeat((1 << 20) / WIRE_STYLE.len()),
        ..Default::default()
    };
    let mut clients = Vec::new();
    for _ in 0..2 {
        clients.push(
            TextAnalysisServiceClient::connect(format!("http://{}", running.addr))
                .await
                .expect("connect")
                .max_encoding_message_size(8 << 20),
        );
    }
    let calls: Vec<_> = (0..STREAMS)
        .map(|i| {
            let mut client = clients[i % 2].clone();
            let request = request.clone();
            tokio::spawn(async move { client.summarize(request).await.map(|_| ()) })
        })
        .collect();
    let mut served = 0;
    let mut refused = 0;
    for call in calls {
        match call.await.expect("task") {
            Ok(()) => served += 1,
            Err(status) if status.code() == tonic::Code::ResourceExhausted => refused += 1,
            Err(status) => panic!("neither served nor refused: {status:?}"),
        }
    }
    let peak = status_kib(pid, "VmHWM");
    let after = status_kib(pid, "VmRSS");
    eprintln!(
        "idle {idle} KiB, peak {peak} KiB, after {after} KiB; {served} served, {refused} refused"
    );
    assert!(served >= 4, "the admitted ones are served");
    assert_eq!(served + refused, STREAMS);
    // Every stream's body at once would be 256 MiB and more; four admitted
    // requests (body, decoded text and analysis) need a few tens.
    let growth_mib = (peak - idle) / 1024;
    assert!(
        growth_mib < 96,
        "grew by {growth_mib} MiB under {STREAMS} streams"
    );
    // And the memory goes back (see `return_large_buffers_to_the_system`
    // in main.rs): the burst's buffers are not kept.
    let kept_mib = after.saturating_sub(idle) / 1024;
    assert!(kept_mib < 12, "kept {kept_mib} MiB after the burst");
}
