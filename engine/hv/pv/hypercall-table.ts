// Hypercall dispatch: number → handler (one module per group), multicall (13) on top of it, and
// -ENOSYS for every number this hypervisor does not implement, as Xen answers.
import { Errno, Hc, HYPERCALL_NAMES, MAX_BATCH } from './abi.js';
import { guarded, type HypercallCall, type HypercallHandler } from './hypercall-call.js';
import { fpuTaskswitch, iret, setCallbacks, setTrapTable, stackSwitch } from './hc-traps.js';
import { memoryOp, mmuextOp, mmuUpdate, updateVaMapping } from './hc-memory.js';
import { setGdt } from './hc-gdt.js';
import { schedOp, setTimerOp, vcpuOp } from './hc-sched.js';
import { consoleIo, xenVersion } from './hc-info.js';
import { eventChannelOp } from './hc-events.js';
import type { PvDomain } from './pv-domain.js';

const HANDLERS: Readonly<Record<number, HypercallHandler>> = {
  [Hc.SetTrapTable]: setTrapTable, [Hc.MmuUpdate]: mmuUpdate, [Hc.SetGdt]: setGdt, [Hc.StackSwitch]: stackSwitch,
  [Hc.SetCallbacks]: setCallbacks, [Hc.FpuTaskswitch]: fpuTaskswitch, [Hc.MemoryOp]: memoryOp, [Hc.Multicall]: multicall,
  [Hc.UpdateVaMapping]: updateVaMapping, [Hc.SetTimerOp]: setTimerOp, [Hc.XenVersion]: xenVersion, [Hc.ConsoleIo]: consoleIo,
  [Hc.Iret]: iret, [Hc.VcpuOp]: vcpuOp, [Hc.MmuextOp]: mmuextOp, [Hc.SchedOp]: schedOp, [Hc.EventChannelOp]: eventChannelOp,
};

/** The hypercall's Xen name, or 'unknown'. */
export function hypercallName(number: number): string { return HYPERCALL_NAMES[number] ?? 'unknown'; }

/** Runs hypercall number with args on domain; returns EAX and what the handler decoded. */
export function dispatchHypercall(domain: PvDomain, number: number, args: readonly number[], nested = false):
  { result: number; decoded: Record<string, number | string> } {
  const call: HypercallCall = { number, args: args.map((a) => a >>> 0), domain, nested, decoded: {} };
  const handler = HANDLERS[number];
  const result = handler ? handler(call) : -Errno.ENOSYS;
  return { result: result | 0, decoded: call.decoded };
}

/**
 * multicall(calls, count): multicall_entry_t { u32 op, u32 result, u32 args[6] } (32 bytes each);
 * runs each and stores its result. Multicall and iret may not be batched (-EINVAL in their result).
 */
function multicall(call: HypercallCall): number {
  if (call.nested) return -Errno.EINVAL;
  const d = call.domain, [calls, count] = call.args;
  call.decoded.count = count;
  if (count > MAX_BATCH) { call.decoded.refused = `more than ${MAX_BATCH} calls`; return -Errno.EINVAL; }
  return guarded(call, () => {
    const names: string[] = [];
    for (let k = 0; k < count; k++) {
      const at = calls + k * 32;
      d.guest.translate(at + 4, true);
      const op = d.guest.read32(at);
      const args = [0, 1, 2, 3, 4].map((n) => d.guest.read32(at + 8 + n * 4));
      const { result } = op === Hc.Multicall || op === Hc.Iret ? { result: -Errno.EINVAL } : dispatchHypercall(d, op, args, true);
      d.guest.write32(at + 4, result);
      names.push(hypercallName(op));
      if (d.shutdownDetail !== undefined) break;
    }
    call.decoded.calls = names.join(',');
    return 0;
  });
}
