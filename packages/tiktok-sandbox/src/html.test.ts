import { describe, expect, it } from 'vitest';
import { html } from './html.ts';

describe('html template', () => {
  it('escapes interpolated text and attributes but not nested templates', () => {
    const name = `<script>alert("x")</script>`;
    const out = html`<p title="${name}">${name}${html`<b>ok</b>`}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('<b>ok</b>');
  });
});
