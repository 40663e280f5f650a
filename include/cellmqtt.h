/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt: MQTT through the built-in client of Cat.1 modules (Luat, Quectel). Generated from the library's sources by cbindgen; do not edit. */

#ifndef CELLMQTT_H
#define CELLMQTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The handle's size depends on the pointer width; the library checks it at compile time. */
#if UINTPTR_MAX > 0xFFFFFFFFu
#define CELLMQTT_PTR64 1
#endif

/** The version of the library this header belongs to. */
#define CELLMQTT_VERSION_MAJOR 0
#define CELLMQTT_VERSION_MINOR 1
#define CELLMQTT_VERSION_PATCH 0
/** As `cellmqtt_version()` returns it: major << 16 | minor << 8 | patch. */
#define CELLMQTT_VERSION ((CELLMQTT_VERSION_MAJOR << 16) | (CELLMQTT_VERSION_MINOR << 8) | CELLMQTT_VERSION_PATCH)

#if defined(CELLMQTT_PTR64)
/**
 * Handle storage in 8-byte words (the header's `cellmqtt_t` is this big).
 */
#define CELLMQTT_HANDLE_WORDS 168
#endif

#if !defined(CELLMQTT_PTR64)
/**
 * Handle storage in 8-byte words (the header's `cellmqtt_t` is this big).
 */
#define CELLMQTT_HANDLE_WORDS 128
#endif

/**
 * `cellmqtt_config_t.options` bits. A library built without TLS, the message cache or
 * signal reports refuses TLS, CACHE_MODE or REPORT_SIGNAL at init (`UNSUPPORTED`, field
 * `options`), and the `tls_*` fields with the field's name.
 */
#define CELLMQTT_OPT_TLS (1 << 0)

#define CELLMQTT_OPT_CACHE_MODE (1 << 1)

#define CELLMQTT_OPT_CLEAN_SESSION (1 << 2)

#define CELLMQTT_OPT_NO_MPUBEX (1 << 3)

#define CELLMQTT_OPT_REPORT_SIGNAL (1 << 4)

/**
 * Connect with the module's IMEI (read at every boot) as the client id; `client_id` may be
 * NULL (it is the fallback if the module gives no IMEI).
 */
#define CELLMQTT_OPT_CLIENT_ID_IMEI (1 << 5)

/**
 * Let `cellmqtt_at_command` send commands that reboot or switch off the module
 * (`AT+RESET`, `AT+CFUN=...`, `AT+CPOWD`, `ATZ`).
 */
#define CELLMQTT_OPT_ALLOW_RESET_COMMANDS (1 << 6)

/**
 * Queued AT commands that can wait at once, and the longest one (`AT` included).
 */
#define CELLMQTT_AT_SLOTS 2

#define CELLMQTT_AT_TEXT_MAX 56

/**
 * `cellmqtt_config_t.pins` bits: which control lines the board wires. A library built
 * without the power steps of the recovery ladder refuses POWER (`UNSUPPORTED`, field `pins`).
 */
#define CELLMQTT_PINS_RESET (1 << 0)

#define CELLMQTT_PINS_POWER (1 << 1)

#define CELLMQTT_PINS_PWRKEY (1 << 2)

/**
 * The module's STATUS (power indication) line is wired as an input, read through `pin_get`.
 */
#define CELLMQTT_PINS_STATUS (1 << 3)

/**
 * Recommended buffer sizes (bytes) for the `*_buf` fields.
 */
#define CELLMQTT_RX_BUF_DEFAULT 1024

/**
 * Holds a line and an incoming message (topic + payload); larger messages are dropped and
 * counted. 1664 covers a 256-byte topic with the 1360-byte direct-mode payload limit of the
 * vendor FAQ; raise it to 4400 to receive the 4100 bytes the EC618 manual allows.
 */
#define CELLMQTT_LINE_BUF_DEFAULT 1664

#define CELLMQTT_QUEUE_BUF_DEFAULT 4096

#define CELLMQTT_SUB_BUF_DEFAULT 512

/**
 * Smallest accepted sizes.
 */
#define CELLMQTT_RX_BUF_MIN 64

/**
 * The version of this header's binary interface: raised whenever a struct, an enum value or a
 * function signature changes incompatibly. `cellmqtt_init` passes it (with the sizes of the
 * structs) so a library built for another header refuses to start.
 */
#define CELLMQTT_ABI_VERSION 1

#define CELLMQTT_LINE_BUF_MIN 128

#define CELLMQTT_QUEUE_BUF_MIN 64

#define CELLMQTT_SUB_BUF_MIN 16

/**
 * The modules' limits (from the vendor manuals the README lists), checked before anything is
 * sent: topics, client id, user, password, will topic.
 */
#define CELLMQTT_STRING_MAX 256

/**
 * Will message.
 */
#define CELLMQTT_WILL_MAX 1360

/**
 * Publish payload.
 */
#define CELLMQTT_PAYLOAD_MAX 4100

/**
 * Broker host name.
 */
#define CELLMQTT_HOST_MAX 255

/**
 * Certificate file names in the module file system.
 */
#define CELLMQTT_FILE_MAX 64

/**
 * Result of every API call, and the reason carried by failure events.
 */
