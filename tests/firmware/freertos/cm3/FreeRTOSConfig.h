/* FreeRTOS configuration of the Cortex-M3 test firmware (QEMU mps2-an385, 25 MHz). */
#ifndef FREERTOS_CONFIG_H
#define FREERTOS_CONFIG_H

#define configCPU_CLOCK_HZ 25000000u
#define configTICK_RATE_HZ ((TickType_t)1000) /* with a cast, as many configs write it */
#define configUSE_PREEMPTION 1
#define configUSE_TIME_SLICING 1
#define configMAX_PRIORITIES 5
#define configMINIMAL_STACK_SIZE 128
#define configTOTAL_HEAP_SIZE (48 * 1024)
#define configMAX_TASK_NAME_LEN 12
#define configTICK_TYPE_WIDTH_IN_BITS TICK_TYPE_WIDTH_32_BITS
#define configUSE_MUTEXES 1
#define configUSE_RECURSIVE_MUTEXES 1
#define configUSE_TASK_NOTIFICATIONS 1
#define configUSE_TIMERS 0
#define configSUPPORT_DYNAMIC_ALLOCATION 1
#define configSUPPORT_STATIC_ALLOCATION 0
#define configUSE_IDLE_HOOK 1 /* WFI, so an idle firmware does not spin QEMU's host core */
#define configUSE_TICK_HOOK 0
#define configUSE_MALLOC_FAILED_HOOK 1
#define configCHECK_FOR_STACK_OVERFLOW 2
#define INCLUDE_uxTaskGetStackHighWaterMark 1
#define INCLUDE_vTaskDelay 1
/* The share test raises its task above the cellmqtt task for one call (share.c). */
#define INCLUDE_vTaskPrioritySet 1
#define INCLUDE_uxTaskPriorityGet 1

/* QEMU implements all 8 priority bits. The UART interrupt that calls FromISR functions must
 * sit at or below (numerically at or above) configMAX_SYSCALL_INTERRUPT_PRIORITY. */
#define configKERNEL_INTERRUPT_PRIORITY 0xFF
#define configMAX_SYSCALL_INTERRUPT_PRIORITY 0xA0

void fw_assert_failed(const char *file, int line);
#define configASSERT(x)                          \
    do {                                         \
        if (!(x)) {                              \
            fw_assert_failed(__FILE__, __LINE__); \
        }                                        \
    } while (0)

/* The port's handlers under the names the vector table uses (tests/firmware/mps2/startup.c). */
#define vPortSVCHandler SVC_Handler
#define xPortPendSVHandler PendSV_Handler
#define xPortSysTickHandler SysTick_Handler

#endif /* FREERTOS_CONFIG_H */
