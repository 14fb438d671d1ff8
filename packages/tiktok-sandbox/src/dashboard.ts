import type { SandboxContext } from './context.ts';
import { html, page } from './html.ts';
import { creatorView, publishView } from './views.ts';

function statusPill(status: string): ReturnType<typeof html> {
  const kind = status === 'PUBLISH_COMPLETE' ? 'ok' : status === 'FAILED' ? 'bad' : 'wait';
  return html`<span class="pill ${kind}">${status}</span>`;
}

function mb(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${bytes.toLocaleString('en-US')} B`;
}

/** GET /_sandbox/: the creators and what TikTok received, for a person to look at. */
export function dashboardPage(ctx: SandboxContext): string {
  const creators = [...ctx.state.creators.values()].map((c) => creatorView(ctx, c));
  const publishes = [...ctx.state.publishes.values()].reverse().map((p) => publishView(ctx, p));
  const nicknames = new Map(creators.map((c) => [c.open_id, c.nickname]));
  const o = ctx.options;
  const creatorRows = creators.map(
    (c) =>
      html`<tr>
        <td><img class="avatar" alt="" src="${c.avatar_url}" /></td>
        <td><strong>${c.nickname}</strong><br /><span class="muted">@${c.username}</span></td>
        <td><code>${c.open_id}</code></td>
        <td>
          ${c.private_account ? 'private' : 'public'}${c.banned ? html` <span class="pill bad">banned</span>` : ''}
        </td>
        <td>${c.privacy_level_options.join(', ')}</td>
        <td>
          comments ${c.comment_disabled ? 'off' : 'on'} · duet
          ${c.duet_disabled || c.private_account ? 'off' : 'on'} · stitch
          ${c.stitch_disabled || c.private_account ? 'off' : 'on'}
        </td>
        <td>${c.max_video_post_duration_sec} s</td>
        <td>${c.posts_today} / ${o.dailyPostCap}</td>
      </tr>`,
  );
  const publishRows = publishes.map((p) => {
    const info = p.post_info;
    return html`<tr>
      <td><code>${p.publish_id}</code><br /><span class="muted">${p.created_at}</span></td>
      <td>${nicknames.get(p.open_id) ?? p.open_id}</td>
      <td>${p.source}</td>
      <td>${typeof info.title === 'string' ? info.title : ''}</td>
      <td>${typeof info.privacy_level === 'string' ? info.privacy_level : ''}</td>
      <td>
        ${statusPill(p.status)}${p.fail_reason ? html`<br /><code>${p.fail_reason}</code>` : ''}<br /><span
          class="muted"
          >${p.status_fetches} status calls</span
        >
      </td>
      <td>${mb(p.received_bytes)}</td>
      <td>
        ${p.sha256 ? html`<code title="sha256">${p.sha256}</code>` : html`<span class="muted">incomplete</span>`}
      </td>
      <td>
        ${p.post_ids.length > 0 ? html`<code>${p.post_ids.join(', ')}</code>` : html`<span class="muted">none</span>`}
      </td>
    </tr>`;
  });
  const deliveryRows = ctx.state.deliveries
    .slice(-20)
    .reverse()
    .map((d) => {
      const about =
        d.content.publish_id ?? (d.event === 'authorization.removed' ? nicknames.get(d.user_openid) : '');
      const kind = d.state === 'delivered' ? 'ok' : d.state === 'gave_up' ? 'bad' : 'wait';
      return html`<tr>
        <td><span class="muted">${d.created_at}</span></td>
        <td><code>${d.event}</code></td>
        <td>${typeof about === 'string' ? html`<code>${about}</code>` : ''}</td>
        <td><span class="pill ${kind}">${d.state}</span></td>
        <td>${d.attempts.map((a) => a.status ?? a.error ?? '?').join(', then ')}</td>
      </tr>`;
    });
  return page(
    'TikTok sandbox',
    html`<div class="card">
        <h1>TikTok sandbox</h1>
        <p class="muted">
          App <code>${o.clientKey}</code> ·
          ${o.audited ? 'audited' : 'unaudited (SELF_ONLY, private accounts only)'} · tokens ${o.accessTtl} s
          / ${o.refreshTtl} s · chunk rules ${o.chunkRules} · processing ${o.processingDelayMs} ms · sandbox
          clock ${new Date(ctx.clock.now()).toISOString()}
        </p>
      </div>
      <div class="card">
        <h2>Creators (${creators.length})</h2>
        ${
          creators.length > 0
            ? html`<table aria-label="Creators">
                <thead>
                  <tr>
                    <th></th>
                    <th>Creator</th>
                    <th>open_id</th>
                    <th>Account</th>
                    <th>Privacy options</th>
                    <th>Interactions</th>
                    <th>Max duration</th>
                    <th>Posts (24 h)</th>
                  </tr>
                </thead>
                <tbody>
                  ${creatorRows}
                </tbody>
              </table>`
            : html`<p class="muted">No creators yet.</p>`
        }
        <h2 style="margin-top:20px">Add a creator</h2>
        <form class="inline" method="post" action="/_sandbox/creators">
          <input type="text" name="nickname" placeholder="Nickname" aria-label="Nickname" />
          <input type="text" name="username" placeholder="username" aria-label="Username" />
          <label><input type="checkbox" name="private_account" /> private account</label>
          <label><input type="checkbox" name="comment_disabled" /> comments off</label>
          <label><input type="checkbox" name="banned" /> banned</label>
          <input
            type="number"
            name="max_video_post_duration_sec"
            placeholder="max seconds"
            aria-label="Max duration (s)"
            min="1"
          />
          <button class="primary" type="submit">Add creator</button>
        </form>
      </div>
      <div class="card">
        <h2>Posts (${publishes.length})</h2>
        ${
          publishes.length > 0
            ? html`<table aria-label="Posts">
                <thead>
                  <tr>
                    <th>publish_id</th>
                    <th>Creator</th>
                    <th>Source</th>
                    <th>Title</th>
                    <th>Privacy</th>
                    <th>Status</th>
                    <th>Bytes</th>
                    <th>sha256</th>
                    <th>Post ids</th>
                  </tr>
                </thead>
                <tbody>
                  ${publishRows}
                </tbody>
              </table>`
            : html`<p class="muted">Nothing posted yet.</p>`
        }
      </div>
      <div class="card">
        <h2>Webhooks (${ctx.state.deliveries.length})</h2>
        ${
          o.webhookUrl
            ? html`<p class="muted">
                Sent to <code>${o.webhookUrl}</code>, signed, retried until it answers 200.
              </p>`
            : html`<p class="muted">Off: start the sandbox with <code>--webhook-url</code> to send them.</p>`
        }
        ${
          deliveryRows.length > 0
            ? html`<table aria-label="Webhook deliveries">
                <thead>
                  <tr>
                    <th>Sent</th>
                    <th>Event</th>
                    <th>About</th>
                    <th>State</th>
                    <th>Answers</th>
                  </tr>
                </thead>
                <tbody>
                  ${deliveryRows}
                </tbody>
              </table>`
            : ''
        }
      </div>`,
    { refreshSeconds: 5 },
  );
}
