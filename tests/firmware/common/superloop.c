/* See superloop.h. Everything here runs in the superloop's context except what the board's
 * interrupts call (ports/baremetal's ISR entry points). */
#include "superloop.h"

#include "cellmqtt_baremetal.h"
#include "scenario.h"
#include "semihost.h"

#include <string.h>

/* The one handle and board of this firmware (the scenario's callbacks carry no context). */
static cellmqtt_t *loop_modem;
static const superloop_board_t *loop_board;
static uint32_t polls, sleeps;

/* ---- engine callbacks ---- */

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    (void)user;
    loop_board->pin_out(pin, active);
    scenario_input_t in;
    scenario_input_pin(&in, pin, active);
    scenario_input(&in);
}

static void on_message(void *user, const uint8_t *topic, size_t topic_len,
                       const uint8_t *payload, size_t payload_len) {
    (void)user;
    scenario_input_t in;
    scenario_input_message(&in, topic, topic_len, payload, payload_len);
    scenario_input(&in);
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    scenario_input_t in;
    scenario_input_event(&in, ev);
    scenario_input(&in);
}

/* ---- scenario platform: the plain API on the one handle ---- */

static cellmqtt_status_t subscribe(const char *filter, uint8_t qos, uint16_t *out_id) {
    return cellmqtt_subscribe(loop_modem, filter, qos, out_id);
}

static cellmqtt_status_t publish(const char *topic, const uint8_t *payload, size_t len,
                                 uint8_t qos, uint16_t *out_id) {
    return cellmqtt_publish(loop_modem, topic, payload, len, qos, false, out_id);
}

static cellmqtt_status_t stats(cellmqtt_stats_t *out) {
    return cellmqtt_stats(loop_modem, out);
}

static uint32_t now_ms(void) {
    return cellmqtt_baremetal_millis();
}

/* Appends `key` and `value` to the NUL-terminated line in `buf`, if both fit. */
static size_t append_figure(char *buf, size_t len, size_t cap, const char *key, uint32_t value) {
    size_t k = strlen(key);
    if (len + k + 12 > cap) {
        return len;
    }
    memcpy(buf + len, key, k);
    len += k;
    return len + scenario_fmt_u32(buf + len, value);
}

/* The @pass line's firmware figures: the stack's high-water mark, how often the loop polled
 * and slept (run_scenario.py --max-poll-rate reads polls), then the board's own. */
static void describe(char *buf, size_t cap) {
    size_t len = 0;
    len = append_figure(buf, len, cap, "stack_used=", fw_stack_used());
    len = append_figure(buf, len, cap, " polls=", polls);
    len = append_figure(buf, len, cap, " sleeps=", sleeps);
    for (size_t i = 0; i < loop_board->extra_count; i++) {
        len = append_figure(buf, len, cap, loop_board->extra_keys[i], loop_board->extra_values[i]);
    }
    buf[len] = '\0';
}

/* The broker port: the last word of QEMU's semihosting command line; 0 if there is none. */
static uint16_t broker_port(void) {
    char cmdline[64];
    const char *port_text = NULL;
    if (semihost_get_cmdline(cmdline, sizeof cmdline)) {
        char *space = strrchr(cmdline, ' ');
        port_text = space != NULL ? space + 1 : cmdline;
    }
    return scenario_parse_port(port_text);
}

int superloop_run(cellmqtt_t *modem, const superloop_board_t *board) {
    loop_modem = modem;
    loop_board = board;
    uint16_t port = broker_port();
    if (port == 0) {
        semihost_write0("@fail no broker port on the semihosting command line\n");
        return 2;
    }
    static scenario_platform_t platform = {
        .subscribe = subscribe,
        .publish = publish,
        .stats = stats,
        .now_ms = now_ms,
        .write_line = semihost_write0,
        .describe = describe,
    };
    platform.name = board->name;
    cellmqtt_config_t cfg;
    scenario_config(&cfg, platform.name, port);
    const cellmqtt_callbacks_t callbacks = {
        .user = NULL,
        .uart_write = board->uart_write,
        .tick_ms = cellmqtt_baremetal_tick_ms,
        .pin_set = pin_set,
        .on_message = on_message,
        .on_event = on_event,
    };
    if (cellmqtt_init(modem, &cfg, &callbacks) != CELLMQTT_STATUS_OK) {
        semihost_write0("@fail cellmqtt_init refused the scenario's configuration\n");
        return 1;
    }
    board->enable_rx();
    if (!scenario_begin(&platform) || cellmqtt_start(modem) != CELLMQTT_STATUS_OK) {
        return 1;
    }
    for (;;) {
        if (cellmqtt_baremetal_service(modem)) {
            polls++;
        }
        int result = scenario_step();
        if (result != SCENARIO_RUNNING) {
            return result;
        }
        if (cellmqtt_baremetal_idle(modem)) {
            sleeps++;
        }
    }
}
