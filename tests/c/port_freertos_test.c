/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* ports/freertos on the kernel's POSIX port (a Linux process), against a module that
 * never answers, with waits of 10 ms so that the recovery ladder runs out in well under a
 * second of real time. Built and run by `make ports-test` (mk/ports.mk); no emulator, broker
 * or socket is needed.
 *
 *  1. wait_online ends with GAVE_UP when the session enters FAILED (the event path);
 *  2. wait_online called while the session already is FAILED returns GAVE_UP at once, and
 *     while it already is STOPPED returns STOPPED at once - not after its whole timeout (for
 *     ever with portMAX_DELAY): no state event will ever come for it;
 *  3. callbacks may call the wrappers: publish (recursive lock), wait_online (refused with
 *     BUSY, no deadlock) and stop, whose STOPPED event ends a wait_online of another task;
 *  4. a port whose init has not run (zeroed storage, as another task may find it at boot) is
 *     refused with NOT_INITIALIZED by every wrapper, and start creates no task: the kernel is
 *     never handed its NULL mutex (which trips configASSERT here, and faults on a target).
 *
 * Tasks write with write(2) only (the POSIX port switches threads inside signal handlers). */
#define _DEFAULT_SOURCE
#include "cellmqtt_freertos.h"
#include "test_buffers.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int passed, failed;

static void out(const char *s) {
    ssize_t w = write(STDOUT_FILENO, s, strlen(s));
    (void)w;
}

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (cond) {                                                                     \
            passed++;                                                                   \
        } else {                                                                        \
            failed++;                                                                   \
            char b_[256];                                                               \
            snprintf(b_, sizeof b_, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
            out(b_);                                                                    \
        }                                                                               \
    } while (0)

static void note(const char *what, long a, long b) {
    char b_[160];
    snprintf(b_, sizeof b_, "  %s: %ld %ld\n", what, a, b);
    out(b_);
}

/* ---- kernel hooks (tests/firmware/freertos/posix/FreeRTOSConfig.h asks for them) ---- */

void fw_assert_failed(const char *file, int line) {
    char b_[256];
    snprintf(b_, sizeof b_, "FAIL configASSERT %s:%d (%d passed, %d failed before it)\n", file,
             line, passed, failed);
    out(b_);
    _exit(5);
}
void vApplicationTickHook(void) {}
void vApplicationIdleHook(void) { usleep(1000); }
void vApplicationMallocFailedHook(void) {
    out("FAIL heap exhausted\n");
    _exit(6);
}

/* ---- the module: takes every byte, never answers ---- */

static uint8_t rx_buf[CELLMQTT_RX_BUF_DEFAULT], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_freertos_t port;
static cellmqtt_freertos_t zeroed; /* never initialised */

static int32_t sink_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    (void)data;
    return (int32_t)len;
}

static volatile uint32_t failed_events, stopped_events, probing_events;
static volatile bool stop_from_callback;
static volatile cellmqtt_status_t cb_wait_status = 1, cb_publish_status = 1;

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    if (ev->kind != CELLMQTT_EVENT_KIND_STATE) {
        return;
    }
    if (ev->state == CELLMQTT_STATE_FAILED) {
        failed_events++;
    } else if (ev->state == CELLMQTT_STATE_STOPPED) {
        stopped_events++;
    } else if (ev->state == CELLMQTT_STATE_PROBING) {
        probing_events++;
        if (probing_events == 1) {
            /* In the cellmqtt task, under the port's lock: recursion, and a refused wait. */
            cb_publish_status = cellmqtt_freertos_publish(&port, "dev/cb", (const uint8_t *)"x",
                                                          1, 0, false, NULL);
            cb_wait_status = cellmqtt_freertos_wait_online(&port, portMAX_DELAY);
        }
        if (stop_from_callback) {
            stop_from_callback = false;
            (void)cellmqtt_freertos_stop(&port);
        }
    }
}

