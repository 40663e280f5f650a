/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt FreeRTOS port: a task that runs the engine, an RX entry point for the UART
 * interrupt, the kernel tick as the engine's clock, the kernel's interrupt mask as its
 * critical section, and a thread-safe API for the other tasks.
 *
 *     static cellmqtt_freertos_t modem;
 *     cellmqtt_freertos_init(&modem, &cfg, &callbacks);   // callbacks.tick_ms may be NULL
 *     cellmqtt_freertos_subscribe(&modem, "dev/cmd", 1, NULL);
 *     cellmqtt_freertos_start(&modem, &(cellmqtt_freertos_task_t){ "cellmqtt", 512, 3, NULL, NULL });
 *     vTaskStartScheduler();
 *
 *     void UARTx_IRQHandler(void) {                       // priority numerically >=
 *         BaseType_t woken = pdFALSE;                      // configMAX_SYSCALL_INTERRUPT_PRIORITY
 *         uint8_t buf[16]; size_t n = drain_rx_fifo(buf, sizeof buf);
 *         cellmqtt_freertos_rx_isr(&modem, buf, n, &woken);
 *         portYIELD_FROM_ISR(woken);
 *     }
 *
 * The task loop: take the API lock, `cellmqtt_poll`, read `cellmqtt_poll_delay_ms`, release
 * the lock, then `ulTaskNotifyTake` for that long. The RX interrupt and every API wrapper give
 * the task a notification, so it wakes at once for new bytes or new work; a notification that
 * arrives while it polls is kept, so none is lost.
 *
 * Locking. The engine needs one context at a time for everything but `cellmqtt_feed`. Here
 * that is a recursive mutex: the task holds it while it polls, and the wrappers below take it.
 * Callbacks run inside the poll, in the cellmqtt task, holding the mutex; from them you may
 * call the wrappers (the mutex is recursive) or the plain API on `&modem.engine`. Do not block
 * in a callback: the wrappers of other tasks wait for the poll to end. `cellmqtt_feed` (and so
 * `cellmqtt_freertos_rx_isr`) takes no mutex: it may run in an interrupt at any time.
 *
 * Callbacks. The engine is given the port's own callbacks (with the port as `user`); they
 * call yours with your `user`, so nothing changes for the application, and they also serve
 * the blocking helpers (`cellmqtt_freertos_wait_online`, `_publish_wait`, `_at_command_wait`)
 * through which an application task waits for an event instead of polling for it.
 *
 * Requirements: configUSE_MUTEXES, configUSE_RECURSIVE_MUTEXES, configUSE_TASK_NOTIFICATIONS,
 * INCLUDE_xTaskGetCurrentTaskHandle (the kernel's default);
 * a tick rate that divides 1000 Hz (the clock is ticks * portTICK_PERIOD_MS, which wraps
 * cleanly at 2^32 only then); a 32-bit or wider TickType_t. Stack: the cellmqtt task of the
 * Cortex-M3 test firmware peaked at 728 bytes (ports/README.md); add your callbacks' needs.
 */
#ifndef CELLMQTT_FREERTOS_H
#define CELLMQTT_FREERTOS_H

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "cellmqtt.h"
#include "../common/cellmqtt_wait.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many tasks may block in the `*_wait` calls below at once, per port instance. Each slot
 * costs one binary semaphore (created by init) and about 40 bytes; a wait that finds every
 * slot taken returns CELLMQTT_FREERTOS_STATUS_WAITERS_FULL at once, without queuing anything. */
#ifndef CELLMQTT_FREERTOS_WAITERS
#define CELLMQTT_FREERTOS_WAITERS 4
#endif

/* Returned by the `*_wait` calls when all CELLMQTT_FREERTOS_WAITERS slots are in use. Outside
 * the engine's status range, so it never collides with one; cellmqtt_freertos_status_str
 * names it. */
#define CELLMQTT_FREERTOS_STATUS_WAITERS_FULL ((cellmqtt_status_t)-100)

/* One blocked task's registration: its wait (ports/common/cellmqtt_wait.h) and the semaphore
 * that wakes it; all fields belong to the port. */
typedef struct cellmqtt_freertos_waiter_t {
    SemaphoreHandle_t wake;
#if (configSUPPORT_STATIC_ALLOCATION == 1)
    StaticSemaphore_t wake_storage;
#endif
    cellmqtt_wait_t wait;
} cellmqtt_freertos_waiter_t;

typedef struct cellmqtt_freertos_t {
    /* The engine. Use it directly only from the cellmqtt task (i.e. from callbacks). */
    cellmqtt_t engine;
    TaskHandle_t task;
    SemaphoreHandle_t api_lock;
#if (configSUPPORT_STATIC_ALLOCATION == 1)
    StaticSemaphore_t api_lock_storage;
#endif
    /* The application's callbacks: the engine gets the port's, which call these (with the
     * application's `user`) and also serve the waiters. */
    cellmqtt_callbacks_t app;
    cellmqtt_freertos_waiter_t waiters[CELLMQTT_FREERTOS_WAITERS];
} cellmqtt_freertos_t;

typedef struct cellmqtt_freertos_task_t {
    const char *name;                    /* NULL: "cellmqtt" */
    configSTACK_DEPTH_TYPE stack_depth;  /* in StackType_t words */
    UBaseType_t priority;
    /* Both set: the task is created statically in these (configSUPPORT_STATIC_ALLOCATION);
     * both NULL: xTaskCreate allocates them. */
    StackType_t *stack_buffer;
    StaticTask_t *task_buffer;
} cellmqtt_freertos_task_t;

/* Creates the API lock and initialises the engine (`cellmqtt_init`). A NULL `cb->tick_ms` is
 * replaced by `cellmqtt_freertos_tick_ms`. Call before the task exists (e.g. before the
 * scheduler starts). Returns `cellmqtt_init`'s status, or `CELLMQTT_STATUS_INVALID_CONFIG`
 * when the lock cannot be created. */
cellmqtt_status_t cellmqtt_freertos_init(cellmqtt_freertos_t *port, const cellmqtt_config_t *cfg,
                                         const cellmqtt_callbacks_t *cb);

/* Starts the session (`cellmqtt_start`) and creates the cellmqtt task. Returns
 * `CELLMQTT_STATUS_INVALID_CONFIG` if the task cannot be created. */
cellmqtt_status_t cellmqtt_freertos_start(cellmqtt_freertos_t *port,
                                          const cellmqtt_freertos_task_t *task);

/* From the UART RX interrupt: hands `len` received bytes to the engine and notifies the
 * cellmqtt task. Sets `*higher_priority_task_woken` (FreeRTOS convention; may be NULL) so the
 * interrupt can end with portYIELD_FROM_ISR. The interrupt's priority must be numerically at
 * or above configMAX_SYSCALL_INTERRUPT_PRIORITY, as for every FromISR call. Returns
 * `CELLMQTT_STATUS_RX_OVERFLOW` when the RX ring was full (the engine counts the loss). */
cellmqtt_status_t cellmqtt_freertos_rx_isr(cellmqtt_freertos_t *port, const uint8_t *data,
                                           size_t len, BaseType_t *higher_priority_task_woken);

/* The same from a task (an RX task of a UART driver that has one): feed and notify. */
cellmqtt_status_t cellmqtt_freertos_rx(cellmqtt_freertos_t *port, const uint8_t *data, size_t len);

/* Thread-safe wrappers of the plain API: callable from any task (not from an interrupt).
 * They wait for a running poll to end, call the engine, and wake the cellmqtt task. */
cellmqtt_status_t cellmqtt_freertos_publish(cellmqtt_freertos_t *port, const char *topic,
                                            const uint8_t *payload, size_t len, uint8_t qos,
                                            bool retain, uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_subscribe(cellmqtt_freertos_t *port, const char *filter,
                                              uint8_t qos, uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_unsubscribe(cellmqtt_freertos_t *port, const char *filter,
                                                uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_stop(cellmqtt_freertos_t *port);
cellmqtt_state_t cellmqtt_freertos_state(cellmqtt_freertos_t *port);
cellmqtt_status_t cellmqtt_freertos_stats(cellmqtt_freertos_t *port, cellmqtt_stats_t *out);
cellmqtt_status_t cellmqtt_freertos_at_command(cellmqtt_freertos_t *port, const char *command,
                                               uint32_t timeout_ms, uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_request_signal(cellmqtt_freertos_t *port, uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_request_time(cellmqtt_freertos_t *port, uint16_t *out_id);
cellmqtt_status_t cellmqtt_freertos_module_info(cellmqtt_freertos_t *port,
                                                cellmqtt_module_info_t *out);
/* Topic + payload bytes a publish may have right now, and publishes not yet confirmed. The
 * answer can be stale as soon as the lock is released (the cellmqtt task confirms publishes,
 * other tasks queue them), so treat it as a hint and still handle QUEUE_FULL. 0 for a NULL
 * port. */
size_t cellmqtt_freertos_queue_room(cellmqtt_freertos_t *port);
size_t cellmqtt_freertos_queued(cellmqtt_freertos_t *port);

/* ---- blocking helpers for application tasks ----
 *
 * They block the calling task, never the cellmqtt task: the task registers in a waiter slot
 * under the API lock, and the port's event callback (run by the cellmqtt task, under the
 * same lock) marks the slot and gives its semaphore. Registration happens in the same lock
 * hold as the call that causes the event, so an event that fires at once is not missed. The
 * application's own callbacks still see every event and AT line.
 *
 * Shared return values:
 *   CELLMQTT_FREERTOS_STATUS_WAITERS_FULL  all CELLMQTT_FREERTOS_WAITERS slots are taken
 *                                          (nothing was queued);
 *   CELLMQTT_STATUS_TIMEOUT                `timeout_ticks` passed first (what was queued
 *                                          stays queued; its later events reach only the
 *                                          application's on_event);
 *   CELLMQTT_STATUS_BUSY                   called from the cellmqtt task (a callback), which
 *                                          would wait for itself;
 *   CELLMQTT_STATUS_WRONG_STATE            the cellmqtt task is not started yet.
 * Not callable from interrupts. `timeout_ticks` may be portMAX_DELAY (for ever only with
 * INCLUDE_vTaskSuspend 1, as for every kernel wait; otherwise that many ticks). */

/* Blocks until the session is ONLINE (returns OK at once if it is). Ends early with
 * CELLMQTT_STATUS_GAVE_UP when the session enters FAILED and CELLMQTT_STATUS_STOPPED when it
 * is stopped, and returns them at once when it already is FAILED or STOPPED (only a start
 * leaves those states). CELLMQTT_STATUS_NOT_INITIALIZED, from every wrapper, for a port
 * whose init has not run or could not create its lock. */
cellmqtt_status_t cellmqtt_freertos_wait_online(cellmqtt_freertos_t *port,
                                                TickType_t timeout_ticks);

/* `cellmqtt_freertos_publish`, then blocks until that message's PUBLISHED or PUBLISH_FAILED
 * event. Returns OK when the event came: `*final_status` (may be NULL) is then OK for
 * PUBLISHED or the failure's status. On any other return `*final_status` is set to the
 * return value, so `final_status == OK` alone means "confirmed". Publish refusals
 * (QUEUE_FULL, INVALID_TOPIC, ...) return at once. A publish queued before `stop` stays
 * queued (no event) until the next start, so give a finite timeout if that can happen. */
cellmqtt_status_t cellmqtt_freertos_publish_wait(cellmqtt_freertos_t *port, const char *topic,
                                                 const uint8_t *payload, size_t len, uint8_t qos,
                                                 bool retain, TickType_t timeout_ticks,
                                                 cellmqtt_status_t *final_status);

/* What `cellmqtt_freertos_at_command_wait` reports about the command. */
typedef struct cellmqtt_freertos_at_result_t {
    cellmqtt_status_t status; /* AT_DONE: OK, MODULE_ERROR, TIMEOUT (timeout_ms) or STOPPED */
    uint32_t cme_error;       /* the +CME ERROR code for MODULE_ERROR (0 for plain ERROR) */
    size_t answer_len;        /* bytes in `answer`, without the NUL */
    uint16_t lines;           /* information lines received (also those that did not fit) */
    bool truncated;           /* `answer` could not hold every line */
} cellmqtt_freertos_at_result_t;

/* `cellmqtt_freertos_at_command`, then blocks until its AT_DONE event. The information lines
 * of its answer are collected into `answer` (capacity `answer_cap` bytes; may be NULL with 0),
 * separated by '\n' and NUL-terminated, cut where they do not fit. `timeout_ms` is the
 * engine's limit for the module's answer once the command is sent; `timeout_ticks` bounds
 * the whole wait (the command may sit behind the session's own commands, or a recovery).
 * Returns OK when AT_DONE came (the command's own outcome is in `result->status`; `result`
 * may be NULL), else a refusal of `cellmqtt_at_command` (COMMAND_REFUSED, QUEUE_FULL, ...) or
 * one of the shared values above; on those, result->status repeats the return value. After
 * a wait TIMEOUT the command may still run; its lines no longer touch `answer`. */
cellmqtt_status_t cellmqtt_freertos_at_command_wait(cellmqtt_freertos_t *port,
                                                    const char *command, uint32_t timeout_ms,
                                                    TickType_t timeout_ticks, char *answer,
                                                    size_t answer_cap,
                                                    cellmqtt_freertos_at_result_t *result);

/* `cellmqtt_status_str`, plus the port's CELLMQTT_FREERTOS_STATUS_WAITERS_FULL. */
const char *cellmqtt_freertos_status_str(cellmqtt_status_t status);

/* The kernel tick in milliseconds (`cellmqtt_callbacks_t.tick_ms`; ignores `user`). */
uint32_t cellmqtt_freertos_tick_ms(void *user);

/* The critical section the library calls around its RX-ring update (stable C ABI; the
 * library's header leaves port hooks out). Mapped to taskENTER_CRITICAL_FROM_ISR /
 * taskEXIT_CRITICAL_FROM_ISR, see cellmqtt_freertos.c for why. Define
 * CELLMQTT_FREERTOS_NO_CRITICAL_HOOKS when the library was built without
 * `c-critical-section` (host builds use std's lock). */
uint32_t cellmqtt_port_critical_enter(void);
void cellmqtt_port_critical_exit(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_FREERTOS_H */
