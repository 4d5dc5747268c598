// Assigning to a variable from the Variables view or a watch: the new value is an expression, its
// result converted to the target's C type and written to the target's memory (linear or physical).
// Registers are the inspection scopes' business; a value without a place cannot be assigned.
import type { Cpu } from '../cpu/cpu.js';
import { evaluate, isTrue } from './expression/evaluator.js';
import { ExpressionError } from './expression/lexer.js';
import { parseExpression } from './expression/parser.js';
import { byteSize, describeType, fitBits, floatValue, isFloat, isIntegral, scalarBits, type EvalEnvironment, type Value } from './expression/value.js';
import { resolveType } from './dwarf/types.js';
import { DW_ATE } from './dwarf/constants.js';
import { GuestMemoryError, writeGuest } from './machine/guest-memory-view.js';

/** Writes the value of text to target; throws ExpressionError naming the problem. */
export function assignValue(cpu: Cpu, target: Value, text: string, env: EvalEnvironment): void {
  if (!target.place || target.place.space === 'register') {
    throw new ExpressionError(target.place ? 'registers are set in the Registers scope' : 'this value is not stored anywhere, so it cannot be set');
  }
  const size = byteSize(target.type);
  if (size === undefined || size > 8) throw new ExpressionError(`cannot assign a whole ${describeType(target.type)}; set its members`);
  const value = evaluate(parseExpression(text, (n) => env.findType(n) !== undefined && env.lookup(n) === undefined), env);
  const bytes = new Uint8Array(size);
  const r = resolveType(target.type);
  if (isFloat(target.type)) {
    const view = new DataView(bytes.buffer);
    if (size === 4) view.setFloat32(0, floatValue(value, env), true); else view.setFloat64(0, floatValue(value, env), true);
  } else if (isIntegral(target.type)) {
    let bits = r.kind === 'base' && r.encoding === DW_ATE.boolean ? (isTrue(value, env) ? 1n : 0n) : scalarBits(value, env);
    bits = fitBits(bits, size, false);
    for (let k = 0; k < size; k++) { bytes[k] = Number(bits & 0xFFn); bits >>= 8n; }
  } else {
    throw new ExpressionError(`cannot assign to a ${describeType(target.type)}`);
  }
  try {
    writeGuest(cpu, target.place.space, target.place.address, bytes);
  } catch (error) {
    if (error instanceof GuestMemoryError) throw new ExpressionError(error.message);
    throw error;
  }
}
