// The Linux x86 boot protocol's setup header (Documentation/arch/x86/boot.rst): recognising a
// bzImage and reading the fields a 32-bit boot loader needs, with the protocol's defaults filled in.
import { BootError, hex } from '../boot-error.js';

/** Offset of the setup header in the file and in struct boot_params. */
export const SETUP_HEADER_OFFSET = 0x1F1;
/** "HdrS" read as a little-endian 32-bit number, at offset 0x202. */
export const HDRS_MAGIC = 0x53726448;
export const BOOT_FLAG = 0xAA55;
/** Oldest protocol this loader speaks: 2.02 has cmd_line_ptr and a 32-bit-clean layout. */
export const MIN_PROTOCOL = 0x0202;
/** loadflags bits. */
export const LOADED_HIGH = 0x01, KEEP_SEGMENTS = 0x40, CAN_USE_HEAP = 0x80;
/** Where a bzImage's protected-mode kernel is loaded. */
export const BZIMAGE_LOAD_ADDRESS = 0x100000;

/** The fields of the setup header hvdbg uses, as found in the file (defaults applied). */
export interface SetupHeader {
  setupSects: number;       // 512-byte setup sectors after the boot sector (0 means 4)
  syssize: number;          // size of the protected-mode code in 16-byte paragraphs
  version: number;          // boot protocol version, e.g. 0x020f for 2.15
  loadflags: number;        // LOADED_HIGH etc., as in the file
  code32Start: number;      // 32-bit entry point (0x100000 for a bzImage)
  initrdAddrMax: number;    // highest address the initrd may occupy (inclusive)
  kernelAlignment: number;  // physical alignment a relocatable kernel wants (0 before 2.05)
  relocatable: boolean;     // relocatable_kernel (2.05+)
  cmdlineSize: number;      // longest command line in bytes, without its NUL
  prefAddress: number;      // preferred load address (2.10+, else 0x100000), low 32 bits
  initSize: number;         // bytes the kernel needs from its load address while it starts (2.10+, else 0)
  headerEnd: number;        // file offset just past the setup header (0x202 + the byte at 0x201)
  kernelVersion: string;    // the kernel's version string when the header points at one, else ''
}

/** True when bytes look like a Linux boot image: "HdrS" at 0x202. */
export function isBzImage(bytes: Uint8Array): boolean {
  return bytes.length >= 0x206 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0x202, true) === HDRS_MAGIC;
}

/** Human form of a protocol version: 0x0201 → "2.01". */
export function protocolText(version: number): string {
  return `${version >> 8}.${(version & 0xFF).toString().padStart(2, '0')}`;
}

/** Reads and checks the setup header of the bzImage file; throws BootError when it cannot be booted. */
export function parseSetupHeader(bytes: Uint8Array, file: string): SetupHeader {
  if (bytes.length < 0x264) throw new BootError(file, `file is ${bytes.length} bytes, too short for a Linux setup header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u8 = (o: number) => view.getUint8(o), u16 = (o: number) => view.getUint16(o, true), u32 = (o: number) => view.getUint32(o, true);
  if (u32(0x202) !== HDRS_MAGIC) throw new BootError(file, `not a Linux bzImage (no "HdrS" signature at 0x202)`);
  if (u16(0x1FE) !== BOOT_FLAG) throw new BootError(file, `bad boot_flag ${hex(u16(0x1FE))} at 0x1fe (expected 0xaa55)`);
  const version = u16(0x206);
  if (version < MIN_PROTOCOL) {
    throw new BootError(file, `boot protocol version ${protocolText(version)} is not supported (need 2.02 or later)`);
  }
  const loadflags = u8(0x211);
  if ((loadflags & LOADED_HIGH) === 0) {
    throw new BootError(file, 'is a zImage (loadflags.LOADED_HIGH clear); only bzImage kernels loaded at 1 MiB are supported');
  }
  const headerEnd = Math.min(0x202 + u8(0x201), bytes.length);
  const kernelVersionPointer = u16(0x20E);
  return {
    setupSects: u8(0x1F1) === 0 ? 4 : u8(0x1F1),
    syssize: u32(0x1F4),
    version,
    loadflags,
    code32Start: u32(0x214),
    initrdAddrMax: version >= 0x0203 ? u32(0x22C) : 0x37FFFFFF,
    kernelAlignment: version >= 0x0205 ? u32(0x230) : 0,
    relocatable: version >= 0x0205 && u8(0x234) !== 0,
    cmdlineSize: version >= 0x0206 ? u32(0x238) : 255,
    prefAddress: version >= 0x020A ? u32(0x258) : BZIMAGE_LOAD_ADDRESS,
    initSize: version >= 0x020A ? u32(0x260) : 0,
    headerEnd,
    kernelVersion: kernelVersionPointer === 0 ? '' : readVersion(bytes, kernelVersionPointer + 0x200),
  };
}

/** The NUL-terminated version string kernel_version points at (offset + 0x200 in the file). */
function readVersion(bytes: Uint8Array, offset: number): string {
  if (offset >= bytes.length) return '';
  let end = offset;
  while (end < bytes.length && end - offset < 256 && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(offset, end));
}
