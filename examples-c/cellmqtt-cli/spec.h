/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt-cli: the --pub, --pub-file and --sub specs, parsed and validated before anything
 * connects, so a typo is a usage error (exit 2) and never a surprise on the wire. */
#ifndef CLI_SPEC_H
#define CLI_SPEC_H

#include "cli.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest topic or filter the modules take (and the engine accepts). */
#define CLI_TOPIC_MAX 256

/* Parses "TOPIC[:QOS[:RETAIN]]=REST" (--pub, --pub-file) into `p` (topic copied with malloc,
 * qos, retain) and points `*rest` at REST inside `arg`. Returns NULL, or what is wrong. */
const char *spec_pub(const char *arg, cli_pub_t *p, const char **rest);

/* Parses "FILTER[:QOS]" (--sub) into `s` (filter copied with malloc, qos). Returns NULL, or
 * what is wrong. */
const char *spec_sub(const char *arg, cli_sub_t *s);

/* Checks a topic (filter = false) or a topic filter (filter = true) of `len` bytes. Returns
 * NULL, or what is wrong. */
const char *spec_topic(const char *t, size_t len, bool filter);

#endif
