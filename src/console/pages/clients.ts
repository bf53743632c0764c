import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, companyBody, targetCompany, useConsole } from '../state.js';
import type { Client } from '../types.js';
import { PageHead, Time } from '../ui/bits.js';
import { useConfirm, useSecret } from '../ui/dialog.js';
import { InlineForm, NeedsCompany, Outcome, RowButton, field, useSubmit } from '../ui/forms.js';
import { useList } from '../ui/load.js';
import { DataTable, actionsColumn } from '../ui/table.js';

type Pending = { kind: 'revoke' | 'rotate'; client: Client };
type Credentials = { client_id: string; client_secret: string };

/** A client's id and secret, shown once (after creating it or rotating its secret). */
const credentials = (c: Credentials) => [
  { label: t('secret.clientId'), value: c.client_id },
  { label: t('secret.clientSecret'), value: c.client_secret },
];

export function Clients() {
  const state = useConsole();
  const loaded = useList<Client>('/clients');
  const admin = can(state.user, 'admin');
  const platform = state.user.company_id === null;
  /** The secret of the client just created or rotated: dropped when its dialog closes. */
  const secret = useSecret();
  const confirm = useConfirm<Pending>();

  const create = useSubmit(async (data) => {
    const name = field(data, 'name');
    const created = await api.send<Credentials>('POST', '/clients', {
      ...(name === '' ? {} : { name }),
      ...companyBody(state),
    });
    secret.show(credentials(created));
    loaded.reload();
    return null;
  });

  const act = async (p: Pending) => {
    const path = `/clients/${encodeURIComponent(p.client.client_id)}`;
    create.setDone(null);
    if (p.kind === 'revoke') {
      await api.send('POST', `${path}/revoke`, {});
      create.setDone(t('clients.revoked', { id: p.client.client_id }));
    } else {
      secret.show(credentials(await api.send<Credentials>('POST', `${path}/rotate-secret`, {})));
    }
    loaded.reload();
  };

  return html`<${PageHead} title=${t('clients.title')} />
    ${
      admin
        ? html`<${NeedsCompany} company=${targetCompany(state)}>
            <${InlineForm} submit=${create} label=${t('clients.create')} action="create-client">
              <label for="client-name">${t('clients.name')}</label>
              <input id="client-name" name="name" maxlength="200" autocomplete="off" />
            <//>
          <//>`
        : null
    }
    <${Outcome} error=${create.error} done=${create.done} />
    <${DataTable}
      loaded=${loaded}
      empty=${t('clients.empty')}
      missingRoute
      columns=${[
        t('clients.col.id'),
        t('clients.name'),
        platform && t('app.company'),
        t('clients.col.status'),
        t('clients.col.created'),
        t('clients.col.lastUsed'),
        admin && actionsColumn(),
      ]}
      row=${(c: Client) =>
        html`<tr data-client-id=${c.client_id}>
          <td><code>${c.client_id}</code></td>
          <td>${c.name ?? '—'}</td>
          ${platform ? html`<td class="small">${c.company_id}</td>` : null}
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
                      ? html`<${RowButton}
                            label=${t('clients.rotate')}
                            onClick=${() => confirm.ask({ kind: 'rotate', client: c })}
                          />
                          <${RowButton}
                            label=${t('clients.revoke')}
                            danger
                            action="revoke"
                            onClick=${() => confirm.ask({ kind: 'revoke', client: c })}
                          />`
                      : null
                  }
                </td>`
              : null
          }
        </tr>`}
    />
    ${confirm.dialog(
      (p) => ({
        title: t(p.kind === 'revoke' ? 'clients.confirmRevoke' : 'clients.confirmRotate', {
          id: p.client.client_id,
        }),
        body: t(p.kind === 'revoke' ? 'clients.confirmRevokeBody' : 'clients.confirmRotateBody'),
        danger: true,
      }),
      act,
    )}
    ${secret.dialog}`;
}
