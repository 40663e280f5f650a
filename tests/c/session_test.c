/* A full session through the C API against a scripted modem on a fake clock.
 * Built with -Wall -Wextra -Werror against the committed header and libcellmqtt.a. */
#include "harness.h"

static int published[16], n_published;
static int subscribed, recoveries, last_state = -1, messages, pins;
static char last_payload[64];
/* Sharing the module: answer lines, results and URCs seen. */
static char at_line[64], urc[64];
static int at_id = -1, at_status = 1, at_code, time_zone, urcs;
static uint32_t time_utc;

static void on_at_line(void *user, uint16_t id, const uint8_t *line, size_t len) {
    (void)user;
    at_id = id;
    if (len < sizeof at_line) { memcpy(at_line, line, len); at_line[len] = 0; }
}

static void on_urc(void *user, const uint8_t *line, size_t len) {
    (void)user;
    urcs++;
    if (len < sizeof urc) { memcpy(urc, line, len); urc[len] = 0; }
}

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    (void)user; (void)pin; (void)active;
    pins++;
}

static void on_message(void *user, const uint8_t *topic, size_t tl, const uint8_t *payload, size_t pl) {
    cellmqtt_t *h = user;
    messages++;
    if (pl < sizeof last_payload) { memcpy(last_payload, payload, pl); last_payload[pl] = 0; }
    /* Publishing from a callback is allowed; polling is not. */
    CHECK(tl == 7 && memcmp(topic, "dev/cmd", 7) == 0);
    CHECK(cellmqtt_publish(h, "dev/ack", payload, pl, 0, false, NULL) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_poll(h) == CELLMQTT_STATUS_BUSY);
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    switch (ev->kind) {
    case CELLMQTT_EVENT_KIND_STATE: last_state = ev->state; break;
    case CELLMQTT_EVENT_KIND_PUBLISHED: if (n_published < 16) published[n_published++] = ev->id; break;
    case CELLMQTT_EVENT_KIND_SUBSCRIBED: subscribed++; break;
    case CELLMQTT_EVENT_KIND_RECOVERY: recoveries++; break;
    case CELLMQTT_EVENT_KIND_AT_DONE: at_status = ev->status; at_code = (int)ev->count; break;
    case CELLMQTT_EVENT_KIND_TIME: time_utc = ev->count; time_zone = (int16_t)ev->id; break;
    default: break;
    }
}

static cellmqtt_t handle;

static void connect_from_mconfig(void) {
    step(&handle, "\r\n+CME ERROR: 767\r\n", "AT+MCONFIG=\"dev-1\",\"user\",\"pw\",1,1,\"dev/status\",\"offline\"\r");
    step(&handle, "\r\nOK\r\n", "AT+MIPSTART=\"broker.example\",1883\r");
    step(&handle, "\r\nOK\r\n", "");
    step(&handle, "\r\nCONNECT OK\r\n", "AT+MCONNECT=1,60\r");
    step(&handle, "\r\nOK\r\n\r\nCONNACK OK\r\n", "AT+MSUB=\"dev/cmd\",1\r");
    step(&handle, "\r\nOK\r\n\r\nSUBACK\r\n", "AT+MPUB=\"dev/status\",1,1,\"online\"\r");
    step(&handle, "\r\nOK\r\n\r\nPUBACK\r\n", "");
}

