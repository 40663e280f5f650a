/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Test helper: the output rate a tty really has, read through termios2 (Linux), so the test
 * can check non-standard rates. Its own file for the reason given in ../baud_linux.c. */
#if defined(__linux__)
#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <stdint.h>

int ioctl(int fd, unsigned long request, ...);
int64_t test_read_baud(int fd);

int64_t test_read_baud(int fd) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) < 0) return -1;
    return (int64_t)t.c_ospeed;
}
#else
typedef int cellmqtt_posix_baud_readback_unused;
#endif
