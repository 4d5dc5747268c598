// Edge cases of the translator's region tier, each run in lockstep against the interpreter with
// regions formed early: self-modifying code, page faults, direct-map coherence (PTE changes, CPL),
// A20, budgets, 8/16-bit forms, CALL/RET, MMIO and breakpoints (programs in region-programs.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, PageTables, CODE, DATA, KSTACK_TOP, USER_CODE, PAGE_DIR, UCODE, KCODE } from '../cpu/helpers/machine.js';
import { data32, gate, TYPE_INT32 } from '../cpu/helpers/encode.js';
import type { MmioHandler } from '../../engine/memory/guest-memory.js';
import { machinePair, runLockstep, snapshot, withEagerRegions, type ByteRange } from './region-harness.js';
import { attachFastA20 } from './fast-a20-port.js';
import {
  A20_LOOP, BREAKPOINT_LOOP, BUDGET_LOOP, CALLS_PAGE_A, CALLS_PAGE_B, COUNTING_HANDLER, DIVIDE_LOOP, INVLPG_EVERY_8,
  KERNEL_THEN_USER, MMIO_BASE, MMIO_LOOP, NARROW_LOOP, PTE_400000, REMAP_LOOP, SMC_CALLEE, SMC_CALLER, SMC_SAME_PAGE,
  STACK_OVERFLOWS, TIMER_HANDLER, USER_LOOP, WALK_PAGES, BASED_DS, DS_SWITCH_LOOP, STRADDLING_STORES,
} from './region-programs.js';

/** Run sizes cycled by most cases: tiny ones end inside blocks, large ones let regions run long. */
const SLICES = [7, 64, 1, 250, 33, 1000, 3, 5000, 19, 128];
const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESI = 6, EBP = 5;
const DE = 0, PF = 14;
const CR0_PG = 0x80000000, CR0_WP = 0x10000;

/** Protected mode, code bytes at CODE (and more at other addresses), then extra setup. */
function protectedSetup(code: number[], extra: (m: Machine) => void = () => {}): (m: Machine) => void {
  return (m) => { m.enterProtected(); m.write(CODE, code); extra(m); };
}

/** Page tables identity-mapping [0, 2 MiB) with flags, then map(pt); CR3 set, CR0.PG and CR0.WP on. */
function enablePaging(m: Machine, identityFlags: number, map: (pt: PageTables) => void): PageTables {
  const pt = new PageTables(m);
  pt.identity(0, 0x200000, identityFlags);
  map(pt);
  m.cpu.cr3 = PAGE_DIR;
  m.cpu.cr0 |= CR0_PG | CR0_WP;
  m.cpu.updatePagingMode();
  return pt;
}

// ---- 1. self-modifying code ----

test('1a. a region block that stores into the next instruction on its own page leaves after the store and runs the new code', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(SMC_SAME_PAGE, (m) => { m.cpu.reg32[7] = DATA; }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[CODE, 0x20], [DATA, 4]], label: 'smc same page' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    let ebx = 0;
    for (let ecx = 100; ecx < 300; ecx++) ebx += ecx & 0xFF;
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], ebx, 'from pass 100 on, every pass added the byte it had just stored');
    assert.equal(c.instructions, 300 * 8 + 1 + 1, '8 per pass, MOV EDI, HLT');
  });
});

test('1b. a write to code on another page that holds a region (and became code after being written) reaches it', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(SMC_CALLER, (m) => m.write(CODE + 0x1000, SMC_CALLEE)));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[CODE + 0x1000, 8]], label: 'smc other page' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    let sum = 0;
    for (let ecx = 40; ecx < 300; ecx++) sum = (sum + (0x12345600 | ((ecx & ~15) & 0xFF))) | 0;
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], sum, 'every call returned the immediate last written');
    assert.equal(c.reg32[ESI], sum);
  });
});

// ---- 2. a page fault inside a region ----

