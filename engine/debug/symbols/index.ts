// Symbols of loaded images: SymbolIndex (one image at a load bias) and SymbolSet (several).
export * from './symbol-index.js';
export * from './symbol-set.js';
export { ElfSymbols, type CodeSymbol } from './elf-symbols.js';
export { bestMatches, suffixMatch } from './paths.js';
