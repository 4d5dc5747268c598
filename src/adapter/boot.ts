// Boots a launch configuration: reads the kernel file from disk (the adapter's one Node-only host
// service), builds the Vm and loads the kernel: a Linux bzImage by the Linux boot protocol, else multiboot.
import { readFileSync } from 'node:fs';
import { Vm } from '../../engine/hv/vm.js';
import { loadMultiboot } from '../../engine/boot/multiboot.js';
import { BootError } from '../../engine/boot/boot-error.js';
import { isBzImage } from '../../engine/boot/linux/setup-header.js';
import { loadLinux } from '../../engine/boot/linux/linux.js';
import type { LaunchConfig } from './launch-args.js';
import { SymbolMap } from './symbols.js';

/** A guest ready to run at its entry point. */
export interface BootedGuest {
  vm: Vm;
  /** The kernel's entry point (EIP at the first instruction). */
  entry: number;
  /** Address → symbol names from the kernel's ELF symbol table. */
  symbols: SymbolMap;
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
  try {
    const vm = new Vm({ memoryBytes: config.memoryBytes, strategy: config.strategy });
    const loaded = isBzImage(bytes)
      ? loadLinux(vm, bytes, config.program, { append: config.append })
      : loadMultiboot(vm, bytes, config.program, { append: config.append });
    return { ok: true, guest: { vm, entry: loaded.entry, symbols: new SymbolMap(loaded.symbols) } };
  } catch (error) {
    if (error instanceof BootError) return { ok: false, error: error.message };
    throw error;
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
