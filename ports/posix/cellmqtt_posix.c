/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt POSIX port: serial/TCP link, monotonic tick, RX by poll loop or reader thread,
 * pins to the emulator's control socket or a hook, log and trace. See cellmqtt_posix.h. */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* glibc: CRTSCTS, getaddrinfo & co. with -std=c11 */
#endif
#if !defined(_DARWIN_C_SOURCE)
#define _DARWIN_C_SOURCE /* macOS: the same names */
#endif

#include "cellmqtt_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
int cellmqtt_posix_set_custom_baud(int fd, uint32_t baud); /* baud_linux.c */
#endif

#if !defined(MSG_NOSIGNAL)
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE must be ignored by the application instead */
#endif

/* ---- time ---- */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t cellmqtt_posix_tick_ms(void *user) {
    (void)user;
    /* Truncation is intended: the engine takes a wrapping 32-bit tick, like an MCU's. */
    return (uint32_t)(now_ns() / 1000000u);
}

/* ---- log and trace ---- */

static void log_line(cellmqtt_posix_t *port, const char *line) {
    if (port->log) {
        port->log(port, line);
        return;
    }
    uint64_t t = now_ns() - port->t0_ns;
    /* One fprintf per line: stdio locks the stream, so reader-thread lines stay whole. */
    fprintf(stderr, "[%5u.%03u] %s\n", (unsigned)(t / 1000000000u),
            (unsigned)(t / 1000000u % 1000u), line);
}

void cellmqtt_posix_logf(cellmqtt_posix_t *port, const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    log_line(port, line);
}

/* Escapes `data` into `out` (cap >= 4 * len + 1): printable ASCII as is except `\`, and
 * `\\`, `\r`, `\n`, `\xNN` for the rest. Returns the length written (NUL-terminated). Both the
 * human trace and the replayable one use it, so a line read in one reads the same in the other. */
static size_t escape_bytes(char *out, const uint8_t *data, size_t len) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\r') { out[n++] = '\\'; out[n++] = 'r'; }
        else if (c == '\n') { out[n++] = '\\'; out[n++] = 'n'; }
        else if (c == '\\') { out[n++] = '\\'; out[n++] = '\\'; }
        else if (c >= 0x20 && c < 0x7f) out[n++] = (char)c;
        else {
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = 0;
    return n;
}

/* Logs `dir` and the bytes escaped, in pieces of at most 256 bytes ("TX+" continues). */
static void trace_bytes(cellmqtt_posix_t *port, const char *dir, const uint8_t *data, size_t len) {
    char line[8 + 4 * 256 + 1];
    const char *mark = "";
    do {
        size_t take = len < 256 ? len : 256;
        size_t n = (size_t)snprintf(line, sizeof line, "%s%s ", dir, mark);
        escape_bytes(line + n, data, take);
        log_line(port, line);
        data += take;
        len -= take;
        mark = "+";
    } while (len > 0);
}

/* The replayable trace, version 1 (tests/emulator/src/replay.rs reads it):
 *
 *     # cellmqtt-trace v1 <info>
 *     <t_ms> <dir> <bytes>
 *
 * t_ms: milliseconds since the trace started; dir: `>` what the engine wrote to the module,
 * `<` what the module sent and was fed to the engine; bytes: escaped as by escape_bytes()
 * (everything after the second space, spaces included). One line per write or read, so the
 * chunking is the real one; a chunk over 256 bytes is split into lines with the same t_ms.
 * Lines starting with `#` are comments (`# gpio reset 1`, the header). Each line is written
 * with one fwrite (stdio locks the stream, so the reader thread's lines stay whole) and
 * flushed, so a crash loses nothing before it. */
static void trace_file_line(cellmqtt_posix_t *port, char dir, const uint8_t *data, size_t len) {
    char line[24 + 4 * 256 + 2];
    unsigned long long t = (unsigned long long)((now_ns() - port->trace_t0_ns) / 1000000u);
    do {
        size_t take = len < 256 ? len : 256;
        size_t n = (size_t)snprintf(line, sizeof line, "%llu %c ", t, dir);
        n += escape_bytes(line + n, data, take);
        line[n++] = '\n';
        fwrite(line, 1, n, port->trace_file);
        data += take;
        len -= take;
    } while (len > 0);
    fflush(port->trace_file);
}

