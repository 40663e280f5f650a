// SPDX-License-Identifier: MIT OR Apache-2.0
//! The C ABI. This module and its children are the only place with `unsafe`; every block says
//! why it is sound. Every pointer from C is checked, every length validated, and integers from
//! C are converted to Rust enums by value, never transmuted.
//!
//! Threading: `cellmqtt_feed` may run in an interrupt or another task; every other function
//! belongs to one application context (or is serialised by the port's mutex).
#![allow(unsafe_code)]

mod convert;
mod dispatch;
mod handle;
mod names;
mod port;
mod types;

pub use handle::{cellmqtt_t, CELLMQTT_HANDLE_WORDS};
pub use types::*;

use crate::config::{Config, Ladder, Pins, Timeouts};
use crate::config_field::{ConfigError, ConfigField};
use crate::engine::ring::RxRing;
use crate::engine::{Buffers, Engine};
use crate::event::{Event, State};
use crate::stats::Stats;
use crate::Status;
use core::ffi::c_char;
use core::mem::MaybeUninit;
use handle::Handle;

/// Runs `f` on the engine of an initialised handle; `Busy` while the engine is held (from
/// `uart_write` or `tick_ms`: a second `&mut Engine` would be undefined behaviour).
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage; called from the application context.
unsafe fn with_engine<T>(
    h: *const cellmqtt_t,
    f: impl FnOnce(&Handle, &mut Engine<'static>) -> Result<T, Status>,
) -> Result<T, Status> {
    // SAFETY: forwarded from the caller.
    let handle = unsafe { handle::claim_engine(h)? };
    // SAFETY: application context, the engine claimed as held; the reference lives only for
    // `f`, whose only callback (`tick_ms`) finds it held.
    let engine = unsafe { handle.engine() };
    let r = f(handle, engine);
    handle.release_engine();
    r
}

fn status_of<T>(r: Result<T, Status>) -> Status {
    match r {
        Ok(_) => Status::Ok,
        Err(e) => e,
    }
}

/// A configuration with every default: profile Air724UG, clean session, keep-alive 120 s,
/// port 1883, timeouts from the vendor documentation, ladder 3 re-connects / 2 resets.
/// Strings and buffers are NULL and must be filled in.
#[no_mangle]
pub extern "C" fn cellmqtt_config_default() -> cellmqtt_config_t {
    // Zero, then what is not: measured 50 B smaller than a literal of every field.
    // SAFETY: the struct holds only integers and raw pointers, for which zero (NULL) is valid.
    let mut c: cellmqtt_config_t = unsafe { core::mem::zeroed() };
    c.profile = ProfileId::Air724ug as u32;
    c.options = CELLMQTT_OPT_CLEAN_SESSION;
    c.port = 1883;
    c.keepalive_s = 120;
    c.tls_version = -1;
    c.tls_seclevel = -1;
    c.timeouts = Timeouts::DEFAULT;
    // The ladder's other defaults are zero (asserted below).
    c.ladder.reconnects_before_reset = Ladder::DEFAULT.reconnects_before_reset;
    c.ladder.resets_before_power_cycle = Ladder::DEFAULT.resets_before_power_cycle;
    c.mpubex_above_extra = 32;
    c.publish_window = 1;
    c
}

const _: () = {
    let l = Ladder::DEFAULT;
    assert!(l.power_cycle_limit == 0 && l.refusal_limit == 0 && l.broker_reset_after_s == 0);
};

/// Initialises `h` as `cellmqtt_init` does (the header's inline function of that name calls
/// this with the header's `CELLMQTT_ABI_VERSION` and struct sizes). Returns `ABI_MISMATCH`,
/// reading neither struct, when they are not this library's: a header from another version
/// would otherwise make the library misread the structs.
///
/// # Safety
/// As `cellmqtt_init`; `cfg` and `cb` are at least `config_size` and `callbacks_size` bytes.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_init_abi(
    h: *mut cellmqtt_t,
    cfg: *const cellmqtt_config_t,
    cb: *const cellmqtt_callbacks_t,
    abi_version: u32,
    handle_size: usize,
    config_size: usize,
    callbacks_size: usize,
) -> Status {
    if abi_version != CELLMQTT_ABI_VERSION
        || handle_size != core::mem::size_of::<cellmqtt_t>()
        || config_size != core::mem::size_of::<cellmqtt_config_t>()
        || callbacks_size != core::mem::size_of::<cellmqtt_callbacks_t>()
    {
        return Status::AbiMismatch;
    }
    // SAFETY: forwarded from the caller; the header matches this library.
    unsafe { cellmqtt_init(h, cfg, cb) }
}

