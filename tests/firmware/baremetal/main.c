/* Bare-metal test firmware for QEMU mps2-an385 (Cortex-M3) and, built with FW_BOARD_AN505
 * and FW_NAME "m33", mps2-an505 (Cortex-M33): a superloop on ports/baremetal runs the
 * end-to-end scenario (tests/firmware/common/scenario.h).
 *
 *   UART0  the module link (QEMU chardev -> cellmqtt-emu --listen), RX by interrupt
 *   UART1  the module's RESET line: the pin hook writes `pin reset 1|0` lines, and QEMU's
 *          chardev carries them into the emulator's control socket
 *   semihosting  the test log (stdout), the broker port (command line), the exit code
 */
#include "cellmqtt_baremetal.h"
#include "mps2.h"
#include "scenario.h"

#include <string.h>

/* The scenario's name: its topics (fw/<name>/up|down) and client id, which the harness's
 * --name must match. */
#ifndef FW_NAME
#define FW_NAME "baremetal"
#endif

static cellmqtt_t modem;
static uint32_t polls, sleeps;

void SysTick_Handler(void) {
    cellmqtt_baremetal_systick_isr();
}

void UART0RX_IRQHandler(void) {
    uint8_t buf[16];
    size_t n = cmsdk_uart_rx_irq_drain(MPS2_UART0, buf, sizeof buf);
    (void)cellmqtt_baremetal_uart_rx_isr(&modem, buf, n);
}

/* ---- engine callbacks ---- */

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    /* Non-blocking: what the holding register takes now; the engine retries the rest. */
    return (int32_t)cmsdk_uart_try_write(MPS2_UART0, data, len);
}

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    (void)user;
    if (pin == CELLMQTT_PIN_RESET) {
        const char *line = active ? "pin reset 1\n" : "pin reset 0\n";
        size_t len = strlen(line), sent = 0;
        while (sent < len) {
            sent += cmsdk_uart_try_write(MPS2_UART1, (const uint8_t *)line + sent, len - sent);
        }
    }
    scenario_input_t in;
    scenario_input_pin(&in, pin, active);
    scenario_input(&in);
}

static void on_message(void *user, const uint8_t *topic, size_t topic_len,
                       const uint8_t *payload, size_t payload_len) {
    (void)user;
    scenario_input_t in;
    scenario_input_message(&in, topic, topic_len, payload, payload_len);
    scenario_input(&in);
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    scenario_input_t in;
    scenario_input_event(&in, ev);
    scenario_input(&in);
}

/* ---- scenario platform: the plain API, all in the superloop's context ---- */

static cellmqtt_status_t subscribe(const char *filter, uint8_t qos, uint16_t *out_id) {
    return cellmqtt_subscribe(&modem, filter, qos, out_id);
}

static cellmqtt_status_t publish(const char *topic, const uint8_t *payload, size_t len,
                                 uint8_t qos, uint16_t *out_id) {
    return cellmqtt_publish(&modem, topic, payload, len, qos, false, out_id);
}

static cellmqtt_status_t stats(cellmqtt_stats_t *out) {
    return cellmqtt_stats(&modem, out);
}

static uint32_t now_ms(void) {
    return cellmqtt_baremetal_millis();
}

static void describe(char *buf, size_t cap) {
    static const char *const keys[] = {"stack_used=", " polls=", " sleeps="};
    const uint32_t values[] = {fw_stack_used(), polls, sleeps};
    size_t len = 0;
    for (size_t i = 0; i < 3; i++) {
        size_t k = strlen(keys[i]);
        if (len + k + 12 > cap) {
            break;
        }
        memcpy(buf + len, keys[i], k);
        len += k;
        len += scenario_fmt_u32(buf + len, values[i]);
    }
    buf[len] = '\0';
}

int main(void) {
    char cmdline[64];
    const char *port_text = NULL;
    if (semihost_get_cmdline(cmdline, sizeof cmdline)) {
        char *space = strrchr(cmdline, ' ');
        port_text = space != NULL ? space + 1 : cmdline;
    }
    uint16_t broker_port = scenario_parse_port(port_text);
    if (broker_port == 0) {
        semihost_write0("@fail no broker port on the semihosting command line\n");
        return 2;
    }

    cmsdk_uart_init(MPS2_UART0, 115200, 1);
    cmsdk_uart_init(MPS2_UART1, 115200, 0);
    cellmqtt_baremetal_systick_start(MPS2_SYSCLK_HZ);

    static const scenario_platform_t platform = {
        .name = FW_NAME,
        .subscribe = subscribe,
        .publish = publish,
        .stats = stats,
        .now_ms = now_ms,
        .write_line = semihost_write0,
        .describe = describe,
    };
    cellmqtt_config_t cfg;
    scenario_config(&cfg, platform.name, broker_port);
    const cellmqtt_callbacks_t callbacks = {
        .user = NULL,
        .uart_write = uart_write,
        .tick_ms = cellmqtt_baremetal_tick_ms,
        .pin_set = pin_set,
        .on_message = on_message,
        .on_event = on_event,
    };
    cellmqtt_status_t st = cellmqtt_init(&modem, &cfg, &callbacks);
    if (st != CELLMQTT_STATUS_OK) {
        semihost_write0("@fail cellmqtt_init\n");
        return 1;
    }
    /* Only now: bytes fed before init would be refused (and the module's RDY lost). */
    nvic_enable(MPS2_UART0_RX_IRQN, 0x80);
    if (!scenario_begin(&platform) || cellmqtt_start(&modem) != CELLMQTT_STATUS_OK) {
        return 1;
    }
    for (;;) {
        if (cellmqtt_baremetal_service(&modem)) {
            polls++;
        }
        int result = scenario_step();
        if (result != SCENARIO_RUNNING) {
            return result;
        }
        if (cellmqtt_baremetal_idle(&modem)) {
            sleeps++;
        }
    }
}
