//! Words as verdicts show them: cut to a length, and a host's or a trap's
//! text on one line with its cause kept.

/// `text` cut to its first `longest` characters, the cut marked.
pub(crate) fn cut(text: &str, longest: usize) -> String {
    match text.char_indices().nth(longest) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_owned(),
    }
}

/// A host's or a trap's words in one line: every line of them but a wasm
/// backtrace's frames, since the cause may stand on any line (wasmtime's
/// opens with "error while executing at wasm backtrace:"), cut to 600
/// characters.
pub(crate) fn gist(text: &str) -> String {
    // wasmtime's frames are indented: `    0:  0x1a2b - probe.wasm!f`,
    // `    1: <unknown>!f`, an inlined `                - g`, a source line
    // `                    at src/lib.rs:3:5`. A line of the host's own
    // that happens to start with "at" is not indented, and stays.
    let frame = |line: &str| {
        let indented = line.starts_with(char::is_whitespace);
        let line = line.trim_start();
        // anyhow numbers causes the same way (`    0: cause`), so a frame
        // is told by its offset or its `module!function`.
        let numbered = line.split_once(':').is_some_and(|(n, rest)| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (rest.trim_start().starts_with("0x") || rest.contains('!'))
        });
        (indented && (numbered || line.starts_with("at ") || line.starts_with("- ")))
            || line == "error while executing at wasm backtrace:"
            || line.starts_with("note: using the `WASMTIME_BACKTRACE_DETAILS=1`")
    };
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| !frame(line))
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    cut(&lines.join(" / "), 600)
}

#[cfg(test)]
mod tests {
    use super::gist;

    #[test]
    fn a_gist_keeps_every_line_but_the_backtrace_frames() {
        let trap = "error while executing at wasm backtrace:\n    0:  0x1a2b - probe.wasm!handle\n                    - inlined\n                    at src/lib.rs:3:5\n    1: <unknown>!f\nnote: using the `WASMTIME_BACKTRACE_DETAILS=1` environment variable may show more\n\nCaused by:\n    type mismatch: expected list, found string";
        assert_eq!(
            gist(trap),
            "Caused by: / type mismatch: expected list, found string"
        );
        // anyhow's numbered causes stay.
        assert_eq!(
            gist("Caused by:\n    0: no quota"),
            "Caused by: / 0: no quota"
        );
        // A host's own line that starts with "at" is no frame.
        assert_eq!(
            gist("refused:\nat most 3 keys"),
            "refused: / at most 3 keys"
        );
        let long = "x".repeat(700);
        assert!(
            gist(&long).ends_with("(700 bytes in all)"),
            "{}",
            gist(&long)
        );
    }
}
