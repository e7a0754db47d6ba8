import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python3 with python3-nbformat; the pyenv python on PATH may lack it. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

let available: boolean | undefined;
export function nbformatAvailable(): boolean {
  available ??= spawnSync(PYTHON, ['-c', 'import nbformat']).status === 0;
  if (!available && process.env.CI)
    throw new Error('python3-nbformat is required on CI (apt-get install python3-nbformat)');
  return available;
}

/** Runs the official validator; returns '' when the file is valid, else its message. */
export function validateWithNbformat(file: string): string {
  const r = spawnSync(
    PYTHON,
    ['-c', 'import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', file],
    { encoding: 'utf8' },
  );
  return r.status === 0 ? '' : r.stderr || `exit ${r.status}`;
}

/** Runs `script` (Python, with `v4` = nbformat.v4) that builds `nb`, and writes it with nbformat. */
export function writeWithNbformat(file: string, script: string): void {
  const program = `import nbformat, sys\nfrom nbformat import v4\n${script}\nnbformat.write(nb, sys.argv[1])\n`;
  const r = spawnSync(PYTHON, ['-c', program, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nbformat could not write ${file}: ${r.stderr}`);
}
