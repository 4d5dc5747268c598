// A minimal GDB remote-serial-protocol client over a socket (QEMU's gdbstub): packets with
// checksums, no-ack mode, memory reads in packet-sized chunks, breakpoints, continue and stop replies.
import { connect, type Socket } from 'node:net';

export class GdbError extends Error {}

export class GdbClient {
  private buffer = '';                       // bytes received and not yet consumed
  private waiter?: () => void;               // wakes a pending read when data arrives
  private closed = false;                    // the socket ended
  private ackMode = true;                    // '+' acknowledgements still in use
  private maxPacket = 4096;                  // PacketSize the stub announced

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => { this.buffer += d; this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => { this.closed = true; this.wake(); });
  }

  /** Connects to a Unix socket path, retrying until deadline (QEMU creates it while starting). */
  static async connect(path: string, timeoutMs: number): Promise<GdbClient> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ path }, () => { s.off('error', reject); resolve(s); });
          s.once('error', reject);
        });
        const client = new GdbClient(socket);
        await client.handshake(deadline);
        return client;
      } catch (e) {
        if (Date.now() > deadline || attempt > 500) throw new GdbError(`cannot connect to the gdb stub at ${path}: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  private wake(): void { const w = this.waiter; this.waiter = undefined; w?.(); }

  private async handshake(deadline: number): Promise<void> {
    const features = await this.request('qSupported:multiprocess-;swbreak+', deadline);
    const size = /PacketSize=([0-9a-fA-F]+)/.exec(features);
    if (size) this.maxPacket = parseInt(size[1], 16);
    if (/QStartNoAckMode\+/.test(features) && (await this.request('QStartNoAckMode', deadline)) === 'OK') this.ackMode = false;
    await this.request('?', deadline);
  }

  /** Sends one command and returns its reply payload (waits until deadline, a Date.now() value). */
  async request(command: string, deadline = Date.now() + 10_000): Promise<string> {
    this.send(command);
    return this.readPacket(deadline);
  }

  private send(command: string): void {
    let sum = 0;
    for (let k = 0; k < command.length; k++) sum = (sum + command.charCodeAt(k)) & 0xFF;
    this.socket.write(`$${command}#${sum.toString(16).padStart(2, '0')}`, 'latin1');
  }

  private async readPacket(deadline: number): Promise<string> {
    for (;;) {
      const start = this.buffer.indexOf('$');
      const hash = start >= 0 ? this.buffer.indexOf('#', start) : -1;
      if (hash >= 0 && this.buffer.length >= hash + 3) {
        const payload = this.buffer.slice(start + 1, hash);
        this.buffer = this.buffer.slice(hash + 3);
        if (this.ackMode) this.socket.write('+');
        return payload;
      }
      if (this.closed) throw new GdbError('the gdb stub closed the connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new GdbError('timed out waiting for the gdb stub');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { this.waiter = undefined; resolve(); }, left);
        this.waiter = () => { clearTimeout(timer); resolve(); };
      });
    }
  }

  /** Reads length bytes of guest memory at address. */
  async readMemory(address: number, length: number, deadline: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const chunk = Math.max(16, Math.floor((this.maxPacket - 8) / 2) & ~15);
    for (let done = 0; done < length; done += chunk) {
      const n = Math.min(chunk, length - done);
      const reply = await this.request(`m${(address + done).toString(16)},${n.toString(16)}`, deadline);
      if (reply.length !== n * 2 || /^E[0-9a-fA-F]{2}$/.test(reply)) {
        throw new GdbError(`memory read at 0x${(address + done).toString(16)} failed: ${reply.slice(0, 40)}`);
      }
      for (let k = 0; k < n; k++) out[done + k] = parseInt(reply.substr(2 * k, 2), 16);
    }
    return out;
  }

  /** Reads the general registers; returns EAX..EDI, EIP, EFLAGS. */
  async readRegisters(deadline: number): Promise<number[]> {
    const reply = await this.request('g', deadline);
    const regs: number[] = [];
    for (let r = 0; r < 10; r++) {
      const hex = reply.substr(8 * r, 8);
      regs.push(parseInt(hex.match(/../g)!.reverse().join(''), 16) >>> 0);
    }
    return regs;
  }

  /** Sets a software breakpoint at address. */
  async setBreakpoint(address: number, deadline: number): Promise<void> {
    const reply = await this.request(`Z0,${address.toString(16)},1`, deadline);
    if (reply !== 'OK') throw new GdbError(`breakpoint at 0x${address.toString(16)} refused: ${reply}`);
  }

  /** Continues and waits for the next stop reply (a T or S packet). */
  async continueToStop(deadline: number): Promise<string> {
    const reply = await this.request('c', deadline);
    if (!/^[TS]/.test(reply)) throw new GdbError(`unexpected stop reply: ${reply.slice(0, 40)}`);
    return reply;
  }

  /** Asks the stub to end the VM, then closes the socket. */
  close(): void {
    if (!this.closed) { try { this.send('k'); } catch { /* already gone */ } }
    this.socket.destroy();
  }
}
