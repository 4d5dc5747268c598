// What the bt translator has done so far, for the debugger's Virtualization scope and the statistics:
// instructions and straight-line runs scanned, callouts installed and run (per site), invalidations.
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
