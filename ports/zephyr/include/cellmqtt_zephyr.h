/* cellmqtt on Zephyr: one module, described in devicetree (compatible "luat,air-cat1", a child
 * of its UART; optional reset-gpios, pwrkey-gpios, power-gpios), served by a thread.
 *
 *     cellmqtt_config_t cfg = cellmqtt_zephyr_config();   // Kconfig buffers, timeouts, DT pins
 *     cfg.host = "broker.example"; cfg.client_id = "dev-1";
 *     const cellmqtt_callbacks_t cb = { .user = NULL, .on_message = on_msg, .on_event = on_ev };
 *     cellmqtt_zephyr_init(&cfg, &cb);
 *     cellmqtt_zephyr_subscribe("dev-1/cmd", 1, NULL);
 *     cellmqtt_zephyr_start();
 *
 * The glue: the UART's interrupt API (RX bytes go straight to `cellmqtt_feed` in the ISR and
 * wake the thread; TX goes through a ring the TX interrupt drains), `k_uptime_get_32` as the
 * clock, the devicetree GPIOs as the pin hook, `irq_lock` as the library's critical section.
 *
 * The thread polls with a mutex held and sleeps on a semaphore for `cellmqtt_poll_delay_ms`.
 * The wrappers below take the same (recursive) mutex, so any thread may call them; callbacks
 * run in the cellmqtt thread and may call them too. Not from an ISR.
 */
#ifndef CELLMQTT_ZEPHYR_H
#define CELLMQTT_ZEPHYR_H

#include "cellmqtt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `cellmqtt_config_default()` with the Kconfig buffer sizes and timeouts and the control
 * lines found in devicetree. The application fills in the broker and identity. */
cellmqtt_config_t cellmqtt_zephyr_config(void);

/* Sets up the UART and GPIOs and initialises the engine. `cb->uart_write`, `tick_ms` and
 * `pin_set` are supplied by the port (any given are ignored). Returns 0, -ENODEV (UART or a
 * GPIO not ready), -EIO (UART without interrupt API) or -EINVAL (`cellmqtt_init` refused the
 * configuration; the status is logged). */
int cellmqtt_zephyr_init(const cellmqtt_config_t *cfg, const cellmqtt_callbacks_t *cb);

/* Starts the session and the cellmqtt thread. 0, or -EINVAL. */
int cellmqtt_zephyr_start(void);

cellmqtt_status_t cellmqtt_zephyr_publish(const char *topic, const uint8_t *payload, size_t len,
                                          uint8_t qos, bool retain, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_subscribe(const char *filter, uint8_t qos, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_unsubscribe(const char *filter, uint16_t *out_id);
cellmqtt_status_t cellmqtt_zephyr_stop(void);
cellmqtt_state_t cellmqtt_zephyr_state(void);
cellmqtt_status_t cellmqtt_zephyr_stats(cellmqtt_stats_t *out);

/* The critical section the library calls (stable C ABI; provided by cellmqtt_zephyr.c). */
uint32_t cellmqtt_port_critical_enter(void);
void cellmqtt_port_critical_exit(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif /* CELLMQTT_ZEPHYR_H */
