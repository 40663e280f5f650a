/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: the command line. */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* getopt_long */
#endif
#include "cli.h"
#include "spec.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Lines, not one string: ISO C guarantees string literals of only 4095 bytes. */
static const char *const usage[] = {
    "Usage: cellmqtt-cli (--serial PATH [--baud N] | --tcp HOST:PORT) --host H [options]\n",
    "\n",
    "Drives the MQTT client of a Cat.1 module (Luat Air724UG, Air780E/EP; Quectel EC200U family;\n",
    "SIMCom A7670/SIM7600) over its AT UART, or the cellmqtt-emu emulator, and prints one JSON\n",
    "object per line on stdout.\n",
    "\n",
    "Link to the module:\n",
    "  --serial PATH            serial device, raw 8N1, no flow control (e.g. /dev/ttyUSB0)\n",
    "  --baud N                 serial rate (default 115200; non-standard rates work on Linux)\n",
    "  --tcp HOST:PORT          TCP instead of a serial device (cellmqtt-emu --listen, ser2net)\n",
    "  --profile P              air724ug (default) | air780e | air780ep | ec200u (also ec600u,\n",
    "                           eg915u: the Quectel AT+QMT* family) | a7670 (also a7672,\n",
    "                           sim7600: the SIMCom AT+CMQTT* family)\n",
    "  --apn APN                bearer APN, where the host sets the bearer up (Quectel, SIMCom;\n",
    "                           default: the module's)\n",
    "\n",
    "Broker, as the module sees it:\n",
    "  --host H                 broker host name or address (required)\n",
    "  --port P                 broker port (default 1883)\n",
    "  --ssl                    TLS (Luat AT+SSLMIPSTART; Quectel and SIMCom an SSL context)\n",
    "  --ssl-ca NAME            CA certificate file in the module's file system\n",
    "  --ssl-seclevel N         0 no check, 1 verify server, 2 mutual (default: module's)\n",
    "  --ssl-sni HOST           server name for SNI and verification\n",
    "  --client-id ID           MQTT client id (default cellmqtt-<pid>)\n",
    "  --client-id-imei         use the module's IMEI as the client id (--client-id, if given,\n",
    "                           only when the module reports none)\n",
    "  --user U, --password P   MQTT credentials\n",
    "  --keepalive S            keep-alive seconds (default 120)\n",
    "  --no-clean-session       keep the broker session across connects\n",
    "  --will-topic T --will-payload P [--will-qos Q] [--will-retain 0|1]\n",
    "                           last will (QoS and retain default 0)\n",
    "  --online-payload P       published to the will topic once online (needs a will)\n",
    "  --cache-mode             receive through the module's 4-slot cache (AT+MQTTMSGSET=1)\n",
    "\n",
    "What to do (publishing starts when the session is first online):\n",
    "  --sub TOPIC[:QOS]        subscribe (QoS default 0); repeatable; + and # only as whole\n",
    "                           levels, # last\n",
    "  --pub TOPIC[:QOS[:RETAIN]]=PAYLOAD\n",
    "                           publish PAYLOAD; {n} in it becomes the sequence number of\n",
    "                           this --pub's message (0, 1, ...); repeatable\n",
    "  --pub-file TOPIC[:QOS[:RETAIN]]=FILE\n",
    "                           publish the bytes of FILE (up to 4100), taken as they are\n",
    "  Specs: the topic ends at the first '='; trailing :NUMBER fields are the options (QoS\n",
    "  0-2, RETAIN 0/1), the rest is the topic, colons included. A topic whose last level\n",
    "  ends in :DIGITS needs every option after it (--pub dev:7:1:0=x, --sub dev:7:1).\n",
    "  Topics: 1-256 bytes, no '\"', CR, LF; no + or # when publishing. Checked before\n",
    "  connecting: a bad spec exits 2.\n",
    "  --count N                publish every --pub/--pub-file N times (default 1), in rounds:\n",
    "                           all of them once in command-line order, then again, ...\n",
    "  --interval-ms MS         hand a publish to the library MS after the previous one\n",
    "                           (default 0: as fast as the publish queue takes them; a full\n",
    "                           queue is waited on, never dropped); the module sends it when\n",
    "                           it is free, so one that went late is followed sooner\n",
    "  --exit-after-messages N  exit once N messages were received, every --sub confirmed\n",
    "                           and every publish settled\n",
    "  --exit-after-ms MS       exit after MS at the latest; exit code 1 if work is unfinished\n",
    "  With --pub and no --sub, it exits once every publish is confirmed or failed. With --sub\n",
    "  it runs until --exit-after-messages, --exit-after-ms, or SIGINT/SIGTERM.\n",
    "\n",
    "Sharing the module:\n",
    "  --at CMD                 queue an AT command (repeatable, in order; e.g. AT+ICCID): each\n",
    "                           answer line is an at_line event, the result an at_done event;\n",
    "                           commands that would break the session are refused\n",
    "  --info                   print the module's IMEI, ICCID, IMSI and firmware once online\n",
    "\n",
    "Control lines and recovery:\n",
    "  --pins LIST              wired lines: reset,power,pwrkey,status (default none; then a\n",
    "                           hang is answered with AT+RESET only); status is read before a\n",
    "                           PWRKEY pulse (from the emulator, or --gpio-get)\n",
    "  --emu-control HOST:PORT  cellmqtt-emu control socket: pins go there as `pin reset 1|0`\n",
    "  --gpio-cmd CMD           run `sh -c CMD sh PIN LEVEL` for every pin change, PIN one of\n",
    "                           reset|power|pwrkey, LEVEL 1 = asserted (RESET/PWRKEY held low,\n",
    "                           POWER on); map it to your wiring, e.g. with gpioset\n",
    "  --gpio-get CMD           read STATUS with `sh -c CMD sh status`: it prints 1 (module\n",
    "                           powered on) or 0; anything else means unknown\n",
    "  --refusal-limit N        give up after N consecutive broker refusals (default 0: never)\n",
    "  --broker-reset-after-s S one module reset after S seconds of broker/network failures\n",
    "                           (default 0: never; broker failures never touch the module)\n",
    "  --fast-recovery          short waits for the emulator (commands 2 s, silence 2 s, boot\n",
    "                           10 s, connect/acks 5 s, back-off 100-1000 ms); never for modules\n",
    "  --cmd-timeout-ms MS      final result of a command (default 9000)\n",
    "  --ack-timeout-ms MS      SUBACK/PUBACK/PUBREC/PUBCOMP (default 20000)\n",
    "  --connect-timeout-ms MS  CONNECT OK and CONNACK OK (default 60000 / 20000)\n",
    "  --silence-ms MS          a silent module gets this long before RESET (default 10000)\n",
    "  --boot-ms MS             module answering AT after power-on/reset (default 90000)\n",
    "  --backoff-ms MIN[:MAX]   back-off between recovery attempts (default 1000:60000)\n",
    "\n",
    "Output:\n",
    "  --trace FILE             record the AT conversation in FILE as a replayable trace\n",
    "                           (# cellmqtt-trace v1; cellmqtt-emu --replay FILE plays it);\n",
    "                           --trace - writes the traffic to stderr for humans\n",
    "  --stats                  print the engine's counters as a `stats` event at the end\n",
    "  --help, --version\n",
    "\n",
    "Events (field `event`): start, state, subscribed, subscribe_failed, published,\n",
    "publish_failed, message (topic, len, payload_b64, and payload when it is UTF-8),\n",
    "recovery (step, reason), gpio (pin, level, to), log (kind, what, code: why a step\n",
    "failed), loss, signal, error (status: USAGE, LINK_FAILED, NAME_NOT_RESOLVED, ...),\n",
    "stats, exit (code, reason; always the last line). Every event has t_ms.\n",
    "\n",
    "Exit codes: 0 everything asked for was done; 1 a publish, subscription or deadline\n",
    "failed (or SIGINT/SIGTERM stopped it first); 2 usage; 3 the link to the module (or the\n",
    "emulator control socket) failed or its host name did not resolve.\n",
    NULL,
};

