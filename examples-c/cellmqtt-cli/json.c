/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* JSON-lines writer for cellmqtt-cli (see json.h). */
#include "json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void key(const char *k) {
    printf(",\"%s\":", k); /* keys are literals of this program: nothing to escape */
}

/* Length of the valid UTF-8 sequence at `s` (1-4), or 0 if it is not one. Rejects overlong
 * forms, surrogates and code points above U+10FFFF, as JSON parsers do. */
static size_t utf8_len(const uint8_t *s, size_t avail) {
    uint8_t c = s[0];
    size_t n;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return n;
}

bool json_is_utf8(const uint8_t *s, size_t len) {
    for (size_t i = 0; i < len;) {
        size_t n = utf8_len(s + i, len - i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

void json_bytes(const char *k, const uint8_t *s, size_t len) {
    key(k);
    putchar('"');
    for (size_t i = 0; i < len;) {
        uint8_t c = s[i];
        size_t n = utf8_len(s + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", stdout);
            i++;
        } else if (n > 1) {
            fwrite(s + i, 1, n, stdout);
            i += n;
        } else {
            if (c == '"' || c == '\\') printf("\\%c", c);
            else if (c == '\n') fputs("\\n", stdout);
            else if (c == '\r') fputs("\\r", stdout);
            else if (c == '\t') fputs("\\t", stdout);
            else if (c < 0x20) printf("\\u%04x", c);
            else putchar(c);
            i++;
        }
    }
    putchar('"');
}

void json_str(const char *k, const char *v) {
    json_bytes(k, (const uint8_t *)v, strlen(v));
}

void json_base64(const char *k, const uint8_t *d, size_t len) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    key(k);
    putchar('"');
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)d[i] << 16;
        if (i + 1 < len) v |= (uint32_t)d[i + 1] << 8;
        if (i + 2 < len) v |= d[i + 2];
        putchar(alphabet[v >> 18 & 63]);
        putchar(alphabet[v >> 12 & 63]);
        putchar(i + 1 < len ? alphabet[v >> 6 & 63] : '=');
        putchar(i + 2 < len ? alphabet[v & 63] : '=');
    }
    putchar('"');
}

void json_begin(const char *event, uint32_t t_ms) {
    printf("{\"event\":\"%s\",\"t_ms\":%" PRIu32, event, t_ms);
}

void json_uint(const char *k, uint64_t v) {
    key(k);
    printf("%" PRIu64, v);
}

void json_int(const char *k, int64_t v) {
    key(k);
    printf("%" PRId64, v);
}

void json_bool(const char *k, bool v) {
    key(k);
    fputs(v ? "true" : "false", stdout);
}

void json_end(void) {
    fputs("}\n", stdout);
    fflush(stdout);
}
