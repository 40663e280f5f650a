/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* cellmqtt POSIX port: Linux (and macOS) hosts.
 *
 * What it gives the engine:
 *   - the link to the module: a serial device (termios raw 8N1, any baud) or a TCP socket
 *     (cellmqtt-emu, a serial-to-TCP bridge), written without blocking;
 *   - a monotonic millisecond tick (CLOCK_MONOTONIC, wraps at 2^32 like any MCU tick);
 *   - RX delivery in one of two ways (pick one per port):
 *       poll loop:     cellmqtt_posix_wait() sleeps in poll() on the link and feeds what it
 *                      reads, so the application thread does everything (the default);
 *       reader thread: cellmqtt_posix_start_reader() reads and feeds from its own thread, as an
 *                      RX task would, and cellmqtt_posix_wait() sleeps until it signals;
 *     both read no more than cellmqtt_rx_free() allows, so the RX ring never overflows: what
 *     does not fit waits in the kernel's buffer;
 *   - control lines: every pin change goes to the emulator's control socket (`pin reset 1`) when
 *     one is open, and to the application's pin_hook (real GPIOs, logging) when one is set;
 *   - log lines, and an optional trace of every byte written to and fed from the module.
 *
 * The main loop is the same in both RX modes:
 *
 *     for (;;) {
 *         cellmqtt_poll(&h);
 *         if (cellmqtt_posix_wait(&port, &h, cellmqtt_poll_delay_ms(&h)) < 0) break;
 *     }
 *
 * Threads: every function here runs in the application thread, except the reader thread's own
 * work (read, trace, cellmqtt_feed). No function allocates. */
#ifndef CELLMQTT_POSIX_H
#define CELLMQTT_POSIX_H

#include "cellmqtt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most bytes one read takes from the link (it also never exceeds cellmqtt_rx_free()). */
#define CELLMQTT_POSIX_READ_MAX 512

/* Returned by the open functions when the host name of "HOST:PORT" does not resolve (no
 * errno says that: EHOSTUNREACH would send users hunting for a routing problem). The name and
 * the resolver's reason are in port->resolve_host and port->resolve_reason. */
#define CELLMQTT_POSIX_ERR_RESOLVE (-100000)

typedef struct cellmqtt_posix_t cellmqtt_posix_t;

struct cellmqtt_posix_t {
    /* ---- set by the application (after cellmqtt_posix_init) ---- */
    /* Free for the application; the callbacks get the port as `user`, this leads back. */
    void *app;
    /* Log every byte written to (TX) and fed from (RX) the module, through `log`. */
    bool trace;
    /* The replayable trace (cellmqtt_posix_trace_open); NULL = none. */
    FILE *trace_file;
    /* A line of diagnostics (no newline at the end). NULL: stderr with a timestamp. */
    void (*log)(cellmqtt_posix_t *port, const char *line);
    /* Called for every pin change, after it went to the emulator (if a control socket is
     * open). `active` = asserted: RESET/PWRKEY held low, POWER switched on. Runs inside
     * cellmqtt_poll; keep it short (the engine times the pulse from the call). */
    void (*pin_hook)(cellmqtt_posix_t *port, cellmqtt_pin_t pin, bool active);
    /* Reads the STATUS line when no control socket answers it: 1 = module powered on, 0 =
     * off, <0 = unknown. NULL: unknown. The engine asks only while a pin sequence is due. */
    int32_t (*status_hook)(cellmqtt_posix_t *port);

    /* ---- owned by the port; read-only for the application ---- */
    int fd;         /* the link to the module, -1 when closed */
    int control_fd; /* emulator control socket, -1 when not used */
    bool is_tcp;
    uint32_t control_errors; /* `error ...` replies from the control socket */
    uint32_t control_pending; /* commands sent whose reply has not been read yet */
    char control_error[256];  /* the last of them */
    uint64_t t0_ns;          /* for log timestamps */
    /* errno of a failed link (read/write error, EOF); 0 while the link is fine. In reader-
     * thread mode the reader writes it (atomically); read it after cellmqtt_posix_wait. */
    int link_errno;
    bool write_blocked; /* the last write returned EAGAIN: wait for POLLOUT too */
    char control_line[256];
    char control_line_last[256]; /* the last complete reply (for queries) */
    size_t control_len;
    uint64_t trace_t0_ns;      /* t_ms 0 of the replayable trace */
    char resolve_host[256];    /* the name that did not resolve (CELLMQTT_POSIX_ERR_RESOLVE) */
    char resolve_reason[384];  /* gai_strerror() of that failure */
    /* reader thread mode */
    cellmqtt_t *reader_handle;
    pthread_t reader;
    bool reader_running;
    int wake[2]; /* reader -> wait(): "bytes were fed"; stop pipe in the other direction */
    int stop[2];
};

