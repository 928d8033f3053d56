//! A `log` crate logger that writes through the host, so libraries that use
//! `log::info!` log like the component itself. The record's target becomes
//! the context pair `("target", …)`.

use crate::logging::{Level, log_with};

struct HostLogger;

static LOGGER: HostLogger = HostLogger;

/// Installs the host logger at `Trace`; the host filters. Calling it again is
/// harmless, so every `initialize` may call it.
pub fn init() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

impl log::Log for HostLogger {
    fn enabled(&self, _metadata: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let level = match record.level() {
            log::Level::Trace => Level::Trace,
            log::Level::Debug => Level::Debug,
            log::Level::Info => Level::Info,
            log::Level::Warn => Level::Warn,
            log::Level::Error => Level::Error,
        };
        let message = record.args().to_string();
        log_with(level, message, &[("target", record.target())]);
    }

    fn flush(&self) {}
}
