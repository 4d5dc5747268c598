// VGA in 80×25 colour text mode (BIOS mode 3): the 128 KiB memory window at 0xA0000 (text planes at
// 0xB8000–0xBFFFF; the graphics part reads as open bus), the CRTC (cursor shape and location, start
// address), misc output, input status 1 with a toggling retrace bit, sequencer/graphics/attribute/DAC
// registers kept for read-back, and a Unicode snapshot of the screen (CP437) for the debugger.
import type { PortHandler } from './io-bus.js';
import type { MmioHandler } from '../memory/guest-memory.js';

export const VGA_WINDOW_BASE = 0xA0000, VGA_WINDOW_SIZE = 0x20000;
export const VGA_TEXT_BASE = 0xB8000, VGA_TEXT_SIZE = 0x8000;
export const TEXT_COLUMNS = 80, TEXT_ROWS = 25;

/** What the debugger shows of the screen. */
export interface ScreenSnapshot {
  /** TEXT_ROWS strings of TEXT_COLUMNS characters each (CP437 glyphs as Unicode). */
  lines: string[];
  /** Cursor cell; visible is false when the CRTC disables it or it lies off the screen. */
  cursor: { row: number; col: number; visible: boolean };
  /** Attribute byte of every cell, by row: bits 0–3 foreground, 4–6 background, 7 blink (or bright background). */
  attributes: number[][];
  /** CRTC start address (in character cells from 0xB8000) of the top-left cell. */
  startAddress: number;
}

/** Code page 437 as the VGA ROM font draws it: control codes as their glyphs, 0x00 and 0xFF as blanks. */
export const CP437 = Array.from(
  ' ☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼'
  + ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~⌂'
  + 'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»'
  + '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀'
  + 'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00A0',
);

// CRTC registers of mode 3 (80×25, 9×16 cell), as the BIOS programs them.
const MODE3_CRTC = [
  0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x0D, 0x0E, 0x00, 0x00, 0x00, 0x00,
  0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF,
];
const MODE3_SEQUENCER = [0x03, 0x00, 0x03, 0x00, 0x02];
const MODE3_GRAPHICS = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF];
const MODE3_ATTRIBUTE = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F,
  0x0C, 0x00, 0x0F, 0x08, 0x00,
];
const CRTC_CURSOR_START = 0x0A, CRTC_CURSOR_END = 0x0B, CRTC_START_HIGH = 0x0C, CRTC_START_LOW = 0x0D,
  CRTC_CURSOR_HIGH = 0x0E, CRTC_CURSOR_LOW = 0x0F, CRTC_VRETRACE_END = 0x11;
const CURSOR_DISABLE = 0x20, CRTC_PROTECT = 0x80;
const MISC_COLOR_IO = 0x01; // CRTC at 0x3D4/0x3D5 and status at 0x3DA (else 0x3B4/0x3B5/0x3BA)
const STATUS_DISPLAY_OFF = 0x01, STATUS_VRETRACE = 0x08;

/** One port range the device claims, for IoBus.register. */
export interface VgaPortRange { base: number; length: number; name: string; handler: PortHandler }

export class VgaText implements MmioHandler {
  readonly text = new Uint8Array(VGA_TEXT_SIZE);          // text planes: character, attribute, …
  private readonly crtc = Uint8Array.from(MODE3_CRTC);    // CRTC registers 0x00–0x18
  private crtcIndex = 0;
  private readonly sequencer = Uint8Array.from(MODE3_SEQUENCER);
  private sequencerIndex = 0;
  private readonly graphics = Uint8Array.from(MODE3_GRAPHICS);
  private graphicsIndex = 0;
  private readonly attribute = Uint8Array.from(MODE3_ATTRIBUTE);
  private attributeIndex = 0x20;                          // index register, bit 5 = palette address source
  private attributeFlipFlop = false;                      // false: next 0x3C0 write is an index
  private readonly dac = new Uint8Array(256 * 3);          // palette, 6-bit components
  private dacReadIndex = 0;                               // next entry read through 0x3C9 (×3 + component)
  private dacWriteIndex = 0;                              // next entry written through 0x3C9 (×3 + component)
  private dacReading = false;                             // 0x3C7 state: last index set was the read index
  private pelMask = 0xFF;
  private miscOutput = 0x67;                              // colour I/O, RAM enabled, 28 MHz clock
  private featureControl = 0;
  private retrace = false;                                // toggled by every input-status-1 read

  constructor() {
    for (let cell = 0; cell < VGA_TEXT_SIZE / 2; cell++) { this.text[cell * 2] = 0x20; this.text[cell * 2 + 1] = 0x07; }
  }

