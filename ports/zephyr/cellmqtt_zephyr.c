/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt Zephyr glue; see include/cellmqtt_zephyr.h. Written to Zephyr 3.x/4.x APIs and
 * conventions; not compiled in this repository's CI (no Zephyr tree can be fetched there). */
#define DT_DRV_COMPAT luat_air_cat1

#include "cellmqtt_zephyr.h"
#include "../common/cellmqtt_wait.h"

#include <errno.h>
#include <string.h>

#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/gpio.h>
#include <zephyr/drivers/uart.h>
#include <zephyr/irq.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/sys/ring_buffer.h>
#include <zephyr/sys/util.h>

LOG_MODULE_REGISTER(cellmqtt, CONFIG_CELLMQTT_LOG_LEVEL);

BUILD_ASSERT(DT_NUM_INST_STATUS_OKAY(DT_DRV_COMPAT) == 1,
             "cellmqtt serves exactly one enabled \"luat,air-cat1\" node");

#define MODEM_NODE DT_DRV_INST(0)

static const struct device *const uart = DEVICE_DT_GET(DT_BUS(MODEM_NODE));
static const struct gpio_dt_spec reset_pin = GPIO_DT_SPEC_GET_OR(MODEM_NODE, reset_gpios, {0});
static const struct gpio_dt_spec pwrkey_pin = GPIO_DT_SPEC_GET_OR(MODEM_NODE, pwrkey_gpios, {0});
static const struct gpio_dt_spec power_pin = GPIO_DT_SPEC_GET_OR(MODEM_NODE, power_gpios, {0});

static cellmqtt_t handle;
static uint8_t rx_buf[CONFIG_CELLMQTT_RX_BUF_SIZE];
static uint8_t line_buf[CONFIG_CELLMQTT_LINE_BUF_SIZE];
static uint8_t queue_buf[CONFIG_CELLMQTT_QUEUE_BUF_SIZE];
static uint8_t sub_buf[CONFIG_CELLMQTT_SUB_BUF_SIZE];
RING_BUF_DECLARE(tx_ring, CONFIG_CELLMQTT_TX_BUF_SIZE);

/* k_mutex is recursive for its owner, so callbacks (run under it) may call the wrappers. */
static K_MUTEX_DEFINE(api_lock);
/* Given by the RX interrupt and by the wrappers; a give while the thread polls is kept. */
static K_SEM_DEFINE(wake, 0, 1);
static K_THREAD_STACK_DEFINE(thread_stack, CONFIG_CELLMQTT_THREAD_STACK_SIZE);
static struct k_thread thread;
static bool thread_started;

/* The application's callbacks: the engine gets the port's on_event and on_at_line, which
 * call these and also serve the waiters. */
static cellmqtt_callbacks_t app_cb;

/* A thread blocked in one of the `*_wait` calls (see "waiters" below): its wait
 * (ports/common/cellmqtt_wait.h) and the semaphore that wakes it. */
struct waiter {
    struct k_sem wake;
    cellmqtt_wait_t wait;
};
static struct waiter waiters[CONFIG_CELLMQTT_WAITERS];
static bool waiters_ready;

/* The library's critical section covers its RX-ring update in `cellmqtt_feed`, which runs in
 * the UART ISR: irq_lock() nests (it returns the key to restore) and is valid in threads and
 * ISRs (a global lock on SMP). */
uint32_t cellmqtt_port_critical_enter(void) {
    return (uint32_t)irq_lock();
}

void cellmqtt_port_critical_exit(uint32_t state) {
    irq_unlock((unsigned int)state);
}

/* ---- UART ---- */

