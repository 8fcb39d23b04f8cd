//! Replays the fuzz targets' inputs in the ordinary test run: the seeds
//! (`fuzz/seeds/TARGET/`) and every input a fuzzer ever found
//! (`fuzz/regressions/TARGET/`), through the same checks the fuzz targets
//! run (`fuzz/checks.rs`). A bug the fuzzer found stays fixed.

#[path = "../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

/// Runs `check` on every file of the target's seed and regression
/// folders; returns how many there were.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for folder in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable folder").path();
            let input = std::fs::read(&path).expect("a readable input");
            println!("{}", path.display());
            check(&input);
            replayed += 1;
        }
    }
    replayed
}

#[test]
fn segment_inputs() {
    assert!(replay("segment", checks::segment) > 0);
}

#[test]
fn summarize_inputs() {
    assert!(replay("summarize", checks::summarize) > 0);
}

#[test]
fn classify_inputs() {
    assert!(replay("classify", checks::classify) > 0);
}

#[test]
fn compare_inputs() {
    assert!(replay("compare", checks::compare) > 0);
}

#[test]
fn model_file_inputs() {
    replay("model_file", checks::model_file);
    // The seeds of this target are trained when the fuzzer runs; the
    // built-in model, whole and cut short, stands in for them here.
    let builtin = include_bytes!("../../models/news.tam");
    for len in [
        builtin.len(),
        builtin.len() - 1,
        builtin.len() / 2,
        64,
        16,
        0,
    ] {
        checks::model_file(&builtin[..len]);
    }
}
