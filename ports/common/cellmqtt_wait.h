/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* What the RTOS ports (ports/freertos, ports/zephyr) share for their blocking calls
 * (`*_wait_online`, `*_publish_wait`, `*_at_command_wait`): the record of one blocked task,
 * and how the engine's events and answer lines settle it. No kernel call here: each port keeps
 * a record beside its own semaphore, claims, settles and reads it with its API lock held, and
 * wakes the task itself when `cellmqtt_wait_on_event` says the wait is over. Included by the
 * ports' sources (and the FreeRTOS header, whose port struct holds the records) by a path
 * relative to them, so an application needs no include directory for it. */
#ifndef CELLMQTT_WAIT_H
#define CELLMQTT_WAIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cellmqtt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a record waits for (`CELLMQTT_WAIT_FREE`: the record is unused). */
enum { CELLMQTT_WAIT_FREE = 0, CELLMQTT_WAIT_ONLINE, CELLMQTT_WAIT_PUBLISH, CELLMQTT_WAIT_AT };

/* One blocked task's wait; every field belongs to the port. */
typedef struct cellmqtt_wait_t {
    uint8_t kind;
    bool done;
    uint16_t id; /* the publish's or the command's id */
    cellmqtt_status_t status;
    uint32_t code;
    char *answer; /* at_command_wait: the caller's buffer */
    size_t answer_cap;
    size_t answer_len;
    uint16_t lines;
    bool truncated;
} cellmqtt_wait_t;

/* What a finished wait found, copied out of its record before the record is freed. */
typedef struct cellmqtt_wait_result_t {
    cellmqtt_status_t status;
    uint32_t code;
    size_t answer_len;
    uint16_t lines;
    bool truncated;
} cellmqtt_wait_result_t;

/* Takes a free record for a wait of `kind`. */
static inline void cellmqtt_wait_claim(cellmqtt_wait_t *w, uint8_t kind) {
    *w = (cellmqtt_wait_t){.kind = kind, .status = CELLMQTT_STATUS_OK};
}

/* Whether `wait_online` is decided without waiting, given the session's `state` read under
 * the API lock: ONLINE (OK), FAILED (GAVE_UP: the ladder ran out and only a start leaves
 * FAILED) or STOPPED (STOPPED: not started, or the stop is done). `*status` then holds the
 * answer. A session that entered FAILED or STOPPED before the call sends no further state
 * event, so a wait for one would last its whole timeout (for ever with portMAX_DELAY). */
static inline bool cellmqtt_wait_online_now(cellmqtt_state_t state, cellmqtt_status_t *status) {
    switch (state) {
    case CELLMQTT_STATE_ONLINE:
        *status = CELLMQTT_STATUS_OK;
        return true;
    case CELLMQTT_STATE_FAILED:
        *status = CELLMQTT_STATUS_GAVE_UP;
        return true;
    case CELLMQTT_STATE_STOPPED:
        *status = CELLMQTT_STATUS_STOPPED;
        return true;
    default:
        return false;
    }
}

/* Settles `w` with `status` and `code`. */
static inline void cellmqtt_wait_settle(cellmqtt_wait_t *w, cellmqtt_status_t status,
                                        uint32_t code) {
    w->done = true;
    w->status = status;
    w->code = code;
}

/* The engine reported `ev`: true when it ends the wait of `w` (settled; the port wakes its
 * task), false when `w` waits on (or is free or already settled). */
static inline bool cellmqtt_wait_on_event(cellmqtt_wait_t *w, const cellmqtt_event_t *ev) {
    if (w->kind == CELLMQTT_WAIT_FREE || w->done) {
        return false;
    }
    switch (ev->kind) {
    case CELLMQTT_EVENT_KIND_STATE:
        if (w->kind != CELLMQTT_WAIT_ONLINE) {
            return false;
        }
        if (ev->state == CELLMQTT_STATE_ONLINE) {
            cellmqtt_wait_settle(w, CELLMQTT_STATUS_OK, 0);
        } else if (ev->state == CELLMQTT_STATE_FAILED) {
            cellmqtt_wait_settle(w, CELLMQTT_STATUS_GAVE_UP, 0);
        } else if (ev->state == CELLMQTT_STATE_STOPPED) {
            cellmqtt_wait_settle(w, CELLMQTT_STATUS_STOPPED, 0);
        }
        return w->done;
    case CELLMQTT_EVENT_KIND_PUBLISHED:
    case CELLMQTT_EVENT_KIND_PUBLISH_FAILED:
        /* Id 0 is the online message, never a caller's publish. */
        if (w->kind != CELLMQTT_WAIT_PUBLISH || w->id != ev->id || ev->id == 0u) {
            return false;
        }
        cellmqtt_wait_settle(
            w, ev->kind == CELLMQTT_EVENT_KIND_PUBLISHED ? CELLMQTT_STATUS_OK : ev->status, 0);
        return true;
    case CELLMQTT_EVENT_KIND_AT_DONE:
        if (w->kind != CELLMQTT_WAIT_AT || w->id != ev->id) {
            return false;
        }
        cellmqtt_wait_settle(w, ev->status, ev->count);
        return true;
    default:
        return false;
    }
}

/* An answer line of the queued command `id`: appended to the answer of the command's wait,
 * '\n' between lines, NUL-terminated, cut to the caller's buffer (`truncated` then set). */
static inline void cellmqtt_wait_on_at_line(cellmqtt_wait_t *w, uint16_t id, const uint8_t *line,
                                            size_t len) {
    if (w->kind != CELLMQTT_WAIT_AT || w->done || w->id != id) {
        return;
    }
    w->lines++;
    if (w->answer_cap == 0u) {
        w->truncated = true;
        return;
    }
    /* One byte always stays for the NUL. */
    size_t sep = w->lines > 1u ? 1u : 0u;
    size_t room = w->answer_cap - 1u - w->answer_len;
    if (sep + len > room) {
        w->truncated = true;
    }
    if (sep <= room) {
        if (sep != 0u) {
            w->answer[w->answer_len++] = '\n';
            room--;
        }
        size_t n = len < room ? len : room;
        memcpy(w->answer + w->answer_len, line, n);
        w->answer_len += n;
    }
    w->answer[w->answer_len] = '\0';
}

/* What `w` found (read before the record is freed). */
static inline cellmqtt_wait_result_t cellmqtt_wait_result(const cellmqtt_wait_t *w) {
    return (cellmqtt_wait_result_t){
        .status = w->status,
        .code = w->code,
        .answer_len = w->answer_len,
        .lines = w->lines,
        .truncated = w->truncated,
    };
}

/* Frees `w` (the port also takes back a wake-up that raced with a timeout). */
static inline void cellmqtt_wait_free(cellmqtt_wait_t *w) {
    w->kind = CELLMQTT_WAIT_FREE;
    w->answer = NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_WAIT_H */