static void uart_isr(const struct device *dev, void *user_data) {
    ARG_UNUSED(user_data);
    /* Called, never tested: it returns int (always 1, or -ENOSYS where a driver lacks it) up to
     * Zephyr 4.4 and void from 4.5 on. */
    uart_irq_update(dev);
    if (uart_irq_rx_ready(dev) > 0) {
        uint8_t buf[32];
        int n;
        while ((n = uart_fifo_read(dev, buf, sizeof(buf))) > 0) {
            /* A full ring drops and counts the rest; the engine reports it as a LOSS event. */
            (void)cellmqtt_feed(&handle, buf, (size_t)n);
        }
        k_sem_give(&wake);
    }
    if (uart_irq_tx_ready(dev) > 0) {
        unsigned int key = irq_lock();
        uint8_t *data;
        uint32_t len = ring_buf_get_claim(&tx_ring, &data, CONFIG_CELLMQTT_TX_BUF_SIZE);
        if (len == 0) {
            uart_irq_tx_disable(dev);
        } else {
            int sent = uart_fifo_fill(dev, data, (int)len);
            (void)ring_buf_get_finish(&tx_ring, sent > 0 ? (uint32_t)sent : 0);
        }
        irq_unlock(key);
    }
}

/* `uart_write` callback: what fits the TX ring now (0 = try later; the engine polls again in
 * 1 ms), sent by the TX interrupt. */
static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    ARG_UNUSED(user);
    unsigned int key = irq_lock();
    uint32_t n = ring_buf_put(&tx_ring, data, (uint32_t)MIN(len, (size_t)INT32_MAX));
    irq_unlock(key);
    if (n > 0) {
        uart_irq_tx_enable(uart);
    }
    return (int32_t)n;
}

static uint32_t tick_ms(void *user) {
    ARG_UNUSED(user);
    return k_uptime_get_32();
}

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    ARG_UNUSED(user);
    const struct gpio_dt_spec *spec = pin == CELLMQTT_PIN_RESET    ? &reset_pin
                                      : pin == CELLMQTT_PIN_PWRKEY ? &pwrkey_pin
                                                                   : &power_pin;
    if (spec->port != NULL) {
        /* Logical level: the devicetree flags (GPIO_ACTIVE_LOW) give the electrical one. */
        (void)gpio_pin_set_dt(spec, active ? 1 : 0);
    }
}

/* ---- events for the waiters ---- */

static void waiters_on_event(const cellmqtt_event_t *ev);
static void waiters_on_at_line(uint16_t id, const uint8_t *line, size_t len);

static void on_event(void *user, const cellmqtt_event_t *ev) {
    if (app_cb.on_event != NULL) {
        app_cb.on_event(user, ev);
    }
    waiters_on_event(ev);
}

static void on_at_line(void *user, uint16_t id, const uint8_t *line, size_t len) {
    if (app_cb.on_at_line != NULL) {
        app_cb.on_at_line(user, id, line, len);
    }
    waiters_on_at_line(id, line, len);
}

/* ---- the thread ---- */

static void cellmqtt_thread(void *a, void *b, void *c) {
    ARG_UNUSED(a);
    ARG_UNUSED(b);
    ARG_UNUSED(c);
    for (;;) {
        (void)k_mutex_lock(&api_lock, K_FOREVER);
        cellmqtt_status_t st = cellmqtt_poll(&handle);
        /* A handle that cannot poll would report "poll now" forever. */
        uint32_t delay_ms = st == CELLMQTT_STATUS_OK ? cellmqtt_poll_delay_ms(&handle) : UINT32_MAX;
        (void)k_mutex_unlock(&api_lock);
        if (delay_ms != 0) {
            (void)k_sem_take(&wake, delay_ms == UINT32_MAX ? K_FOREVER : K_MSEC(delay_ms));
        }
    }
}

/* ---- setup ---- */

