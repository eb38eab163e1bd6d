//! A progress line on stderr for long imports, only when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use store::roster::Progress;

/// Shows the phase and the rows applied so far; silent when stderr is not a terminal.
pub(crate) struct TerminalProgress {
    bar: Option<ProgressBar>,
}

impl TerminalProgress {
    pub(crate) fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(ProgressStyle::with_template("{spinner} {msg} {human_pos} rows ({per_sec}) {elapsed}").expect("valid template"));
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        TerminalProgress { bar }
    }

    /// Removes the progress line before the report is printed.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Progress for TerminalProgress {
    fn phase(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_message(name.to_string());
        }
    }

    fn rows(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }
}
