// Intel 8042 keyboard controller (port 0x60 data, 0x64 status/command) with a PS/2 keyboard and a
// minimal PS/2 mouse behind it: the command byte, self-tests, the output port (A20 gate, CPU reset),
// IRQ1/IRQ12, scancode set 2 translated to set 1, and key and mouse input from the host.
import type { PortHandler } from './io-bus.js';
import type { IrqLine } from '../platform/interrupt-lines.js';
import type { A20Gate, ResetRequest } from './port92.js';
import { isKnownKey, keyBytes, translateToSet1, usKeyFor } from './ps2-scancodes.js';

// Status register (read from 0x64).
const ST_OUTPUT_FULL = 0x01, ST_SYSTEM = 0x04, ST_LAST_WAS_COMMAND = 0x08, ST_NOT_INHIBITED = 0x10, ST_AUX_DATA = 0x20;
// Command byte (controller RAM byte 0).
const CB_KBD_IRQ = 0x01, CB_AUX_IRQ = 0x02, CB_KBD_DISABLED = 0x10, CB_AUX_DISABLED = 0x20, CB_TRANSLATE = 0x40;
// Output port (0xD0/0xD1).
const OP_NOT_RESET = 0x01, OP_A20 = 0x02, OP_KBD_FULL = 0x10, OP_AUX_FULL = 0x20, OP_LATCHED = 0xCC;
// Device replies.
const ACK = 0xFA, RESEND = 0xFE, SELF_TEST_PASSED = 0xAA, ECHO = 0xEE;
/** Bytes a device holds for the controller before host input is dropped (a real keyboard holds 16). */
export const DEVICE_QUEUE_LIMIT = 256;

/** The command byte SeaBIOS leaves: translation on, mouse port disabled, keyboard interrupt on. */
export const BIOS_COMMAND_BYTE = CB_TRANSLATE | CB_AUX_DISABLED | CB_KBD_IRQ;

/** What the controller is wired to. */
export interface I8042Wiring {
  /** The A20 gate driven by output-port bit 1 (and commands 0xDD/0xDF). */
  a20: A20Gate;
  /** Called when the guest pulses the reset line (0xFE, 0xF0–0xFE with bit 0 clear, or 0xD1 with bit 0 clear). */
  reset: ResetRequest;
  /** Keyboard interrupt (IRQ1), raised while the output buffer holds keyboard data and command-byte bit 0 is set. */
  irq1?: IrqLine;
  /** Mouse interrupt (IRQ12), raised while the output buffer holds mouse data and command-byte bit 1 is set. */
  irq12?: IrqLine;
}

/** A PS/2 keyboard: command set of an MF2 keyboard, scancode sets 1 and 2 (set 3 is refused). */
export class Ps2Keyboard {
  readonly queue: number[] = [];  // bytes waiting for the controller
  scanning = true;                // key presses are reported (0xF4/0xF5)
  scancodeSet: 1 | 2 = 2;          // set the keyboard itself sends (0xF0)
  leds = 0;                       // bit 0 Scroll, 1 Num, 2 Caps Lock (0xED)
  typematic = 0x2B;               // rate/delay byte (0xF3), 10.9 cps and 500 ms by default
  private awaiting = 0;           // command waiting for its parameter byte (0xED, 0xF0, 0xF3)
  private lastSent = ACK;         // for 0xFE (resend)

  constructor(private readonly notify: () => void) {}

  /** A byte from the host side (the controller passing on a guest write to port 0x60). */
  write(v: number): void {
    const command = this.awaiting;
    this.awaiting = 0;
    if (command === 0xED) { this.leds = v & 7; return this.send(ACK); }
    if (command === 0xF3) { this.typematic = v & 0x7F; return this.send(ACK); }
    if (command === 0xF0) {
      if (v === 0) return this.send(ACK, this.scancodeSet);
      if (v === 1 || v === 2) { this.scancodeSet = v; return this.send(ACK); }
      return this.send(RESEND);
    }
    switch (v) {
      case 0xFF: this.defaults(); this.scanning = true; return this.send(ACK, SELF_TEST_PASSED);
      case 0xFE: return this.send(this.lastSent);
      case 0xF6: this.defaults(); this.scanning = true; return this.send(ACK);
      case 0xF5: this.defaults(); this.scanning = false; return this.send(ACK);
      case 0xF4: this.scanning = true; return this.send(ACK);
      case 0xF3: case 0xF0: case 0xED: this.awaiting = v; return this.send(ACK);
      case 0xF2: return this.send(ACK, 0xAB, 0x83);
      case 0xEE: return this.send(ECHO);
      case 0xF7: case 0xF8: case 0xF9: case 0xFA: case 0xFB: case 0xFC: case 0xFD: return this.send(ACK);
      default: return this.send(RESEND);
    }
  }

