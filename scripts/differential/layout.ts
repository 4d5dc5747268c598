// Memory map of the differential-test guest and the format of its per-instruction log: both the
// image builder and the two runners (QEMU and hvdbg) read these constants.

/** Physical (= linear: flat segments, no paging) address the image is loaded at. */
export const IMAGE_BASE = 0x100000;
/** Harness variables the exception stubs and the snapshot code share. */
export const VARS = IMAGE_BASE + 0x1100;
export const FAULT_VECTOR = VARS + 0x00;   // vector of the last exception, 0xFFFFFFFF when none
export const FAULT_EIP = VARS + 0x04;      // EIP pushed by the exception
export const FAULT_ERROR = VARS + 0x08;    // error code pushed by the exception (0 when none)
export const FAULT_CS = VARS + 0x0C;       // CS pushed by the exception
export const RESUME = VARS + 0x10;         // where the exception stubs continue: the current snapshot
export const FAULT_EFLAGS = VARS + 0x14;   // EFLAGS image pushed by the exception (its RF bit is cleared in the frame)
export const GDTR = VARS + 0x20;           // pseudo-descriptor for LGDT (6 bytes)
export const IDTR = VARS + 0x28;           // pseudo-descriptor for LIDT (6 bytes)
/** Scratch memory every memory operand, string and stack access of a test instruction lands in. */
export const SCRATCH = IMAGE_BASE + 0x1200;
export const SCRATCH_SIZE = 128;
export const GDT = IMAGE_BASE + 0x1400;
export const GDT_PRISTINE = IMAGE_BASE + 0x1500; // the GDT every case starts from (accessed bits as built)
export const IDT = IMAGE_BASE + 0x2000;
export const STUBS = IMAGE_BASE + 0x3000;  // one exception stub per vector
export const STUB_SIZE = 64;
export const CODE = IMAGE_BASE + 0x8000;   // the test cases, back to back, then `done`

/** Base of the "window" data segment: offset 0x8000 in it is SCRATCH (so 16-bit addresses reach it). */
export const WINDOW_BASE = SCRATCH - 0x8000;

/** GDT selectors the harness and the generator use. */
export const SEL = {
  code: 0x08,          // flat 32-bit code, DPL 0
  data: 0x10,          // flat 32-bit read/write data, DPL 0
  window: 0x18,        // read/write data, base WINDOW_BASE, limit 0xFFFF
  notPresent: 0x20,    // flat data, not present
  readOnly: 0x28,      // flat read-only data
  codeReadable: 0x30,  // flat readable code, DPL 0
  codeExecOnly: 0x38,  // flat execute-only code
  dataDpl3: 0x40,      // flat read/write data, DPL 3
  expandDown: 0x48,    // expand-down data, base WINDOW_BASE, limit 0x7FFF (offsets 0x8000–0xFFFF valid)
  conforming: 0x50,    // flat readable conforming code
  tss: 0x58,           // 32-bit TSS (available), never loaded
  ldt: 0x60,           // LDT descriptor, never loaded
  callGate: 0x68,      // call gate to code:0 (LAR sees it; LSL does not)
  data16: 0x70,        // flat 16-bit read/write data (B = 0)
} as const;
export const GDT_LIMIT = 0x77;
export const GDT_BYTES = GDT_LIMIT + 1;
/** Descriptors built with the accessed bit set (the setup code loads them); the others start clear. */
const PRE_ACCESSED = new Set<number>([SEL.code, SEL.data, SEL.window]);

/** Descriptor dwords (low, high) for base/limit/access byte/flags nibble. */
function descriptor(base: number, limit: number, access: number, flags: number): [number, number] {
  const lo = ((base & 0xFFFF) << 16) | (limit & 0xFFFF);
  const hi = (base & 0xFF000000) | (flags << 20) | (limit & 0xF0000) | (access << 8) | ((base >>> 16) & 0xFF);
  return [lo >>> 0, hi >>> 0];
}

/** The GDT, as dwords; index = selector / 4. */
export function gdtDwords(): number[] {
  const dwords = gdtBase();
  for (const sel of PRE_ACCESSED) dwords[sel / 4 + 1] |= 0x100;
  return dwords;
}

function gdtBase(): number[] {
  const flat = 0xFFFFF, g32 = 0xC; // limit 4 GiB with G = 1, D/B = 1
  return [
    0, 0,
    ...descriptor(0, flat, 0x9A, g32),
    ...descriptor(0, flat, 0x92, g32),
    ...descriptor(WINDOW_BASE, 0xFFFF, 0x92, 0x4),
    ...descriptor(0, flat, 0x12, g32),
    ...descriptor(0, flat, 0x90, g32),
    ...descriptor(0, flat, 0x9A, g32),
    ...descriptor(0, flat, 0x98, g32),
    ...descriptor(0, flat, 0xF2, g32),
    ...descriptor(WINDOW_BASE, 0x7FFF, 0x96, 0x0),
    ...descriptor(0, flat, 0x9E, g32),
    ...descriptor(IMAGE_BASE + 0x1800, 0x67, 0x89, 0x0),
    ...descriptor(IMAGE_BASE + 0x1900, 0x7, 0x82, 0x0),
    SEL.code << 16, 0x0000EC00, // call gate: offset 0, selector code, DPL 3, 0 parameters
    ...descriptor(0, 0xFFFF, 0x92, 0x0),
  ];
}

/** Base address of each GDT selector's segment (for effective-address planning). */
export function segmentBase(selector: number): number {
  return selector === SEL.window || selector === SEL.expandDown ? WINDOW_BASE : 0;
}

/**
 * One log entry per test case, written by the snapshot code right after the instruction (or after
 * the exception stub it raised).
 */
export const LOG = {
  regs: 0,        // EAX..EDI, 8 dwords
  eflags: 32,     // EFLAGS (PUSHFD)
  faultVector: 36,
  faultEip: 40,
  faultError: 44,
  faultEflags: 48, // EFLAGS image the exception pushed
  tag: 52,        // 1 when a conditional branch fell through, 0 when it was taken
  sregs: 56,      // ES, CS, SS, DS, FS, GS selectors, 6 words
  gdt: 68,        // GDT_BYTES: the GDT after the instruction (accessed bits)
  scratch: 68 + 0x78, // SCRATCH_SIZE bytes: the scratch memory after the instruction
  size: 68 + 0x78 + SCRATCH_SIZE,
} as const;

/** Exception vectors that push an error code. */
export const ERROR_CODE_VECTORS: ReadonlySet<number> = new Set([8, 10, 11, 12, 13, 14, 17]);
export const NO_FAULT = 0xFFFFFFFF;
