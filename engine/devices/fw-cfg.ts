// QEMU's firmware configuration device (fw_cfg), port interface: a 16-bit selector at 0x510 and an
// auto-incrementing data byte at 0x511. Answers the items guests commonly read — signature "QEMU",
// interface ID (traditional only, no DMA), RAM size, CPU counts, the command line — and the file
// directory (0x19) with the files the platform adds.
import type { PortHandler } from './io-bus.js';

export const FW_CFG_BASE_PORT = 0x510;

/** Item selectors (QEMU docs/specs/fw_cfg.rst and include/standard-headers/linux/qemu_fw_cfg.h). */
export const FwCfgKey = {
  Signature: 0x00, Id: 0x01, Uuid: 0x02, RamSize: 0x03, NoGraphic: 0x04, NbCpus: 0x05, MachineId: 0x06,
  KernelAddr: 0x07, KernelSize: 0x08, KernelCmdline: 0x09, InitrdAddr: 0x0A, InitrdSize: 0x0B,
  BootDevice: 0x0C, Numa: 0x0D, BootMenu: 0x0E, MaxCpus: 0x0F, KernelEntry: 0x10, KernelData: 0x11,
  InitrdData: 0x12, CmdlineAddr: 0x13, CmdlineSize: 0x14, CmdlineData: 0x15, SetupAddr: 0x16,
  SetupSize: 0x17, SetupData: 0x18, FileDir: 0x19, FileFirst: 0x20,
} as const;

/** Selector bit 14: the item is written through the data port (ignored here, as QEMU ≥ 2.4 does for the port interface). */
const SELECT_WRITE = 0x4000;
const ID_TRADITIONAL = 0x01;
const FILE_NAME_BYTES = 56;

/** What the device reports about the machine. */
export interface FwCfgConfig {
  /** Guest RAM in bytes (FW_CFG_RAM_SIZE). */
  ramBytes: number;
  /** Boot CPUs (FW_CFG_NB_CPUS). */
  cpus: number;
  /** Most CPUs the machine can have (FW_CFG_MAX_CPUS); defaults to cpus. */
  maxCpus?: number;
}

export class FwCfg implements PortHandler {
  private readonly items = new Map<number, Uint8Array>(); // selector → contents
  private readonly files = new Map<string, Uint8Array>(); // name → contents (selectors follow name order)
  private selector = 0;                                   // current item (bit 14 write, bit 15 arch-local included)
  private offset = 0;                                     // next byte of the current item

  constructor(config: FwCfgConfig) {
    this.items.set(FwCfgKey.Signature, ascii('QEMU'));
    this.items.set(FwCfgKey.Id, le(ID_TRADITIONAL, 4));
    this.items.set(FwCfgKey.Uuid, new Uint8Array(16));
    this.items.set(FwCfgKey.RamSize, le(config.ramBytes, 8));
    this.items.set(FwCfgKey.NoGraphic, le(0, 2));
    this.items.set(FwCfgKey.NbCpus, le(config.cpus, 2));
    this.items.set(FwCfgKey.MaxCpus, le(config.maxCpus ?? config.cpus, 2));
    this.items.set(FwCfgKey.BootMenu, le(0, 2));
    this.setCommandLine('');
    this.rebuildDirectory();
  }

  /** Sets FW_CFG_CMDLINE_SIZE (bytes with the NUL; 0 when empty) and FW_CFG_CMDLINE_DATA. */
  setCommandLine(commandLine: string): void {
    const bytes = new TextEncoder().encode(commandLine);
    const data = bytes.length ? Uint8Array.from([...bytes, 0]) : new Uint8Array(0);
    this.items.set(FwCfgKey.CmdlineSize, le(data.length, 4));
    this.items.set(FwCfgKey.CmdlineData, data);
  }

  /** Sets a numbered item's raw contents (selectors below 0x20, or arch-local ones with bit 15). */
  setItem(selector: number, data: Uint8Array): void {
    if ((selector & 0x3FFF) >= FwCfgKey.FileFirst && !(selector & 0x8000)) throw new Error(`fw_cfg selector 0x${selector.toString(16)} belongs to the file area: use addFile`);
    this.items.set(selector & 0xBFFF, data.slice());
  }

  /** Adds (or replaces) a named file such as "etc/e820"; names are at most 55 bytes. */
  addFile(name: string, data: Uint8Array): void {
    if (new TextEncoder().encode(name).length >= FILE_NAME_BYTES) throw new Error(`fw_cfg file name "${name}" is longer than 55 bytes`);
    this.files.set(name, data.slice());
    this.rebuildDirectory();
  }

  /** Selector of a file, as the directory lists it; undefined if absent. */
  fileSelector(name: string): number | undefined {
    const k = this.sortedFileNames().indexOf(name);
    return k < 0 ? undefined : FwCfgKey.FileFirst + k;
  }

  /** The file directory, like QEMU's, sorted by name; selectors are assigned in that order. */
  private sortedFileNames(): string[] { return [...this.files.keys()].sort(); }

  private rebuildDirectory(): void {
    const names = this.sortedFileNames();
    for (const key of [...this.items.keys()]) if (key >= FwCfgKey.FileFirst && key < 0x4000) this.items.delete(key);
    // struct { be32 count; struct { be32 size; be16 select; be16 reserved; char name[56]; } f[]; }
    const dir = new Uint8Array(4 + names.length * 64);
    const view = new DataView(dir.buffer);
    view.setUint32(0, names.length);
    names.forEach((name, k) => {
      const data = this.files.get(name)!;
      const at = 4 + k * 64;
      view.setUint32(at, data.length);
      view.setUint16(at + 4, FwCfgKey.FileFirst + k);
      dir.set(new TextEncoder().encode(name), at + 8);
      this.items.set(FwCfgKey.FileFirst + k, data);
    });
    this.items.set(FwCfgKey.FileDir, dir);
  }

  read(offset: number, size: 1 | 2 | 4): number {
    if (offset !== 1) return 0;                 // the selector register reads as 0
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.nextByte() << (8 * i); // wider reads take consecutive bytes
    return v >>> 0;
  }

  write(offset: number, _size: 1 | 2 | 4, value: number): void {
    if (offset !== 0) return;                   // data-port writes are ignored
    this.selector = value & 0xFFFF;
    this.offset = 0;
  }

  private nextByte(): number {
    if (this.selector & SELECT_WRITE) return 0;
    const item = this.items.get(this.selector);
    if (!item || this.offset >= item.length) return 0; // unknown item or past its end: zeros
    return item[this.offset++];
  }

  saveState(): object { return { selector: this.selector, offset: this.offset }; }
  loadState(s: { selector: number; offset: number }): void { this.selector = s.selector; this.offset = s.offset; }
}

function ascii(s: string): Uint8Array { return Uint8Array.from(s, (c) => c.charCodeAt(0)); }

/** value as size little-endian bytes (values up to 2^53). */
function le(value: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = value;
  for (let i = 0; i < size; i++) { out[i] = v % 256; v = Math.floor(v / 256); }
  return out;
}
