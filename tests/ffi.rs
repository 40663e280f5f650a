//! The C ABI driven from Rust (so Miri checks it for undefined behaviour): NULL and
//! uninitialised handles, double init, a full session, nested calls from callbacks.
#![allow(clippy::undocumented_unsafe_blocks)]

use cellmqtt::ffi::*;
use cellmqtt::{Pin, State, Status};
use core::ffi::c_void;
use std::cell::RefCell;

#[derive(Default)]
struct World {
    now: u32,
    tx: Vec<u8>,
    events: Vec<(EventKindCopy, u16, i32)>,
    messages: Vec<(Vec<u8>, Vec<u8>)>,
    pins: Vec<(Pin, bool)>,
    handle: Option<*mut cellmqtt_t>,
    nested: Vec<Status>,
    /// The callback that calls back into the library next (once: it disarms itself).
    reenter: Option<Reenter>,
    /// What the calls back in returned, by function.
    reentries: Vec<(&'static str, Status)>,
    /// What `cellmqtt_state` answered there.
    reentry_state: Option<State>,
}

/// A callback that calls back into the library (`World::reenter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reenter {
    UartWrite,
    Tick,
    Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EventKindCopy(u32);

unsafe fn world<'a>(user: *mut c_void) -> &'a RefCell<World> {
    unsafe { &*(user as *const RefCell<World>) }
}

unsafe extern "C" fn uart_write(user: *mut c_void, data: *const u8, len: usize) -> i32 {
    let w = unsafe { world(user) };
    unsafe { call_back_in(w, Reenter::UartWrite) };
    w.borrow_mut()
        .tx
        .extend_from_slice(unsafe { std::slice::from_raw_parts(data, len) });
    len as i32
}

unsafe extern "C" fn tick(user: *mut c_void) -> u32 {
    let w = unsafe { world(user) };
    unsafe { call_back_in(w, Reenter::Tick) };
    w.borrow().now
}

/// From callback `from`, when it is the one armed (`World::reenter`): calls the entry points
/// that take the engine and records what they return. Where the engine is at work (inside
/// `uart_write` and `tick_ms`) also those that would start, stop or end the session.
unsafe fn call_back_in(w: &RefCell<World>, from: Reenter) {
    if w.borrow().reenter != Some(from) {
        return;
    }
    w.borrow_mut().reenter = None;
    let h = w.borrow().handle.unwrap();
    let mut got = Vec::new();
    let mut id = 0u16;
    let mut stats = std::mem::MaybeUninit::<cellmqtt::Stats>::uninit();
    let state;
    unsafe {
        let x = b"x".as_ptr();
        let publish = cellmqtt_publish(h, c"nested".as_ptr(), x, 1, 1, false, &mut id);
        got.push(("cellmqtt_publish", publish));
        let subscribe = cellmqtt_subscribe(h, c"nested/#".as_ptr(), 1, &mut id);
        got.push(("cellmqtt_subscribe", subscribe));
        got.push(("cellmqtt_stats", cellmqtt_stats(h, stats.as_mut_ptr())));
        state = cellmqtt_state(h);
        if from != Reenter::Event {
            let unsubscribe = cellmqtt_unsubscribe(h, c"cmd/#".as_ptr(), &mut id);
            got.push(("cellmqtt_unsubscribe", unsubscribe));
            let at = cellmqtt_at_command(h, c"AT+CSQ".as_ptr(), 1000, &mut id);
            got.push(("cellmqtt_at_command", at));
            got.push((
                "cellmqtt_request_signal",
                cellmqtt_request_signal(h, &mut id),
            ));
            got.push(("cellmqtt_request_time", cellmqtt_request_time(h, &mut id)));
            let mut info = std::mem::MaybeUninit::uninit();
            got.push((
                "cellmqtt_module_info",
                cellmqtt_module_info(h, info.as_mut_ptr()),
            ));
            got.push(("cellmqtt_stop", cellmqtt_stop(h)));
            got.push(("cellmqtt_start", cellmqtt_start(h)));
            got.push(("cellmqtt_poll", cellmqtt_poll(h)));
            got.push(("cellmqtt_deinit", cellmqtt_deinit(h)));
            let (cfg, cb) = fresh_config();
            got.push(("cellmqtt_init", cellmqtt_init(h, &cfg, &cb)));
        }
        // The receive path takes no engine: allowed from every callback.
        got.push(("cellmqtt_feed", cellmqtt_feed(h, b"\r\n".as_ptr(), 2)));
    }
    let mut wm = w.borrow_mut();
    wm.reentries = got;
    wm.reentry_state = Some(state);
}

unsafe extern "C" fn pin_set(user: *mut c_void, pin: Pin, active: bool) {
    unsafe { world(user) }.borrow_mut().pins.push((pin, active));
}

unsafe extern "C" fn on_message(
    user: *mut c_void,
    t: *const u8,
    tl: usize,
    p: *const u8,
    pl: usize,
) {
    let w = unsafe { world(user) };
    let (topic, payload) = unsafe {
        (
            std::slice::from_raw_parts(t, tl).to_vec(),
            std::slice::from_raw_parts(p, pl).to_vec(),
        )
    };
    let h = w.borrow().handle.unwrap();
    // Publishing from inside the message callback is allowed; polling and deinit are not.
    let mut id = 0u16;
    let st = unsafe {
        cellmqtt_publish(
            h,
            c"echo".as_ptr(),
            payload.as_ptr(),
            payload.len(),
            0,
            false,
            &mut id,
        )
    };
    let nested = unsafe { cellmqtt_poll(h) };
    let deinit = unsafe { cellmqtt_deinit(h) };
    let mut wm = w.borrow_mut();
    wm.nested.push(st);
    wm.nested.push(nested);
    wm.nested.push(deinit);
    wm.messages.push((topic, payload));
}

unsafe extern "C" fn on_event(user: *mut c_void, ev: *const cellmqtt_event_t) {
    let ev = unsafe { &*ev };
    unsafe { call_back_in(world(user), Reenter::Event) };
    unsafe { world(user) }.borrow_mut().events.push((
        EventKindCopy(ev.kind as u32),
        ev.id,
        ev.status as i32,
    ));
}

struct Fixture {
    /// One raw pointer for the whole test, as C code would hold it.
    storage: *mut cellmqtt_t,
    /// Leaked so the pointer the callbacks get stays valid and is the only way in.
    world: &'static RefCell<World>,
    _bufs: Vec<Box<[u8]>>,
}

fn zeroed_handle() -> Box<cellmqtt_t> {
    // SAFETY: cellmqtt_t is plain integer storage; all-zero is its documented initial state.
    unsafe { Box::new(std::mem::zeroed()) }
}

impl Fixture {
    fn new() -> Fixture {
        let mut bufs: Vec<Box<[u8]>> = [
            CELLMQTT_RX_BUF_DEFAULT,
            CELLMQTT_LINE_BUF_DEFAULT,
            1024,
            256,
        ]
        .iter()
        .map(|n| vec![0u8; *n].into_boxed_slice())
        .collect();
        let world: &'static RefCell<World> = Box::leak(Box::new(RefCell::new(World {
            now: 5,
            ..Default::default()
        })));
        let mut cfg = cellmqtt_config_default();
        cfg.host = c"broker.example".as_ptr();
        cfg.client_id = c"dev-1".as_ptr();
        cfg.pins = CELLMQTT_PINS_RESET;
        cfg.rx_buf = bufs[0].as_mut_ptr();
        cfg.rx_buf_len = bufs[0].len();
        cfg.line_buf = bufs[1].as_mut_ptr();
        cfg.line_buf_len = bufs[1].len();
        cfg.queue_buf = bufs[2].as_mut_ptr();
        cfg.queue_buf_len = bufs[2].len();
        cfg.sub_buf = bufs[3].as_mut_ptr();
        cfg.sub_buf_len = bufs[3].len();
        let cb = cellmqtt_callbacks_t {
            user: world as *const RefCell<World> as *mut c_void,
            uart_write: Some(uart_write),
            tick_ms: Some(tick),
            pin_set: Some(pin_set),
            on_message: Some(on_message),
            on_event: Some(on_event),
            log: None,
            pin_get: None,
            on_at_line: None,
            on_urc: None,
        };
        let storage = Box::into_raw(zeroed_handle());
        let h = storage;
        assert_eq!(unsafe { cellmqtt_init(h, &cfg, &cb) }, Status::Ok);
        assert_eq!(unsafe { cellmqtt_init(h, &cfg, &cb) }, Status::WrongState);
        world.borrow_mut().handle = Some(h);
        Fixture {
            storage,
            world,
            _bufs: bufs,
        }
    }

    fn h(&mut self) -> *mut cellmqtt_t {
        self.storage
    }

    /// Feeds module output and polls; returns what the engine wrote.
    fn exchange(&mut self, rx: &[u8]) -> String {
        let h = self.h();
        assert_eq!(
            unsafe { cellmqtt_feed(h, rx.as_ptr(), rx.len()) },
            Status::Ok
        );
        assert_eq!(unsafe { cellmqtt_poll(h) }, Status::Ok);
        String::from_utf8(std::mem::take(&mut self.world.borrow_mut().tx)).unwrap()
    }
}

