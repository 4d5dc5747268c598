// DWARF expressions (DW_OP_*): a decoder into operations with operands, a printer
// ("DW_OP_fbreg -20"), and a stack machine that evaluates a location description against registers
// and memory supplied by the caller. Values are unsigned integers of the address size (generic type);
// signed operations reinterpret them. Loops through DW_OP_bra/skip are bounded.
import { DW_OP, opName } from './constants.js';
import { DwarfError, hexOf } from './error.js';
import { DwarfReader, type Section } from './reader.js';

export type Operand = number | bigint | Uint8Array;

export interface Operation {
  op: number;            // DW_OP_*
  offset: number;        // byte offset of the opcode within the expression
  operands: Operand[];
}

/** What the evaluator may read from the stopped program. */
export interface ExpressionContext {
  addressSize?: number;                                    // default 4
  /** A DWARF register (for x86: 0 eax, 1 ecx, 2 edx, 3 ebx, 4 esp, 5 ebp, 6 esi, 7 edi, 8 eip, 9 eflags). */
  readRegister?(reg: number): number | bigint;
  /** size bytes of memory at address as a little-endian unsigned integer. */
  readMemory?(address: number, size: number): number | bigint;
  /** The value DW_AT_frame_base computes (DW_OP_fbreg adds its operand to it). */
  frameBase?(): number | bigint;
  /** The canonical frame address (DW_OP_call_frame_cfa). */
  callFrameCfa?(): number | bigint;
  /** .debug_addr lookups for DW_OP_addrx/constx. */
  indexedAddress?(index: number): number;
  /** Added to DW_OP_addr/addrx operands: the image's load bias. */
  bias?: number;
  /** Values pushed before the first operation (DW_CFA_expression pushes the CFA). */
  initialStack?: (number | bigint)[];
  /** DW_OP_push_object_address. */
  objectAddress?: number | bigint;
  /**
   * The base type a typed operation names (DW_OP_deref_type, convert, const_type, regval_type,
   * reinterpret): offset is relative to the unit, as in the expression.
   */
  baseType?(offset: number): BaseType;
}

/** Size and signedness of a DWARF base type used by typed stack operations. */
export interface BaseType { size: number; signed: boolean }

/** Where an object lives (or what its value is). */
export type Location =
  | { kind: 'memory'; address: number }
  | { kind: 'register'; reg: number }
  | { kind: 'value'; value: bigint }                  // DW_OP_stack_value: the value itself
  | { kind: 'implicit'; bytes: Uint8Array }           // DW_OP_implicit_value
  | { kind: 'implicitPointer'; die: number; offset: number } // pointer to an optimised-out object
  | { kind: 'empty'; reason?: string }                // no location: optimised out (reason: why it cannot be found)
  | { kind: 'pieces'; pieces: Piece[] };

export interface Piece {
  sizeBits: number;
  bitOffset: number;          // DW_OP_bit_piece offset (0 for DW_OP_piece)
  location: Exclude<Location, { kind: 'pieces' }>;
}

export interface ExpressionOptions {
  /** Names the origin in errors, e.g. ".debug_info" with the attribute's offset. */
  section?: string;
  offset?: number;
  file?: string;
  /** Limit on executed operations (DW_OP_bra can loop). */
  maxSteps?: number;
}

const exprSection = (expr: Uint8Array, opts: ExpressionOptions): Section =>
  ({ name: opts.section ?? 'DWARF expression', bytes: expr, file: opts.file });

/** Decodes an expression into operations (throws on unknown opcodes and truncated operands). */
export function decodeExpression(expr: Uint8Array, addressSize = 4, opts: ExpressionOptions = {}, is64 = false): Operation[] {
  const r = new DwarfReader(exprSection(expr, opts));
  const base = opts.offset ?? 0;
  const out: Operation[] = [];
  try {
    while (!r.atEnd) {
      const offset = r.pos;
      const op = r.u8();
      out.push({ op, offset, operands: readOperands(r, op, addressSize, is64) });
    }
  } catch (e) {
    if (e instanceof DwarfError && base) throw new DwarfError(e.section, e.offset + base, e.problem, opts.file);
    throw e;
  }
  return out;
}