/// Initialises `h` (storage of `sizeof(cellmqtt_t)`, zeroed or never initialised) from `cfg`
/// and `cb`. Both structs are copied; the strings and buffers they point to are borrowed for
/// the life of the handle. Nothing is sent until `cellmqtt_start`.
///
/// Returns `NULL_ARG`, `BUFFER_TOO_SMALL`, `INVALID_CONFIG`, `STRING_TOO_LONG`,
/// `INVALID_STRING`, `INVALID_TOPIC`, `TOPIC_TOO_LONG` (the will topic), `WILL_TOO_LONG`,
/// `INVALID_QOS`, `PAYLOAD_TOO_LONG`, `UNSUPPORTED` (a setting the profile or this build
/// cannot take: a `publish_window` above 1 where acknowledgements carry no id, `CACHE_MODE`
/// outside Luat, a part the build left out), `WRONG_STATE` (already initialised:
/// `cellmqtt_deinit` first) or `BUSY` (from a callback). `cellmqtt_config_check` names the
/// field a refusal is about.
///
/// # Safety
/// `h`, `cfg` and `cb` are NULL or valid; the strings and buffers in `cfg` stay valid and
/// unaliased while the handle is in use.
/// (Rust callers use this directly; C callers reach it through `cellmqtt_init_abi`.)
pub unsafe fn cellmqtt_init(
    h: *mut cellmqtt_t,
    cfg: *const cellmqtt_config_t,
    cb: *const cellmqtt_callbacks_t,
) -> Status {
    if h.is_null() || cfg.is_null() || cb.is_null() {
        return Status::NullArg;
    }
    // SAFETY: h is non-null and points to cellmqtt_t storage per the contract.
    match unsafe { handle::from_ptr(h) } {
        Ok(existing) if existing.is_busy() => return Status::Busy,
        Ok(_) => return Status::WrongState,
        Err(_) => {}
    }
    // SAFETY: non-null, and valid for reads per the contract; both are plain-data structs,
    // read in place (the callbacks are copied into the handle below).
    let (c, cb) = unsafe { (&*cfg, &*cb) };
    let mut config = MaybeUninit::uninit();
    // SAFETY: string/buffer validity is the caller's contract.
    // The handle's own storage: no buffer may lie in it.
    let storage = (h.addr(), core::mem::size_of::<cellmqtt_t>());
    let dialect = match unsafe { checked_config(c, cb, storage, &mut config) } {
        Ok(d) => d,
        Err(e) => return e.status,
    };
    // SAFETY: `checked_config` succeeded, so it wrote every field.
    let config = unsafe { config.assume_init_ref() };
    let slot = h.cast::<Handle>();
    // SAFETY: as above; `checked_config` ran `check_buffers`; the storage is large and aligned
    // enough for Handle (const-asserted in handle.rs) and not initialised.
    unsafe { write_handle(slot, c, cb, config, dialect) };
    // SAFETY: just written.
    unsafe { (*slot).mark_initialised() };
    Status::Ok
}

/// Builds the handle in `slot`. (Inlined: out of line, measured 34 B larger, Luat, now that
/// `Engine::new_checked` is built into the storage wherever it is inlined.)
///
/// # Safety
/// `c` passed `checked_config` (which returned `dialect` for `config`); its buffers satisfy
/// `convert::buffers`; `slot` is writable storage for a `Handle`, not initialised.
unsafe fn write_handle(
    slot: *mut Handle,
    c: &cellmqtt_config_t,
    cb: &cellmqtt_callbacks_t,
    config: &Config<'static>,
    dialect: crate::dialect::Dialect,
) {
    // SAFETY: forwarded from the caller.
    let bufs = unsafe { convert::buffers(c) };
    // `checked_config` ran `Engine::check_config` on this configuration and `check_buffers`
    // on these buffers: all `Engine::check_setup` checks.
    let engine = Engine::new_checked(
        *config,
        dialect,
        Buffers {
            line: bufs.line,
            queue: bufs.queue,
            subs: bufs.subs,
        },
    );
    // Zeroed first: most of a new engine is zeros, whose stores the compiler then leaves out
    // (measured 32 B smaller).
    // SAFETY: `slot` is writable storage for a `Handle`, holding nothing to drop.
    unsafe { slot.write_bytes(0, 1) };
    // SAFETY: forwarded from the caller; overwriting the storage drops nothing.
    unsafe { Handle::write_new(slot, RxRing::new(bufs.rx), *cb, engine) };
}

