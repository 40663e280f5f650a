/* The firmware side of the end-to-end scenario; see scenario.h for the dialogue. */
#include "scenario.h"

#include <string.h>

enum phase { WAIT_READY, WAIT_HELLO, WAIT_BIG, PUBLISHING, WAIT_BYE, ENDED };

#ifndef SCENARIO_RX_BUF
#define SCENARIO_RX_BUF CELLMQTT_RX_BUF_DEFAULT
#endif
#ifndef SCENARIO_LINE_BUF
#define SCENARIO_LINE_BUF CELLMQTT_LINE_BUF_DEFAULT
#endif
#ifndef SCENARIO_QUEUE_BUF
#define SCENARIO_QUEUE_BUF CELLMQTT_QUEUE_BUF_DEFAULT
#endif
#ifndef SCENARIO_SUB_BUF
#define SCENARIO_SUB_BUF CELLMQTT_SUB_BUF_DEFAULT
#endif

static const scenario_platform_t *plat;
static char up_topic[40], down_topic[40];
static enum phase phase;
static int exit_code = SCENARIO_RUNNING;
static uint32_t start_ms;

static bool online, subscribed, bye_received;
static uint16_t sub_id;
static uint16_t pub_ids[SCENARIO_MESSAGES];
static bool pub_done[SCENARIO_MESSAGES];
static uint32_t next_seq, confirmed;
static uint32_t restored_subscriptions, messages;
/* The large-message step: the one-byte-too-large message was reported lost. */
static bool big_loss_seen;

/* Fault progress: requested (harness told), the recovery step seen, back online after it. */
static bool close_requested, close_link_lost, close_done;
static bool hang_requested, hang_reset_step, hang_done;
static uint32_t reset_asserted, reset_released;

/* ---- log lines without printf ---- */

typedef struct {
    char text[448]; /* the @pass line with every field (the large-message build adds three) */
    size_t len;
} line_t;

size_t scenario_fmt_u32(char *buf, uint32_t value) {
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0u);
    for (size_t i = 0; i < n; i++) {
        buf[i] = digits[n - 1u - i];
    }
    buf[n] = '\0';
    return n;
}

static void add(line_t *l, const char *s) {
    while (*s != '\0' && l->len + 2u < sizeof l->text) {
        l->text[l->len++] = *s++;
    }
}

static void add_u32(line_t *l, uint32_t v) {
    char buf[11];
    scenario_fmt_u32(buf, v);
    add(l, buf);
}

static void add_kv(line_t *l, const char *key, uint32_t v) {
    add(l, " ");
    add(l, key);
    add(l, "=");
    add_u32(l, v);
}

static void emit(line_t *l) {
    l->text[l->len++] = '\n';
    l->text[l->len] = '\0';
    plat->write_line(l->text);
}

static void say(const char *a, const char *b) {
    line_t l = {.len = 0};
    add(&l, a);
    if (b != NULL) {
        add(&l, " ");
        add(&l, b);
    }
    emit(&l);
}

static void fail(const char *why) {
    if (exit_code == SCENARIO_RUNNING) {
        say("@fail", why);
        exit_code = 1;
        phase = ENDED;
    }
}

/* ---- inputs ---- */

void scenario_input_event(scenario_input_t *in, const cellmqtt_event_t *ev) {
    memset(in, 0, sizeof *in);
    in->kind = SCENARIO_IN_EVENT;
    in->event = *ev;
}

void scenario_input_message(scenario_input_t *in, const uint8_t *topic, size_t topic_len,
                            const uint8_t *payload, size_t payload_len) {
    memset(in, 0, sizeof *in);
    in->kind = SCENARIO_IN_MESSAGE;
    in->topic_len = topic_len;
    in->payload_len = payload_len;
    memcpy(in->topic, topic, topic_len < sizeof in->topic ? topic_len : sizeof in->topic);
    memcpy(in->payload, payload,
           payload_len < sizeof in->payload ? payload_len : sizeof in->payload);
#ifdef SCENARIO_BIG_MESSAGE
    /* Checked here, where the whole payload is still in the engine's line buffer. */
    in->big_ok = payload_len == SCENARIO_BIG_MESSAGE;
    for (size_t i = 0; in->big_ok && i < payload_len; i++) {
        in->big_ok = payload[i] == scenario_big_byte(i);
    }
#endif
}

