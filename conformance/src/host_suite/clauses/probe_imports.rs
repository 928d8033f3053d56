//! The probes' contract imports at the version judged. The probes are built
//! against the built-in contract (`wit/`, 1.0.0) and import
//! `airssys:core/<interface>@1.0.0`. Judged against another release of the
//! same semver track (`--wit` with 1.1.0), a host that registers both
//! versions would answer them with its 1.0.0 code, and a broken 1.1.0 would
//! pass every behaviour trial of the 1.1.0 report. Renamed to the judged
//! version, the imports reach the host's code for that version; a host that
//! serves only 1.0.0 still links them, by semver, as it links any 1.1.0
//! component.
//!
//! Only the names of the component's own import section change: a name is a
//! string in the binary, and nothing else in a component refers to an
//! import by its name (items are referred to by index).

use wasmparser::{BinaryReader, ComponentTypeRef, Parser};

/// The id of a component's import section (component model binary format).
const IMPORT_SECTION: u8 = 10;

/// The preamble: magic, version and layer.
const PREAMBLE: usize = 8;

/// `component` with every import `<package>/<interface>@<from>` named
/// `<package>/<interface>@<to>` instead; other imports, and everything else,
/// byte for byte as they were. Nested components and modules are copied
/// whole: only the outer component's imports are the host's to satisfy.
pub(super) fn renamed(
    component: &[u8],
    package: &str,
    (from, to): (&str, &str),
) -> Result<Vec<u8>, String> {
    if !Parser::is_component(component) {
        return Err("not a WebAssembly component".into());
    }
    let malformed = |e: wasmparser::BinaryReaderError| format!("malformed component: {e}");
    let mut out = component[..PREAMBLE].to_vec();
    let mut reader = BinaryReader::new(&component[PREAMBLE..], PREAMBLE);
    while !reader.eof() {
        let id = reader.read_u8().map_err(malformed)?;
        let size = reader.read_var_u32().map_err(malformed)? as usize;
        let offset = reader.original_position();
        let body = reader.read_bytes(size).map_err(malformed)?;
        let body = match id {
            IMPORT_SECTION => imports_renamed(body, offset, package, (from, to))?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_u32(&mut out, body.len());
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// An import section's body, each name of `package` at `from` at `to`.
fn imports_renamed(
    body: &[u8],
    offset: usize,
    package: &str,
    (from, to): (&str, &str),
) -> Result<Vec<u8>, String> {
    let malformed = |e: wasmparser::BinaryReaderError| format!("malformed import section: {e}");
    let mut reader = BinaryReader::new(body, offset);
    let count = reader.read_var_u32().map_err(malformed)?;
    let mut out = Vec::with_capacity(body.len() + count as usize * (to.len() + 1));
    write_u32(&mut out, count as usize);
    for _ in 0..count {
        // 0x00 is a plain name; 0x01 the older spelling of it. A name with
        // options (0x02) is nothing a probe is built with.
        match reader.read_u8().map_err(malformed)? {
            0x00 | 0x01 => {}
            other => {
                return Err(format!(
                    "an import name of kind {other:#04x}, which the probes' imports never are"
                ));
            }
        }
        let name = reader.read_string().map_err(malformed)?;
        let ty_start = reader.original_position() - offset;
        reader.read::<ComponentTypeRef>().map_err(malformed)?;
        let ty_end = reader.original_position() - offset;
        let new_name = name
            .strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix(from)?.strip_suffix('@'))
            .map_or_else(
                || name.to_owned(),
                |interface| format!("{package}/{interface}@{to}"),
            );
        out.push(0x00);
        write_u32(&mut out, new_name.len());
        out.extend_from_slice(new_name.as_bytes());
        out.extend_from_slice(&body[ty_start..ty_end]);
    }
    if !reader.eof() {
        return Err("malformed import section: bytes after its last import".into());
    }
    Ok(out)
}

/// `value` as the binary format writes lengths and counts: unsigned LEB128.
fn write_u32(out: &mut Vec<u8>, value: usize) {
    let mut value = u32::try_from(value).expect("a section or name under 4 GiB") as u64;
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the outer component's imports.
    fn imports(component: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        let mut depth = 0;
        for payload in Parser::new(0).parse_all(component) {
            match payload.unwrap() {
                wasmparser::Payload::ModuleSection { .. }
                | wasmparser::Payload::ComponentSection { .. } => depth += 1,
                wasmparser::Payload::End(_) => depth -= 1,
                wasmparser::Payload::ComponentImportSection(section) if depth == 0 => {
                    for import in section {
                        names.push(import.unwrap().name.name.to_owned());
                    }
                }
                _ => {}
            }
        }
        names
    }

    fn valid(component: &[u8]) {
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(component)
            .expect("the renamed component validates");
    }

    #[test]
    fn every_contract_import_of_every_probe_is_renamed_and_nothing_else() {
        for probe in [
            airssys_guests::STORAGE_PROBE_WASM,
            airssys_guests::MESSAGING_PROBE_WASM,
            airssys_guests::SERVICES_PROBE_WASM,
            airssys_guests::WASI_PROBE_WASM,
        ] {
            let before = imports(probe);
            assert!(
                before.iter().any(|n| n.starts_with("airssys:core/")),
                "{before:?}"
            );
            let after = renamed(probe, "airssys:core", ("1.0.0", "1.1.0")).unwrap();
            valid(&after);
            let expected: Vec<String> = before
                .iter()
                .map(|name| match name.strip_prefix("airssys:core/") {
                    Some(rest) => format!(
                        "airssys:core/{}@1.1.0",
                        rest.strip_suffix("@1.0.0").unwrap()
                    ),
                    None => name.clone(),
                })
                .collect();
            assert_eq!(imports(&after), expected);
            // Renamed back, it is the component it was, byte for byte.
            let back = renamed(&after, "airssys:core", ("1.1.0", "1.0.0")).unwrap();
            assert_eq!(back, probe);
        }
    }

    #[test]
    fn type_only_interfaces_are_renamed_too() {
        let after = renamed(
            airssys_guests::STORAGE_PROBE_WASM,
            "airssys:core",
            ("1.0.0", "1.1.0"),
        )
        .unwrap();
        let names = imports(&after);
        assert!(
            names.contains(&"airssys:core/types@1.1.0".to_owned()),
            "{names:?}"
        );
        assert!(!names.iter().any(|n| n.ends_with("@1.0.0")), "{names:?}");
    }

    #[test]
    fn a_long_version_makes_names_and_sections_longer() {
        // Lengths cross a LEB128 byte boundary: 128 bytes of name.
        let to = format!("1.1.0+{}", "b".repeat(130));
        let after = renamed(
            airssys_guests::STORAGE_PROBE_WASM,
            "airssys:core",
            ("1.0.0", &to),
        )
        .unwrap();
        valid(&after);
        assert!(imports(&after).contains(&format!("airssys:core/storage@{to}")));
    }

    #[test]
    fn what_is_not_a_component_is_refused() {
        let module = wat::parse_str("(module)").unwrap();
        assert!(renamed(&module, "airssys:core", ("1.0.0", "1.1.0")).is_err());
        let mut cut = airssys_guests::STORAGE_PROBE_WASM.to_vec();
        cut.truncate(cut.len() / 2);
        assert!(renamed(&cut, "airssys:core", ("1.0.0", "1.1.0")).is_err());
    }
}
