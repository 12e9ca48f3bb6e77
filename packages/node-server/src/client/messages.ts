/** The prefix of every message the client logs or throws, so they can be found with one grep. */
export const PREFIX = '[switchyard/node-server]';

/** An error's message, or the thrown value as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
