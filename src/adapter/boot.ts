// Boots a launch configuration: reads the kernel file from disk (the adapter's one Node-only host
// service), builds the Vm and loads the kernel: a Linux bzImage by the Linux boot protocol, else multiboot.
import { readFileSync } from 'node:fs';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { BootError } from '../../engine/boot/boot-error.js';
import { isBzImage } from '../../engine/boot/linux/setup-header.js';
import { loadPvKernel } from '../../engine/boot/pv-boot.js';
import { loadLinux } from '../../engine/boot/linux/linux.js';
import type { LaunchConfig } from './launch-args.js';
import { SymbolMap } from './symbols.js';
import { SymbolSet } from '../../engine/debug/symbols/symbol-set.js';
import { SymbolIndex } from '../../engine/debug/symbols/symbol-index.js';
import { closeDisks, openDisks, type OpenDisks } from '../cli/disk-files.js';
import { UsageError } from '../cli/usage-error.js';

/** A guest ready to run at its entry point. */
export interface BootedGuest {
  vm: Vm;
  /** The kernel's entry point (EIP at the first instruction). */
  entry: number;
  /** Address → symbol names from the kernel's ELF symbol table. */
  symbols: SymbolMap;
  /** The kernel's ELF symbols and DWARF, plus the images of the "symbols" launch attribute. */
  symbolSet: SymbolSet;
  /** Flushes and closes the disk images (when the session ends). */
  release(): void;
}

/** Result of booting: the guest, or the one-line message for the launch error response. */
export type BootResult = { ok: true; guest: BootedGuest } | { ok: false; error: string };

/** Reads and loads config.program; every failure caused by the input becomes a message, not a throw. */
export function bootGuest(config: LaunchConfig): BootResult {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(config.program);
  } catch (error) {
    return { ok: false, error: `${config.program}: cannot read the kernel (${describeFsError(error)})` };
  }
  let disks: OpenDisks | undefined;
  try {
    const initrd = config.initrd.map((name) => ({ name, bytes: readFileSync(name) }));
    disks = openDisks(config.disks);
    const vm = new Vm({ memoryBytes: config.memoryBytes, strategy: config.strategy, disks: disks.devices, cpus: config.cpus });
    const loaded = config.strategy === 'pv' ? loadPvKernel(vm, bytes, config.program, { append: config.append }) : isBzImage(bytes)
      ? loadLinux(vm, bytes, config.program, { append: config.append, initrd })
      : loadMultiboot(vm, bytes, config.program, { append: config.append, modules: initrd.map(({ name, bytes: b }) => ({ file: name, bytes: b, commandLine: name })) });
    const symbolSet = loadSymbols(bytes, config);
    const opened = disks;
    let released = false;
    const release = () => { if (!released) { released = true; closeDisks(opened); } };
    return { ok: true, guest: { vm, entry: loaded.entry, symbols: new SymbolMap(loaded.symbols), symbolSet, release } };
  } catch (error) {
    if (disks) closeDisks(disks);
    if (error instanceof BootError || error instanceof UsageError) return { ok: false, error: error.message };
    if ((error as { code?: unknown }).code !== undefined) return { ok: false, error: `launch.json: ${describeFsError(error)}` };
    throw error;
  }
}

/**
 * The kernel's symbols (an ELF kernel; a bzImage has none) and every extra image of the "symbols"
 * attribute at its load bias. DWARF that cannot be read leaves the ELF symbols (non-strict).
 */
function loadSymbols(kernel: Uint8Array, config: LaunchConfig): SymbolSet {
  const set = new SymbolSet();
  if (!isBzImage(kernel)) set.add(SymbolIndex.fromElf(kernel, config.program, { strict: false }));
  for (const extra of config.symbols) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(extra.file);
    } catch (error) {
      throw new BootError(extra.file, `cannot read this "symbols" image (${describeFsError(error)})`);
    }
    set.add(SymbolIndex.fromElf(bytes, extra.file, { strict: false, bias: extra.bias }));
  }
  return set;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const path = (error as { path?: unknown }).path;
  if (code === 'ENOENT' && typeof path === 'string') return `${path}: no such file`;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
