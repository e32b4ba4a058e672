// Every "SPEC §n" / "DESIGN §n" citation in src/, test/ and scripts/ must land on a numbered heading of
// docs/spec.md / docs/design.md, so that moving or renumbering a section cannot silently orphan comments.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT } from './helpers/server.js';

type Doc = 'SPEC' | 'DESIGN';

interface Citation {
  file: string;
  line: number;
  doc: Doc;
  section: string;
}

const DOC_FILES: Record<Doc, string> = { SPEC: 'docs/spec.md', DESIGN: 'docs/design.md' };
const SCANNED = ['src', 'test', 'scripts'];
// The fixtures below spell the section sign as an escape so that this file does not cite itself.
const SECTION = '\u00a7';
// A citation may name several sections: "SPEC §4, §5" or a range "SPEC §3.1–3.3" (both ends checked).
const NUM = String.raw`\d+(?:\.\d+)?`;
const CITATION_RE = new RegExp(String.raw`\b(SPEC|DESIGN) §(${NUM})((?:(?:, ?§|–)${NUM})*)`, 'g');
const MORE_RE = new RegExp(`(?:, ?§|–)(${NUM})`, 'g');
// "## 3. HTTP API", "### 3.1 Version": the number of a heading, without its trailing dot.
const HEADING_RE = /^#{2,6}[ \t]+(\d+(?:\.\d+)*)\.?[ \t]/gm;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules') return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.isFile() ? [p] : [];
  });
}

const FENCE_RE = /^```[^\n]*\n[\s\S]*?^```/gm;

/** The section numbers that have a heading in a markdown document (fenced code is not a heading). */
function sectionsOf(markdown: string): Set<string> {
  return new Set(Array.from(markdown.replace(FENCE_RE, '').matchAll(HEADING_RE), (m) => m[1] as string));
}

/** Every citation in one file's text, with its 1-based line. */
function citationsIn(file: string, text: string): Citation[] {
  return text.split('\n').flatMap((lineText, i) =>
    Array.from(lineText.matchAll(CITATION_RE)).flatMap((m) =>
      [m[2] as string, ...Array.from((m[3] ?? '').matchAll(MORE_RE), (n) => n[1] as string)].map((section) => ({
        file,
        line: i + 1,
        doc: m[1] as Doc,
        section,
      })),
    ),
  );
}

/** The citations whose section has no heading, as "file:line SPEC §n" lines. */
function dangling(citations: readonly Citation[], sections: Record<Doc, Set<string>>): string[] {
  return citations
    .filter((c) => !sections[c.doc].has(c.section))
    .map((c) => `${c.file}:${c.line} ${c.doc} ${SECTION}${c.section} (no such heading in ${DOC_FILES[c.doc]})`);
}

describe('docs: SPEC and DESIGN citations', () => {
  const sections: Record<Doc, Set<string>> = {
    SPEC: sectionsOf(readFileSync(path.join(ROOT, DOC_FILES.SPEC), 'utf8')),
    DESIGN: sectionsOf(readFileSync(path.join(ROOT, DOC_FILES.DESIGN), 'utf8')),
  };
  const citations = SCANNED.flatMap((d) =>
    walk(path.join(ROOT, d)).flatMap((f) => citationsIn(path.relative(ROOT, f), readFileSync(f, 'utf8'))),
  );

  it('finds the citations and the numbered headings it checks', () => {
    // Guards against a scan that passes because it read nothing.
    expect(citations.length).to.be.greaterThan(50);
    expect(citations.some((c) => c.doc === 'DESIGN')).to.equal(true);
    for (const s of ['1', '3', '3.1', '3.2', '3.3', '20']) expect(sections.SPEC.has(s), `SPEC heading ${s}`).to.equal(true);
    for (const s of ['1', '2', '3', '4']) expect(sections.DESIGN.has(s), `DESIGN heading ${s}`).to.equal(true);
  });

  it('land on a heading of docs/spec.md or docs/design.md', () => {
    expect(dangling(citations, sections), 'citations without a matching section heading').to.deep.equal([]);
  });

  it('would catch a citation of a missing section', () => {
    const doc = '# Spec\n\n## 1. One\n\n## 3. Three\n\n### 3.1 Sub\n\n### 3.10 Tenth\n\n```\n## 9. inside a code fence\n```\n';
    const fixture = sectionsOf(doc);
    expect([...fixture].sort()).to.deep.equal(['1', '3', '3.1', '3.10']);
    const text = [
      `// fine (SPEC ${SECTION}1, SPEC ${SECTION}3.1), and so is DESIGN ${SECTION}2`,
      `// missing: SPEC ${SECTION}2 and SPEC ${SECTION}3.2`,
      `// not a citation: RFC 7518 ${SECTION}3.4, SPEC ${SECTION}x`,
      `// lists and ranges: SPEC ${SECTION}1, ${SECTION}7 and SPEC ${SECTION}3.1–3.10`,
    ].join('\n');
    const found = citationsIn('src/x.ts', text);
    expect(found.map((c) => `${c.doc}${c.section}`)).to.deep.equal([
      'SPEC1',
      'SPEC3.1',
      'DESIGN2',
      'SPEC2',
      'SPEC3.2',
      'SPEC1',
      'SPEC7',
      'SPEC3.1',
      'SPEC3.10',
    ]);
    expect(dangling(found, { SPEC: fixture, DESIGN: new Set(['1', '2']) })).to.deep.equal([
      `src/x.ts:2 SPEC ${SECTION}2 (no such heading in docs/spec.md)`,
      `src/x.ts:2 SPEC ${SECTION}3.2 (no such heading in docs/spec.md)`,
      `src/x.ts:4 SPEC ${SECTION}7 (no such heading in docs/spec.md)`,
    ]);
  });
});
