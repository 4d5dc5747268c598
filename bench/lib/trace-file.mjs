// Reads how many events hvdbg wrote to a finished .hvtrace file (its "# end: … N events" line).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The event count of a finished .hvtrace file, or null when it is unreadable or has no end line. */
export function tracedEvents(file) {
  let fd;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size, length = Math.min(size, 512);
    const tail = Buffer.alloc(length);
    readSync(fd, tail, 0, length, size - length);
    const match = /# end: .*?(\d+) events?\s*$/.exec(tail.toString('utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
