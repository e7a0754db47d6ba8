import type { monaco } from './monaco';

/** The live editor of each cell that has one, so commands can focus it. */
export const editors = new Map<string, monaco.editor.IStandaloneCodeEditor>();

/** Each cell's text model, which exists before its editor does (find marks matches in both). */
export const textModels = new Map<string, monaco.editor.ITextModel>();

/** Cells asked to focus before their editor existed get it when it is created. */
export const focusWanted = new Set<string>();
