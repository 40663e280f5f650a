/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* Tests of the POSIX port on a pseudo-terminal and loopback sockets: serial setup (raw 8N1,
 * standard and non-standard rates), non-blocking writes, waits that honour their timeout and
 * wake on RX in both RX modes, link failure, emulator control replies, trace escaping; a tty
 * left "cooked" (canonical input, echo, signals, CR/LF translation, XON/XOFF, 7 bits, parity,
 * two stop bits, output processing: what a getty or a previous program may leave) made fully
 * raw 8N1 with VMIN 1 / VTIME 0; back-pressure (3000 bytes at once are all delivered, none
 * counted as overflow, in both RX modes: the rest waits in the kernel); the module side
 * hanging up in poll-loop mode (POLLHUP, EIO); close twice, leaving no descriptor open. */
#define _XOPEN_SOURCE 700 /* posix_openpt & co. */
#define _DEFAULT_SOURCE
#include "cellmqtt_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#if defined(__linux__)
int64_t test_read_baud(int fd);
#endif

static int passed, failed;
#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (cond) passed++;                                                         \
        else {                                                                      \
            failed++;                                                               \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
        }                                                                           \
    } while (0)

static uint8_t rx_buf[CELLMQTT_POSIX_READ_MAX], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];
static cellmqtt_t handle;
static cellmqtt_posix_t port;
static cellmqtt_callbacks_t cb;
static char last_log[512];

static void capture_log(cellmqtt_posix_t *p, const char *line) {
    (void)p;
    snprintf(last_log, sizeof last_log, "%s", line);
}

static void quiet(cellmqtt_posix_t *p, const char *line) {
    (void)p;
    (void)line;
}

/* A pty pair: returns the master fd and writes the slave's path. */
static int open_pty(char *slave, size_t len) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) return -1;
    snprintf(slave, len, "%s", ptsname(m));
    return m;
}

static uint32_t rx_bytes(void) {
    cellmqtt_stats_t s;
    cellmqtt_poll(&handle);
    cellmqtt_stats(&handle, &s);
    return s.rx_bytes;
}

static void init_engine(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker";
    cfg.client_id = "port-test";
    cfg.rx_buf = rx_buf;
    cfg.rx_buf_len = sizeof rx_buf;
    cfg.line_buf = line_buf;
    cfg.line_buf_len = sizeof line_buf;
    cfg.queue_buf = queue_buf;
    cfg.queue_buf_len = sizeof queue_buf;
    cfg.sub_buf = sub_buf;
    cfg.sub_buf_len = sizeof sub_buf;
    cellmqtt_posix_callbacks(&port, &cb);
    CHECK(cellmqtt_init(&handle, &cfg, &cb) == CELLMQTT_STATUS_OK);
}

