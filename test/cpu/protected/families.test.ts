// 32-bit instruction tests for every family of the instruction table, run in flat 32-bit protected
// mode at ring 0: bytes with their assembly, the starting state, and the expected registers, flags,
// memory or exception. The SST 80286 vectors cover the 16-bit forms; these cover the 32-bit ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Machine, CODE, KCODE, KDATA, KSTACK_TOP, DATA } from '../helpers/machine.js';
import type { IoRecord } from '../helpers/machine.js';
import { DE, UD, NM } from '../helpers/encode.js';
import { ISA, type Family } from '../../../engine/cpu/isa/index.js';
import { DS, REG32_NAMES } from '../../../engine/cpu/registers.js';

type Reg = typeof REG32_NAMES[number];
type Regs = Partial<Record<Reg, number>>;

/** Arithmetic flag masks for expectations. */
const C = 0x1, P = 0x4, A = 0x10, Z = 0x40, S = 0x80, O = 0x800, OSZAPC = O | S | Z | A | P | C;

interface Case {
  family: Family;
  name: string;                              // the assembly, for the test title
  code: number[];                            // instruction bytes (a `jmp $` is appended)
  regs?: Regs;                               // initial registers (ESP defaults to KSTACK_TOP)
  eflags?: number;                           // initial EFLAGS (default 0x2)
  mem?: Array<[number, number[]]>;           // initial dwords at DATA + offset
  bytes?: Array<[number, number[]]>;         // initial bytes at DATA + offset
  expect: {
    regs?: Regs;                             // registers after the run
    flags?: [mask: number, value: number];   // EFLAGS & mask
    mem?: Array<[number, number[]]>;         // dwords at DATA + offset
    bytes?: Array<[number, number[]]>;       // bytes at DATA + offset
    vector?: number;                         // exception delivered to the standard handler …
    faultAt?: number;                        // … for the instruction at CODE + faultAt
    io?: IoRecord[];                         // port accesses seen by the machine
  };
}

