//! The shared text pipeline: sentence segmentation, tokenization, case
//! folding, stopwords, stemming and language detection, written once and used
//! by every analysis. A request analyses each of its documents once, into a
//! [`Document`], and every algorithm reads that.

pub mod boilerplate;
pub mod document;
pub mod language;
pub mod lexicon;
pub mod reader;
pub mod segment;
pub mod tokenize;
pub mod view;

pub use document::{Document, Sentence, TermId};
pub use language::Language;
pub use lexicon::{Lexicon, TermTexts};
pub use view::{View, ViewSentence};
