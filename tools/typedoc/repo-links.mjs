// TypeDoc plugin: relative links in a package README (e.g. `../../docs/training.md`) stay links into the
// repository instead of becoming copies under `docs/api/_media/`.
//
// TypeDoc copies every file a README links to into the output and points the link at the copy. For this
// repository that would duplicate `docs/*.md` inside `docs/api/` (copies that go stale, and a docs check
// that fails whenever a guide changes). Here, just before a page is written, each such link is rewritten
// to the path from the page's committed location (under `repoLinksBase`, not wherever `--out` points, so
// a check that renders into a temporary directory produces the same bytes) to the original file. A file
// TypeDoc never names for output is never copied. Links that resolve to a documented reflection are left
// to TypeDoc.
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ParameterType } from 'typedoc';
import { MarkdownPageEvent } from 'typedoc-plugin-markdown';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'repoLinksBase',
    help: 'Where the generated pages are committed (relative links to repository files are computed from there).',
    type: ParameterType.Path,
    defaultValue: 'docs/api',
  });
  app.renderer.on(MarkdownPageEvent.BEGIN, (page) => {
    const files = page.project.files;
    const pageDir = dirname(join(resolve(app.options.getValue('repoLinksBase')), page.url));
    for (const part of page.model?.readme ?? []) {
      if (part.kind !== 'relative-link' || typeof part.target !== 'number') continue;
      if (typeof files.resolve(part.target, page.project) === 'object') continue;
      const absolute = files.resolvePath(part.target);
      if (!absolute) continue;
      const anchor = part.targetAnchor ? `#${part.targetAnchor}` : '';
      part.text = relative(pageDir, absolute).split(sep).join('/') + anchor;
      part.target = undefined;
      part.targetAnchor = undefined;
    }
  });
}
