//! The integration tests: one binary (as casey/just and mdBook do), one
//! module per area, each driving the real `ecoscore` binary through
//! `common::Test` on copies of the sample and of `tests/fixtures/`.

mod common;

mod architecture;
mod archive;
mod archive_alone;
mod brief;
mod chart_bytes;
mod charts;
mod check;
mod cli;
mod command_line;
mod first_steps;
mod fixture;
mod forms;
mod frozen;
mod government;
mod hostile_text;
mod import;
mod improvement;
mod init;
mod letters;
mod method;
mod open_data;
mod paths;
mod print;
mod progress;
mod projects;
mod rebuild;
mod report;
mod scale;
mod serve;
mod side_doors;
mod themes;
mod web;
mod workbook_cells;
