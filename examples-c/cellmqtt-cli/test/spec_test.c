/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Tests of the --pub/--pub-file/--sub spec rules (../spec.c): what parses to which topic, QoS
 * and retain, and that every invalid spec is refused with its reason. Run by make cli-spec-test
 * under ASan + UBSan. */
#include "../spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

static void fail(const char *arg, const char *why) {
    failed++;
    fprintf(stderr, "FAIL %s: %s\n", arg, why);
}

/* A --pub spec that must parse to topic/qos/retain with REST `rest`. */
static void pub_ok(const char *arg, const char *topic, int qos, int retain, const char *rest) {
    cli_pub_t p;
    memset(&p, 0, sizeof p);
    const char *r = NULL, *err = spec_pub(arg, &p, &r);
    if (err) fail(arg, err);
    else if (strcmp(p.topic, topic) || p.qos != qos || p.retain != retain || strcmp(r, rest))
        fail(arg, "parsed differently");
    else passed++;
    free(p.topic);
}

static void sub_ok(const char *arg, const char *filter, int qos) {
    cli_sub_t s;
    memset(&s, 0, sizeof s);
    const char *err = spec_sub(arg, &s);
    if (err) fail(arg, err);
    else if (strcmp(s.filter, filter) || s.qos != qos) fail(arg, "parsed differently");
    else passed++;
    free(s.filter);
}

/* A spec that must be refused with a reason containing `why`. */
static void bad(const char *arg, bool sub, const char *why) {
    cli_pub_t p;
    cli_sub_t s;
    memset(&p, 0, sizeof p);
    memset(&s, 0, sizeof s);
    const char *r = NULL;
    const char *err = sub ? spec_sub(arg, &s) : spec_pub(arg, &p, &r);
    if (!err) fail(arg, "accepted");
    else if (!strstr(err, why)) fail(arg, err);
    else passed++;
    free(p.topic);
    free(s.filter);
}

int main(void) {
    pub_ok("a/b=x", "a/b", 0, 0, "x");
    pub_ok("a/b:1=x=y", "a/b", 1, 0, "x=y");
    pub_ok("a/b:2:1=", "a/b", 2, 1, "");
    pub_ok("a:b=x", "a:b", 0, 0, "x");            /* a colon inside the topic */
    pub_ok("dev:7:1:0=x", "dev:7", 1, 0, "x");    /* a topic ending in :DIGITS */
    pub_ok("a::1=x", "a:", 1, 0, "x");
    sub_ok("a/#", "a/#", 0);
    sub_ok("a/+/c:2", "a/+/c", 2);
    sub_ok("+", "+", 0);
    sub_ok("#:1", "#", 1);
    sub_ok("dev:7:1", "dev:7", 1);
    sub_ok("a:b/+/#", "a:b/+/#", 0);

    bad("a/b:3=x", false, "QoS 3 is not 0, 1 or 2");
    bad("dev:7=x", false, "QoS 7");
    bad("a/b:1:2=x", false, "RETAIN 2 is not 0 or 1");
    bad("a/b:01=x", false, "QoS 01");
    bad("a/b", false, "missing '='");
    bad("=x", false, "empty");
    bad(":1=x", false, "empty");
    bad("a/+/b=x", false, "wildcards");
    bad("a/#=x", false, "wildcards");
    bad("a\"b=x", false, "'\"'");
    bad("a\rb=x", false, "control byte");
    bad("a\bb=x", false, "control byte"); /* a backspace would edit the command line */
    bad("a/b:3", true, "QoS 3");
    bad("", true, "empty");
    bad("a/b+", true, "'+' must be a whole level");
    bad("a/+b/c", true, "'+' must be a whole level");
    bad("a/#/b", true, "'#' must be the whole last level");
    bad("a#", true, "'#' must be the whole last level");
    bad("a\nb", true, "control byte");
    bad("t/\xff=x", false, "not valid UTF-8");
    bad("t/\xc3:1", true, "not valid UTF-8");       /* a sequence cut short */
    bad("t/\xc0\xaf=x", false, "not valid UTF-8"); /* an overlong '/' */
    pub_ok("t/\xc3\xa9:1=x", "t/\xc3\xa9", 1, 0, "x"); /* UTF-8 itself is fine */
    char long_topic[300];
    memset(long_topic, 'x', 257);
    strcpy(long_topic + 257, "=p");
    bad(long_topic, false, "257 bytes, at most 256");
    long_topic[256] = '='; /* now exactly 256 bytes of topic: the longest allowed */
    cli_pub_t p;
    memset(&p, 0, sizeof p);
    const char *rest = NULL;
    if (spec_pub(long_topic, &p, &rest) || strlen(p.topic) != 256)
        fail("256-byte topic", "refused");
    else passed++;
    free(p.topic);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
