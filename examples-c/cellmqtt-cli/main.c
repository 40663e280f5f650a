/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: the mosquitto_pub/mosquitto_sub of Cat.1 modules (Luat, Quectel, SIMCom), on
 * the POSIX port.
 *
 * RX runs in poll-loop mode (cellmqtt_posix_wait reads and feeds in this thread): the link is
 * read only after cellmqtt_poll emptied the RX ring, so even an unpaced TCP link to the
 * emulator can never overflow it. Everything else is one thread too. */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif
#include "cellmqtt_posix.h"
#include "cli.h"
#include "json.h"
#include "share.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Buffers the engine borrows for its life. The line buffer takes a 256-byte topic plus the
 * 4100-byte payload the EC618 manual allows; the queue holds hundreds of small messages. */
static uint8_t rx_buf[4096], line_buf[4400], queue_buf[16384], sub_buf[2048];
static cellmqtt_t handle;
static cellmqtt_posix_t port;
static cli_opts_t opts;

/* Which --pub and which sequence number a message id stands for (ids are 16-bit). */
typedef struct {
    uint32_t seq;
    uint16_t pub;
    bool used;
} pending_t;
static pending_t pending[65536];

static struct {
    uint32_t t0;
    uint64_t planned;   /* publishes asked for: --count x (--pub + --pub-file) */
    uint64_t next;      /* index of the next publish to hand to the engine */
    uint64_t confirmed, failed;
    uint64_t queue_full_waits;
    bool queue_full;    /* wait for a publish to settle before trying again */
    bool online_once;   /* publishing starts at the first `online` */
    uint32_t next_pub_at;
    uint64_t received;
    bool gave_up, sub_failed;
    uint32_t gpio_failures;
} run;

static volatile sig_atomic_t interrupted; /* the signal that asked us to stop, or 0 */

static void on_signal(int sig) {
    interrupted = sig;
}

static uint32_t now_ms(void) {
    return cellmqtt_posix_tick_ms(NULL);
}

static uint32_t elapsed(void) {
    return now_ms() - run.t0;
}

/* ms from `now` until `at`, 0 if it passed (wrapping ticks). */
static uint32_t until(uint32_t now, uint32_t at) {
    int32_t d = (int32_t)(at - now);
    return d > 0 ? (uint32_t)d : 0;
}

static void error_event(const char *status, const char *what, const char *detail) {
    json_begin("error", elapsed());
    json_str("status", status);
    json_str("what", what);
    if (detail) json_str("detail", detail);
    json_end();
}

/* ---- publishing ---- */

/* The payload of message `seq` of `p`: {n} replaced by seq. Returns its length, or SIZE_MAX
 * when it would exceed `cap`. */
static size_t expand(const cli_pub_t *p, uint32_t seq, uint8_t *out, size_t cap) {
    if (!p->is_template) {
        if (p->len > cap) return SIZE_MAX;
        memcpy(out, p->payload, p->len);
        return p->len;
    }
    char num[16];
    size_t num_len = (size_t)snprintf(num, sizeof num, "%u", (unsigned)seq);
    size_t n = 0;
    for (size_t i = 0; i < p->len;) {
        if (i + 3 <= p->len && memcmp(p->payload + i, "{n}", 3) == 0) {
            if (n + num_len > cap) return SIZE_MAX;
            memcpy(out + n, num, num_len);
            n += num_len;
            i += 3;
        } else {
            if (n + 1 > cap) return SIZE_MAX;
            out[n++] = p->payload[i++];
        }
    }
    return n;
}

static void publish_event(const char *event, uint16_t id, const cli_pub_t *p, uint32_t seq) {
    json_begin(event, elapsed());
    json_uint("id", id);
    json_str("topic", p->topic);
    json_uint("qos", p->qos);
    json_uint("seq", seq);
}

/* Hands every publish that is due to the engine. A full queue is not an error: the publish
 * is tried again once an earlier one settled (never dropped). */
