import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { formatMs } from '../format.js';
import { t } from '../i18n.js';
import { href } from '../router.js';
import { can, scopeQuery, targetCompany, useConsole } from '../state.js';
import type { Page, WebhookDelivery, WebhookEndpoint } from '../types.js';
import { PageHead, Time } from '../ui/bits.js';
import { ConfirmDialog, SecretDialog, type SecretEntry } from '../ui/dialog.js';
import { useLoad } from '../ui/load.js';
import { Empty, ErrorBox, Loading, Notice } from '../ui/states.js';

type Pending = { kind: 'test' | 'rotate' | 'delete'; endpoint: WebhookEndpoint };

export function Webhooks() {
  const state = useConsole();
  const scope = scopeQuery(state);
  const loaded = useLoad(
    () => api.get<Page<WebhookEndpoint>>('/webhooks', scope),
    JSON.stringify(scope),
  );
  const admin = can(state.user, 'admin');
  const operator = can(state.user, 'operator');
  const company = targetCompany(state);
  const [secret, setSecret] = useState<SecretEntry[] | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const url = String(data.get('url') ?? '').trim();
    const events = String(data.get('events') ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const created = await api.send<{ endpoint_id: string; secret: string }>('POST', '/webhooks', {
        url,
        ...(events.length > 0 ? { events } : {}),
        ...(state.user.company_id === null && company !== null ? { company_id: company } : {}),
      });
      form.reset();
      setSecret([{ label: t('secret.webhookSecret'), value: created.secret }]);
      loaded.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const act = async (p: Pending) => {
    const path = `/webhooks/${encodeURIComponent(p.endpoint.endpoint_id)}`;
    setDone(null);
    if (p.kind === 'test') {
      const sent = await api.send<{ event_id: string }>('POST', `${path}/test`, {});
      setDone(t('webhooks.testSent', { id: sent.event_id }));
    } else if (p.kind === 'rotate') {
      const rotated = await api.send<{ secret: string }>('POST', `${path}/rotate-secret`, {});
      setSecret([{ label: t('secret.webhookSecret'), value: rotated.secret }]);
    } else {
      await api.send('DELETE', path);
      setDone(t('webhooks.deleted'));
    }
    loaded.reload();
  };

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} missingRoute />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0) list = html`<${Empty} text=${t('webhooks.empty')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('webhooks.col.url')}</th>
            <th scope="col">${t('webhooks.col.events')}</th>
            <th scope="col">${t('webhooks.col.status')}</th>
            <th scope="col">${t('clients.col.created')}</th>
            <th scope="col"><span class="sr-only">${t('detail.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map(
            (e) =>
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
                      ? html`<button
                          type="button"
                          class="secondary small"
                          onClick=${() => setPending({ kind: 'test', endpoint: e })}
                        >
                          ${t('webhooks.test')}
                        </button>`
                      : null
                  }
                  ${
                    admin
                      ? html`<button
                            type="button"
                            class="secondary small"
                            onClick=${() => setPending({ kind: 'rotate', endpoint: e })}
                          >
                            ${t('webhooks.rotate')}
                          </button>
                          <button
                            type="button"
                            class="danger small"
                            onClick=${() => setPending({ kind: 'delete', endpoint: e })}
                          >
                            ${t('webhooks.delete')}
                          </button>`
                      : null
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;

  const titles = {
    test: 'webhooks.confirmTest',
    rotate: 'webhooks.confirmRotate',
    delete: 'webhooks.confirmDelete',
  } as const;
  const bodies = {
    test: 'webhooks.confirmTestBody',
    rotate: 'webhooks.confirmRotateBody',
    delete: 'webhooks.confirmDeleteBody',
  } as const;
  return html`<${PageHead} title=${t('webhooks.title')} /> ${
    admin
      ? company === null
        ? html`<${Notice} kind="info" text=${t('app.pickCompany')} />`
        : html`<form class="inline-form panel" onSubmit=${create}>
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
              <button type="submit" class="primary" disabled=${busy}>
                ${t('webhooks.create')}
              </button>
            </form>`
      : null
  }
    ${error === undefined ? null : html`<${ErrorBox} error=${error} />`}
    ${done === null ? null : html`<${Notice} kind="ok" text=${done} />`} ${list}
    ${
      pending
        ? html`<${ConfirmDialog}
            title=${t(titles[pending.kind], { url: pending.endpoint.url })}
            body=${t(bodies[pending.kind])}
            danger=${pending.kind !== 'test'}
            action=${() => act(pending)}
            onClose=${() => setPending(null)}
          />`
        : null
    }
    ${secret ? html`<${SecretDialog} entries=${secret} onClose=${() => setSecret(null)} />` : null}`;
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
  const [pending, setPending] = useState<WebhookDelivery | null>(null);
  const [done, setDone] = useState<string | null>(null);

  let list;
  if (loaded.error !== undefined && !loaded.data)
    list = html`<${ErrorBox} error=${loaded.error} missingRoute />`;
  else if (!loaded.data) list = html`<${Loading} />`;
  else if (loaded.data.data.length === 0)
    list = html`<${Empty} text=${t('webhooks.noDeliveries')} />`;
  else
    list = html`<div class="table-wrap">
      <table class="data">
        <thead>
          <tr>
            <th scope="col">${t('webhooks.col.event')}</th>
            <th scope="col">${t('webhooks.col.status')}</th>
            <th scope="col" class="num">${t('webhooks.col.attempts')}</th>
            <th scope="col">${t('webhooks.col.last')}</th>
            <th scope="col">${t('webhooks.col.next')}</th>
            ${operator ? html`<th scope="col"><span class="sr-only">${t('detail.actions')}</span></th>` : null}
          </tr>
        </thead>
        <tbody>
          ${loaded.data.data.map((d) => {
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
                      <button type="button" class="secondary small" onClick=${() => setPending(d)}>
                        ${t('webhooks.resend')}
                      </button>
                    </td>`
                  : null
              }
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;

  return html`<${PageHead} title=${`${t('webhooks.deliveries')} · ${id}`}>
      <a class="button secondary" href=${href('/webhooks')}>← ${t('app.back')}</a>
    <//>
    ${done === null ? null : html`<${Notice} kind="ok" text=${done} />`} ${list}
    ${
      pending
        ? html`<${ConfirmDialog}
            title=${t('webhooks.confirmResend', { id: pending.event_id })}
            body=${t('webhooks.confirmResendBody')}
            action=${async () => {
              await api.send(
                'POST',
                `/webhooks/deliveries/${encodeURIComponent(pending.delivery_id)}/resend`,
                {},
              );
              setDone(t('webhooks.resent'));
              loaded.reload();
            }}
            onClose=${() => setPending(null)}
          />`
        : null
    }`;
}
