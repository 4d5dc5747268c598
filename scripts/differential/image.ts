// Builds the multiboot ELF the differential test boots in QEMU and in hvdbg: setup (GDT, IDT, CR0),
// one exception stub per vector, and for each case a prologue that loads its state, the instruction,
// and snapshot code that writes registers, EFLAGS, selectors, exception and scratch memory to the log.
import {
  AND_RF_IMAGE, CLD, CLI, HLT, JMP_SELF_MINUS_1, LEA_ESP_MINUS_4, LLDT_AX, MOV_CR0_EAX, MOV_CR4_EAX, POPFD, PUSHFD, REG, REP_MOVSD, SREG,
  jmpFar, jmpIndirectSs, le16, le32, lgdt, lidt, movRegImm, movSregReg, popToSs, storeImm32, storeImm32Ss,
  storeImm8Ss, storeReg, storeSreg,
} from './x86.js';
import {
  CODE, ERROR_CODE_VECTORS, FAULT_CS, FAULT_EFLAGS, FAULT_EIP, FAULT_ERROR, FAULT_VECTOR, GDT, GDT_BYTES, GDT_LIMIT, GDT_PRISTINE, GDTR, IDT, IDTR,
  IMAGE_BASE, LOG, NO_FAULT, RESUME, SCRATCH, SCRATCH_SIZE, SEL, STUB_SIZE, STUBS, gdtDwords,
} from './layout.js';
import { DEFAULT_SREGS, type TestCase } from './test-case.js';

const MULTIBOOT_MAGIC = 0x1BADB002;
const POOL_SIZE = SCRATCH_SIZE + 4;     // initial scratch bytes, then the initial EFLAGS
const SETUP = IMAGE_BASE + 0x10;        // entry point, after the multiboot header
const SREG_BY_NAME = { es: SREG.es, ds: SREG.ds, fs: SREG.fs, gs: SREG.gs } as const;

/** Where each case lives in the image. */
export interface CasePlacement {
  code: number;       // first byte of the prologue
  instr: number;      // the instruction under test
  snapshot: number;   // the snapshot code (the resume address)
  end: number;        // first byte after the snapshot code
  log: number;        // the case's log entry
}

export interface TestImage {
  elf: Uint8Array;            // the multiboot ELF file
  done: number;               // address of the final HLT (QEMU breakpoint; hvdbg halts there)
  logBase: number;            // first log entry
  placements: CasePlacement[];
}

/** Snapshot code for the log entry at `log`: everything it records, then the default state back. */
function snapshotCode(log: number, at: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < 8; r++) out.push(...storeReg(log + LOG.regs + 4 * r, r));
  for (let s = 0; s < 6; s++) out.push(...storeSreg(log + LOG.sregs + 2 * s, s));
  out.push(...movRegImm(REG.esp, log + LOG.eflags + 4), ...PUSHFD);
  out.push(...movRegImm(REG.eax, DEFAULT_SREGS.ds));
  for (const s of [SREG.ss, SREG.ds, SREG.es, SREG.gs]) out.push(...movSregReg(s, REG.eax));
  out.push(...movRegImm(REG.eax, DEFAULT_SREGS.fs), ...movSregReg(SREG.fs, REG.eax));
  const farJmpAt = at + out.length;
  out.push(...jmpFar(SEL.code, farJmpAt + 7)); // CS back to the flat code segment
  for (const [variable, field] of [[FAULT_VECTOR, LOG.faultVector], [FAULT_EIP, LOG.faultEip], [FAULT_ERROR, LOG.faultError],
    [FAULT_EFLAGS, LOG.faultEflags]]) {
    out.push(0xA1, ...le32(variable), 0xA3, ...le32(log + field));
  }
  out.push(...storeImm32(FAULT_VECTOR, NO_FAULT), ...storeImm32(FAULT_EIP, 0), ...storeImm32(FAULT_ERROR, 0), ...storeImm32(FAULT_EFLAGS, 0));
  out.push(...CLD, ...movRegImm(REG.esi, SCRATCH), ...movRegImm(REG.edi, log + LOG.scratch),
    ...movRegImm(REG.ecx, SCRATCH_SIZE / 4), ...REP_MOVSD);
  out.push(...movRegImm(REG.esi, GDT), ...movRegImm(REG.edi, log + LOG.gdt), ...movRegImm(REG.ecx, GDT_BYTES / 4), ...REP_MOVSD);
  return out;
}

