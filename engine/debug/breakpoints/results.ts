// What setting a breakpoint answers (the DAP Breakpoint shape without DAP): verified or not, where it
// landed, and the message a person reads when it could not be set as asked.

export interface BreakpointResult {
  /** Stable id across re-sets of the same breakpoint set; hit stops name it. */
  id: number;
  verified: boolean;
  /** Why not verified, or a note (moved to line 42, armed at 2 addresses). */
  message?: string;
  /** Source breakpoints: the line it was moved to. */
  line?: number;
  /** Source breakpoints: the file as the line table names it. */
  file?: string;
  /** Linear address of the first instruction it stops at. */
  address?: number;
}

let nextId = 1;

/** A fresh breakpoint id (unique in this process). */
export function newBreakpointId(): number { return nextId++; }
