import { describe, expect, it } from 'vitest';
import { describeThrown, stackOf } from '../../lib/runtime/thrown-value.js';

const UNSHOWABLE = { name: 'Error', message: 'A value that cannot be shown as text was thrown (object)' };

describe('describeThrown', () => {
  it('gives the name and message of an error, and the text of a string or number', () => {
    expect(describeThrown(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeThrown('plain')).toEqual({ name: 'Error', message: 'plain' });
    expect(describeThrown(42)).toEqual({ name: 'Error', message: '42' });
    expect(describeThrown({ code: 'E1' })).toEqual({ name: 'Error', message: '{"code":"E1"}' });
  });

  it('never throws: an object without a prototype, throwing getters and toString, a throwing proxy', () => {
    const getters = {
      get name(): string {
        throw new Error('no name');
      },
      get message(): string {
        throw new Error('no message');
      },
      toString(): string {
        throw new Error('no text');
      },
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(describeThrown(Object.create(null))).toEqual(UNSHOWABLE);
    expect(describeThrown(getters)).toEqual(UNSHOWABLE);
    expect(describeThrown(proxy)).toEqual(UNSHOWABLE);
    expect(stackOf(proxy)).toBeUndefined();
  });

  it('keeps a readable message when only the name throws', () => {
    const error = {
      message: 'still here',
      get name(): string {
        throw new Error('no');
      },
    };
    expect(describeThrown(error)).toEqual({ name: 'Error', message: 'still here' });
  });
});
