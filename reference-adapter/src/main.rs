//! The reference host behind the adapter protocol, on stdin and stdout.
//!
//! `airssys-reference-adapter [--serve VERSIONS]`: `--serve 1.0.0` serves
//! `airssys:core@1.0.0` only, as a host that has not updated does; by
//! default every version the reference host can serve (1.0.0 and 1.1.0).

use std::process::ExitCode;

use airssys_host::ContractVersion;
use airssys_reference_adapter::ReferenceHost;

const USAGE: &str = "usage: airssys-reference-adapter [--serve VERSIONS]
  --serve VERSIONS  the versions of airssys:core to serve, separated by commas,
                    e.g. `--serve 1.0.0` for a host that has not updated
                    (default: every version it can, 1.0.0,1.1.0)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match versions(&args) {
        Ok(None) => airssys_conformance::serve(ReferenceHost::new()),
        Ok(Some(versions)) => airssys_conformance::serve(ReferenceHost::new().serving(&versions)),
        Err(problem) => {
            eprintln!("error: {problem}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The versions `--serve` names, or `None` without it.
fn versions(args: &[String]) -> Result<Option<Vec<ContractVersion>>, String> {
    match args {
        [] => Ok(None),
        [flag, list] if flag == "--serve" => parse(list),
        [one] => match one.strip_prefix("--serve=") {
            Some(list) => parse(list),
            None => Err(format!("unexpected argument `{one}`")),
        },
        _ => Err(format!("unexpected arguments `{}`", args.join(" "))),
    }
}

fn parse(list: &str) -> Result<Option<Vec<ContractVersion>>, String> {
    ContractVersion::parse_list(list)
        .map(Some)
        .map_err(|error| format!("--serve: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn serve_reads_one_version_or_several() {
        assert_eq!(versions(&args("")), Ok(None));
        assert_eq!(
            versions(&args("--serve 1.0.0")),
            Ok(Some(vec![ContractVersion::V1_0_0]))
        );
        assert_eq!(
            versions(&args("--serve=1.0.0,1.1.0")),
            Ok(Some(ContractVersion::ALL.to_vec()))
        );
    }

    #[test]
    fn an_unknown_version_or_argument_is_named() {
        let refused = versions(&args("--serve 2.0.0")).unwrap_err();
        assert!(refused.contains("`2.0.0` is not a version"), "{refused}");
        assert_eq!(
            versions(&args("--verbose")),
            Err("unexpected argument `--verbose`".into())
        );
    }
}
