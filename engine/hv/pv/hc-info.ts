// Information and console hypercalls: xen_version (17) and console_io (18).
import { Errno, HYPERVISOR_VIRT_START, START_INFO_MAGIC, XEN_EXTRAVERSION, XEN_MAJOR, XEN_MINOR } from './abi.js';
import { commandName, guarded, type HypercallCall } from './hypercall-call.js';

const XENVER: Record<number, string> = {
  0: 'version', 1: 'extraversion', 3: 'capabilities', 5: 'platform_parameters', 6: 'get_features', 7: 'pagesize',
};

/** A NUL-padded string of size bytes. */
function fixedString(text: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(text).subarray(0, size - 1));
  return out;
}

/** xen_version(cmd, arg). */
export function xenVersion(call: HypercallCall): number {
  const d = call.domain, [cmd, arg] = call.args;
  call.decoded.cmd = commandName(XENVER, cmd);
  switch (cmd) {
    case 0: return (XEN_MAJOR << 16) | XEN_MINOR;
    case 1: return guarded(call, () => { d.guest.writeBytes(arg, fixedString(XEN_EXTRAVERSION, 16)); return 0; });
    case 3: return guarded(call, () => { d.guest.writeBytes(arg, fixedString(START_INFO_MAGIC, 1024)); return 0; });
    case 5: return guarded(call, () => { d.guest.write32(arg, HYPERVISOR_VIRT_START); return 0; });
    case 6: return guarded(call, () => {
      // xen_feature_info { u32 submap_idx (in); u32 submap (out) }: no optional features are offered.
      d.guest.read32(arg);
      d.guest.write32(arg + 4, 0);
      return 0;
    });
    case 7: return 4096;
    default: return -Errno.ENOSYS;
  }
}

const CONSOLEIO: Record<number, string> = { 0: 'write', 1: 'read' };

/** console_io(cmd, count, buffer): the hypervisor's serial console (COM1). */
export function consoleIo(call: HypercallCall): number {
  const d = call.domain, [cmd, count, buffer] = call.args;
  call.decoded.cmd = commandName(CONSOLEIO, cmd);
  call.decoded.count = count;
  switch (cmd) {
    case 0: return guarded(call, () => {
      if (count > 0x10000) return -Errno.EINVAL;
      const bytes = d.guest.readBytes(buffer, count);
      call.decoded.text = new TextDecoder().decode(bytes.subarray(0, 64));
      d.consoleWrite(bytes);
      return 0;
    });
    case 1: return guarded(call, () => {
      if (count > 0) d.guest.translate(buffer, true);
      const bytes = d.consoleRead(count);
      d.guest.writeBytes(buffer, bytes);
      return bytes.length;
    });
    default: return -Errno.ENOSYS;
  }
}
