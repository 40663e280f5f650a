/* Reset, vector table and semihosting for the firmware tests on QEMU mps2-an385, mps2-an505
 * (built with FW_BOARD_AN505) and microbit (FW_BOARD_MICROBIT, board header nrf51.h); also
 * linked, not run, for the M0 and M4F size builds. The board header gives BOARD_NUM_IRQ and
 * BOARD_IRQ_HANDLERS; the memory map comes from mps2.ld and its --defsym parameters.
 * Handlers are weak: a firmware defines the ones it uses (FreeRTOS's port handlers are mapped
 * onto these names in FreeRTOSConfig.h). */
#if defined(FW_BOARD_MICROBIT)
#include "nrf51.h"
#else
#include "mps2.h"
#endif

#include <stdint.h>

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss, _stack_paint_size;
extern int main(void);

#define STACK_PAINT 0xA5A5A5A5u

void Reset_Handler(void) __attribute__((noreturn));
void Default_Handler(void);
void HardFault_Handler(void);
#define WEAK_DEFAULT __attribute__((weak, alias("Default_Handler")))
void NMI_Handler(void) WEAK_DEFAULT;
void MemManage_Handler(void) WEAK_DEFAULT;
void BusFault_Handler(void) WEAK_DEFAULT;
void UsageFault_Handler(void) WEAK_DEFAULT;
void SVC_Handler(void) WEAK_DEFAULT;
void DebugMon_Handler(void) WEAK_DEFAULT;
void PendSV_Handler(void) WEAK_DEFAULT;
void SysTick_Handler(void) WEAK_DEFAULT;
#define DECLARE_IRQ_HANDLER(name, irqn) void name(void) WEAK_DEFAULT;
BOARD_IRQ_HANDLERS(DECLARE_IRQ_HANDLER)

typedef void (*vector_t)(void);

/* 16 system entries, then the board's external IRQs (BOARD_NUM_IRQ). Every external entry
 * starts as Default_Handler (an interrupt nobody expects fails the test loudly); the board's
 * handlers (BOARD_IRQ_HANDLERS) then replace theirs. Replacing a range default is what the
 * designated initialisers do here, so -Woverride-init (part of -Wextra) is off for the table. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
__attribute__((section(".isr_vector"), used)) static const vector_t vectors[16 + BOARD_NUM_IRQ] = {
    [0] = (vector_t)(uintptr_t)&_estack,
    [1] = Reset_Handler,
    [2] = NMI_Handler,
    [3] = HardFault_Handler,
    [4] = MemManage_Handler,
    [5] = BusFault_Handler,
    [6] = UsageFault_Handler,
    [11] = SVC_Handler,
    [12] = DebugMon_Handler,
    [14] = PendSV_Handler,
    [15] = SysTick_Handler,
    [16 ... 16 + BOARD_NUM_IRQ - 1] = Default_Handler,
#define IRQ_VECTOR(name, irqn) [16 + (irqn)] = name,
    BOARD_IRQ_HANDLERS(IRQ_VECTOR)
};
#pragma GCC diagnostic pop

static uint32_t *stack_paint_floor(void) {
    return (uint32_t *)((uintptr_t)&_estack - (uintptr_t)&_stack_paint_size);
}

void Reset_Handler(void) {
    for (uint32_t *src = &_sidata, *dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0;
    }
    /* Paint the stack below this frame (with a margin) so its high-water mark can be read. */
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = stack_paint_floor(); p < sp - 16;) {
        *p++ = STACK_PAINT;
    }
#if defined(__ARM_FP)
    /* Hard-float builds: grant CP10/CP11 access before any FPU instruction can run. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
#endif
    semihost_exit(main());
}

uint32_t fw_stack_used(void) {
    const uint32_t *p = stack_paint_floor();
    while (p < &_estack && *p == STACK_PAINT) {
        p++;
    }
    return (uint32_t)((uintptr_t)&_estack - (uintptr_t)p);
}

void HardFault_Handler(void) {
    semihost_write0("@fail hard fault\n");
    semihost_exit(3);
}

void Default_Handler(void) {
    semihost_write0("@fail unexpected exception\n");
    semihost_exit(4);
}

/* ---- semihosting ---- */

#define SYS_WRITE0 0x04
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int semihost_call(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write0(const char *text) {
    (void)semihost_call(SYS_WRITE0, text);
}

bool semihost_get_cmdline(char *buf, size_t cap) {
    struct {
        char *buf;
        size_t len;
    } block = {buf, cap};
    return cap > 0 && semihost_call(SYS_GET_CMDLINE, &block) == 0;
}

void semihost_exit(int code) {
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code};
    (void)semihost_call(SYS_EXIT_EXTENDED, block);
    for (;;) {
    }
}
