// Disassembly listings: forward and backward from an address in 32- and 16-bit code, symbols and
// source lines from a CodeSymbols, branch targets named, and unreadable memory padded so a client
// always gets the count it asked for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE } from '../../cpu/helpers/machine.js';
import { formatListing, listInstructions, type CodeSymbols } from '../../../engine/debug/inspect/disassembly.js';

// push ebp; mov ebp,esp; mov eax,1; call f+0x20; pop ebp; ret   (f at CODE, 32-bit)
const FUNCTION = [0x55, 0x89, 0xE5, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xE8, 0x13, 0x00, 0x00, 0x00, 0x5D, 0xC3];
const OFFSETS = [0, 1, 3, 8, 13, 14];

const symbols: CodeSymbols = {
  functionAt: (a) => (a >= CODE && a < CODE + 0x40 ? { name: 'f', address: CODE, text: a === CODE ? 'f' : `f+0x${(a - CODE).toString(16)}` } : undefined),
  addressToLine: (a) => (a >= CODE && a < CODE + 0x10 ? { file: '/src/f.c', line: a < CODE + 3 ? 10 : 11, column: 3 } : undefined),
};

function machine32(): Machine {
  const m = new Machine();
  m.enterProtected();
  // Some instructions before f, so backward listing has something to synchronise on.
  m.write(CODE - 6, [0x90, 0x90, 0x31, 0xC0, 0x90, 0xC3]); // nop; nop; xor eax,eax; nop; ret
  m.write(CODE, FUNCTION);
  return m;
}

describe('disassembly listing', () => {
  it('lists forward from an address with bytes, text, symbols and lines', () => {
    const m = machine32();
    const listing = listInstructions(m.cpu, { location: { space: 'linear', address: CODE }, count: 6, symbols });
    assert.deepEqual(listing.map((i) => i.address - CODE), OFFSETS);
    assert.deepEqual(listing.map((i) => i.text), ['push ebp', 'mov ebp,esp', 'mov eax,1', 'call 0x00010020 <f+0x20>', 'pop ebp', 'ret']);
    assert.deepEqual(listing[1].bytes, [0x89, 0xE5]);
    assert.equal(listing[0].symbol, 'f');
    assert.equal(listing[2].symbol, 'f+0x3');
    assert.deepEqual(listing[0].source, { file: '/src/f.c', line: 10, column: 3 });
    assert.equal(listing[2].source?.line, 11);
    assert.match(formatListing(listing)[0], /^0x00010000 <f>  55 +push ebp  ; f\.c:10$/);
  });

  it('goes backwards to real instruction boundaries (from the function start)', () => {
    const m = machine32();
    const listing = listInstructions(m.cpu, { location: { space: 'linear', address: CODE + 8 }, instructionOffset: -3, count: 4, symbols });
    assert.deepEqual(listing.map((i) => i.address - CODE), [0, 1, 3, 8]);
  });

  it('goes backwards without symbols, re-synchronising on the target', () => {
    const m = machine32();
    const listing = listInstructions(m.cpu, { location: { space: 'linear', address: CODE + 3 }, instructionOffset: -4, count: 5 });
    // nop; ret; push ebp; mov ebp,esp; then the anchor
    assert.deepEqual(listing.map((i) => i.address - CODE), [-2, -1, 0, 1, 3]);
    // Every listed instruction ends where the next begins, and the last lands on the anchor.
    for (let k = 0; k + 1 < listing.length; k++) assert.equal(listing[k].address + listing[k].bytes.length, listing[k + 1].address);
    assert.equal(listing[4].address, CODE + 3);
    assert.equal(listing[4].text, 'mov eax,1');
    assert.equal(listing[2].text, 'push ebp');
  });

  it('lists physical memory too (here paging is off, so the same code)', () => {
    const m = machine32();
    const physical = listInstructions(m.cpu, { location: { space: 'physical', address: CODE }, count: 3 });
    assert.deepEqual(physical.map((i) => i.text), ['push ebp', 'mov ebp,esp', 'mov eax,1']);
    const beyond = listInstructions(m.cpu, { location: { space: 'physical', address: 0x40000000 }, count: 2 });
    assert.deepEqual(beyond.map((i) => [i.text, i.invalid]), [['??', true], ['??', true]]);
  });

  it('skips forward by instructionOffset', () => {
    const m = machine32();
    const listing = listInstructions(m.cpu, { location: { space: 'linear', address: CODE }, instructionOffset: 2, count: 2 });
    assert.deepEqual(listing.map((i) => i.text), ['mov eax,1', 'call 0x00010020']);
  });

  it('decodes 16-bit code in real mode, with IP-relative branch targets', () => {
    const m = new Machine();
    const cpu = m.enterReal(0x07C0, 0);
    m.write(0x7C00, [0xB4, 0x0E, 0xCD, 0x10, 0xEB, 0xFE]); // mov ah,0xe; int 0x10; jmp $
    const listing = listInstructions(cpu, { location: { space: 'linear', address: 0x7C00 }, count: 3 });
    // The jump's target is IP 4 in CS 0x07c0 (numbers below 10 print in decimal).
    assert.deepEqual(listing.map((i) => i.text), ['mov ah,0xe', 'int 0x10', 'jmp 4']);
    assert.equal(listing[2].address, 0x7C04);
  });

  it('returns exactly count entries, marking unreadable memory invalid', () => {
    const m = machine32();
    const end = 8 << 20; // the end of RAM
    m.write(end - 2, [0x90, 0x90]);
    const listing = listInstructions(m.cpu, { location: { space: 'linear', address: end - 2 }, count: 5 });
    assert.equal(listing.length, 5);
    assert.deepEqual(listing.map((i) => i.text), ['nop', 'nop', '??', '??', '??']);
    assert.equal(listing[2].invalid, true);
    const atZero = listInstructions(m.cpu, { location: { space: 'linear', address: 0 }, instructionOffset: -3, count: 4 });
    assert.equal(atZero.length, 4);
    assert.deepEqual(atZero.slice(0, 3).map((i) => i.invalid), [true, true, true]);
  });
});
