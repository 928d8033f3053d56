//! The command line: `airssys run`, `inspect`, `new` and `componentize`.

use std::path::PathBuf;
use std::time::Duration;

use airssys_host::{Capabilities, ComponentId, TargetPattern};
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "airssys",
    version,
    about = "Run and inspect airssys:core@1.0.0 components on the reference host"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
// One is parsed per process: `run`'s many options cost nothing worth a box.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Load components and talk to them line by line: messages, requests, health, metadata.
    ///
    /// What the components send one another is delivered after each line,
    /// and everything is printed in the order it happened.
    Run(RunArgs),
    /// Print a component's imports, exports and metadata, and whether the reference host can load it.
    Inspect(InspectArgs),
    /// Start a component crate from a template, with the SDK shipped in this command, ready to test, build and run.
    New(NewArgs),
    /// Make a core module built for wasm32-unknown-unknown with the SDK a
    /// component that imports the contract alone (no WASI).
    Componentize(ComponentizeArgs),
}

#[derive(Args)]
pub struct ComponentizeArgs {
    /// The core module, e.g. `target/wasm32-unknown-unknown/release/my_counter.wasm`.
    pub module: PathBuf,
    /// Where to write the component; `<module>.component.wasm` beside it otherwise.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args)]
pub struct NewArgs {
    /// The crate's name: lowercase letters, digits, `-` and `_`, starting with a letter.
    /// The crate is created in the directory of that name, under `--path`.
    pub name: String,
    /// The directory to create the crate's directory in (its parent).
    #[arg(long, default_value = ".", value_name = "PARENT")]
    pub path: PathBuf,
    /// Where the component's `airssys-guest` dependency comes from:
    /// `shipped` (the SDK built into this command, copied into the crate's
    /// `vendor/`), a directory (an airssys checkout, or its `guest-sdk/`),
    /// or `git+URL` with an optional `#REV`. Defaults to $AIRSSYS_SDK, then `shipped`.
    #[arg(long, value_name = "SOURCE", env = "AIRSSYS_SDK")]
    pub sdk: Option<String>,
}

#[derive(Args)]
#[command(after_long_help = crate::run::lines::SYNTAX)]
pub struct RunArgs {
    /// Component files (`.wasm`), loaded in this order. Each is known as
    /// `local/<file name without .wasm>/1` unless `--id` says otherwise.
    #[arg(required = true)]
    pub components: Vec<PathBuf>,
    /// `FILE=namespace/name/instance`: the id a component is loaded as.
    #[arg(long = "id", value_name = "FILE=ID", value_parser = parse_id_for)]
    pub ids: Vec<(PathBuf, ComponentId)>,
    /// `ID=WHAT`: grant the component WHAT: `all`, `storage`, or
    /// `send:PATTERN`, `request:PATTERN`, `broadcast:PATTERN` (PATTERN as
    /// `ns/name/instance`, a part may be `*`). Repeatable. Nothing is granted
    /// otherwise.
    #[arg(long = "grant", value_name = "ID=WHAT", value_parser = parse_grant)]
    pub grants: Vec<(ComponentId, Grant)>,
    /// Keep storage in this redb file (created if missing); in memory otherwise.
    #[arg(long, value_name = "PATH")]
    pub storage: Option<PathBuf>,
    /// `ID=NAME=VALUE`: an environment variable for the component ID, in
    /// `initialize`'s config (`env-vars`) and in its WASI environment. Repeatable.
    #[arg(long = "env", value_name = "ID=NAME=VALUE", value_parser = parse_env)]
    pub envs: Vec<(ComponentId, (String, String))>,
    /// `ID=TEXT`: the component ID's `config-data` in `initialize`, as UTF-8 bytes.
    #[arg(long = "config", value_name = "ID=TEXT", value_parser = parse_send)]
    pub configs: Vec<(ComponentId, String)>,
    /// `ID=PATH`: the component ID's `config-data` in `initialize`: the file's bytes.
    #[arg(long = "config-file", value_name = "ID=PATH", value_parser = parse_config_file)]
    pub config_files: Vec<(ComponentId, PathBuf)>,
    #[arg(
        long = "host",
        value_name = "NAME=VALUE",
        value_parser = crate::run::settings::parse,
        help = "NAME=VALUE: a reference host setting, e.g. storage_quota_bytes=4096 or \
                default_limits.max_execution_time=200ms (the limits every component gets); \
                --help lists them all",
        long_help = crate::run::settings::help()
    )]
    pub host_settings: Vec<crate::run::settings::HostSetting>,
    /// `ID=NAME=VALUE`: a resource limit of the component ID, in place of
    /// the host's `default_limits` (and in `initialize`'s
    /// `resource-limits`): max_memory_bytes, max_execution_time (e.g.
    /// 200ms) or max_fuel (needs `--host fuel_metering=true`). Repeatable.
    #[arg(long = "limit", value_name = "ID=NAME=VALUE", value_parser = crate::run::settings::parse_limit)]
    pub limits: Vec<crate::run::settings::ComponentLimit>,
    /// `ID=TEXT`: send TEXT to the component ID's `handle-message`, as the
    /// line `ID TEXT` would. Repeatable, in order, before any `--line`.
    #[arg(long = "send", value_name = "ID=TEXT", value_parser = parse_send)]
    pub sends: Vec<(ComponentId, String)>,
    /// A session line (listed below, e.g. `request local/counter/1 get x`).
    /// Repeatable, in order. Without any `--send` or `--line`, lines are read
    /// from stdin, each acted on as soon as it arrives.
    #[arg(short = 'l', long = "line", value_name = "LINE")]
    pub lines: Vec<String>,
    /// Who sends a line's message or request when the line does not say
    /// (`from SENDER …`). Any id; it need not be loaded.
    #[arg(long, value_name = "ID", default_value = crate::run::CLI_SENDER, value_parser = parse_id)]
    pub sender: ComponentId,
    /// The log records held while one call runs, to print them after the
    /// line that caused it and before its outcome; older ones are dropped
    /// and counted.
    #[arg(long, value_name = "RECORDS", default_value_t = 4096)]
    pub log_backlog: usize,
    /// The longest the delivery of what components send one another may
    /// take, after each line.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub deliver_for: Duration,
}

