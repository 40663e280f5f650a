//! The C ABI. This module and its children are the only place with `unsafe`; every block says
//! why it is sound. Every pointer from C is checked, every length validated, and integers from C
//! are converted to Rust enums by value, never transmuted.
#![allow(unsafe_code)]

use crate::Status;
use core::ffi::c_char;

/// Upper-case name of a status code (`"QUEUE_FULL"`), or `"UNKNOWN"` for a value that is not
/// one. The string is static; never free it.
#[no_mangle]
pub extern "C" fn cellmqtt_status_str(status: i32) -> *const c_char {
    let name: &'static [u8] = match Status::from_code(status) {
        Some(s) => s.name_nul(),
        None => b"UNKNOWN\0",
    };
    name.as_ptr().cast()
}

/// Library version as `major << 16 | minor << 8 | patch`.
#[no_mangle]
pub extern "C" fn cellmqtt_version() -> u32 {
    crate::VERSION
}
