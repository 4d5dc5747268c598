// The few fixed x86 encodings the harness itself is made of (setup, per-case prologue, snapshot,
// exception stubs). Every function returns the instruction's bytes; `ss` = SS-override prefix, so the
// harness reaches its variables even when a test instruction left DS unusable.

const SS_PREFIX = 0x36;

export function le32(v: number): number[] { return [v & 0xFF, (v >>> 8) & 0xFF, (v >>> 16) & 0xFF, (v >>> 24) & 0xFF]; }
export function le16(v: number): number[] { return [v & 0xFF, (v >>> 8) & 0xFF]; }

/** MOV r32, imm32. */
export function movRegImm(reg: number, imm: number): number[] { return [0xB8 + reg, ...le32(imm)]; }
/** MOV ss:[addr], r32. */
export function storeReg(addr: number, reg: number): number[] {
  return reg === 0 ? [SS_PREFIX, 0xA3, ...le32(addr)] : [SS_PREFIX, 0x89, 0x05 | (reg << 3), ...le32(addr)];
}
/** MOV r32, [addr] (DS). */
export function loadReg(reg: number, addr: number): number[] {
  return reg === 0 ? [0xA1, ...le32(addr)] : [0x8B, 0x05 | (reg << 3), ...le32(addr)];
}
/** MOV dword [addr], imm32 (DS). */
export function storeImm32(addr: number, imm: number): number[] { return [0xC7, 0x05, ...le32(addr), ...le32(imm)]; }
/** MOV byte ss:[addr], imm8. */
export function storeImm8Ss(addr: number, imm: number): number[] { return [SS_PREFIX, 0xC6, 0x05, ...le32(addr), imm & 0xFF]; }
/** MOV dword ss:[addr], imm32. */
export function storeImm32Ss(addr: number, imm: number): number[] { return [SS_PREFIX, 0xC7, 0x05, ...le32(addr), ...le32(imm)]; }
/** MOV ss:[addr], Sreg (a 16-bit store). */
export function storeSreg(addr: number, sreg: number): number[] { return [SS_PREFIX, 0x8C, 0x05 | (sreg << 3), ...le32(addr)]; }
/** MOV Sreg, r16. */
export function movSregReg(sreg: number, reg: number): number[] { return [0x8E, 0xC0 | (sreg << 3) | reg]; }
/** POP dword ss:[addr]. */
export function popToSs(addr: number): number[] { return [SS_PREFIX, 0x8F, 0x05, ...le32(addr)]; }
/** JMP dword ss:[addr]. */
export function jmpIndirectSs(addr: number): number[] { return [SS_PREFIX, 0xFF, 0x25, ...le32(addr)]; }
/** LGDT [addr], LIDT [addr]. */
export function lgdt(addr: number): number[] { return [0x0F, 0x01, 0x15, ...le32(addr)]; }
export function lidt(addr: number): number[] { return [0x0F, 0x01, 0x1D, ...le32(addr)]; }
/** JMP FAR sel:offset (32-bit offset). */
export function jmpFar(selector: number, offset: number): number[] { return [0xEA, ...le32(offset), ...le16(selector)]; }
/** MOV CR0, EAX; MOV CR4, EAX. */
export const MOV_CR0_EAX = [0x0F, 0x22, 0xC0];
export const MOV_CR4_EAX = [0x0F, 0x22, 0xE0];
export const LLDT_AX = [0x0F, 0x00, 0xD0];
/** LEA ESP, [ESP-4] (moves ESP without touching flags); AND byte ss:[esp+2], 0xFE (RF of the image at [ESP]). */
export const LEA_ESP_MINUS_4 = [0x8D, 0x64, 0x24, 0xFC];
export const AND_RF_IMAGE = [SS_PREFIX, 0x80, 0x64, 0x24, 0x02, 0xFE];
export const PUSHFD = [0x9C], POPFD = [0x9D], CLD = [0xFC], CLI = [0xFA], HLT = [0xF4];
export const REP_MOVSD = [0xF3, 0xA5];
export const JMP_SELF_MINUS_1 = [0xEB, 0xFD]; // jmp back over a one-byte HLT

export const REG = { eax: 0, ecx: 1, edx: 2, ebx: 3, esp: 4, ebp: 5, esi: 6, edi: 7 } as const;
export const SREG = { es: 0, cs: 1, ss: 2, ds: 3, fs: 4, gs: 5 } as const;
