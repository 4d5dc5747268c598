// The shape of one hypercall as its handler sees it: the arguments (EBX, ECX, EDX, ESI, EDI), the
// domain it acts on, and the decoded fields it reports; handlers return EAX (negative errno on failure).
import { Errno } from './abi.js';
import { GuestFault } from './guest-access.js';
import type { PvDomain } from './pv-domain.js';

export interface HypercallCall {
  readonly number: number;
  readonly args: readonly number[];                 // EBX, ECX, EDX, ESI, EDI (unsigned)
  readonly domain: PvDomain;
  readonly nested: boolean;                         // inside a multicall
  decoded: Record<string, number | string>;         // what the handler read, for the hypercall event
}

/** A hypercall implementation: returns the value for EAX. */
export type HypercallHandler = (call: HypercallCall) => number;

/** Runs body; a GuestFault (bad guest pointer) becomes -EFAULT, noted in the decoded fields. */
export function guarded(call: HypercallCall, body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    call.decoded.fault = e.message;
    return -Errno.EFAULT;
  }
}

/** The name of a sub-command, or its number when unknown. */
export function commandName(names: Readonly<Record<number, string>>, cmd: number): string {
  return names[cmd] ?? `unknown (${cmd})`;
}
