// QEMU's debug devices: debugcon (port 0xE9, bytes written are printed; reads return 0xE9 so guests
// can detect it) and isa-debug-exit (port 0xF4; writing v ends the run with status (v << 1) | 1).
import type { PortHandler } from './io-bus.js';

export class DebugCon implements PortHandler {
  constructor(private readonly sink: (byte: number) => void) {}
  read(): number { return 0xE9; }
  write(_offset: number, _size: 1 | 2 | 4, value: number): void { this.sink(value & 0xFF); }
  saveState(): object { return {}; }
  loadState(): void {}
}

export class DebugExit implements PortHandler {
  constructor(private readonly onExit: (status: number, value: number) => void) {}
  read(): number { return 0xFF; }
  write(_offset: number, size: 1 | 2 | 4, value: number): void {
    const v = size === 1 ? value & 0xFF : size === 2 ? value & 0xFFFF : value >>> 0;
    this.onExit(((v << 1) | 1) & 0xFF, v);
  }
  saveState(): object { return {}; }
  loadState(): void {}
}
