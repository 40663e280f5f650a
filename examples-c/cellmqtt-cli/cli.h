/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: what the command line asked for. */
#ifndef CLI_H
#define CLI_H

#include "cellmqtt.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLI_MAX_SUBS 32
#define CLI_MAX_PUBS 32
#define CLI_MAX_AT 16

/* Exit codes. */
enum {
    CLI_EXIT_OK = 0,       /* everything asked for was done */
    CLI_EXIT_INCOMPLETE = 1, /* a publish or subscription failed, or a deadline ran out */
    CLI_EXIT_USAGE = 2,    /* bad command line or configuration */
    CLI_EXIT_LINK = 3,     /* the serial/TCP link (or the emulator control socket) failed */
};

typedef struct {
    char *filter;
    uint8_t qos;
    uint16_t id;    /* request id from cellmqtt_subscribe */
    bool confirmed; /* SUBACK seen at least once */
} cli_sub_t;

typedef struct {
    char *topic;
    uint8_t qos;
    bool retain;
    uint8_t *payload; /* from --pub (may hold {n}) or the whole --pub-file */
    size_t len;
    bool is_template; /* --pub: replace {n} with the sequence number */
} cli_pub_t;

typedef struct {
    const char *serial;
    uint32_t baud;
    const char *tcp;

    const char *host;
    uint16_t port;
    bool ssl;
    const char *ssl_ca, *ssl_sni;
    int ssl_seclevel; /* -1 = module default */
    const char *client_id;
    const char *user, *password;
    uint16_t keepalive_s;
    bool clean_session;
    const char *will_topic, *will_payload;
    uint8_t will_qos, will_retain;
    const char *online_payload;
    bool cache_mode;
    uint32_t profile;

    cli_sub_t subs[CLI_MAX_SUBS];
    size_t n_subs;
    cli_pub_t pubs[CLI_MAX_PUBS];
    size_t n_pubs;
    uint32_t count;
    uint32_t interval_ms;
    uint32_t exit_after_ms;       /* 0 = no deadline */
    uint32_t exit_after_messages; /* 0 = not asked */

    uint32_t pins; /* CELLMQTT_PINS_* */
    const char *emu_control;
    const char *gpio_cmd;
    const char *gpio_get; /* --gpio-get CMD: reads STATUS */
    const char *at_cmds[CLI_MAX_AT]; /* --at, in order */
    size_t n_at;
    bool info;           /* --info: print the module's identity once online */
    bool client_id_imei; /* --client-id-imei */
    const char *apn;     /* --apn */
    const char *trace; /* --trace FILE, "-" = human-readable on stderr */
    bool stats;

    /* Engine timeouts and ladder: defaults, then --fast-recovery, then explicit flags. */
    cellmqtt_timeouts_t timeouts;
    cellmqtt_ladder_t ladder;
} cli_opts_t;

/* Parses argv into `o`. Returns CLI_EXIT_OK, or an exit code after printing the reason (or
 * the help text, for which it returns -1: exit 0 without running). */
int cli_parse(int argc, char **argv, cli_opts_t *o);

/* Why cli_parse returned CLI_EXIT_USAGE (also printed on stderr), for the JSON error event. */
extern char cli_usage_error[512];

#endif
