import DOMPurify from 'dompurify';
import { marked } from 'marked';

/** Markdown to HTML that is safe to insert: notebooks come from anyone. */
export function renderMarkdown(text: string): string {
  return sanitize(marked.parse(text, { async: false, gfm: true }));
}

export function sanitize(html: string): string {
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true, svg: true },
    FORBID_TAGS: ['style', 'form'],
  });
}
