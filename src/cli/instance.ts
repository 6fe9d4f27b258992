/** How reload, stop, status and scale find the running instance: --name, or the config's name. */
import { ControlClient } from '../control/client.js';
import type { PingResult } from '../control/protocol.js';
import { configBaseDir, defaultName, readConfigFile } from '../config/index.js';
import { NAME_PATTERN, NAME_RULE } from '../config/schema.js';
import { isOtherConfig, StickyNameClashError, StickyUsageError } from '../errors.js';
import { realFile } from '../util/real-file.js';

export interface InstanceFlags {
  name?: string;
  config?: string;
}

export interface InstanceRef {
  name: string;
  /** The config file the name came from; undefined for --name. */
  configFile?: string;
}

/**
 * The instance name. Only the config's `name` is read, not the whole config validated, so
 * `sticky stop` still works after someone broke the rest of the file.
 */
export async function findInstance(flags: InstanceFlags): Promise<InstanceRef> {
  if (flags.name !== undefined) {
    if (!NAME_PATTERN.test(flags.name)) throw new StickyUsageError(`sticky: --name: "${flags.name}" ${NAME_RULE}`);
    return { name: flags.name };
  }
  const { filepath, config } = await readConfigFile({ configFile: flags.config });
  const name = (config as { name?: unknown } | null)?.name;
  return {
    name: typeof name === 'string' && NAME_PATTERN.test(name) ? name : defaultName(configBaseDir(filepath)),
    configFile: realFile(filepath),
  };
}

/**
 * Connects to the instance. Found through a config file, it must be that file's instance:
 * another project whose config has the same name is refused (StickyNameClashError).
 */
export async function connectInstance(flags: InstanceFlags): Promise<ControlClient> {
  const ref = await findInstance(flags);
  const client = await ControlClient.connect(ref.name);
  if (ref.configFile === undefined) return client;
  try {
    const ping = await client.request<PingResult>('ping');
    const files = { running: ping.configFile, ours: ref.configFile };
    if (isOtherConfig(files)) throw new StickyNameClashError(ref.name, ping.pid, { running: ping.configFile!, ours: ref.configFile });
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}
