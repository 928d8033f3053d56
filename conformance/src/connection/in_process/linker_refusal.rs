//! A wasmtime 48 linker's refusal, read into the imports it names (adapter
//! protocol 1.1): the in-process adapter, and so the reference adapter,
//! answer `check` with the unsatisfied import by its full name, as any other
//! runtime's adapter can. The words read here are this wasmtime's own, in
//! the context chain `Linker::instantiate_pre` builds:
//! `component imports instance `I`` → `instance export `F` has the wrong
//! type` → the cause (`function implementation is missing`, or a mismatch).
//! Wasmtime stops at the first unsatisfied import, so at most one is named.

use airssys_conformance_adapter::{CheckRefusal, Unsatisfied};

/// `error`'s text, and the import it says is unsatisfied when it says which.
pub(crate) fn read(error: &wasmtime::Error) -> CheckRefusal {
    let messages: Vec<String> = error.chain().map(ToString::to_string).collect();
    let mut refusal = CheckRefusal::from(format!("{error:#}"));
    if let Some((import, missing)) = unsatisfied(&messages) {
        let list = if missing {
            &mut refusal.unsatisfied.missing
        } else {
            &mut refusal.unsatisfied.other_type
        };
        list.push(import);
    }
    refusal
}

/// The full name of the unsatisfied import, and whether it is missing (or
/// else of another type); `None` for a refusal of another form.
fn unsatisfied(messages: &[String]) -> Option<(String, bool)> {
    let (first, rest) = messages.split_first()?;
    let cause = messages.last()?;
    let missing = cause.ends_with("implementation is missing");
    if let Some(instance) = quoted_after(first, "component imports instance `") {
        let export = rest
            .first()
            .and_then(|m| quoted_after(m, "instance export `"))?;
        // A nested instance (`instance export `x` has the wrong type` twice)
        // is not what a contract function is; say nothing structured.
        if rest
            .iter()
            .skip(1)
            .any(|m| m.starts_with("instance export `"))
        {
            return None;
        }
        return Some((Unsatisfied::full_name(Some(instance), export), missing));
    }
    let function = quoted_after(first, "component imports function `")?;
    Some((Unsatisfied::full_name(None, function), missing))
}

/// The text between `prefix` (which ends with a backtick) and the next backtick.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)?
        .split_once('`')
        .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use wasmtime::Engine;
    use wasmtime::component::{Component, Linker};

    use super::*;

    fn refusal(linker: &Linker<()>, wat: &str) -> CheckRefusal {
        let component = Component::new(linker.engine(), wat).unwrap();
        let error = linker.instantiate_pre(&component).map(drop).unwrap_err();
        read(&error)
    }

    const GET: &str = r#"(component
        (import "airssys:core/storage@1.0.0" (instance
            (export "get" (func (param "key" string) (result u32)))))
    )"#;
    const ROOT: &str = r#"(component (import "send" (func)))"#;

    #[test]
    fn names_a_missing_function_of_an_instance_and_at_the_root() {
        let linker = Linker::new(&Engine::default());
        let get = refusal(&linker, GET);
        assert_eq!(get.unsatisfied.missing, ["airssys:core/storage@1.0.0#get"]);
        assert!(get.unsatisfied.other_type.is_empty());
        assert!(
            get.reason.contains("implementation is missing"),
            "{}",
            get.reason
        );
        assert_eq!(refusal(&linker, ROOT).unsatisfied.missing, ["send"]);
    }

    #[test]
    fn names_a_function_of_another_type() {
        let mut linker = Linker::new(&Engine::default());
        linker
            .instance("airssys:core/storage@1.0.0")
            .unwrap()
            .func_wrap("get", |_, (): ()| Ok(()))
            .unwrap();
        linker
            .root()
            .func_wrap("send", |_, (_,): (u32,)| Ok(()))
            .unwrap();
        let get = refusal(&linker, GET);
        assert_eq!(
            get.unsatisfied.other_type,
            ["airssys:core/storage@1.0.0#get"]
        );
        assert!(get.unsatisfied.missing.is_empty());
        assert_eq!(refusal(&linker, ROOT).unsatisfied.other_type, ["send"]);
    }

    #[test]
    fn a_refusal_of_another_form_names_nothing() {
        let messages = ["the engine is out of memory".to_owned()];
        assert_eq!(unsatisfied(&messages), None);
    }
}
