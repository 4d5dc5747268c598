// DwarfProgram: one image's debugging information as a debugger uses it: compile units with their
// line tables, functions (with lexical blocks and inlined calls), their parameters and locals with
// types and locations, global variables, and call frame information. Addresses are link-time
// addresses (SymbolIndex adds the load bias).
import type { ElfImage } from '../../boot/elf-types.js';
import { CallFrameInfo, unwindStep } from './cfi.js';
import { DW_AT, DW_ATE, DW_OP, DW_TAG } from './constants.js';
import { DwarfError, hexOf } from './error.js';
import { evaluateLocation, evaluateValue, type BaseType, type ExpressionContext, type Location } from './expression.js';
import { DwarfInfo, readIndexedAddress, type Die, type Unit } from './info.js';
import { readLineProgram, type LineProgram } from './line.js';
import { locationAt, readLocationList, readRanges, type AddressRange, type LocationEntry } from './lists.js';
import { joinPath } from './path.js';
import { dwarfSectionsFromElf, type DwarfSections } from './sections.js';
import { TypeGraph, VOID_TYPE, type DwarfType } from './types.js';

export interface CompileUnit {
  unit: Unit;
  die: Die;
  name: string;              // DW_AT_name as written ("guests/hello/hello.c")
  path: string;              // name made absolute with compDir when relative
  compDir: string;
  producer?: string;
  language?: number;         // DW_LANG_*
  ranges: AddressRange[];    // the code the unit covers
  stmtList?: number;         // offset of its line program
}

/** Where a variable lives: one expression for its whole scope, a list by pc, or nowhere. */
export type LocationDescription =
  | { kind: 'expr'; expr: Uint8Array }
  | { kind: 'list'; entries: LocationEntry[] }
  | { kind: 'none' };

export interface Variable {
  name: string;
  kind: 'parameter' | 'local' | 'global';
  type: DwarfType;
  location: LocationDescription;
  constValue?: number | bigint | Uint8Array | string;  // DW_AT_const_value (no storage)
  declFile?: string;
  declLine?: number;
  external: boolean;
  artificial: boolean;
  die: Die;
}

export interface Scope {
  kind: 'function' | 'block' | 'inlined';
  ranges: AddressRange[];
  variables: Variable[];     // parameters first, in declaration order
  scopes: Scope[];           // nested lexical blocks and inlined calls
  die: Die;
}

export interface InlinedCall extends Scope {
  kind: 'inlined';
  name: string;              // the inlined function
  callFile?: string;         // where the call is
  callLine?: number;
  callColumn?: number;
  entryPc?: number;
}

export interface Func extends Scope {
  kind: 'function';
  name: string;
  linkageName?: string;
  cu: CompileUnit;
  lowPc: number;             // lowest address of the function's code
  highPc: number;            // one past the highest
  entryPc: number;           // where calls enter (DW_AT_entry_pc, else lowPc)
  frameBase: LocationDescription;
  declFile?: string;
  declLine?: number;
  external: boolean;
  returnType: DwarfType;
}

/** What evaluating a variable needs from the stopped machine. */
export interface FrameAccess {
  readRegister(reg: number): number | bigint;
  readMemory(address: number, size: number): number | bigint;
  /** The CFA when the caller knows it; computed from CFI otherwise. */
  cfa?: number;
}

export class DwarfProgram {
  readonly info: DwarfInfo;
  readonly types: TypeGraph;
  private units?: CompileUnit[];
  private readonly linePrograms = new Map<CompileUnit, LineProgram | undefined>();
  private funcs?: Func[];
  private globalVars?: Variable[];
  private frames?: CallFrameInfo;

  constructor(readonly sections: DwarfSections) {
    this.info = new DwarfInfo(sections);
    this.types = new TypeGraph(this.info);
  }

  static fromElf(elf: ElfImage, bytes: Uint8Array): DwarfProgram {
    return new DwarfProgram(dwarfSectionsFromElf(elf, bytes));
  }

  /** True when the image has any .debug_info. */
  get hasDebugInfo(): boolean { return this.info.units.length > 0; }

