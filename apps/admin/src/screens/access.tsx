import { type FormEvent, useState } from 'react';
import { describeError, lawful, type Session } from '../api.ts';
import { Alert, Loading, TableWrap, when } from '../ui/bits.tsx';
import { useLoad } from '../ui/use-load.ts';

const KEY_ROLES = ['admin', 'privacy_officer', 'agent', 'read_only', 'publishable'] as const;
const USER_ROLES = ['admin', 'privacy_officer', 'agent', 'read_only'] as const;
const label = (r: string) => r.replace('_', ' ');

export const Access = ({ session }: { session: Session }) => {
  if (session.user.role !== 'admin') {
    return <p>Only admins manage API keys and console users. Ask an admin of {session.tenant.name}.</p>;
  }
  return (
    <>
      <Keys />
      <Users self={session.user.id} />
    </>
  );
};

const Keys = () => {
  const keys = useLoad(() => lawful.keys.list(), []);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      const k = await lawful.keys.create({
        name: String(f.get('name') ?? ''),
        role: String(f.get('role')) as (typeof KEY_ROLES)[number],
      });
      setSecret({ name: k.name, secret: k.secret });
      form.reset();
      keys.reload();
    } catch (x) {
      setError(describeError(x));
    }
  };
  const revoke = async (id: string, name: string) => {
    if (!window.confirm(`Revoke the key “${name}”? Requests with it fail at once.`)) return;
    setError(null);
    try {
      await lawful.keys.revoke(id);
      keys.reload();
    } catch (x) {
      setError(describeError(x));
    }
  };
  return (
    <section aria-labelledby="keys">
      <h2 id="keys">API keys</h2>
      {error && <Alert>{error}</Alert>}
      {secret && (
        <div className="panel notice" role="status">
          <p>
            The key <strong>{secret.name}</strong> was created. Copy it now: it is not shown again.
          </p>
          <code className="secret">{secret.secret}</code>
        </div>
      )}
      {keys.error && <Alert>{keys.error}</Alert>}
      {!keys.data ? (
        <Loading what="keys" />
      ) : (
        <TableWrap label="API keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Role</th>
                <th scope="col">Last used (UTC)</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{label(k.role)}</td>
                  <td className="nowrap">{when(k.lastUsedAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="muted">revoked {when(k.revokedAt)}</span>
                    ) : (
                      <button type="button" className="danger" onClick={() => revoke(k.id, k.name)}>
                        Revoke<span className="sr-only"> {k.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <form className="filters" onSubmit={create} aria-label="New API key">
        <label>
          Key name
          <input name="name" required maxLength={100} placeholder="CRM sync" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="read_only">
            {KEY_ROLES.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create key
        </button>
      </form>
    </section>
  );
};

const Users = ({ self }: { self: string }) => {
  const users = useLoad(() => lawful.users.list(), []);
  const [created, setCreated] = useState<{ email: string; totpUri: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setError(null);
    try {
      const u = await lawful.users.create({
        email: String(f.get('email') ?? ''),
        password: String(f.get('password') ?? ''),
        role: String(f.get('role')) as (typeof USER_ROLES)[number],
        totp: f.get('totp') === 'on',
      });
      setCreated({ email: u.email, totpUri: u.totpUri });
      form.reset();
      users.reload();
    } catch (x) {
      setError(describeError(x));
    }
  };
  const disable = async (id: string, email: string) => {
    if (!window.confirm(`Disable ${email}? Their sessions end at once.`)) return;
    setError(null);
    try {
      await lawful.users.disable(id);
      users.reload();
    } catch (x) {
      setError(describeError(x));
    }
  };
  return (
    <section aria-labelledby="users">
      <h2 id="users">Console users</h2>
      {error && <Alert>{error}</Alert>}
      {created && (
        <div className="panel notice" role="status">
          <p>
            {created.email} can now sign in.
            {created.totpUri && ' Load this into their authenticator app now; it is not shown again:'}
          </p>
          {created.totpUri && <code className="secret">{created.totpUri}</code>}
        </div>
      )}
      {users.error && <Alert>{users.error}</Alert>}
      {!users.data ? (
        <Loading what="users" />
      ) : (
        <TableWrap label="Console users">
          <table>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Code</th>
                <th scope="col">Last sign-in (UTC)</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.email}</th>
                  <td>{label(u.role)}</td>
                  <td>{u.totp ? 'yes' : 'no'}</td>
                  <td className="nowrap">{when(u.lastSignInAt)}</td>
                  <td>
                    {u.disabledAt ? (
                      <span className="muted">disabled</span>
                    ) : u.id === self ? (
                      <span className="muted">you</span>
                    ) : (
                      <button type="button" className="danger" onClick={() => disable(u.id, u.email)}>
                        Disable<span className="sr-only"> {u.email}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <form className="filters" onSubmit={create} aria-label="New console user">
        <label>
          Email
          <input name="email" type="email" required autoComplete="off" />
        </label>
        <label>
          Password (12+ characters)
          <input name="password" type="password" required minLength={12} autoComplete="new-password" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="agent">
            {USER_ROLES.map((r) => (
              <option key={r} value={r}>
                {label(r)}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input name="totp" type="checkbox" /> Require a one-time code
        </label>
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
    </section>
  );
};
