import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, scopeQuery, targetCompany, useConsole } from '../state.js';
import type { Client, Page } from '../types.js';
import { PageHead, Time } from '../ui/bits.js';
import { ConfirmDialog, SecretDialog, type SecretEntry } from '../ui/dialog.js';
import { useLoad } from '../ui/load.js';
import { Empty, ErrorBox, Loading, Notice } from '../ui/states.js';

type Pending = { kind: 'revoke' | 'rotate'; client: Client };

export function Clients() {
  const state = useConsole();
  const scope = scopeQuery(state);
  const loaded = useLoad(() => api.get<Page<Client>>('/clients', scope), JSON.stringify(scope));
  const admin = can(state.user, 'admin');
  const company = targetCompany(state);
  /** The secret of the client just created or rotated: dropped when its dialog closes. */
  const [secret, setSecret] = useState<SecretEntry[] | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const created = await api.send<{ client_id: string; client_secret: string }>(
        'POST',
        '/clients',
        {
          ...(name === '' ? {} : { name }),
          ...(state.user.company_id === null && company !== null ? { company_id: company } : {}),
        },
      );
      form.reset();
      setSecret([
        { label: t('secret.clientId'), value: created.client_id },
        { label: t('secret.clientSecret'), value: created.client_secret },
      ]);
      loaded.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const act = async (p: Pending) => {
    const path = `/clients/${encodeURIComponent(p.client.client_id)}`;
    if (p.kind === 'revoke') {
      await api.send('POST', `${path}/revoke`, {});
      setDone(t('clients.revoked', { id: p.client.client_id }));
    } else {
      const rotated = await api.send<{ client_id: string; client_secret: string }>(
        'POST',
        `${path}/rotate-secret`,
        {},
      );
      setSecret([
        { label: t('secret.clientId'), value: rotated.client_id },
        { label: t('secret.clientSecret'), value: rotated.client_secret },
      ]);
    }
    loaded.reload();
  };

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} missingRoute />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('clients.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('clients.col.id')}</th>
            <th scope="col">${t('clients.name')}</th>
            ${state.user.company_id === null ? html`<th scope="col">${t('app.company')}</th>` : null}
            <th scope="col">${t('clients.col.status')}</th>
            <th scope="col">${t('clients.col.created')}</th>
            <th scope="col">${t('clients.col.lastUsed')}</th>
            ${admin ? html`<th scope="col"><span class="sr-only">${t('detail.actions')}</span></th>` : null}
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map(
            (c) =>
              html`<tr data-client-id=${c.client_id}>
                <td><code>${c.client_id}</code></td>
                <td>${c.name ?? '—'}</td>
                ${state.user.company_id === null ? html`<td class="small">${c.company_id}</td>` : null}
                <td>
                  <span class="badge status-${c.status}">${t(`clients.status.${c.status}`)}</span>
                </td>
                <td class="nowrap"><${Time} at=${c.created_at} /></td>
                <td class="nowrap"><${Time} at=${c.last_used_at} /></td>
                ${
                  admin
                    ? html`<td class="row-actions">
                        ${
                          c.status === 'active'
                            ? html`<button
                                  type="button"
                                  class="secondary small"
                                  onClick=${() => setPending({ kind: 'rotate', client: c })}
                                >
                                  ${t('clients.rotate')}
                                </button>
                                <button
                                  type="button"
                                  class="danger small"
                                  data-action="revoke"
                                  onClick=${() => setPending({ kind: 'revoke', client: c })}
                                >
                                  ${t('clients.revoke')}
                                </button>`
                            : null
                        }
                      </td>`
                    : null
                }
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;

  const createForm = admin
    ? company === null
      ? html`<${Notice} kind="info" text=${t('app.pickCompany')} />`
      : html`<form class="inline-form panel" onSubmit=${create}>
          <label for="client-name">${t('clients.name')}</label>
          <input id="client-name" name="name" maxlength="200" autocomplete="off" />
          <button type="submit" class="primary" disabled=${busy} data-action="create-client">
            ${t('clients.create')}
          </button>
        </form>`
    : null;

  return html`<${PageHead} title=${t('clients.title')} /> ${createForm}
    ${error === undefined ? null : html`<${ErrorBox} error=${error} />`}
    ${done === null ? null : html`<${Notice} kind="ok" text=${done} />`} ${list}
    ${
      pending
        ? html`<${ConfirmDialog}
            title=${t(pending.kind === 'revoke' ? 'clients.confirmRevoke' : 'clients.confirmRotate', { id: pending.client.client_id })}
            body=${t(pending.kind === 'revoke' ? 'clients.confirmRevokeBody' : 'clients.confirmRotateBody')}
            danger=${true}
            action=${() => act(pending)}
            onClose=${() => setPending(null)}
          />`
        : null
    }
    ${secret ? html`<${SecretDialog} entries=${secret} onClose=${() => setSecret(null)} />` : null}`;
}