static void publish_due(uint32_t now) {
    static uint8_t payload[4100 + 1];
    while (run.online_once && run.next < run.planned && !run.queue_full) {
        if (opts.interval_ms && until(now, run.next_pub_at) > 0) return;
        uint16_t which = (uint16_t)(run.next % opts.n_pubs);
        uint32_t seq = (uint32_t)(run.next / opts.n_pubs);
        const cli_pub_t *p = &opts.pubs[which];
        size_t len = expand(p, seq, payload, sizeof payload - 1);
        if (len != SIZE_MAX && cellmqtt_queue_room(&handle) < strlen(p->topic) + len &&
            cellmqtt_queued(&handle) > 0) {
            /* No room now: wait for a publish to settle (an empty queue that still has no
             * room means the message can never fit; cellmqtt_publish reports that). */
            run.queue_full = true;
            run.queue_full_waits++;
            return;
        }
        uint16_t id = 0;
        cellmqtt_status_t st = len == SIZE_MAX
                                   ? CELLMQTT_STATUS_PAYLOAD_TOO_LONG
                                   : cellmqtt_publish(&handle, p->topic, payload, len, p->qos,
                                                      p->retain, &id);
        if (st == CELLMQTT_STATUS_QUEUE_FULL && cellmqtt_queued(&handle) > 0) { /* as above */
            run.queue_full = true;
            run.queue_full_waits++;
            return;
        }
        if (st == CELLMQTT_STATUS_OK) {
            pending[id] = (pending_t){seq, which, true};
        } else {
            /* Refused at once (no id): reported like one that failed later. */
            publish_event("publish_failed", 0, p, seq);
            json_str("status", cellmqtt_status_str(st));
            json_end();
            run.failed++;
        }
        run.next++;
        if (opts.interval_ms) run.next_pub_at = now + opts.interval_ms;
        if (port.trace_file) {
            /* --interval-ms paces the hand-off; the module may take a publish late when it is
             * busy, so the trace says when each was handed, on the clock of the events. */
            char note[48];
            snprintf(note, sizeof note, "publish %lu handed at %lu ms", (unsigned long)run.next,
                     (unsigned long)(now - run.t0));
            cellmqtt_posix_trace_comment(&port, note);
        }
    }
}

/* ---- engine callbacks ---- */

static void publish_settled(const cellmqtt_event_t *ev, bool ok) {
    run.queue_full = false;
    pending_t *pd = &pending[ev->id];
    if (!pd->used) {
        /* id 0: the --online-payload message, which has no queue id. */
        json_begin(ok ? "published" : "publish_failed", elapsed());
        json_uint("id", ev->id);
        if (opts.will_topic) json_str("topic", opts.will_topic);
        json_str("what", "online_payload");
    } else {
        publish_event(ok ? "published" : "publish_failed", ev->id, &opts.pubs[pd->pub], pd->seq);
        pd->used = false;
        if (ok) run.confirmed++;
        else run.failed++;
    }
    if (!ok) json_str("status", cellmqtt_status_str(ev->status));
    json_end();
}

/* The last --sub with request `id`: a filter given twice is one request (the engine takes the
 * first, not sent yet, over and returns its id again) at the latest QoS. */