/// Everything `cellmqtt_init` checks before it touches the buffers; writes `config` in place
/// (initialised when this returns `Ok`) and returns its dialect. `storage` (address, bytes):
/// the handle's, which no buffer may overlap (`(0, 0)` where there is none).
///
/// # Safety
/// As `convert::config`.
unsafe fn checked_config(
    c: &cellmqtt_config_t,
    cb: &cellmqtt_callbacks_t,
    storage: (usize, usize),
    config: &mut MaybeUninit<Config<'static>>,
) -> Result<crate::dialect::Dialect, ConfigError> {
    if cb.uart_write.is_none() {
        return ConfigField::UartWrite.err(Status::NullArg);
    }
    if cb.tick_ms.is_none() {
        return ConfigField::TickMs.err(Status::NullArg);
    }
    if !crate::parts::LOGS && cb.log.is_some() {
        // It would never be called: refused, as any request for a part the build left out.
        return ConfigField::Log.err(Status::Unsupported);
    }
    // SAFETY: forwarded from the caller; `config` is valid for writes.
    unsafe { convert::config(c, config.as_mut_ptr())? };
    // SAFETY: `convert::config` succeeded, so it wrote every field.
    let config = unsafe { config.assume_init_ref() };
    // Declared lines must be usable: a RESET pulse into a NULL callback would "recover" a
    // hung module forever without ever reaching it.
    if config
        .pins
        .intersects(Pins::RESET | Pins::POWER | Pins::PWRKEY)
        && cb.pin_set.is_none()
    {
        return ConfigField::PinSet.err(Status::InvalidConfig);
    }
    if config.pins.contains(Pins::STATUS) && cb.pin_get.is_none() {
        return ConfigField::PinGet.err(Status::InvalidConfig);
    }
    convert::check_buffers(c, storage)?;
    // The checks below read the configuration back from memory. Without this barrier the
    // compiler carries every converted field from the conversion above to them, in registers
    // and stack spills (measured 64 B smaller with it). It orders nothing that matters at run
    // time: the configuration is this call's own, seen by no other context.
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    // `check_buffers` holds each buffer to the minimum `Engine::check_setup` would.
    Engine::check_config(config)
}

/// Checks `cfg` and `cb` as `cellmqtt_init` would, without initialising anything, and writes
/// the field a refusal is about to `*out_field` (if not NULL; `CELLMQTT_CONFIG_FIELD_NONE`
/// when the configuration is valid). Returns the status `cellmqtt_init` would return for it.
/// `cellmqtt_config_field_str` names the field.
///
/// # Safety
/// `cfg` and `cb` are NULL or valid; the strings in `cfg` are NUL-terminated or NULL;
/// `out_field` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_config_check(
    cfg: *const cellmqtt_config_t,
    cb: *const cellmqtt_callbacks_t,
    out_field: *mut ConfigField,
) -> Status {
    let result = if cfg.is_null() || cb.is_null() {
        Err(ConfigError {
            status: Status::NullArg,
            field: ConfigField::None,
        })
    } else {
        let mut config = MaybeUninit::uninit();
        // SAFETY: non-null and valid per the contract; plain-data structs; the strings are
        // read only during this call.
        unsafe { checked_config(&*cfg, &*cb, (0, 0), &mut config) }.map(|_| ())
    };
    let (status, field) = match result {
        Ok(()) => (Status::Ok, ConfigField::None),
        Err(e) => (e.status, e.field),
    };
    if !out_field.is_null() {
        // SAFETY: non-null out pointer from the caller.
        unsafe { out_field.write(field) };
    }
    status
}

