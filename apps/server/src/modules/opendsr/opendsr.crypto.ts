import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
  X509Certificate,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import forge from 'node-forge';
import { AppError } from '../../lib/errors.ts';

/**
 * OpenDSR message signatures (spec §§ 4, 7.3, 8.3, 8.6, 8.8; decisions in docs/opendsr.md).
 * A signature is RSASSA-PKCS1-v1_5 with SHA-256 (FIPS 186-4) over the raw body bytes, i.e. over their SHA-256
 * digest, base64-encoded in `X-OpenDSR-Signature`; the signer names itself in `X-OpenDSR-Processor-Domain`, and the
 * certificate must be issued to that domain.
 */

export const OPENDSR_HEADERS = {
  v2: { signature: 'X-OpenDSR-Signature', processorDomain: 'X-OpenDSR-Processor-Domain' },
  /** OpenGDPR 0.x/1.0 names, which the spec (§ 10.1) says parties must still honour. */
  v1: { signature: 'X-OpenGDPR-Signature', processorDomain: 'X-OpenGDPR-Processor-Domain' },
} as const;
export type OpenDsrHeaderVersion = keyof typeof OPENDSR_HEADERS;

export type SigningMaterial = { privateKey: KeyObject; certificate: X509Certificate; certificatePem: string };

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/**
 * A self-signed RSA key and certificate, for development and tests only: the spec (§ 4.1) forbids self-signed
 * certificates between real parties, and `assertCertificateUsable` refuses them unless told otherwise.
 * @example const { privateKeyPem, certificatePem } = generateDevCertificate({ commonName: 'localhost', now: clock.now() })
 */
export const generateDevCertificate = (opts: {
  commonName: string;
  now: Date;
  days?: number;
  modulusLength?: 2048 | 3072 | 4096;
}): { privateKeyPem: string; certificatePem: string } => {
  // Node generates the key (fast, native); node-forge only assembles and signs the X.509 structure.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: opts.modulusLength ?? 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // A positive serial: a leading 0x01 byte keeps the DER integer from reading as negative.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(opts.now.getTime() - 5 * 60_000);
  cert.validity.notAfter = new Date(opts.now.getTime() + (opts.days ?? 365) * 86_400_000);
  const name = [
    { name: 'commonName', value: opts.commonName },
    { name: 'organizationName', value: 'Lawful development (self-signed)' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: opts.commonName }] },
  ]);
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(pkcs1), forge.md.sha256.create());
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certificatePem: forge.pki.certificateToPem(cert),
  };
};

/** Parses a key and certificate and checks they belong together, so a misconfiguration fails at start-up. */
export const loadSigningMaterial = (pem: { privateKeyPem: string; certificatePem: string }): SigningMaterial => {
  let privateKey: KeyObject;
  let certificate: X509Certificate;
  try {
    privateKey = createPrivateKey(pem.privateKeyPem);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the OpenDSR private key is not a PEM private key', {
      field: 'privateKey',
    });
  }
  try {
    certificate = new X509Certificate(pem.certificatePem);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the OpenDSR certificate is not a PEM X.509 certificate', {
      field: 'certificate',
    });
  }
  if (!spki(createPublicKey(privateKey)).equals(spki(certificate.publicKey))) {
    throw new AppError('VALIDATION_FAILED', 'the OpenDSR private key does not match the certificate', {
      field: 'certificate',
    });
  }
  return { privateKey, certificate, certificatePem: certificate.toString() };
};

/** @example await loadSigningMaterialFromFiles({ keyPath: '/etc/lawful/opendsr.key', certPath: '/etc/lawful/opendsr.pem' }) */
export const loadSigningMaterialFromFiles = async (paths: { keyPath: string; certPath: string }) =>
  loadSigningMaterial({
    privateKeyPem: await readFile(paths.keyPath, 'utf8'),
    certificatePem: await readFile(paths.certPath, 'utf8'),
  });

const bytes = (body: string | Uint8Array) => (typeof body === 'string' ? Buffer.from(body, 'utf8') : body);

/** Signs the exact bytes that go on the wire; serialise once, sign that, send that. */
export const signBody = (body: string | Uint8Array, privateKey: KeyObject): string =>
  sign('sha256', bytes(body), privateKey).toString('base64');

/**
 * True if `signature` is valid for the raw body under the certificate's key. Whitespace inside the base64 is
 * ignored, because the spec's own examples fold the header over several lines. Never throws on bad input.
 */