int main(void) {
    static const char will[] = "offline", online[] = "online";

    CHECK(sizeof(cellmqtt_t) == CELLMQTT_HANDLE_WORDS * 8);
    CHECK(cellmqtt_poll(&handle) == CELLMQTT_STATUS_NOT_INITIALIZED);
    CHECK(cellmqtt_poll(NULL) == CELLMQTT_STATUS_NULL_ARG);
    CHECK(strcmp(cellmqtt_status_str(CELLMQTT_STATUS_QUEUE_FULL), "QUEUE_FULL") == 0);

    cellmqtt_config_t cfg = harness_config();
    cfg.username = "user";
    cfg.password = "pw";
    cfg.keepalive_s = 60;
    cfg.will_topic = "dev/status";
    cfg.will_payload = (const uint8_t *)will;
    cfg.will_payload_len = strlen(will);
    cfg.will_qos = 1;
    cfg.will_retain = 1;
    cfg.online_payload = (const uint8_t *)online;
    cfg.online_payload_len = strlen(online);
    cellmqtt_callbacks_t cb = { &handle, harness_uart_write, harness_tick, pin_set, on_message, on_event, NULL, NULL, on_at_line, on_urc };

    cellmqtt_config_t bad = cfg;
    bad.line_buf_len = 10;
    CHECK(cellmqtt_init(&handle, &bad, &cb) == CELLMQTT_STATUS_BUFFER_TOO_SMALL);
    bad = cfg;
    bad.client_id = "has\"quote";
    CHECK(cellmqtt_init(&handle, &bad, &cb) == CELLMQTT_STATUS_INVALID_STRING);
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_OK);

    uint16_t sub_id = 0;
    CHECK(cellmqtt_subscribe(&handle, "dev/cmd", 1, &sub_id) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_start(&handle) == CELLMQTT_STATUS_OK);
    step(&handle, "", "AT\r");
    step(&handle, "AT\r\r\nOK\r\n", "ATE0\r");
    step(&handle, "ATE0\r\r\nOK\r\n", "AT+CPIN?\r");
    step(&handle, "\r\n+CPIN: READY\r\n\r\nOK\r\n", "AT+CGSN\r");
    step(&handle, "\r\n866714043075174\r\n\r\nOK\r\n", "AT+CGMR\r");
    step(&handle, "\r\nAirM2M_780E_V1169_LTE_AT\r\n\r\nOK\r\n", "AT+ICCID\r");
    step(&handle, "\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n", "AT+CIMI\r");
    step(&handle, "\r\n460081234567890\r\n\r\nOK\r\n", "AT+CGATT?\r");
    step(&handle, "\r\n+CGATT: 1\r\n\r\nOK\r\n", "AT+MQTTMSGSET=0\r");
    step(&handle, "\r\nOK\r\n", "AT+MQTTMODE=0\r");
    step(&handle, "\r\nOK\r\n", "AT+MIPCLOSE\r");
    connect_from_mconfig();
    CHECK(last_state == CELLMQTT_STATE_ONLINE);
    CHECK(cellmqtt_state(&handle) == CELLMQTT_STATE_ONLINE);
    CHECK(subscribed == 1);

    /* QoS 0, 1 and 2. */
    uint16_t q0, q1, q2;
    CHECK(cellmqtt_publish(&handle, "dev/up", (const uint8_t *)"t=21.5", 6, 0, false, &q0) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_publish(&handle, "dev/up", (const uint8_t *)"say \"hi\"", 8, 1, false, &q1) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_publish(&handle, "dev/up", (const uint8_t *)"x", 1, 2, true, &q2) == CELLMQTT_STATUS_OK);
    step(&handle, "", "AT+MPUB=\"dev/up\",0,0,\"t=21.5\"\r");
    step(&handle, "\r\nOK\r\n", "AT+MPUB=\"dev/up\",1,0,\"say \\22hi\\22\"\r");
    step(&handle, "\r\nOK\r\n", "");
    step(&handle, "\r\nPUBACK\r\n", "AT+MPUB=\"dev/up\",2,1,\"x\"\r");
    step(&handle, "\r\nOK\r\n\r\nPUBREC\r\n", "");
    step(&handle, "\r\nPUBCOMP\r\n", "");
    CHECK(n_published == 3 && published[0] == q0 && published[1] == q1 && published[2] == q2);

    /* A message arrives; the callback answers with a publish. */
    step(&handle, "\r\n+MSUB: \"dev/cmd\",6 byte,a,\"b\"\n\r\n", "AT+MPUB=\"dev/ack\",0,0,\"a,\\22b\\22\\0A\"\r");
    CHECK(messages == 1 && strcmp(last_payload, "a,\"b\"\n") == 0);
    step(&handle, "\r\nOK\r\n", "");

    /* The broker drops the link: back-off, MIPCLOSE (767 ignored), reconnect, restore. */
    step(&handle, "\r\nCLOSED\r\n", "");
    CHECK(recoveries == 1 && last_state == CELLMQTT_STATE_RECOVERING);
    CHECK(cellmqtt_poll_delay_ms(&handle) == 1000);
    now_ms += 1000;
    step(&handle, "", "AT+MIPCLOSE\r");
    connect_from_mconfig();
    CHECK(subscribed == 2 && last_state == CELLMQTT_STATE_ONLINE);

    /* Sharing the module: the identity read at boot, a queued command with its answer line
     * and result, a URC inside it passed on, the network time, refusals. */
    cellmqtt_module_info_t info;
    CHECK(cellmqtt_module_info(&handle, &info) == CELLMQTT_STATUS_OK);
    CHECK(strcmp(info.imei, "866714043075174") == 0 && strcmp(info.iccid, "89860012345678901234") == 0);
    CHECK(strcmp(info.imsi, "460081234567890") == 0 && strcmp(info.revision, "AirM2M_780E_V1169_LTE_AT") == 0);
    uint16_t q;
    CHECK(cellmqtt_at_command(&handle, "AT+CPMS?", 5000, &q) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_at_command(&handle, "ATE1", 5000, NULL) == CELLMQTT_STATUS_COMMAND_REFUSED);
    CHECK(cellmqtt_at_command(&handle, "AT+RESET", 5000, NULL) == CELLMQTT_STATUS_COMMAND_REFUSED);
    CHECK(cellmqtt_at_command(&handle, NULL, 5000, NULL) == CELLMQTT_STATUS_NULL_ARG);
    step(&handle, "", "AT+CPMS?\r");
    step(&handle, "\r\n+CPMS: \"SM\",3,50\r\n\r\n+CMTI: \"SM\",4\r\n\r\nOK\r\n", "");
    CHECK(at_id == q && strcmp(at_line, "+CPMS: \"SM\",3,50") == 0 && at_status == CELLMQTT_STATUS_OK);
    CHECK(urcs == 1 && strcmp(urc, "+CMTI: \"SM\",4") == 0);
    CHECK(cellmqtt_request_time(&handle, &q) == CELLMQTT_STATUS_OK);
    step(&handle, "", "AT+CCLK?\r");
    step(&handle, "\r\n+CCLK: \"24/08/22,07:27:15+32\"\r\n\r\nOK\r\n", "");
    CHECK(time_utc == 777598035u && time_zone == 32);
    CHECK(cellmqtt_at_command(&handle, "AT+CMGR=9", 5000, &q) == CELLMQTT_STATUS_OK);
    step(&handle, "", "AT+CMGR=9\r");
    step(&handle, "\r\n+CME ERROR: 321\r\n", "");
    CHECK(at_status == CELLMQTT_STATUS_MODULE_ERROR && at_code == 321);

    /* Misuse gets specific statuses. */
    CHECK(cellmqtt_publish(&handle, "a/+", (const uint8_t *)"x", 1, 0, false, NULL) == CELLMQTT_STATUS_INVALID_TOPIC);
    CHECK(cellmqtt_publish(&handle, "a", (const uint8_t *)"x", 1, 3, false, NULL) == CELLMQTT_STATUS_INVALID_QOS);
    CHECK(cellmqtt_unsubscribe(&handle, "not/there", NULL) == CELLMQTT_STATUS_NOT_SUBSCRIBED);
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_WRONG_STATE);

    cellmqtt_stats_t st;
    CHECK(cellmqtt_stats(&handle, &st) == CELLMQTT_STATUS_OK);
    CHECK(st.connects == 2 && st.links_lost == 1 && st.messages_received == 1 && st.publishes_done == 4);

    /* Stop: MDISCONNECT then MIPCLOSE. */
    CHECK(cellmqtt_stop(&handle) == CELLMQTT_STATUS_OK);
    step(&handle, "", "AT+MDISCONNECT\r");
    step(&handle, "\r\nOK\r\n", "AT+MIPCLOSE\r");
    step(&handle, "\r\nOK\r\n", "");
    CHECK(cellmqtt_state(&handle) == CELLMQTT_STATE_STOPPED);
    CHECK(pins == 0);

    return harness_report();
}
