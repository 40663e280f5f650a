//! The result shapes SIMCom sources disagree on (docs/quectel-simcom-at.md §4.14), and how the
//! emulator picks one: fixed by a flag, or — by default — a seeded choice each time, so one
//! run shows every form to the host and the same seed shows the same ones again.

use super::super::Module;

/// How a failing `AT+CMQTTCONNECT` reports (§4.5, §4.14 item 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailForm {
    /// `OK`, later `+CMQTTCONNECT: <c>,<err>` (S04, S05).
    Async,
    /// `+CMQTTCONNECT: <c>,<err>` then `ERROR` (S12, S20): the final result waits.
    Sync,
    /// A bare `ERROR`, no `<err>` (S19): the final result waits.
    Bare,
}

/// How a failing `AT+CMQTTPUB` reports (§4.7, §4.14 item 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PubFailForm {
    /// `OK`, then `+CMQTTPUB: <c>,<err>` (S07).
    Async,
    /// The final result waits for the outcome: `+CMQTTPUB: <c>,<err>` then `ERROR` (S20);
    /// success is `OK` then `+CMQTTPUB: <c>,0`, as in the async form.
    Sync,
}

/// `None` = a seeded choice at each occasion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forms {
    pub connect_fail: Option<ConnectFailForm>,
    pub pub_fail: Option<PubFailForm>,
    /// Retained messages printed before the `+CMQTTSUB` result (S17) or after it.
    pub rx_before_sub: Option<bool>,
}

impl ConnectFailForm {
    pub fn parse(s: &str) -> Result<Option<ConnectFailForm>, String> {
        Ok(Some(match s {
            "async" => ConnectFailForm::Async,
            "sync" => ConnectFailForm::Sync,
            "bare" => ConnectFailForm::Bare,
            "mixed" => return Ok(None),
            _ => return Err(format!("expected async|sync|bare|mixed, got {s:?}")),
        }))
    }
}

impl PubFailForm {
    pub fn parse(s: &str) -> Result<Option<PubFailForm>, String> {
        Ok(Some(match s {
            "async" => PubFailForm::Async,
            "sync" => PubFailForm::Sync,
            "mixed" => return Ok(None),
            _ => return Err(format!("expected async|sync|mixed, got {s:?}")),
        }))
    }
}

/// `on|off|mixed` for `--cmqttsub-rx-first`.
pub fn parse_on_off_mixed(s: &str) -> Result<Option<bool>, String> {
    match s {
        "on" => Ok(Some(true)),
        "off" => Ok(Some(false)),
        "mixed" => Ok(None),
        _ => Err(format!("expected on|off|mixed, got {s:?}")),
    }
}

impl Module {
    pub(crate) fn sc_connect_form(&mut self) -> ConnectFailForm {
        self.cfg
            .simcom_forms
            .connect_fail
            .unwrap_or_else(|| match self.form_rng.range(0, 2) {
                0 => ConnectFailForm::Async,
                1 => ConnectFailForm::Sync,
                _ => ConnectFailForm::Bare,
            })
    }

    pub(crate) fn sc_pub_form(&mut self) -> PubFailForm {
        self.cfg
            .simcom_forms
            .pub_fail
            .unwrap_or_else(|| match self.form_rng.range(0, 1) {
                0 => PubFailForm::Async,
                _ => PubFailForm::Sync,
            })
    }

    pub(crate) fn sc_rx_before_sub(&mut self) -> bool {
        self.cfg
            .simcom_forms
            .rx_before_sub
            .unwrap_or_else(|| self.form_rng.range(0, 1) == 1)
    }
}