const CASES: Case[] = [
  // ---- alu ----
  { family: 'alu', name: 'add eax, ebx (signed overflow)', code: [0x01, 0xD8],
    regs: { eax: 0x7FFFFFFF, ebx: 1 }, expect: { regs: { eax: 0x80000000 }, flags: [OSZAPC, O | S | A | P] } },
  { family: 'alu', name: 'sub eax, ebx (borrow)', code: [0x29, 0xD8],
    regs: { eax: 1, ebx: 2 }, expect: { regs: { eax: 0xFFFFFFFF }, flags: [OSZAPC, S | A | P | C] } },
  { family: 'alu', name: 'stc; adc eax, ebx', code: [0xF9, 0x11, 0xD8],
    regs: { eax: 0xFFFFFFFF, ebx: 0 }, expect: { regs: { eax: 0 }, flags: [OSZAPC, Z | A | P | C] } },
  { family: 'alu', name: 'neg dword [ebx]', code: [0xF7, 0x1B],
    regs: { ebx: DATA }, mem: [[0, [1]]], expect: { mem: [[0, [0xFFFFFFFF]]], flags: [OSZAPC, S | A | P | C] } },
  { family: 'alu', name: 'inc eax keeps CF', code: [0x40], eflags: 0x3,
    regs: { eax: 0xFFFFFFFF }, expect: { regs: { eax: 0 }, flags: [OSZAPC, Z | A | P | C] } },
  { family: 'alu', name: 'and eax, 0xff00ff00', code: [0x25, 0x00, 0xFF, 0x00, 0xFF], eflags: 0x803,
    regs: { eax: 0x12345678 }, expect: { regs: { eax: 0x12005600 }, flags: [OSZAPC, P] } },
  { family: 'alu', name: 'cmp al, 0x80', code: [0x3C, 0x80],
    regs: { eax: 0x7F }, expect: { regs: { eax: 0x7F }, flags: [OSZAPC, O | S | P | C] } },
  { family: 'alu', name: 'lock add dword [ebx], 1', code: [0xF0, 0x83, 0x03, 0x01],
    regs: { ebx: DATA }, mem: [[0, [41]]], expect: { mem: [[0, [42]]] } },
  { family: 'alu', name: 'lock mov [ebx], eax (not lockable): #UD', code: [0xF0, 0x89, 0x03],
    regs: { ebx: DATA }, expect: { vector: UD, faultAt: 0 } },

  // ---- shift ----
  { family: 'shift', name: 'shl eax, 4', code: [0xC1, 0xE0, 0x04],
    regs: { eax: 0x12345678 }, expect: { regs: { eax: 0x23456780 }, flags: [S | Z | P | C, C] } },
  { family: 'shift', name: 'shrd eax, edx, 8', code: [0x0F, 0xAC, 0xD0, 0x08],
    regs: { eax: 0x12345678, edx: 0xAABBCCDD }, expect: { regs: { eax: 0xDD123456 }, flags: [S | Z | P | C, S | P] } },
  { family: 'shift', name: 'shld eax, edx, cl', code: [0x0F, 0xA5, 0xD0],
    regs: { eax: 0x12345678, edx: 0xABCDEF01, ecx: 4 }, expect: { regs: { eax: 0x2345678A }, flags: [C, C] } },
  { family: 'shift', name: 'rol eax, cl', code: [0xD3, 0xC0],
    regs: { eax: 0x12345678, ecx: 8 }, expect: { regs: { eax: 0x34567812 }, flags: [C, 0] } },
  { family: 'shift', name: 'sar eax, 31', code: [0xC1, 0xF8, 0x1F],
    regs: { eax: 0x80000000 }, expect: { regs: { eax: 0xFFFFFFFF }, flags: [S | Z | P | C, S | P] } },
  { family: 'shift', name: 'rcr eax, 1 (CF in, OF = top two bits differ)', code: [0xD1, 0xD8], eflags: 0x3,
    regs: { eax: 2 }, expect: { regs: { eax: 0x80000001 }, flags: [O | C, O] } },
  { family: 'shift', name: 'shl byte [ebx], 1', code: [0xD0, 0x23],
    regs: { ebx: DATA }, bytes: [[0, [0x81]]], expect: { bytes: [[0, [0x02]]], flags: [O | C, O | C] } },
  { family: 'shift', name: 'shr eax, cl (count masked to 5 bits: 33 → 1)', code: [0xD3, 0xE8],
    regs: { eax: 3, ecx: 33 }, expect: { regs: { eax: 1 }, flags: [C, C] } },

  // ---- muldiv ----
  { family: 'muldiv', name: 'mul ebx', code: [0xF7, 0xE3],
    regs: { eax: 0x80000000, ebx: 4 }, expect: { regs: { eax: 0, edx: 2 }, flags: [O | C, O | C] } },
  { family: 'muldiv', name: 'imul eax, ebx, -3', code: [0x6B, 0xC3, 0xFD],
    regs: { ebx: 7 }, expect: { regs: { eax: -21 >>> 0 }, flags: [O | C, 0] } },
  { family: 'muldiv', name: 'imul ecx (one operand, overflow into EDX)', code: [0xF7, 0xE9],
    regs: { eax: 0x10000, ecx: 0x10000 }, expect: { regs: { eax: 0, edx: 1 }, flags: [O | C, O | C] } },
  { family: 'muldiv', name: 'imul eax, ecx', code: [0x0F, 0xAF, 0xC1],
    regs: { eax: -2 >>> 0, ecx: 3 }, expect: { regs: { eax: -6 >>> 0 }, flags: [O | C, 0] } },
  { family: 'muldiv', name: 'idiv ecx (rounds toward zero)', code: [0xF7, 0xF9],
    regs: { eax: -7 >>> 0, edx: 0xFFFFFFFF, ecx: 2 }, expect: { regs: { eax: -3 >>> 0, edx: -1 >>> 0 } } },
  { family: 'muldiv', name: 'div ecx with a quotient over 32 bits: #DE', code: [0xF7, 0xF1],
    regs: { eax: 0, edx: 2, ecx: 2 }, expect: { vector: DE, faultAt: 0, regs: { eax: 0, edx: 2 } } },

  // ---- bcd ----
  { family: 'bcd', name: 'mov al, 0x79; add al, 0x35; daa', code: [0xB0, 0x79, 0x04, 0x35, 0x27],
    expect: { regs: { eax: 0x14 }, flags: [C | A, C | A] } },
  { family: 'bcd', name: 'aam', code: [0xD4, 0x0A], regs: { eax: 79 }, expect: { regs: { eax: 0x0709 } } },
  { family: 'bcd', name: 'aam 0: #DE', code: [0xD4, 0x00], regs: { eax: 79 }, expect: { vector: DE, faultAt: 0 } },
  { family: 'bcd', name: 'aad', code: [0xD5, 0x0A], regs: { eax: 0x0709 }, expect: { regs: { eax: 79 } } },
  { family: 'bcd', name: 'aaa', code: [0x37], regs: { eax: 0x0F }, expect: { regs: { eax: 0x0105 }, flags: [A | C, A | C] } },

  // ---- bit ----
  { family: 'bit', name: 'bt eax, 5', code: [0x0F, 0xBA, 0xE0, 0x05], regs: { eax: 0x20 }, expect: { flags: [C, C] } },
  { family: 'bit', name: 'bts dword [ebx], ecx (bit 35 = bit 3 of the next dword)', code: [0x0F, 0xAB, 0x0B],
    regs: { ebx: DATA, ecx: 35 }, mem: [[0, [0, 0]]], expect: { mem: [[0, [0, 8]]], flags: [C, 0] } },
  { family: 'bit', name: 'btc eax, ecx (register bit offset mod 32)', code: [0x0F, 0xBB, 0xC8],
    regs: { eax: 1, ecx: 32 }, expect: { regs: { eax: 0 }, flags: [C, C] } },
  { family: 'bit', name: 'bsf eax, ebx', code: [0x0F, 0xBC, 0xC3], regs: { ebx: 0x80 }, expect: { regs: { eax: 7 }, flags: [Z, 0] } },
  { family: 'bit', name: 'bsf eax, ebx with EBX = 0: ZF = 1, EAX unchanged', code: [0x0F, 0xBC, 0xC3],
    regs: { eax: 0x1234, ebx: 0 }, expect: { regs: { eax: 0x1234 }, flags: [Z, Z] } },
  { family: 'bit', name: 'bsr eax, ebx', code: [0x0F, 0xBD, 0xC3], regs: { ebx: 0x00F00000 }, expect: { regs: { eax: 23 } } },

  // ---- data ----
  { family: 'data', name: 'movsx eax, byte [ebx]', code: [0x0F, 0xBE, 0x03],
    regs: { ebx: DATA }, bytes: [[0, [0x80]]], expect: { regs: { eax: 0xFFFFFF80 } } },
  { family: 'data', name: 'movzx eax, word [ebx]', code: [0x0F, 0xB7, 0x03],
    regs: { eax: 0xFFFFFFFF, ebx: DATA }, mem: [[0, [0xFFFF8001]]], expect: { regs: { eax: 0x8001 } } },
  { family: 'data', name: 'cmpxchg [ebx], ecx (equal: store)', code: [0x0F, 0xB1, 0x0B],
    regs: { eax: 5, ebx: DATA, ecx: 9 }, mem: [[0, [5]]], expect: { mem: [[0, [9]]], regs: { eax: 5 }, flags: [Z, Z] } },
  { family: 'data', name: 'cmpxchg [ebx], ecx (different: load EAX)', code: [0x0F, 0xB1, 0x0B],
    regs: { eax: 5, ebx: DATA, ecx: 9 }, mem: [[0, [6]]], expect: { mem: [[0, [6]]], regs: { eax: 6 }, flags: [Z, 0] } },
  { family: 'data', name: 'cmpxchg8b [esi]', code: [0x0F, 0xC7, 0x0E],
    regs: { esi: DATA, eax: 0x11111111, edx: 0x22222222, ebx: 0x33333333, ecx: 0x44444444 },
    mem: [[0, [0x11111111, 0x22222222]]], expect: { mem: [[0, [0x33333333, 0x44444444]]], flags: [Z, Z] } },
  { family: 'data', name: 'xadd [ebx], ecx', code: [0x0F, 0xC1, 0x0B],
    regs: { ebx: DATA, ecx: 5 }, mem: [[0, [10]]], expect: { mem: [[0, [15]]], regs: { ecx: 10 } } },
  { family: 'data', name: 'xadd [ecx+0x10], cl (the address uses ECX before CL is written)', code: [0x0F, 0xC0, 0x49, 0x10],
    regs: { ecx: DATA + 0x20 }, bytes: [[0x30, [0x05]]], expect: { bytes: [[0x30, [0x25]], [0x15, [0]]], regs: { ecx: DATA + 0x05 } } },
  { family: 'data', name: 'bswap eax', code: [0x0F, 0xC8], regs: { eax: 0x12345678 }, expect: { regs: { eax: 0x78563412 } } },
  { family: 'data', name: 'cmove eax, ecx (ZF = 1)', code: [0x0F, 0x44, 0xC1], eflags: 0x42,
    regs: { eax: 1, ecx: 2 }, expect: { regs: { eax: 2 } } },
  { family: 'data', name: 'cmove eax, ecx (ZF = 0)', code: [0x0F, 0x44, 0xC1],
    regs: { eax: 1, ecx: 2 }, expect: { regs: { eax: 1 } } },
  { family: 'data', name: 'setne al', code: [0x0F, 0x95, 0xC0], regs: { eax: 0xFFFFFF00 }, expect: { regs: { eax: 0xFFFFFF01 } } },
  { family: 'data', name: 'xlatb', code: [0xD7], regs: { eax: 3, ebx: DATA }, bytes: [[0, [0, 0, 0, 0x99]]], expect: { regs: { eax: 0x99 } } },
  { family: 'data', name: 'lea eax, [ebx+ecx*4+0x10]', code: [0x8D, 0x44, 0x8B, 0x10],
    regs: { ebx: 0x1000, ecx: 3 }, expect: { regs: { eax: 0x101C } } },
  { family: 'data', name: 'cdq', code: [0x99], regs: { eax: 0x80000000 }, expect: { regs: { edx: 0xFFFFFFFF } } },
  { family: 'data', name: 'cwde', code: [0x98], regs: { eax: 0x12348000 }, expect: { regs: { eax: 0xFFFF8000 } } },
  { family: 'data', name: 'xchg [ebx], eax', code: [0x87, 0x03],
    regs: { eax: 1, ebx: DATA }, mem: [[0, [2]]], expect: { regs: { eax: 2 }, mem: [[0, [1]]] } },

  // ---- stack ----
  { family: 'stack', name: 'pushad', code: [0x60],
    regs: { eax: 1, ecx: 2, edx: 3, ebx: 4, ebp: 6, esi: 7, edi: 8 },
    expect: { regs: { esp: KSTACK_TOP - 32 }, mem: [[KSTACK_TOP - 32 - DATA, [8, 7, 6, KSTACK_TOP, 4, 3, 2, 1]]] } },
  { family: 'stack', name: 'pushad; popad', code: [0x60, 0x61],
    regs: { eax: 1, ecx: 2, edx: 3, ebx: 4, ebp: 6, esi: 7, edi: 8 },
    expect: { regs: { eax: 1, ecx: 2, edx: 3, ebx: 4, esp: KSTACK_TOP, ebp: 6, esi: 7, edi: 8 } } },
  { family: 'stack', name: 'enter 8, 0', code: [0xC8, 0x08, 0x00, 0x00],
    regs: { ebp: 0x1234 }, expect: { regs: { ebp: KSTACK_TOP - 4, esp: KSTACK_TOP - 12 }, mem: [[KSTACK_TOP - 4 - DATA, [0x1234]]] } },
  { family: 'stack', name: 'enter 16, 1 (pushes the frame pointer once more)', code: [0xC8, 0x10, 0x00, 0x01],
    regs: { ebp: 0x1234 },
    expect: { regs: { ebp: KSTACK_TOP - 4, esp: KSTACK_TOP - 24 }, mem: [[KSTACK_TOP - 8 - DATA, [KSTACK_TOP - 4, 0x1234]]] } },
  { family: 'stack', name: 'enter 8, 0; leave', code: [0xC8, 0x08, 0x00, 0x00, 0xC9],
    regs: { ebp: 0x1234 }, expect: { regs: { ebp: 0x1234, esp: KSTACK_TOP } } },
  { family: 'stack', name: 'push dword [ebx]; pop dword [ebx+4]', code: [0xFF, 0x33, 0x8F, 0x43, 0x04],
    regs: { ebx: DATA }, mem: [[0, [0xABCD, 0]]], expect: { mem: [[0, [0xABCD, 0xABCD]]], regs: { esp: KSTACK_TOP } } },
  { family: 'stack', name: 'push -1 (imm8 sign-extended)', code: [0x6A, 0xFF],
    expect: { regs: { esp: KSTACK_TOP - 4 }, mem: [[KSTACK_TOP - 4 - DATA, [0xFFFFFFFF]]] } },
  { family: 'stack', name: 'push 0x12345678; pop esp', code: [0x68, 0x78, 0x56, 0x34, 0x12, 0x5C],
    expect: { regs: { esp: 0x12345678 } } },

  { family: 'stack', name: 'push 0x11; push 0x22; pop dword [esp] (address computed after the pop)', code: [0x6A, 0x11, 0x6A, 0x22, 0x8F, 0x04, 0x24],
    expect: { regs: { esp: KSTACK_TOP - 4 }, mem: [[KSTACK_TOP - 4 - DATA, [0x22]]] } },
  { family: 'stack', name: 'push esp (the value before the push)', code: [0x54],
    expect: { regs: { esp: KSTACK_TOP - 4 }, mem: [[KSTACK_TOP - 4 - DATA, [KSTACK_TOP]]] } },
  { family: 'stack', name: 'enter 16, 2 (copies one outer frame pointer)', code: [0xC8, 0x10, 0x00, 0x02],
    regs: { ebp: DATA + 0x40 }, mem: [[0x3C, [0xAAAA]]],
    expect: { regs: { ebp: KSTACK_TOP - 4, esp: KSTACK_TOP - 28 }, mem: [[KSTACK_TOP - 12 - DATA, [KSTACK_TOP - 4, 0xAAAA, DATA + 0x40]]] } },

  // ---- string ----
  { family: 'string', name: 'rep movsd', code: [0xF3, 0xA5],
    regs: { esi: DATA, edi: DATA + 0x100, ecx: 3 }, mem: [[0, [1, 2, 3, 4]]],
    expect: { mem: [[0x100, [1, 2, 3, 0]]], regs: { ecx: 0, esi: DATA + 12, edi: DATA + 0x10C } } },
  { family: 'string', name: 'rep stosb', code: [0xF3, 0xAA],
    regs: { eax: 0xAB, edi: DATA, ecx: 5 }, expect: { bytes: [[0, [0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0]]], regs: { ecx: 0, edi: DATA + 5 } } },
  { family: 'string', name: 'repne scasb', code: [0xF2, 0xAE],
    regs: { eax: 0x42, edi: DATA, ecx: 10 }, bytes: [[0, [1, 2, 3, 0x42, 5]]],
    expect: { regs: { ecx: 6, edi: DATA + 4 }, flags: [Z, Z] } },
  { family: 'string', name: 'cmpsd', code: [0xA7],
    regs: { esi: DATA, edi: DATA + 4 }, mem: [[0, [5, 7]]],
    expect: { regs: { esi: DATA + 4, edi: DATA + 8 }, flags: [S | Z | C, S | C] } },
  { family: 'string', name: 'std; lodsd', code: [0xFD, 0xAD],
    regs: { esi: DATA + 8 }, mem: [[8, [0x600D]]], expect: { regs: { eax: 0x600D, esi: DATA + 4 } } },

  // ---- control ----
  { family: 'control', name: 'push 0x55; call fn; jmp $; fn: ret 4', code: [0x6A, 0x55, 0xE8, 0x02, 0x00, 0x00, 0x00, 0xEB, 0xFE, 0xC2, 0x04, 0x00],
    expect: { regs: { esp: KSTACK_TOP } } },
  { family: 'control', name: 'mov ecx, 5; l: inc eax; loop l', code: [0xB9, 0x05, 0x00, 0x00, 0x00, 0x40, 0xE2, 0xFD],
    expect: { regs: { eax: 5, ecx: 0 } } },
  { family: 'control', name: 'jecxz +2 (ECX = 0: taken); inc eax; inc eax', code: [0xE3, 0x02, 0x40, 0x40],
    expect: { regs: { eax: 0 } } },
  { family: 'control', name: 'jecxz +2 (ECX = 1: not taken); inc eax; inc eax', code: [0xE3, 0x02, 0x40, 0x40],
    regs: { ecx: 1 }, expect: { regs: { eax: 2 } } },
  { family: 'control', name: 'cmp eax, ebx; jg +1; inc ecx', code: [0x39, 0xD8, 0x7F, 0x01, 0x41],
    regs: { eax: 5, ebx: -3 >>> 0 }, expect: { regs: { ecx: 0 } } },
  { family: 'control', name: 'jmp dword [ebx]', code: [0xFF, 0x23, 0x40],
    regs: { ebx: DATA }, mem: [[0, [CODE + 3]]], expect: { regs: { eax: 0 } } },
  { family: 'control', name: 'call eax', code: [0xFF, 0xD0],
    regs: { eax: CODE + 2 }, expect: { regs: { esp: KSTACK_TOP - 4 }, mem: [[KSTACK_TOP - 4 - DATA, [CODE + 2]]] } },

  // ---- flag ----
  { family: 'flag', name: 'stc; cmc', code: [0xF9, 0xF5], expect: { flags: [C, 0] } },
  { family: 'flag', name: 'sahf', code: [0x9E], regs: { eax: 0xD500 }, expect: { flags: [0xFF, 0xD7] } },
  { family: 'flag', name: 'lahf', code: [0x9F], eflags: 0x8D7, expect: { regs: { eax: 0xD700 } } },
  { family: 'flag', name: 'std; cld', code: [0xFD, 0xFC], eflags: 0x2, expect: { flags: [0x400, 0] } },
  { family: 'flag', name: 'cli; sti at CPL 0', code: [0xFA, 0xFB], expect: { flags: [0x200, 0x200] } },

  // ---- io, system, segment, x87, misc (more in the files for each) ----
  { family: 'io', name: 'out 0x80, al', code: [0xE6, 0x80], regs: { eax: 0x1F },
    expect: { io: [{ dir: 'out', port: 0x80, size: 1, value: 0x1F }] } },
  { family: 'system', name: 'cpuid (leaf 0)', code: [0x0F, 0xA2], expect: { regs: { eax: 1, ebx: 0x756E6547 } } },
  { family: 'segment', name: 'mov ecx, ds (zero-extended)', code: [0x8C, 0xD9], regs: { ecx: 0xFFFFFFFF },
    expect: { regs: { ecx: KDATA } } },
  { family: 'segment', name: 'mov [ebx], ds (writes 16 bits)', code: [0x8C, 0x1B], regs: { ebx: DATA },
    mem: [[0, [0xFFFFFFFF]]], expect: { mem: [[0, [0xFFFF0000 | KDATA]]] } },
  { family: 'segment', name: 'mov ds, ax', code: [0x8E, 0xD8], regs: { eax: KCODE }, expect: {} },
  { family: 'x87', name: 'fwait with CR0.TS and CR0.MP: #NM', code: [0x9B], expect: { vector: NM, faultAt: 0 } },
  { family: 'misc', name: 'nop dword [eax] (no memory access)', code: [0x0F, 0x1F, 0x00],
    regs: { eax: 0xFFFFFFF0 }, expect: { regs: { eax: 0xFFFFFFF0 } } },
  { family: 'misc', name: 'pause', code: [0xF3, 0x90], expect: {} },
  { family: 'misc', name: 'ud2', code: [0x0F, 0x0B], expect: { vector: UD, faultAt: 0 } },
];

