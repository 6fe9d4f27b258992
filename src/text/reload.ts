import type { ReloadProgress, ReloadResult } from '../control/protocol.js';
import { formatDuration } from './units.js';

/** One step of a rolling reload, as `sticky reload` prints it and the dashboard shows it. */
export function describeProgress(progress: ReloadProgress): string {
  const slot = `slot ${progress.slot}:`;
  const oldPid = progress.oldPid === undefined ? '' : ` (old pid ${progress.oldPid})`;
  const detail = progress.message ? ` ${progress.message}` : '';
  switch (progress.phase) {
    case 'forking':
      return `${slot} starting a new worker${oldPid}`;
    case 'online':
      return `${slot} new worker pid ${progress.newPid ?? '?'} online`;
    case 'draining':
      return `${slot} draining old worker pid ${progress.oldPid ?? '?'}`;
    case 'drained':
      return `${slot} old worker pid ${progress.oldPid ?? '?'} exited`;
    case 'failed':
      return `${slot} new worker${progress.newPid === undefined ? '' : ` pid ${progress.newPid}`} failed, the old one keeps serving:${detail}`;
    default:
      return `${slot} ${String(progress.phase)}${detail}`;
  }
}

/** "2 workers replaced in 4.9s". */
export function describeReloadResult(result: ReloadResult): string {
  const count = result.replaced.length;
  return `${count} worker${count === 1 ? '' : 's'} replaced in ${formatDuration(result.durationMs)}`;
}
