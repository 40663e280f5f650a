/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt FreeRTOS port; see cellmqtt_freertos.h. */
#include "cellmqtt_freertos.h"

#include <string.h>

#if (configUSE_MUTEXES != 1) || (configUSE_RECURSIVE_MUTEXES != 1)
#error "cellmqtt_freertos needs configUSE_MUTEXES and configUSE_RECURSIVE_MUTEXES"
#endif
#if defined(configUSE_TASK_NOTIFICATIONS) && (configUSE_TASK_NOTIFICATIONS != 1)
#error "cellmqtt_freertos needs configUSE_TASK_NOTIFICATIONS"
#endif

/* The clock is ticks * portTICK_PERIOD_MS (see cellmqtt_freertos_tick_ms), exact only for a
 * tick rate that divides 1000 Hz. _Static_assert, not #if: configs often write the rate with
 * a cast, which the preprocessor cannot evaluate. */
_Static_assert(configTICK_RATE_HZ <= 1000 && 1000 % configTICK_RATE_HZ == 0,
               "cellmqtt_freertos needs a tick rate that divides 1000 Hz");
/* A wider TickType_t is truncated, which keeps the wrap at 2^32; a narrower one would make
 * the millisecond clock jump at its own wrap. */
_Static_assert(sizeof(TickType_t) >= sizeof(uint32_t), "cellmqtt_freertos needs a 32-bit tick");

uint32_t cellmqtt_freertos_tick_ms(void *user) {
    (void)user;
    /* Multiplying modulo 2^32 keeps the clock continuous across the tick counter's wrap:
     * (t + 1) * p == t * p + p (mod 2^32). */
    return (uint32_t)xTaskGetTickCount() * (uint32_t)portTICK_PERIOD_MS;
}

#ifndef CELLMQTT_FREERTOS_NO_CRITICAL_HOOKS
/* The library enters its critical section inside `cellmqtt_feed`, which runs in the UART
 * interrupt as well as in tasks. taskENTER_CRITICAL cannot serve both: on the Cortex-M ports
 * it asserts when called from an interrupt, and its nesting count belongs to the running
 * task. The FROM_ISR form is the kernel's nesting-safe mask: it raises the mask to
 * configMAX_SYSCALL_INTERRUPT_PRIORITY (BASEPRI on ARMv7-M, PRIMASK on ARMv6-M) and returns
 * the previous value, which exit restores, so it is correct in both contexts. Interrupts
 * above that priority are not masked, which is why they may not call into the engine (they
 * may not call FreeRTOS either). The section is a bounded copy into the RX ring and calls no
 * kernel function. */
uint32_t cellmqtt_port_critical_enter(void) {
    return (uint32_t)taskENTER_CRITICAL_FROM_ISR();
}

void cellmqtt_port_critical_exit(uint32_t state) {
    taskEXIT_CRITICAL_FROM_ISR((UBaseType_t)state);
}
#endif

/* ---- the task ---- */

static TickType_t ticks_for(uint32_t delay_ms) {
    if (delay_ms == UINT32_MAX) {
        return portMAX_DELAY; /* nothing scheduled: sleep until RX or an API call */
    }
    /* Round up: a 0-tick wait would spin, and an N-tick wait may end up to a tick short
     * anyway (the current tick is partly gone); an early wake just polls and waits again. */
    TickType_t ticks = (TickType_t)(delay_ms / portTICK_PERIOD_MS) +
                       (TickType_t)(delay_ms % portTICK_PERIOD_MS != 0u);
    return ticks < portMAX_DELAY ? ticks : portMAX_DELAY - 1u;
}

static void cellmqtt_task(void *arg) {
    cellmqtt_freertos_t *port = arg;
    for (;;) {
        (void)xSemaphoreTakeRecursive(port->api_lock, portMAX_DELAY);
        cellmqtt_status_t st = cellmqtt_poll(&port->engine);
        /* A handle that cannot poll (deinitialised) would report "poll now" forever. */
        uint32_t delay_ms = st == CELLMQTT_STATUS_OK ? cellmqtt_poll_delay_ms(&port->engine)
                                                     : UINT32_MAX;
        (void)xSemaphoreGiveRecursive(port->api_lock);
        if (delay_ms != 0u) {
            /* Bytes fed or work queued after the poll above left a notification pending, so
             * this returns at once for them. */
            (void)ulTaskNotifyTake(pdTRUE, ticks_for(delay_ms));
        }
    }
}

/* ---- locking ---- */

