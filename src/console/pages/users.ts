import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { companyBody, targetCompany, useConsole } from '../state.js';
import type { ConsoleUser, Role } from '../types.js';
import { PageHead } from '../ui/bits.js';
import { useConfirm, useSecret } from '../ui/dialog.js';
import { InlineForm, Outcome, PickCompany, RowButton, field, useSubmit } from '../ui/forms.js';
import { useList } from '../ui/load.js';
import { DataTable, actionsColumn } from '../ui/table.js';

const ROLES: Role[] = ['viewer', 'operator', 'admin'];
type Pending = { kind: 'disable' | 'password'; user: ConsoleUser };

/** A user's generated password, shown once. */
const password = (email: string, value: string) => [
  { label: t('users.email'), value: email },
  { label: t('secret.password'), value },
];

/** Console users (admins only: the page is not in the menu of the other roles). */
export function Users() {
  const state = useConsole();
  const loaded = useList<ConsoleUser>('/users');
  const company = targetCompany(state);
  const platform = state.user.company_id === null;
  const secret = useSecret();
  const confirm = useConfirm<Pending>();

  const create = useSubmit(async (data) => {
    const created = await api.send<{ email: string; password?: string }>('POST', '/users', {
      email: field(data, 'email'),
      role: String(data.get('role') ?? 'viewer'),
      ...(platform && data.get('platform') === 'on' ? { platform: true } : companyBody(state)),
    });
    if (created.password) secret.show(password(created.email, created.password));
    loaded.reload();
    return null;
  });

  const act = async (p: Pending) => {
    const path = `/users/${encodeURIComponent(p.user.user_id)}`;
    create.setDone(null);
    if (p.kind === 'disable') {
      await api.send('POST', `${path}/disable`, {});
      create.setDone(t('users.disabled', { email: p.user.email }));
    } else {
      const answer = await api.send<{ password?: string }>('POST', `${path}/password`, {});
      if (answer.password) secret.show(password(p.user.email, answer.password));
    }
    loaded.reload();
  };

  return html`<${PageHead} title=${t('users.title')} />
    <${InlineForm} submit=${create} label=${t('users.create')}>
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
    <//>
    ${platform && company === null ? html`<${PickCompany} />` : null}
    <${Outcome} error=${create.error} done=${create.done} />
    <${DataTable}
      loaded=${loaded}
      empty=${t('users.empty')}
      columns=${[
        t('users.email'),
        t('users.role'),
        platform && t('app.company'),
        t('users.col.status'),
        actionsColumn(),
      ]}
      row=${(u: ConsoleUser) =>
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
                ? html`<${RowButton}
                      label=${t('users.resetPassword')}
                      onClick=${() => confirm.ask({ kind: 'password', user: u })}
                    />
                    <${RowButton}
                      label=${t('users.disable')}
                      danger
                      onClick=${() => confirm.ask({ kind: 'disable', user: u })}
                    />`
                : null
            }
          </td>
        </tr>`}
    />
    ${confirm.dialog(
      (p) => ({
        title: t(p.kind === 'disable' ? 'users.confirmDisable' : 'users.confirmReset', {
          email: p.user.email,
        }),
        body: t(p.kind === 'disable' ? 'users.confirmDisableBody' : 'users.confirmResetBody'),
        danger: true,
      }),
      act,
    )}
    ${secret.dialog}`;
}
