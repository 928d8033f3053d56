//! The guest components of this workspace, built for wasm32-wasip2 by
//! `build.rs`: one path constant per guest, named after its package
//! (`storage-probe` → [`STORAGE_PROBE`]), and [`ALL`].

include!(concat!(env!("OUT_DIR"), "/guests.rs"));

#[cfg(test)]
mod tests {
    #[test]
    fn every_constant_names_a_component_file() {
        assert!(super::ALL.len() >= 4, "{:?}", super::ALL);
        for (package, path) in super::ALL {
            let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{package}: {path}: {e}"));
            // The component-model binary header: magic, then version 0x0d and layer 1.
            assert_eq!(
                &bytes[..8],
                b"\0asm\x0d\0\x01\0",
                "{package} is not a component"
            );
        }
    }
}
