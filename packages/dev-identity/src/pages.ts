/**
 * The provider's own pages: login, error, logout and a home page. Self-contained (inline CSS, no
 * external assets), readable at 390 px wide, every interpolated value escaped.
 */
import { createHash } from 'node:crypto';
import { html, Html } from './html.ts';
import type { DevUser } from './options.ts';

const STYLE = `
  :root { color-scheme: light; --ink:#1d2433; --muted:#5d6678; --line:#dfe3ea; --brand:#3552d8; --bg:#f4f6fa; --bad:#a1122d; }
  * { box-sizing: border-box; }
  body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  header { background:#1d2433; color:#fff; padding:12px 16px; font-size:14px; }
  header strong { font-size:15px; margin-right:8px; } header span { color:#c3c8d4; }
  main { max-width: 440px; margin: 24px auto; padding: 0 16px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:12px; padding:20px; margin-bottom:16px; }
  h1 { font-size:22px; margin:0 0 4px; line-height:1.25; }
  p { margin: 0 0 12px; } .muted { color:var(--muted); font-size:14px; }
  .users { display:flex; flex-direction:column; gap:10px; margin:16px 0 0; padding:0; border:0; min-width:0; }
  legend { padding:0; margin-bottom:10px; }
  button { font:inherit; cursor:pointer; }
  button.user { display:flex; align-items:center; gap:12px; width:100%; text-align:left; padding:12px; border:1px solid var(--line); border-radius:10px; background:#fff; color:inherit; }
  button.user:hover, button.user:focus-visible { border-color:var(--brand); background:#f5f7ff; outline:none; }
  .avatar { flex:none; width:40px; height:40px; border-radius:50%; background:#e4e9fb; color:var(--brand); display:grid; place-items:center; font-weight:700; }
  .who { display:flex; flex-direction:column; min-width:0; }
  .who .name { font-weight:600; } .who .email { color:var(--muted); font-size:14px; overflow-wrap:anywhere; }
  .secondary { background:none; border:0; color:var(--brand); padding:8px 0; text-decoration:underline; }
  .primary { background:var(--brand); color:#fff; border:0; border-radius:8px; padding:10px 18px; }
  .error { border:1px solid #f3c2cb; background:#fdecef; color:var(--bad); border-radius:8px; padding:10px 12px; }
  .note { font-size:14px; color:var(--muted); border-left:3px solid var(--line); padding-left:10px; }
  code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap:anywhere; }
  dl { display:grid; grid-template-columns: max-content 1fr; gap:4px 12px; margin:0; font-size:14px; }
  dt { color:var(--muted); } dd { margin:0; min-width:0; }
`;

/** Pages may only use their inline style (and the logout page its one script, by hash). */
export function contentSecurityPolicy(scriptHash?: string): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    scriptHash ? `script-src '${scriptHash}'` : undefined,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]
    .filter(Boolean)
    .join('; ');
}

function page(title: string, body: Html): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header><strong>Cliprelay dev identity</strong><span>standing in for Auth0</span></header>
        <main>${body}</main>
      </body>
    </html>`.value;
}

const NOTE = html`<p class="note">
  This is a development identity provider standing in for Auth0. There are no passwords: pick a user to sign
  in as them. In production this page is Auth0's.
</p>`;

function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => [...part][0] ?? '')
    .join('');
  return [...letters].slice(0, 2).join('').toUpperCase() || '?';
}

export interface LoginPageInput {
  uid: string;
  users: readonly DevUser[];
  clientName: string;
  /** Where the app lives (the redirect URI's origin), shown so you know what you sign in to. */
  appOrigin: string | undefined;
  error?: string;
  /** login_hint: that user's button gets the focus. */
  hint?: string;
}

/** The form is `#dev-identity-login`; each user's button submits `sub` (headlessLogin relies on it). */
export function loginPage(input: LoginPageInput): string {
  const focused = input.users.some((u) => u.sub === input.hint) ? input.hint : input.users[0]?.sub;
  return page(
    'Sign in · Cliprelay dev identity',
    html`<section class="card">
        <h1>Sign in</h1>
        <p class="muted">
          to
          <strong>${input.clientName}</strong
          >${input.appOrigin ? html` at <code>${input.appOrigin}</code>` : ''}
        </p>
        ${input.error ? html`<p class="error" role="alert">${input.error}</p>` : ''}
        <form id="dev-identity-login" method="post" action="/interaction/${input.uid}/login">
          <fieldset class="users">
            <legend class="muted">Choose a dev user</legend>
            ${input.users.map(
              (user) =>
                html`<button
                  class="user"
                  type="submit"
                  name="sub"
                  value="${user.sub}"
                  ${user.sub === focused ? new Html('autofocus') : ''}
                >
                  <span class="avatar" aria-hidden="true">${initials(user.name)}</span>
                  <span class="who"
                    ><span class="name">${user.name}</span><span class="email">${user.email}</span></span
                  >
                </button>`,
            )}
          </fieldset>
        </form>
        <form method="post" action="/interaction/${input.uid}/abort">
          <button class="secondary" type="submit">Cancel and go back to the app</button>
        </form>
      </section>
      ${NOTE}`,
  );
}

