// The hvdbg BIOS: small real-mode programs, booted from a memory disk, call INT 10h/13h/15h/16h/1Ah
// and stop with cli; hlt; the tests check the registers, CF (saved with pushf; pop bp), guest memory,
// the text screen and COM1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Vm } from '../../engine/hv/vm.js';
import { MemoryDisk } from '../../engine/storage/memory-disk.js';
import { bootFromDisk } from '../../engine/boot/disk-boot.js';
import { buildE820Map } from '../../engine/platform/firmware/e820.js';
import { BIOS_ROM_BASE, BIOS_ROM_SEGMENT, BIOS_TRAP_PORT, biosHandlerOffset, diskGeometry } from '../../engine/platform/bios/index.js';
import { EAX, EBP, EBX, ECX, EDX } from '../../engine/cpu/registers.js';

const MiB = 1024 * 1024;
const le16 = (v: number) => [v & 0xFF, (v >> 8) & 0xFF];
const le32 = (v: number) => [...le16(v), ...le16(v >>> 16)];
// A few real-mode instructions, hand-assembled.
const mov16 = (reg: 'ax' | 'cx' | 'dx' | 'bx' | 'si' | 'di', v: number) => [0xB8 + ['ax', 'cx', 'dx', 'bx', '', '', 'si', 'di'].indexOf(reg), ...le16(v)];
const mov32 = (reg: 'eax' | 'ecx' | 'edx' | 'ebx', v: number) => [0x66, 0xB8 + ['eax', 'ecx', 'edx', 'ebx'].indexOf(reg), ...le32(v)];
const int = (n: number) => [0xCD, n];
const FLAGS_TO_BP = [0x9C, 0x5D];   // pushf; pop bp
const HALT = [0xFA, 0xF4];          // cli; hlt
const CF = 1, ZF = 0x40;

/** A disk whose sector 0 is code (+ 55 AA) and whose sector k ≥ 1 is filled with the byte k. */
function diskWith(code: number[], sectors = 64): MemoryDisk {
  const image = new Uint8Array(sectors * 512);
  image.set(code);
  image[510] = 0x55; image[511] = 0xAA;
  for (let k = 1; k < sectors; k++) image.fill(k, k * 512, (k + 1) * 512);
  return new MemoryDisk(image);
}

function boot(code: number[], options: { disk?: MemoryDisk; before?: (vm: Vm) => void } = {}) {
  const disk = options.disk ?? diskWith(code);
  const vm = new Vm({ memoryBytes: 16 * MiB, disks: [disk] });
  let serial = '';
  vm.onOutput.event((o) => { if (o.source === 'serial') serial += String.fromCharCode(...o.bytes); });
  const result = bootFromDisk(vm, 'test.img');
  options.before?.(vm);
  const stop = vm.run(1_000_000);
  assert.equal(stop?.kind, 'halted', `expected the program to halt, got ${JSON.stringify(stop)}`);
  const cpu = vm.cpu;
  return { vm, disk, result, serial, cpu, ax: cpu.reg16[EAX << 1], bx: cpu.reg16[EBX << 1], cx: cpu.reg16[ECX << 1], dx: cpu.reg16[EDX << 1], flags: cpu.reg16[EBP << 1] };
}

test('disk boot: sector 0 at 0000:7C00 in real mode, DL = 80h, SS:SP = 0000:7C00, IF on, IVT filled', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB, disks: [diskWith(HALT)] });
  const r = bootFromDisk(vm, 'test.img');
  const cpu = vm.cpu;
  assert.equal(r.entry, 0x7C00);
  assert.equal(cpu.mode, 'real');
  assert.deepEqual([cpu.segSel[1], cpu.eip, cpu.segBase[1]], [0, 0x7C00, 0]);
  assert.equal(cpu.reg8[8], 0x80);
  assert.equal(cpu.reg16[4 << 1], 0x7C00);
  assert.ok(cpu.flags & 0x200);
  assert.equal(vm.memory.read16(0x7DFE), 0xAA55);
  for (const v of [0x10, 0x13, 0x15, 0x16, 0x1A, 0x08, 0x70, 0x21]) {
    assert.equal(vm.memory.read16(v * 4), biosHandlerOffset(v));
    assert.equal(vm.memory.read16(v * 4 + 2), BIOS_ROM_SEGMENT);
  }
  // INT 13h's stub: out 0E8h, al; iret
  assert.deepEqual([...vm.memory.readBytes(BIOS_ROM_BASE + 0x13 * 4, 3)], [0xE6, BIOS_TRAP_PORT, 0xCF]);
  // The PIC pair is left as a BIOS leaves it: vectors 08h and 70h.
  assert.equal(vm.platform.pic.master.registers.vectorBase, 0x08);
  assert.equal(vm.platform.pic.slave.registers.vectorBase, 0x70);
  assert.equal(vm.memory.read8(0x475), 1);   // one hard disk in the BDA
});