void cellmqtt_posix_trace_open(cellmqtt_posix_t *port, FILE *f, const char *info) {
    port->trace_file = f;
    port->trace_t0_ns = now_ns();
    fprintf(f, "# cellmqtt-trace v1%s%s\n", info ? " " : "", info ? info : "");
    fflush(f);
}

void cellmqtt_posix_trace_comment(cellmqtt_posix_t *port, const char *text) {
    if (!port->trace_file) return;
    /* A comment is one line whatever `text` holds: CR and LF become spaces. */
    char line[1024];
    size_t n = (size_t)snprintf(line, sizeof line - 1, "# %s", text);
    if (n > sizeof line - 2) n = sizeof line - 2;
    for (size_t i = 2; i < n; i++) {
        if (line[i] == '\r' || line[i] == '\n') line[i] = ' ';
    }
    line[n++] = '\n';
    fwrite(line, 1, n, port->trace_file);
    fflush(port->trace_file);
}

const char *cellmqtt_posix_strerror(const cellmqtt_posix_t *port, int err) {
    if (err == CELLMQTT_POSIX_ERR_RESOLVE) return port->resolve_reason;
    return strerror(err < 0 ? -err : err);
}

/* ---- setup ---- */

const char *cellmqtt_posix_pin_name(cellmqtt_pin_t pin) {
    switch (pin) {
    case CELLMQTT_PIN_RESET: return "reset";
    case CELLMQTT_PIN_POWER: return "power";
    case CELLMQTT_PIN_PWRKEY: return "pwrkey";
    case CELLMQTT_PIN_STATUS: return "status";
    default: return "unknown";
    }
}

void cellmqtt_posix_init(cellmqtt_posix_t *port) {
    memset(port, 0, sizeof *port);
    port->fd = -1;
    port->control_fd = -1;
    port->wake[0] = port->wake[1] = -1;
    port->stop[0] = port->stop[1] = -1;
    port->t0_ns = now_ns();
}

static int set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -errno;
    return 0;
}

/* The rates termios names on every POSIX system (plus the fast ones where they exist). */
static speed_t standard_speed(uint32_t baud) {
    switch (baud) {
    case 1200: return B1200;
    case 2400: return B2400;
    case 4800: return B4800;
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
#if defined(B460800)
    case 460800: return B460800;
#endif
#if defined(B921600)
    case 921600: return B921600;
#endif
    default: return B0;
    }
}

int cellmqtt_posix_open_serial(cellmqtt_posix_t *port, const char *path, uint32_t baud) {
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct termios t;
    if (tcgetattr(fd, &t) < 0) goto fail;
    /* Raw 8N1 by hand (cfmakeraw is not POSIX): no echo, no line editing, no CR/LF
     * translation, no software or hardware flow control, receiver on, modem lines ignored. */
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                             IXOFF | IXANY);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB);
#if defined(CRTSCTS)
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    speed_t speed = standard_speed(baud);
#if defined(__linux__)
    if (speed == B0) speed = B115200; /* placeholder; the real rate is set by termios2 below */
#else
    if (speed == B0) speed = (speed_t)baud; /* BSD and macOS: speed_t is the rate itself */
#endif
    if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0) goto fail;
    if (tcsetattr(fd, TCSANOW, &t) < 0) goto fail;
#if defined(__linux__)
    if (standard_speed(baud) == B0) {
        int r = cellmqtt_posix_set_custom_baud(fd, baud);
        if (r < 0) {
            close(fd);
            return r;
        }
    }
#endif
    tcflush(fd, TCIOFLUSH); /* bytes from before we owned the port are not ours */
    port->fd = fd;
    port->is_tcp = false;
    return 0;
fail:;
    int e = errno;
    close(fd);
    return -e;
}

/* Connects a TCP socket to "HOST:PORT" or "[V6ADDR]:PORT"; returns the fd, a negative errno,
 * or CELLMQTT_POSIX_ERR_RESOLVE (the name and reason go to `port`). */
