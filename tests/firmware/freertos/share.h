/* Checks of the FreeRTOS port's module-sharing calls, run by the application task before the
 * scenario (tests/firmware/common/scenario.h): wait until online, the module's identity, a
 * queued AT command with its answer, signal on demand, a publish confirmed through
 * publish_wait, queue_room/queued. They use only the port's thread-safe calls and blocking
 * helpers, as an application task would. */
#ifndef SHARE_H
#define SHARE_H

#include "cellmqtt_freertos.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Runs the checks on `port` (its session started) and reports them as lines through
 * `write_line`; `up_topic` is where the test publish goes. False after an "@fail" line. */
bool share_run(cellmqtt_freertos_t *port, const char *up_topic,
               void (*write_line)(const char *line));

/* From the application's callbacks (cellmqtt task). share_on_event returns true for an event
 * that belongs to the checks, which the scenario must not see (it fails on a PUBLISHED id it
 * did not queue). */
bool share_on_event(const cellmqtt_event_t *ev);
void share_on_at_line(uint16_t id, const uint8_t *line, size_t len);

#endif /* SHARE_H */
