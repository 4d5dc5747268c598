// SymbolIndex: what the debugger asks about one loaded image — address to source line, source line
// to addresses (breakpoint verification, moved to the nearest line with code), address to
// "function+offset", symbol to address, variables in scope at a pc, globals, and one unwinding step —
// combining the ELF symbol table with DWARF. The image may be loaded at a bias: every address taken
// and returned is a runtime address (link-time address + bias).
import { parseElf } from '../../boot/elf.js';
import type { ElfImage } from '../../boot/elf-types.js';
import { unwindStep, type UnwindRow } from '../dwarf/cfi.js';
import { DwarfError } from '../dwarf/error.js';
import { describeExpression, type Location } from '../dwarf/expression.js';
import type { LineRow } from '../dwarf/line.js';
import { isAbsolutePath, joinPath } from '../dwarf/path.js';
import { DwarfProgram, inRanges, staticAddress, type FrameAccess, type Func, type InlinedCall, type Scope, type Variable } from '../dwarf/program.js';
import { typeName, type DwarfType } from '../dwarf/types.js';
import { ElfSymbols } from './elf-symbols.js';
import { bestMatches } from './paths.js';

export interface SymbolIndexOptions {
  /** Added to every link-time address (where the image is loaded minus where it was linked). */
  bias?: number;
  /** Relative source paths in the line tables are made absolute with this directory. */
  sourceRoot?: string;
  /**
   * true (default): malformed DWARF throws a DwarfError naming the section and offset.
   * false: the image keeps its ELF symbols and the problem is listed in `problems`.
   */
  strict?: boolean;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  address: number;      // start of the line-table row containing the address
  endAddress: number;   // one past its end
  isStmt: boolean;
}

export interface LineAddresses {
  file: string;         // the matched source file as the line table names it
  requestedLine: number;
  line: number;         // the first line >= requestedLine with code (the breakpoint moves here)
  addresses: number[];  // one per function or inlined copy that has code for the line, ascending
}

export interface FunctionLocation {
  name: string;
  address: number;      // start of the function
  offset: number;       // address - start
  size?: number;
  text: string;         // "serial_putc+0x12" ("kmain" at offset 0)
  source: 'elf' | 'dwarf';
  /** Inlined calls containing the address, outermost first (DWARF only). */
  inlined: { name: string; callFile?: string; callLine?: number }[];
}

export interface ScopeVariable {
  name: string;
  kind: 'parameter' | 'local';
  type: DwarfType;
  typeName: string;
  /** The DWARF expression that locates it at this pc (undefined: optimised out here). */
  expr?: Uint8Array;
  /** Readable form: "DW_OP_fbreg -20", "<optimized out>", "<constant 3>". */
  locationText: string;
  constValue?: Variable['constValue'];
  declFile?: string;
  declLine?: number;
  /** 0 for the innermost scope, larger for enclosing lexical blocks. */
  depth: number;
  variable: Variable;
}

export interface GlobalVariable {
  name: string;
  type?: DwarfType;
  typeName: string;
  address?: number;     // runtime address of a statically allocated variable
  expr?: Uint8Array;
  declFile?: string;
  declLine?: number;
  external: boolean;
  source: 'elf' | 'dwarf';
  variable?: Variable;
}

/** One virtual frame at a pc: the function itself, or a call inlined into it. */
export interface InlineFrame {
  name: string;
  scope: Func | InlinedCall;
  /** Where this frame's code is being executed (for inlined frames: the caller's call site gives the outer frame's line). */
  callFile?: string;
  callLine?: number;
}

export interface CallerFrame {
  /** Caller register values by DWARF register number (undefined: not recoverable). */
  registers: Map<number, number | undefined>;
  returnAddress: number | undefined;
  cfa: number;
  method: 'cfi' | 'frame-pointer';
}

interface LineEntry { address: number; end: number; row: LineRow }

const u32 = (n: number) => n >>> 0;

