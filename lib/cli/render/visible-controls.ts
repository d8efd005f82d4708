/* Control characters (C0, DEL, C1): a terminal acts on them (ESC starts a sequence that can recolour, move the cursor, retitle the window). */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `text` with each control character written out as its escape
 * (`\u001b`), so that a value someone else typed (a run's args or reason,
 * a config value) is shown, never acted on by the terminal that shows it.
 *
 * @example
 * visibleControls('\u001b[31mred'); // '\\u001b[31mred'
 */
function visibleControls(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export { visibleControls };
