import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, scopeQuery, targetCompany, useConsole } from '../state.js';
import type { Credential, Page } from '../types.js';
import { PageHead, Time, envName, typeName } from '../ui/bits.js';
import { useLoad } from '../ui/load.js';
import { OptionsForm } from '../ui/options-form.js';
import { Empty, ErrorBox, Loading, Notice } from '../ui/states.js';

/** Credentials: metadata only (field names, fingerprint), never a value. */
export function Credentials() {
  const state = useConsole();
  const scope = scopeQuery(state);
  const loaded = useLoad(
    () => api.get<Page<Credential>>('/credentials', scope),
    JSON.stringify(scope),
  );
  const company = targetCompany(state);

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} missingRoute />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('credentials.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('credentials.col.type')}</th>
            <th scope="col">${t('credentials.col.env')}</th>
            ${state.user.company_id === null ? html`<th scope="col">${t('app.company')}</th>` : null}
            <th scope="col" class="hide-narrow">${t('credentials.col.id')}</th>
            <th scope="col">${t('credentials.col.public')}</th>
            <th scope="col">${t('credentials.col.secret')}</th>
            <th scope="col">${t('credentials.col.fingerprint')}</th>
            <th scope="col">${t('credentials.col.updated')}</th>
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map(
            (c) =>
              html`<tr>
                <td>${typeName(c.type, state.wallets)}</td>
                <td>${envName(c.env)}</td>
                ${state.user.company_id === null ? html`<td class="small">${c.company_id}</td>` : null}
                <td class="small hide-narrow"><code>${c.credential_id}</code></td>
                <td class="small">${c.public_fields.join(', ') || '—'}</td>
                <td class="small">${c.secret_fields.join(', ') || '—'}</td>
                <td><code class="small">${c.fingerprint}</code></td>
                <td class="nowrap"><${Time} at=${c.updated_at} /></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;

  const form =
    can(state.user, 'admin') && state.wallets
      ? company === null
        ? html`<${Notice} kind="info" text=${t('app.pickCompany')} />`
        : html`<${OptionsForm}
            wallets=${state.wallets}
            which="credential_options"
            title=${t('credentials.set')}
            submit=${async (v: { type: string; env: string; fields: Record<string, string> }) => {
              await api.send('PUT', `/credentials/${encodeURIComponent(v.type)}/${v.env}`, {
                ...(state.user.company_id === null ? { company_id: company } : {}),
                fields: v.fields,
              });
              loaded.reload();
              return t('credentials.saved', {
                type: typeName(v.type, state.wallets),
                env: envName(v.env),
              });
            }}
          />`
      : null;

  return html`<${PageHead} title=${t('credentials.title')} />
    <p class="muted">${t('credentials.note')}</p>
    ${list} ${form}`;
}
