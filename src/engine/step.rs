// SPDX-License-Identifier: MIT OR Apache-2.0
//! Where a session is: its steps, the kinds of probe and link wait, and the state the
//! application sees in each step.

use super::Fact;
use crate::event::State;

/// Where the session is. Private: the application sees [`State`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Step {
    /// Not started, or stopped.
    Idle,
    /// The ladder ran out (`power_cycle_limit`, `refusal_limit`); idle until `start`.
    Failed,
    /// Driving a pin sequence (`recovery::Sequence`) at an operation.
    Pins(super::recovery::PinStep),
    /// Sending `AT` until answered.
    Probe(ProbeKind),
    EchoOff,
    Sim,
    /// Reading the module's identity (once per boot, after the SIM is ready).
    Identity(Fact),
    Attach,
    Signal,
    /// Entry of the dialect's per-boot list.
    Prepare(u8),
    /// Entry of the dialect's per-connect list.
    Configure(u8),
    Open,
    Connect,
    /// Sending pending subscribe/unsubscribe commands after connect.
    Restore,
    /// Publishing the online message.
    Announce,
    Online,
    /// `AT+MQTTSTATU` to tell a lost answer from a lost link.
    Verify,
    /// Waiting before the next attempt; then `resume`.
    Backoff,
    Disconnect,
    CloseForStop,
    SoftReset,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ProbeKind {
    /// After `start`: a short wait, then the module is switched on if pins allow.
    Start,
    /// After power-on or reset: up to `boot_ms`.
    Boot,
    /// The module stopped answering mid-session: up to `silence_ms`, then RESET.
    Silent,
}

/// The URC a connect step waits for after `OK`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum LinkWait {
    TcpUp,
    Connack,
}

impl Step {
    /// The state the application sees in this step.
    pub(super) fn state(self) -> State {
        match self {
            Step::Idle => State::Stopped,
            Step::Failed => State::Failed,
            Step::Pins(..) => State::PowerCycle,
            Step::Probe(_) => State::Probing,
            Step::EchoOff
            | Step::Sim
            | Step::Identity(_)
            | Step::Attach
            | Step::Signal
            | Step::Prepare(_) => State::Preparing,
            Step::Configure(_) | Step::Open | Step::Connect => State::Connecting,
            Step::Restore | Step::Announce => State::Restoring,
            Step::Online | Step::Verify => State::Online,
            Step::Backoff | Step::SoftReset => State::Recovering,
            Step::Disconnect | Step::CloseForStop => State::Stopping,
        }
    }
}
