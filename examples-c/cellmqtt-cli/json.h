/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* JSON-lines output: one object per line on stdout, flushed at the end of each line, so a
 * script reading the pipe sees every event as it happens. Strings are escaped and always valid
 * UTF-8; binary data goes as base64. Only the application thread writes. */
#ifndef CLI_JSON_H
#define CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Starts `{"event":"<event>","t_ms":<t_ms>`. */
void json_begin(const char *event, uint32_t t_ms);
void json_str(const char *key, const char *value);
/* Arbitrary bytes as a JSON string: UTF-8 kept, invalid bytes become U+FFFD. */
void json_bytes(const char *key, const uint8_t *data, size_t len);
/* True when all `len` bytes are valid UTF-8 (json_bytes then keeps them exactly). */
bool json_is_utf8(const uint8_t *data, size_t len);
void json_base64(const char *key, const uint8_t *data, size_t len);
void json_uint(const char *key, uint64_t value);
void json_int(const char *key, int64_t value);
void json_bool(const char *key, bool value);
/* Ends the object, the line, and flushes. */
void json_end(void);

#endif