function readOperands(r: DwarfReader, op: number, addressSize: number, is64: boolean): Operand[] {
  if (op >= DW_OP.lit0 && op <= DW_OP.lit31) return [];
  if (op >= DW_OP.reg0 && op <= DW_OP.reg31) return [];
  if (op >= DW_OP.breg0 && op <= DW_OP.breg31) return [r.slebBig()];
  switch (op) {
    case DW_OP.addr: return [r.address(addressSize)];
    case DW_OP.deref: case DW_OP.dup: case DW_OP.drop: case DW_OP.over: case DW_OP.swap: case DW_OP.rot:
    case DW_OP.xderef: case DW_OP.abs: case DW_OP.and: case DW_OP.div: case DW_OP.minus: case DW_OP.mod:
    case DW_OP.mul: case DW_OP.neg: case DW_OP.not: case DW_OP.or: case DW_OP.plus: case DW_OP.shl:
    case DW_OP.shr: case DW_OP.shra: case DW_OP.xor: case DW_OP.eq: case DW_OP.ge: case DW_OP.gt:
    case DW_OP.le: case DW_OP.lt: case DW_OP.ne: case DW_OP.nop: case DW_OP.push_object_address:
    case DW_OP.form_tls_address: case DW_OP.call_frame_cfa: case DW_OP.stack_value:
    case DW_OP.GNU_push_tls_address: case DW_OP.GNU_uninit:
      return [];
    case DW_OP.const1u: return [BigInt(r.u8())];
    case DW_OP.const1s: return [BigInt(r.i8())];
    case DW_OP.const2u: return [BigInt(r.u16())];
    case DW_OP.const2s: return [BigInt(r.i16())];
    case DW_OP.const4u: return [BigInt(r.u32())];
    case DW_OP.const4s: return [BigInt(r.i32())];
    case DW_OP.const8u: return [r.u64Big()];
    case DW_OP.const8s: return [r.i64Big()];
    case DW_OP.constu: case DW_OP.plus_uconst: return [r.ulebBig()];
    case DW_OP.consts: case DW_OP.fbreg: return [r.slebBig()];
    case DW_OP.pick: case DW_OP.deref_size: case DW_OP.xderef_size: return [r.u8()];
    case DW_OP.bra: case DW_OP.skip: return [r.i16()];
    case DW_OP.regx: case DW_OP.piece: case DW_OP.addrx: case DW_OP.constx: case DW_OP.convert:
    case DW_OP.reinterpret: case DW_OP.GNU_addr_index: case DW_OP.GNU_const_index:
      return [r.uleb()];
    case DW_OP.bregx: return [r.uleb(), r.slebBig()];
    case DW_OP.bit_piece: return [r.uleb(), r.uleb()];
    case DW_OP.call2: return [r.u16()];
    case DW_OP.call4: case DW_OP.GNU_parameter_ref: return [r.u32()];
    case DW_OP.call_ref: case DW_OP.GNU_variable_value: return [r.offset(is64)];
    case DW_OP.implicit_value: return [r.block(r.uleb(), 'DW_OP_implicit_value block')];
    case DW_OP.implicit_pointer: case DW_OP.GNU_implicit_pointer: return [r.offset(is64), r.slebBig()];
    case DW_OP.entry_value: case DW_OP.GNU_entry_value: return [r.block(r.uleb(), 'DW_OP_entry_value block')];
    case DW_OP.const_type: { const type = r.uleb(); return [type, r.block(r.u8(), 'DW_OP_const_type value')]; }
    case DW_OP.regval_type: return [r.uleb(), r.uleb()];
    case DW_OP.deref_type: case DW_OP.xderef_type: return [r.u8(), r.uleb()];
    default: throw r.error(`unknown DWARF expression operation ${hexOf(op)}`, r.pos - 1);
  }
}

