/**
 * The characters with no picture of their own that change what text around
 * them reads as: those that reorder it (bidi embeddings, overrides and
 * isolates, the directional marks U+200E, U+200F, U+061C) and the zero-width
 * ones (spaces, joiners, the word joiner and the invisible operators
 * U+2060–U+2064, the byte order mark U+FEFF), which hide inside a name or a
 * value. A character class's body: what the terminal's output here and the
 * `ui` page (lib/cli/ui/terminal-text.ts) each write out in their own way.
 */
const UNSEEN_FORMAT_CHARACTERS = '\\u061c\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff';

/* Control characters (C0, DEL, C1), which a terminal acts on (ESC starts a sequence that can recolour, move the cursor, retitle the window), and the unseen ones above. */
const WRITTEN_OUT = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f${UNSEEN_FORMAT_CHARACTERS}]`, 'g');

/* The ones that read better as their usual escapes. */
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with each control character, and each character that reorders or
 * hides text ({@link UNSEEN_FORMAT_CHARACTERS}), written out as its escape
 * (`\n`, `\u001b`, `\u202e`), so that a value someone else typed (a run's
 * args or reason, a config value) is shown on its line as it is, never acted
 * on by the terminal that shows it nor read as other text.
 *
 * @example
 * visibleControls('\u001b[31mred\n'); // '\\u001b[31mred\\n'
 * visibleControls('invoice \u202Efdp.exe'); // 'invoice \\u202efdp.exe'
 */
function visibleControls(text: string): string {
  return text.replace(WRITTEN_OUT, (character) => NAMED[character] ?? `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export { UNSEEN_FORMAT_CHARACTERS, visibleControls };
