/**
 * Text a client or an app chose (header values, worker error messages) on its way to the
 * operator's terminal or a log line: without C0 controls (but tab), DEL and C1 controls, a
 * terminal cannot be told to move the cursor, retitle the window, or recolour what follows.
 * JSON.stringify escapes C0 but passes C1 (U+009B is a one-character CSI) through. Pure.
 */

/** A whole CSI sequence (ESC [ or U+009B, parameters, final byte): dropped as one, not left as "[2J". */
const CSI_SEQUENCE = /(?:\u001b\[|\u009b)[0-9;?<=>]*[ -/]*[@-~]/g;
const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const ANY_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/;

export interface StripOptions {
  /** Keep "\n" (a stack trace's lines); "\r" still goes. */
  keepNewlines?: boolean;
  /** What each control becomes; default nothing. */
  replacement?: string;
}

export function stripControls(text: string, options: StripOptions = {}): string {
  if (!ANY_CONTROL.test(text)) return text;
  const replacement = options.replacement ?? '';
  return text.replace(CSI_SEQUENCE, '').replace(options.keepNewlines ? CONTROLS_BUT_NEWLINE : CONTROLS, replacement);
}
