// Loads the committed ELF fixtures (guests and test/debug/dwarf/fixtures) and the tool dumps next to them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseElf } from '../../../../engine/boot/elf.js';
import type { ElfImage } from '../../../../engine/boot/elf-types.js';

const here = __dirname;
export const FIXTURES = join(here, '..', 'fixtures');
export const REPO = join(here, '..', '..', '..', '..');

export interface LoadedElf { bytes: Uint8Array; elf: ElfImage; name: string }

export function loadElf(path: string): LoadedElf {
  const bytes = new Uint8Array(readFileSync(path));
  return { bytes, elf: parseElf(bytes, path), name: path };
}

export const fixture = (name: string): LoadedElf => loadElf(join(FIXTURES, `${name}.elf`));
export const guest = (rel: string): LoadedElf => loadElf(join(REPO, rel));
export const dump = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
export const FIXTURE_NAMES = ['dwarf2-O0', 'dwarf3-O0', 'dwarf4-O2', 'dwarf5-O2'] as const;

/** A copy of the file with the named sections renamed (first character replaced), so readers no longer find them. */
export function hideSections(file: LoadedElf, names: string[]): Uint8Array {
  const out = file.bytes.slice();
  const shstrndx = new DataView(out.buffer).getUint16(50, true);
  const strtab = file.elf.sections[shstrndx];
  const shoff = new DataView(out.buffer).getUint32(32, true);
  for (const s of file.elf.sections) {
    if (!names.includes(s.name)) continue;
    const nameOffset = new DataView(out.buffer).getUint32(shoff + s.index * 40, true);
    out[strtab.offset + nameOffset] = 0x78; // '.debug_info' -> 'xdebug_info'
  }
  return out;
}

/** A copy of the file with bytes patched inside a section (offsets relative to the section). */
export function patchSection(file: LoadedElf, name: string, patches: [offset: number, byte: number][]): Uint8Array {
  const out = file.bytes.slice();
  const s = file.elf.sections.find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  for (const [o, b] of patches) out[s.offset + o] = b;
  return out;
}

/** The bytes of a section of the file. */
export function sectionBytes(file: LoadedElf, name: string): Uint8Array {
  const s = file.elf.sections.find((x) => x.name === name);
  if (!s) throw new Error(`no section ${name}`);
  return file.bytes.subarray(s.offset, s.offset + s.size);
}
