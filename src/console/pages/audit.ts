import { html } from '../html.js';
import { t } from '../i18n.js';
import { href, type Route } from '../router.js';
import type { AuditEntry } from '../types.js';
import { Field, PageHead, Time } from '../ui/bits.js';
import { FilterForm } from '../ui/forms.js';
import { useList } from '../ui/load.js';
import { DataTable } from '../ui/table.js';

/** A change's fields as `name: value`, one a line (an audit entry never holds a secret). */
const changes = (c: Record<string, unknown>): string =>
  Object.entries(c)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');

/** A target that is a transaction's request id links to it. */
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function Audit({ route }: { route: Route }) {
  const action = route.query.action ?? '';
  const actor = route.query.actor ?? '';
  const cursor = route.query.cursor ?? '';
  const loaded = useList<AuditEntry>('/audit', { action, actor, cursor, limit: 100 });
  const next = loaded.data?.next_cursor ?? null;

  return html`<${PageHead} title=${t('audit.title')} />
    <${FilterForm} path="/audit" names=${['action', 'actor']} key=${action + actor}>
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
    <//>
    <p class="muted small">${t('audit.latest')}</p>
    <${DataTable}
      loaded=${loaded}
      empty=${t('audit.empty')}
      columns=${[
        t('audit.col.time'),
        t('audit.action'),
        t('audit.actor'),
        t('audit.col.target'),
        { label: t('audit.col.source'), class: 'hide-narrow' },
        t('audit.col.changes'),
      ]}
      row=${(e: AuditEntry) =>
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
        </tr>`}
    />
    <nav class="pager" aria-label=${t('audit.pages')}>
      ${
        cursor !== ''
          ? html`<a class="button secondary" href=${href('/audit', { action, actor })}
              >⇤ ${t('tx.first')}</a
            >`
          : null
      }
      ${
        next !== null
          ? html`<a class="button secondary" href=${href('/audit', { action, actor, cursor: next })}
              >${t('tx.older')} →</a
            >`
          : null
      }
    </nav>`;
}
