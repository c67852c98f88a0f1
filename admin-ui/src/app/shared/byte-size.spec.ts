import { ByteSizePipe, fromBytes, toBytes } from './byte-size';

describe('byte sizes', () => {
  it('turns MB and GB into whole bytes (binary units)', () => {
    expect(toBytes(1, 'MB')).toBe(1024 ** 2);
    expect(toBytes(1.5, 'GB')).toBe(1610612736);
    expect(toBytes(0, 'GB')).toBe(0);
  });

  it('shows a quota in the largest fitting unit', () => {
    expect(fromBytes(10 * 1024 ** 3)).toEqual({ amount: 10, unit: 'GB' });
    expect(fromBytes(512 * 1024 ** 2)).toEqual({ amount: 512, unit: 'MB' });
    expect(fromBytes(0)).toEqual({ amount: 0, unit: 'MB' });
  });

  it('formats bytes for people', () => {
    const pipe = new ByteSizePipe();
    expect(pipe.transform(500)).toBe('500 B');
    expect(pipe.transform(1536)).toBe('1.5 KB');
    expect(pipe.transform(10 * 1024 ** 3)).toBe('10 GB');
    expect(pipe.transform(null)).toBe('');
  });
});