  /** The port ranges to register: mono and colour CRTC and status, and 0x3C0–0x3CF. */
  portRanges(): VgaPortRange[] {
    const at = (base: number, length: number, name: string): VgaPortRange => ({
      base, length, name,
      handler: { read: (o, size) => this.readPorts(base + o, size), write: (o, size, v) => this.writePorts(base + o, size, v) },
    });
    return [
      at(0x3B4, 2, 'VGA CRTC (mono)'), at(0x3BA, 1, 'VGA input status 1 (mono)'), at(0x3C0, 16, 'VGA'),
      at(0x3D4, 2, 'VGA CRTC'), at(0x3DA, 1, 'VGA input status 1'),
    ];
  }

  // ---- memory window ----

  /** MMIO read at an offset from 0xA0000. */
  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readByte(offset + i) << (8 * i);
    return v >>> 0;
  }

  /** MMIO write at an offset from 0xA0000. */
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xFF);
  }

  private readByte(offset: number): number {
    const t = offset - (VGA_TEXT_BASE - VGA_WINDOW_BASE);
    return t >= 0 && t < VGA_TEXT_SIZE ? this.text[t] : 0xFF; // graphics planes are not modelled
  }

  private writeByte(offset: number, v: number): void {
    const t = offset - (VGA_TEXT_BASE - VGA_WINDOW_BASE);
    if (t >= 0 && t < VGA_TEXT_SIZE) this.text[t] = v;
  }

  // ---- ports ----

  private readPorts(port: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.readPort(port + i) << (8 * i);
    return v >>> 0;
  }

  /** Word and dword OUTs (outw 0x3D4, index | value << 8) reach consecutive ports byte by byte. */
  private writePorts(port: number, size: 1 | 2 | 4, value: number): void {
    for (let i = 0; i < size; i++) this.writePort(port + i, (value >>> (8 * i)) & 0xFF);
  }

  private get crtcBase(): number { return this.miscOutput & MISC_COLOR_IO ? 0x3D0 : 0x3B0; }

  private readPort(port: number): number {
    switch (port) {
      case 0x3C0: return this.attributeIndex;
      case 0x3C1: return this.attribute[this.attributeIndex & 0x1F] ?? 0;
      case 0x3C2: return 0x00;                                       // input status 0
      case 0x3C3: return 0x01;                                       // VGA enabled
      case 0x3C4: return this.sequencerIndex;
      case 0x3C5: return this.sequencer[this.sequencerIndex] ?? 0xFF;
      case 0x3C6: return this.pelMask;
      case 0x3C7: return this.dacReading ? 0x03 : 0x00;
      case 0x3C8: return Math.floor(this.dacWriteIndex / 3) & 0xFF;
      case 0x3C9: { const v = this.dac[this.dacReadIndex]; this.dacReadIndex = (this.dacReadIndex + 1) % this.dac.length; return v; }
      case 0x3CA: return this.featureControl;
      case 0x3CC: return this.miscOutput;
      case 0x3CE: return this.graphicsIndex;
      case 0x3CF: return this.graphics[this.graphicsIndex] ?? 0xFF;
    }
    if (port === this.crtcBase + 4) return this.crtcIndex;
    if (port === this.crtcBase + 5) return this.crtc[this.crtcIndex] ?? 0xFF;
    if (port === this.crtcBase + 0xA) {
      this.attributeFlipFlop = false;                                // reading status resets 0x3C0 to index
      this.retrace = !this.retrace;
      return this.retrace ? STATUS_VRETRACE | STATUS_DISPLAY_OFF : 0x00;
    }
    return 0xFF;
  }

  private writePort(port: number, v: number): void {
    switch (port) {
      case 0x3C0:
        if (this.attributeFlipFlop) { if ((this.attributeIndex & 0x1F) < this.attribute.length) this.attribute[this.attributeIndex & 0x1F] = v; }
        else this.attributeIndex = v & 0x3F;
        this.attributeFlipFlop = !this.attributeFlipFlop;
        return;
      case 0x3C2: this.miscOutput = v; return;
      case 0x3C4: this.sequencerIndex = v; return;
      case 0x3C5: if (this.sequencerIndex < this.sequencer.length) this.sequencer[this.sequencerIndex] = v; return;
      case 0x3C6: this.pelMask = v; return;
      case 0x3C7: this.dacReadIndex = v * 3; this.dacReading = true; return;
      case 0x3C8: this.dacWriteIndex = v * 3; this.dacReading = false; return;
      case 0x3C9: this.dac[this.dacWriteIndex] = v & 0x3F; this.dacWriteIndex = (this.dacWriteIndex + 1) % this.dac.length; return;
      case 0x3CE: this.graphicsIndex = v; return;
      case 0x3CF: if (this.graphicsIndex < this.graphics.length) this.graphics[this.graphicsIndex] = v; return;
    }
    if (port === this.crtcBase + 4) { this.crtcIndex = v; return; }
    if (port === this.crtcBase + 5) { this.writeCrtc(this.crtcIndex, v); return; }
    if (port === this.crtcBase + 0xA) this.featureControl = v;
  }

  private writeCrtc(index: number, v: number): void {
    if (index >= this.crtc.length) return;
    // The protect bit locks the horizontal and vertical timing registers 0–7 (except line compare bit 4 of 7).
    if ((this.crtc[CRTC_VRETRACE_END] & CRTC_PROTECT) && index <= 7) {
      if (index === 7) this.crtc[7] = (this.crtc[7] & ~0x10) | (v & 0x10);
      return;
    }
    this.crtc[index] = v;
  }

  // ---- what the debugger sees ----

  /** CRTC start address (cells). */
  get startAddress(): number { return (this.crtc[CRTC_START_HIGH] << 8) | this.crtc[CRTC_START_LOW]; }
  /** CRTC cursor location (cells from the start of text memory). */
  get cursorLocation(): number { return (this.crtc[CRTC_CURSOR_HIGH] << 8) | this.crtc[CRTC_CURSOR_LOW]; }

  /** The 80×25 screen as the monitor would show it now. */
  snapshot(): ScreenSnapshot {
    const start = this.startAddress;
    const lines: string[] = [];
    const attributes: number[][] = [];
    for (let row = 0; row < TEXT_ROWS; row++) {
      let line = '';
      const attrs: number[] = [];
      for (let col = 0; col < TEXT_COLUMNS; col++) {
        const off = ((start + row * TEXT_COLUMNS + col) * 2) & (VGA_TEXT_SIZE - 1);
        line += CP437[this.text[off]];
        attrs.push(this.text[off + 1]);
      }
      lines.push(line);
      attributes.push(attrs);
    }
    const rel = (this.cursorLocation - start) & 0xFFFF;
    const row = Math.floor(rel / TEXT_COLUMNS), col = rel % TEXT_COLUMNS;
    const shapeStart = this.crtc[CRTC_CURSOR_START], shapeEnd = this.crtc[CRTC_CURSOR_END] & 0x1F;
    const visible = !(shapeStart & CURSOR_DISABLE) && (shapeStart & 0x1F) <= shapeEnd && row < TEXT_ROWS;
    return { lines, cursor: { row, col, visible }, attributes, startAddress: start };
  }

  /** The screen as plain text: trailing blanks of each line and trailing empty lines removed. */
  screenText(): string {
    const lines = this.snapshot().lines.map((l) => l.replace(/[ \u00A0]+$/, ''));
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  saveState(): object {
    return {
      text: Array.from(this.text), crtc: Array.from(this.crtc), crtcIndex: this.crtcIndex,
      sequencer: Array.from(this.sequencer), sequencerIndex: this.sequencerIndex,
      graphics: Array.from(this.graphics), graphicsIndex: this.graphicsIndex,
      attribute: Array.from(this.attribute), attributeIndex: this.attributeIndex, attributeFlipFlop: this.attributeFlipFlop,
      dac: Array.from(this.dac), dacReadIndex: this.dacReadIndex, dacWriteIndex: this.dacWriteIndex, dacReading: this.dacReading,
      pelMask: this.pelMask, miscOutput: this.miscOutput, featureControl: this.featureControl, retrace: this.retrace,
    };
  }
  loadState(s: Record<string, any>): void {
    this.text.set(s.text); this.crtc.set(s.crtc); this.crtcIndex = s.crtcIndex;
    this.sequencer.set(s.sequencer); this.sequencerIndex = s.sequencerIndex;
    this.graphics.set(s.graphics); this.graphicsIndex = s.graphicsIndex;
    this.attribute.set(s.attribute); this.attributeIndex = s.attributeIndex; this.attributeFlipFlop = s.attributeFlipFlop;
    this.dac.set(s.dac); this.dacReadIndex = s.dacReadIndex; this.dacWriteIndex = s.dacWriteIndex; this.dacReading = s.dacReading;
    this.pelMask = s.pelMask; this.miscOutput = s.miscOutput; this.featureControl = s.featureControl; this.retrace = s.retrace;
  }
}
