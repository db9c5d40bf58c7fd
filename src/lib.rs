//! mentorlens: a batch pipeline that reads a corpus of articles about mentorship and reports what
//! is in it.
//!
//! The flow runs one way, stage by stage (see `ARCHITECTURE.md`): [`corpus`] loads and decodes
//! inputs, [`segment`] splits each document into paragraphs, sentences and words with byte offsets,
//! [`lang`] identifies the language of every paragraph and of the document, [`normalize`] scores
//! and restores spun English, and [`report`] turns the result into the JSON report. Per-document
//! stages run in parallel under rayon; the output does not depend on the thread count.
//!
//! ```no_run
//! use mentorlens::{Config, Pipeline, corpus::Input, report::Report};
//! let pipeline = Pipeline::new(&Config::default())?;
//! let analysis = pipeline.run(&[Input::from_arg("corpus")], &());
//! Report::new(&analysis).write_json(std::io::stdout())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod align;
pub mod check;
pub mod corpus;
mod datafile;
pub mod dist;
mod files;
pub mod lang;
pub mod normalize;
pub mod report;
pub mod segment;
mod terminal;
pub mod text;
pub mod themes;

mod config;
mod memo;
mod pipeline;
mod timing;

pub use config::{Config, Error, Settings};
pub use datafile::DataFileError;
pub use pipeline::{AnalysedDocument, Analysis, DocumentStages, Outcome, Pipeline, Progress};
pub use terminal::escape_for_terminal;
pub use timing::Timings;
