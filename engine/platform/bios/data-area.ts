// The BIOS data area (segment 0x40) fields the hvdbg BIOS fills and keeps up to date.
export const BDA = {
  com1: 0x400, com2: 0x402,       // serial port bases
  ebdaSegment: 0x40E,             // segment of the extended BIOS data area
  equipment: 0x410,               // equipment word (INT 11h)
  baseMemoryKiB: 0x413,           // conventional memory in KiB (INT 12h)
  videoMode: 0x449, columns: 0x44A, cursor: 0x450, cursorShape: 0x460, crtcPort: 0x463,
  ticks: 0x46C,                   // timer ticks since midnight (INT 1Ah)
  diskStatus: 0x474,              // status of the last INT 13h call
  hardDisks: 0x475,               // number of hard disks
  rowsMinusOne: 0x484,
} as const;

/** Conventional memory below the EBDA: 639 KiB, EBDA at 0x9FC00. */
export const BASE_MEMORY_KIB = 639;
export const EBDA_BASE = BASE_MEMORY_KIB * 1024;
