/**
 * Open clients by SDK key, shared by every copy of this package loaded in the process (the ESM and the
 * CommonJS build can both be loaded): the registry lives on `globalThis` under a registered symbol.
 */
interface Registry {
  readonly open: Map<string, Set<object>>;
  readonly shared: Map<string, object>;
}

const KEY = Symbol.for('switchyard.node-server.clients');

function registry(): Registry {
  const holder = globalThis as unknown as { [KEY]?: Registry };
  return (holder[KEY] ??= { open: new Map(), shared: new Map() });
}

/** Records an open client; returns how many clients (this one included) are open for the key. */
export function registerClient(sdkKey: string, client: object): number {
  const { open } = registry();
  let set = open.get(sdkKey);
  if (!set) open.set(sdkKey, (set = new Set()));
  set.add(client);
  return set.size;
}

/** Forgets a closed client. */
export function unregisterClient(sdkKey: string, client: object): void {
  const { open, shared } = registry();
  const set = open.get(sdkKey);
  set?.delete(client);
  if (set && set.size === 0) open.delete(sdkKey);
  if (shared.get(sdkKey) === client) shared.delete(sdkKey);
}

/** The shared client of a key, if one is open. */
export function sharedFor(sdkKey: string): object | undefined {
  return registry().shared.get(sdkKey);
}

/** Makes `client` the shared client of its key. */
export function setShared(sdkKey: string, client: object): void {
  registry().shared.set(sdkKey, client);
}
