/* CPU cost of the engine, counted in instructions by callgrind (deterministic, unlike time).
 * `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measure_*` counts only
 * inside the measure_* functions; scripts/bench_cpu.py divides by the work done.
 *
 *   measure_rx    a realistic mixed stream (incoming messages of 20 B to 4 KB, URCs, command
 *                 answers) fed in 64-byte pieces, as a UART DMA or ISR would, with a poll
 *                 after each piece; the message callback reads nothing (in-place delivery)
 *   measure_idle  IDLE_POLLS polls online with nothing to do
 * It prints the byte and poll counts the script divides by. */
#include "../c/harness.h"

#include <stdlib.h>

#define IDLE_POLLS 10000
#define PIECE 64

static cellmqtt_t handle;
static uint8_t big_line[4400];
static uint8_t stream[1 << 20];
static size_t stream_len;
static unsigned long messages;

static void on_message(void *user, const uint8_t *t, size_t tl, const uint8_t *p, size_t pl) {
    (void)user; (void)t; (void)tl; (void)p; (void)pl;
    messages++;
}

static void append(const char *s, size_t n) {
    if (stream_len + n > sizeof stream) abort();
    memcpy(stream + stream_len, s, n);
    stream_len += n;
}

/* One round of module output: messages of several sizes with CR/LF/quotes in them, acks,
 * a signal report, a cache notice answer, a state answer. */
static void build_stream(void) {
    static const size_t sizes[] = { 20, 64, 200, 1000, 4000 };
    static char payload[4000], header[128];
    for (size_t i = 0; i < sizeof payload; i++) payload[i] = (char)("sensor,\"v\":21.5\r\n"[i % 17]);
    while (stream_len < sizeof stream - 8192) {
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            int h = snprintf(header, sizeof header, "\r\n+MSUB: \"fleet/dev-1/cmd\",%zu byte,", sizes[k]);
            append(header, (size_t)h);
            append(payload, sizes[k]);
            append("\r\n", 2);
            append("\r\nPUBACK\r\n", 10);
            append("\r\n+CSQ: 24,99\r\n\r\nOK\r\n", 22);
            append("\r\n+MQTTSTATU :1\r\n\r\nOK\r\n", 24);
        }
    }
}

__attribute__((noinline)) void measure_rx(void) {
    for (size_t at = 0; at < stream_len; at += PIECE) {
        size_t n = stream_len - at < PIECE ? stream_len - at : PIECE;
        cellmqtt_feed(&handle, stream + at, n);
        cellmqtt_poll(&handle);
    }
}

__attribute__((noinline)) void measure_idle(void) {
    for (int i = 0; i < IDLE_POLLS; i++) cellmqtt_poll(&handle);
}

int main(void) {
    cellmqtt_config_t cfg = harness_config();
    cfg.line_buf = big_line;
    cfg.line_buf_len = sizeof big_line;
    cfg.timeouts.health_ms = 0; /* idle means idle */
    cellmqtt_callbacks_t cb = { &handle, harness_uart_write, harness_tick, NULL, on_message, NULL, NULL, NULL, NULL, NULL };
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_OK);
    harness_bring_online(&handle);
    build_stream();
    measure_rx();
    measure_idle();
    cellmqtt_stats_t st;
    CHECK(cellmqtt_stats(&handle, &st) == CELLMQTT_STATUS_OK);
    CHECK(st.rx_overflow_bytes == 0 && st.messages_too_large == 0 && st.lines_too_long == 0);
    CHECK(messages > 0 && messages == st.messages_received);
    printf("stream_bytes %zu\nmessages %lu\nidle_polls %d\n", stream_len, messages, IDLE_POLLS);
    return harness_report();
}