test('a disk without the boot signature is refused with the file name', () => {
  const vm = new Vm({ memoryBytes: 16 * MiB, disks: [new MemoryDisk(4)] });
  assert.throws(() => bootFromDisk(vm, 'blank.img'), /^BootError: blank\.img: not bootable: sector 0 does not end with the boot signature 55 AA \(found 00 00\)$/);
  assert.throws(() => bootFromDisk(new Vm({ memoryBytes: 16 * MiB }), 'none'), /none: no disk to boot from/);
});

test('INT 10h teletype writes the text screen, moves the cursor and echoes to COM1', () => {
  const code: number[] = [];
  for (const ch of 'Hi!\r\nok') code.push(0xB4, 0x0E, 0xB0, ch.charCodeAt(0), ...int(0x10));
  code.push(0xB4, 0x03, 0xB7, 0x00, ...int(0x10), ...HALT);   // AH=03h: cursor → DH, DL
  const r = boot(code);
  const lines = r.vm.platform.vga.screenText().split('\n');
  assert.equal(lines[0], 'Hi!');
  assert.equal(lines[1], 'ok');
  assert.equal(r.dx, 0x0102);        // row 1, column 2
  assert.equal(r.serial, 'Hi!\r\nok');
});

test('INT 10h AH=0Fh reports 80-column text mode 3; AH=00h clears the screen', () => {
  const r = boot([0xB4, 0x0E, 0xB0, 0x41, ...int(0x10), ...mov16('ax', 0x0003), ...int(0x10), 0xB4, 0x0F, ...int(0x10), ...HALT]);
  assert.equal(r.ax, 0x5003);
  assert.equal(r.vm.platform.vga.screenText().trim(), '');
});

test('INT 13h AH=02h reads CHS sectors into ES:BX; AH=08h reports the 16-head, 63-sector geometry', () => {
  // read 2 sectors from C0 H0 S3 (LBA 2) to 0000:8000, save flags, then AH=08h
  const r = boot([...mov16('ax', 0x0202), ...mov16('cx', 0x0003), ...mov16('dx', 0x0080), ...mov16('bx', 0x8000), ...int(0x13),
    ...FLAGS_TO_BP, 0x89, 0xC6 /* mov si, ax */, 0xB4, 0x08, 0xB2, 0x80, ...int(0x13), ...HALT]);
  assert.equal(r.flags & CF, 0);
  assert.equal(r.cpu.reg16[6 << 1], 0x0002);  // AH = 0, AL = sectors read
  assert.equal(r.vm.memory.read8(0x8000), 2);
  assert.equal(r.vm.memory.read8(0x81FF), 2);
  assert.equal(r.vm.memory.read8(0x8200), 3);
  assert.equal(r.vm.memory.read8(0x8400), 0);
  // 64 sectors → 1 cylinder: CH = 0, CL = 63, DH = 15, DL = 1 drive
  assert.deepEqual([r.cx, r.dx, r.ax >> 8], [0x003F, 0x0F01, 0]);
  assert.deepEqual(diskGeometry(64), { cylinders: 1, heads: 16, sectors: 63 });
  assert.equal(diskGeometry(16 * 63 * 5000).cylinders, 1024);
});

test('INT 13h errors set CF and AH: a sector past the end, a missing drive, an unknown function', () => {
  const past = boot([...mov16('ax', 0x0201), ...mov16('cx', 0x0001), ...mov16('dx', 0x0280), ...mov16('bx', 0x8000), ...int(0x13), ...FLAGS_TO_BP, ...HALT]);
  assert.ok(past.flags & CF);
  assert.equal(past.ax, 0x0400);                 // sector not found, 0 sectors read
  assert.equal(past.vm.memory.read8(0x474), 4);  // last status in the BDA
  const missing = boot([...mov16('ax', 0x0201), ...mov16('cx', 0x0001), ...mov16('dx', 0x0081), ...int(0x13), ...FLAGS_TO_BP, ...HALT]);
  assert.ok(missing.flags & CF);
  const unknown = boot([...mov16('ax', 0x7700), ...mov16('dx', 0x0080), ...int(0x13), ...FLAGS_TO_BP, ...HALT]);
  assert.ok(unknown.flags & CF);
  assert.equal(unknown.ax >> 8, 0x01);
});

