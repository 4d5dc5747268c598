// INT 10h: the video services boot loaders use on an 80×25 colour text screen — teletype output
// (AH=0Eh), set mode (00h), cursor shape/position (01h/02h/03h), scroll up (06h), write character
// (09h/0Ah) and get mode (0Fh). Characters go to the VGA text buffer at 0xB8000, and teletype output
// is echoed to COM1 so a headless run shows it. The cursor lives in the BIOS data area, as on a PC.
import type { BiosCall } from './call.js';
import type { BiosMachine } from './machine.js';
import { BDA } from './data-area.js';

const TEXT_BASE = 0xB8000, COLUMNS = 80, ROWS = 25, DEFAULT_ATTR = 0x07;
const CRTC_INDEX = 0x3D4, CRTC_DATA = 0x3D5;
const COM1 = 0x3F8, COM1_LCR = 0x3FB, LCR_DLAB = 0x80;

export class BiosVideo {
  constructor(private readonly m: BiosMachine) {}

  handle(c: BiosCall): void {
    switch (c.ah) {
      case 0x00: this.setMode(c.al & 0x7F, (c.al & 0x80) === 0); c.al = 0x30; break;
      case 0x01: this.m.memory.write16(BDA.cursorShape, c.cx); break;
      case 0x02: this.setCursor(c.dh, c.dl); break;
      case 0x03: c.dh = this.row; c.dl = this.column; c.cx = this.m.memory.read16(BDA.cursorShape); break;
      case 0x06: this.scroll(c.al, c.bh, c.ch, c.cl, c.dh, c.dl); break;
      case 0x08: {
        const at = this.cellAddress(this.row, this.column);
        c.al = this.m.memory.read8(at); c.ah = this.m.memory.read8(at + 1);
        break;
      }
      case 0x09: case 0x0A: this.writeRepeated(c.al, c.ah === 0x09 ? c.bl : undefined, c.cx); break;
      case 0x0E: this.teletype(c.al); break;
      case 0x0F: c.al = this.m.memory.read8(BDA.videoMode); c.ah = COLUMNS; c.bh = 0; break;
      default: break; // unsupported functions return with registers unchanged
    }
  }

  /** Clears the screen (unless asked not to) and homes the cursor; only text mode 3 is modelled. */
  setMode(mode: number, clear = true): void {
    const mem = this.m.memory;
    mem.write8(BDA.videoMode, mode === 7 ? 7 : 3);
    mem.write16(BDA.columns, COLUMNS);
    mem.write8(BDA.rowsMinusOne, ROWS - 1);
    mem.write16(BDA.crtcPort, CRTC_INDEX);
    mem.write16(BDA.cursorShape, 0x0607);
    if (clear) for (let i = 0; i < COLUMNS * ROWS; i++) mem.write16(TEXT_BASE + i * 2, DEFAULT_ATTR << 8 | 0x20);
    this.setCursor(0, 0);
  }

  /** Teletype output: CR, LF, BS and BEL are controls; the screen scrolls at the bottom. */
  teletype(ch: number): void {
    this.echo(ch);
    let row = this.row, col = this.column;
    switch (ch) {
      case 0x0D: col = 0; break;
      case 0x0A: row++; break;
      case 0x08: if (col > 0) col--; break;
      case 0x07: return;
      default:
        this.m.memory.write8(this.cellAddress(row, col), ch);
        if (++col >= COLUMNS) { col = 0; row++; }
    }
    if (row >= ROWS) { this.scroll(1, DEFAULT_ATTR, 0, 0, ROWS - 1, COLUMNS - 1); row = ROWS - 1; }
    this.setCursor(row, col);
  }

  private writeRepeated(ch: number, attr: number | undefined, count: number): void {
    let at = this.cellAddress(this.row, this.column);
    const end = TEXT_BASE + COLUMNS * ROWS * 2;
    for (let i = 0; i < count && at < end; i++, at += 2) {
      this.m.memory.write8(at, ch);
      if (attr !== undefined) this.m.memory.write8(at + 1, attr);
    }
  }

  /** Scrolls the window (top,left)–(bottom,right) up by lines (0: clear it), filling with attr. */
  private scroll(lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    const mem = this.m.memory;
    bottom = Math.min(bottom, ROWS - 1); right = Math.min(right, COLUMNS - 1);
    const height = bottom - top + 1;
    if (lines === 0 || lines > height) lines = height;
    for (let r = top; r <= bottom; r++) {
      for (let col = left; col <= right; col++) {
        const from = r + lines;
        const cell = from <= bottom ? mem.read16(this.cellAddress(from, col)) : (attr << 8) | 0x20;
        mem.write16(this.cellAddress(r, col), cell);
      }
    }
  }

  private echo(ch: number): void {
    if (this.m.io.read(COM1_LCR, 1) & LCR_DLAB) return;  // the guest is programming the divisor
    this.m.io.write(COM1, 1, ch);
  }

  private cellAddress(row: number, col: number): number { return TEXT_BASE + (row * COLUMNS + col) * 2; }
  private get row(): number { return this.m.memory.read8(BDA.cursor + 1); }
  private get column(): number { return this.m.memory.read8(BDA.cursor); }

  private setCursor(row: number, col: number): void {
    this.m.memory.write8(BDA.cursor, col);
    this.m.memory.write8(BDA.cursor + 1, row);
    const pos = Math.min(row, ROWS - 1) * COLUMNS + Math.min(col, COLUMNS - 1);
    this.m.io.write(CRTC_INDEX, 1, 0x0E); this.m.io.write(CRTC_DATA, 1, pos >> 8);
    this.m.io.write(CRTC_INDEX, 1, 0x0F); this.m.io.write(CRTC_DATA, 1, pos & 0xFF);
  }
}
