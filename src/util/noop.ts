/** For events whose errors are handled elsewhere (a socket's 'error' before its 'close'). */
export function noop(): void {}
