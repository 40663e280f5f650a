/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* ports/baremetal on QEMU mps2-an385 (Cortex-M3), built and run by `make ports-test`
 * (mk/ports.mk): the real port (SysTick millisecond, PRIMASK critical section, service/idle
 * with WFI) and the thumbv7m library built with c-critical-section. Results on semihosting;
 * the exit code is the verdict.
 *
 *  1. the critical section nests and restores PRIMASK exactly;
 *  2. a superloop whose handle is not initialised (before init, after deinit) sleeps in WFI
 *     between SysTicks like one whose engine has nothing to do: about one turn per
 *     millisecond, not a spin at full power (poll_delay_ms answered "0, poll now" for such a
 *     handle, which can never be served; it now answers "nothing scheduled");
 *  3. idle does not sleep while RX bytes wait, and service then polls;
 *  4. bytes fed from the SysTick interrupt and from the loop at once (two producers) are all
 *     counted, none lost or doubled; a burst larger than the ring is refused with RX_OVERFLOW
 *     and counted byte for byte. */
#include "cellmqtt_baremetal.h"
#include "test_buffers.h"
#include "mps2.h"

#include <string.h>

static int passed, failed;

static void fmt_u32(char *out, uint32_t v) {
    char tmp[11];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    for (int i = 0; i < n; i++) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
}

static void check(bool ok, int line, const char *what) {
    if (ok) {
        passed++;
        return;
    }
    failed++;
    char num[12];
    fmt_u32(num, (uint32_t)line);
    semihost_write0("FAIL port_baremetal_test.c:");
    semihost_write0(num);
    semihost_write0(": ");
    semihost_write0(what);
    semihost_write0("\n");
}
#define CHECK(cond) check((cond), __LINE__, #cond)

static void note(const char *what, uint32_t value) {
    char num[12];
    fmt_u32(num, value);
    semihost_write0("  ");
    semihost_write0(what);
    semihost_write0(": ");
    semihost_write0(num);
    semihost_write0("\n");
}

static uint32_t primask(void) {
    uint32_t v;
    __asm__ volatile("mrs %0, primask" : "=r"(v));
    return v;
}

/* ---- the engine ---- */

static uint8_t rx_buf[CELLMQTT_RX_BUF_MIN], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_t modem; /* static: zeroed, i.e. "not initialised" */

static int32_t sink_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    (void)data;
    return (int32_t)len;
}

/* SysTick: the port's millisecond, and (while isr_feeds > 0) an "RX interrupt" of 2 bytes. */
static volatile uint32_t isr_feeds, isr_fed, isr_refused;

void SysTick_Handler(void) {
    cellmqtt_baremetal_systick_isr();
    if (isr_feeds > 0u) {
        isr_feeds--;
        if (cellmqtt_baremetal_uart_rx_isr(&modem, (const uint8_t *)"\r\n", 2) ==
            CELLMQTT_STATUS_OK) {
            isr_fed += 2u;
        } else {
            isr_refused++;
        }
    }
}

/* Superloop turns during `ms` milliseconds; `polls` counts the turns that polled. */
static uint32_t turns(uint32_t ms, uint32_t *polls) {
    uint32_t t0 = cellmqtt_baremetal_millis(), n = 0, p = 0;
    while (cellmqtt_baremetal_millis() - t0 < ms) {
        p += cellmqtt_baremetal_service(&modem) ? 1u : 0u;
        (void)cellmqtt_baremetal_idle(&modem);
        n++;
    }
    if (polls != NULL) {
        *polls = p;
    }
    return n;
}

static cellmqtt_stats_t stats(void) {
    cellmqtt_stats_t s;
    memset(&s, 0, sizeof s);
    CHECK(cellmqtt_stats(&modem, &s) == CELLMQTT_STATUS_OK);
    return s;
}

