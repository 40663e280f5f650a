// SPDX-License-Identifier: MIT OR Apache-2.0
/* The 2 KiB-RAM configuration: the engine's handle and its four buffers in at most 2048 bytes,
 * for the smallest MCUs a product might use (the micro:bit's nRF51822 has 16 KiB in all).
 * tests/firmware/microbit runs the whole scenario in it (make fw-m0-test); the same numbers
 * are what a product copies. This header is force-included (-include) into every file of
 * that firmware, so the scenario's buffers (SCENARIO_*_BUF) take these sizes.
 *
 * How the 1 KiB beside the handle is shared, and why:
 *   rx    192  the ring the UART interrupt fills between polls; the superloop polls as soon
 *              as bytes wait, so it holds a burst, not a message (the scenario checks that
 *              nothing overflowed)
 *   line  672  the longest line, and an incoming message's topic + payload together: what is
 *              left is spent here, so the largest message is as large as it can be
 *   queue 128  publishes waiting for the module: a record is 10 bytes + topic + payload, so
 *              the scenario's window of 4 ("fw/m0/up", "seq=NN") needs 96
 *   sub    32  one subscription: 6 bytes + the filter ("fw/m0/down", 10)
 *
 * The largest message received: the tokenizer keeps a `+MSUB` message when its topic and
 * payload together fit the line buffer (src/dialect/tokenizer.rs, `push` and
 * `begin_payload`), so on "fw/m0/down" that is 672 - 10 = 662 payload bytes. One byte more is
 * not kept: the engine skips its payload and reports a `LOSS` event of kind
 * `MESSAGE_TOO_LARGE` (and counts it in stats.messages_too_large); the next message is
 * received normally. The scenario sends both, in that order (run_scenario.py --down-size). */
#ifndef RAM2K_H
#define RAM2K_H

#include "cellmqtt.h"

#define RAM2K_RX_BUF 192
#define RAM2K_LINE_BUF 672
#define RAM2K_QUEUE_BUF 128
#define RAM2K_SUB_BUF 32

/* The scenario's name in this configuration, and its down topic's length (checked below). */
#define RAM2K_NAME "m0"
#define RAM2K_DOWN_TOPIC "fw/" RAM2K_NAME "/down"
#define RAM2K_DOWN_TOPIC_LEN 10
/* The largest payload received on the down topic (see above). */
#define RAM2K_LARGEST_MESSAGE (RAM2K_LINE_BUF - RAM2K_DOWN_TOPIC_LEN)

_Static_assert(sizeof(cellmqtt_t) + RAM2K_RX_BUF + RAM2K_LINE_BUF + RAM2K_QUEUE_BUF +
                       RAM2K_SUB_BUF <= 2048,
               "the 2 KiB-RAM configuration: handle + rx + line + queue + sub buffers <= 2048 B");
_Static_assert(RAM2K_RX_BUF >= CELLMQTT_RX_BUF_MIN && RAM2K_LINE_BUF >= CELLMQTT_LINE_BUF_MIN &&
                       RAM2K_QUEUE_BUF >= CELLMQTT_QUEUE_BUF_MIN &&
                       RAM2K_SUB_BUF >= CELLMQTT_SUB_BUF_MIN,
               "every buffer at least the engine's minimum");
_Static_assert(sizeof RAM2K_DOWN_TOPIC - 1 == RAM2K_DOWN_TOPIC_LEN, "RAM2K_DOWN_TOPIC_LEN");

/* What the scenario (tests/firmware/common/scenario.c) takes from here. */
#define SCENARIO_RX_BUF RAM2K_RX_BUF
#define SCENARIO_LINE_BUF RAM2K_LINE_BUF
#define SCENARIO_QUEUE_BUF RAM2K_QUEUE_BUF
#define SCENARIO_SUB_BUF RAM2K_SUB_BUF
#define SCENARIO_BIG_MESSAGE RAM2K_LARGEST_MESSAGE

#endif /* RAM2K_H */
