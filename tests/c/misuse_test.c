/* Misuse of the C API: every wrong call returns its documented status and nothing is lost or
 * corrupted. Prints the table of cases, then "N passed, N failed". */
#include "harness.h"

static int table_rows;
/* One row of the misuse table: `call` must return `want`. */
#define EXPECT(what, call, want) do { \
    cellmqtt_status_t got_ = (call); \
    int ok_ = got_ == (want); \
    CHECK(ok_); \
    printf("%-58s %-20s %s\n", what, cellmqtt_status_str(got_), ok_ ? "ok" : "WRONG"); \
    table_rows++; } while (0)

static cellmqtt_t handle;
static int losses, nested_checked;

static void on_event(void *user, const cellmqtt_event_t *ev) {
    cellmqtt_t *h = user;
    if (ev->kind == CELLMQTT_EVENT_KIND_LOSS && ev->loss == CELLMQTT_LOSS_PUBLISH_REJECTED) losses += (int)ev->count;
    if (ev->kind == CELLMQTT_EVENT_KIND_STATE && ev->state == CELLMQTT_STATE_ONLINE && !nested_checked) {
        nested_checked = 1;
        cellmqtt_config_t cfg = harness_config();
        cellmqtt_callbacks_t cb = { h, harness_uart_write, harness_tick, NULL, NULL, on_event, NULL, NULL, NULL, NULL };
        EXPECT("callback: cellmqtt_poll", cellmqtt_poll(h), CELLMQTT_STATUS_BUSY);
        EXPECT("callback: cellmqtt_init on the live handle", cellmqtt_init(h, &cfg, &cb), CELLMQTT_STATUS_BUSY);
        EXPECT("callback: cellmqtt_deinit", cellmqtt_deinit(h), CELLMQTT_STATUS_BUSY);
        EXPECT("callback: cellmqtt_subscribe", cellmqtt_subscribe(h, "cb/sub", 1, NULL), CELLMQTT_STATUS_OK);
        EXPECT("callback: cellmqtt_publish", cellmqtt_publish(h, "cb/pub", (const uint8_t *)"x", 1, 0, false, NULL),
               CELLMQTT_STATUS_OK);
    }
}

static cellmqtt_callbacks_t callbacks(void) {
    cellmqtt_callbacks_t cb = { &handle, harness_uart_write, harness_tick, NULL, NULL, on_event, NULL, NULL, NULL, NULL };
    return cb;
}