void scenario_input_pin(scenario_input_t *in, cellmqtt_pin_t pin, bool active) {
    memset(in, 0, sizeof *in);
    in->kind = SCENARIO_IN_PIN;
    in->pin = pin;
    in->active = active;
}

static bool text_is(const void *data, size_t len, const char *expected) {
    return len == strlen(expected) && memcmp(data, expected, len) == 0;
}

static int seq_of_id(uint16_t id) {
    for (uint32_t i = 0; i < next_seq; i++) {
        if (pub_ids[i] == id && !pub_done[i]) {
            return (int)i;
        }
    }
    return -1;
}

static void on_state(cellmqtt_state_t state) {
    say("state", cellmqtt_state_str(state));
    online = state == CELLMQTT_STATE_ONLINE;
    if (!online) {
        return;
    }
    if (close_link_lost && !close_done) {
        close_done = true;
        say("recovered", "from close");
    }
    if (hang_reset_step && !hang_done) {
        hang_done = true;
        say("recovered", "from hang");
    }
}

static void on_event(const cellmqtt_event_t *ev) {
    line_t l = {.len = 0};
    switch (ev->kind) {
    case CELLMQTT_EVENT_KIND_STATE:
        on_state(ev->state);
        break;
    case CELLMQTT_EVENT_KIND_PUBLISHED: {
        int seq = seq_of_id(ev->id);
        if (seq < 0) {
            fail("PUBLISHED for an id not in flight");
            break;
        }
        pub_done[seq] = true;
        confirmed++;
        add(&l, "published");
        add_kv(&l, "seq", (uint32_t)seq);
        add_kv(&l, "id", ev->id);
        add_kv(&l, "confirmed", confirmed);
        emit(&l);
        break;
    }
    case CELLMQTT_EVENT_KIND_PUBLISH_FAILED:
        fail(cellmqtt_status_str(ev->status));
        break;
    case CELLMQTT_EVENT_KIND_SUBSCRIBED:
        if (ev->id == sub_id) {
            subscribed = true;
        }
        restored_subscriptions += ev->flag ? 1u : 0u;
        say("subscribed", ev->flag ? "restored" : "new");
        break;
    case CELLMQTT_EVENT_KIND_SUBSCRIBE_FAILED:
        fail("subscribe refused");
        break;
    case CELLMQTT_EVENT_KIND_RECOVERY:
        add(&l, "recovery ");
        add(&l, cellmqtt_recovery_str(ev->recovery));
        add(&l, " ");
        add(&l, cellmqtt_status_str(ev->status));
        add_kv(&l, "failures", ev->count);
        emit(&l);
        if (close_requested && !hang_requested && ev->status == CELLMQTT_STATUS_LINK_LOST) {
            close_link_lost = true;
        }
        if (hang_requested && ev->recovery == CELLMQTT_RECOVERY_RESET_PIN) {
            hang_reset_step = true;
        }
        if (ev->recovery == CELLMQTT_RECOVERY_GAVE_UP) {
            fail("recovery gave up");
        }
        break;
    case CELLMQTT_EVENT_KIND_LOSS:
        add(&l, "loss ");
        add(&l, cellmqtt_loss_str(ev->loss));
        add_kv(&l, "count", ev->count);
        emit(&l);
        /* The one loss the scenario asks for: the message one byte over the largest. */
        if (phase == WAIT_BIG && !big_loss_seen && ev->loss == CELLMQTT_LOSS_MESSAGE_TOO_LARGE &&
            ev->count == 1) {
            big_loss_seen = true;
            break;
        }
        fail("the engine reported a loss");
        break;
    default:
        break;
    }
}

static void on_message(const scenario_input_t *in) {
    messages++;
    bool ours = text_is(in->topic, in->topic_len, down_topic);
    if (ours && phase == WAIT_HELLO && text_is(in->payload, in->payload_len, "hello")) {
        say("message", "hello");
#ifdef SCENARIO_BIG_MESSAGE
        line_t l = {.len = 0};
        add(&l, "@big ");
        add_u32(&l, SCENARIO_BIG_MESSAGE);
        emit(&l);
        phase = WAIT_BIG;
#else
        phase = PUBLISHING;
#endif
    } else if (ours && phase == WAIT_BIG && in->big_ok && big_loss_seen) {
        line_t l = {.len = 0};
        add(&l, "message big intact");
        add_kv(&l, "bytes", (uint32_t)in->payload_len);
        emit(&l);
        phase = PUBLISHING;
    } else if (ours && phase == WAIT_BIG) {
        fail(big_loss_seen ? "the largest message arrived changed"
                           : "the largest message arrived before the loss of the larger one");
    } else if (ours && phase == WAIT_BYE && text_is(in->payload, in->payload_len, "bye")) {
        say("message", "bye");
        phase = ENDED;
        bye_received = true;
    } else {
        say("message", "(unexpected)");
    }
}

