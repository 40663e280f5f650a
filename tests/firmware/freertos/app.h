/* The FreeRTOS test application, shared by the Cortex-M3 (QEMU) and POSIX-port builds: the
 * cellmqtt task from ports/freertos, and an application task that runs the scenario through
 * the thread-safe API. The engine's callbacks run in the cellmqtt task and only forward what
 * they report to the application task through a queue. */
#ifndef APP_H
#define APP_H

#include "cellmqtt_freertos.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct app_platform_t {
    const char *name;
    uint16_t broker_port;
    /* The module UART: non-blocking write (the engine's uart_write contract). */
    int32_t (*uart_write)(void *user, const uint8_t *data, size_t len);
    /* The RESET line: here a line to the emulator's control socket. */
    void (*reset_line)(bool active);
    void (*write_line)(const char *line);
    void (*finish)(int exit_code) __attribute__((noreturn));
    /* Task stacks are the real ones (not on the POSIX port, where tasks run on pthreads). */
    bool report_stack;
} app_platform_t;

/* The port instance; the platform's RX interrupt feeds it. */
extern cellmqtt_freertos_t app_modem;

/* Creates the queue and both tasks; the caller then starts the scheduler. False on failure. */
bool app_start(const app_platform_t *platform);

#define APP_CELLMQTT_STACK_WORDS 1024u
#define APP_CELLMQTT_PRIORITY (tskIDLE_PRIORITY + 3)
#define APP_TASK_PRIORITY (tskIDLE_PRIORITY + 2)

#endif /* APP_H */
