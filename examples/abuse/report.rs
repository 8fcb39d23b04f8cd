//! The report: Markdown table rows, and how codes, times and messages are
//! written in them.

use std::collections::BTreeMap;
use std::time::Duration;

use tonic::Code;

use crate::wire::Answer;

/// One row of the report.
pub fn row(scenario: &str, sent: &str, outcome: &str, figures: &str) {
    println!("| {scenario} | {sent} | {outcome} | {figures} |");
}

/// `DEADLINE_EXCEEDED`, as the gRPC spec spells codes; `no status` when
/// the server sent none (a reset stream or a closed connection).
pub fn code_name(code: Option<Code>) -> String {
    let Some(code) = code else {
        return "no status".into();
    };
    let camel = format!("{code:?}");
    let mut name = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_uppercase());
    }
    name
}

pub fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Answers grouped by status: `DEADLINE_EXCEEDED 18 (2.00–2.01 s)`, so a
/// row shows both how many got each code and when.
pub fn by_code(answers: &[Answer], time: fn(Duration) -> String) -> String {
    let mut groups: BTreeMap<String, (usize, Duration, Duration)> = BTreeMap::new();
    for a in answers {
        let g = groups
            .entry(code_name(a.code))
            .or_insert((0, Duration::MAX, Duration::ZERO));
        g.0 += 1;
        g.1 = g.1.min(a.at);
        g.2 = g.2.max(a.at);
    }
    let parts: Vec<String> = groups
        .into_iter()
        .map(|(code, (n, first, last))| {
            if n == 1 {
                format!("{code} 1 (at {})", time(first))
            } else {
                format!("{code} {n} ({}–{})", time(first), time(last))
            }
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// `s` cut to at most `max` characters, on one line, with no `|` to break
/// the table.
pub fn shorten(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' => ' ',
            '|' => '/',
            c => c,
        })
        .collect();
    match one_line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}
