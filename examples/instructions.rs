//! Runs one stage of the analysis core on a file, for counting its
//! instructions under callgrind (`scripts/instructions.sh`): instruction
//! counts, unlike times, repeat exactly on a busy machine, so they show what
//! a change to the pipeline gains.
//!
//! ```text
//! cargo run --release --example instructions -- STAGE FILE [FILE_B] CALLS
//! ```
//!
//! Stages: `segment`, `words` (UAX #29 words of the whole text), `detect`, `analyze` (language detected), `classify`
//! (detection and features), `summarize-lead` (analysis and LEAD, furniture
//! kept: the default before PACSUM), `summarize` (analysis and the default
//! options), `compare` (both texts analysed and compared with the default
//! options; FILE_B is the second text), `summarize-keyphrases` (analysis,
//! the default options and 10 key phrases), `topics` (detection,
//! features and the built-in model's scores: a Classify call's core),
//! `analyze-parts` (what an Analyze call with a summary, topics and key
//! phrases runs: one analysis, the summary with key phrases and the
//! built-in model's scores of the analysed document), `classify-texts` (FILE is JSON
//! lines as in `../shared/data`, a text a line in `title` and `text` or
//! `body`; each call detects the language of, extracts features from and
//! scores with the built-in model the first CALLS texts, after one
//! untimed pass over all of them, so that the count is the steady state of
//! a worker that has met the data's words: divide it by CALLS). One call
//! runs before the counted ones (in `counted`), with the same lexicon, so
//! that per-process start-up (stopword tables, the model, the lexicon's
//! first forms) is left out.

use textanalysis::classify::model::Model;
use textanalysis::classify::{
    Against, ClassifyOptions, Input, classify, features, registry, train,
};
use textanalysis::compare::{self, CompareOptions};
use textanalysis::summarize::{self, Algorithm, SummarizeOptions};
use textanalysis::text::{Document, Language, Lexicon, segment, tokenize};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: instructions STAGE FILE [FILE_B] CALLS";
    let (stage, file, other, calls) = match args.as_slice() {
        [stage, file, calls] => (stage, file, None, calls),
        [stage, file, other, calls] => (stage, file, Some(other), calls),
        _ => panic!("{usage}"),
    };
    let read = |path: &String| std::fs::read_to_string(path).expect("a readable UTF-8 file");
    let text = read(file);
    let other = other.map(read).unwrap_or_default();
    let calls: usize = calls.parse().expect(usage);
    let lexicon = &mut Lexicon::new();
    let model = registry::builtin().expect("the built-in model");
    if stage == "classify-texts" {
        let texts: Vec<String> = text.lines().map(text_of_line).collect();
        classify_texts(&model, &texts, lexicon);
        println!(
            "{}",
            counted_texts(&model, &texts[..calls.min(texts.len())], lexicon)
        );
        return;
    }
    let texts = (text.as_str(), other.as_str());
    run(stage, texts, &model, 1, lexicon);
    println!("{}", counted(stage, texts, &model, calls, lexicon));
}

/// The calls callgrind counts (`--toggle-collect=*counted*`).
#[inline(never)]
fn counted(
    stage: &str,
    texts: (&str, &str),
    model: &Model,
    calls: usize,
    lexicon: &mut Lexicon,
) -> usize {
    run(stage, texts, model, calls, lexicon)
}

/// The text of a line of `../shared/data`: its title, a blank line and
/// its text or body, as `scripts/eval_classify.py` reads them.
fn text_of_line(line: &str) -> String {
    let row: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    let field = |name: &str| row.get(name).and_then(|v| v.as_str());
    let body = field("text").or(field("body")).unwrap_or_default();
    match field("title") {
        Some(title) => format!("{title}\n\n{body}"),
        None => body.to_owned(),
    }
}

/// The `classify-texts` calls callgrind counts.
#[inline(never)]
fn counted_texts(model: &Model, texts: &[String], lexicon: &mut Lexicon) -> usize {
    classify_texts(model, texts, lexicon)
}

fn classify_texts(model: &Model, texts: &[String], lexicon: &mut Lexicon) -> usize {
    texts
        .iter()
        .map(|t| model.classify(&train::features_of(t, lexicon), false).len())
        .sum()
}

/// `text` analysed with `lexicon`, as a server's worker analyses it.
fn analyze<'t>(text: &'t str, language: Option<Language>, lexicon: &mut Lexicon) -> Document<'t> {
    Document::analyze_with(text, language, lexicon, Default::default())
}

/// `calls` runs of `stage` on `texts` (the second only for `compare`),
/// `model` the built-in model.
fn run(
    stage: &str,
    (text, other): (&str, &str),
    model: &Model,
    calls: usize,
    lexicon: &mut Lexicon,
) -> usize {
    let lead = SummarizeOptions {
        algorithm: Algorithm::Lead,
        keep_boilerplate: true,
        ..Default::default()
    };
    let with_keyphrases = SummarizeOptions {
        keyphrases: 10,
        ..Default::default()
    };
    let topics = |input: Input<'_>, lexicon: &mut Lexicon| {
        let options = ClassifyOptions::default();
        classify(input, Against::Model(model), &options, None, lexicon)
            .map_or(0, |c| c.topics.len())
    };
    (0..calls)
        .map(|_| match stage {
            "segment" => segment::sentences(text).len(),
            "words" => tokenize::words(text).count(),
            "detect" => Language::detect(text).code().len(),
            "analyze" => analyze(text, None, lexicon).sentences.len(),
            "classify" => features::detect_and_extract(text, None, lexicon).1.len(),
            "summarize-lead" => summarize::summarize(&analyze(text, None, lexicon), &lead, None)
                .map_or(0, |s| s.sentences.len()),
            "summarize" => {
                let doc = analyze(text, None, lexicon);
                summarize::summarize(&doc, &SummarizeOptions::default(), None)
                    .map_or(0, |s| s.sentences.len())
            }
            "summarize-keyphrases" => {
                let doc = analyze(text, None, lexicon);
                summarize::summarize(&doc, &with_keyphrases, None)
                    .map_or(0, |s| s.sentences.len() + s.keyphrases.len())
            }
            "topics" => topics(Input::Text(text), lexicon),
            "analyze-parts" => {
                let doc = analyze(text, None, lexicon);
                let summary = summarize::summarize(&doc, &with_keyphrases, None)
                    .map_or(0, |s| s.sentences.len() + s.keyphrases.len());
                summary + topics(Input::Document(&doc), lexicon)
            }
            "compare" => {
                let a = analyze(text, None, lexicon);
                let b = analyze(other, Some(a.language), lexicon);
                compare::compare(&a, &b, &CompareOptions::default(), None)
                    .expect("a lexical comparison cannot fail")
                    .unique_b
                    .len()
            }
            _ => panic!("unknown stage {stage}"),
        })
        .sum()
}
