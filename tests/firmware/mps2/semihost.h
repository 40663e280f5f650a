// SPDX-License-Identifier: MIT OR Apache-2.0
/* What the firmware tests' startup code (tests/firmware/mps2/startup.c) gives every board:
 * ARM semihosting (QEMU `-semihosting-config enable=on,target=native`) for the test log, the
 * command line and the exit code, and the main stack's high-water mark. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SYS_WRITE0: `text` (NUL-terminated) on QEMU's stdout. */
void semihost_write0(const char *text);
/* SYS_GET_CMDLINE: QEMU's `-semihosting-config ...,arg=A,arg=B` as "A B", NUL-terminated. */
bool semihost_get_cmdline(char *buf, size_t cap);
/* SYS_EXIT_EXTENDED: QEMU exits with `code` as its own exit status. */
void semihost_exit(int code) __attribute__((noreturn));

/* Bytes of the main stack ever used (the startup code paints the `_stack_paint_size` bytes
 * under the stack top, from the linker script). */
uint32_t fw_stack_used(void);

#endif /* SEMIHOST_H */
