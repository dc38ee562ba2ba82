/**
 * The frame of every console and simulator page: Swedish, one local
 * stylesheet (no CDN, no remote font: the national network may have no way
 * out), a skip link and landmarks for keyboard and screen-reader users.
 */
import type { ComponentChildren } from 'preact';

export interface LayoutProps {
  readonly title: string;
  /** The signed-in navigation; absent on the sign-in page. */
  readonly nav?: ComponentChildren;
  readonly children: ComponentChildren;
}

/** Where the stylesheet is served (see console-router). */
export const STYLESHEET_PATH = '/console/static/console.css';

export function Layout({ title, nav, children }: LayoutProps) {
  return (
    <html lang="sv">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · tidbok`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        {/* No favicon request: an empty icon, so a browser logs no 404. */}
        <link rel="icon" href="data:," />
      </head>
      <body>
        <a class="skip" href="#main">
          Till innehållet
        </a>
        <header class="top">
          <span class="brand">tidbok</span>
          {nav}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
