/** Escapes text for HTML element and attribute content. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Safe HTML built by the `html` tag; interpolated strings are escaped, Html values are not. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

const STYLE = `
  :root { color-scheme: light; --ink:#161823; --muted:#6b6f7b; --line:#e3e4e8; --brand:#fe2c55; --bg:#f7f7f9; }
  * { box-sizing: border-box; }
  body { margin:0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--ink); background:var(--bg); }
  header { background:#161823; color:#fff; padding:12px 24px; display:flex; gap:12px; align-items:center; }
  header strong { font-size:16px; } header span { color:#b9bcc6; font-size:13px; }
  main { max-width: 1100px; margin: 24px auto; padding: 0 16px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:12px; padding:20px 24px; margin-bottom:20px; }
  h1 { font-size:22px; margin:0 0 4px; } h2 { font-size:17px; margin:0 0 12px; }
  p.muted, .muted { color:var(--muted); }
  table { width:100%; border-collapse:collapse; font-size:13px; }
  th, td { text-align:left; padding:8px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
  th { color:var(--muted); font-weight:600; }
  code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
  label.choice code { word-break: normal; white-space: nowrap; }
  .pill { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; background:#eef0f4; }
  .ok { background:#e3f7ea; color:#106a31; } .bad { background:#fde7ea; color:#a1122d; } .wait { background:#fff4d6; color:#7a5600; }
  button, .button { font:inherit; border-radius:8px; padding:9px 18px; border:1px solid var(--line); background:#fff; cursor:pointer; }
  button.primary { background:var(--brand); color:#fff; border-color:var(--brand); }
  label.choice { display:flex; gap:10px; align-items:center; padding:10px 12px; border:1px solid var(--line); border-radius:10px; margin-bottom:8px; cursor:pointer; }
  label.choice:has(input:checked) { border-color: var(--brand); background:#fff5f7; }
  .avatar { width:36px; height:36px; border-radius:50%; }
  .actions { display:flex; gap:10px; justify-content:flex-end; margin-top:16px; }
  fieldset { border:0; padding:0; margin:0 0 16px; } legend { font-weight:600; margin-bottom:8px; }
  input[type=text], input[type=number] { font:inherit; padding:7px 10px; border:1px solid var(--line); border-radius:8px; }
  form.inline { display:flex; flex-wrap:wrap; gap:10px; align-items:center; }
`;

export function page(title: string, body: Html, options: { refreshSeconds?: number } = {}): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}" />` : ''}
        <title>${title}</title>
        <style>
          ${new Html(STYLE)}
        </style>
      </head>
      <body>
        <header>
          <strong>TikTok sandbox</strong><span>a local emulator of TikTok's Open API — not TikTok</span>
        </header>
        <main>${body}</main>
      </body>
    </html>`.value;
}