enum cellmqtt_status_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : int32_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * Success.
   */
  CELLMQTT_STATUS_OK = 0,
  /**
   * A required pointer argument was NULL.
   */
  CELLMQTT_STATUS_NULL_ARG = -1,
  /**
   * The handle was never initialised (or its storage was overwritten).
   */
  CELLMQTT_STATUS_NOT_INITIALIZED = -2,
  /**
   * Called from inside one of this handle's callbacks where that is not allowed
   * (`cellmqtt_poll`, `cellmqtt_init` or `cellmqtt_deinit` from any callback; every call
   * that takes the engine from `uart_write` or `tick_ms`, which run while it is at work).
   */
  CELLMQTT_STATUS_BUSY = -3,
  /**
   * An argument is out of range (unknown enum value, zero length where one is needed, ...).
   */
  CELLMQTT_STATUS_INVALID_ARG = -4,
  /**
   * The configuration is inconsistent (a required string missing, a timeout of zero, ...).
   */
  CELLMQTT_STATUS_INVALID_CONFIG = -5,
  /**
   * A caller-provided buffer is missing or smaller than the documented minimum.
   */
  CELLMQTT_STATUS_BUFFER_TOO_SMALL = -6,
  /**
   * A topic is longer than the module accepts (256 bytes).
   */
  CELLMQTT_STATUS_TOPIC_TOO_LONG = -7,
  /**
   * A topic is empty, holds a wildcard where none is allowed, is not UTF-8 (MQTT requires
   * it), or holds bytes the module cannot take.
   */
  CELLMQTT_STATUS_INVALID_TOPIC = -8,
  /**
   * A payload is longer than the module accepts on the configured profile.
   */
  CELLMQTT_STATUS_PAYLOAD_TOO_LONG = -9,
  /**
   * QoS is not 0, 1 or 2.
   */
  CELLMQTT_STATUS_INVALID_QOS = -10,
  /**
   * The publish queue has no room for this message; nothing was queued.
   */
  CELLMQTT_STATUS_QUEUE_FULL = -11,
  /**
   * The subscription table has no room for another filter.
   */
  CELLMQTT_STATUS_SUBSCRIPTIONS_FULL = -12,
  /**
   * The filter to unsubscribe is not in the subscription table.
   */
  CELLMQTT_STATUS_NOT_SUBSCRIBED = -13,
  /**
   * A configuration string (client id, user, password, host, APN, TLS file name or SNI) is
   * too long; a will topic that is too long is `TOPIC_TOO_LONG`, a will message
   * `WILL_TOO_LONG`.
   */
  CELLMQTT_STATUS_STRING_TOO_LONG = -14,
  /**
   * A configuration string holds a byte the AT syntax cannot carry (a quote or a control
   * byte), or the client id or user name is not UTF-8 (MQTT requires it).
   */
  CELLMQTT_STATUS_INVALID_STRING = -15,
  /**
   * The will message is longer than the module accepts (1360 bytes).
   */
  CELLMQTT_STATUS_WILL_TOO_LONG = -16,
  /**
   * The operation needs a started session (`cellmqtt_start` first) or is not valid in this state.
   */
  CELLMQTT_STATUS_WRONG_STATE = -17,
  /**
   * `cellmqtt_feed` could not take every byte: the RX ring is full (the rest is dropped and counted).
   */
  CELLMQTT_STATUS_RX_OVERFLOW = -18,
  /**
   * The module answered `ERROR` or `+CME ERROR`.
   */
  CELLMQTT_STATUS_MODULE_ERROR = -20,
  /**
   * An answer or acknowledgement did not arrive before its deadline.
   */
  CELLMQTT_STATUS_TIMEOUT = -21,
  /**
   * The MQTT link was lost (`CLOSED`, PDN/PDP deactivation, module reboot).
   */
  CELLMQTT_STATUS_LINK_LOST = -22,
  /**
   * The session was stopped by the application.
   */
  CELLMQTT_STATUS_STOPPED = -23,
  /**
   * The UART write callback reported an error.
   */
  CELLMQTT_STATUS_UART_ERROR = -24,
  /**
   * The module reported no SIM (`+CPIN: SIM REMOVED`, `+CME ERROR: 10`).
   */
  CELLMQTT_STATUS_SIM_ABSENT = -25,
  /**
   * The SIM needs a PIN or PUK, which this library does not enter.
   */
  CELLMQTT_STATUS_SIM_LOCKED = -26,
  /**
   * The module did not attach to the packet network before the deadline.
   */
  CELLMQTT_STATUS_NOT_ATTACHED = -27,
  /**
   * The TCP/TLS connection to the broker failed (`CONNECT FAIL`).
   */
  CELLMQTT_STATUS_CONNECT_FAILED = -28,
  /**
   * The broker refused or dropped the MQTT connect (`ERROR` after `AT+MCONNECT`).
   */
  CELLMQTT_STATUS_CONNACK_FAILED = -29,
  /**
   * The module did not answer at all (no final result to a command).
   */
  CELLMQTT_STATUS_NO_RESPONSE = -30,
  /**
   * The recovery ladder ran out (the configured power-cycle limit was reached).
   */
  CELLMQTT_STATUS_GAVE_UP = -31,
  /**
   * The module or profile does not support the requested feature.
   */
  CELLMQTT_STATUS_UNSUPPORTED = -32,
  /**
   * The broker refused the MQTT connect (bad credentials, client id not allowed, ...):
   * `ERROR` after `AT+MCONNECT`'s `OK`, or the link closed before `CONNACK OK`. Fix the
   * configuration; the module is not at fault and is never reset for it.
   */
  CELLMQTT_STATUS_BROKER_REFUSED = -33,
  /**
   * The broker could not be reached (`CONNECT FAIL`): it is down, the port is closed or
   * the network path is broken. Re-connected with back-off; the module is not reset.
   */
  CELLMQTT_STATUS_BROKER_UNREACHABLE = -34,
  /**
   * The TLS handshake with the broker failed (where the module reports it apart from a
   * TCP failure). Re-connected with back-off; the module is not reset.
   */
  CELLMQTT_STATUS_TLS_FAILED = -35,
  /**
   * The broker's host name does not resolve (`+CME ERROR: 916-918`). Re-connected with
   * back-off; the module is not reset.
   */
  CELLMQTT_STATUS_NAME_NOT_RESOLVED = -36,
  /**
   * A queued AT command would break the session (an MQTT command, echo, the UART's
   * settings, a data prompt, a reset without `CELLMQTT_OPT_ALLOW_RESET_COMMANDS`); as its
   * `AT_DONE` status: it opened a data prompt, which was cancelled.
   */
  CELLMQTT_STATUS_COMMAND_REFUSED = -37,
  /**
   * `cellmqtt_init` was compiled against a header that does not match this library (its ABI
   * version or the size of `cellmqtt_t`, `cellmqtt_config_t` or `cellmqtt_callbacks_t`
   * differs): nothing was read from the structs.
   */
  CELLMQTT_STATUS_ABI_MISMATCH = -38,
  /**
   * The module refused a command of the session's set-up again after the recovery ladder
   * had reached its top (a power cycle, or the step standing in for one): it does not take
   * a configured value (a keep-alive outside its range, a will, client id or TLS file it
   * cannot use) or its firmware lacks the command. No reset changes that answer, so it is
   * re-connected with back-off and the module is not reset for it again. Fix the
   * configuration.
   */
  CELLMQTT_STATUS_CONFIG_REFUSED = -39,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_status_t cellmqtt_status_t;
#else
typedef int32_t cellmqtt_status_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * Module control lines.
 */
enum cellmqtt_pin_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint8_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  CELLMQTT_PIN_RESET = 0,
  CELLMQTT_PIN_POWER = 1,
  CELLMQTT_PIN_PWRKEY = 2,
  /**
   * Input only: the module's power indication, read through `pin_get`.
   */
  CELLMQTT_PIN_STATUS = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_pin_t cellmqtt_pin_t;
#else
typedef uint8_t cellmqtt_pin_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * What a `cellmqtt_event_t` reports.
 */
enum cellmqtt_event_kind_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * `state` changed.
   */
  CELLMQTT_EVENT_KIND_STATE = 0,
  /**
   * Publish `id` completed (QoS 0 at OK, 1 at PUBACK, 2 at PUBCOMP).
   */
  CELLMQTT_EVENT_KIND_PUBLISHED = 1,
  /**
   * Publish `id` failed for `status`; it is no longer queued. Id 0 is the online message
   * (`online_payload`), which has no id of its own.
   */
  CELLMQTT_EVENT_KIND_PUBLISH_FAILED = 2,
  /**
   * Subscription `id` confirmed by SUBACK (`flag` = restored after a re-connect).
   */
  CELLMQTT_EVENT_KIND_SUBSCRIBED = 3,
  /**
   * Subscription `id` refused (`status`); it was removed from the table.
   */
  CELLMQTT_EVENT_KIND_SUBSCRIBE_FAILED = 4,
  /**
   * Unsubscribe `id` ended; the filter is out of the table either way. `status` is `OK`
   * when the broker confirmed it (`UNSUBACK`) or the current connection was never sent the
   * filter; else why not (`MODULE_ERROR`: refused, `TIMEOUT`: no `UNSUBACK` in `ack_ms`,
   * `LINK_LOST`): the broker may go on sending its messages until the next clean session.
   */
  CELLMQTT_EVENT_KIND_UNSUBSCRIBED = 5,
  /**
   * The recovery ladder took step `recovery` because of `status`; `count` = failures so far.
   */
  CELLMQTT_EVENT_KIND_RECOVERY = 6,
  /**
   * `count` items of kind `loss` were lost.
   */
  CELLMQTT_EVENT_KIND_LOSS = 7,
  /**
   * Signal quality: `count` = rssi (0-31, 99 unknown), `id` = ber.
   */
  CELLMQTT_EVENT_KIND_SIGNAL = 8,
  /**
   * Queued AT command `id` ended: `status` `OK`, `MODULE_ERROR` (`count` = the
   * `+CME ERROR` code, 0 for `ERROR`), `TIMEOUT`, `COMMAND_REFUSED` (it opened a data prompt,
   * cancelled with ESC), `STOPPED` or `LINK_LOST` (the module rebooted before answering).
   */
  CELLMQTT_EVENT_KIND_AT_DONE = 9,
  /**
   * Network time (`cellmqtt_request_time`): `count` = UTC seconds since
   * 2000-01-01T00:00:00, `id` = the zone in quarter hours as `int16_t`.
   */
  CELLMQTT_EVENT_KIND_TIME = 10,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_event_kind_t cellmqtt_event_kind_t;
#else
typedef uint32_t cellmqtt_event_kind_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * Session state, as reported to the application.
 */