for (const { name, pte, cr2, errorCode, faultEip } of [
  { name: 'not-present page (read)', pte: 0, cr2: 0x401000, errorCode: 0, faultEip: CODE + 1 },
  { name: 'read-only page (write)', pte: 0x71000 | 1, cr2: 0x401008, errorCode: 3, faultEip: CODE + 5 },
]) {
  test(`2. a page fault in a hot region loop, ${name}: same EIP, CR2, error code, registers and count`, () => {
    withEagerRegions(() => {
      const pair = machinePair(protectedSetup(WALK_PAGES, (m) => {
        for (let a = 0; a < 0x2000; a += 4) m.w32(0x70000 + a, a * 0x01000193);
        enablePaging(m, 3, (pt) => { pt.map4k(0x400000, 0x70000, 3); pt.setPte(0x401000, pte); });
        m.cpu.reg32[ESI] = 0x400000;
      }));
      const ranges: ByteRange[] = [[0x70000, 0x2000], [KSTACK_TOP - 16, 16]];
      const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: name });
      assert.ok(inRegions > 0, 'instructions ran in regions');
      const c = pair.fast.cpu;
      assert.ok(pair.fast.inHandler(PF), 'the #PF handler stub was entered');
      assert.deepEqual(snapshot(pair.fast).exception, { vector: PF, errorCode, eip: faultEip });
      assert.equal(c.cr2 >>> 0, cr2);
      assert.equal(c.reg32[ECX], 65, '64 passes, then the fault in the 65th');
      assert.deepEqual(pair.fast.stack(2), [errorCode, faultEip], 'error code and faulting EIP pushed');
    });
  });
}

for (const { name, entry, faultEip, ecx } of [
  { name: 'PUSH', entry: USER_CODE, faultEip: USER_CODE, ecx: 64 },
  { name: 'CALL', entry: USER_CODE + 9, faultEip: USER_CODE + 0xA, ecx: 65 },
]) {
  test(`2b. a ${name} in a ring-3 region loop that runs the stack into a not-present page faults with ESP unchanged`, () => {
    withEagerRegions(() => {
      const pair = machinePair((m) => {
        m.enterProtected({ cs: UCODE, eip: entry, esp: 0x403100 });
        m.write(USER_CODE, STACK_OVERFLOWS);
        enablePaging(m, 7, (pt) => pt.map4k(0x403000, 0x74000, 7));   // 0x402000 stays not present
      });
      const ranges: ByteRange[] = [[0x74000, 0x100], [KSTACK_TOP - 24, 24]];
      const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: `${name} overflow` });
      assert.ok(inRegions > 0, 'instructions ran in regions');
      const f = pair.fast;
      assert.ok(f.inHandler(PF), 'the #PF handler stub was entered');
      assert.deepEqual(snapshot(f).exception, { vector: PF, errorCode: 6, eip: faultEip }, 'not present, write, user');
      assert.equal(f.cpu.cr2 >>> 0, 0x402FFC);
      assert.equal(f.cpu.reg32[ECX], ecx, '64 pushes fitted in the page');
      assert.equal(f.stack(6)[4], 0x403000, 'the interrupted ESP: the faulting push left it unchanged');
    });
  });
}

test('2c. a #DE from DIV in a region loop: same EIP, registers and count as the interpreter', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(DIVIDE_LOOP, (m) => { m.cpu.reg32[ECX] = 200; }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[KSTACK_TOP - 12, 12]], label: 'divide' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.ok(f.inHandler(DE), 'the #DE handler stub was entered');
    assert.equal(f.cpu.lastException?.eip, CODE + 0x12, 'raised by the DIV');
    let quotients = 0;
    for (let k = 199; k >= 1; k--) quotients += Math.floor(1000 / k);
    assert.deepEqual([f.cpu.reg32[ECX], f.cpu.reg32[ESI], f.cpu.reg32[EBX]], [0, quotients, 100 * 100]);
  });
});

test('2d. a dword store straddling into a read-only page faults before writing any byte', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(STRADDLING_STORES, (m) => {
      enablePaging(m, 3, (pt) => { pt.map4k(0x400000, 0x70000, 3); pt.map4k(0x401000, 0x71000, 1); });
      m.cpu.reg32[ESI] = 0x400F00;
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[0x70F00, 0x104]], label: 'straddle' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.ok(f.inHandler(PF), 'the #PF handler stub was entered');
    assert.deepEqual(snapshot(f).exception, { vector: PF, errorCode: 3, eip: CODE });
    assert.equal(f.cpu.cr2 >>> 0, 0x401000);
    assert.equal(f.cpu.reg32[ECX], 0xFD, 'the store of pass 0xFD faulted');
    assert.equal(f.r32(0x70FFC), 0xFC, 'the bytes below the boundary still hold pass 0xFC\'s store');
  });
});

// ---- 3. direct-map coherence ----

