import type { ComponentChildren } from 'preact';
import { html } from '../html.js';
import { t } from '../i18n.js';
import type { Page } from '../types.js';
import type { Loaded } from './load.js';
import { Empty, ErrorBox, Loading } from './states.js';

/**
 * A column's heading: its text, or the text with the heading cell's class; `srOnly`: read by
 * screen readers only (the actions column). false or null: a column this user is not shown.
 */
export type Column = string | { label: string; class?: string; srOnly?: boolean } | false | null;

/** The heading of a column of row buttons: nothing to see, a name to hear. */
export const actionsColumn = (): Column => ({ label: t('detail.actions'), srOnly: true });

const heading = (column: Exclude<Column, false | null>) =>
  typeof column === 'string'
    ? html`<th scope="col">${column}</th>`
    : html`<th scope="col" class=${column.class}>
        ${column.srOnly ? html`<span class="sr-only">${column.label}</span>` : column.label}
      </th>`;

/**
 * A page of the admin API as a table: its error while nothing is shown yet (`missingRoute`: a
 * 404 means this gateway lacks the list route), the loading line, the empty state (`empty`
 * says what to do), or the rows, `row` rendering each item's (one or more `<tr>`).
 */
export function DataTable<T>(props: {
  loaded: Loaded<Page<T>>;
  empty: string;
  missingRoute?: boolean;
  columns: Column[];
  row: (item: T) => ComponentChildren;
}) {
  const { loaded } = props;
  if (loaded.error !== undefined && !loaded.data) {
    return html`<${ErrorBox} error=${loaded.error} missingRoute=${props.missingRoute} />`;
  }
  if (!loaded.data) return html`<${Loading} />`;
  if (loaded.data.data.length === 0) return html`<${Empty} text=${props.empty} />`;
  return html`<div class="table-wrap">
    <table class="data">
      <thead>
        <tr>
          ${props.columns.map((column) => (column ? heading(column) : null))}
        </tr>
      </thead>
      <tbody>
        ${loaded.data.data.map((item) => props.row(item))}
      </tbody>
    </table>
  </div>`;
}
