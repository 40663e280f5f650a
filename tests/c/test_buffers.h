/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Shared by the C tests (host and firmware): a configuration's four buffers from four arrays.
 * The examples spell the eight assignments out, as an application does. */
#ifndef CELLMQTT_TEST_BUFFERS_H
#define CELLMQTT_TEST_BUFFERS_H

#include "cellmqtt.h"

/* Points the buffers of the cellmqtt_config_t `cfg` at the arrays `rx`, `line`, `queue` and
 * `sub`, each with its whole size. */
#define TEST_CONFIG_BUFFERS(cfg, rx, line, queue, sub) \
    do {                                               \
        (cfg).rx_buf = (rx);                           \
        (cfg).rx_buf_len = sizeof(rx);                 \
        (cfg).line_buf = (line);                       \
        (cfg).line_buf_len = sizeof(line);             \
        (cfg).queue_buf = (queue);                     \
        (cfg).queue_buf_len = sizeof(queue);           \
        (cfg).sub_buf = (sub);                         \
        (cfg).sub_buf_len = sizeof(sub);               \
    } while (0)

#endif
