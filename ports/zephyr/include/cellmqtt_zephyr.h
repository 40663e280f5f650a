/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt on Zephyr: one module, described in devicetree (compatible "luat,air-cat1", a child
 * of its UART; optional reset-gpios, pwrkey-gpios, power-gpios), served by a thread.
 *
 *     cellmqtt_config_t cfg = cellmqtt_zephyr_config();   // Kconfig buffers, timeouts, DT pins
 *     cfg.host = "broker.example"; cfg.client_id = "dev-1";
 *     const cellmqtt_callbacks_t cb = { .user = NULL, .on_message = on_msg, .on_event = on_ev };
 *     cellmqtt_zephyr_init(&cfg, &cb);
 *     cellmqtt_zephyr_subscribe("dev-1/cmd", 1, NULL);
 *     cellmqtt_zephyr_start();
 *
 * The glue: the UART's interrupt API (RX bytes go straight to `cellmqtt_feed` in the ISR and
 * wake the thread; TX goes through a ring the TX interrupt drains), `k_uptime_get_32` as the
 * clock, the devicetree GPIOs as the pin hook, `irq_lock` as the library's critical section.
 *
 * The thread polls with a mutex held and sleeps on a semaphore for `cellmqtt_poll_delay_ms`.
 * The wrappers below take the same (recursive) mutex, so any thread may call them; callbacks
 * run in the cellmqtt thread and may call them too. Not from an ISR.
 *
 * The `*_wait` helpers block the calling thread (never the cellmqtt thread) until the event
 * it waits for: the port's on_event / on_at_line (which also call yours) signal up to
 * CONFIG_CELLMQTT_WAITERS waiting threads, each on its own k_sem.
 */
#ifndef CELLMQTT_ZEPHYR_H
#define CELLMQTT_ZEPHYR_H

#include <zephyr/kernel.h>

#include "cellmqtt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `cellmqtt_config_default()` with the Kconfig buffer sizes and timeouts and the control
 * lines found in devicetree. The application fills in the broker and identity. */
cellmqtt_config_t cellmqtt_zephyr_config(void);

/* Sets up the UART and GPIOs and initialises the engine. `cb->uart_write`, `tick_ms` and
 * `pin_set` are supplied by the port (any given are ignored); `on_event` and `on_at_line` are
 * wrapped by the port's, which call yours first and then serve the `*_wait` helpers. Returns 0, -ENODEV (UART or a
 * GPIO not ready), -EIO (UART without interrupt API) or -EINVAL (`cellmqtt_init` refused the
 * configuration; the status is logged). */
int cellmqtt_zephyr_init(const cellmqtt_config_t *cfg, const cellmqtt_callbacks_t *cb);

/* Starts the session and the cellmqtt thread. 0, or -EINVAL. */
int cellmqtt_zephyr_start(void);

cellmqtt_status_t cellmqtt_zephyr_publish(const char *topic, const uint8_t *payload, size_t len,
                                          uint8_t qos, bool retain, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_subscribe(const char *filter, uint8_t qos, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_unsubscribe(const char *filter, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_stop(void);
cellmqtt_state_t cellmqtt_zephyr_state(void);
cellmqtt_status_t cellmqtt_zephyr_stats(cellmqtt_stats_t *out);
cellmqtt_status_t cellmqtt_zephyr_at_command(const char *command, uint32_t timeout_ms,
                                             uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_request_signal(uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_request_time(uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_module_info(cellmqtt_module_info_t *out);
/* Publish room (topic + payload bytes) and unconfirmed publishes; hints that may be stale as
 * soon as the lock is released, so still handle QUEUE_FULL. */
size_t cellmqtt_zephyr_queue_room(void);
size_t cellmqtt_zephyr_queued(void);

/* ---- blocking helpers (as in ports/freertos; see ports/README.md) ----
 *
 * A helper registers the calling thread in one of CONFIG_CELLMQTT_WAITERS slots in the same
 * mutex hold as the publish or command it waits for, so an event that fires at once is not
 * missed. Shared returns: CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL (every slot taken, nothing
 * queued), CELLMQTT_STATUS_TIMEOUT (`timeout` passed; what was queued stays queued),
 * CELLMQTT_STATUS_BUSY (called from the cellmqtt thread, i.e. a callback),
 * CELLMQTT_STATUS_WRONG_STATE (before init/start). Not from an ISR. */

/* Returned when all CONFIG_CELLMQTT_WAITERS slots are taken; outside the engine's range. */
#define CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL ((cellmqtt_status_t)-100)

/* Until ONLINE (OK at once if online); GAVE_UP when the session enters FAILED, STOPPED when
 * it is stopped (both at once when it already is FAILED or STOPPED). */
cellmqtt_status_t cellmqtt_zephyr_wait_online(k_timeout_t timeout);

/* Publishes, then waits for that message's PUBLISHED or PUBLISH_FAILED. OK when the event
 * came, with `*final_status` (may be NULL) OK or the failure; on any other return
 * `*final_status` repeats it, so `final_status == OK` alone means "confirmed". */
cellmqtt_status_t cellmqtt_zephyr_publish_wait(const char *topic, const uint8_t *payload,
                                               size_t len, uint8_t qos, bool retain,
                                               k_timeout_t timeout,
                                               cellmqtt_status_t *final_status);

typedef struct cellmqtt_zephyr_at_result_t {
    cellmqtt_status_t status; /* AT_DONE: OK, MODULE_ERROR, TIMEOUT (timeout_ms) or STOPPED */
    uint32_t cme_error;       /* +CME ERROR code for MODULE_ERROR (0 for plain ERROR) */
    size_t answer_len;        /* bytes in `answer`, without the NUL */
    uint16_t lines;           /* information lines received (also those that did not fit) */
    bool truncated;           /* `answer` could not hold every line */
} cellmqtt_zephyr_at_result_t;

/* Queues `command` (`cellmqtt_at_command`) and waits for its AT_DONE, collecting its
 * information lines into `answer` ('\n'-separated, NUL-terminated, cut to `answer_cap`;
 * NULL with 0 for none). `timeout_ms` is the engine's limit once sent, `timeout` bounds the
 * whole wait. OK when AT_DONE came (outcome in `result->status`), else the refusal or a
 * shared return (repeated in `result->status`). */
cellmqtt_status_t cellmqtt_zephyr_at_command_wait(const char *command, uint32_t timeout_ms,
                                                  k_timeout_t timeout, char *answer,
                                                  size_t answer_cap,
                                                  cellmqtt_zephyr_at_result_t *result);

/* `cellmqtt_status_str`, plus CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL. */
const char *cellmqtt_zephyr_status_str(cellmqtt_status_t status);

/* The critical section the library calls (stable C ABI; provided by cellmqtt_zephyr.c). */
uint32_t cellmqtt_port_critical_enter(void);
void cellmqtt_port_critical_exit(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_ZEPHYR_H */