test('3a. a region loop sees a linear page move to another frame after INVLPG and after a CR3 reload', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(REMAP_LOOP, (m) => {
      const pt = enablePaging(m, 3, (p) => p.map4k(0x400000, 0x70000, 3));
      assert.equal(pt.pteAddr(0x400000), PTE_400000, 'the guest code patches this PTE');
      m.w32(0x70000, 0x1111); m.w32(0x71000, 0x2222); m.w32(0x72000, 0x3333);
    }));
    const ranges: ByteRange[] = [[0x70000, 8], [0x71000, 8], [0x72000, 8]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'remap' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.equal(f.cpu.reg32[EBX], 100 * (0x1111 + 0x2222 + 0x3333), '100 reads from each frame');
    assert.deepEqual([f.r32(0x70004), f.r32(0x71004), f.r32(0x72004)], [99, 199, 299], 'the writes followed the frame');
  });
});

test('3b. CPL-3 code in a region does not reach a supervisor page the direct map learned at CPL 0', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(KERNEL_THEN_USER, (m) => {
      m.write(USER_CODE, USER_LOOP);
      enablePaging(m, 7, (pt) => { pt.map4k(0x402000, 0x73000, 3); pt.map4k(0x403000, 0x74000, 7); });
      m.w32(0x73000, 0x5000); m.w32(0x74000, 0x7);
    }));
    const ranges: ByteRange[] = [[0x73000, 8], [0x74000, 8], [KSTACK_TOP - 20, 20]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'cpl 3' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.ok(f.inHandler(PF), 'the #PF handler stub was entered');
    assert.deepEqual(snapshot(f).exception, { vector: PF, errorCode: 5, eip: USER_CODE + 0xD });
    assert.equal(f.cpu.cr2 >>> 0, 0x402000);
    assert.equal(f.cpu.reg32[ECX], 200);
    assert.equal(f.cpu.reg32[EBX], 100 * 0x5000 + 100 * 0x7, 'no user read reached the supervisor page');
  });
});

test('3c. a PTE the test moves between run slices is seen by a region loop after the guest\'s next INVLPG', () => {
  withEagerRegions(() => {
    const frames = [0x70000, 0x71000, 0x72000];
    const pair = machinePair(protectedSetup(INVLPG_EVERY_8, (m) => {
      enablePaging(m, 3, (p) => p.map4k(0x400000, frames[0], 3));
      frames.forEach((f, k) => m.w32(f, 1 << (11 * k)));   // EBX counts the reads from each frame in 11 bits
    }));
    const ranges: ByteRange[] = frames.map((f) => [f, 8] as const);
    const between = (m: Machine, slice: number): void => m.w32(PTE_400000, frames[(slice + 1) % 3] | 3);
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'test-driven remap', between });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.ok(frames.every((a) => f.r32(a + 4) !== 0), 'every frame received writes');
    const reads = [0, 1, 2].map((k) => (f.cpu.reg32[EBX] >>> (11 * k)) & 0x7FF);
    assert.ok(reads.every((n) => n > 0), `reads from every frame (${reads.join(', ')})`);
    assert.equal(reads[0] + reads[1] + reads[2], 2000, 'one read per pass');
  });
});

// ---- 4. A20 ----

