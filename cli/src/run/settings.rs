//! `--host NAME=VALUE`: any setting of the reference host's `HostConfig`,
//! by its field's name, so that a limit the host's own errors name
//! (`HostConfig::rate_limits.messages_per_second`) is set by that name.

use std::fmt::Write as _;
use std::time::Duration;

use airssys_host::{ComponentId, HostConfig, Limits, RateLimits};

/// A setting's place in a `HostConfig`, by the kind of value it holds.
enum Field<'a> {
    Bytes(&'a mut u64),
    Count(&'a mut usize),
    Rate(&'a mut u32),
    Time(&'a mut Duration),
    Switch(&'a mut bool),
    MaybeCount(&'a mut Option<u64>),
}

impl Field<'_> {
    fn shown(&self) -> String {
        match self {
            Field::Bytes(value) => value.to_string(),
            Field::Count(value) => value.to_string(),
            Field::Rate(value) => value.to_string(),
            Field::Time(value) => format!("{}ms", value.as_millis()),
            Field::Switch(value) => value.to_string(),
            Field::MaybeCount(value) => value.map_or("none".into(), |n| n.to_string()),
        }
    }

    fn what(&self) -> &'static str {
        match self {
            Field::Bytes(_) | Field::Count(_) | Field::Rate(_) => "a whole number",
            Field::Time(_) => "a time such as 250ms or 2s",
            Field::Switch(_) => "true or false",
            Field::MaybeCount(_) => "a whole number, or none",
        }
    }

    fn set(self, text: &str) -> Result<(), String> {
        let whole = |text: &str| text.replace('_', "").parse::<u64>().ok();
        let set = match self {
            Field::Bytes(value) => whole(text).map(|n| *value = n),
            Field::Count(value) => whole(text)
                .and_then(|n| usize::try_from(n).ok())
                .map(|n| *value = n),
            Field::Rate(value) => whole(text)
                .and_then(|n| u32::try_from(n).ok())
                .map(|n| *value = n),
            Field::Time(value) => time(text).map(|t| *value = t),
            Field::Switch(value) => text.parse().ok().map(|b| *value = b),
            Field::MaybeCount(value) if text == "none" => {
                *value = None;
                Some(())
            }
            Field::MaybeCount(value) => whole(text).map(|n| *value = Some(n)),
        };
        set.ok_or_else(String::new)
    }
}

/// `250ms`, `2s` or `1.5s`.
fn time(text: &str) -> Option<Duration> {
    if let Some(millis) = text.strip_suffix("ms") {
        return millis.parse().ok().map(Duration::from_millis);
    }
    let seconds: f64 = text.strip_suffix('s')?.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

/// Every setting of `config` by name. `HostConfig` is `#[non_exhaustive]`,
/// so the destructuring needs `..`; the test
/// `every_host_config_field_has_a_setting` keeps a field added to it from
/// being left out of `--host`.
fn fields(config: &mut HostConfig) -> Vec<(&'static str, Field<'_>)> {
    let HostConfig {
        // `--storage PATH` chooses it.
        storage: _,
        storage_quota_bytes,
        max_keys,
        max_key_bytes,
        max_get_many_keys,
        max_message_bytes,
        queue_depth,
        max_queued_bytes,
        max_request_timeout,
        max_pending_requests,
        max_log_message_bytes,
        max_log_context_bytes,
        default_limits,
        health_budget,
        epoch_tick,
        fuel_metering,
        max_metadata_text_bytes,
        max_core_instances,
        rate_limits,
        audit_log_capacity,
        max_resource_handles,
        ..
    } = config;
    let RateLimits {
        messages_per_second,
        storage_writes_per_second,
    } = rate_limits;
    let mut fields = vec![
        ("storage_quota_bytes", Field::Bytes(storage_quota_bytes)),
        ("max_keys", Field::Count(max_keys)),
        ("max_key_bytes", Field::Count(max_key_bytes)),
        ("max_get_many_keys", Field::Count(max_get_many_keys)),
        ("max_message_bytes", Field::Count(max_message_bytes)),
        ("queue_depth", Field::Count(queue_depth)),
        ("max_queued_bytes", Field::Count(max_queued_bytes)),
        ("max_request_timeout", Field::Time(max_request_timeout)),
        ("max_pending_requests", Field::Count(max_pending_requests)),
        ("max_log_message_bytes", Field::Count(max_log_message_bytes)),
        ("max_log_context_bytes", Field::Count(max_log_context_bytes)),
        ("health_budget", Field::Time(health_budget)),
        ("epoch_tick", Field::Time(epoch_tick)),
        ("fuel_metering", Field::Switch(fuel_metering)),
        (
            "max_metadata_text_bytes",
            Field::Count(max_metadata_text_bytes),
        ),
        ("max_core_instances", Field::Count(max_core_instances)),
        (
            "rate_limits.messages_per_second",
            Field::Rate(messages_per_second),
        ),
        (
            "rate_limits.storage_writes_per_second",
            Field::Rate(storage_writes_per_second),
        ),
        ("audit_log_capacity", Field::Count(audit_log_capacity)),
        ("max_resource_handles", Field::Count(max_resource_handles)),
    ];
    fields.extend(limit_fields(
        default_limits,
        [
            "default_limits.max_memory_bytes",
            "default_limits.max_execution_time",
            "default_limits.max_fuel",
        ],
    ));
    fields
}

/// The limits a component is loaded with (`--limit ID=NAME=VALUE`).
const LIMIT_NAMES: [&str; 3] = ["max_memory_bytes", "max_execution_time", "max_fuel"];

/// Every field of one component's `Limits`, named `names` in the order
/// memory, time, fuel.
fn limit_fields<'a>(
    limits: &'a mut Limits,
    names: [&'static str; 3],
) -> Vec<(&'static str, Field<'a>)> {
    let Limits {
        max_memory_bytes,
        max_execution_time,
        max_fuel,
    } = limits;
    let [memory, time, fuel] = names;
    vec![
        (memory, Field::Bytes(max_memory_bytes)),
        (time, Field::Time(max_execution_time)),
        (fuel, Field::MaybeCount(max_fuel)),
    ]
}

/// One `--limit ID=NAME=VALUE`, checked when it is parsed.
#[derive(Clone, Debug)]
pub struct ComponentLimit {
    pub component: ComponentId,
    name: String,
    value: String,
}

impl ComponentLimit {
    /// Sets it on `limits`, the component's, which start as the host's
    /// `default_limits`.
    pub fn apply(&self, limits: &mut Limits) -> Result<(), String> {
        set_limit(limits, &self.name, &self.value)
    }
}

fn set_limit(limits: &mut Limits, name: &str, value: &str) -> Result<(), String> {
    let field = limit_fields(limits, LIMIT_NAMES)
        .into_iter()
        .find(|(known, _)| *known == name)
        .map(|(_, field)| field);
    let Some(field) = field else {
        return Err(format!(
            "`{name}` is no resource limit; the limits are: {}",
            LIMIT_NAMES.join(", ")
        ));
    };
    let what = field.what();
    field
        .set(value)
        .map_err(|_| format!("`{value}` is no value for {name}: give {what}"))
}

/// Parses `ID=NAME=VALUE` for clap, checking all three.
pub fn parse_limit(text: &str) -> Result<ComponentLimit, String> {
    let syntax =
        || format!("`{text}` is not ID=NAME=VALUE, e.g. local/counter/1=max_execution_time=200ms");
    let (component, setting) = text.split_once('=').ok_or_else(syntax)?;
    let (name, value) = setting.split_once('=').ok_or_else(syntax)?;
    let component = crate::args::parse_id(component)?;
    set_limit(&mut Limits::default(), name, value)?;
    Ok(ComponentLimit {
        component,
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// One `--host NAME=VALUE`, checked when it is parsed.
#[derive(Clone, Debug)]
pub struct HostSetting {
    name: String,
    value: String,
}

impl HostSetting {
    /// Sets it on `config`; it was checked when parsed, so it fits.
    pub fn apply(&self, config: &mut HostConfig) -> Result<(), String> {
        set(config, &self.name, &self.value)
    }
}

fn set(config: &mut HostConfig, name: &str, value: &str) -> Result<(), String> {
    let field = fields(config)
        .into_iter()
        .find(|(known, _)| *known == name)
        .map(|(_, field)| field);
    let Some(field) = field else {
        return Err(format!(
            "`{name}` is no host setting; the settings are: {}",
            names().join(", ")
        ));
    };
    let what = field.what();
    field
        .set(value)
        .map_err(|_| format!("`{value}` is no value for {name}: give {what}"))
}

fn names() -> Vec<&'static str> {
    fields(&mut HostConfig::default())
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// Parses `NAME=VALUE` for clap, checking both.
pub fn parse(text: &str) -> Result<HostSetting, String> {
    let (name, value) = text.split_once('=').ok_or_else(|| {
        format!("`{text}` has no `=`: write NAME=VALUE, e.g. storage_quota_bytes=4096")
    })?;
    set(&mut HostConfig::default(), name, value)?;
    Ok(HostSetting {
        name: name.to_owned(),
        value: value.to_owned(),
    })
}

/// `--host`'s long help: what it does, and every setting with its default.
pub fn help() -> String {
    let mut help = String::from(
        "NAME=VALUE: a setting of the reference host (HostConfig), by its field's name, \
         as the host's own errors name it. Repeatable. Times are written 250ms or 2s. \
         default_limits.* are the resource limits every component is loaded with and \
         is given in `initialize`'s config; default_limits.max_fuel needs \
         fuel_metering=true. The settings and their defaults:",
    );
    for (name, field) in fields(&mut HostConfig::default()) {
        let _ = write!(help, "\n  {name}={}", field.shown());
    }
    help
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields `HostConfig`'s `Debug` lists, read from its pretty form's
    /// top level: what the compiler would check if `HostConfig` were not
    /// `#[non_exhaustive]`.
    fn host_config_fields() -> Vec<String> {
        format!("{:#?}", HostConfig::default())
            .lines()
            .filter_map(|line| line.strip_prefix("    "))
            .filter(|line| !line.starts_with(' '))
            .filter_map(|line| line.split_once(':'))
            .map(|(name, _)| name.to_owned())
            .collect()
    }

    #[test]
    fn every_host_config_field_has_a_setting() {
        let mut config = HostConfig::default();
        let names: Vec<&str> = fields(&mut config).iter().map(|(name, _)| *name).collect();
        let all = host_config_fields();
        assert!(all.len() > 15, "read {all:?} from HostConfig's Debug");
        for field in all {
            // `--storage PATH` chooses it; the others are settings.
            if field == "storage" {
                continue;
            }
            let prefix = format!("{field}.");
            assert!(
                names
                    .iter()
                    .any(|name| *name == field || name.starts_with(&prefix)),
                "HostConfig::{field} has no `--host` setting in cli/src/run/settings.rs"
            );
        }
    }

    #[test]
    fn a_setting_reaches_its_field() {
        let mut config = HostConfig::default();
        parse("storage_quota_bytes=4_096")
            .unwrap()
            .apply(&mut config)
            .unwrap();
        parse("default_limits.max_execution_time=250ms")
            .unwrap()
            .apply(&mut config)
            .unwrap();
        parse("rate_limits.messages_per_second=3")
            .unwrap()
            .apply(&mut config)
            .unwrap();
        parse("default_limits.max_fuel=none")
            .unwrap()
            .apply(&mut config)
            .unwrap();
        assert_eq!(config.storage_quota_bytes, 4096);
        assert_eq!(
            config.default_limits.max_execution_time,
            Duration::from_millis(250)
        );
        assert_eq!(config.rate_limits.messages_per_second, 3);
        assert_eq!(config.default_limits.max_fuel, None);
        let mut config = HostConfig::default();
        parse("health_budget=1.5s")
            .unwrap()
            .apply(&mut config)
            .unwrap();
        assert_eq!(config.health_budget, Duration::from_millis(1500));
    }

    #[test]
    fn a_component_limit_reaches_its_field() {
        let limit = parse_limit("local/a/1=max_execution_time=2s").unwrap();
        assert_eq!(limit.component, ComponentId::new("local", "a", "1"));
        let mut limits = Limits::default();
        limit.apply(&mut limits).unwrap();
        assert_eq!(limits.max_execution_time, Duration::from_secs(2));
        let wrong = parse_limit("local/a/1=budget=2s").unwrap_err();
        assert!(wrong.contains("max_execution_time"), "{wrong}");
        assert!(
            parse_limit("local/a/1")
                .unwrap_err()
                .contains("ID=NAME=VALUE")
        );
    }

    #[test]
    fn a_wrong_setting_says_what_to_write() {
        let unknown = parse("quota=1").unwrap_err();
        assert!(unknown.contains("storage_quota_bytes"), "{unknown}");
        let value = parse("epoch_tick=5").unwrap_err();
        assert!(value.contains("250ms or 2s"), "{value}");
        assert!(parse("max_keys").unwrap_err().contains("NAME=VALUE"));
        assert!(parse("max_keys=-1").unwrap_err().contains("whole number"));
    }

    #[test]
    fn the_help_lists_every_setting_with_its_default() {
        let help = help();
        assert!(help.contains("\n  storage_quota_bytes=10485760"), "{help}");
        assert!(help.contains("\n  epoch_tick=5ms"), "{help}");
        assert_eq!(help.matches("\n  ").count(), names().len());
    }
}
