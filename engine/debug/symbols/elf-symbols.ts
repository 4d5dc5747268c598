// ELF .symtab lookups for one image: the code symbol containing an address (a symbol without a size,
// such as an assembly label, reaches up to the next symbol) and a symbol's address by name.
import type { ElfSymbol } from '../../boot/elf-types.js';

export interface CodeSymbol {
  name: string;
  start: number;     // link-time address
  end: number;       // one past the last byte (the next symbol when st_size is 0)
  sized: boolean;    // st_size was given
  global: boolean;
}

const SHN_UNDEF = 0, SHN_ABS = 0xFFF1;

export class ElfSymbols {
  private readonly code: CodeSymbol[] = []; // sorted by start
  private readonly byName = new Map<string, ElfSymbol>();

  constructor(readonly symbols: readonly ElfSymbol[]) {
    const named = symbols.filter((s) => s.name !== '' && s.section !== SHN_UNDEF);
    for (const s of named) { // prefer global over weak over local definitions of a name
      const prev = this.byName.get(s.name);
      if (!prev || rank(s) < rank(prev)) this.byName.set(s.name, s);
    }
    const code = named.filter((s) => (s.type === 'func' || s.type === 'notype') && s.section !== SHN_ABS)
      .sort((a, b) => (a.value >>> 0) - (b.value >>> 0) || b.size - a.size);
    let next = 0;
    for (const s of code) {
      const start = s.value >>> 0;
      while (next < code.length && (code[next].value >>> 0) <= start) next++;
      const end = s.size > 0 ? start + s.size : next < code.length ? code[next].value >>> 0 : start + 1;
      this.code.push({ name: s.name, start, end, sized: s.size > 0, global: s.binding !== 'local' });
    }
  }

  /** The innermost code symbol containing a link-time address. */
  codeSymbolAt(address: number): CodeSymbol | undefined {
    const target = address >>> 0;
    let lo = 0, hi = this.code.length - 1, last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.code[mid].start <= target) { last = mid; lo = mid + 1; } else hi = mid - 1;
    }
    // the last symbols starting at or below target; the latest-starting one that contains it wins
    for (let k = last; k >= 0 && k > last - 64; k--) {
      const s = this.code[k];
      if (target < s.end) return s;
    }
    return undefined;
  }

  /** The symbol named name (any type), preferring global definitions. */
  lookup(name: string): ElfSymbol | undefined { return this.byName.get(name); }

  /** Data symbols (STT_OBJECT). */
  objects(): ElfSymbol[] { return this.symbols.filter((s) => s.type === 'object' && s.name !== '' && s.section !== SHN_UNDEF); }
}

function rank(s: ElfSymbol): number {
  const binding = s.binding === 'global' ? 0 : s.binding === 'weak' ? 1 : 2;
  const type = s.type === 'func' || s.type === 'object' ? 0 : s.type === 'notype' ? 1 : 2;
  return binding * 4 + type;
}