export class SymbolIndex {
  readonly name: string;
  readonly bias: number;
  readonly elf: ElfImage;
  /** DWARF of the image (undefined when it has none or it could not be read in non-strict mode). */
  readonly dwarf: DwarfProgram | undefined;
  /** Problems met in non-strict mode. */
  readonly problems: string[] = [];
  private readonly elfSymbols: ElfSymbols;
  private readonly sourceRoot?: string;
  private readonly strict: boolean;
  private lineEntries?: LineEntry[];
  private rowsByFile?: Map<string, LineRow[][]>;

  /** Parses an ELF file and indexes its symbols and DWARF. */
  static fromElf(bytes: Uint8Array, name: string, opts: SymbolIndexOptions = {}): SymbolIndex {
    return new SymbolIndex(parseElf(bytes, name), bytes, opts);
  }

  constructor(elf: ElfImage, bytes: Uint8Array, opts: SymbolIndexOptions = {}) {
    this.elf = elf;
    this.name = elf.file;
    this.bias = opts.bias ?? 0;
    this.sourceRoot = opts.sourceRoot;
    this.strict = opts.strict ?? true;
    this.elfSymbols = new ElfSymbols(elf.symbols);
    let dwarf: DwarfProgram | undefined;
    try {
      dwarf = DwarfProgram.fromElf(elf, bytes);
      if (!dwarf.hasDebugInfo) dwarf = dwarf.sections.line.bytes.length || dwarf.cfi.fdes.length ? dwarf : undefined;
    } catch (e) {
      this.fail(e);
      dwarf = undefined;
    }
    this.dwarf = dwarf;
  }

  private fail(e: unknown): void {
    if (this.strict || !(e instanceof DwarfError)) throw e;
    this.problems.push(e.message);
  }

  private guard<T>(f: () => T, fallback: T): T {
    try { return f(); } catch (e) { this.fail(e); return fallback; }
  }

  private toLink(address: number): number { return u32(address - this.bias); }
  private toRuntime(address: number): number { return u32(address + this.bias); }
  private sourcePath(p: string): string {
    return this.sourceRoot && p && !isAbsolutePath(p) && !p.startsWith('<') ? joinPath(this.sourceRoot, p) : p;
  }

  /** True when [address] lies inside one of the image's loaded segments. */
  contains(address: number): boolean {
    const a = this.toLink(address);
    return this.elf.segments.some((s) => s.type === 1 && s.memsz > 0 && a >= s.vaddr && a - s.vaddr < s.memsz);
  }

  // ---- lines ----

  private buildLines(): void {
    if (this.lineEntries) return;
    const entries: LineEntry[] = [];
    const byFile = new Map<string, LineRow[][]>();
    const programs = this.guard(() => (this.dwarf?.compileUnits ?? []).map((cu) => this.dwarf!.lineProgram(cu)), []);
    for (const prog of programs) {
      if (!prog) continue;
      let seq: LineRow[] = [];
      for (const row of prog.rows) {
        seq.push(row);
        if (!row.endSequence) continue;
        this.addSequence(seq, entries, byFile);
        seq = [];
      }
    }
    entries.sort((a, b) => a.address - b.address);
    this.lineEntries = entries;
    this.rowsByFile = byFile;
  }

  private addSequence(seq: LineRow[], entries: LineEntry[], byFile: Map<string, LineRow[][]>): void {
    // Rows at the same address: the last statement row among them describes the address (as gdb does).
    for (let k = 0; k < seq.length - 1;) {
      let j = k;
      while (j + 1 < seq.length - 1 && seq[j + 1].address === seq[k].address) j++;
      let pick = j;
      for (let m = j; m >= k; m--) if (seq[m].isStmt) { pick = m; break; }
      const end = seq[j + 1].address;
      if (end > seq[k].address) entries.push({ address: seq[k].address, end, row: seq[pick] });
      k = j + 1;
    }
    const files = new Set(seq.filter((r) => !r.endSequence).map((r) => r.file));
    for (const f of files) {
      let list = byFile.get(f);
      if (!list) byFile.set(f, list = []);
      list.push(seq);
    }
  }