  /** Reports a key going down or up; false when scanning is off (the key is lost, as on hardware). */
  key(name: string, down: boolean): boolean {
    const bytes = keyBytes(name, this.scancodeSet, down);
    if (!bytes) throw new Error(`unknown key "${name}" (use KeyboardEvent.code names such as KeyA, Enter, ArrowUp)`);
    if (!this.scanning) return false;
    this.send(...bytes);
    return true;
  }

  /** Queues raw bytes as if the keyboard sent them. */
  send(...bytes: number[]): void {
    for (const b of bytes) {
      if (this.queue.length < DEVICE_QUEUE_LIMIT) this.queue.push(b & 0xFF);
      this.lastSent = b & 0xFF;
    }
    this.notify();
  }

  private defaults(): void {
    this.queue.length = 0;
    this.scancodeSet = 2; this.leds = 0; this.typematic = 0x2B; this.awaiting = 0;
  }

  saveState(): object {
    return { queue: [...this.queue], scanning: this.scanning, scancodeSet: this.scancodeSet, leds: this.leds, typematic: this.typematic, awaiting: this.awaiting, lastSent: this.lastSent };
  }
  loadState(s: Record<string, any>): void {
    this.queue.splice(0, this.queue.length, ...s.queue);
    this.scanning = s.scanning; this.scancodeSet = s.scancodeSet; this.leds = s.leds;
    this.typematic = s.typematic; this.awaiting = s.awaiting; this.lastSent = s.lastSent;
  }
}

/** Mouse buttons as the host reports them (the bit order of a PS/2 movement packet). */
export const MOUSE_LEFT = 1, MOUSE_RIGHT = 2, MOUSE_MIDDLE = 4;

/** A PS/2 mouse: standard 3-byte protocol, stream and remote mode, no wheel extension (ID 0x00). */
export class Ps2Mouse {
  readonly queue: number[] = [];  // bytes waiting for the controller
  reporting = false;              // data reporting enabled (0xF4/0xF5)
  remote = false;                 // remote mode (0xF0) instead of stream mode (0xEA)
  sampleRate = 100;               // samples per second (0xF3)
  resolution = 2;                 // 4 counts/mm (0xE8)
  scaling2to1 = false;            // 0xE7 / 0xE6
  buttons = 0;                    // MOUSE_* bits held now
  private awaiting = 0;           // 0xF3 or 0xE8 waiting for the parameter
  private lastSent = ACK;

  constructor(private readonly notify: () => void) {}

  write(v: number): void {
    const command = this.awaiting;
    this.awaiting = 0;
    if (command === 0xF3) { this.sampleRate = v; return this.send(ACK); }
    if (command === 0xE8) { this.resolution = v & 3; return this.send(ACK); }
    switch (v) {
      case 0xFF: this.defaults(); this.queue.length = 0; return this.send(ACK, SELF_TEST_PASSED, 0x00);
      case 0xFE: return this.send(this.lastSent);
      case 0xF6: this.defaults(); return this.send(ACK);
      case 0xF5: this.reporting = false; return this.send(ACK);
      case 0xF4: this.reporting = true; return this.send(ACK);
      case 0xF3: case 0xE8: this.awaiting = v; return this.send(ACK);
      case 0xF2: return this.send(ACK, 0x00);
      case 0xF0: this.remote = true; return this.send(ACK);
      case 0xEA: this.remote = false; return this.send(ACK);
      case 0xEB: return this.send(ACK, ...this.packet(0, 0));
      case 0xE9: {
        const b = this.buttons;
        const status = (this.remote ? 0x40 : 0) | (this.reporting ? 0x20 : 0) | (this.scaling2to1 ? 0x10 : 0)
          | (b & MOUSE_LEFT ? 4 : 0) | (b & MOUSE_MIDDLE ? 2 : 0) | (b & MOUSE_RIGHT ? 1 : 0);
        return this.send(ACK, status, this.resolution, this.sampleRate);
      }
      case 0xE7: this.scaling2to1 = true; return this.send(ACK);
      case 0xE6: this.scaling2to1 = false; return this.send(ACK);
      default: return this.send(RESEND);
    }
  }

