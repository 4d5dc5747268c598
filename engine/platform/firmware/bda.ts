// The BIOS data area at 0x400 (and the first byte of the EBDA): what a real BIOS leaves for the OS
// and for boot loaders — serial/parallel port bases, equipment word, base memory size, EBDA segment,
// keyboard buffer pointers and the 80×25 colour text mode.
import { EBDA_BASE, EBDA_SIZE } from './e820.js';
import { TableBlock } from './bytes.js';

export const BDA_BASE = 0x400;
export const BDA_SIZE = 0x100;

export interface BdaOptions {
  /** I/O bases of COM1–COM4 that exist (0 or absent for none). */
  comPorts: readonly number[];
  /** I/O bases of LPT1–LPT3 that exist. */
  lptPorts?: readonly number[];
  /** Hard disks the BIOS reports (0x475). */
  hardDisks?: number;
}

/** Offsets in the BDA (from 0x400). */
export const BDA = {
  com: 0x00, lpt: 0x08, ebdaSegment: 0x0E, equipment: 0x10, baseMemoryKiB: 0x13,
  kbdFlags: 0x17, kbdHead: 0x1A, kbdTail: 0x1C, kbdBuffer: 0x1E,
  videoMode: 0x49, columns: 0x4A, pageSize: 0x4C, pageStart: 0x4E, cursorPos: 0x50, cursorShape: 0x60,
  activePage: 0x62, crtcBase: 0x63, timerTicks: 0x6C, hardDisks: 0x75,
  kbdStart: 0x80, kbdEnd: 0x82, rowsMinusOne: 0x84, charHeight: 0x85,
} as const;

/** Builds the BDA block (0x400–0x4FF). */
export function buildBda(options: BdaOptions): TableBlock {
  const b = new TableBlock(BDA_BASE, BDA_SIZE);
  const at = (off: number) => BDA_BASE + off;
  const coms = options.comPorts.slice(0, 4), lpts = (options.lptPorts ?? []).slice(0, 3);
  coms.forEach((port, k) => b.u16(at(BDA.com + 2 * k), port));
  lpts.forEach((port, k) => b.u16(at(BDA.lpt + 2 * k), port));
  b.u16(at(BDA.ebdaSegment), EBDA_BASE >>> 4);
  const serialCount = coms.filter((p) => p !== 0).length, lptCount = lpts.filter((p) => p !== 0).length;
  // Equipment word: bit 1 x87 present, bits 4–5 = 10b (80×25 colour), bits 9–11 serial ports, 14–15 printers.
  b.u16(at(BDA.equipment), (1 << 1) | (2 << 4) | (serialCount << 9) | (lptCount << 14));
  b.u16(at(BDA.baseMemoryKiB), EBDA_BASE / 1024);
  // Keyboard buffer: empty (head = tail) circular buffer 0x41E–0x43D.
  b.u16(at(BDA.kbdHead), BDA.kbdBuffer);
  b.u16(at(BDA.kbdTail), BDA.kbdBuffer);
  b.u16(at(BDA.kbdStart), BDA.kbdBuffer);
  b.u16(at(BDA.kbdEnd), BDA.kbdBuffer + 32);
  // Video: mode 3, 80 columns × 25 rows, 4 KiB page, CRTC at 0x3D4, cursor lines 6–7, 16-line font.
  b.u8(at(BDA.videoMode), 3);
  b.u16(at(BDA.columns), 80);
  b.u16(at(BDA.pageSize), 0x1000);
  b.u16(at(BDA.pageStart), 0);
  b.u16(at(BDA.cursorShape), 0x0607);
  b.u8(at(BDA.activePage), 0);
  b.u16(at(BDA.crtcBase), 0x3D4);
  b.u32(at(BDA.timerTicks), 0);
  b.u8(at(BDA.hardDisks), options.hardDisks ?? 0);
  b.u8(at(BDA.rowsMinusOne), 24);
  b.u16(at(BDA.charHeight), 16);
  return b;
}

/** The EBDA's first byte is its size in KiB. */
export const EBDA_SIZE_KIB = EBDA_SIZE / 1024;
