/* The module-sharing checks; see share.h. */
#include "share.h"

#include "app.h"
#include "queue.h"
#include "scenario.h"

#include <string.h>

/* Set by the application task around its publish_wait: the only PUBLISHED event meanwhile
 * is that publish's, since the scenario has not started publishing. */
static volatile bool publishing;
static volatile uint32_t at_lines_seen, signal_events;
static volatile uint8_t last_rssi;

bool share_on_event(const cellmqtt_event_t *ev) {
    if (ev->kind == CELLMQTT_EVENT_KIND_SIGNAL) {
        signal_events++;
        last_rssi = (uint8_t)ev->count;
    }
    return publishing && (ev->kind == CELLMQTT_EVENT_KIND_PUBLISHED ||
                          ev->kind == CELLMQTT_EVENT_KIND_PUBLISH_FAILED);
}

void share_on_at_line(uint16_t id, const uint8_t *line, size_t len) {
    (void)id;
    (void)line;
    (void)len;
    /* Proves the application's on_at_line still runs beside the port's collector. */
    at_lines_seen++;
}

typedef struct {
    char text[200];
    size_t len;
} text_t;

static void put(text_t *t, const char *s) {
    while (*s != '\0' && t->len + 2u < sizeof t->text) {
        t->text[t->len++] = *s++;
    }
    t->text[t->len] = '\0';
}

static void put_kv(text_t *t, const char *key, uint32_t value) {
    char digits[11];
    scenario_fmt_u32(digits, value);
    put(t, " ");
    put(t, key);
    put(t, "=");
    put(t, digits);
}

static bool fail(void (*write_line)(const char *), const char *what, cellmqtt_status_t st) {
    text_t t = {.len = 0};
    put(&t, "@fail share: ");
    put(&t, what);
    put(&t, " ");
    put(&t, cellmqtt_freertos_status_str(st));
    put(&t, "\n");
    write_line(t.text);
    return false;
}

/* ---- concurrent waiters ---- */

static QueueHandle_t waiter_results;

/* Takes one waiter slot until the session is online, reports how the wait ended, and then
 * idles for good (the test firmware deletes no task). */
static void waiter_task(void *arg) {
    cellmqtt_status_t st = cellmqtt_freertos_wait_online(arg, pdMS_TO_TICKS(30000));
    (void)xQueueSend(waiter_results, &st, portMAX_DELAY);
    for (;;) {
        (void)ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    }
}

/* Fills every waiter slot with a task blocked in wait_online, checks that one more wait is
 * refused with WAITERS_FULL, and that the single ONLINE event wakes all of them. The session
 * needs a few hundred milliseconds to come online (emulated boot, SIM, attach, connect), far
 * longer than starting the tasks, which run at once: they have a higher priority than the
 * calling task. */
static bool check_waiters(cellmqtt_freertos_t *port, void (*write_line)(const char *)) {
    waiter_results = xQueueCreate(CELLMQTT_FREERTOS_WAITERS, sizeof(cellmqtt_status_t));
    if (waiter_results == NULL) {
        return fail(write_line, "waiter queue", CELLMQTT_STATUS_OK);
    }
    for (int i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        if (xTaskCreate(waiter_task, "waiter", 256, port, APP_TASK_PRIORITY + 1u, NULL) !=
            pdPASS) {
            return fail(write_line, "waiter task", CELLMQTT_STATUS_OK);
        }
    }
    if (cellmqtt_freertos_state(port) == CELLMQTT_STATE_ONLINE) {
        return fail(write_line, "online before the waiters were set up", CELLMQTT_STATUS_OK);
    }
    cellmqtt_freertos_at_result_t at;
    cellmqtt_status_t st = cellmqtt_freertos_at_command_wait(port, "AT", 1000, pdMS_TO_TICKS(1000),
                                                            NULL, 0, &at);
    if (st != CELLMQTT_FREERTOS_STATUS_WAITERS_FULL || at.status != st) {
        return fail(write_line, "a wait beyond the slots was not refused", st);
    }
    for (int i = 0; i < CELLMQTT_FREERTOS_WAITERS; i++) {
        if (xQueueReceive(waiter_results, &st, pdMS_TO_TICKS(30000)) != pdPASS) {
            return fail(write_line, "a waiter did not return", CELLMQTT_STATUS_TIMEOUT);
        }
        if (st != CELLMQTT_STATUS_OK) {
            return fail(write_line, "a concurrent wait_online", st);
        }
    }
    return true;
}

