import { describe, expect, it } from 'vitest';
import { escapeHtml, html, Html } from './html.ts';

describe('html', () => {
  it('escapes interpolated text and attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(html`<p title="${'"><script>'}">${'<b>'}</p>`.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;</p>',
    );
  });

  it('inserts Html values and lists as they are, and skips empty values', () => {
    // An alias, so that Prettier leaves the exact markup of this template alone.
    const tag = html;
    const items = ['a<', 'b'].map((x) => tag`<li>${x}</li>`);
    expect(tag`<ul>${items}</ul>${undefined}${false}${new Html('<hr>')}`.value).toBe(
      '<ul><li>a&lt;</li><li>b</li></ul><hr>',
    );
  });
});
