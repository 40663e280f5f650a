/* Links against cellmqtt::cellmqtt and runs a session start against a fake UART: proves the
 * CMake target carries the header, the archive and the host link libraries. */
#include "cellmqtt.h"

#include <stdio.h>
#include <string.h>

static uint8_t rx[CELLMQTT_RX_BUF_DEFAULT], line[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue[CELLMQTT_QUEUE_BUF_DEFAULT], subs[CELLMQTT_SUB_BUF_DEFAULT];
static char written[64];
static size_t written_len;

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    if (written_len + len > sizeof written) return 0;
    memcpy(written + written_len, data, len);
    written_len += len;
    return (int32_t)len;
}

static uint32_t tick_ms(void *user) {
    (void)user;
    return 0;
}

int main(void) {
    static cellmqtt_t h;
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker.example";
    cfg.client_id = "cmake-consumer";
    cfg.rx_buf = rx;
    cfg.rx_buf_len = sizeof rx;
    cfg.line_buf = line;
    cfg.line_buf_len = sizeof line;
    cfg.queue_buf = queue;
    cfg.queue_buf_len = sizeof queue;
    cfg.sub_buf = subs;
    cfg.sub_buf_len = sizeof subs;
    cellmqtt_callbacks_t cb = {0};
    cb.uart_write = uart_write;
    cb.tick_ms = tick_ms;
    int ok = cellmqtt_init(&h, &cfg, &cb) == CELLMQTT_STATUS_OK && cellmqtt_start(&h) == 0 &&
             cellmqtt_poll(&h) == CELLMQTT_STATUS_OK && written_len == 3 &&
             memcmp(written, "AT\r", 3) == 0;
    uint32_t v = cellmqtt_version();
    printf("consumer: cellmqtt %u.%u.%u, first command %s\n", v >> 16, v >> 8 & 0xff, v & 0xff,
           ok ? "AT (as expected)" : "WRONG");
    return ok ? 0 : 1;
}
