//! Empty: this package only pins the FreeRTOS-Kernel sources (see Cargo.toml).