/** Prologue of a case whose pool (initial scratch + EFLAGS) is at `pool`. */
function prologueCode(c: TestCase, pool: number, snapshot: number, regs: number[]): number[] {
  const out: number[] = [];
  out.push(...movRegImm(REG.esi, GDT_PRISTINE), ...movRegImm(REG.edi, GDT), ...movRegImm(REG.ecx, GDT_BYTES / 4), ...REP_MOVSD);
  out.push(...movRegImm(REG.esi, pool), ...movRegImm(REG.edi, SCRATCH), ...movRegImm(REG.ecx, SCRATCH_SIZE / 4), ...REP_MOVSD);
  out.push(...storeImm32(RESUME, snapshot));
  for (const [name, selector] of Object.entries(c.sregs) as Array<[keyof typeof SREG_BY_NAME, number]>) {
    out.push(...movRegImm(REG.eax, selector), ...movSregReg(SREG_BY_NAME[name], REG.eax));
  }
  out.push(...movRegImm(REG.esp, pool + SCRATCH_SIZE), ...POPFD);
  for (let r = 0; r < 8; r++) out.push(...movRegImm(r, regs[r]));
  return out;
}

/**
 * One exception stub: records vector, error code, EIP, CS and the pushed EFLAGS image, clears RF in
 * the frame (the image is compared on its own), restores EFLAGS and ESP, and resumes at the snapshot.
 */
function stubCode(vector: number): number[] {
  const out: number[] = [];
  if (ERROR_CODE_VECTORS.has(vector)) out.push(...popToSs(FAULT_ERROR));
  out.push(...popToSs(FAULT_EIP), ...popToSs(FAULT_CS), ...popToSs(FAULT_EFLAGS), ...LEA_ESP_MINUS_4, ...AND_RF_IMAGE,
    ...storeImm32Ss(FAULT_VECTOR, vector), ...POPFD, ...jmpIndirectSs(RESUME));
  if (out.length > STUB_SIZE) throw new Error('exception stub too long');
  return out;
}

function setupCode(firstCase: number): number[] {
  const out: number[] = [...CLI, ...CLD, ...lgdt(GDTR), ...lidt(IDTR)];
  const after = SETUP + out.length + 7;
  out.push(...jmpFar(SEL.code, after));
  out.push(...movRegImm(REG.eax, DEFAULT_SREGS.ds));
  for (const s of [SREG.ss, SREG.ds, SREG.es, SREG.gs]) out.push(...movSregReg(s, REG.eax));
  out.push(...movRegImm(REG.eax, DEFAULT_SREGS.fs), ...movSregReg(SREG.fs, REG.eax));
  out.push(...movRegImm(REG.eax, 0x11), ...MOV_CR0_EAX, ...movRegImm(REG.eax, 0), ...MOV_CR4_EAX); // PE|ET, caches on
  out.push(...LLDT_AX); // a null LDT: the LDTR cache after reset differs between implementations
  out.push(...storeImm32(FAULT_VECTOR, NO_FAULT), ...storeImm32(FAULT_EIP, 0), ...storeImm32(FAULT_ERROR, 0), ...storeImm32(FAULT_EFLAGS, 0));
  out.push(0xE9, ...le32(firstCase - (SETUP + out.length + 5)));
  return out;
}

