/**
 * The one builder of the command lines that messages tell the user to run: "bluegreen resume -c shop.yml".
 * Imports nothing, so the CLI's light entry (src/cli/session.ts) can use it.
 */

/** The default program name, when the caller gives no other (OperationOptions.commandPrefix). */
export const DEFAULT_PREFIX = 'bluegreen';

/** "bluegreen resume -c shop.yml"; without a config file "bluegreen resume" (the lock's holder). */
export function commandLine(prefix: string, verb: string, configFile?: string): string {
  return configFile === undefined ? `${prefix} ${verb}` : `${prefix} ${verb} -c ${configFile}`;
}

/** The command line of each verb, for one config file: commandsFor('bluegreen', 'shop.yml')('status'). */
export function commandsFor(prefix: string, configFile: string): (verb: string) => string {
  return (verb) => commandLine(prefix, verb, configFile);
}
