//! The reference host behind the adapter protocol, on stdin and stdout.

fn main() -> std::process::ExitCode {
    airssys_conformance::serve(airssys_reference_adapter::ReferenceHost::new())
}
