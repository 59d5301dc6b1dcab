/**
 * The wire protocols zen is served and asked over: its own framing on a TCP stream (zen.ts),
 * and HTTP/1.1 (zen-http.ts). Servers, the load generator and the bench take the list from here.
 */
export const PROTOCOL_NAMES = ['tcp', 'http'] as const;

export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** The `--protocol` option of every command that speaks to a server; each adds its own help. */
export const PROTOCOL_OPTION = {
  kind: 'choice',
  flag: 'protocol',
  arg: PROTOCOL_NAMES.join('|'),
  choices: PROTOCOL_NAMES,
  default: 'tcp',
} as const;
