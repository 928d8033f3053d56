//! The command that runs one trial again, alone, against the same host: what
//! every failure ends with, on the console and in every report.
//!
//! It is the command that started the suite, the options that chose the
//! host and judged it (`--adapter` or `--component`, the time limits,
//! `--expect`), the run's seed, and `--exact` with the trial's name. It is
//! meant to be pasted in the directory the suite was started from, where the
//! adapter's command and relative paths mean what they meant.
//!
//! What it cannot know is left out: cargo's own flags (`--release`,
//! `--features`, `--target`), and environment variables other than those in
//! [`SETTINGS`].

use std::path::Path;

use crate::running::options::Options;
use crate::trials::TimeLimits;

/// Environment variables that change what a run judges, carried into the
/// command: which build of the guest components the suite loads.
const SETTINGS: &[&str] = &["AIRSSYS_GUEST_BUILDER"];

/// The words that start the suite again, before its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation(String);

impl Invocation {
    /// Given by whoever wrote the suite's entry point, e.g. `cargo conformance`.
    pub(crate) fn given(words: impl Into<String>) -> Self {
        Self(words.into())
    }

    /// How this process was started: the test target of a cargo package
    /// (`cargo test -p PACKAGE --test TARGET --`), or the program itself.
    pub(crate) fn of_this_process() -> Self {
        let program = std::env::args().next().unwrap_or_default();
        let package = std::env::var("CARGO_PKG_NAME").ok();
        Self(match (package, test_target(Path::new(&program))) {
            (Some(package), Some(target)) => {
                format!("cargo test -p {package} --test {target} --")
            }
            _ => quote(&program),
        })
    }

    /// The command that runs `trial` alone, as `options` ran it, with `seed`.
    pub(crate) fn repeat(&self, options: &Options, seed: u64, trial: &str) -> String {
        let mut words: Vec<String> = SETTINGS
            .iter()
            .filter_map(|name| Some(format!("{name}={}", quote(&std::env::var(name).ok()?))))
            .collect();
        words.push(self.0.clone());
        if let Some(adapter) = &options.adapter {
            words.push(format!("--adapter {}", quote(adapter)));
        }
        let mut option = |flag: &str, value: &str| words.push(format!("{flag} {}", quote(value)));
        // One flag each: only files ending in .wasm or .wat follow a flag.
        for component in &options.components {
            option("--component", &component.to_string_lossy());
        }
        // The contract judged decides the trials and their verdicts.
        if let Some(wit) = &options.wit {
            option("--wit", &wit.to_string_lossy());
        }
        if !options.wit_features.is_empty() {
            option("--wit-features", &options.wit_features.join(","));
        }
        let defaults = TimeLimits::default();
        if options.limits.trial != defaults.trial {
            option("--timeout", &options.limits.trial.as_secs_f64().to_string());
        }
        if options.limits.startup != defaults.startup {
            let startup = options.limits.startup.as_secs_f64().to_string();
            option("--startup-timeout", &startup);
        }
        // An unexpected pass is a failure only against the expectations file.
        if let Some(expect) = &options.expect {
            option("--expect", &expect.to_string_lossy());
        }
        option("--seed", &seed.to_string());
        option("--exact", trial);
        words.join(" ")
    }
}

/// The test target a cargo-built test binary belongs to: `conformance` for
/// `target/debug/deps/conformance-0123abcd`.
fn test_target(program: &Path) -> Option<String> {
    let in_deps = program.parent()?.file_name()? == "deps";
    let stem = program.file_stem()?.to_str()?;
    let (target, hash) = stem.rsplit_once('-')?;
    let hashed = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    (in_deps && hashed).then(|| target.to_owned())
}

/// `text` as one word of `sh`: as it is when it is plain, else in single quotes.
pub(crate) fn quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn words_sh_would_split_are_quoted_and_quotes_survive() {
        assert_eq!(
            quote("storage::get::behaviour::STO-1"),
            "storage::get::behaviour::STO-1"
        );
        assert_eq!(quote("cargo run -q"), "'cargo run -q'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn a_cargo_test_binary_is_named_by_its_target() {
        let target = |path: &str| test_target(Path::new(path));
        assert_eq!(
            target("/w/target/debug/deps/conformance-0123abcdef").as_deref(),
            Some("conformance")
        );
        assert_eq!(
            target("target/debug/deps/broken_hosts-9f").as_deref(),
            Some("broken_hosts")
        );
        assert_eq!(target("/usr/bin/airssys-conformance"), None);
        assert_eq!(target("target/debug/deps/no-hash-here"), None);
    }

    #[test]
    fn the_command_keeps_what_chose_and_judged_the_host() {
        let options = Options {
            adapter: Some("cargo run -q -p my-adapter".into()),
            expect: Some("/w/expected.toml".into()),
            limits: TimeLimits {
                trial: Duration::from_millis(2500),
                ..TimeLimits::default()
            },
            report: Some("/w/out".into()),
            libtest: vec!["bin".into(), "storage".into()],
            ..Options::default()
        };
        assert_eq!(
            Invocation::given("cargo conformance").repeat(&options, 7, "storage::get::name"),
            "cargo conformance --adapter 'cargo run -q -p my-adapter' --timeout 2.5 \
             --expect /w/expected.toml --seed 7 --exact storage::get::name"
        );
        let components = Options {
            components: vec!["/w/a.wasm".into(), "/w/b c.wasm".into()],
            ..Options::default()
        };
        assert_eq!(
            Invocation::given("airssys-conformance").repeat(&components, 1, "x::name"),
            "airssys-conformance --component /w/a.wasm --component '/w/b c.wasm' --seed 1 --exact x::name"
        );
        let contract = Options {
            wit: Some("/w/next/wit".into()),
            wit_features: vec!["a".into(), "b".into()],
            ..Options::default()
        };
        assert_eq!(
            Invocation::given("x").repeat(&contract, 1, "storage::get-many::name"),
            "x --wit /w/next/wit --wit-features a,b --seed 1 --exact storage::get-many::name"
        );
    }
}
