import { describe, expect, it } from 'vitest';
import { cutText, formatTable, leftOutColumns, terminalWidth, wrapText } from '../../../lib/cli/render/table.js';

describe('formatTable', () => {
  it('aligns columns under their headers', () => {
    expect(
      formatTable(
        ['TASK', 'LOCK'],
        [
          ['migrate', 'yes'],
          ['seed', ''],
        ],
      ),
    ).toBe('TASK     LOCK\nmigrate  yes\nseed');
  });

  it('writes out the control characters a cell holds (an escape sequence someone typed into args), which the terminal would act on', () => {
    const table = formatTable(['ARGS', 'BY'], [['label=\u001b[31mred\u0007', ['alice\u009b2J']]]);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table).toContain('label=\\u001b[31mred\\u0007');
    expect(table).toContain('alice\\u009b2J');
  });

  it('writes out a character that reorders or hides text (a bidi override, a zero-width space), which would make a cell read as other text', () => {
    const table = formatTable(['ARGS'], [['file=invoice\u202efdp.exe ad\u200bmin']]);
    expect(table).toContain('file=invoice\\u202efdp.exe ad\\u200bmin');
    expect(table).not.toMatch(/[\u202e\u200b]/);
  });

  const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));

  it('leaves a table that fits as it is', () => {
    expect(formatTable([{ header: 'A', fit: 'wrap' }, 'B'], [['one two', 'x']], { width: 80 })).toBe('A        B\none two  x');
  });

  it('wraps a column between words, and keeps each piece of a cell whole on a line', () => {
    // when
    const table = formatTable(
      ['TASK', { header: 'DESCRIPTION', fit: 'wrap' }, { header: 'ARGS', fit: 'wrap' }],
      [['purge', 'Delete notes older than a number of days', ['--older-than-days <integer>', '[--dry-run]']]],
      { width: 50 },
    );

    // then
    expect(widest(table)).toBeLessThanOrEqual(50);
    expect(table.split('\n')).toEqual([
      'TASK   DESCRIPTION     ARGS',
      'purge  Delete notes    --older-than-days <integer>',
      '       older than a    [--dry-run]',
      '       number of days',
    ]);
  });

  it('cuts a column with an ellipsis', () => {
    expect(formatTable(['ID', { header: 'BY', fit: 'cut' }], [['1', 'arn:aws:sts::123456789012:assumed-role/Admin']], { width: 20 })).toBe(
      'ID  BY\n1   arn:aws:sts::12…',
    );
  });

  it('leaves out an optional column when even the narrowest columns do not fit, and keeps it when they do', () => {
    const columns = ['RUN ID', { header: 'RELEASE', optional: true }, { header: 'BY', fit: 'cut' as const }];
    const rows = [['20261124-143927-k3f9qz', 'r-0123456789ab', 'alice@laptop']];
    expect(formatTable(columns, rows, { width: 40 })).toBe('RUN ID                  BY\n20261124-143927-k3f9qz  alice@laptop');
    expect(formatTable(columns, rows, { width: 80 })).toContain('r-0123456789ab');
    // and says which it left out, for the command to tell its reader
    const specs = [{ header: 'RUN ID' }, { header: 'RELEASE', optional: true }, { header: 'BY', fit: 'cut' as const }];
    expect(leftOutColumns(specs, rows, 40)).toEqual(['RELEASE']);
    expect(leftOutColumns(specs, rows, 80)).toEqual([]);
  });

  it('leaves out optional columns before a cut column loses any of its text, and wraps a wrapped one rather than leave them out', () => {
    const columns = ['RUN ID', { header: 'ARGS', fit: 'cut' as const, minWidth: 8 }, { header: 'TOOK', optional: true }];
    const rows = [
      ['20261124-143927-k3f9qz', 'olderThanDays=30 dryRun=true', '1.2 s'],
      ['20261124-143928-abcdef', 'olderThanDays=30 dryRun=false', '1.3 s'],
    ];
    // 22 + 2 + 29 + 2 + 5 = 60: at 58 columns TOOK goes, and ARGS stays whole
    const table = formatTable(columns, rows, { width: 58 });
    expect(table).not.toContain('TOOK');
    expect(table).toContain('dryRun=true');
    expect(table).toContain('dryRun=false');
    expect(formatTable(columns, rows, { width: 60 })).toContain('TOOK');
    // a wrapped column wraps: the optional column stays
    const wrapped = ['RUN ID', { header: 'NOTE', fit: 'wrap' as const }, { header: 'TOOK', optional: true }];
    expect(formatTable(wrapped, rows, { width: 58 })).toContain('TOOK');
  });

  it('cuts any column, the widest first, when none says how it gives way', () => {
    const table = formatTable(['KEY', 'VALUE'], [['GREETING', `hello ${'wide '.repeat(30)}`]], { width: 40 });
    expect(widest(table)).toBe(40);
    expect(table).toContain('…');
  });

  it('wraps prose between words', () => {
    expect(wrapText('The working tree matches the live release.', 20)).toBe('The working tree\nmatches the live\nrelease.');
  });

  it('keeps a suggested npx cnf-admin on one line', () => {
    expect(wrapText('Deploy the tree with: npx cnf-admin deploy', 26)).toBe('Deploy the tree with:\nnpx cnf-admin deploy');
    expect(wrapText('npx, then cnf-admin', 9)).toBe('npx, then\ncnf-admin');
  });

  it("takes the terminal's width, COLUMNS, or 80", () => {
    expect(terminalWidth({ stdout: { isTTY: true, columns: 132 }, env: {} })).toBe(132);
    expect(terminalWidth({ stdout: { isTTY: false }, env: {} })).toBe(80);
    expect(terminalWidth({ stdout: { isTTY: true, columns: 132 }, env: { COLUMNS: '100' } })).toBe(100);
  });

  it('cuts a word wider than its wrapped column with …, never breaking it onto the next line', () => {
    const table = formatTable([{ header: 'A' }, { header: 'NOTE', fit: 'wrap', minWidth: 8 }], [['x', 'see lambda/migrations/0001 now']], {
      width: 13,
    });
    expect(table.split('\n')).toEqual(['A  NOTE', 'x  see', '   lambda/mi…', '   now']);
  });

  it('keeps a column whole at its minimum width while the others are cut to fit a narrow terminal', () => {
    const table = formatTable(
      [
        { header: 'RUN ID', minWidth: 22 },
        { header: 'TASK', fit: 'cut' },
        { header: 'BY', fit: 'cut' },
      ],
      [['20261202-164449-9g9cg4', 'notes:backfill', 'someone@host.example']],
      { width: 40 },
    );
    const lines = table.split('\n');
    expect(lines[1]).toMatch(/^20261202-164449-9g9cg4 {2}\S+…? {2}\S+…$/);
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(40);
  });
});

describe('cutText', () => {
  it('keeps text that fits, and cuts longer text to the width, ending in …', () => {
    expect(cutText('notes', 8)).toBe('notes');
    expect(cutText('notes:backfill', 8)).toBe('notes:b…');
    expect(cutText('notes:backfill', 8)).toHaveLength(8);
  });
});
