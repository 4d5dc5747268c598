// DWARF 2-5 reader for 32-bit x86 images: sections, units and DIEs, line tables, location and range
// lists, types, expressions and call frame information. Takes Uint8Arrays; no Node modules.
export * from './abbrev.js';
export * from './cfi.js';
export * from './constants.js';
export * from './error.js';
export * from './expression.js';
export * from './info.js';
export * from './line.js';
export * from './lists.js';
export * from './path.js';
export * from './program.js';
export * from './reader.js';
export * from './sections.js';
export * from './types.js';