/* Zeroes the port: no link, no control socket, log to stderr. */
void cellmqtt_posix_init(cellmqtt_posix_t *port);

/* Opens a serial device raw 8N1 at `baud`, no flow control, non-blocking. Standard rates
 * everywhere; on Linux any other rate through termios2/BOTHER, elsewhere whatever
 * cfsetspeed() accepts. Returns 0 or a negative errno. */
int cellmqtt_posix_open_serial(cellmqtt_posix_t *port, const char *path, uint32_t baud);

/* Connects to "HOST:PORT" over TCP (TCP_NODELAY, non-blocking after connect). Returns 0 or a
 * negative errno (-EINVAL for a malformed address). */
int cellmqtt_posix_open_tcp(cellmqtt_posix_t *port, const char *host_port);

/* Connects to the emulator's control socket at "HOST:PORT"; from then on pin changes are sent
 * to it as `pin reset|power|pwrkey 1|0`. Returns 0 or a negative errno. */
int cellmqtt_posix_open_control(cellmqtt_posix_t *port, const char *host_port);

/* Text for a negative return of the open functions (strerror, or the resolver's reason). */
const char *cellmqtt_posix_strerror(const cellmqtt_posix_t *port, int err);

/* Starts the replayable trace on `f` (kept open by the caller; flushed after every line):
 * writes the `# cellmqtt-trace v1 ...` header with `info` appended (may be NULL), and from
 * then on one line per chunk the engine wrote (`>`) or was fed (`<`), and a `# gpio PIN LEVEL`
 * comment for every pin change. The format is described in cellmqtt_posix.c. */
void cellmqtt_posix_trace_open(cellmqtt_posix_t *port, FILE *f, const char *info);

/* Writes `# <text>` into the replayable trace (no-op without one). */
void cellmqtt_posix_trace_comment(cellmqtt_posix_t *port, const char *text);

/* Sends one command line (e.g. "close") to the control socket. Returns 0 or a negative errno.
 * The reply is read and checked by cellmqtt_posix_wait(). */
int cellmqtt_posix_control(cellmqtt_posix_t *port, const char *command);

/* Sends a command and waits (up to `timeout_ms`) for its reply line, after the replies still
 * due for earlier commands; copies it to `reply`. Returns 0, or a negative errno (-ETIMEDOUT,
 * -ENOTCONN). For queries such as `pin status`. */
int cellmqtt_posix_control_query(cellmqtt_posix_t *port, const char *command, char *reply,
                                 size_t reply_size, uint32_t timeout_ms);

/* Fills the engine callbacks the port provides (user, uart_write, tick_ms, pin_set, pin_get:
 * STATUS from the emulator's `pin status` when a control socket is open, else from
 * status_hook) and leaves on_message and on_event to the application. */
void cellmqtt_posix_callbacks(cellmqtt_posix_t *port, cellmqtt_callbacks_t *cb);

/* Reader-thread mode: starts a thread that reads the link and calls cellmqtt_feed(h, ...),
 * taking no more than cellmqtt_rx_free(h) (the kernel holds the rest; a serial driver's
 * buffer is finite, so keep rx_buf big enough for the time between two polls). Returns 0 or a
 * negative errno. */
int cellmqtt_posix_start_reader(cellmqtt_posix_t *port, cellmqtt_t *h);

/* Sleeps until bytes from the module were fed to `h` or `timeout_ms` passed (UINT32_MAX: no
 * timeout), and handles control-socket replies. In poll-loop mode it reads and feeds itself.
 * A signal ends the sleep early (returns 0). Returns 0, or -1 when the link failed
 * (port->link_errno says why). */
int cellmqtt_posix_wait(cellmqtt_posix_t *port, cellmqtt_t *h, uint32_t timeout_ms);

/* Monotonic milliseconds (the engine's tick_ms; `user` is unused). */
uint32_t cellmqtt_posix_tick_ms(void *user);

/* Stops the reader thread (if any) and closes everything the port opened. */
void cellmqtt_posix_close(cellmqtt_posix_t *port);

/* Writes one log line through port->log (printf-style). */
void cellmqtt_posix_logf(cellmqtt_posix_t *port, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Name of a pin: "reset", "power", "pwrkey" (as the emulator's control socket spells them). */
const char *cellmqtt_posix_pin_name(cellmqtt_pin_t pin);

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_POSIX_H */
