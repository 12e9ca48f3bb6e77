import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { LDLogger } from '@switchyard/core';

import { PREFIX } from './errors.js';
import type { ResolvedDynamoDbOptions } from './options.js';

/**
 * The DynamoDB client behind one store or one {@link dynamoDbStores} pair, reference-counted: each store
 * retains it when built and releases it on `close()`. The last release of a client the store created
 * destroys it and its agents (no socket stays open); a borrowed client is never destroyed.
 *
 * @internal
 */
export class DynamoDbClientHandle {
  /** The document client every operation goes through (plain JS values in and out). */
  readonly doc: DynamoDBDocumentClient;
  /** True for a client the user passed in (never destroyed here). */
  readonly borrowed: boolean;
  private readonly _client: DynamoDBClient;
  private readonly _agents: readonly (HttpAgent | HttpsAgent)[];
  private _refs = 0;
  private _closed = false;

  constructor(options: ResolvedDynamoDbOptions, logger: LDLogger) {
    this.borrowed = options.client !== undefined;
    if (options.client) {
      this._client = options.client;
      this._agents = [];
    } else if (options.clientOptions.requestHandler) {
      // The user's own handler (pool options are refused alongside it): its limits are theirs.
      this._client = new DynamoDBClient(options.clientOptions);
      this._agents = [];
    } else {
      const { maxSockets, keepAlive, connectionTimeoutMs, requestTimeoutMs } = options.pool;
      // Agents the store owns: maxSockets bounds one origin, maxTotalSockets everything (one endpoint).
      const agentOptions = { keepAlive, maxSockets, maxTotalSockets: maxSockets };
      const httpAgent = new HttpAgent(agentOptions);
      const httpsAgent = new HttpsAgent(agentOptions);
      this._agents = [httpAgent, httpsAgent];
      this._client = new DynamoDBClient({
        ...options.clientOptions,
        requestHandler: new NodeHttpHandler({
          httpAgent,
          httpsAgent,
          connectionTimeout: connectionTimeoutMs,
          requestTimeout: requestTimeoutMs,
          // Without this a request past requestTimeout only logs a warning and keeps waiting.
          throwOnRequestTimeout: true,
          // The handler's "socket usage at capacity" warning goes to the SDK's logger, not the console.
          logger: { debug: () => undefined, info: () => undefined, trace: () => undefined, error: (m: unknown) => logger.error(`${PREFIX} ${String(m)}`), warn: (m: unknown) => logger.warn(`${PREFIX} ${String(m)}`) },
        }),
      });
    }
    this.doc = DynamoDBDocumentClient.from(this._client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** True once the last store released a client the store created (a new store needs a new handle). */
  get closed(): boolean {
    return this._closed;
  }

  /** Called by each store that uses this client. */
  retain(): void {
    this._refs++;
  }

  /** Called by each store's `close()`; the last one destroys an owned client and its sockets. */
  release(): void {
    this._refs = Math.max(0, this._refs - 1);
    if (this._refs > 0 || this.borrowed || this._closed) return;
    this._closed = true;
    this._client.destroy();
    for (const agent of this._agents) agent.destroy();
  }
}
