//! Labelled examples for training and evaluation, read from the three
//! formats people usually have at hand.
//!
//! The format is chosen by the file's extension, or by its content when the
//! extension says nothing:
//!
//! - **JSON Lines** (`.jsonl`, `.json`, or any file whose first non-blank
//!   character is `{`): one object per line with a string `text` and either
//!   a `label` (a string) or `labels` (an array of strings). Numbers are
//!   accepted as labels and written in decimal. When the object has a
//!   string `title`, the text is `title + "\n\n" + text`. A `.json` file
//!   holding one array of such objects is read too (errors then name the
//!   element).
//! - **CSV** (`.csv`): a header row naming a `text` column and a `label` or
//!   `labels` column (case-insensitive), and optionally a `title` column
//!   used like the JSON field. A label cell holding a `|` is split on `|`,
//!   otherwise on `,`; so `sport|weather` and `sport,weather` are both two
//!   labels.
//! - **fastText** (`.txt` and anything else): `__label__a __label__b text`,
//!   the labels leading the line.
//!
//! Blank lines are skipped. Every example needs at least one label and some
//! text; errors name the file and the line (1-based). Labels are trimmed and
//! an example's repeated labels are kept once.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One labelled text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text to classify.
    pub text: String,
    /// Its labels: one for single-label data, any number for multi-label.
    pub labels: Vec<String>,
}

/// Why a data file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file cannot be read at all.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line (or JSON array element) is malformed.
    #[error("{}, line {line}: {message}", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// 1-based line number (the element's number for a JSON array).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The file is readable but wrong as a whole.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The formats [`read`] understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    JsonLines,
    Csv,
    FastText,
}

/// Reads every example of `path`; see the module documentation for the
/// formats. A file without any example is an error.
pub fn read(path: &Path) -> Result<Vec<Example>, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let format = match extension.as_str() {
        "jsonl" | "json" | "ndjson" => Format::JsonLines,
        "csv" => Format::Csv,
        "txt" => Format::FastText,
        _ => match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Format::JsonLines,
            _ => Format::FastText,
        },
    };
    let examples = match format {
        Format::JsonLines => read_json(path, bytes)?,
        Format::Csv => read_csv(path, bytes)?,
        Format::FastText => read_fasttext(path, bytes)?,
    };
    if examples.is_empty() {
        return Err(DataError::File {
            path: path.to_owned(),
            message: "holds no examples".to_owned(),
        });
    }
    Ok(examples)
}

fn line_error(path: &Path, line: usize, message: impl Into<String>) -> DataError {
    DataError::Line {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// The non-blank lines of `bytes`, with their 1-based numbers; a line that
/// is not UTF-8 is an error.
fn lines<'a>(
    path: &'a Path,
    bytes: &'a [u8],
) -> impl Iterator<Item = Result<(usize, &'a str), DataError>> + 'a {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, line)| !line.iter().all(u8::is_ascii_whitespace))
        .map(move |(i, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            std::str::from_utf8(line)
                .map(|l| (i + 1, l))
                .map_err(|e| line_error(path, i + 1, format!("not valid UTF-8: {e}")))
        })
}

fn read_json(path: &Path, bytes: &[u8]) -> Result<Vec<Example>, DataError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        // One JSON array rather than JSON Lines.
        let values: Vec<Value> = serde_json::from_slice(bytes)
            .map_err(|e| line_error(path, e.line(), format!("not a JSON array of objects: {e}")))?;
        return values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                json_example(v).map_err(|m| DataError::Line {
                    path: path.to_owned(),
                    line: i + 1,
                    message: format!("(array element {}) {m}", i + 1),
                })
            })
            .collect();
    }
    let mut examples = Vec::new();
    for line in lines(path, bytes) {
        let (number, line) = line?;
        let value: Value = serde_json::from_str(line)
            .map_err(|e| line_error(path, number, format!("not a JSON object: {e}")))?;
        examples.push(json_example(&value).map_err(|m| line_error(path, number, m))?);
    }
    Ok(examples)
}

