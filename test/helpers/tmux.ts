import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tryKill } from './processes.js';
import { waitFor } from './wait-for.js';

export const SHELL_PROMPT = 'sticky-test$ ';

/**
 * A private tmux server (its own socket, no user config) with one pane of a fixed size running a
 * plain bash. Stopped by killing its server pid; the default tmux server is never touched.
 */
export class TmuxPane {
  private constructor(
    private readonly dir: string,
    private readonly socket: string,
    readonly serverPid: number,
  ) {}

  static async open(columns: number, rows: number, env: Record<string, string> = {}): Promise<TmuxPane> {
    const dir = mkdtempSync(path.join(tmpdir(), 'sticky-tmux-'));
    const socket = path.join(dir, 'sock');
    const vars = { LANG: 'C.UTF-8', PS1: SHELL_PROMPT, ...env };
    const shell = ['env', ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), 'bash', '--norc', '--noprofile'];
    execFileSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(columns), '-y', String(rows), ...shell]);
    const pid = Number(execFileSync('tmux', ['-S', socket, 'display-message', '-p', '#{pid}'], { encoding: 'utf8' }).trim());
    const pane = new TmuxPane(dir, socket, pid);
    try {
      await waitFor(() => pane.atPrompt(), 10_000, 'the shell prompt');
    } catch (error) {
      pane.close();
      throw error;
    }
    return pane;
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Types `text` literally, then Enter. */
  run(text: string): void {
    this.tmux('send-keys', '-l', text);
    this.tmux('send-keys', 'Enter');
  }

  /** Sends key names as tmux knows them (`q`, `Down`, `C-c`). */
  keys(...names: string[]): void {
    this.tmux('send-keys', ...names);
  }

  /** The visible screen, one line per row. */
  capture(): string {
    return this.tmux('capture-pane', '-p');
  }

  /** Whether the last non-empty line is the shell's prompt (capture-pane drops trailing spaces). */
  atPrompt(): boolean {
    const lines = this.capture().trimEnd().split('\n');
    return lines[lines.length - 1] === SHELL_PROMPT.trimEnd();
  }

  /** Whether the program in the pane has switched to the alternate screen. */
  alternateScreen(): boolean {
    return this.tmux('display-message', '-p', '#{alternate_on}').trim() === '1';
  }

  /** Pid of the foreground program's shell (the pane's first process). */
  panePid(): number {
    return Number(this.tmux('display-message', '-p', '#{pane_pid}').trim());
  }

  close(): void {
    tryKill(this.serverPid, 'SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
