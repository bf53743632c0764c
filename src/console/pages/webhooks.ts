import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { formatMs } from '../format.js';
import { t } from '../i18n.js';
import { href } from '../router.js';
import { can, companyBody, scopeQuery, targetCompany, useConsole } from '../state.js';
import type { Page, WebhookDelivery, WebhookEndpoint } from '../types.js';
import { BackLink, PageHead, Time } from '../ui/bits.js';
import { useConfirm, useSecret } from '../ui/dialog.js';
import { InlineForm, NeedsCompany, Outcome, RowButton, field, useSubmit } from '../ui/forms.js';
import { useList, useLoad } from '../ui/load.js';
import { DataTable, actionsColumn } from '../ui/table.js';

type Pending = { kind: 'test' | 'rotate' | 'delete'; endpoint: WebhookEndpoint };

/** An endpoint's signing secret, shown once. */
const signing = (value: string) => [{ label: t('secret.webhookSecret'), value }];

const TITLES = {
  test: 'webhooks.confirmTest',
  rotate: 'webhooks.confirmRotate',
  delete: 'webhooks.confirmDelete',
} as const;
const BODIES = {
  test: 'webhooks.confirmTestBody',
  rotate: 'webhooks.confirmRotateBody',
  delete: 'webhooks.confirmDeleteBody',
} as const;

