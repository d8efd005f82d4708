/* Control characters (C0, DEL, C1): a terminal acts on them (ESC starts a sequence that can recolour, move the cursor, retitle the window). */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/* The ones that read better as their usual escapes. */
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with each control character written out as its escape (`\n`,
 * `\u001b`), so that a value someone else typed (a run's args or reason, a
 * config value) is shown on its line, never acted on by the terminal that
 * shows it.
 *
 * @example
 * visibleControls('\u001b[31mred\n'); // '\\u001b[31mred\\n'
 */
function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export { visibleControls };
