// POSIX shell-word splitting as Python's shlex.split(posix=True) does it, comments disabled.

export class CommandSyntaxError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < command.length && (command[i + 1] === '"' || command[i + 1] === '\\')) word += command[++i];
      else word += ch;
      continue;
    }
    if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\') {
      if (i + 1 >= command.length) throw new CommandSyntaxError('No escaped character');
      word += command[++i];
    } else word += ch;
  }
  if (quote) throw new CommandSyntaxError('No closing quotation');
  if (inWord) words.push(word);
  return words;
}
