// The expression environment of one stopped frame: its registers (frame 0 and its inlined calls: the
// vCPU's; callers: what unwinding recovered), guest memory, the DWARF locals of the frame, globals and
// ELF symbols of every image, the debuggee's types, and extra names (a stopped event's fields).
import type { Cpu } from '../cpu/cpu.js';
import { REG16_NAMES, REG32_NAMES, REG8_NAMES, SEG_NAMES } from '../cpu/registers.js';
import type { Location } from './dwarf/expression.js';
import type { DwarfType } from './dwarf/types.js';
import { ExpressionError } from './expression/lexer.js';
import { BUILTIN_TYPES, INT, UINT32, type EvalEnvironment, type FieldValue, type Value } from './expression/value.js';
import { fieldValue } from './expression/evaluator.js';
import { GuestMemoryError, readGuest } from './machine/guest-memory-view.js';
import { isCpuFrame, symbolLookupPc, type StackFrameInfo } from './stack.js';
import type { SymbolSet } from './symbols/symbol-set.js';
import type { GlobalVariable, ScopeVariable } from './symbols/symbol-index.js';

const UINT16 = BUILTIN_TYPES.get('uint16_t')!, UINT8 = BUILTIN_TYPES.get('uint8_t')!;

/** The named registers of the vCPU (or of a caller frame) as values. */
export function registerValue(cpu: Cpu, frame: StackFrameInfo | undefined, name: string): Value | undefined {
  const frameReg = (n: number): bigint | undefined => {
    const v = frame && !isCpuFrame(frame) ? frame.registers.get(n) : cpu.reg32[n] >>> 0;
    return v === undefined ? undefined : BigInt(v >>> 0);
  };
  let k = REG32_NAMES.indexOf(name as never);
  if (k >= 0) { const bits = frameReg(k); return bits === undefined ? undefined : { type: UINT32, bits, place: { space: 'register', name } }; }
  k = REG16_NAMES.indexOf(name as never);
  if (k >= 0) { const bits = frameReg(k); return bits === undefined ? undefined : { type: UINT16, bits: bits & 0xFFFFn, place: { space: 'register', name } }; }
  k = REG8_NAMES.indexOf(name as never);
  if (k >= 0) {
    const bits = frameReg(k & 3);
    return bits === undefined ? undefined : { type: UINT8, bits: (bits >> (k >= 4 ? 8n : 0n)) & 0xFFn, place: { space: 'register', name } };
  }
  k = SEG_NAMES.indexOf(name as never);
  if (k >= 0) return { type: UINT16, bits: BigInt(cpu.segSel[k]), place: { space: 'register', name } };
  const scalar = (v: number): Value => ({ type: UINT32, bits: BigInt(v >>> 0), place: { space: 'register', name } });
  switch (name) {
    case 'eip': return frame && !isCpuFrame(frame) ? scalar(frame.registers.get(8) ?? 0) : scalar(cpu.eip);
    case 'pc': return { type: UINT32, bits: BigInt(frame ? frame.pc : cpu.eip >>> 0) };
    case 'eflags': return scalar(cpu.getEflags());
    case 'cr0': return scalar(cpu.cr0);
    case 'cr2': return scalar(cpu.cr2);
    case 'cr3': return scalar(cpu.cr3);
    case 'cr4': return scalar(cpu.cr4);
    case 'cpl': return { type: INT, bits: BigInt(cpu.cpl) };
  }
  const dr = /^dr([0-7])$/.exec(name);
  if (dr) return scalar(cpu.dr[Number(dr[1])]);
  return undefined;
}

/** The value a DWARF location names, typed. */
export function locationValue(location: Location, type: DwarfType): Value {
  switch (location.kind) {
    case 'memory': return { type, place: { space: 'linear', address: location.address >>> 0 } };
    case 'register': {
      const name = REG32_NAMES[location.reg];
      if (!name) throw new ExpressionError(`the value is in DWARF register ${location.reg}, which hvdbg does not show`);
      return { type, place: { space: 'register', name } };
    }
    case 'value': return { type, bits: location.value };
    case 'implicit': {
      let bits = 0n;
      for (let k = location.bytes.length - 1; k >= 0; k--) bits = (bits << 8n) | BigInt(location.bytes[k]);
      return { type, bits };
    }
    case 'empty': throw new ExpressionError(location.reason ? `optimized out (${location.reason})` : 'optimized out');
    default: throw new ExpressionError(`the value is split over registers and memory (${location.kind}), which hvdbg does not show yet`);
  }
}

