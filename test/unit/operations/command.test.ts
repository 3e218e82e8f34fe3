import { describe, expect, it } from 'vitest';
import { commandLine, commandsFor } from '../../../src/operations/command.js';

describe('commandLine', () => {
  it('the verb with the config file, or alone', () => {
    expect(commandLine('bluegreen', 'resume', 'services/shop.yml')).toBe('bluegreen resume -c services/shop.yml');
    expect(commandLine('npx bluegreen', 'deploy')).toBe('npx bluegreen deploy');
    expect(commandsFor('bluegreen', './bluegreen.yml')('status')).toBe('bluegreen status -c ./bluegreen.yml');
  });
});
