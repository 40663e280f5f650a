//! AT+SSLCFG (docs/luat-at.md §6.1) and the module's flash file system for certificates (§6.2).
//!
//! The file system is emulated in memory: AT+FSCREATE / AT+FSWRITE (with its `>` prompt and
//! exact byte count) / AT+FSDEL, plus `--file NAME=PATH` to preload files. Files survive
//! reboots (flash); SSLCFG values do not (RAM).

use std::time::{Duration, Instant};

use super::basic::set_args;
use super::{DataKind, DataMode, Final, Module};
use crate::at::{Command, Form};

/// TLS parameters for one connect: Luat `AT+SSLMIPSTART` (from `AT+SSLCFG` context 88),
/// Quectel `AT+QMTOPEN` (`AT+QSSLCFG`), SIMCom `AT+CMQTTCONNECT` (`AT+CSSLCFG`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// 0 = no verification, 1 = verify the server, 2 = also present a client certificate.
    pub seclevel: u8,
    pub ca_pem: Option<Vec<u8>>,
    pub client_cert_pem: Option<Vec<u8>>,
    pub client_key_pem: Option<Vec<u8>>,
    /// SNI and verification name (SSLCFG "hostname", else the MIPSTART host).
    pub server_name: String,
    /// SSLCFG "sslversion": 3 = TLS 1.2 only, 4 (or unset) = any; 0..2 cannot be negotiated.
    pub version: Option<u8>,
    /// Why the settings cannot work (e.g. a missing certificate file); the connect fails.
    pub problem: Option<String>,
}

const SSL_TAGS: &[&str] = &[
    "sslversion",
    "ciphersuite",
    "cacert",
    "clientcert",
    "clientkey",
    "seclevel",
    "hostname",
    "ignorelocaltime",
    "negotiatetimeout",
    "clientrandom",
    "premaster",
    "verifymode",
];
const MAX_FILE: usize = 10_240;
const MAX_NAME: usize = 64;

impl Module {
    pub(crate) fn ssl_command(&mut self, now: Instant, cmd: &Command) -> Final {
        match cmd.name.as_str() {
            "+SSLCFG" => self.cmd_sslcfg(now, cmd),
            "+FSCREATE" => self.cmd_fscreate(cmd),
            "+FSWRITE" => self.cmd_fswrite(now, cmd),
            "+FSDEL" => self.cmd_fsdel(cmd),
            "+FSLS" => {
                let names: Vec<String> = self.files.keys().cloned().collect();
                for n in names {
                    self.info(now, &n);
                }
                Final::Ok
            }
            _ => Final::Error,
        }
    }

    fn cmd_sslcfg(&mut self, now: Instant, cmd: &Command) -> Final {
        if cmd.form == Form::Test {
            return Final::Ok;
        }
        let Some(args) = set_args(cmd) else {
            return Final::Error;
        };
        if args.len() < 2 || args.len() > 3 || !args[0].quoted {
            return Final::Error;
        }
        let tag = args[0].as_str().to_ascii_lowercase();
        if !SSL_TAGS.contains(&tag.as_str()) {
            return Final::Error;
        }
        let Some(ctx) = args[1].as_int().filter(|c| (0..=255).contains(c)) else {
            return Final::Error;
        };
        let key = (ctx as u16, tag.clone());
        match args.get(2) {
            None => {
                // Query form.
                let v = self.s.ssl.get(&key).cloned().unwrap_or_default();
                let shown = if tag.ends_with("cert") || tag.ends_with("key") || tag == "hostname" {
                    format!("\"{v}\"")
                } else {
                    v
                };
                let t = format!("+SSLCFG: \"{tag}\",{ctx},{shown}");
                self.info(now, &t);
                Final::Ok
            }
            Some(v) if v.value.is_empty() => {
                // A trailing comma with no value erases the parameter.
                self.s.ssl.remove(&key);
                Final::Ok
            }
            Some(v) => {
                let value = v.as_str();
                let numeric_ok = match tag.as_str() {
                    "seclevel" => matches!(value.as_str(), "0" | "1" | "2"),
                    "sslversion" => matches!(value.as_str(), "0" | "1" | "2" | "3" | "4"),
                    "ignorelocaltime" | "verifymode" => matches!(value.as_str(), "0" | "1"),
                    "negotiatetimeout" => {
                        value.parse::<u32>().is_ok_and(|n| (10..=300).contains(&n))
                    }
                    _ => true,
                };
                if !numeric_ok {
                    return Final::Error;
                }
                self.s.ssl.insert(key, value);
                Final::Ok
            }
        }
    }

    fn file_name(cmd: &Command) -> Option<(String, Vec<crate::at::Arg>)> {
        let args = set_args(cmd)?;
        let name = args.first()?.as_str();
        if name.is_empty() || name.len() > MAX_NAME || name.contains(['/', '\\']) {
            return None;
        }
        Some((name, args))
    }

    fn cmd_fscreate(&mut self, cmd: &Command) -> Final {
        match Self::file_name(cmd) {
            Some((name, args)) if args.len() == 1 => {
                self.files.entry(name).or_default();
                Final::Ok
            }
            _ => Final::Error,
        }
    }

    fn cmd_fsdel(&mut self, cmd: &Command) -> Final {
        match Self::file_name(cmd) {
            Some((name, args)) if args.len() == 1 => match self.files.remove(&name) {
                Some(_) => Final::Ok,
                None => Final::Cme(62),
            },
            _ => Final::Error,
        }
    }

    /// `AT+FSWRITE=<filename>,<mode>,<filesize>,<inputtime>`: prompt, then exactly filesize
    /// bytes within inputtime seconds, else `TimeOut`.
    fn cmd_fswrite(&mut self, now: Instant, cmd: &Command) -> Final {
        let Some((name, args)) = Self::file_name(cmd) else {
            return Final::Error;
        };
        let [_, mode, size, secs] = args.as_slice() else {
            return Final::Error;
        };
        let (Some(mode @ 0..=1), Some(size), Some(secs)) =
            (mode.as_int(), size.as_int(), secs.as_int())
        else {
            return Final::Error;
        };
        if size < 1 || size as usize > MAX_FILE || !(1..=3600).contains(&secs) {
            return Final::Error;
        }
        if !self.files.contains_key(&name) {
            return Final::Cme(62);
        }
        self.data = Some(DataMode {
            kind: DataKind::FsWrite {
                name,
                append: mode == 1,
            },
            expected: Some(size as usize),
            buf: Vec::with_capacity(size as usize),
            deadline: now + Duration::from_secs(secs as u64),
            idle: None,
        });
        self.raw_out(now, b"\r\n> ".to_vec());
        Final::Pending
    }
}
