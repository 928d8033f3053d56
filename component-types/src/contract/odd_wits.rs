//! WITs the suite cannot judge are refused when read, in words that say
//! what to change, and never reach a probe component or a panic.

use super::*;

/// The message `Contract::read` refuses the world's WIT with, or "" if
/// it reads.
fn refusal(world: &str) -> String {
    Contract::read(&[("world.wit", world)], &[], "new/wit", None)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// A 1.2.0 package whose interface `storage` holds `declarations`.
fn storage_with(declarations: &str) -> String {
    format!(
        "package airssys:core@1.2.0;\n\
         interface storage {{ {declarations} }}\n\
         world runtime-host {{ import storage; }}\n"
    )
}

#[test]
fn an_unversioned_package_is_refused_with_a_version_to_give() {
    let message = refusal(
        "package airssys:core;\ninterface storage { get: func(key: string); }\nworld runtime-host { import storage; }\n",
    );
    assert_eq!(
        message,
        "the WIT in new/wit declares `package airssys:core;` without a version: components \
         import the contract's interfaces under versioned names (e.g. \
         `airssys:core/storage@1.0.0`) and the suite judges hosts on those; give the package \
         its version, e.g. `package airssys:core@1.1.0;`"
    );
}

#[test]
fn a_resource_method_is_refused_as_not_freestanding() {
    let message = refusal(&storage_with(
        "resource blob { size: func() -> u64; }\nget: func(key: string) -> option<string>;",
    ));
    assert!(
        message.starts_with(
            "the WIT in new/wit declares `[method]blob.size` in the interface `storage`, a \
             method of the resource `blob`: the suite probes and judges freestanding functions \
             on plain values only;"
        ),
        "{message}"
    );
    let constructor = refusal(&storage_with("resource blob { constructor(size: u64); }"));
    assert!(
        constructor.contains("the constructor of the resource `blob`"),
        "{constructor}"
    );
    let static_function = refusal(&storage_with("resource blob { empty: static func(); }"));
    assert!(
        static_function.contains("a static function of the resource `blob`"),
        "{static_function}"
    );
}

#[test]
fn a_type_no_probe_can_carry_is_named_with_where_it_is() {
    let resource = "resource blob;\n";
    for (declaration, expected) in [
        (
            "open: func(key: string) -> blob;",
            "`storage.open` with an owned handle `blob` in the result:",
        ),
        (
            "read: func(b: borrow<blob>) -> list<u8>;",
            "`storage.read` with a borrowed handle `borrow<blob>` in the parameter `b`:",
        ),
        (
            "watch: func(key: string) -> result<option<future<string>>, string>;",
            "`storage.watch` with a future `future<string>` in the result \
             (`result<option<future<string>>, string>`)",
        ),
        (
            "feed: func(items: stream<u8>);",
            "`storage.feed` with a stream `stream<u8>` in the parameter `items`:",
        ),
        (
            "digest: func() -> list<u8, 32>;",
            "`storage.digest` with a fixed-size list `list<u8, 32>` in the result:",
        ),
        (
            "record entry { key: string, value: own<blob> }\nput: func(entry: entry);",
            "`storage.put` with an owned handle `blob` in the parameter `entry` (`entry`)",
        ),
    ] {
        let message = refusal(&storage_with(&format!("{resource}{declaration}")));
        assert!(
            message.starts_with(&format!("the WIT in new/wit declares {expected}")),
            "{declaration}: {message}"
        );
        assert!(
            message.ends_with(
                "give the function value types (records, variants, lists, options, results), \
                 or leave it out of the world `runtime-host`"
            ),
            "{message}"
        );
    }
}

#[test]
fn a_map_and_an_async_function_are_refused() {
    let map = refusal(&storage_with("all: func() -> map<string, u64>;"));
    assert!(
        map.starts_with(
            "the WIT in new/wit declares `storage.all` with a map `map<string, u64>` in the \
             result: the suite's probes"
        ),
        "{map}"
    );
    let async_function = refusal(&storage_with("get: async func(key: string) -> string;"));
    assert!(
        async_function.starts_with(
            "the WIT in new/wit declares `get` in the interface `storage`, an async function:"
        ),
        "{async_function}"
    );
}

#[test]
fn inline_interfaces_and_bare_functions_in_the_world_are_refused() {
    let inline = refusal(
        "package airssys:core@1.2.0;\n\
         world runtime-host { import extra: interface { ping: func(); } }\n",
    );
    assert_eq!(
        inline,
        "the world `runtime-host` in new/wit imports `extra`, an inline interface: the \
         contract's functions are those of the package's named interfaces, which components \
         import as `airssys:core/<interface>@<version>`; declare `interface extra { … }` in \
         the package and import it by name (`import extra;`)"
    );
    let bare = refusal(
        "package airssys:core@1.2.0;\n\
         world runtime-host { import ping: func(); }\n",
    );
    assert!(
        bare.starts_with("the world `runtime-host` in new/wit imports `ping`, a bare function:"),
        "{bare}"
    );
}

#[test]
fn a_world_that_uses_types_and_plain_values_reads() {
    let contract = Contract::read(
        &[(
            "world.wit",
            "package airssys:core@1.2.0;\n\
             interface types { record pair { a: u32, b: tuple<string, option<s64>> } }\n\
             interface storage { use types.{pair}; get: func(key: string) -> result<pair, string>; }\n\
             world runtime-host { use types.{pair}; import storage; }\n",
        )],
        &[],
        "new/wit",
        None,
    )
    .unwrap();
    let get = contract.function("storage", "get").unwrap();
    assert_eq!(
        contract.signature(get, Shape::Exact),
        "func(key: string) -> result<pair, string>"
    );
}
