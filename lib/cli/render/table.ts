import { largest } from '../../core/largest.js';
import { visibleControls } from '../../core/visible-controls.js';
/** A table column: its header, and how it gives way when the table is wider than the terminal. */
interface TableColumn {
  readonly header: string;
  /**
   * `wrap`: its text goes onto more lines, between words; `cut`: it ends in
   * `…`. A column without either keeps its width, unless no column of the
   * table has one: then any column may be cut, the widest first.
   *
   * @default - keeps its width
   */
  readonly fit?: 'wrap' | 'cut';
  /**
   * The narrowest the column gets, even when the table cannot fit the width
   * otherwise (a run id that must stay whole to be typed).
   *
   * @default the header's width, or 8 if that is wider; when the table still does not fit, 4
   */
  readonly minWidth?: number;
  /**
   * Left out when the table cannot fit the width even with every column at
   * its narrowest (the last such column first).
   *
   * @default false
   */
  readonly optional?: boolean;
}

/**
 * A cell: text, or the pieces of a text that must each stay on one line
 * (`['--count <integer>', '[--loud]']`), shown joined by spaces.
 */
type TableCell = string | readonly string[];

/** Options of {@link formatTable}. */
interface TableOptions {
  /** The widest a line may be: the terminal's width. @default - as wide as the content */
  readonly width?: number;
}

const GAP = 2;

/**
 * Lays rows out in aligned columns under a header, two spaces apart, and
 * fits them to `width`: columns that may give way wrap or cut their text
 * until every line fits.
 *
 * @example
 * formatTable(['TASK', 'LOCK'], [['migrate', 'yes']]);
 * // 'TASK     LOCK\nmigrate  yes'
 */
function formatTable(
  columns: readonly (string | TableColumn)[],
  rows: readonly (readonly TableCell[])[],
  options: TableOptions = {},
): string {
  const all = columns.map((column) => (typeof column === 'string' ? { header: column } : column));
  const kept = keptColumns(all, rows, options.width ?? Infinity);
  return laidOutTable(
    kept.map((column) => all[column] as TableColumn),
    rows.map((row) => kept.map((column) => row[column] ?? '')),
    options,
  );
}

/**
 * The headers of the optional columns {@link formatTable} leaves out of
 * these rows at `width`: what a command says it left out, and where to see it.
 *
 * @example
 * leftOutColumns(columns, rows, 80); // ['TOOK', 'RELEASE']
 */
function leftOutColumns(columns: readonly TableColumn[], rows: readonly (readonly TableCell[])[], width: number): string[] {
  const kept = keptColumns(columns, rows, width);
  return columns.filter((_column, index) => !kept.includes(index)).map((column) => column.header);
}

/**
 * The indexes of the columns shown: all, less the optional ones that the
 * width has no room for. An optional column gives way before a column that
 * would be cut (`fit: 'cut'`: `runs`' ARGS, where a dry run and a real one
 * differ) loses any of its text; a wrapped column only wraps.
 */
function keptColumns(specs: readonly TableColumn[], rows: readonly (readonly TableCell[])[], width: number): number[] {
  const narrowest = specs.map((spec, column) =>
    narrowestWidth(
      spec,
      spec.fit === 'cut' ? undefined : spec.fit,
      rows.map((row) => cellPieces(row[column] ?? '')),
    ),
  );
  const kept = specs.map((_spec, column) => column);
  const needed = (): number => kept.reduce((sum, column) => sum + (narrowest[column] ?? 0), 0) + GAP * (kept.length - 1);
  for (let column = specs.length - 1; column >= 0 && needed() > width; column -= 1) {
    if (specs[column]?.optional === true) kept.splice(kept.indexOf(column), 1);
  }
  return kept;
}

