// set_gdt (2): the guest hands the hypervisor up to 14 frames of descriptors; each descriptor is
// checked (no ring-0 segments, no gates or system segments, nothing reaching the hypervisor hole),
// the frames become read-only to the guest and appear at the start of the hypervisor's GDT.
import { parseDescriptor } from '../../cpu/descriptors.js';
import { Errno, FIRST_RESERVED_GDT_ENTRY, GDT_VIRT, HYPERVISOR_VIRT_START } from './abi.js';
import { guarded, type HypercallCall } from './hypercall-call.js';
import { setHolePte } from './hypervisor-region.js';

/** Why descriptor (lo, hi) may not be in a pv guest's GDT, or undefined when it may. */
export function descriptorProblem(lo: number, hi: number): string | undefined {
  const d = parseDescriptor(lo, hi);
  if (!d.present) return undefined;
  if (!d.s) return 'system descriptors and gates are not allowed';
  if (d.dpl === 0) return 'DPL 0 (ring 0 is the hypervisor\'s)';
  const expandDown = !(d.type & 8) && (d.type & 4) !== 0;
  if (!expandDown && d.base + d.limit >= HYPERVISOR_VIRT_START) return `reaches the hypervisor hole (base 0x${d.base.toString(16)}, limit 0x${d.limit.toString(16)})`;
  if (expandDown) return 'expand-down segments are not allowed';
  return undefined;
}

/** set_gdt(frame_list, entries). */
export function setGdt(call: HypercallCall): number {
  const d = call.domain, t = d.tables, [list, entries] = call.args;
  call.decoded.entries = entries;
  if (entries > FIRST_RESERVED_GDT_ENTRY) { call.decoded.refused = `more than ${FIRST_RESERVED_GDT_ENTRY} entries`; return -Errno.EINVAL; }
  return guarded(call, () => {
    const count = Math.ceil(entries / 512);
    const frames: number[] = [];
    for (let k = 0; k < count; k++) frames.push(d.guest.read32(list + k * 4));
    for (const [k, frame] of frames.entries()) {
      if (!t.owns(frame)) { call.decoded.refused = `frame 0x${frame.toString(16)} is not the domain's RAM`; return -Errno.EPERM; }
      if (t.l1Frames().has(frame) || t.l2Frames().has(frame)) { call.decoded.refused = `frame 0x${frame.toString(16)} is a page table`; return -Errno.EINVAL; }
      if (!t.gdtFrames.has(frame) && t.hasWritableMapping(frame)) { call.decoded.refused = `frame 0x${frame.toString(16)} is still mapped writable`; return -Errno.EINVAL; }
      for (let e = 0; e < 512; e++) {   // the whole frame shows in the GDT: every entry is checked
        const problem = descriptorProblem(d.memory.read32(frame * 4096 + e * 8), d.memory.read32(frame * 4096 + e * 8 + 4));
        if (problem) { call.decoded.refused = `entry ${k * 512 + e}: ${problem}`; return -Errno.EINVAL; }
      }
    }
    t.gdtFrames.clear();
    for (let page = 0; page < 14; page++) {
      const frame = page < frames.length ? frames[page] * 4096 : d.region.zeroPage;
      setHolePte(d.memory, d.region, GDT_VIRT + page * 0x1000, frame);
      d.cpu.mmu.invalidate(GDT_VIRT + page * 0x1000);
      if (page < frames.length) t.gdtFrames.add(frames[page]);
    }
    return 0;
  });
}