  get compileUnits(): CompileUnit[] {
    if (!this.units) {
      this.units = [];
      for (const unit of this.info.units) {
        const die = unit.root;
        if (!die || (die.tag !== DW_TAG.compile_unit && die.tag !== DW_TAG.partial_unit && die.tag !== DW_TAG.skeleton_unit)) continue;
        const name = die.name ?? '';
        const compDir = die.str(DW_AT.comp_dir) ?? '';
        const stmt = die.attr(DW_AT.stmt_list);
        this.units.push({
          unit, die, name, compDir, path: name ? joinPath(compDir, name) : '',
          producer: die.str(DW_AT.producer), language: die.num(DW_AT.language),
          ranges: this.rangesOf(die), stmtList: stmt && typeof stmt.value === 'number' ? stmt.value : undefined,
        });
      }
    }
    return this.units;
  }

  /** The line program of a unit (undefined when it has none). */
  lineProgram(cu: CompileUnit): LineProgram | undefined {
    if (!this.linePrograms.has(cu)) {
      this.linePrograms.set(cu, cu.stmtList === undefined ? undefined
        : readLineProgram(this.sections, cu.stmtList, { compDir: cu.compDir, unitName: cu.name }));
    }
    return this.linePrograms.get(cu);
  }

  /** The compile unit whose DIE tree contains the DIE. */
  unitOf(die: Die): CompileUnit | undefined {
    return this.compileUnits.find((cu) => cu.unit === die.unit);
  }

  /** Every function with code, sorted by lowPc. */
  get functions(): Func[] {
    if (!this.funcs) {
      this.funcs = [];
      for (const cu of this.compileUnits) this.collectFunctions(cu, cu.die, this.funcs);
      this.funcs.sort((a, b) => a.lowPc - b.lowPc || b.highPc - a.highPc);
    }
    return this.funcs;
  }

  /** The function whose code contains pc (the innermost, for nested functions). */
  functionAt(pc: number): Func | undefined {
    let best: Func | undefined;
    for (const f of this.functions) {
      if (f.lowPc > pc) break;
      if (inRanges(f.ranges, pc) && (!best || f.highPc - f.lowPc <= best.highPc - best.lowPc)) best = f;
    }
    return best;
  }

  /** The scopes containing pc, outermost (the function) first, innermost last. */
  scopeChain(pc: number): Scope[] {
    const f = this.functionAt(pc);
    if (!f) return [];
    const chain: Scope[] = [f];
    let scope: Scope = f;
    for (;;) {
      const inner = scope.scopes.find((s) => inRanges(s.ranges, pc));
      if (!inner) return chain;
      chain.push(inner);
      scope = inner;
    }
  }

  /** File-scope variables of every unit (definitions only). */
  get globals(): Variable[] {
    if (!this.globalVars) {
      this.globalVars = [];
      for (const cu of this.compileUnits) {
        const visit = (die: Die, depth: number) => {
          checkDepth(die, depth);
          for (const c of die.children) {
            if (c.tag === DW_TAG.variable && !c.flag(DW_AT.declaration)) {
              const v = this.variable(cu, c, 'global');
              if (v.name && (v.location.kind !== 'none' || v.constValue !== undefined)) this.globalVars!.push(v);
            } else if (c.tag === DW_TAG.namespace || c.tag === DW_TAG.module) visit(c, depth + 1);
          }
        };
        visit(cu.die, 0);
      }
    }
    return this.globalVars;
  }

  /**
   * A named type: "struct multiboot_info", "union word", "enum color", or a typedef/base type name
   * ("uint32_t", "unsigned int"). Complete definitions win over declarations.
   */
  typeByName(name: string): DwarfType | undefined {
    const m = /^(struct|union|class|enum)\s+(.+)$/.exec(name.trim());
    const tags: number[] = m
      ? [{ struct: DW_TAG.structure_type, union: DW_TAG.union_type, class: DW_TAG.class_type, enum: DW_TAG.enumeration_type }[m[1] as 'struct']]
      : [DW_TAG.typedef, DW_TAG.base_type, DW_TAG.unspecified_type];
    const wanted = m ? m[2] : name.trim();
    let declaration: Die | undefined;
    for (const unit of this.info.units) {
      for (const die of unit.dies.values()) {
        if (!tags.includes(die.tag) || die.name !== wanted) continue;
        if (!die.flag(DW_AT.declaration)) return this.types.typeOf(die);
        declaration ??= die;
      }
    }
    return declaration ? this.types.typeOf(declaration) : undefined;
  }