  /** Host movement (dy > 0 is up) and buttons; sends a packet in stream mode with reporting on. */
  move(dx: number, dy: number, buttons = this.buttons): boolean {
    this.buttons = buttons & 7;
    if (!this.reporting || this.remote) return false;
    this.send(...this.packet(dx, dy));
    return true;
  }

  private packet(dx: number, dy: number): number[] {
    const clamp = (v: number) => Math.max(-256, Math.min(255, Math.trunc(v)));
    const x = clamp(dx), y = clamp(dy);
    const overflowX = x !== Math.trunc(dx), overflowY = y !== Math.trunc(dy);
    const head = (this.buttons & 7) | 0x08 | (x < 0 ? 0x10 : 0) | (y < 0 ? 0x20 : 0) | (overflowX ? 0x40 : 0) | (overflowY ? 0x80 : 0);
    return [head, x & 0xFF, y & 0xFF];
  }

  send(...bytes: number[]): void {
    for (const b of bytes) {
      if (this.queue.length < DEVICE_QUEUE_LIMIT) this.queue.push(b & 0xFF);
      this.lastSent = b & 0xFF;
    }
    this.notify();
  }

  private defaults(): void {
    this.reporting = false; this.remote = false; this.sampleRate = 100; this.resolution = 2;
    this.scaling2to1 = false; this.awaiting = 0;
  }

  saveState(): object {
    return { queue: [...this.queue], reporting: this.reporting, remote: this.remote, sampleRate: this.sampleRate, resolution: this.resolution, scaling2to1: this.scaling2to1, buttons: this.buttons, awaiting: this.awaiting, lastSent: this.lastSent };
  }
  loadState(s: Record<string, any>): void {
    this.queue.splice(0, this.queue.length, ...s.queue);
    this.reporting = s.reporting; this.remote = s.remote; this.sampleRate = s.sampleRate; this.resolution = s.resolution;
    this.scaling2to1 = s.scaling2to1; this.buttons = s.buttons; this.awaiting = s.awaiting; this.lastSent = s.lastSent;
  }
}

const AUX = 0x100; // marks a controller-queued byte as mouse data (0xD3)

/** The controller. Register dataPort at 0x60 and commandPort at 0x64. */
export class I8042 {
  readonly keyboard = new Ps2Keyboard(() => this.fill());
  readonly mouse = new Ps2Mouse(() => this.fill());
  /** Port 0x60: output buffer (read), keyboard data or a command's parameter (write). */
  readonly dataPort: PortHandler = { read: () => this.readData(), write: (_o, _s, v) => this.writeData(v & 0xFF) };
  /** Port 0x64: status register (read), controller command (write). */
  readonly commandPort: PortHandler = { read: () => this.readStatus(), write: (_o, _s, v) => this.writeCommand(v & 0xFF) };

  private readonly ram = new Uint8Array(32);   // controller RAM; byte 0 is the command byte
  private readonly replies: number[] = [];     // controller replies waiting for the output buffer (AUX-marked from 0xD3)
  private output = 0;                          // output buffer contents
  private outputFull = false;                  // status bit 0
  private outputFromMouse = false;             // status bit 5
  private systemFlag = true;                   // status bit 2: the power-on self-test passed
  private lastWasCommand = true;               // status bit 3: last write went to 0x64 (the BIOS's, at power-on)
  private pending = 0;                         // controller command waiting for its data byte (0x60–0x7F, 0xD1–0xD4)
  private outputPortLatch = OP_LATCHED | OP_NOT_RESET | OP_A20; // bits of the output port as last written
  private translateBreak = false;              // translation swallowed a 0xF0: the next byte is a break code
  private irq1Level = false;
  private irq12Level = false;

  constructor(private readonly wiring: I8042Wiring) {
    this.ram[0] = BIOS_COMMAND_BYTE;
  }

  /** The command byte (0x20 reads it, 0x60 writes it). */
  get commandByte(): number { return this.ram[0]; }

