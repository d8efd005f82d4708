import { UNSEEN_FORMAT_CHARACTERS } from '../../core/visible-controls.js';

/**
 * ANSI escape sequences: CSI (`ESC [ … final byte`: colours, cursor moves,
 * erasing), OSC (`ESC ] … BEL` or `ESC ] … ESC \`: titles, links; one left
 * open ends at the line's end), and the two-character escapes (`ESC 7`,
 * `ESC M`). A lone ESC is shown, as other control characters are.
 */
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b\n]*(?:\u0007|\u001b\\)?|[78=>DEHMNOPZc\\^_])/g;

/**
 * The characters shown as a visible escape (`<U+202E>`), having no picture
 * of their own: those that reorder or hide text
 * ({@link UNSEEN_FORMAT_CHARACTERS}), so that a line holding one cannot be
 * made to read as other text than it is, and the C1 control characters
 * (U+0080–U+009F).
 */
const ESCAPED = new RegExp(`[\\u0080-\\u009f${UNSEEN_FORMAT_CHARACTERS}]`, 'g');

/** The other control characters a line may hold (a tab and a line break aside): shown as their Control Pictures, `␇` for a bell. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** What a terminal finally shows of a line that holds carriage returns: each part written over the start of the one before. */
function overlaid(line: string): string {
  if (!line.includes('\r')) return line;
  const cells: string[] = [];
  for (const part of line.split('\r')) [...part].forEach((character, index) => (cells[index] = character));
  return cells.join('');
}

/**
 * Text with nothing in it that a reader cannot see, as the `ui` page shows
 * what a run was given (its args, its CLI command) and its log lines: bidi
 * controls, zero-width characters and C1 control characters as visible
 * escapes (`<U+202E>`, `<U+200B>`, `<U+009B>`) that cannot reorder or hide
 * in the text, and the other control characters (a tab and a line break
 * aside) as their Control Pictures (`␇`).
 *
 * @example
 * visibleText('{"file":"invoice \u202Efdp.exe"}'); // '{"file":"invoice <U+202E>fdp.exe"}'
 * visibleText('ad\u200Bmin'); // 'ad<U+200B>min'
 */
function visibleText(text: string): string {
  return text
    .replace(ESCAPED, (character) => `<U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(CONTROL, (character) => String.fromCharCode(character === '\u007f' ? 0x2421 : 0x2400 + character.charCodeAt(0)));
}

/**
 * A log line as the `ui` page shows it (each of its lines, where it has
 * several, as an error's stack does): ANSI escape sequences taken out
 * (colours are no text), carriage returns applied as a terminal applies them
 * (`progress 0%\rprogress 100%` shows `progress 100%`), and what cannot be
 * seen made visible ({@link visibleText}): bidi controls, zero-width and C1
 * control characters as `<U+202E>`, other control characters as `␇`.
 *
 * @example
 * terminalText('\u001b[31mRED\u001b[0m'); // 'RED'
 * terminalText('file \u202Etxt.exe'); // 'file <U+202E>txt.exe'
 */
function terminalText(line: string): string {
  return visibleText(line.replace(ANSI_SEQUENCE, '').split('\n').map(overlaid).join('\n'));
}

export { terminalText, visibleText };
