import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactSign, exportJWK, type JWK } from 'jose';

/**
 * Consent receipts (Kantara Initiative Consent Receipt Specification v1.1) signed as a compact JWS with the tenant's
 * Ed25519 key, verifiable offline with the tenant's published JWKS.
 */

// An Ed25519 private key from a 32-byte seed: the PKCS#8 DER prefix for Ed25519, then the seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// Parsing a key costs more than signing with it: keep the last few (one per active tenant), keyed by the seed itself.
const keyCache = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

export const tenantSigningKey = (seed: Buffer): { privateKey: KeyObject; publicKey: KeyObject } => {
  const id = seed.toString('base64');
  const hit = keyCache.get(id);
  if (hit) return hit;
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const pair = { privateKey, publicKey: createPublicKey(privateKey) };
  if (keyCache.size >= 256) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(id, pair);
  return pair;
};

export const keyId = (tenantId: string) => `${tenantId}-receipts-1`;

export const tenantJwks = async (tenantId: string, seed: Buffer): Promise<{ keys: JWK[] }> => {
  const jwk = await exportJWK(tenantSigningKey(seed).publicKey);
  return { keys: [{ ...jwk, kid: keyId(tenantId), alg: 'EdDSA', use: 'sig' }] };
};

export type ReceiptInput = {
  tenantId: string;
  controller: { name: string; contact: string; address: string; email: string; phone?: string } | null;
  policyUrl: string | null;
  jurisdiction: string;
  language: string;
  subjectId: string;
  collectionMethod: string;
  recordedAt: Date;
  submissionId: string;
  purposes: { key: string; name: string; categories: string[]; recordId: string; thirdParties: string[] }[];
  sensitive: boolean;
};

export const buildReceipt = (r: ReceiptInput) => ({
  version: 'KI-CR-v1.1.0',
  jurisdiction: r.jurisdiction,
  consentTimestamp: Math.floor(r.recordedAt.getTime() / 1000),
  collectionMethod: r.collectionMethod,
  consentReceiptID: r.submissionId,
  language: r.language,
  piiPrincipalId: r.subjectId,
  piiControllers: r.controller
    ? [
        {
          piiController: r.controller.name,
          contact: r.controller.contact,
          address: r.controller.address,
          email: r.controller.email,
          phone: r.controller.phone ?? '',
        },
      ]
    : [],
  policyUrl: r.policyUrl ?? '',
  services: [
    {
      service: r.tenantId,
      purposes: r.purposes.map((p) => ({
        purpose: p.name,
        purposeCategory: [p.key],
        consentType: 'EXPLICIT',
        piiCategory: p.categories,
        primaryPurpose: false,
        termination: 'Withdrawal by the data subject at any time, or end of the stated retention',
        thirdPartyDisclosure: p.thirdParties.length > 0,
        thirdPartyName: p.thirdParties.join(', '),
        'x-lawful-record': p.recordId,
      })),
    },
  ],
  sensitive: r.sensitive,
  spiCat: [],
});

export const signReceipt = async (tenantId: string, seed: Buffer, receipt: object): Promise<string> =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(receipt)))
    .setProtectedHeader({ alg: 'EdDSA', kid: keyId(tenantId), typ: 'JWT' })
    .sign(tenantSigningKey(seed).privateKey);
