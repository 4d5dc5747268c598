// Linux boot to the initramfs sentinel (scripts/linux, .cache/linux): hvdbg (translator) against
// QEMU TCG on the same kernel, initramfs and command line, timed from spawn to the sentinel line.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runMeasured } from './measure.mjs';

const SENTINEL = 'HVDBG-LINUX-SENTINEL';
const APPEND = 'console=ttyS0 earlyprintk=serial,ttyS0,115200 loglevel=8 nokaslr noapic nolapic no_timer_check tsc=unstable lpj=1000000 cryptomgr.notests';
const TIMEOUT_MS = 20 * 60 * 1000;

/** Seconds from spawn to the sentinel on stdout, the peak RSS, or a reason it did not get there. */
async function bootOnce(label, command, args) {
  const run = await runMeasured(command, args, { cwd: process.cwd(), env: process.env, timeoutMs: TIMEOUT_MS, stopAtLine: SENTINEL });
  const line = run.lines.find((l) => l.text.includes(SENTINEL));
  if (!line) return { label, seconds: null, why: `no sentinel (exit ${run.exitCode ?? run.signal}${run.timedOut ? ', timed out' : ''})` };
  return { label, seconds: (line.t - run.spawnedAt) / 1000, peakRssMiB: run.peakRssKb === null ? null : run.peakRssKb / 1024 };
}

/** Boots Linux under hvdbg and (when installed) QEMU; prints and returns the times, or null without the cache. */
export async function benchLinuxBoot(repoDir, cliPath, { qemu }) {
  const dir = path.join(repoDir, '.cache', 'linux');
  const kernel = path.join(dir, 'vmlinuz'), initrd = path.join(dir, 'initramfs.cpio.gz');
  if (!existsSync(kernel) || !existsSync(initrd)) {
    console.log('Linux boot: .cache/linux has no kernel and initramfs (run scripts/linux/prepare.sh); not measured');
    return null;
  }
  const results = [await bootOnce('hvdbg translator', process.execPath, [cliPath, 'run', kernel, '--initrd', initrd, '--mem', '128M', '--append', APPEND])];
  if (qemu) {
    results.push(await bootOnce('QEMU TCG', 'qemu-system-i386', ['-M', 'pc', '-m', '128', '-display', 'none', '-nodefaults', '-serial', 'stdio',
      '-monitor', 'none', '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', APPEND]));
  }
  for (const r of results) console.log(`Linux boot to the sentinel, ${r.label}: ${r.seconds === null ? r.why : `${r.seconds.toFixed(1)} s`}`);
  const [hvdbg, qemuRun] = results;
  if (hvdbg.seconds !== null && qemuRun?.seconds) console.log(`Linux boot ratio hvdbg / QEMU (time): ${(hvdbg.seconds / qemuRun.seconds).toFixed(2)}`);
  return results;
}