static cellmqtt_config_t test_config(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker.example";
    cfg.client_id = "dev-1";
    TEST_CONFIG_BUFFERS(cfg, rx_buf, line_buf, queue_buf, sub_buf);
    cellmqtt_timeouts_t *t = &cfg.timeouts;
    t->command_ms = t->poll_interval_ms = t->boot_ms = t->silence_ms = t->sim_ms = 10;
    t->attach_ms = t->connect_ms = t->connack_ms = t->ack_ms = t->prompt_ms = 10;
    t->backoff_min_ms = t->backoff_max_ms = t->reset_pulse_ms = t->power_off_ms = 10;
    t->pwrkey_ms = t->shut_ms = 10;
    t->health_ms = 0;
    /* Straight to the last rung: one power cycle (a reset, with no lines), then give up. */
    cfg.ladder.reconnects_before_reset = 0;
    cfg.ladder.resets_before_power_cycle = 0;
    cfg.ladder.power_cycle_limit = 1;
    return cfg;
}

static cellmqtt_freertos_task_t task_params = {"cellmqtt", 1024, 3, NULL, NULL};

/* wait_online, timed in ticks. */
static cellmqtt_status_t timed_wait(TickType_t timeout, TickType_t *took) {
    TickType_t t0 = xTaskGetTickCount();
    cellmqtt_status_t st = cellmqtt_freertos_wait_online(&port, timeout);
    *took = xTaskGetTickCount() - t0;
    return st;
}

static void test_wait_online(void) {
    TickType_t took;
    /* 1. The event path: the session gives up while we wait. */
    cellmqtt_status_t st = timed_wait(pdMS_TO_TICKS(10000), &took);
    note("wait_online while the ladder runs (status, ticks)", st, (long)took);
    CHECK(st == CELLMQTT_STATUS_GAVE_UP);
    CHECK(failed_events == 1);
    CHECK(cellmqtt_freertos_state(&port) == CELLMQTT_STATE_FAILED);
    /* 3. The callbacks' calls into the port did not deadlock and were answered. */
    CHECK(cb_publish_status == CELLMQTT_STATUS_OK);
    CHECK(cb_wait_status == CELLMQTT_STATUS_BUSY);

    /* 2. Already FAILED: nothing will wake a waiter. */
    st = timed_wait(pdMS_TO_TICKS(1500), &took);
    note("wait_online when already FAILED (status, ticks)", st, (long)took);
    CHECK(st == CELLMQTT_STATUS_GAVE_UP);
    CHECK(took < pdMS_TO_TICKS(200));

    /* Already STOPPED (a stop from FAILED is immediate: nothing to leave), and its STOPPED
     * event already delivered by the cellmqtt task's next poll, as after any earlier stop. */
    uint32_t stopped_seen = stopped_events;
    CHECK(cellmqtt_freertos_stop(&port) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_freertos_state(&port) == CELLMQTT_STATE_STOPPED);
    for (int i = 0; i < 100 && stopped_events == stopped_seen; i++) {
        vTaskDelay(pdMS_TO_TICKS(10));
    }
    CHECK(stopped_events == stopped_seen + 1);
    st = timed_wait(pdMS_TO_TICKS(1500), &took);
    note("wait_online when already STOPPED (status, ticks)", st, (long)took);
    CHECK(st == CELLMQTT_STATUS_STOPPED);
    CHECK(took < pdMS_TO_TICKS(200));

    /* 3. A new session that a callback stops: the STOPPED event ends our wait. */
    stop_from_callback = true;
    uint32_t stopped_before = stopped_events;
    CHECK(cellmqtt_freertos_start(&port, &task_params) == CELLMQTT_STATUS_OK);
    st = timed_wait(pdMS_TO_TICKS(10000), &took);
    note("wait_online while a callback stops the session (status, ticks)", st, (long)took);
    CHECK(st == CELLMQTT_STATUS_STOPPED);
    CHECK(stopped_events > stopped_before);
    CHECK(took < pdMS_TO_TICKS(5000));

    /* And a session started again still gives up through the event path. */
    CHECK(cellmqtt_freertos_start(&port, &task_params) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_freertos_state(&port) != CELLMQTT_STATE_STOPPED);
    st = timed_wait(pdMS_TO_TICKS(10000), &took);
    CHECK(st == CELLMQTT_STATUS_GAVE_UP);
    CHECK(failed_events == 2);
}

