// The call stack of a stopped vCPU: frame 0 from the CPU's registers, callers by call-frame
// information (.debug_frame/.eh_frame) or the EBP chain, and the calls inlined at each pc as frames
// of their own — each with its function name and source line.
import type { Cpu } from '../cpu/cpu.js';
import { CS, SS } from '../cpu/registers.js';
import type { SymbolSet } from './symbols/symbol-set.js';
import type { CallerFrame, SymbolIndex } from './symbols/symbol-index.js';
import { readLinear32 } from './machine/guest-memory-view.js';

/** DWARF register numbers of i386 (the order of Cpu.reg32, then EIP). */
export const DWARF_EIP = 8, DWARF_ESP = 4, DWARF_EBP = 5;

/** The i386 System V callee-saved registers by DWARF number: EBX, EBP, ESI, EDI. */
const CALLEE_SAVED = [3, DWARF_EBP, 6, 7] as const;

/** Most frames a stack trace lists (a corrupt stack cannot make it loop forever). */
export const MAX_FRAMES = 64;

export interface StackFrameInfo {
  /** 0 for the innermost frame, counting inlined frames. */
  index: number;
  /** Linear address of the instruction executing in this frame (a caller's: its return address). */
  pc: number;
  /** Register values of this frame by DWARF number (undefined: not recoverable). */
  registers: ReadonlyMap<number, number | undefined>;
  /** "kmain", "serial_putc+0x12", or the address in hex when no symbol covers it. */
  name: string;
  /** Where the frame is in the source, when line tables cover it. */
  source?: { file: string; line: number; column: number };
  /** 0 for a real function frame's innermost inlined call, larger for the calls around it (SymbolIndex.scopesAt). */
  inlineDepth: number;
  /** True for a call inlined into its caller (no frame of its own on the guest stack). */
  inlined: boolean;
  /** The image whose symbols describe this frame. */
  image?: SymbolIndex;
  /** How the frame was found: the CPU itself, call-frame information or the frame-pointer chain. */
  unwoundBy: 'cpu' | 'cfi' | 'frame-pointer';
}

/**
 * True for the frames of the CPU's own activation (frame 0 and the calls inlined at its pc): their
 * registers are the vCPU's live registers, and their pc is the instruction about to run.
 */
export function isCpuFrame(frame: StackFrameInfo): boolean { return frame.unwoundBy === 'cpu'; }

/** The address to ask the symbols about for a frame: its pc, or for a caller the call instruction (return address − 1). */
export function symbolLookupPc(frame: StackFrameInfo): number { return isCpuFrame(frame) ? frame.pc : (frame.pc - 1) >>> 0; }

/** Frame-0 registers of a CPU, by DWARF number. */
export function cpuRegisters(cpu: Cpu): Map<number, number | undefined> {
  const registers = new Map<number, number | undefined>();
  for (let r = 0; r < 8; r++) registers.set(r, cpu.reg32[r] >>> 0);
  registers.set(DWARF_EIP, cpu.eip >>> 0);
  return registers;
}

