import { render } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { lang, setLang, t } from './i18n.js';
import { Audit } from './pages/audit.js';
import { Clients } from './pages/clients.js';
import { Credentials } from './pages/credentials.js';
import { Login } from './pages/login.js';
import { Overview } from './pages/overview.js';
import { Stores } from './pages/stores.js';
import { TransactionPage } from './pages/transaction.js';
import { Transactions } from './pages/transactions.js';
import { Users } from './pages/users.js';
import { WebhookDeliveries, Webhooks } from './pages/webhooks.js';
import { type Route, useRoute } from './router.js';
import { ConsoleContext, type ConsoleState, can } from './state.js';
import type { Company, Page, User, Wallet } from './types.js';
import { Shell } from './ui/shell.js';
import { ErrorBox, Loading } from './ui/states.js';

/**
 * The omnigate console (docs/console.md): a client of the admin API, served by the gateway at
 * /console/ under a strict Content-Security-Policy (this bundle is its only script).
 */
const COMPANY_KEY = 'omnigate.console.company';

function storedCompany(): string {
  try {
    return localStorage.getItem(COMPANY_KEY) ?? '';
  } catch {
    return '';
  }
}

function PageFor({ route, user }: { route: Route; user: User }) {
  const [section = '', id] = route.segments;
  switch (section) {
    case '':
      return html`<${Overview} route=${route} />`;
    case 'transactions':
      return id === undefined
        ? html`<${Transactions} route=${route} />`
        : html`<${TransactionPage} id=${id} key=${id} />`;
    case 'stores':
      return html`<${Stores} />`;
    case 'clients':
      return html`<${Clients} />`;
    case 'credentials':
      return html`<${Credentials} />`;
    case 'webhooks':
      return id === undefined
        ? html`<${Webhooks} />`
        : html`<${WebhookDeliveries} id=${id} key=${id} />`;
    case 'audit':
      return html`<${Audit} route=${route} />`;
    case 'users':
      if (can(user, 'admin')) return html`<${Users} />`;
      break;
  }
  return html`<h1 tabindex="-1">${t('app.notFound')}</h1>`;
}

function App() {
  const [, setLanguage] = useState(lang());
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [bootError, setBootError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [companies, setCompanies] = useState<Company[]>([]);
  const [companyId, setCompanyIdState] = useState(storedCompany);
  const [wallets, setWallets] = useState<Wallet[] | null>(null);
  const [companiesTick, setCompaniesTick] = useState(0);
  const route = useRoute();

  useEffect(() => {
    api.onSessionLost = () => {
      setUser(null);
      setNotice(t('login.ended'));
    };
    api.resume().then((session) => setUser(session?.user ?? null), setBootError);
  }, []);

  // What every page shares: the companies the user sees, and the payment types (GET /wallets).
  useEffect(() => {
    if (!user) return;
    api.get<Page<Company>>('/companies').then(
      (answer) => setCompanies(answer.data),
      () => setCompanies([]),
    );
  }, [user, companiesTick]);
  useEffect(() => {
    if (!user) return;
    api.get<Wallet[] | Page<Wallet>>('/wallets').then(
      (answer) => setWallets(Array.isArray(answer) ? answer : answer.data),
      // A gateway without the route: the forms that need it are not shown, types show as named.
      () => setWallets(null),
    );
  }, [user]);

  const switchLanguage = useCallback(() => {
    setLang(lang() === 'en' ? 'zh-TW' : 'en');
    setLanguage(lang());
  }, []);
  const languageSwitch = html`<button
    type="button"
    class="secondary small lang"
    onClick=${switchLanguage}
    aria-label=${t('app.language.label')}
    lang=${lang() === 'en' ? 'zh-Hant-TW' : 'en'}
    data-lang
  >
    ${t('app.language')}
  </button>`;

  if (bootError !== undefined) {
    return html`<main class="login" id="main"><${ErrorBox} error=${bootError} /></main>`;
  }
  if (user === undefined) return html`<main class="login" id="main"><${Loading} /></main>`;
  if (user === null) {
    return html`<${Login}
      notice=${notice}
      languageSwitch=${languageSwitch}
      onLogin=${(session: { user: User }) => {
        setNotice(null);
        setCompaniesTick((n) => n + 1);
        setUser(session.user);
      }}
    />`;
  }

  const state: ConsoleState = {
    user,
    companyId:
      user.company_id ?? (companies.some((c) => c.company_id === companyId) ? companyId : ''),
    setCompanyId: (next) => {
      setCompanyIdState(next);
      try {
        localStorage.setItem(COMPANY_KEY, next);
      } catch {
        // Not stored: the choice lasts for this page.
      }
    },
    companies,
    reloadCompanies: () => setCompaniesTick((n) => n + 1),
    wallets,
  };
  const logout = async () => {
    try {
      await api.logout();
    } finally {
      setNotice(null);
      setUser(null);
    }
  };
  const section = route.segments[0] ?? '';
  const routeKey = route.segments.join('/');
  return html`<${ConsoleContext.Provider} value=${state}>
    <${Shell}
      section=${section}
      routeKey=${routeKey}
      onLogout=${logout}
      languageSwitch=${languageSwitch}
    >
      <${PageFor} route=${route} user=${user} key=${`${section}|${state.companyId}|${lang()}`} />
    <//>
  <//>`;
}

setLang(lang());
const root = document.getElementById('app')!;
// The "loading" line index.html shows until the script runs.
root.replaceChildren();
render(html`<${App} />`, root);
