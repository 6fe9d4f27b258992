import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The absolute path with symlinks followed; the resolved path when the file is gone. */
export function realFile(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}
