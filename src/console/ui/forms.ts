import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { href, navigate } from '../router.js';
import { ErrorBox, Notice } from './states.js';

export interface Submission {
  /** While the form is being sent: its button is disabled. */
  busy: boolean;
  /** Why the last sending failed; undefined when it did not. */
  error: unknown;
  /** The page's last success message (a row's action may set it too); null for none. */
  done: string | null;
  setDone(text: string | null): void;
  onSubmit(event: SubmitEvent): Promise<void>;
}

/**
 * A form that changes something: `send` gets the form's data and returns the message to show,
 * if any. While it runs the form is busy; the last error and message are cleared first; after a
 * success the form is emptied. `Outcome` shows the error and the message.
 */
export function useSubmit(send: (data: FormData) => Promise<string | null>): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      const message = await send(data);
      form.reset();
      setDone(message);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, done, setDone, onSubmit };
}

/** A form's trimmed text field ('' when absent). */
export const field = (data: FormData, name: string): string => String(data.get(name) ?? '').trim();

/** What the page's last change came to: its error, its success message (either may be none). */
export const Outcome = (props: { error?: unknown; done?: string | null }) =>
  html`${props.error === undefined ? null : html`<${ErrorBox} error=${props.error} />`}
  ${(props.done ?? null) === null ? null : html`<${Notice} kind="ok" text=${props.done} />`}`;

/** One line of fields and the button that sends them (`action`: its data-action, for tests). */
export const InlineForm = (props: {
  submit: Submission;
  label: string;
  action?: string;
  /** Drawn as a panel of its own (the default), or bare inside one. */
  panel?: boolean;
  children: ComponentChildren;
}) =>
  html`<form
    class=${props.panel === false ? 'inline-form' : 'inline-form panel'}
    onSubmit=${props.submit.onSubmit}
  >
    ${props.children}
    <button type="submit" class="primary" disabled=${props.submit.busy} data-action=${props.action}>
      ${props.label}
    </button>
  </form>`;

/** A platform user who chose "all companies" is asked to choose one before changing anything. */
export const PickCompany = () => html`<${Notice} kind="info" text=${t('app.pickCompany')} />`;

/** The form of a change, or, while no company is chosen (`company` null), the request to choose. */
export const NeedsCompany = (props: { company: string | null; children: ComponentChildren }) =>
  props.company === null ? html`<${PickCompany} />` : props.children;

/**
 * A list's filters, kept in the URL: "apply" goes to `path` with the fields `names` that are not
 * empty, "reset" to `path` alone. The caller keys it by the filters, so a new URL refills it.
 */
export function FilterForm(props: {
  path: string;
  names: readonly string[];
  label?: string;
  children: ComponentChildren;
}) {
  const submit = (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const name of props.names) {
      const value = field(data, name);
      if (value !== '') next[name] = value;
    }
    navigate(props.path, next);
  };
  return html`<form class="filters" onSubmit=${submit} aria-label=${props.label}>
    ${props.children}
    <div class="filter-actions">
      <button type="submit" class="primary">${t('tx.apply')}</button>
      <a class="button secondary" href=${href(props.path)}>${t('tx.reset')}</a>
    </div>
  </form>`;
}

/** A button in a table row: secondary, or `danger`; `action`: its data-action, for tests. */
export const RowButton = (props: {
  label: string;
  danger?: boolean;
  action?: string;
  onClick: () => void;
}) =>
  html`<button
    type="button"
    class=${props.danger ? 'danger small' : 'secondary small'}
    data-action=${props.action}
    onClick=${props.onClick}
  >
    ${props.label}
  </button>`;
