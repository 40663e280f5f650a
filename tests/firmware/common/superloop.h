/* The board-independent half of the bare-metal test firmware (tests/firmware/baremetal for
 * MPS2 AN385/AN505, tests/firmware/microbit for the nRF51): one handle in the superloop of
 * ports/baremetal, running the end-to-end scenario (scenario.h). A board supplies only what
 * differs: how bytes reach its UART, how the RESET line leaves the chip, when its RX
 * interrupt may start, and extra figures for the @pass line. */
#ifndef SUPERLOOP_H
#define SUPERLOOP_H

#include "cellmqtt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* The scenario's name: its topics are fw/<name>/... */
    const char *name;
    cellmqtt_uart_write_fn uart_write;
    /* Carries a pin change out of the chip (to the emulator) before the scenario sees it. */
    void (*pin_out)(cellmqtt_pin_t pin, bool active);
    /* Enables the module UART's RX interrupt: called once the handle exists, since bytes fed
     * before init would be refused (and the module's RDY lost). */
    void (*enable_rx)(void);
    /* Extra "key=value" figures for the @pass line, after the common ones (may be 0). */
    size_t extra_count;
    const char *const *extra_keys; /* each with its leading space: " handle=" */
    const uint32_t *extra_values;
} superloop_board_t;

/* Reads the broker port from the semihosting command line, initialises `modem` with the
 * scenario's configuration and runs the superloop until the scenario ends; returns the
 * firmware's exit code (0 when the scenario passed). */
int superloop_run(cellmqtt_t *modem, const superloop_board_t *board);

#endif /* SUPERLOOP_H */
