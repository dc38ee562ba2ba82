import { Layout } from './layout.tsx';

export interface SignInPageProps {
  readonly action: string;
  /** Where to go after signing in. */
  readonly next: string | undefined;
  readonly error?: string;
}

export function SignInPage({ action, next, error }: SignInPageProps) {
  return (
    <Layout title="Logga in">
      <form method="post" action={action} class="card narrow">
        <p>Logga in med administratörstoken (TIDBOK_ADMIN_TOKEN).</p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          data-testid="token"
        />
        {next && <input type="hidden" name="next" value={next} />}
        <button type="submit" data-testid="sign-in">
          Logga in
        </button>
      </form>
    </Layout>
  );
}