#[test]
fn null_and_uninitialised_handles_get_statuses() {
    let null = std::ptr::null_mut();
    unsafe {
        assert_eq!(cellmqtt_poll(null), Status::NullArg);
        assert_eq!(cellmqtt_start(null), Status::NullArg);
        assert_eq!(cellmqtt_feed(null, b"x".as_ptr(), 1), Status::NullArg);
        assert_eq!(
            cellmqtt_init(null, std::ptr::null(), std::ptr::null()),
            Status::NullArg
        );
        let mut zero = zeroed_handle();
        let h: *mut cellmqtt_t = &mut *zero;
        assert_eq!(cellmqtt_poll(h), Status::NotInitialized);
        assert_eq!(
            cellmqtt_publish(
                h,
                c"t".as_ptr(),
                std::ptr::null(),
                0,
                0,
                false,
                std::ptr::null_mut()
            ),
            Status::NotInitialized
        );
        assert_eq!(cellmqtt_state(h), State::Stopped);
        let cfg = cellmqtt_config_default();
        let cb = cellmqtt_callbacks_t {
            user: std::ptr::null_mut(),
            uart_write: None,
            tick_ms: None,
            pin_set: None,
            on_message: None,
            on_event: None,
            log: None,
            pin_get: None,
            on_at_line: None,
            on_urc: None,
        };
        assert_eq!(cellmqtt_init(h, &cfg, &cb), Status::NullArg);
        let cstr = |p: *const core::ffi::c_char| std::ffi::CStr::from_ptr(p).to_str().unwrap();
        assert_eq!(
            cstr(cellmqtt_status_str(Status::QueueFull as i32)),
            "QUEUE_FULL"
        );
        assert_eq!(cstr(cellmqtt_status_str(12345)), "UNKNOWN");
        assert_eq!(cstr(cellmqtt_state_str(State::Online as u32)), "online");
    }
}

