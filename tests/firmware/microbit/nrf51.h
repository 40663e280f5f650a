// SPDX-License-Identifier: MIT OR Apache-2.0
/* QEMU microbit (nRF51822, Cortex-M0) board support for the firmware tests: the one UART, TIMER0
 * as the millisecond tick, the NVIC. Register layouts from the nRF51 Series Reference Manual and
 * QEMU 7.2's models (hw/char/nrf51_uart.c, hw/timer/nrf51_timer.c, hw/arm/nrf51_soc.c: a
 * peripheral's IRQ is bits 12..16 of its base address; HCLK 16 MHz).
 *
 * Time comes from TIMER0, not SysTick: QEMU's Cortex-M0 model offers a SysTick, but the
 * nRF51822 has none (the SoC model says so), so firmware that relies on it would not run on
 * the chip. ARMv6-M also has no byte access to the NVIC priority registers: words only. */
#ifndef NRF51_H
#define NRF51_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semihost.h"

#define NRF51_REG(base, off) (*(volatile uint32_t *)((base) + (off)))

/* ---- UART0 (0x40002000, IRQ 2) ---- */
#define NRF51_UART0_BASE 0x40002000u
#define NRF51_UART0_IRQN 2
#define UART_STARTRX NRF51_REG(NRF51_UART0_BASE, 0x000)
#define UART_STARTTX NRF51_REG(NRF51_UART0_BASE, 0x008)
#define UART_EVENTS_RXDRDY NRF51_REG(NRF51_UART0_BASE, 0x108)
#define UART_EVENTS_TXDRDY NRF51_REG(NRF51_UART0_BASE, 0x11C)
#define UART_INTENSET NRF51_REG(NRF51_UART0_BASE, 0x304)
#define UART_ENABLE NRF51_REG(NRF51_UART0_BASE, 0x500)
#define UART_PSELTXD NRF51_REG(NRF51_UART0_BASE, 0x50C)
#define UART_PSELRXD NRF51_REG(NRF51_UART0_BASE, 0x514)
#define UART_RXD NRF51_REG(NRF51_UART0_BASE, 0x518)
#define UART_TXD NRF51_REG(NRF51_UART0_BASE, 0x51C)
#define UART_BAUDRATE NRF51_REG(NRF51_UART0_BASE, 0x524)
#define UART_INTEN_RXDRDY (1u << 2)
#define UART_ENABLE_ON 4u
#define UART_BAUDRATE_115200 0x01D7E000u

/* ---- TIMER0 (0x40008000, IRQ 8), 16 MHz >> PRESCALER ---- */
#define NRF51_TIMER0_BASE 0x40008000u
#define NRF51_TIMER0_IRQN 8
#define TIMER_START NRF51_REG(NRF51_TIMER0_BASE, 0x000)
#define TIMER_CLEAR NRF51_REG(NRF51_TIMER0_BASE, 0x00C)
#define TIMER_EVENTS_COMPARE0 NRF51_REG(NRF51_TIMER0_BASE, 0x140)
#define TIMER_SHORTS NRF51_REG(NRF51_TIMER0_BASE, 0x200)
#define TIMER_INTENSET NRF51_REG(NRF51_TIMER0_BASE, 0x304)
#define TIMER_MODE NRF51_REG(NRF51_TIMER0_BASE, 0x504)
#define TIMER_BITMODE NRF51_REG(NRF51_TIMER0_BASE, 0x508)
#define TIMER_PRESCALER NRF51_REG(NRF51_TIMER0_BASE, 0x510)
#define TIMER_CC0 NRF51_REG(NRF51_TIMER0_BASE, 0x540)
#define TIMER_SHORTS_COMPARE0_CLEAR (1u << 0)
#define TIMER_INTEN_COMPARE0 (1u << 16)

/* ---- NVIC (architectural; ARMv6-M: word access to the priority registers) ---- */
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_IPR ((volatile uint32_t *)0xE000E400u)

static inline void nvic_enable(int irqn, uint8_t priority) {
    unsigned shift = 8u * ((unsigned)irqn % 4u);
    volatile uint32_t *ipr = &NVIC_IPR[(unsigned)irqn / 4u];
    *ipr = (*ipr & ~(0xFFu << shift)) | ((uint32_t)priority << shift);
    NVIC_ISER0 = 1u << (unsigned)irqn;
}

/* The vector table startup.c builds (32 external interrupts on the nRF51). */
#define BOARD_NUM_IRQ 32
#define BOARD_IRQ_HANDLERS(X) \
    X(UART0_IRQHandler, NRF51_UART0_IRQN) \
    X(TIMER0_IRQHandler, NRF51_TIMER0_IRQN)

#endif /* NRF51_H */
