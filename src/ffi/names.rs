// SPDX-License-Identifier: MIT OR Apache-2.0
//! The names C code can ask for (`cellmqtt_status_str`, `cellmqtt_state_str`, ...), each table
//! one NUL-separated blob in a section of its own.
//!
//! Why sections: string literals all land in one mergeable string section, which the linker
//! keeps whole as soon as the engine uses any string (its log subjects). A firmware that never
//! calls a `*_str` function would still carry about 1 KB of names. A blob in its own
//! `.rodata.cellmqtt_names.*` section is dropped by `--gc-sections` with the function that reads
//! it.

use crate::config_field::ConfigField;
use crate::event::{LossKind, RecoveryStep, State};
use crate::Status;

/// The names of [`Status::ALL`], in that order.
const STATUS_TEXT: &[u8] = b"OK\0NULL_ARG\0NOT_INITIALIZED\0BUSY\0INVALID_ARG\0INVALID_CONFIG\0\
BUFFER_TOO_SMALL\0TOPIC_TOO_LONG\0INVALID_TOPIC\0PAYLOAD_TOO_LONG\0INVALID_QOS\0QUEUE_FULL\0\
SUBSCRIPTIONS_FULL\0NOT_SUBSCRIBED\0STRING_TOO_LONG\0INVALID_STRING\0WILL_TOO_LONG\0WRONG_STATE\0\
RX_OVERFLOW\0MODULE_ERROR\0TIMEOUT\0LINK_LOST\0STOPPED\0UART_ERROR\0SIM_ABSENT\0SIM_LOCKED\0\
NOT_ATTACHED\0CONNECT_FAILED\0CONNACK_FAILED\0NO_RESPONSE\0GAVE_UP\0UNSUPPORTED\0BROKER_REFUSED\0\
BROKER_UNREACHABLE\0TLS_FAILED\0NAME_NOT_RESOLVED\0COMMAND_REFUSED\0ABI_MISMATCH\0CONFIG_REFUSED\0\
UNKNOWN\0";

/// [`State`] names by discriminant, then the name of anything else.
const STATE_TEXT: &[u8] = b"stopped\0power_cycle\0probing\0preparing\0connecting\0restoring\0\
online\0recovering\0stopping\0failed\0unknown\0";

/// [`RecoveryStep`] names by discriminant, then the name of anything else.
const RECOVERY_TEXT: &[u8] =
    b"reconnect\0reinit\0soft_reset\0reset_pin\0power_cycle\0power_on\0gave_up\0unknown\0";

/// [`LossKind`] names by discriminant, then the name of anything else.
const LOSS_TEXT: &[u8] = b"rx_overflow\0line_too_long\0message_too_large\0cache_overwritten\0\
publish_rejected\0event_dropped\0cache_read_failed\0message_corrupt\0urc_dropped\0unknown\0";

/// [`ConfigField`] names by discriminant, spelled as the C struct fields are, then the name of
/// anything else.
const CONFIG_FIELD_TEXT: &[u8] = b"none\0profile\0options\0pins\0pin_set\0pin_get\0host\0port\0\
client_id\0username\0password\0keepalive_s\0will_topic\0will_payload\0will_qos\0will_retain\0\
online_payload\0tls_ca_file\0tls_client_cert_file\0tls_client_key_file\0tls_sni\0tls_version\0\
tls_seclevel\0timeouts\0rx_buf\0line_buf\0queue_buf\0sub_buf\0buffer_overlap\0uart_write\0\
tick_ms\0apn\0publish_window\0log\0ladder\0unknown\0";

// Each table names every value, plus one for anything else: a new variant must get its name.
const _: () = {
    assert!(names_in(STATUS_TEXT) == Status::ALL.len() + 1);
    assert!(names_in(STATE_TEXT) == State::Failed as usize + 2);
    assert!(names_in(RECOVERY_TEXT) == RecoveryStep::GaveUp as usize + 2);
    assert!(names_in(LOSS_TEXT) == LossKind::UrcDropped as usize + 2);
    assert!(names_in(CONFIG_FIELD_TEXT) == ConfigField::Ladder as usize + 2);
};

// The blobs themselves. `link_section` counts as unsafe code to the lint (a section can clash
// with the linker's); these names are private to this crate's objects.
#[allow(unsafe_code)]
#[link_section = ".rodata.cellmqtt_names.status"]
static STATUS_NAMES: [u8; STATUS_TEXT.len()] = blob(STATUS_TEXT);
#[allow(unsafe_code)]
#[link_section = ".rodata.cellmqtt_names.state"]
static STATE_NAMES: [u8; STATE_TEXT.len()] = blob(STATE_TEXT);
#[allow(unsafe_code)]
#[link_section = ".rodata.cellmqtt_names.recovery"]
static RECOVERY_NAMES: [u8; RECOVERY_TEXT.len()] = blob(RECOVERY_TEXT);
#[allow(unsafe_code)]
#[link_section = ".rodata.cellmqtt_names.loss"]
static LOSS_NAMES: [u8; LOSS_TEXT.len()] = blob(LOSS_TEXT);
#[allow(unsafe_code)]
#[link_section = ".rodata.cellmqtt_names.config_field"]
static CONFIG_FIELD_NAMES: [u8; CONFIG_FIELD_TEXT.len()] = blob(CONFIG_FIELD_TEXT);