/// Marks the handle uninitialised (after `cellmqtt_stop`, when nothing else uses it), so the
/// storage and buffers may be reused or initialised again. `cellmqtt_poll` until the state is
/// `STOPPED` first: the stop's MQTT disconnect and close, and the release of a pin a recovery
/// step holds, are done by later polls, and a handle deinitialised before them skips them
/// (the broker then sees the link drop and publishes the will). `BUSY` from a callback (the
/// handle is in use, `tick_ms` inside any call), `NOT_INITIALIZED` for storage that holds no
/// handle.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_deinit(h: *mut cellmqtt_t) -> Status {
    // SAFETY: forwarded from the caller.
    match unsafe { handle::from_ptr(h) } {
        Ok(handle) if handle.is_busy() => Status::Busy,
        Ok(handle) => {
            handle.mark_dead();
            Status::Ok
        }
        Err(e) => e,
    }
}

/// Starts the session (power-on if needed, SIM, attach, connect, subscriptions) and keeps it
/// up until `cellmqtt_stop`. Returns at once; `cellmqtt_poll` does the work. Called while a
/// stop is under way, the session starts again once the stop has left the broker. `BUSY` from
/// `uart_write` or `tick_ms` (the engine is at work: nothing is started).
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_start(h: *mut cellmqtt_t) -> Status {
    // SAFETY: forwarded from the caller.
    status_of(unsafe { with_engine(h, |hd, e| e.start(hd.now())) })
}

/// Leaves the broker (`AT+MDISCONNECT`, `AT+MIPCLOSE`) and stops. Queued publishes and the
/// subscription table are kept for the next start. `BUSY` from `uart_write` or `tick_ms` (the
/// engine is at work: nothing is stopped).
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_stop(h: *mut cellmqtt_t) -> Status {
    // SAFETY: forwarded from the caller.
    status_of(unsafe {
        with_engine(h, |hd, e| {
            e.stop(hd.now());
            Ok(())
        })
    })
}

/// Hands bytes received from the module UART to the engine. Safe from an interrupt or another
/// task (never blocks, runs no callback). Returns `RX_OVERFLOW` when the RX ring could not
/// take them all; the rest is dropped, counted and reported as a `LOSS` event. After an
/// overflow the ring takes nothing until `cellmqtt_poll` has read up to where bytes went
/// missing (those bytes are dropped and counted too): a message the gap cut is counted as
/// `message_corrupt`, never delivered with bytes from after the gap. `NULL_ARG` for a NULL
/// `data` with bytes to give, `INVALID_ARG` for a `len` above `PTRDIFF_MAX`.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage; `data` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_feed(h: *mut cellmqtt_t, data: *const u8, len: usize) -> Status {
    // SAFETY: forwarded from the caller.
    let handle = match unsafe { handle::from_ptr_inline(h) } {
        Ok(hd) => hd,
        Err(e) => return e,
    };
    if len == 0 {
        return Status::Ok;
    }
    if data.is_null() {
        return Status::NullArg;
    }
    // No object is larger: a length past it is a caller's error, not a missing pointer.
    if len > isize::MAX as usize {
        return Status::InvalidArg;
    }
    // SAFETY: `data` is valid for `len` bytes per the contract.
    let bytes = unsafe { core::slice::from_raw_parts(data, len) };
    if handle.ring.push(bytes) == len {
        Status::Ok
    } else {
        Status::RxOverflow
    }
}