export function errorPage(title: string, message: string, details: Record<string, unknown> = {}): string {
  const rows = Object.entries(details).filter(([, v]) => v !== undefined && v !== '');
  return page(
    `${title} · Cliprelay dev identity`,
    html`<section class="card">
        <h1>${title}</h1>
        <p class="error" role="alert">${message}</p>
        ${
          rows.length
            ? html`<dl>
                ${rows.map(
                  ([k, v]) =>
                    html`<dt>${k}</dt>
                      <dd><code>${v}</code></dd>`,
                )}
              </dl>`
            : ''
        }
      </section>
      ${NOTE}`,
  );
}

/** Submits the logout form by itself (Auth0 asks no confirmation either); the button is the fallback. */
export const LOGOUT_SCRIPT =
  "const f=document.getElementById('op.logoutForm');const i=document.createElement('input');" +
  "i.type='hidden';i.name='logout';i.value='yes';f.append(i);f.submit();";
export const LOGOUT_SCRIPT_HASH = `sha256-${createHash('sha256').update(LOGOUT_SCRIPT).digest('base64')}`;

/** `form` is oidc-provider's own markup (`#op.logoutForm` with its xsrf field); it is trusted. */
export function logoutPage(form: string): string {
  return page(
    'Signing out · Cliprelay dev identity',
    html`<section class="card">
      <h1>Signing out…</h1>
      <p class="muted">Ending your dev identity session.</p>
      ${new Html(form)}
      <button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>
        Sign out
      </button>
      ${new Html(`<script>${LOGOUT_SCRIPT}</script>`)}
    </section>`,
  );
}

export function signedOutPage(clientName: string | undefined): string {
  return page(
    'Signed out · Cliprelay dev identity',
    html`<section class="card">
        <h1>You are signed out</h1>
        <p class="muted">
          ${clientName ? html`You signed out of <strong>${clientName}</strong>.` : 'Your session has ended.'}
          You can close this tab.
        </p>
      </section>
      ${NOTE}`,
  );
}

export interface HomePageInput {
  issuer: string;
  discoveryUrl: string;
  audience: string;
  clients: readonly { client_id: string; redirect_uris: readonly string[] }[];
  users: readonly DevUser[];
}

export function homePage(input: HomePageInput): string {
  return page(
    'Cliprelay dev identity',
    html`<section class="card">
        <h1>Dev identity provider</h1>
        <p class="muted">An OpenID Connect provider for local development and tests.</p>
        <dl>
          <dt>issuer</dt>
          <dd><code>${input.issuer}</code></dd>
          <dt>discovery</dt>
          <dd>
            <a href="${input.discoveryUrl}"><code>${input.discoveryUrl}</code></a>
          </dd>
          <dt>audience</dt>
          <dd><code>${input.audience}</code></dd>
          ${input.clients.map(
            (c) =>
              html`<dt>client</dt>
                <dd>
                  <code>${c.client_id}</code> → ${c.redirect_uris.map((u) => html`<code>${u}</code> `)}
                </dd>`,
          )}
          ${input.users.map(
            (u) =>
              html`<dt>user</dt>
                <dd>${u.name} · ${u.email} · <code>${u.sub}</code></dd>`,
          )}
        </dl>
      </section>
      ${NOTE}`,
  );
}