function runCase(c: Case): Machine {
  const m = new Machine();
  m.enterProtected({ eflags: c.eflags ?? 0x2 });
  if (c.family === 'x87') m.cpu.cr0 |= 0xA; // MP | TS
  for (const [name, v] of Object.entries(c.regs ?? {})) m.cpu.reg32[REG32_NAMES.indexOf(name as Reg)] = v;
  for (const [off, dwords] of c.mem ?? []) dwords.forEach((v, k) => m.w32(DATA + off + 4 * k, v));
  for (const [off, bytes] of c.bytes ?? []) m.write(DATA + off, bytes);
  m.write(CODE, [...c.code, 0xEB, 0xFE]); // … jmp $
  m.run(200);
  return m;
}

for (const c of CASES) {
  test(`${c.family}: ${c.name}`, () => {
    const m = runCase(c);
    const e = c.expect;
    if (e.vector !== undefined) {
      assert.ok(m.inHandler(e.vector), `expected vector ${e.vector}, got ${JSON.stringify(m.cpu.lastException)}`);
      assert.equal(m.stack(1)[0], CODE + (e.faultAt ?? 0));
    } else {
      assert.equal(m.cpu.lastException, undefined, `unexpected ${JSON.stringify(m.cpu.lastException)}`);
      assert.ok((m.cpu.eip >>> 0) >= CODE && (m.cpu.eip >>> 0) <= CODE + c.code.length, `EIP 0x${(m.cpu.eip >>> 0).toString(16)} ran away`);
    }
    for (const [name, v] of Object.entries(e.regs ?? {})) {
      assert.equal(m.cpu.reg32[REG32_NAMES.indexOf(name as Reg)] >>> 0, v >>> 0, name);
    }
    if (e.flags) assert.equal(m.cpu.getEflags() & e.flags[0], e.flags[1], `flags & 0x${e.flags[0].toString(16)}`);
    for (const [off, dwords] of e.mem ?? []) dwords.forEach((v, k) => assert.equal(m.r32(DATA + off + 4 * k), v >>> 0, `dword at DATA+0x${(off + 4 * k).toString(16)}`));
    for (const [off, bytes] of e.bytes ?? []) bytes.forEach((v, k) => assert.equal(m.r8(DATA + off + k), v, `byte at DATA+0x${(off + k).toString(16)}`));
    if (e.io) assert.deepEqual(m.env.io, e.io);
    if (c.name === 'mov ds, ax') assert.equal(m.cpu.segSel[DS], KCODE);
  });
}

test('every family of the instruction table has instruction tests here', () => {
  const tableFamilies = new Set(ISA.map((e) => e.family));
  const tested = new Set(CASES.map((c) => c.family));
  assert.deepEqual([...tableFamilies].filter((f) => !tested.has(f)).sort(), []);
});
