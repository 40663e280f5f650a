/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Publishes a sensor reading with QoS 1 every INTERVAL_MS and stops once COUNT readings are
 * settled. RX runs in the port's poll-loop mode: one thread does everything.
 *   publish_sensor LINK BROKER_HOST [BROKER_PORT [COUNT [INTERVAL_MS]]]
 *   LINK: a serial device (/dev/ttyUSB0, 115200 8N1) or tcp:HOST:PORT (cellmqtt-emu --listen)
 *
 * Readings queued while the module is offline are sent once it is back (at least once). */
#include "cellmqtt_posix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engine borrows these for its life: static storage, no heap. */
static uint8_t rx_buf[CELLMQTT_RX_BUF_DEFAULT], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_t mqtt;
static cellmqtt_posix_t port;
static int confirmed, failed;

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    if (ev->kind == CELLMQTT_EVENT_KIND_STATE) {
        printf("state %s\n", cellmqtt_state_str(ev->state));
    } else if (ev->kind == CELLMQTT_EVENT_KIND_PUBLISHED) {
        confirmed++;
        printf("reading %u confirmed\n", ev->id);
    } else if (ev->kind == CELLMQTT_EVENT_KIND_PUBLISH_FAILED) {
        failed++;
        printf("reading %u failed: %s\n", ev->id, cellmqtt_status_str(ev->status));
    } else if (ev->kind == CELLMQTT_EVENT_KIND_RECOVERY) {
        printf("recovery: %s\n", cellmqtt_recovery_str(ev->recovery));
    }
    fflush(stdout);
}

/* The "sensor": the CPU temperature where Linux exposes it, otherwise a fixed value. */
static long read_millicelsius(void) {
    long v = 21500;
    FILE *f = fopen("/sys/class/thermal/thermal_zone0/temp", "r");
    if (f && fscanf(f, "%ld", &v) != 1) v = 21500;
    if (f) fclose(f);
    return v;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LINK BROKER_HOST [PORT [COUNT [INTERVAL_MS]]]\n", argv[0]);
        return 2;
    }
    int count = argc > 4 ? atoi(argv[4]) : 3;
    uint32_t interval_ms = argc > 5 ? (uint32_t)atol(argv[5]) : 2000;

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
    cfg.client_id = "sensor-1";
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
    cb.on_event = on_event;
    cellmqtt_status_t st = cellmqtt_init(&mqtt, &cfg, &cb);
    if (st != CELLMQTT_STATUS_OK) {
        fprintf(stderr, "init: %s\n", cellmqtt_status_str(st));
        return 1;
    }
    cellmqtt_start(&mqtt);

    int sent = 0;
    uint32_t next = cellmqtt_posix_tick_ms(NULL);
    for (;;) {
        cellmqtt_poll(&mqtt); /* runs the callbacks: check what they counted before sleeping */
        if (confirmed + failed == count) break;
        uint32_t now = cellmqtt_posix_tick_ms(NULL);
        if (sent < count && (int32_t)(now - next) >= 0) {
            char payload[64];
            long mc = read_millicelsius();
            int n = snprintf(payload, sizeof payload, "{\"n\":%d,\"temp_c\":%s%ld.%03ld}", sent,
                             mc < 0 ? "-" : "", labs(mc) / 1000, labs(mc) % 1000);
            /* Queued even while offline; QUEUE_FULL here would mean skipping this reading. */
            st = cellmqtt_publish(&mqtt, "sensors/sensor-1/temp", (const uint8_t *)payload,
                                  (size_t)n, 1, false, NULL);
            if (st != CELLMQTT_STATUS_OK) failed++;
            sent++;
            next = now + interval_ms;
        }
        uint32_t wait = cellmqtt_poll_delay_ms(&mqtt);
        if (sent < count && next - now < wait) wait = next - now;
        if (cellmqtt_posix_wait(&port, &mqtt, wait) < 0) {
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
    printf("%d readings confirmed, %d failed\n", confirmed, failed);
    return failed ? 1 : 0;
}
