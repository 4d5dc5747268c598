// setVariable on registers: general registers, EIP, EFLAGS and its bits (and IOPL), segment selectors
// (loaded with the CPU's own checks), CR2, CR3 and the debug registers. Every refusal is a message.
import type { Cpu } from '../../cpu/cpu.js';
import { loadSegment } from '../../cpu/descriptors.js';
import { updateDebugState } from '../../cpu/debug-registers.js';
import { CpuFault } from '../../cpu/fault.js';
import { CS, EFLAGS_BIT_NAMES, FLAG_IOPL, REG32_NAMES, SEG_NAMES } from '../../cpu/registers.js';
import { parseNumber } from './format.js';

export type EditResult = { ok: true } | { ok: false; error: string };

const fail = (error: string): EditResult => ({ ok: false, error });

/** Parses value text that must fit in `bits` bits. */
function parseSized(text: string, bits: number, what: string): number | string {
  const value = parseNumber(text);
  if (value === undefined) return `"${text}" is not a number (use 0x…, decimal, or 0b…) for ${what}`;
  if (bits < 32 && value >= 2 ** bits) return `${text} does not fit in ${what} (${bits} bits)`;
  return value;
}

/**
 * Sets the register a variable path names: ["EAX"], ["EFLAGS"], ["EFLAGS", "ZF"], ["EFLAGS", "IOPL"],
 * ["DS"], ["CR3"], ["DR7"] … (names as the Registers and Control scopes show them).
 */
export function setRegister(cpu: Cpu, path: readonly string[], text: string): EditResult {
  const [name, child] = path;
  if (name === 'EFLAGS' && child !== undefined) return setFlagBit(cpu, child, text);
  if (path.length !== 1) return fail(`${path.join('.')} cannot be set`);
  const general = REG32_NAMES.indexOf(name.toLowerCase() as typeof REG32_NAMES[number]);
  const parsed = parseSized(text, SEG_NAMES.includes(name.toLowerCase() as typeof SEG_NAMES[number]) ? 16 : 32, name);
  if (typeof parsed === 'string') return fail(parsed);
  const value = parsed;
  if (general >= 0) { cpu.reg32[general] = value | 0; return { ok: true }; }
  const seg = SEG_NAMES.indexOf(name.toLowerCase() as typeof SEG_NAMES[number]);
  if (seg >= 0) return setSegment(cpu, seg, value);
  switch (name) {
    case 'EIP':
      if (!cpu.codeSize32 && value > 0xFFFF) return fail(`EIP ${text} does not fit in 16-bit code (IP is at most 0xffff)`);
      cpu.eip = value; return { ok: true };
    case 'EFLAGS': cpu.setEflags(value); return { ok: true };
    case 'CR2': cpu.cr2 = value | 0; return { ok: true };
    case 'CR3':
      cpu.cr3 = value | 0; cpu.updatePagingMode(); cpu.mmu.flush(false); return { ok: true };
    case 'DR0': case 'DR1': case 'DR2': case 'DR3': case 'DR6': case 'DR7':
      cpu.dr[Number(name[2])] = value | 0; updateDebugState(cpu); return { ok: true };
    default:
      return fail(`${name} cannot be set from the debugger`);
  }
}

function setFlagBit(cpu: Cpu, name: string, text: string): EditResult {
  const eflags = cpu.getEflags();
  if (name === 'IOPL') {
    const level = parseSized(text, 2, 'IOPL');
    if (typeof level === 'string') return fail(level);
    cpu.setEflags((eflags & ~FLAG_IOPL) | (level << 12));
    return { ok: true };
  }
  const entry = EFLAGS_BIT_NAMES.find(([, n]) => n === name);
  if (!entry) return fail(`EFLAGS has no bit named ${name}`);
  const bit = parseSized(text, 1, `EFLAGS.${name}`);
  if (typeof bit === 'string') return fail(bit);
  cpu.setEflags(bit ? eflags | entry[0] : eflags & ~entry[0]);
  return { ok: true };
}

/** Loads a segment register the way MOV Sreg would (protected-mode checks); CS only outside protected mode. */
function setSegment(cpu: Cpu, seg: number, selector: number): EditResult {
  if (seg === CS && cpu.protectedMode && !cpu.v86) {
    return fail('CS cannot be set in protected mode (it would change CPL and the code size); change EIP, or let the guest do a far jump');
  }
  const cr2 = cpu.cr2; // a descriptor read that page-faults must not look like a guest #PF
  try {
    loadSegment(cpu, seg, selector);
    return { ok: true };
  } catch (error) {
    cpu.cr2 = cr2;
    if (error instanceof CpuFault) return fail(`the CPU refuses ${SEG_NAMES[seg].toUpperCase()} = 0x${selector.toString(16)}: ${error.detail ?? `exception ${error.vector}`}`);
    throw error;
  }
}
