import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, companyBody, targetCompany, useConsole } from '../state.js';
import type { Company, Store } from '../types.js';
import { PageHead, Time, envName, typeName } from '../ui/bits.js';
import { InlineForm, NeedsCompany, Outcome, field, useSubmit } from '../ui/forms.js';
import { useList } from '../ui/load.js';
import { OptionsForm, type OptionsSubmit } from '../ui/options-form.js';
import { Empty } from '../ui/states.js';
import { DataTable } from '../ui/table.js';

/** A platform admin's companies: the list and "create" (POST /companies). */
function Companies() {
  const state = useConsole();
  const create = useSubmit(async (data) => {
    const name = field(data, 'name');
    if (name === '') return null;
    const created = await api.send<Company>('POST', '/companies', { name });
    state.reloadCompanies();
    return t('companies.created', { name: created.name, id: created.company_id });
  });
  return html`<section class="panel" aria-labelledby="companies-title">
    <h2 id="companies-title">${t('companies.title')}</h2>
    ${
      state.companies.length === 0
        ? html`<${Empty} text=${t('companies.empty')} />`
        : html`<ul class="plain">
            ${state.companies.map((c) => html`<li><strong>${c.name}</strong><code class="small aside">${c.company_id}</code></li>`)}
          </ul>`
    }
    ${
      can(state.user, 'admin')
        ? html`<${InlineForm} submit=${create} label=${t('companies.create')} panel=${false}>
            <label for="company-name">${t('companies.name')}</label>
            <input id="company-name" name="name" required maxlength="200" />
          <//>`
        : null
    }
    <${Outcome} error=${create.error} done=${create.done} />
  </section>`;
}

export function Stores() {
  const state = useConsole();
  const loaded = useList<Store>('/stores');
  const platform = state.user.company_id === null;

  const list = html`<${DataTable}
    loaded=${loaded}
    empty=${t('stores.empty')}
    missingRoute
    columns=${[
      t('stores.col.store'),
      platform && t('app.company'),
      t('stores.col.type'),
      t('stores.col.env'),
      t('stores.col.account'),
      { label: t('stores.col.credential'), class: 'hide-narrow' },
      t('stores.col.updated'),
    ]}
    row=${(s: Store) =>
      (s.configs.length === 0 ? [null] : s.configs).map(
        (c, i) =>
          html`<tr>
            <th scope="row">${i === 0 ? s.store_id : ''}</th>
            ${platform ? html`<td class="small">${i === 0 ? s.company_id : ''}</td>` : null}
            ${
              c === null
                ? html`<td colspan="5" class="muted">${t('stores.noConfig')}</td>`
                : html`<td>${typeName(c.type, state.wallets)}</td>
                    <td>${envName(c.env)}</td>
                    <td class="small">
                      ${Object.entries(c.account).map(([k, v]) => html`<div><code>${k}</code> ${v}</div>`)}
                    </td>
                    <td class="small hide-narrow"><code>${c.credential_id}</code></td>
                    <td class="nowrap"><${Time} at=${c.updated_at} /></td>`
            }
          </tr>`,
      )}
  />`;

  const form =
    can(state.user, 'admin') && state.wallets
      ? html`<${NeedsCompany} company=${targetCompany(state)}>
          <${OptionsForm}
            wallets=${state.wallets}
            which="store_options"
            title=${t('stores.set')}
            extra=${[{ name: 'store_id', label: t('stores.storeId') }]}
            submit=${async (v: OptionsSubmit) => {
              const store = v.extra.store_id ?? '';
              await api.send(
                'PUT',
                `/stores/${encodeURIComponent(store)}/configs/${encodeURIComponent(v.type)}/${v.env}`,
                { ...companyBody(state), fields: v.fields },
              );
              loaded.reload();
              return t('stores.saved', {
                store,
                type: typeName(v.type, state.wallets),
                env: envName(v.env),
              });
            }}
          />
        <//>`
      : null;

  return html`<${PageHead} title=${t('stores.title')} />
    ${platform ? html`<${Companies} />` : null} ${list} ${form}`;
}
