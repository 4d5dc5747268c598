/* Interrupt entry stubs for vectors 0..47 (the SDK's common stubs). */
#define STUB_COUNT 48
#include "interrupt-stubs.S"