cellmqtt_config_t cellmqtt_zephyr_config(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.rx_buf = rx_buf;
    cfg.rx_buf_len = sizeof(rx_buf);
    cfg.line_buf = line_buf;
    cfg.line_buf_len = sizeof(line_buf);
    cfg.queue_buf = queue_buf;
    cfg.queue_buf_len = sizeof(queue_buf);
    cfg.sub_buf = sub_buf;
    cfg.sub_buf_len = sizeof(sub_buf);
    cfg.timeouts.command_ms = CONFIG_CELLMQTT_COMMAND_TIMEOUT_MS;
    cfg.timeouts.ack_ms = CONFIG_CELLMQTT_ACK_TIMEOUT_MS;
    cfg.timeouts.silence_ms = CONFIG_CELLMQTT_SILENCE_TIMEOUT_MS;
    cfg.timeouts.boot_ms = CONFIG_CELLMQTT_BOOT_TIMEOUT_MS;
    cfg.timeouts.backoff_min_ms = CONFIG_CELLMQTT_BACKOFF_MIN_MS;
    cfg.timeouts.backoff_max_ms = CONFIG_CELLMQTT_BACKOFF_MAX_MS;
    cfg.timeouts.reset_pulse_ms = CONFIG_CELLMQTT_RESET_PULSE_MS;
    cfg.pins = (reset_pin.port != NULL ? CELLMQTT_PINS_RESET : 0u) |
               (pwrkey_pin.port != NULL ? CELLMQTT_PINS_PWRKEY : 0u) |
               (power_pin.port != NULL ? CELLMQTT_PINS_POWER : 0u);
    return cfg;
}

/* Configures a control line as an output at its rest level, the level the engine leaves it
 * at after every pin program: RESET and PWRKEY released (inactive), the supply on (active).
 * An MCU reboot (a watchdog, a firmware update) then leaves a running module alone; the
 * engine's first probe finds it on, and only a module that does not answer is switched on or
 * reset. */
static int configure_pin(const struct gpio_dt_spec *spec, gpio_flags_t rest) {
    if (spec->port == NULL) {
        return 0;
    }
    if (!gpio_is_ready_dt(spec)) {
        return -ENODEV;
    }
    return gpio_pin_configure_dt(spec, rest);
}

int cellmqtt_zephyr_init(const cellmqtt_config_t *cfg, const cellmqtt_callbacks_t *cb) {
    if (cfg == NULL || cb == NULL) {
        return -EINVAL;
    }
    if (!device_is_ready(uart)) {
        return -ENODEV;
    }
    int err = configure_pin(&reset_pin, GPIO_OUTPUT_INACTIVE);
    err = err != 0 ? err : configure_pin(&pwrkey_pin, GPIO_OUTPUT_INACTIVE);
    err = err != 0 ? err : configure_pin(&power_pin, GPIO_OUTPUT_ACTIVE);
    if (err != 0) {
        return err;
    }
    for (size_t i = 0; i < ARRAY_SIZE(waiters); i++) {
        (void)k_sem_init(&waiters[i].wake, 0, 1);
        waiters[i].wait.kind = CELLMQTT_WAIT_FREE;
    }
    waiters_ready = true;
    app_cb = *cb;
    cellmqtt_callbacks_t callbacks = *cb;
    callbacks.uart_write = uart_write;
    callbacks.tick_ms = tick_ms;
    callbacks.pin_set = pin_set;
    callbacks.on_event = on_event;
    callbacks.on_at_line = on_at_line;
    cellmqtt_status_t st = cellmqtt_init(&handle, cfg, &callbacks);
    if (st != CELLMQTT_STATUS_OK) {
        LOG_ERR("cellmqtt_init: %s", cellmqtt_status_str(st));
        return -EINVAL;
    }
    /* Only now: bytes fed before init would be refused. */
    err = uart_irq_callback_user_data_set(uart, uart_isr, NULL);
    if (err != 0) {
        return err == -ENOSYS || err == -ENOTSUP ? -EIO : err;
    }
    uart_irq_rx_enable(uart);
    return 0;
}

int cellmqtt_zephyr_start(void) {
    if (!thread_started) {
        (void)k_thread_create(&thread, thread_stack, K_THREAD_STACK_SIZEOF(thread_stack),
                              cellmqtt_thread, NULL, NULL, NULL, CONFIG_CELLMQTT_THREAD_PRIORITY,
                              0, K_NO_WAIT);
        (void)k_thread_name_set(&thread, "cellmqtt");
        thread_started = true;
    }
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_start(&handle);
    (void)k_mutex_unlock(&api_lock);
    k_sem_give(&wake);
    if (st != CELLMQTT_STATUS_OK) {
        LOG_ERR("cellmqtt_start: %s", cellmqtt_status_str(st));
        return -EINVAL;
    }
    return 0;
}

/* ---- thread-safe API ---- */

