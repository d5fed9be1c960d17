import type { Principal } from '../modules/keys/keys.service.ts';

/** What middleware puts on the Hono context for handlers to read. */
export type AppEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
  };
};

/** The actor recorded in audit entries: the key id, never a person's name. */
export const actorOf = (p: Principal) => p.keyId;