static void test_uninitialised_port(void) {
    /* 4. Every wrapper on a port whose init has not run. */
    uint16_t id = 7;
    cellmqtt_stats_t stats;
    cellmqtt_module_info_t info;
    CHECK(cellmqtt_freertos_state(&zeroed) == CELLMQTT_STATE_STOPPED);
    CHECK(cellmqtt_freertos_publish(&zeroed, "t", (const uint8_t *)"x", 1, 0, false, &id) ==
          CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(id == 7);
    CHECK(cellmqtt_freertos_subscribe(&zeroed, "t", 0, NULL) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_unsubscribe(&zeroed, "t", NULL) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_stop(&zeroed) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_stats(&zeroed, &stats) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_at_command(&zeroed, "AT", 100, NULL) ==
          CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_request_signal(&zeroed, NULL) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_request_time(&zeroed, NULL) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_module_info(&zeroed, &info) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_freertos_queue_room(&zeroed) == 0);
    CHECK(cellmqtt_freertos_queued(&zeroed) == 0);
    CHECK(cellmqtt_freertos_wait_online(&zeroed, 0) == CELLMQTT_STATUS_NOT_INITIALIZED);
    cellmqtt_status_t final = CELLMQTT_STATUS_OK;
    CHECK(cellmqtt_freertos_publish_wait(&zeroed, "t", (const uint8_t *)"x", 1, 0, false, 0,
                                         &final) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(final == CELLMQTT_STATUS_NOT_INITIALIZED);
    char answer[8] = "junk";
    cellmqtt_freertos_at_result_t r = {.status = CELLMQTT_STATUS_OK};
    CHECK(cellmqtt_freertos_at_command_wait(&zeroed, "AT", 100, 0, answer, sizeof answer, &r) ==
          CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(r.status == CELLMQTT_STATUS_NOT_INITIALIZED && answer[0] == '\0');
    /* The RX path takes no lock: the engine refuses the bytes, nothing is notified. */
    CHECK(cellmqtt_freertos_rx_isr(&zeroed, (const uint8_t *)"OK", 2, NULL) ==
          CELLMQTT_STATUS_NOT_INITIALIZED);
    /* start would create a task that takes the NULL mutex at once. */
    CHECK(cellmqtt_freertos_start(&zeroed, &task_params) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(zeroed.task == NULL);
}

static void test_task(void *arg) {
    (void)arg;
    out("== wait_online on a session that gives up, stops, restarts\n");
    test_wait_online();
    out("== wrappers on a port whose init has not run\n");
    test_uninitialised_port();
    char b_[64];
    snprintf(b_, sizeof b_, "%d passed, %d failed\n", passed, failed);
    out(b_);
    _exit(failed ? 1 : 0);
}

int main(void) {
    static const cellmqtt_callbacks_t cb = {
        .uart_write = sink_write,
        .on_event = on_event, /* tick_ms NULL: the kernel tick */
    };
    cellmqtt_config_t cfg = test_config();
    if (cellmqtt_freertos_init(&port, &cfg, &cb) != CELLMQTT_STATUS_OK ||
        cellmqtt_freertos_start(&port, &task_params) != CELLMQTT_STATUS_OK ||
        xTaskCreate(test_task, "test", 1024, NULL, 4, NULL) != pdPASS) {
        out("FAIL setup\n");
        return 1;
    }
    /* The test task (priority 4) runs above the cellmqtt task (3): it is blocked in its wait
     * before the cellmqtt task polls, so the events of point 3 reach a registered waiter. */
    vTaskStartScheduler();
    out("FAIL scheduler returned\n");
    return 1;
}
