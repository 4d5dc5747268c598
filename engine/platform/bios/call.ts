// One BIOS service call as the trap handler sees it: the caller's registers (live in the CPU, since
// the ROM stub changes none of them), the IRET frame on the caller's stack whose FLAGS image carries
// CF/ZF back, and byte access to real-mode memory through segment:offset.
import type { Cpu } from '../../cpu/cpu.js';
import { EAX, EBX, ECX, EDX, ESP, SS, FLAG_CF, FLAG_ZF } from '../../cpu/registers.js';

export class BiosCall {
  constructor(readonly cpu: Cpu, readonly vector: number) {}

  get ax(): number { return this.cpu.reg16[EAX << 1]; }
  set ax(v: number) { this.cpu.reg16[EAX << 1] = v; }
  get bx(): number { return this.cpu.reg16[EBX << 1]; }
  set bx(v: number) { this.cpu.reg16[EBX << 1] = v; }
  get cx(): number { return this.cpu.reg16[ECX << 1]; }
  set cx(v: number) { this.cpu.reg16[ECX << 1] = v; }
  get dx(): number { return this.cpu.reg16[EDX << 1]; }
  set dx(v: number) { this.cpu.reg16[EDX << 1] = v; }
  get al(): number { return this.cpu.reg8[0]; }
  set al(v: number) { this.cpu.reg8[0] = v; }
  get ah(): number { return this.cpu.reg8[1]; }
  set ah(v: number) { this.cpu.reg8[1] = v; }
  get bl(): number { return this.cpu.reg8[12]; }
  set bl(v: number) { this.cpu.reg8[12] = v; }
  get bh(): number { return this.cpu.reg8[13]; }
  set bh(v: number) { this.cpu.reg8[13] = v; }
  get cl(): number { return this.cpu.reg8[4]; }
  set cl(v: number) { this.cpu.reg8[4] = v; }
  get ch(): number { return this.cpu.reg8[5]; }
  set ch(v: number) { this.cpu.reg8[5] = v; }
  get dl(): number { return this.cpu.reg8[8]; }
  set dl(v: number) { this.cpu.reg8[8] = v; }
  get dh(): number { return this.cpu.reg8[9]; }
  set dh(v: number) { this.cpu.reg8[9] = v; }
  reg32(r: number): number { return this.cpu.reg32[r] >>> 0; }
  setReg32(r: number, v: number): void { this.cpu.reg32[r] = v | 0; }
  reg16(r: number): number { return this.cpu.reg16[r << 1]; }
  segment(seg: number): number { return this.cpu.segSel[seg]; }

  /** Linear address of seg:offset (real mode: selector × 16 + offset). */
  linear(seg: number, offset: number): number { return (this.cpu.segBase[seg] + (offset & 0xFFFF)) >>> 0; }

  read8(lin: number): number { return this.cpu.memory.read8(lin >>> 0); }
  read16(lin: number): number { return this.read8(lin) | (this.read8(lin + 1) << 8); }
  read32(lin: number): number { return (this.read16(lin) | (this.read16(lin + 2) << 16)) >>> 0; }
  write8(lin: number, v: number): void { this.cpu.memory.write8(lin >>> 0, v & 0xFF); }
  write16(lin: number, v: number): void { this.write8(lin, v); this.write8(lin + 1, v >> 8); }
  write32(lin: number, v: number): void { this.write16(lin, v); this.write16(lin + 2, v >>> 16); }
  readBytes(lin: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.read8(lin + i);
    return out;
  }
  writeBytes(lin: number, bytes: Uint8Array): void { for (let i = 0; i < bytes.length; i++) this.write8(lin + i, bytes[i]); }

  /**
   * Makes the caller execute its INT instruction again after the IRET (the 2-byte `INT n` form):
   * how a service that must wait (INT 16h read with no key yet) waits without blocking the host.
   */
  repeatCall(): void {
    const sp = this.cpu.stackSize32 ? this.cpu.reg32[ESP] >>> 0 : this.cpu.reg16[ESP << 1];
    const ipAt = (this.cpu.segBase[SS] + sp) >>> 0;
    this.write16(ipAt, (this.read16(ipAt) - 2) & 0xFFFF);
  }

  /** Linear address of the FLAGS image IRET will pop (SS:SP+4: IP, CS, FLAGS). */
  private get flagsImage(): number {
    const sp = this.cpu.stackSize32 ? this.cpu.reg32[ESP] >>> 0 : this.cpu.reg16[ESP << 1];
    return (this.cpu.segBase[SS] + ((sp + 4) & (this.cpu.stackSize32 ? 0xFFFFFFFF : 0xFFFF))) >>> 0;
  }
  private setReturnFlag(bit: number, on: boolean): void {
    const at = this.flagsImage;
    const f = this.read16(at);
    this.write16(at, on ? f | bit : f & ~bit);
  }
  /** CF of the caller after IRET (the BIOS error convention). */
  set carry(on: boolean) { this.setReturnFlag(FLAG_CF, on); }
  /** ZF of the caller after IRET (INT 16h AH=01h: no key waiting). */
  set zero(on: boolean) { this.setReturnFlag(FLAG_ZF, on); }

  /** Success: AH = 0 and CF clear. */
  ok(): void { this.ah = 0; this.carry = false; }
  /** Failure: AH = status and CF set. */
  fail(status: number): void { this.ah = status; this.carry = true; }
}
