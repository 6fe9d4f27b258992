import { watch, type FSWatcher } from 'chokidar';
import { makeIgnore } from './ignore.js';

export interface WatchOptions {
  /** Absolute paths (files or folders). */
  paths: string[];
  debounceMs: number;
  ignored: string[];
}

/**
 * Watches the configured paths and calls `onChange` once per burst of changes: a build
 * writing a hundred files, or an editor saving ten times, makes one reload.
 */
export class FileWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private changed = new Set<string>();

  constructor(
    private readonly options: WatchOptions,
    private readonly onChange: (paths: string[]) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** Resolves once the initial scan is done (changes before that are not reported). */
  start(): Promise<void> {
    const watcher = watch(this.options.paths, {
      ignoreInitial: true,
      ignored: makeIgnore(this.options.paths, this.options.ignored),
    });
    this.watcher = watcher;
    watcher.on('all', (_event, path) => this.record(path));
    watcher.on('error', (err) => this.onError(err as Error));
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
  }

  private record(path: string): void {
    this.changed.add(path);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const paths = [...this.changed];
      this.changed.clear();
      this.onChange(paths);
    }, this.options.debounceMs);
  }
}
