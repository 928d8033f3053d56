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
pub enum Command {
    /// Load components, send them messages, deliver what they send, print what happens.
    Run(RunArgs),
    /// Print a component's imports, exports and metadata, and whether the reference host can load it.
    Inspect(InspectArgs),
    /// Start a component crate from the counter example, ready to test, build and run.
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
    /// `ID=TEXT`: send TEXT to the component ID's `handle-message` and print
    /// its reply. Repeatable, in order. Without any, lines `ID TEXT` are read
    /// from stdin when it is not a terminal.
    #[arg(long = "send", value_name = "ID=TEXT", value_parser = parse_send)]
    pub sends: Vec<(ComponentId, String)>,
    /// The longest the delivery of what components send one another may take.
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