#[derive(Args)]
pub struct InspectArgs {
    /// A component file (`.wasm`).
    pub component: PathBuf,
}

/// One `--grant`.
#[derive(Clone, Debug)]
pub enum Grant {
    All,
    Storage,
    Send(TargetPattern),
    Request(TargetPattern),
    Broadcast(TargetPattern),
}

impl Grant {
    pub fn add_to(&self, capabilities: &mut Capabilities) {
        match self {
            Grant::All => *capabilities = Capabilities::all(),
            Grant::Storage => {
                capabilities.storage_read = true;
                capabilities.storage_write = true;
                capabilities.storage_delete = true;
            }
            Grant::Send(pattern) => capabilities.send.push(pattern.clone()),
            Grant::Request(pattern) => capabilities.request.push(pattern.clone()),
            Grant::Broadcast(pattern) => capabilities.broadcast.push(pattern.clone()),
        }
    }
}

/// `namespace/name/instance`, by the rule hosts assign ids by (HOST-1).
pub fn parse_id(text: &str) -> Result<ComponentId, String> {
    text.parse::<airssys_contract::ComponentId>()
        .map(ComponentId::from)
        .map_err(|e| e.to_string())
}

fn split_once<'a>(text: &'a str, what: &str) -> Result<(&'a str, &'a str), String> {
    text.split_once('=')
        .ok_or_else(|| format!("`{text}` has no `=`: write {what}"))
}

fn parse_id_for(text: &str) -> Result<(PathBuf, ComponentId), String> {
    let (file, id) = split_once(text, "FILE=namespace/name/instance")?;
    Ok((PathBuf::from(file), parse_id(id)?))
}

fn parse_grant(text: &str) -> Result<(ComponentId, Grant), String> {
    let (id, what) = split_once(text, "ID=WHAT, e.g. local/counter/1=storage")?;
    let pattern = |p: &str| TargetPattern::parse(p);
    let grant = match what.split_once(':') {
        None if what == "all" => Grant::All,
        None if what == "storage" => Grant::Storage,
        Some(("send", p)) => Grant::Send(pattern(p)?),
        Some(("request", p)) => Grant::Request(pattern(p)?),
        Some(("broadcast", p)) => Grant::Broadcast(pattern(p)?),
        _ => {
            return Err(format!(
                "`{what}` is not a grant: use all, storage, send:PATTERN, request:PATTERN or broadcast:PATTERN"
            ));
        }
    };
    Ok((parse_id(id)?, grant))
}

fn parse_send(text: &str) -> Result<(ComponentId, String), String> {
    let (id, payload) = split_once(text, "ID=TEXT, e.g. local/echo/1=hello")?;
    Ok((parse_id(id)?, payload.to_owned()))
}

fn parse_env(text: &str) -> Result<(ComponentId, (String, String)), String> {
    let (id, pair) = split_once(text, "ID=NAME=VALUE, e.g. local/counter/1=MODE=fast")?;
    let (name, value) = split_once(pair, "ID=NAME=VALUE, e.g. local/counter/1=MODE=fast")?;
    Ok((parse_id(id)?, (name.to_owned(), value.to_owned())))
}

fn parse_config_file(text: &str) -> Result<(ComponentId, PathBuf), String> {
    let (id, path) = split_once(text, "ID=PATH, e.g. local/counter/1=counter.toml")?;
    Ok((parse_id(id)?, PathBuf::from(path)))
}

fn parse_secs(text: &str) -> Result<Duration, String> {
    let seconds = text
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))?;
    Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("`{text}` seconds is too long to wait for; give fewer seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_names_its_id_and_what() {
        let (id, grant) = parse_grant("local/a/1=send:local/*/1").unwrap();
        assert_eq!(id, ComponentId::new("local", "a", "1"));
        let mut capabilities = Capabilities::default();
        grant.add_to(&mut capabilities);
        assert!(capabilities.send[0].matches(&ComponentId::new("local", "b", "1")));
        assert!(!capabilities.storage_read);
    }

    #[test]
    fn bad_input_says_what_to_write() {
        assert!(parse_grant("local/a/1").unwrap_err().contains("ID=WHAT"));
        assert!(
            parse_grant("local/a/1=everything")
                .unwrap_err()
                .contains("storage")
        );
        assert!(
            parse_id("a/b")
                .unwrap_err()
                .contains("namespace/name/instance")
        );
        // What no host assigns (HOST-1) is no id here either, as in the SDK.
        assert!(parse_id("a//c").unwrap_err().contains("its name is empty"));
        assert!(
            parse_id("local/a/1=x")
                .map(|id| id.instance)
                .is_ok_and(|instance| instance == "1=x")
        );
        assert!(parse_secs("soon").unwrap_err().contains("seconds"));
        assert!(parse_secs("1e20").unwrap_err().contains("too long"));
        assert_eq!(parse_secs("0.5"), Ok(Duration::from_millis(500)));
    }
}
