/* Interrupt entry stubs for all 256 vectors (the SDK's common stubs). */
#define STUB_COUNT 256
#include "interrupt-stubs.S"
