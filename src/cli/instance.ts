/** How reload, stop and status find the running instance: --name, or the config's name. */
import { ControlClient } from '../control/client.js';
import { configBaseDir, defaultName, readConfigFile } from '../config/index.js';
import { NAME_PATTERN, NAME_RULE } from '../config/schema.js';
import { StickyUsageError } from '../errors.js';

export interface InstanceFlags {
  name?: string;
  config?: string;
}

/**
 * The instance name. Only the config's `name` is read, not the whole config validated, so
 * `sticky stop` still works after someone broke the rest of the file.
 */
export async function instanceName(flags: InstanceFlags): Promise<string> {
  if (flags.name !== undefined) {
    if (!NAME_PATTERN.test(flags.name)) throw new StickyUsageError(`sticky: --name: "${flags.name}" ${NAME_RULE}`);
    return flags.name;
  }
  const { filepath, config } = await readConfigFile({ configFile: flags.config });
  const name = (config as { name?: unknown } | null)?.name;
  return typeof name === 'string' && NAME_PATTERN.test(name) ? name : defaultName(configBaseDir(filepath));
}

export async function connectInstance(flags: InstanceFlags): Promise<ControlClient> {
  return ControlClient.connect(await instanceName(flags));
}
