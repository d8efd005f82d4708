import { describe, expect, it } from 'vitest';
import { terminalText, visibleText } from '../../../lib/cli/ui/terminal-text.js';

describe('terminalText', () => {
  it('takes out ANSI escape sequences: colours, erasing, cursor moves, titles', () => {
    expect(terminalText('\u001b[31mRED\u001b[0m plain')).toBe('RED plain');
    expect(terminalText('\u001b[1;38;5;208mbold\u001b[K \u001b[2A')).toBe('bold ');
    expect(terminalText('\u001b]0;title\u0007after \u001b]8;;https://x\u001b\\link')).toBe('after link');
  });

  it('shows what a terminal finally shows of carriage returns: each part over the start of the one before', () => {
    expect(terminalText('progress 0%\rprogress 25%\rprogress 100%')).toBe('progress 100%');
    expect(terminalText('abcdef\rXY')).toBe('XYcdef');
    expect(terminalText('\u001b[2K\rdone')).toBe('done');
    // A line that holds several (an error's stack): each of them on its own.
    expect(terminalText('Error: x 0%\rError: y\n    at run (task.ts:1)')).toBe('Error: y 0%\n    at run (task.ts:1)');
  });

  it('shows bidi controls as visible escapes, so that none reorders the line', () => {
    expect(terminalText('file \u202Etxt.exe')).toBe('file <U+202E>txt.exe');
    const all = '\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C';
    expect(terminalText(all)).toBe('<U+202A><U+202B><U+202C><U+202D><U+202E><U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C>');
  });

  it('shows zero-width and C1 control characters as visible escapes, so that none hides in a line', () => {
    const zeroWidth = '\u200B\u200C\u200D\u2060\u2061\u2062\u2063\u2064\uFEFF';
    expect(terminalText(`ad${zeroWidth}min`)).toBe('ad<U+200B><U+200C><U+200D><U+2060><U+2061><U+2062><U+2063><U+2064><U+FEFF>min');
    expect(terminalText('next\u0085line \u009b31m csi \u0080 \u009f')).toBe('next<U+0085>line <U+009B>31m csi <U+0080> <U+009F>');
    // Their neighbours are text, and stay as they are.
    expect(terminalText('\u007e\u00a0\u200a\u2010\u2065\ufefe')).toBe('\u007e\u00a0\u200a\u2010\u2065\ufefe');
  });

  it('ends an escape left open at the line, and shows a lone ESC without taking the character after it', () => {
    expect(terminalText('x \u001b]0;title\n    at run (task.ts:1)')).toBe('x \n    at run (task.ts:1)');
    expect(terminalText('lone \u001b end')).toBe('lone ␛ end');
    expect(terminalText('\u001bhello')).toBe('␛hello');
  });

  it('shows other control characters as their pictures, and leaves tabs and text as they are', () => {
    expect(terminalText('bell\u0007 back\b del\u007f')).toBe('bell␇ back␈ del␡');
    expect(terminalText('a\tb é 漢字 😀')).toBe('a\tb é 漢字 😀');
  });
});

describe('visibleText', () => {
  it('shows what a reader cannot see as the log lines do: a bidi control as <U+…>, a control character as its picture', () => {
    expect(visibleText('{"user":"invoice \u202Efdp.exe"}')).toBe('{"user":"invoice <U+202E>fdp.exe"}');
    expect(visibleText("cnf-admin console -e 'x\u2066y\u007f'")).toBe("cnf-admin console -e 'x<U+2066>y␡'");
    expect(visibleText('a\u0007b')).toBe('a␇b');
    expect(visibleText('{"user":"ad\u200Bmin\uFEFF","note":"\u0085"}')).toBe('{"user":"ad<U+200B>min<U+FEFF>","note":"<U+0085>"}');
  });

  it('leaves what the page shows as it is, escapes and carriage returns included: it only makes the invisible visible', () => {
    expect(visibleText('tab\tand\nline')).toBe('tab\tand\nline');
    expect(visibleText('{"p":"50%"}')).toBe('{"p":"50%"}');
    expect(visibleText('x\u001b[31m')).toBe('x␛[31m');
  });
});
