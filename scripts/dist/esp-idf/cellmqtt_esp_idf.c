/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* The critical section the prebuilt library calls around its RX-ring update (cellmqtt_feed may
 * run in a UART interrupt): ESP-IDF's spinlock-based critical section, which nests and is valid
 * in tasks and interrupts alike (the _SAFE forms pick the ISR variant by context). The state
 * word is not needed: the spinlock keeps its own nesting count.
 * Written to ESP-IDF 5's FreeRTOS port; not compiled in this repository's CI (no ESP-IDF). */
#include <stdint.h>

#include "freertos/FreeRTOS.h"

static portMUX_TYPE cellmqtt_lock = portMUX_INITIALIZER_UNLOCKED;

uint32_t cellmqtt_port_critical_enter(void) {
    portENTER_CRITICAL_SAFE(&cellmqtt_lock);
    return 0;
}

void cellmqtt_port_critical_exit(uint32_t state) {
    (void)state;
    portEXIT_CRITICAL_SAFE(&cellmqtt_lock);
}
