import { html } from '../html.js';
import { ApiError } from '../api.js';
import { t } from '../i18n.js';

/** What went wrong, in words an operator can act on. */
export function errorText(error: unknown, missingRoute = false): string {
  if (!(error instanceof ApiError)) return t('error.generic', { message: String(error) });
  if (error.status === 0) return t('error.network');
  // A list route this gateway does not have (yet): 404 or 405 from the router itself.
  if (missingRoute && (error.status === 404 || error.status === 405)) return t('error.unavailable');
  switch (error.code) {
    case 'forbidden':
      return t('error.forbidden');
    case 'not_found':
      return t('error.not_found');
    case 'csrf_failed':
      return t('error.csrf_failed');
    case 'rate_limited':
      return t('error.rate_limited');
    default:
      return t('error.generic', { message: error.message });
  }
}

export const Loading = () => html`<p class="muted" role="status">${t('app.loading')}</p>`;

/** An error box; `missingRoute`: a 404 means this gateway lacks the route, not the object. */
export function ErrorBox({ error, missingRoute }: { error: unknown; missingRoute?: boolean }) {
  const requestId = error instanceof ApiError ? error.requestId : null;
  return html`<div class="notice error" role="alert">
    <p>${errorText(error, missingRoute === true)}</p>
    ${requestId ? html`<p class="small muted">${t('error.requestId', { id: requestId })}</p>` : null}
  </div>`;
}

export const Empty = ({ text }: { text: string }) => html`<p class="empty">${text}</p>`;

export const Notice = ({ kind, text }: { kind: 'ok' | 'info' | 'warn'; text: string }) =>
  html`<div class="notice ${kind}" role="status"><p>${text}</p></div>`;
