// .debug_line: the line-number program of one compile unit (DWARF 2-5), run through the state
// machine into rows {address, file, line, column, isStmt, endSequence, ...}. Handles the DWARF 5
// header (address size, directory and file entry formats with DW_LNCT_* content and any form),
// special opcodes, the standard DW_LNS_* opcodes (unknown ones skipped by their declared operand
// count), and DW_LNE_set_address, end_sequence, define_file and set_discriminator.
import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS, formName } from './constants.js';
import { hexOf } from './error.js';
import { isAbsolutePath, joinPath } from './path.js';
import { DwarfReader, stringAt } from './reader.js';
import type { DwarfSections } from './sections.js';

export interface LineFile {
  name: string;       // as written in the table
  dirIndex: number;   // index into directories
  path: string;       // directory + name, made absolute with the compilation directory when relative
  mtime?: number;
  size?: number;
  md5?: Uint8Array;
}

export interface LineRow {
  address: number;
  file: string;        // full path of the source file
  fileIndex: number;   // index in the program's file table
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean; // the first byte after a sequence (this row has no code of its own)
  prologueEnd: boolean;
  epilogueBegin: boolean;
  isa: number;
  discriminator: number;
  opIndex: number;
}

export interface LineProgram {
  offset: number;              // in .debug_line
  end: number;                 // offset of the next program
  version: number;
  is64: boolean;
  addressSize?: number;        // DWARF 5 header field
  minInstLength: number;
  maxOpsPerInst: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  standardOpcodeLengths: number[];
  directories: string[];       // v5: index 0 is the compilation directory; earlier: index 0 is implied
  files: LineFile[];           // v5: index 0 is the primary source file; earlier: index 0 is unused
  rows: LineRow[];
}

export interface LineProgramOptions {
  compDir?: string;        // DW_AT_comp_dir of the unit: relative paths are made absolute with it
  unitName?: string;       // DW_AT_name of the unit: file 0 in DWARF 4 and older
}

/** Reads and runs the line program at offset in .debug_line. */
export function readLineProgram(sections: DwarfSections, offset: number, opts: LineProgramOptions = {}): LineProgram {
  const section = sections.line;
  if (offset < 0 || offset >= section.bytes.length) {
    throw new DwarfReader(section).error(`line program offset ${hexOf(offset)} is outside the section (size ${hexOf(section.bytes.length)})`, Math.max(0, Math.min(offset, section.bytes.length)));
  }
  const outer = new DwarfReader(section, offset);
  const { length, is64 } = outer.initialLength();
  const end = outer.pos + length;
  if (end > section.bytes.length) throw outer.error(`line program length ${hexOf(length)} runs past the end of the section (size ${hexOf(section.bytes.length)})`, offset);
  const r = outer.sub(outer.pos, end);
  const version = r.u16();
  if (version < 2 || version > 5) throw r.error(`unsupported line table version ${version} (2 to 5 are supported)`, r.pos - 2);
  let addressSize: number | undefined;
  if (version >= 5) {
    addressSize = r.u8();
    const segSel = r.u8();
    if (segSel !== 0) throw r.error(`segment selector size ${segSel} is not supported`, r.pos - 1);
  }
  const headerLength = r.offset(is64);
  const programStart = r.pos + headerLength;
  if (programStart > end) throw r.error(`header length ${hexOf(headerLength)} runs past the end of the line program (${hexOf(end)})`, r.pos - (is64 ? 8 : 4));
  const h = r.sub(r.pos, programStart);
  const minInstLength = h.u8();
  const maxOpsAt = h.pos;
  const maxOpsPerInst = version >= 4 ? h.u8() : 1;
  const defaultIsStmt = h.u8() !== 0;
  const lineBase = h.i8();
  const lineRange = h.u8();
  const opcodeBase = h.u8();
  if (lineRange === 0) throw h.error('line_range is 0 (special opcodes would divide by zero)', h.pos - 2);
  if (maxOpsPerInst === 0) throw h.error('maximum_operations_per_instruction is 0', maxOpsAt);
  if (opcodeBase === 0) throw h.error('opcode_base is 0', h.pos - 1);
  const standardOpcodeLengths: number[] = [];
  for (let k = 1; k < opcodeBase; k++) standardOpcodeLengths.push(h.u8());

  const compDir = opts.compDir ?? '';
  const directories: string[] = [];
  const files: LineFile[] = [];
  if (version >= 5) {
    for (const e of readEntryTable(h, sections, is64, 'directory')) directories.push(e.path ?? '');
    for (const e of readEntryTable(h, sections, is64, 'file name')) {
      files.push({ name: e.path ?? '', dirIndex: e.dirIndex ?? 0, path: '', mtime: e.mtime, size: e.size, md5: e.md5 });
    }
  } else {
    directories.push(compDir);
    for (;;) { const d = h.cstr(); if (d === '') break; directories.push(d); }
    files.push({ name: opts.unitName ?? '', dirIndex: 0, path: '' });
    for (;;) {
      const name = h.cstr();
      if (name === '') break;
      files.push({ name, dirIndex: h.uleb(), path: '', mtime: h.uleb(), size: h.uleb() });
    }
  }
  const dirPath = (i: number): string => {
    const d = directories[i] ?? '';
    return isAbsolutePath(d) ? d : joinPath(compDir, d);
  };
  for (const f of files) f.path = f.name ? (isAbsolutePath(f.name) ? joinPath(f.name) : joinPath(dirPath(f.dirIndex), f.name)) : '';

  const prog: LineProgram = {
    offset, end, version, is64, addressSize, minInstLength, maxOpsPerInst, defaultIsStmt, lineBase, lineRange,
    opcodeBase, standardOpcodeLengths, directories, files, rows: [],
  };
  runProgram(r.sub(programStart, end), prog, dirPath);
  return prog;
}

