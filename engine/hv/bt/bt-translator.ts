// The bt strategy's TranslationPolicy: when the CPU scans an instruction before it first runs, a
// sensitive one (privileged or sensitive-unprivileged in the ISA table) becomes a callout into the
// monitor and an innocuous one runs directly. Keeps the translation-cache figures.
import type { Cpu } from '../../cpu/cpu.js';
import type { CodePageCache, Instr } from '../../cpu/instr.js';
import { mnemonicFor } from '../../cpu/isa/index.js';
import type { Callout, TranslationPolicy } from '../../cpu/translate/policy.js';
import { sensitivityOf, whySensitive } from './sensitivity.js';
import type { CalloutSite, TranslationCacheFigures } from './translation-cache-figures.js';

/** What the monitor does when a callout runs: report it, then emulate the instruction. */
export type CalloutMonitor = (cpu: Cpu, i: Instr, site: CalloutSite) => void;

const SEGMENT_OPERANDS = new Set(['ES', 'CS', 'SS', 'DS', 'FS', 'GS']);
/** Scanned instructions whose code page is looked at in one batch (pages are known only after caching). */
const PAGE_BATCH = 256;

const SEGMENT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/**
 * The instruction's mnemonic as events show it: segment pushes and pops name the register ('push cs'),
 * far transfers say so ('call far'), and MOV of a segment, control or debug register says which one
 * and which way ('mov from cs', 'mov to ss', 'mov to cr0', 'mov from dr7').
 */
export function calloutMnemonic(i: Instr): string {
  const m = mnemonicFor(i.entry, i.opSize32);
  const handler = i.entry.handler, op = i.entry.operands[0];
  if (handler === 'callf' || handler === 'jmpf') return `${m} far`;
  if (handler === 'movsr') return `mov ${op === 'Sw' ? 'to' : 'from'} ${SEGMENT_NAMES[i.reg] ?? `sreg${i.reg}`}`;
  if (handler === 'movcr' || handler === 'movdr') return `mov ${op === 'Cd' || op === 'Dd' ? 'to' : 'from'} ${handler === 'movcr' ? 'cr' : 'dr'}${i.reg}`;
  return (handler === 'push' || handler === 'pop') && op !== undefined && SEGMENT_OPERANDS.has(op) ? `${m} ${op.toLowerCase()}` : m;
}

export class BtTranslator implements TranslationPolicy {
  private instructionsScanned = 0;
  private runsScanned = 0;
  private calloutsInstalled = 0;
  private calloutsExecuted = 0;
  private invalidatedPages = 0;
  private nextLinear = -1;                                 // fall-through of the last scanned instruction
  private readonly sites = new Map<string, CalloutSite>(); // by 'linear mnemonic'
  private readonly unfiled: Instr[] = [];                  // scanned, code page not yet recorded
  private readonly translatedPages = new Set<CodePageCache>(); // live code pages holding scanned code

  /** monitor runs in place of every sensitive instruction, before the instruction's own semantics. */
  constructor(private readonly monitor: CalloutMonitor) {}

  calloutFor(i: Instr, linearEip: number): Callout | undefined {
    this.instructionsScanned++;
    if (linearEip !== this.nextLinear) this.runsScanned++;
    this.nextLinear = (linearEip + i.length) | 0;
    this.unfiled.push(i);
    if (this.unfiled.length >= PAGE_BATCH) this.fileScannedPages();
    const sensitivity = sensitivityOf(i.entry);
    if (sensitivity === undefined) return undefined;
    this.calloutsInstalled++;
    const mnemonic = calloutMnemonic(i);
    const key = `${linearEip >>> 0} ${mnemonic}`;
    let site = this.sites.get(key);
    if (site === undefined) {
      site = { linearEip: linearEip >>> 0, mnemonic, sensitivity, why: whySensitive(i.entry), executions: 0 };
      this.sites.set(key, site);
    }
    const calloutSite = site, monitor = this.monitor;
    return (cpu, instr) => {
      calloutSite.executions++;
      this.calloutsExecuted++;
      monitor(cpu, instr, calloutSite);
    };
  }

  /** The figures so far. */
  figures(): TranslationCacheFigures {
    this.fileScannedPages();
    return {
      instructionsScanned: this.instructionsScanned,
      runsScanned: this.runsScanned,
      calloutsInstalled: this.calloutsInstalled,
      calloutsExecuted: this.calloutsExecuted,
      invalidatedPages: this.invalidatedPages,
      sites: [...this.sites.values()].map((s) => ({ ...s })).sort((a, b) => b.executions - a.executions || a.linearEip - b.linearEip),
    };
  }

  /** Records the code pages of recently scanned instructions and counts those since dropped. */
  private fileScannedPages(): void {
    for (const i of this.unfiled) if (i.page !== undefined) this.translatedPages.add(i.page);
    this.unfiled.length = 0;
    for (const page of this.translatedPages) {
      if (page.valid) continue;
      this.invalidatedPages++;
      this.translatedPages.delete(page);
    }
  }
}
