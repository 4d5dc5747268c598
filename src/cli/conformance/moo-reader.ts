// Reader for the MOO test-vector format (SingleStepTests): chunks MOO/META/TEST with NAME, BYTS,
// INIT/FINA (REGS, RAM) and EXCP, as described in ../shared/testdata/sst80286/README.md.

/** Register order of the 286 REGS bitmask. */
export const MOO_REGS = ['ax', 'bx', 'cx', 'dx', 'cs', 'ss', 'ds', 'es', 'sp', 'bp', 'si', 'di', 'ip', 'flags'] as const;
export type MooReg = typeof MOO_REGS[number];

export interface MooState {
  regs: Partial<Record<MooReg, number>>;   // registers present in the chunk
  ram: Array<[number, number]>;            // (linear address, byte)
}

export interface MooTest {
  index: number;          // TEST index
  name: string;           // generator's disassembly (informative)
  bytes: Uint8Array;      // instruction bytes (prefixes and trailing HLT)
  initial: MooState;      // INIT
  final: MooState;        // FINA (changed registers and bytes only)
  exception?: { vector: number; flagsAddress: number }; // EXCP
  hash: string;           // HASH as hex
}

export class MooFormatError extends Error {}

export function readMoo(data: Uint8Array, fileName: string): MooTest[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const tests: MooTest[] = [];
  let pos = 0;
  const need = (n: number, what: string) => {
    if (pos + n > data.length) throw new MooFormatError(`${fileName}: truncated ${what} at offset ${pos}`);
  };
  while (pos < data.length) {
    need(8, 'chunk header');
    const id = String.fromCharCode(...data.subarray(pos, pos + 4));
    const len = view.getUint32(pos + 4, true);
    need(8 + len, `chunk ${id}`);
    if (id === 'TEST') tests.push(readTest(data, view, pos + 8, len, fileName));
    pos += 8 + len;
  }
  return tests;
}

function readTest(data: Uint8Array, view: DataView, start: number, len: number, fileName: string): MooTest {
  const test: MooTest = { index: view.getUint32(start, true), name: '', bytes: new Uint8Array(), initial: { regs: {}, ram: [] }, final: { regs: {}, ram: [] }, hash: '' };
  let pos = start + 4;
  const end = start + len;
  while (pos < end) {
    const id = String.fromCharCode(...data.subarray(pos, pos + 4));
    const clen = view.getUint32(pos + 4, true);
    const body = pos + 8;
    switch (id) {
      case 'NAME': test.name = String.fromCharCode(...data.subarray(body + 4, body + 4 + view.getUint32(body, true))); break;
      case 'BYTS': test.bytes = data.slice(body + 4, body + 4 + view.getUint32(body, true)); break;
      case 'INIT': test.initial = readState(data, view, body, clen); break;
      case 'FINA': test.final = readState(data, view, body, clen); break;
      case 'EXCP': test.exception = { vector: data[body], flagsAddress: view.getUint32(body + 1, true) }; break;
      case 'HASH': test.hash = Array.from(data.subarray(body, body + clen), (b) => b.toString(16).padStart(2, '0')).join(''); break;
      default: break;
    }
    pos = body + clen;
  }
  if (pos !== end) throw new MooFormatError(`${fileName}: TEST ${test.index} chunk lengths do not add up`);
  return test;
}

function readState(data: Uint8Array, view: DataView, start: number, len: number): MooState {
  const state: MooState = { regs: {}, ram: [] };
  let pos = start;
  while (pos < start + len) {
    const id = String.fromCharCode(...data.subarray(pos, pos + 4));
    const clen = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'REGS') {
      const mask = view.getUint16(body, true);
      let p = body + 2;
      for (let bit = 0; bit < MOO_REGS.length; bit++) {
        if (mask & (1 << bit)) { state.regs[MOO_REGS[bit]] = view.getUint16(p, true); p += 2; }
      }
    } else if (id === 'RAM ') {
      const count = view.getUint32(body, true);
      for (let k = 0; k < count; k++) state.ram.push([view.getUint32(body + 4 + k * 5, true), data[body + 8 + k * 5]]);
    }
    pos = body + clen;
  }
  return state;
}