export interface FrameEnvironmentOptions {
  cpu: Cpu;
  symbols: SymbolSet;
  /** The frame whose locals and registers names refer to (undefined: the vCPU's registers and globals only). */
  frame?: StackFrameInfo;
  /** Extra names, looked up first: a stopped event's decoded fields. */
  fields?: { readonly [name: string]: FieldValue };
}

/** Builds the EvalEnvironment of a frame. */
export function frameEnvironment(options: FrameEnvironmentOptions): EvalEnvironment {
  const { cpu, symbols, frame, fields } = options;
  let locals: ScopeVariable[] | undefined;
  let typeIndex: Map<string, DwarfType> | undefined;
  const env: EvalEnvironment = {
    readMemory(space, address, size) {
      try {
        return readGuest(cpu, space, address, size);
      } catch (error) {
        if (error instanceof GuestMemoryError) throw new ExpressionError(error.message);
        throw error;
      }
    },
    register: (name) => registerValue(cpu, frame, name),
    lookup(name) {
      if (fields && name in fields) return fieldValue(fields[name]);
      if (frame?.image) {
        locals ??= frame.image.scopesAt(symbolLookupPc(frame), frame.inlineDepth);
        const local = locals.find((v) => v.name === name);
        if (local) return localValue(local, frame, cpu);
      }
      for (const image of symbols.all) {
        const global = image.globals().find((g) => g.name === name);
        if (global) return globalValue(global);
      }
      const address = symbols.symbolAddress(name);
      if (address !== undefined) return { type: UINT32, place: { space: 'linear', address } };
      return undefined;
    },
    findType(name) {
      typeIndex ??= buildTypeIndex(symbols);
      return typeIndex.get(name) ?? BUILTIN_TYPES.get(name);
    },
  };
  return env;
}

function localValue(v: ScopeVariable, frame: StackFrameInfo, cpu: Cpu): Value {
  if (v.constValue !== undefined && !v.expr) {
    const c = v.constValue;
    if (typeof c === 'number' || typeof c === 'bigint') return { type: v.type, bits: BigInt(c) };
    throw new ExpressionError(`${v.name} is a constant hvdbg cannot show`);
  }
  const image = frame.image!;
  const location = image.locate(v, symbolLookupPc(frame), {
    readRegister: (reg) => {
      const value = isCpuFrame(frame) ? (reg === 8 ? cpu.eip : cpu.reg32[reg]) : frame.registers.get(reg);
      if (value === undefined) throw new ExpressionError(`register ${reg} of this frame is not recoverable`);
      return value >>> 0;
    },
    readMemory: (address, size) => {
      const bytes = readGuest(cpu, 'linear', Number(address), size);
      let bits = 0n;
      for (let k = bytes.length - 1; k >= 0; k--) bits = (bits << 8n) | BigInt(bytes[k]);
      return size <= 4 ? Number(bits) : bits;
    },
  });
  if (location.kind === 'register' && !isCpuFrame(frame)) {
    const bits = frame.registers.get(location.reg);
    if (bits === undefined) throw new ExpressionError(`${v.name} is in a register the caller did not save`);
    return { type: v.type, bits: BigInt(bits >>> 0) };
  }
  return locationValue(location, v.type);
}

function globalValue(g: GlobalVariable): Value {
  if (g.address === undefined) throw new ExpressionError(`${g.name} has no fixed address`);
  return { type: g.type ?? UINT32, place: { space: 'linear', address: g.address } };
}

/** Named types of every image: "struct point", "union u", "enum e", typedef names and base types. */
function buildTypeIndex(symbols: SymbolSet): Map<string, DwarfType> {
  const index = new Map<string, DwarfType>();
  const visit = (t: DwarfType | undefined, depth: number): void => {
    if (!t || depth > 8) return;
    const key = t.name === undefined ? undefined
      : t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum' ? `${t.kind} ${t.name}` : t.kind === 'typedef' || t.kind === 'base' ? t.name : undefined;
    if (key !== undefined && (!index.has(key) || index.get(key)!.declaration)) index.set(key, t);
    if (t.target) visit(t.target, depth + 1);
    for (const m of t.members ?? []) visit(m.type, depth + 1);
  };
  for (const image of symbols.all) {
    for (const g of image.globals()) visit(g.type, 0);
    for (const f of image.functions()) {
      visit(f.returnType, 0);
      const walk = (scope: { variables: { type: DwarfType }[]; scopes: unknown[] }): void => {
        for (const v of scope.variables) visit(v.type, 0);
        for (const s of scope.scopes) walk(s as typeof scope);
      };
      walk(f);
    }
  }
  return index;
}
