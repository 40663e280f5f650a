/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt bare-metal port for Cortex-M; see cellmqtt_baremetal.h. Only architectural
 * registers (SysTick, PRIMASK) are touched, so it builds unchanged for ARMv6-M, ARMv7-M and
 * ARMv7E-M. */
#include "cellmqtt_baremetal.h"

#if !defined(__arm__) || !defined(__thumb__)
#error "cellmqtt_baremetal.c is Cortex-M code; other cores need their own critical section and sleep"
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE_CORE (1u << 2)

/* Written only by the SysTick interrupt; a 32-bit aligned load is atomic on every Cortex-M, so
 * readers need no lock. */
static volatile uint32_t millis;

void cellmqtt_baremetal_systick_start(uint32_t core_clock_hz) {
    SYST_CSR = 0;
    SYST_RVR = core_clock_hz / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE_CORE;
}

void cellmqtt_baremetal_systick_isr(void) {
    millis = millis + 1u;
}

uint32_t cellmqtt_baremetal_millis(void) {
    return millis;
}

uint32_t cellmqtt_baremetal_tick_ms(void *user) {
    (void)user;
    return millis;
}

static inline uint32_t interrupts_save_and_mask(void) {
    uint32_t primask;
    __asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
    return primask;
}

static inline void interrupts_restore(uint32_t primask) {
    __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/* PRIMASK rather than BASEPRI: ARMv6-M has no BASEPRI, and the section is a bounded copy into
 * the RX ring, short enough to hold off every interrupt. */
uint32_t cellmqtt_port_critical_enter(void) {
    return interrupts_save_and_mask();
}

void cellmqtt_port_critical_exit(uint32_t state) {
    interrupts_restore(state);
}

cellmqtt_status_t cellmqtt_baremetal_uart_rx_isr(cellmqtt_t *h, const uint8_t *data, size_t len) {
    return cellmqtt_feed(h, data, len);
}

bool cellmqtt_baremetal_service(cellmqtt_t *h) {
    if (cellmqtt_poll_delay_ms(h) != 0) {
        return false;
    }
    (void)cellmqtt_poll(h);
    return true;
}

bool cellmqtt_baremetal_idle(cellmqtt_t *h) {
    /* WFI wakes on a pending interrupt even while PRIMASK masks it; the handler then runs as
     * soon as PRIMASK is restored. So checking with interrupts masked cannot miss a wake-up. */
    uint32_t primask = interrupts_save_and_mask();
    bool sleep = cellmqtt_poll_delay_ms(h) != 0;
    if (sleep) {
        __asm__ volatile("dsb\n\twfi" ::: "memory");
    }
    interrupts_restore(primask);
    return sleep;
}
