/**
 * `@switchyard/node-server`: the Switchyard SDK for Node.js servers, a drop-in for
 * `@launchdarkly/node-server-sdk`. It wires `@switchyard/core` to Node's network and file system; it
 * never depends on a store package (install the one you need next to it).
 *
 * @packageDocumentation
 */
export { loadFlagFile, FlagFileError, type FlagFileContents } from './flag-file.js';
export { DataKinds, InMemoryDataStore, evaluateMinimal } from '@switchyard/core';
