// SPDX-License-Identifier: MIT OR Apache-2.0
//! C configuration → Rust configuration. Every pointer is checked, every string is scanned for
//! its NUL only up to its limit, every length is validated before a slice is formed.

use super::types::{cellmqtt_config_t, ProfileId, CELLMQTT_RX_BUF_MIN};
use crate::config::{limits, Config, Options, Pins, Profile, TlsConfig, WillConfig};
use crate::config_field::{ConfigError, ConfigField as F};
use crate::Status;
use core::ffi::c_char;

/// A NUL-terminated string of at most `max` bytes; NULL is the empty string. `None` when it is
/// longer (each caller names that fault: `STRING_TOO_LONG`, `TOPIC_TOO_LONG`). An `Option` of
/// a slice comes back in two registers, a `Result` through memory: measured 44 B smaller.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string, or at least `max + 1` readable bytes,
/// valid for `'static` (the handle's lifetime, per the API contract).
#[inline(never)]
pub(super) unsafe fn c_str(p: *const c_char, max: usize) -> Option<&'static [u8]> {
    if p.is_null() {
        return Some(&[]);
    }
    let bytes = p.cast::<u8>();
    let mut len = 0;
    // Counted before the limit test: the loop then compares with one bound (measured 4 B
    // smaller than testing `len == max` first).
    loop {
        // SAFETY: every byte up to and including the NUL (or the first max + 1) is readable.
        let b = unsafe { *bytes.add(len) };
        if b == 0 {
            break;
        }
        len += 1;
        if len > max {
            return None;
        }
    }
    // SAFETY: `len` bytes were just read from `bytes`; lifetime per the contract above.
    Some(unsafe { core::slice::from_raw_parts(bytes, len) })
}

/// [`c_str`] with the limit of topics and MQTT strings ([`limits::STRING_MAX`]). Out of line:
/// that limit takes a 32-bit move at every call of `c_str`, and one here (measured 10 B
/// smaller, Luat; 12 B, every dialect).
///
/// # Safety
/// As [`c_str`].
#[inline(never)]
pub(super) unsafe fn c_string(p: *const c_char) -> Option<&'static [u8]> {
    // SAFETY: forwarded from the caller.
    unsafe { c_str(p, limits::STRING_MAX) }
}

/// A byte buffer of `len` bytes; NULL only with `len == 0`. Inlined: each caller then turns
/// the refusal into its own status and field on the spot, and the result makes no trip
/// through memory (measured 38 B smaller than out of line).
///
/// # Safety
/// `p` points to `len` readable bytes valid for `'static`.
#[inline(always)]
pub(super) unsafe fn c_bytes(
    p: *const u8,
    len: usize,
    max: usize,
) -> Result<&'static [u8], Status> {
    if len > max {
        return Err(Status::PayloadTooLong);
    }
    if p.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Status::NullArg)
        };
    }
    // SAFETY: per the contract, `p` is valid for `len` bytes; len ≤ max ≤ isize::MAX.
    Ok(unsafe { core::slice::from_raw_parts(p, len) })
}

/// The four caller buffers.
pub(super) struct CBuffers {
    pub rx: &'static mut [u8],
    pub line: &'static mut [u8],
    pub queue: &'static mut [u8],
    pub subs: &'static mut [u8],
}

