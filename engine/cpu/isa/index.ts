// Parses ISA_TABLE into typed rows and builds the opcode lookup the decoder walks; everything that
// needs instruction facts (decoder, disassembler, dispatch, hypervisor) reads them from here.
import { ISA_TABLE } from './table.js';
import { X87_TABLE } from './x87-table.js';
import type { Family, IsaEntry, VirtClass } from './types.js';

export type { IsaEntry, Family, VirtClass } from './types.js';
export { PREFIX_BYTES, LOCKABLE } from './table.js';

const VIRT: Record<string, VirtClass> = { i: 'innocuous', p: 'privileged', s: 'sensitive' };
const MODRM_KINDS = /^[EGMRSCD][a-z]/; // Eb, Gv, Sw, Cd … (not ES, DS, DX, CL)

function flagSet(s: string): string { return s === '-' ? '' : s; }

/** ModRM.rm of register-form rows written 'NN/<reg>r<rm>' (x87 D9 E0 …), by row. */
const REG_RM = new Map<IsaEntry, number>();

/** Parses one table line into rows ('NN+' expands to NN..NN+7 and 'NN+k' to k opcodes, register in the low bits). */
function parseLine(line: string, lineNo: number): IsaEntry[] {
  const cols = line.trim().split(/\s+/);
  let prefix = 0;
  if (cols[0] === 'F3' && cols[1] && /^[0-9A-F]{2}$/.test(cols[1])) { prefix = 0xF3; cols.shift(); }
  let twoByte = false;
  if (cols[0] === '0F') { twoByte = true; cols.shift(); }
  if (cols.length !== 9) throw new Error(`ISA table line ${lineNo}: expected 9 columns, got ${cols.length}: ${line}`);
  const [opSpec, mnemonic, operandSpec, handler, family, read, written, undef, virt] = cols;
  const m = /^([0-9A-F]{2})(\+[1-8]?)?(?:\/([0-7])?([mr])?([0-7])?)?$/.exec(opSpec);
  if (!m || (m[5] !== undefined && (m[4] !== 'r' || m[3] === undefined))) throw new Error(`ISA table line ${lineNo}: bad opcode '${opSpec}'`);
  const base = parseInt(m[1], 16) + (twoByte ? 0x100 : 0);
  const operands = operandSpec === '-' ? [] : operandSpec.split(',');
  const common = {
    ext: m[3] !== undefined ? Number(m[3]) : -1,
    modrmForm: m[4] === 'm' ? 'mem' as const : m[4] === 'r' ? 'reg' as const : 'any' as const,
    prefix, mnemonic, operands, handler, family: family as Family,
    flagsRead: flagSet(read), flagsWritten: flagSet(written), flagsUndefined: flagSet(undef),
    virt: VIRT[virt] ?? (() => { throw new Error(`ISA table line ${lineNo}: bad class '${virt}'`); })(),
    hasModrm: operands.some((o) => MODRM_KINDS.test(o)) || m[3] !== undefined,
  };
  const count = m[2] ? Number(m[2].slice(1) || 8) : 1;
  const rows: IsaEntry[] = [];
  for (let k = 0; k < count; k++) rows.push({ ...common, opcode: base + k });
  if (m[5] !== undefined) REG_RM.set(rows[0], Number(m[5]));
  return rows;
}

/** Every row of the table, in table order. */
export const ISA: readonly IsaEntry[] = [ISA_TABLE, X87_TABLE].flatMap((table) => table.split('\n')
  .map((line, i) => ({ line, i }))
  .filter(({ line }) => line.trim() !== '' && !line.trim().startsWith('#'))
  .flatMap(({ line, i }) => parseLine(line, i + 1)));

/** Decoder lookup for one opcode: the row for each ModRM.reg value, split by memory/register form. */
export interface OpcodeSlot {
  readonly hasModrm: boolean;
  readonly mem: Array<IsaEntry | undefined>;   // indexed by ModRM.reg (all 8 equal when not a group)
  readonly reg: Array<IsaEntry | undefined>;   // same, for mod == 3
  f3?: IsaEntry;                               // row selected by a mandatory F3 prefix (PAUSE)
  regRm?: Array<IsaEntry | undefined>;         // mod == 3 rows that also depend on ModRM.rm, by reg * 8 + rm (x87)
}

/** OPCODE_SLOTS[opcode] for 0x000–0x1FF (0x100+ = 0F map); undefined = no instruction (#UD). */
export const OPCODE_SLOTS: Array<OpcodeSlot | undefined> = new Array(0x200);

for (const e of ISA) {
  if (e.prefix === 0xF3) {
    const slot = OPCODE_SLOTS[e.opcode];
    if (!slot) throw new Error(`ISA table: F3 row ${e.mnemonic} before its plain opcode`);
    slot.f3 = e;
    continue;
  }
  let slot = OPCODE_SLOTS[e.opcode];
  if (!slot) {
    slot = { hasModrm: e.hasModrm, mem: new Array(8), reg: new Array(8) };
    OPCODE_SLOTS[e.opcode] = slot;
  } else if (slot.hasModrm !== e.hasModrm) {
    throw new Error(`ISA table: opcode ${e.opcode.toString(16)} rows disagree on ModRM`);
  }
  const rm = REG_RM.get(e);
  if (rm !== undefined) {
    slot.regRm ??= new Array(64);
    if (slot.regRm[e.ext * 8 + rm]) throw dup(e);
    slot.regRm[e.ext * 8 + rm] = e;
    continue;
  }
  for (let r = 0; r < 8; r++) {
    if (e.ext !== -1 && e.ext !== r) continue;
    if (e.modrmForm !== 'reg') { if (slot.mem[r]) throw dup(e); slot.mem[r] = e; }
    if (e.modrmForm !== 'mem') { if (slot.reg[r]) throw dup(e); slot.reg[r] = e; }
  }
}

function dup(e: IsaEntry): Error {
  return new Error(`ISA table: duplicate row for opcode ${e.opcode.toString(16)}/${e.ext} (${e.mnemonic})`);
}

/** The mnemonic of a row for an operand size ('cbw|cwde' → 'cbw' or 'cwde'). */
export function mnemonicFor(e: IsaEntry, opSize32: boolean): string {
  const bar = e.mnemonic.indexOf('|');
  if (bar < 0) return e.mnemonic;
  return opSize32 ? e.mnemonic.slice(bar + 1) : e.mnemonic.slice(0, bar);
}
