/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt bare-metal port: glue for a vendor-SDK superloop on Cortex-M (M0/M0+/M3/M4/M7).
 *
 * What it provides:
 *   - the critical section the library needs (`cellmqtt_port_critical_enter/exit`, PRIMASK);
 *   - a 1 kHz millisecond tick on SysTick, usable as the `tick_ms` callback;
 *   - the UART RX interrupt entry point that hands bytes to the engine;
 *   - a superloop step that polls when work is due and sleeps (WFI) otherwise.
 *
 * What the board provides: the UART driver (its RX interrupt calls
 * `cellmqtt_baremetal_uart_rx_isr`, its non-blocking write is the `uart_write` callback) and,
 * if the module's control lines are wired, the `pin_set` callback (GPIO writes).
 *
 * The superloop:
 *
 *     cellmqtt_baremetal_systick_start(SystemCoreClock);
 *     cellmqtt_init(&modem, &cfg, &callbacks);        // callbacks.tick_ms = cellmqtt_baremetal_tick_ms
 *     cellmqtt_start(&modem);
 *     for (;;) {
 *         cellmqtt_baremetal_service(&modem);          // poll if RX arrived or a deadline passed
 *         app_work();                                  // may call cellmqtt_publish & co.
 *         cellmqtt_baremetal_idle(&modem);             // WFI unless the engine is due
 *     }
 *
 * Link the library built with `--features c-critical-section` (`make cross`). Every function
 * takes the handle, so two modules on two UARTs work alike; the millisecond tick is shared.
 */
#ifndef CELLMQTT_BAREMETAL_H
#define CELLMQTT_BAREMETAL_H

#include "cellmqtt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Starts SysTick at 1 kHz from the core clock (processor clock source) with its interrupt.
 * Skip it if the SDK already owns SysTick; then call `cellmqtt_baremetal_systick_isr` from the
 * SDK's 1 ms tick hook, or point `tick_ms` at the SDK's own millisecond counter. */
void cellmqtt_baremetal_systick_start(uint32_t core_clock_hz);

/* Advances the millisecond counter; call from `SysTick_Handler` (once per millisecond). */
void cellmqtt_baremetal_systick_isr(void);

/* Milliseconds since `systick_start`; wraps at 2^32, which the engine handles. */
uint32_t cellmqtt_baremetal_millis(void);

/* `cellmqtt_callbacks_t.tick_ms` implementation (ignores `user`). */
uint32_t cellmqtt_baremetal_tick_ms(void *user);

/* Hands bytes received by the module UART to the engine. Call from the UART RX interrupt
 * (or the SDK's RX callback, which runs in it), with one byte or a drained FIFO/DMA chunk.
 * Takes PRIMASK for the copy only; runs no callback. The interrupt that follows wakes
 * `cellmqtt_baremetal_idle`. Returns `CELLMQTT_STATUS_RX_OVERFLOW` when the RX ring was full
 * (the engine counts and reports the loss): size `rx_buf` for the longest gap between polls. */
cellmqtt_status_t cellmqtt_baremetal_uart_rx_isr(cellmqtt_t *h, const uint8_t *data, size_t len);

/* Superloop step: `cellmqtt_poll` if RX bytes are waiting or a deadline has passed. Returns
 * true when it polled. Application context only (never from an interrupt). */
bool cellmqtt_baremetal_service(cellmqtt_t *h);

/* Sleeps with WFI until the next interrupt (SysTick at the latest), unless the engine is due
 * now; returns true when it slept. Interrupts are masked between the check and WFI, so an RX
 * interrupt that fires in between is not lost: it stays pending and WFI returns at once. */
bool cellmqtt_baremetal_idle(cellmqtt_t *h);

/* The critical section the library calls around its RX-ring update (stable C ABI, declared
 * here because the library's header leaves port hooks out). Saves PRIMASK, masks interrupts,
 * returns the saved value; exit restores it, so nesting and calls from interrupts are safe. */
uint32_t cellmqtt_port_critical_enter(void);
void cellmqtt_port_critical_exit(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_BAREMETAL_H */
