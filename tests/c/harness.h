/* Shared by the C tests: a scripted modem on a fake clock, and pass/fail counting.
 * Header-only (static functions) so each test is one translation unit. */
#ifndef CELLMQTT_TEST_HARNESS_H
#define CELLMQTT_TEST_HARNESS_H

#include "cellmqtt.h"
#include "test_buffers.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;
#define CHECK(cond) do { if (cond) { passed++; } else { failed++; \
    fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

/* The world the callbacks see. */
static uint32_t now_ms = 100;
static char tx[8192];
static size_t tx_len;

static inline int32_t harness_uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    if (tx_len + len >= sizeof tx) return -1;
    memcpy(tx + tx_len, data, len);
    tx_len += len;
    return (int32_t)len;
}

static inline uint32_t harness_tick(void *user) { (void)user; return now_ms; }

/* Feeds `rx`, polls `h`, and checks the engine wrote exactly `expect_tx`. */
static inline int step(cellmqtt_t *h, const char *rx, const char *expect_tx) {
    tx_len = 0;
    if (rx && *rx) CHECK(cellmqtt_feed(h, (const uint8_t *)rx, strlen(rx)) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_poll(h) == CELLMQTT_STATUS_OK);
    int ok = tx_len == strlen(expect_tx) && memcmp(tx, expect_tx, tx_len) == 0;
    if (!ok) fprintf(stderr, "expected TX [%s] got [%.*s]\n", expect_tx, (int)tx_len, tx);
    CHECK(ok);
    return ok;
}

/* Buffers of the default sizes, for one handle per test program. */
static uint8_t rx_buf[CELLMQTT_RX_BUF_DEFAULT], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];

/* A configuration for broker.example:1883 as "dev-1" with the buffers above. */
static inline cellmqtt_config_t harness_config(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker.example";
    cfg.client_id = "dev-1";
    TEST_CONFIG_BUFFERS(cfg, rx_buf, line_buf, queue_buf, sub_buf);
    return cfg;
}

/* From start to online for the plain configuration (no will, no subscriptions). */
static inline void harness_bring_online(cellmqtt_t *h) {
    CHECK(cellmqtt_start(h) == CELLMQTT_STATUS_OK);
    step(h, "", "AT\r");
    step(h, "\r\nOK\r\n", "ATE0\r");
    step(h, "\r\nOK\r\n", "AT+CPIN?\r");
    step(h, "\r\n+CPIN: READY\r\n\r\nOK\r\n", "AT+CGSN\r");
    step(h, "\r\n866714043075174\r\n\r\nOK\r\n", "AT+CGMR\r");
    step(h, "\r\nAirM2M_780E_V1169_LTE_AT\r\n\r\nOK\r\n", "AT+ICCID\r");
    step(h, "\r\n+ICCID: 89860012345678901234\r\n\r\nOK\r\n", "AT+CIMI\r");
    step(h, "\r\n460081234567890\r\n\r\nOK\r\n", "AT+CGATT?\r");
    step(h, "\r\n+CGATT: 1\r\n\r\nOK\r\n", "AT+MQTTMSGSET=0\r");
    step(h, "\r\nOK\r\n", "AT+MQTTMODE=0\r");
    step(h, "\r\nOK\r\n", "AT+MIPCLOSE\r");
    step(h, "\r\nOK\r\n", "AT+MCONFIG=\"dev-1\",\"\",\"\"\r");
    step(h, "\r\nOK\r\n", "AT+MIPSTART=\"broker.example\",1883\r");
    step(h, "\r\nOK\r\n\r\nCONNECT OK\r\n", "AT+MCONNECT=1,120\r");
    step(h, "\r\nOK\r\n\r\nCONNACK OK\r\n", "");
    CHECK(cellmqtt_state(h) == CELLMQTT_STATE_ONLINE);
}

static inline int harness_report(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#endif
