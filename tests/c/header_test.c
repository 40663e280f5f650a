/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/*
 * What the header promises a C or C++ shop, checked against the real library: it compiles
 * cleanly as C99 and as C++11 (mk/ctest.mk builds this file both ways with -Wall -Wextra
 * -Wpedantic -Werror), its version macros match the library, a library built for another header
 * refuses to start without touching the handle, the callback typedefs declare the callbacks,
 * and the query functions take a const handle.
 */
#include "cellmqtt.h"
#include "test_buffers.h"

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                   \
    do {                                                              \
        if (!(cond)) {                                                \
            printf("FAILED %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                               \
        }                                                             \
    } while (0)

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    (void)data;
    return (int32_t)len;
}

static uint32_t tick_ms(void *user) {
    (void)user;
    return 0;
}

/* The typedefs name the callbacks' types: a table of them compiles only if they match. */
static const cellmqtt_uart_write_fn write_fn = uart_write;
static const cellmqtt_tick_fn tick_fn = tick_ms;

static uint8_t rx_buf[CELLMQTT_RX_BUF_DEFAULT];
static uint8_t line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT];
static uint8_t sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_t handle;

/* Only reads: a const handle is enough. */
static size_t room_of(const cellmqtt_t *h) {
    return cellmqtt_queue_room(h) + cellmqtt_queued(h) + cellmqtt_rx_free(h);
}

int main(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cellmqtt_callbacks_t cb;
    const cellmqtt_t *const_view = &handle;
    cellmqtt_stats_t stats;

    CHECK(cellmqtt_version() == CELLMQTT_VERSION);
    CHECK(CELLMQTT_VERSION == ((CELLMQTT_VERSION_MAJOR << 16) | (CELLMQTT_VERSION_MINOR << 8) |
                               CELLMQTT_VERSION_PATCH));
    CHECK(strcmp(cellmqtt_status_str(CELLMQTT_STATUS_ABI_MISMATCH), "ABI_MISMATCH") == 0);

    memset(&cb, 0, sizeof cb);
    cb.uart_write = write_fn;
    cb.tick_ms = tick_fn;
    cfg.host = "broker.example";
    cfg.client_id = "header-test";
    TEST_CONFIG_BUFFERS(cfg, rx_buf, line_buf, queue_buf, sub_buf);

    /* A header of another ABI version, or with other struct sizes, is refused before the
     * library reads the structs, and the handle stays uninitialised. */
    CHECK(cellmqtt_init_abi(&handle, &cfg, &cb, CELLMQTT_ABI_VERSION + 1, sizeof(cellmqtt_t),
                            sizeof(cellmqtt_config_t),
                            sizeof(cellmqtt_callbacks_t)) == CELLMQTT_STATUS_ABI_MISMATCH);
    CHECK(cellmqtt_init_abi(&handle, &cfg, &cb, CELLMQTT_ABI_VERSION, sizeof(cellmqtt_t) - 8,
                            sizeof(cellmqtt_config_t),
                            sizeof(cellmqtt_callbacks_t)) == CELLMQTT_STATUS_ABI_MISMATCH);
    CHECK(cellmqtt_init_abi(&handle, &cfg, &cb, CELLMQTT_ABI_VERSION, sizeof(cellmqtt_t),
                            sizeof(cellmqtt_config_t) + 4,
                            sizeof(cellmqtt_callbacks_t)) == CELLMQTT_STATUS_ABI_MISMATCH);
    CHECK(cellmqtt_init_abi(&handle, &cfg, &cb, CELLMQTT_ABI_VERSION, sizeof(cellmqtt_t),
                            sizeof(cellmqtt_config_t),
                            sizeof(cellmqtt_callbacks_t) - sizeof(void *)) ==
          CELLMQTT_STATUS_ABI_MISMATCH);
    CHECK(cellmqtt_state(const_view) == CELLMQTT_STATE_STOPPED);
    CHECK(cellmqtt_stats(const_view, &stats) == CELLMQTT_STATUS_NOT_INITIALIZED);

    /* The header's own cellmqtt_init passes the right figures. */
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_OK);
    CHECK(cellmqtt_stats(const_view, &stats) == CELLMQTT_STATUS_OK);
    CHECK(room_of(const_view) > 0);
    CHECK(cellmqtt_deinit(&handle) == CELLMQTT_STATUS_OK);

    if (failures != 0) {
        printf("header_test: %d failed\n", failures);
        return 1;
    }
    printf("header_test: ok (ABI %u, version %u.%u.%u)\n", (unsigned)CELLMQTT_ABI_VERSION,
           (unsigned)CELLMQTT_VERSION_MAJOR, (unsigned)CELLMQTT_VERSION_MINOR,
           (unsigned)CELLMQTT_VERSION_PATCH);
    return 0;
}
