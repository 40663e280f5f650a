//! Data mode: the raw bytes after a `>` prompt (`AT+MPUBEX` payloads, `AT+FSWRITE` files,
//! `AT+CMGC` text), how they end (length, 0x1A, ESC, idle time, the FSWRITE window) and what is
//! done with them.

use std::time::{Duration, Instant};

use super::{DataKind, Final, Module};

/// Cancels the text after a 27.005 prompt.
const ESC: u8 = 0x1B;

/// How long an `AT+CMGC` prompt waits for its text (no source gives a limit; the emulator's).
const SMS_TEXT_WINDOW: Duration = Duration::from_secs(600);

impl Module {
    /// 3GPP TS 27.005 `AT+CMGC=<fo>,<ct>` (send command, text mode): a `> ` prompt for the
    /// command's text, which Ctrl+Z sends and ESC cancels. A prompt no MQTT session opens: the
    /// host must not leave it waiting.
    pub(super) fn cmd_cmgc(&mut self, now: Instant, cmd: &super::Command) -> Final {
        if !matches!(super::basic::set_args(cmd).as_deref(), Some([_, _])) {
            return Final::Error;
        }
        self.data = Some(super::DataMode {
            kind: DataKind::SmsCommand,
            expected: None,
            buf: Vec::new(),
            deadline: now + SMS_TEXT_WINDOW,
            idle: None,
        });
        self.raw_out(now, b"\r\n> ".to_vec());
        Final::Pending
    }

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
            if matches!(d.kind, DataKind::SmsCommand) && b == ESC {
                // 27.005 §3.5.1: ESC cancels; the module acknowledges with OK.
                self.data = None;
                self.emit_final(now, Final::Ok);
                self.release_held(now);
                return used;
            }
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
            DataKind::SmsCommand => {
                // Sent (the emulator has no SMS network: a fixed reference number).
                if complete {
                    self.line(now, b"+CMGC: 1");
                    Final::Ok
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
