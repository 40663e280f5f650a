/* cellmqtt FreeRTOS port; see cellmqtt_freertos.h. */
#include "cellmqtt_freertos.h"

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
    cellmqtt_callbacks_t callbacks = *cb;
    if (callbacks.tick_ms == NULL) {
        callbacks.tick_ms = cellmqtt_freertos_tick_ms;
    }
    return cellmqtt_init(&port->engine, cfg, &callbacks);
}

cellmqtt_status_t cellmqtt_freertos_start(cellmqtt_freertos_t *port,
                                          const cellmqtt_freertos_task_t *task) {
    if (port == NULL || task == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
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
    lock(port);
    cellmqtt_status_t st = cellmqtt_unsubscribe(&port->engine, filter, out_id);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_freertos_stop(cellmqtt_freertos_t *port) {
    if (port == NULL) {
        return CELLMQTT_STATUS_NULL_ARG;
    }
    lock(port);
    cellmqtt_status_t st = cellmqtt_stop(&port->engine);
    unlock_and_wake(port, st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_state_t cellmqtt_freertos_state(cellmqtt_freertos_t *port) {
    if (port == NULL) {
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
    lock(port);
    cellmqtt_status_t st = cellmqtt_stats(&port->engine, out);
    unlock_and_wake(port, false);
    return st;
}
