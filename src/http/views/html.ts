// Escaping for the ACS pages (SPEC §5, §11): a tagged template that escapes every interpolated value
// for HTML text and double-quoted attributes unless it is already SafeHtml, a URL check for action
// attributes, and a JSON serializer that is safe inside <script> (no "</script>", no U+2028/9 breaks).

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string);
}

function part(v: unknown): string {
  if (v === undefined || v === null || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(part).join('');
  return escapeHtml(String(v));
}

/** html`<p>${text}</p>`: interpolations are escaped; nested html`` results and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] as string);
  return new SafeHtml(out);
}

/** An http(s) URL for an action/href attribute; anything else (javascript:, data:) becomes about:blank. */
export function httpUrlAttr(u: string): string {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:' ? u : 'about:blank';
  } catch {
    return 'about:blank';
  }
}

/** JSON for a <script> element: <, >, & and the JS line separators are \u-escaped. */
export function jsonForScript(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
