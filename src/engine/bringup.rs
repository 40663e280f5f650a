// SPDX-License-Identifier: MIT OR Apache-2.0
//! Walking the dialect's bring-up lists (`crate::dialect::bringup`): which entry applies now,
//! what its answer means, and where the list goes next.

use super::rx::Final;
use super::tx::Cmd;
use super::{Engine, Step};
use crate::dialect::{FailReason, Item, List, OnError, When};
use crate::Status;

impl<'a> Engine<'a> {
    /// The bring-up entry of `cmd`, if it is one.
    pub(super) fn item_of(&self, cmd: Cmd) -> Option<&'static Item> {
        cmd.item(self.dialect)
    }

    /// An `ERROR` the session expects is a result, not an error to log (`+CME ERROR: 767` to
    /// the precautionary close, `ERROR` from firmware without a command, a refused identity
    /// query).
    pub(super) fn error_expected(&self, cmd: Cmd) -> bool {
        if let Cmd::Identity(_) = cmd {
            return true;
        }
        self.item_of(cmd).is_some_and(|item| {
            matches!(
                item.on_error,
                OnError::Ignore | OnError::Unsupported | OnError::Check
            )
        })
    }

    /// Bring-up entry `i` of `list` was answered `r`.
    pub(super) fn item_done(&mut self, list: List, i: u8, r: Final) {
        let Some(item) = self.dialect.item(list, i) else {
            return;
        };
        match item.when {
            When::RestoreBearer => {
                self.boot.restore_bearer = false;
                // Restoring the bearer releases the client too (SIMCom `AT+CMQTTREL`).
                self.boot.client_kept = false;
            }
            When::AfterFailure => self.boot.item_failed = false,
            _ => {}
        }
        if r == Final::Ok {
            if item.on_error == OnError::Check {
                self.boot.item_failed = false;
            }
            if item.needs_bearer && self.seen.bearer != Some(true) {
                return self.fail(Status::NotAttached);
            }
        } else {
            // `OnError::Anonymous` goes on only at `+CME ERROR: 765` ("invalid input value":
            // a module that refuses the empty credentials' form, docs/luat-at.md §5.1). Asked
            // in its arm only: before the match, its loads were made for every entry's error
            // (measured 6 B smaller).
            let anonymous = || self.cfg.username.is_empty() && self.cfg.password.is_empty();
            // The key `setup_refused` tells entries apart by: never 0, list and index.
            let key = (i & 31) + 1 + if list == List::Configure { 32 } else { 0 };
            match item.on_error {
                OnError::Fail(FailReason::ModuleError) => {
                    return self.setup_refused(key, Status::ModuleError)
                }
                OnError::Fail(reason) => return self.fail(reason.status()),
                OnError::Anonymous if !anonymous() || r != Final::Error(765) => {
                    return self.setup_refused(key, Status::ModuleError)
                }
                OnError::Unsupported => self.boot.lacks |= 1u32 << (i & 31),
                OnError::Check => self.boot.item_failed = true,
                OnError::Ignore | OnError::Log | OnError::Anonymous => {}
            }
        }
        let next = i.saturating_add(1);
        self.enter(match list {
            List::Prepare => Step::Prepare(next),
            List::Configure => Step::Configure(next),
        });
        // SIMCom: the service's stop (`AT+CMQTTSTOP`, the bearer's restore) reports its result
        // after its `OK` (§4.2); the start waits for it (`peek_command`), or a command's time.
        #[cfg(feature = "simcom")]
        if item.when == When::RestoreBearer && r == Final::Ok {
            self.await_result();
        }
    }

    /// True when `item` (entry `i` of its list) is to be sent now.
    pub(super) fn applies(&self, item: &Item, i: u8) -> bool {
        match item.when {
            When::Always | When::ClientId => true,
            When::Supported => self.boot.lacks & (1u32 << (i & 31)) == 0,
            When::Tls(k) => {
                self.cfg.tls() && !self.boot.ssl_done && self.dialect.has_tls_item(&self.cfg, k)
            }
            When::RestoreBearer => self.boot.restore_bearer,
            When::Apn => !self.cfg.apn.is_empty(),
            When::AfterFailure => self.boot.item_failed,
        }
    }

    /// The step for entry `from` of `list`, or the first entry after it that applies now; past
    /// the end of the list, what follows it.
    pub(super) fn resolve(&mut self, list: List, from: u8) -> Step {
        let mut i = from;
        while let Some(item) = self.dialect.item(list, i) {
            if self.applies(item, i) {
                return match list {
                    List::Prepare => Step::Prepare(i),
                    List::Configure => Step::Configure(i),
                };
            }
            i = i.saturating_add(1);
        }
        match list {
            List::Prepare => {
                self.boot.prepared = true;
                if self.cfg.tls() {
                    self.boot.ssl_done = true;
                }
                self.resolve(List::Configure, 0)
            }
            // Echo came back during the bring-up: the module may have rebooted unseen and lost
            // the per-boot settings (TLS among them); redo them before the link opens.
            List::Configure if !self.boot.prepared => self.resolve(List::Prepare, 0),
            List::Configure => Step::Open,
        }
    }

    /// A step of a bring-up list (or the open) is under way: a bearer loss now fails it.
    pub(super) fn opening(&self) -> bool {
        match self.step {
            Step::Open => true,
            Step::Configure(i) => self
                .dialect
                .item(List::Configure, i)
                .is_some_and(|item| item.opening),
            _ => false,
        }
    }
}
