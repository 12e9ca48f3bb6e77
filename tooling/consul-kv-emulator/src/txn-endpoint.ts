import { allows, permissionDenied } from './acl.js';
import { type ApiContext, type ApiRequest, type ApiResponse, isResponse, json, methodNotAllowed, rpcCaller, text } from './api.js';
import { hasWrites, parseTxn, preCheckTxn, runTxn } from './txn.js';

/**
 * `PUT /v1/txn`: KV operations applied atomically. 200 `{ Results, Errors: null }` when every operation
 * succeeded, 409 `{ Results: null, Errors: [{ OpIndex, What }] }` (nothing applied) otherwise.
 * A transaction with a write takes one raft index for all its writes; a read-only one takes none and
 * carries the read headers.
 * https://developer.hashicorp.com/consul/api-docs/txn
 */
export function txnEndpoint(request: ApiRequest, context: ApiContext): ApiResponse {
  if (request.method !== 'PUT') return methodNotAllowed(request.method, ['PUT']);
  const { options, store } = context;
  const parsed = parseTxn(request.body, { maxOps: options.maxTxnOps, maxValueBytes: options.maxValueBytes, maxRequestBytes: options.maxTxnBytes });
  if (!('ops' in parsed)) return text(parsed.status, parsed.message);
  const { ops } = parsed;
  const caller = rpcCaller(request, options);
  if (isResponse(caller)) return caller;
  const denied = allows(caller) ? () => undefined : permissionDenied;
  const refused = preCheckTxn(ops, denied);
  if (refused.length > 0) return json(request, 409, { Results: null, Errors: refused });
  const writes = hasWrites(ops);
  // Read-only transactions are served like reads, with the read headers (on 409 too).
  const meta: Record<string, string> = writes ? {} : { 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '0' };
  const outcome = writes
    ? store.write((draft, idx) => {
        const run = runTxn(draft, idx, ops);
        return { commit: run.errors.length === 0, value: run };
      })
    : runTxn(store.state.clone(), store.raftIndex, ops);
  if (outcome.errors.length > 0) return json(request, 409, { Results: null, Errors: outcome.errors }, meta);
  // Results the caller may not read are filtered out (without a token: all of them).
  const results = allows(caller) ? outcome.results : [];
  return json(request, 200, { Results: results, Errors: null }, meta);
}
