//! What the adapter protocol's JSON-lines exchange costs per call, the part
//! of a trial an adapter process adds over the same adapter in process:
//! - `round_trip`: a request that asks the host for (almost) nothing
//!   (`logs`, after `reset`), written to the reference adapter's stdin and
//!   its answer read back from its stdout and parsed: two pipe hops, four
//!   JSON passes and two context switches;
//! - `invoke_encoding`: encoding an `invoke` request and decoding it again,
//!   as the suite and the adapter each do once per call, by payload size
//!   (base64 on the wire).
//!
//! `just bench-exchange` measures (release); CI runs each once in test mode.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use airssys_conformance::adapter::{Message, Request, Response};
use airssys_conformance::suite_id;
use divan::Bencher;

fn main() {
    divan::main();
}

/// The reference adapter process, hello said and the host reset.
struct AdapterProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl AdapterProcess {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_airssys-reference-adapter"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the reference adapter starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut process = Self {
            child,
            stdin,
            stdout,
        };
        let hello = process.exchange(&Request::hello());
        assert!(matches!(hello, Response::Hello { .. }), "{hello:?}");
        let reset = process.exchange(&Request::reset(Vec::new()));
        assert_eq!(reset, Response::Ok);
        process
    }

    fn exchange(&mut self, request: &Request) -> Response {
        let mut line = serde_json::to_string(request).unwrap();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        serde_json::from_str(&answer).unwrap_or_else(|e| panic!("{e}: {answer:?}"))
    }
}

impl Drop for AdapterProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[divan::bench]
fn round_trip(bencher: Bencher) {
    let mut adapter = AdapterProcess::start();
    bencher.bench_local(|| {
        let answer = adapter.exchange(&Request::Logs);
        assert!(matches!(answer, Response::Logs { .. }), "{answer:?}");
        answer
    });
}

#[divan::bench(args = [64, 4096, 1 << 20])]
fn invoke_encoding(bencher: Bencher, payload: usize) {
    let request = Request::invoke(
        suite_id(),
        Message::new(vec![0x5a; payload], "application/json"),
    );
    bencher.bench(|| {
        let line = serde_json::to_string(&request).unwrap();
        let back: Request = serde_json::from_str(&line).unwrap();
        back
    });
}
