// Maps an instruction address to the ELF symbol it lies in ("kmain+0x1c"), for stack frame names.
import type { ElfSymbol } from '../../engine/boot/elf-types.js';

/** A code symbol reduced to what address lookup needs. */
interface CodeSymbol { name: string; start: number; end: number }

/** Address → "symbol+offset" over the function-like symbols of one kernel. */
export class SymbolMap {
  private readonly symbols: CodeSymbol[]; // sorted by start address

  constructor(symbols: readonly ElfSymbol[]) {
    const code = symbols.filter((s) => s.name !== '' && s.section !== 0 && (s.type === 'func' || s.type === 'notype'));
    const sorted = [...code].sort((a, b) => (a.value >>> 0) - (b.value >>> 0) || (b.size - a.size));
    this.symbols = [];
    let nextIndex = 0; // first symbol that starts above the current one
    for (const s of sorted) {
      const start = s.value >>> 0;
      while (nextIndex < sorted.length && (sorted[nextIndex].value >>> 0) <= start) nextIndex++;
      // A symbol without a size (assembly labels such as _start) reaches up to the next symbol.
      const end = s.size > 0 ? start + s.size : nextIndex < sorted.length ? sorted[nextIndex].value >>> 0 : start + 1;
      this.symbols.push({ name: s.name, start, end });
    }
  }

  /** "name" or "name+0x1c" for the innermost symbol containing address, or undefined. */
  describe(address: number): string | undefined {
    const target = address >>> 0;
    let found: CodeSymbol | undefined;
    for (const symbol of this.symbols) {
      if (symbol.start > target) break;
      if (target < symbol.end) found = symbol;
    }
    if (!found) return undefined;
    const offset = target - found.start;
    return offset === 0 ? found.name : `${found.name}+0x${offset.toString(16)}`;
  }
}