  /** Call frame information from .debug_frame and .eh_frame. */
  get cfi(): CallFrameInfo {
    if (!this.frames) {
      const size = this.info.units[0]?.addressSize ?? 4;
      this.frames = new CallFrameInfo(this.sections.frame, this.sections.ehFrame, size);
    }
    return this.frames;
  }

  /** The file name a DW_AT_decl_file / DW_AT_call_file index stands for in a unit. */
  fileName(cu: CompileUnit, index: number | undefined): string | undefined {
    if (index === undefined) return undefined;
    const prog = this.lineProgram(cu);
    const f = prog?.files[index];
    if (!f || (index === 0 && prog && prog.version < 5)) return index === 0 ? cu.path || undefined : undefined;
    return f.path || f.name;
  }

  /** The expression that locates a variable at pc (undefined: optimised out there). */
  expressionAt(loc: LocationDescription, pc: number): Uint8Array | undefined {
    if (loc.kind === 'expr') return loc.expr;
    if (loc.kind === 'list') return locationAt(loc.entries, pc);
    return undefined;
  }

  /**
   * Where a variable of func lives at pc in the stopped frame: evaluates DW_AT_frame_base (computing
   * the CFA from call frame information when it is DW_OP_call_frame_cfa) and the variable's location.
   * bias is added to DW_OP_addr operands. Returns { kind: 'empty' } when it is optimised out at pc.
   */
  variableLocation(v: Variable, func: Func | undefined, pc: number, frame: FrameAccess, bias = 0): Location {
    const expr = this.expressionAt(v.location, pc);
    if (!expr) return { kind: 'empty' };
    const unit = v.die.unit;
    const ctx: ExpressionContext = {
      addressSize: unit.addressSize, bias,
      readRegister: frame.readRegister, readMemory: frame.readMemory,
      callFrameCfa: () => this.cfaAt(pc, frame),
      indexedAddress: (i) => readIndexedAddress(this.sections.addr, unit, i, `DW_OP_addrx in ${v.die.describe()}`),
      baseType: (offset) => this.baseTypeAt(unit, offset),
      frameBase: () => {
        if (!func) throw new DwarfError(unit.section.name, v.die.offset, `${v.name} uses DW_OP_fbreg outside a function`, unit.section.file);
        const fb = this.expressionAt(func.frameBase, pc);
        if (!fb) throw new DwarfError(unit.section.name, func.die.offset, `function ${func.name} has no frame base at ${hexOf(pc)}`, unit.section.file);
        return evaluateValue(fb, { ...ctx, frameBase: undefined }, { section: unit.section.name, offset: func.die.offset, file: unit.section.file });
      },
    };
    const at = v.die.attr(DW_AT.location);
    return evaluateLocation(expr, ctx, { section: unit.section.name, offset: at?.offset ?? v.die.offset, file: unit.section.file });
  }

  /** Size and signedness of the base type DIE at a unit-relative offset (typed DWARF expressions). */
  baseTypeAt(unit: Unit, offset: number): BaseType {
    const die = unit.dies.get(unit.offset + offset);
    if (!die || die.tag !== DW_TAG.base_type) {
      throw new DwarfError(unit.section.name, unit.offset + offset, `a typed DWARF operation names ${hexOf(unit.offset + offset)}, which is not a base type DIE`, unit.section.file);
    }
    const enc = die.num(DW_AT.encoding);
    return {
      size: die.num(DW_AT.byte_size) ?? unit.addressSize,
      signed: enc === DW_ATE.signed || enc === DW_ATE.signed_char || enc === DW_ATE.signed_fixed,
    };
  }

  /** The canonical frame address at pc, from CFI (or frame.cfa when the caller supplies it). */
  cfaAt(pc: number, frame: FrameAccess): number {
    if (frame.cfa !== undefined) return frame.cfa;
    const row = this.cfi.rowAt(pc);
    if (!row) throw new DwarfError(this.sections.frame.bytes.length ? this.sections.frame.name : this.sections.ehFrame.name, 0, `no call frame information covers ${hexOf(pc)}`, this.sections.file);
    return unwindStep(row, { readRegister: frame.readRegister, readMemory: frame.readMemory }).cfa;
  }

