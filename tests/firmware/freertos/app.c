/* The FreeRTOS test application; see app.h. */
#include "app.h"

#include "queue.h"
#include "scenario.h"
#include "share.h"

#include <string.h>

cellmqtt_freertos_t app_modem;

static const app_platform_t *plat;
static QueueHandle_t inputs;
static volatile uint32_t inputs_dropped;

/* ---- engine callbacks: cellmqtt task ---- */

static void forward(const scenario_input_t *in) {
    /* Never block the cellmqtt task; a full queue fails the test instead. */
    if (xQueueSend(inputs, in, 0) != pdPASS) {
        inputs_dropped++;
    }
}

static void pin_set(void *user, cellmqtt_pin_t pin, bool active) {
    (void)user;
    if (pin == CELLMQTT_PIN_RESET) {
        plat->reset_line(active);
    }
    scenario_input_t in;
    scenario_input_pin(&in, pin, active);
    forward(&in);
}

static void on_message(void *user, const uint8_t *topic, size_t topic_len,
                       const uint8_t *payload, size_t payload_len) {
    (void)user;
    scenario_input_t in;
    scenario_input_message(&in, topic, topic_len, payload, payload_len);
    forward(&in);
}

static void on_event(void *user, const cellmqtt_event_t *ev) {
    (void)user;
    if (share_on_event(ev)) {
        return;
    }
    scenario_input_t in;
    scenario_input_event(&in, ev);
    forward(&in);
}

static void on_at_line(void *user, uint16_t id, const uint8_t *line, size_t len) {
    (void)user;
    share_on_at_line(id, line, len);
}

/* ---- scenario platform: the thread-safe wrappers, from the application task ---- */

static cellmqtt_status_t subscribe(const char *filter, uint8_t qos, uint16_t *out_id) {
    return cellmqtt_freertos_subscribe(&app_modem, filter, qos, out_id);
}

static cellmqtt_status_t publish(const char *topic, const uint8_t *payload, size_t len,
                                 uint8_t qos, uint16_t *out_id) {
    return cellmqtt_freertos_publish(&app_modem, topic, payload, len, qos, false, out_id);
}

static cellmqtt_status_t stats(cellmqtt_stats_t *out) {
    return cellmqtt_freertos_stats(&app_modem, out);
}

static uint32_t now_ms(void) {
    return cellmqtt_freertos_tick_ms(NULL);
}

static void write_line(const char *line) {
    plat->write_line(line);
}

static void describe(char *buf, size_t cap) {
    buf[0] = '\0';
    if (!plat->report_stack) {
        return;
    }
    /* Stack the cellmqtt task used (engine poll + callbacks + port), in bytes. */
    UBaseType_t free_words = uxTaskGetStackHighWaterMark(app_modem.task);
    uint32_t used = (uint32_t)(APP_CELLMQTT_STACK_WORDS - free_words) * (uint32_t)sizeof(StackType_t);
    static const char key[] = "cellmqtt_task_stack_used=";
    if (cap < sizeof key + 11) {
        return;
    }
    memcpy(buf, key, sizeof key - 1);
    scenario_fmt_u32(buf + sizeof key - 1, used);
}

static scenario_platform_t scenario_platform = {
    .subscribe = subscribe,
    .publish = publish,
    .stats = stats,
    .now_ms = now_ms,
    .write_line = write_line,
    .describe = describe,
};

/* ---- application task ---- */

static void app_task(void *arg) {
    (void)arg;
    /* First the port's blocking helpers, as an application task uses them; meanwhile the
     * callbacks' reports wait in the queue for the scenario. */
    char up_topic[48] = "fw/";
    strncat(up_topic, plat->name, sizeof up_topic - sizeof "fw//up");
    strcat(up_topic, "/up");
    if (!share_run(&app_modem, up_topic, plat->write_line)) {
        plat->finish(1);
    }
    for (;;) {
        scenario_input_t in;
        /* Wake for every callback report (a confirmed publish frees a window slot), or every
         * 50 ms for the scenario's deadline. */
        if (xQueueReceive(inputs, &in, pdMS_TO_TICKS(50)) == pdPASS) {
            do {
                scenario_input(&in);
            } while (xQueueReceive(inputs, &in, 0) == pdPASS);
        }
        if (inputs_dropped != 0) {
            plat->write_line("@fail callback queue overflowed\n");
            plat->finish(1);
        }
        int result = scenario_step();
        if (result != SCENARIO_RUNNING) {
            plat->finish(result);
        }
    }
}

bool app_start(const app_platform_t *platform) {
    static cellmqtt_config_t cfg;
    plat = platform;
    scenario_platform.name = platform->name;
    inputs = xQueueCreate(32, sizeof(scenario_input_t));
    if (inputs == NULL) {
        return false;
    }
    scenario_config(&cfg, platform->name, platform->broker_port);
    const cellmqtt_callbacks_t callbacks = {
        .user = NULL,
        .uart_write = platform->uart_write,
        .tick_ms = NULL, /* the port's kernel-tick clock */
        .pin_set = pin_set,
        .on_message = on_message,
        .on_event = on_event,
        .on_at_line = on_at_line,
    };
    if (cellmqtt_freertos_init(&app_modem, &cfg, &callbacks) != CELLMQTT_STATUS_OK ||
        !scenario_begin(&scenario_platform)) {
        return false;
    }
    const cellmqtt_freertos_task_t task = {
        .name = "cellmqtt",
        .stack_depth = APP_CELLMQTT_STACK_WORDS,
        .priority = APP_CELLMQTT_PRIORITY,
        .stack_buffer = NULL,
        .task_buffer = NULL,
    };
    return cellmqtt_freertos_start(&app_modem, &task) == CELLMQTT_STATUS_OK &&
           xTaskCreate(app_task, "app", 1024, NULL, APP_TASK_PRIORITY, NULL) == pdPASS;
}