enum {
    OPT_BAUD = 256, OPT_SERIAL, OPT_TCP, OPT_PROFILE, OPT_HOST, OPT_PORT, OPT_SSL, OPT_SSL_CA,
    OPT_SSL_SECLEVEL, OPT_SSL_SNI, OPT_CLIENT_ID, OPT_USER, OPT_PASSWORD, OPT_KEEPALIVE,
    OPT_NO_CLEAN, OPT_WILL_TOPIC, OPT_WILL_PAYLOAD, OPT_WILL_QOS, OPT_WILL_RETAIN,
    OPT_ONLINE_PAYLOAD, OPT_CACHE_MODE, OPT_SUB, OPT_PUB, OPT_PUB_FILE, OPT_COUNT,
    OPT_INTERVAL, OPT_EXIT_MS, OPT_EXIT_MESSAGES, OPT_PINS, OPT_EMU_CONTROL, OPT_GPIO_CMD,
    OPT_FAST, OPT_CMD_TIMEOUT, OPT_ACK_TIMEOUT, OPT_CONNECT_TIMEOUT, OPT_SILENCE, OPT_BOOT,
    OPT_BACKOFF, OPT_TRACE, OPT_STATS, OPT_HELP, OPT_VERSION, OPT_GPIO_GET, OPT_REFUSAL_LIMIT,
    OPT_BROKER_RESET, OPT_AT, OPT_INFO, OPT_CLIENT_ID_IMEI, OPT_APN,
};