  // ---- building the model ----

  private rangesOf(die: Die): AddressRange[] {
    const rangesAttr = die.attr(DW_AT.ranges);
    if (rangesAttr && typeof rangesAttr.value === 'number') return readRanges(this.sections, die.unit, rangesAttr.value);
    const low = die.attr(DW_AT.low_pc);
    if (!low || low.cls !== 'address') return [];
    const lowPc = low.value as number;
    const high = die.attr(DW_AT.high_pc);
    if (!high) return lowPc ? [{ low: lowPc, high: lowPc + 1 }] : [];
    const highPc = high.cls === 'address' ? high.value as number : lowPc + (die.num(DW_AT.high_pc) ?? 0);
    return highPc > lowPc ? [{ low: lowPc, high: highPc }] : [];
  }

  /** Follows DW_AT_abstract_origin and DW_AT_specification to the DIE that has the attribute. */
  private withAttr(die: Die, at: number): Die | undefined {
    let d: Die | undefined = die;
    for (let k = 0; d && k < 8; k++) {
      if (d.has(at)) return d;
      d = this.info.ref(d, DW_AT.abstract_origin) ?? this.info.ref(d, DW_AT.specification);
    }
    return undefined;
  }

  private nameOf(die: Die): string | undefined { return this.withAttr(die, DW_AT.name)?.name; }

  private collectFunctions(cu: CompileUnit, die: Die, out: Func[], depth = 0): void {
    checkDepth(die, depth);
    for (const c of die.children) {
      if (c.tag === DW_TAG.subprogram) {
        const ranges = this.rangesOf(c);
        if (ranges.length && !c.flag(DW_AT.declaration)) out.push(this.func(cu, c, ranges));
      }
      if (c.tag === DW_TAG.subprogram || c.tag === DW_TAG.namespace || c.tag === DW_TAG.module ||
          c.tag === DW_TAG.lexical_block || c.tag === DW_TAG.class_type || c.tag === DW_TAG.structure_type) {
        this.collectFunctions(cu, c, out, depth + 1); // nested functions (GNU C) and C++ member functions
      }
    }
  }

  private func(cu: CompileUnit, die: Die, ranges: AddressRange[]): Func {
    const { low: lowPc, high: highPc } = span(ranges);
    const declDie = this.withAttr(die, DW_AT.decl_file);
    const typeDie = this.withAttr(die, DW_AT.type);
    const f: Func = {
      kind: 'function', name: this.nameOf(die) ?? `<function at ${hexOf(lowPc)}>`, cu, die, ranges, lowPc, highPc,
      entryPc: die.attr(DW_AT.entry_pc)?.cls === 'address' ? die.num(DW_AT.entry_pc)! : lowPc + (die.num(DW_AT.entry_pc) ?? 0),
      linkageName: this.withAttr(die, DW_AT.linkage_name)?.str(DW_AT.linkage_name) ?? this.withAttr(die, DW_AT.MIPS_linkage_name)?.str(DW_AT.MIPS_linkage_name),
      frameBase: this.locationOf(die, DW_AT.frame_base),
      declFile: declDie ? this.fileName(this.unitOf(declDie) ?? cu, declDie.num(DW_AT.decl_file)) : undefined,
      declLine: this.withAttr(die, DW_AT.decl_line)?.num(DW_AT.decl_line),
      external: this.withAttr(die, DW_AT.external)?.flag(DW_AT.external) ?? false,
      returnType: typeDie ? this.types.typeOfAttr(typeDie) : VOID_TYPE,
      variables: [], scopes: [],
    };
    this.fillScope(cu, f, die);
    return f;
  }

