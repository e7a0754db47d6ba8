/** One Markdown heading of the notebook, for the table of contents. */
export interface Heading {
  /** The cell it is in. */
  handle: string;
  level: number;
  text: string;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(```|~~~)/;

/** The ATX headings (`# Title`) of the Markdown cells, in order; those inside code fences are not headings. */
export function outline(cells: readonly { handle: string; kind: string; source: string }[]): Heading[] {
  const found: Heading[] = [];
  for (const cell of cells) {
    if (cell.kind !== 'markdown') continue;
    let fence: string | undefined;
    for (const line of cell.source.split('\n')) {
      const f = FENCE.exec(line)?.[1];
      if (f && (fence === undefined || fence === f)) {
        fence = fence === undefined ? f : undefined;
        continue;
      }
      if (fence !== undefined) continue;
      const m = HEADING.exec(line);
      if (m && m[2]) found.push({ handle: cell.handle, level: m[1].length, text: plain(m[2]) });
    }
  }
  return found;
}

/** A heading as read: emphasis, code and link marks dropped. */
function plain(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .trim();
}