/// One example from a JSON object.
fn json_example(value: &Value) -> Result<Example, String> {
    let object = value
        .as_object()
        .ok_or_else(|| "expected a JSON object with `text` and `label`".to_owned())?;
    let text = match object.get("text") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err("`text` must be a string".to_owned()),
        None => return Err("has no `text` field".to_owned()),
    };
    let title = match object.get("title") {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) | None => "",
        Some(_) => return Err("`title` must be a string".to_owned()),
    };
    let mut labels = Vec::new();
    let mut add = |v: &Value, field: &str| match v {
        Value::String(s) => {
            labels.push(s.clone());
            Ok(())
        }
        Value::Number(n) => {
            labels.push(n.to_string());
            Ok(())
        }
        _ => Err(format!("`{field}` must hold strings")),
    };
    match (object.get("label"), object.get("labels")) {
        (Some(_), Some(_)) => return Err("has both `label` and `labels`; keep one".to_owned()),
        (Some(Value::Array(items)), None) | (None, Some(Value::Array(items))) => {
            let field = if object.contains_key("label") {
                "label"
            } else {
                "labels"
            };
            for item in items {
                add(item, field)?;
            }
        }
        (Some(v), None) => add(v, "label")?,
        (None, Some(v)) => add(v, "labels")?,
        (None, None) => return Err("has no `label` or `labels` field".to_owned()),
    }
    example(title, text, labels)
}

/// Checks and assembles an example.
fn example(title: &str, text: &str, labels: Vec<String>) -> Result<Example, String> {
    let mut clean: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        let label = label.trim();
        if label.is_empty() {
            return Err("has an empty label".to_owned());
        }
        if !clean.iter().any(|l| l == label) {
            clean.push(label.to_owned());
        }
    }
    if clean.is_empty() {
        return Err("has no label".to_owned());
    }
    let title = title.trim();
    if text.trim().is_empty() && title.is_empty() {
        return Err("has an empty text".to_owned());
    }
    let text = if title.is_empty() {
        text.to_owned()
    } else {
        format!("{title}\n\n{text}")
    };
    Ok(Example {
        text,
        labels: clean,
    })
}

/// Splits a CSV label cell: on `|` when it holds one, otherwise on `,`.
fn split_labels(cell: &str) -> Vec<String> {
    let separator = if cell.contains('|') { '|' } else { ',' };
    cell.split(separator)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn read_csv(path: &Path, bytes: &[u8]) -> Result<Vec<Example>, DataError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let csv_error = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line() as usize);
        line_error(path, line, format!("malformed CSV: {e}"))
    };
    let headers = reader.headers().map_err(csv_error)?.clone();
    let column = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let text_column =
        column("text").ok_or_else(|| line_error(path, 1, "the CSV header has no `text` column"))?;
    let label_column = column("labels")
        .or_else(|| column("label"))
        .ok_or_else(|| line_error(path, 1, "the CSV header has no `label` or `labels` column"))?;
    let title_column = column("title");
    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: usize| record.get(i);
        let (Some(text), Some(labels)) = (field(text_column), field(label_column)) else {
            return Err(line_error(
                path,
                line,
                format!(
                    "has {} fields, fewer than the header's {}",
                    record.len(),
                    headers.len()
                ),
            ));
        };
        let title = title_column.and_then(field).unwrap_or("");
        examples.push(
            example(title, text, split_labels(labels)).map_err(|m| line_error(path, line, m))?,
        );
    }
    Ok(examples)
}

const FASTTEXT_PREFIX: &str = "__label__";