static int tcp_connect(cellmqtt_posix_t *port, const char *host_port) {
    char host[256];
    const char *colon = strrchr(host_port, ':');
    if (!colon || colon == host_port || (size_t)(colon - host_port) >= sizeof host) return -EINVAL;
    const char *h = host_port;
    size_t hlen = (size_t)(colon - host_port);
    if (h[0] == '[' && hlen >= 2 && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    memcpy(host, h, hlen);
    host[hlen] = 0;
    const char *service = colon + 1;
    if (!*service) return -EINVAL;

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        /* EAI_SYSTEM is a local failure (out of descriptors, ...), not a name problem. */
        if (gai == EAI_SYSTEM && errno) return -errno;
        snprintf(port->resolve_host, sizeof port->resolve_host, "%s", host);
        snprintf(port->resolve_reason, sizeof port->resolve_reason, "cannot resolve %.200s: %.100s",
                 host, gai_strerror(gai));
        return CELLMQTT_POSIX_ERR_RESOLVE;
    }
    int err = -ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = -errno;
            continue;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC); /* not SOCK_CLOEXEC: macOS lacks it */
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            /* AT traffic is many small writes; Nagle would add ~40 ms per round trip. */
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            freeaddrinfo(res);
            int r = set_nonblocking(fd);
            if (r < 0) {
                close(fd);
                return r;
            }
            return fd;
        }
        err = -errno;
        close(fd);
    }
    freeaddrinfo(res);
    return err;
}

int cellmqtt_posix_open_tcp(cellmqtt_posix_t *port, const char *host_port) {
    int fd = tcp_connect(port, host_port);
    if (fd < 0) return fd;
    port->fd = fd;
    port->is_tcp = true;
    return 0;
}

int cellmqtt_posix_open_control(cellmqtt_posix_t *port, const char *host_port) {
    int fd = tcp_connect(port, host_port);
    if (fd < 0) return fd;
    port->control_fd = fd;
    return 0;
}

/* Writes a whole short line to the control socket (loopback: it never really blocks). */
int cellmqtt_posix_control(cellmqtt_posix_t *port, const char *command) {
    if (port->control_fd < 0) return -ENOTCONN;
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", command);
    if (n < 0 || (size_t)n >= sizeof line) return -EINVAL;
    size_t off = 0;
    while (off < (size_t)n) {
        ssize_t w = send(port->control_fd, line + off, (size_t)n - off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {port->control_fd, POLLOUT, 0};
                poll(&p, 1, 100);
                continue;
            }
            int e = errno;
            cellmqtt_posix_logf(port, "control socket: %s", strerror(e));
            return -e;
        }
        off += (size_t)w;
    }
    port->control_pending++;
    return 0;
}

/* Reads control replies; every `error ...` is logged and counted. */
static void read_control(cellmqtt_posix_t *port) {
    char buf[256];
    ssize_t n = recv(port->control_fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        cellmqtt_posix_logf(port, "control socket closed");
        close(port->control_fd);
        port->control_fd = -1;
        return;
    }
    for (ssize_t i = 0; i < n; i++) {
        char c = buf[i];
        if (c != '\n') {
            if (port->control_len < sizeof port->control_line - 1) {
                port->control_line[port->control_len++] = c;
            }
            continue;
        }
        port->control_line[port->control_len] = 0;
        port->control_len = 0;
        memcpy(port->control_line_last, port->control_line, sizeof port->control_line_last);
        if (port->control_pending) port->control_pending--;
        if (strncmp(port->control_line, "ok", 2) != 0) {
            port->control_errors++;
            snprintf(port->control_error, sizeof port->control_error, "%s", port->control_line);
            cellmqtt_posix_logf(port, "control socket: %s", port->control_line);
        }
    }
}

int cellmqtt_posix_control_query(cellmqtt_posix_t *port, const char *command, char *reply,
                                 size_t reply_size, uint32_t timeout_ms) {
    int r = cellmqtt_posix_control(port, command);
    if (r < 0) return r;
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
    /* Replies come in order: ours is the last one due. */
    while (port->control_pending > 0 && port->control_fd >= 0) {
        uint64_t now = now_ns();
        if (now >= deadline) return -ETIMEDOUT;
        struct pollfd p = {port->control_fd, POLLIN, 0};
        int n = poll(&p, 1, (int)((deadline - now) / 1000000u) + 1);
        if (n < 0 && errno != EINTR) return -errno;
        if (n > 0) read_control(port);
    }
    if (port->control_fd < 0) return -ENOTCONN;
    if (reply && reply_size) snprintf(reply, reply_size, "%s", port->control_line_last);
    return 0;
}