  private fillScope(cu: CompileUnit, scope: Scope, die: Die, depth = 0): void {
    checkDepth(die, depth);
    for (const c of die.children) {
      switch (c.tag) {
        case DW_TAG.formal_parameter: scope.variables.push(this.variable(cu, c, 'parameter')); break;
        case DW_TAG.variable: scope.variables.push(this.variable(cu, c, 'local')); break;
        case DW_TAG.lexical_block: {
          const ranges = this.rangesOf(c);
          const block: Scope = { kind: 'block', ranges: ranges.length ? ranges : scope.ranges, variables: [], scopes: [], die: c };
          this.fillScope(cu, block, c, depth + 1);
          scope.scopes.push(block);
          break;
        }
        case DW_TAG.inlined_subroutine: {
          const ranges = this.rangesOf(c);
          const call: InlinedCall = {
            kind: 'inlined', name: this.nameOf(c) ?? '<inlined>', ranges, variables: [], scopes: [], die: c,
            callFile: this.fileName(cu, c.num(DW_AT.call_file)), callLine: c.num(DW_AT.call_line),
            callColumn: c.num(DW_AT.call_column), entryPc: c.num(DW_AT.entry_pc),
          };
          if (call.entryPc !== undefined && c.attr(DW_AT.entry_pc)?.cls !== 'address') {
            call.entryPc = (c.unit.version >= 5 ? span(ranges).low : cu.unit.baseAddress) + call.entryPc;
          }
          this.fillScope(cu, call, c, depth + 1);
          scope.scopes.push(call);
          break;
        }
        default: break;
      }
    }
  }

  private variable(cu: CompileUnit, die: Die, kind: Variable['kind']): Variable {
    const typeDie = this.withAttr(die, DW_AT.type);
    const declDie = this.withAttr(die, DW_AT.decl_file);
    const v: Variable = {
      name: this.nameOf(die) ?? '', kind, die,
      type: typeDie ? this.types.typeOfAttr(typeDie) : VOID_TYPE,
      location: this.locationOf(die, DW_AT.location),
      declFile: declDie ? this.fileName(this.unitOf(declDie) ?? cu, declDie.num(DW_AT.decl_file)) : undefined,
      declLine: this.withAttr(die, DW_AT.decl_line)?.num(DW_AT.decl_line),
      external: this.withAttr(die, DW_AT.external)?.flag(DW_AT.external) ?? false,
      artificial: die.flag(DW_AT.artificial),
    };
    const cv = die.attr(DW_AT.const_value);
    if (cv) v.constValue = cv.value as Variable['constValue'];
    return v;
  }

  private locationOf(die: Die, at: number): LocationDescription {
    const a = die.attr(at);
    if (!a) return { kind: 'none' };
    if (a.cls === 'block') return { kind: 'expr', expr: a.value as Uint8Array };
    // a location list: DW_FORM_sec_offset/loclistx, or data4/data8 before DWARF 4
    if ((a.cls === 'secoffset' || (a.cls === 'constant' && die.unit.version < 4)) && typeof a.value === 'number') {
      return { kind: 'list', entries: readLocationList(this.sections, die.unit, a.value) };
    }
    throw new DwarfError(die.unit.section.name, a.offset, `${die.describe()}: location attribute has an unexpected ${a.cls} value`, die.unit.section.file);
  }
}

/** Scopes nest no deeper than this (deeper trees are malformed, and would exhaust the stack). */
const MAX_DEPTH = 256;

function checkDepth(die: Die, depth: number): void {
  if (depth > MAX_DEPTH) throw new DwarfError(die.unit.section.name, die.offset, `${die.describe()} is nested more than ${MAX_DEPTH} levels deep`, die.unit.section.file);
}

/** The lowest start and highest end of a set of ranges. */
function span(ranges: readonly AddressRange[]): AddressRange {
  let low = Infinity, high = -Infinity;
  for (const r of ranges) { if (r.low < low) low = r.low; if (r.high > high) high = r.high; }
  return { low, high };
}

export function inRanges(ranges: readonly AddressRange[], pc: number): boolean {
  for (const r of ranges) if (pc >= r.low && pc < r.high) return true;
  return false;
}

/** The DW_OP_addr operand of a simple static location (globals), or undefined. */
export function staticAddress(loc: LocationDescription, addressSize = 4): number | undefined {
  if (loc.kind !== 'expr' || loc.expr.length !== 1 + addressSize || loc.expr[0] !== DW_OP.addr) return undefined;
  let v = 0;
  for (let k = addressSize; k >= 1; k--) v = v * 256 + loc.expr[k];
  return v;
}