  // ---- host input ----

  /** Presses and releases a key (KeyboardEvent.code name, e.g. "KeyA", "Enter", "ArrowUp"). */
  pressKey(name: string): void { this.keyboard.key(name, true); this.keyboard.key(name, false); }
  /** A key goes down (typematic repeat is not modelled). */
  keyDown(name: string): void { this.keyboard.key(name, true); }
  /** A key comes up. */
  keyUp(name: string): void { this.keyboard.key(name, false); }
  /** Types text on a US layout (letters, digits, punctuation, \n, \t, \b, ESC), holding Shift where needed. */
  typeText(text: string): void {
    for (const ch of text) {
      const k = usKeyFor(ch);
      if (!k) throw new Error(`no key types ${JSON.stringify(ch)} on a US keyboard`);
      if (k.shift) this.keyDown('ShiftLeft');
      this.pressKey(k.key);
      if (k.shift) this.keyUp('ShiftLeft');
    }
  }
  /** Raw bytes from the keyboard (in the keyboard's own scancode set; translation still applies). */
  sendKeyboardBytes(bytes: Iterable<number>): void { this.keyboard.send(...bytes); }
  /** Mouse movement and buttons from the host (MOUSE_* bits). */
  moveMouse(dx: number, dy: number, buttons?: number): void { this.mouse.move(dx, dy, buttons); }
  /** True for a KeyboardEvent.code name the keyboard knows. */
  static isKnownKey(name: string): boolean { return isKnownKey(name); }

  // ---- guest side ----

  private readStatus(): number {
    return (this.outputFull ? ST_OUTPUT_FULL : 0) | (this.systemFlag ? ST_SYSTEM : 0)
      | (this.lastWasCommand ? ST_LAST_WAS_COMMAND : 0) | ST_NOT_INHIBITED
      | (this.outputFull && this.outputFromMouse ? ST_AUX_DATA : 0);
  }

  private readData(): number {
    const v = this.output; // an empty buffer reads as the last byte, as on hardware
    if (this.outputFull) {
      this.outputFull = false;
      this.updateIrqs();   // the line drops, so the next byte makes a fresh edge
      this.fill();
    }
    return v;
  }

  private writeData(v: number): void {
    this.lastWasCommand = false;
    const command = this.pending;
    this.pending = 0;
    if (command >= 0x60 && command <= 0x7F) {
      this.ram[command & 0x1F] = v;
      if (command === 0x60) { this.updateIrqs(); this.fill(); }
      return;
    }
    switch (command) {
      case 0xD1: return this.writeOutputPort(v);
      case 0xD2: this.replies.push(v); return this.fill();
      case 0xD3: this.replies.push(v | AUX); return this.fill();
      case 0xD4: return this.mouse.write(v);
      default:
        this.ram[0] &= ~CB_KBD_DISABLED; // sending to the keyboard enables its interface (as QEMU does)
        return this.keyboard.write(v);
    }
  }

  private writeCommand(c: number): void {
    this.lastWasCommand = true;
    this.pending = 0;
    if (c >= 0x20 && c <= 0x3F) return this.reply(this.ram[c & 0x1F]);
    if (c >= 0x60 && c <= 0x7F) { this.pending = c; return; }
    if (c >= 0xF0) { // pulse output-port bits 0–3 low for each 0 bit; bit 0 is the CPU reset line
      if (!(c & 1)) this.wiring.reset(`8042 keyboard controller (command 0x${c.toString(16).toUpperCase()})`);
      return;
    }
    switch (c) {
      case 0xA4: return this.reply(0xF1);          // password not installed
      case 0xA7: return this.setCommandByte(this.ram[0] | CB_AUX_DISABLED);
      case 0xA8: return this.setCommandByte(this.ram[0] & ~CB_AUX_DISABLED);
      case 0xA9: return this.reply(0x00);          // mouse interface test passed
      case 0xAA: this.systemFlag = true; return this.reply(0x55); // controller self-test passed
      case 0xAB: return this.reply(0x00);          // keyboard interface test passed
      case 0xAD: return this.setCommandByte(this.ram[0] | CB_KBD_DISABLED);
      case 0xAE: return this.setCommandByte(this.ram[0] & ~CB_KBD_DISABLED);
      case 0xC0: return this.reply(0x80);          // input port: keyboard not inhibited
      case 0xD0: return this.reply(this.readOutputPort());
      case 0xD1: case 0xD2: case 0xD3: case 0xD4: this.pending = c; return;
      case 0xDD: this.wiring.a20.a20Enabled = false; return;
      case 0xDF: this.wiring.a20.a20Enabled = true; return;
      case 0xE0: return this.reply(0x00);          // test inputs
      default: return;                             // unknown commands are ignored
    }
  }

