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

/** Attributes through which an element loads something by itself, without a click. */
const LOADING = new Set(['src', 'srcset', 'poster', 'background', 'href', 'xlink:href', 'data']);

// Opening a notebook fetches nothing: an image shows from a data: URI, never from the network
// (which would tell a third party that the file was opened), and CSS may not load a url().
DOMPurify.addHook('uponSanitizeAttribute', (node, data) => {
  const name = data.attrName.toLowerCase();
  const value = data.attrValue.trim().toLowerCase();
  const link = name === 'href' && node.nodeName.toLowerCase() === 'a';
  if (
    (LOADING.has(name) && !link && !value.startsWith('data:')) ||
    (name === 'style' && value.includes('url('))
  )
    data.keepAttr = false;
});
