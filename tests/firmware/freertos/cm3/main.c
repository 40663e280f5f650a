/* FreeRTOS test firmware for QEMU mps2-an385 (ARM_CM3 port): the scenario through
 * ports/freertos. UART0 is the module link, its RX interrupt feeds the engine and notifies the
 * cellmqtt task; UART1 carries the RESET line to the emulator's control socket; semihosting
 * carries the log, the broker port and the exit code (as in the bare-metal firmware). */
#include "app.h"
#include "mps2.h"
#include "scenario.h"

#include <string.h>

void UART0RX_IRQHandler(void) {
    uint8_t buf[16];
    BaseType_t woken = pdFALSE;
    size_t n = cmsdk_uart_rx_irq_drain(MPS2_UART0, buf, sizeof buf);
    (void)cellmqtt_freertos_rx_isr(&app_modem, buf, n, &woken);
    portYIELD_FROM_ISR(woken);
}

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    return (int32_t)cmsdk_uart_try_write(MPS2_UART0, data, len);
}

/* Called by the cellmqtt task only (pin hook), so UART1 has one writer. */
static void reset_line(bool active) {
    const char *line = active ? "pin reset 1\n" : "pin reset 0\n";
    size_t len = strlen(line), sent = 0;
    while (sent < len) {
        sent += cmsdk_uart_try_write(MPS2_UART1, (const uint8_t *)line + sent, len - sent);
    }
}

static __attribute__((noreturn)) void finish(int code) {
    semihost_exit(code);
}

void fw_assert_failed(const char *file, int line) {
    char buf[12];
    scenario_fmt_u32(buf, (uint32_t)line);
    semihost_write0("@fail configASSERT ");
    semihost_write0(file);
    semihost_write0(":");
    semihost_write0(buf);
    semihost_write0("\n");
    semihost_exit(5);
}

void vApplicationMallocFailedHook(void) {
    semihost_write0("@fail FreeRTOS heap exhausted\n");
    semihost_exit(6);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name) {
    (void)task;
    semihost_write0("@fail stack overflow in task ");
    semihost_write0(name);
    semihost_write0("\n");
    semihost_exit(7);
}

void vApplicationIdleHook(void) {
    __asm__ volatile("wfi");
}

int main(void) {
    static app_platform_t platform = {
        .name = "freertos-cm3",
        .uart_write = uart_write,
        .reset_line = reset_line,
        .write_line = semihost_write0,
        .finish = finish,
        .report_stack = true,
    };
    char cmdline[64];
    const char *port_text = NULL;
    if (semihost_get_cmdline(cmdline, sizeof cmdline)) {
        char *space = strrchr(cmdline, ' ');
        port_text = space != NULL ? space + 1 : cmdline;
    }
    platform.broker_port = scenario_parse_port(port_text);
    if (platform.broker_port == 0) {
        semihost_write0("@fail no broker port on the semihosting command line\n");
        return 2;
    }
    cmsdk_uart_init(MPS2_UART0, 115200, 1);
    cmsdk_uart_init(MPS2_UART1, 115200, 0);
    if (!app_start(&platform)) {
        semihost_write0("@fail app_start\n");
        return 1;
    }
    /* After the engine exists. 0xE0 is below configMAX_SYSCALL_INTERRUPT_PRIORITY, so the ISR
     * may make FromISR calls; the kernel keeps it masked until the scheduler runs. */
    nvic_enable(MPS2_UART0_RX_IRQN, 0xE0);
    vTaskStartScheduler();
    semihost_write0("@fail scheduler returned\n");
    return 1;
}