#[test]
fn session_through_the_c_api_with_nested_calls_from_callbacks() {
    let mut f = Fixture::new();
    let h = f.h();
    assert_eq!(unsafe { cellmqtt_start(h) }, Status::Ok);
    let mut sub_id = 0;
    assert_eq!(
        unsafe { cellmqtt_subscribe(h, c"cmd/#".as_ptr(), 1, &mut sub_id) },
        Status::Ok
    );
    assert_eq!(f.exchange(b""), "AT\r");
    assert_eq!(f.exchange(b"\r\nOK\r\n"), "ATE0\r");
    assert_eq!(f.exchange(b"\r\nOK\r\n"), "AT+CPIN?\r");
    assert_eq!(f.exchange(b"\r\n+CPIN: READY\r\n\r\nOK\r\n"), "AT+CGSN\r");
    assert_eq!(
        f.exchange(b"\r\n866714043075174\r\n\r\nOK\r\n"),
        "AT+CGMR\r"
    );
    assert_eq!(
        f.exchange(b"\r\nAirM2M_780E_V1169_LTE_AT\r\n\r\nOK\r\n"),
        "AT+ICCID\r"
    );
    assert_eq!(
        f.exchange(b"\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n"),
        "AT+CIMI\r"
    );
    assert_eq!(
        f.exchange(b"\r\n460081234567890\r\n\r\nOK\r\n"),
        "AT+CGATT?\r"
    );
    assert_eq!(
        f.exchange(b"\r\n+CGATT: 1\r\n\r\nOK\r\n"),
        "AT+MQTTMSGSET=0\r"
    );
    assert_eq!(f.exchange(b"\r\nOK\r\n"), "AT+MQTTMODE=0\r");
    assert_eq!(f.exchange(b"\r\nOK\r\n"), "AT+MIPCLOSE\r");
    assert_eq!(
        f.exchange(b"\r\n+CME ERROR: 767\r\n"),
        "AT+MCONFIG=\"dev-1\",\"\",\"\"\r"
    );
    assert_eq!(
        f.exchange(b"\r\nOK\r\n"),
        "AT+MIPSTART=\"broker.example\",1883\r"
    );
    assert_eq!(
        f.exchange(b"\r\nOK\r\n\r\nCONNECT OK\r\n"),
        "AT+MCONNECT=1,120\r"
    );
    assert_eq!(
        f.exchange(b"\r\nOK\r\n\r\nCONNACK OK\r\n"),
        "AT+MSUB=\"cmd/#\",1\r"
    );
    assert_eq!(f.exchange(b"\r\nOK\r\n\r\nSUBACK\r\n"), "");
    assert_eq!(unsafe { cellmqtt_state(h) }, State::Online);
    // A message arrives; the callback publishes an echo (allowed) and tries to poll (BUSY).
    let tx = f.exchange(b"\r\n+MSUB: \"cmd/x\",5 byte,a\r\n\"b\r\n");
    assert_eq!(tx, "AT+MPUB=\"echo\",0,0,\"a\\0D\\0A\\22b\"\r");
    {
        let w = f.world.borrow();
        assert_eq!(w.messages, [(b"cmd/x".to_vec(), b"a\r\n\"b".to_vec())]);
        assert_eq!(w.nested, [Status::Ok, Status::Busy, Status::Busy]);
        assert_eq!(
            undocumented("cellmqtt_deinit", w.nested[2], "from a callback"),
            None
        );
    }
    f.exchange(b"\r\nOK\r\n");
    let mut stats = std::mem::MaybeUninit::<cellmqtt::Stats>::uninit();
    assert_eq!(unsafe { cellmqtt_stats(h, stats.as_mut_ptr()) }, Status::Ok);
    let stats = unsafe { stats.assume_init() };
    assert_eq!(
        (
            stats.messages_received,
            stats.publishes_done,
            stats.connects
        ),
        (1, 1, 1)
    );
    let w = f.world.borrow();
    assert!(w
        .events
        .contains(&(EventKindCopy(EventKind::Subscribed as u32), sub_id, 0)));
    assert!(w
        .events
        .contains(&(EventKindCopy(EventKind::Published as u32), 2, 0)));
    drop(w);
    // Bad arguments are refused with their own statuses, nothing queued.
    let mut id = 0;
    unsafe {
        assert_eq!(
            cellmqtt_publish(h, c"a/#".as_ptr(), b"x".as_ptr(), 1, 0, false, &mut id),
            Status::InvalidTopic
        );
        assert_eq!(
            cellmqtt_publish(h, c"a".as_ptr(), b"x".as_ptr(), 1, 3, false, &mut id),
            Status::InvalidQos
        );
        assert_eq!(
            cellmqtt_publish(h, c"a".as_ptr(), std::ptr::null(), 1, 0, false, &mut id),
            Status::NullArg
        );
        assert_eq!(
            cellmqtt_publish(h, c"a".as_ptr(), b"x".as_ptr(), 4101, 0, false, &mut id),
            Status::PayloadTooLong
        );
        assert_eq!(cellmqtt_queued(h), 0);
        assert_eq!(cellmqtt_stop(h), Status::Ok);
        assert_eq!(cellmqtt_deinit(h), Status::Ok);
        assert_eq!(cellmqtt_poll(h), Status::NotInitialized);
    }
}

