/** Hands `text` to the browser as a file download (the desktop app asks where to save it). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later, not at once: a save dialog may still be reading it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