/* True when the port has no API lock: zeroed storage whose init has not run yet (another task
 * may call in first), or an init that could not create the lock or a waiter's semaphore. The
 * wrappers then refuse with NOT_INITIALIZED, as the plain API does for a zeroed handle, rather
 * than hand the kernel a NULL mutex (configASSERT, or a fault where asserts are off). */
static bool unlocked(const cellmqtt_freertos_t *port) {
    return port->api_lock == NULL;
}

static void lock(cellmqtt_freertos_t *port) {
    (void)xSemaphoreTakeRecursive(port->api_lock, portMAX_DELAY);
}

/* Releases the lock and, when the call changed what the engine has to do, wakes its task. */
static void unlock_and_wake(cellmqtt_freertos_t *port, bool wake) {
    (void)xSemaphoreGiveRecursive(port->api_lock);
    if (wake && port->task != NULL) {
        (void)xTaskNotifyGive(port->task);
    }
}

/* ---- callbacks ----
 *
 * The engine passes one `user` pointer to every callback. The port needs its own (to find
 * the waiters of this instance) and the application keeps its own, so the engine gets `port`
 * as `user` and these forwarders, which call the application's callbacks with its `user`.
 * Optional callbacks the application left NULL stay NULL (the engine treats NULL as "not
 * used"), except on_event and on_at_line, which the waiters need. */

static cellmqtt_freertos_t *port_of(void *user) {
    return (cellmqtt_freertos_t *)user;
}

static int32_t fwd_uart_write(void *user, const uint8_t *data, size_t len) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    return app->uart_write(app->user, data, len);
}

static uint32_t fwd_tick_ms(void *user) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    return app->tick_ms(app->user);
}

static void fwd_pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    app->pin_set(app->user, pin, active);
}

static int32_t fwd_pin_get(void *user, cellmqtt_pin_t pin) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    return app->pin_get(app->user, pin);
}

static void fwd_on_message(void *user, const uint8_t *topic, size_t topic_len,
                           const uint8_t *payload, size_t payload_len) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    app->on_message(app->user, topic, topic_len, payload, payload_len);
}

static void fwd_log(void *user, const cellmqtt_log_t *entry) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    app->log(app->user, entry);
}

static void fwd_on_urc(void *user, const uint8_t *line, size_t len) {
    const cellmqtt_callbacks_t *app = &port_of(user)->app;
    app->on_urc(app->user, line, len);
}

static void waiters_on_event(cellmqtt_freertos_t *port, const cellmqtt_event_t *ev);
static void waiters_on_at_line(cellmqtt_freertos_t *port, uint16_t id, const uint8_t *line,
                               size_t len);

static void fwd_on_event(void *user, const cellmqtt_event_t *ev) {
    cellmqtt_freertos_t *port = port_of(user);
    if (port->app.on_event != NULL) {
        port->app.on_event(port->app.user, ev);
    }
    waiters_on_event(port, ev);
}

static void fwd_on_at_line(void *user, uint16_t id, const uint8_t *line, size_t len) {
    cellmqtt_freertos_t *port = port_of(user);
    if (port->app.on_at_line != NULL) {
        port->app.on_at_line(port->app.user, id, line, len);
    }
    waiters_on_at_line(port, id, line, len);
}

/* ---- setup ---- */

