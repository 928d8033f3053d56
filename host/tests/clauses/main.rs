//! The behaviour clauses of docs/spec.md, each checked through real guest
//! components on the reference host. Test names start with the clause ID:
//! `cargo test -p airssys-host --test clauses -- sto_3` runs STO-3's tests.

mod embedding;
mod harness;
mod messaging;
mod persistence;
mod sdk_example;
mod sdk_test_host;
mod security;
mod services;
mod storage;
mod versions;