fn read_fasttext(path: &Path, bytes: &[u8]) -> Result<Vec<Example>, DataError> {
    let mut examples = Vec::new();
    for line in lines(path, bytes) {
        let (number, mut rest) = line?;
        let mut labels = Vec::new();
        loop {
            rest = rest.trim_start();
            let Some(after) = rest.strip_prefix(FASTTEXT_PREFIX) else {
                break;
            };
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            if end == 0 {
                return Err(line_error(path, number, "has an empty `__label__`"));
            }
            labels.push(after[..end].to_owned());
            rest = &after[end..];
        }
        if labels.is_empty() {
            return Err(line_error(
                path,
                number,
                "has no label: expected `__label__name` at the start of the line",
            ));
        }
        examples.push(example("", rest.trim(), labels).map_err(|m| line_error(path, number, m))?);
    }
    Ok(examples)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file under the temp directory removed when dropped.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str, content: &str) -> Self {
            static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "textanalysis-data-{}-{n}-{name}",
                std::process::id()
            ));
            std::fs::write(&path, content).unwrap();
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn ex(text: &str, labels: &[&str]) -> Example {
        Example {
            text: text.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    fn error_of(name: &str, content: &str) -> String {
        let file = TempFile::new(name, content);
        let e = read(&file.0).unwrap_err().to_string();
        assert!(e.contains(&file.0.display().to_string()), "{e}");
        e
    }

    #[test]
    fn reads_json_lines_with_label_labels_and_title() {
        let file = TempFile::new(
            "a.jsonl",
            "{\"label\": \"sport\", \"text\": \"The team won.\"}\n\n\
             {\"labels\": [\"weather\", \"sport\", \"weather\"], \"text\": \"Rain stopped play.\"}\r\n\
             {\"label\": \"cooking\", \"title\": \"Soup\", \"text\": \"Simmer the onions.\"}\n",
        );
        assert_eq!(
            read(&file.0).unwrap(),
            vec![
                ex("The team won.", &["sport"]),
                ex("Rain stopped play.", &["weather", "sport"]),
                ex("Soup\n\nSimmer the onions.", &["cooking"]),
            ]
        );
    }

    #[test]
    fn reads_a_json_array() {
        let file = TempFile::new("b.json", "[{\"label\": 3, \"text\": \"x y\"}]");
        assert_eq!(read(&file.0).unwrap(), vec![ex("x y", &["3"])]);
    }

    #[test]
    fn json_errors_name_the_line() {
        let e = error_of(
            "c.jsonl",
            "{\"label\": \"a\", \"text\": \"ok\"}\n\n{\"text\": \"no label\"}\n",
        );
        assert!(e.contains("line 3") && e.contains("no `label`"), "{e}");
        let e = error_of("d.jsonl", "{\"label\": \"a\", \"text\": \"  \"}\n");
        assert!(e.contains("line 1") && e.contains("empty text"), "{e}");
        let e = error_of("e.jsonl", "{\"label\": \"a\", \"text\": \"ok\"}\n{broken\n");
        assert!(e.contains("line 2") && e.contains("JSON"), "{e}");
        let e = error_of("f.jsonl", "{\"labels\": [], \"text\": \"ok\"}\n");
        assert!(e.contains("line 1") && e.contains("no label"), "{e}");
    }

    #[test]
    fn reads_csv_with_quoted_fields_and_label_lists() {
        let file = TempFile::new(
            "g.csv",
            "id,text,labels\n1,\"Goal, then rain\",sport|weather\n\n2,\"Bake\nthe bread\",\"cooking\"\n3,Fog,\"weather, sport\"\n",
        );
        assert_eq!(
            read(&file.0).unwrap(),
            vec![
                ex("Goal, then rain", &["sport", "weather"]),
                ex("Bake\nthe bread", &["cooking"]),
                ex("Fog", &["weather", "sport"]),
            ]
        );
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = error_of(
            "h.csv",
            "text,label\nfine,a\n\"multi\nline\",b\nno label here,\n",
        );
        assert!(e.contains("line 5") && e.contains("no label"), "{e}");
        let e = error_of("i.csv", "body,label\nx,a\n");
        assert!(e.contains("line 1") && e.contains("`text`"), "{e}");
        let e = error_of("j.csv", "text,label\n,a\n");
        assert!(e.contains("line 2") && e.contains("empty text"), "{e}");
    }

    #[test]
    fn reads_fasttext_lines() {
        let file = TempFile::new(
            "k.txt",
            "__label__sport The striker scored.\n   \n__label__weather __label__sport  Rain stopped play.\n",
        );
        assert_eq!(
            read(&file.0).unwrap(),
            vec![
                ex("The striker scored.", &["sport"]),
                ex("Rain stopped play.", &["weather", "sport"]),
            ]
        );
    }

    #[test]
    fn fasttext_errors_name_the_line() {
        let e = error_of("l.txt", "__label__a fine\n\nno label at all\n");
        assert!(e.contains("line 3") && e.contains("no label"), "{e}");
        let e = error_of("m.txt", "__label__a fine\n__label__b   \n");
        assert!(e.contains("line 2") && e.contains("empty text"), "{e}");
    }

    #[test]
    fn content_decides_without_a_known_extension() {
        let file = TempFile::new("n.data", "{\"label\": \"a\", \"text\": \"x\"}\n");
        assert_eq!(read(&file.0).unwrap(), vec![ex("x", &["a"])]);
        let file = TempFile::new("o.data", "__label__a x\n");
        assert_eq!(read(&file.0).unwrap(), vec![ex("x", &["a"])]);
    }

    #[test]
    fn empty_and_missing_files_are_errors() {
        let e = error_of("p.jsonl", "\n\n");
        assert!(e.contains("no examples"), "{e}");
        let missing = std::env::temp_dir().join("textanalysis-data-missing-file.jsonl");
        let e = read(&missing).unwrap_err().to_string();
        assert!(
            e.contains("cannot read") && e.contains("missing-file"),
            "{e}"
        );
    }
}