static const struct option options[] = {
    {"serial", required_argument, 0, OPT_SERIAL}, {"baud", required_argument, 0, OPT_BAUD},
    {"tcp", required_argument, 0, OPT_TCP}, {"profile", required_argument, 0, OPT_PROFILE},
    {"host", required_argument, 0, OPT_HOST}, {"port", required_argument, 0, OPT_PORT},
    {"ssl", no_argument, 0, OPT_SSL}, {"ssl-ca", required_argument, 0, OPT_SSL_CA},
    {"ssl-seclevel", required_argument, 0, OPT_SSL_SECLEVEL},
    {"ssl-sni", required_argument, 0, OPT_SSL_SNI},
    {"client-id", required_argument, 0, OPT_CLIENT_ID}, {"user", required_argument, 0, OPT_USER},
    {"password", required_argument, 0, OPT_PASSWORD},
    {"keepalive", required_argument, 0, OPT_KEEPALIVE},
    {"no-clean-session", no_argument, 0, OPT_NO_CLEAN},
    {"will-topic", required_argument, 0, OPT_WILL_TOPIC},
    {"will-payload", required_argument, 0, OPT_WILL_PAYLOAD},
    {"will-qos", required_argument, 0, OPT_WILL_QOS},
    {"will-retain", required_argument, 0, OPT_WILL_RETAIN},
    {"online-payload", required_argument, 0, OPT_ONLINE_PAYLOAD},
    {"cache-mode", no_argument, 0, OPT_CACHE_MODE}, {"sub", required_argument, 0, OPT_SUB},
    {"pub", required_argument, 0, OPT_PUB}, {"pub-file", required_argument, 0, OPT_PUB_FILE},
    {"count", required_argument, 0, OPT_COUNT},
    {"interval-ms", required_argument, 0, OPT_INTERVAL},
    {"exit-after-ms", required_argument, 0, OPT_EXIT_MS},
    {"exit-after-messages", required_argument, 0, OPT_EXIT_MESSAGES},
    {"pins", required_argument, 0, OPT_PINS},
    {"emu-control", required_argument, 0, OPT_EMU_CONTROL},
    {"gpio-cmd", required_argument, 0, OPT_GPIO_CMD},
    {"gpio-get", required_argument, 0, OPT_GPIO_GET},
    {"at", required_argument, 0, OPT_AT}, {"info", no_argument, 0, OPT_INFO},
    {"client-id-imei", no_argument, 0, OPT_CLIENT_ID_IMEI},
    {"apn", required_argument, 0, OPT_APN},
    {"refusal-limit", required_argument, 0, OPT_REFUSAL_LIMIT},
    {"broker-reset-after-s", required_argument, 0, OPT_BROKER_RESET},
    {"fast-recovery", no_argument, 0, OPT_FAST},
    {"cmd-timeout-ms", required_argument, 0, OPT_CMD_TIMEOUT},
    {"ack-timeout-ms", required_argument, 0, OPT_ACK_TIMEOUT},
    {"connect-timeout-ms", required_argument, 0, OPT_CONNECT_TIMEOUT},
    {"silence-ms", required_argument, 0, OPT_SILENCE}, {"boot-ms", required_argument, 0, OPT_BOOT},
    {"backoff-ms", required_argument, 0, OPT_BACKOFF}, {"trace", required_argument, 0, OPT_TRACE},
    {"stats", no_argument, 0, OPT_STATS}, {"help", no_argument, 0, OPT_HELP},
    {"version", no_argument, 0, OPT_VERSION}, {0, 0, 0, 0},
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cli_usage_error, sizeof cli_usage_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, "cellmqtt-cli: %s (see --help)\n", cli_usage_error);
    return CLI_EXIT_USAGE;
}

