//! Reading a contract's WIT: the suite's own (`wit/`, embedded) or any
//! version of the package in a directory (`--wit DIR`), with the
//! `@unstable` features to enable. What the WIT declares decides the
//! functions; what this build knows of them ([`HostFn`]) is only looked up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use wit_parser::{Resolve, SourceMap, Stability, WorldId, WorldItem, WorldKey};

use super::probeable::refuse_unprobeable;
use super::{Contract, GatedFunction, HostFn, HostFunction, WORLD};

mod built_in;

/// Why a contract could not be read. Each message names the directory and
/// what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ContractError {
    /// The directory cannot be listed or a file in it cannot be read.
    #[error("cannot read the contract's WIT in {dir}: {reason}")]
    Unreadable {
        /// The directory, as given.
        dir: String,
        /// What the file system said.
        reason: String,
    },
    /// The directory holds no `.wit` file.
    #[error(
        "{dir} holds no .wit file: give the directory that holds the contract's .wit files \
         (the one with `world {WORLD}`), e.g. this repository's `wit`"
    )]
    Empty {
        /// The directory, as given.
        dir: String,
    },
    /// The WIT does not parse or resolve.
    #[error("the WIT in {dir} does not parse: {reason}")]
    Parse {
        /// The directory, as given.
        dir: String,
        /// wit-parser's words, with the file and line.
        reason: String,
    },
    /// The WIT is another package than the contract's.
    #[error(
        "the WIT in {dir} is the package `{package}`, and this suite judges `{expected}`: \
         give the directory of a version of `{expected}`"
    )]
    OtherPackage {
        /// The directory, as given.
        dir: String,
        /// The package it declares.
        package: String,
        /// The contract's package name, without version.
        expected: String,
    },
    /// The package has no version: components import the contract's
    /// interfaces by versioned names, and hosts are judged on those.
    #[error(
        "the WIT in {dir} declares `package {package};` without a version: components import \
         the contract's interfaces under versioned names (e.g. `{package}/storage@1.0.0`) and \
         the suite judges hosts on those; give the package its version, e.g. \
         `package {package}@1.1.0;`"
    )]
    Unversioned {
        /// The directory, as given.
        dir: String,
        /// The package's name, e.g. `airssys:core`.
        package: String,
    },
    /// The world imports something other than a named interface of the
    /// package: an inline interface or a bare function, which have no
    /// interface name of the contract to be imported under.
    #[error(
        "the world `{WORLD}` in {dir} imports `{name}`, {what}: the contract's functions are \
         those of the package's named interfaces, which components import as \
         `airssys:core/<interface>@<version>`; declare `interface {name} {{ … }}` in the \
         package and import it by name (`import {name};`)"
    )]
    InlineImport {
        /// The directory, as given.
        dir: String,
        /// The import's name in the world.
        name: String,
        /// What it is: "an inline interface", "a bare function".
        what: String,
    },
    /// An imported interface declares a function that is not a freestanding
    /// synchronous one: a resource's method, static function or
    /// constructor, or an async function.
    #[error(
        "the WIT in {dir} declares `{function}` in the interface `{interface}`, {kind}: the \
         suite probes and judges freestanding functions on plain values only; declare it as \
         a plain `func` of the interface, or leave it out of the world `{WORLD}`"
    )]
    NotFreestanding {
        /// The directory, as given.
        dir: String,
        /// The interface's WIT name.
        interface: String,
        /// The function as WIT names it inside the interface, e.g. `[method]blob.read`.
        function: String,
        /// What it is in words, e.g. "a method of the resource `blob`".
        kind: String,
    },
    /// An imported function takes or returns a type no probe component can
    /// carry: a resource or handle, a future, a stream, a map, a fixed-size
    /// list or an `error-context`.
    #[error(
        "the WIT in {dir} declares `{function}` with {what} in {place}{}: \
         the suite's probes and trials carry plain values only (no resources, handles, \
         futures, streams, maps, fixed-size lists or error contexts); give the function value \
         types (records, variants, lists, options, results), or leave it out of the world \
         `{WORLD}`",
        within(.ty, .what)
    )]
    Unprobeable {
        /// The directory, as given.
        dir: String,
        /// The function as its interface's, e.g. `storage.get`.
        function: String,
        /// Where in the function: "the parameter `key`", "the result".
        place: String,
        /// The parameter's or result's type as WIT.
        ty: String,
        /// The part of it no probe can carry, in words.
        what: String,
    },
    /// The WIT has no world `runtime-host`.
    #[error(
        "the WIT in {dir} has no world `{WORLD}` (its worlds: {worlds}); the contract's \
             functions are the imports of that world"
    )]
    NoWorld {
        /// The directory, as given.
        dir: String,
        /// The worlds it has, or "none".
        worlds: String,
    },
    /// A feature to enable gates nothing in the WIT.
    #[error(
        "the WIT in {dir} has nothing behind `@unstable(feature = {feature})`; its features: \
         {features}"
    )]
    UnknownFeature {
        /// The directory, as given.
        dir: String,
        /// The feature asked for.
        feature: String,
        /// The features the WIT has, or "none".
        features: String,
    },
}

