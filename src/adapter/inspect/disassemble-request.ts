// DAP disassemble: instructions around a memoryReference in the CPU's current code size, with symbols
// and source lines from the session's symbol tables; always exactly instructionCount entries.
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../../../engine/cpu/cpu.js';
import { listInstructions, MAX_LISTING, type CodeSymbols } from '../../../engine/debug/inspect/disassembly.js';
import { hex } from '../../../engine/debug/inspect/format.js';
import { RequestError } from '../session-feature.js';
import { requestLocation } from './memory-requests.js';

function integer(args: Record<string, unknown>, name: string, fallback?: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new RequestError(`disassemble: ${name} must be an integer`);
  return value;
}

export function disassembleRequest(cpu: Cpu, args: Record<string, unknown>, symbols: CodeSymbols | undefined): { instructions: DebugProtocol.DisassembledInstruction[] } {
  const count = integer(args, 'instructionCount');
  if (count < 0 || count > MAX_LISTING) throw new RequestError(`disassemble: instructionCount must be from 0 to ${MAX_LISTING}, not ${count}`);
  const instructionOffset = integer(args, 'instructionOffset', 0);
  if (Math.abs(instructionOffset) > 0x10000) throw new RequestError('disassemble: instructionOffset is too far (at most 65536 instructions)');
  const location = requestLocation('disassemble', args);
  const useSymbols = args.resolveSymbols === false ? undefined : symbols;
  const listing = listInstructions(cpu, { location, instructionOffset, count, symbols: useSymbols });
  return {
    instructions: listing.map((i): DebugProtocol.DisassembledInstruction => {
      const out: DebugProtocol.DisassembledInstruction = {
        address: hex(i.address),
        instructionBytes: i.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' '),
        instruction: i.text,
      };
      if (i.invalid) out.presentationHint = 'invalid';
      if (i.symbol) out.symbol = i.symbol;
      if (i.source) {
        out.location = { name: i.source.file.split(/[\\/]/).pop(), path: i.source.file };
        out.line = i.source.line;
        if (i.source.column > 0) out.column = i.source.column;
      }
      return out;
    }),
  };
}
