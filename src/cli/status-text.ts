/** `sticky status` as plain text (when there is no terminal dashboard). Pure. */
import type { StatusSnapshot, SupervisorEvent } from '../control/protocol.js';
import { stripControls } from '../text/control-chars.js';
import { formatTable } from '../text/table.js';
import { formatBytes, formatClock, formatDuration, formatPercent } from '../text/units.js';

const RECENT_EVENTS = 5;
const NUMBER_COLUMNS = new Set([1, 3, 4, 5, 7, 8]);

export function formatStatus(status: StatusSnapshot): string {
  const { connections } = status;
  const lines = [
    `${status.name}  pid ${status.pid}  up ${formatDuration(status.uptimeMs)}  ${status.host}:${status.port}  routing ${status.routing}${status.accept ? `  accept ${status.accept}` : ''}`,
    `connections  active ${connections.active}  total ${connections.total}  rejected ${connections.rejected}  misrouted ${connections.misrouted}`,
    '',
    formatTable([
      ['SLOT', 'PID', 'STATE', 'ACTIVE', 'TOTAL', 'RESTARTS', 'UPTIME', 'MEMORY', 'CPU'],
      ...[...status.workers].sort((a, b) => a.slot - b.slot).map((worker) => [
        String(worker.slot),
        String(worker.pid),
        worker.state,
        String(worker.active),
        String(worker.total),
        String(worker.restarts),
        formatDuration(worker.uptimeMs),
        formatBytes(worker.rssBytes),
        `${formatPercent(worker.cpuPercent)}%`,
      ]),
    ], NUMBER_COLUMNS),
  ];
  const events = status.events?.slice(-RECENT_EVENTS) ?? [];
  if (events.length > 0) lines.push('', 'recent events', ...events.map(formatEvent));
  // The supervisor already strips what apps and clients chose; this is the terminal's last guard.
  return `${lines.map((line) => stripControls(line, { keepNewlines: true })).join('\n')}\n`;
}

function formatEvent(event: SupervisorEvent): string {
  const time = formatClock(event.time);
  const where = event.slot === undefined ? '' : ` slot ${event.slot}`;
  return `  ${time} ${event.level.padEnd(5)}${where} ${event.message}`;
}