/// Does all work that is due (handles received bytes, fires deadlines, writes commands) and
/// runs the callbacks for what happened (`tick_ms` first, `uart_write` as commands go out, the
/// others after the work they report). Never blocks. `BUSY` when called from a callback.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage; application context only.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_poll(h: *mut cellmqtt_t) -> Status {
    // SAFETY: forwarded from the caller.
    let handle = match unsafe { handle::from_ptr_inline(h) } {
        Ok(hd) => hd,
        Err(e) => return e,
    };
    if let Err(e) = handle.enter() {
        return e;
    }
    dispatch::read_status_line(handle);
    // From here `tick_ms` and `uart_write` run while the engine is at work.
    handle.take_engine();
    let now = handle.now();
    let mut uart = port::CallbackUart::new(&handle.cb);
    // SAFETY: poll is claimed, so this is the ring's only reader.
    let mut rx = unsafe { handle.ring.reader_unchecked() };
    loop {
        // SAFETY: application context, the engine claimed as held by poll's work; the
        // reference is re-derived every turn and not used after the engine is lent to a
        // callback (which may make its own for publish & co).
        let engine = unsafe { handle.engine() };
        let dialect = engine.dialect();
        let Some(event) = engine.poll(now, &mut rx, &mut uart) else {
            break;
        };
        // The engine's work is done until the next turn: the callbacks may take it.
        handle.lend_engine();
        match event {
            Event::Message { topic, payload } => {
                let (t, tl, p, pl) = (topic.as_ptr(), topic.len(), payload.as_ptr(), payload.len());
                if let Some(f) = handle.cb.on_message {
                    // SAFETY: the pointers stay valid during the call: they point into the line
                    // buffer, which only poll writes, and poll is claimed until we return.
                    unsafe { f(handle.cb.user, t, tl, p, pl) };
                }
            }
            Event::AtLine { id, line } => {
                if let Some(f) = handle.cb.on_at_line {
                    // SAFETY: as for a message: the line buffer, valid during the call.
                    unsafe { f(handle.cb.user, id, line.as_ptr(), line.len()) };
                }
            }
            Event::Urc { line } => {
                if let Some(f) = handle.cb.on_urc {
                    // SAFETY: as for a message: the line buffer, valid during the call.
                    unsafe { f(handle.cb.user, line.as_ptr(), line.len()) };
                }
            }
            Event::Notice(n) => dispatch::notice(handle, n, dialect),
        }
        handle.take_engine();
    }
    handle.leave();
    Status::Ok
}

/// Milliseconds the caller may sleep before the next `cellmqtt_poll` unless RX bytes arrive
/// (0 = poll now, `UINT32_MAX` = nothing scheduled). For tickless idle. A NULL or
/// uninitialised handle (before init, after deinit) has nothing scheduled: `UINT32_MAX`, so a
/// superloop that sleeps by it does not spin. From `uart_write` or `tick_ms` (the engine is at
/// work, the poll under way decides) also `UINT32_MAX`.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_poll_delay_ms(h: *const cellmqtt_t) -> u32 {
    // SAFETY: forwarded from the caller.
    unsafe { with_engine(h, |hd, e| Ok(e.poll_delay_ms(hd.now(), &hd.ring))) }.unwrap_or(u32::MAX)
}

/// Queues a publish of `payload` (`len` bytes, up to 4100) to `topic` (NUL-terminated, no
/// wildcards). On success `*out_id` (if not NULL) gets the message id of the later
/// `PUBLISHED` / `PUBLISH_FAILED` event: 1-65,535, never one a queued publish or a
/// subscription still holds (a refused publish takes none). The topic and payload are copied.
///
/// Returns `INVALID_QOS`, `INVALID_TOPIC`, `TOPIC_TOO_LONG`, `PAYLOAD_TOO_LONG`, `QUEUE_FULL`,
/// `BUFFER_TOO_SMALL` (could never fit the arena), `NULL_ARG`, `BUSY` (from `uart_write` or
/// `tick_ms`, while the engine is at work: nothing is queued; from the other callbacks a
/// publish works).
///
/// # Safety
/// `h` valid storage or NULL; `topic` NUL-terminated or NULL; `payload` valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_publish(
    h: *mut cellmqtt_t,
    topic: *const c_char,
    payload: *const u8,
    len: usize,
    qos: u8,
    retain: bool,
    out_id: *mut u16,
) -> Status {
    // SAFETY: forwarded from the caller.
    let r = unsafe {
        with_engine(h, |_, e| {
            let args = if topic.is_null() {
                Err(Status::NullArg)
            } else {
                topic_str(topic)
            }
            .and_then(|t| {
                let p = convert::c_bytes(payload, len, crate::config::limits::PAYLOAD_MAX)?;
                Ok((t, p))
            });
            // One refusal path for every argument the C side got wrong.
            match args {
                Ok((t, p)) => e.publish(t, p, qos, retain),
                Err(err) => Err(e.reject_publish(err)),
            }
        })
    };
    write_id(r, out_id)
}

