/* QEMU mps2-an385 board support for the firmware tests: CMSDK APB UARTs, the NVIC, and
 * ARM semihosting (test log and exit code). Register layouts from the CMSDK TRM (DDI0479) and
 * QEMU's hw/arm/mps2.c (UARTn RX IRQ = 0, 2, 4, 18, 20; TX IRQ = RX + 1; SYSCLK 25 MHz). */
#ifndef MPS2_H
#define MPS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "semihost.h"

/* The board is chosen at build time: default mps2-an385 (Cortex-M3); FW_BOARD_AN505 selects
 * mps2-an505 (Cortex-M33, QEMU 7.2 hw/arm/mps2-tz.c), which has the same CMSDK UARTs elsewhere. */
#if defined(FW_BOARD_AN505)
/* mps2-tz.c SYSCLK_FRQ, which also clocks the IoT Kit's CPU (and so SysTick). */
#define MPS2_SYSCLK_HZ 20000000u
#else
#define MPS2_SYSCLK_HZ 25000000u
#endif

typedef struct {
    volatile uint32_t data;      /* RX on read, TX on write */
    volatile uint32_t state;     /* bit0 TX full, bit1 RX full, bits 2/3 overrun (W1C) */
    volatile uint32_t ctrl;      /* bit0 TX en, bit1 RX en, bit2 TX int en, bit3 RX int en */
    volatile uint32_t intstatus; /* reads pending interrupts; write 1 to clear */
    volatile uint32_t bauddiv;   /* >= 16 */
} cmsdk_uart_t;

#if defined(FW_BOARD_AN505)
/* The UARTs sit at 0x40200000 + n * 0x1000 behind a TrustZone peripheral protection controller
 * that resets to secure-only, and the firmware runs secure without configuring TrustZone: so
 * it uses the secure alias (address bit 28 set: the IDAU marks odd 256 MiB regions secure).
 * The board's interrupts enter the NVIC after the IoT Kit's own 32: UARTn RX = 32 + 2n,
 * TX = RX + 1. */
#define MPS2_UART0 ((cmsdk_uart_t *)0x50200000u)
#define MPS2_UART1 ((cmsdk_uart_t *)0x50201000u)
#define MPS2_UART0_RX_IRQN 32
#define MPS2_UART1_RX_IRQN 34
/* External interrupts the vector table covers (the board has more; none of them is enabled). */
#define BOARD_NUM_IRQ 48
#else
#define MPS2_UART0 ((cmsdk_uart_t *)0x40004000u)
#define MPS2_UART1 ((cmsdk_uart_t *)0x40005000u)
#define MPS2_UART0_RX_IRQN 0
#define MPS2_UART1_RX_IRQN 2
#define BOARD_NUM_IRQ 32
#endif

/* The interrupt handlers startup.c puts in the vector table: X(name, IRQ number). */
#define BOARD_IRQ_HANDLERS(X) \
    X(UART0RX_IRQHandler, MPS2_UART0_RX_IRQN) \
    X(UART0TX_IRQHandler, MPS2_UART0_RX_IRQN + 1) \
    X(UART1RX_IRQHandler, MPS2_UART1_RX_IRQN) \
    X(UART1TX_IRQHandler, MPS2_UART1_RX_IRQN + 1)

#define CMSDK_UART_STATE_TXFULL (1u << 0)
#define CMSDK_UART_STATE_RXFULL (1u << 1)
#define CMSDK_UART_CTRL_TXEN (1u << 0)
#define CMSDK_UART_CTRL_RXEN (1u << 1)
#define CMSDK_UART_CTRL_RXINTEN (1u << 3)
#define CMSDK_UART_INT_RX (1u << 1)

/* Enables TX (and RX with its interrupt when `rx_irq`) at `baud`. QEMU ignores the rate but
 * refuses a divider below 16. */
static inline void cmsdk_uart_init(cmsdk_uart_t *u, uint32_t baud, int rx_irq) {
    u->bauddiv = MPS2_SYSCLK_HZ / baud;
    u->ctrl = CMSDK_UART_CTRL_TXEN |
              (rx_irq ? (CMSDK_UART_CTRL_RXEN | CMSDK_UART_CTRL_RXINTEN) : 0u);
}

/* Writes while the one-byte TX holding register has room; returns bytes taken (maybe 0). */
static inline size_t cmsdk_uart_try_write(cmsdk_uart_t *u, const uint8_t *data, size_t len) {
    size_t n = 0;
    while (n < len && !(u->state & CMSDK_UART_STATE_TXFULL)) {
        u->data = data[n++];
    }
    return n;
}

/* Drains the RX holding register into `buf`. The RX interrupt bit is cleared *before* the
 * data is read: a byte arriving in between re-raises it, so none is left behind unsignalled. */
static inline size_t cmsdk_uart_rx_irq_drain(cmsdk_uart_t *u, uint8_t *buf, size_t cap) {
    size_t n = 0;
    u->intstatus = CMSDK_UART_INT_RX;
    while (n < cap && (u->state & CMSDK_UART_STATE_RXFULL)) {
        buf[n++] = (uint8_t)u->data;
    }
    return n;
}

/* NVIC (architectural addresses, the same on every Cortex-M). */
#define NVIC_ISER ((volatile uint32_t *)0xE000E100u)
#define NVIC_IPR_BYTES ((volatile uint8_t *)0xE000E400u)

static inline void nvic_enable(int irqn, uint8_t priority) {
    NVIC_IPR_BYTES[irqn] = priority;
    NVIC_ISER[(unsigned)irqn / 32u] = 1u << ((unsigned)irqn % 32u);
}

#endif /* MPS2_H */
