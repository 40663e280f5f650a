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
 * Requirements: configUSE_MUTEXES, configUSE_RECURSIVE_MUTEXES, configUSE_TASK_NOTIFICATIONS;
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

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cellmqtt_freertos_t {
    /* The engine. Use it directly only from the cellmqtt task (i.e. from callbacks). */
    cellmqtt_t engine;
    TaskHandle_t task;
    SemaphoreHandle_t api_lock;
#if (configSUPPORT_STATIC_ALLOCATION == 1)
    StaticSemaphore_t api_lock_storage;
#endif
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
