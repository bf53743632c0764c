import { h } from 'preact';
import htm from 'htm';

/** Preact's h() through htm's tagged templates: components without JSX or a second compiler. */
export const html = htm.bind(h);