cellmqtt_status_t cellmqtt_freertos_init(cellmqtt_freertos_t *port, const cellmqtt_config_t *cfg,
                                         const cellmqtt_callbacks_t *cb) {
    if (port == NULL || cfg == NULL || cb == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    port->task = NULL;
#if (configSUPPORT_STATIC_ALLOCATION == 1)
    port->api_lock = xSemaphoreCreateRecursiveMutexStatic(&port->api_lock_storage);
#else
    port->api_lock = xSemaphoreCreateRecursiveMutex();
#endif
    if (port->api_lock == NULL) {
        return CELLMQTT_STATUS_INVALID_CONFIG;
    }
    for (size_t i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        cellmqtt_freertos_waiter_t *w = &port->waiters[i];
        w->wait.kind = CELLMQTT_WAIT_FREE;
#if (configSUPPORT_STATIC_ALLOCATION == 1)
        w->wake = xSemaphoreCreateBinaryStatic(&w->wake_storage);
#else
        w->wake = xSemaphoreCreateBinary();
#endif
        if (w->wake == NULL) {
            port->api_lock = NULL; /* the wrappers refuse (unlocked) rather than wait on it */
            return CELLMQTT_STATUS_INVALID_CONFIG;
        }
    }
    port->app = *cb;
    cellmqtt_callbacks_t callbacks = {
        .user = port,
        /* A NULL uart_write stays NULL so that cellmqtt_init reports it. */
        .uart_write = cb->uart_write != NULL ? fwd_uart_write : NULL,
        /* The kernel clock ignores `user`: no forwarder on the most frequent call. */
        .tick_ms = cb->tick_ms != NULL ? fwd_tick_ms : cellmqtt_freertos_tick_ms,
        .pin_set = cb->pin_set != NULL ? fwd_pin_set : NULL,
        .on_message = cb->on_message != NULL ? fwd_on_message : NULL,
        .on_event = fwd_on_event,
        .log = cb->log != NULL ? fwd_log : NULL,
        .pin_get = cb->pin_get != NULL ? fwd_pin_get : NULL,
        .on_at_line = fwd_on_at_line,
        .on_urc = cb->on_urc != NULL ? fwd_on_urc : NULL,
    };
    return cellmqtt_init(&port->engine, cfg, &callbacks);
}

cellmqtt_status_t cellmqtt_freertos_start(cellmqtt_freertos_t *port,
                                          const cellmqtt_freertos_task_t *task) {
    if (port == NULL || task == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED; /* a task would take a NULL mutex */
    }
    if (port->task == NULL) {
        const char *name = task->name != NULL ? task->name : "cellmqtt";
        if (task->stack_buffer != NULL && task->task_buffer != NULL) {
#if (configSUPPORT_STATIC_ALLOCATION == 1)
            port->task = xTaskCreateStatic(cellmqtt_task, name, task->stack_depth, port,
                                           task->priority, task->stack_buffer, task->task_buffer);
#endif
        } else if (task->stack_buffer == NULL && task->task_buffer == NULL) {
#if (configSUPPORT_DYNAMIC_ALLOCATION == 1)
            if (xTaskCreate(cellmqtt_task, name, task->stack_depth, port, task->priority,
                            &port->task) != pdPASS) {
                port->task = NULL;
            }
#endif
        }
        if (port->task == NULL) {
            return CELLMQTT_STATUS_INVALID_CONFIG;
        }
    }
    /* The task exists before the session starts, so the wake-up below reaches it. */
    lock(port);
    cellmqtt_status_t st = cellmqtt_start(&port->engine);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

/* ---- receive ---- */

cellmqtt_status_t cellmqtt_freertos_rx_isr(cellmqtt_freertos_t *port, const uint8_t *data,
                                           size_t len, BaseType_t *higher_priority_task_woken) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    cellmqtt_status_t st = cellmqtt_feed(&port->engine, data, len);
    if (port->task != NULL && len != 0u) {
        vTaskNotifyGiveFromISR(port->task, higher_priority_task_woken);
    }
    return st;
}

cellmqtt_status_t cellmqtt_freertos_rx(cellmqtt_freertos_t *port, const uint8_t *data, size_t len) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    cellmqtt_status_t st = cellmqtt_feed(&port->engine, data, len);
    if (port->task != NULL && len != 0u) {
        (void)xTaskNotifyGive(port->task);
    }
    return st;
}

/* ---- thread-safe API ---- */

