// Checks the arguments of a DAP `launch` request (launch.json) and turns them into a typed launch
// configuration, or into one sentence that tells the user which attribute is wrong and why.
import { parseMemorySize } from './memory-size.js';
import { isStrategyName, STRATEGY_NAMES, type StrategyName } from '../../engine/hv/strategy.js';

/** A checked launch configuration. */
export interface LaunchConfig {
  /** Path of the guest kernel (multiboot ELF), as given. */
  program: string;
  /** Stop at the kernel's entry point instead of running. */
  stopOnEntry: boolean;
  /** Guest RAM in bytes. */
  memoryBytes: number;
  /** Kernel command line text after the program path. */
  append: string;
  /** Stop the guest after this many retired instructions (undefined: no limit). */
  maxInstructions?: number;
  /** Virtualization strategy. */
  strategy: StrategyName;
  /** Initial ramdisk files: a bzImage's initrd, or a multiboot kernel's modules. */
  initrd: string[];
  /** Raw disk images on the primary IDE channel (master, then slave). */
  disks: { file: string; writable: boolean }[];
  /** Number of vCPUs (1 when absent). */
  cpus?: number;
  /** More ELF images with symbols (a boot loader, modules): file and the bias added to its link addresses. */
  symbols: { file: string; bias: number }[];
  /** Directory that relative source paths of the line tables are resolved against first. */
  sourceRoot?: string;
}

/** The launch.json attributes this adapter reads (package.json declares the same set). */
export const LAUNCH_ATTRIBUTES = [
  'program', 'stopOnEntry', 'memory', 'append', 'maxInstructions', 'strategy', 'initrd', 'disks', 'cpus', 'symbols', 'sourceRoot',
  'trace', 'serial', // read by adapter features (custom-events.ts)
] as const;

/** Most disks and vCPUs a launch may ask for (as `hvdbg run`). */
export const MAX_LAUNCH_DISKS = 2, MAX_LAUNCH_CPUS = 8;

/** Default guest RAM, as in package.json's launch schema. */
export const DEFAULT_MEMORY = '64M';

/** Result of checking: the configuration, or the message for the error response. */
export type LaunchArgsResult = { ok: true; config: LaunchConfig } | { ok: false; error: string };

/** Checks raw launch arguments (anything the client sent) against the documented launch attributes. */
export function checkLaunchArgs(raw: unknown): LaunchArgsResult {
  const args = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const fail = (error: string): LaunchArgsResult => ({ ok: false, error });
  const { program, stopOnEntry, memory, append, maxInstructions, strategy, initrd, disks, cpus, symbols, sourceRoot } = args;

  if (program === undefined || program === null || program === '') {
    return fail('launch.json: "program" is missing; set it to the guest kernel ELF, e.g. "${workspaceFolder}/kernel.elf"');
  }
  if (typeof program !== 'string') return fail(`launch.json: "program" must be a string path, not ${describeType(program)}`);
  if (stopOnEntry !== undefined && typeof stopOnEntry !== 'boolean') {
    return fail(`launch.json: "stopOnEntry" must be true or false, not ${describeType(stopOnEntry)}`);
  }
  if (memory !== undefined && typeof memory !== 'string') {
    return fail(`launch.json: "memory" must be a string such as "64M", not ${describeType(memory)}`);
  }
  const memorySize = parseMemorySize(memory ?? DEFAULT_MEMORY);
  if (!memorySize.ok) return fail(`launch.json: "memory": ${memorySize.error}`);
  if (append !== undefined && typeof append !== 'string') {
    return fail(`launch.json: "append" must be a string (the kernel command line), not ${describeType(append)}`);
  }
  if (maxInstructions !== undefined
    && (typeof maxInstructions !== 'number' || !Number.isSafeInteger(maxInstructions) || maxInstructions <= 0)) {
    return fail(`launch.json: "maxInstructions" must be a positive whole number, not ${describeType(maxInstructions)}`);
  }
  if (strategy !== undefined && !isStrategyName(strategy)) {
    return fail(`launch.json: "strategy" must be one of ${STRATEGY_NAMES.map((n) => `"${n}"`).join(', ')}, not ${describeType(strategy)}`);
  }
  if (initrd !== undefined && (!Array.isArray(initrd) || !initrd.every((f) => typeof f === 'string' && f !== ''))) {
    return fail(`launch.json: "initrd" must be a list of file paths, not ${describeType(initrd)}`);
  }
  const diskList = disks ?? [];
  if (!Array.isArray(diskList) || diskList.length > MAX_LAUNCH_DISKS) {
    return fail(`launch.json: "disks" must be a list of at most ${MAX_LAUNCH_DISKS} disks ({ "path": "…", "writable": false }), not ${describeType(disks)}`);
  }
  const checkedDisks: { file: string; writable: boolean }[] = [];
  for (const [k, d] of diskList.entries()) {
    const disk = (typeof d === 'object' && d !== null ? d : {}) as Record<string, unknown>;
    if (typeof disk.path !== 'string' || disk.path === '') return fail(`launch.json: "disks"[${k}] needs a "path" string (the raw image file)`);
    if (disk.writable !== undefined && typeof disk.writable !== 'boolean') {
      return fail(`launch.json: "disks"[${k}].writable must be true or false, not ${describeType(disk.writable)}`);
    }
    checkedDisks.push({ file: disk.path, writable: disk.writable === true });
  }
  if (cpus !== undefined && (typeof cpus !== 'number' || !Number.isInteger(cpus) || cpus < 1 || cpus > MAX_LAUNCH_CPUS)) {
    return fail(`launch.json: "cpus" must be a whole number from 1 to ${MAX_LAUNCH_CPUS}, not ${describeType(cpus)}`);
  }
  const symbolList = symbols ?? [];
  if (!Array.isArray(symbolList)) return fail(`launch.json: "symbols" must be a list of { "file": "…", "bias": 0 }, not ${describeType(symbols)}`);
  const checkedSymbols: { file: string; bias: number }[] = [];
  for (const [k, entry] of symbolList.entries()) {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof item.file !== 'string' || item.file === '') return fail(`launch.json: "symbols"[${k}] needs a "file" string (an ELF image with symbols)`);
    if (item.bias !== undefined && (typeof item.bias !== 'number' || !Number.isSafeInteger(item.bias))) {
      return fail(`launch.json: "symbols"[${k}].bias must be a whole number (load address minus link address), not ${describeType(item.bias)}`);
    }
    checkedSymbols.push({ file: item.file, bias: (item.bias as number | undefined) ?? 0 });
  }
  if (sourceRoot !== undefined && (typeof sourceRoot !== 'string' || sourceRoot === '')) {
    return fail(`launch.json: "sourceRoot" must be a directory path, not ${describeType(sourceRoot)}`);
  }
  return {
    ok: true,
    config: {
      program,
      stopOnEntry: stopOnEntry ?? false,
      memoryBytes: memorySize.bytes,
      append: append ?? '',
      maxInstructions,
      strategy: (strategy as StrategyName | undefined) ?? 'hw',
      symbols: checkedSymbols,
      ...(sourceRoot === undefined ? {} : { sourceRoot: sourceRoot as string }),
      initrd: (initrd as string[] | undefined) ?? [],
      disks: checkedDisks,
      ...(cpus === undefined ? {} : { cpus: cpus as number }),
    },
  };
}

/** A short description of a JSON value for error messages: `the number 5`, `"abc"`, `an object`. */
function describeType(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}
