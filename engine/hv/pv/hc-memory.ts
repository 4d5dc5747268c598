// Memory hypercalls: mmu_update (1), update_va_mapping (14), mmuext_op (26) and memory_op (12) —
// every page-table change goes through PageTables' validation (2-level, non-PAE, Xen's rules).
import { DOMID_SELF, Errno, HYPERVISOR_VIRT_START, MAX_BATCH, PTE_P } from './abi.js';
import { commandName, guarded, type HypercallCall } from './hypercall-call.js';
import type { Verdict } from './page-tables.js';

/** mmu_update request kinds (low two bits of ptr). */
const MMU_COMMANDS: Record<number, string> = { 0: 'normal_pt_update', 1: 'machphys_update', 2: 'pt_update_preserve_ad' };

function note(call: HypercallCall, v: Verdict): number {
  if (v.ok) return 0;
  call.decoded.refused = v.why;
  return -v.errno;
}

/** mmu_update(reqs, count, done*, domid): {u64 ptr, u64 val} pairs; only MMU_NORMAL_PT_UPDATE. */
export function mmuUpdate(call: HypercallCall): number {
  const d = call.domain, [reqs, count, donePtr, domid] = call.args;
  call.decoded.count = count;
  if ((domid & 0xFFFF) !== DOMID_SELF) return -Errno.ESRCH;
  if (count > MAX_BATCH) { call.decoded.refused = `more than ${MAX_BATCH} requests`; return -Errno.EINVAL; }
  return guarded(call, () => {
    let done = 0, rc = 0;
    for (; done < count; done++) {
      const ptrLo = d.guest.read32(reqs + done * 16), value = d.guest.read32(reqs + done * 16 + 8);
      const cmd = ptrLo & 3;
      if (done === 0) call.decoded.cmd = commandName(MMU_COMMANDS, cmd);
      if (cmd !== 0) { rc = -Errno.ENOSYS; break; }
      rc = note(call, d.tables.update((ptrLo & ~3) >>> 0, value));
      if (rc) break;
    }
    if (donePtr) d.guest.write32(donePtr, done);
    call.decoded.done = done;
    return rc;
  });
}

/** update_va_mapping flags: which TLB flush follows (UVMF_*). */
const UVMF_TLB_FLUSH = 1, UVMF_INVLPG = 2;

/** update_va_mapping(va, pte, flags): sets the page-table entry that maps va in the current tables. */
export function updateVaMapping(call: HypercallCall): number {
  const d = call.domain, [va, pte, flags] = call.args;
  call.decoded.va = va; call.decoded.pte = pte;
  if (va >>> 0 >= HYPERVISOR_VIRT_START) { call.decoded.refused = 'address in the hypervisor hole'; return -Errno.EINVAL; }
  const pde = d.memory.read32((d.cpu.cr3 & ~0xFFF) + (va >>> 22) * 4);
  if (!(pde & PTE_P)) { call.decoded.refused = 'no page table maps that address'; return -Errno.EINVAL; }
  const rc = note(call, d.tables.update(((pde & ~0xFFF) >>> 0) + ((va >>> 12) & 0x3FF) * 4, pte));
  if (rc) return rc;
  if ((flags & 3) === UVMF_INVLPG) d.cpu.mmu.invalidate(va);
  else if ((flags & 3) === UVMF_TLB_FLUSH) d.cpu.mmu.flush(true);
  return 0;
}

/** mmuext_op commands (MMUEXT_*). */
const MMUEXT: Record<number, string> = {
  0: 'pin_l1_table', 1: 'pin_l2_table', 2: 'pin_l3_table', 3: 'pin_l4_table', 4: 'unpin_table', 5: 'new_baseptr',
  6: 'tlb_flush_local', 7: 'invlpg_local', 10: 'tlb_flush_all', 11: 'invlpg_all',
};

/** mmuext_op(ops, count, done*, domid): {u32 cmd, u32 arg1, u32 arg2} each. */
export function mmuextOp(call: HypercallCall): number {
  const d = call.domain, [ops, count, donePtr, domid] = call.args;
  call.decoded.count = count;
  if ((domid & 0xFFFF) !== DOMID_SELF) return -Errno.ESRCH;
  if (count > MAX_BATCH) { call.decoded.refused = `more than ${MAX_BATCH} requests`; return -Errno.EINVAL; }
  return guarded(call, () => {
    let done = 0, rc = 0;
    for (; done < count && rc === 0; done++) {
      const cmd = d.guest.read32(ops + done * 12), arg1 = d.guest.read32(ops + done * 12 + 4);
      if (done === 0) call.decoded.cmd = commandName(MMUEXT, cmd);
      rc = mmuextOne(call, cmd, arg1);
      if (rc) break;
    }
    if (donePtr) d.guest.write32(donePtr, done);
    call.decoded.done = done;
    return rc;
  });
}

function mmuextOne(call: HypercallCall, cmd: number, arg1: number): number {
  const d = call.domain, t = d.tables, mmu = d.cpu.mmu;
  switch (cmd) {
    case 0: { const rc = note(call, t.l1Frames().has(arg1) ? { ok: true } : t.checkNewL1(arg1)); if (!rc) t.pinnedL1.add(arg1); return rc; }
    case 1: { const rc = note(call, t.adoptL2(arg1)); if (!rc) t.pinnedL2.add(arg1); return rc; }
    case 2: case 3: call.decoded.refused = 'no PAE or 64-bit paging: 2-level tables only'; return -Errno.EINVAL;
    case 4: {
      if (!t.pinnedL1.delete(arg1) && !t.pinnedL2.delete(arg1)) { call.decoded.refused = `frame 0x${arg1.toString(16)} is not pinned`; return -Errno.EINVAL; }
      return 0;
    }
    case 5: {
      const rc = note(call, t.adoptL2(arg1));
      if (rc) return rc;
      d.cpu.cr3 = arg1 * 4096;
      d.cpu.updatePagingMode();
      mmu.flush(false);
      call.decoded.cr3 = d.cpu.cr3;
      return 0;
    }
    case 6: case 10: mmu.flush(true); return 0;
    case 7: case 11: mmu.invalidate(arg1); call.decoded.linear = arg1; return 0;
    default: return -Errno.ENOSYS;
  }
}

/** memory_op subcommands (XENMEM_*). */
const XENMEM: Record<number, string> = { 2: 'maximum_ram_page', 3: 'current_reservation', 4: 'maximum_reservation' };

/** memory_op(cmd, arg): the domain's size; reservation changes are not offered (-ENOSYS). */
export function memoryOp(call: HypercallCall): number {
  const d = call.domain, [cmd, arg] = call.args;
  call.decoded.cmd = commandName(XENMEM, cmd);
  switch (cmd) {
    case 2: return d.nrPages - 1;
    case 3: case 4: return guarded(call, () => {
      const domid = d.guest.read32(arg) & 0xFFFF;
      return domid === DOMID_SELF ? d.nrPages : -Errno.ESRCH;
    });
    default: return -Errno.ENOSYS;
  }
}