function laidOutTable(specs: readonly TableColumn[], rows: readonly (readonly TableCell[])[], options: TableOptions): string {
  const anyFits = specs.some((spec) => spec.fit !== undefined);
  const fits: ('wrap' | 'cut' | undefined)[] = specs.map((spec) => spec.fit ?? (anyFits ? undefined : 'cut'));
  // A record read from elsewhere may lack a field: its cell stays empty.
  const pieces = rows.map((row) => specs.map((_spec, column) => cellPieces(row[column] ?? '')));
  const widths = specs.map((spec, column) =>
    largest(
      pieces.map((row) => textOf(row[column] ?? []).length),
      spec.header.length,
    ),
  );
  const minimums = specs.map((spec, column) =>
    narrowestWidth(
      spec,
      fits[column],
      pieces.map((row) => row[column] ?? []),
    ),
  );
  const room = (options.width ?? Infinity) - GAP * (specs.length - 1);
  shrink(widths, minimums, room);
  // Still too wide: the columns that give way go narrower still, then every column does, down to a few
  // characters, ending in … (as gh's tables do).
  const natural = [...widths];
  // A column that keeps its width and names its minimum (a run id, to be typed) keeps that, whatever else gives way.
  const lastResort = (column: number): number =>
    Math.min(
      widths[column] ?? 0,
      specs[column]?.fit === undefined && specs[column]?.minWidth !== undefined
        ? specs[column].minWidth
        : Math.max(LAST_RESORT_WIDTH, Math.min(specs[column]?.header.length ?? 0, 8)),
    );
  shrink(
    widths,
    specs.map((_spec, column) => (fits[column] === undefined ? (widths[column] ?? 0) : lastResort(column))),
    room,
  );
  shrink(
    widths,
    specs.map((_spec, column) => lastResort(column)),
    room,
  );
  widths.forEach((width, column) => {
    if (width < (natural[column] ?? 0) && fits[column] === undefined) fits[column] = 'cut';
  });
  const lines = (cells: readonly (readonly string[])[]): string[] => {
    const laidOut = cells.map((cell, column) => layOut(cell, widths[column] ?? 0, fits[column]));
    const height = largest(
      laidOut.map((cell) => cell.length),
      1,
    );
    return Array.from({ length: height }, (_, index) =>
      laidOut
        .map((cell, column) => (column === laidOut.length - 1 ? (cell[index] ?? '') : (cell[index] ?? '').padEnd(widths[column] ?? 0)))
        .join(' '.repeat(GAP))
        .trimEnd(),
    );
  };
  return [...lines(specs.map((spec) => [spec.header])), ...pieces.flatMap(lines)].join('\n');
}

/* The narrowest any column gets when the table cannot fit otherwise. */
const LAST_RESORT_WIDTH = 4;

/* A wrapped column keeps pieces up to this long whole (a flag and its value), unless it is told a minimum. */
const LONGEST_WHOLE_PIECE = 30;

/** The narrowest a column gets: as wide as its content if it does not give way; else its minimum, by default the header's width (at least 8), and for a wrapped column its longest piece. */
function narrowestWidth(spec: TableColumn, fit: 'wrap' | 'cut' | undefined, cells: readonly (readonly string[])[]): number {
  const widest = largest(
    cells.map((cell) => textOf(cell).length),
    spec.header.length,
  );
  if (fit === undefined) return widest;
  const longestPiece = fit === 'wrap' ? Math.min(LONGEST_WHOLE_PIECE, largest(cells.flat().map((piece) => piece.length))) : 0;
  return Math.min(widest, spec.minWidth ?? Math.max(spec.header.length, 8, longestPiece));
}

/** A cell's pieces as shown: control characters written out, since cells hold what others typed. */
function cellPieces(cell: TableCell): readonly string[] {
  return piecesOf(cell).map(visibleControls);
}

function piecesOf(cell: TableCell): readonly string[] {
  return typeof cell === 'string' ? cell.split(/\s+/).filter((word) => word !== '') : cell;
}

function textOf(pieces: readonly string[]): string {
  return pieces.join(' ');
}