export const verifyBody = (body: string | Uint8Array, signature: string, certificate: X509Certificate): boolean => {
  const b64 = signature.replace(/\s+/g, '');
  if (b64 === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  try {
    return verify('sha256', bytes(body), certificate.publicKey, Buffer.from(b64, 'base64'));
  } catch {
    return false;
  }
};

/** Headers for a signed body: v2 names, plus the v1 names unless asked not to (§ 10.1 compatibility). */
export const signatureHeaders = (
  body: string | Uint8Array,
  material: SigningMaterial,
  processorDomain: string,
  versions: readonly OpenDsrHeaderVersion[] = ['v2', 'v1'],
): Record<string, string> => {
  const signature = signBody(body, material.privateKey);
  const out: Record<string, string> = {};
  for (const v of versions) {
    out[OPENDSR_HEADERS[v].signature] = signature;
    out[OPENDSR_HEADERS[v].processorDomain] = processorDomain;
  }
  return out;
};

type HeaderBag = Headers | Record<string, string | string[] | undefined>;
const header = (h: HeaderBag, name: string): string | undefined => {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : h[key];
  return Array.isArray(v) ? v.join(',') : v;
};

/** Reads the signature headers, v2 first; null when a version's pair is incomplete or absent. */
export const readSignatureHeaders = (
  h: HeaderBag,
): { version: OpenDsrHeaderVersion; signature: string; processorDomain: string } | null => {
  for (const version of ['v2', 'v1'] as const) {
    const signature = header(h, OPENDSR_HEADERS[version].signature);
    const processorDomain = header(h, OPENDSR_HEADERS[version].processorDomain);
    if (signature && processorDomain)
      return { version, signature, processorDomain: processorDomain.trim().toLowerCase() };
  }
  return null;
};

// Not `checkIssued`: OpenSSL's issuer check also wants keyCertSign, which a leaf self-signed certificate lacks.
const isSelfSigned = (c: X509Certificate) => c.subject === c.issuer && c.verify(c.publicKey);

/**
 * § 4.1 and § 8.3: the certificate is in date, issued for the domain that claims to have signed, and not
 * self-signed (unless `allowSelfSigned`, for development). Chain trust is the fetcher's job: Lawful fetches the
 * processor certificate over HTTPS from the discovery document, where Node's CA store applies.
 */
export const assertCertificateUsable = (
  certificate: X509Certificate,
  opts: { at: Date; domain: string; allowSelfSigned?: boolean },
): void => {
  const from = new Date(certificate.validFrom).getTime();
  const to = new Date(certificate.validTo).getTime();
  const t = opts.at.getTime();
  if (!(t >= from && t <= to)) throw new AppError('FORBIDDEN', 'the OpenDSR certificate is not valid at this time');
  if (certificate.checkHost(opts.domain) === undefined) {
    throw new AppError('FORBIDDEN', `the OpenDSR certificate is not issued to ${opts.domain}`);
  }
  if (!opts.allowSelfSigned && isSelfSigned(certificate)) {
    throw new AppError('FORBIDDEN', 'self-signed OpenDSR certificates are refused (spec § 4.1)');
  }
};

/**
 * The § 8.8 check for an incoming callback or response, before the body is parsed: headers present, domain known
 * (the caller's allow-list or cache decides `certificateFor`), certificate usable, signature valid. Throws FORBIDDEN
 * (the spec's 403) otherwise.
 */
export const verifySignedMessage = (
  rawBody: string | Uint8Array,
  headers: HeaderBag,
  opts: { certificateFor: (domain: string) => X509Certificate | undefined; at: Date; allowSelfSigned?: boolean },
): { version: OpenDsrHeaderVersion; processorDomain: string } => {
  const found = readSignatureHeaders(headers);
  if (!found) throw new AppError('FORBIDDEN', 'missing OpenDSR signature headers');
  const certificate = opts.certificateFor(found.processorDomain);
  if (!certificate) throw new AppError('FORBIDDEN', 'unknown OpenDSR processor domain');
  assertCertificateUsable(certificate, {
    at: opts.at,
    domain: found.processorDomain,
    allowSelfSigned: opts.allowSelfSigned,
  });
  if (!verifyBody(rawBody, found.signature, certificate)) throw new AppError('FORBIDDEN', 'bad OpenDSR signature');
  return { version: found.version, processorDomain: found.processorDomain };
};
