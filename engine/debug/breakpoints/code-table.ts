// The code breakpoints of a session — source lines, functions and instruction addresses — resolved
// to linear addresses through the symbols, with their behaviours, and the address → breakpoints map
// the CPU's hit check consults.
import type { SymbolSet } from '../symbols/symbol-set.js';
import { ExpressionError } from '../expression/lexer.js';
import { BreakpointBehaviour, type BreakpointOptions } from './behaviour.js';
import { newBreakpointId, type BreakpointResult } from './results.js';

export type CodeBreakpointKind = 'source' | 'function' | 'instruction';

/** One armed code breakpoint. */
export interface CodeBreakpoint {
  id: number;
  kind: CodeBreakpointKind;
  /** The breakpoint as the user wrote it ("hello.c:42", "kmain", "0x7c00"). */
  label: string;
  addresses: number[];
  behaviour: BreakpointBehaviour;
}

export interface SourceBreakpointRequest extends BreakpointOptions { line: number }
export interface FunctionBreakpointRequest extends BreakpointOptions { name: string }
export interface InstructionBreakpointRequest extends BreakpointOptions {
  /** An address: "0x7c00", "kmain+4", or the instructionReference of a stack frame. */
  reference: string;
  offset?: number;
  /** 'linear' (default) or 'physical' (the address is turned into the linear one that maps to it now). */
  mode?: 'linear' | 'physical';
}

export class CodeBreakpointTable {
  private readonly bySource = new Map<string, CodeBreakpoint[]>();
  private functions: CodeBreakpoint[] = [];
  private instructions: CodeBreakpoint[] = [];
  /** Linear address → the breakpoints armed there. */
  readonly byAddress = new Map<number, CodeBreakpoint[]>();

  constructor(
    private readonly symbols: SymbolSet,
    private readonly isType: (name: string) => boolean,
    /** Physical → a linear address mapping to it now (for physical instruction breakpoints). */
    private readonly physicalToLinear: (physical: number) => number | undefined,
    /** Called after every change with the new address set. */
    private readonly onChange: (addresses: Iterable<number>) => void,
  ) {}

  /** Replaces the breakpoints of one source file. */
  setSource(file: string, requests: readonly SourceBreakpointRequest[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    const armed: CodeBreakpoint[] = [];
    for (const request of requests) {
      const id = newBreakpointId();
      const behaviour = this.behaviour(request, id, results);
      if (!behaviour) continue;
      const found = this.symbols.lineToAddresses(file, request.line);
      if (!found || found.addresses.length === 0) {
        results.push({ id, verified: false, line: request.line, message: this.symbols.all.length === 0
          ? 'no symbols are loaded (the program has no ELF symbol table or DWARF)'
          : `no code for ${baseName(file)}:${request.line} or any line after it in the loaded images` });
        continue;
      }
      armed.push({ id, kind: 'source', label: `${baseName(found.file)}:${found.line}`, addresses: found.addresses, behaviour });
      results.push({
        id, verified: true, line: found.line, file: found.file, address: found.addresses[0],
        message: found.line !== request.line ? `moved from line ${request.line} to ${found.line}, the nearest line with code` : undefined,
      });
    }
    if (armed.length) this.bySource.set(file, armed); else this.bySource.delete(file);
    this.rebuild();
    return results;
  }

  /** Replaces the function breakpoints (names of code symbols). */
  setFunctions(requests: readonly FunctionBreakpointRequest[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    this.functions = [];
    for (const request of requests) {
      const id = newBreakpointId();
      const behaviour = this.behaviour(request, id, results);
      if (!behaviour) continue;
      const address = this.symbols.symbolAddress(request.name);
      if (address === undefined) {
        results.push({ id, verified: false, message: `no function or symbol named "${request.name}" in the loaded images` });
        continue;
      }
      this.functions.push({ id, kind: 'function', label: request.name, addresses: [address], behaviour });
      results.push({ id, verified: true, address });
    }
    this.rebuild();
    return results;
  }

  /** Replaces the instruction breakpoints. */
  setInstructions(requests: readonly InstructionBreakpointRequest[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    this.instructions = [];
    for (const request of requests) {
      const id = newBreakpointId();
      const behaviour = this.behaviour(request, id, results);
      if (!behaviour) continue;
      const base = this.resolveReference(request.reference);
      if (base === undefined) {
        results.push({ id, verified: false, message: `"${request.reference}" is neither an address nor a symbol` });
        continue;
      }
      let address = (base + (request.offset ?? 0)) >>> 0;
      if (request.mode === 'physical') {
        const linear = this.physicalToLinear(address);
        if (linear === undefined) {
          results.push({ id, verified: false, message: `no linear address maps to physical 0x${address.toString(16)} now` });
          continue;
        }
        address = linear;
      }
      this.instructions.push({ id, kind: 'instruction', label: `0x${address.toString(16)}`, addresses: [address], behaviour });
      results.push({ id, verified: true, address });
    }
    this.rebuild();
    return results;
  }

  private resolveReference(reference: string): number | undefined {
    const text = reference.trim();
    if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text) >>> 0;
    const m = /^([A-Za-z_.$][\w.$]*)\s*(?:\+\s*(0x[0-9a-f]+|\d+))?$/i.exec(text);
    if (!m) return undefined;
    const base = this.symbols.symbolAddress(m[1]);
    return base === undefined ? undefined : (base + (m[2] ? Number(m[2]) : 0)) >>> 0;
  }

  private behaviour(options: BreakpointOptions, id: number, results: BreakpointResult[]): BreakpointBehaviour | undefined {
    try {
      return new BreakpointBehaviour(options, this.isType);
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      results.push({ id, verified: false, message: error.message });
      return undefined;
    }
  }

  private rebuild(): void {
    this.byAddress.clear();
    for (const bp of [...[...this.bySource.values()].flat(), ...this.functions, ...this.instructions]) {
      for (const a of bp.addresses) {
        const list = this.byAddress.get(a);
        if (list) list.push(bp); else this.byAddress.set(a, [bp]);
      }
    }
    this.onChange(this.byAddress.keys());
  }
}

function baseName(path: string): string { return path.slice(path.lastIndexOf('/') + 1); }
