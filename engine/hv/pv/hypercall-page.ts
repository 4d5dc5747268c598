// The hypercall page: 128 stubs of 32 bytes, stub n at page + n × 32, each `mov $n, %eax; vmcall; ret`
// (iret's stub pushes EAX first and never returns, as in Xen's page), padded with int3.
import { Hc } from './abi.js';

/** Bytes of the hypercall page. */
export function hypercallPage(): Uint8Array {
  const page = new Uint8Array(4096).fill(0xCC);
  for (let n = 0; n < 128; n++) {
    const stub = n === Hc.Iret
      ? [0x50, 0xB8, n, 0, 0, 0, 0x0F, 0x01, 0xC1]          // push %eax; mov $23, %eax; vmcall
      : [0xB8, n, 0, 0, 0, 0x0F, 0x01, 0xC1, 0xC3];         // mov $n, %eax; vmcall; ret
    page.set(stub, n * 32);
  }
  return page;
}
