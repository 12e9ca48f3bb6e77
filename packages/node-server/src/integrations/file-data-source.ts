import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

import type { LDLogger } from '@switchyard/core';

import type { DataSource } from '../data-sources/data-source.js';
import type { DataSourceUpdates } from '../data-sources/data-source-updates.js';
import { FlagFileError, addFlagFileContents, parseFlagFileText, type ItemJson, type YamlParser } from '../flag-file.js';
import type { ClientContext, DataSourceFactory } from '../options.js';

/** Options of {@link FileDataSourceFactory} (LaunchDarkly's `FileDataSourceOptions`). */
export interface FileDataSourceOptions {
  /** The files to read, merged (a key defined in two files is an error). JSON, or YAML by extension. */
  paths: string[];
  /** Reload when a file changes. Default false. */
  autoUpdate?: boolean;
  /** Where to log. Default: the client's logger. */
  logger?: LDLogger;
  /** Parses YAML files. Default: the `yaml` package. */
  yamlParser?: YamlParser;
}

/** How long file change notifications are gathered before one reload (editors write in several steps). */
const DEBOUNCE_MS = 20;

/**
 * Flags from local files instead of LaunchDarkly (LaunchDarkly's `FileDataSourceFactory`): pass
 * `new integrations.FileDataSourceFactory({ paths }).getFactory()` as `updateProcessor` (the form both
 * SDKs accept; Switchyard also takes the instance itself).
 * Works with any `featureStore`. Files hold `flags`, `segments` and `flagValues` (a value served to
 * everyone). With `autoUpdate`, a change reloads every file and applies the result like a stream `put`
 * (change events included); a file that fails to load on reload is logged and the previous data stays.
 * A failure on the first load fails the client (`failed`, `waitForInitialization` rejects).
 */
export class FileDataSourceFactory {
  constructor(private readonly options: FileDataSourceOptions) {}

  /** The `updateProcessor` factory. */
  getFactory(): DataSourceFactory {
    return (context, updates, initSuccess, errorHandler) => this.create(context, updates, initSuccess, errorHandler);
  }

  /** Creates the data source (called by the client). */
  create(context: ClientContext, updates: DataSourceUpdates, initSuccess: () => void, errorHandler: (error: Error) => void): DataSource {
    return new FileDataSource(this.options, this.options.logger ?? context.logger, updates, initSuccess, errorHandler);
  }
}

class FileDataSource implements DataSource {
  private readonly paths: string[];
  private readonly watchers: FSWatcher[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private previous: Record<string, ItemJson> = {};
  private initialized = false;
  private closed = false;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: FileDataSourceOptions,
    private readonly logger: LDLogger,
    private readonly updates: DataSourceUpdates,
    private readonly initSuccess: () => void,
    private readonly errorHandler: (error: Error) => void,
  ) {
    this.paths = (options.paths ?? []).map((p) => resolve(p));
  }

  start(): void {
    this.loading = this.load();
    if (this.options.autoUpdate) this.watch();
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    if (this.timer) clearTimeout(this.timer);
  }

  private watch(): void {
    // Watch each file's directory, not the file: editors and deploy tools replace files by renaming,
    // which ends a watch on the old file.
    const byDir = new Map<string, Set<string>>();
    for (const path of this.paths) {
      const dir = dirname(path);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(basename(path));
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, filename) => {
          if (filename === null || names.has(String(filename))) this.scheduleReload();
        });
        watcher.on('error', (err) => this.logger.warn(`[switchyard/node-server] watching ${dir} for flag file changes failed: ${err.message}`));
        this.watchers.push(watcher);
      } catch (err) {
        this.logger.warn(`[switchyard/node-server] cannot watch ${dir} for flag file changes: ${(err as Error).message}`);
      }
    }
  }

  private scheduleReload(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loading = this.loading.then(() => this.load());
    }, DEBOUNCE_MS);
  }

  private async load(): Promise<void> {
    const data = { features: {} as Record<string, ItemJson>, segments: {} as Record<string, ItemJson> };
    try {
      for (const path of this.paths) {
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (err) {
          throw new FlagFileError(`cannot read flag file ${path}: ${(err as Error).message}`, { cause: err });
        }
        const contents = await parseFlagFileText(path, text, this.options.yamlParser);
        // A flagValues flag keeps its version while its value is unchanged, and gets a higher one when it
        // changes, so change events fire for exactly the flags that changed.
        addFlagFileContents(path, contents, data, (key, value) => {
          const old = this.previous[key];
          if (!old) return 1;
          const oldValue = Array.isArray(old.variations) ? (old.variations as unknown[])[0] : undefined;
          return JSON.stringify(oldValue) === JSON.stringify(value) ? old.version : old.version + 1;
        });
      }
    } catch (err) {
      if (this.closed) return;
      const error = err instanceof Error ? err : new Error(String(err));
      const message = `[switchyard/node-server] ${error.message}`;
      if (!this.initialized) {
        this.logger.error(message);
        this.updates.updateStatus('OFF', { kind: 'INVALID_DATA', message: error.message });
        this.errorHandler(new FlagFileError(message, { cause: error }));
      } else {
        this.logger.error(`${message}; keeping the flags loaded before`);
        this.updates.updateStatus('INTERRUPTED', { kind: 'INVALID_DATA', message: error.message });
      }
      return;
    }
    if (this.closed) return;
    const ok = await this.updates.init(data);
    if (!ok || this.closed) return;
    this.previous = data.features;
    this.updates.updateStatus('VALID');
    if (!this.initialized) {
      this.initialized = true;
      this.initSuccess();
    }
  }
}
