//! `airssys run`: load components, act on session lines (flags, or stdin
//! as each line arrives), deliver what the components send one another,
//! print it all in the order it happened.

pub mod lines;
mod session;
pub mod settings;

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use airssys_host::runtime::LoadError;
use airssys_host::{
    AirssysHost, Capabilities, ComponentId, HostConfig, LoadOptions, Runtime, StorageConfig,
};

use crate::args::RunArgs;
use crate::output::{HeldLogs, Style, component_error, health, id, line, shown, trap_lines};
use lines::next_line;
use session::Session;

/// The sender of what `airssys run` sends, unless `--sender` names another.
pub const CLI_SENDER: &str = "airssys/cli/1";
/// `local/<file name without .wasm>/1`.
fn default_id(file: &Path) -> Result<ComponentId, String> {
    let name = file
        .file_stem()
        .and_then(|stem| stem.to_str())
        .filter(|stem| !stem.is_empty())
        .ok_or_else(|| {
            format!(
                "{}: no file name to make an id of; give one with --id",
                file.display()
            )
        })?;
    Ok(ComponentId::new("local", name, "1"))
}

pub fn run(args: RunArgs) -> Result<ExitCode, String> {
    let style = Style::for_stdout();
    let mut config = HostConfig::default_with(|config| {
        config.storage = args
            .storage
            .clone()
            .map(StorageConfig::Redb)
            .unwrap_or_default()
    });
    for setting in &args.host_settings {
        setting.apply(&mut config)?;
    }
    let logs = Arc::new(HeldLogs::new(args.log_backlog));
    let host = AirssysHost::new(config)
        .map_err(|e| format!("{e} (with --host NAME=VALUE)"))?
        .with_log_sink(logs.clone());
    let runtime = Runtime::with_host(host).map_err(|e| e.to_string())?;

    let ids = component_ids(&args)?;
    for (file, component_id) in args.components.iter().zip(&ids) {
        let options = load_options(&args, runtime.host().config(), component_id)?;
        let component = runtime
            .compile_file(file)
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let loaded = runtime.load(component_id.clone(), &component, options);
        // What its start functions and `initialize` logged, before the verdict.
        logs.print(style);
        loaded.map_err(|e| format!("{}: {}", file.display(), load_error(&e)))?;
        let Some(registration) = runtime.host().registry().get(component_id) else {
            return Err(format!(
                "{}: it loaded as {} but left the registry at once; run it again",
                file.display(),
                id(component_id)
            ));
        };
        // What its first `health` said at load: asking again would call it.
        let status = registration.last_health();
        line(&format!(
            "loaded {} from {} ({} {}), {}",
            id(component_id),
            file.display(),
            shown(&registration.name),
            shown(&registration.version),
            health(status)
        ));
    }

    let mut session = Session::new(
        &runtime,
        logs.clone(),
        style,
        args.sender.clone(),
        args.deliver_for,
    );
    session.deliver();
    let given: Vec<(String, String)> = args
        .sends
        .iter()
        .enumerate()
        .map(|(n, (target, text))| (format!("--send {}", n + 1), format!("{target} {text}")))
        .chain(
            args.lines
                .iter()
                .enumerate()
                .map(|(n, text)| (format!("--line {}", n + 1), text.clone())),
        )
        .collect();
    if given.is_empty() {
        read_stdin(&mut session)?;
    }
    for (place, text) in given {
        act(&mut session, &place, &text);
    }
    session.shut_down(&ids);
    let tally = session.tally;
    // Dropping a component flushes a last line it printed without its
    // line feed, as a log record.
    drop(runtime);
    logs.print(style);
    line(&tally.summary());
    Ok(if tally.problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Acts on stdin's lines, each as soon as it is complete, until stdin ends.
fn read_stdin(session: &mut Session<'_>) -> Result<(), String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("airssys: type session lines (`help` lists them); end with Ctrl-D");
    }
    let mut stdin = stdin.lock();
    let mut number = 0;
    while let Some(read) = next_line(&mut stdin).map_err(|e| format!("reading stdin: {e}"))? {
        number += 1;
        let place = format!("stdin line {number}");
        match read {
            Ok(text) => act(session, &place, &text),
            Err(why) => session.refuse(&place, &why),
        }
    }
    Ok(())
}

fn act(session: &mut Session<'_>, place: &str, text: &str) {
    match lines::parse(text) {
        Ok(Some(what)) => session.act(what),
        Ok(None) => {}
        Err(why) => session.refuse(place, &format!(": {why}")),
    }
}

/// Each file's id, and a check that every flag naming an id names one of them.
fn component_ids(args: &RunArgs) -> Result<Vec<ComponentId>, String> {
    if let Some((file, _)) = args.ids.iter().find(|(f, _)| !args.components.contains(f)) {
        return Err(format!(
            "--id {}=… names a file that is not among the components: {}",
            file.display(),
            args.components
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut ids = Vec::new();
    for file in &args.components {
        let given = args
            .ids
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, id)| id.clone());
        let component_id = match given {
            Some(id) => id,
            None => default_id(file)?,
        };
        if ids.contains(&component_id) {
            return Err(format!(
                "{} would be loaded twice; give one of the files another id with --id FILE=ID",
                id(&component_id)
            ));
        }
        ids.push(component_id);
    }
    let named = [
        (
            "--grant",
            args.grants.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        ),
        ("--send", args.sends.iter().map(|(id, _)| id).collect()),
        ("--env", args.envs.iter().map(|(id, _)| id).collect()),
        ("--config", args.configs.iter().map(|(id, _)| id).collect()),
        (
            "--config-file",
            args.config_files.iter().map(|(id, _)| id).collect(),
        ),
        (
            "--limit",
            args.limits.iter().map(|limit| &limit.component).collect(),
        ),
    ];
    for (flag, named) in named {
        for named in named {
            if !ids.contains(named) {
                return Err(format!(
                    "{} is given in {flag} but is none of the components: {}",
                    id(named),
                    ids.iter().map(id).collect::<Vec<_>>().join(", ")
                ));
            }
        }
    }
    Ok(ids)
}

/// What `component` is granted and given in `initialize`.
fn load_options(
    args: &RunArgs,
    config: &HostConfig,
    component: &ComponentId,
) -> Result<LoadOptions, String> {
    let mut capabilities = Capabilities::default();
    for (granted, grant) in &args.grants {
        if granted == component {
            grant.add_to(&mut capabilities);
        }
    }
    let env_vars = args
        .envs
        .iter()
        .filter(|(id, _)| id == component)
        .map(|(_, pair)| pair.clone())
        .collect();
    let texts = args
        .configs
        .iter()
        .filter(|(id, _)| id == component)
        .map(|(_, text)| Ok(text.as_bytes().to_vec()));
    let files = args
        .config_files
        .iter()
        .filter(|(id, _)| id == component)
        .map(|(_, path)| {
            std::fs::read(path).map_err(|e| {
                format!(
                    "--config-file {}={}: {e}; give a file that can be read",
                    component,
                    path.display()
                )
            })
        });
    let mut config_data: Vec<Vec<u8>> = texts.chain(files).collect::<Result<_, String>>()?;
    if config_data.len() > 1 {
        return Err(format!(
            "{} is given config data {} times; give one --config or --config-file for it",
            id(component),
            config_data.len()
        ));
    }
    let mut limits = None;
    for limit in args.limits.iter().filter(|l| l.component == *component) {
        limit.apply(limits.get_or_insert(config.default_limits))?;
    }
    Ok(LoadOptions {
        capabilities,
        env_vars,
        config_data: config_data.pop(),
        limits,
    })
}

/// Why a component did not load, in WIT words where it returned an error.
fn load_error(error: &LoadError) -> String {
    match error {
        LoadError::Initialize { id: who, error } => format!(
            "{} refused to initialize: its initialize returned err({})",
            id(who),
            component_error(error)
        ),
        // A trap in its start functions, `metadata` or `initialize`: its
        // message on lines of their own, wasmtime's frames summed up.
        other => trap_lines(&other.to_string()).join("\n    "),
    }
}