static cli_sub_t *sub_by_id(uint16_t id) {
    for (size_t i = opts.n_subs; i > 0; i--) {
        if (opts.subs[i - 1].id == id) return &opts.subs[i - 1];
    }
    return NULL;
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    cli_sub_t *sub;
    switch (ev->kind) {
    case CELLMQTT_EVENT_KIND_STATE:
        json_begin("state", elapsed());
        json_str("state", cellmqtt_state_str(ev->state));
        json_end();
        if (ev->state == CELLMQTT_STATE_ONLINE && !run.online_once) {
            run.online_once = true;
            run.next_pub_at = now_ms();
            if (opts.info) share_info(&handle, elapsed());
        }
        if (ev->state == CELLMQTT_STATE_FAILED) run.gave_up = true;
        break;
    case CELLMQTT_EVENT_KIND_PUBLISHED: publish_settled(ev, true); break;
    case CELLMQTT_EVENT_KIND_PUBLISH_FAILED: publish_settled(ev, false); break;
    case CELLMQTT_EVENT_KIND_SUBSCRIBED:
    case CELLMQTT_EVENT_KIND_SUBSCRIBE_FAILED: {
        bool ok = ev->kind == CELLMQTT_EVENT_KIND_SUBSCRIBED;
        sub = sub_by_id(ev->id);
        json_begin(ok ? "subscribed" : "subscribe_failed", elapsed());
        json_uint("id", ev->id);
        if (sub) {
            json_str("topic", sub->filter);
            json_uint("qos", sub->qos);
        }
        if (ok) json_bool("restored", ev->flag);
        else json_str("status", cellmqtt_status_str(ev->status));
        json_end();
        for (size_t i = 0; ok && i < opts.n_subs; i++) {
            if (opts.subs[i].id == ev->id) opts.subs[i].confirmed = true;
        }
        if (!ok) run.sub_failed = true;
        break;
    }
    case CELLMQTT_EVENT_KIND_UNSUBSCRIBED:
        json_begin("unsubscribed", elapsed());
        json_uint("id", ev->id);
        json_str("status", cellmqtt_status_str(ev->status)); /* OK unless unconfirmed */
        json_end();
        break;
    case CELLMQTT_EVENT_KIND_RECOVERY:
        json_begin("recovery", elapsed());
        json_str("step", cellmqtt_recovery_str(ev->recovery));
        json_str("reason", cellmqtt_status_str(ev->status));
        json_uint("failures", ev->count);
        json_end();
        if (ev->recovery == CELLMQTT_RECOVERY_GAVE_UP) run.gave_up = true;
        break;
    case CELLMQTT_EVENT_KIND_LOSS:
        /* Rejected publishes come from this program's own cellmqtt_publish calls: a full queue
         * is waited on and retried (no loss), anything else is reported as publish_failed. */
        if (ev->loss == CELLMQTT_LOSS_PUBLISH_REJECTED) break;
        json_begin("loss", elapsed());
        json_str("kind", cellmqtt_loss_str(ev->loss));
        json_uint("count", ev->count);
        json_end();
        break;
    case CELLMQTT_EVENT_KIND_AT_DONE:
    case CELLMQTT_EVENT_KIND_TIME: share_event(&opts, elapsed(), ev); break;
    case CELLMQTT_EVENT_KIND_SIGNAL:
        json_begin("signal", elapsed());
        json_uint("rssi", ev->count);
        json_uint("ber", ev->id);
        json_end();
        break;
    default:
        json_begin("unknown_event", elapsed());
        json_uint("kind", ev->kind);
        json_end();
        break;
    }
}

static void on_log(void *user, const cellmqtt_log_t *entry) {
    static const char *const kinds[] = {"command_timeout", "command_error", "ack_timeout",
                                        "link_down", "module_rebooted", "broker_failure",
                                        "echo_on", "status_mismatch"};
    (void)user;
    json_begin("log", elapsed());
    if (entry->kind < sizeof kinds / sizeof kinds[0]) json_str("kind", kinds[entry->kind]);
    else json_uint("kind", entry->kind);
    json_str("what", entry->what ? entry->what : "");
    json_uint("code", entry->code);
    /* The failure class (BROKER_REFUSED, BROKER_UNREACHABLE, ...) where the entry has one. */
    if (entry->status != CELLMQTT_STATUS_OK) json_str("status", cellmqtt_status_str(entry->status));
    json_end();
}

static void on_message(void *user, const uint8_t *topic, size_t topic_len, const uint8_t *payload,
                       size_t payload_len) {
    (void)user;
    run.received++;
    json_begin("message", elapsed());
    json_bytes("topic", topic, topic_len);
    json_uint("len", payload_len);
    json_base64("payload_b64", payload, payload_len);
    /* Text payloads also as a string, so scripts need no base64; binary ones only in b64. */
    if (json_is_utf8(payload, payload_len)) json_bytes("payload", payload, payload_len);
    json_end();
}

/* Runs --gpio-cmd as `sh -c CMD sh PIN LEVEL`; its stdout goes to our stderr so the JSON
 * stream stays clean. Returns true when it exited 0. */
