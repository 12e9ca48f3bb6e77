import { request } from 'node:http';

import { describe, expect, it } from 'vitest';

import { startDynalite, waitUntil } from '../src/index.js';

/** A raw DynamoDB JSON call; dynalite checks the header shape, not the signature. */
function call(endpoint: string, target: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${endpoint}/`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': `DynamoDB_20120810.${target}`,
          'X-Amz-Date': '20260101T000000Z',
          Authorization: 'AWS4-HMAC-SHA256 Credential=t/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Record<string, unknown> }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const table = {
  TableName: 'switchyard-test',
  AttributeDefinitions: [
    { AttributeName: 'namespace', AttributeType: 'S' },
    { AttributeName: 'key', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'namespace', KeyType: 'HASH' },
    { AttributeName: 'key', KeyType: 'RANGE' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

describe.each(['in-process', 'child-process'] as const)('startDynalite (%s)', (mode) => {
  it('answers DynamoDB calls, and a new table turns ACTIVE within a second', async () => {
    const d = await startDynalite({ mode });
    try {
      expect(d.endpoint).toBe(`http://127.0.0.1:${d.port}`);
      const created = await call(d.endpoint, 'CreateTable', table);
      expect(created.status).toBe(200);
      // As with real DynamoDB, CreateTable answers CREATING and the table turns ACTIVE afterwards (dynalite
      // flips it on a zero-delay timer, so a loaded machine can answer one DescribeTable before that):
      // clients wait for ACTIVE, as the AWS SDK's waitUntilTableExists does.
      const deadline = Date.now() + 1000;
      let status = '';
      while (Date.now() < deadline) {
        const described = await call(d.endpoint, 'DescribeTable', { TableName: 'switchyard-test' });
        status = (described.json.Table as { TableStatus: string }).TableStatus;
        if (status === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(status).toBe('ACTIVE');
      const put = await call(d.endpoint, 'PutItem', { TableName: 'switchyard-test', Item: { namespace: { S: 'features' }, key: { S: 'f' } } });
      expect(put.status).toBe(200);
    } finally {
      await d.stop();
    }
  });

  it('goes down on kill and comes back empty on restart, on the same port', async () => {
    const d = await startDynalite({ mode });
    try {
      await call(d.endpoint, 'CreateTable', table);
      await d.kill();
      await expect(call(d.endpoint, 'ListTables', {})).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
      await d.restart();
      const listed = await call(d.endpoint, 'ListTables', {});
      expect(listed.json.TableNames).toEqual([]);
    } finally {
      await d.stop();
    }
  });
});

it('enforces a configurable item size limit', async () => {
  const d = await startDynalite({ maxItemSizeKb: 1 });
  try {
    await call(d.endpoint, 'CreateTable', table);
    // The table turns ACTIVE on a timer; a PutItem before that is a ResourceNotFoundException (400).
    await waitUntil(
      async () => ((await call(d.endpoint, 'DescribeTable', { TableName: 'switchyard-test' })).json.Table as { TableStatus: string }).TableStatus === 'ACTIVE',
      { timeoutMs: 5_000, what: 'the table to turn ACTIVE' },
    );
    const item = (n: number) => ({ TableName: 'switchyard-test', Item: { namespace: { S: 'f' }, key: { S: 'k' }, item: { S: 'x'.repeat(n) } } });
    expect((await call(d.endpoint, 'PutItem', item(900))).status).toBe(200);
    const tooBig = await call(d.endpoint, 'PutItem', item(1100));
    expect(tooBig.status).toBe(400);
    expect(String(tooBig.json.message)).toMatch(/Item size has exceeded the maximum allowed size/);
  } finally {
    await d.stop();
  }
});
