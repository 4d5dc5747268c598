// Disassembly listings for the debugger: N instructions around an address in the CPU's current code
// size (16- or 32-bit), each with its bytes, Intel-syntax text, symbol and source line; going
// backwards finds real instruction boundaries by decoding forward from a function start or from a
// point that re-synchronises on the target.
import type { Cpu } from '../../cpu/cpu.js';
import { disassemble } from '../../cpu/disasm/index.js';
import { CS } from '../../cpu/registers.js';
import type { MemoryLocation } from './node.js';
import { readGuestMemory } from './memory-access.js';
import { hex } from './format.js';

/** What a listing asks of the symbol tables (engine/debug/symbols SymbolSet and SymbolIndex fit). */
export interface CodeSymbols {
  /** The function containing address ("serial_putc+0x12"). */
  functionAt(address: number): { name: string; address: number; text: string } | undefined;
  /** The source line of address. */
  addressToLine(address: number): { file: string; line: number; column: number } | undefined;
}

/** One listed instruction. */
export interface ListedInstruction {
  address: number;                 // in the requested address space
  bytes: number[];                 // the instruction's bytes (empty when unreadable)
  text: string;                    // "mov eax,[ebp+0x8]", "(bad)", or "??" when the memory is unreadable
  invalid: boolean;                // unreadable memory or bytes the CPU would refuse
  symbol?: string;                 // "kmain+0x1c"
  source?: { file: string; line: number; column: number };
}

export interface ListingRequest {
  location: MemoryLocation;        // where the listing is anchored
  byteOffset?: number;             // added to the anchor address
  instructionOffset?: number;      // instructions to move from the anchor (negative: earlier)
  count: number;                   // instructions to return (always exactly this many)
  symbols?: CodeSymbols;
  codeSize32?: boolean;            // default: the CPU's current CS size
}

/** The largest instruction count one listing returns. */
export const MAX_LISTING = 4096;
const MAX_INSTRUCTION_LENGTH = 15;

/** Decodes instructions of one address space in one code size. */
class Decoder {
  private readonly csBase: number;
  constructor(private readonly cpu: Cpu, private readonly space: MemoryLocation['space'], readonly codeSize32: boolean, private readonly symbols?: CodeSymbols) {
    this.csBase = space === 'linear' ? cpu.segBase[CS] >>> 0 : 0;
  }

  /** The instruction at address (length ≥ 1 always). */
  at(address: number): ListedInstruction {
    const read = readGuestMemory(this.cpu, { space: this.space, address: address >>> 0 }, Math.min(MAX_INSTRUCTION_LENGTH, 0x1_0000_0000 - address));
    if (!read.ok || read.value.bytes.length === 0) return { address, bytes: [], text: '??', invalid: true };
    const ipMask = this.codeSize32 ? 0xFFFFFFFF : 0xFFFF;
    const ip = ((address - this.csBase) & ipMask) >>> 0;
    const d = disassemble(read.value.bytes, ip, this.codeSize32, { symbolize: (target) => this.branchTarget(target) });
    return { address, bytes: d.bytes, text: d.text, invalid: d.text === '(bad)' };
  }

  private branchTarget(ip: number): string | undefined {
    const linear = (this.csBase + ip) >>> 0;
    const name = this.symbols?.functionAt(linear)?.text;
    return name ? `${hex(ip, this.codeSize32 ? 8 : 4)} <${name}>` : undefined;
  }

  length(address: number): number { return Math.max(1, this.at(address).bytes.length); }
}

/** Addresses of up to n instructions that end exactly at target, ascending (fewer when none sync). */
function boundariesBefore(decoder: Decoder, target: number, n: number, symbols: CodeSymbols | undefined, depth = 0): number[] {
  if (n <= 0 || target <= 0 || depth > 8) return [];
  const runTo = (start: number): number[] | undefined => {
    const found: number[] = [];
    for (let a = start; a < target; a += decoder.length(a)) found.push(a);
    return found.length === 0 || found[found.length - 1] + decoder.length(found[found.length - 1]) !== target ? undefined : found;
  };
  const fn = symbols?.functionAt(target - 1);
  if (fn && fn.address < target && target - fn.address <= 0x10000) {
    const found = runTo(fn.address);
    if (found) {
      if (found.length >= n) return found.slice(-n);
      return [...boundariesBefore(decoder, fn.address, n - found.length, symbols, depth + 1), ...found];
    }
  }
  // No symbol: start far enough back for n instructions and take the start that re-synchronises with
  // the most instructions (decoding from a wrong byte usually falls into step within a few).
  const window = Math.min(target, n * 8 + MAX_INSTRUCTION_LENGTH);
  let best: number[] = [];
  for (let k = 0; k < MAX_INSTRUCTION_LENGTH && k < window; k++) {
    const found = runTo(target - window + k);
    if (found && found.length > best.length) best = found;
    if (best.length >= n) break;
  }
  return best.slice(-n);
}

/** Exactly request.count instructions, as DAP disassemble wants them. */
export function listInstructions(cpu: Cpu, request: ListingRequest): ListedInstruction[] {
  const { location, symbols } = request;
  const decoder = new Decoder(cpu, location.space, request.codeSize32 ?? cpu.codeSize32, symbols);
  const limit = 0x1_0000_0000;
  let start = location.address + (request.byteOffset ?? 0);
  const out: ListedInstruction[] = [];
  let skip = request.instructionOffset ?? 0;
  if (skip < 0) {
    const anchor = Math.min(Math.max(start, 0), limit);
    const before = boundariesBefore(decoder, anchor, -skip, symbols);
    const first = before.length > 0 ? before[0] : anchor;
    // Instructions that could not be found before the anchor: one unreadable byte each.
    for (let k = -skip - before.length; k > 0 && out.length < request.count; k--) {
      out.push({ address: Math.max(0, first - k), bytes: [], text: '??', invalid: true });
    }
    start = first;
    skip = 0;
  }
  let address = start;
  while (out.length < request.count) {
    if (address < 0 || address >= limit) {
      out.push({ address: Math.max(0, Math.min(address, limit - 1)), bytes: [], text: '??', invalid: true });
      address += 1;
      continue;
    }
    const instr = decoder.at(address);
    address += Math.max(1, instr.bytes.length);
    if (skip > 0) { skip--; continue; }
    out.push(instr);
  }
  if (symbols) {
    for (const instr of out) {
      if (instr.bytes.length === 0) continue;
      instr.symbol = symbols.functionAt(instr.address)?.text;
      instr.source = symbols.addressToLine(instr.address);
    }
  }
  return out;
}

/** A listing as text lines ("0x00100010 <kmain+0x4>  55  push ebp  ; kmain.c:12"). */
export function formatListing(listing: readonly ListedInstruction[]): string[] {
  return listing.map((i) => {
    const bytes = i.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const where = i.source ? `  ; ${i.source.file.split('/').pop()}:${i.source.line}` : '';
    return `${hex(i.address)}${i.symbol ? ` <${i.symbol}>` : ''}  ${bytes.padEnd(20)} ${i.text}${where}`;
  });
}
