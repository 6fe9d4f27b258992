/** Env var through which the supervisor tells its worker entry the absolute path of the user's script. */
export const SCRIPT_ENV = 'STICKY_SCRIPT';
/** Env var naming the supervisor instance (config `name`), for the app's own logs. */
export const NAME_ENV = 'STICKY_NAME';
