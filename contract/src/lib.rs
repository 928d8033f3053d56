//! The `airssys:core@1.0.0` contract as Rust, for every crate of the kit.
//!
//! [`HostFn`], [`Interface`], [`GuestFn`] and [`foreach_host_fn!`] are
//! generated from the WIT in `wit/` by this crate's build script: the WIT is
//! the only list of functions, imported and exported. Match on [`HostFn`] without a `_` arm, so that a function added
//! to the WIT fails to build wherever it is not handled yet
//! (`docs/changing-the-contract.md`).
//!
//! [`limits`] holds the defaults `docs/spec.md` gives the contract's limits,
//! [`log`] how a log record is cut to them, [`capability`] what a grant
//! allows and how a refusal reads, [`reasons`] the words of the other
//! refusals, [`text`] how text a guest chose is shown, and [`component_id`]
//! how an id is written and read.

#![deny(missing_docs)]

pub mod capability;
pub mod component_id;
pub mod limits;
pub mod log;
pub mod reasons;
pub mod text;

pub use component_id::ComponentId;

include!(concat!(env!("OUT_DIR"), "/contract.rs"));

/// [`PACKAGE`] as its name and its version: (`airssys:core`, `1.0.0`).
pub fn package_parts() -> (&'static str, &'static str) {
    PACKAGE
        .split_once('@')
        .expect("the contract's package carries a version")
}

impl HostFn {
    /// The function `name` of `interface` (WIT names, e.g. `storage`, `list-keys`).
    pub fn find(interface: &str, name: &str) -> Option<HostFn> {
        HostFn::ALL
            .into_iter()
            .find(|f| f.interface().name() == interface && f.name() == name)
    }

    /// The function whose [`HostFn::path`] is `path`.
    pub fn from_path(path: &str) -> Option<HostFn> {
        HostFn::ALL.into_iter().find(|f| f.path() == path)
    }
}

impl std::fmt::Display for HostFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path())
    }
}

impl std::fmt::Display for GuestFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::fmt::Display for Interface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_is_found_by_its_names_and_path() {
        for function in HostFn::ALL {
            assert_eq!(
                HostFn::find(function.interface().name(), function.name()),
                Some(function)
            );
            assert_eq!(HostFn::from_path(function.path()), Some(function));
            assert!(
                function
                    .interface()
                    .instance()
                    .starts_with(PACKAGE.split('@').next().unwrap())
            );
        }
        assert_eq!(HostFn::find("storage", "nothing"), None);
    }

    #[test]
    fn the_macro_lists_every_function_once_in_order() {
        let mut listed = Vec::new();
        macro_rules! collect {
            ($variant:ident, $interface:ident, $name:ident) => {
                listed.push((
                    HostFn::$variant,
                    stringify!($interface).replace('_', "-"),
                    stringify!($name).replace('_', "-"),
                ));
            };
        }
        foreach_host_fn!(collect);
        let expected: Vec<_> = HostFn::ALL
            .into_iter()
            .map(|f| (f, f.interface().name().to_owned(), f.name().to_owned()))
            .collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn clauses_come_from_the_doc_comments() {
        assert_eq!(
            HostFn::ListKeys.clauses(),
            ["STO-6", "STO-10", "SEC-1", "SEC-1.1"].as_slice()
        );
        assert_eq!(HostFn::ListKeys.interface(), Interface::Storage);
    }

    #[test]
    fn by_interface_and_back_is_the_same_function() {
        for function in HostFn::ALL {
            let back: HostFn = match function.by_interface() {
                ByInterface::Storage(f) => f.into(),
                ByInterface::HostMessaging(f) => f.into(),
                ByInterface::HostServices(f) => f.into(),
            };
            assert_eq!(back, function);
        }
    }
}
