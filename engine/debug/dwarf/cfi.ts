// Call frame information: CIEs and FDEs of .debug_frame (versions 1, 3, 4) and .eh_frame (with its
// augmentations "z", "R", "P", "L", "S" and pointer encodings), the DW_CFA_* program interpreter
// that yields the unwind rules in effect at a pc, and one unwinding step that computes the caller's
// registers from them.
import { DW_CFA, DW_EH_PE } from './constants.js';
import { DwarfError, hexOf } from './error.js';
import { evaluateValue, type ExpressionContext } from './expression.js';
import { DwarfReader, type Section } from './reader.js';

export interface Cie {
  section: Section;
  offset: number;
  version: number;
  augmentation: string;
  addressSize: number;
  codeAlign: number;
  dataAlign: number;
  returnAddressRegister: number;
  fdeEncoding: number;        // DW_EH_PE_* for FDE addresses ('R'); absptr otherwise
  lsdaEncoding: number;       // 'L'
  personality?: number;       // 'P'
  signalFrame: boolean;       // 'S'
  instructions: Uint8Array;
  instructionsOffset: number; // offset of the instructions in the section
  is64: boolean;
  eh: boolean;                // from .eh_frame (pointer encodings apply)
}

export interface Fde {
  section: Section;
  offset: number;
  cie: Cie;
  low: number;                // first address covered
  high: number;               // one past the last
  lsda?: number;
  instructions: Uint8Array;
  instructionsOffset: number;
}

/** How to find a register's value in the caller's frame. */
export type RegisterRule =
  | { type: 'undefined' }
  | { type: 'sameValue' }
  | { type: 'offset'; offset: number }       // saved at CFA + offset
  | { type: 'valOffset'; offset: number }    // the value is CFA + offset
  | { type: 'register'; reg: number }        // saved in another register
  | { type: 'expression'; expr: Uint8Array } // saved at the address the expression computes (CFA pushed first)
  | { type: 'valExpression'; expr: Uint8Array };

export type CfaRule = { type: 'regOffset'; reg: number; offset: number } | { type: 'expression'; expr: Uint8Array };

/** The unwind rules for the addresses [address, end). */
export interface UnwindRow {
  address: number;
  end: number;
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
  returnAddressRegister: number;
  fde: Fde;
}

interface RuleState { cfa: CfaRule; registers: Map<number, RegisterRule> }

/** Every CIE and FDE of .debug_frame and .eh_frame, with lookup by pc. */
export class CallFrameInfo {
  readonly fdes: Fde[] = [];
  readonly cies: Cie[] = [];

  /** debugFrame and ehFrame may be empty; addressSize is the target's (4 for i386). */
  constructor(debugFrame: Section | undefined, ehFrame: Section | undefined, readonly addressSize = 4) {
    if (debugFrame && debugFrame.bytes.length) this.parse(debugFrame, false);
    if (ehFrame && ehFrame.bytes.length) this.parse(ehFrame, true);
    this.fdes.sort((a, b) => a.low - b.low);
  }

