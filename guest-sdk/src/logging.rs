//! Log records to the host's log sink (`airssys:core/host-services.log`).
//! Most code uses the macros [`trace!`](crate::trace) .. [`error!`](crate::error):
//!
//! ```no_run
//! let key = "visits";
//! airssys_guest::info!("counted {} visits", 3);
//! airssys_guest::warn!({ "key" => key, "attempt" => 2 }, "retrying");
//! ```

use crate::imports::services as host;

/// Severity of a record; the host maps it to its own levels (SVC-1).
pub use crate::bindings::airssys::core::types::LogLevel as Level;

/// Sends one record with no context; never fails (SVC-1).
pub fn log(level: Level, message: impl AsRef<str>) {
    host::log(level, message.as_ref(), None);
}

/// Sends one record with key/value context pairs, in order (SVC-1).
pub fn log_with<K: AsRef<str>, V: AsRef<str>>(
    level: Level,
    message: impl AsRef<str>,
    context: &[(K, V)],
) {
    let pairs: Vec<(String, String)> = context
        .iter()
        .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned()))
        .collect();
    host::log(level, message.as_ref(), Some(&pairs));
}

#[doc(hidden)]
#[macro_export]
macro_rules! __log {
    ($level:expr, { $($key:expr => $value:expr),+ $(,)? }, $($format:tt)+) => {
        $crate::logging::log_with(
            $level,
            ::std::format!($($format)+),
            &[$((
                ::std::string::ToString::to_string(&$key),
                ::std::string::ToString::to_string(&$value),
            )),+],
        )
    };
    ($level:expr, $($format:tt)+) => {
        $crate::logging::log($level, ::std::format!($($format)+))
    };
}

/// Logs at trace level: `trace!("x = {x}")` or `trace!({ "k" => v }, "text")`.
#[macro_export]
macro_rules! trace {
    ($($arguments:tt)+) => { $crate::__log!($crate::logging::Level::Trace, $($arguments)+) };
}

/// Logs at debug level: `debug!("x = {x}")` or `debug!({ "k" => v }, "text")`.
#[macro_export]
macro_rules! debug {
    ($($arguments:tt)+) => { $crate::__log!($crate::logging::Level::Debug, $($arguments)+) };
}

/// Logs at info level: `info!("x = {x}")` or `info!({ "k" => v }, "text")`.
#[macro_export]
macro_rules! info {
    ($($arguments:tt)+) => { $crate::__log!($crate::logging::Level::Info, $($arguments)+) };
}

/// Logs at warn level: `warn!("x = {x}")` or `warn!({ "k" => v }, "text")`.
#[macro_export]
macro_rules! warn {
    ($($arguments:tt)+) => { $crate::__log!($crate::logging::Level::Warn, $($arguments)+) };
}

/// Logs at error level: `error!("x = {x}")` or `error!({ "k" => v }, "text")`.
#[macro_export]
macro_rules! error {
    ($($arguments:tt)+) => { $crate::__log!($crate::logging::Level::Error, $($arguments)+) };
}
