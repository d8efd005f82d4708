/**
 * Lays rows out in aligned columns under a header, two spaces apart.
 *
 * @example
 * formatTable(['TASK', 'LOCK'], [['migrate', 'yes']]);
 * // 'TASK     LOCK\nmigrate  yes'
 */
function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      // A record read from elsewhere may lack a field: its cell stays empty.
      .map((cell = '', column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export { formatTable };
