import { StoreError, type StoreOperation } from '@switchyard/core';

/** The store's name in messages and `StoreError.store`. */
export const STORE = 'dynamodb';
/** Greppable prefix of every message of this package. */
export const PREFIX = '[switchyard/store-dynamodb]';

/** The parts of an AWS SDK v3 error this package reads. */
interface AwsError {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/** The error's `name` (`'ProvisionedThroughputExceededException'`, `'TimeoutError'`, …), or `''`. */
export function errorName(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as AwsError).name === 'string' ? (error as AwsError).name! : '';
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'ServiceUnavailable',
]);

/**
 * True for an error that says "try again later" rather than "this request is wrong": DynamoDB's
 * throttling errors and its 5xx answers. Init keeps retrying these until its deadline.
 */
export function isRetryable(error: unknown): boolean {
  if (THROTTLING.has(errorName(error))) return true;
  const status = (error as AwsError | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/**
 * Wraps anything an AWS call threw in a `StoreError` naming the operation and the AWS error name. AWS
 * messages never contain credentials. A missing table gets a message that says which table.
 */
export function storeError(operation: StoreOperation, error: unknown, tableName: string): StoreError {
  if (StoreError.isInstance(error)) return error;
  const name = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const text =
    name === 'ResourceNotFoundException'
      ? `table "${tableName}" was not found (${message}); create it first, e.g. with createDynamoDbTable()`
      : name && !message.startsWith(name)
        ? `${name}: ${message}`
        : message;
  return new StoreError(STORE, operation, text, { cause: error });
}