static void test_serial(void) {
    char slave[128];
    int master = open_pty(slave, sizeof slave);
    CHECK(master >= 0);
    cellmqtt_posix_init(&port);
    CHECK(cellmqtt_posix_open_serial(&port, "/nonexistent/tty", 115200) == -ENOENT);
    CHECK(cellmqtt_posix_open_serial(&port, slave, 115200) == 0);
    struct termios t;
    CHECK(tcgetattr(port.fd, &t) == 0);
    CHECK(!(t.c_lflag & (ICANON | ECHO | ISIG)) && !(t.c_oflag & OPOST));
    CHECK((t.c_cflag & CSIZE) == CS8 && !(t.c_cflag & (PARENB | CSTOPB)));
    CHECK(!(t.c_iflag & (ICRNL | IXON)));
    CHECK(cfgetospeed(&t) == B115200);
    CHECK(fcntl(port.fd, F_GETFL) & O_NONBLOCK);
    cellmqtt_posix_close(&port);
#if defined(__linux__)
    CHECK(cellmqtt_posix_open_serial(&port, slave, 250000) == 0);
    CHECK(test_read_baud(port.fd) == 250000);
    cellmqtt_posix_close(&port);
#endif

    /* The engine's link: writes never block, waits honour timeouts and wake on RX. */
    CHECK(cellmqtt_posix_open_serial(&port, slave, 115200) == 0);
    init_engine();
    static uint8_t junk[4096];
    int32_t r = 1;
    for (int i = 0; i < 10000 && r > 0; i++) r = cb.uart_write(cb.user, junk, sizeof junk);
    CHECK(r == 0 && port.write_blocked); /* "try later", not a block or an error */
    char drain[4096];
    CHECK(fcntl(master, F_SETFL, O_NONBLOCK) == 0);
    while (read(master, drain, sizeof drain) > 0) {}
    CHECK(cellmqtt_posix_wait(&port, &handle, 1000) == 0);
    CHECK(!port.write_blocked);

    uint32_t t0 = cellmqtt_posix_tick_ms(NULL);
    CHECK(cellmqtt_posix_wait(&port, &handle, 60) == 0);
    uint32_t waited = cellmqtt_posix_tick_ms(NULL) - t0;
    CHECK(waited >= 55 && waited < 1000);

    CHECK(write(master, "\r\nRDY\r\n", 7) == 7);
    t0 = cellmqtt_posix_tick_ms(NULL);
    CHECK(cellmqtt_posix_wait(&port, &handle, 5000) == 0);
    CHECK(cellmqtt_posix_tick_ms(NULL) - t0 < 1000);
    CHECK(rx_bytes() == 7);

    /* Reader-thread mode: the thread feeds, wait() wakes on its signal. */
    CHECK(cellmqtt_posix_start_reader(&port, &handle) == 0);
    CHECK(write(master, "\r\nOK\r\n", 6) == 6);
    t0 = cellmqtt_posix_tick_ms(NULL);
    CHECK(cellmqtt_posix_wait(&port, &handle, 5000) == 0);
    CHECK(cellmqtt_posix_tick_ms(NULL) - t0 < 1000);
    CHECK(rx_bytes() == 13);

    /* The module side goes away: the reader sees it, wait() reports it. */
    close(master);
    int w = 0;
    for (int i = 0; i < 50 && w == 0; i++) w = cellmqtt_posix_wait(&port, &handle, 100);
    CHECK(w == -1 && port.link_errno != 0);
    cellmqtt_posix_close(&port);
    CHECK(cellmqtt_deinit(&handle) == CELLMQTT_STATUS_OK);
}