test('4. toggling A20 through port 0x92 changes which bytes a region loop reaches', () => {
  withEagerRegions(() => {
    const resets: string[][] = [];
    const pair = machinePair(protectedSetup(A20_LOOP, (m) => {
      resets.push(attachFastA20(m));
      m.w32(0x150000, 0x1111); m.w32(0x050000, 0x2222);
    }));
    const ranges: ByteRange[] = [[0x150000, 8], [0x050000, 8]];
    const inRegions = runLockstep(pair, { slices: SLICES, ranges, label: 'a20' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.equal(f.memory.a20Enabled, false, 'five toggles from open');
    assert.equal(f.cpu.reg32[EBX], 64 * (3 * 0x1111 + 2 * 0x2222), 'three phases with A20 open, two closed');
    // Read unmasked (Machine.r32 goes through the closed A20 gate now).
    const dword = (a: number): number => new DataView(f.memory.readBytes(a, 4).slice().buffer).getUint32(0, true);
    assert.deepEqual([dword(0x150004), dword(0x050004)], [319, 255], 'the last writes of an open and a closed phase');
    assert.deepEqual(resets, [[], []], 'no fast reset requested');
  });
});

// ---- 5. budgets ----

test('5. run slices of every size from 1 to 50 over a region loop keep counts and state exact', () => {
  withEagerRegions(() => {
    let total = 0;
    for (let size = 1; size <= 50; size++) {
      const pair = machinePair(protectedSetup(BUDGET_LOOP, (m) => { m.cpu.reg32[EDX] = 0; }));
      const inRegions = runLockstep(pair, { slices: [size], ranges: [[KSTACK_TOP - 4, 4]], label: `slices of ${size}` });
      total += inRegions;
      if (size >= 10) assert.ok(inRegions > 0, `slices of ${size}: instructions ran in regions`);
      const c = pair.fast.cpu;
      assert.equal(c.halted, true);
      assert.deepEqual([c.reg32[EBX], c.reg32[EDX], c.reg32[7], c.instructions], [20200, 600, 20200, 400 * 7 + 100 * 3 + 1]);
    }
    assert.ok(total > 0);
  });
});

// ---- 6. 8- and 16-bit register forms ----

test('6. 8-bit (AH, BH, DH…) and 16-bit (0x66) register and memory forms inside a region loop', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(NARROW_LOOP, (m) => {
      const r = m.cpu.reg32;
      r[EBX] = 0x12345678; r[EDX] = 0x9ABCDEF0 | 0; r[ESI] = 0x0FEDCBA9; r[7] = 0x13572468; r[EBP] = 0x7FFF8000;
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[DATA, 4]], label: 'narrow forms' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[ECX], 300);
    assert.equal(c.reg32[ESI] >>> 16, 0x0FED, 'ADD SI, CX left the upper half of ESI alone');
    assert.equal(c.reg32[EBP] >>> 16, 0x7FFF, '16-bit INC/SUB on BP left the upper half of EBP alone');
  });
});

// ---- 7. CALL/RET, PUSH/POP, RET imm16, a RET leaving the region ----

test('7. CALL/RET and RET imm16 inside a region, PUSH/POP, and RETs to return addresses outside it', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(CALLS_PAGE_A, (m) => m.write(CODE + 0x1000, CALLS_PAGE_B)));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[KSTACK_TOP - 16, 16]], label: 'calls' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.equal(c.reg32[EBX], 19900, 'POP EDX got each pushed ECX back');
    assert.equal(c.reg32[ESI], 2 * 19900, 'func read its argument on both pages');
    assert.equal(c.reg32[EBP], 19900);
    assert.equal(c.reg32[4] >>> 0, KSTACK_TOP, 'RET 4 and the POPs balanced the stack');
    assert.equal(c.instructions, 200 * 16 + 2 + 200 * 16 + 1, "16 per pass on each page, XOR and JMP between, HLT");
  });
});

// ---- 8. MMIO ----

/** A device whose reads return a running counter; logs every access with the CPU's retired count. */
function countingDevice(m: Machine, log: string[]): MmioHandler {
  let reads = 0;
  return {
    read(offset, size) {
      const value = (++reads * 0x01010101 + offset) & (size === 4 ? -1 : size === 2 ? 0xFFFF : 0xFF);
      log.push(`read ${offset}/${size} = ${value >>> 0} at ${m.cpu.instructionsNow}`);
      return value;
    },
    write(offset, size, value) { log.push(`write ${offset}/${size} = ${value >>> 0} at ${m.cpu.instructionsNow}`); },
  };
}

