import { SwitchyardError } from '../errors/index.js';
import { utf8ByteLength } from '../platform/index.js';
import {
  DEFAULT_MAX_ITEM_BYTES,
  type PersistentDataStore,
  type PersistentStoreKind,
  type SerializedItem,
} from './persistent-data-store.js';

/**
 * An item was not stored because it is bigger than the store's `maxItemBytes`. It is reported (logged
 * and counted), never thrown at the data source: the other items are stored as usual.
 */
export class ItemTooLargeError extends SwitchyardError {
  constructor(
    /** The store, e.g. `'dynamodb'`. */
    readonly store: string,
    /** The item's kind namespace, e.g. `'features'`. */
    readonly namespace: string,
    /** The item's key. */
    readonly key: string,
    /** The item's size as the store counts it. */
    readonly bytes: number,
    /** The limit it exceeded. */
    readonly maxItemBytes: number,
    /** The message, when the store words it itself (see `PersistentDataStore.describeOversizedItem`). */
    message?: string,
  ) {
    super(
      'ITEM_TOO_LARGE',
      message ??
        `[switchyard/store-${store}] ${namespace} item "${key}" is ${bytes} bytes, over the store's limit of ${maxItemBytes} bytes (maxItemBytes); it was not stored`,
    );
    this.name = 'ItemTooLargeError';
  }

  /** True for an {@link ItemTooLargeError} from any copy of the package. */
  static override isInstance(value: unknown): value is ItemTooLargeError {
    return SwitchyardError.isInstance(value) && value.code === 'ITEM_TOO_LARGE';
  }
}

/** Decides whether an item fits a store; see {@link createItemGuard}. */
export interface ItemGuard {
  /** The limit in bytes (`Infinity` when the guard is off). */
  readonly maxItemBytes: number;
  /** `undefined` when `item` fits, otherwise the error describing why it was refused. */
  check(kind: PersistentStoreKind, key: string, item: SerializedItem): ItemTooLargeError | undefined;
}

/** The default size of an item: the UTF-8 length of its JSON text. */
export function defaultItemByteLength(_kind: PersistentStoreKind, _key: string, item: SerializedItem): number {
  return item.serializedItem === undefined ? 0 : utf8ByteLength(item.serializedItem);
}

/**
 * The item guard shared by all stores, configured by the store's `maxItemBytes` and `itemByteLength`
 * (defaults: 409600 bytes, UTF-8 length of the JSON). {@link PersistentStoreWrapper} runs it before every
 * write; a store used without the wrapper can run it itself.
 */
export function createItemGuard(
  store: Pick<PersistentDataStore, 'description' | 'maxItemBytes' | 'itemByteLength' | 'describeOversizedItem'>,
): ItemGuard {
  const limit = store.maxItemBytes;
  const maxItemBytes = typeof limit === 'number' && limit > 0 ? limit : DEFAULT_MAX_ITEM_BYTES;
  const byteLength = store.itemByteLength?.bind(store) ?? defaultItemByteLength;
  return {
    maxItemBytes,
    check(kind, key, item) {
      if (maxItemBytes === Infinity) return undefined;
      // A cheap upper bound first: a UTF-8 character is at most 3 bytes per UTF-16 unit, so a short item
      // needs no counting. Stores with their own byte counting always count.
      if (!store.itemByteLength && (item.serializedItem?.length ?? 0) * 3 <= maxItemBytes) return undefined;
      const bytes = byteLength(kind, key, item);
      if (bytes <= maxItemBytes) return undefined;
      const message = store.describeOversizedItem?.(kind, key, bytes, maxItemBytes);
      return new ItemTooLargeError(store.description, kind.namespace, key, bytes, maxItemBytes, message);
    },
  };
}