static void on_pin(const scenario_input_t *in) {
    line_t l = {.len = 0};
    add(&l, "pin ");
    add(&l, in->pin == CELLMQTT_PIN_RESET ? "reset" : in->pin == CELLMQTT_PIN_POWER ? "power" : "pwrkey");
    add(&l, in->active ? " 1" : " 0");
    emit(&l);
    if (in->pin == CELLMQTT_PIN_RESET && hang_requested) {
        if (in->active) {
            reset_asserted++;
        } else {
            reset_released++;
        }
    }
}

void scenario_input(const scenario_input_t *in) {
    if (exit_code != SCENARIO_RUNNING) {
        return;
    }
    switch (in->kind) {
    case SCENARIO_IN_EVENT:
        on_event(&in->event);
        break;
    case SCENARIO_IN_MESSAGE:
        on_message(in);
        break;
    case SCENARIO_IN_PIN:
        on_pin(in);
        break;
    default:
        break;
    }
}

/* ---- configuration ---- */

void scenario_config(cellmqtt_config_t *cfg, const char *name, uint16_t broker_port) {
    static uint8_t rx_buf[SCENARIO_RX_BUF], line_buf[SCENARIO_LINE_BUF];
    static uint8_t queue_buf[SCENARIO_QUEUE_BUF], sub_buf[SCENARIO_SUB_BUF];
    static char client_id[32];
    line_t l = {.len = 0};
    add(&l, "fw-");
    add(&l, name);
    memcpy(client_id, l.text, l.len < sizeof client_id - 1u ? l.len : sizeof client_id - 1u);

    *cfg = cellmqtt_config_default();
    cfg->host = "127.0.0.1";
    cfg->port = broker_port;
    cfg->client_id = client_id;
    cfg->pins = CELLMQTT_PINS_RESET;
    cfg->rx_buf = rx_buf;
    cfg->rx_buf_len = sizeof rx_buf;
    cfg->line_buf = line_buf;
    cfg->line_buf_len = sizeof line_buf;
    cfg->queue_buf = queue_buf;
    cfg->queue_buf_len = sizeof queue_buf;
    cfg->sub_buf = sub_buf;
    cfg->sub_buf_len = sizeof sub_buf;
    cellmqtt_timeouts_t *t = &cfg->timeouts;
    t->command_ms = 2000;
    t->poll_interval_ms = 200;
    t->boot_ms = 10000;
    t->silence_ms = 2000;
    t->sim_ms = 5000;
    t->attach_ms = 10000;
    t->connect_ms = 5000;
    t->connack_ms = 5000;
    t->ack_ms = 3000;
    t->prompt_ms = 2000;
    t->backoff_min_ms = 100;
    t->backoff_max_ms = 400;
    t->reset_pulse_ms = 200;
    t->health_ms = 1000; /* an idle link is checked, so a hang is found even with no traffic */
}

uint16_t scenario_parse_port(const char *text) {
    uint32_t v = 0;
    if (text == NULL || *text == '\0') {
        return 0;
    }
    for (; *text != '\0'; text++) {
        if (*text < '0' || *text > '9' || v > 65535u) {
            return 0;
        }
        v = v * 10u + (uint32_t)(*text - '0');
    }
    return v <= 65535u ? (uint16_t)v : 0;
}

/* ---- driving ---- */

static void make_topic(char *out, const char *dir) {
    line_t l = {.len = 0};
    add(&l, "fw/");
    add(&l, plat->name);
    add(&l, dir);
    memcpy(out, l.text, l.len);
    out[l.len] = '\0';
}