  /** The source line of a runtime address, or undefined when no line table covers it. */
  addressToLine(address: number): SourceLocation | undefined {
    this.buildLines();
    const entries = this.lineEntries!;
    const a = this.toLink(address);
    let lo = 0, hi = entries.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].address <= a) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    for (let k = found; k >= 0 && k > found - 4; k--) {
      const e = entries[k];
      if (a >= e.address && a < e.end) {
        return {
          file: this.sourcePath(e.row.file), line: e.row.line, column: e.row.column,
          address: this.toRuntime(e.address), endAddress: this.toRuntime(e.end), isStmt: e.row.isStmt,
        };
      }
    }
    return undefined;
  }

  /** Every source file named by the line tables (made absolute with sourceRoot when given). */
  sourceFiles(): string[] {
    this.buildLines();
    return [...this.rowsByFile!.keys()].filter((f) => !f.startsWith('<')).map((f) => this.sourcePath(f)).sort();
  }

  /**
   * Where a breakpoint on file:line goes: the first line >= line that has statement rows, and one
   * address per function (or inlined copy) with code for it. undefined when the file is unknown or
   * has no code at or after the line.
   */
  lineToAddresses(file: string, line: number): LineAddresses | undefined {
    this.buildLines();
    const byFile = this.rowsByFile!;
    const keys = [...byFile.keys()];
    const matched = bestMatches(keys.map((k) => this.sourcePath(k)), file).map((p) => keys.find((k) => this.sourcePath(k) === p)!);
    if (matched.length === 0) return undefined;
    let best = Infinity;
    for (const f of matched) {
      for (const seq of byFile.get(f)!) {
        for (const r of seq) if (!r.endSequence && r.isStmt && r.file === f && r.line >= line && r.line < best) best = r.line;
      }
    }
    if (best === Infinity) return undefined;
    const candidates: number[] = [];
    for (const f of matched) {
      for (const seq of byFile.get(f)!) {
        for (let k = 0; k < seq.length; k++) {
          const r = seq[k];
          if (r.endSequence || !r.isStmt || r.file !== f || r.line !== best) continue;
          candidates.push(r.address);
        }
      }
    }
    // One address per innermost scope (function, lexical block or inlined copy): its lowest.
    const byScope = new Map<string, number>();
    for (const a of [...new Set(candidates)].sort((x, y) => x - y)) {
      const key = this.scopeKey(a);
      if (!byScope.has(key)) byScope.set(key, a);
    }
    return {
      file: this.sourcePath(matched[0]), requestedLine: line, line: best,
      addresses: [...byScope.values()].sort((x, y) => x - y).map((a) => this.toRuntime(a)),
    };
  }

  private scopeKey(linkAddress: number): string {
    const chain = this.guard(() => this.dwarf?.scopeChain(linkAddress) ?? [], []);
    // the innermost function or inlined call (blocks of one function share a breakpoint)
    for (let k = chain.length - 1; k >= 0; k--) {
      const s = chain[k];
      if (s.kind !== 'block') return `${s.kind}@${s.die.offset}`;
    }
    return `addr@${linkAddress}`;
  }

  // ---- functions and symbols ----

  /** "name+0x12" for a runtime address, from ELF symbols first, then DWARF functions. */
  functionAt(address: number): FunctionLocation | undefined {
    const a = this.toLink(address);
    const func = this.guard(() => this.dwarf?.functionAt(a), undefined);
    const inlined = func ? this.inlinedAt(func, a) : [];
    const sym = this.elfSymbols.codeSymbolAt(a);
    if (sym && (sym.sized || !func)) {
      return this.location(sym.name, sym.start, a, sym.sized ? sym.end - sym.start : undefined, 'elf', inlined);
    }
    if (func) return this.location(func.name, func.lowPc, a, func.highPc - func.lowPc, 'dwarf', inlined);
    return undefined;
  }

  private location(name: string, start: number, a: number, size: number | undefined, source: 'elf' | 'dwarf', inlined: FunctionLocation['inlined']): FunctionLocation {
    const offset = a - start;
    return {
      name, address: this.toRuntime(start), offset, size, source, inlined,
      text: offset === 0 ? name : `${name}+0x${offset.toString(16)}`,
    };
  }

  private inlinedAt(func: Func, a: number): FunctionLocation['inlined'] {
    const out: FunctionLocation['inlined'] = [];
    let scope: Scope = func;
    for (;;) {
      const inner = scope.scopes.find((s) => inRanges(s.ranges, a));
      if (!inner) return out;
      if (inner.kind === 'inlined') {
        const c = inner as InlinedCall;
        out.push({ name: c.name, callFile: c.callFile ? this.sourcePath(c.callFile) : undefined, callLine: c.callLine });
      }
      scope = inner;
    }
  }

  /** The runtime address of a symbol (ELF first, then DWARF functions and globals). */
  symbolAddress(name: string): number | undefined {
    const s = this.elfSymbols.lookup(name);
    if (s) return this.toRuntime(s.value);
    const f = this.guard(() => this.dwarf?.functions.find((x) => x.name === name || x.linkageName === name), undefined);
    if (f) return this.toRuntime(f.lowPc);
    const g = this.guard(() => this.dwarf?.globals.find((x) => x.name === name), undefined);
    const addr = g ? staticAddress(g.location, g.die.unit.addressSize) : undefined;
    return addr === undefined ? undefined : this.toRuntime(addr);
  }

  /** The DWARF functions of the image (link-time addresses; add `bias`). */
  functions(): Func[] {
    return this.guard(() => this.dwarf?.functions ?? [], []);
  }

  // ---- variables ----

  /**
   * The frames at a pc: the function, then each call inlined into it that contains the pc
   * (outermost first). The innermost frame is the last.
   */
  framesAt(pc: number): InlineFrame[] {
    const a = this.toLink(pc);
    const chain = this.guard(() => this.dwarf?.scopeChain(a) ?? [], []);
    const frames: InlineFrame[] = [];
    for (const s of chain) {
      if (s.kind === 'function') frames.push({ name: (s as Func).name, scope: s as Func });
      else if (s.kind === 'inlined') {
        const c = s as InlinedCall;
        frames.push({ name: c.name, scope: c, callFile: c.callFile ? this.sourcePath(c.callFile) : undefined, callLine: c.callLine });
      }
    }
    return frames;
  }

  /**
   * Parameters and locals visible at a runtime pc, innermost scope first (an inner variable hides an
   * outer one of the same name). inlineDepth 0 is the innermost frame (an inlined call when the pc
   * is in inlined code); 1 its caller, and so on up to the real function.
   */
  scopesAt(pc: number, inlineDepth = 0): ScopeVariable[] {
    const a = this.toLink(pc);
    const chain = this.guard(() => this.dwarf?.scopeChain(a) ?? [], []);
    // cut the chain at the requested virtual frame
    let end = chain.length;
    for (let d = 0; d < inlineDepth && end > 0; d++) {
      let k = end - 1;
      while (k > 0 && chain[k].kind === 'block') k--;
      end = k; // drop the frame boundary scope itself
    }
    const visible = chain.slice(0, end);
    const out: ScopeVariable[] = [];
    const seen = new Set<string>();
    for (let k = visible.length - 1, depth = 0; k >= 0; k--, depth++) {
      const s = visible[k];
      const params = s.variables.filter((v) => v.kind === 'parameter');
      const locals = s.variables.filter((v) => v.kind !== 'parameter');
      for (const v of [...locals, ...params]) {
        if (!v.name || seen.has(v.name)) continue;
        seen.add(v.name);
        out.push(this.scopeVariable(v, a, depth));
      }
      if (s.kind !== 'block') break; // a function or inlined call: its caller's variables are another frame
    }
    return out;
  }

  private scopeVariable(v: Variable, a: number, depth: number): ScopeVariable {
    const expr = this.guard(() => this.dwarf?.expressionAt(v.location, a), undefined);
    const locationText = expr ? this.guard(() => describeExpression(expr, v.die.unit.addressSize), '<bad expression>')
      : v.constValue !== undefined ? `<constant ${String(v.constValue)}>` : '<optimized out>';
    return {
      name: v.name, kind: v.kind === 'parameter' ? 'parameter' : 'local', type: v.type, typeName: typeName(v.type),
      expr, locationText, constValue: v.constValue, declFile: v.declFile ? this.sourcePath(v.declFile) : undefined,
      declLine: v.declLine, depth, variable: v,
    };
  }

  /**
   * Where a variable lives in the stopped frame at pc: memory (runtime address), a register, a
   * computed value, pieces, or { kind: 'empty' } when optimised out there.
   */
  locate(v: ScopeVariable | GlobalVariable, pc: number, frame: FrameAccess): Location {
    const variable = v.variable;
    if (!variable || !this.dwarf) {
      const address = 'address' in v ? v.address : undefined;
      return address !== undefined ? { kind: 'memory', address } : { kind: 'empty' };
    }
    const a = this.toLink(pc);
    return this.dwarf.variableLocation(variable, this.dwarf.functionAt(a), a, frame, this.bias);
  }

  /** Variables with static storage at file scope (DWARF), or ELF data symbols when there is no DWARF. */
  globals(): GlobalVariable[] {
    const vars = this.guard(() => this.dwarf?.globals ?? [], []);
    if (vars.length) {
      return vars.map((v) => {
        const addr = staticAddress(v.location, v.die.unit.addressSize);
        return {
          name: v.name, type: v.type, typeName: typeName(v.type), address: addr === undefined ? undefined : this.toRuntime(addr),
          expr: v.location.kind === 'expr' ? v.location.expr : undefined,
          declFile: v.declFile ? this.sourcePath(v.declFile) : undefined, declLine: v.declLine, external: v.external,
          source: 'dwarf' as const, variable: v,
        };
      });
    }
    return this.elfSymbols.objects().map((s) => ({
      name: s.name, typeName: s.size ? `<data, ${s.size} bytes>` : '<data>', address: this.toRuntime(s.value),
      external: s.binding !== 'local', source: 'elf' as const,
    }));
  }

  // ---- unwinding ----

  /** The unwind rules at a runtime pc (undefined when no CFI covers it). */
  unwindRowAt(pc: number): UnwindRow | undefined {
    return this.guard(() => this.dwarf?.cfi.rowAt(this.toLink(pc)), undefined);
  }

  /**
   * The caller's registers: from call frame information when it covers pc, else by the EBP chain
   * (push ebp; mov ebp, esp: the caller's EBP at [ebp], the return address at [ebp+4]).
   * Registers use DWARF numbers (4 esp, 5 ebp, 8 eip).
   */
  callerFrame(pc: number, frame: Pick<FrameAccess, 'readRegister' | 'readMemory'>): CallerFrame | undefined {
    const row = this.unwindRowAt(pc);
    if (row) {
      const u = unwindStep(row, { readRegister: frame.readRegister, readMemory: frame.readMemory });
      return { ...u, method: 'cfi' };
    }
    const ebp = Number(frame.readRegister(5)) >>> 0;
    if (ebp === 0) return undefined;
    const registers = new Map<number, number | undefined>();
    const callerEbp = Number(frame.readMemory(ebp, 4)) >>> 0;
    const ret = Number(frame.readMemory(ebp + 4, 4)) >>> 0;
    registers.set(5, callerEbp);
    registers.set(4, u32(ebp + 8));
    registers.set(8, ret);
    return { registers, returnAddress: ret, cfa: u32(ebp + 8), method: 'frame-pointer' };
  }
}