int main(void) {
    /* 1. Critical section: nests, returns and restores the previous PRIMASK. */
    CHECK(primask() == 0u);
    uint32_t outer = cellmqtt_port_critical_enter();
    CHECK(outer == 0u && primask() == 1u);
    uint32_t inner = cellmqtt_port_critical_enter();
    CHECK(inner == 1u && primask() == 1u);
    cellmqtt_port_critical_exit(inner);
    CHECK(primask() == 1u);
    cellmqtt_port_critical_exit(outer);
    CHECK(primask() == 0u);

    cellmqtt_baremetal_systick_start(MPS2_SYSCLK_HZ);

    /* 2a. Before init. */
    uint32_t n = turns(50, NULL);
    note("superloop turns in 50 ms, handle not initialised", n);
    CHECK(n <= 110u);

    /* An initialised, idle engine: the reference (it sleeps, nothing is due). */
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker.example";
    cfg.client_id = "dev-1";
    TEST_CONFIG_BUFFERS(cfg, rx_buf, line_buf, queue_buf, sub_buf);
    cellmqtt_callbacks_t cb;
    memset(&cb, 0, sizeof cb);
    cb.uart_write = sink_write;
    cb.tick_ms = cellmqtt_baremetal_tick_ms;
    CHECK(cellmqtt_init(&modem, &cfg, &cb) == CELLMQTT_STATUS_OK);
    (void)cellmqtt_poll(&modem);
    n = turns(50, NULL);
    note("superloop turns in 50 ms, engine initialised and idle", n);
    CHECK(n <= 110u);

    /* 3. RX waiting: idle must not sleep, service must poll. */
    CHECK(cellmqtt_feed(&modem, (const uint8_t *)"\r\n", 2) == CELLMQTT_STATUS_OK);
    CHECK(!cellmqtt_baremetal_idle(&modem));
    CHECK(cellmqtt_baremetal_service(&modem));
    CHECK(cellmqtt_baremetal_idle(&modem));

    /* 4. Two producers: the SysTick "RX interrupt" and the loop itself. */
    uint32_t rx0 = stats().rx_bytes, loop_fed = 0, loop_refused = 0, polls = 0;
    isr_fed = 0;
    isr_refused = 0;
    isr_feeds = 200;
    uint32_t t0 = cellmqtt_baremetal_millis();
    while (isr_feeds > 0u && cellmqtt_baremetal_millis() - t0 < 2000u) {
        if (cellmqtt_feed(&modem, (const uint8_t *)"\r\n\r\n", 4) == CELLMQTT_STATUS_OK) {
            loop_fed += 4u;
        } else {
            loop_refused++;
        }
        polls += cellmqtt_baremetal_service(&modem) ? 1u : 0u;
        (void)cellmqtt_baremetal_idle(&modem);
    }
    (void)cellmqtt_poll(&modem);
    cellmqtt_stats_t s = stats();
    note("bytes fed by the interrupt", isr_fed);
    note("bytes fed by the loop", loop_fed);
    note("bytes the engine counted", s.rx_bytes - rx0);
    CHECK(isr_feeds == 0u && isr_fed == 400u);
    CHECK(isr_refused == 0u && loop_refused == 0u && s.rx_overflow_bytes == 0u);
    CHECK(s.rx_bytes - rx0 == isr_fed + loop_fed);
    CHECK(polls > 0u);

    /* A burst larger than the ring: what fits is taken, the rest refused and counted. */
    static uint8_t burst[CELLMQTT_RX_BUF_MIN + 10];
    memset(burst, '\n', sizeof burst);
    rx0 = s.rx_bytes;
    CHECK(cellmqtt_baremetal_uart_rx_isr(&modem, burst, sizeof burst) ==
          CELLMQTT_STATUS_RX_OVERFLOW);
    (void)cellmqtt_poll(&modem);
    (void)cellmqtt_poll(&modem);
    s = stats();
    CHECK(s.rx_overflow_bytes == 10u);
    CHECK(s.rx_bytes - rx0 == CELLMQTT_RX_BUF_MIN);

    /* 2b. After deinit. */
    CHECK(cellmqtt_deinit(&modem) == CELLMQTT_STATUS_OK);
    n = turns(50, NULL);
    note("superloop turns in 50 ms, handle deinitialised", n);
    CHECK(n <= 110u);

    char line[48] = "";
    char num[12];
    fmt_u32(num, (uint32_t)passed);
    strcat(line, num);
    strcat(line, " passed, ");
    fmt_u32(num, (uint32_t)failed);
    strcat(line, num);
    strcat(line, " failed\n");
    semihost_write0(line);
    return failed ? 1 : 0;
}
