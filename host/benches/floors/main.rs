//! `just bench` (`cargo bench -p airssys-host --bench floors`): what the
//! reference host costs against wasmtime's own floor, in one run.
//!
//! - Each of the 17 functions: `guests/bench-guest` calls it in a loop, on
//!   the reference host (memory backend) and on the floor (`floor.rs`: the
//!   same signatures, constant answers); the table shows ns per call and the
//!   ratio.
//! - `Runtime::load` against instantiating an `InstancePre`; `handle-message`
//!   through the runtime against a typed call of `health` on a bare
//!   instance; messages sent and delivered per second; the redb backend's
//!   `get` and `set` against raw redb.
//!
//! Both sides of a ratio are measured in the same process, sample by sample
//! in turn, so drift on the machine affects both alike. Medians of the
//! samples are shown. Without `--bench` (as `cargo test --benches` runs it)
//! every row runs once with a few calls: a check that the benchmark works,
//! not a measurement. No timing is asserted anywhere.

mod floor;
mod rows;

use std::time::Duration;

fn main() {
    let measuring = std::env::args().any(|arg| arg == "--bench");
    // `cargo bench --bench floors -- storage::` measures only the functions
    // whose path contains a filter, e.g. to profile one of them.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    // `--samples=N`: more samples, e.g. for a profiler to see enough calls.
    let samples = std::env::args()
        .find_map(|arg| arg.strip_prefix("--samples=")?.parse().ok())
        .unwrap_or(21);
    let plan = if measuring {
        rows::Plan {
            samples,
            calls: 1000,
        }
    } else {
        rows::Plan {
            samples: 1,
            calls: 10,
        }
    };
    if !measuring {
        println!(
            "floors: one quick pass of every row (measure with `cargo bench -p airssys-host --bench floors`)"
        );
    }
    let table = rows::functions(&plan, &filters);
    println!("\n| function | reference host | floor | ratio |\n|---|---|---|---|");
    for row in &table {
        println!(
            "| `{}` | {} | {} | {:.2}× |",
            row.what,
            shown(row.reference),
            shown(row.floor),
            row.ratio()
        );
    }
    if !filters.is_empty() {
        return;
    }
    println!("\n| what | reference host | floor | ratio |\n|---|---|---|---|");
    for row in rows::others(&plan) {
        println!(
            "| {} | {} | {} | {:.2}× |",
            row.what,
            shown(row.reference),
            shown(row.floor),
            row.ratio()
        );
    }
    let rate = rows::messaging_rate(&plan);
    println!("\nmessaging: {rate:.0} send + delivery per second on one thread");
    println!(
        "a wall-clock read (`SystemTime::now`): {}",
        shown(rows::clock_read(&plan))
    );
}

fn shown(time: Duration) -> String {
    let nanos = time.as_secs_f64() * 1e9;
    if nanos >= 10_000.0 {
        format!("{:.1} µs", nanos / 1000.0)
    } else {
        format!("{nanos:.0} ns")
    }
}
