/**
 * Why a worker aborted. A V8 heap exhaustion (--max-old-space-size) and other fatal errors
 * end the process with SIGABRT, which alone says nothing. Node's diagnostic report on fatal
 * error (written in C++, needing no JS heap) names the cause: the worker arms it into a
 * private folder of the primary's, which reads and deletes it when the worker dies.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FATAL_REPORT_ENV } from './env.js';

export interface FatalReport {
  /** Node's trigger: `OOMError` for a heap exhaustion, `FatalError` for other fatal errors. */
  trigger: string;
  /** V8's or Node's message, e.g. "Allocation failed - JavaScript heap out of memory". */
  event: string;
}

function reportFile(pid: number): string {
  return `fatal-${pid}.json`;
}

/** Worker side: from now on a fatal error writes a report where the primary looks for it. */
export function armFatalReport(env: NodeJS.ProcessEnv = process.env): void {
  const dir = env[FATAL_REPORT_ENV];
  if (!dir || !process.report) return;
  process.report.directory = dir;
  process.report.filename = reportFile(process.pid);
  process.report.reportOnFatalError = true;
}

/** Primary side: the report worker `pid` left, if any (and the file is removed). */
export function takeFatalReport(dir: string, pid: number): FatalReport | undefined {
  const file = join(dir, reportFile(pid));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  rmSync(file, { force: true });
  try {
    const header = (JSON.parse(text) as { header?: { trigger?: unknown; event?: unknown } }).header;
    return { trigger: String(header?.trigger ?? ''), event: String(header?.event ?? '') };
  } catch {
    // Cut short (the disk filled, the process was killed while writing): still a fatal error.
    return { trigger: '', event: '' };
  }
}

/** The report says the V8 heap was exhausted. */
export function isOutOfMemory(report: FatalReport): boolean {
  return report.trigger === 'OOMError' || /heap out of memory/i.test(report.event);
}
