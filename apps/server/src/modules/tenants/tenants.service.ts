import { type CreatedApiKey, type CreateTenant, type Tenant, TenantSettings } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { TenantRow, TenantsRepo } from './tenants.repo.ts';

const toTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  settings: r.settings,
  createdAt: r.createdAt.toISOString(),
});

const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-|-$/g, '') || 'tenant';

export const createTenantsService = (deps: {
  db: Database;
  repo: TenantsRepo;
  vault: Pick<Vault, 'newTenantKeys'>;
  keys: Pick<KeysService, 'createIn'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, vault, keys, audit, clock } = deps;
  return {
    /** Creates a tenant with its key hierarchy and a first admin key (shown once). */
    async create(input: CreateTenant, actor: string): Promise<{ tenant: Tenant; adminKey: CreatedApiKey }> {
      const now = clock.now();
      const id = newId('tenant', now.getTime());
      const slug = input.slug ?? slugify(input.name);
      const settings = TenantSettings.parse(input.settings ?? {});
      return db.system.transaction(async (tx) => {
        if (await repo.bySlug(tx, slug)) {
          throw new AppError('CONFLICT', `a tenant with slug "${slug}" already exists; choose another slug`, {
            field: 'slug',
          });
        }
        const row = {
          id,
          name: input.name,
          slug,
          settings,
          status: 'active' as const,
          createdAt: now,
          ...vault.newTenantKeys(id),
        };
        await repo.insert(tx, row);
        await audit.append(tx, id, { actor, action: 'tenant.create', target: id });
        const adminKey = await keys.createIn(tx, id, { name: 'first admin key', role: 'admin' }, actor);
        return { tenant: toTenant(row), adminKey };
      });
    },
    get: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.get(tx, tenantId);
        if (!row) throw notFound('tenant');
        return toTenant(row);
      }),
    /** Operator view across tenants. */
    list: async () => (await repo.list(db.system)).map(toTenant),
    resolve: async (idOrSlug: string) => {
      const row = idOrSlug.startsWith('tnt_')
        ? await repo.get(db.system, idOrSlug)
        : await repo.bySlug(db.system, idOrSlug);
      if (!row) throw new AppError('NOT_FOUND', `no tenant "${idOrSlug}"; list them with: lawful tenant list`);
      return toTenant(row);
    },
    updateSettings: (tenantId: string, patch: Partial<TenantSettings>, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.get(tx, tenantId);
        if (!row) throw notFound('tenant');
        const settings = TenantSettings.parse({ ...row.settings, ...patch });
        const updated = await repo.updateSettings(tx, tenantId, settings);
        await audit.append(tx, tenantId, {
          actor,
          action: 'tenant.settings.update',
          target: tenantId,
          details: { fields: Object.keys(patch) },
        });
        return toTenant(updated!);
      }),
  };
};
export type TenantsService = ReturnType<typeof createTenantsService>;