  /** The FDE covering pc (.debug_frame entries come first when both cover it). */
  fdeAt(pc: number): Fde | undefined {
    let lo = 0, hi = this.fdes.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.fdes[mid].low <= pc) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let k = found; k >= 0 && k > found - 8; k--) { // overlapping FDEs are rare; look back a little
      const f = this.fdes[k];
      if (pc >= f.low && pc < f.high) return f;
    }
    return undefined;
  }

  /** The unwind rules in effect at pc, or undefined when no FDE covers it. */
  rowAt(pc: number): UnwindRow | undefined {
    const fde = this.fdeAt(pc);
    return fde ? executeCfa(fde, pc) : undefined;
  }

  private parse(section: Section, eh: boolean): void {
    const r = new DwarfReader(section);
    const cies = new Map<number, Cie>();
    const pendingFdes: { at: number; ciePointer: number; body: DwarfReader; is64: boolean }[] = [];
    while (r.remaining > 0) {
      const at = r.pos;
      if (eh && r.remaining < 4) break;
      const { length, is64 } = r.initialLength();
      if (length === 0) { if (eh) break; else continue; } // .eh_frame terminator / .debug_frame padding
      const end = r.pos + length;
      if (end > r.end) throw r.error(`CFI entry length ${hexOf(length)} runs past the end of the section (size ${hexOf(r.end)})`, at);
      const body = r.sub(r.pos, end);
      const idAt = body.pos;
      const rawId = is64 ? body.u64Big() : BigInt(body.u32());
      const isCie = eh ? rawId === 0n : rawId === (is64 ? 0xFFFF_FFFF_FFFF_FFFFn : 0xFFFF_FFFFn);
      if (!isCie && rawId > BigInt(section.bytes.length + idAt)) throw body.error(`FDE's CIE pointer ${hexOf(rawId)} is outside the section`, idAt);
      const id = Number(rawId);
      if (isCie) {
        const cie = this.readCie(body, at, eh, is64);
        cies.set(at, cie);
        this.cies.push(cie);
      } else {
        pendingFdes.push({ at, ciePointer: eh ? idAt - id : id, body, is64 });
      }
      r.seek(end);
    }
    for (const p of pendingFdes) {
      let cie = cies.get(p.ciePointer);
      if (!cie) {
        // .debug_frame FDEs may point at a CIE we have not met (it must be in the same section).
        if (p.ciePointer < 0 || p.ciePointer >= section.bytes.length) throw p.body.error(`FDE refers to CIE at ${hexOf(p.ciePointer)}, outside the section`, p.at);
        throw p.body.error(`FDE refers to ${hexOf(p.ciePointer)}, which is not a CIE`, p.at);
      }
      this.fdes.push(this.readFde(p.body, p.at, cie, eh));
    }
  }

  private readCie(r: DwarfReader, at: number, eh: boolean, is64: boolean): Cie {
    const version = r.u8();
    if (![1, 3, 4].includes(version)) throw r.error(`unsupported CIE version ${version} (1, 3 and 4 are supported)`, r.pos - 1);
    const augmentation = r.cstr();
    let addressSize = this.addressSize;
    if (version === 4) {
      addressSize = r.u8();
      const segSize = r.u8();
      if (segSize !== 0) throw r.error(`segment selector size ${segSize} is not supported`, r.pos - 1);
    }
    const cie: Cie = {
      section: r.section, offset: at, version, augmentation, addressSize, codeAlign: 0, dataAlign: 0,
      returnAddressRegister: 0, fdeEncoding: DW_EH_PE.absptr, lsdaEncoding: DW_EH_PE.omit, signalFrame: false,
      instructions: new Uint8Array(0), instructionsOffset: 0, is64, eh,
    };
    if (augmentation.includes('eh')) r.skip(addressSize, 'eh pointer'); // very old gcc
    cie.codeAlign = r.uleb();
    cie.dataAlign = r.sleb();
    cie.returnAddressRegister = version === 1 ? r.u8() : r.uleb();
    if (augmentation.startsWith('z')) {
      const len = r.uleb();
      const augEnd = r.pos + len;
      r.need(len, 'CIE augmentation data');
      for (const ch of augmentation.slice(1)) {
        switch (ch) {
          case 'R': cie.fdeEncoding = r.u8(); break;
          case 'L': cie.lsdaEncoding = r.u8(); break;
          case 'P': { const enc = r.u8(); cie.personality = readEncoded(r, enc, addressSize, at); break; }
          case 'S': cie.signalFrame = true; break;
          case 'B': break; // AArch64 BTI
          default: r.seek(augEnd); break; // unknown: the length lets us skip the rest
        }
        if (r.pos >= augEnd) break;
      }
      r.seek(augEnd);
    } else if (augmentation !== '' && augmentation !== 'eh' && eh) {
      throw r.error(`unknown CIE augmentation "${augmentation}" (no "z" to skip it by length)`, at);
    }
    cie.instructionsOffset = r.pos;
    cie.instructions = r.block(r.remaining, 'CIE instructions');
    return cie;
  }

  private readFde(r: DwarfReader, at: number, cie: Cie, eh: boolean): Fde {
    const enc = eh ? cie.fdeEncoding : DW_EH_PE.absptr;
    const low = readEncoded(r, enc, cie.addressSize, at);
    if (low === undefined) throw r.error('FDE initial location is omitted', at);
    const range = readEncoded(r, enc & 0x0F, cie.addressSize, at) ?? 0;
    let lsda: number | undefined;
    if (eh && cie.augmentation.startsWith('z')) {
      const len = r.uleb();
      const augEnd = r.pos + len;
      r.need(len, 'FDE augmentation data');
      if (cie.augmentation.includes('L') && len > 0) lsda = readEncoded(r, cie.lsdaEncoding, cie.addressSize, at);
      r.seek(augEnd);
    }
    const instructionsOffset = r.pos;
    return { section: r.section, offset: at, cie, low, high: low + range, lsda, instructions: r.block(r.remaining, 'FDE instructions'), instructionsOffset };
  }
}