static bool run_gpio_cmd(const char *pin, bool active) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return false;
    if (pid == 0) {
        dup2(STDERR_FILENO, STDOUT_FILENO);
        execl("/bin/sh", "sh", "-c", opts.gpio_cmd, "sh", pin, active ? "1" : "0", (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Reads STATUS with --gpio-get: `sh -c CMD sh status`, which prints 1 or 0. */
static int32_t status_hook(cellmqtt_posix_t *p) {
    (void)p;
    if (!opts.gpio_get) return -1;
    fflush(stdout);
    int out[2];
    if (pipe(out) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execl("/bin/sh", "sh", "-c", opts.gpio_get, "sh", "status", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[16] = {0};
    ssize_t n;
    while ((n = read(out[0], buf, sizeof buf - 1)) < 0 && errno == EINTR) {
    }
    close(out[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    int32_t level = -1;
    if (n > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        level = buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
    }
    json_begin("gpio_read", elapsed());
    json_str("pin", "status");
    if (level >= 0) json_uint("level", (uint64_t)level);
    else json_str("level", "unknown");
    json_end();
    return level;
}

static void pin_hook(cellmqtt_posix_t *p, cellmqtt_pin_t pin, bool active) {
    const char *name = cellmqtt_posix_pin_name(pin);
    const char *to = p->control_fd >= 0 ? (opts.gpio_cmd ? "emulator+gpio-cmd" : "emulator")
                                        : (opts.gpio_cmd ? "gpio-cmd" : "none");
    json_begin("gpio", elapsed());
    json_str("pin", name);
    json_uint("level", active ? 1 : 0);
    json_str("to", to);
    json_end();
    if (opts.gpio_cmd && !run_gpio_cmd(name, active)) {
        run.gpio_failures++;
        error_event("GPIO_HOOK_FAILED", "gpio-cmd", name);
    }
}

/* ---- setup ---- */

static cellmqtt_config_t make_config(void) {
    static char default_id[32];
    cellmqtt_config_t c = cellmqtt_config_default();
    c.profile = opts.profile;
    c.options = (opts.clean_session ? CELLMQTT_OPT_CLEAN_SESSION : 0) |
                (opts.ssl ? CELLMQTT_OPT_TLS : 0) | (opts.cache_mode ? CELLMQTT_OPT_CACHE_MODE : 0) |
                (opts.client_id_imei ? CELLMQTT_OPT_CLIENT_ID_IMEI : 0);
    c.pins = opts.pins;
    c.host = opts.host;
    c.port = opts.port;
    c.keepalive_s = opts.keepalive_s;
    if (!opts.client_id) {
        snprintf(default_id, sizeof default_id, "cellmqtt-%ld", (long)getpid());
        opts.client_id = default_id;
    }
    c.client_id = opts.client_id;
    c.username = opts.user;
    c.password = opts.password;
    if (opts.will_topic) {
        c.will_topic = opts.will_topic;
        c.will_payload = (const uint8_t *)opts.will_payload;
        c.will_payload_len = strlen(opts.will_payload);
        c.will_qos = opts.will_qos;
        c.will_retain = opts.will_retain;
    }
    if (opts.online_payload) {
        c.online_payload = (const uint8_t *)opts.online_payload;
        c.online_payload_len = strlen(opts.online_payload);
    }
    c.tls_ca_file = opts.ssl_ca;
    c.tls_sni = opts.ssl_sni;
    c.apn = opts.apn;
    c.tls_seclevel = (int16_t)opts.ssl_seclevel;
    c.rx_buf = rx_buf;
    c.rx_buf_len = sizeof rx_buf;
    c.line_buf = line_buf;
    c.line_buf_len = sizeof line_buf;
    c.queue_buf = queue_buf;
    c.queue_buf_len = sizeof queue_buf;
    c.sub_buf = sub_buf;
    c.sub_buf_len = sizeof sub_buf;
    c.timeouts = opts.timeouts;
    c.ladder = opts.ladder;
    return c;
}

/* An open that failed: a name that did not resolve is reported as such, not as a routing
 * error, since the fix (a typo, DNS) is a different one. */
static int open_failed(const char *status, const char *what, int r) {
    if (r == CELLMQTT_POSIX_ERR_RESOLVE) status = "NAME_NOT_RESOLVED";
    error_event(status, what, cellmqtt_posix_strerror(&port, r));
    return CLI_EXIT_LINK;
}

static int open_link(void) {
    int r = opts.serial ? cellmqtt_posix_open_serial(&port, opts.serial, opts.baud)
                        : cellmqtt_posix_open_tcp(&port, opts.tcp);
    if (r < 0) return open_failed("LINK_FAILED", opts.serial ? opts.serial : opts.tcp, r);
    if (opts.emu_control && (r = cellmqtt_posix_open_control(&port, opts.emu_control)) < 0)
        return open_failed("CONTROL_ERROR", opts.emu_control, r);
    return CLI_EXIT_OK;
}

/* --trace FILE: the replayable trace, with what a bug report needs in its comments. */
static int open_trace(int argc, char **argv) {
    if (!opts.trace) return CLI_EXIT_OK;
    if (strcmp(opts.trace, "-") == 0) {
        port.trace = true; /* the human-readable lines on stderr */
        return CLI_EXIT_OK;
    }
    FILE *f = fopen(opts.trace, "w");
    if (!f) {
        error_event("USAGE", "--trace", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    uint32_t v = cellmqtt_version();
    char info[64];
    snprintf(info, sizeof info, "cellmqtt-cli %u.%u.%u", v >> 16, v >> 8 & 0xff, v & 0xff);
    cellmqtt_posix_trace_open(&port, f, info);
    /* The arguments shell-quoted, so the run can be repeated against cellmqtt-emu --replay. */
    char line[1024];
    size_t n = (size_t)snprintf(line, sizeof line, "argv");
    for (int i = 1; i < argc && n + 8 < sizeof line; i++) {
        const char *a = argv[i];
        bool plain = *a != 0 && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_-./:@%+=,") == strlen(a);
        line[n++] = ' ';
        if (!plain) line[n++] = '\'';
        for (; *a && n + 6 < sizeof line; a++) {
            if (*a == '\'') {
                memcpy(line + n, "'\\''", 4);
                n += 4;
            } else {
                line[n++] = *a;
            }
        }
        if (!plain) line[n++] = '\'';
        line[n] = 0;
    }
    cellmqtt_posix_trace_comment(&port, line);
    return CLI_EXIT_OK;
}

static void start_event(void) {
    uint32_t v = cellmqtt_version();
    char version[24], link[300];
    snprintf(version, sizeof version, "%u.%u.%u", v >> 16, v >> 8 & 0xff, v & 0xff);
    if (opts.serial) snprintf(link, sizeof link, "serial:%s@%u", opts.serial, (unsigned)opts.baud);
    else snprintf(link, sizeof link, "tcp:%s", opts.tcp);
    json_begin("start", elapsed());
    json_str("version", version);
    json_str("link", link);
    json_str("host", opts.host);
    json_uint("port", opts.port);
    json_str("client_id", opts.client_id);
    json_uint("subs", opts.n_subs);
    json_uint("publishes", run.planned);
    json_end();
}

static void stats_event(void) {
    cellmqtt_stats_t s;
    if (cellmqtt_stats(&handle, &s) != CELLMQTT_STATUS_OK) return;
    json_begin("stats", elapsed());
#define F(name) json_uint(#name, s.name)
    F(rx_bytes); F(rx_overflow_bytes); F(lines_too_long); F(lines_unknown); F(tx_bytes);
    F(commands); F(command_errors); F(command_timeouts); F(uart_errors); F(messages_received);
    F(messages_too_large); F(cache_overwritten); F(publishes_queued); F(publishes_done);
    F(publishes_failed); F(publishes_rejected); F(publishes_queue_full); F(publish_retries);
    F(unexpected_acks); F(queue_high_water); F(connects); F(links_lost); F(connect_failures);
    F(reconnects); F(module_reboots); F(soft_resets); F(reset_pulses); F(power_cycles);
    F(events_dropped); F(broker_failures); F(messages_corrupt); F(echo_lines); F(mpub_fallbacks);
#undef F
    /* This program's own counters: times it waited for queue room (never a loss). */
    json_uint("cli_queue_full_waits", run.queue_full_waits);
    json_uint("cli_control_errors", port.control_errors);
    json_end();
}

/* ---- the run ---- */

/* The last line of every run that got past --help: what happened and the figures. */
static int exit_event(int code, const char *why, int stopped_by) {
    json_begin("exit", elapsed());
    json_uint("code", (uint64_t)code);
    json_str("reason", why);
    if (stopped_by) json_str("signal", stopped_by == SIGINT ? "SIGINT" : "SIGTERM");
    json_uint("published", run.confirmed);
    json_uint("publish_failed", run.failed);
    json_uint("planned", run.planned);
    json_uint("received", run.received);
    json_end();
    return code;
}

static bool subs_confirmed(void) {
    for (size_t i = 0; i < opts.n_subs; i++) {
        if (!opts.subs[i].confirmed) return false;
    }
    return true;
}

static bool publishes_settled(void) {
    return run.confirmed + run.failed == run.planned;
}

/* True when there is nothing more to wait for. */
static bool finished(uint32_t now, uint32_t deadline, const char **why) {
    if (interrupted) *why = "interrupted";
    else if (run.gave_up) *why = "gave_up";
    else if (run.sub_failed) *why = "subscribe_failed";
    /* Messages may arrive before every SUBACK (a retained one on the first filter): the
     * other subscriptions were asked for too, so they are waited on like the publishes. */
    else if (opts.exit_after_messages && run.received >= opts.exit_after_messages &&
             publishes_settled() && share_settled(&opts) && subs_confirmed())
        *why = "messages";
    else if (!opts.exit_after_messages && opts.n_subs == 0 &&
             (opts.n_pubs > 0 || opts.n_at > 0 || opts.info) && publishes_settled() &&
             share_settled(&opts))
        *why = opts.n_pubs > 0 ? "published" : "done";
    else if (opts.exit_after_ms && until(now, deadline) == 0) *why = "deadline";
    else return false;
    return true;
}

/* Everything asked for was done. */
static bool succeeded(void) {
    return share_settled(&opts) && share_failures() == 0 && !run.gave_up && !run.sub_failed && run.failed == 0 && run.confirmed == run.planned &&
           run.received >= opts.exit_after_messages && subs_confirmed() &&
           port.control_errors == 0 && run.gpio_failures == 0;
}

/* Leaves the broker politely (MDISCONNECT, MIPCLOSE), bounded by two command timeouts. */
static void stop_session(void) {
    if (cellmqtt_stop(&handle) != CELLMQTT_STATUS_OK) return;
    uint32_t deadline = now_ms() + 2 * opts.timeouts.command_ms + 1000;
    interrupted = 0; /* a second Ctrl-C ends the wait */
    for (;;) {
        cellmqtt_poll(&handle);
        if (cellmqtt_state(&handle) == CELLMQTT_STATE_STOPPED || interrupted) return;
        uint32_t now = now_ms(), left = until(now, deadline);
        if (left == 0) return;
        uint32_t wait = cellmqtt_poll_delay_ms(&handle);
        if (cellmqtt_posix_wait(&port, &handle, wait < left ? wait : left) < 0) return;
    }
}

static void on_at_line(void *user, uint16_t id, const uint8_t *line, size_t len) {
    (void)user;
    share_at_line(&opts, elapsed(), id, line, len);
}

static void on_urc(void *user, const uint8_t *line, size_t len) {
    (void)user;
    share_urc(elapsed(), line, len);
}

static cellmqtt_callbacks_t make_callbacks(void) {
    cellmqtt_callbacks_t cb;
    memset(&cb, 0, sizeof cb);
    cellmqtt_posix_callbacks(&port, &cb);
    cb.on_message = on_message;
    cb.on_event = on_event;
    cb.log = on_log;
    cb.on_at_line = on_at_line;
    cb.on_urc = on_urc;
    return cb;
}

/* Checks the configuration before anything is opened, naming the field that is wrong
 * ("INVALID_CONFIG" alone has a dozen causes). Returns CLI_EXIT_OK or the exit code. */
static int check_configuration(void) {
    cellmqtt_config_t cfg = make_config();
    cellmqtt_callbacks_t cb = make_callbacks();
    cellmqtt_config_field_t field = CELLMQTT_CONFIG_FIELD_NONE;
    cellmqtt_status_t st = cellmqtt_config_check(&cfg, &cb, &field);
    if (st == CELLMQTT_STATUS_OK) return CLI_EXIT_OK;
    const char *name = cellmqtt_config_field_str(field);
    fprintf(stderr, "cellmqtt-cli: configuration refused: %s (field %s)\n", cellmqtt_status_str(st),
            name);
    error_event(cellmqtt_status_str(st), "configuration", name);
    return exit_event(CLI_EXIT_USAGE, "configuration", 0);
}

static int run_session(void) {
    cellmqtt_config_t cfg = make_config();
    cellmqtt_callbacks_t cb = make_callbacks();
    cellmqtt_status_t st = cellmqtt_init(&handle, &cfg, &cb);
    if (st != CELLMQTT_STATUS_OK) {
        error_event(cellmqtt_status_str(st), "configuration", NULL);
        return exit_event(CLI_EXIT_USAGE, "configuration", 0);
    }
    start_event();
    for (size_t i = 0; i < opts.n_subs; i++) {
        cli_sub_t *s = &opts.subs[i];
        st = cellmqtt_subscribe(&handle, s->filter, s->qos, &s->id);
        if (st != CELLMQTT_STATUS_OK) {
            error_event(cellmqtt_status_str(st), "subscribe", s->filter);
            return exit_event(CLI_EXIT_USAGE, "configuration", 0);
        }
    }
    cellmqtt_start(&handle);

    uint32_t deadline = run.t0 + opts.exit_after_ms;
    const char *why = "done";
    bool link_ok = true;
    uint32_t control_errors_seen = 0;
    for (;;) {
        cellmqtt_poll(&handle);
        if (port.control_errors != control_errors_seen) {
            control_errors_seen = port.control_errors;
            error_event("CONTROL_ERROR", "emu-control", port.control_error);
        }
        uint32_t now = now_ms();
        publish_due(now);
        share_queue(&handle, &opts, elapsed());
        if (finished(now, deadline, &why)) break;
        uint32_t wait = cellmqtt_poll_delay_ms(&handle);
        if (opts.interval_ms && run.online_once && run.next < run.planned && !run.queue_full) {
            uint32_t w = until(now, run.next_pub_at);
            if (w < wait) wait = w;
        }
        if (opts.exit_after_ms && until(now, deadline) < wait) wait = until(now, deadline);
        if (cellmqtt_posix_wait(&port, &handle, wait) < 0) {
            error_event("LINK_FAILED", "module link", strerror(port.link_errno));
            why = "link_failed";
            link_ok = false;
            break;
        }
    }
    int stopped_by = interrupted; /* stop_session resets it for a second Ctrl-C */
    if (link_ok) stop_session();
    if (strcmp(why, "deadline") == 0 && !succeeded()) {
        error_event("DEADLINE", "exit-after-ms", "the work asked for was not done in time");
    }
    if (opts.stats) stats_event();
    int code = !link_ok ? CLI_EXIT_LINK : succeeded() ? CLI_EXIT_OK : CLI_EXIT_INCOMPLETE;
    return exit_event(code, why, strcmp(why, "interrupted") == 0 ? stopped_by : 0);
}

int main(int argc, char **argv) {
    run.t0 = now_ms();
    int r = cli_parse(argc, argv, &opts);
    if (r == -1) return CLI_EXIT_OK; /* --help, --version */
    if (r != CLI_EXIT_OK) {
        /* Scripts read stdout only: the reason goes there too, and the run's last line. */
        error_event("USAGE", "command line", cli_usage_error);
        return exit_event(r, "usage", 0);
    }
    run.planned = (uint64_t)opts.n_pubs * opts.count;

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR and the loop sees it */
    /* A signal ignored at start stays ignored (as shells do): a script's `cli &` must not
     * be stopped by a Ctrl-C meant for the script. */
    const int stop_signals[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < 2; i++) {
        if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
            sigaction(stop_signals[i], &sa, NULL);
        }
    }
    signal(SIGPIPE, SIG_IGN);

    cellmqtt_posix_init(&port);
    port.pin_hook = pin_hook;
    port.status_hook = status_hook;
    r = open_trace(argc, argv);
    if (r != CLI_EXIT_OK) return exit_event(r, "usage", 0);
    r = check_configuration();
    if (r != CLI_EXIT_OK) return r;
    r = open_link();
    if (r != CLI_EXIT_OK) {
        /* A Ctrl-C during a slow connect ends up here too (connect returns EINTR). */
        int sig = interrupted;
        exit_event(sig ? CLI_EXIT_INCOMPLETE : r, sig ? "interrupted" : "link_failed", sig);
        r = sig ? CLI_EXIT_INCOMPLETE : r;
    } else {
        r = run_session();
    }
    cellmqtt_posix_close(&port);
    if (port.trace_file) fclose(port.trace_file);
    return r;
}