static void test_tcp_and_control(void) {
    cellmqtt_posix_init(&port);
    CHECK(cellmqtt_posix_open_tcp(&port, "no-port-here") == -EINVAL);
    CHECK(cellmqtt_posix_open_tcp(&port, "127.0.0.1:") == -EINVAL);
    /* A name that cannot resolve says so (not EHOSTUNREACH). */
    CHECK(cellmqtt_posix_open_tcp(&port, "nosuch.invalid:1") == CELLMQTT_POSIX_ERR_RESOLVE);
    CHECK(strcmp(port.resolve_host, "nosuch.invalid") == 0);
    CHECK(strncmp(cellmqtt_posix_strerror(&port, CELLMQTT_POSIX_ERR_RESOLVE),
                  "cannot resolve nosuch.invalid", 29) == 0);

    int srv = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    CHECK(bind(srv, (struct sockaddr *)&a, sizeof a) == 0 && listen(srv, 2) == 0);
    CHECK(getsockname(srv, (struct sockaddr *)&a, &alen) == 0);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", ntohs(a.sin_port));
    CHECK(cellmqtt_posix_open_tcp(&port, addr) == 0 && port.is_tcp);
    int module = accept(srv, NULL, NULL);
    CHECK(cellmqtt_posix_open_control(&port, addr) == 0);
    int control = accept(srv, NULL, NULL);
    init_engine();

    /* A pin change goes to the control socket; an error reply is counted and kept. */
    cb.pin_set(cb.user, CELLMQTT_PIN_RESET, true);
    char got[64] = {0};
    CHECK(recv(control, got, sizeof got - 1, 0) == 12 && strcmp(got, "pin reset 1\n") == 0);
    CHECK(send(control, "ok\nerror no such pin\n", 21, 0) == 21);
    port.log = capture_log;
    for (int i = 0; i < 10 && port.control_errors == 0; i++) {
        cellmqtt_posix_wait(&port, &handle, 500);
    }
    CHECK(port.control_errors == 1 && strcmp(port.control_error, "error no such pin") == 0);

    /* Trace: bytes to the module are logged escaped. */
    port.trace = true;
    CHECK(cb.uart_write(cb.user, (const uint8_t *)"AT\r\n\x01\\", 6) == 6);
    CHECK(strcmp(last_log, "TX AT\\r\\n\\x01\\\\") == 0);
    CHECK(recv(module, got, sizeof got, 0) == 6);
    port.trace = false;

    /* The replayable trace: header, `>` for writes, `<` for what was fed, gpio comments. */
    FILE *tf = tmpfile();
    CHECK(tf != NULL);
    cellmqtt_posix_trace_open(&port, tf, "test");
    CHECK(cb.uart_write(cb.user, (const uint8_t *)"AT \"x\"\r", 7) == 7);
    CHECK(recv(module, got, sizeof got, 0) == 7);
    CHECK(send(module, "\r\nOK\r\n\xff", 7, 0) == 7);
    for (int i = 0; i < 10 && rx_bytes() < 7; i++) cellmqtt_posix_wait(&port, &handle, 500);
    cb.pin_set(cb.user, CELLMQTT_PIN_RESET, false);
    CHECK(recv(control, got, sizeof got - 1, 0) == 12);
    port.trace_file = NULL;
    rewind(tf);
    char text[512] = {0};
    size_t tn = fread(text, 1, sizeof text - 1, tf);
    fclose(tf);
    char dir1 = 0, dir2 = 0, bytes1[64] = {0}, bytes2[64] = {0};
    unsigned t1 = 0, t2 = 0;
    CHECK(tn > 0 && strncmp(text, "# cellmqtt-trace v1 test\n", 25) == 0);
    CHECK(sscanf(strchr(text, '\n') + 1, "%u %c %63[^\n]\n%u %c %63[^\n]", &t1, &dir1, bytes1,
                 &t2, &dir2, bytes2) == 6);
    CHECK(dir1 == '>' && strcmp(bytes1, "AT \"x\"\\r") == 0);
    CHECK(dir2 == '<' && strcmp(bytes2, "\\r\\nOK\\r\\n\\xFF") == 0 && t2 >= t1);
    CHECK(strstr(text, "\n# gpio reset 0\n") != NULL);

    /* TCP EOF from the module side is a failed link. */
    close(module);
    int w = 0;
    for (int i = 0; i < 10 && w == 0; i++) w = cellmqtt_posix_wait(&port, &handle, 500);
    CHECK(w == -1 && port.link_errno == ECONNRESET);
    cellmqtt_posix_close(&port);
    CHECK(port.fd == -1 && port.control_fd == -1);
    close(control);
    close(srv);
    CHECK(cellmqtt_deinit(&handle) == CELLMQTT_STATUS_OK);
}

static cellmqtt_stats_t stats(void) {
    cellmqtt_stats_t s;
    memset(&s, 0, sizeof s);
    cellmqtt_stats(&handle, &s);
    return s;
}

static void test_cooked_to_raw(void) {
    char slave[128];
    int master = open_pty(slave, sizeof slave);
    CHECK(master >= 0);
    /* Cook the line first, through a descriptor of our own. */
    int fd = open(slave, O_RDWR | O_NOCTTY);
    CHECK(fd >= 0);
    struct termios t;
    CHECK(tcgetattr(fd, &t) == 0);
    t.c_iflag |= BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY;
    t.c_oflag |= OPOST | ONLCR;
    t.c_lflag |= ECHO | ECHONL | ICANON | ISIG | IEXTEN;
    t.c_cflag = (t.c_cflag & ~(tcflag_t)CSIZE) | CS7 | PARENB | CSTOPB;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 5;
    cfsetispeed(&t, B9600);
    cfsetospeed(&t, B9600);
    CHECK(tcsetattr(fd, TCSANOW, &t) == 0);
    close(fd);

    cellmqtt_posix_init(&port);
    port.log = quiet;
    CHECK(cellmqtt_posix_open_serial(&port, slave, 115200) == 0);
    CHECK(tcgetattr(port.fd, &t) == 0);
    CHECK(!(t.c_iflag & (IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                         IXOFF | IXANY)));
    CHECK(!(t.c_oflag & OPOST));
    CHECK(!(t.c_lflag & (ECHO | ECHONL | ICANON | ISIG | IEXTEN)));
    CHECK((t.c_cflag & CSIZE) == CS8);
    CHECK(!(t.c_cflag & (PARENB | CSTOPB)));
    CHECK((t.c_cflag & (CLOCAL | CREAD)) == (CLOCAL | CREAD));
    CHECK(t.c_cc[VMIN] == 1 && t.c_cc[VTIME] == 0);
    CHECK(cfgetispeed(&t) == B115200 && cfgetospeed(&t) == B115200);
    /* Bytes pass unchanged both ways: CR, LF, 0x11/0x13 (XON/XOFF), 0x03 (INTR), 8th bit. */
    static const uint8_t probe[] = {'\r', '\n', 0x11, 0x13, 0x03, 0xff, 'A'};
    memset(&cb, 0, sizeof cb);
    cellmqtt_posix_callbacks(&port, &cb);
    CHECK(cb.uart_write(cb.user, probe, sizeof probe) == (int32_t)sizeof probe);
    uint8_t got[16];
    ssize_t n = 0;
    for (int i = 0; i < 100 && n < (ssize_t)sizeof probe; i++) {
        ssize_t r = read(master, got + n, sizeof got - (size_t)n);
        if (r > 0) n += r;
        else usleep(1000);
    }
    CHECK(n == (ssize_t)sizeof probe && memcmp(got, probe, sizeof probe) == 0);
    cellmqtt_posix_close(&port);
    close(master);
    memset(&cb, 0, sizeof cb);
}

