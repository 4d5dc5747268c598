// Boots Debian's i386 Linux kernel (fetched by scripts/linux/prepare.sh) with a busybox initramfs
// under `hvdbg run`: the kernel must pass every boot milestone on the serial console, run the
// initramfs's /init, print its sentinel and reboot, which ends the run (docs/platform.md, "Linux boot").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { jsonSummary, runCli } from '../cli/cli-process.js';

const PREPARE = resolve('scripts/linux/prepare.sh');
/**
 * Kept simple: no KASLR, the PIT and the 8259 only, a preset delay loop so nothing calibrates, and
 * no crypto self-tests at boot (they alone take 3.7 G instructions, more than the rest of the boot).
 */
const LINUX_APPEND = 'console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 nokaslr noapic nolapic ' +
  'no_timer_check tsc=unstable lpj=1000000 cryptomgr.notests';
/** The sentinel comes after about 2.7 G retired instructions; the run is deterministic, this is margin. */
const INSTRUCTION_BUDGET = 6_000_000_000;
const SENTINEL = 'HVDBG-LINUX-SENTINEL';

/** Fetches (or reuses) the kernel and initramfs; or why not when this machine has no apt. */
function prepare(): { kernel: string; initrd: string } | { missing: string } {
  const r = spawnSync('bash', [PREPARE], { encoding: 'utf8', timeout: 600_000 });
  if (r.status === 3) return { missing: r.stderr.trim() };
  assert.equal(r.status, 0, `scripts/linux/prepare.sh failed (status ${r.status}):\n${r.stderr}`);
  const value = (key: string) => r.stdout.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
  return { kernel: value('kernel'), initrd: value('initrd') };
}

test('Debian i386 Linux boots under hvdbg run to the initramfs, whose /init prints the sentinel and reboots', { timeout: 1_500_000 }, async (t) => {
  const files = prepare();
  if ('missing' in files) {
    t.skip(`cannot fetch the Debian i386 kernel on this machine: ${files.missing}`);
    return;
  }
  const r = await runCli(['run', files.kernel, '--initrd', files.initrd, '--mem', '128M', '--append', LINUX_APPEND,
    '--max-instructions', String(INSTRUCTION_BUDGET), '--timeout', '1200', '--json'], 1_260_000);
  const serial = r.stdout.toString('latin1');
  // The boot milestones, in the order the kernel prints them.
  const milestones = [
    /Linux version 6\.\d+\.\d+-\d+-686 /,                     // the banner: decompressed and started
    /BIOS-e820: \[mem 0x0000000000100000-0x0000000007ffffff\] usable/, // the zero page's E820 map
    /RAMDISK: \[mem 0x[0-9a-f]+-0x0*7ffffff\]/,                // the initrd, placed at the top of RAM
    /Kernel command line: console=ttyS0 /,                    // cmd_line_ptr
    /printk: console \[ttyS0\] enabled/,                      // the 8250 driver on COM1
    /Trying to unpack rootfs image as initramfs/,
    /Freeing initrd memory: \d+K/,                            // the gzip'd cpio unpacked without error
    /Run \/init as init process/,
    new RegExp(`^${SENTINEL}\r?$`, 'm'),                    // printed by /init (busybox sh) on /dev/console
    /reboot: Restarting system/,                               // /init's `reboot -f`
  ];
  let from = 0;
  for (const m of milestones) {
    const found = m.exec(serial.slice(from));
    assert.ok(found, `serial console never showed ${m} (after offset ${from}); it ends with:\n${serial.slice(-2000)}\n${r.stderr}`);
    from += found.index + found[0].length;
  }
  assert.doesNotMatch(serial, /Kernel panic|BUG: |Oops/);
  const summary = jsonSummary(r);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(summary.stop.kind, 'shutdown');
  assert.match(summary.stop.message, /reset requested by/);
  t.diagnostic(`sentinel after ${summary.instructions} instructions, ${summary.wallSeconds} s`);
});