/// Calls back in from inside `uart_write` (called while the engine writes a command) and
/// `tick_ms` (called while `cellmqtt_start` and `cellmqtt_stop` hold the engine): each entry
/// point that takes the engine returns `BUSY` and changes nothing, `cellmqtt_state` answers
/// the state the engine had when it was taken, `cellmqtt_feed` works. Before, each made a
/// second `&mut Engine` while the first was live (undefined behaviour; Miri flags it), and
/// the publish, subscribe, stop or deinit was done in the middle of the engine's work. From
/// `on_event`, after the work, publish & co still work.
#[test]
fn calls_from_inside_the_engines_work_are_busy() {
    let mut f = Fixture::new();
    let h = f.h();
    let busy_everywhere = |w: &World, from: &str| {
        assert_eq!(w.reentries.len(), 14, "from {from}");
        for &(function, status) in &w.reentries {
            if function == "cellmqtt_feed" {
                assert_eq!(status, Status::Ok, "{function} from {from}");
                continue;
            }
            assert_eq!(status, Status::Busy, "{function} from {from}");
            assert_eq!(undocumented(function, status, from), None);
        }
    };
    f.world.borrow_mut().reenter = Some(Reenter::Tick);
    assert_eq!(unsafe { cellmqtt_start(h) }, Status::Ok);
    busy_everywhere(&f.world.borrow(), "tick_ms in cellmqtt_start");
    assert_eq!(f.world.borrow().reentry_state, Some(State::Stopped));
    assert_eq!(unsafe { cellmqtt_state(h) }, State::Probing);

    f.world.borrow_mut().reenter = Some(Reenter::UartWrite);
    assert_eq!(f.exchange(b""), "AT\r");
    busy_everywhere(&f.world.borrow(), "uart_write");
    assert_eq!(f.world.borrow().reentry_state, Some(State::Probing));
    assert_eq!(unsafe { cellmqtt_state(h) }, State::Probing);

    f.world.borrow_mut().reenter = Some(Reenter::Tick);
    assert_eq!(f.exchange(b""), "");
    busy_everywhere(&f.world.borrow(), "tick_ms in cellmqtt_poll");
    f.world.borrow_mut().reenter = Some(Reenter::Tick);
    assert_eq!(unsafe { cellmqtt_stop(h) }, Status::Ok);
    busy_everywhere(&f.world.borrow(), "tick_ms in cellmqtt_stop");
    assert_eq!(f.world.borrow().reentry_state, Some(State::Probing));
    // Nothing the refused calls asked for happened: no publish queued, no filter added, the
    // session not started again after the stop, the handle still initialised.
    unsafe {
        assert_eq!(cellmqtt_queued(h), 0);
        let mut id = 0;
        assert_eq!(
            cellmqtt_unsubscribe(h, c"nested/#".as_ptr(), &mut id),
            Status::NotSubscribed
        );
        assert_eq!(cellmqtt_state(h), State::Stopped);
    }

    // After the engine's work, in `on_event`, the same calls work.
    assert_eq!(unsafe { cellmqtt_start(h) }, Status::Ok);
    f.world.borrow_mut().reenter = Some(Reenter::Event);
    f.exchange(b"");
    let w = f.world.borrow();
    let got: Vec<Status> = w.reentries.iter().map(|r| r.1).collect();
    assert_eq!(got, [Status::Ok; 4], "{:?}", w.reentries);
    assert_eq!(w.reentry_state, Some(unsafe { cellmqtt_state(h) }));
    assert_eq!(unsafe { cellmqtt_queued(h) }, 1);
}

