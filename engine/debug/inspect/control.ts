// The Control view: CR0, CR2, CR3, CR4 with their bits named, and the debug registers DR0–DR7 with
// DR6's status bits and DR7's per-breakpoint enables, kinds and lengths decoded.
import type { Cpu } from '../../cpu/cpu.js';
import { MSR_APIC_BASE, MSR_SYSENTER_CS, MSR_SYSENTER_EIP, MSR_SYSENTER_ESP, MSR_TSC, msrHooks } from '../../cpu/msr.js';
import { leaf, type InspectNode } from './node.js';
import { bitNames, hex, hexWithBits } from './format.js';

export const CR0_BITS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, 'PE'], [1 << 1, 'MP'], [1 << 2, 'EM'], [1 << 3, 'TS'], [1 << 4, 'ET'], [1 << 5, 'NE'],
  [1 << 16, 'WP'], [1 << 18, 'AM'], [1 << 29, 'NW'], [1 << 30, 'CD'], [1 << 31, 'PG'],
];
export const CR4_BITS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, 'VME'], [1 << 1, 'PVI'], [1 << 2, 'TSD'], [1 << 3, 'DE'], [1 << 4, 'PSE'], [1 << 5, 'PAE'],
  [1 << 6, 'MCE'], [1 << 7, 'PGE'], [1 << 8, 'PCE'], [1 << 9, 'OSFXSR'], [1 << 10, 'OSXMMEXCPT'],
];
export const DR6_BITS: ReadonlyArray<readonly [number, string]> = [
  [1 << 0, 'B0'], [1 << 1, 'B1'], [1 << 2, 'B2'], [1 << 3, 'B3'], [1 << 13, 'BD'], [1 << 14, 'BS'], [1 << 15, 'BT'],
];

const CR0_MEANING: Readonly<Record<string, string>> = {
  PE: 'protection enable', MP: 'monitor coprocessor', EM: 'x87 emulation', TS: 'task switched', ET: 'extension type',
  NE: 'numeric error', WP: 'write protect', AM: 'alignment mask', NW: 'not write-through', CD: 'cache disable', PG: 'paging',
};
const CR4_MEANING: Readonly<Record<string, string>> = {
  VME: 'V86 mode extensions', PVI: 'protected-mode virtual interrupts', TSD: 'time stamp disable', DE: 'debugging extensions',
  PSE: 'page size extensions (4 MiB pages)', PAE: 'physical address extension', MCE: 'machine check enable',
  PGE: 'page global enable', PCE: 'performance counter enable', OSFXSR: 'FXSAVE/FXRSTOR support', OSXMMEXCPT: 'SIMD exceptions',
};

/** One child per named bit: "1 (protection enable)". */
function bitChildren(value: number, table: ReadonlyArray<readonly [number, string]>, meaning: Readonly<Record<string, string>>): InspectNode[] {
  return table.map(([bit, name]) => leaf(name, `${(value & bit) !== 0 ? 1 : 0} (${meaning[name]})`, 'bit'));
}

const DR7_KIND = ['execute', 'write', 'I/O', 'read/write'] as const;
const DR7_LENGTH = [1, 2, 8, 4] as const;

/** "DR0: local, write, 4 bytes" for each enabled breakpoint in DR7 (empty when none). */
export function describeDr7(dr7: number): string[] {
  const out: string[] = [];
  for (let n = 0; n < 4; n++) {
    const enables = (dr7 >> (n * 2)) & 3;
    if (!enables) continue;
    const scope = enables === 3 ? 'local+global' : enables === 1 ? 'local' : 'global';
    const kind = DR7_KIND[(dr7 >>> (16 + n * 4)) & 3];
    const length = DR7_LENGTH[(dr7 >>> (18 + n * 4)) & 3];
    out.push(`DR${n}: ${scope}, ${kind}, ${length} byte${length > 1 ? 's' : ''}`);
  }
  return out;
}

/** CR3's page-directory base and cache bits. */
export function describeCr3(cr3: number): string {
  const flags = bitNames(cr3, [[0x8, 'PWT'], [0x10, 'PCD']]);
  return `${hex(cr3)} (page directory at physical ${hex(cr3 & ~0xFFF)}${flags.length ? ', ' + flags.join(' ') : ''})`;
}

const MSR_NAMES: Readonly<Record<number, string>> = {
  [MSR_TSC]: 'IA32_TIME_STAMP_COUNTER', [MSR_APIC_BASE]: 'IA32_APIC_BASE', 0x8B: 'IA32_BIOS_SIGN_ID',
  [MSR_SYSENTER_CS]: 'IA32_SYSENTER_CS', [MSR_SYSENTER_ESP]: 'IA32_SYSENTER_ESP', [MSR_SYSENTER_EIP]: 'IA32_SYSENTER_EIP',
  0x2FF: 'IA32_MTRR_DEF_TYPE',
};

/** The MSRs with a value now: the TSC, device-owned ones (APIC base) and every one the guest wrote. */
export function msrNodes(cpu: Cpu): InspectNode[] {
  const values = new Map<number, bigint>([[MSR_TSC, BigInt(cpu.instructions) + cpu.tsc]]);
  for (const [index, hook] of msrHooks.get(cpu) ?? []) values.set(index, hook.read());
  for (const [index, value] of cpu.msr) values.set(index, value);
  return [...values].sort((a, b) => a[0] - b[0]).map(([index, value]) =>
    leaf(`${hex(index)} ${MSR_NAMES[index] ?? ''}`.trim(), '0x' + BigInt.asUintN(64, value).toString(16).padStart(16, '0'), 'uint64'));
}

/** The Control scope. */
export function controlNodes(cpu: Cpu): InspectNode[] {
  const cr0 = cpu.cr0 >>> 0, cr4 = cpu.cr4 >>> 0, dr6 = cpu.dr[6] >>> 0, dr7 = cpu.dr[7] >>> 0;
  const debugAddresses = [0, 1, 2, 3].map((n) => ({
    ...leaf(`DR${n}`, hex(cpu.dr[n]), 'uint32', { space: 'linear' as const, address: cpu.dr[n] >>> 0 }), editable: true,
  }));
  const dr7Enabled = describeDr7(dr7);
  return [
    { name: 'CR0', value: hexWithBits(cr0, CR0_BITS), type: 'cr0', children: () => bitChildren(cr0, CR0_BITS, CR0_MEANING) },
    { ...leaf('CR2', `${hex(cpu.cr2)} (last page-fault address)`, 'uint32', { space: 'linear', address: cpu.cr2 >>> 0 }), editable: true },
    { ...leaf('CR3', describeCr3(cpu.cr3), 'cr3', { space: 'physical', address: (cpu.cr3 & ~0xFFF) >>> 0 }), editable: true },
    { name: 'CR4', value: hexWithBits(cr4, CR4_BITS), type: 'cr4', children: () => bitChildren(cr4, CR4_BITS, CR4_MEANING) },
    ...debugAddresses,
    { ...leaf('DR6', hexWithBits(dr6, DR6_BITS), 'dr6'), editable: true },
    {
      name: 'DR7', value: `${hex(dr7)} (${dr7Enabled.length ? `${dr7Enabled.length} enabled` : 'no breakpoint enabled'})`, type: 'dr7',
      editable: true,
      children: () => dr7Enabled.map((text, k) => leaf(`enabled ${k}`, text)),
    },
    { name: 'MSRs', value: `${msrNodes(cpu).length} with a value`, type: 'msrs', children: () => msrNodes(cpu) },
  ];
}
