// Linux bzImage loader on synthetic images built here: setup header parsing, the zero page and
// command line it writes, initrd placement, the 32-bit entry state, and the errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootError } from '../../engine/boot/boot-error.js';
import { loadLinux, LINUX_CMDLINE_ADDRESS, LINUX_GDT_ADDRESS, LINUX_ZERO_PAGE_ADDRESS } from '../../engine/boot/linux/linux.js';
import { isBzImage, parseSetupHeader } from '../../engine/boot/linux/setup-header.js';
import { CS, DS, EBP, EBX, EDI, ES, ESI, SS } from '../../engine/cpu/registers.js';
import { Vm } from '../../engine/hv/vm.js';

const MiB = 1024 * 1024;

interface ImageOptions {
  version?: number;        // boot protocol version
  setupSects?: number;     // as stored at 0x1F1 (0 means 4)
  kernel?: Uint8Array;     // protected-mode code
  loadflags?: number;
  initrdAddrMax?: number;
  cmdlineSize?: number;
  prefAddress?: number;
  initSize?: number;
  magic?: number;          // at 0x202
}

/** A minimal bzImage: boot sector + setup sectors with the header, then the protected-mode code. */
function bzImage(o: ImageOptions = {}): Uint8Array {
  const setupSects = o.setupSects ?? 1;
  const kernel = o.kernel ?? Uint8Array.from({ length: 4096 }, (_, k) => (k * 7 + 1) & 0xFF);
  const setupBytes = ((setupSects === 0 ? 4 : setupSects) + 1) * 512;
  const image = new Uint8Array(setupBytes + kernel.length);
  const view = new DataView(image.buffer);
  view.setUint8(0x1F1, setupSects);
  view.setUint32(0x1F4, Math.ceil(kernel.length / 16), true);  // syssize
  view.setUint16(0x1FE, 0xAA55, true);
  view.setUint8(0x200, 0xEB); view.setUint8(0x201, 0x66);       // jmp: the header ends at 0x268
  view.setUint32(0x202, o.magic ?? 0x53726448, true);
  view.setUint16(0x206, o.version ?? 0x020F, true);
  view.setUint16(0x20E, 0x100, true);                            // kernel_version → 0x300 in the file
  image.set(new TextEncoder().encode('6.1.0-test (hvdbg@test)\0'), 0x300);
  view.setUint8(0x211, o.loadflags ?? 0x01);                     // LOADED_HIGH
  view.setUint32(0x214, 0x100000, true);                         // code32_start
  view.setUint32(0x22C, o.initrdAddrMax ?? 0x7FFFFFFF, true);
  view.setUint32(0x230, 0x1000000, true);                        // kernel_alignment
  view.setUint8(0x234, 1);                                       // relocatable
  view.setUint32(0x238, o.cmdlineSize ?? 2047, true);
  view.setUint32(0x258, o.prefAddress ?? 0x1000000, true);
  view.setUint32(0x260, o.initSize ?? 0x400000, true);
  image.set(kernel, setupBytes);
  return image;
}

