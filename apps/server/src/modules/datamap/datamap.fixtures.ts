import type { Harness } from '../../../test/harness.ts';
import { newId } from '../../lib/ids.ts';
import { createDataMapRepo } from './datamap.repo.ts';

/** An export package row (ready, no file) for route tests: enough for link and list to find it. */
export const exportFixture = async (h: Harness, tenantId: string) => {
  const id = newId('export');
  const repo = createDataMapRepo();
  await h.rt.db.tenant(tenantId, (tx) =>
    repo.claimExport(tx, {
      tenantId,
      id,
      requestId: newId('request'),
      subjectId: null,
      kind: 'access',
      state: 'ready',
      fileName: `${id}.missing.lwfe`,
      keySealed: null,
      sealedUnder: 'tenant',
      expiresAt: new Date(Date.now() + 86_400_000),
      createdAt: new Date(),
    }),
  );
  return id;
};
