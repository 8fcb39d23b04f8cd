//! Prints the key phrases Summarize returns for each article of a JSON
//! lines file (`id` and `article`, as `../shared/data/cnndm_dev100.jsonl`),
//! one JSON line per article: `{"id": …, "phrases": ["…", …]}`, each
//! phrase as the document first writes it. `scripts/eval-keyphrases.sh`
//! scores them beside YAKE's.
//!
//! ```text
//! cargo run --release --example eval_keyphrases -- DATA.jsonl [LIMIT]
//! ```

use std::io::{BufRead, BufReader, Write};

use textanalysis::summarize::{SummarizeOptions, summarize};
use textanalysis::text::{Document, Lexicon};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: eval_keyphrases DATA.jsonl [LIMIT]";
    let path = args.first().expect(usage);
    let limit: usize = args.get(1).map_or(10, |n| n.parse().expect(usage));
    let file = std::fs::File::open(path).expect("a readable data file");
    let options = SummarizeOptions {
        keyphrases: limit,
        ..SummarizeOptions::default()
    };
    let lexicon = &mut Lexicon::new();
    let mut out = std::io::stdout().lock();
    for line in BufReader::new(file).lines() {
        let line = line.expect("a readable line");
        let record: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        let text = record["article"].as_str().expect("an article");
        let doc = Document::analyze_with(text, None, lexicon, Default::default());
        let summary = summarize(&doc, &options, None).expect("a lexical summary");
        let phrases: Vec<&str> = summary
            .keyphrases
            .iter()
            .map(|k| &text[k.first.clone()])
            .collect();
        let answer = serde_json::json!({ "id": record["id"], "phrases": phrases });
        writeln!(out, "{answer}").expect("stdout");
    }
}
