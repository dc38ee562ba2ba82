/**
 * Server-side rendering of the console's pages: Preact components to an
 * HTML string. Preact escapes every text and attribute value, so data from
 * the calendar can never become markup.
 */
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function renderPage(page: VNode): string {
  return `<!doctype html>\n${renderToString(page)}`;
}
