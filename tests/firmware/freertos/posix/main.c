/* The FreeRTOS test application on the kernel's POSIX port (a Linux process): the same
 * scenario as on QEMU, with TCP sockets for the two wires.
 *
 *   argv: UART_PORT CONTROL_PORT BROKER_PORT (all on 127.0.0.1)
 *
 * The RX "interrupt". On the POSIX port, tasks are pthreads of which one runs at a time, and
 * the only interrupt is the tick: SIGALRM delivered to the running task's thread, whose handler
 * runs the kernel's tick (and configUSE_TICK_HOOK). A thread the kernel did not create must
 * not call FreeRTOS functions at all, so a reader pthread cannot notify the cellmqtt task. The
 * tick hook is the port's real interrupt context instead: it reads what the socket holds with
 * a non-blocking recv() (async-signal-safe) and calls cellmqtt_freertos_rx_isr, exactly what a
 * UART RX interrupt does on a microcontroller - a UART polled at 1 kHz, like an RX-idle timer
 * over a DMA buffer. The kernel checks for a pending yield after the hook, so the woken flag
 * needs no portYIELD_FROM_ISR here.
 *
 * Tasks write with send()/write(), never stdio: the port switches threads inside signal
 * handlers, and a thread suspended inside stdio would hold its lock. SIGALRM interrupts system
 * calls (the port installs it without SA_RESTART), hence the EINTR loops. */
#define _DEFAULT_SOURCE
#include "app.h"
#include "scenario.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int uart_fd = -1, control_fd = -1;

static int connect_loopback(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
        perror("connect");
        exit(2);
    }
    return fd;
}

static void write_all(int fd, const char *text) {
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(fd, text, len);
        if (n > 0) {
            text += n;
            len -= (size_t)n;
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            return;
        }
    }
}

/* ---- the "interrupt" ---- */

void vApplicationTickHook(void) {
    uint8_t buf[256];
    ssize_t n = recv(uart_fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
        BaseType_t woken = pdFALSE;
        (void)cellmqtt_freertos_rx_isr(&app_modem, buf, (size_t)n, &woken);
    }
}

/* ---- platform ---- */

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    for (;;) {
        ssize_t n = send(uart_fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n >= 0) {
            return (int32_t)n;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return 0;
        }
        if (errno != EINTR) {
            return -1;
        }
    }
}

static void reset_line(bool active) {
    write_all(control_fd, active ? "pin reset 1\n" : "pin reset 0\n");
    /* Discard the control socket's "ok" replies. */
    char sink[64];
    while (recv(control_fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
    }
}

static void write_line(const char *line) {
    write_all(STDOUT_FILENO, line);
}

static __attribute__((noreturn)) void finish(int code) {
    _exit(code); /* nothing buffered: every line went out with write() */
}

void fw_assert_failed(const char *file, int line) {
    char buf[12];
    scenario_fmt_u32(buf, (uint32_t)line);
    write_line("@fail configASSERT ");
    write_line(file);
    write_line(":");
    write_line(buf);
    write_line("\n");
    _exit(5);
}

void vApplicationMallocFailedHook(void) {
    write_line("@fail FreeRTOS heap exhausted\n");
    _exit(6);
}

void vApplicationIdleHook(void) {
    usleep(1000); /* cut short by the next tick's signal */
}

int main(int argc, char **argv) {
    static app_platform_t platform = {
        .name = "freertos-posix",
        .uart_write = uart_write,
        .reset_line = reset_line,
        .write_line = write_line,
        .finish = finish,
        .report_stack = false,
    };
    if (argc != 4) {
        fprintf(stderr, "usage: %s UART_PORT CONTROL_PORT BROKER_PORT\n", argv[0]);
        return 2;
    }
    uint16_t uart_port = scenario_parse_port(argv[1]);
    uint16_t control_port = scenario_parse_port(argv[2]);
    platform.broker_port = scenario_parse_port(argv[3]);
    if (uart_port == 0 || control_port == 0 || platform.broker_port == 0) {
        fprintf(stderr, "bad port\n");
        return 2;
    }
    uart_fd = connect_loopback(uart_port);
    control_fd = connect_loopback(control_port);
    if (!app_start(&platform)) {
        write_line("@fail app_start\n");
        return 1;
    }
    vTaskStartScheduler();
    write_line("@fail scheduler returned\n");
    return 1;
}
