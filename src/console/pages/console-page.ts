import type { Response } from 'express';
import type { VNode } from 'preact';
import { consoleSession } from '../console-auth.ts';
import { sendPage } from '../render-page.tsx';

/**
 * Answers with a console page, handing it the session's CSRF token for its
 * forms; `status` is 200 unless the page shows a refusal or bad input.
 */
export function sendConsolePage<P extends { readonly csrfToken: string }>(
  res: Response,
  page: (props: P) => VNode,
  props: Omit<P, 'csrfToken'>,
  status = 200,
): void {
  sendPage(res, page({ ...props, csrfToken: consoleSession(res).csrfToken } as P), status);
}