enum cellmqtt_state_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint8_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * Not started, or stopped by the application.
   */
  CELLMQTT_STATE_STOPPED = 0,
  /**
   * Powering the module on or pulsing a pin.
   */
  CELLMQTT_STATE_POWER_CYCLE = 1,
  /**
   * Waiting for the module to answer `AT`.
   */
  CELLMQTT_STATE_PROBING = 2,
  /**
   * Echo off, SIM and network attach checks.
   */
  CELLMQTT_STATE_PREPARING = 3,
  /**
   * `AT+MCONFIG`, `AT+MIPSTART`, `AT+MCONNECT`.
   */
  CELLMQTT_STATE_CONNECTING = 4,
  /**
   * Connected; restoring subscriptions and sending the online message.
   */
  CELLMQTT_STATE_RESTORING = 5,
  /**
   * Connected and ready: publishes and subscriptions are being served.
   */
  CELLMQTT_STATE_ONLINE = 6,
  /**
   * A failure occurred; waiting out the back-off before the next step of the ladder.
   */
  CELLMQTT_STATE_RECOVERING = 7,
  /**
   * Leaving the broker after `cellmqtt_stop` (`AT+MDISCONNECT`, `AT+MIPCLOSE` on Luat).
   */
  CELLMQTT_STATE_STOPPING = 8,
  /**
   * The ladder ran out (`power_cycle_limit` reached); `cellmqtt_start` begins again.
   */
  CELLMQTT_STATE_FAILED = 9,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_state_t cellmqtt_state_t;
#else
typedef uint8_t cellmqtt_state_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * A step of the recovery ladder.
 */
enum cellmqtt_recovery_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint8_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * `AT+MIPCLOSE` (result ignored) and a new connect from `AT+MCONFIG`.
   */
  CELLMQTT_RECOVERY_RECONNECT = 0,
  /**
   * The module rebooted by itself (`RDY`): full re-initialisation.
   */
  CELLMQTT_RECOVERY_REINIT = 1,
  /**
   * `AT+RESET` (no RESET pin wired).
   */
  CELLMQTT_RECOVERY_SOFT_RESET = 2,
  /**
   * RESET pin pulse, then full re-initialisation.
   */
  CELLMQTT_RECOVERY_RESET_PIN = 3,
  /**
   * POWER off/on and PWRKEY pulse, then full re-initialisation.
   */
  CELLMQTT_RECOVERY_POWER_CYCLE = 4,
  /**
   * PWRKEY pulse to switch on a module that does not answer: at start, and as the power
   * step of the ladder where no supply switch (POWER) is wired.
   */
  CELLMQTT_RECOVERY_POWER_ON = 5,
  /**
   * The ladder ran out; the session is in `CELLMQTT_STATE_FAILED`.
   */
  CELLMQTT_RECOVERY_GAVE_UP = 6,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_recovery_t cellmqtt_recovery_t;
#else
typedef uint8_t cellmqtt_recovery_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * What was lost; every loss is counted in `cellmqtt_stats_t` and reported once per occurrence.
 */
enum cellmqtt_loss_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint8_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * RX bytes dropped because the RX ring was full (`feed` faster than `poll`).
   */
  CELLMQTT_LOSS_RX_OVERFLOW = 0,
  /**
   * A line longer than the line buffer was discarded.
   */
  CELLMQTT_LOSS_LINE_TOO_LONG = 1,
  /**
   * An incoming message did not fit the line buffer and was discarded.
   */
  CELLMQTT_LOSS_MESSAGE_TOO_LARGE = 2,
  /**
   * The module's 4-slot cache overwrote a message before it was read.
   */
  CELLMQTT_LOSS_CACHE_OVERWRITTEN = 3,
  /**
   * A publish was refused by `publish` (queue full, too long, invalid).
   */
  CELLMQTT_LOSS_PUBLISH_REJECTED = 4,
  /**
   * An event record could not be queued (must never happen; counted to prove it).
   */
  CELLMQTT_LOSS_EVENT_DROPPED = 5,
  /**
   * `AT+MQTTMSGGET` failed; the announced cache slots were not read.
   */
  CELLMQTT_LOSS_CACHE_READ_FAILED = 6,
  /**
   * An incoming message that cannot be read whole: a header that is corrupt (a byte count
   * above the module's limit, or no count), skipped to its line end, or a message bytes
   * dropped by a full RX ring cut (`rx_overflow`); the stream resynchronises at the next
   * line.
   */
  CELLMQTT_LOSS_MESSAGE_CORRUPT = 7,
  /**
   * A URC for `on_urc` over its rate bound (a burst of 8, then 4 per second).
   */
  CELLMQTT_LOSS_URC_DROPPED = 8,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_loss_t cellmqtt_loss_t;
#else
typedef uint8_t cellmqtt_loss_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * What a log entry reports: the "why" behind counters and recovery steps.
 */
enum cellmqtt_log_kind_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint8_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * `what` (a command) got no final result before its deadline.
   */
  CELLMQTT_LOG_KIND_COMMAND_TIMEOUT = 0,
  /**
   * `what` (a command) was answered `ERROR` (`code` 0) or `+CME ERROR: code`.
   */
  CELLMQTT_LOG_KIND_COMMAND_ERROR = 1,
  /**
   * `what` (a URC such as `PUBACK` or `CONNACK OK`) did not arrive before its deadline.
   */
  CELLMQTT_LOG_KIND_ACK_TIMEOUT = 2,
  /**
   * The link went down: `what` is the line that said so (`CLOSED`, `+PDP DEACT`, ...).
   */
  CELLMQTT_LOG_KIND_LINK_DOWN = 3,
  /**
   * The module printed `RDY` mid-session: it rebooted by itself.
   */
  CELLMQTT_LOG_KIND_MODULE_REBOOTED = 4,
  /**
   * The broker or the network failed the connect (`what` = the line or command, the
   * entry's `status` the class: broker refused, unreachable, TLS, name not resolved). The
   * module is fine: re-connects with back-off follow, no pin or reset.
   */
  CELLMQTT_LOG_KIND_BROKER_FAILURE = 5,
  /**
   * Echoed command lines came back after `ATE0` (firmware echo, or TX looped back by the
   * wiring): `ATE0` is sent once more, and the session works on with echo either way.
   */
  CELLMQTT_LOG_KIND_ECHO_ON = 6,
  /**
   * The STATUS line disagreed with a pin sequence (`code` = the level read): the module
   * was on where it should be off (a power cycle without effect) or the reverse.
   */
  CELLMQTT_LOG_KIND_STATUS_MISMATCH = 7,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_log_kind_t cellmqtt_log_kind_t;
#else
typedef uint8_t cellmqtt_log_kind_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * The field of `cellmqtt_config_t` / `cellmqtt_callbacks_t` that made a configuration fail.
 */
