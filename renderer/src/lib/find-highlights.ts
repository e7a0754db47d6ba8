import { monaco } from './monaco';
import { textModels } from './editors';

/** A source match: which cell, and where in its source. */
export interface SourceMatch {
  handle: string;
  start: number;
  end: number;
}

const decorations = new Map<string, string[]>();

/**
 * Marks the matches in the cells' editors (every cell has a text model, shown or not); `current`
 * gets the stronger mark. Cells with no match lose theirs.
 */
export function markSources(matches: readonly SourceMatch[], current: SourceMatch | undefined): void {
  const byCell = new Map<string, SourceMatch[]>();
  for (const m of matches) byCell.set(m.handle, [...(byCell.get(m.handle) ?? []), m]);
  for (const handle of new Set([...decorations.keys(), ...byCell.keys()])) {
    const model = textModels.get(handle);
    const old = decorations.get(handle) ?? [];
    if (!model || model.isDisposed()) {
      decorations.delete(handle);
      continue;
    }
    const next = (byCell.get(handle) ?? []).map((m) => ({
      range: monaco.Range.fromPositions(model.getPositionAt(m.start), model.getPositionAt(m.end)),
      options: { inlineClassName: m === current ? 'find-match current' : 'find-match' },
    }));
    decorations.set(handle, model.deltaDecorations(old, next));
  }
}

/** Brings a source match into view in its editor, when the cell has one. */
export function revealSource(m: SourceMatch, editor: monaco.editor.IStandaloneCodeEditor | undefined): void {
  const model = textModels.get(m.handle);
  if (!editor || !model) return;
  editor.revealRangeInCenterIfOutsideViewport(
    monaco.Range.fromPositions(model.getPositionAt(m.start), model.getPositionAt(m.end)),
  );
}

/**
 * The ranges of `query` in the text under `root` (outputs, rendered Markdown), found node by
 * node: a match split across two elements is not found, as in the browser's own find.
 */
export function findInDom(root: Element, query: string, matchCase: boolean): Range[] {
  if (!query) return [];
  const needle = matchCase ? query : query.toLowerCase();
  const found: Range[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = matchCase ? node.nodeValue! : node.nodeValue!.toLowerCase();
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      found.push(range);
    }
  }
  return found;
}

/** Paints the ranges with the CSS Custom Highlight API: nothing in the page's DOM changes. */
export function markDom(ranges: readonly Range[], current: Range | undefined): void {
  // An engine without the API still finds and replaces; it only shows no marks in outputs.
  if (typeof Highlight === 'undefined' || !('highlights' in CSS)) return;
  CSS.highlights.set('reclab-find', new Highlight(...ranges.filter((r) => r !== current)));
  if (current) CSS.highlights.set('reclab-find-current', new Highlight(current));
  else CSS.highlights.delete('reclab-find-current');
}

export function clearMarks(): void {
  markSources([], undefined);
  if (typeof Highlight !== 'undefined' && 'highlights' in CSS) {
    CSS.highlights.delete('reclab-find');
    CSS.highlights.delete('reclab-find-current');
  }
}
