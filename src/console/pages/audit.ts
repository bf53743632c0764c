import { html } from '../html.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { href, navigate, type Route } from '../router.js';
import { scopeQuery, useConsole } from '../state.js';
import type { AuditEntry, Page } from '../types.js';
import { Field, PageHead, Time } from '../ui/bits.js';
import { useLoad } from '../ui/load.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';

/** A change's fields as `name: value`, one a line (an audit entry never holds a secret). */
const changes = (c: Record<string, unknown>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

/** A target that is a transaction's request id links to it. */
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function Audit({ route }: { route: Route }) {
  const state = useConsole();
  const action = route.query.action ?? '';
  const actor = route.query.actor ?? '';
  const query = { ...scopeQuery(state), action, actor };
  const loaded = useLoad(() => api.get<Page<AuditEntry>>('/audit', query), JSON.stringify(query));
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    navigate('/audit', {
      action: String(data.get('action') ?? '').trim(),
      actor: String(data.get('actor') ?? '').trim(),
    });
  };

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('audit.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('audit.col.time')}</th>
            <th scope="col">${t('audit.action')}</th>
            <th scope="col">${t('audit.actor')}</th>
            <th scope="col">${t('audit.col.target')}</th>
            <th scope="col" class="hide-narrow">${t('audit.col.source')}</th>
            <th scope="col">${t('audit.col.changes')}</th>
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map(
            (e) =>
              html`<tr>
                <td class="nowrap"><${Time} at=${e.at} /></td>
                <td><code>${e.action}</code></td>
                <td class="small break">${e.actor}</td>
                <td class="small break">
                  ${
                    e.target !== null && REQUEST_ID.test(e.target)
                      ? html`<a href=${href(`/transactions/${e.target}`)}>${e.target}</a>`
                      : (e.target ?? '—')
                  }
                </td>
                <td class="small hide-narrow">${e.source ?? '—'}</td>
                <td><pre class="changes">${changes(e.changes)}</pre></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;

  return html`<${PageHead} title=${t('audit.title')} />
    <form class="filters" onSubmit=${submit} key=${action + actor}>
      <${Field} label=${t('audit.action')} id="a-action">
        <input
          id="a-action"
          name="action"
          value=${action}
          placeholder="client.create"
          autocomplete="off"
        />
      <//>
      <${Field} label=${t('audit.actor')} id="a-actor">
        <input id="a-actor" name="actor" value=${actor} placeholder="user:…" autocomplete="off" />
      <//>
      <div class="filter-actions">
        <button type="submit" class="primary">${t('tx.apply')}</button>
        <a class="button secondary" href=${href('/audit')}>${t('tx.reset')}</a>
      </div>
    </form>
    <p class="muted small">${t('audit.latest')}</p>
    ${list}`;
}
