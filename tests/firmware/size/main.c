/* The smallest useful firmware, for `make size`: init, subscribe, start, one publish, and the
 * superloop of ports/baremetal; the UART is written blindly and the callbacks do nothing.
 * Linked for Cortex-M0 (thumbv6m), M3 (thumbv7m) and M4F (thumbv7em-none-eabihf). */
#include "cellmqtt_baremetal.h"

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)

/* Global (not static) so the size script finds the handle's size in the symbol table. */
cellmqtt_t size_fw_modem;
static uint8_t rx_buf[CELLMQTT_RX_BUF_DEFAULT], line_buf[CELLMQTT_LINE_BUF_DEFAULT];
static uint8_t queue_buf[CELLMQTT_QUEUE_BUF_DEFAULT], sub_buf[CELLMQTT_SUB_BUF_DEFAULT];

void SysTick_Handler(void) {
    cellmqtt_baremetal_systick_isr();
}

void UART0RX_IRQHandler(void) {
    uint8_t byte = (uint8_t)UART0_DATA;
    (void)cellmqtt_baremetal_uart_rx_isr(&size_fw_modem, &byte, 1);
}

static int32_t uart_write(void *user, const uint8_t *data, size_t len) {
    (void)user;
    for (size_t i = 0; i < len; i++) {
        UART0_DATA = data[i];
    }
    return (int32_t)len;
}

static void on_message(void *user, const uint8_t *topic, size_t topic_len,
                       const uint8_t *payload, size_t payload_len) {
    (void)user, (void)topic, (void)topic_len, (void)payload, (void)payload_len;
}

static void on_event(void *user, const cellmqtt_event_t *event) {
    (void)user, (void)event;
}

int main(void) {
    cellmqtt_config_t cfg = cellmqtt_config_default();
    cfg.host = "broker.example";
    cfg.client_id = "device-1";
    cfg.rx_buf = rx_buf;
    cfg.rx_buf_len = sizeof rx_buf;
    cfg.line_buf = line_buf;
    cfg.line_buf_len = sizeof line_buf;
    cfg.queue_buf = queue_buf;
    cfg.queue_buf_len = sizeof queue_buf;
    cfg.sub_buf = sub_buf;
    cfg.sub_buf_len = sizeof sub_buf;
    const cellmqtt_callbacks_t callbacks = {
        .uart_write = uart_write,
        .tick_ms = cellmqtt_baremetal_tick_ms,
        .on_message = on_message,
        .on_event = on_event,
    };
    cellmqtt_baremetal_systick_start(25000000u);
    if (cellmqtt_init(&size_fw_modem, &cfg, &callbacks) != CELLMQTT_STATUS_OK ||
        cellmqtt_subscribe(&size_fw_modem, "device-1/cmd", 1, NULL) != CELLMQTT_STATUS_OK ||
        cellmqtt_start(&size_fw_modem) != CELLMQTT_STATUS_OK ||
        cellmqtt_publish(&size_fw_modem, "device-1/up", (const uint8_t *)"hello", 5, 1, false,
                         NULL) != CELLMQTT_STATUS_OK) {
        return 1;
    }
    for (;;) {
        (void)cellmqtt_baremetal_service(&size_fw_modem);
        (void)cellmqtt_baremetal_idle(&size_fw_modem);
    }
}
