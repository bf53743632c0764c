import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ApiError, api } from '../api.js';
import { t } from '../i18n.js';
import type { SessionAnswer } from '../types.js';
import { errorText } from '../ui/states.js';

export function Login(props: {
  notice: string | null;
  onLogin: (s: SessionAnswer) => void;
  languageSwitch: unknown;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const email = useRef<HTMLInputElement>(null);
  useEffect(() => email.current?.focus(), []);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      props.onLogin(
        await api.login(String(data.get('email') ?? ''), String(data.get('password') ?? '')),
      );
    } catch (e) {
      if (e instanceof ApiError && e.code === 'invalid_credentials') setError(t('login.invalid'));
      else if (e instanceof ApiError && e.status === 429) setError(t('error.rate_limited'));
      else setError(errorText(e));
      setBusy(false);
    }
  };

  return html`<main class="login" id="main">
    <form class="login-box" onSubmit=${submit} aria-labelledby="login-title">
      <div class="login-head">
        <h1 id="login-title">${t('login.title')}</h1>
        ${props.languageSwitch}
      </div>
      ${props.notice ? html`<p class="notice info" role="status">${props.notice}</p>` : null}
      <div class="field">
        <label for="login-email">${t('login.email')}</label>
        <input
          ref=${email}
          id="login-email"
          name="email"
          type="email"
          autocomplete="username"
          required
        />
      </div>
      <div class="field">
        <label for="login-password">${t('login.password')}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
      </div>
      ${error ? html`<p class="error-text" role="alert">${error}</p>` : null}
      <button type="submit" class="primary wide" disabled=${busy}>
        ${busy ? t('app.working') : t('login.submit')}
      </button>
      <p class="muted small">${t('app.timezone')}</p>
    </form>
  </main>`;
}