/** Reads like "DW_OP_fbreg -20", "DW_OP_addr 0x804a020; DW_OP_deref". */
export function describeExpression(expr: Uint8Array, addressSize = 4): string {
  return decodeExpression(expr, addressSize).map((o) => {
    const args = o.operands.map((v) => v instanceof Uint8Array
      ? `[${Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`
      : (o.op === DW_OP.addr ? hexOf(v as number) : String(v)));
    return [opName(o.op), ...args].join(' ');
  }).join('; ');
}

/** True when the expression is a single DW_OP_fbreg (the usual -O0 local variable). */
export function isFrameBaseRelative(expr: Uint8Array): boolean {
  return expr.length > 0 && expr[0] === DW_OP.fbreg;
}

/** Evaluates a location description; a plain expression's result is a memory address. */
export function evaluateLocation(expr: Uint8Array, ctx: ExpressionContext, opts: ExpressionOptions = {}): Location {
  if (expr.length === 0) return { kind: 'empty' };
  return new Machine(expr, ctx, opts).run();
}

/** Evaluates a DWARF expression to the value left on top of the stack (DW_CFA_def_cfa_expression, DW_AT_frame_base). */
export function evaluateValue(expr: Uint8Array, ctx: ExpressionContext, opts: ExpressionOptions = {}): bigint {
  const m = new Machine(expr, ctx, opts);
  const loc = m.run();
  switch (loc.kind) {
    case 'memory': return m.top ?? BigInt(loc.address);
    case 'value': return loc.value;
    case 'register': return m.register(loc.reg, 0);
    default: throw m.fail(`expression does not compute a value (it describes a ${loc.kind} location)`, 0);
  }
}

/** A stack entry: a value and its type (undefined: the generic type, an address-sized integer). */
interface Entry { v: bigint; t?: BaseType }

class Machine {
  private readonly size: number;
  private readonly ops: Operation[];
  private readonly stack: Entry[] = [];
  /** The value on top of the stack when the expression ended with a plain (memory) result. */
  top: bigint | undefined;

  constructor(private readonly expr: Uint8Array, private readonly ctx: ExpressionContext, private readonly opts: ExpressionOptions) {
    this.size = ctx.addressSize ?? 4;
    this.ops = decodeExpression(expr, this.size, opts);
    for (const v of ctx.initialStack ?? []) this.stack.push({ v: this.wrap(BigInt(v)) });
  }

  fail(problem: string, at: number): DwarfError {
    return new DwarfError(this.opts.section ?? 'DWARF expression', (this.opts.offset ?? 0) + at, problem, this.opts.file);
  }

  private bits(t?: BaseType): bigint { return BigInt((t ? t.size : this.size) * 8); }
  private wrap(v: bigint, t?: BaseType): bigint { return BigInt.asUintN(Number(this.bits(t)), v); }
  private signed(e: Entry): bigint { return BigInt.asIntN(Number(this.bits(e.t)), e.v); }
  /** Generic values compare and divide as signed; typed ones by their type. */
  private isSigned(e: Entry): boolean { return e.t ? e.t.signed : true; }
  private toNumber(v: bigint): number { return Number(BigInt.asUintN(this.size * 8, v)); }

  register(reg: number, at: number): bigint {
    if (!this.ctx.readRegister) throw this.fail(`register ${reg} is needed but no registers are available`, at);
    return this.wrap(BigInt(this.ctx.readRegister(reg)));
  }

  private memory(address: bigint, size: number, at: number): bigint {
    if (!this.ctx.readMemory) throw this.fail('memory is needed but cannot be read here', at);
    if (size < 1 || size > 8) throw this.fail(`dereference size ${size} is not between 1 and 8`, at);
    return BigInt.asUintN(size * 8, BigInt(this.ctx.readMemory(this.toNumber(address), size)));
  }

  private baseType(offset: number, op: number, at: number): BaseType | undefined {
    if (offset === 0) return undefined; // the generic type
    if (!this.ctx.baseType) throw this.fail(`${opName(op)} needs the base type at unit offset ${hexOf(offset)}, but no type information is available here`, at);
    const t = this.ctx.baseType(offset);
    if (t.size < 1 || t.size > 16) throw this.fail(`${opName(op)}: base type at unit offset ${hexOf(offset)} has unsupported size ${t.size}`, at);
    return t;
  }

