// System control port B (0x61): PIT channel 2 GATE and speaker enable, OUT2 and the DRAM refresh
// toggle read back, the parity/channel-check enables stored; NMI sources are never set.
import type { PortHandler } from './io-bus.js';
import type { VirtualClock } from '../platform/clock.js';

export const SYSTEM_CONTROL_B_PORT = 0x61;
/** The refresh-request bit flips once per 15.085 µs refresh cycle on a PC/AT. */
const REFRESH_PERIOD_NS = 15_085;

const GATE2 = 0x01, SPEAKER_DATA = 0x02, CHECK_ENABLES = 0x0C, REFRESH = 0x10, OUT2 = 0x20;

/** What port 0x61 needs from the 8254. */
export interface Channel2 {
  /** Sets GATE of a counter. */
  setGate(channel: number, level: boolean): void;
  /** OUT level of a counter now. */
  output(channel: number): boolean;
}

export class SystemControlPortB implements PortHandler {
  private value = 0;   // the writable bits 0–3

  /**
   * @param onSpeaker told when the speaker is switched on or off (GATE2 and speaker data both set)
   */
  constructor(private readonly pit: Channel2, private readonly clock: VirtualClock,
              private readonly onSpeaker?: (on: boolean) => void) {}

  /** True while channel 2's output reaches the speaker. */
  get speakerOn(): boolean { return (this.value & (GATE2 | SPEAKER_DATA)) === (GATE2 | SPEAKER_DATA); }

  read(): number {
    const refresh = Math.floor(this.clock.nowNs() / REFRESH_PERIOD_NS) & 1 ? REFRESH : 0;
    return this.value | refresh | (this.pit.output(2) ? OUT2 : 0);
  }

  write(_offset: number, _size: 1 | 2 | 4, value: number): void {
    const wasOn = this.speakerOn;
    this.value = value & (GATE2 | SPEAKER_DATA | CHECK_ENABLES);
    this.pit.setGate(2, (value & GATE2) !== 0);
    if (this.speakerOn !== wasOn) this.onSpeaker?.(this.speakerOn);
  }

  saveState(): { value: number } { return { value: this.value }; }
  loadState(s: { value: number }): void { this.value = s.value; }
}