function assertBootError(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof BootError, `expected a BootError, got ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });
}

function cString(vm: Vm, address: number): string {
  let end = address;
  while (vm.memory.read8(end) !== 0) end++;
  return new TextDecoder().decode(vm.memory.readBytes(address, end - address));
}

test('a bzImage is recognised by "HdrS" at 0x202, an ELF is not', () => {
  assert.equal(isBzImage(bzImage()), true);
  assert.equal(isBzImage(Uint8Array.from([0x7F, 0x45, 0x4C, 0x46, ...new Uint8Array(0x300)])), false);
  assert.equal(isBzImage(new Uint8Array(16)), false);
});

test('the setup header is parsed with the protocol defaults applied', () => {
  const h = parseSetupHeader(bzImage({ setupSects: 0, version: 0x0202 }), 'old');
  assert.equal(h.setupSects, 4);                 // 0 means 4
  assert.equal(h.version, 0x0202);
  assert.equal(h.initrdAddrMax, 0x37FFFFFF);      // before 2.03
  assert.equal(h.cmdlineSize, 255);               // before 2.06
  assert.equal(h.relocatable, false);             // before 2.05
  assert.equal(h.initSize, 0);                    // before 2.10
  const modern = parseSetupHeader(bzImage(), 'new');
  assert.equal(modern.setupSects, 1);
  assert.equal(modern.syssize, 256);
  assert.equal(modern.code32Start, 0x100000);
  assert.equal(modern.initrdAddrMax, 0x7FFFFFFF);
  assert.equal(modern.kernelAlignment, 0x1000000);
  assert.equal(modern.relocatable, true);
  assert.equal(modern.cmdlineSize, 2047);
  assert.equal(modern.prefAddress, 0x1000000);
  assert.equal(modern.headerEnd, 0x268);
  assert.equal(modern.kernelVersion, '6.1.0-test (hvdbg@test)');
});

test('the kernel, command line, zero page and GDT land where the protocol expects them', () => {
  const vm = new Vm({ memoryBytes: 64 * MiB });
  const image = bzImage();
  const result = loadLinux(vm, image, 'bzImage', { append: 'console=ttyS0 quiet' });
  assert.deepEqual(vm.memory.readBytes(0x100000, 4096), image.subarray(1024));
  assert.equal(cString(vm, LINUX_CMDLINE_ADDRESS), 'console=ttyS0 quiet');
  const zp = LINUX_ZERO_PAGE_ADDRESS;
  const m = vm.memory;
  // The setup header is copied in, then the loader's fields are filled.
  assert.equal(m.read16(zp + 0x1FE), 0xAA55);
  assert.equal(m.read32(zp + 0x202), 0x53726448);
  assert.equal(m.read16(zp + 0x206), 0x020F);
  assert.equal(m.read8(zp + 0x210), 0xFF);                        // type_of_loader
  assert.equal(m.read8(zp + 0x211) & 0x01, 0x01);                  // LOADED_HIGH kept
  assert.equal(m.read8(zp + 0x211) & 0x80, 0x80);                  // CAN_USE_HEAP
  assert.equal(m.read8(zp + 0x211) & 0x40, 0);                     // KEEP_SEGMENTS clear
  assert.equal(m.read32(zp + 0x228), LINUX_CMDLINE_ADDRESS);      // cmd_line_ptr
  assert.equal(m.read32(zp + 0x218), 0);                           // no ramdisk
  assert.equal(m.read32(zp + 0x21C), 0);
  // screen_info: 80×25 colour VGA text.
  assert.equal(m.read8(zp + 0x06), 3);
  assert.equal(m.read8(zp + 0x07), 80);
  assert.equal(m.read8(zp + 0x0E), 25);
  assert.equal(m.read8(zp + 0x0F), 1);
  assert.equal(m.read32(zp + 0x1E0), 63 * 1024);                  // alt_mem_k
  // E820: low RAM, the reserved legacy area and RAM from 1 MiB to the top.
  const entries = m.read8(zp + 0x1E8);
  const e820 = Array.from({ length: entries }, (_, k) => {
    const at = zp + 0x2D0 + k * 20;
    return { base: m.read32(at), length: m.read32(at + 8), type: m.read32(at + 16) };
  });
  assert.ok(entries >= 3);
  assert.deepEqual(e820[0], { base: 0, length: 0x9FC00, type: 1 });
  assert.ok(e820.some((e) => e.base === 0x100000 && e.length === 63 * MiB && e.type === 1));
  assert.ok(e820.some((e) => e.base <= 0xF0000 && e.base + e.length >= 0x100000 && e.type === 2));
  assert.equal(result.entry, 0x100000);
  assert.equal(result.zeroPageAddress, zp);
  assert.equal(result.commandLine, 'console=ttyS0 quiet');
});

test('the vCPU starts in flat 32-bit protected mode at code32_start with ESI = boot_params', () => {
  const vm = new Vm({ memoryBytes: 64 * MiB });
  loadLinux(vm, bzImage(), 'bzImage');
  const cpu = vm.cpu;
  assert.equal(cpu.eip, 0x100000);
  assert.equal(cpu.cr0 & 0x80000001, 1);                            // PE on, PG off
  assert.equal(cpu.getEflags() & 0x200, 0);                          // IF clear
  assert.equal(cpu.reg32[ESI], LINUX_ZERO_PAGE_ADDRESS);
  for (const r of [EBP, EDI, EBX]) assert.equal(cpu.reg32[r], 0);
  assert.equal(cpu.segSel[CS], 0x10);
  for (const s of [DS, ES, SS]) assert.equal(cpu.segSel[s], 0x18);
  assert.equal(cpu.gdtrBase, LINUX_GDT_ADDRESS);
  assert.equal(cpu.gdtrLimit, 31);
  // The GDT in memory holds flat __BOOT_CS and __BOOT_DS, so the kernel can reload them.
  assert.equal(vm.memory.read32(LINUX_GDT_ADDRESS + 0x10), 0x0000FFFF);
  assert.equal(vm.memory.read32(LINUX_GDT_ADDRESS + 0x14), 0x00CF9A00);
  assert.equal(vm.memory.read32(LINUX_GDT_ADDRESS + 0x18), 0x0000FFFF);
  assert.equal(vm.memory.read32(LINUX_GDT_ADDRESS + 0x1C), 0x00CF9200);
});

test('the initrd goes page-aligned as high as RAM and initrd_addr_max allow, several files concatenated', () => {
  const vm = new Vm({ memoryBytes: 64 * MiB });
  const a = Uint8Array.from({ length: 5000 }, (_, k) => k & 0xFF);
  const b = Uint8Array.from([1, 2, 3]);
  const result = loadLinux(vm, bzImage(), 'bzImage', { initrd: [{ name: 'a.img', bytes: a }, { name: 'b.img', bytes: b }] });
  const size = 5000 + 4;                                               // each file padded to 4 bytes
  const expected = Math.floor((64 * MiB - size) / 4096) * 4096;
  assert.deepEqual(result.ramdisk, { address: expected, size });
  assert.equal(vm.memory.read32(LINUX_ZERO_PAGE_ADDRESS + 0x218), expected);
  assert.equal(vm.memory.read32(LINUX_ZERO_PAGE_ADDRESS + 0x21C), size);
  assert.deepEqual(vm.memory.readBytes(expected, 5000), a);
  assert.deepEqual(vm.memory.readBytes(expected + 5000, 3), b);

  const capped = new Vm({ memoryBytes: 64 * MiB });
  const low = loadLinux(capped, bzImage({ initrdAddrMax: 0x2FFFFFF }), 'bzImage', { initrd: [{ name: 'a.img', bytes: a }] });
  assert.equal(low.ramdisk?.address, Math.floor((0x3000000 - 5000) / 4096) * 4096);
});

test('protocol 2.01 is refused with the version', () => {
  assertBootError(() => loadLinux(new Vm({ memoryBytes: 64 * MiB }), bzImage({ version: 0x0201 }), 'old.bzImage'),
    'old.bzImage: boot protocol version 2.01 is not supported (need 2.02 or later)');
});

test('a bad signature or a zImage is refused', () => {
  const noFlag = bzImage();
  noFlag[0x1FE] = 0;
  assertBootError(() => parseSetupHeader(noFlag, 'k'), 'k: bad boot_flag 0xaa00 at 0x1fe (expected 0xaa55)');
  assertBootError(() => parseSetupHeader(bzImage({ magic: 0x12345678 }), 'k'), 'k: not a Linux bzImage (no "HdrS" signature at 0x202)');
  assertBootError(() => parseSetupHeader(bzImage({ loadflags: 0 }), 'k'),
    'k: is a zImage (loadflags.LOADED_HIGH clear); only bzImage kernels loaded at 1 MiB are supported');
});

test('an initrd that does not fit is refused with its name, and nothing starts', () => {
  const vm = new Vm({ memoryBytes: 64 * MiB });
  const big = new Uint8Array(48 * MiB);
  // The kernel runs from pref_address (16 MiB) up to init_size (4 MiB) further: 20 MiB are taken.
  assertBootError(() => loadLinux(vm, bzImage(), 'bzImage', { initrd: [{ name: 'big.cpio.gz', bytes: big }] }),
    'big.cpio.gz: initrd of 48 MiB does not fit: it must lie between the kernel\'s end (0x1400000) and 0x4000000 ' +
    '(guest RAM 64 MiB, initrd_addr_max 0x7fffffff): use a larger --mem');
  assert.equal(vm.memory.read32(0x100000), 0);                         // nothing was written
});

test('a kernel that needs more RAM than the guest has, a truncated image and a long command line are refused', () => {
  assertBootError(() => loadLinux(new Vm({ memoryBytes: 16 * MiB }), bzImage(), 'k'),
    'k: the kernel needs RAM up to 0x1400000 (loaded at 0x100000, init_size 4 MiB); guest RAM is 16 MiB: use a larger --mem');
  const truncated = bzImage().subarray(0, 2048);
  assertBootError(() => loadLinux(new Vm({ memoryBytes: 64 * MiB }), truncated, 'k'),
    'k: truncated: the header promises 4096 bytes of protected-mode code after 1 setup sectors, the file has 1024');
  assertBootError(() => loadLinux(new Vm({ memoryBytes: 64 * MiB }), bzImage({ cmdlineSize: 10 }), 'k', { append: 'console=ttyS0' }),
    'k: kernel command line is 13 bytes; this kernel accepts at most 10 (boot protocol 2.15)');
});
