// DAP readMemory and writeMemory over the debugger's guest-memory access: arguments checked with a
// message naming the bad one, linear or physical by memoryReference ("0x…" / "phys:0x…").
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Cpu } from '../../../engine/cpu/cpu.js';
import { MAX_MEMORY_REQUEST, readGuestMemory, writeGuestMemory } from '../../../engine/debug/inspect/memory-access.js';
import { parseMemoryReference } from '../../../engine/debug/inspect/memory-reference.js';
import { hex } from '../../../engine/debug/inspect/format.js';
import type { MemoryLocation } from '../../../engine/debug/inspect/node.js';
import { RequestError } from '../session-feature.js';

/** The start location of a request: memoryReference plus the optional byte offset. */
export function requestLocation(command: string, args: Record<string, unknown>): MemoryLocation {
  const parsed = parseMemoryReference(args.memoryReference);
  if (!parsed.ok) throw new RequestError(`${command}: ${parsed.error}`);
  const offset = args.offset ?? 0;
  if (typeof offset !== 'number' || !Number.isInteger(offset)) throw new RequestError(`${command}: offset must be an integer`);
  const address = parsed.location.address + offset;
  if (address < 0 || address > 0xFFFFFFFF) {
    throw new RequestError(`${command}: ${String(args.memoryReference)} ${offset < 0 ? '-' : '+'} ${Math.abs(offset)} is outside the 32-bit address space`);
  }
  return { space: parsed.location.space, address };
}

/** readMemory: the readable bytes (base64) and how many after them are unreadable. */
export function readMemoryRequest(cpu: Cpu, args: Record<string, unknown>): DebugProtocol.ReadMemoryResponse['body'] {
  const count = args.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RequestError('readMemory: count must be a non-negative integer');
  }
  if (count > MAX_MEMORY_REQUEST) {
    throw new RequestError(`readMemory: count ${count} is more than the ${MAX_MEMORY_REQUEST} bytes (1 MiB) one request may read`);
  }
  const location = requestLocation('readMemory', args);
  const read = readGuestMemory(cpu, location, count);
  if (!read.ok) throw new RequestError(`readMemory: ${read.error}`);
  return {
    address: hex(location.address), // DAP: a plain hex number (the space is the request's)
    data: Buffer.from(read.value.bytes.buffer, read.value.bytes.byteOffset, read.value.bytes.length).toString('base64'),
    unreadableBytes: read.value.unreadable || undefined,
  };
}

/** Decodes DAP base64 data, refusing text that is not base64. */
function decodeBase64(data: unknown): Uint8Array {
  if (typeof data !== 'string') throw new RequestError('writeMemory: data must be a base64 string');
  const compact = data.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new RequestError('writeMemory: data is not valid base64');
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** writeMemory: all bytes or none; returns the body and the range written (for the `memory` event). */
export function writeMemoryRequest(cpu: Cpu, args: Record<string, unknown>): { body: DebugProtocol.WriteMemoryResponse['body']; location: MemoryLocation; count: number } {
  const bytes = decodeBase64(args.data);
  if (bytes.length > MAX_MEMORY_REQUEST) {
    throw new RequestError(`writeMemory: ${bytes.length} bytes is more than the ${MAX_MEMORY_REQUEST} bytes (1 MiB) one request may write`);
  }
  const location = requestLocation('writeMemory', args);
  const written = writeGuestMemory(cpu, location, bytes);
  if (!written.ok) throw new RequestError(`writeMemory: ${written.error}`);
  return { body: { bytesWritten: written.value }, location, count: written.value };
}
