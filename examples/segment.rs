//! Segments texts into sentences with the library's segmenter, for
//! `scripts/eval-segment.sh` and for comparing segmentations before and
//! after a change to the rules.
//!
//! ```text
//! cargo run --release --example segment < texts.jsonl > sentences.jsonl
//! ```
//!
//! Each input line is a JSON string, the text; each output line is the JSON
//! array of that text's sentences, as the service reports them (exact
//! slices of the text).

use std::io::{BufRead, BufWriter, Write};

use textanalysis::text::segment::sentences;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let text: String = serde_json::from_str(&line)?;
        let found: Vec<&str> = sentences(&text)
            .into_iter()
            .filter_map(|range| text.get(range))
            .collect();
        serde_json::to_writer(&mut out, &found)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