/* 3000 bytes at once against a 64-byte ring, in one RX mode. */
static void backpressure(bool reader) {
    char slave[128];
    int master = open_pty(slave, sizeof slave);
    CHECK(master >= 0);
    cellmqtt_posix_init(&port);
    port.log = quiet;
    CHECK(cellmqtt_posix_open_serial(&port, slave, 115200) == 0);
    init_engine();
    if (reader) CHECK(cellmqtt_posix_start_reader(&port, &handle) == 0);
    static char blob[3000];
    memset(blob, '\n', sizeof blob);
    size_t off = 0;
    uint32_t rx0 = stats().rx_bytes;
    for (int i = 0; i < 20000 && stats().rx_bytes - rx0 < sizeof blob; i++) {
        if (off < sizeof blob) {
            ssize_t w = write(master, blob + off, sizeof blob - off);
            if (w > 0) off += (size_t)w;
        }
        cellmqtt_poll(&handle);
        CHECK(cellmqtt_posix_wait(&port, &handle, 5) == 0);
    }
    cellmqtt_poll(&handle);
    cellmqtt_stats_t s = stats();
    fprintf(stderr, "  %s mode: %u of %zu bytes delivered, %u overflowed\n",
            reader ? "reader-thread" : "poll-loop", (unsigned)(s.rx_bytes - rx0), sizeof blob,
            (unsigned)s.rx_overflow_bytes);
    CHECK(off == sizeof blob);
    CHECK(s.rx_bytes - rx0 == sizeof blob);
    CHECK(s.rx_overflow_bytes == 0);

    /* 3. The module side hangs up. */
    close(master);
    int w = 0;
    for (int i = 0; i < 50 && w == 0; i++) w = cellmqtt_posix_wait(&port, &handle, 100);
    CHECK(w == -1 && port.link_errno != 0);

    /* 4. Close twice; every descriptor of the port is gone. */
    int fds[] = {port.fd, port.wake[0], port.wake[1], port.stop[0], port.stop[1]};
    cellmqtt_posix_close(&port);
    cellmqtt_posix_close(&port);
    CHECK(port.fd == -1 && port.wake[0] == -1 && port.stop[1] == -1 && !port.reader_running);
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] >= 0) CHECK(fcntl(fds[i], F_GETFD) == -1 && errno == EBADF);
    }
    CHECK(cellmqtt_deinit(&handle) == CELLMQTT_STATUS_OK);
}

int main(void) {
    uint32_t a = cellmqtt_posix_tick_ms(NULL), b = cellmqtt_posix_tick_ms(NULL);
    CHECK(b - a < 1000);
    CHECK(strcmp(cellmqtt_posix_pin_name(CELLMQTT_PIN_PWRKEY), "pwrkey") == 0);
    test_serial();
    test_tcp_and_control();
    test_cooked_to_raw();
    backpressure(false);
    backpressure(true);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
