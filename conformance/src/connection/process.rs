//! An adapter process: requests on its stdin, answers on its stdout, its
//! stderr kept (the last lines) for error messages.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use airssys_conformance_adapter::{Request, Response};

use super::{Channel, Failure};

/// How many of the adapter's last stderr lines an error message shows.
const STDERR_LINES: usize = 20;
/// The longest stderr line kept; the rest of it is dropped.
const LONGEST_STDERR_LINE: usize = 2000;
/// The longest answer the suite reads: a broken adapter that writes without
/// end costs it no more memory than this. The largest real answers (a probe's
/// reply to a call with a payload at the 1 MiB message limit, in base64) are
/// a few MiB.
const LONGEST_ANSWER: usize = 64 << 20;

pub(super) struct Process {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl Process {
    pub fn start(command: &str) -> Result<Self, Failure> {
        let mut shell = shell(command);
        shell
            .current_dir(super::caller_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // Its own process group, so that stopping it also stops what it
            // started (`cargo run` starts the adapter as its child).
            use std::os::unix::process::CommandExt;
            shell.process_group(0);
        }
        let mut child = shell
            .spawn()
            .map_err(|e| Failure::Start(format!("cannot run `sh -c {command:?}`: {e}")))?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let stderr_pipe = child.stderr.take().expect("piped");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Some(line) = read_line(&mut stdout, LONGEST_ANSWER) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr: Arc<Mutex<VecDeque<String>>> = Arc::default();
        let kept = stderr.clone();
        std::thread::spawn(move || {
            let mut stderr = BufReader::new(stderr_pipe);
            while let Some(line) = read_line(&mut stderr, LONGEST_STDERR_LINE) {
                let mut kept = kept.lock().unwrap();
                if kept.len() == STDERR_LINES {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
        });
        Ok(Self {
            child,
            stdin,
            lines,
            stderr,
        })
    }

    fn stderr(&self) -> String {
        // Let the reader catch up with what the process wrote just before exiting.
        std::thread::sleep(Duration::from_millis(50));
        let kept = self.stderr.lock().unwrap();
        kept.iter().map(|l| format!("  | {l}\n")).collect()
    }

    fn exited(&mut self, op: &'static str) -> Failure {
        let mut status = match self.child.wait() {
            Ok(status) => status.to_string(),
            Err(e) => format!("status unknown: {e}"),
        };
        let dir = super::caller_dir();
        status.push_str(&format!(", started by `sh -c` in {}", dir.display()));
        Failure::Exited {
            status,
            op,
            stderr: self.stderr(),
        }
    }

    fn stop(&mut self) {
        #[cfg(unix)]
        // SAFETY: signals the process group this process leads (see `start`).
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The next line of `reader`, without its newline and cut at `longest`
/// bytes (the rest of the line is skipped, not kept); `None` at the end.
fn read_line(reader: &mut impl BufRead, longest: usize) -> Option<String> {
    let mut line = Vec::new();
    let mut cut = false;
    loop {
        let available = match reader.fill_buf() {
            Ok([]) if line.is_empty() && !cut => return None,
            Ok([]) => break,
            Ok(available) => available,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        let (chunk, newline) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..end], true),
            None => (available, false),
        };
        let room = longest.saturating_sub(line.len());
        cut |= chunk.len() > room;
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len() + usize::from(newline);
        reader.consume(used);
        if newline {
            break;
        }
    }
    let mut text = String::from_utf8_lossy(&line).into_owned();
    if cut {
        text.push_str(" [line cut here]");
    }
    Some(text)
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut shell = Command::new("cmd");
        shell.arg("/C").arg(command);
        shell
    } else {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(command);
        shell
    }
}

impl Channel for Process {
    fn exchange(&mut self, request: &Request, limit: Duration) -> Result<Response, Failure> {
        let op = request.op();
        let mut line = serde_json::to_string(request).expect("requests serialize");
        line.push('\n');
        if self
            .stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .is_err()
        {
            return Err(self.exited(op));
        }
        match self.lines.recv_timeout(limit) {
            Ok(line) => serde_json::from_str(&line).map_err(|error| Failure::Garbage {
                line,
                op,
                error: error.to_string(),
                stderr: self.stderr(),
            }),
            Err(RecvTimeoutError::Disconnected) => Err(self.exited(op)),
            Err(RecvTimeoutError::Timeout) => {
                self.stop();
                Err(Failure::TimedOut { after: limit, op })
            }
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_up_to_a_limit() {
        let mut input = std::io::Cursor::new(b"short\n0123456789abc\nlast".to_vec());
        assert_eq!(read_line(&mut input, 10).as_deref(), Some("short"));
        assert_eq!(
            read_line(&mut input, 10).as_deref(),
            Some("0123456789 [line cut here]")
        );
        assert_eq!(read_line(&mut input, 10).as_deref(), Some("last"));
        assert_eq!(read_line(&mut input, 10), None);
    }
}