/// The four buffers of `c`: present, large enough and overlapping neither each other nor
/// `storage` (the handle's address and size; `(0, 0)` for none), without forming a reference
/// to any of them (`init` checks this before `buffers`, `config_check` alone).
pub(super) fn check_buffers(
    c: &cellmqtt_config_t,
    storage: (usize, usize),
) -> Result<(), ConfigError> {
    let (handle, handle_len) = storage;
    let bufs = [
        (c.rx_buf.addr(), c.rx_buf_len),
        (c.line_buf.addr(), c.line_buf_len),
        (c.queue_buf.addr(), c.queue_buf_len),
        (c.sub_buf.addr(), c.sub_buf_len),
        // The handle is written as the engine's, the buffers as theirs: one inside another
        // would have each overwrite the other. (No minimum: it is checked as a region only.)
        (handle, handle_len),
    ];
    let [buffers @ .., _handle] = &bufs;
    // Each buffer's minimum and field picked by its index (measured 12 B smaller, Luat, than
    // carrying them in the array above: the fields are consecutive, the minima a small table).
    for (i, &(addr, len)) in buffers.iter().enumerate() {
        let (min, field) = match i {
            0 => (CELLMQTT_RX_BUF_MIN, F::RxBuf),
            1 => (crate::engine::LINE_BUF_MIN, F::LineBuf),
            2 => (crate::engine::QUEUE_BUF_MIN, F::QueueBuf),
            _ => (crate::engine::SUB_BUF_MIN, F::SubBuf),
        };
        if addr == 0 {
            return field.err(Status::NullArg);
        }
        // No slice may be longer than `isize::MAX` or run past the end of the address space:
        // such a buffer cannot exist, and `buffers` would form one from it.
        if len > isize::MAX as usize || addr.checked_add(len).is_none() {
            return field.err(Status::InvalidConfig);
        }
        if len < min {
            return field.err(Status::BufferTooSmall);
        }
    }
    // Overlapping buffers would alias two `&mut`; refuse them. Two buffers (none is empty:
    // checked above) overlap when one starts inside the other, so each start is tested
    // against every other buffer (measured 8 B smaller, 12 B on the M0, than testing each
    // pair once against both ends). An empty handle region (`(0, 0)`) never matches: nothing
    // starts inside it, and no buffer starts at 0.
    for (i, &(a, alen)) in bufs.iter().enumerate() {
        for (j, &(b, _)) in bufs.iter().enumerate() {
            if i != j && a <= b && b < a.saturating_add(alen) {
                return F::BufferOverlap.err(Status::InvalidConfig);
            }
        }
    }
    Ok(())
}

/// The four buffers of `c`, which [`check_buffers`] accepted (so none is NULL, too short,
/// longer than `isize::MAX` or overlapping another): that check is not repeated here.
///
/// # Safety
/// `c` passed [`check_buffers`]; each buffer is writable for its length, valid for `'static`
/// and used by nothing else.
pub(super) unsafe fn buffers(c: &cellmqtt_config_t) -> CBuffers {
    // SAFETY (all four): non-NULL, at most isize::MAX bytes and disjoint per `check_buffers`;
    // valid, exclusive and `'static` per this function's contract.
    unsafe {
        CBuffers {
            rx: core::slice::from_raw_parts_mut(c.rx_buf, c.rx_buf_len),
            line: core::slice::from_raw_parts_mut(c.line_buf, c.line_buf_len),
            queue: core::slice::from_raw_parts_mut(c.queue_buf, c.queue_buf_len),
            subs: core::slice::from_raw_parts_mut(c.sub_buf, c.sub_buf_len),
        }
    }
}

fn profile(id: u32) -> Result<Profile, ConfigError> {
    match id {
        x if x == ProfileId::Air724ug as u32 => Ok(Profile::Air724ug),
        x if x == ProfileId::Air780e as u32 => Ok(Profile::Air780e),
        x if x == ProfileId::Air780ep as u32 => Ok(Profile::Air780ep),
        x if x == ProfileId::Ec200u as u32 => Ok(Profile::Ec200u),
        x if x == ProfileId::A7670 as u32 => Ok(Profile::A7670),
        _ => F::Profile.err(Status::InvalidConfig),
    }
}

fn optional_u8(v: i16, field: F) -> Result<Option<u8>, ConfigError> {
    match v {
        -1 => Ok(None),
        0..=255 => Ok(Some(v as u8)),
        _ => field.err(Status::InvalidConfig),
    }
}

