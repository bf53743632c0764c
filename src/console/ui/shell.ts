import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { t, type MessageKey } from '../i18n.js';
import { href } from '../router.js';
import { can, useConsole } from '../state.js';
import type { Role } from '../types.js';

interface NavItem {
  path: string;
  label: MessageKey;
  role: Role;
}

export const NAV: NavItem[] = [
  { path: '', label: 'nav.overview', role: 'viewer' },
  { path: 'transactions', label: 'nav.transactions', role: 'viewer' },
  { path: 'stores', label: 'nav.stores', role: 'viewer' },
  { path: 'clients', label: 'nav.clients', role: 'viewer' },
  { path: 'credentials', label: 'nav.credentials', role: 'viewer' },
  { path: 'webhooks', label: 'nav.webhooks', role: 'viewer' },
  { path: 'audit', label: 'nav.audit', role: 'viewer' },
  { path: 'users', label: 'nav.users', role: 'admin' },
];

/** The frame of every page: the header (company, language, user), the menu, the page. */
export function Shell(props: {
  section: string;
  routeKey: string;
  onLogout: () => void;
  languageSwitch: unknown;
  children: ComponentChildren;
}) {
  const state = useConsole();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a navigation the focus moves to the new page's heading (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>('h1');
    (heading ?? main.current)?.focus();
  }, [props.routeKey]);

  const skip = (event: Event) => {
    event.preventDefault();
    (main.current?.querySelector<HTMLElement>('h1') ?? main.current)?.focus();
  };
  const platform = state.user.company_id === null;
  const companyName = state.companies.find((c) => c.company_id === state.user.company_id)?.name;
  return html`<a class="skip" href="#main" onClick=${skip}>${t('app.skip')}</a>
    <header class="top">
      <a class="brand" href=${href('/')}
        >omnigate <span>${t('app.title').replace('omnigate ', '')}</span></a
      >
      <div class="top-tools">
        ${
          platform
            ? html`<label class="company-pick">
                <span>${t('app.company')}</span>
                <select
                  value=${state.companyId}
                  onChange=${(e: Event) => state.setCompanyId((e.currentTarget as HTMLSelectElement).value)}
                >
                  <option value="">${t('app.company.all')}</option>
                  ${state.companies.map((c) => html`<option value=${c.company_id}>${c.name}</option>`)}
                </select>
              </label>`
            : html`<span class="company-name">${companyName ?? ''}</span>`
        }
        ${props.languageSwitch}
        <span class="who" title=${state.user.email}>
          ${[state.user.email, t(`role.${state.user.role}`), ...(platform ? [t('app.platform')] : [])].join(' · ')}
        </span>
        <button type="button" class="secondary small" onClick=${props.onLogout}>
          ${t('app.logout')}
        </button>
      </div>
    </header>
    <div class="layout">
      <nav class="side" aria-label=${t('nav.label')}>
        <ul>
          ${NAV.filter((item) => can(state.user, item.role)).map(
            (item) =>
              html`<li>
                <a
                  href=${href(`/${item.path}`)}
                  class=${props.section === item.path ? 'active' : ''}
                  aria-current=${props.section === item.path ? 'page' : undefined}
                  data-nav=${item.path || 'overview'}
                  >${t(item.label)}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <main id="main" ref=${main} tabindex="-1">${props.children}</main>
    </div>
    <footer class="foot muted small">${t('app.timezone')}</footer>`;
}