char cli_usage_error[512];

/* A decimal number in [min, max]. */
static bool number(const char *s, uint32_t min, uint32_t max, uint32_t *out) {
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) return false;
    *out = (uint32_t)v;
    return true;
}

static int read_file(const char *path, cli_pub_t *p) {
    FILE *f = fopen(path, "rb");
    if (!f) return bad("cannot open --pub-file %s", path);
    /* One byte more than the module's limit tells "too long" from "exactly at the limit". */
    static const size_t limit = 4100;
    p->payload = malloc(limit + 1);
    if (!p->payload) {
        fclose(f);
        return bad("out of memory reading %s", path);
    }
    p->len = fread(p->payload, 1, limit + 1, f);
    int err = ferror(f);
    fclose(f);
    if (err) return bad("cannot read %s", path);
    if (p->len > limit) return bad("%s is longer than 4100 bytes", path);
    return CLI_EXIT_OK;
}

static int parse_pins(const char *arg, uint32_t *pins) {
    char buf[64];
    if (strlen(arg) >= sizeof buf) return bad("bad --pins %s", arg);
    strcpy(buf, arg);
    *pins = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "reset") == 0) *pins |= CELLMQTT_PINS_RESET;
        else if (strcmp(t, "power") == 0) *pins |= CELLMQTT_PINS_POWER;
        else if (strcmp(t, "pwrkey") == 0) *pins |= CELLMQTT_PINS_PWRKEY;
        else if (strcmp(t, "status") == 0) *pins |= CELLMQTT_PINS_STATUS;
        else if (strcmp(t, "none") != 0) return bad("unknown pin in --pins %s", arg);
    }
    return CLI_EXIT_OK;
}

static void fast_recovery(cellmqtt_timeouts_t *t) {
    t->command_ms = 2000;
    t->silence_ms = 2000;
    t->boot_ms = 10000;
    t->connect_ms = 5000;
    t->connack_ms = 5000;
    t->ack_ms = 5000;
    t->prompt_ms = 2000;
    t->backoff_min_ms = 100;
    t->backoff_max_ms = 1000;
}

/* Explicit timeout flags, applied after --fast-recovery whatever their order. */
typedef struct {
    uint32_t cmd, ack, connect, silence, boot, backoff_min, backoff_max;
} explicit_t;

#define NUM(arg, min, max, dst, name)                                   \
    do {                                                                \
        uint32_t v_;                                                    \
        if (!number(arg, min, max, &v_)) return bad("bad " name " %s", arg); \
        dst = v_;                                                       \
    } while (0)

