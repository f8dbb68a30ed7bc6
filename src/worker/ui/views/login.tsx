/**
 * The sign-in form: a token (read or write) posted once, kept in an HttpOnly cookie.
 */

export const Login = (props: { next: string; error?: string }) => (
  <>
    <h1>Sign in</h1>
    <p class="muted">
      Paste the read token (<code>DATASPINE_READ_TOKEN</code>) to see partitions, or the API token (
      <code>DATASPINE_API_TOKEN</code>) to also resolve anomalies and retry dead letters.
    </p>
    {props.error ? (
      <p class="error" role="alert" id="login-error">
        {props.error}
      </p>
    ) : null}
    <form method="post" action="/ui/login">
      <input type="hidden" name="next" value={props.next} />
      <label for="token">Token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="current-password"
        required
        size={40}
        aria-describedby={props.error ? "login-error" : undefined}
        autofocus
      />
      <p>
        <button class="primary" type="submit">
          Sign in
        </button>
      </p>
    </form>
  </>
);

/** A short page for a refused or failed action. */
export const Problem = (props: { title: string; message: string; back?: string }) => (
  <>
    <h1>{props.title}</h1>
    <p class="error" role="alert">
      {props.message}
    </p>
    {props.back ? <a href={props.back}>Back</a> : null}
  </>
);
