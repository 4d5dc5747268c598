// SymbolSet: several images at once (a kernel plus modules or a boot loader), each a SymbolIndex at
// its own bias. Address questions go to the image whose loaded segments contain the address; source
// and name questions ask every image.
import type { FunctionLocation, LineAddresses, ScopeVariable, SourceLocation, SymbolIndex } from './symbol-index.js';

export class SymbolSet {
  private readonly images: SymbolIndex[] = [];

  add(index: SymbolIndex): void { this.images.push(index); }
  remove(index: SymbolIndex): void {
    const k = this.images.indexOf(index);
    if (k >= 0) this.images.splice(k, 1);
  }
  get all(): readonly SymbolIndex[] { return this.images; }

  /** The image whose loaded segments contain a runtime address. */
  imageAt(address: number): SymbolIndex | undefined {
    return this.images.find((i) => i.contains(address));
  }

  addressToLine(address: number): SourceLocation | undefined { return this.imageAt(address)?.addressToLine(address); }
  functionAt(address: number): FunctionLocation | undefined {
    const image = this.imageAt(address);
    return image ? image.functionAt(address) : undefined;
  }
  scopesAt(pc: number, inlineDepth = 0): ScopeVariable[] { return this.imageAt(pc)?.scopesAt(pc, inlineDepth) ?? []; }

  /** The first image that defines the symbol. */
  symbolAddress(name: string): number | undefined {
    for (const i of this.images) {
      const a = i.symbolAddress(name);
      if (a !== undefined) return a;
    }
    return undefined;
  }

  /** Line breakpoints across images: the nearest line wins; images with that line contribute addresses. */
  lineToAddresses(file: string, line: number): LineAddresses | undefined {
    const found = this.images.map((i) => i.lineToAddresses(file, line)).filter((x): x is LineAddresses => x !== undefined);
    if (found.length === 0) return undefined;
    const best = Math.min(...found.map((f) => f.line));
    const same = found.filter((f) => f.line === best);
    return { ...same[0], addresses: [...new Set(same.flatMap((f) => f.addresses))].sort((a, b) => a - b) };
  }
}
