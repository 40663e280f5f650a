/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: --pub/--pub-file/--sub specs (see spec.h).
 *
 * The parse rule for topics that hold `:` (documented in --help and the README): the topic
 * part ends at the first `=`; then trailing `:NUMBER` fields are taken from the right as the
 * options, at most two for a publish (QOS, or QOS:RETAIN) and one for a subscription (QOS).
 * Everything left of them is the topic, colons included. So `a:b=x` publishes to `a:b`, and a
 * topic whose last level itself ends in `:DIGITS` (`dev:7`) needs every option written out
 * after it: `--pub dev:7:1:0=x`, `--sub dev:7:1`. A number that is not a valid option is an
 * error, never folded into the topic: `--pub t:3=x` is refused. */
#include "spec.h"

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char why[200]; /* the message of the last failure; the CLI stops at the first one */

static bool all_digits(const char *s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

/* Splits up to `max` trailing ":NUMBER" fields off head[0..*len): their starts go to
 * fields[] in left-to-right order, *len shrinks to the topic. Returns how many. */
static size_t split_fields(const char *head, size_t *len, size_t max, const char **fields,
                           size_t *flen) {
    const char *found[2];
    size_t lens[2], n = 0, end = *len;
    while (n < max) {
        size_t colon = end;
        while (colon > 0 && head[colon - 1] != ':') colon--;
        if (colon == 0 || !all_digits(head + colon, end - colon)) break;
        found[n] = head + colon;
        lens[n] = end - colon;
        n++;
        end = colon - 1;
    }
    for (size_t i = 0; i < n; i++) { /* reverse: left to right */
        fields[i] = found[n - 1 - i];
        flen[i] = lens[n - 1 - i];
    }
    *len = end;
    return n;
}

const char *spec_topic(const char *t, size_t len, bool filter) {
    if (len == 0) return "the topic is empty";
    if (len > CLI_TOPIC_MAX) {
        snprintf(why, sizeof why, "the topic is %zu bytes, at most %d are allowed", len,
                 CLI_TOPIC_MAX);
        return why;
    }
    /* MQTT topics are UTF-8: the engine would refuse any other only once connected. */
    if (!json_is_utf8((const uint8_t *)t, len)) return "the topic is not valid UTF-8";
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        /* The AT commands carry topics in double quotes without an escape. */
        if (c == '"') return "the topic contains '\"', which the module's AT commands cannot carry";
        /* The module's line editor acts on control bytes (a backspace deletes the byte before). */
        if ((unsigned char)c < 0x20 || c == 0x7f) return "the topic contains a control byte";
        if (!filter && (c == '+' || c == '#'))
            return "a publish topic cannot contain the wildcards '+' or '#'";
    }
    if (!filter) return NULL;
    /* Wildcards only as whole levels: `+` alone between slashes, `#` alone and last. */
    for (size_t start = 0; start <= len;) {
        size_t end = start;
        while (end < len && t[end] != '/') end++;
        size_t n = end - start;
        const char *lvl = t + start;
        if (memchr(lvl, '+', n) && n != 1)
            return "'+' must be a whole level of the filter (a/+/c)";
        if (memchr(lvl, '#', n) && (n != 1 || end != len))
            return "'#' must be the whole last level of the filter (a/#)";
        start = end + 1;
    }
    return NULL;
}

static char *copy(const char *s, size_t n) {
    char *c = malloc(n + 1);
    if (c) {
        memcpy(c, s, n);
        c[n] = 0;
    }
    return c;
}

/* The QoS field: exactly 0, 1 or 2. `hint` tells how to keep digits in the topic. */
static const char *check_qos(const char *f, size_t n, const char *hint) {
    if (n == 1 && f[0] >= '0' && f[0] <= '2') return NULL;
    snprintf(why, sizeof why, "QoS %.*s is not 0, 1 or 2 (%s)", (int)(n > 12 ? 12 : n), f, hint);
    return why;
}

const char *spec_pub(const char *arg, cli_pub_t *p, const char **rest) {
    static const char hint[] = "if the digits belong to the topic, write :QOS:RETAIN after it";
    const char *eq = strchr(arg, '=');
    if (!eq) return "missing '=' between TOPIC[:QOS[:RETAIN]] and the payload or file";
    size_t len = (size_t)(eq - arg), flen[2];
    const char *fields[2];
    size_t n = split_fields(arg, &len, 2, fields, flen);
    const char *err = spec_topic(arg, len, false);
    if (err) return err;
    if (n >= 1 && (err = check_qos(fields[0], flen[0], hint))) return err;
    if (n == 2 && !(flen[1] == 1 && (fields[1][0] == '0' || fields[1][0] == '1'))) {
        snprintf(why, sizeof why, "RETAIN %.*s is not 0 or 1 (%s)",
                 (int)(flen[1] > 12 ? 12 : flen[1]), fields[1], hint);
        return why;
    }
    if (!(p->topic = copy(arg, len))) return "out of memory";
    p->qos = (uint8_t)(n >= 1 ? fields[0][0] - '0' : 0);
    p->retain = n == 2 && fields[1][0] == '1';
    *rest = eq + 1;
    return NULL;
}

const char *spec_sub(const char *arg, cli_sub_t *s) {
    static const char hint[] = "if the digits belong to the filter, write :QOS after it";
    size_t len = strlen(arg), flen[1];
    const char *fields[1];
    size_t n = split_fields(arg, &len, 1, fields, flen);
    const char *err = spec_topic(arg, len, true);
    if (err) return err;
    if (n == 1 && (err = check_qos(fields[0], flen[0], hint))) return err;
    if (!(s->filter = copy(arg, len))) return "out of memory";
    s->qos = (uint8_t)(n == 1 ? fields[0][0] - '0' : 0);
    return NULL;
}
