import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { ServiceStartError } from './errors.js';
import { requireBinary } from './process.js';

const SERVICE = 'openssl';

/** A throwaway self-signed certificate for `127.0.0.1` and `localhost`, made by {@link createTestCertificate}. */
export interface TestCertificate {
  /** PEM files: the certificate, its private key, and the CA (the certificate itself: it signs itself). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /** The certificate in PEM, for a client's `ca` option. */
  readonly certPem: string;
  /** Deletes the files. */
  remove(): void;
}

/**
 * Makes a fresh self-signed certificate (RSA 2048, valid for one day, subjectAltName `IP:127.0.0.1` and
 * `DNS:localhost`) in a new temporary directory, with the `openssl` CLI. Throws {@link ServiceStartError}
 * naming the package to install when `openssl` is missing or fails.
 */
export async function createTestCertificate(): Promise<TestCertificate> {
  const openssl = requireBinary(SERVICE, process.env.OPENSSL_BIN ?? 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cert-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  try {
    await promisify(execFile)(openssl, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', keyFile, '-out', certFile,
    ]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new ServiceStartError(SERVICE, `could not make a test certificate: ${(err as Error).message}`, { cause: err });
  }
  return {
    certFile,
    keyFile,
    caFile: certFile,
    certPem: readFileSync(certFile, 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
