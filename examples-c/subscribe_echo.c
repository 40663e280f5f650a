/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Subscribes to echo/in and publishes every message it receives back to echo/out, from inside
 * the message callback (publish and subscribe may be called from callbacks; poll may not).
 * RX is fed by the port's reader thread, the way a UART interrupt would feed it on an MCU.
 *
 *   subscribe_echo LINK BROKER_HOST [BROKER_PORT [MESSAGES]]
 *   LINK: a serial device (/dev/ttyUSB0, 115200 8N1) or tcp:HOST:PORT (cellmqtt-emu --listen)
 *   MESSAGES: exit after echoing that many (default: run until killed) */
#include "cellmqtt_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engine borrows these for its life: static storage, no heap. The RX ring is larger than
 * the default because the reader thread cannot hold bytes back while the main thread is busy. */
static uint8_t rx_buf[4096], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_t mqtt;
static cellmqtt_posix_t port;
static int echoed;

static void on_message(void *user, const uint8_t *topic, size_t topic_len, const uint8_t *payload,
                       size_t payload_len) {
    (void)user;
    printf("message on %.*s, %zu bytes\n", (int)topic_len, (const char *)topic, payload_len);
    /* The payload is only valid during this call; publish copies it into the queue. */
    cellmqtt_status_t st =
        cellmqtt_publish(&mqtt, "echo/out", payload, payload_len, 1, false, NULL);
    if (st != CELLMQTT_STATUS_OK) printf("echo refused: %s\n", cellmqtt_status_str(st));
    fflush(stdout);
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    if (ev->kind == CELLMQTT_EVENT_KIND_STATE) {
        printf("state %s\n", cellmqtt_state_str(ev->state));
    } else if (ev->kind == CELLMQTT_EVENT_KIND_SUBSCRIBED) {
        printf("subscribed%s\n", ev->flag ? " (restored after a re-connect)" : "");
    } else if (ev->kind == CELLMQTT_EVENT_KIND_PUBLISHED) {
        echoed++;
        printf("echo %u confirmed\n", ev->id);
    } else if (ev->kind == CELLMQTT_EVENT_KIND_PUBLISH_FAILED) {
        printf("echo %u failed: %s\n", ev->id, cellmqtt_status_str(ev->status));
    } else if (ev->kind == CELLMQTT_EVENT_KIND_LOSS) {
        printf("lost %u (%s)\n", ev->count, cellmqtt_loss_str(ev->loss));
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LINK BROKER_HOST [PORT [MESSAGES]]\n", argv[0]);
        return 2;
    }
    int limit = argc > 4 ? atoi(argv[4]) : 0;

    cellmqtt_posix_init(&port);
    int r = strncmp(argv[1], "tcp:", 4) == 0 ? cellmqtt_posix_open_tcp(&port, argv[1] + 4)
                                             : cellmqtt_posix_open_serial(&port, argv[1], 115200);
    if (r < 0) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], strerror(-r));
        return 1;
    }

    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = argv[2];
    cfg.port = (uint16_t)(argc > 3 ? atoi(argv[3]) : 1883);
    cfg.client_id = "echo-1";
    cfg.rx_buf = rx_buf;
    cfg.rx_buf_len = sizeof rx_buf;
    cfg.line_buf = line_buf;
    cfg.line_buf_len = sizeof line_buf;
    cfg.queue_buf = queue_buf;
    cfg.queue_buf_len = sizeof queue_buf;
    cfg.sub_buf = sub_buf;
    cfg.sub_buf_len = sizeof sub_buf;
    cellmqtt_callbacks_t cb = {0};
    cellmqtt_posix_callbacks(&port, &cb); /* uart_write, tick_ms, pin_set */
    cb.on_message = on_message;
    cb.on_event = on_event;
    cellmqtt_status_t st = cellmqtt_init(&mqtt, &cfg, &cb);
    if (st == CELLMQTT_STATUS_OK) st = cellmqtt_subscribe(&mqtt, "echo/in", 1, NULL);
    if (st != CELLMQTT_STATUS_OK) {
        fprintf(stderr, "setup: %s\n", cellmqtt_status_str(st));
        return 1;
    }
    /* From here on the reader thread calls cellmqtt_feed; this thread does the rest. */
    r = cellmqtt_posix_start_reader(&port, &mqtt);
    if (r < 0) {
        fprintf(stderr, "reader thread: %s\n", strerror(-r));
        return 1;
    }
    cellmqtt_start(&mqtt);

    for (;;) {
        cellmqtt_poll(&mqtt); /* runs the callbacks: check what they counted before sleeping */
        if (limit != 0 && echoed >= limit) break;
        if (cellmqtt_posix_wait(&port, &mqtt, cellmqtt_poll_delay_ms(&mqtt)) < 0) {
            fprintf(stderr, "module link failed: %s\n", strerror(port.link_errno));
            return 1;
        }
    }
    cellmqtt_stop(&mqtt); /* AT+MDISCONNECT, AT+MIPCLOSE: a few more polls */
    uint32_t give_up = cellmqtt_posix_tick_ms(NULL) + 5000;
    while (cellmqtt_state(&mqtt) != CELLMQTT_STATE_STOPPED &&
           (int32_t)(cellmqtt_posix_tick_ms(NULL) - give_up) < 0) {
        cellmqtt_poll(&mqtt);
        uint32_t wait = cellmqtt_poll_delay_ms(&mqtt);
        if (cellmqtt_posix_wait(&port, &mqtt, wait < 100 ? wait : 100) < 0) break;
    }
    cellmqtt_posix_close(&port);
    printf("%d messages echoed\n", echoed);
    return 0;
}