/* ---- engine callbacks ---- */

static void link_failed(cellmqtt_posix_t *port, int e) {
    int none = 0;
    /* The first error wins; written by either thread. */
    __atomic_compare_exchange_n(&port->link_errno, &none, e ? e : EIO, false, __ATOMIC_SEQ_CST,
                                __ATOMIC_SEQ_CST);
}

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    cellmqtt_posix_t *port = user;
    if (port->fd < 0) return -1;
    ssize_t n = port->is_tcp ? send(port->fd, data, len, MSG_NOSIGNAL) : write(port->fd, data, len);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            port->write_blocked = true;
            return 0;
        }
        int e = errno;
        cellmqtt_posix_logf(port, "write to module: %s", strerror(e));
        link_failed(port, e);
        return -1;
    }
    if (port->trace && n > 0) trace_bytes(port, "TX", data, (size_t)n);
    if (port->trace_file && n > 0) trace_file_line(port, '>', data, (size_t)n);
    port->write_blocked = (size_t)n < len;
    return (int32_t)n;
}

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    cellmqtt_posix_t *port = user;
    if (port->trace_file) {
        char text[32];
        snprintf(text, sizeof text, "gpio %s %d", cellmqtt_posix_pin_name(pin), active ? 1 : 0);
        cellmqtt_posix_trace_comment(port, text);
    }
    if (port->control_fd >= 0) {
        char cmd[32];
        snprintf(cmd, sizeof cmd, "pin %s %d", cellmqtt_posix_pin_name(pin), active ? 1 : 0);
        cellmqtt_posix_control(port, cmd);
    }
    if (port->pin_hook) port->pin_hook(port, pin, active);
}

/* STATUS: the emulator's `pin status` (`ok {"level":1}`), or the application's hook. */
static int32_t pin_get(void *user, cellmqtt_pin_t pin) {
    cellmqtt_posix_t *port = user;
    if (pin != CELLMQTT_PIN_STATUS) return -1;
    int32_t level = -1;
    if (port->control_fd >= 0) {
        char reply[sizeof port->control_line];
        if (cellmqtt_posix_control_query(port, "pin status", reply, sizeof reply, 1000) == 0) {
            const char *v = strstr(reply, "\"level\":");
            if (v) level = v[8] == '1' ? 1 : v[8] == '0' ? 0 : -1;
        }
    } else if (port->status_hook) {
        level = port->status_hook(port);
    }
    if (port->trace_file) {
        char text[32];
        snprintf(text, sizeof text, "gpio status read %d", (int)level);
        cellmqtt_posix_trace_comment(port, text);
    }
    return level;
}

void cellmqtt_posix_callbacks(cellmqtt_posix_t *port, cellmqtt_callbacks_t *cb) {
    cb->user = port;
    cb->uart_write = uart_write;
    cb->tick_ms = cellmqtt_posix_tick_ms;
    cb->pin_set = pin_set;
    cb->pin_get = pin_get;
}

/* ---- RX ---- */

/* Reads once from the link (at most `max` bytes) and feeds it. Returns bytes fed, 0 for
 * "nothing now", -1 on a failed link. */
static ssize_t read_and_feed(cellmqtt_posix_t *port, cellmqtt_t *h, size_t max) {
    uint8_t buf[CELLMQTT_POSIX_READ_MAX];
    if (max == 0) return 0; /* the ring is full: the bytes wait in the kernel */
    ssize_t n = read(port->fd, buf, max < sizeof buf ? max : sizeof buf);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
        int e = errno;
        cellmqtt_posix_logf(port, "read from module: %s", strerror(e));
        link_failed(port, e);
        return -1;
    }
    if (n == 0) {
        cellmqtt_posix_logf(port, "the module link was closed");
        link_failed(port, ECONNRESET);
        return -1;
    }
    if (port->trace) trace_bytes(port, "RX", buf, (size_t)n);
    if (port->trace_file) trace_file_line(port, '<', buf, (size_t)n);
    /* RX_OVERFLOW is counted and reported by the engine as a LOSS event. */
    cellmqtt_feed(h, buf, (size_t)n);
    return n;
}

