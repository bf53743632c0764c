import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { t } from '../i18n.js';
import type { Wallet, WalletOption } from '../types.js';
import { envName } from './bits.js';
import { Outcome, field, useSubmit } from './forms.js';

export interface OptionsSubmit {
  type: string;
  env: 'test' | 'prod';
  fields: Record<string, string>;
  /** The form's own extra inputs (a store id). */
  extra: Record<string, string>;
}

/**
 * The form for a wallet's options (a store's payment configuration or a credential), built
 * from GET /wallets: a value is a text box, a secret a password box (never shown again), a
 * file (a PEM key) is read as text in the browser. The fields are dropped after a save.
 */
export function OptionsForm(props: {
  wallets: Wallet[];
  which: 'store_options' | 'credential_options';
  title: string;
  extra?: { name: string; label: string }[];
  submit: (values: OptionsSubmit) => Promise<string>;
}) {
  const [type, setType] = useState(props.wallets[0]?.type ?? '');
  const [formKey, setFormKey] = useState(0);
  const [files, setFiles] = useState<Record<string, { name: string; text: string }>>({});
  const wallet = props.wallets.find((w) => w.type === type);
  const options: WalletOption[] = wallet ? wallet[props.which] : [];

  const readFile = async (option: string, input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    setFiles((f) => ({ ...f, [option]: { name: file.name, text } }));
  };

  const submit = useSubmit(async (data) => {
    const fields: Record<string, string> = {};
    for (const option of options) {
      const value =
        option.input === 'file'
          ? files[option.name]?.text
          : String(data.get(`opt-${option.name}`) ?? '');
      if (value !== undefined && value !== '') fields[option.name] = value;
    }
    const extra: Record<string, string> = {};
    for (const e of props.extra ?? []) extra[e.name] = field(data, e.name);
    const message = await props.submit({
      type,
      env: data.get('env') === 'prod' ? 'prod' : 'test',
      fields,
      extra,
    });
    setFiles({});
    setFormKey((k) => k + 1);
    return message;
  });

  const id = (name: string) => `${props.which}-${name}`;
  return html`<details class="panel form-panel">
    <summary>${props.title}</summary>
    <form class="grid-form" onSubmit=${submit.onSubmit} key=${formKey}>
      <div class="field">
        <label for=${id('type')}>${t('form.type')}</label>
        <select
          id=${id('type')}
          value=${type}
          onChange=${(e: Event) => setType((e.currentTarget as HTMLSelectElement).value)}
        >
          ${props.wallets.map((w) => html`<option value=${w.type}>${w.display_name}</option>`)}
        </select>
      </div>
      <div class="field">
        <label for=${id('env')}>${t('form.env')}</label>
        <select id=${id('env')} name="env">
          <option value="test">${envName('test')}</option>
          <option value="prod">${envName('prod')}</option>
        </select>
      </div>
      ${(props.extra ?? []).map(
        (e) =>
          html`<div class="field">
            <label for=${id(e.name)}>${e.label}</label>
            <input id=${id(e.name)} name=${e.name} required autocomplete="off" />
          </div>`,
      )}
      ${options.map((o) => {
        const label = html`<label for=${id(`opt-${o.name}`)}>
          <code>${o.name}</code
          >${o.required ? html` <span class="muted small">(${t('form.required')})</span>` : null}
        </label>`;
        const hint = html`<p class="hint">${o.description}</p>`;
        if (o.input === 'file') {
          return html`<div class="field wide">
            ${label}
            <input
              id=${id(`opt-${o.name}`)}
              type="file"
              required=${o.required}
              onChange=${(e: Event) => readFile(o.name, e.currentTarget as HTMLInputElement)}
            />
            ${files[o.name] ? html`<p class="hint">${t('form.fileLoaded', { name: files[o.name]!.name })}</p>` : null}
            ${hint}
          </div>`;
        }
        if (o.choices && o.choices.length > 0) {
          return html`<div class="field">
            ${label}
            <select id=${id(`opt-${o.name}`)} name=${`opt-${o.name}`} required=${o.required}>
              ${o.required ? null : html`<option value=""></option>`}
              ${o.choices.map((c) => html`<option value=${c}>${c}</option>`)}
            </select>
            ${hint}
          </div>`;
        }
        return html`<div class="field">
          ${label}
          <input
            id=${id(`opt-${o.name}`)}
            name=${`opt-${o.name}`}
            type=${o.input === 'secret' ? 'password' : 'text'}
            required=${o.required}
            autocomplete=${o.input === 'secret' ? 'new-password' : 'off'}
          />
          ${hint}
        </div>`;
      })}
      <div class="actions left wide">
        <button type="submit" class="primary" disabled=${submit.busy}>
          ${submit.busy ? t('app.working') : t('app.save')}
        </button>
      </div>
    </form>
    <${Outcome} error=${submit.error} done=${submit.done} />
  </details>`;
}