static void null_and_uninitialised(void) {
    static cellmqtt_t zeroed;
    cellmqtt_stats_t st;
    const uint8_t b = 'x';
    EXPECT("NULL handle: init", cellmqtt_init(NULL, NULL, NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: start", cellmqtt_start(NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: stop", cellmqtt_stop(NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: feed", cellmqtt_feed(NULL, &b, 1), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: poll", cellmqtt_poll(NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: publish", cellmqtt_publish(NULL, "t", &b, 1, 0, false, NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: subscribe", cellmqtt_subscribe(NULL, "t", 0, NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: unsubscribe", cellmqtt_unsubscribe(NULL, "t", NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: stats", cellmqtt_stats(NULL, &st), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("NULL handle: deinit", cellmqtt_deinit(NULL), CELLMQTT_STATUS_NULL_ARG);
    CHECK(cellmqtt_state(NULL) == CELLMQTT_STATE_STOPPED && cellmqtt_queued(NULL) == 0);
    EXPECT("zeroed storage: start", cellmqtt_start(&zeroed), CELLMQTT_STATUS_NOT_INITIALIZED);
    EXPECT("zeroed storage: feed", cellmqtt_feed(&zeroed, &b, 1), CELLMQTT_STATUS_NOT_INITIALIZED);
    EXPECT("zeroed storage: poll", cellmqtt_poll(&zeroed), CELLMQTT_STATUS_NOT_INITIALIZED);
    EXPECT("zeroed storage: publish", cellmqtt_publish(&zeroed, "t", &b, 1, 0, false, NULL),
           CELLMQTT_STATUS_NOT_INITIALIZED);
    EXPECT("zeroed storage: stats", cellmqtt_stats(&zeroed, &st), CELLMQTT_STATUS_NOT_INITIALIZED);
    EXPECT("zeroed storage: deinit", cellmqtt_deinit(&zeroed), CELLMQTT_STATUS_NOT_INITIALIZED);
    /* Nothing is scheduled for a handle that is not initialised: a superloop sleeping by it
     * must not spin (it did, at 0). */
    CHECK(cellmqtt_poll_delay_ms(&zeroed) == UINT32_MAX && cellmqtt_poll_delay_ms(NULL) == UINT32_MAX);
}

static void bad_configurations(void) {
    static char long_id[258];
    static uint8_t long_will[1361];
    static uint8_t small[16];
    memset(long_id, 'a', sizeof long_id - 1);
    memset(long_will, 'w', sizeof long_will);
    cellmqtt_callbacks_t cb = callbacks(), no_uart = cb;
    no_uart.uart_write = NULL;
    cellmqtt_config_t c;

    c = harness_config();
    EXPECT("init: NULL config", cellmqtt_init(&handle, NULL, &cb), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("init: NULL callbacks", cellmqtt_init(&handle, &c, NULL), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("init: no uart_write callback", cellmqtt_init(&handle, &c, &no_uart), CELLMQTT_STATUS_NULL_ARG);
    {
        cellmqtt_config_field_t f = CELLMQTT_CONFIG_FIELD_NONE;
        EXPECT("config_check: no uart_write callback", cellmqtt_config_check(&c, &no_uart, &f), CELLMQTT_STATUS_NULL_ARG);
        CHECK(f == CELLMQTT_CONFIG_FIELD_UART_WRITE && strcmp(cellmqtt_config_field_str(f), "uart_write") == 0);
        EXPECT("config_check: valid", cellmqtt_config_check(&c, &cb, &f), CELLMQTT_STATUS_OK);
        CHECK(f == CELLMQTT_CONFIG_FIELD_NONE);
        EXPECT("config_check: NULL config", cellmqtt_config_check(NULL, &cb, &f), CELLMQTT_STATUS_NULL_ARG);
        CHECK(strcmp(cellmqtt_config_field_str(999), "unknown") == 0);
    }
/* Each refusal also names its field through cellmqtt_config_check, which answers as init does. */
#define BAD(what, field_assignment, want, field) do { c = harness_config(); field_assignment; \
        cellmqtt_config_field_t got_field_ = CELLMQTT_CONFIG_FIELD_NONE; \
        EXPECT("init: " what, cellmqtt_init(&handle, &c, &cb), want); \
        EXPECT("  config_check: " what, cellmqtt_config_check(&c, &cb, &got_field_), want); \
        CHECK(got_field_ == (field)); \
        if (got_field_ != (field)) printf("  field %s, expected %s\n", cellmqtt_config_field_str(got_field_), \
                                          cellmqtt_config_field_str(field)); } while (0)
    BAD("no host", c.host = NULL, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_HOST);
    BAD("port 0", c.port = 0, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_PORT);
    BAD("client id of 257 bytes", c.client_id = long_id, CELLMQTT_STATUS_STRING_TOO_LONG, CELLMQTT_CONFIG_FIELD_CLIENT_ID);
    BAD("quote in the client id", c.client_id = "a\"b", CELLMQTT_STATUS_INVALID_STRING, CELLMQTT_CONFIG_FIELD_CLIENT_ID);
    BAD("CR in the password", c.password = "a\rb", CELLMQTT_STATUS_INVALID_STRING, CELLMQTT_CONFIG_FIELD_PASSWORD);
    BAD("unknown profile", c.profile = 7, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_PROFILE);
    BAD("unknown option bit", c.options |= 1u << 30, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_OPTIONS);
    BAD("unknown pin bit", c.pins = 1u << 9, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_PINS);
    BAD("RESET wired but no pin_set", c.pins = CELLMQTT_PINS_RESET, CELLMQTT_STATUS_INVALID_CONFIG,
        CELLMQTT_CONFIG_FIELD_PIN_SET);
    BAD("PWRKEY wired but no pin_set", c.pins = CELLMQTT_PINS_PWRKEY, CELLMQTT_STATUS_INVALID_CONFIG,
        CELLMQTT_CONFIG_FIELD_PIN_SET);
    BAD("STATUS wired but no pin_get", c.pins = CELLMQTT_PINS_STATUS, CELLMQTT_STATUS_INVALID_CONFIG,
        CELLMQTT_CONFIG_FIELD_PIN_GET);
    BAD("keep-alive 0", c.keepalive_s = 0, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_KEEPALIVE);
    BAD("a zero timeout", c.timeouts.ack_ms = 0, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_TIMEOUTS);
    BAD("back-off min above max", c.timeouts.backoff_min_ms = c.timeouts.backoff_max_ms + 1,
        CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_TIMEOUTS);
    BAD("last-resort reset after 2,147,484 s", c.ladder.broker_reset_after_s = 2147484u,
        CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_LADDER);
    BAD("line buffer of 16 bytes", (c.line_buf = small, c.line_buf_len = sizeof small), CELLMQTT_STATUS_BUFFER_TOO_SMALL,
        CELLMQTT_CONFIG_FIELD_LINE_BUF);
    BAD("NULL queue buffer", c.queue_buf = NULL, CELLMQTT_STATUS_NULL_ARG, CELLMQTT_CONFIG_FIELD_QUEUE_BUF);
    /* Regions that cannot exist (never dereferenced: refused before any slice is formed). */
    BAD("queue buffer longer than PTRDIFF_MAX", c.queue_buf_len = (size_t)PTRDIFF_MAX + 1u,
        CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_QUEUE_BUF);
    BAD("sub buffer past the end of the address space", c.sub_buf = (uint8_t *)(UINTPTR_MAX - 99u),
        CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_SUB_BUF);
    BAD("overlapping buffers", c.sub_buf = c.queue_buf, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_BUFFER_OVERLAP);
    BAD("will of 1361 bytes", (c.will_topic = "w", c.will_payload = long_will, c.will_payload_len = sizeof long_will),
        CELLMQTT_STATUS_WILL_TOO_LONG, CELLMQTT_CONFIG_FIELD_WILL_PAYLOAD);
    /* A topic, as publish and subscribe (and the Rust API) name it; it was STRING_TOO_LONG. */
    BAD("will topic of 257 bytes", (c.will_topic = long_id, c.will_payload = long_will, c.will_payload_len = 1),
        CELLMQTT_STATUS_TOPIC_TOO_LONG, CELLMQTT_CONFIG_FIELD_WILL_TOPIC);
    BAD("wildcard in the will topic", (c.will_topic = "w/#", c.will_payload = long_will, c.will_payload_len = 1),
        CELLMQTT_STATUS_INVALID_TOPIC, CELLMQTT_CONFIG_FIELD_WILL_TOPIC);
    BAD("will QoS 3", (c.will_topic = "w", c.will_payload = long_will, c.will_payload_len = 1, c.will_qos = 3),
        CELLMQTT_STATUS_INVALID_QOS, CELLMQTT_CONFIG_FIELD_WILL_QOS);
    BAD("will retain 2", (c.will_topic = "w", c.will_retain = 2), CELLMQTT_STATUS_INVALID_CONFIG,
        CELLMQTT_CONFIG_FIELD_WILL_RETAIN);
    BAD("online message without a will", (c.online_payload = long_will, c.online_payload_len = 2),
        CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_ONLINE_PAYLOAD);
    BAD("TLS version 9", c.tls_version = 9, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_TLS_VERSION);
    BAD("TLS seclevel 3", c.tls_seclevel = 3, CELLMQTT_STATUS_INVALID_CONFIG, CELLMQTT_CONFIG_FIELD_TLS_SECLEVEL);
    BAD("quote in the CA file name", c.tls_ca_file = "a\"b", CELLMQTT_STATUS_INVALID_STRING,
        CELLMQTT_CONFIG_FIELD_TLS_CA_FILE);
#undef BAD
    /* A buffer inside the handle's own storage: init refuses it (the handle would overwrite
     * it); config_check, which has no handle, cannot tell. */
    c = harness_config();
    c.sub_buf = (uint8_t *)&handle + sizeof handle / 2;
    c.sub_buf_len = sizeof handle / 2;
    EXPECT("init: sub_buf inside the handle", cellmqtt_init(&handle, &c, &cb), CELLMQTT_STATUS_INVALID_CONFIG);
    EXPECT("config_check: sub_buf inside the handle", cellmqtt_config_check(&c, &cb, NULL), CELLMQTT_STATUS_OK);
    c = harness_config();
    EXPECT("init: valid", cellmqtt_init(&handle, &c, &cb), CELLMQTT_STATUS_OK);
    EXPECT("init: again on the live handle", cellmqtt_init(&handle, &c, &cb), CELLMQTT_STATUS_WRONG_STATE);
    EXPECT("deinit", cellmqtt_deinit(&handle), CELLMQTT_STATUS_OK);
    EXPECT("init: after deinit", cellmqtt_init(&handle, &c, &cb), CELLMQTT_STATUS_OK);
}

static void bad_arguments(void) {
    static char long_topic[258];
    static uint8_t big[4101];
    memset(long_topic, 't', sizeof long_topic - 1);
    const uint8_t b = 'x';
    uint16_t id = 7;
    EXPECT("publish: NULL topic", cellmqtt_publish(&handle, NULL, &b, 1, 0, false, &id), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("publish: empty topic", cellmqtt_publish(&handle, "", &b, 1, 0, false, &id), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("publish: topic of 257 bytes", cellmqtt_publish(&handle, long_topic, &b, 1, 0, false, &id),
           CELLMQTT_STATUS_TOPIC_TOO_LONG);
    EXPECT("publish: '+' in the topic", cellmqtt_publish(&handle, "a/+/b", &b, 1, 0, false, &id), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("publish: '#' in the topic", cellmqtt_publish(&handle, "a/#", &b, 1, 0, false, &id), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("publish: quote in the topic", cellmqtt_publish(&handle, "a\"b", &b, 1, 0, false, &id), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("publish: QoS 3", cellmqtt_publish(&handle, "t", &b, 1, 3, false, &id), CELLMQTT_STATUS_INVALID_QOS);
    EXPECT("publish: payload of 4101 bytes", cellmqtt_publish(&handle, "t", big, sizeof big, 1, false, &id),
           CELLMQTT_STATUS_PAYLOAD_TOO_LONG);
    EXPECT("publish: NULL payload with a length", cellmqtt_publish(&handle, "t", NULL, 5, 0, false, &id), CELLMQTT_STATUS_NULL_ARG);
    CHECK(id == 7); /* out-params are written only on success */
    EXPECT("subscribe: '#' not last", cellmqtt_subscribe(&handle, "a/#/b", 0, NULL), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("subscribe: '+' inside a level", cellmqtt_subscribe(&handle, "a+/b", 0, NULL), CELLMQTT_STATUS_INVALID_TOPIC);
    EXPECT("subscribe: QoS 3", cellmqtt_subscribe(&handle, "a", 3, NULL), CELLMQTT_STATUS_INVALID_QOS);
    EXPECT("unsubscribe: not subscribed", cellmqtt_unsubscribe(&handle, "nope", NULL), CELLMQTT_STATUS_NOT_SUBSCRIBED);
    EXPECT("feed: NULL data, length 3", cellmqtt_feed(&handle, NULL, 3), CELLMQTT_STATUS_NULL_ARG);
    EXPECT("feed: NULL data, length 0", cellmqtt_feed(&handle, NULL, 0), CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_queued(&handle) == 0);
    CHECK(strcmp(cellmqtt_status_str(-999), "UNKNOWN") == 0);
    for (int s = 0; s >= -32; s--) {
        if (s == -19) continue; /* unassigned */
        CHECK(strcmp(cellmqtt_status_str(s), "UNKNOWN") != 0);
    }
}

static void full_tables(void) {
    static uint8_t payload[1000], big[4100];
    cellmqtt_stats_t st;
    int queued = 0, subs = 0;
    memset(payload, 'p', sizeof payload);
    while (cellmqtt_publish(&handle, "fill", payload, sizeof payload, 1, false, NULL) == CELLMQTT_STATUS_OK) queued++;
    EXPECT("publish: queue full", cellmqtt_publish(&handle, "fill", payload, sizeof payload, 1, false, NULL),
           CELLMQTT_STATUS_QUEUE_FULL);
    EXPECT("publish: larger than the whole arena", cellmqtt_publish(&handle, "t", big, 4100, 0, false, NULL),
           CELLMQTT_STATUS_BUFFER_TOO_SMALL);
    CHECK(queued == 4 && (int)cellmqtt_queued(&handle) == queued);
    char filter[32];
    for (;;) {
        snprintf(filter, sizeof filter, "sub/%03d/#", subs);
        if (cellmqtt_subscribe(&handle, filter, 0, NULL) != CELLMQTT_STATUS_OK) break;
        subs++;
    }
    EXPECT("subscribe: table full", cellmqtt_subscribe(&handle, "one/more", 0, NULL), CELLMQTT_STATUS_SUBSCRIPTIONS_FULL);
    CHECK(subs == (int)(CELLMQTT_SUB_BUF_DEFAULT / (6 + 9)));
    CHECK(cellmqtt_stats(&handle, &st) == CELLMQTT_STATUS_OK);
    /* 9 refused in bad_arguments, 3 here (the fill loop's last try and the two cases above):
     * counted at once, and reported by the next poll as events. */
    CHECK(st.publishes_rejected == 12 && st.publishes_queued == (uint32_t)queued);
    CHECK(losses == 0);
    CHECK(cellmqtt_poll(&handle) == CELLMQTT_STATUS_OK);
    CHECK(losses == 12);
    for (int i = 0; i < subs; i++) {
        snprintf(filter, sizeof filter, "sub/%03d/#", i);
        CHECK(cellmqtt_unsubscribe(&handle, filter, NULL) == CELLMQTT_STATUS_OK);
    }
}

/* Stop while a QoS 1 publish waits for PUBACK: the queue is kept, a late PUBACK confirms
 * nothing, and after the next start the message goes again. */
static void stop_while_publishing(void) {
    cellmqtt_stats_t st;
    now_ms += 1000;
    CHECK(cellmqtt_start(&handle) == CELLMQTT_STATUS_OK);
    /* A cooperative module: answer every command until the first queued publish goes out.
     * On the way the never-sent filters are dropped without a command, and the callback's
     * subscribe and publish (made when the session comes online) are served. */
    int saw_fill = 0;
    for (int guard = 0; guard < 100 && !saw_fill; guard++) {
        tx_len = 0;
        CHECK(cellmqtt_poll(&handle) == CELLMQTT_STATUS_OK);
        const char *reply = "\r\nOK\r\n";
        if (tx_len >= 8 && memcmp(tx, "AT+CPIN?", 8) == 0) reply = "\r\n+CPIN: READY\r\n\r\nOK\r\n";
        if (tx_len >= 9 && memcmp(tx, "AT+CGATT?", 9) == 0) reply = "\r\n+CGATT: 1\r\n\r\nOK\r\n";
        if (tx_len >= 11 && memcmp(tx, "AT+MIPSTART", 11) == 0) reply = "\r\nOK\r\n\r\nCONNECT OK\r\n";
        if (tx_len >= 11 && memcmp(tx, "AT+MCONNECT", 11) == 0) reply = "\r\nOK\r\n\r\nCONNACK OK\r\n";
        if (tx_len >= 7 && memcmp(tx, "AT+MSUB", 7) == 0) reply = "\r\nOK\r\n\r\nSUBACK\r\n";
        CHECK(tx_len == 0 || memcmp(tx, "AT+MUNSUB", 9) != 0);
        saw_fill = tx_len >= 16 && memcmp(tx, "AT+MPUB=\"fill\",1", 16) == 0;
        if (tx_len && !saw_fill) CHECK(cellmqtt_feed(&handle, (const uint8_t *)reply, strlen(reply)) == CELLMQTT_STATUS_OK);
    }
    CHECK(saw_fill && nested_checked);
    CHECK(cellmqtt_queued(&handle) == 5); /* four fills and the callback's publish */
    step(&handle, "\r\nOK\r\n", "");
    EXPECT("stop: while a QoS 1 publish awaits PUBACK", cellmqtt_stop(&handle), CELLMQTT_STATUS_OK);
    step(&handle, "", "AT+MDISCONNECT\r");
    step(&handle, "\r\nOK\r\n", "AT+MIPCLOSE\r");
    step(&handle, "\r\nOK\r\n\r\nPUBACK\r\n", "");
    CHECK(cellmqtt_state(&handle) == CELLMQTT_STATE_STOPPED);
    CHECK(cellmqtt_queued(&handle) == 5);
    CHECK(cellmqtt_stats(&handle, &st) == CELLMQTT_STATUS_OK && st.publishes_done == 0 && st.unexpected_acks == 1);
}

/* Calls back in from inside `uart_write` (the engine is writing a command) and `tick_ms`
 * (`cellmqtt_start` holds the engine): each call that takes the engine is BUSY and does nothing,
 * `cellmqtt_state` answers the state the engine was taken in, `cellmqtt_feed` works. Before,
 * each ran on the engine in the middle of its work. */
enum { NO_CALL_BACK, FROM_UART_WRITE, FROM_TICK };
static int call_back_from;
static cellmqtt_state_t state_before;

static void call_back_in(const char *from) {
    cellmqtt_stats_t st;
    char what[64];
    const uint8_t b = 'x';
    call_back_from = NO_CALL_BACK;
#define ROW(call_name, call, want) do { \
    snprintf(what, sizeof what, "%s: %s", from, call_name); \
    EXPECT(what, call, want); } while (0)
    ROW("cellmqtt_publish", cellmqtt_publish(&handle, "cb/in", &b, 1, 1, false, NULL), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_subscribe", cellmqtt_subscribe(&handle, "cb/in", 1, NULL), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_stats", cellmqtt_stats(&handle, &st), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_stop", cellmqtt_stop(&handle), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_start", cellmqtt_start(&handle), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_poll", cellmqtt_poll(&handle), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_deinit", cellmqtt_deinit(&handle), CELLMQTT_STATUS_BUSY);
    ROW("cellmqtt_feed", cellmqtt_feed(&handle, (const uint8_t *)"\r\n", 2), CELLMQTT_STATUS_OK);
#undef ROW
    CHECK(cellmqtt_state(&handle) == state_before);
}

static int32_t uart_write_calling_back(void *user, const uint8_t *data, size_t len) {
    if (call_back_from == FROM_UART_WRITE) call_back_in("uart_write");
    return harness_uart_write(user, data, len);
}

static uint32_t tick_calling_back(void *user) {
    if (call_back_from == FROM_TICK) call_back_in("tick_ms in start");
    return harness_tick(user);
}

static void calls_inside_the_engines_work(void) {
    cellmqtt_config_t cfg = harness_config();
    cellmqtt_callbacks_t cb = callbacks();
    cb.uart_write = uart_write_calling_back;
    cb.tick_ms = tick_calling_back;
    EXPECT("deinit: stopped, for a handle calling back in", cellmqtt_deinit(&handle), CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_OK);
    call_back_from = FROM_TICK;
    state_before = CELLMQTT_STATE_STOPPED;
    EXPECT("start: tick_ms calls back in", cellmqtt_start(&handle), CELLMQTT_STATUS_OK);
    call_back_from = FROM_UART_WRITE;
    state_before = CELLMQTT_STATE_PROBING;
    step(&handle, "", "AT\r");
    CHECK(call_back_from == NO_CALL_BACK && cellmqtt_state(&handle) == CELLMQTT_STATE_PROBING);
    /* Nothing the refused calls asked for happened. */
    CHECK(cellmqtt_queued(&handle) == 0);
    EXPECT("after: unsubscribe of the refused filter", cellmqtt_unsubscribe(&handle, "cb/in", NULL),
           CELLMQTT_STATUS_NOT_SUBSCRIBED);
    step(&handle, "\r\nOK\r\n", "ATE0\r");
}

int main(void) {
    printf("%-58s %-20s %s\n", "case", "status", "");
    null_and_uninitialised();
    bad_configurations();
    bad_arguments();
    full_tables();
    stop_while_publishing();
    calls_inside_the_engines_work();
    printf("%d misuse cases\n", table_rows);
    return harness_report();
}