/** Reads a DW_EH_PE_* encoded pointer; pc-relative ones are relative to the field's own address. */
function readEncoded(r: DwarfReader, enc: number, addressSize: number, entryAt: number): number | undefined {
  if (enc === DW_EH_PE.omit) return undefined;
  const fieldAddress = (r.section.address ?? 0) + r.pos;
  const application = enc & 0x70;
  if (application === DW_EH_PE.aligned) {
    const misalign = r.pos % addressSize;
    if (misalign) r.skip(addressSize - misalign, 'alignment');
  }
  let v: number;
  switch (enc & 0x0F) {
    case DW_EH_PE.absptr: v = r.address(addressSize); break;
    case DW_EH_PE.uleb128: v = r.uleb(); break;
    case DW_EH_PE.udata2: v = r.u16(); break;
    case DW_EH_PE.udata4: v = r.u32(); break;
    case DW_EH_PE.udata8: v = r.u64('pointer'); break;
    case DW_EH_PE.sleb128: v = r.sleb(); break;
    case DW_EH_PE.sdata2: v = r.i16(); break;
    case DW_EH_PE.sdata4: v = r.i32(); break;
    case DW_EH_PE.sdata8: v = Number(r.i64Big()); break;
    default: throw r.error(`unknown pointer encoding ${hexOf(enc)} (DW_EH_PE_*)`, entryAt);
  }
  switch (application) {
    case 0: case DW_EH_PE.aligned: break;
    case DW_EH_PE.pcrel: v += fieldAddress; break;
    default: throw r.error(`pointer encoding ${hexOf(enc)} is relative to a base (text, data or function) this reader does not know`, entryAt);
  }
  if (enc & DW_EH_PE.indirect) throw r.error(`indirect pointer encoding ${hexOf(enc)} needs memory at ${hexOf(v)}; not supported`, entryAt);
  return addressSize === 4 ? v >>> 0 : v;
}

/** Runs the CIE's initial instructions and the FDE's instructions up to pc. */
export function executeCfa(fde: Fde, pc: number): UnwindRow {
  const rows = unwindTable(fde);
  for (const row of rows) if (pc >= row.address && pc < row.end) return row;
  return rows[rows.length - 1];
}

