/**
 * Puts text on the clipboard: through the Clipboard API where the page may use it, else
 * through a hidden text area and the copy command (engines or pages without that API).
 */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard) {
    try {
      return await navigator.clipboard.writeText(text);
    } catch {
      // Refused (no permission, the document lost focus): the copy command may still work.
    }
  }
  const back = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const area = document.createElement('textarea');
  area.value = text;
  area.readOnly = true;
  area.style.cssText = 'position: fixed; left: -9999px; top: 0; opacity: 0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  // The grid had the keys before: give them back, so a second Ctrl+C works too.
  back?.focus();
  if (!copied) throw new Error('The browser did not allow copying to the clipboard.');
}