bool scenario_begin(const scenario_platform_t *platform) {
    plat = platform;
    make_topic(up_topic, "/up");
    make_topic(down_topic, "/down");
    start_ms = plat->now_ms();
    say("scenario", plat->name);
    cellmqtt_status_t st = plat->subscribe(down_topic, 1, &sub_id);
    if (st != CELLMQTT_STATUS_OK) {
        fail(cellmqtt_status_str(st));
        return false;
    }
    return true;
}

static void publish_due(void) {
    uint32_t limit = !close_requested ? SCENARIO_CLOSE_AT
                     : !hang_requested ? SCENARIO_HANG_AT
                                       : SCENARIO_MESSAGES;
    while (next_seq < limit && next_seq - confirmed < SCENARIO_WINDOW) {
        char payload[16] = "seq=";
        size_t len = 4u + scenario_fmt_u32(payload + 4, next_seq);
        uint16_t id = 0;
        cellmqtt_status_t st = plat->publish(up_topic, (const uint8_t *)payload, len, 1, &id);
        if (st == CELLMQTT_STATUS_QUEUE_FULL) {
            return; /* try again on the next step */
        }
        if (st != CELLMQTT_STATUS_OK) {
            fail(cellmqtt_status_str(st));
            return;
        }
        pub_ids[next_seq] = id;
        next_seq++;
    }
}

static void check_stats_and_pass(void) {
    cellmqtt_stats_t st;
    if (plat->stats(&st) != CELLMQTT_STATUS_OK) {
        fail("stats");
        return;
    }
    line_t l = {.len = 0};
    add(&l, "@pass");
    add_kv(&l, "published", confirmed);
    add_kv(&l, "publish_retries", st.publish_retries);
    add_kv(&l, "links_lost", st.links_lost);
    add_kv(&l, "reconnects", st.reconnects);
    add_kv(&l, "reset_pulses", st.reset_pulses);
    add_kv(&l, "connects", st.connects);
    add_kv(&l, "messages", messages);
    add_kv(&l, "restored_subscriptions", restored_subscriptions);
    add_kv(&l, "rx_bytes", st.rx_bytes);
    add_kv(&l, "tx_bytes", st.tx_bytes);
    add_kv(&l, "elapsed_ms", plat->now_ms() - start_ms);
#ifdef SCENARIO_BIG_MESSAGE
    add_kv(&l, "messages_too_large", st.messages_too_large);
    add_kv(&l, "lines_too_long", st.lines_too_long);
    add_kv(&l, "queue_high_water", st.queue_high_water);
#endif
    if (plat->describe != NULL) {
        char extra[96];
        plat->describe(extra, sizeof extra);
        if (extra[0] != '\0') {
            add(&l, " ");
            add(&l, extra);
        }
    }
    if (st.publishes_failed != 0 || st.events_dropped != 0 || st.rx_overflow_bytes != 0) {
        fail("stats show failed publishes, dropped events or RX overflow");
    } else if (st.reset_pulses < 1 || st.links_lost < 2 || restored_subscriptions < 2) {
        fail("stats do not show both recoveries");
#ifdef SCENARIO_BIG_MESSAGE
    } else if (st.messages_too_large != 1 || st.lines_too_long != 0) {
        fail("stats: not exactly one message too large, or a line too long");
#endif
    } else {
        emit(&l);
        exit_code = 0;
    }
}

int scenario_step(void) {
    if (exit_code == SCENARIO_RUNNING && plat->now_ms() - start_ms > SCENARIO_DEADLINE_MS) {
        fail("deadline passed");
    }
    switch (phase) {
    case WAIT_READY:
        if (subscribed && online) {
            say("@ready", NULL);
            phase = WAIT_HELLO;
        }
        break;
    case PUBLISHING:
        if (!close_requested && confirmed >= SCENARIO_CLOSE_AT) {
            close_requested = true;
            say("@fault", "close");
        }
        if (close_done && !hang_requested && confirmed >= SCENARIO_HANG_AT) {
            hang_requested = true;
            say("@fault", "hang");
        }
        publish_due();
        if (confirmed == SCENARIO_MESSAGES && close_done && hang_done && reset_asserted > 0 &&
            reset_released > 0) {
            say("@ready2", NULL);
            phase = WAIT_BYE;
        }
        break;
    default:
        break;
    }
    if (bye_received && exit_code == SCENARIO_RUNNING) {
        check_stats_and_pass();
    }
    return exit_code;
}
