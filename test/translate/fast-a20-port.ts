// Gives a helper test machine the PC's fast A20 port (0x92, engine/devices/port92.ts): guest OUTs
// to it open or close the A20 gate of the machine's GuestMemory; every other port stays recorded.
import { Port92 } from '../../engine/devices/port92.js';
import type { Machine } from '../cpu/helpers/machine.js';

export const FAST_A20_PORT = 0x92;

/** Routes port 0x92 of m's environment to a Port92 on m.memory; returns the reset requests it makes. */
export function attachFastA20(m: Machine): string[] {
  const resets: string[] = [];
  const port = new Port92(m.memory, (source) => { resets.push(source); });
  const env = m.env;
  const ioIn = env.ioIn.bind(env), ioOut = env.ioOut.bind(env);
  env.ioIn = (p, size) => (p === FAST_A20_PORT && size === 1 ? port.read() : ioIn(p, size));
  env.ioOut = (p, size, value) => { if (p === FAST_A20_PORT && size === 1) port.write(0, size, value); else ioOut(p, size, value); };
  return resets;
}
