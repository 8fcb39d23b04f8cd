//! What training reports besides the model: the measurement, how it was
//! made, and warnings when a figure rests on too few examples.

use std::fmt;

use crate::classify::metrics::Evaluation;
use crate::classify::model::Measurement;

/// Fewer measured examples than this make every figure a warning: one
/// example then moves accuracy by more than 3 points, and the standard
/// error of an accuracy near 0.9 exceeds 5 points, as large as the
/// differences a measurement is read for; the expected calibration error's
/// ten bins hold three examples each.
pub const MIN_MEASURED: usize = 30;

/// Fewer measured examples of a label than this make its figures (and so
/// the macro-F1, which weighs every label alike) a warning: one example
/// then moves the label's recall by more than 10 points.
pub const MIN_MEASURED_PER_LABEL: usize = 10;

/// What [`super::train`] reports besides the model.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// The measurement stored in the model's metadata, in full.
    pub evaluation: Evaluation,
    /// How it was measured.
    pub measured: Measurement,
    /// The figures that rest on too few examples.
    pub warnings: Vec<Warning>,
}

/// A figure resting on too few measured examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// Fewer than [`MIN_MEASURED`] examples were measured in all.
    FewExamples {
        /// Examples measured.
        measured: usize,
    },
    /// Fewer than [`MIN_MEASURED_PER_LABEL`] examples of a label were
    /// measured.
    FewOfLabel {
        /// The label.
        label: String,
        /// Its examples measured.
        measured: usize,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::FewExamples { measured } => write!(
                f,
                "the figures rest on {measured} measured examples, fewer than \
                 {MIN_MEASURED}: each one moves accuracy by {:.1} points; give more examples",
                100.0 / (*measured).max(1) as f64
            ),
            Warning::FewOfLabel { label, measured } => write!(
                f,
                "label `{label}` has {measured} measured examples, fewer than \
                 {MIN_MEASURED_PER_LABEL}: its precision, recall and F1, and so the macro-F1, \
                 rest on them; give more examples of it"
            ),
        }
    }
}

/// The warnings for a measurement of examples with labels `gold` (indexes
/// into `labels`).
pub(super) fn warnings(labels: &[String], gold: &[Vec<usize>]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if gold.len() < MIN_MEASURED {
        warnings.push(Warning::FewExamples {
            measured: gold.len(),
        });
    }
    let mut count = vec![0usize; labels.len()];
    for g in gold {
        for &l in g {
            if let Some(c) = count.get_mut(l) {
                *c += 1;
            }
        }
    }
    for (label, &measured) in labels.iter().zip(&count) {
        if measured < MIN_MEASURED_PER_LABEL {
            warnings.push(Warning::FewOfLabel {
                label: label.clone(),
                measured,
            });
        }
    }
    warnings
}

impl fmt::Display for TrainReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "measured {}:\n{}", self.measured, self.evaluation)
    }
}
