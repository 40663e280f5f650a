// SPDX-License-Identifier: MIT OR Apache-2.0
/* Bare-metal test firmware for QEMU microbit (nRF51822, Cortex-M0) in the 2 KiB-RAM
 * configuration (ram2k.h, force-included): the superloop of ports/baremetal runs the
 * end-to-end scenario (tests/firmware/common/scenario.h) with the large-message step.
 *
 *   UART0  the module link (QEMU chardev -> cellmqtt-emu --listen), RX by interrupt; it is the
 *          nRF51's only UART, so the RESET line cannot go out on a second one as on MPS2:
 *   semihosting  the test log (stdout), which also carries the RESET line as `@pin reset 1|0`
 *          lines that the harness (run_scenario.py --pin-lines) forwards to the emulator's
 *          control socket; the broker port (command line); the exit code
 *   TIMER0  the millisecond tick (the nRF51 has no SysTick; see nrf51.h)
 */
#include "cellmqtt_baremetal.h"
#include "nrf51.h"
#include "semihost.h"
#include "superloop.h"

#include <string.h>

#ifndef RAM2K_H
#error "build with -include ram2k.h: this firmware is the 2 KiB-RAM configuration"
#endif

static cellmqtt_t modem;
/* A byte was written to TXD and its TXDRDY event not yet consumed. */
static bool tx_busy;

/* ---- tick: TIMER0 compare 0 every millisecond, cleared by the short ---- */

static void timer0_start_1khz(void) {
    TIMER_MODE = 0;            /* timer, not counter */
    TIMER_BITMODE = 3;         /* 32 bit */
    TIMER_PRESCALER = 4;       /* 16 MHz / 2^4 = 1 MHz */
    TIMER_CC0 = 1000;          /* 1 ms */
    TIMER_SHORTS = TIMER_SHORTS_COMPARE0_CLEAR;
    TIMER_INTENSET = TIMER_INTEN_COMPARE0;
    TIMER_CLEAR = 1;
    TIMER_START = 1;
}

void TIMER0_IRQHandler(void) {
    TIMER_EVENTS_COMPARE0 = 0;
    cellmqtt_baremetal_systick_isr(); /* the port's tick hook, whichever timer drives it */
}

/* ---- UART0 ---- */

static void uart0_init(void) {
    /* The micro:bit's interface-chip pins (P0.24 TX, P0.25 RX); QEMU ignores the routing. */
    UART_PSELTXD = 24;
    UART_PSELRXD = 25;
    UART_BAUDRATE = UART_BAUDRATE_115200;
    UART_ENABLE = UART_ENABLE_ON;
    UART_INTENSET = UART_INTEN_RXDRDY;
    UART_STARTTX = 1;
    UART_STARTRX = 1;
}

/* The receiver holds up to 6 bytes. The event is cleared before RXD is read: reading pops a
 * byte and raises RXDRDY again while more wait, so none is left behind unsignalled. */
void UART0_IRQHandler(void) {
    uint8_t buf[8];
    size_t n = 0;
    while (n < sizeof buf && UART_EVENTS_RXDRDY != 0) {
        UART_EVENTS_RXDRDY = 0;
        buf[n++] = (uint8_t)UART_RXD;
    }
    (void)cellmqtt_baremetal_uart_rx_isr(&modem, buf, n);
}

/* Non-blocking: one byte in flight at a time; TXDRDY says it has gone. A write to TXD while
 * a byte is still pending would be dropped, so the engine gets "0 taken" and retries. */
static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    size_t n = 0;
    while (n < len) {
        if (tx_busy) {
            if (UART_EVENTS_TXDRDY == 0) {
                break;
            }
            UART_EVENTS_TXDRDY = 0;
        }
        UART_TXD = data[n++];
        tx_busy = true;
    }
    return (int32_t)n;
}

/* The nRF51 has one UART: the RESET line goes out on the semihosting log, which the harness
 * (run_scenario.py --pin-lines) forwards to the emulator's control socket. */
static void pin_out(cellmqtt_pin_t pin, bool active) {
    if (pin == CELLMQTT_PIN_RESET) {
        semihost_write0(active ? "@pin reset 1\n" : "@pin reset 0\n");
    }
}

static void enable_rx(void) {
    nvic_enable(NRF51_UART0_IRQN, 0x80);
}

int main(void) {
    uart0_init();
    timer0_start_1khz();
    nvic_enable(NRF51_TIMER0_IRQN, 0x40);
    /* The configuration's RAM on the @pass line: the handle, and it with the four buffers. */
    static const char *const keys[] = {" handle=", " ram2k="};
    static const uint32_t values[] = {
        (uint32_t)sizeof modem,
        (uint32_t)(sizeof modem + RAM2K_RX_BUF + RAM2K_LINE_BUF + RAM2K_QUEUE_BUF + RAM2K_SUB_BUF),
    };
    static const superloop_board_t board = {
        .name = RAM2K_NAME,
        .uart_write = uart_write,
        .pin_out = pin_out,
        .enable_rx = enable_rx,
        .extra_count = 2,
        .extra_keys = keys,
        .extra_values = values,
    };
    return superloop_run(&modem, &board);
}