#[test]
fn feed_overflow_is_reported() {
    let mut f = Fixture::new();
    let h = f.h();
    // A missing pointer and an impossible length each get their own status; nothing is read.
    let byte = b"x".as_ptr();
    assert_eq!(
        unsafe { cellmqtt_feed(h, std::ptr::null(), 1) },
        Status::NullArg
    );
    assert_eq!(
        unsafe { cellmqtt_feed(h, byte, usize::MAX) },
        Status::InvalidArg
    );
    assert_eq!(unsafe { cellmqtt_feed(h, std::ptr::null(), 0) }, Status::Ok);
    let big = vec![b'x'; CELLMQTT_RX_BUF_DEFAULT + 10];
    assert_eq!(
        unsafe { cellmqtt_feed(h, big.as_ptr(), big.len()) },
        Status::RxOverflow
    );
    assert_eq!(unsafe { cellmqtt_poll(h) }, Status::Ok);
    let w = f.world.borrow();
    assert!(w
        .events
        .iter()
        .any(|e| e.0 == EventKindCopy(EventKind::Loss as u32)));
}

/// The committed header: what C firmware teams read.
const HEADER: &str = include_str!("../include/cellmqtt.h");

/// The comment the header puts right before the declaration of `function`.
fn header_doc(function: &str) -> &'static str {
    let call = format!("{function}(");
    let decl = HEADER
        .match_indices(&call)
        .map(|(at, _)| at)
        .find(|&at| {
            let line_start = HEADER[..at].rfind('\n').map_or(0, |n| n + 1);
            let line = &HEADER[line_start..at];
            // A declaration, not a mention in a comment or a call in the inline init.
            !line.trim_start().starts_with('*')
                && !line.contains("return")
                && !line.contains("/*")
                && line.ends_with(' ')
        })
        .unwrap_or_else(|| panic!("{function} is not declared in the header"));
    let end = HEADER[..decl].rfind("*/").expect("a doc comment");
    let start = HEADER[..end].rfind("/**").expect("a doc comment");
    &HEADER[start..end]
}