  private pop(at: number, op: number): Entry {
    const e = this.stack.pop();
    if (e === undefined) throw this.fail(`${opName(op)} needs a value but the stack is empty`, at);
    return e;
  }

  private need(n: number, at: number, op: number): void {
    if (this.stack.length < n) throw this.fail(`${opName(op)} needs ${n} values but the stack holds ${this.stack.length}`, at);
  }

  private push(v: bigint, t?: BaseType): void { this.stack.push({ v: this.wrap(v, t), t }); }

  run(): Location {
    const ops = this.ops;
    const byOffset = new Map<number, number>();
    ops.forEach((o, k) => byOffset.set(o.offset, k));
    const maxSteps = this.opts.maxSteps ?? 100_000;
    const pieces: Piece[] = [];
    let pending: Location | undefined; // reg/implicit/value location waiting for a piece or the end
    let steps = 0;
    let pc = 0;
    const jump = (o: Operation, delta: number): number => {
      const target = o.offset + 3 + delta;
      if (target === this.expr.length) return ops.length;
      const k = byOffset.get(target);
      if (k === undefined) throw this.fail(`${opName(o.op)} jumps to ${hexOf(target)}, which is not the start of an operation`, o.offset);
      return k;
    };
    while (pc < ops.length) {
      if (++steps > maxSteps) throw this.fail(`expression did not finish within ${maxSteps} operations (a DW_OP_bra loop?)`, ops[pc].offset);
      const o = ops[pc++];
      const { op, offset: at } = o;
      const arg = o.operands;
      if (pending && op !== DW_OP.piece && op !== DW_OP.bit_piece) {
        throw this.fail(`${opName(op)} follows a register or implicit location; only DW_OP_piece may`, at);
      }
      if (op >= DW_OP.lit0 && op <= DW_OP.lit31) { this.push(BigInt(op - DW_OP.lit0)); continue; }
      if (op >= DW_OP.reg0 && op <= DW_OP.reg31) { pending = { kind: 'register', reg: op - DW_OP.reg0 }; continue; }
      if (op >= DW_OP.breg0 && op <= DW_OP.breg31) {
        this.push(this.register(op - DW_OP.breg0, at) + (arg[0] as bigint));
        continue;
      }
      switch (op) {
        case DW_OP.addr: this.push(BigInt(arg[0] as number) + BigInt(this.ctx.bias ?? 0)); break;
        case DW_OP.addrx: case DW_OP.constx: case DW_OP.GNU_addr_index: case DW_OP.GNU_const_index: {
          if (!this.ctx.indexedAddress) throw this.fail(`${opName(op)} needs .debug_addr, which is not available here`, at);
          const v = BigInt(this.ctx.indexedAddress(arg[0] as number));
          const isAddress = op === DW_OP.addrx || op === DW_OP.GNU_addr_index;
          this.push(isAddress ? v + BigInt(this.ctx.bias ?? 0) : v);
          break;
        }
        case DW_OP.const1u: case DW_OP.const1s: case DW_OP.const2u: case DW_OP.const2s: case DW_OP.const4u:
        case DW_OP.const4s: case DW_OP.const8u: case DW_OP.const8s: case DW_OP.constu: case DW_OP.consts:
          this.push(arg[0] as bigint); break;
        case DW_OP.dup: this.need(1, at, op); this.stack.push(this.stack[this.stack.length - 1]); break;
        case DW_OP.drop: this.pop(at, op); break;
        case DW_OP.over: this.need(2, at, op); this.stack.push(this.stack[this.stack.length - 2]); break;
        case DW_OP.pick: {
          const k = arg[0] as number;
          if (k >= this.stack.length) throw this.fail(`DW_OP_pick ${k} but the stack holds ${this.stack.length} values`, at);
          this.stack.push(this.stack[this.stack.length - 1 - k]);
          break;
        }
        case DW_OP.swap: { this.need(2, at, op); const a = this.pop(at, op), b = this.pop(at, op); this.stack.push(a, b); break; }
        case DW_OP.rot: {
          this.need(3, at, op);
          const a = this.pop(at, op), b = this.pop(at, op), c = this.pop(at, op);
          this.stack.push(a, c, b); // the top moves to third place, the second becomes the top
          break;
        }
        case DW_OP.deref: this.push(this.memory(this.pop(at, op).v, this.size, at)); break;
        case DW_OP.deref_size: this.push(this.memory(this.pop(at, op).v, arg[0] as number, at)); break;
        case DW_OP.deref_type: {
          const size = arg[0] as number;
          const t = this.baseType(arg[1] as number, op, at) ?? { size, signed: false };
          this.push(this.memory(this.pop(at, op).v, size, at), t);
          break;
        }
        case DW_OP.regval_type: this.push(this.register(arg[0] as number, at), this.baseType(arg[1] as number, op, at)); break;
        case DW_OP.const_type: {
          const bytes = arg[1] as Uint8Array;
          let v = 0n;
          for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
          this.push(v, this.baseType(arg[0] as number, op, at));
          break;
        }
        case DW_OP.convert: case DW_OP.reinterpret: {
          const e = this.pop(at, op);
          const t = this.baseType(arg[0] as number, op, at);
          // convert keeps the numeric value (sign-extending signed sources); reinterpret keeps the bits
          this.push(op === DW_OP.convert && this.isSigned(e) && e.t ? this.signed(e) : e.v, t);
          break;
        }
        case DW_OP.abs: { const e = this.pop(at, op); const v = this.isSigned(e) ? this.signed(e) : e.v; this.push(v < 0n ? -v : v, e.t); break; }
        case DW_OP.neg: { const e = this.pop(at, op); this.push(-this.signed(e), e.t); break; }
        case DW_OP.not: { const e = this.pop(at, op); this.push(~e.v, e.t); break; }
        case DW_OP.plus_uconst: { const e = this.pop(at, op); this.push(e.v + (arg[0] as bigint), e.t); break; }
        case DW_OP.and: case DW_OP.or: case DW_OP.xor: case DW_OP.plus: case DW_OP.minus: case DW_OP.mul:
        case DW_OP.div: case DW_OP.mod: case DW_OP.shl: case DW_OP.shr: case DW_OP.shra:
        case DW_OP.eq: case DW_OP.ne: case DW_OP.lt: case DW_OP.le: case DW_OP.gt: case DW_OP.ge: {
          this.need(2, at, op);
          const b = this.pop(at, op), a = this.pop(at, op);
          this.binary(op, a, b, at);
          break;
        }
        case DW_OP.skip: pc = jump(o, arg[0] as number); break;
        case DW_OP.bra: if (this.pop(at, op).v !== 0n) pc = jump(o, arg[0] as number); break;
        case DW_OP.fbreg: {
          if (!this.ctx.frameBase) throw this.fail('DW_OP_fbreg needs the frame base (DW_AT_frame_base), which is not available here', at);
          this.push(BigInt(this.ctx.frameBase()) + (arg[0] as bigint));
          break;
        }
        case DW_OP.call_frame_cfa: {
          if (!this.ctx.callFrameCfa) throw this.fail('DW_OP_call_frame_cfa needs call frame information, which is not available here', at);
          this.push(BigInt(this.ctx.callFrameCfa()));
          break;
        }
        case DW_OP.regx: pending = { kind: 'register', reg: arg[0] as number }; break;
        case DW_OP.bregx: this.push(this.register(arg[0] as number, at) + (arg[1] as bigint)); break;
        case DW_OP.push_object_address:
          if (this.ctx.objectAddress === undefined) throw this.fail('DW_OP_push_object_address has no object here', at);
          this.push(BigInt(this.ctx.objectAddress));
          break;
        case DW_OP.nop: break;
        case DW_OP.stack_value: {
          if (pc < ops.length && ops[pc].op !== DW_OP.piece && ops[pc].op !== DW_OP.bit_piece) {
            throw this.fail('DW_OP_stack_value must end the expression or a piece', at);
          }
          pending = { kind: 'value', value: this.pop(at, op).v };
          break;
        }
        case DW_OP.implicit_value: pending = { kind: 'implicit', bytes: arg[0] as Uint8Array }; break;
        case DW_OP.implicit_pointer: case DW_OP.GNU_implicit_pointer:
          pending = { kind: 'implicitPointer', die: arg[0] as number, offset: Number(arg[1] as bigint) }; break;
        case DW_OP.piece: case DW_OP.bit_piece: {
          const sizeBits = op === DW_OP.piece ? (arg[0] as number) * 8 : arg[0] as number;
          const bitOffset = op === DW_OP.bit_piece ? arg[1] as number : 0;
          let location: Piece['location'];
          if (pending) location = pending as Piece['location'];
          else if (this.stack.length) location = { kind: 'memory', address: this.toNumber(this.pop(at, op).v) };
          else location = { kind: 'empty' };
          pieces.push({ sizeBits, bitOffset, location });
          pending = undefined;
          this.stack.length = 0;
          break;
        }
        case DW_OP.entry_value: case DW_OP.GNU_entry_value:
          // the value a register had when the function was entered: only the caller's call site
          // could tell, so the object is unavailable here (as optimised out)
          return { kind: 'empty', reason: `${opName(op)}: the value at function entry is not known` };
        default:
          throw this.fail(`${opName(op)} is not supported by this evaluator`, at);
      }
    }
    if (pieces.length) {
      if (pending) throw this.fail('expression ends with a location that is not followed by DW_OP_piece', this.expr.length);
      return { kind: 'pieces', pieces };
    }
    if (pending) return pending;
    if (this.stack.length === 0) throw this.fail('expression leaves the stack empty', this.expr.length);
    this.top = this.stack[this.stack.length - 1].v;
    return { kind: 'memory', address: this.toNumber(this.top) };
  }