bool share_run(cellmqtt_freertos_t *port, const char *up_topic,
               void (*write_line)(const char *line)) {
    /* 1. Block until online: first the concurrent waiters, then this task (its slot is free
     * again: a waiter releases its slot before it returns). */
    if (!check_waiters(port, write_line)) {
        return false;
    }
    cellmqtt_status_t st = cellmqtt_freertos_wait_online(port, pdMS_TO_TICKS(30000));
    if (st != CELLMQTT_STATUS_OK) {
        return fail(write_line, "wait_online", st);
    }

    /* 2. The identity is read after the SIM check, so it is complete once online. */
    cellmqtt_module_info_t info;
    st = cellmqtt_freertos_module_info(port, &info);
    if (st != CELLMQTT_STATUS_OK || info.imei[0] == '\0') {
        return fail(write_line, "module_info: no IMEI", st);
    }

    /* 3. A wait that ends before its command (0 ticks): TIMEOUT, and the command still runs.
     * Its late answer must not reach the next wait, which may get the same slot. */
    char answer[64];
    cellmqtt_freertos_at_result_t at;
    uint32_t lines_before = at_lines_seen;
    /* Above the cellmqtt task for this call, so that task cannot run between the 0-tick wait
     * and the wait's look at its slot: otherwise, on a host slow enough, the answer could be
     * in by then and the wait would (rightly) report it, and this check would test the host. */
    UBaseType_t own_priority = uxTaskPriorityGet(NULL);
    vTaskPrioritySet(NULL, APP_CELLMQTT_PRIORITY + 1u);
    st = cellmqtt_freertos_at_command_wait(port, "AT+CGMR", 2000, 0, answer, sizeof answer, &at);
    vTaskPrioritySet(NULL, own_priority);
    if (st != CELLMQTT_STATUS_TIMEOUT || at.status != CELLMQTT_STATUS_TIMEOUT) {
        return fail(write_line, "at_command_wait with no time", st);
    }
    /* A queued AT+CSQ with its answer collected; it runs after AT+CGMR (commands run in
     * order), and at most two commands wait at once, which this sequence respects. */
    st = cellmqtt_freertos_at_command_wait(port, "AT+CSQ", 2000, pdMS_TO_TICKS(10000), answer,
                                           sizeof answer, &at);
    if (st != CELLMQTT_STATUS_OK || at.status != CELLMQTT_STATUS_OK) {
        return fail(write_line, "at_command_wait AT+CSQ", st != CELLMQTT_STATUS_OK ? st : at.status);
    }
    if (strncmp(answer, "+CSQ: ", 6) != 0 || at.lines != 1u || at.truncated ||
        at.answer_len != strlen(answer)) {
        return fail(write_line, "AT+CSQ answer", CELLMQTT_STATUS_OK);
    }
    /* AT+CGMR's revision line and AT+CSQ's line both reached the application's callback. */
    if (at_lines_seen - lines_before < 2u) {
        return fail(write_line, "the application's on_at_line missed lines", CELLMQTT_STATUS_OK);
    }
    /* Signal on demand; the plain AT after it is done only once the SIGNAL event has come. */
    st = cellmqtt_freertos_request_signal(port, NULL);
    if (st != CELLMQTT_STATUS_OK) {
        return fail(write_line, "request_signal", st);
    }
    st = cellmqtt_freertos_at_command_wait(port, "AT", 2000, pdMS_TO_TICKS(10000), NULL, 0, &at);
    if (st != CELLMQTT_STATUS_OK || at.status != CELLMQTT_STATUS_OK || at.lines != 0u) {
        return fail(write_line, "at_command_wait AT", st != CELLMQTT_STATUS_OK ? st : at.status);
    }
    if (signal_events == 0u) {
        return fail(write_line, "no SIGNAL event from request_signal", CELLMQTT_STATUS_OK);
    }
    /* A command that would break the session is refused by the engine, through the port. */
    st = cellmqtt_freertos_at_command(port, "AT+MDISCONNECT", 1000, NULL);
    if (st != CELLMQTT_STATUS_COMMAND_REFUSED) {
        return fail(write_line, "AT+MDISCONNECT not refused", st);
    }

    /* 4. A QoS 1 publish confirmed through publish_wait; the queue is empty before and after
     * (the scenario has not started publishing). */
    size_t room_before = cellmqtt_freertos_queue_room(port);
    size_t queued_before = cellmqtt_freertos_queued(port);
    static const char payload[] = "share=publish_wait";
    cellmqtt_status_t final = CELLMQTT_STATUS_NULL_ARG;
    publishing = true;
    st = cellmqtt_freertos_publish_wait(port, up_topic, (const uint8_t *)payload,
                                        sizeof payload - 1u, 1, false, pdMS_TO_TICKS(10000),
                                        &final);
    publishing = false;
    if (st != CELLMQTT_STATUS_OK || final != CELLMQTT_STATUS_OK) {
        return fail(write_line, "publish_wait", st != CELLMQTT_STATUS_OK ? st : final);
    }
    size_t room_after = cellmqtt_freertos_queue_room(port);
    size_t queued_after = cellmqtt_freertos_queued(port);
    if (queued_before != 0u || queued_after != 0u || room_before == 0u || room_after != room_before) {
        return fail(write_line, "queue_room/queued", CELLMQTT_STATUS_OK);
    }

    text_t t = {.len = 0};
    put(&t, "share ok imei=");
    put(&t, info.imei);
    put(&t, " csq=\"");
    put(&t, answer);
    put(&t, "\"");
    put_kv(&t, "rssi", last_rssi);
    put_kv(&t, "queue_room", (uint32_t)room_after);
    put_kv(&t, "queued", (uint32_t)queued_after);
    put_kv(&t, "concurrent_waiters", CELLMQTT_FREERTOS_WAITERS);
    put(&t, " publish_wait=OK\n");
    write_line(t.text);
    return true;
}
