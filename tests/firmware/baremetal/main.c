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
#include "superloop.h"

#include <string.h>

/* The scenario's name: its topics (fw/<name>/up|down) and client id, which the harness's
 * --name must match. */
#ifndef FW_NAME
#define FW_NAME "baremetal"
#endif

static cellmqtt_t modem;

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

/* The RESET line leaves on UART1 as `pin reset 1|0` lines (the emulator's control socket). */
static void pin_out(cellmqtt_pin_t pin, bool active) {
    if (pin == CELLMQTT_PIN_RESET) {
        const char *line = active ? "pin reset 1\n" : "pin reset 0\n";
        size_t len = strlen(line), sent = 0;
        while (sent < len) {
            sent += cmsdk_uart_try_write(MPS2_UART1, (const uint8_t *)line + sent, len - sent);
        }
    }
}

static void enable_rx(void) {
    nvic_enable(MPS2_UART0_RX_IRQN, 0x80);
}

int main(void) {
    cmsdk_uart_init(MPS2_UART0, 115200, 1);
    cmsdk_uart_init(MPS2_UART1, 115200, 0);
    cellmqtt_baremetal_systick_start(MPS2_SYSCLK_HZ);
    static const superloop_board_t board = {
        .name = FW_NAME,
        .uart_write = uart_write,
        .pin_out = pin_out,
        .enable_rx = enable_rx,
    };
    return superloop_run(&modem, &board);
}
