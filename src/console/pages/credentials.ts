import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { can, companyBody, targetCompany, useConsole } from '../state.js';
import type { Credential } from '../types.js';
import { PageHead, Time, envName, typeName } from '../ui/bits.js';
import { NeedsCompany } from '../ui/forms.js';
import { useList } from '../ui/load.js';
import { OptionsForm, type OptionsSubmit } from '../ui/options-form.js';
import { DataTable } from '../ui/table.js';

/** Credentials: metadata only (field names, fingerprint), never a value. */
export function Credentials() {
  const state = useConsole();
  const loaded = useList<Credential>('/credentials');
  const platform = state.user.company_id === null;

  const form =
    can(state.user, 'admin') && state.wallets
      ? html`<${NeedsCompany} company=${targetCompany(state)}>
          <${OptionsForm}
            wallets=${state.wallets}
            which="credential_options"
            title=${t('credentials.set')}
            submit=${async (v: OptionsSubmit) => {
              await api.send('PUT', `/credentials/${encodeURIComponent(v.type)}/${v.env}`, {
                ...companyBody(state),
                fields: v.fields,
              });
              loaded.reload();
              return t('credentials.saved', {
                type: typeName(v.type, state.wallets),
                env: envName(v.env),
              });
            }}
          />
        <//>`
      : null;

  return html`<${PageHead} title=${t('credentials.title')} />
    <p class="muted">${t('credentials.note')}</p>
    <${DataTable}
      loaded=${loaded}
      empty=${t('credentials.empty')}
      missingRoute
      columns=${[
        t('credentials.col.type'),
        t('credentials.col.env'),
        platform && t('app.company'),
        { label: t('credentials.col.id'), class: 'hide-narrow' },
        t('credentials.col.public'),
        t('credentials.col.secret'),
        t('credentials.col.fingerprint'),
        t('credentials.col.updated'),
      ]}
      row=${(c: Credential) =>
        html`<tr>
          <td>${typeName(c.type, state.wallets)}</td>
          <td>${envName(c.env)}</td>
          ${platform ? html`<td class="small">${c.company_id}</td>` : null}
          <td class="small hide-narrow"><code>${c.credential_id}</code></td>
          <td class="small">${c.public_fields.join(', ') || '—'}</td>
          <td class="small">${c.secret_fields.join(', ') || '—'}</td>
          <td><code class="small">${c.fingerprint}</code></td>
          <td class="nowrap"><${Time} at=${c.updated_at} /></td>
        </tr>`}
    />
    ${form}`;
}
