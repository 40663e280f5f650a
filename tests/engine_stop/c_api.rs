//! The C API on a Luat module that answers every command: init, start, stop, deinit on one
//! storage, as C firmware calls them (`stop_polled_to_its_end_then_deinit_and_init_again`).
#![allow(clippy::undocumented_unsafe_blocks)]
use cellmqtt::ffi::*;
use cellmqtt::{Pin, State, Status};
use core::ffi::c_void;
use std::cell::RefCell;

/// The clock, what was written, the pins driven.
type World = (u32, Vec<u8>, Vec<(Pin, bool)>);

thread_local! {
    /// The module's world (the callbacks ignore `user`).
    pub static WORLD: RefCell<World> = RefCell::default();
}

unsafe extern "C" fn uart_write(_: *mut c_void, data: *const u8, len: usize) -> i32 {
    let bytes = unsafe { std::slice::from_raw_parts(data, len) };
    WORLD.with_borrow_mut(|w| w.1.extend_from_slice(bytes));
    len as i32
}

unsafe extern "C" fn tick(_: *mut c_void) -> u32 {
    WORLD.with_borrow(|w| w.0)
}

unsafe extern "C" fn pin_set(_: *mut c_void, pin: Pin, active: bool) {
    WORLD.with_borrow_mut(|w| w.2.push((pin, active)));
}

/// A Luat module's answer to a command line (docs/luat-at.md §5).
fn answer(cmd: &[u8]) -> &'static [u8] {
    match cmd {
        b"AT+CPIN?" => b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
        b"AT+CGATT?" => b"\r\n+CGATT: 1\r\n\r\nOK\r\n",
        b"AT+MIPCLOSE" => b"\r\n+CME ERROR: 767\r\n",
        _ if cmd.starts_with(b"AT+MIPSTART") => b"\r\nOK\r\n\r\nCONNECT OK\r\n",
        _ if cmd.starts_with(b"AT+MCONNECT") => b"\r\nOK\r\n\r\nCONNACK OK\r\n",
        _ => b"\r\nOK\r\n",
    }
}

pub struct Fixture {
    pub h: *mut cellmqtt_t,
    /// Everything written to the module.
    pub wire: Vec<u8>,
    cfg: cellmqtt_config_t,
    cb: cellmqtt_callbacks_t,
}

impl Fixture {
    pub fn new() -> Self {
        let buf = |n: usize| Box::leak(vec![0u8; n].into_boxed_slice());
        let mut cfg = cellmqtt_config_default();
        (cfg.host, cfg.client_id) = (c"broker.example".as_ptr(), c"dev-1".as_ptr());
        cfg.pins = CELLMQTT_PINS_RESET;
        (cfg.timeouts.silence_ms, cfg.timeouts.boot_ms) = (2_000, 2_000);
        let (rx, line) = (buf(CELLMQTT_RX_BUF_DEFAULT), buf(CELLMQTT_LINE_BUF_DEFAULT));
        let (queue, subs) = (buf(1024), buf(256));
        (cfg.rx_buf, cfg.rx_buf_len) = (rx.as_mut_ptr(), rx.len());
        (cfg.line_buf, cfg.line_buf_len) = (line.as_mut_ptr(), line.len());
        (cfg.queue_buf, cfg.queue_buf_len) = (queue.as_mut_ptr(), queue.len());
        (cfg.sub_buf, cfg.sub_buf_len) = (subs.as_mut_ptr(), subs.len());
        // SAFETY: integers, pointers and optional function pointers: zero is NULL/None.
        let mut cb: cellmqtt_callbacks_t = unsafe { std::mem::zeroed() };
        cb.uart_write = Some(uart_write);
        cb.tick_ms = Some(tick);
        cb.pin_set = Some(pin_set);
        // Zeroed storage, as C's static storage is: the documented initial state.
        let h = Box::into_raw(Box::new(unsafe { std::mem::zeroed::<cellmqtt_t>() }));
        Fixture {
            h,
            wire: vec![],
            cfg,
            cb,
        }
    }

    /// `cellmqtt_init` on the fixture's storage, then `cellmqtt_start`.
    pub fn init_and_start(&mut self) {
        assert_eq!(
            unsafe { cellmqtt_init(self.h, &self.cfg, &self.cb) },
            Status::Ok
        );
        assert_eq!(unsafe { cellmqtt_start(self.h) }, Status::Ok);
    }

    /// Polls, the module answering each command line unless `dead`; then `ms` pass.
    pub fn step(&mut self, dead: bool, ms: u32) {
        assert_eq!(unsafe { cellmqtt_poll(self.h) }, Status::Ok);
        let tx = WORLD.with_borrow_mut(|w| std::mem::take(&mut w.1));
        self.wire.extend_from_slice(&tx);
        for cmd in tx.split(|&b| b == b'\r').filter(|c| !c.is_empty() && !dead) {
            let a = answer(cmd);
            assert_eq!(
                unsafe { cellmqtt_feed(self.h, a.as_ptr(), a.len()) },
                Status::Ok
            );
        }
        WORLD.with_borrow_mut(|w| w.0 += ms);
    }

    /// Online (40 polls of a cooperative module), or asserting RESET for a silent one.
    pub fn reach(&mut self, online: bool) {
        let reset = |w: &World| w.2.last() == Some(&(Pin::Reset, true));
        for _ in 0..100 {
            if online && self.state() == State::Online || !online && WORLD.with_borrow(reset) {
                return;
            }
            self.step(!online, if online { 100 } else { 500 });
        }
        panic!("not reached: online {online}");
    }

    pub fn state(&self) -> State {
        unsafe { cellmqtt_state(self.h) }
    }

    /// `cellmqtt_stop`, `polls` polls, then `cellmqtt_deinit` until it takes the handle
    /// (polling on while it refuses with `WRONG_STATE`); true if its first call took it.
    pub fn stop_deinit(&mut self, polls: usize) -> bool {
        assert_eq!(unsafe { cellmqtt_stop(self.h) }, Status::Ok);
        for _ in 0..polls {
            self.step(false, 100);
        }
        for first in [true, false].into_iter().chain([false; 20]) {
            match unsafe { cellmqtt_deinit(self.h) } {
                Status::Ok => return first,
                refused => assert_eq!(refused, Status::WrongState),
            }
            self.step(false, 100);
        }
        panic!("deinit never took the handle");
    }

    pub fn reset_level(&self) -> Option<bool> {
        let last = WORLD.with_borrow(|w| w.2.iter().rev().find(|p| p.0 == Pin::Reset).copied());
        last.map(|p| p.1)
    }
}