static void wake_app(cellmqtt_posix_t *port) {
    /* A full pipe already means "wake up", so a failed write loses nothing. */
    uint8_t one = 1;
    ssize_t w = write(port->wake[1], &one, 1);
    (void)w;
}

static void *reader_main(void *arg) {
    cellmqtt_posix_t *port = arg;
    for (;;) {
        /* Take only what the ring has room for and leave the rest in the kernel's buffer
         * (back-pressure); while the ring is full, look again every millisecond. */
        size_t room = cellmqtt_rx_free(port->reader_handle);
        struct pollfd fds[2] = {{port->fd, POLLIN, 0}, {port->stop[0], POLLIN, 0}};
        int ready = room ? poll(fds, 2, -1) : poll(&fds[1], 1, 1);
        if (ready < 0) {
            if (errno == EINTR) continue;
            link_failed(port, errno);
            break;
        }
        if (fds[1].revents) return NULL; /* cellmqtt_posix_close */
        if (!room || !fds[0].revents) continue;
        ssize_t n = read_and_feed(port, port->reader_handle, room);
        if (n < 0) break;
        if (n > 0) wake_app(port);
    }
    wake_app(port); /* the link failed: let cellmqtt_posix_wait report it */
    return NULL;
}

static int make_pipe(int p[2]) {
    if (pipe(p) < 0) return -errno;
    for (int i = 0; i < 2; i++) {
        int r = set_nonblocking(p[i]);
        if (r < 0) return r;
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}

int cellmqtt_posix_start_reader(cellmqtt_posix_t *port, cellmqtt_t *h) {
    if (port->fd < 0 || port->reader_running) return -EINVAL;
    int r = make_pipe(port->wake);
    if (r == 0) r = make_pipe(port->stop);
    if (r < 0) return r;
    port->reader_handle = h;
    r = pthread_create(&port->reader, NULL, reader_main, port);
    if (r != 0) return -r;
    port->reader_running = true;
    return 0;
}

int cellmqtt_posix_wait(cellmqtt_posix_t *port, cellmqtt_t *h, uint32_t timeout_ms) {
    if (__atomic_load_n(&port->link_errno, __ATOMIC_SEQ_CST)) return -1;
    struct pollfd fds[2];
    nfds_t n = 0;
    if (port->reader_running) {
        fds[n++] = (struct pollfd){port->wake[0], POLLIN, 0};
    } else {
        short events = POLLIN;
        if (port->write_blocked) events |= POLLOUT; /* the engine wants to write more */
        fds[n++] = (struct pollfd){port->fd, events, 0};
    }
    if (port->control_fd >= 0) fds[n++] = (struct pollfd){port->control_fd, POLLIN, 0};
    int timeout = timeout_ms > (uint32_t)INT_MAX ? -1 : (int)timeout_ms;
    int ready = poll(fds, n, timeout);
    if (ready < 0) return errno == EINTR ? 0 : -1;
    if (n == 2 && fds[1].revents) read_control(port);
    if (port->reader_running) {
        if (fds[0].revents) {
            uint8_t drain[64];
            while (read(port->wake[0], drain, sizeof drain) > 0) {}
        }
    } else {
        if (fds[0].revents & POLLOUT) port->write_blocked = false;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            read_and_feed(port, h, cellmqtt_rx_free(h));
        }
    }
    return __atomic_load_n(&port->link_errno, __ATOMIC_SEQ_CST) ? -1 : 0;
}

void cellmqtt_posix_close(cellmqtt_posix_t *port) {
    if (port->reader_running) {
        uint8_t one = 1;
        ssize_t w = write(port->stop[1], &one, 1);
        (void)w; /* an empty non-blocking pipe always takes one byte */
        pthread_join(port->reader, NULL);
        port->reader_running = false;
    }
    int *fds[] = {&port->fd, &port->control_fd, &port->wake[0], &port->wake[1],
                  &port->stop[0], &port->stop[1]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0) close(*fds[i]);
        *fds[i] = -1;
    }
}
