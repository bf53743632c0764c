import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, scopeQuery, targetCompany, useConsole } from '../state.js';
import type { Company, Page, Store } from '../types.js';
import { PageHead, Time, envName, typeName } from '../ui/bits.js';
import { useLoad } from '../ui/load.js';
import { OptionsForm } from '../ui/options-form.js';
import { Empty, ErrorBox, Loading, Notice } from '../ui/states.js';

/** A platform admin's companies: the list and "create" (POST /companies). */
function Companies() {
  const state = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    if (name === '') return;
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.send<Company>('POST', '/companies', { name });
      setDone(t('companies.created', { name: created.name, id: created.company_id }));
      form.reset();
      state.reloadCompanies();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
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
        ? html`<form class="inline-form" onSubmit=${create}>
            <label for="company-name">${t('companies.name')}</label>
            <input id="company-name" name="name" required maxlength="200" />
            <button type="submit" class="primary" disabled=${busy}>${t('companies.create')}</button>
          </form>`
        : null
    }
    ${error === undefined ? null : html`<${ErrorBox} error=${error} />`}
    ${done === null ? null : html`<${Notice} kind="ok" text=${done} />`}
  </section>`;
}

export function Stores() {
  const state = useConsole();
  const scope = scopeQuery(state);
  const loaded = useLoad(() => api.get<Page<Store>>('/stores', scope), JSON.stringify(scope));
  const company = targetCompany(state);

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} missingRoute />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('stores.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('stores.col.store')}</th>
            ${state.user.company_id === null ? html`<th scope="col">${t('app.company')}</th>` : null}
            <th scope="col">${t('stores.col.type')}</th>
            <th scope="col">${t('stores.col.env')}</th>
            <th scope="col">${t('stores.col.account')}</th>
            <th scope="col" class="hide-narrow">${t('stores.col.credential')}</th>
            <th scope="col">${t('stores.col.updated')}</th>
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.flatMap((s) =>
            (s.configs.length === 0 ? [null] : s.configs).map(
              (c, i) =>
                html`<tr>
                  <th scope="row">${i === 0 ? s.store_id : ''}</th>
                  ${state.user.company_id === null ? html`<td class="small">${i === 0 ? s.company_id : ''}</td>` : null}
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
            ),
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
            which="store_options"
            title=${t('stores.set')}
            extra=${[{ name: 'store_id', label: t('stores.storeId') }]}
            submit=${async (v: {
              type: string;
              env: string;
              fields: Record<string, string>;
              extra: Record<string, string>;
            }) => {
              const store = v.extra.store_id ?? '';
              await api.send(
                'PUT',
                `/stores/${encodeURIComponent(store)}/configs/${encodeURIComponent(v.type)}/${v.env}`,
                {
                  ...(state.user.company_id === null ? { company_id: company } : {}),
                  fields: v.fields,
                },
              );
              loaded.reload();
              return t('stores.saved', {
                store,
                type: typeName(v.type, state.wallets),
                env: envName(v.env),
              });
            }}
          />`
      : null;

  return html`<${PageHead} title=${t('stores.title')} />
    ${state.user.company_id === null ? html`<${Companies} />` : null} ${list} ${form}`;
}
