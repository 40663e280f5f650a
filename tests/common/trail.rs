//! What the model tests print when a check fails: the last steps of the run (its seed replays
//! it; the trail shows what led there), and bytes as readable text.
use std::collections::VecDeque;

/// The last steps noted, printed if the run panics (a test's failure) while it is alive.
pub struct Trail {
    steps: VecDeque<String>,
    keep: usize,
}

impl Trail {
    /// Keeps the last `keep` steps.
    pub fn new(keep: usize) -> Trail {
        Trail {
            steps: VecDeque::new(),
            keep,
        }
    }

    /// Notes a step at `now` (ms on the fake clock).
    pub fn note(&mut self, now: u32, what: String) {
        if self.steps.len() == self.keep {
            self.steps.pop_front();
        }
        self.steps.push_back(format!("{now:>9} {what}"));
    }
}

impl Default for Trail {
    fn default() -> Trail {
        Trail::new(400)
    }
}

impl Drop for Trail {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let steps = Vec::from(std::mem::take(&mut self.steps));
            eprintln!("last steps:\n{}", steps.join("\n"));
        }
    }
}

/// Bytes as text, escaped where they are not printable.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).escape_debug().to_string()
}