/// The name of `status`, or `"UNKNOWN"` for a code that is none.
pub(super) fn status(code: i32) -> &'static [u8] {
    if !crate::parts::NAMES {
        return LEFT_OUT;
    }
    let index = Status::ALL.iter().position(|s| *s as i32 == code);
    nth(&STATUS_NAMES, index.unwrap_or(Status::ALL.len()))
}

/// The name of state `value`, or `"unknown"`.
pub(super) fn state(value: u32) -> &'static [u8] {
    if !crate::parts::NAMES {
        return LEFT_OUT;
    }
    nth(&STATE_NAMES, index(value))
}

/// The name of recovery step `value`, or `"unknown"`.
pub(super) fn recovery(value: u32) -> &'static [u8] {
    if !crate::parts::NAMES {
        return LEFT_OUT;
    }
    nth(&RECOVERY_NAMES, index(value))
}

/// The name of loss kind `value`, or `"unknown"`.
pub(super) fn loss(value: u32) -> &'static [u8] {
    if !crate::parts::NAMES {
        return LEFT_OUT;
    }
    nth(&LOSS_NAMES, index(value))
}

/// The name of configuration field `value`, or `"unknown"`.
pub(super) fn config_field(value: u32) -> &'static [u8] {
    if !crate::parts::NAMES {
        return LEFT_OUT;
    }
    nth(&CONFIG_FIELD_NAMES, index(value))
}

/// What every `*_str` returns when the build left the names out (crate::parts): an empty
/// string, still a valid C string, and no table is linked.
const LEFT_OUT: &[u8] = b"\0";

/// `value` as a table index; one that cannot be one picks the last name ("unknown").
fn index(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Name `i` of `table`, with its NUL; past the end, the table's last name.
fn nth(table: &'static [u8], i: usize) -> &'static [u8] {
    let mut rest = table;
    let mut left = i;
    loop {
        let Some(end) = rest.iter().position(|&b| b == 0) else {
            // Unreachable with the blobs above (each ends with a NUL); an empty name still
            // terminates.
            return b"\0";
        };
        let (name, after) = rest.split_at(end.saturating_add(1));
        if left == 0 || after.is_empty() {
            return name;
        }
        rest = after;
        left -= 1;
    }
}

/// How many NUL-terminated names `text` holds.
const fn names_in(mut text: &[u8]) -> usize {
    let mut count = 0;
    while let [byte, rest @ ..] = text {
        if *byte == 0 {
            count += 1;
        }
        text = rest;
    }
    count
}

/// `text` as an array, so it can be a static with a section of its own. Only ever evaluated
/// at compile time (static initialisers), where an index out of bounds is a build error.
#[allow(clippy::indexing_slicing)]
const fn blob<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    let mut i = 0;
    while i < N && i < text.len() {
        out[i] = text[i];
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "names")]
    fn every_status_has_its_name_and_others_are_unknown() {
        assert_eq!(status(Status::Ok as i32), b"OK\0");
        assert_eq!(status(Status::QueueFull as i32), b"QUEUE_FULL\0");
        assert_eq!(status(Status::CommandRefused as i32), b"COMMAND_REFUSED\0");
        assert_eq!(status(12345), b"UNKNOWN\0");
        assert_eq!(state(State::Online as u32), b"online\0");
        assert_eq!(state(State::Failed as u32), b"failed\0");
        assert_eq!(state(10), b"unknown\0");
        assert_eq!(state(u32::MAX), b"unknown\0");
        assert_eq!(recovery(RecoveryStep::GaveUp as u32), b"gave_up\0");
        assert_eq!(loss(LossKind::RxOverflow as u32), b"rx_overflow\0");
        assert_eq!(
            config_field(ConfigField::PublishWindow as u32),
            b"publish_window\0"
        );
        assert_eq!(config_field(ConfigField::Log as u32), b"log\0");
        assert_eq!(config_field(ConfigField::Ladder as u32), b"ladder\0");
        assert_eq!(config_field(999), b"unknown\0");
    }

    // The lean build of `make lean-test`.
    #[test]
    #[cfg(not(feature = "names"))]
    fn without_the_names_every_name_is_an_empty_c_string() {
        assert_eq!(status(Status::Ok as i32), b"\0");
        assert_eq!(state(State::Online as u32), b"\0");
        assert_eq!(recovery(RecoveryStep::GaveUp as u32), b"\0");
        assert_eq!(loss(LossKind::RxOverflow as u32), b"\0");
        assert_eq!(config_field(999), b"\0");
    }
}
