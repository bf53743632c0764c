import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { scopeQuery, targetCompany, useConsole } from '../state.js';
import type { ConsoleUser, Page, Role } from '../types.js';
import { PageHead } from '../ui/bits.js';
import { ConfirmDialog, SecretDialog, type SecretEntry } from '../ui/dialog.js';
import { useLoad } from '../ui/load.js';
import { Empty, ErrorBox, Loading, Notice } from '../ui/states.js';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
type Pending = { kind: 'disable' | 'password'; user: ConsoleUser };

/** Console users (admins only: the page is not in the menu of the other roles). */
export function Users() {
  const state = useConsole();
  const scope = scopeQuery(state);
  const loaded = useLoad(() => api.get<Page<ConsoleUser>>('/users', scope), JSON.stringify(scope));
  const company = targetCompany(state);
  const platform = state.user.company_id === null;
  const [secret, setSecret] = useState<SecretEntry[] | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const asPlatform = platform && data.get('platform') === 'on';
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const created = await api.send<{ email: string; password?: string }>('POST', '/users', {
        email: String(data.get('email') ?? '').trim(),
        role: String(data.get('role') ?? 'viewer'),
        ...(asPlatform
          ? { platform: true }
          : platform && company !== null
            ? { company_id: company }
            : {}),
      });
      form.reset();
      if (created.password) {
        setSecret([
          { label: t('users.email'), value: created.email },
          { label: t('secret.password'), value: created.password },
        ]);
      }
      loaded.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const act = async (p: Pending) => {
    const path = `/users/${encodeURIComponent(p.user.user_id)}`;
    setDone(null);
    if (p.kind === 'disable') {
      await api.send('POST', `${path}/disable`, {});
      setDone(t('users.disabled', { email: p.user.email }));
    } else {
      const answer = await api.send<{ password?: string }>('POST', `${path}/password`, {});
      if (answer.password) {
        setSecret([
          { label: t('users.email'), value: p.user.email },
          { label: t('secret.password'), value: answer.password },
        ]);
      }
    }
    loaded.reload();
  };

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('users.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('users.email')}</th>
            <th scope="col">${t('users.role')}</th>
            ${platform ? html`<th scope="col">${t('app.company')}</th>` : null}
            <th scope="col">${t('users.col.status')}</th>
            <th scope="col"><span class="sr-only">${t('detail.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map(
            (u) =>
              html`<tr>
                <td>
                  ${u.email}
                  ${u.user_id === state.user.user_id ? html`<span class="muted small aside">${t('users.you')}</span>` : null}
                </td>
                <td>${t(`role.${u.role}`)}</td>
                ${platform ? html`<td class="small">${u.company_id ?? t('app.platform')}</td>` : null}
                <td>
                  <span class="badge status-${u.status}">${t(`users.status.${u.status}`)}</span>
                </td>
                <td class="row-actions">
                  ${
                    u.status === 'active' && u.user_id !== state.user.user_id
                      ? html`<button
                            type="button"
                            class="secondary small"
                            onClick=${() => setPending({ kind: 'password', user: u })}
                          >
                            ${t('users.resetPassword')}
                          </button>
                          <button
                            type="button"
                            class="danger small"
                            onClick=${() => setPending({ kind: 'disable', user: u })}
                          >
                            ${t('users.disable')}
                          </button>`
                      : null
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;

  return html`<${PageHead} title=${t('users.title')} />
    <form class="inline-form panel" onSubmit=${create}>
      <label for="user-email">${t('users.email')}</label>
      <input id="user-email" name="email" type="email" required autocomplete="off" />
      <label for="user-role">${t('users.role')}</label>
      <select id="user-role" name="role">
        ${ROLES.map((r) => html`<option value=${r}>${t(`role.${r}`)}</option>`)}
      </select>
      ${
        platform
          ? html`<label class="check"
              ><input type="checkbox" name="platform" /> ${t('users.platformUser')}</label
            >`
          : null
      }
      <button type="submit" class="primary" disabled=${busy}>${t('users.create')}</button>
    </form>
    ${platform && company === null ? html`<${Notice} kind="info" text=${t('app.pickCompany')} />` : null}
    ${error === undefined ? null : html`<${ErrorBox} error=${error} />`}
    ${done === null ? null : html`<${Notice} kind="ok" text=${done} />`} ${list}
    ${
      pending
        ? html`<${ConfirmDialog}
            title=${t(pending.kind === 'disable' ? 'users.confirmDisable' : 'users.confirmReset', { email: pending.user.email })}
            body=${t(pending.kind === 'disable' ? 'users.confirmDisableBody' : 'users.confirmResetBody')}
            danger=${true}
            action=${() => act(pending)}
            onClose=${() => setPending(null)}
          />`
        : null
    }
    ${secret ? html`<${SecretDialog} entries=${secret} onClose=${() => setSecret(null)} />` : null}`;
}
