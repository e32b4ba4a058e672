// Response compression (the `compression` package) only where it pays (DESIGN §4: really compressing a
// small response cuts throughput to a third): bodies of at least http.compression.thresholdBytes, of the
// content types in http.compression.types. Requests that accept no encoding (wrk, most API clients)
// skip the package entirely, so the JSON hot path pays one header lookup. Live: the package is rebuilt
// when the compression settings change.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import compression from 'compression';
import type { Config } from '../../config/index.js';
import type { Stage } from '../exchange.js';

type Settings = Config['http']['compression'];

const CODINGS = /\b(?:gzip|br|deflate)\b/i;

type Connect = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Whether a Content-Type value is one of `types` ("text/html", or a "text/*" family). */
export function typeListed(contentType: unknown, types: readonly string[]): boolean {
  if (typeof contentType !== 'string') return false;
  const semi = contentType.indexOf(';');
  const mime = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  for (const t of types) {
    const want = t.toLowerCase();
    if (want === mime) return true;
    if (want.endsWith('/*') && mime.startsWith(want.slice(0, -1))) return true;
  }
  return false;
}

function acceptsCoding(headers: IncomingHttpHeaders): boolean {
  const ae = headers['accept-encoding'];
  return ae !== undefined && CODINGS.test(ae);
}

function build(s: Settings): Connect {
  const types = [...s.types];
  // The package is connect middleware over Node's request and response: it needs nothing of Express.
  return compression({
    threshold: s.thresholdBytes,
    filter: (_req, res) => typeListed(res.getHeader('Content-Type'), types),
  }) as unknown as Connect;
}

export function responseCompression(): Stage {
  let settings: Settings | undefined;
  let compress: Connect | undefined;
  return function compressionStage(ex, next) {
    const s = ex.live.config.http.compression;
    if (!s.enabled || !acceptsCoding(ex.req.headers)) return next();
    if (s !== settings || compress === undefined) {
      settings = s;
      compress = build(s);
    }
    compress(ex.req, ex.res, next);
  };
}