test('8. a region loop reading and writing MMIO reaches the device every time, at the right instruction count', () => {
  withEagerRegions(() => {
    const logs: string[][] = [];
    const pair = machinePair(protectedSetup(MMIO_LOOP, (m) => {
      const log: string[] = [];
      logs.push(log);
      m.memory.mapMmio(MMIO_BASE, 0x1000, 'counter', countingDevice(m, log));
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, label: 'mmio' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const [fastLog, slowLog] = logs;
    assert.equal(pair.fast.cpu.halted, true);
    assert.equal(fastLog.filter((l) => l.startsWith('read')).length, 600, 'two reads per pass reached the device');
    assert.equal(fastLog.filter((l) => l.startsWith('write')).length, 600, 'two writes per pass reached the device');
    assert.deepEqual(fastLog, slowLog, 'same accesses, values and retired counts as the interpreter');
    const direct = pair.fast.cpu.mmu.direct;
    assert.equal(direct.baseOf(MMIO_BASE, false), -1, 'the MMIO page never entered the direct map');
    assert.equal(direct.baseOf(MMIO_BASE, true), -1);
    assert.equal(pair.fast.cpu.reg32[EAX] >>> 0, (599 * 0x01010101) >>> 0, 'the last dword read is the 599th access');
  });
});

// ---- 9. a breakpoint armed while a region runs ----

test('9. a breakpoint armed in a running region loop stops before its instruction; removed, the loop finishes', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(BREAKPOINT_LOOP, (m) => { m.cpu.reg32[EDX] = 0; }));
    const both = [pair.fast, pair.slow];
    assert.ok(runLockstep(pair, { slices: [3000], maxSlices: 1, label: 'before arming' }) > 0, 'the loop ran in a region');
    const stopAt = CODE + 0xE;                     // cmp ecx, 100000: inside the blocks at 10009 and 1000b
    for (const m of both) m.cpu.codeBreakpoints.add(stopAt);
    runLockstep(pair, { slices: [100_000], maxSlices: 1, label: 'to the breakpoint' });
    for (const m of both) {
      assert.equal(m.cpu.stopRequested, true, 'the run stopped for the breakpoint');
      assert.equal(m.cpu.eip, stopAt);
    }
    for (const m of both) m.cpu.codeBreakpoints.delete(stopAt);
    const after = runLockstep(pair, { slices: [...SLICES, 200_000], label: 'after removing it' });
    assert.ok(after > 0, 'the loop went back to its region');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.deepEqual([c.reg32[ECX], c.reg32[EDX], c.reg32[EBX]], [100_000, 300_000, (50_000 * 50_000) | 0]);
  });
});

// ---- 10. interrupts while a region runs ----

test('10. timer interrupts raised while a region runs are taken at the same boundaries and counts as with blocks only', () => {
  withEagerRegions(() => {
    const taken: number[][] = [];
    const pair = machinePair(protectedSetup(BUDGET_LOOP, (m) => {
      m.write(TIMER_HANDLER, COUNTING_HANDLER);
      m.setIdt(0x20, gate(KCODE, TIMER_HANDLER, TYPE_INT32, 0));
      m.cpu.reg32[EDX] = 0;
      m.cpu.setEflags(0x202);                     // IF on
      const log: number[] = [];
      taken.push(log);
      // A timer: 37 instructions after the last interrupt was raised, another (until 3,000 retired).
      let next = 37;
      const env = m.env;
      env.interruptPending = (): boolean => {
        const now = m.cpu.instructionsNow;
        if (env.pendingInterrupts.length === 0 && now >= next && now < 3000) { env.pendingInterrupts.push(0x20); next = now + 37; }
        return env.pendingInterrupts.length > 0;
      };
      env.acknowledgeInterrupt = (): number => { log.push(m.cpu.instructionsNow); return env.pendingInterrupts.shift() ?? -1; };
    }), 8 << 20, 'blocks');
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[KSTACK_TOP - 16, 16]], label: 'interrupts' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const [fastTaken, referenceTaken] = taken;
    assert.ok(fastTaken.length > 50, `interrupts were taken (${fastTaken.length})`);
    assert.deepEqual(fastTaken, referenceTaken, 'at the same retired counts');
    const c = pair.fast.cpu;
    assert.equal(c.halted, true);
    assert.deepEqual([c.reg32[ESI], c.reg32[EBX], c.reg32[EDX]], [fastTaken.length, 20200, 600], 'the handler ran once per interrupt');
  });
});

// ---- 11. segments ----

test('11. after DS is loaded with a based segment, accesses leave the region\'s flat fast path and honour the base', () => {
  withEagerRegions(() => {
    const pair = machinePair(protectedSetup(DS_SWITCH_LOOP, (m) => {
      m.setGdt(BASED_DS >> 3, data32(0, 0x50000));
      m.w32(0x8000, 0x11); m.w32(0x58000, 0x2200);
    }));
    const inRegions = runLockstep(pair, { slices: SLICES, ranges: [[0x8000, 8], [0x58000, 8]], label: 'based DS' });
    assert.ok(inRegions > 0, 'instructions ran in regions');
    const f = pair.fast;
    assert.equal(f.cpu.halted, true);
    assert.equal(f.cpu.reg32[EBX], 100 * 0x11 + 100 * 0x2200, '100 reads through each DS');
    assert.deepEqual([f.r32(0x8004), f.r32(0x58004)], [99, 199]);
  });
});
