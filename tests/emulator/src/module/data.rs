//! Data mode: the raw bytes after a `>` prompt (`AT+MPUBEX` payloads, `AT+FSWRITE` files),
//! how they end (length, 0x1A, idle time, the FSWRITE window) and what is done with them.

use std::time::Instant;

use super::{DataKind, Final, Module};

impl Module {
    /// Consumes data-mode bytes; returns how many were used.
    pub(super) fn feed_data(&mut self, now: Instant, bytes: &[u8]) -> usize {
        let max = self.profile.mpubex_max();
        let Some(d) = self.data.as_mut() else {
            return 0;
        };
        let mut used = 0;
        let mut done = false;
        for &b in bytes {
            used += 1;
            if d.expected.is_none() && b == 0x1A {
                done = true;
                break;
            }
            d.buf.push(b);
            if d.expected.is_some_and(|n| d.buf.len() >= n) {
                done = true;
                break;
            }
            // Without a length the module cannot hold more than its maximum.
            if d.buf.len() >= max && d.expected.is_none() {
                done = true;
                break;
            }
        }
        if let Some(idle) = d.idle {
            d.deadline = now + idle;
        }
        // 8910 echoes MPUBEX data while echo is on (docs/luat-at.md §4, V301847). The Quectel
        // and SIMCom profiles do not echo prompt data (no capture shows an echo of it).
        if self.echo_on() && self.profile.family() == crate::profile::Family::Luat {
            let echoed = bytes[..used].to_vec();
            self.raw_out(now, echoed);
        }
        if done {
            self.finish_data(now, true);
        }
        used
    }

    pub(super) fn finish_data(&mut self, now: Instant, complete: bool) {
        let Some(d) = self.data.take() else {
            return;
        };
        let f = match d.kind {
            DataKind::Mpubex { topic, qos, retain } => {
                // Without a length, idle time ends the data: that is completion, not a timeout.
                if (complete || d.expected.is_none()) && !d.buf.is_empty() {
                    self.publish(now, &topic, &d.buf, qos, retain)
                } else {
                    Final::Error
                }
            }
            DataKind::QPub {
                client,
                msgid,
                qos,
                retain,
                topic,
                urc,
            } => {
                if (complete || d.expected.is_none()) && !d.buf.is_empty() {
                    let p = super::quectel::PubReq {
                        client,
                        msgid,
                        qos,
                        retain,
                        urc,
                    };
                    self.q_publish(now, p, &topic, &d.buf)
                } else {
                    Final::Error
                }
            }
            DataKind::Simcom(prompt) => {
                if complete {
                    self.sc_prompt_done(now, prompt, d.buf)
                } else {
                    Final::Error
                }
            }
            DataKind::FsWrite { name, append } => {
                if complete {
                    let file = self.files.entry(name).or_default();
                    if !append {
                        file.clear();
                    }
                    file.extend_from_slice(&d.buf);
                    Final::Ok
                } else {
                    Final::Text("TimeOut")
                }
            }
        };
        self.emit_final(now, f);
        self.release_held(now);
    }
}