int cli_parse(int argc, char **argv, cli_opts_t *o) {
    cellmqtt_config_t defaults = cellmqtt_config_default();
    memset(o, 0, sizeof *o);
    o->baud = 115200;
    o->port = defaults.port;
    o->keepalive_s = defaults.keepalive_s;
    o->clean_session = true;
    o->ssl_seclevel = -1;
    o->count = 1;
    o->profile = CELLMQTT_PROFILE_AIR724UG;
    o->timeouts = defaults.timeouts;
    o->ladder = defaults.ladder;
    explicit_t ex = {0, 0, 0, 0, 0, 0, 0};
    bool fast = false;
    int c, r;

    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        char *a = optarg;
        switch (c) {
        case OPT_SERIAL: o->serial = a; break;
        case OPT_BAUD: NUM(a, 50, 4000000, o->baud, "--baud"); break;
        case OPT_TCP: o->tcp = a; break;
        case OPT_PROFILE:
            if (strcmp(a, "air724ug") == 0) o->profile = CELLMQTT_PROFILE_AIR724UG;
            else if (strcmp(a, "air780e") == 0) o->profile = CELLMQTT_PROFILE_AIR780E;
            else if (strcmp(a, "air780ep") == 0) o->profile = CELLMQTT_PROFILE_AIR780EP;
            else if (strcmp(a, "ec200u") == 0 || strcmp(a, "ec600u") == 0 ||
                     strcmp(a, "eg915u") == 0)
                o->profile = CELLMQTT_PROFILE_EC200U;
            else if (strcmp(a, "a7670") == 0 || strcmp(a, "a7672") == 0 ||
                     strcmp(a, "sim7600") == 0)
                o->profile = CELLMQTT_PROFILE_A7670;
            else return bad("unknown --profile %s", a);
            break;
        case OPT_HOST: o->host = a; break;
        case OPT_PORT: NUM(a, 1, 65535, o->port, "--port"); break;
        case OPT_SSL: o->ssl = true; break;
        case OPT_SSL_CA: o->ssl_ca = a; break;
        case OPT_SSL_SECLEVEL: NUM(a, 0, 2, o->ssl_seclevel, "--ssl-seclevel"); break;
        case OPT_SSL_SNI: o->ssl_sni = a; break;
        case OPT_CLIENT_ID: o->client_id = a; break;
        case OPT_USER: o->user = a; break;
        case OPT_PASSWORD: o->password = a; break;
        case OPT_KEEPALIVE: NUM(a, 1, 65535, o->keepalive_s, "--keepalive"); break;
        case OPT_NO_CLEAN: o->clean_session = false; break;
        case OPT_WILL_TOPIC: o->will_topic = a; break;
        case OPT_WILL_PAYLOAD: o->will_payload = a; break;
        case OPT_WILL_QOS: NUM(a, 0, 2, o->will_qos, "--will-qos"); break;
        case OPT_WILL_RETAIN: NUM(a, 0, 1, o->will_retain, "--will-retain"); break;
        case OPT_ONLINE_PAYLOAD: o->online_payload = a; break;
        case OPT_CACHE_MODE: o->cache_mode = true; break;
        case OPT_SUB: {
            if (o->n_subs == CLI_MAX_SUBS) return bad("more than %d --sub", CLI_MAX_SUBS);
            const char *err = spec_sub(a, &o->subs[o->n_subs++]);
            if (err) return bad("--sub '%s': %s", a, err);
            break;
        }
        case OPT_PUB:
        case OPT_PUB_FILE: {
            if (o->n_pubs == CLI_MAX_PUBS) return bad("more than %d publish specs", CLI_MAX_PUBS);
            cli_pub_t *p = &o->pubs[o->n_pubs++];
            const char *rest = NULL, *err = spec_pub(a, p, &rest);
            if (err) return bad("%s '%s': %s", c == OPT_PUB ? "--pub" : "--pub-file", a, err);
            if (c == OPT_PUB) {
                p->payload = (uint8_t *)(uintptr_t)rest; /* read only: argv outlives the run */
                p->len = strlen(rest);
                p->is_template = true;
            } else if ((r = read_file(rest, p)) != CLI_EXIT_OK) {
                return r;
            }
            break;
        }
        case OPT_COUNT: NUM(a, 1, UINT32_MAX, o->count, "--count"); break;
        case OPT_INTERVAL: NUM(a, 0, 86400000, o->interval_ms, "--interval-ms"); break;
        case OPT_EXIT_MS: NUM(a, 1, 0x7fffffff, o->exit_after_ms, "--exit-after-ms"); break;
        case OPT_EXIT_MESSAGES:
            NUM(a, 1, UINT32_MAX, o->exit_after_messages, "--exit-after-messages");
            break;
        case OPT_PINS:
            if ((r = parse_pins(a, &o->pins)) != CLI_EXIT_OK) return r;
            break;
        case OPT_EMU_CONTROL: o->emu_control = a; break;
        case OPT_GPIO_CMD: o->gpio_cmd = a; break;
        case OPT_GPIO_GET: o->gpio_get = a; break;
        case OPT_AT:
            if (o->n_at == CLI_MAX_AT) return bad("at most %d --at", CLI_MAX_AT);
            o->at_cmds[o->n_at++] = a;
            break;
        case OPT_INFO: o->info = true; break;
        case OPT_CLIENT_ID_IMEI: o->client_id_imei = true; break;
        case OPT_APN: o->apn = a; break;
        case OPT_REFUSAL_LIMIT: {
            uint32_t v;
            if (!number(a, 0, 65535, &v)) return bad("bad --refusal-limit %s", a);
            o->ladder.refusal_limit = (uint16_t)v;
            break;
        }
        case OPT_BROKER_RESET:
            NUM(a, 0, 0x7fffffff, o->ladder.broker_reset_after_s, "--broker-reset-after-s");
            break;
        case OPT_FAST: fast = true; break;
        case OPT_CMD_TIMEOUT: NUM(a, 1, 0x7fffffff, ex.cmd, "--cmd-timeout-ms"); break;
        case OPT_ACK_TIMEOUT: NUM(a, 1, 0x7fffffff, ex.ack, "--ack-timeout-ms"); break;
        case OPT_CONNECT_TIMEOUT: NUM(a, 1, 0x7fffffff, ex.connect, "--connect-timeout-ms"); break;
        case OPT_SILENCE: NUM(a, 1, 0x7fffffff, ex.silence, "--silence-ms"); break;
        case OPT_BOOT: NUM(a, 1, 0x7fffffff, ex.boot, "--boot-ms"); break;
        case OPT_BACKOFF: {
            char *colon = strchr(a, ':');
            if (colon) *colon = 0;
            if (!number(a, 1, 0x7fffffff, &ex.backoff_min)) return bad("bad --backoff-ms %s", a);
            ex.backoff_max = 0; /* MIN alone keeps the maximum */
            if (colon && !number(colon + 1, ex.backoff_min, 0x7fffffff, &ex.backoff_max))
                return bad("bad --backoff-ms maximum %s", colon + 1);
            break;
        }
        case OPT_TRACE:
            /* `--trace` used to take no value: `--trace --stats` must not trace to "--stats". */
            if (strncmp(a, "--", 2) == 0)
                return bad("--trace needs FILE (or - for stderr), got %s", a);
            o->trace = a;
            break;
        case OPT_STATS: o->stats = true; break;
        case OPT_HELP:
            for (const char *const *line = usage; *line; line++) fputs(*line, stdout);
            return -1;
        case OPT_VERSION: {
            uint32_t ver = cellmqtt_version();
            printf("cellmqtt-cli %u.%u.%u\n", ver >> 16, ver >> 8 & 0xff, ver & 0xff);
            return -1;
        }
        default: /* getopt printed the reason on stderr; keep it for the JSON error too */
            snprintf(cli_usage_error, sizeof cli_usage_error, "unknown option or missing value: %s",
                     argv[optind - 1 < argc ? optind - 1 : argc - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) return bad("unexpected argument %s", argv[optind]);
    if (!o->serial == !o->tcp) return bad("give exactly one of --serial and --tcp");
    if (!o->host) return bad("--host is required");
    if ((o->will_topic != NULL) != (o->will_payload != NULL))
        return bad("--will-topic and --will-payload go together");
    if (o->online_payload && !o->will_topic)
        return bad("--online-payload needs --will-topic");
    const char *err;
    if (o->will_topic && (err = spec_topic(o->will_topic, strlen(o->will_topic), false)))
        return bad("--will-topic '%s': %s", o->will_topic, err);

    if (fast) fast_recovery(&o->timeouts);
    cellmqtt_timeouts_t *t = &o->timeouts;
    if (ex.cmd) t->command_ms = ex.cmd;
    if (ex.ack) t->ack_ms = ex.ack;
    if (ex.connect) t->connect_ms = t->connack_ms = ex.connect;
    if (ex.silence) t->silence_ms = ex.silence;
    if (ex.boot) t->boot_ms = ex.boot;
    if (ex.backoff_min) {
        t->backoff_min_ms = ex.backoff_min;
        if (ex.backoff_max) t->backoff_max_ms = ex.backoff_max;
        if (t->backoff_max_ms < t->backoff_min_ms) t->backoff_max_ms = t->backoff_min_ms;
    }
    return CLI_EXIT_OK;
}
