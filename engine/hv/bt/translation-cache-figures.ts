// What the bt translator has done so far, for the debugger's Virtualization scope and the statistics:
// instructions and straight-line runs scanned, callouts installed and run (per site), invalidations;
// and the same as the debugger's "translation cache" section.
import type { Sensitivity } from '../vm-event.js';

/** One sensitive instruction the translator replaced by a callout, and how often it ran. */
export interface CalloutSite {
  readonly linearEip: number;     // linear address of the instruction
  readonly mnemonic: string;      // e.g. 'popfd', 'push cs', 'out'
  readonly sensitivity: Sensitivity;
  readonly why: string;           // what makes it sensitive
  executions: number;             // times the callout ran
}

export interface TranslationCacheFigures {
  instructionsScanned: number;    // decoded instructions the translator classified (re-scans included)
  runsScanned: number;            // straight-line runs scanned: a run ends where the next scan is not the fall-through
  calloutsInstalled: number;      // sensitive instructions replaced by a callout when scanned
  calloutsExecuted: number;       // callouts run
  invalidatedPages: number;       // translated code pages dropped because their bytes were written or the cache was flushed
  sites: CalloutSite[];           // callout sites, most executed first
}

/** Callout sites the debugger's section lists (the most executed). */
const SECTION_SITES = 8;

/** The figures as the debugger's "translation cache" section: a summary line and named values. */
export function translationCacheSection(f: TranslationCacheFigures): { title: string; summary: string; fields: Array<[string, string]> } {
  const fields: Array<[string, string]> = [
    ['instructions scanned', String(f.instructionsScanned)],
    ['runs scanned', String(f.runsScanned)],
    ['callouts installed', String(f.calloutsInstalled)],
    ['callouts executed', String(f.calloutsExecuted)],
    ['invalidated pages', String(f.invalidatedPages)],
    ['callout sites', String(f.sites.length)],
  ];
  for (const site of f.sites.slice(0, SECTION_SITES)) {
    fields.push([`0x${site.linearEip.toString(16).padStart(8, '0')} ${site.mnemonic}`, `${site.executions}× (${site.sensitivity})`]);
  }
  return {
    title: 'translation cache',
    summary: `${f.instructionsScanned} instructions scanned, ${f.sites.length} callout sites, ${f.calloutsExecuted} callouts run, ${f.invalidatedPages} pages invalidated`,
    fields,
  };
}
