/**
 * The in-page question for a file name (New notebook, Save As in a browser), in place of the
 * browser's `prompt`, which cannot show what went wrong with the last answer or keep the page's look.
 */
export interface NameQuestion {
  title: string;
  /** What to type, and where it goes. */
  label: string;
  value: string;
  /** The confirming button's text. */
  action: string;
  /** Why the last answer did not work; the dialog shows it and asks again. */
  error?: string;
}

interface Asked extends NameQuestion {
  answer(name: string | undefined): void;
}

export const nameDialog = $state<{ asked?: Asked }>({});

/** The name typed, or undefined when the user cancelled. */
export function askName(question: NameQuestion): Promise<string | undefined> {
  nameDialog.asked?.answer(undefined);
  return new Promise((resolve) => {
    nameDialog.asked = {
      ...question,
      answer(name) {
        nameDialog.asked = undefined;
        resolve(name);
      },
    };
  });
}

/**
 * Asks for a name until `use` takes one without an error, showing each error in the
 * dialog. Resolves once a name worked, or the user cancelled (false).
 */
export async function askNameUntil(
  question: NameQuestion,
  use: (name: string) => Promise<unknown>,
): Promise<boolean> {
  for (let q = question; ;) {
    const name = await askName(q);
    if (name === undefined) return false;
    try {
      await use(name);
      return true;
    } catch (e) {
      q = { ...q, value: name, error: (e as Error).message };
    }
  }
}