/** Narrows the widest column that may give way, one character at a time, until the columns fit `room`. */
function shrink(widths: number[], minimums: readonly number[], room: number): void {
  let total = widths.reduce((sum, width) => sum + width, 0);
  while (total > room) {
    let widest = -1;
    widths.forEach((width, column) => {
      if (width > (minimums[column] ?? 0) && (widest < 0 || width > (widths[widest] ?? 0))) widest = column;
    });
    if (widest < 0) return; // nothing gives way any further: the table is as narrow as it gets
    widths[widest] = (widths[widest] ?? 0) - 1;
    total -= 1;
  }
}

/**
 * `text` cut to at most `width` characters, ending in … where it was cut
 * (as a `cut` column and a word wider than its column are).
 *
 * @example
 * cutText('notes:backfill', 8); // 'notes:b…'
 */
function cutText(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** A cell's lines in a column `width` wide; with `keepWide`, a word wider than the column stays whole on a line of its own. */
function layOut(pieces: readonly string[], width: number, fit: 'wrap' | 'cut' | undefined, keepWide = false): string[] {
  const text = textOf(pieces);
  if (text.length <= width || fit === undefined) return [text];
  if (fit === 'cut') return [cutText(text, width)];
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    const joined = line === '' ? piece : `${line} ${piece}`;
    if (joined.length <= width) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    if (piece.length <= width) {
      line = piece;
      continue;
    }
    // A piece wider than the column wraps between its words; a word wider than the column ends in …,
    // never broken mid-word onto the next line.
    const words = wrapWords(piece.split(' '), width, keepWide);
    lines.push(...words.slice(0, -1));
    line = words.at(-1) ?? '';
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Words on lines at most `width` wide; a word wider than that is cut with …, or, with `keepWide`, kept whole. */
function wrapWords(words: readonly string[], width: number, keepWide: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const raw of words) {
    const word = keepWide ? raw : cutText(raw, width);
    const joined = line === '' ? word : `${line} ${word}`;
    if (joined.length <= width) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    line = word;
  }
  lines.push(line);
  return lines;
}

/**
 * Pieces (each kept whole where it fits: a flag's usage, a word) on lines at
 * most `width` wide, as a table's wrapped cell lays them out.
 *
 * @example
 * wrapPieces(['--count <integer>', '[--loud]'], 20); // ['--count <integer>', '[--loud]']
 */
function wrapPieces(pieces: readonly string[], width: number): string[] {
  return layOut(pieces, width, 'wrap');
}

/**
 * Prose wrapped between words to lines at most `width` wide. A word wider
 * than that ends in …, or, with `keepWide`, stays whole on a line of its own
 * (a log stream, an ARN, which the reader copies).
 *
 * @example
 * wrapText('The working tree matches the live release.', 20);
 * // 'The working tree\nmatches the live\nrelease.'
 */
function wrapText(text: string, width: number, keepWide = false): string {
  return layOut(withCommandsWhole(piecesOf(text)), width, 'wrap', keepWide).join('\n');
}

/** The words of a text, with `npx cnf-admin` as one: a suggested command never breaks between the two. */
function withCommandsWhole(words: readonly string[]): string[] {
  const joined: string[] = [];
  for (const word of words) {
    if (word === 'cnf-admin' && joined.at(-1) === 'npx') joined[joined.length - 1] = `npx ${word}`;
    else joined.push(word);
  }
  return joined;
}

/**
 * The width tables fit: the terminal's, when stdout is one; `COLUMNS` when
 * set; 80 otherwise (a pipe, a file), so that what is saved reads the same.
 */
function terminalWidth(io: {
  readonly stdout: { readonly isTTY?: boolean; readonly columns?: number };
  readonly env: NodeJS.ProcessEnv;
}): number {
  const columns = Number(io.env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  if (io.stdout.isTTY === true && typeof io.stdout.columns === 'number' && io.stdout.columns > 0) return io.stdout.columns;
  return 80;
}

export { cutText, formatTable, leftOutColumns, terminalWidth, wrapPieces, wrapText };
export type { TableCell, TableColumn, TableOptions };
