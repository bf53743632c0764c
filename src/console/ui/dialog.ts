import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import { ErrorBox } from './states.js';

let dialogs = 0;

/**
 * A modal <dialog>: the browser keeps the focus inside it and Escape closes it; the focus
 * returns to what opened it.
 */
export function Modal(props: { title: string; onClose: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [id] = useState(() => `dialog-${++dialogs}`);
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);
  const cancel = (event: Event) => {
    event.preventDefault();
    props.onClose();
  };
  return html`<dialog ref=${ref} class="modal" aria-labelledby=${id} onCancel=${cancel}>
    <h2 id=${id}>${props.title}</h2>
    ${props.children}
  </dialog>`;
}

/**
 * Asks before doing: the action runs only on "confirm", and the dialog stays open with the
 * error if it fails (a retry sends the same Idempotency-Key: the caller made it on opening).
 */
export function ConfirmDialog(props: {
  title: string;
  body: string;
  confirmLabel?: string;
  danger?: boolean;
  action: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.action();
      props.onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return html`<${Modal} title=${props.title} onClose=${() => !busy && props.onClose()}>
    <p>${props.body}</p>
    ${error === undefined ? null : html`<${ErrorBox} error=${error} />`}
    <div class="actions">
      <button type="button" class="secondary" onClick=${props.onClose} disabled=${busy}>
        ${t('app.cancel')}
      </button>
      <button
        type="button"
        class=${props.danger ? 'danger' : 'primary'}
        onClick=${confirm}
        disabled=${busy}
        data-confirm
      >
        ${busy ? t('app.working') : (props.confirmLabel ?? t('app.confirm'))}
      </button>
    </div>
  <//>`;
}

export interface SecretEntry {
  label: string;
  value: string;
}

/** A secret shown once: the caller drops it from its state when this closes. */
export function SecretDialog(props: { entries: SecretEntry[]; onClose: () => void }) {
  const [copied, setCopied] = useState<number | null>(null);
  const copy = async (index: number, value: string, target: HTMLElement | null) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(index);
    } catch {
      // No clipboard (an insecure context): select the text for Ctrl+C instead.
      if (target) window.getSelection()?.selectAllChildren(target);
    }
  };
  return html`<${Modal} title=${t('secret.title')} onClose=${props.onClose}>
    <p class="warn-text">${t('secret.note')}</p>
    <dl class="secrets">
      ${props.entries.map(
        (entry, index) =>
          html`<div>
            <dt>${entry.label}</dt>
            <dd>
              <code id=${`secret-${index}`} class="secret" data-secret>${entry.value}</code>
              <button
                type="button"
                class="secondary small"
                onClick=${() => copy(index, entry.value, document.getElementById(`secret-${index}`))}
              >
                ${copied === index ? t('app.copied') : t('app.copy')}
              </button>
            </dd>
          </div>`,
      )}
    </dl>
    <div class="actions">
      <button type="button" class="primary" onClick=${props.onClose}>${t('app.close')}</button>
    </div>
  <//>`;
}

/** How a confirmation asks: its title and text, its button's label, red when it is `danger`. */
export interface ConfirmText {
  title: string;
  body: string;
  confirmLabel?: string;
  danger?: boolean;
}

/**
 * Confirm-then-act: `ask(p)` opens a ConfirmDialog about `p` (a row, an action with its
 * Idempotency-Key); `dialog(describe, act)` renders it, worded by `describe(p)`, running
 * `act(p)` only on "confirm". Nothing is open: null.
 */
export function useConfirm<P>(): {
  ask(p: P): void;
  dialog(describe: (p: P) => ConfirmText, act: (p: P) => Promise<void>): ComponentChildren;
} {
  const [pending, setPending] = useState<{ p: P } | null>(null);
  return {
    ask: (p) => setPending({ p }),
    dialog: (describe, act) =>
      pending === null
        ? null
        : html`<${ConfirmDialog}
            ...${describe(pending.p)}
            action=${() => act(pending.p)}
            onClose=${() => setPending(null)}
          />`,
  };
}

/**
 * A secret shown once: `show(entries)` opens a SecretDialog; closing it drops the entries from
 * the page's state. `dialog` is to be rendered (null when nothing is shown).
 */
export function useSecret(): { show(entries: SecretEntry[]): void; dialog: ComponentChildren } {
  const [secret, setSecret] = useState<SecretEntry[] | null>(null);
  return {
    show: setSecret,
    dialog:
      secret === null
        ? null
        : html`<${SecretDialog} entries=${secret} onClose=${() => setSecret(null)} />`,
  };
}