/** Lays out and assembles the image for cases. */
export function buildImage(cases: readonly TestCase[]): TestImage {
  // Pass 1: sizes and addresses.
  const snapshotSize = snapshotCode(0, 0).length;
  const placements: CasePlacement[] = [];
  let at = CODE;
  for (const c of cases) {
    const prologue = prologueCode(c, 0, 0, c.regs).length;
    const instr = at + prologue;
    const snapshot = instr + c.bytes.length + (c.tagged ? 8 : 0);
    placements.push({ code: at, instr, snapshot, end: snapshot + snapshotSize, log: 0 });
    at = snapshot + snapshotSize;
  }
  const done = at;
  const poolBase = align(done + 16, 16);
  const logBase = align(poolBase + cases.length * POOL_SIZE, 64);
  const end = logBase + cases.length * LOG.size;
  placements.forEach((p, k) => { p.log = logBase + k * LOG.size; });

  // Pass 2: bytes.
  const mem = new Uint8Array(end - IMAGE_BASE);
  const put = (addr: number, bytes: number[] | Uint8Array): void => { mem.set(bytes, addr - IMAGE_BASE); };
  put(IMAGE_BASE, [...le32(MULTIBOOT_MAGIC), ...le32(0), ...le32((-MULTIBOOT_MAGIC) >>> 0)]);
  put(SETUP, setupCode(cases.length ? placements[0].code : done));
  put(GDTR, [...le16(GDT_LIMIT), ...le32(GDT)]);
  put(IDTR, [...le16(256 * 8 - 1), ...le32(IDT)]);
  put(GDT, gdtDwords().flatMap(le32));
  put(GDT_PRISTINE, gdtDwords().flatMap(le32));
  for (let v = 0; v < 256; v++) {
    const stub = STUBS + v * STUB_SIZE;
    put(IDT + v * 8, [...le32((SEL.code << 16) | (stub & 0xFFFF)), ...le32(((stub & 0xFFFF0000) | 0x8E00) >>> 0)]);
    put(stub, stubCode(v));
  }
  cases.forEach((c, k) => {
    const p = placements[k];
    const pool = poolBase + k * POOL_SIZE;
    const { regs, scratch, bytes } = resolvedState(c, p);
    put(pool, scratch);
    put(pool + SCRATCH_SIZE, le32(c.eflags));
    put(p.code, prologueCode(c, pool, p.snapshot, regs));
    put(p.instr, bytes);
    if (c.tagged) put(p.instr + bytes.length, storeImm8Ss(p.log + LOG.tag, 1));
    put(p.snapshot, snapshotCode(p.log, p.snapshot));
  });
  put(done, [...HLT, ...JMP_SELF_MINUS_1]);
  return { elf: elfFile(mem, SETUP), done, logBase, placements };
}

/** The resolved initial registers and scratch of a case (fixups applied), for reports. */
export function resolvedState(c: TestCase, p: CasePlacement): { regs: number[]; scratch: Uint8Array; bytes: number[] } {
  const regs = c.regs.slice(), bytes = c.bytes.slice(), scratch = Uint8Array.from(c.scratch);
  for (const f of c.fixups) {
    if (f.in === 'reg') regs[f.reg] = p.snapshot;
    else if (f.in === 'bytes') bytes.splice(f.offset, 4, ...le32(p.snapshot));
    else scratch.set(le32(p.snapshot), f.offset);
  }
  return { regs, scratch, bytes };
}

function align(v: number, a: number): number { return Math.ceil(v / a) * a; }

/** An ELF32 executable with one PT_LOAD segment holding mem at IMAGE_BASE (no sections). */
function elfFile(mem: Uint8Array, entry: number): Uint8Array {
  const dataOffset = 0x1000;
  const file = new Uint8Array(dataOffset + mem.length);
  const v = new DataView(file.buffer);
  file.set([0x7F, 0x45, 0x4C, 0x46, 1, 1, 1], 0); // ELF32, little-endian, version 1
  v.setUint16(16, 2, true);          // ET_EXEC
  v.setUint16(18, 3, true);          // EM_386
  v.setUint32(20, 1, true);          // EV_CURRENT
  v.setUint32(24, entry, true);      // e_entry
  v.setUint32(28, 52, true);         // e_phoff
  v.setUint16(40, 52, true);         // e_ehsize
  v.setUint16(42, 32, true);         // e_phentsize
  v.setUint16(44, 1, true);          // e_phnum
  v.setUint16(46, 40, true);         // e_shentsize
  v.setUint32(52 + 0, 1, true);      // PT_LOAD
  v.setUint32(52 + 4, dataOffset, true);
  v.setUint32(52 + 8, IMAGE_BASE, true);
  v.setUint32(52 + 12, IMAGE_BASE, true);
  v.setUint32(52 + 16, mem.length, true);
  v.setUint32(52 + 20, mem.length, true);
  v.setUint32(52 + 24, 7, true);     // RWX
  v.setUint32(52 + 28, 0x1000, true);
  file.set(mem, dataOffset);
  return file;
}