/// Subscribes to `filter` (wildcards allowed) with `qos`; kept across re-connects. A
/// `SUBSCRIBED` event with `*out_id` follows once the broker confirms. A filter whose request
/// has not gone out yet keeps that request: `*out_id` is its id again, and one event answers
/// both calls (a request already out gets its own event; `SUBSCRIBE_FAILED` with `LINK_LOST`
/// if the link goes before its result).
///
/// Returns `INVALID_QOS`, `INVALID_TOPIC` (empty, a wildcard not a whole level, a byte the
/// module cannot take), `TOPIC_TOO_LONG` (above 256 bytes), `SUBSCRIPTIONS_FULL` (no room in
/// `sub_buf`), `NULL_ARG`, `BUSY` (from `uart_write` or `tick_ms`: nothing is added).
///
/// # Safety
/// `h` valid storage or NULL; `filter` NUL-terminated or NULL.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_subscribe(
    h: *mut cellmqtt_t,
    filter: *const c_char,
    qos: u8,
    out_id: *mut u16,
) -> Status {
    if filter.is_null() {
        return Status::NullArg;
    }
    // SAFETY: forwarded from the caller.
    let r = unsafe { with_engine(h, |_, e| e.subscribe(topic_str(filter)?, qos)) };
    write_id(r, out_id)
}

/// Unsubscribes from `filter`; an `UNSUBSCRIBED` event with `*out_id` follows (at once for a
/// filter the current connection was never sent). A filter whose request has not gone out yet
/// keeps that request's id, as for `cellmqtt_subscribe`.
///
/// Returns `NOT_SUBSCRIBED` (the filter is not in the table), `TOPIC_TOO_LONG`, `NULL_ARG`,
/// `BUSY` (from `uart_write` or `tick_ms`: nothing is removed).
///
/// # Safety
/// `h` valid storage or NULL; `filter` NUL-terminated or NULL.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_unsubscribe(
    h: *mut cellmqtt_t,
    filter: *const c_char,
    out_id: *mut u16,
) -> Status {
    if filter.is_null() {
        return Status::NullArg;
    }
    // SAFETY: forwarded from the caller.
    let r = unsafe { with_engine(h, |_, e| e.unsubscribe(topic_str(filter)?)) };
    write_id(r, out_id)
}

/// A topic or filter argument; too long is `TOPIC_TOO_LONG`.
///
/// # Safety
/// `topic` is a valid NUL-terminated string.
unsafe fn topic_str(topic: *const c_char) -> Result<&'static [u8], Status> {
    // SAFETY: forwarded; the slice is only used during the call despite its 'static type.
    unsafe { convert::c_string(topic) }.ok_or(Status::TopicTooLong)
}

fn write_id(r: Result<u16, Status>, out_id: *mut u16) -> Status {
    match r {
        Ok(id) => {
            if !out_id.is_null() {
                // SAFETY: non-null out pointer from the caller, valid for a u16 write.
                unsafe { out_id.write(id) };
            }
            Status::Ok
        }
        Err(e) => e,
    }
}

/// Queues an AT command (`"AT+CMGR=1"`, NUL-terminated, at most 56 bytes, no `;`) to be sent
/// between the session's own commands. Each information line of its answer goes to
/// `on_at_line` with `*out_id`; an `AT_DONE` event with the same id ends it (`OK`,
/// `MODULE_ERROR` with the `+CME ERROR` code, `TIMEOUT` after `timeout_ms`, `COMMAND_REFUSED`
/// when it opened a data prompt (cancelled with ESC: nothing could feed it), `STOPPED`, or
/// `LINK_LOST` when the module rebooted before answering: it is not sent again, as it may be
/// what rebooted the module).
/// URCs that arrive meanwhile still go where they belong. The text is copied.
///
/// Returns `QUEUE_FULL` (two are waiting), `COMMAND_REFUSED` (it would break the session:
/// MQTT, TLS and TCP/IP commands of the session, `ATE`, `ATQ`, the UART's settings, data
/// prompts such as `AT+CMGS`, data calls, the multiplexer, sleep, detach, and resets unless
/// `CELLMQTT_OPT_ALLOW_RESET_COMMANDS`, whatever spaces the line holds and in any of its basic
/// commands (`ATI E1`); read and test forms ending in `?` are always allowed), `STRING_TOO_LONG`, `INVALID_ARG` (not `AT...`,
/// a control byte or `;`, timeout 0), `NULL_ARG`, `BUSY` (from `uart_write` or `tick_ms`).
///
/// # Safety
/// `h` valid storage or NULL; `command` NUL-terminated or NULL; `out_id` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_at_command(
    h: *mut cellmqtt_t,
    command: *const c_char,
    timeout_ms: u32,
    out_id: *mut u16,
) -> Status {
    if command.is_null() {
        return Status::NullArg;
    }
    // SAFETY: forwarded from the caller; the text is copied during the call.
    let r = unsafe {
        with_engine(h, |_, e| {
            let text =
                convert::c_str(command, crate::engine::AT_TEXT_MAX).ok_or(Status::StringTooLong)?;
            e.at_command(text, timeout_ms)
        })
    };
    write_id(r, out_id)
}

