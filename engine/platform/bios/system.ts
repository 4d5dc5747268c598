// INT 11h (equipment), 12h (base memory), 15h (E820 from engine/platform/firmware, E801, 88h, A20 gate), 16h (keyboard)
// and 1Ah (tick count, RTC time and date).
import type { BiosCall } from './call.js';
import type { BiosMachine } from './machine.js';
import { BDA } from './data-area.js';
import { buildE820Map } from '../firmware/e820.js';
import { EAX, EBX, ECX, EDX, EDI, ES } from '../../cpu/registers.js';

const SMAP = 0x534D4150;
const UNSUPPORTED = 0x86;
const TICKS_PER_SECOND = 1193182 / 65536;   // 18.2065 Hz
const TICKS_PER_DAY = 0x1800B0;
const KBC_DATA = 0x60, KBC_STATUS = 0x64, ST_OUTPUT_FULL = 0x01, ST_AUX = 0x20;
const CMOS_INDEX = 0x70, CMOS_DATA = 0x71;

/** Scancode set 1 make codes → [unshifted, shifted] ASCII (0: no character). */
const KEYMAP: Record<number, [string, string]> = {};
(() => {
  const rows: Array<[number, string, string]> = [
    [0x02, '1234567890-=', '!@#$%^&*()_+'], [0x10, 'qwertyuiop[]', 'QWERTYUIOP{}'],
    [0x1E, "asdfghjkl;'`", 'ASDFGHJKL:"~'], [0x2B, '\\zxcvbnm,./', '|ZXCVBNM<>?'],
  ];
  for (const [first, plain, shifted] of rows) for (let i = 0; i < plain.length; i++) KEYMAP[first + i] = [plain[i], shifted[i]];
  KEYMAP[0x01] = ['\x1b', '\x1b']; KEYMAP[0x0E] = ['\b', '\b']; KEYMAP[0x0F] = ['\t', '\t'];
  KEYMAP[0x1C] = ['\r', '\r']; KEYMAP[0x39] = [' ', ' '];
})();

export class BiosSystem {
  private readonly keys: number[] = [];   // (scancode << 8) | ascii, oldest first
  private shift = false;

  constructor(private readonly m: BiosMachine) {}

  equipment(c: BiosCall): void { c.ax = this.m.memory.read16(BDA.equipment); }
  baseMemory(c: BiosCall): void { c.ax = this.m.memory.read16(BDA.baseMemoryKiB); }

  int15(c: BiosCall): void {
    const eax = c.reg32(EAX);
    if (eax === 0xE820) return this.e820(c);
    const ramAbove1M = Math.max(0, this.m.memory.ramSize - 0x100000) / 1024;   // KiB
    switch (c.ax) {
      case 0xE801: {
        const low = Math.min(ramAbove1M, 15 * 1024);
        const high = Math.floor(Math.max(0, ramAbove1M - 15 * 1024) / 64);
        c.ax = c.cx = low; c.bx = c.dx = Math.min(high, 0xFFFF);
        c.carry = false;
        return;
      }
      case 0x2400: case 0x2401:
        this.m.memory.a20Enabled = c.ax === 0x2401;
        c.ok();
        return;
      case 0x2402: c.al = this.m.memory.a20Enabled ? 1 : 0; c.ok(); return;
      case 0x2403: c.bx = 0x0003; c.ok(); return;   // A20 through the 8042 and port 0x92
    }
    if (c.ah === 0x88) { c.ax = Math.min(ramAbove1M, 0xFC00); c.carry = false; return; }
    c.fail(UNSUPPORTED);
  }

  /** EAX=E820h, EDX='SMAP', EBX=continuation, ES:DI → 20-byte entry; EBX=0 after the last one. */
  private e820(c: BiosCall): void {
    const map = buildE820Map(this.m.memory.ramSize);
    const index = c.reg32(EBX);
    if (c.reg32(EDX) !== SMAP || index >= map.length || c.reg32(ECX) < 20) return c.fail(UNSUPPORTED);
    const e = map[index];
    const at = c.linear(ES, c.reg16(EDI));
    c.write32(at, e.base); c.write32(at + 4, Math.floor(e.base / 0x1_0000_0000));
    c.write32(at + 8, e.length % 0x1_0000_0000); c.write32(at + 12, Math.floor(e.length / 0x1_0000_0000));
    c.write32(at + 16, e.type);
    c.setReg32(EAX, SMAP);
    c.setReg32(ECX, 20);
    c.setReg32(EBX, index + 1 < map.length ? index + 1 : 0);
    c.carry = false;
  }

  int16(c: BiosCall): void {
    this.pollKeyboard();
    switch (c.ah) {
      case 0x00: case 0x10: {
        // Read waits for a key: without one, the caller's INT 16h runs again (interrupts stay on).
        const key = this.keys.shift();
        if (key === undefined) c.repeatCall(); else c.ax = key;
        return;
      }
      case 0x01: case 0x11:
        if (this.keys.length) { c.ax = this.keys[0]; c.zero = false; } else c.zero = true;
        return;
      case 0x02: case 0x12: c.al = this.shift ? 0x02 : 0; return;
      default: return;
    }
  }

  /** Takes the bytes waiting in the 8042 (translated, scancode set 1) into the key buffer. */
  private pollKeyboard(): void {
    for (let guard = 0; guard < 64; guard++) {
      const status = this.m.io.read(KBC_STATUS, 1);
      if (!(status & ST_OUTPUT_FULL)) return;
      const code = this.m.io.read(KBC_DATA, 1);
      if (status & ST_AUX) continue;
      if (code === 0x2A || code === 0x36) { this.shift = true; continue; }
      if (code === 0xAA || code === 0xB6) { this.shift = false; continue; }
      if (code & 0x80 || code === 0xE0) continue;
      const ascii = KEYMAP[code]?.[this.shift ? 1 : 0] ?? '\0';
      if (this.keys.length < 16) this.keys.push((code << 8) | ascii.charCodeAt(0));
    }
  }

  int1a(c: BiosCall): void {
    switch (c.ah) {
      case 0x00: {
        const ticks = Math.floor(this.m.clock.nowNs() / 1e9 * TICKS_PER_SECOND) % TICKS_PER_DAY;
        c.cx = ticks >>> 16; c.dx = ticks & 0xFFFF; c.al = 0;
        this.m.memory.write32(BDA.ticks, ticks);
        c.carry = false;
        return;
      }
      case 0x02:
        c.ch = this.cmosBcd(0x04); c.cl = this.cmosBcd(0x02); c.dh = this.cmosBcd(0x00); c.dl = 0;
        c.carry = false;
        return;
      case 0x04:
        c.ch = this.cmosBcd(0x32); c.cl = this.cmosBcd(0x09); c.dh = this.cmosBcd(0x08); c.dl = this.cmosBcd(0x07);
        c.carry = false;
        return;
      default:
        c.carry = true;
    }
  }

  /** A CMOS time register as BCD, whatever data mode register B selects. */
  private cmosBcd(index: number): number {
    this.m.io.write(CMOS_INDEX, 1, 0x0B);
    const binary = (this.m.io.read(CMOS_DATA, 1) & 0x04) !== 0;
    this.m.io.write(CMOS_INDEX, 1, index);
    const v = this.m.io.read(CMOS_DATA, 1);
    if (!binary || index === 0x32) return v;
    return (Math.floor(v / 10) << 4) | (v % 10);
  }
}