/** Every row of an FDE's unwind table, in address order (each row's rules hold until the next row). */
export function unwindTable(fde: Fde): UnwindRow[] {
  const cie = fde.cie;
  const initial: RuleState = { cfa: { type: 'regOffset', reg: 0, offset: 0 }, registers: new Map() };
  let cfaDefined = false;
  const state: RuleState = { cfa: initial.cfa, registers: new Map() };
  const rows: UnwindRow[] = [];
  let loc = fde.low;
  const run = (section: Section, bytes: Uint8Array, base: number, isCie: boolean) => {
    const r = new DwarfReader(section, base, base + bytes.length);
    const stack: RuleState[] = [];
    const reg = () => r.uleb();
    const emitTo = (next: number) => {
      if (isCie) return; // the CIE sets the initial rules; locations only move in the FDE
      if (next < loc) throw r.error(`CFA instruction moves the location backwards (${hexOf(next)} < ${hexOf(loc)})`);
      if (next > loc) rows.push(snapshot(loc, next));
      loc = next;
    };
    const restoreRule = (n: number) => {
      const rule = initial.registers.get(n);
      if (rule) state.registers.set(n, rule); else state.registers.delete(n);
    };
    while (!r.atEnd) {
      const at = r.pos;
      const byte = r.u8();
      const high = byte & 0xC0, low = byte & 0x3F;
      if (high === DW_CFA.advance_loc) { emitTo(loc + low * cie.codeAlign); continue; }
      if (high === DW_CFA.offset) { state.registers.set(low, { type: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
      if (high === DW_CFA.restore) { if (isCie) throw r.error('DW_CFA_restore in a CIE', at); restoreRule(low); continue; }
      switch (byte) {
        case DW_CFA.nop: break;
        case DW_CFA.set_loc: emitTo(readEncoded(r, cie.eh ? cie.fdeEncoding : DW_EH_PE.absptr, cie.addressSize, at) ?? loc); break;
        case DW_CFA.advance_loc1: emitTo(loc + r.u8() * cie.codeAlign); break;
        case DW_CFA.advance_loc2: emitTo(loc + r.u16() * cie.codeAlign); break;
        case DW_CFA.advance_loc4: emitTo(loc + r.u32() * cie.codeAlign); break;
        case DW_CFA.offset_extended: { const n = reg(); state.registers.set(n, { type: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
        case DW_CFA.offset_extended_sf: { const n = reg(); state.registers.set(n, { type: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
        case DW_CFA.GNU_negative_offset_extended: { const n = reg(); state.registers.set(n, { type: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
        case DW_CFA.restore_extended: { if (isCie) throw r.error('DW_CFA_restore_extended in a CIE', at); restoreRule(reg()); break; }
        case DW_CFA.undefined: state.registers.set(reg(), { type: 'undefined' }); break;
        case DW_CFA.same_value: state.registers.set(reg(), { type: 'sameValue' }); break;
        case DW_CFA.register: { const n = reg(); state.registers.set(n, { type: 'register', reg: reg() }); break; }
        case DW_CFA.remember_state: stack.push({ cfa: state.cfa, registers: new Map(state.registers) }); break;
        case DW_CFA.restore_state: {
          const s = stack.pop();
          if (!s) throw r.error('DW_CFA_restore_state without a matching DW_CFA_remember_state', at);
          state.cfa = s.cfa; state.registers = s.registers;
          break;
        }
        case DW_CFA.def_cfa: { const n = reg(); state.cfa = { type: 'regOffset', reg: n, offset: r.uleb() }; cfaDefined = true; break; }
        case DW_CFA.def_cfa_sf: { const n = reg(); state.cfa = { type: 'regOffset', reg: n, offset: r.sleb() * cie.dataAlign }; cfaDefined = true; break; }
        case DW_CFA.def_cfa_register: {
          const n = reg();
          if (state.cfa.type !== 'regOffset') throw r.error('DW_CFA_def_cfa_register while the CFA is an expression', at);
          state.cfa = { type: 'regOffset', reg: n, offset: state.cfa.offset }; cfaDefined = true;
          break;
        }
        case DW_CFA.def_cfa_offset: case DW_CFA.def_cfa_offset_sf: {
          const off = byte === DW_CFA.def_cfa_offset ? r.uleb() : r.sleb() * cie.dataAlign;
          if (state.cfa.type !== 'regOffset') throw r.error(`DW_CFA_def_cfa_offset${byte === DW_CFA.def_cfa_offset ? '' : '_sf'} while the CFA is an expression`, at);
          state.cfa = { type: 'regOffset', reg: state.cfa.reg, offset: off };
          break;
        }
        case DW_CFA.def_cfa_expression: state.cfa = { type: 'expression', expr: r.block(r.uleb(), 'CFA expression') }; cfaDefined = true; break;
        case DW_CFA.expression: { const n = reg(); state.registers.set(n, { type: 'expression', expr: r.block(r.uleb(), 'register expression') }); break; }
        case DW_CFA.val_expression: { const n = reg(); state.registers.set(n, { type: 'valExpression', expr: r.block(r.uleb(), 'register expression') }); break; }
        case DW_CFA.val_offset: { const n = reg(); state.registers.set(n, { type: 'valOffset', offset: r.uleb() * cie.dataAlign }); break; }
        case DW_CFA.val_offset_sf: { const n = reg(); state.registers.set(n, { type: 'valOffset', offset: r.sleb() * cie.dataAlign }); break; }
        case DW_CFA.GNU_args_size: r.uleb(); break;
        default: throw r.error(`unknown call frame instruction ${hexOf(byte)} (DW_CFA_*)`, at);
      }
    }
  };
  const snapshot = (address: number, end: number): UnwindRow => ({
    address, end, cfa: state.cfa, registers: new Map(state.registers), returnAddressRegister: cie.returnAddressRegister, fde,
  });
  run(cie.section, cie.instructions, cie.instructionsOffset, true);
  initial.cfa = state.cfa;
  initial.registers = new Map(state.registers);
  run(fde.section, fde.instructions, fde.instructionsOffset, false);
  if (!cfaDefined) throw new DwarfError(fde.section.name, fde.offset, 'neither the FDE nor its CIE defines the CFA', fde.section.file);
  if (loc < fde.high || rows.length === 0) rows.push(snapshot(loc, Math.max(fde.high, loc + 1)));
  return rows;
}

/** The caller's registers after one unwinding step, and the CFA of the current frame. */
export interface UnwoundFrame {
  cfa: number;
  /** Register values in the caller (undefined: not recoverable). The stack pointer is the CFA unless a rule says otherwise. */
  registers: Map<number, number | undefined>;
  /** The caller's pc: the value of the return address column. */
  returnAddress: number | undefined;
}

/** Applies an unwind row: computes the CFA, then every register's caller value. */
export function unwindStep(row: UnwindRow, ctx: Required<Pick<ExpressionContext, 'readRegister' | 'readMemory'>> & { addressSize?: number; stackPointerRegister?: number }): UnwoundFrame {
  const size = ctx.addressSize ?? 4;
  const mask = size >= 8 ? (1n << 64n) - 1n : (1n << BigInt(size * 8)) - 1n;
  const num = (v: number | bigint) => Number(BigInt(v) & mask);
  const where = { section: row.fde.section.name, offset: row.fde.offset, file: row.fde.section.file };
  const cfa = row.cfa.type === 'regOffset'
    ? num(BigInt(ctx.readRegister(row.cfa.reg)) + BigInt(row.cfa.offset))
    : num(evaluateValue(row.cfa.expr, { ...ctx, addressSize: size }, where));
  const registers = new Map<number, number | undefined>();
  const sp = ctx.stackPointerRegister ?? 4;
  registers.set(sp, cfa);
  for (const [reg, rule] of row.registers) {
    switch (rule.type) {
      case 'undefined': registers.set(reg, undefined); break;
      case 'sameValue': registers.set(reg, num(ctx.readRegister(reg))); break;
      case 'offset': registers.set(reg, num(ctx.readMemory(num(cfa + rule.offset), size))); break;
      case 'valOffset': registers.set(reg, num(cfa + rule.offset)); break;
      case 'register': registers.set(reg, num(ctx.readRegister(rule.reg))); break;
      case 'expression': {
        const addr = num(evaluateValue(rule.expr, { ...ctx, addressSize: size, initialStack: [cfa] }, where));
        registers.set(reg, num(ctx.readMemory(addr, size)));
        break;
      }
      case 'valExpression': registers.set(reg, num(evaluateValue(rule.expr, { ...ctx, addressSize: size, initialStack: [cfa] }, where))); break;
    }
  }
  const ra = row.registers.get(row.returnAddressRegister);
  return { cfa, registers, returnAddress: ra ? registers.get(row.returnAddressRegister) : undefined };
}