/// `` (`result<blob, e>`)``, the whole type of a parameter or result, when
/// the part of it no probe carries (`what`, which quotes that part) is not
/// all of it.
fn within(ty: &str, what: &str) -> String {
    match what.ends_with(&format!("`{ty}`")) {
        true => String::new(),
        false => format!(" (`{ty}`)"),
    }
}

/// How the embedded WIT is named in messages.
const EMBEDDED: &str = "the suite's own wit/";

impl Contract {
    /// The contract this suite was built with: this repository's `wit/`,
    /// embedded.
    pub fn bundled() -> Self {
        Self::read(airssys_contract::WIT_FILES, &[], EMBEDDED, None)
            .expect("the bundled WIT parses")
    }

    /// The contract in the `.wit` files of `dir`, no `@unstable` feature
    /// enabled.
    pub fn load(dir: &Path) -> Result<Self, ContractError> {
        Self::load_with_features(dir, &[])
    }

    /// The contract in the `.wit` files of `dir`, with the items behind
    /// `@unstable(feature = F)` for each `F` of `features`; the other gated
    /// items are listed ([`Contract::gated`]), not part of it.
    pub fn load_with_features(dir: &Path, features: &[String]) -> Result<Self, ContractError> {
        let shown = dir.display().to_string();
        let unreadable = |reason: String| ContractError::Unreadable {
            dir: shown.clone(),
            reason,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => unreadable("no such directory".into()),
            _ => unreadable(e.to_string()),
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| unreadable(e.to_string()))?.path();
            if path.extension().is_some_and(|ext| ext == "wit") {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| unreadable(format!("{}: {e}", path.display())))?;
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, text));
            }
        }
        files.sort();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Self::read(&borrowed, features, &shown, Some(dir.to_path_buf()))
    }

    /// The contract in these WIT files (name, text), sorted by name, no
    /// `@unstable` feature enabled.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Self, ContractError> {
        Self::read(files, &[], "the given WIT files", None)
    }

    pub(super) fn read(
        files: &[(&str, &str)],
        features: &[String],
        shown: &str,
        origin: Option<PathBuf>,
    ) -> Result<Self, ContractError> {
        let dir = || shown.to_owned();
        if files.is_empty() {
            return Err(ContractError::Empty { dir: dir() });
        }
        let mut digest = Sha256::new();
        for (name, text) in files {
            digest.update((name.len() as u64).to_le_bytes());
            digest.update(name.as_bytes());
            digest.update((text.len() as u64).to_le_bytes());
            digest.update(text.as_bytes());
        }
        let digest = format!("{:x}", digest.finalize());
        // Twice: once with every feature, to list what the gates hide, and
        // once as asked, so that wit-parser itself decides what is left.
        let (everything, _) = resolved(files, Gates::All, shown)?;
        let (resolve, world) = resolved(files, Gates::Only(features), shown)?;
        let declared = unstable_features(&everything);
        if let Some(feature) = features.iter().find(|f| !declared.contains(f.as_str())) {
            return Err(ContractError::UnknownFeature {
                dir: dir(),
                feature: feature.clone(),
                features: listed(declared.iter()),
            });
        }
        refuse_unprobeable(&resolve, world, shown)?;
        let functions = host_functions(&resolve, world);
        let gated = gated_functions(&everything, &functions);
        let package = resolve.packages[resolve.worlds[world].package.expect("a package's world")]
            .name
            .clone();
        Ok(Self {
            resolve,
            functions,
            gated,
            package: package.to_string(),
            version: package.version.as_ref().map(ToString::to_string),
            digest,
            features: features.to_vec(),
            origin,
        })
    }
}

/// Which `@unstable` features a resolve keeps.
enum Gates<'a> {
    All,
    Only(&'a [String]),
}

/// The files resolved with `gates`, and the world `runtime-host` of the
/// contract's package.
fn resolved(
    files: &[(&str, &str)],
    gates: Gates,
    shown: &str,
) -> Result<(Resolve, WorldId), ContractError> {
    let parse = |reason: String| ContractError::Parse {
        dir: shown.to_owned(),
        reason,
    };
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.push_str(name, *text);
    }
    let group = sources
        .parse()
        .map_err(|(sources, e)| parse(e.render(&sources)))?;
    let mut resolve = Resolve::default();
    match gates {
        Gates::All => resolve.all_features = true,
        Gates::Only(features) => resolve.features.extend(features.iter().cloned()),
    }
    let package = resolve
        .push_group(group)
        .map_err(|e| parse(format!("{e:#}")))?;
    let name = &resolve.packages[package].name;
    let (expected, _) = airssys_contract::package_parts();
    if format!("{}:{}", name.namespace, name.name) != expected {
        return Err(ContractError::OtherPackage {
            dir: shown.to_owned(),
            package: name.to_string(),
            expected: expected.to_owned(),
        });
    }
    if name.version.is_none() {
        return Err(ContractError::Unversioned {
            dir: shown.to_owned(),
            package: expected.to_owned(),
        });
    }
    let world =
        resolve
            .select_world(&[package], Some(WORLD))
            .map_err(|_| ContractError::NoWorld {
                dir: shown.to_owned(),
                worlds: listed(resolve.packages[package].worlds.keys()),
            })?;
    Ok((resolve, world))
}

