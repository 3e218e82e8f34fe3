import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, formatDuration, parseDuration } from '../../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['0s', 0],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['2h', 7200],
    ['1m30s', 90],
    ['1h0m1s', 3601],
    ['1h1s', 3601],
    ['300s', 300],
    ['0h0m0s', 0],
  ])('%s is %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
    expect(DURATION_PATTERN.test(text)).toBe(true);
  });

  it.each(['', '5', '300', 's', 'm', 'h', '1.5h', '5min', '5M', '1d', '100ms', '30m1h', '1s1m', '-5s', '5 m', '1h 30m', 'h1'])(
    'rejects %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
      expect(DURATION_PATTERN.test(text)).toBe(false);
    },
  );

  it('rejects a duration too large to count in whole seconds', () => {
    expect(parseDuration('99999999999999999999h')).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [10, '10s'],
    [90, '1m30s'],
    [300, '5m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [3601, '1h1s'],
  ])('%i seconds is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
    expect(parseDuration(text)).toBe(seconds);
  });

  it('rounds fractions and prints negative or non-finite values as 0s', () => {
    expect(formatDuration(89.6)).toBe('1m30s');
    expect(formatDuration(-3)).toBe('0s');
    expect(formatDuration(Number.NaN)).toBe('0s');
  });
});