test('INT 13h extensions: 41h check, 42h read and 43h write through a disk address packet, 48h parameters', () => {
  const dap = 0x600, params = 0x700;
  const code = [
    ...mov16('bx', 0x55AA), 0xB4, 0x41, 0xB2, 0x80, ...int(0x13), 0x89, 0xDF /* mov di, bx */,
    ...mov16('si', dap), 0xB4, 0x42, 0xB2, 0x80, ...int(0x13), ...FLAGS_TO_BP,
    ...mov16('si', dap + 0x10), 0xB4, 0x43, 0xB2, 0x80, ...int(0x13),
    ...mov16('si', params), 0xB4, 0x48, 0xB2, 0x80, ...int(0x13), ...HALT,
  ];
  const r = boot(code, {
    before: (vm) => {
      // read 3 sectors from LBA 5 to 1000:0000; write 1 sector from 0000:9000 to LBA 40
      vm.memory.writeBytes(dap, Uint8Array.from([0x10, 0, ...le16(3), ...le16(0), ...le16(0x1000), ...le32(5), ...le32(0)]));
      vm.memory.writeBytes(dap + 0x10, Uint8Array.from([0x10, 0, ...le16(1), ...le16(0x9000), ...le16(0), ...le32(40), ...le32(0)]));
      vm.memory.writeBytes(0x9000, new Uint8Array(512).fill(0xEE));
      vm.memory.writeBytes(params, Uint8Array.from(le16(0x1E)));
    },
  });
  assert.equal(r.cpu.reg16[7 << 1], 0xAA55);
  assert.equal(r.flags & CF, 0);
  assert.deepEqual([r.vm.memory.read8(0x10000), r.vm.memory.read8(0x10200), r.vm.memory.read8(0x105FF)], [5, 6, 7]);
  assert.equal(r.vm.memory.read16(dap + 2), 3);
  assert.ok(r.disk.bytes.subarray(40 * 512, 41 * 512).every((b) => b === 0xEE));
  const m = r.vm.memory;
  assert.deepEqual([m.read16(params), m.read32(params + 4), m.read32(params + 8), m.read32(params + 12), m.read32(params + 16), m.read16(params + 24)], [0x1A, 1, 16, 63, 64, 512]);
});

test('INT 13h writes to a read-only disk fail with AH = 03h (write protected)', () => {
  const code = [...mov16('ax', 0x0301), ...mov16('cx', 0x0002), ...mov16('dx', 0x0080), ...mov16('bx', 0x9000), ...int(0x13), ...FLAGS_TO_BP, ...HALT];
  const image = diskWith(code).bytes;
  const r = boot(code, { disk: new MemoryDisk(image, true) });
  assert.ok(r.flags & CF);
  assert.equal(r.ax >> 8, 0x03);
});

test('INT 15h E820 walks the firmware memory map; 88h and E801h report memory above 1 MiB', () => {
  const loop = [...mov32('eax', 0xE820), ...mov32('edx', 0x534D4150), ...mov32('ecx', 20), ...int(0x15),
    0x72, 0x08 /* jc done */, 0x83, 0xC7, 0x14 /* add di, 20 */, 0x66, 0x85, 0xDB /* test ebx, ebx */];
  const code = [0x66, 0x31, 0xDB /* xor ebx, ebx */, ...mov16('di', 0x9000), ...loop, 0x75, (256 - loop.length - 2) & 0xFF,
    /* done: */ 0xB4, 0x88, ...int(0x15), 0x89, 0xC6 /* mov si, ax */, ...HALT];
  const r = boot(code);
  const expected = buildE820Map(16 * MiB);
  const m = r.vm.memory;
  const got = expected.map((_, k) => {
    const at = 0x9000 + k * 20;
    return { base: m.read32(at) >>> 0, length: m.read32(at + 8) >>> 0, type: m.read32(at + 16) };
  });
  assert.deepEqual(got, expected.map((e) => ({ base: e.base % 2 ** 32, length: e.length % 2 ** 32, type: e.type })));
  assert.equal(r.cpu.reg16[6 << 1], 15 * 1024);   // AH=88h: KiB above 1 MiB
});