enum cellmqtt_config_field_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * No field: the configuration is valid (or the failure is not about one field).
   */
  CELLMQTT_CONFIG_FIELD_NONE = 0,
  CELLMQTT_CONFIG_FIELD_PROFILE = 1,
  CELLMQTT_CONFIG_FIELD_OPTIONS = 2,
  /**
   * A pin in `pins` that is not a known line.
   */
  CELLMQTT_CONFIG_FIELD_PINS = 3,
  /**
   * RESET, POWER or PWRKEY declared in `pins` without a `pin_set` callback.
   */
  CELLMQTT_CONFIG_FIELD_PIN_SET = 4,
  /**
   * STATUS declared in `pins` without a `pin_get` callback.
   */
  CELLMQTT_CONFIG_FIELD_PIN_GET = 5,
  CELLMQTT_CONFIG_FIELD_HOST = 6,
  CELLMQTT_CONFIG_FIELD_PORT = 7,
  CELLMQTT_CONFIG_FIELD_CLIENT_ID = 8,
  CELLMQTT_CONFIG_FIELD_USERNAME = 9,
  CELLMQTT_CONFIG_FIELD_PASSWORD = 10,
  CELLMQTT_CONFIG_FIELD_KEEPALIVE = 11,
  CELLMQTT_CONFIG_FIELD_WILL_TOPIC = 12,
  CELLMQTT_CONFIG_FIELD_WILL_PAYLOAD = 13,
  CELLMQTT_CONFIG_FIELD_WILL_QOS = 14,
  CELLMQTT_CONFIG_FIELD_WILL_RETAIN = 15,
  /**
   * The online message: too long, not sendable, or set without a will topic.
   */
  CELLMQTT_CONFIG_FIELD_ONLINE_PAYLOAD = 16,
  CELLMQTT_CONFIG_FIELD_TLS_CA_FILE = 17,
  CELLMQTT_CONFIG_FIELD_TLS_CLIENT_CERT_FILE = 18,
  CELLMQTT_CONFIG_FIELD_TLS_CLIENT_KEY_FILE = 19,
  CELLMQTT_CONFIG_FIELD_TLS_SNI = 20,
  CELLMQTT_CONFIG_FIELD_TLS_VERSION = 21,
  CELLMQTT_CONFIG_FIELD_TLS_SECLEVEL = 22,
  /**
   * A wait in `timeouts` is 0 (only `health_ms` may be), or `backoff_min_ms` exceeds
   * `backoff_max_ms`.
   */
  CELLMQTT_CONFIG_FIELD_TIMEOUTS = 23,
  /**
   * A buffer (this one and the next three): NULL (`NULL_ARG`), shorter than its minimum
   * (`BUFFER_TOO_SMALL`), or a region that cannot exist, longer than `PTRDIFF_MAX` or
   * running past the end of the address space (`INVALID_CONFIG`).
   */
  CELLMQTT_CONFIG_FIELD_RX_BUF = 24,
  CELLMQTT_CONFIG_FIELD_LINE_BUF = 25,
  CELLMQTT_CONFIG_FIELD_QUEUE_BUF = 26,
  CELLMQTT_CONFIG_FIELD_SUB_BUF = 27,
  /**
   * Two of the four buffers overlap, or (`cellmqtt_init` only: it knows the handle) one
   * overlaps the handle's storage.
   */
  CELLMQTT_CONFIG_FIELD_BUFFER_OVERLAP = 28,
  /**
   * `uart_write` is NULL.
   */
  CELLMQTT_CONFIG_FIELD_UART_WRITE = 29,
  /**
   * `tick_ms` is NULL.
   */
  CELLMQTT_CONFIG_FIELD_TICK_MS = 30,
  /**
   * `apn` is too long or holds a character the module cannot take.
   */
  CELLMQTT_CONFIG_FIELD_APN = 31,
  /**
   * `publish_window` is above 8, or above 1 for a family whose acknowledgements carry no
   * message id.
   */
  CELLMQTT_CONFIG_FIELD_PUBLISH_WINDOW = 32,
  /**
   * A `log` callback given to a library built without log entries (the `logs` part).
   */
  CELLMQTT_CONFIG_FIELD_LOG = 33,
  /**
   * `ladder.broker_reset_after_s` above 2,147,483 s (24.8 days, half the range of the
   * millisecond tick the engine measures it on).
   */
  CELLMQTT_CONFIG_FIELD_LADDER = 34,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_config_field_t cellmqtt_config_field_t;
#else
typedef uint32_t cellmqtt_config_field_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * Module profiles for `cellmqtt_config_t.profile`.
 */
