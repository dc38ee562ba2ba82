/** The signed-in navigation of the console, with sign-out as a CSRF-safe form. */
export type ConsoleSection = 'calendar' | 'invitations' | 'deliveries' | 'import' | 'simulator';

const LINKS: readonly (readonly [ConsoleSection, string, string])[] = [
  ['calendar', '/console/', 'Kalender'],
  ['invitations', '/console/invitations', 'Kallelser'],
  ['deliveries', '/console/deliveries', 'Leveranser'],
  ['import', '/console/import', 'Importera kalender'],
  ['simulator', '/simulator/', '1177-simulator'],
];

export function ConsoleNav({ current, csrfToken }: { current: ConsoleSection; csrfToken: string }) {
  return (
    <nav aria-label="Huvudmeny">
      {LINKS.map(([section, href, label]) => (
        <a href={href} aria-current={section === current ? 'page' : undefined}>
          {label}
        </a>
      ))}
      <form method="post" action="/console/sign-out" class="inline">
        <input type="hidden" name="_csrf" value={csrfToken} />
        <button type="submit" class="link">
          Logga ut
        </button>
      </form>
    </nav>
  );
}