interface EntryFields { path?: string; dirIndex?: number; mtime?: number; size?: number; md5?: Uint8Array }

/** A DWARF 5 directory or file name table: a format (content type + form pairs), a count, the entries. */
function readEntryTable(h: DwarfReader, sections: DwarfSections, is64: boolean, what: string): EntryFields[] {
  const formatCount = h.u8();
  const format: { type: number; form: number }[] = [];
  for (let k = 0; k < formatCount; k++) format.push({ type: h.uleb(), form: h.uleb() });
  const countAt = h.pos;
  const count = h.uleb();
  if (count > 0 && formatCount === 0) throw h.error(`${what} table has ${count} entries but no entry format`, countAt);
  if (count > h.remaining) throw h.error(`${what} table claims ${count} entries, more than the ${h.remaining} bytes left in the header`, countAt);
  const out: EntryFields[] = [];
  for (let n = 0; n < count; n++) {
    const e: EntryFields = {};
    for (const { type, form } of format) {
      const at = h.pos;
      const v = readEntryValue(h, sections, is64, form, `${what} entry ${n}`);
      switch (type) {
        case DW_LNCT.path:
          if (typeof v !== 'string') throw h.error(`${what} entry ${n}: DW_LNCT_path has non-string form ${formName(form)}`, at);
          e.path = v; break;
        case DW_LNCT.directory_index:
          if (typeof v !== 'number') throw h.error(`${what} entry ${n}: DW_LNCT_directory_index has non-integer form ${formName(form)}`, at);
          e.dirIndex = v; break;
        case DW_LNCT.timestamp: if (typeof v === 'number') e.mtime = v; break;
        case DW_LNCT.size: if (typeof v === 'number') e.size = v; break;
        case DW_LNCT.MD5: if (v instanceof Uint8Array) e.md5 = v; break;
        default: break; // vendor content types: skipped by their form
      }
    }
    out.push(e);
  }
  return out;
}

function readEntryValue(h: DwarfReader, sections: DwarfSections, is64: boolean, form: number, what: string): string | number | Uint8Array {
  const at = h.pos;
  switch (form) {
    case DW_FORM.string: return h.cstr();
    case DW_FORM.line_strp: return stringAt(sections.lineStr, h.offset(is64), `${what} in ${h.section.name} at ${hexOf(at)}`);
    case DW_FORM.strp: return stringAt(sections.str, h.offset(is64), `${what} in ${h.section.name} at ${hexOf(at)}`);
    case DW_FORM.udata: return h.uleb();
    case DW_FORM.data1: return h.u8();
    case DW_FORM.data2: return h.u16();
    case DW_FORM.data4: return h.u32();
    case DW_FORM.data8: return h.u64();
    case DW_FORM.data16: return h.block(16);
    case DW_FORM.block: return h.block(h.uleb());
    default: throw h.error(`${what}: form ${formName(form)} is not allowed in a line table header`, at);
  }
}

