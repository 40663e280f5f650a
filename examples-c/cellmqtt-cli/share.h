/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: --at commands, --info, URCs and the network time as JSON events. */
#ifndef CLI_SHARE_H
#define CLI_SHARE_H

#include "cli.h"

/* Queues the --at commands that fit the engine's queue now (call it every loop turn). */
void share_queue(cellmqtt_t *h, const cli_opts_t *o, uint32_t t_ms);
/* The on_at_line and on_urc callbacks' events. */
void share_at_line(const cli_opts_t *o, uint32_t t_ms, uint16_t id, const uint8_t *line,
                   size_t len);
void share_urc(uint32_t t_ms, const uint8_t *line, size_t len);
/* AT_DONE and TIME events; false for any other kind. */
bool share_event(const cli_opts_t *o, uint32_t t_ms, const cellmqtt_event_t *ev);
/* Prints the module's identity (--info, once online). */
void share_info(cellmqtt_t *h, uint32_t t_ms);
/* Every --at finished and --info printed. */
bool share_settled(const cli_opts_t *o);
/* --at commands not answered OK. */
size_t share_failures(void);

#endif
