//! The integration tests, one binary: end-to-end runs of the `mentorlens` binary, evaluations on
//! the bundled and the team's development data, property tests. `common` holds the helpers.
//! Run one group with `cargo test --test it NAME::` (e.g. `cargo test --release --test it
//! langid_bench:: -- --nocapture`).

mod common;
// The deterministic corpus generator, shared with the benches and examples.
#[path = "../../benches/support/synthetic.rs"]
mod synthetic;

mod align_bleualign;
mod align_eval;
mod cli_align;
mod cli_check;
mod cli_corpus;
mod cli_data_files;
mod cli_hostile;
mod cli_html;
mod cli_inputs;
mod cli_normalize;
mod cli_output;
mod cli_themes;
mod dist;
mod fuzz_pipeline;
mod golden_dev;
mod group_eval;
mod langid_bench;
mod normalize_eval;
mod properties;
mod research_outputs;
mod themes_eval;
