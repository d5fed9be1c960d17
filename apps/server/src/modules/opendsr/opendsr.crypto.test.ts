import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertCertificateUsable,
  generateDevCertificate,
  loadSigningMaterial,
  loadSigningMaterialFromFiles,
  OPENDSR_HEADERS,
  readSignatureHeaders,
  signatureHeaders,
  signBody,
  verifyBody,
  verifySignedMessage,
} from './opendsr.crypto.ts';

const now = new Date('2025-06-01T12:00:00Z');
// One key pair for the file: RSA generation is the slow part.
const dev = generateDevCertificate({ commonName: 'processor.lawful.test', now });
const material = loadSigningMaterial(dev);
const other = loadSigningMaterial(generateDevCertificate({ commonName: 'processor.lawful.test', now }));

const body = JSON.stringify({
  controller_id: 'ctl_1',
  expected_completion_time: '2025-07-01T00:00:00Z',
  subject_request_id: 'a7551968-d5d6-44b2-9831-815ac9017798',
  request_status: 'completed',
});

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('certificates', () => {
  it('generates a self-signed RSA certificate for the domain, valid from now', () => {
    const cert = new X509Certificate(dev.certificatePem);
    expect(dev.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(cert.subject).toContain('CN=processor.lawful.test');
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
    expect(cert.checkHost('processor.lawful.test')).toBe('processor.lawful.test');
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now.getTime() + 364 * 86_400_000);
  });

  it('loads PEM files and refuses a key that does not match the certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lawful-opendsr-'));
    dirs.push(dir);
    await writeFile(join(dir, 'k.pem'), dev.privateKeyPem);
    await writeFile(join(dir, 'c.pem'), dev.certificatePem);
    const loaded = await loadSigningMaterialFromFiles({ keyPath: join(dir, 'k.pem'), certPath: join(dir, 'c.pem') });
    expect(verifyBody(body, signBody(body, loaded.privateKey), material.certificate)).toBe(true);
    expect(() =>
      loadSigningMaterial({ privateKeyPem: dev.privateKeyPem, certificatePem: other.certificatePem }),
    ).toThrow(/does not match/);
    expect(() => loadSigningMaterial({ privateKeyPem: 'nope', certificatePem: dev.certificatePem })).toThrow(
      /private key/,
    );
    expect(() => loadSigningMaterial({ privateKeyPem: dev.privateKeyPem, certificatePem: 'nope' })).toThrow(
      /certificate/,
    );
  });

  it('refuses self-signed, out-of-date and wrong-domain certificates unless development allows self-signed', () => {
    const cert = material.certificate;
    expect(() => assertCertificateUsable(cert, { at: now, domain: 'processor.lawful.test' })).toThrow(/self-signed/);
    expect(() =>
      assertCertificateUsable(cert, { at: now, domain: 'processor.lawful.test', allowSelfSigned: true }),
    ).not.toThrow();
    expect(() => assertCertificateUsable(cert, { at: now, domain: 'evil.test', allowSelfSigned: true })).toThrow(
      /not issued to/,
    );
    const later = new Date(now.getTime() + 400 * 86_400_000);
    expect(() =>
      assertCertificateUsable(cert, { at: later, domain: 'processor.lawful.test', allowSelfSigned: true }),
    ).toThrow(/not valid at this time/);
  });
});

describe('signatures', () => {
  it('signs the SHA-256 digest of the raw body (RSASSA-PKCS1-v1_5), base64', () => {
    const sig = signBody(body, material.privateKey);
    expect(sig).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(sig, 'base64')).toHaveLength(256); // 2048-bit RSA
    // Deterministic padding: the same body gives the same signature.
    expect(signBody(Buffer.from(body), material.privateKey)).toBe(sig);
    expect(verifyBody(body, sig, material.certificate)).toBe(true);
  });

  it('rejects a changed body, another key, garbage, and accepts a signature folded over lines', () => {
    const sig = signBody(body, material.privateKey);
    expect(verifyBody(`${body} `, sig, material.certificate)).toBe(false);
    expect(verifyBody(body.replace('completed', 'cancelled'), sig, material.certificate)).toBe(false);
    expect(verifyBody(body, sig, other.certificate)).toBe(false);
    expect(verifyBody(body, 'not base64 at all!', material.certificate)).toBe(false);
    expect(verifyBody(body, '', material.certificate)).toBe(false);
    const folded = sig.match(/.{1,80}/g)?.join('\n') ?? '';
    expect(verifyBody(body, folded, material.certificate)).toBe(true);
  });

  it('writes v2 and v1 header names; reads v2 first, then v1', () => {
    const h = signatureHeaders(body, material, 'processor.lawful.test');
    expect(Object.keys(h).sort()).toEqual(
      [
        'X-OpenDSR-Processor-Domain',
        'X-OpenDSR-Signature',
        'X-OpenGDPR-Processor-Domain',
        'X-OpenGDPR-Signature',
      ].sort(),
    );
    expect(OPENDSR_HEADERS.v1.signature).toBe('X-OpenGDPR-Signature');
    expect(readSignatureHeaders(new Headers(h))?.version).toBe('v2');
    const v1only = signatureHeaders(body, material, 'Processor.Lawful.test', ['v1']);
    expect(
      readSignatureHeaders({
        'x-opengdpr-signature': v1only['X-OpenGDPR-Signature'],
        'x-opengdpr-processor-domain': 'Processor.Lawful.test',
      }),
    ).toEqual({
      version: 'v1',
      signature: v1only['X-OpenGDPR-Signature'],
      processorDomain: 'processor.lawful.test',
    });
    expect(readSignatureHeaders({ 'x-opendsr-signature': 'abc' })).toBeNull();
  });

  it('verifySignedMessage: the § 8.8 checks before parsing, 403 on any failure', () => {
    const headers = signatureHeaders(body, material, 'processor.lawful.test', ['v2']);
    const certificateFor = (d: string) => (d === 'processor.lawful.test' ? material.certificate : undefined);
    expect(verifySignedMessage(body, headers, { certificateFor, at: now, allowSelfSigned: true })).toEqual({
      version: 'v2',
      processorDomain: 'processor.lawful.test',
    });
    const fails = (b: string, h: Record<string, string>, allowSelfSigned = true) => {
      try {
        verifySignedMessage(b, h, { certificateFor, at: now, allowSelfSigned });
      } catch (e) {
        return (e as { status?: number }).status;
      }
      return 200;
    };
    expect(fails(`${body}x`, headers)).toBe(403);
    expect(fails(body, {})).toBe(403);
    expect(fails(body, { ...headers, 'X-OpenDSR-Processor-Domain': 'unknown.test' })).toBe(403);
    expect(fails(body, headers, false)).toBe(403);
  });
});
