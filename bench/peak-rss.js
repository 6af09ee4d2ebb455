// The peak resident memory of this process, KiB. On Linux from VmHWM in /proc/self/status: the
// high-water mark of this program's own memory. getrusage's maxrss (process.resourceUsage) starts
// from the parent's resident memory at the fork and keeps it across exec, so a child spawned by a
// bench process holding 130 MB reported 130 MB whatever it used itself.
import { readFileSync } from 'node:fs';

export function peakRssKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: fall back to getrusage, which is right where the parent was smaller.
  }
  return process.resourceUsage().maxRSS;
}