export function Webhooks() {
  const state = useConsole();
  const loaded = useList<WebhookEndpoint>('/webhooks');
  const admin = can(state.user, 'admin');
  const operator = can(state.user, 'operator');
  const secret = useSecret();
  const confirm = useConfirm<Pending>();

  const create = useSubmit(async (data) => {
    const events = field(data, 'events')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const created = await api.send<{ endpoint_id: string; secret: string }>('POST', '/webhooks', {
      url: field(data, 'url'),
      ...(events.length > 0 ? { events } : {}),
      ...companyBody(state),
    });
    secret.show(signing(created.secret));
    loaded.reload();
    return null;
  });

  const act = async (p: Pending) => {
    const path = `/webhooks/${encodeURIComponent(p.endpoint.endpoint_id)}`;
    create.setDone(null);
    if (p.kind === 'test') {
      const sent = await api.send<{ event_id: string }>('POST', `${path}/test`, {});
      create.setDone(t('webhooks.testSent', { id: sent.event_id }));
    } else if (p.kind === 'rotate') {
      const rotated = await api.send<{ secret: string }>('POST', `${path}/rotate-secret`, {});
      secret.show(signing(rotated.secret));
    } else {
      await api.send('DELETE', path);
      create.setDone(t('webhooks.deleted'));
    }
    loaded.reload();
  };

  return html`<${PageHead} title=${t('webhooks.title')} />
    ${
      admin
        ? html`<${NeedsCompany} company=${targetCompany(state)}>
            <${InlineForm} submit=${create} label=${t('webhooks.create')}>
              <label for="hook-url">${t('webhooks.url')}</label>
              <input
                id="hook-url"
                name="url"
                type="url"
                required
                placeholder="https://"
                autocomplete="off"
              />
              <label for="hook-events">${t('webhooks.events')}</label>
              <input
                id="hook-events"
                name="events"
                autocomplete="off"
                placeholder="transaction.succeeded"
              />
            <//>
          <//>`
        : null
    }
    <${Outcome} error=${create.error} done=${create.done} />
    <${DataTable}
      loaded=${loaded}
      empty=${t('webhooks.empty')}
      missingRoute
      columns=${[
        t('webhooks.col.url'),
        t('webhooks.col.events'),
        t('webhooks.col.status'),
        t('clients.col.created'),
        actionsColumn(),
      ]}
      row=${(e: WebhookEndpoint) =>
        html`<tr>
          <td class="break">
            <a href=${href(`/webhooks/${e.endpoint_id}`)}>${e.url}</a>
            <div class="small muted"><code>${e.endpoint_id}</code></div>
          </td>
          <td class="small">
            ${e.events && e.events.length > 0 ? e.events.join(', ') : t('webhooks.allEvents')}
          </td>
          <td><span class="badge">${e.status}</span></td>
          <td class="nowrap"><${Time} at=${e.created_at} /></td>
          <td class="row-actions">
            <a class="button secondary small" href=${href(`/webhooks/${e.endpoint_id}`)}
              >${t('webhooks.deliveries')}</a
            >
            ${
              operator
                ? html`<${RowButton}
                    label=${t('webhooks.test')}
                    onClick=${() => confirm.ask({ kind: 'test', endpoint: e })}
                  />`
                : null
            }
            ${
              admin
                ? html`<${RowButton}
                      label=${t('webhooks.rotate')}
                      onClick=${() => confirm.ask({ kind: 'rotate', endpoint: e })}
                    />
                    <${RowButton}
                      label=${t('webhooks.delete')}
                      danger
                      onClick=${() => confirm.ask({ kind: 'delete', endpoint: e })}
                    />`
                : null
            }
          </td>
        </tr>`}
    />
    ${confirm.dialog(
      (p) => ({
        title: t(TITLES[p.kind], { url: p.endpoint.url }),
        body: t(BODIES[p.kind]),
        danger: p.kind !== 'test',
      }),
      act,
    )}
    ${secret.dialog}`;
}

/** One endpoint's deliveries, each with its attempts; an operator may resend one. */
export function WebhookDeliveries({ id }: { id: string }) {
  const state = useConsole();
  const loaded = useLoad(
    () =>
      api.get<Page<WebhookDelivery>>(
        `/webhooks/${encodeURIComponent(id)}/deliveries`,
        scopeQuery(state),
      ),
    id,
  );
  const operator = can(state.user, 'operator');
  const confirm = useConfirm<WebhookDelivery>();
  const [done, setDone] = useState<string | null>(null);

  return html`<${PageHead} title=${`${t('webhooks.deliveries')} · ${id}`}>
      <${BackLink} to="/webhooks" />
    <//>
    <${Outcome} done=${done} />
    <${DataTable}
      loaded=${loaded}
      empty=${t('webhooks.noDeliveries')}
      missingRoute
      columns=${[
        t('webhooks.col.event'),
        t('webhooks.col.status'),
        { label: t('webhooks.col.attempts'), class: 'num' },
        t('webhooks.col.last'),
        t('webhooks.col.next'),
        operator && actionsColumn(),
      ]}
      row=${(d: WebhookDelivery) => {
        const last = d.attempts[d.attempts.length - 1];
        return html`<tr>
          <td>
            ${d.event_type}
            <div class="small muted"><code>${d.event_id}</code></div>
          </td>
          <td><span class="badge delivery-${d.status}">${d.status}</span></td>
          <td class="num">${d.attempts.length}</td>
          <td class="small">
            ${
              last
                ? html`<${Time} at=${last.at} />
                    ${` · ${last.status_code ?? last.error ?? '—'} · ${formatMs(last.latency_ms)}`}`
                : '—'
            }
          </td>
          <td class="nowrap"><${Time} at=${d.next_attempt_at} /></td>
          ${
            operator
              ? html`<td>
                  <${RowButton} label=${t('webhooks.resend')} onClick=${() => confirm.ask(d)} />
                </td>`
              : null
          }
        </tr>`;
      }}
    />
    ${confirm.dialog(
      (d) => ({
        title: t('webhooks.confirmResend', { id: d.event_id }),
        body: t('webhooks.confirmResendBody'),
      }),
      async (d) => {
        await api.send(
          'POST',
          `/webhooks/deliveries/${encodeURIComponent(d.delivery_id)}/resend`,
          {},
        );
        setDone(t('webhooks.resent'));
        loaded.reload();
      },
    )}`;
}
