import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Signer } from '../audit/audit.signer.ts';
import type { Vault } from '../vault/vault.service.ts';
import { createTenantExport } from './tenants.export.ts';
import { createTenantImport } from './tenants.import.ts';
import { createTenantOffboarding } from './tenants.offboard.ts';

/** A tenant's whole life beyond creation: export (return), import (restore elsewhere), delete (offboard). */
export const createTenantLifecycle = (deps: {
  db: Database;
  vault: Pick<Vault, 'tenantKeyMaterial' | 'wrapTenantKeys' | 'forgetTenant'>;
  audit: Pick<AuditLog, 'append' | 'seal' | 'checkpoint' | 'verify' | 'publicKey'>;
  signer: Signer;
  clock: Clock;
  exportDir?: string;
  erasureLog?: { recordTenantDeletion(tenantId: string, at: Date): void };
}) => {
  const offboarding = createTenantOffboarding(deps);
  return {
    /** The id of a tenant named by id or slug (the operator's way of naming one). */
    async resolve(idOrSlug: string) {
      const r = await deps.db.raw.query<{ id: string }>('select id from tenants where id = $1 or slug = $1', [
        idOrSlug,
      ]);
      if (!r.rows[0]) throw new AppError('NOT_FOUND', `no tenant "${idOrSlug}"; list them with: lawful tenant list`);
      return r.rows[0].id;
    },
    exportTenant: createTenantExport(deps),
    importTenant: createTenantImport(deps),
    deleteTenant: offboarding.remove,
    verifyDeletion: offboarding.verify,
  };
};
export type TenantLifecycle = ReturnType<typeof createTenantLifecycle>;