/// Asks for the signal quality now (`AT+CSQ` between the session's commands): a `SIGNAL`
/// event follows, then `AT_DONE` with `*out_id`. `QUEUE_FULL` when two commands wait;
/// `UNSUPPORTED` from a library built without signal reports; `BUSY` from `uart_write` or
/// `tick_ms`.
///
/// # Safety
/// `h` valid storage or NULL; `out_id` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_request_signal(h: *mut cellmqtt_t, out_id: *mut u16) -> Status {
    // SAFETY: forwarded from the caller.
    let r = unsafe { with_engine(h, |_, e| e.request_signal()) };
    write_id(r, out_id)
}

/// Asks for the network time now (`AT+CCLK?`): a `TIME` event follows, then `AT_DONE` with
/// `*out_id`. `QUEUE_FULL` when two commands wait; `UNSUPPORTED` from a library built without
/// the network time; `BUSY` from `uart_write` or `tick_ms`.
///
/// # Safety
/// `h` valid storage or NULL; `out_id` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_request_time(h: *mut cellmqtt_t, out_id: *mut u16) -> Status {
    // SAFETY: forwarded from the caller.
    let r = unsafe { with_engine(h, |_, e| e.request_time()) };
    write_id(r, out_id)
}

/// Copies what the module said about itself (IMEI, ICCID, IMSI, firmware revision) to
/// `*out`; fields are empty strings until read (once per module boot, after the SIM is ready).
/// `NULL_ARG` for a NULL `out`, `BUSY` from `uart_write` or `tick_ms` (nothing is written).
///
/// # Safety
/// `h` is NULL or valid storage; `out` is NULL or valid for a write.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_module_info(
    h: *const cellmqtt_t,
    out: *mut cellmqtt_module_info_t,
) -> Status {
    if out.is_null() {
        return Status::NullArg;
    }
    // SAFETY: forwarded from the caller.
    let r = unsafe {
        with_engine(h, |_, e| {
            let f = e.module_facts();
            let mut info = cellmqtt_module_info_t {
                imei: [0; 17],
                iccid: [0; 23],
                imsi: [0; 17],
                revision: [0; 33],
            };
            copy_c(&mut info.imei, f.imei.get());
            copy_c(&mut info.iccid, f.iccid.get());
            copy_c(&mut info.imsi, f.imsi.get());
            copy_c(&mut info.revision, f.revision.get());
            Ok(info)
        })
    };
    match r {
        Ok(info) => {
            // SAFETY: non-null, valid for writes per the contract.
            unsafe { out.write(info) };
            Status::Ok
        }
        Err(e) => e,
    }
}

/// Copies `src` into `dst`, always leaving a terminating NUL (the fields are sized for it).
fn copy_c(dst: &mut [c_char], src: &[u8]) {
    let room = dst.len().saturating_sub(1);
    for (d, s) in dst.iter_mut().zip(src.iter().take(room)) {
        *d = *s as c_char;
    }
}

/// Current session state (`STOPPED` for a NULL or uninitialised handle). From `uart_write` or
/// `tick_ms`, where the engine is at work and cannot be read, the state it was in when that
/// work began (when the start, stop or poll under way took it, or after the poll's last
/// callback).
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_state(h: *const cellmqtt_t) -> State {
    // SAFETY: forwarded from the caller.
    match unsafe { with_engine(h, |_, e| Ok(e.state())) } {
        Ok(state) => state,
        // SAFETY: as above; `Busy` comes only from an initialised handle.
        Err(Status::Busy) => unsafe { handle::from_ptr(h) }
            .ok()
            .and_then(Handle::state_while_held)
            .unwrap_or(State::Stopped),
        Err(_) => State::Stopped,
    }
}