function runProgram(r: DwarfReader, prog: LineProgram, dirPath: (i: number) => string): void {
  const { minInstLength, maxOpsPerInst, lineBase, lineRange, opcodeBase, standardOpcodeLengths, files } = prog;
  const fileBase = prog.version >= 5 ? 0 : 1;
  let address = 0, opIndex = 0, file = 1, line = 1, column = 0, isStmt = prog.defaultIsStmt;
  let basicBlock = false, prologueEnd = false, epilogueBegin = false, isa = 0, discriminator = 0;
  const reset = () => {
    address = 0; opIndex = 0; file = 1; line = 1; column = 0; isStmt = prog.defaultIsStmt;
    basicBlock = false; prologueEnd = false; epilogueBegin = false; isa = 0; discriminator = 0;
  };
  const pathOf = (index: number): string => {
    const f = files[index];
    if (f && (index >= fileBase || prog.version < 5)) return f.path || f.name;
    return `<file ${index}>`;
  };
  const emit = (endSequence: boolean) => {
    prog.rows.push({
      address, file: pathOf(file), fileIndex: file, line, column, isStmt, basicBlock, endSequence, prologueEnd,
      epilogueBegin, isa, discriminator, opIndex,
    });
    basicBlock = false; prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const advance = (operationAdvance: number) => {
    if (maxOpsPerInst === 1) { address += minInstLength * operationAdvance; return; }
    const total = opIndex + operationAdvance;
    address += minInstLength * Math.floor(total / maxOpsPerInst);
    opIndex = total % maxOpsPerInst;
  };
  while (!r.atEnd) {
    const at = r.pos;
    const op = r.u8();
    if (op >= opcodeBase) { // special opcode: advance address and line, append a row
      const adjusted = op - opcodeBase;
      advance(Math.floor(adjusted / lineRange));
      line += lineBase + (adjusted % lineRange);
      emit(false);
      continue;
    }
    if (op === 0) { // extended opcode: ULEB length, sub-opcode, operands
      const len = r.uleb();
      const start = r.pos;
      if (len === 0) throw r.error('extended opcode with length 0', at);
      r.need(len, 'extended opcode');
      const sub = r.u8();
      switch (sub) {
        case DW_LNE.end_sequence: emit(true); reset(); break;
        case DW_LNE.set_address: {
          const size = len - 1;
          if (![1, 2, 4, 8].includes(size)) throw r.error(`DW_LNE_set_address with a ${size}-byte operand`, at);
          address = r.address(size); opIndex = 0; break;
        }
        case DW_LNE.define_file: {
          const name = r.cstr(), dirIndex = r.uleb(), mtime = r.uleb(), size = r.uleb();
          const path = isAbsolutePath(name) ? joinPath(name) : joinPath(dirPath(dirIndex), name);
          files.push({ name, dirIndex, path, mtime, size });
          break;
        }
        case DW_LNE.set_discriminator: discriminator = r.uleb(); break;
        default: break; // unknown extended opcode: skipped by its length
      }
      if (r.pos > start + len) throw r.error(`extended opcode ${hexOf(sub)} operands run past its length ${len}`, at);
      r.seek(start + len);
      continue;
    }
    switch (op) {
      case DW_LNS.copy: emit(false); break;
      case DW_LNS.advance_pc: advance(r.uleb()); break;
      case DW_LNS.advance_line: line += r.sleb(); break;
      case DW_LNS.set_file: file = r.uleb(); break;
      case DW_LNS.set_column: column = r.uleb(); break;
      case DW_LNS.negate_stmt: isStmt = !isStmt; break;
      case DW_LNS.set_basic_block: basicBlock = true; break;
      case DW_LNS.const_add_pc: advance(Math.floor((255 - opcodeBase) / lineRange)); break;
      case DW_LNS.fixed_advance_pc: address += r.u16(); opIndex = 0; break;
      case DW_LNS.set_prologue_end: prologueEnd = true; break;
      case DW_LNS.set_epilogue_begin: epilogueBegin = true; break;
      case DW_LNS.set_isa: isa = r.uleb(); break;
      default: // a standard opcode this reader does not know: skip its ULEB operands
        for (let k = 0; k < standardOpcodeLengths[op - 1]; k++) r.uleb();
    }
  }
}