  private binary(op: number, a: Entry, b: Entry, at: number): void {
    const t = a.t ?? b.t;
    const bits = this.bits(t);
    const isSigned = a.t ? this.isSigned(a) : this.isSigned(b);
    const sa = this.signed({ v: a.v, t }), sb = this.signed({ v: b.v, t });
    const ua = this.wrap(a.v, t), ub = this.wrap(b.v, t);
    const x = isSigned ? sa : ua, y = isSigned ? sb : ub;
    const bool = (c: boolean) => this.push(c ? 1n : 0n);
    switch (op) {
      case DW_OP.and: return this.push(ua & ub, t);
      case DW_OP.or: return this.push(ua | ub, t);
      case DW_OP.xor: return this.push(ua ^ ub, t);
      case DW_OP.plus: return this.push(ua + ub, t);
      case DW_OP.minus: return this.push(ua - ub, t);
      case DW_OP.mul: return this.push(ua * ub, t);
      case DW_OP.div:
        if (ub === 0n) throw this.fail('DW_OP_div by zero', at);
        return this.push(x / y, t); // truncates toward zero; signed for the generic type
      case DW_OP.mod:
        if (ub === 0n) throw this.fail('DW_OP_mod by zero', at);
        return this.push(t && t.signed ? sa % sb : ua % ub, t); // the generic type is unsigned here
      case DW_OP.shl: return this.push(ub >= bits ? 0n : ua << ub, t);
      case DW_OP.shr: return this.push(ub >= bits ? 0n : ua >> ub, t);
      case DW_OP.shra: return this.push(sa >> (ub >= bits ? bits - 1n : ub), t);
      case DW_OP.eq: return bool(x === y);
      case DW_OP.ne: return bool(x !== y);
      case DW_OP.lt: return bool(x < y);
      case DW_OP.le: return bool(x <= y);
      case DW_OP.gt: return bool(x > y);
      case DW_OP.ge: return bool(x >= y);
      default: throw this.fail(`${opName(op)} is not a binary operation`, at);
    }
  }
}

/** DWARF register numbers of i386 (System V psABI) and their names. */
export const X86_DWARF_REGISTERS: readonly string[] = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags'];
