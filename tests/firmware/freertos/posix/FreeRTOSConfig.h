/* FreeRTOS configuration of the host test on the kernel's POSIX port. */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configTICK_RATE_HZ 1000
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configMAX_PRIORITIES 5
#define configMINIMAL_STACK_SIZE 256
#define configTOTAL_HEAP_SIZE (256 * 1024) /* unused with heap_3 (malloc) */
#define configMAX_TASK_NAME_LEN 12
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_64_BITS /* the port's TickType_t is unsigned long */
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_TIMERS 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configUSE_IDLE_HOOK 1 /* sleeps, so the idle task does not spin a host core */
/* The tick hook runs in the port's only interrupt (the SIGALRM tick): it stands in for the
 * UART RX interrupt (see main.c). */
#define configUSE_TICK_HOOK 1
#define configUSE_MALLOC_FAILED_HOOK 1
#define configCHECK_FOR_STACK_OVERFLOW 0
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_vTaskDelay 1
/* The share test raises its task above the cellmqtt task for one call (share.c). */
#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1

void fw_assert_failed(const char *file, int line);
#define configASSERT(x)                          \
    do {                                         \
        if (!(x)) {                              \
            fw_assert_failed(__FILE__, __LINE__); \
        }                                        \
    } while (0)

#endif /* FREERTOS_CONFIG_H */