/// `a`, `b` in backticks, or "none".
fn listed<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let items: Vec<String> = items.map(|item| format!("`{item}`")).collect();
    match items.is_empty() {
        true => "none".into(),
        false => items.join(", "),
    }
}

/// The feature of an `@unstable` annotation.
fn feature_of(stability: &Stability) -> Option<&str> {
    match stability {
        Stability::Unstable { feature, .. } => Some(feature),
        Stability::Stable { .. } | Stability::Unknown => None,
    }
}

/// Every feature the world's imported interfaces and their functions are
/// gated by.
fn unstable_features(resolve: &Resolve) -> BTreeSet<String> {
    let mut features = BTreeSet::new();
    for world in resolve.worlds.iter().map(|(_, w)| w) {
        for item in world.imports.values().chain(world.exports.values()) {
            if let WorldItem::Interface { stability, .. } = item {
                features.extend(feature_of(stability).map(str::to_owned));
            }
        }
    }
    for (_, interface) in resolve.interfaces.iter() {
        features.extend(feature_of(&interface.stability).map(str::to_owned));
        for function in interface.functions.values() {
            features.extend(feature_of(&function.stability).map(str::to_owned));
        }
    }
    for (_, ty) in resolve.types.iter() {
        features.extend(feature_of(&ty.stability).map(str::to_owned));
    }
    features
}

/// The functions the world imports, in WIT order, each with what this build
/// knows of it. The world's other imports, `use`d types, hold none
/// ([`refuse_unprobeable`] refuses inline interfaces and bare functions).
fn host_functions(resolve: &Resolve, world: WorldId) -> Vec<HostFunction> {
    let mut functions = Vec::new();
    for (key, item) in &resolve.worlds[world].imports {
        let (WorldKey::Interface(id), WorldItem::Interface { .. }) = (key, item) else {
            continue;
        };
        let interface = &resolve.interfaces[*id];
        let instance = resolve.id_of(*id).expect("a package interface has an id");
        let interface_name = interface.name.clone().expect("world imports are named");
        // An interface this build does not know keeps its functions, with
        // no `host_fn`: their names and types are judged from the WIT,
        // their behaviour is "no behaviour check in this suite".
        // The package's version, empty when unversioned: which functions of
        // this build the WIT's are depends on it (`built_in`).
        let version = interface
            .package
            .and_then(|package| resolve.packages[package].name.version.as_ref())
            .map(ToString::to_string)
            .unwrap_or_default();
        for function in interface.functions.values() {
            let docs = function.docs.contents.as_deref().unwrap_or_default();
            functions.push(HostFunction {
                host_fn: built_in::host_fn(resolve, &version, &interface_name, function),
                interface: interface_name.clone(),
                name: function.name.clone(),
                instance: instance.clone(),
                clauses: clauses(docs),
                since: match &function.stability {
                    Stability::Stable { since, .. } => Some(since.to_string()),
                    Stability::Unstable { .. } | Stability::Unknown => None,
                },
                function: function.clone(),
            });
        }
    }
    functions
}

/// The functions the world imports with every feature enabled that are not
/// among `kept`, each with the feature that gates it: on the world's
/// import, on the interface, or on the function.
fn gated_functions(everything: &Resolve, kept: &[HostFunction]) -> Vec<GatedFunction> {
    let Some((_, world)) = everything
        .worlds
        .iter()
        .find(|(_, world)| world.name == WORLD)
    else {
        return Vec::new();
    };
    let mut gated = Vec::new();
    for (key, item) in &world.imports {
        let (WorldKey::Interface(id), WorldItem::Interface { stability, .. }) = (key, item) else {
            continue;
        };
        let interface = &everything.interfaces[*id];
        let Some(interface_name) = &interface.name else {
            continue;
        };
        for function in interface.functions.values() {
            let is_kept = kept
                .iter()
                .any(|f| &f.interface == interface_name && f.name == function.name);
            let feature = feature_of(stability)
                .or_else(|| feature_of(&interface.stability))
                .or_else(|| feature_of(&function.stability));
            if let (false, Some(feature)) = (is_kept, feature) {
                gated.push(GatedFunction {
                    interface: interface_name.clone(),
                    name: function.name.clone(),
                    feature: feature.to_owned(),
                });
            }
        }
    }
    gated
}

/// The clause IDs of a doc comment's `Clauses:` lines, in order, as the
/// build script reads them for [`HostFn::clauses`].
fn clauses(docs: &str) -> Vec<String> {
    docs.lines()
        .filter_map(|line| line.trim().strip_prefix("Clauses:"))
        .flat_map(|list| list.split(','))
        .map(|clause| clause.trim().trim_end_matches('.').to_owned())
        .filter(|clause| !clause.is_empty())
        .collect()
}
