/** Env var through which the supervisor tells its worker entry the absolute path of the user's script. */
export const SCRIPT_ENV = 'STICKY_SCRIPT';
/** Env var naming the supervisor instance (config `name`), for the app's own logs. */
export const NAME_ENV = 'STICKY_NAME';
/** Env vars with the address the primary listens on: what an adopted server's address() reports. */
export const PUBLIC_HOST_ENV = 'STICKY_HOST';
export const PUBLIC_PORT_ENV = 'STICKY_PORT';