static void unlock_and_wake(bool wake_thread) {
    (void)k_mutex_unlock(&api_lock);
    if (wake_thread) {
        k_sem_give(&wake);
    }
}

cellmqtt_status_t cellmqtt_zephyr_publish(const char *topic, const uint8_t *payload, size_t len,
                                          uint8_t qos, bool retain, uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_publish(&handle, topic, payload, len, qos, retain, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_subscribe(const char *filter, uint8_t qos, uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_subscribe(&handle, filter, qos, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_unsubscribe(const char *filter, uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_unsubscribe(&handle, filter, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_stop(void) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_stop(&handle);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_state_t cellmqtt_zephyr_state(void) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_state_t state = cellmqtt_state(&handle);
    unlock_and_wake(false);
    return state;
}

cellmqtt_status_t cellmqtt_zephyr_stats(cellmqtt_stats_t *out) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_stats(&handle, out);
    unlock_and_wake(false);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_at_command(const char *command, uint32_t timeout_ms,
                                             uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_at_command(&handle, command, timeout_ms, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_request_signal(uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_request_signal(&handle, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_request_time(uint16_t *out_id) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_request_time(&handle, out_id);
    unlock_and_wake(st == CELLMQTT_STATUS_OK);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_module_info(cellmqtt_module_info_t *out) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = cellmqtt_module_info(&handle, out);
    unlock_and_wake(false);
    return st;
}

size_t cellmqtt_zephyr_queue_room(void) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    size_t room = cellmqtt_queue_room(&handle);
    unlock_and_wake(false);
    return room;
}

size_t cellmqtt_zephyr_queued(void) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    size_t queued = cellmqtt_queued(&handle);
    unlock_and_wake(false);
    return queued;
}

/* ---- waiters ----
 *
 * The same scheme as ports/freertos: a slot is claimed, filled and released only under
 * api_lock, and the engine reports events only inside cellmqtt_poll, which the cellmqtt
 * thread runs under api_lock. A thread that claims a slot and queues its publish or command
 * in one lock hold therefore cannot miss the event. The semaphore only wakes the thread; the
 * result is read from the slot under the lock. A free slot's semaphore is always empty (a give
 * that raced with a timeout is cleared on release), so an old event cannot wake the next
 * user of the slot. */

static void waiters_on_event(const cellmqtt_event_t *ev) {
    for (size_t i = 0; i < ARRAY_SIZE(waiters); i++) {
        if (cellmqtt_wait_on_event(&waiters[i].wait, ev)) {
            k_sem_give(&waiters[i].wake);
        }
    }
}

static void waiters_on_at_line(uint16_t id, const uint8_t *line, size_t len) {
    for (size_t i = 0; i < ARRAY_SIZE(waiters); i++) {
        cellmqtt_wait_on_at_line(&waiters[i].wait, id, line, len);
    }
}

/* With the lock held: a free slot for `kind`, or NULL. */
static struct waiter *waiter_claim(uint8_t kind) {
    for (size_t i = 0; i < ARRAY_SIZE(waiters); i++) {
        struct waiter *w = &waiters[i];
        if (w->wait.kind == CELLMQTT_WAIT_FREE) {
            cellmqtt_wait_claim(&w->wait, kind);
            return w;
        }
    }
    return NULL;
}

/* With the lock held: frees the slot and clears a give that came after a timeout. */
static void waiter_release(struct waiter *w) {
    cellmqtt_wait_free(&w->wait);
    k_sem_reset(&w->wake);
}

/* Why the calling thread may not wait, or OK. With the lock held. */
static cellmqtt_status_t may_wait(void) {
    if (!waiters_ready || !thread_started) {
        return CELLMQTT_STATUS_WRONG_STATE;
    }
    /* The cellmqtt thread would wait for an event only it can deliver. */
    return k_current_get() == &thread ? CELLMQTT_STATUS_BUSY : CELLMQTT_STATUS_OK;
}

/* Releases the lock (waking the cellmqtt thread when work was queued), blocks until the slot
 * is signalled or `timeout` passes, and frees the slot. OK with the slot copied to `*out`, or
 * TIMEOUT. A signal that lands between the semaphore's timeout and re-locking still counts:
 * the slot is read, not k_sem_take's answer. */
static cellmqtt_status_t waiter_block(struct waiter *w, bool wake_thread, k_timeout_t timeout,
                                      cellmqtt_wait_result_t *out) {
    unlock_and_wake(wake_thread);
    (void)k_sem_take(&w->wake, timeout);
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    bool done = w->wait.done;
    *out = cellmqtt_wait_result(&w->wait);
    waiter_release(w);
    unlock_and_wake(false);
    return done ? CELLMQTT_STATUS_OK : CELLMQTT_STATUS_TIMEOUT;
}

cellmqtt_status_t cellmqtt_zephyr_wait_online(k_timeout_t timeout) {
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = may_wait();
    if (st == CELLMQTT_STATUS_OK && !cellmqtt_wait_online_now(cellmqtt_state(&handle), &st)) {
        struct waiter *w = waiter_claim(CELLMQTT_WAIT_ONLINE);
        if (w == NULL) {
            st = CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL;
        } else {
            cellmqtt_wait_result_t result;
            st = waiter_block(w, false, timeout, &result);
            return st == CELLMQTT_STATUS_OK ? result.status : st;
        }
    }
    unlock_and_wake(false);
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_publish_wait(const char *topic, const uint8_t *payload,
                                               size_t len, uint8_t qos, bool retain,
                                               k_timeout_t timeout,
                                               cellmqtt_status_t *final_status) {
    cellmqtt_status_t final;
    (void)k_mutex_lock(&api_lock, K_FOREVER);
    cellmqtt_status_t st = may_wait();
    struct waiter *w = NULL;
    if (st == CELLMQTT_STATUS_OK) {
        w = waiter_claim(CELLMQTT_WAIT_PUBLISH);
        st = w != NULL ? CELLMQTT_STATUS_OK : CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL;
    }
    if (st == CELLMQTT_STATUS_OK) {
        st = cellmqtt_publish(&handle, topic, payload, len, qos, retain, &w->wait.id);
    }
    if (st == CELLMQTT_STATUS_OK) {
        cellmqtt_wait_result_t result;
        st = waiter_block(w, true, timeout, &result);
        final = st == CELLMQTT_STATUS_OK ? result.status : st;
    } else {
        if (w != NULL) {
            waiter_release(w);
        }
        unlock_and_wake(false);
        final = st;
    }
    if (final_status != NULL) {
        *final_status = final;
    }
    return st;
}

cellmqtt_status_t cellmqtt_zephyr_at_command_wait(const char *command, uint32_t timeout_ms,
                                                  k_timeout_t timeout, char *answer,
                                                  size_t answer_cap,
                                                  cellmqtt_zephyr_at_result_t *result) {
    cellmqtt_wait_result_t done = {.status = CELLMQTT_STATUS_NULL_ARG};
    cellmqtt_status_t st = CELLMQTT_STATUS_NULL_ARG;
    if (answer != NULL && answer_cap != 0u) {
        answer[0] = '\0';
    }
    if (answer != NULL || answer_cap == 0u) {
        (void)k_mutex_lock(&api_lock, K_FOREVER);
        st = may_wait();
        struct waiter *w = NULL;
        if (st == CELLMQTT_STATUS_OK) {
            w = waiter_claim(CELLMQTT_WAIT_AT);
            st = w != NULL ? CELLMQTT_STATUS_OK : CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL;
        }
        if (st == CELLMQTT_STATUS_OK) {
            w->wait.answer = answer;
            w->wait.answer_cap = answer_cap;
            st = cellmqtt_at_command(&handle, command, timeout_ms, &w->wait.id);
        }
        if (st == CELLMQTT_STATUS_OK) {
            st = waiter_block(w, true, timeout, &done);
        } else {
            if (w != NULL) {
                waiter_release(w);
            }
            unlock_and_wake(false);
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

const char *cellmqtt_zephyr_status_str(cellmqtt_status_t status) {
    return status == CELLMQTT_ZEPHYR_STATUS_WAITERS_FULL ? "WAITERS_FULL"
                                                         : cellmqtt_status_str(status);
}