cellmqtt_status_t cellmqtt_freertos_publish(cellmqtt_freertos_t *port, const char *topic,
                                            const uint8_t *payload, size_t len, uint8_t qos,
                                            bool retain, uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_publish(&port->engine, topic, payload, len, qos, retain, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_subscribe(cellmqtt_freertos_t *port, const char *filter,
                                              uint8_t qos, uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_subscribe(&port->engine, filter, qos, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_unsubscribe(cellmqtt_freertos_t *port, const char *filter,
                                                uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_unsubscribe(&port->engine, filter, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_stop(cellmqtt_freertos_t *port) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_stop(&port->engine);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_state_t cellmqtt_freertos_state(cellmqtt_freertos_t *port) {
    if (port == NULL || unlocked(port)) {
        return CELLMQTT_STATE_STOPPED;
    }
    lock(port);
    cellmqtt_state_t state = cellmqtt_state(&port->engine);
    unlock_and_wake(port, false);
    return state;
}

cellmqtt_status_t cellmqtt_freertos_stats(cellmqtt_freertos_t *port, cellmqtt_stats_t *out) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_stats(&port->engine, out);
    unlock_and_wake(port, false);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_at_command(cellmqtt_freertos_t *port, const char *command,
                                               uint32_t timeout_ms, uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_at_command(&port->engine, command, timeout_ms, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_request_signal(cellmqtt_freertos_t *port, uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_request_signal(&port->engine, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_request_time(cellmqtt_freertos_t *port, uint16_t *out_id) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_request_time(&port->engine, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_module_info(cellmqtt_freertos_t *port,
                                                cellmqtt_module_info_t *out) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_module_info(&port->engine, out);
    unlock_and_wake(port, false);
    return st;
}

size_t cellmqtt_freertos_queue_room(cellmqtt_freertos_t *port) {
    if (port == NULL || unlocked(port)) {
        return 0;
    }
    lock(port);
    size_t room = cellmqtt_queue_room(&port->engine);
    unlock_and_wake(port, false);
    return room;
}

size_t cellmqtt_freertos_queued(cellmqtt_freertos_t *port) {
    if (port == NULL || unlocked(port)) {
        return 0;
    }
    lock(port);
    size_t queued = cellmqtt_queued(&port->engine);
    unlock_and_wake(port, false);
    return queued;
}

/* ---- waiters ----
 *
 * A waiter slot is claimed, filled and released only with the API lock held, and the engine
 * reports events only inside cellmqtt_poll, which the cellmqtt task runs with that lock held.
 * So a task that claims a slot and queues its publish (or command) in one lock hold cannot
 * miss the event, however soon it comes. The semaphore only wakes the task: what happened is
 * read from the slot, under the lock again. Invariant: a free slot's semaphore is empty (a
 * give that raced with a timeout is taken back on release), so the next user of the slot
 * cannot be woken by an old event. */

static void waiters_on_event(cellmqtt_freertos_t *port, const cellmqtt_event_t *ev) {
    for (size_t i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        cellmqtt_freertos_waiter_t *w = &port->waiters[i];
        if (cellmqtt_wait_on_event(&w->wait, ev)) {
            (void)xSemaphoreGive(w->wake);
        }
    }
}

static void waiters_on_at_line(cellmqtt_freertos_t *port, uint16_t id, const uint8_t *line,
                               size_t len) {
    for (size_t i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        cellmqtt_wait_on_at_line(&port->waiters[i].wait, id, line, len);
    }
}

/* With the lock held: a free slot for `kind`, or NULL. */
static cellmqtt_freertos_waiter_t *waiter_claim(cellmqtt_freertos_t *port, uint8_t kind) {
    for (size_t i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        cellmqtt_freertos_waiter_t *w = &port->waiters[i];
        if (w->wait.kind == CELLMQTT_WAIT_FREE) {
            cellmqtt_wait_claim(&w->wait, kind);
            return w;
        }
    }
    return NULL;
}

/* With the lock held: frees the slot and takes back a give that came after a timeout. */
static void waiter_release(cellmqtt_freertos_waiter_t *w) {
    cellmqtt_wait_free(&w->wait);
    (void)xSemaphoreTake(w->wake, 0);
}

/* Why the calling task may not wait, or OK. With the lock held. */
static cellmqtt_status_t may_wait(const cellmqtt_freertos_t *port) {
    if (port->task == NULL) {
        return CELLMQTT_STATUS_WRONG_STATE;
    }
    /* The cellmqtt task would wait for an event only it can deliver. */
    return xTaskGetCurrentTaskHandle() == port->task ? CELLMQTT_STATUS_BUSY : CELLMQTT_STATUS_OK;
}

/* Releases the lock (waking the cellmqtt task when work was queued), blocks until the slot
 * is signalled or `timeout_ticks` pass, and frees the slot. Returns OK with the slot's
 * result copied to `*out`, or TIMEOUT. A signal that lands between the semaphore's timeout
 * and re-taking the lock still counts: the slot is read, not the semaphore's answer. */
static cellmqtt_status_t waiter_block(cellmqtt_freertos_t *port, cellmqtt_freertos_waiter_t *w,
                                      bool wake, TickType_t timeout_ticks,
                                      cellmqtt_wait_result_t *out) {
    unlock_and_wake(port, wake);
    (void)xSemaphoreTake(w->wake, timeout_ticks);
    lock(port);
    bool done = w->wait.done;
    *out = cellmqtt_wait_result(&w->wait);
    waiter_release(w);
    unlock_and_wake(port, false);
    return done ? CELLMQTT_STATUS_OK : CELLMQTT_STATUS_TIMEOUT;
}

cellmqtt_status_t cellmqtt_freertos_wait_online(cellmqtt_freertos_t *port,
                                                TickType_t timeout_ticks) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    if (unlocked(port)) {
        return CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    lock(port);
    cellmqtt_status_t st = may_wait(port);
    if (st == CELLMQTT_STATUS_OK && !cellmqtt_wait_online_now(cellmqtt_state(&port->engine), &st)) {
        cellmqtt_freertos_waiter_t *w = waiter_claim(port, CELLMQTT_WAIT_ONLINE);
        if (w == NULL) {
            st = CELLMQTT_FREERTOS_STATUS_WAITERS_FULL;
        } else {
            cellmqtt_wait_result_t result;
            st = waiter_block(port, w, false, timeout_ticks, &result);
            return st == CELLMQTT_STATUS_OK ? result.status : st;
        }
    }
    unlock_and_wake(port, false);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_publish_wait(cellmqtt_freertos_t *port, const char *topic,
                                                 const uint8_t *payload, size_t len, uint8_t qos,
                                                 bool retain, TickType_t timeout_ticks,
                                                 cellmqtt_status_t *final_status) {
    cellmqtt_status_t st = CELLMQTT_STATUS_NULL_ARG;
    if (port != NULL && unlocked(port)) {
        st = CELLMQTT_STATUS_NOT_INITIALIZED;
    }
    cellmqtt_status_t final = st;
    if (port != NULL && !unlocked(port)) {
        lock(port);
        st = may_wait(port);
        cellmqtt_freertos_waiter_t *w = NULL;
        if (st == CELLMQTT_STATUS_OK) {
            w = waiter_claim(port, CELLMQTT_WAIT_PUBLISH);
            st = w != NULL ? CELLMQTT_STATUS_OK : CELLMQTT_FREERTOS_STATUS_WAITERS_FULL;
        }
        if (st == CELLMQTT_STATUS_OK) {
            st = cellmqtt_publish(&port->engine, topic, payload, len, qos, retain, &w->wait.id);
        }
        if (st == CELLMQTT_STATUS_OK) {
            cellmqtt_wait_result_t result;
            st = waiter_block(port, w, true, timeout_ticks, &result);
            final = st == CELLMQTT_STATUS_OK ? result.status : st;
        } else {
            if (w != NULL) {
                waiter_release(w);
            }
            unlock_and_wake(port, false);
            final = st;
        }
    }
    if (final_status != NULL) {
        *final_status = final;
    }
    return st;
}

cellmqtt_status_t cellmqtt_freertos_at_command_wait(cellmqtt_freertos_t *port,
                                                    const char *command, uint32_t timeout_ms,
                                                    TickType_t timeout_ticks, char *answer,
                                                    size_t answer_cap,
                                                    cellmqtt_freertos_at_result_t *result) {
    cellmqtt_wait_result_t done = {.status = CELLMQTT_STATUS_NULL_ARG};
    cellmqtt_status_t st = CELLMQTT_STATUS_NULL_ARG;
    if (answer != NULL && answer_cap != 0u) {
        answer[0] = '\0';
    }
    if (port != NULL && unlocked(port)) {
        st = done.status = CELLMQTT_STATUS_NOT_INITIALIZED;
    } else if (port != NULL && (answer != NULL || answer_cap == 0u)) {
        lock(port);
        st = may_wait(port);
        cellmqtt_freertos_waiter_t *w = NULL;
        if (st == CELLMQTT_STATUS_OK) {
            w = waiter_claim(port, CELLMQTT_WAIT_AT);
            st = w != NULL ? CELLMQTT_STATUS_OK : CELLMQTT_FREERTOS_STATUS_WAITERS_FULL;
        }
        if (st == CELLMQTT_STATUS_OK) {
            w->wait.answer = answer;
            w->wait.answer_cap = answer_cap;
            st = cellmqtt_at_command(&port->engine, command, timeout_ms, &w->wait.id);
        }
        if (st == CELLMQTT_STATUS_OK) {
            st = waiter_block(port, w, true, timeout_ticks, &done);
        } else {
            if (w != NULL) {
                waiter_release(w);
            }
            unlock_and_wake(port, false);
        }
        if (st != CELLMQTT_STATUS_OK) {
            done.status = st;
        }
    }
    if (result != NULL) {
        result->status = done.status;
        result->cme_error = done.code;
        result->answer_len = done.answer_len;
        result->lines = done.lines;
        result->truncated = done.truncated;
    }
    return st;
}

const char *cellmqtt_freertos_status_str(cellmqtt_status_t status) {
    return status == CELLMQTT_FREERTOS_STATUS_WAITERS_FULL ? "WAITERS_FULL"
                                                           : cellmqtt_status_str(status);
}
