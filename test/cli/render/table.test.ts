import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../lib/cli/render/table.js';

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
});
