//! Hostile and broken clients, replayed against a running server, to see
//! that the server's bounds hold: what a well-behaved tonic client never
//! sends (stalled bodies and handshakes, truncated or undecodable messages,
//! resets, too many connections) is sent here over raw TCP and a raw HTTP/2
//! client (`h2`), and the server's own answer (`grpc-status` from its
//! headers or trailers) is reported, not what a client library makes of it.
//!
//! ```text
//! abuse payload --text FILE --bytes 1048576 --out FILE
//! abuse cert --dir DIR
//! abuse deadline --addr A --text FILE [--bytes N] [--calls 10] [--timeout 5m]
//! abuse stall-body --addr A [--streams 200] [--per-connection 100] [--declared 4096]
//!     [--limit 15s] [--metrics M]
//! abuse stall-handshake --addr A [--silent 100] [--partial 100] [--limit 15s]
//!     [--ca FILE [--no-preface 100]]   (--ca: the server speaks TLS)
//! abuse connections --addr A [--handshaked 50] [--extra 50] [--at-once 1s] [--metrics M]
//! abuse hold --addr A [--connections 100] [--seconds 7]
//! abuse health --addr A [--scenario NAME]
//! abuse diffs --addr A --a FILE --b FILE [--bytes N] [--callers 8] [--seconds 10]
//! abuse mistakes --addr A [--metrics M]
//! ```
//!
//! Every subcommand but `payload` and `cert` prints Markdown table rows,
//! `| scenario | what was sent | outcome | figures |`, to standard output;
//! `scripts/abuse.sh` starts the release server with the bounds each
//! scenario needs and puts the rows together. `--metrics` is the address of
//! the server's Prometheus endpoint, read before and after a scenario.
//!
//! The modules: [`cli`] (flags), [`payload`] (texts, gRPC frames, the
//! certificates), [`wire`] (the raw HTTP/2 client), [`metrics`] (the
//! server's Prometheus endpoint), [`report`] (table rows), and one per
//! family of scenarios: [`deadlines`] (deadlines and stalled bodies),
//! [`connections`] (handshakes, the connection limit, held connections),
//! [`mistakes`], [`diffs`] (large answers and health checks).

mod cli;
mod connections;
mod deadlines;
mod diffs;
mod metrics;
mod mistakes;
mod payload;
mod report;
mod wire;

use cli::Flags;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

const USAGE: &str = "usage: abuse COMMAND [--flag value]...; commands: payload, cert, deadline, \
stall-body, stall-handshake, connections, hold, health, diffs, mistakes (see the file's doc)";

#[tokio::main]
async fn main() {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let result = match Flags::parse(argv) {
        Err(e) => Err(e),
        Ok(flags) => match command.as_str() {
            "payload" => payload::payload(&flags),
            "cert" => payload::cert(&flags),
            "deadline" => deadlines::deadline(&flags).await,
            "stall-body" => deadlines::stall_body(&flags).await,
            "stall-handshake" => connections::stall_handshake(&flags).await,
            "connections" => connections::connections(&flags).await,
            "hold" => connections::hold(&flags).await,
            "health" => diffs::health(&flags).await,
            "diffs" => diffs::diffs(&flags).await,
            "mistakes" => mistakes::mistakes(&flags).await,
            _ => Err(USAGE.into()),
        },
    };
    if let Err(e) = result {
        eprintln!("abuse {command}: {e}");
        std::process::exit(1);
    }
}