test('INT 15h A20: 2400h closes the gate, 2402h reports it, 2401h opens it', () => {
  const r = boot([...mov16('ax', 0x2400), ...int(0x15), ...mov16('ax', 0x2402), ...int(0x15), 0x89, 0xC6 /* mov si, ax */,
    ...mov16('ax', 0x2401), ...int(0x15), ...mov16('ax', 0x2402), ...int(0x15), ...FLAGS_TO_BP, ...HALT]);
  assert.equal(r.cpu.reg16[6 << 1], 0x0000);
  assert.equal(r.ax, 0x0001);
  assert.equal(r.flags & CF, 0);
  assert.ok(r.vm.memory.a20Enabled);
});

test('INT 16h reads typed keys from the 8042 (AH=01h peeks with ZF, AH=00h takes)', () => {
  const code = [0xB4, 0x01, ...int(0x16), ...FLAGS_TO_BP, 0x89, 0xC6 /* mov si, ax */, 0xB4, 0x00, ...int(0x16), 0x89, 0xC7 /* mov di, ax */,
    0xB4, 0x00, ...int(0x16), 0x89, 0xC3 /* mov bx, ax */, 0xB4, 0x01, ...int(0x16), 0x9C, 0x59 /* pushf; pop cx */, ...HALT];
  const r = boot(code, { before: (vm) => vm.platform.kbd.typeText('aB') });
  assert.equal(r.flags & ZF, 0);
  assert.equal(r.cpu.reg16[6 << 1], 0x1E61);   // peek: 'a'
  assert.equal(r.cpu.reg16[7 << 1], 0x1E61);   // take: 'a'
  assert.equal(r.bx, 0x3042);                  // take: 'B' (shifted)
  assert.ok(r.cx & ZF);                        // nothing left
});

test('INT 16h AH=00h waits for a key: it keeps calling until one is typed, then returns it', () => {
  const code = [0xB4, 0x00, ...int(0x16), ...HALT];
  const disk = diskWith(code);
  const vm = new Vm({ memoryBytes: 16 * MiB, disks: [disk] });
  bootFromDisk(vm, 'test.img');
  assert.equal(vm.run(200_000), undefined, 'no key yet: the read waits (the guest keeps running)');
  assert.equal(vm.cpu.halted, false);
  vm.platform.kbd.typeText('x');
  assert.equal(vm.run(200_000)?.kind, 'halted');
  assert.equal(vm.cpu.reg16[EAX << 1], 0x2D78); // scancode 2Dh, 'x'
});

test('INT 1Ah: tick count from the virtual clock, RTC time and date in BCD', () => {
  const r = boot([0xB4, 0x04, ...int(0x1A), 0x89, 0xCE /* mov si, cx */, 0x89, 0xD7 /* mov di, dx */,
    0xB4, 0x02, ...int(0x1A), 0x89, 0xCB /* mov bx, cx */, 0xB4, 0x00, ...int(0x1A), ...FLAGS_TO_BP, ...HALT]);
  assert.equal(r.cpu.reg16[6 << 1], 0x2026);   // century, year
  assert.equal(r.cpu.reg16[7 << 1], 0x0101);   // 1 January
  assert.equal(r.bx, 0x0000);                  // 00:00
  const ticks = (r.cx << 16) | r.dx;
  const expected = Math.floor(r.vm.clock.nowNs() / 1e9 * 1193182 / 65536);
  assert.ok(ticks <= expected && ticks >= expected - 1, `ticks ${ticks}, clock says ${expected}`);
  assert.equal(r.flags & CF, 0);
});

test('an OUT to the trap port from outside the BIOS stubs does nothing', () => {
  const r = boot([...mov16('ax', 0x0E41), 0xE6, BIOS_TRAP_PORT, ...HALT]);
  assert.equal(r.serial, '');
  assert.equal(r.result.bios.calls.size, 0);
});

test('an unmasked IRQ reaches the BIOS EOI stub: acknowledged and EOIed, the program goes on', () => {
  // in al, 21h; and al, 0FDh; out 21h, al (unmask IRQ1); sti; nop; nop; then halt
  const r = boot([0xE4, 0x21, 0x24, 0xFD, 0xE6, 0x21, 0xFB, 0x90, 0x90, ...HALT], { before: (vm) => vm.platform.kbd.typeText('x') });
  const master = r.vm.platform.pic.master.registers;
  assert.equal(master.isr, 0, 'the stub sent an EOI');
  assert.equal(master.irr & 0x02, 0, 'IRQ1 was acknowledged');
  assert.equal(r.cpu.eip, 0x7C00 + 11);
});
