/**
 * Server-side rendering of the console's pages: Preact components to an
 * HTML string. Preact escapes every text and attribute value, so data from
 * the calendar can never become markup.
 */
import type { Response } from 'express';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

export function renderPage(page: VNode): string {
  return `<!doctype html>\n${renderToString(page)}`;
}

/** Answers with a rendered page: HTML, with `status` (200 unless a refusal or bad input). */
export function sendPage(res: Response, page: VNode, status = 200): void {
  res.status(status).type('html').send(renderPage(page));
}
