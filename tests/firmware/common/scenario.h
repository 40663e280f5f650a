/* The end-to-end scenario every test firmware runs (bare metal and FreeRTOS on QEMU, FreeRTOS
 * on the POSIX port), through cellmqtt-emu to mosquitto. The firmware side of a dialogue with
 * tests/firmware/run_scenario.py; lines starting with '@' are for the harness:
 *
 *   device                                        harness
 *   subscribe fw/<name>/down, start, online
 *   "@ready"                               ->     publishes "hello" to fw/<name>/down
 *   receives "hello"; publishes seq 0..49 (QoS 1, at most SCENARIO_WINDOW queued)
 *   15 confirmed: "@fault close"           ->     `close` on the emulator's control socket
 *   recovers (re-connect, subscription restored); seq 30.. wait for that
 *   30 confirmed: "@fault hang"            ->     `hang` on the control socket
 *   detects the silence, pulses RESET (pin hook -> control socket), re-initialises
 *   50 confirmed, both recoveries seen: "@ready2" ->  publishes "bye"
 *   receives "bye": "@pass ..." and exit 0 (any failure: "@fail <why>", exit 1)
 *
 * The harness checks on its side that a subscriber got every sequence number.
 *
 * Built with SCENARIO_BIG_MESSAGE N (the 2 KiB-RAM firmware, tests/firmware/microbit/ram2k.h),
 * the device says "@big N" after "hello"; the harness (--down-size N) publishes N + 1 bytes and
 * then N bytes of a known pattern (scenario_big_byte). The first must be reported as a
 * MESSAGE_TOO_LARGE loss, the second received whole and intact, before publishing starts.
 * SCENARIO_RX_BUF, _LINE_BUF, _QUEUE_BUF and _SUB_BUF override the buffer sizes.
 *
 * Single-threaded: all scenario_* calls come from one context (the superloop, or the FreeRTOS
 * application task, which gets the engine's callbacks through a queue as scenario_input_t). */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "cellmqtt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCENARIO_MESSAGES 50
#define SCENARIO_WINDOW 4
#define SCENARIO_CLOSE_AT 15
#define SCENARIO_HANG_AT 30
/* The whole run; a hung recovery fails the test instead of waiting for the harness timeout. */
#define SCENARIO_DEADLINE_MS 120000u

typedef struct scenario_platform_t {
    const char *name; /* topic and client-id part: fw/<name>/up, fw/<name>/down */
    cellmqtt_status_t (*subscribe)(const char *filter, uint8_t qos, uint16_t *out_id);
    cellmqtt_status_t (*publish)(const char *topic, const uint8_t *payload, size_t len,
                                 uint8_t qos, uint16_t *out_id);
    cellmqtt_status_t (*stats)(cellmqtt_stats_t *out);
    uint32_t (*now_ms)(void);
    void (*write_line)(const char *line); /* one whole line, '\n' included */
    /* Optional: extra "key=value ..." text for the @pass line (stack use, sleep counts). */
    void (*describe)(char *buf, size_t cap);
} scenario_platform_t;

enum { SCENARIO_IN_EVENT, SCENARIO_IN_MESSAGE, SCENARIO_IN_PIN };

/* What the engine's callbacks report, copied so it can cross a queue. Message topic and
 * payload are truncated copies; the *_len fields keep the real lengths. */
typedef struct scenario_input_t {
    uint8_t kind;
    uint8_t pin;
    bool active;
    cellmqtt_event_t event;
    size_t topic_len;
    size_t payload_len;
    char topic[48];
    uint8_t payload[16];
    bool big_ok; /* payload is SCENARIO_BIG_MESSAGE bytes of the pattern (always false without) */
} scenario_input_t;

/* Byte `i` of the large messages: printable, and with the quote and the comma that a
 * `+MSUB` header also holds, so framing by the byte count is what keeps them apart. */
static inline uint8_t scenario_big_byte(size_t i) {
    return (uint8_t)(33u + i % 94u);
}

void scenario_input_event(scenario_input_t *in, const cellmqtt_event_t *ev);
void scenario_input_message(scenario_input_t *in, const uint8_t *topic, size_t topic_len,
                            const uint8_t *payload, size_t payload_len);
void scenario_input_pin(scenario_input_t *in, cellmqtt_pin_t pin, bool active);

/* A configuration for the test: broker 127.0.0.1:`broker_port` (as the emulator reaches it),
 * client id fw-<name>, RESET wired, buffers of the default sizes, and short timeouts so that
 * each recovery takes seconds (the defaults follow the vendor's minutes). */
void scenario_config(cellmqtt_config_t *cfg, const char *name, uint16_t broker_port);

/* The decimal port in `text` (1..65535), or 0. */
uint16_t scenario_parse_port(const char *text);

/* Builds the topics and subscribes; call before `cellmqtt_start`. False on failure. */
bool scenario_begin(const scenario_platform_t *platform);

/* Feeds one callback report. */
void scenario_input(const scenario_input_t *in);

#define SCENARIO_RUNNING (-1)
/* Queues publishes that are due and checks progress: SCENARIO_RUNNING, or the exit code
 * (0 passed, 1 failed) once the scenario has ended. */
int scenario_step(void);

/* Decimal text of `value` into `buf` (at least 11 bytes), NUL-terminated; returns the length.
 * The firmware has no printf: the engine is built without core::fmt and so are the tests. */
size_t scenario_fmt_u32(char *buf, uint32_t value);

#endif /* SCENARIO_H */
