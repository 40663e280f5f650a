/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: sharing the module with the session (--at, --info): queued AT commands with
 * their answer lines, the module's identity, the lines the engine passes on as URCs, and the
 * network time. Each becomes a JSON event. */
#include "share.h"

#include "json.h"

/* An --at command waits this long for its final result (the manuals' slowest: AT+COPS=?). */
#define AT_TIMEOUT_MS 180000u

static struct {
    size_t next;          /* the next --at to queue */
    size_t done, failed;  /* finished, and of those not answered OK */
    uint16_t ids[CLI_MAX_AT];
    bool info_printed;
} at_run;

static const char *command_of(const cli_opts_t *o, uint16_t id) {
    for (size_t i = 0; i < at_run.next; i++) {
        if (at_run.ids[i] == id) return o->at_cmds[i];
    }
    return NULL;
}

void share_queue(cellmqtt_t *h, const cli_opts_t *o, uint32_t t_ms) {
    while (at_run.next < o->n_at) {
        const char *cmd = o->at_cmds[at_run.next];
        uint16_t id = 0;
        cellmqtt_status_t st = cellmqtt_at_command(h, cmd, AT_TIMEOUT_MS, &id);
        if (st == CELLMQTT_STATUS_QUEUE_FULL) return; /* the engine holds two: wait */
        if (st != CELLMQTT_STATUS_OK) {
            /* Refused (it would break the session) or malformed: an at_done of its own. */
            json_begin("at_done", t_ms);
            json_str("command", cmd);
            json_str("status", cellmqtt_status_str(st));
            json_end();
            at_run.done++;
            at_run.failed++;
        }
        at_run.ids[at_run.next++] = id;
    }
}

void share_at_line(const cli_opts_t *o, uint32_t t_ms, uint16_t id, const uint8_t *line,
                   size_t len) {
    const char *cmd = command_of(o, id);
    json_begin("at_line", t_ms);
    json_uint("id", id);
    if (cmd) json_str("command", cmd);
    json_bytes("line", line, len);
    json_end();
}

void share_urc(uint32_t t_ms, const uint8_t *line, size_t len) {
    json_begin("urc", t_ms);
    json_bytes("line", line, len);
    json_end();
}

bool share_event(const cli_opts_t *o, uint32_t t_ms, const cellmqtt_event_t *ev) {
    if (ev->kind == CELLMQTT_EVENT_KIND_AT_DONE) {
        const char *cmd = command_of(o, ev->id);
        json_begin("at_done", t_ms);
        json_uint("id", ev->id);
        if (cmd) json_str("command", cmd);
        json_str("status", cellmqtt_status_str(ev->status));
        if (ev->status == CELLMQTT_STATUS_MODULE_ERROR) json_uint("code", ev->count);
        json_end();
        if (cmd) {
            at_run.done++;
            if (ev->status != CELLMQTT_STATUS_OK) at_run.failed++;
        }
        return true;
    }
    if (ev->kind == CELLMQTT_EVENT_KIND_TIME) {
        json_begin("time", t_ms);
        json_uint("utc_s_since_2000", ev->count);
        json_int("zone_quarter_hours", (int16_t)ev->id);
        json_end();
        return true;
    }
    return false;
}

void share_info(cellmqtt_t *h, uint32_t t_ms) {
    cellmqtt_module_info_t info;
    if (cellmqtt_module_info(h, &info) != CELLMQTT_STATUS_OK) return;
    json_begin("info", t_ms);
    json_str("imei", info.imei);
    json_str("iccid", info.iccid);
    json_str("imsi", info.imsi);
    json_str("revision", info.revision);
    json_end();
    at_run.info_printed = true;
}

bool share_settled(const cli_opts_t *o) {
    return at_run.done == o->n_at && (!o->info || at_run.info_printed);
}

size_t share_failures(void) {
    return at_run.failed;
}
