// Data breakpoints (watchpoints) of any size on linear or physical memory, for reads, writes or both:
// a hook on the CPU's data-access path that exists only while one is armed, stopping after the
// instruction that touched the range (guest memory is never changed to do it).
import { updateDebugState } from '../../cpu/debug-registers.js';
import type { Cpu } from '../../cpu/cpu.js';
import type { Vm } from '../../hv/vm.js';
import { ExpressionError } from '../expression/lexer.js';
import { linearToPhysical, readGuest } from '../machine/guest-memory-view.js';
import { BreakpointBehaviour, type BreakpointOptions } from './behaviour.js';
import { newBreakpointId, type BreakpointResult } from './results.js';

export type WatchAccess = 'read' | 'write' | 'readWrite';

/** What a watchpoint watches, as a DAP dataId encodes it: "lin:0xc0208008:4:stats.writes". */
export interface WatchTarget { space: 'linear' | 'physical'; address: number; size: number; label: string }

export interface WatchRequest extends BreakpointOptions { dataId: string; accessType?: WatchAccess }

/** A hit: which watchpoint, the access, and the bytes before it (for "old → new"). */
export interface WatchHit { id: number; target: WatchTarget; write: boolean; vcpu: number; before?: Uint8Array; linear: number }

interface Watch { id: number; target: WatchTarget; access: WatchAccess; behaviour: BreakpointBehaviour }

/** The dataId of a target. */
export function encodeDataId(t: WatchTarget): string {
  return `${t.space === 'linear' ? 'lin' : 'phys'}:0x${t.address.toString(16)}:${t.size}:${t.label}`;
}

export function decodeDataId(dataId: string): WatchTarget | undefined {
  const m = /^(lin|phys):(0x[0-9a-f]+):(\d+):(.*)$/i.exec(dataId);
  if (!m) return undefined;
  const size = Number(m[3]);
  if (size < 1 || size > 0x10000) return undefined;
  return { space: m[1] === 'lin' ? 'linear' : 'physical', address: Number(m[2]) >>> 0, size, label: m[4] };
}

export class Watchpoints {
  private watches: Watch[] = [];
  private hooked = false;

  constructor(
    private readonly vm: Vm,
    private readonly isType: (name: string) => boolean,
    /** Decides and reports a hit; returns true when the guest must stop. */
    private readonly onHit: (hit: WatchHit, behaviour: BreakpointBehaviour) => boolean,
  ) {}

  /** Replaces every watchpoint. */
  set(requests: readonly WatchRequest[]): BreakpointResult[] {
    const results: BreakpointResult[] = [];
    this.watches = [];
    for (const request of requests) {
      const id = newBreakpointId();
      const target = decodeDataId(request.dataId);
      if (!target) { results.push({ id, verified: false, message: `"${request.dataId}" is not a data breakpoint id from dataBreakpointInfo` }); continue; }
      try {
        this.watches.push({ id, target, access: request.accessType ?? 'write', behaviour: new BreakpointBehaviour(request, this.isType) });
        results.push({ id, verified: true, message: `${request.accessType ?? 'write'} of ${target.size} byte(s) at ${target.space} 0x${target.address.toString(16)}` });
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        results.push({ id, verified: false, message: error.message });
      }
    }
    this.hook(this.watches.length > 0);
    return results;
  }

  dispose(): void { this.watches = []; this.hook(false); }

  private hook(on: boolean): void {
    if (on === this.hooked) return;
    this.hooked = on;
    this.vm.vcpus.forEach((v) => {
      v.cpu.dataWatch = on ? (linear, size, write) => this.check(v.cpu, v.index, linear, size, write) : undefined;
      updateDebugState(v.cpu);
    });
  }

  private check(cpu: Cpu, vcpu: number, linear: number, size: number, write: boolean): void {
    const lin = linear >>> 0;
    let physical: number | undefined;
    for (const w of this.watches) {
      if (write ? w.access === 'read' : w.access === 'write') continue;
      let at = lin;
      if (w.target.space === 'physical') at = physical ??= linearToPhysical(cpu, lin) ?? -1;
      if (at < 0 || at + size <= w.target.address || at >= w.target.address + w.target.size) continue;
      let before: Uint8Array | undefined;
      try { before = readGuest(cpu, w.target.space, w.target.address, Math.min(w.target.size, 8)); } catch { before = undefined; }
      if (this.onHit({ id: w.id, target: w.target, write, vcpu, before, linear: lin }, w.behaviour)) {
        cpu.stopRequested = true; // after this instruction
        return;
      }
    }
  }
}
