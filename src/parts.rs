// SPDX-License-Identifier: MIT OR Apache-2.0
//! The parts a product may leave out of its build (Cargo features; the default has them all).
//!
//! Each part is a constant the code tests like any other condition, rather than `#[cfg]` on
//! every item: every build type-checks the same code, and with the constant false the
//! optimizer removes what only that part reaches. A configuration that asks for a part the
//! build left out is refused at init with `UNSUPPORTED`, naming the field, so nothing a
//! product asks for is skipped silently. `make size` lists what each part costs.

/// TLS settings: `Options::TLS`, the `tls_*` fields and the families' SSL commands.
pub const TLS: bool = cfg!(feature = "tls");
/// The message-cache receive mode (`Options::CACHE_MODE`, Luat `AT+MQTTMSGGET`).
pub const CACHE_MODE: bool = cfg!(feature = "cache-mode");
/// Luat `AT+MPUBEX`: without it, payloads `AT+MPUB` cannot carry are refused at publish.
pub const MPUBEX: bool = cfg!(feature = "mpubex");
/// Signal reports: `Options::REPORT_SIGNAL` and `cellmqtt_request_signal`.
pub const SIGNAL_REPORTS: bool = cfg!(feature = "signal-reports");
/// The network time: `cellmqtt_request_time` and the reading of `+CCLK` into a `Time` notice.
/// Without it a `+CCLK` line is only information (an application's own `AT+CCLK?` still gets
/// its answer line).
pub const NETWORK_TIME: bool = cfg!(feature = "network-time");
/// The ladder's power steps (supply cut and PWRKEY power-on, `Pins::POWER`): without them the
/// ladder ends at the RESET pin and the soft reset.
pub const POWER_CYCLE: bool = cfg!(feature = "power-cycle");
/// The names `cellmqtt_*_str` return.
pub const NAMES: bool = cfg!(feature = "names");
/// Log entries: the `log` callback's account of what failed and why (the command or line, its
/// error code). Without them the counters, losses, state and recovery events still report
/// every failure, and a `log` callback is refused at init.
pub const LOGS: bool = cfg!(feature = "logs");

#[cfg(all(test, feature = "luat"))]
mod tests {
    use crate::config::{Config, Options, Pins};
    use crate::config_field::ConfigField as F;
    use crate::Status;

    /// What `check` says to `cfg`: `None` when it accepts it, else the field and status.
    fn verdict(cfg: &Config<'_>) -> Option<(F, Status)> {
        cfg.check().err().map(|e| (e.field, e.status))
    }

    // Run in the default build (every part: each request accepted) and in the lean build of
    // `make lean-test` (no part: each refused, naming its field).
    #[test]
    fn a_request_for_a_part_the_build_left_out_is_refused_by_field() {
        let base = Config::new(b"broker", 1883, b"dev");
        let cases: [(bool, Config<'_>, F); 5] = [
            (
                super::TLS,
                Config {
                    options: Options::TLS,
                    ..base
                },
                F::Options,
            ),
            (
                super::CACHE_MODE,
                Config {
                    options: Options::CACHE_MODE,
                    ..base
                },
                F::Options,
            ),
            (
                super::SIGNAL_REPORTS,
                Config {
                    options: Options::REPORT_SIGNAL,
                    ..base
                },
                F::Options,
            ),
            (
                super::POWER_CYCLE,
                Config {
                    pins: Pins::POWER,
                    ..base
                },
                F::Pins,
            ),
            (
                super::TLS,
                Config {
                    tls: crate::config::TlsConfig {
                        sni: b"broker",
                        ..base.tls
                    },
                    ..base
                },
                F::TlsSni,
            ),
        ];
        assert_eq!(verdict(&base), None);
        for (built, cfg, field) in cases {
            let expected = (!built).then_some((field, Status::Unsupported));
            assert_eq!(verdict(&cfg), expected, "{field:?}");
        }
    }

    // As above: the default build serves each request, the lean build refuses it.
    #[test]
    fn a_request_the_build_left_out_is_refused_and_its_line_only_informs() {
        let (mut line, mut queue, mut subs) = ([0u8; 256], [0u8; 256], [0u8; 64]);
        let bufs = crate::engine::Buffers {
            line: &mut line,
            queue: &mut queue,
            subs: &mut subs,
        };
        let mut engine = crate::engine::Engine::new(Config::new(b"broker", 1883, b"dev"), bufs)
            .expect("the base configuration is accepted");
        let refused = |built: bool| (!built).then_some(Status::Unsupported);
        assert_eq!(engine.request_time().err(), refused(super::NETWORK_TIME));
        assert_eq!(
            engine.request_signal().err(),
            refused(super::SIGNAL_REPORTS)
        );
        let time = crate::dialect::common::decode_standard(b"+CCLK: \"24/08/22,07:27:15+32\"");
        let expected = match super::NETWORK_TIME {
            true => crate::dialect::Response::Clock {
                utc_s: 777_598_035,
                zone: 32,
            },
            false => crate::dialect::Response::Info,
        };
        assert_eq!(time, Some(expected));
    }
}