/// A string field as [`c_str`] or [`c_string`] read it, with the field named on failure.
fn str_field(s: Option<&'static [u8]>, field: F) -> Result<&'static [u8], ConfigError> {
    s.ok_or(ConfigError {
        status: Status::StringTooLong,
        field,
    })
}

/// Writes every field of `*cfg` from `c`, in place: no `Config` is assembled and moved, and
/// none is built beforehand only to be overwritten (the storage may be uninitialised; measured
/// 136 B smaller than filling in `Config::new`'s defaults). On `Ok` every field is written; on
/// `Err` some may not be. The order of the checks decides which field a configuration with
/// several faults is refused for.
///
/// # Safety
/// `cfg` is valid for writes of a `Config`; every string and byte pointer in `c` satisfies
/// `c_str` / `c_bytes`.
pub(super) unsafe fn config(
    c: &cellmqtt_config_t,
    cfg: *mut Config<'static>,
) -> Result<(), ConfigError> {
    // SAFETY: `cfg` is valid for writes, and each assignment writes one field of a type without
    // drop glue (asserted below), so nothing of the old, possibly uninitialised, contents is
    // read or dropped. The strings and bytes: forwarded from this function's contract.
    unsafe {
        (*cfg).options = Options::from_bits(c.options).ok_or(ConfigError {
            status: Status::InvalidConfig,
            field: F::Options,
        })?;
        (*cfg).pins = Pins::from_bits(c.pins).ok_or(ConfigError {
            status: Status::InvalidConfig,
            field: F::Pins,
        })?;
        (*cfg).host = str_field(c_str(c.host, limits::HOST_MAX), F::Host)?;
        (*cfg).client_id = str_field(c_string(c.client_id), F::ClientId)?;
        (*cfg).profile = profile(c.profile)?;
        (*cfg).username = str_field(c_string(c.username), F::Username)?;
        (*cfg).password = str_field(c_string(c.password), F::Password)?;
        // A topic: too long is `TOPIC_TOO_LONG`, as for `cellmqtt_publish` and `Config::check`.
        let will_topic = c_string(c.will_topic).ok_or(ConfigError {
            status: Status::TopicTooLong,
            field: F::WillTopic,
        })?;
        // Each optional part written once, as the value of its test (measured 4 B smaller,
        // Luat, than writing `None` first).
        (*cfg).will = if will_topic.is_empty() {
            None
        } else {
            let payload = match c_bytes(c.will_payload, c.will_payload_len, limits::WILL_MAX) {
                Ok(p) => p,
                Err(Status::PayloadTooLong) => return F::WillPayload.err(Status::WillTooLong),
                Err(other) => return F::WillPayload.err(other),
            };
            if c.will_retain > 1 {
                return F::WillRetain.err(Status::InvalidConfig);
            }
            Some(WillConfig {
                topic: will_topic,
                payload,
                qos: c.will_qos,
                retain: c.will_retain == 1,
            })
        };
        (*cfg).online_payload = if c.online_payload.is_null() {
            None
        } else {
            let p = c_bytes(c.online_payload, c.online_payload_len, limits::PAYLOAD_MAX);
            Some(p.map_err(|status| ConfigError {
                status,
                field: F::OnlinePayload,
            })?)
        };
        let t = &raw mut (*cfg).tls;
        (*t).version = optional_u8(c.tls_version, F::TlsVersion)?;
        (*t).ca_file = str_field(c_str(c.tls_ca_file, limits::FILE_MAX), F::TlsCaFile)?;
        (*t).client_cert_file = str_field(
            c_str(c.tls_client_cert_file, limits::FILE_MAX),
            F::TlsClientCertFile,
        )?;
        (*t).client_key_file = str_field(
            c_str(c.tls_client_key_file, limits::FILE_MAX),
            F::TlsClientKeyFile,
        )?;
        (*t).seclevel = optional_u8(c.tls_seclevel, F::TlsSeclevel)?;
        (*t).sni = str_field(c_str(c.tls_sni, limits::HOST_MAX), F::TlsSni)?;
        (*cfg).apn = str_field(c_str(c.apn, limits::APN_MAX), F::Apn)?;
        // The fields no check refuses, copied last: among the strings they split the reads of
        // one from the conversion of the next (measured 4 B smaller, Luat and every dialect).
        (*cfg).port = c.port;
        (*cfg).keepalive_s = c.keepalive_s;
        (*cfg).timeouts = c.timeouts;
        (*cfg).ladder = c.ladder;
        (*cfg).mpubex_above_extra = c.mpubex_above_extra;
        (*cfg).publish_window = c.publish_window;
    }
    Ok(())
}

// What `config` relies on to write into uninitialised storage: no field has drop glue, and it
// writes every field (this exhaustive pattern stops compiling when `Config` gains one, which
// `config` must then write too).
const _: () = assert!(!core::mem::needs_drop::<Config<'static>>());
const _: () = {
    let _every_field_written = |cfg: &Config<'_>| {
        let Config {
            profile: _,
            options: _,
            pins: _,
            host: _,
            port: _,
            client_id: _,
            username: _,
            password: _,
            keepalive_s: _,
            will: _,
            online_payload: _,
            tls:
                TlsConfig {
                    version: _,
                    ca_file: _,
                    client_cert_file: _,
                    client_key_file: _,
                    seclevel: _,
                    sni: _,
                },
            timeouts: _,
            ladder: _,
            mpubex_above_extra: _,
            apn: _,
            publish_window: _,
        } = cfg;
    };
};

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    /// The C defaults are the Rust ones (`Config::new`), field for field.
    #[test]
    fn c_defaults_are_the_rust_defaults() {
        let c = super::super::cellmqtt_config_default();
        let mut converted = core::mem::MaybeUninit::uninit();
        // SAFETY: every string and byte pointer of the defaults is NULL; `converted` is
        // writable, and initialised once `config` succeeded.
        let converted = unsafe {
            config(&c, converted.as_mut_ptr()).unwrap();
            converted.assume_init()
        };
        assert_eq!(
            format!("{converted:?}"),
            format!("{:?}", Config::new(b"", 1883, b""))
        );
    }

    /// The byte buffers of the configuration: each refusal with its own status and field.
    #[test]
    fn byte_buffers_are_refused_by_field() {
        static BYTES: [u8; limits::PAYLOAD_MAX + 1] = [b'x'; limits::PAYLOAD_MAX + 1];
        let convert = |c: &cellmqtt_config_t| {
            let mut out = core::mem::MaybeUninit::uninit();
            // SAFETY: every string is NULL or NUL-terminated and static; `BYTES` is static
            // and as long as every length used below; `out` is writable.
            unsafe { config(c, out.as_mut_ptr()) }
        };
        let fault = |status, field| Err(ConfigError { status, field });
        let mut c = super::super::cellmqtt_config_default();
        c.will_topic = c"w".as_ptr();
        c.will_payload_len = 1;
        assert_eq!(convert(&c), fault(Status::NullArg, F::WillPayload));
        c.will_payload_len = 0;
        assert_eq!(convert(&c), Ok(()));
        c.will_payload = BYTES.as_ptr();
        c.will_payload_len = limits::WILL_MAX + 1;
        assert_eq!(convert(&c), fault(Status::WillTooLong, F::WillPayload));
        c.will_payload_len = limits::WILL_MAX;
        assert_eq!(convert(&c), Ok(()));
        c.online_payload = BYTES.as_ptr();
        c.online_payload_len = limits::PAYLOAD_MAX + 1;
        assert_eq!(convert(&c), fault(Status::PayloadTooLong, F::OnlinePayload));
        c.online_payload_len = limits::PAYLOAD_MAX;
        assert_eq!(convert(&c), Ok(()));
    }

    extern "C" fn write(_: *mut core::ffi::c_void, _: *const u8, len: usize) -> i32 {
        i32::try_from(len).unwrap_or(i32::MAX)
    }
    extern "C" fn tick(_: *mut core::ffi::c_void) -> u32 {
        0
    }
    extern "C" fn log(_: *mut core::ffi::c_void, _: *const super::super::types::cellmqtt_log_t) {}

    /// A `log` callback: taken by the default build, refused by one without log entries
    /// (`make lean-test` runs this there), naming the field.
    #[test]
    fn a_log_callback_needs_the_log_part() {
        let mut c = super::super::cellmqtt_config_default();
        let mut bufs = [[0u8; 2048]; 4];
        let [rx, line, queue, subs] = &mut bufs;
        (c.rx_buf, c.rx_buf_len) = (rx.as_mut_ptr(), rx.len());
        (c.line_buf, c.line_buf_len) = (line.as_mut_ptr(), line.len());
        (c.queue_buf, c.queue_buf_len) = (queue.as_mut_ptr(), queue.len());
        (c.sub_buf, c.sub_buf_len) = (subs.as_mut_ptr(), subs.len());
        (c.host, c.client_id) = (c"broker".as_ptr(), c"dev".as_ptr());
        let mut cb = super::super::types::cellmqtt_callbacks_t {
            user: core::ptr::null_mut(),
            uart_write: Some(write),
            tick_ms: Some(tick),
            pin_set: None,
            on_message: None,
            on_event: None,
            log: Some(log),
            pin_get: None,
            on_at_line: None,
            on_urc: None,
        };
        let mut field = F::Host;
        // SAFETY: both structs and the buffers live for the call; the strings are static or
        // NULL; `field` is writable.
        let status = unsafe { super::super::cellmqtt_config_check(&c, &cb, &mut field) };
        match crate::parts::LOGS {
            true => assert_eq!((status, field), (Status::Ok, F::None)),
            false => assert_eq!((status, field), (Status::Unsupported, F::Log)),
        }
        cb.log = None;
        // SAFETY: as above.
        let status = unsafe { super::super::cellmqtt_config_check(&c, &cb, &mut field) };
        assert_eq!((status, field), (Status::Ok, F::None));
    }
}