/// Why `status`, which a call of `function` returned, breaks that function's header doc, if
/// the doc does not name it.
fn undocumented(function: &str, status: Status, case: &str) -> Option<String> {
    let name = unsafe { std::ffi::CStr::from_ptr(cellmqtt_status_str(status as i32)) };
    let name = format!("`{}`", name.to_str().unwrap());
    (!header_doc(function).contains(&name))
        .then(|| format!("{function} ({case}) returns {name}, which its header doc does not name"))
}

/// Every refusal a call returns is one its documentation in the header names: a C caller
/// switching on the documented statuses must not meet another. `cellmqtt_init` returned
/// `UNSUPPORTED` for a profile that cannot take a setting, `cellmqtt_subscribe` and
/// `cellmqtt_unsubscribe` named none of theirs, `cellmqtt_stats` and `cellmqtt_module_info`
/// not the `NULL_ARG` of a NULL `out`.
#[test]
fn every_refusal_is_named_in_the_header_doc_of_its_function() {
    let mut f = Fixture::new();
    let h = f.h();
    let long = std::ffi::CString::new(vec![b'f'; 257]).unwrap();
    let null = std::ptr::null_mut();
    let mut id = 0u16;
    let mut cases: Vec<(&str, &str, Status, Status)> = unsafe {
        vec![
            (
                "cellmqtt_subscribe",
                "NULL filter",
                cellmqtt_subscribe(h, std::ptr::null(), 0, &mut id),
                Status::NullArg,
            ),
            (
                "cellmqtt_subscribe",
                "QoS 3",
                cellmqtt_subscribe(h, c"a".as_ptr(), 3, &mut id),
                Status::InvalidQos,
            ),
            (
                "cellmqtt_subscribe",
                "'#' not last",
                cellmqtt_subscribe(h, c"a/#/b".as_ptr(), 0, &mut id),
                Status::InvalidTopic,
            ),
            (
                "cellmqtt_subscribe",
                "filter of 257 bytes",
                cellmqtt_subscribe(h, long.as_ptr(), 0, &mut id),
                Status::TopicTooLong,
            ),
            (
                "cellmqtt_unsubscribe",
                "NULL filter",
                cellmqtt_unsubscribe(h, std::ptr::null(), &mut id),
                Status::NullArg,
            ),
            (
                "cellmqtt_unsubscribe",
                "not subscribed",
                cellmqtt_unsubscribe(h, c"nope".as_ptr(), &mut id),
                Status::NotSubscribed,
            ),
            (
                "cellmqtt_unsubscribe",
                "filter of 257 bytes",
                cellmqtt_unsubscribe(h, long.as_ptr(), &mut id),
                Status::TopicTooLong,
            ),
            (
                "cellmqtt_stats",
                "NULL out",
                cellmqtt_stats(h, std::ptr::null_mut()),
                Status::NullArg,
            ),
            (
                "cellmqtt_module_info",
                "NULL out",
                cellmqtt_module_info(h, std::ptr::null_mut()),
                Status::NullArg,
            ),
            (
                "cellmqtt_publish",
                "NULL payload with a length",
                cellmqtt_publish(h, c"t".as_ptr(), std::ptr::null(), 1, 0, false, null),
                Status::NullArg,
            ),
            (
                "cellmqtt_at_command",
                "a second command",
                cellmqtt_at_command(h, c"AT+CSQ;+CREG?".as_ptr(), 100, &mut id),
                Status::InvalidArg,
            ),
            (
                "cellmqtt_feed",
                "NULL data with a length",
                cellmqtt_feed(h, std::ptr::null(), 1),
                Status::NullArg,
            ),
        ]
    };
    let mut filters = 0;
    let full = loop {
        let filter = std::ffi::CString::new(format!("full/{filters:03}")).unwrap();
        let st = unsafe { cellmqtt_subscribe(h, filter.as_ptr(), 0, &mut id) };
        if st != Status::Ok {
            break st;
        }
        filters += 1;
        assert!(filters < 100, "the subscription table never fills");
    };
    cases.push((
        "cellmqtt_subscribe",
        "table full",
        full,
        Status::SubscriptionsFull,
    ));
    // Settings a profile cannot take: init refuses them, as `cellmqtt_config_check` does.
    type Change = fn(&mut cellmqtt_config_t);
    let settings: [(&str, Change, Status); 3] = [
        (
            "publish window 2 on Luat",
            |c| c.publish_window = 2,
            Status::Unsupported,
        ),
        (
            "cache mode on Quectel",
            |c| {
                c.profile = ProfileId::Ec200u as u32;
                c.options |= CELLMQTT_OPT_CACHE_MODE;
            },
            Status::Unsupported,
        ),
        (
            "will topic of 257 bytes",
            |c| c.will_topic = std::ffi::CString::new(vec![b'w'; 257]).unwrap().into_raw(),
            Status::TopicTooLong,
        ),
    ];
    for (case, change, want) in settings {
        let (mut cfg, cb) = fresh_config();
        change(&mut cfg);
        let fresh = Box::into_raw(zeroed_handle());
        let st = unsafe { cellmqtt_init(fresh, &cfg, &cb) };
        cases.push(("cellmqtt_init", case, st, want));
    }
    let mut missing = Vec::new();
    for (function, case, got, want) in cases {
        assert_eq!(got, want, "{function}: {case}");
        missing.extend(undocumented(function, got, case));
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// A valid configuration and callbacks over buffers of their own (leaked, as a test's).
fn fresh_config() -> (cellmqtt_config_t, cellmqtt_callbacks_t) {
    let buf = |n: usize| Box::leak(vec![0u8; n].into_boxed_slice());
    let mut cfg = cellmqtt_config_default();
    cfg.host = c"broker.example".as_ptr();
    cfg.client_id = c"dev-1".as_ptr();
    let (rx, line, queue, subs) = (buf(1024), buf(1664), buf(1024), buf(256));
    (cfg.rx_buf, cfg.rx_buf_len) = (rx.as_mut_ptr(), rx.len());
    (cfg.line_buf, cfg.line_buf_len) = (line.as_mut_ptr(), line.len());
    (cfg.queue_buf, cfg.queue_buf_len) = (queue.as_mut_ptr(), queue.len());
    (cfg.sub_buf, cfg.sub_buf_len) = (subs.as_mut_ptr(), subs.len());
    let cb = cellmqtt_callbacks_t {
        user: std::ptr::null_mut(),
        uart_write: Some(uart_write),
        tick_ms: Some(tick),
        pin_set: None,
        on_message: None,
        on_event: None,
        log: None,
        pin_get: None,
        on_at_line: None,
        on_urc: None,
    };
    (cfg, cb)
}