  private setCommandByte(v: number): void {
    this.ram[0] = v;
    this.updateIrqs();
    this.fill();
  }

  private readOutputPort(): number {
    return (this.outputPortLatch & OP_LATCHED) | OP_NOT_RESET | (this.wiring.a20.a20Enabled ? OP_A20 : 0)
      | (this.outputFull && !this.outputFromMouse ? OP_KBD_FULL : 0) | (this.outputFull && this.outputFromMouse ? OP_AUX_FULL : 0);
  }

  private writeOutputPort(v: number): void {
    this.outputPortLatch = v;
    this.wiring.a20.a20Enabled = (v & OP_A20) !== 0;
    if (!(v & OP_NOT_RESET)) this.wiring.reset('8042 keyboard controller (output port bit 0 cleared by command 0xD1)');
  }

  private reply(v: number): void {
    this.replies.push(v);
    this.fill();
  }

  /** Moves the next waiting byte into an empty output buffer: controller replies, then keyboard, then mouse. */
  private fill(): void {
    while (!this.outputFull) {
      const cb = this.ram[0];
      let byte: number;
      if (this.replies.length) {
        byte = this.replies.shift()!;
      } else if (!(cb & CB_KBD_DISABLED) && this.keyboard.queue.length) {
        byte = this.keyboard.queue.shift()!;
        if (cb & CB_TRANSLATE) {
          if (byte === 0xF0) { this.translateBreak = true; continue; }
          byte = translateToSet1(byte) | (this.translateBreak ? 0x80 : 0);
          this.translateBreak = false;
        }
      } else if (!(cb & CB_AUX_DISABLED) && this.mouse.queue.length) {
        byte = this.mouse.queue.shift()! | AUX;
      } else {
        break;
      }
      this.output = byte & 0xFF;
      this.outputFromMouse = (byte & AUX) !== 0;
      this.outputFull = true;
    }
    this.updateIrqs();
  }

  private updateIrqs(): void {
    const cb = this.ram[0];
    const kbd = this.outputFull && !this.outputFromMouse && (cb & CB_KBD_IRQ) !== 0;
    const aux = this.outputFull && this.outputFromMouse && (cb & CB_AUX_IRQ) !== 0;
    if (kbd !== this.irq1Level) { this.irq1Level = kbd; if (kbd) this.wiring.irq1?.raise(); else this.wiring.irq1?.lower(); }
    if (aux !== this.irq12Level) { this.irq12Level = aux; if (aux) this.wiring.irq12?.raise(); else this.wiring.irq12?.lower(); }
  }

  saveState(): object {
    return {
      ram: Array.from(this.ram), replies: [...this.replies], output: this.output, outputFull: this.outputFull,
      outputFromMouse: this.outputFromMouse, systemFlag: this.systemFlag, lastWasCommand: this.lastWasCommand,
      pending: this.pending, outputPortLatch: this.outputPortLatch, translateBreak: this.translateBreak,
      irq1Level: this.irq1Level, irq12Level: this.irq12Level,
      keyboard: this.keyboard.saveState(), mouse: this.mouse.saveState(),
    };
  }
  loadState(s: Record<string, any>): void {
    this.ram.set(s.ram);
    this.replies.splice(0, this.replies.length, ...s.replies);
    this.output = s.output; this.outputFull = s.outputFull; this.outputFromMouse = s.outputFromMouse;
    this.systemFlag = s.systemFlag; this.lastWasCommand = s.lastWasCommand; this.pending = s.pending;
    this.outputPortLatch = s.outputPortLatch; this.translateBreak = s.translateBreak;
    this.irq1Level = s.irq1Level; this.irq12Level = s.irq12Level;
    this.keyboard.loadState(s.keyboard);
    this.mouse.loadState(s.mouse);
  }
}
