/** Where `query` occurs in `text`, as [start, end) offsets, left to right and not overlapping. */
export function findAll(text: string, query: string, matchCase: boolean): [number, number][] {
  if (!query) return [];
  const hay = matchCase ? text : text.toLowerCase();
  const needle = matchCase ? query : query.toLowerCase();
  const found: [number, number][] = [];
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length))
    found.push([at, at + needle.length]);
  return found;
}

/** `text` with the occurrences at `ranges` (from {@link findAll}) replaced by `by`. */
export function replaceRanges(text: string, ranges: readonly [number, number][], by: string): string {
  let out = '';
  let from = 0;
  for (const [start, end] of ranges) {
    out += text.slice(from, start) + by;
    from = end;
  }
  return out + text.slice(from);
}
