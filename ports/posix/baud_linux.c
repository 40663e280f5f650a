/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Non-standard serial rates on Linux through termios2 and BOTHER.
 *
 * This is a file of its own because <asm/termbits.h> (which has struct termios2) and glibc's
 * <termios.h> define the same names differently and cannot share a translation unit. */
#if defined(__linux__)

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <errno.h>
#include <stdint.h>

/* <sys/ioctl.h> would pull glibc's termios definitions back in; this is its prototype. */
int ioctl(int fd, unsigned long request, ...);

int cellmqtt_posix_set_custom_baud(int fd, uint32_t baud);

int cellmqtt_posix_set_custom_baud(int fd, uint32_t baud) {
    struct termios2 t;
    if (ioctl(fd, TCGETS2, &t) < 0) return -errno;
    t.c_cflag &= ~(tcflag_t)(CBAUD | (CBAUD << IBSHIFT));
    t.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
    t.c_ispeed = baud;
    t.c_ospeed = baud;
    if (ioctl(fd, TCSETS2, &t) < 0) return -errno;
    return 0;
}

#else
/* ISO C forbids an empty translation unit. */
typedef int cellmqtt_posix_baud_linux_unused;
#endif
