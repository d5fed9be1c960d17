import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { sha256Hex } from '../../lib/crypto.ts';

/** The install's Ed25519 key: signs audit checkpoints (and other statements a third party must be able to check). */
export type Signer = { keyId: string; publicKeyPem: string; sign(message: string): string };

export const newSigningKeyPem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export const createSigner = (privateKeyPem: string): Signer => {
  const privateKey: KeyObject = createPrivateKey(privateKeyPem);
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: `ed25519:${sha256Hex(publicKeyPem).slice(0, 16)}`,
    publicKeyPem,
    sign: (message) => sign(null, Buffer.from(message), privateKey).toString('base64'),
  };
};

export const checkpointMessage = (c: { tenantId: string; seq: number; hash: string; at: string }) =>
  `lawful-audit-checkpoint\n${c.tenantId}\n${c.seq}\n${c.hash}\n${c.at}`;

/** What a verifier holding only the public key runs. */
export const verifyCheckpoint = (
  publicKeyPem: string,
  c: { tenantId: string; seq: number; hash: string; at: string; signature: string },
) => verify(null, Buffer.from(checkpointMessage(c)), createPublicKey(publicKeyPem), Buffer.from(c.signature, 'base64'));