/** The frames of cpu, innermost first (at most MAX_FRAMES). */
export function unwindStack(cpu: Cpu, symbols: SymbolSet): StackFrameInfo[] {
  const frames: StackFrameInfo[] = [];
  const csBase = cpu.segBase[CS] >>> 0;
  let registers: Map<number, number | undefined> = cpuRegisters(cpu);
  let pc = (csBase + cpu.eip) >>> 0;
  let unwoundBy: StackFrameInfo['unwoundBy'] = 'cpu';
  for (let physical = 0; frames.length < MAX_FRAMES; physical++) {
    // A caller's pc is its return address; the call instruction itself is the byte before it.
    const lookup = physical === 0 ? pc : (pc - 1) >>> 0;
    const image = symbols.imageAt(lookup);
    pushFrames(frames, image, pc, lookup, registers, unwoundBy);
    if (!image || !cpu.protectedMode) break; // no unwinding information outside known code, nor in real mode
    const caller = physical === 0 && isLeafStub(image, pc) ? leafCaller(cpu, registers) : safe(() => image.callerFrame(lookup, {
      readRegister: (reg) => {
        const value = registers.get(reg);
        if (value === undefined) throw new Error(`register ${reg} is not recoverable`);
        return value;
      },
      readMemory: (address, size) => {
        const word = readLinear32(cpu, Number(address));
        if (word === undefined) throw new Error(`stack at 0x${(Number(address) >>> 0).toString(16)} is not readable`);
        return size === 4 ? word : word & ((1 << (size * 8)) - 1);
      },
    }));
    const ret = safe(() => caller?.returnAddress);
    if (caller === undefined || ret === undefined || ret === 0) break;
    const next = new Map(caller.registers);
    // Call-frame information lists only the registers a function changed: the callee-saved ones it
    // has no rule for (e.g. EBP before the prologue's push) still hold the caller's values.
    if (caller.method === 'cfi') for (const reg of CALLEE_SAVED) if (!next.has(reg)) next.set(reg, registers.get(reg));
    next.set(DWARF_EIP, (ret - csBase) >>> 0);
    if (!next.has(DWARF_ESP) || next.get(DWARF_ESP) === undefined) next.set(DWARF_ESP, caller.cfa >>> 0);
    // A frame must move up the stack, or the unwinding is going round in circles.
    const oldSp = registers.get(DWARF_ESP) ?? 0, newSp = next.get(DWARF_ESP) ?? 0;
    if (newSp <= oldSp) break;
    registers = next;
    pc = ret >>> 0;
    unwoundBy = caller.method;
  }
  return frames;
}

function safe<T>(f: () => T): T | undefined {
  try { return f(); } catch { return undefined; }
}

/** Pushes one guest frame: its inlined calls innermost first, then the function itself. */
function pushFrames(
  frames: StackFrameInfo[], image: SymbolIndex | undefined, pc: number, lookup: number,
  registers: Map<number, number | undefined>, unwoundBy: StackFrameInfo['unwoundBy'],
): void {
  const line = image?.addressToLine(lookup);
  const virtualFrames = image ? safe(() => image.framesAt(lookup)) ?? [] : [];
  const symbolName = image?.functionAt(pc)?.text;
  if (virtualFrames.length === 0) {
    frames.push({
      index: frames.length, pc, registers, name: symbolName ?? `0x${pc.toString(16).padStart(8, '0')}`,
      source: line && { file: line.file, line: line.line, column: line.column }, inlineDepth: 0, inlined: false, image, unwoundBy,
    });
    return;
  }
  // virtualFrames is outermost first; the innermost runs at `line`, each outer one at its inner call site.
  let source = line && { file: line.file, line: line.line, column: line.column };
  for (let depth = 0; depth < virtualFrames.length && frames.length < MAX_FRAMES; depth++) {
    const frame = virtualFrames[virtualFrames.length - 1 - depth];
    const outermost = depth === virtualFrames.length - 1;
    frames.push({
      index: frames.length, pc, registers, name: outermost && symbolName ? symbolName : frame.name, source,
      inlineDepth: depth, inlined: !outermost, image, unwoundBy,
    });
    if (frame.callFile !== undefined && frame.callLine !== undefined) source = { file: frame.callFile, line: frame.callLine, column: 0 };
  }
}

/**
 * True for code with neither call-frame information nor a DWARF function (an assembly stub such as a
 * hypercall page entry): it keeps no frame, so its return address is the word at ESP.
 */
function isLeafStub(image: SymbolIndex, pc: number): boolean {
  return image.unwindRowAt(pc) === undefined && image.functionAt(pc)?.source === 'elf' && !image.functions().some((f) => {
    const start = f.lowPc + image.bias, end = f.highPc + image.bias;
    return pc >= start && pc < end;
  });
}

/** The caller of a frameless stub: return address at ESP, ESP one word up, other registers unchanged. */
function leafCaller(cpu: Cpu, registers: Map<number, number | undefined>): CallerFrame | undefined {
  const esp = registers.get(DWARF_ESP);
  if (esp === undefined) return undefined;
  const ret = readLinear32(cpu, (cpu.segBase[SS] + esp) >>> 0);
  if (ret === undefined) return undefined;
  const next = new Map(registers);
  next.set(DWARF_ESP, (esp + 4) >>> 0);
  return { registers: next, returnAddress: ret, cfa: (esp + 4) >>> 0, method: 'frame-pointer' };
}
