// The escape byte is what this pattern looks for, so the control character is meant.
// eslint-disable-next-line no-control-regex
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

/** Text without terminal colour codes: tracebacks from other kernels (IPython) carry them. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_COLOUR, '');
}