/// Copies the counters to `*out`; `NULL_ARG` for a NULL `out`, `BUSY` from `uart_write` or
/// `tick_ms` (the engine is at work: nothing is written).
///
/// # Safety
/// `h` is NULL or valid storage; `out` is NULL or valid for a `cellmqtt_stats_t` write.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_stats(h: *const cellmqtt_t, out: *mut Stats) -> Status {
    if out.is_null() {
        return Status::NullArg;
    }
    // SAFETY: forwarded from the caller.
    let r = unsafe { with_engine(h, |_, e| Ok(*e.stats())) };
    match r {
        Ok(s) => {
            // SAFETY: non-null, valid for writes per the contract.
            unsafe { out.write(s) };
            Status::Ok
        }
        Err(e) => e,
    }
}

/// Publishes queued and not yet confirmed (including the one in flight); 0 for a NULL or
/// uninitialised handle and from `uart_write` or `tick_ms` (the engine is at work).
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_queued(h: *const cellmqtt_t) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { with_engine(h, |_, e| Ok(e.queued())) }.unwrap_or(0)
}

/// Bytes `cellmqtt_feed` can take right now (an RX task can hold the rest back); 0 after an
/// overflow until `cellmqtt_poll` has read up to where bytes went missing.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_rx_free(h: *const cellmqtt_t) -> usize {
    // SAFETY: forwarded from the caller; only the ring's indices are read.
    match unsafe { handle::from_ptr(h) } {
        Ok(hd) => hd.ring.free(),
        Err(_) => 0,
    }
}

/// Topic + payload bytes a publish may have to be queued right now (0 when full), so a
/// caller can wait instead of collecting `QUEUE_FULL` refusals. 0 from `uart_write` or
/// `tick_ms`, where a publish is `BUSY`.
///
/// # Safety
/// `h` is NULL or valid `cellmqtt_t` storage.
#[no_mangle]
pub unsafe extern "C" fn cellmqtt_queue_room(h: *const cellmqtt_t) -> usize {
    // SAFETY: forwarded from the caller.
    unsafe { with_engine(h, |_, e| Ok(e.queue_room())) }.unwrap_or(0)
}

/// Upper-case name of a status code (`"QUEUE_FULL"`), or `"UNKNOWN"`. Static; never free it.
/// Empty (`""`) in a library built without the names, for the smallest flash.
#[no_mangle]
pub extern "C" fn cellmqtt_status_str(status: i32) -> *const c_char {
    names::status(status).as_ptr().cast()
}

/// Lower-case name of a state (`"online"`), or `"unknown"`. Static; never free it.
/// Empty (`""`) in a library built without the names, for the smallest flash.
#[no_mangle]
pub extern "C" fn cellmqtt_state_str(state: u32) -> *const c_char {
    names::state(state).as_ptr().cast()
}

/// Lower-case name of a recovery step (`"reset_pin"`), or `"unknown"`.
/// Empty (`""`) in a library built without the names, for the smallest flash.
#[no_mangle]
pub extern "C" fn cellmqtt_recovery_str(step: u32) -> *const c_char {
    names::recovery(step).as_ptr().cast()
}

/// Name of a configuration field as spelled in `cellmqtt_config_t` / `cellmqtt_callbacks_t`
/// (`"password"`), `"none"`, or `"unknown"`. Static; never free it.
/// Empty (`""`) in a library built without the names, for the smallest flash.
#[no_mangle]
pub extern "C" fn cellmqtt_config_field_str(field: u32) -> *const c_char {
    names::config_field(field).as_ptr().cast()
}

/// Lower-case name of a loss kind (`"rx_overflow"`), or `"unknown"`.
/// Empty (`""`) in a library built without the names, for the smallest flash.
#[no_mangle]
pub extern "C" fn cellmqtt_loss_str(kind: u32) -> *const c_char {
    names::loss(kind).as_ptr().cast()
}

/// Library version as `major << 16 | minor << 8 | patch`.
#[no_mangle]
pub extern "C" fn cellmqtt_version() -> u32 {
    crate::VERSION
}