enum cellmqtt_profile_t
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif /* defined(__cplusplus) || __STDC_VERSION__ >= 202311L */
 {
  /**
   * Air724UG family (8910): RESET reboots; MPUB up to 2348 bytes.
   */
  CELLMQTT_PROFILE_AIR724UG = 0,
  /**
   * Air780E/EG (EC618): RESET_N shuts down, so PWRKEY follows; MPUB up to 2384 bytes.
   */
  CELLMQTT_PROFILE_AIR780E = 1,
  /**
   * Air780EP (EC718): RESET_N reboots; MPUB up to 4100 bytes.
   */
  CELLMQTT_PROFILE_AIR780EP = 2,
  /**
   * Quectel EC200U family (EC200U/EC600U/EG915U, EC800M, EC2x): `AT+QMT*`; the host sets
   * up the bearer (`apn`), payloads up to 4096 bytes by `AT+QMTPUBEX`.
   */
  CELLMQTT_PROFILE_EC200U = 3,
  /**
   * SIMCom A7670 family (A7670/A7672/A76xx, SIM7600): `AT+CMQTT*`; topics and payloads go
   * after data prompts, one publish or subscribe in flight (results carry no message id).
   */
  CELLMQTT_PROFILE_A7670 = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum cellmqtt_profile_t cellmqtt_profile_t;
#else
typedef uint32_t cellmqtt_profile_t;
#endif /* __STDC_VERSION__ >= 202311L */
#endif /* __cplusplus */

/**
 * Every wait of the session, in milliseconds. Defaults come from the vendors' manuals (the
 * README's module sources).
 */
typedef struct cellmqtt_timeouts_t {
  /**
   * Final result (`OK`/`ERROR`) of an ordinary command (manual: 9 s).
   */
  uint32_t command_ms;
  /**
   * Interval between repeated `AT`, `AT+CPIN?`, `AT+CGATT?` polls (vendor: 1 s).
   */
  uint32_t poll_interval_ms;
  /**
   * Module answering `AT` after power-on or reset (vendor: reset after 90 s).
   */
  uint32_t boot_ms;
  /**
   * Module answering `AT` after it went silent mid-session, before RESET.
   */
  uint32_t silence_ms;
  /**
   * `+CPIN: READY` (vendor: 10 s).
   */
  uint32_t sim_ms;
  /**
   * `+CGATT: 1` (vendor: normally under 2 min).
   */
  uint32_t attach_ms;
  /**
   * `CONNECT OK` after `AT+MIPSTART` (not documented; TLS measured at 1.4-2.3 s); the first
   * answer to Quectel `AT+QMTOPEN`, SIMCom `AT+CMQTTSTART` and `AT+CMQTTCONNECT`, which may
   * come only with the result.
   */
  uint32_t connect_ms;
  /**
   * `CONNACK OK` after `AT+MCONNECT` (measured 0.2 s); the result after the `OK` of Quectel
   * `AT+QMTCONN` and SIMCom `AT+CMQTTCONNECT`. The default outlasts a Quectel module's own
   * retries of an unanswered CONNECT (its default packet timeout of 5 s, sent 4 times on the
   * BG96), so its verdict (`+QMTCONN: 0,2`, the broker unreachable) comes first; a shorter
   * wait takes a silent broker for the module's fault, which climbs the ladder.
   */
  uint32_t connack_ms;
  /**
   * `SUBACK`, `UNSUBACK`, `PUBACK`, `PUBREC`, `PUBCOMP` (measured 0.3 s).
   */
  uint32_t ack_ms;
  /**
   * `>` prompt after `AT+MPUBEX`.
   */
  uint32_t prompt_ms;
  /**
   * First back-off before a retry; doubles per failed cycle up to `backoff_max_ms`.
   */
  uint32_t backoff_min_ms;
  uint32_t backoff_max_ms;
  /**
   * RESET asserted (Air724UG: ≥150 ms; Air780E: >500 ms; the A7670 profile holds it at
   * least 2.5 s whatever this says, its documented reset width).
   */
  uint32_t reset_pulse_ms;
  /**
   * Supply held off during a power cycle.
   */
  uint32_t power_off_ms;
  /**
   * PWRKEY asserted to power on (documented minimum 1.2-1.5 s; the default 2 s has margin).
   */
  uint32_t pwrkey_ms;
  /**
   * Idle time online after which `AT+MQTTSTATU` checks the link (0 = never).
   */
  uint32_t health_ms;
  /**
   * `SHUT OK` after `AT+CIPSHUT` (the manual's maximum response time: 90 s).
   */
  uint32_t shut_ms;
} cellmqtt_timeouts_t;

/**
 * The recovery ladder for module symptoms (no answer, contradictory answers, attach lost):
 * re-connects, then RESET pulses, then power cycles. Broker and network failures (refused,
 * unreachable, TLS, name not resolved) never climb it: they get re-connects with back-off
 * and jitter, and at most the last-resort reset below.
 */
typedef struct cellmqtt_ladder_t {
  /**
   * Failed connect cycles answered by a plain re-connect before the first RESET.
   */
  uint8_t reconnects_before_reset;
  /**
   * RESET pulses before a power cycle.
   */
  uint8_t resets_before_power_cycle;
  /**
   * Consecutive power cycles without getting online before giving up (0 = never give up).
   * With 0, a failure that outlives one climb to the top rung (the SIM or the attach still
   * missing, a set-up command still refused) is no longer the module's: re-connects only,
   * no pin or reset. With a limit, the ladder runs to it round after round.
   */
  uint16_t power_cycle_limit;
  /**
   * Consecutive refusals (`BROKER_REFUSED`, and `CONFIG_REFUSED`: a set-up command the
   * module refuses for good) before giving up (0 = never): a wrong password does not fix
   * itself, but a broker's ACL may be corrected meanwhile.
   */
  uint16_t refusal_limit;
  /**
   * After this many seconds of broker/network failures with no session in between, one
   * module reset as a last resort (0 = never, the default). Tens of minutes is sensible.
   * At most 2,147,483 (24.8 days; `INVALID_CONFIG`, field `ladder`, above).
   */
  uint32_t broker_reset_after_s;
} cellmqtt_ladder_t;

/**
 * Session configuration. Start from `cellmqtt_config_default()`.
 *
 * Strings are NUL-terminated and **borrowed**: they, and the four buffers, must stay valid
 * and unchanged for as long as the handle is used (static storage is the usual choice).
 * NULL means "empty" for optional strings.
 */
typedef struct cellmqtt_config_t {
  /**
   * One of `CELLMQTT_PROFILE_*` (`cellmqtt_profile_t`).
   */
  uint32_t profile;
  /**
   * `CELLMQTT_OPT_*` bits.
   */
  uint32_t options;
  /**
   * `CELLMQTT_PINS_*` bits: which lines the board wires (RESET, POWER, PWRKEY driven by
   * `pin_set`, STATUS read by `pin_get`; a declared line without its callback is refused).
   */
  uint32_t pins;
  /**
   * Broker host name or address (required, ≤255 bytes).
   */
  const char *host;
  uint16_t port;
  /**
   * MQTT keep-alive in seconds (the vendor advises 60-240).
   */
  uint16_t keepalive_s;
  /**
   * Client id (required, ≤256 bytes, ≤128 for SIMCom modules; unique on the broker).
   */
  const char *client_id;
  const char *username;
  const char *password;
  /**
   * Will topic; NULL for no will.
   */
  const char *will_topic;
  /**
   * Will message (≤1360 bytes, no `"` and no control byte).
   */
  const uint8_t *will_payload;
  size_t will_payload_len;
  uint8_t will_qos;
  /**
   * 0 or 1.
   */
  uint8_t will_retain;
  /**
   * `AT+SSLCFG="sslversion"` (0-4) or -1 to leave the module default.
   */
  int16_t tls_version;
  /**
   * `AT+SSLCFG="seclevel"` (0-2) or -1 to leave the module default.
   */
  int16_t tls_seclevel;
  /**
   * Published on the will topic once online (e.g. "online"); NULL for none.
   */
  const uint8_t *online_payload;
  size_t online_payload_len;
  /**
   * Certificate file names in the module file system (NULL = not set).
   */
  const char *tls_ca_file;
  const char *tls_client_cert_file;
  const char *tls_client_key_file;
  /**
   * SNI / verification host name (NULL = not set).
   */
  const char *tls_sni;
  /**
   * RX ring written by `cellmqtt_feed` (≥ CELLMQTT_RX_BUF_MIN).
   */
  uint8_t *rx_buf;
  size_t rx_buf_len;
  /**
   * Line and incoming-message assembly (≥ CELLMQTT_LINE_BUF_MIN).
   */
  uint8_t *line_buf;
  size_t line_buf_len;
  /**
   * Publish arena: each queued message takes 10 bytes + topic + payload.
   */
  uint8_t *queue_buf;
  size_t queue_buf_len;
  /**
   * Subscription arena: each filter takes 6 bytes + filter.
   */
  uint8_t *sub_buf;
  size_t sub_buf_len;
  struct cellmqtt_timeouts_t timeouts;
  struct cellmqtt_ladder_t ladder;
  /**
   * Payloads whose MPUB escaping adds more than this many bytes go by `AT+MPUBEX`.
   */
  uint16_t mpubex_above_extra;
  /**
   * APN of the packet bearer, for families whose host sets it up (Quectel `AT+QICSGP`,
   * SIMCom `AT+CGDCONT`); NULL or "" = the module's default. Luat modules take it from the
   * network.
   */
  const char *apn;
  /**
   * QoS 1/2 publishes that may await their acknowledgements at once (0 or 1: one at a time,
   * the default). Up to 8, and above 1 only for families whose acknowledgements carry
   * message ids (Quectel; SIMCom's results carry none).
   */
  uint8_t publish_window;
} cellmqtt_config_t;

/**
 * Opaque storage for one cellmqtt instance. Zero it (static storage is) or let
 * `cellmqtt_init` fill it; never copy it after init.
 */
typedef struct cellmqtt_t {
  uint64_t _opaque[CELLMQTT_HANDLE_WORDS];
} cellmqtt_t;

/**
 * Writes to the module UART (`cellmqtt_callbacks_t.uart_write`).
 */
typedef int32_t (*cellmqtt_uart_write_fn)(void *user, const uint8_t *data, size_t len);

/**
 * Reads the millisecond clock (`cellmqtt_callbacks_t.tick_ms`).
 */
typedef uint32_t (*cellmqtt_tick_fn)(void *user);

/**
 * Drives a control line (`cellmqtt_callbacks_t.pin_set`).
 */
typedef void (*cellmqtt_pin_set_fn)(void *user, cellmqtt_pin_t pin, bool active);

/**
 * Delivers an incoming message (`cellmqtt_callbacks_t.on_message`).
 */
typedef void (*cellmqtt_message_fn)(void *user,
                                    const uint8_t *topic,
                                    size_t topic_len,
                                    const uint8_t *payload,
                                    size_t payload_len);

/**
 * An event. Fields not used by `kind` are zero.
 */
typedef struct cellmqtt_event_t {
  cellmqtt_event_kind_t kind;
  cellmqtt_status_t status;
  uint16_t id;
  cellmqtt_state_t state;
  cellmqtt_recovery_t recovery;
  cellmqtt_loss_t loss;
  bool flag;
  uint32_t count;
} cellmqtt_event_t;

/**
 * Delivers an event (`cellmqtt_callbacks_t.on_event`).
 */
typedef void (*cellmqtt_event_fn)(void *user, const struct cellmqtt_event_t *event);

/**
 * A log entry.
 */
typedef struct cellmqtt_log_t {
  cellmqtt_log_kind_t kind;
  /**
   * The command or URC concerned, as the module spells it (static, NUL-terminated).
   */
  const char *what;
  /**
   * `+CME ERROR` code, `+MQTTSTATU` state, PDN context or TCP error number; else 0.
   */
  uint16_t code;
  /**
   * The failure class the entry reports (`BROKER_REFUSED`, `BROKER_UNREACHABLE`,
   * `TLS_FAILED`, `NAME_NOT_RESOLVED` for `BROKER_FAILURE` entries); `OK` otherwise.
   */
  cellmqtt_status_t status;
} cellmqtt_log_t;

/**
 * Delivers a log entry (`cellmqtt_callbacks_t.log`).
 */
typedef void (*cellmqtt_log_fn)(void *user, const struct cellmqtt_log_t *entry);

/**
 * Reads an input line (`cellmqtt_callbacks_t.pin_get`).
 */
typedef int32_t (*cellmqtt_pin_get_fn)(void *user, cellmqtt_pin_t pin);

/**
 * Delivers an information line of a queued AT command (`cellmqtt_callbacks_t.on_at_line`).
 */
typedef void (*cellmqtt_at_line_fn)(void *user, uint16_t id, const uint8_t *line, size_t len);

/**
 * Delivers a line the engine does not consume (`cellmqtt_callbacks_t.on_urc`).
 */
typedef void (*cellmqtt_urc_fn)(void *user, const uint8_t *line, size_t len);

/**
 * Callbacks. `user` is passed first to every one of them.
 *
 * Required: `uart_write`, `tick_ms`. Optional (NULL = not used): the rest.
 * Callbacks run inside `cellmqtt_poll` (never inside `cellmqtt_feed`); `tick_ms` also inside
 * `cellmqtt_start`, `cellmqtt_stop` and `cellmqtt_poll_delay_ms`.
 *
 * `uart_write` and `tick_ms` run while the engine is at work (`uart_write` while it writes a
 * command): from them call only `cellmqtt_feed` (and `cellmqtt_rx_free`). Every other call
 * returns `CELLMQTT_STATUS_BUSY` and does nothing; `cellmqtt_state` answers the state the
 * session had when that work began, `cellmqtt_queued` and `cellmqtt_queue_room` 0,
 * `cellmqtt_poll_delay_ms` `UINT32_MAX`.
 *
 * The others run after the work they report: from them you may call `cellmqtt_publish`,
 * `cellmqtt_subscribe`, `cellmqtt_unsubscribe`, `cellmqtt_start`, `cellmqtt_stop`,
 * `cellmqtt_feed`, `cellmqtt_state`, `cellmqtt_stats` and the other calls on the handle; a
 * nested `cellmqtt_poll`, `cellmqtt_init` or `cellmqtt_deinit` returns `CELLMQTT_STATUS_BUSY`.
 */
typedef struct cellmqtt_callbacks_t {
  void *user;
  /**
   * Write to the module UART: return bytes taken (>0), 0 to try again later, <0 on error.
   * Must not block for long; partial writes are fine. Runs while the engine writes a
   * command: call only `cellmqtt_feed` from it (the rest returns `BUSY`).
   */
  cellmqtt_uart_write_fn uart_write;
  /**
   * Monotonic milliseconds; may wrap at 2^32. Runs while the engine is at work: call only
   * `cellmqtt_feed` from it (the rest returns `BUSY`).
   */
  cellmqtt_tick_fn tick_ms;
  /**
   * Drive a control line: `active` true = asserted (RESET/PWRKEY held low, POWER switched on).
   */
  cellmqtt_pin_set_fn pin_set;
  /**
   * An incoming message. Both buffers are valid only during the call (copy what you keep);
   * the topic is not NUL-terminated.
   */
  cellmqtt_message_fn on_message;
  /**
   * Everything else the session reports; the event is valid only during the call.
   */
  cellmqtt_event_fn on_event;
  /**
   * Why things happen: command timeouts and errors, missing acknowledgements, the line
   * that reported a link loss, a module reboot. Optional; the entry is valid during the call.
   */
  cellmqtt_log_fn log;
  /**
   * Read an input line (only `CELLMQTT_PIN_STATUS`): 1 = asserted (the module is powered
   * on), 0 = not, <0 = cannot tell. Called at the start of `cellmqtt_poll` when STATUS is in
   * `pins` and a pin sequence is due or running (recovery, or a start that may power the
   * module on), never in a healthy session; must not block for long.
   */
  cellmqtt_pin_get_fn pin_get;
  /**
   * An information line of the queued AT command with this `id` (`cellmqtt_at_command`): not
   * NUL-terminated, no CR/LF, valid only during the call. Optional.
   */
  cellmqtt_at_line_fn on_at_line;
  /**
   * A line from the module the engine does not consume (`+CMTI: "SM",1`, `+CGEV: ME ...`,
   * `RING`, vendor notices; never line noise with control bytes): a burst of 8, then 4 per
   * second; more are dropped and counted (`URC_DROPPED` loss). Not NUL-terminated, valid
   * only during the call. Optional.
   */
  cellmqtt_urc_fn on_urc;
} cellmqtt_callbacks_t;

/**
 * What the module said about itself (`cellmqtt_module_info`): NUL-terminated, empty until
 * read (once per module boot, after the SIM is ready) or where the module refused.
 */
typedef struct cellmqtt_module_info_t {
  char imei[17];
  char iccid[23];
  char imsi[17];
  /**
   * Firmware revision (`AT+CGMR`).
   */
  char revision[33];
} cellmqtt_module_info_t;

/**
 * Running counters of a session (never reset by the engine).
 */
typedef struct cellmqtt_stats_t {
  /**
   * Bytes taken from the RX ring.
   */
  uint32_t rx_bytes;
  /**
   * Bytes `cellmqtt_feed` dropped because the RX ring was full.
   */
  uint32_t rx_overflow_bytes;
  /**
   * Lines longer than the line buffer, discarded.
   */
  uint32_t lines_too_long;
  /**
   * Lines the decoder did not recognise (garbage, unknown URCs).
   */
  uint32_t lines_unknown;
  /**
   * Bytes written to the UART.
   */
  uint32_t tx_bytes;
  /**
   * Commands sent.
   */
  uint32_t commands;
  /**
   * Commands answered with `ERROR` or `+CME ERROR`.
   */
  uint32_t command_errors;
  /**
   * Commands that got no final result before their deadline.
   */
  uint32_t command_timeouts;
  /**
   * Errors returned by the UART write callback.
   */
  uint32_t uart_errors;
  /**
   * Messages delivered to the application.
   */
  uint32_t messages_received;
  /**
   * Incoming messages discarded because they did not fit the line buffer.
   */
  uint32_t messages_too_large;
  /**
   * Messages the module's cache overwrote before they were read.
   */
  uint32_t cache_overwritten;
  /**
   * Publishes accepted into the queue.
   */
  uint32_t publishes_queued;
  /**
   * Publishes confirmed.
   */
  uint32_t publishes_done;
  /**
   * Publishes given up with a failure event.
   */
  uint32_t publishes_failed;
  /**
   * Publishes refused by `cellmqtt_publish` (queue full, too long, invalid).
   */
  uint32_t publishes_rejected;
  /**
   * Of those, refused because the queue was full (the caller kept the message).
   */
  uint32_t publishes_queue_full;
  /**
   * Publishes sent again after a link loss or a missing acknowledgement.
   */
  uint32_t publish_retries;
  /**
   * Acknowledgements that arrived when none was awaited.
   */
  uint32_t unexpected_acks;
  /**
   * Highest number of bytes ever used in the publish arena.
   */
  uint32_t queue_high_water;
  /**
   * Times the session came online.
   */
  uint32_t connects;
  /**
   * Links lost after being online (`CLOSED`, PDN/PDP loss, `+MQTTSTATU :0`, reboot).
   */
  uint32_t links_lost;
  /**
   * Failed connect cycles.
   */
  uint32_t connect_failures;
  /**
   * Ladder steps taken, by kind.
   */
  uint32_t reconnects;
  uint32_t module_reboots;
  uint32_t soft_resets;
  uint32_t reset_pulses;
  uint32_t power_cycles;
  /**
   * Event records that could not be queued (always 0 unless there is a bug).
   */
  uint32_t events_dropped;
  /**
   * Of `connect_failures`, those on the broker or network side (refused, unreachable, TLS,
   * name not resolved, the link or bearer lost) and configurations the module refuses for
   * good (`CONFIG_REFUSED`): answered by re-connects, never by the module ladder.
   */
  uint32_t broker_failures;
  /**
   * `+MSUB` lines with a corrupt header, skipped to their line end.
   */
  uint32_t messages_corrupt;
  /**
   * Echoed command lines skipped after `ATE0` (firmware or wiring echo).
   */
  uint32_t echo_lines;
  /**
   * A publish refused by one command and sent again by the family's other: Luat `AT+MPUB`
   * answered `ERROR`, sent as `AT+MPUBEX`; Quectel `AT+QMTPUBEX` answered `ERROR`, sent as
   * `AT+QMTPUB`.
   */
  uint32_t mpub_fallbacks;
  /**
   * Queued AT commands sent (the application's, and signal/time on demand).
   */
  uint32_t at_commands;
  /**
   * Lines that would have gone to `on_urc` but exceeded its rate bound.
   */
  uint32_t urcs_dropped;
} cellmqtt_stats_t;

























#ifdef __cplusplus
extern "C" {
#endif /* __cplusplus */

/**
 * A configuration with every default: profile Air724UG, clean session, keep-alive 120 s,
 * port 1883, timeouts from the vendor documentation, ladder 3 re-connects / 2 resets.
 * Strings and buffers are NULL and must be filled in.
 */
struct cellmqtt_config_t cellmqtt_config_default(void);

/**
 * Initialises `h` as `cellmqtt_init` does (the header's inline function of that name calls
 * this with the header's `CELLMQTT_ABI_VERSION` and struct sizes). Returns `ABI_MISMATCH`,
 * reading neither struct, when they are not this library's: a header from another version
 * would otherwise make the library misread the structs.
 *
 * # Safety
 * As `cellmqtt_init`; `cfg` and `cb` are at least `config_size` and `callbacks_size` bytes.
 */
cellmqtt_status_t cellmqtt_init_abi(struct cellmqtt_t *h,
                                    const struct cellmqtt_config_t *cfg,
                                    const struct cellmqtt_callbacks_t *cb,
                                    uint32_t abi_version,
                                    size_t handle_size,
                                    size_t config_size,
                                    size_t callbacks_size);

/**
 * Checks `cfg` and `cb` as `cellmqtt_init` would, without initialising anything, and writes
 * the field a refusal is about to `*out_field` (if not NULL; `CELLMQTT_CONFIG_FIELD_NONE`
 * when the configuration is valid). Returns the status `cellmqtt_init` would return for it.
 * `cellmqtt_config_field_str` names the field.
 *
 * # Safety
 * `cfg` and `cb` are NULL or valid; the strings in `cfg` are NUL-terminated or NULL;
 * `out_field` is NULL or valid for a write.
 */
cellmqtt_status_t cellmqtt_config_check(const struct cellmqtt_config_t *cfg,
                                        const struct cellmqtt_callbacks_t *cb,
                                        cellmqtt_config_field_t *out_field);

/**
 * Marks the handle uninitialised (after `cellmqtt_stop`, when nothing else uses it), so the
 * storage and buffers may be reused or initialised again. `cellmqtt_poll` until the state is
 * `STOPPED` first: the stop's MQTT disconnect and close, and the release of a pin a recovery
 * step holds, are done by later polls, and a handle deinitialised before them skips them
 * (the broker then sees the link drop and publishes the will). `BUSY` from a callback (the
 * handle is in use, `tick_ms` inside any call), `NOT_INITIALIZED` for storage that holds no
 * handle.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
cellmqtt_status_t cellmqtt_deinit(struct cellmqtt_t *h);

/**
 * Starts the session (power-on if needed, SIM, attach, connect, subscriptions) and keeps it
 * up until `cellmqtt_stop`. Returns at once; `cellmqtt_poll` does the work. Called while a
 * stop is under way, the session starts again once the stop has left the broker. `BUSY` from
 * `uart_write` or `tick_ms` (the engine is at work: nothing is started).
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
cellmqtt_status_t cellmqtt_start(struct cellmqtt_t *h);

/**
 * Leaves the broker (`AT+MDISCONNECT`, `AT+MIPCLOSE`) and stops. Queued publishes and the
 * subscription table are kept for the next start. `BUSY` from `uart_write` or `tick_ms` (the
 * engine is at work: nothing is stopped).
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
cellmqtt_status_t cellmqtt_stop(struct cellmqtt_t *h);

/**
 * Hands bytes received from the module UART to the engine. Safe from an interrupt or another
 * task (never blocks, runs no callback). Returns `RX_OVERFLOW` when the RX ring could not
 * take them all; the rest is dropped, counted and reported as a `LOSS` event. After an
 * overflow the ring takes nothing until `cellmqtt_poll` has read up to where bytes went
 * missing (those bytes are dropped and counted too): a message the gap cut is counted as
 * `message_corrupt`, never delivered with bytes from after the gap. `NULL_ARG` for a NULL
 * `data` with bytes to give, `INVALID_ARG` for a `len` above `PTRDIFF_MAX`.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage; `data` points to `len` readable bytes.
 */
cellmqtt_status_t cellmqtt_feed(struct cellmqtt_t *h, const uint8_t *data, size_t len);

/**
 * Does all work that is due (handles received bytes, fires deadlines, writes commands) and
 * runs the callbacks for what happened (`tick_ms` first, `uart_write` as commands go out, the
 * others after the work they report). Never blocks. `BUSY` when called from a callback.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage; application context only.
 */
cellmqtt_status_t cellmqtt_poll(struct cellmqtt_t *h);

/**
 * Milliseconds the caller may sleep before the next `cellmqtt_poll` unless RX bytes arrive
 * (0 = poll now, `UINT32_MAX` = nothing scheduled). For tickless idle. A NULL or
 * uninitialised handle (before init, after deinit) has nothing scheduled: `UINT32_MAX`, so a
 * superloop that sleeps by it does not spin. From `uart_write` or `tick_ms` (the engine is at
 * work, the poll under way decides) also `UINT32_MAX`.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
uint32_t cellmqtt_poll_delay_ms(const struct cellmqtt_t *h);

/**
 * Queues a publish of `payload` (`len` bytes, up to 4100) to `topic` (NUL-terminated, no
 * wildcards). On success `*out_id` (if not NULL) gets the message id of the later
 * `PUBLISHED` / `PUBLISH_FAILED` event: 1-65,535, never one a queued publish or a
 * subscription still holds (a refused publish takes none). The topic and payload are copied.
 *
 * Returns `INVALID_QOS`, `INVALID_TOPIC`, `TOPIC_TOO_LONG`, `PAYLOAD_TOO_LONG`, `QUEUE_FULL`,
 * `BUFFER_TOO_SMALL` (could never fit the arena), `NULL_ARG`, `BUSY` (from `uart_write` or
 * `tick_ms`, while the engine is at work: nothing is queued; from the other callbacks a
 * publish works).
 *
 * # Safety
 * `h` valid storage or NULL; `topic` NUL-terminated or NULL; `payload` valid for `len` bytes.
 */
cellmqtt_status_t cellmqtt_publish(struct cellmqtt_t *h,
                                   const char *topic,
                                   const uint8_t *payload,
                                   size_t len,
                                   uint8_t qos,
                                   bool retain,
                                   uint16_t *out_id);

/**
 * Subscribes to `filter` (wildcards allowed) with `qos`; kept across re-connects. A
 * `SUBSCRIBED` event with `*out_id` follows once the broker confirms. A filter whose request
 * has not gone out yet keeps that request: `*out_id` is its id again, and one event answers
 * both calls (a request already out gets its own event; `SUBSCRIBE_FAILED` with `LINK_LOST`
 * if the link goes before its result).
 *
 * Returns `INVALID_QOS`, `INVALID_TOPIC` (empty, a wildcard not a whole level, a byte the
 * module cannot take), `TOPIC_TOO_LONG` (above 256 bytes), `SUBSCRIPTIONS_FULL` (no room in
 * `sub_buf`), `NULL_ARG`, `BUSY` (from `uart_write` or `tick_ms`: nothing is added).
 *
 * # Safety
 * `h` valid storage or NULL; `filter` NUL-terminated or NULL.
 */
cellmqtt_status_t cellmqtt_subscribe(struct cellmqtt_t *h,
                                     const char *filter,
                                     uint8_t qos,
                                     uint16_t *out_id);

/**
 * Unsubscribes from `filter`; an `UNSUBSCRIBED` event with `*out_id` follows (at once for a
 * filter the current connection was never sent). A filter whose request has not gone out yet
 * keeps that request's id, as for `cellmqtt_subscribe`.
 *
 * Returns `NOT_SUBSCRIBED` (the filter is not in the table), `TOPIC_TOO_LONG`, `NULL_ARG`,
 * `BUSY` (from `uart_write` or `tick_ms`: nothing is removed).
 *
 * # Safety
 * `h` valid storage or NULL; `filter` NUL-terminated or NULL.
 */
cellmqtt_status_t cellmqtt_unsubscribe(struct cellmqtt_t *h, const char *filter, uint16_t *out_id);

/**
 * Queues an AT command (`"AT+CMGR=1"`, NUL-terminated, at most 56 bytes, no `;`) to be sent
 * between the session's own commands. Each information line of its answer goes to
 * `on_at_line` with `*out_id`; an `AT_DONE` event with the same id ends it (`OK`,
 * `MODULE_ERROR` with the `+CME ERROR` code, `TIMEOUT` after `timeout_ms`, `COMMAND_REFUSED`
 * when it opened a data prompt (cancelled with ESC: nothing could feed it), `STOPPED`, or
 * `LINK_LOST` when the module rebooted before answering: it is not sent again, as it may be
 * what rebooted the module).
 * URCs that arrive meanwhile still go where they belong. The text is copied.
 *
 * Returns `QUEUE_FULL` (two are waiting), `COMMAND_REFUSED` (it would break the session:
 * MQTT, TLS and TCP/IP commands of the session, `ATE`, `ATQ`, the UART's settings, data
 * prompts such as `AT+CMGS`, data calls, the multiplexer, sleep, detach, and resets unless
 * `CELLMQTT_OPT_ALLOW_RESET_COMMANDS`, whatever spaces the line holds and in any of its basic
 * commands (`ATI E1`); read and test forms ending in `?` are always allowed), `STRING_TOO_LONG`, `INVALID_ARG` (not `AT...`,
 * a control byte or `;`, timeout 0), `NULL_ARG`, `BUSY` (from `uart_write` or `tick_ms`).
 *
 * # Safety
 * `h` valid storage or NULL; `command` NUL-terminated or NULL; `out_id` NULL or writable.
 */
cellmqtt_status_t cellmqtt_at_command(struct cellmqtt_t *h,
                                      const char *command,
                                      uint32_t timeout_ms,
                                      uint16_t *out_id);

/**
 * Asks for the signal quality now (`AT+CSQ` between the session's commands): a `SIGNAL`
 * event follows, then `AT_DONE` with `*out_id`. `QUEUE_FULL` when two commands wait;
 * `UNSUPPORTED` from a library built without signal reports; `BUSY` from `uart_write` or
 * `tick_ms`.
 *
 * # Safety
 * `h` valid storage or NULL; `out_id` NULL or writable.
 */
cellmqtt_status_t cellmqtt_request_signal(struct cellmqtt_t *h, uint16_t *out_id);

/**
 * Asks for the network time now (`AT+CCLK?`): a `TIME` event follows, then `AT_DONE` with
 * `*out_id`. `QUEUE_FULL` when two commands wait; `UNSUPPORTED` from a library built without
 * the network time; `BUSY` from `uart_write` or `tick_ms`.
 *
 * # Safety
 * `h` valid storage or NULL; `out_id` NULL or writable.
 */
cellmqtt_status_t cellmqtt_request_time(struct cellmqtt_t *h, uint16_t *out_id);

/**
 * Copies what the module said about itself (IMEI, ICCID, IMSI, firmware revision) to
 * `*out`; fields are empty strings until read (once per module boot, after the SIM is ready).
 * `NULL_ARG` for a NULL `out`, `BUSY` from `uart_write` or `tick_ms` (nothing is written).
 *
 * # Safety
 * `h` is NULL or valid storage; `out` is NULL or valid for a write.
 */
cellmqtt_status_t cellmqtt_module_info(const struct cellmqtt_t *h,
                                       struct cellmqtt_module_info_t *out);

/**
 * Current session state (`STOPPED` for a NULL or uninitialised handle). From `uart_write` or
 * `tick_ms`, where the engine is at work and cannot be read, the state it was in when that
 * work began (when the start, stop or poll under way took it, or after the poll's last
 * callback).
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
cellmqtt_state_t cellmqtt_state(const struct cellmqtt_t *h);

/**
 * Copies the counters to `*out`; `NULL_ARG` for a NULL `out`, `BUSY` from `uart_write` or
 * `tick_ms` (the engine is at work: nothing is written).
 *
 * # Safety
 * `h` is NULL or valid storage; `out` is NULL or valid for a `cellmqtt_stats_t` write.
 */
cellmqtt_status_t cellmqtt_stats(const struct cellmqtt_t *h, struct cellmqtt_stats_t *out);

/**
 * Publishes queued and not yet confirmed (including the one in flight); 0 for a NULL or
 * uninitialised handle and from `uart_write` or `tick_ms` (the engine is at work).
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
size_t cellmqtt_queued(const struct cellmqtt_t *h);

/**
 * Bytes `cellmqtt_feed` can take right now (an RX task can hold the rest back); 0 after an
 * overflow until `cellmqtt_poll` has read up to where bytes went missing.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
size_t cellmqtt_rx_free(const struct cellmqtt_t *h);

/**
 * Topic + payload bytes a publish may have to be queued right now (0 when full), so a
 * caller can wait instead of collecting `QUEUE_FULL` refusals. 0 from `uart_write` or
 * `tick_ms`, where a publish is `BUSY`.
 *
 * # Safety
 * `h` is NULL or valid `cellmqtt_t` storage.
 */
size_t cellmqtt_queue_room(const struct cellmqtt_t *h);

/**
 * Upper-case name of a status code (`"QUEUE_FULL"`), or `"UNKNOWN"`. Static; never free it.
 * Empty (`""`) in a library built without the names, for the smallest flash.
 */
const char *cellmqtt_status_str(int32_t status);

/**
 * Lower-case name of a state (`"online"`), or `"unknown"`. Static; never free it.
 * Empty (`""`) in a library built without the names, for the smallest flash.
 */
const char *cellmqtt_state_str(uint32_t state);

/**
 * Lower-case name of a recovery step (`"reset_pin"`), or `"unknown"`.
 * Empty (`""`) in a library built without the names, for the smallest flash.
 */
const char *cellmqtt_recovery_str(uint32_t step);

/**
 * Name of a configuration field as spelled in `cellmqtt_config_t` / `cellmqtt_callbacks_t`
 * (`"password"`), `"none"`, or `"unknown"`. Static; never free it.
 * Empty (`""`) in a library built without the names, for the smallest flash.
 */
const char *cellmqtt_config_field_str(uint32_t field);

/**
 * Lower-case name of a loss kind (`"rx_overflow"`), or `"unknown"`.
 * Empty (`""`) in a library built without the names, for the smallest flash.
 */
const char *cellmqtt_loss_str(uint32_t kind);

/**
 * Library version as `major << 16 | minor << 8 | patch`.
 */
uint32_t cellmqtt_version(void);

/**
 * Initialises `h` (storage of `sizeof(cellmqtt_t)`, zeroed or never initialised) from `cfg`
 * and `cb`. Both structs are copied; the strings and buffers they point to are borrowed for
 * the life of the handle. Nothing is sent until `cellmqtt_start`.
 *
 * Returns `NULL_ARG`, `BUFFER_TOO_SMALL`, `INVALID_CONFIG`, `STRING_TOO_LONG`,
 * `INVALID_STRING`, `INVALID_TOPIC`, `TOPIC_TOO_LONG` (the will topic), `WILL_TOO_LONG`,
 * `INVALID_QOS`, `PAYLOAD_TOO_LONG`, `UNSUPPORTED` (a setting the profile or this build
 * cannot take: a `publish_window` above 1 where acknowledgements carry no id, `CACHE_MODE`
 * outside Luat, a part the build left out), `WRONG_STATE` (already initialised:
 * `cellmqtt_deinit` first), `BUSY` (from a callback) or `ABI_MISMATCH` (the library was built
 * for another version of this header). `cellmqtt_config_check` names the field a refusal is
 * about.
 */
static inline cellmqtt_status_t cellmqtt_init(cellmqtt_t *h,
                                              const cellmqtt_config_t *cfg,
                                              const cellmqtt_callbacks_t *cb) {
  return cellmqtt_init_abi(h, cfg, cb, CELLMQTT_ABI_VERSION, sizeof(cellmqtt_t),
                           sizeof(cellmqtt_config_t), sizeof(cellmqtt_callbacks_t));
}

#ifdef __cplusplus
} /* extern "C" */
#endif /* __cplusplus */

#endif  /* CELLMQTT_H */
